/**
 * The money memory of a create: which execution, node, run and item it belongs to (the ledger of
 * helpers/ledger.ts, kept with the execution by helpers/durable.ts), and what a run did so far.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { ledgerFor, type NodeLedger } from '../helpers/ledger';
import { settle } from '../helpers/pool';
import { withItemTasks } from '../run/errors';
import { executionMaxCredits, isToolCall, quiet } from '../run/options';
import { cancelSignalOf } from '../transport';

/** Which execution and which node a create belongs to, for the money memory. */
export interface CreateScope {
	ledger: NodeLedger;
	runIndex: number;
	/** Max Credits per Run in force: the smallest limit any item of any run set so far (0 = none). */
	maxCredits?: number;
	/** What this run of the node did, for its execution hint. */
	stats?: RunStats;
	/** Run as an AI Agent tool (see itemKey). */
	tool?: boolean;
}

export interface RunStats {
	/** Tasks created by this run (a task reused by a retry is not counted again). */
	created: number;
	/** Credits the node had committed in the execution when this run began. */
	committedBefore: number;
	/** Items that sent a create or reused a task in this run. */
	touched: Set<number>;
}

/**
 * The node's execution context, which n8n stores with the execution (undefined where the context
 * has none: then the money memory is this process's only).
 */
export function executionStore(ctx: IExecuteFunctions): Record<string, unknown> | undefined {
	const store = quiet(() => (typeof ctx.getContext === 'function' ? (ctx.getContext('node') as unknown) : undefined));
	return store && typeof store === 'object' && !Array.isArray(store) ? (store as Record<string, unknown>) : undefined;
}

/** The memory of this node in this execution (see helpers/ledger.ts). */
export function createScope(ctx: IExecuteFunctions): CreateScope {
	const node = ctx.getNode();
	const ledger = ledgerFor(cancelSignalOf(ctx) ?? quiet(() => ctx.getExecutionId()), `${node.id ?? ''}|${node.name}`);
	ledger.attach(executionStore(ctx));
	const runIndex = quiet(() => Number(ctx.getWorkflowDataProxy(0).$runIndex) || 0) ?? 0;
	const maxCredits = ledger.noteLimit(executionMaxCredits(ctx));
	return { ledger, runIndex, maxCredits, stats: runStats(ledger, runIndex), tool: isToolCall(ctx) };
}

/** The stats of the latest run of each node in this process (see runStats). */
const latestRun = new WeakMap<NodeLedger, { runIndex: number; stats: RunStats }>();

/**
 * What a run of the node did so far. n8n's Retry On Fail runs the node again under the same run
 * index (also with Continue On Fail, when the first output item is an error item): the tries of
 * one run add up, so the run's hint counts the task its first try made.
 */
function runStats(ledger: NodeLedger, runIndex: number): RunStats {
	const latest = latestRun.get(ledger);
	if (latest && latest.runIndex === runIndex) return latest.stats;
	const stats: RunStats = { created: 0, committedBefore: ledger.committed, touched: new Set() };
	latestRun.set(ledger, { runIndex, stats });
	return stats;
}

/**
 * The ledger key of an item in this run of the node. As an AI Agent tool, n8n's Retry On Fail
 * runs the tool again under a new run index: there the key is the item index alone, and the
 * arguments object tells a retry from a new call (see inputItem).
 */
export function itemKey(scope: CreateScope, itemIndex: number): string {
	return `${scope.tool ? 'tool' : scope.runIndex}|${itemIndex}`;
}

/**
 * The input item object itself (the same object when n8n retries the node). As a tool: the
 * arguments object of the call (n8n wraps the same one again for each retry of a call; every new
 * call of the agent brings a new one).
 */
export function inputItem(ctx: IExecuteFunctions, itemIndex: number, scope?: CreateScope): object | undefined {
	const item = ctx.getInputData()[itemIndex] as unknown;
	if (!item || typeof item !== 'object') return undefined;
	const json = (item as { json?: unknown }).json;
	return scope?.tool && json && typeof json === 'object' ? json : item;
}

/** Every task this item's creates made in this execution (earlier tries included). */
export function itemTaskIds(ctx: IExecuteFunctions, scope: CreateScope, itemIndex: number): string[] {
	return scope.ledger.taskIds(itemKey(scope, itemIndex), inputItem(ctx, itemIndex, scope));
}

/** Runs an item's work; what it throws names every task the item created in this execution. */
export async function keepingTaskIds<T>(ctx: IExecuteFunctions, scope: CreateScope, itemIndex: number, run: () => Promise<T>): Promise<T> {
	const r = await settle(run);
	if (r.status === 'fulfilled') return r.value;
	throw withItemTasks(r.reason, itemTaskIds(ctx, scope, itemIndex));
}
