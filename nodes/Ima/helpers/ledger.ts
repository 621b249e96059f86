/**
 * The money memory of one node in one execution, kept in this process: which paid creates each
 * item sent (and what came of them), and how many credits the node has committed. Pure: no n8n,
 * no HTTP.
 *
 * Why: n8n's Retry On Fail runs the whole node again, in the same execution and with the same
 * run index, after a failure. Without this memory a retry would buy a second task for an item
 * whose first create succeeded (then timed out, say) or may have succeeded (a 502 after IMA
 * processed it). With it, a retry waits for the task it already has, or refuses to pay again.
 *
 * Two parts: the tries of each item, matched by the very input item object (that is how a retry is
 * told from a new call: it stays in this process), and the money itself (credits committed, the
 * limit in force, the task of each item of the latest run), which the ledger keeps in a plain
 * object that n8n stores with the execution (see durable.ts): a long Wait, a restart or another
 * queue worker resumes the execution with it.
 */
import { CONTEXT_KEY, emptyMoney, MAX_DURABLE_ITEMS, MAX_DURABLE_TASK_ID, MAX_HASHES, mergeMoney, readMoney, shortHash, smallestLimit, type DurableMoney } from './durable';

export type CreateOutcome = 'sending' | 'created' | 'maybe' | 'refused';

export interface CreateAttempt {
	outcome: CreateOutcome;
	/** Credits this create costs (credit × n). */
	credits: number;
	taskId?: string;
	/** IMA's deadline of the task (ms), from the create answer. */
	timeoutAt?: number;
	/** A fingerprint of the create body (without uploaded image URLs). */
	bodyHash: string;
	/**
	 * The input item the create was for. n8n's Retry On Fail runs the node again with the very same
	 * item objects; a new call of the node (a loop, an AI Agent calling the tool again) brings new
	 * ones, and is never mistaken for a retry.
	 */
	item?: object;
}

export type CreateDecision =
	| { action: 'create' }
	| { action: 'reuse'; attempt: CreateAttempt & { taskId: string } }
	| { action: 'refuse'; attempt: CreateAttempt };

/**
 * What a new try of an item may do, given its earlier tries in this execution: wait for the task
 * it already has; refuse when an earlier create may have made a task whose id is unknown; create
 * only when no earlier create can have made one.
 */
export function decideCreate(attempts: readonly CreateAttempt[]): CreateDecision {
	for (let i = attempts.length - 1; i >= 0; i--) {
		const a = attempts[i];
		if (a.outcome === 'created' && a.taskId) return { action: 'reuse', attempt: a as CreateAttempt & { taskId: string } };
	}
	const unsure = attempts.find((a) => a.outcome === 'maybe' || a.outcome === 'sending');
	if (unsure) return { action: 'refuse', attempt: unsure };
	return { action: 'create' };
}

export class NodeLedger {
	/** What n8n keeps with the execution (when the ledger is attached to it): JSON only. */
	money: DurableMoney = emptyMoney();
	private readonly items = new Map<string, CreateAttempt[]>();

	/** Credits committed by this node in this execution: charged, or possibly charged. */
	get committed(): number {
		return this.money.committed;
	}

	set committed(value: number) {
		this.money.committed = value;
	}

	/**
	 * Keeps the money in `store` (the node's execution context, which n8n stores with the
	 * execution): adopts what an earlier process left there, merged with what this one knows.
	 */
	attach(store: Record<string, unknown> | undefined): void {
		if (!store || store[CONTEXT_KEY] === this.money) return;
		const stored = readMoney(store[CONTEXT_KEY]);
		if (stored) this.money = mergeMoney(this.money, stored);
		store[CONTEXT_KEY] = this.money;
	}

	/** Notes a Max Credits per Run value (0 = none); returns the limit in force: the smallest set so far. */
	noteLimit(max: number): number {
		this.money.limit = smallestLimit(this.money.limit, max);
		return this.money.limit;
	}

	/** The earlier creates of an item (of this very input item, when given). */
	attempts(itemKey: string, item?: object): CreateAttempt[] {
		const all = this.items.get(itemKey) ?? [];
		return item ? all.filter((a) => !a.item || a.item === item) : all;
	}

	record(itemKey: string, attempt: CreateAttempt): CreateAttempt {
		const list = this.items.get(itemKey) ?? [];
		list.push(attempt);
		this.items.set(itemKey, list);
		return attempt;
	}

	/** Every task id the item's creates returned in this execution. */
	taskIds(itemKey: string, item?: object): string[] {
		return this.attempts(itemKey, item)
			.map((a) => a.taskId)
			.filter((id): id is string => typeof id === 'string' && id !== '');
	}

