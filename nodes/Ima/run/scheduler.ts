/**
 * The item scheduler: runs every input item with n8n's pairing and Continue On Fail, with
 * bounded concurrency, and never starts a new item after a failure (the running ones are paid
 * for and finish).
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { createLimiter, mapWithConcurrency, settle } from '../helpers/pool';
import { cancelSignalOf, ImaClient } from '../transport';
import { errorJson, ItemError, toNodeError } from './errors';
import { executionOptions } from './options';

/** A client for this execution: cancellation-aware, with the request and upload timeouts of item 0's options. */
export async function clientFor(ctx: IExecuteFunctions): Promise<ImaClient> {
	const { requestTimeout, uploadTimeout } = executionOptions(ctx);
	return await ImaClient.forContext(ctx, {
		signal: cancelSignalOf(ctx),
		requestTimeoutMs: requestTimeout * 1000,
		uploadTimeoutMs: uploadTimeout * 1000,
		retryBaseMs: 1000,
	});
}

/**
 * The limited phases of an item, for operations that wait (Generate, Wait for Result): `start`
 * (uploads and the paid create) and `heavy` (downloads) take one of the `concurrency` slots;
 * the wait in between takes none, so every created task is polled side by side.
 */
export interface ItemSlots {
	start<R>(fn: () => Promise<R>): Promise<R>;
	heavy<R>(fn: () => Promise<R>): Promise<R>;
}

/** Thrown by `start` when an earlier item failed and no new item may begin. */
class NotStarted extends Error {}

export const UNLIMITED: ItemSlots = { start: async (fn) => await fn(), heavy: async (fn) => await fn() };

type Prepared<P> = { ok: true; value: P } | { ok: false; error: unknown };
type Settled = PromiseSettledResult<INodeExecutionData[] | undefined>;

/** What the items of one run share: whether a new item may start, and which ones did. */
interface RunState {
	stop: boolean;
	started: Set<number>;
	continueOnFail: boolean;
}

export interface RunItemsOptions<P> {
	client?: ImaClient;
	concurrency: number;
	/** Let waits run outside the limit (see runItems). */
	slots?: boolean;
	prepare: (itemIndex: number) => Promise<P>;
	run: (itemIndex: number, prepared: P, slots: ItemSlots) => Promise<INodeExecutionData[]>;
	/** A summary of what an item made, for the error of another item. */
	summarize?: (itemIndex: number, out: INodeExecutionData[]) => string | undefined;
}

/**
 * Runs every input item: first `prepare` for all of them (validation only: bad input fails here,
 * before any paid call), then `run` side by side. Output keeps the input order and pairing.
 * With Continue On Fail a failed item becomes `{json: {error, taskId}}`; without it, no new item
 * is started after a failure, the ones running are finished (they are paid for), and the first
 * failure is thrown with the task ids of the others.
 *
 * Concurrency: `concurrency` = 1 runs the items strictly one after another. Above 1, without
 * `slots`, at most `concurrency` items run at once; with `slots`, every item runs at once and only
 * the phases it passes through `slots.start` / `slots.heavy` share the `concurrency` limit.
 */
export async function runItems<P>(ctx: IExecuteFunctions, opts: RunItemsOptions<P>): Promise<INodeExecutionData[]> {
	const items = ctx.getInputData();
	const state: RunState = { stop: false, started: new Set(), continueOnFail: ctx.continueOnFail() };
	const prepared = await prepareAll(ctx, items.length, opts.prepare, state.continueOnFail);
	const phased = opts.slots === true && opts.concurrency > 1;
	const limit = createLimiter(opts.concurrency);
	const results = await mapWithConcurrency(items, phased ? items.length : opts.concurrency, async (_item, i) => {
		const p = prepared[i];
		if (!p.ok) throw p.error;
		if (state.stop) return undefined;
		if (!phased) state.started.add(i);
		const r = await settle(async () => await opts.run(i, p.value, phased ? phasedSlots(i, state, limit) : UNLIMITED));
		if (r.status === 'fulfilled') return r.value;
		if (r.reason instanceof NotStarted) return undefined;
		if (!state.continueOnFail) state.stop = true;
		throw r.reason;
	});
	return outputOf(ctx, results, state.continueOnFail, (index) => othersOf(results, index, prepared, state, opts.summarize));
}

/** `prepare` for every item, in order; without Continue On Fail the first bad item fails the run. */
async function prepareAll<P>(ctx: IExecuteFunctions, count: number, prepare: (i: number) => Promise<P>, continueOnFail: boolean): Promise<Array<Prepared<P>>> {
	const prepared: Array<Prepared<P>> = [];
	for (let i = 0; i < count; i++) {
		try {
			prepared.push({ ok: true, value: await prepare(i) });
		} catch (error) {
			if (!continueOnFail) throw toNodeError(ctx, error, i);
			prepared.push({ ok: false, error });
		}
	}
	return prepared;
}

/** The slots of item `i` when waits run outside the limit: no start after another item failed. */
function phasedSlots(i: number, state: RunState, limit: ReturnType<typeof createLimiter>): ItemSlots {
	return {
		start: async (fn) =>
			await limit(async () => {
				if (state.stop) throw new NotStarted();
				state.started.add(i);
				const r = await settle(fn);
				if (r.status === 'fulfilled') return r.value;
				// Before the slot is handed on, so the next item sees it.
				if (!state.continueOnFail) state.stop = true;
				throw r.reason;
			}),
		heavy: async (fn) => await limit(fn),
	};
}

/**
 * The output items, paired with their input: with Continue On Fail a failed item gives its
 * finished media and an error item; without it, the first failure is thrown, naming the others.
 */
function outputOf(ctx: IExecuteFunctions, results: Settled[], continueOnFail: boolean, others: (failedIndex: number) => string[]): INodeExecutionData[] {
	const out: INodeExecutionData[] = [];
	const paired = (list: INodeExecutionData[], i: number) => list.map((item) => ({ ...item, pairedItem: { item: i } }));
	for (const [i, r] of results.entries()) {
		if (r.status === 'fulfilled') {
			if (r.value) out.push(...paired(r.value, i));
			continue;
		}
		if (!continueOnFail) {
			const error = toNodeError(ctx, r.reason, i);
			const summary = others(i);
			if (summary.length) error.description = [error.description, `Other items of this run — ${summary.join('; ')}.`].filter(Boolean).join(' ');
			throw error;
		}
		out.push(...paired(r.reason instanceof ItemError ? r.reason.details.partial ?? [] : [], i));
		out.push({ json: errorJson(toNodeError(ctx, r.reason, i), r.reason), pairedItem: { item: i } });
	}
	return out;
}

/** What became of every item but the failed one, for the run's error. */
function othersOf<P>(results: Settled[], failedIndex: number, prepared: Array<Prepared<P>>, state: RunState, summarize?: RunItemsOptions<P>['summarize']): string[] {
	const others: string[] = [];
	for (const [i, r] of results.entries()) {
		if (i === failedIndex) continue;
		if (r.status === 'fulfilled' && r.value) {
			const s = summarize?.(i, r.value);
			if (s) others.push(`item ${i}: ${s}`);
		} else if (r.status === 'rejected' && state.started.has(i)) {
			const taskId = r.reason instanceof ItemError ? r.reason.details.taskId : undefined;
			others.push(`item ${i}: failed${taskId ? ` (task ${taskId})` : ''}`);
		} else if (!state.started.has(i) && prepared[i].ok) {
			others.push(`item ${i}: not started`);
		}
	}
	return others;
}
