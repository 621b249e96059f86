/** The IMA API calls: the product list (with its cache), the paid create, and the task detail. */
import type { IDataObject } from 'n8n-workflow';
import { createHash } from 'crypto';

import { flattenProductTree, ProductListError } from '../helpers/productTree';
import { settle } from '../helpers/pool';
import type { ImaCreatedTask, ImaTaskDetail, ModelVersion } from '../helpers/types';
import { callApi } from './envelope';
import { ImaRequestError } from './errors';
import { resendIfUnsent } from './retry';
import type { ImaTransport } from './transport';

/** Product lists are cached briefly per credential and task type, in memory of this process. */
const PRODUCT_TTL_MS = 60_000;
const productCache = new Map<string, { expires: number; value: Promise<ModelVersion[]> }>();

export function clearProductCache(): void {
	productCache.clear();
}

export interface ProductsOptions {
	/**
	 * Drop every cached list of this credential (all task types) and load afresh: for when IMA's
	 * answer shows the list has changed (codes 6006, 6009, 6010).
	 */
	reload?: boolean;
}

function credentialKey(t: ImaTransport): string {
	return `${t.credentials.baseUrl}|${createHash('sha256').update(t.credentials.apiKey).digest('hex').slice(0, 16)}|`;
}

/** The product list of a task type, checked and flattened to its version nodes. */
async function loadProducts(t: ImaTransport, taskType: string): Promise<ModelVersion[]> {
	const step = 'product list';
	const data = await t.withRetries(step, async () =>
		await callApi<unknown>(t, 'GET', '/open/v1/product/list', step, { qs: { app: 'ima', platform: 'web', category: taskType } }),
	);
	// Parsed outside the retries: a bad list is IMA's answer, not a network failure.
	const r = await settle(async () => flattenProductTree(data));
	if (r.status === 'fulfilled') return r.value;
	const error: unknown = r.reason;
	const reason = error instanceof ProductListError ? error.message : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
	throw new ImaRequestError(`IMA's product list for ${taskType} is unusable: ${reason}`, {
		kind: 'invalid-response',
		transient: false,
		maybeProcessed: false,
		step,
		description:
			'The node refused the list rather than guess a model or a price from it: nothing was sent to IMA and nothing was charged. Try again later; if it persists, report it to n8n-nodes-ima.',
	});
}

/** Waits for a shared promise, but stops waiting (not the shared work) when `signal` aborts. */
async function waitOwn<T>(shared: Promise<T>, signal: AbortSignal | undefined, onCancel: () => Error): Promise<T> {
	if (!signal) return await shared;
	if (signal.aborted) throw onCancel();
	let stop: (() => void) | undefined;
	const cancelled = new Promise<never>((_resolve, reject) => {
		stop = () => reject(onCancel());
		signal.addEventListener('abort', stop, { once: true });
	});
	try {
		return await Promise.race([shared, cancelled]);
	} finally {
		signal.removeEventListener('abort', stop!);
		cancelled.catch(() => undefined);
	}
}

/**
 * The product list of a task type, flattened to version nodes (cached briefly). The load is
 * shared by concurrent callers and runs without any one caller's cancel signal; each caller
 * stops waiting on its own signal. If the shared load was cut by the execution that started it
 * (n8n aborts its requests), a caller that is still running loads the list again itself.
 */
export async function products(t: ImaTransport, taskType: string, opts: ProductsOptions = {}): Promise<ModelVersion[]> {
	const prefix = credentialKey(t);
	const key = `${prefix}${taskType}`;
	if (opts.reload) {
		for (const k of [...productCache.keys()]) if (k.startsWith(prefix)) productCache.delete(k);
	}
	for (let round = 0; ; round++) {
		const now = Date.now();
		let entry = productCache.get(key);
		if (!entry || entry.expires <= now) {
			const value = loadProducts(t.detached(), taskType);
			entry = { expires: now + PRODUCT_TTL_MS, value };
			productCache.set(key, entry);
			// A failed load is not cached.
			value.catch(() => {
				if (productCache.get(key)?.value === value) productCache.delete(key);
			});
		}
		const shared = entry.value;
		const r = await settle(async () => await waitOwn(shared, t.signal, () => t.cancelledError('product list')));
		if (r.status === 'fulfilled') return r.value;
		const cutByOther = r.reason instanceof ImaRequestError && r.reason.info.kind === 'cancelled' && !t.cancelled;
		if (!cutByOther || round >= 2) throw r.reason;
		if (productCache.get(key)?.value === entry.value) productCache.delete(key);
	}
}

/**
 * The paid call. Sent again only when the failure proves the request never reached IMA
 * (retry.ts); anything else is reported with `maybeProcessed`. A redirect is never followed (it
 * would re-send the paid body, and the key, elsewhere).
 */
export async function createTask(t: ImaTransport, body: IDataObject): Promise<ImaCreatedTask> {
	return await resendIfUnsent(t, 'create', async () => {
		const data = await callApi<ImaCreatedTask>(t, 'POST', '/open/v1/tasks/create', 'create', { body, redirects: 'refuse' });
		if (data && typeof data === 'object' && data.id) return data;
		throw new ImaRequestError('IMA accepted the create request but returned no task id', { kind: 'invalid-response', transient: false, maybeProcessed: true, step: 'create' });
	});
}

/** One read of a task's detail (the polling loop retries). */
export async function taskDetail(t: ImaTransport, taskId: string): Promise<ImaTaskDetail> {
	return await callApi<ImaTaskDetail>(t, 'POST', '/open/v1/tasks/detail', 'task detail', { body: { task_id: taskId } });
}

/** How long one asset check may take: IMA's own client waits up to 300 s. */
export const VERIFY_TIMEOUT_MS = 300_000;

/** IMA's verdict on one input URL (`POST /open/v1/assets/verify`). */
export interface AssetVerdict {
	url: string;
	/** "active" or "success" (any case): IMA accepts the asset. */
	passed: boolean;
	/** IMA's status as sent ("" when none). */
	status: string;
	id?: string;
	assetType?: string;
	errorCode?: string;
	/** Why IMA refused it (`error.message`), when it said. */
	reason?: string;
}

/**
 * The asset check Seedance 2.0 needs before a create (a read: retried on 429/5xx, with a longer
 * timeout). A business error (non-zero code) throws; a refusal is a verdict with `passed: false`.
 */
export async function verifyAsset(t: ImaTransport, url: string): Promise<AssetVerdict> {
	const step = 'asset check';
	const data = await t.withRetries(step, async () =>
		await callApi<{ result?: unknown } | null>(t, 'POST', '/open/v1/assets/verify', step, {
			body: { url },
			timeoutMs: Math.max(t.requestTimeoutMs, VERIFY_TIMEOUT_MS),
		}),
	);
	const result = (data && typeof data === 'object' && data.result && typeof data.result === 'object' ? data.result : {}) as IDataObject;
	const text = (v: unknown) => (v === undefined || v === null || typeof v === 'object' ? undefined : String(v).slice(0, 500));
	const status = (text(result.status) ?? '').trim();
	const error = (result.error && typeof result.error === 'object' ? result.error : {}) as IDataObject;
	const passed = ['active', 'success'].includes(status.toLowerCase());
	return {
		url,
		passed,
		status,
		id: text(result.id),
		assetType: text(result.asset_type),
		errorCode: passed ? undefined : text(error.code),
		reason: passed ? undefined : text(error.message),
	};
}
