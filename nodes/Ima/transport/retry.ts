/**
 * The retry policy, in one place. A read (product list, task detail, upload token, the PUT, the
 * first answer of a download) is retried on transient failures with backoff and Retry-After. The
 * paid create is sent again only when the failure proves it never reached IMA.
 */
import * as n8nWorkflow from 'n8n-workflow';

import { settle } from '../helpers/pool';
import { cancelledError, ImaRequestError, networkError } from './errors';

/** What the retries need of the transport (transport.ts): its attempts, first delay and cancel state. */
type Tries = { readonly cancelled: boolean; readonly maxAttempts: number; readonly retryBaseMs: number; readonly signal?: AbortSignal };

/** HTTP statuses worth another try: rate limited, timed out, or a server error. */
export const isTransientStatus = (status: number) => status === 429 || status >= 500 || status === 408;

/** The wait before try `i + 1` (from 0): `base`, doubled each time, at most 30 s. */
export const backoffMs = (base: number, i: number) => Math.min(30_000, base * 2 ** i);

/**
 * Retries a read on transient failures with backoff, waiting at least what Retry-After asks,
 * within bounds. Only ImaRequestErrors are retried: anything else thrown by `attempt` is a
 * local failure (a bug, a bad product list) and goes up as it is.
 */
export async function withRetries<T>(t: Tries, step: string, attempt: () => Promise<T>): Promise<T> {
	let lastError: ImaRequestError | undefined;
	for (let i = 0; i < t.maxAttempts; i++) {
		if (t.cancelled) throw cancelledError(step);
		const r = await settle(attempt);
		if (r.status === 'fulfilled') return r.value;
		if (!(r.reason instanceof ImaRequestError)) throw r.reason;
		const e = r.reason;
		// Cancelled meanwhile: say so (the failure may only be n8n aborting the request).
		if (t.cancelled) throw cancelledError(step);
		if (!e.transient) throw e;
		lastError = e;
		if (i === t.maxAttempts - 1) break;
		await abortableSleep(Math.max(backoffMs(t.retryBaseMs, i), e.info.retryAfterMs ?? 0), t.signal);
	}
	const e = lastError!;
	throw new ImaRequestError(`${e.message} (gave up after ${t.maxAttempts} attempts)`, e.info);
}

/**
 * The paid call's only retry: sent again only when the failure proves the request never reached
 * IMA (connection refused, DNS); anything else goes up as it is, `maybeProcessed` saying whether
 * a task may exist.
 */
export async function resendIfUnsent<T>(t: Tries, step: string, attempt: () => Promise<T>): Promise<T> {
	for (let i = 0; ; i++) {
		const r = await settle(attempt);
		if (r.status === 'fulfilled') return r.value;
		const e = networkError(r.reason, step, t.cancelled);
		const provablyUnsent = e.info.kind === 'network' && !e.info.maybeProcessed;
		if (!provablyUnsent || i + 1 >= t.maxAttempts || t.cancelled) throw e;
		await abortableSleep(backoffMs(t.retryBaseMs, i), t.signal);
		if (t.cancelled) throw e;
	}
}

/** Sleeps `ms`, returning early when `signal` aborts. Works with every n8n-workflow version. */
export async function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
	if (ms <= 0 || signal?.aborted) return;
	const lib = n8nWorkflow as unknown as {
		sleepWithAbort?: (ms: number, signal?: AbortSignal) => Promise<void>;
		sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
	};
	await new Promise<void>((resolve) => {
		const done = () => {
			signal?.removeEventListener('abort', done);
			resolve();
		};
		signal?.addEventListener('abort', done, { once: true });
		const timer = lib.sleepWithAbort ? lib.sleepWithAbort(ms, signal) : lib.sleep(ms, signal);
		timer.then(done, done);
	});
}
