/**
 * The item scheduler: runs every input item with n8n's pairing and Continue On Fail, with
 * bounded concurrency, and never starts a new item after a failure (the running ones are paid
 * for and finish).
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { createLimiter, mapWithConcurrency } from '../helpers/pool';
import { ImaClient } from '../transport';
import { errorJson, ItemError, toNodeError } from './errors';
import { executionOptions } from './options';

/** A client for this execution: cancellation-aware, with the request and upload timeouts of item 0's options. */
export async function clientFor(ctx: IExecuteFunctions): Promise<ImaClient> {
	const signal = typeof ctx.getExecutionCancelSignal === 'function' ? ctx.getExecutionCancelSignal() : undefined;
	const { requestTimeout, uploadTimeout } = executionOptions(ctx);
	return await ImaClient.forContext(ctx, {
		signal,
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
export async function runItems<P>(
	ctx: IExecuteFunctions,
	opts: {
		client?: ImaClient;
		concurrency: number;
		/** Let waits run outside the limit (see above). */
		slots?: boolean;
		prepare: (itemIndex: number) => Promise<P>;
		run: (itemIndex: number, prepared: P, slots: ItemSlots) => Promise<INodeExecutionData[]>;
		/** A summary of what an item made, for the error of another item. */
		summarize?: (itemIndex: number, out: INodeExecutionData[]) => string | undefined;
	},
): Promise<INodeExecutionData[]> {
	const items = ctx.getInputData();
	const continueOnFail = ctx.continueOnFail();
	const prepared: Array<{ ok: true; value: P } | { ok: false; error: unknown }> = [];
	for (let i = 0; i < items.length; i++) {
		try {
			prepared.push({ ok: true, value: await opts.prepare(i) });
		} catch (error) {
			if (!continueOnFail) throw toNodeError(ctx, error, i);
			prepared.push({ ok: false, error });
		}
	}

	let stop = false;
	const started = new Set<number>();
	const phased = opts.slots === true && opts.concurrency > 1;
	const limit = createLimiter(opts.concurrency);
	const results = await mapWithConcurrency(items, phased ? items.length : opts.concurrency, async (_item, i) => {
		const p = prepared[i];
		if (!p.ok) throw p.error;
		if (stop) return undefined;
		if (!phased) started.add(i);
		const slots: ItemSlots = phased
			? {
					start: async (fn) =>
						await limit(async () => {
							if (stop) throw new NotStarted();
							started.add(i);
							let failure: unknown;
							try {
								return await fn();
							} catch (error) {
								failure = error;
							}
							// Before the slot is handed on, so the next item sees it.
							if (!continueOnFail) stop = true;
							throw failure;
						}),
					heavy: async (fn) => await limit(fn),
				}
			: UNLIMITED;
		let failure: unknown;
		try {
			return await opts.run(i, p.value, slots);
		} catch (error) {
			failure = error;
		}
		if (failure instanceof NotStarted) return undefined;
		if (!continueOnFail) stop = true;
		throw failure;
	});

	const out: INodeExecutionData[] = [];
	let firstFailure: { index: number; error: unknown } | undefined;
	for (let i = 0; i < results.length; i++) {
		const r = results[i];
		if (r.status === 'fulfilled') {
			if (r.value) out.push(...r.value.map((item) => ({ ...item, pairedItem: { item: i } })));
			continue;
		}
		if (continueOnFail) {
			const partial = r.reason instanceof ItemError ? r.reason.details.partial ?? [] : [];
			out.push(...partial.map((item) => ({ ...item, pairedItem: { item: i } })));
			const nodeError = toNodeError(ctx, r.reason, i);
			out.push({ json: errorJson(nodeError, r.reason), pairedItem: { item: i } });
			continue;
		}
		firstFailure ??= { index: i, error: r.reason };
	}
	if (firstFailure) {
		const error = toNodeError(ctx, firstFailure.error, firstFailure.index);
		const others: string[] = [];
		for (let i = 0; i < results.length; i++) {
			const r = results[i];
			if (i === firstFailure.index) continue;
			if (r.status === 'fulfilled' && r.value) {
				const s = opts.summarize?.(i, r.value);
				if (s) others.push(`item ${i}: ${s}`);
			} else if (r.status === 'rejected' && started.has(i)) {
				const taskId = r.reason instanceof ItemError ? r.reason.details.taskId : undefined;
				others.push(`item ${i}: failed${taskId ? ` (task ${taskId})` : ''}`);
			} else if (!started.has(i) && prepared[i].ok) {
				others.push(`item ${i}: not started`);
			}
		}
		if (others.length) {
			error.description = [error.description, `Other items of this run — ${others.join('; ')}.`].filter(Boolean).join(' ');
		}
		throw error;
	}
	return out;
}