	/**
	 * Commits `credits` if that keeps the total within the limit in force (`max` and every smaller
	 * limit set before; 0 = no limit). Synchronous, so items running side by side can never pass
	 * the limit together.
	 */
	reserve(credits: number, max: number): boolean {
		const limit = this.noteLimit(max);
		if (limit > 0 && this.committed + credits > limit) return false;
		this.committed += credits;
		return true;
	}

	/** Gives back credits of a create that provably made no task. */
	release(credits: number): void {
		this.committed = Math.max(0, this.committed - credits);
	}

	/**
	 * What the stored execution says about item `itemIndex` of run `runIndex`, for a process that
	 * has no tries of its own for it (a resumed or retried execution): only a record made for the
	 * same create body (`hash`) counts.
	 */
	storedDecision(runIndex: number, itemIndex: number, hash: string): CreateDecision {
		const rec = this.money.run === runIndex ? this.money.items[String(itemIndex)] : undefined;
		if (!rec || !rec.h.includes(hash)) return { action: 'create' };
		if (rec.t) return { action: 'reuse', attempt: { outcome: 'created', credits: 0, taskId: rec.t, timeoutAt: rec.d, bodyHash: hash } };
		if (rec.u > 0) return { action: 'refuse', attempt: { outcome: 'maybe', credits: 0, bodyHash: hash } };
		return { action: 'create' };
	}

	/**
	 * Writes what the tries of one item did into the stored state (after each change of outcome).
	 * `storable` says whether a task id may be stored (it must carry nothing secret); one that may
	 * not is remembered as "may have a task". Bounded: the latest run only, MAX_DURABLE_ITEMS items.
	 */
	mirror(runIndex: number, itemIndex: number, itemKey: string, storable: (taskId: string) => boolean, hashes: string[] = [], item?: object): void {
		const money = this.money;
		if (money.run !== runIndex) {
			money.run = runIndex;
			money.items = {};
		}
		const key = String(itemIndex);
		if (!(key in money.items) && Object.keys(money.items).length >= MAX_DURABLE_ITEMS) return;
		const attempts = this.attempts(itemKey, item);
		const h = [...new Set([...(money.items[key]?.h ?? []), ...hashes, ...attempts.map((a) => shortHash(a.bodyHash))])].slice(-MAX_HASHES);
		let u = 0;
		let t: string | undefined;
		let d: number | undefined;
		for (const a of attempts) {
			if (a.outcome === 'sending' || a.outcome === 'maybe') u++;
			if (a.outcome === 'created' && a.taskId) {
				if (a.taskId.length <= MAX_DURABLE_TASK_ID && storable(a.taskId)) {
					t = a.taskId;
					d = a.timeoutAt;
				} else u++;
			}
		}
		if (!t && !u) delete money.items[key];
		else money.items[key] = { ...(t ? { t } : {}), ...(t && d ? { d } : {}), u, h };
	}

	/** The run ended without an error: n8n never runs it again, its item records can go. */
	settleRun(runIndex: number): void {
		if (this.money.run === runIndex) this.money.items = {};
	}
}

/** Ledgers of executions identified by their cancel signal (gone with the execution). */
const bySignal = new WeakMap<object, Map<string, NodeLedger>>();
/** Ledgers of executions identified only by id (older n8n): bounded, oldest dropped first. */
const byId = new Map<string, Map<string, NodeLedger>>();
const MAX_EXECUTIONS_BY_ID = 1000;

/**
 * The ledger of `node` in the execution `scope` (its cancel signal, else its id). Without any
 * scope there is nothing to remember across tries: a fresh ledger.
 */
export function ledgerFor(scope: object | string | undefined, node: string): NodeLedger {
	let nodes: Map<string, NodeLedger> | undefined;
	if (scope && typeof scope === 'object') {
		nodes = bySignal.get(scope);
		if (!nodes) bySignal.set(scope, (nodes = new Map()));
	} else if (typeof scope === 'string' && scope) {
		nodes = byId.get(scope);
		if (!nodes) {
			if (byId.size >= MAX_EXECUTIONS_BY_ID) byId.delete(byId.keys().next().value as string);
			byId.set(scope, (nodes = new Map()));
		}
	} else {
		return new NodeLedger();
	}
	let ledger = nodes.get(node);
	if (!ledger) nodes.set(node, (ledger = new NodeLedger()));
	return ledger;
}

/** A stable fingerprint of a JSON value (keys sorted). */
export function fingerprint(value: unknown): string {
	const seen = new WeakSet<object>();
	const canon = (v: unknown): unknown => {
		if (!v || typeof v !== 'object') return v;
		if (seen.has(v)) return '[circular]';
		seen.add(v);
		if (Array.isArray(v)) return v.map(canon);
		const out: Record<string, unknown> = {};
		for (const key of Object.keys(v).sort()) out[key] = canon((v as Record<string, unknown>)[key]);
		return out;
	};
	return JSON.stringify(canon(value)) ?? '';
}
