/**
 * Shared machinery of the operations: reading options, running items side by side with
 * n8n's pairing and Continue On Fail, waiting for tasks, and turning media into output items.
 */
import type { IBinaryKeyData, IDataObject, IExecuteFunctions, INodeExecutionData, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { SettingsError } from '../helpers/formFields';
import { mediaFileName, mediaFileType } from '../helpers/media';
import { createLimiter, mapWithConcurrency } from '../helpers/pool';
import {
	PollFailedError,
	pollTask,
	TaskCancelledError,
	TaskTimeoutError,
	type DoneMedia,
	type FailedMedia,
	type TaskState,
} from '../helpers/polling';
import { DEFAULT_POLL_INTERVAL, DEFAULT_TIMEOUT, mediaKindOf, type MediaKind } from '../helpers/taskTypes';
import type { ImaTaskDetail } from '../helpers/types';
import { abortableSleep, ImaClient, ImaRequestError } from '../transport';

export interface RunOptions {
	n: number;
	binaryPropertyName: string;
	download: boolean;
	downloadCover: boolean;
	/** Seconds; 0 = by kind. */
	pollInterval: number;
	/** Seconds; 0 = by kind. */
	timeout: number;
	concurrency: number;
	requestTimeout: number;
	/** 'media': one item per media; 'summary': one short item per task (AI Agent tools). */
	output: 'media' | 'summary';
}

/** Whether n8n runs this node as an AI Agent tool (the tool variant's type ends in "Tool"). */
export function isToolCall(ctx: IExecuteFunctions): boolean {
	return /Tool$/.test(String(ctx.getNode().type ?? ''));
}

export function readOptions(ctx: IExecuteFunctions, itemIndex: number): RunOptions {
	const o = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const number = (v: unknown, fallback: number) => {
		const n = typeof v === 'number' ? v : Number(v);
		return v === undefined || v === null || v === '' || !Number.isFinite(n) ? fallback : n;
	};
	const binaryPropertyName = String(o.binaryPropertyName ?? 'data').trim() || 'data';
	const chosen = String(o.output ?? 'auto');
	const output = chosen === 'media' || chosen === 'summary' ? chosen : isToolCall(ctx) ? 'summary' : 'media';
	return {
		n: number(o.n, 1),
		binaryPropertyName,
		output,
		// A summary is for a language model: media are attached only when asked for.
		download: o.download === undefined ? output === 'media' : o.download !== false,
		downloadCover: o.downloadCover === true,
		pollInterval: Math.max(0, number(o.pollInterval, 0)),
		timeout: Math.max(0, number(o.timeout, 0)),
		concurrency: Math.max(1, Math.floor(number(o.concurrency, 5))),
		requestTimeout: Math.max(0.1, number(o.requestTimeout, 60)),
	};
}

/** A client for this execution: cancellation-aware, with the request timeout of item 0's options. */
export async function clientFor(ctx: IExecuteFunctions, options: RunOptions): Promise<ImaClient> {
	const signal = typeof ctx.getExecutionCancelSignal === 'function' ? ctx.getExecutionCancelSignal() : undefined;
	return await ImaClient.forContext(ctx, {
		signal,
		requestTimeoutMs: options.requestTimeout * 1000,
		retryBaseMs: 1000,
	});
}

/** An item's failure with what the user needs to recover: above all the task id. */
export class ItemError extends Error {
	constructor(
		message: string,
		readonly details: {
			description?: string;
			taskId?: string;
			imaCode?: number;
			httpCode?: number;
			api?: boolean;
			/** Output items that were finished before the failure (n > 1): nothing finished is thrown away. */
			partial?: INodeExecutionData[];
			extra?: IDataObject;
		} = {},
	) {
		super(message);
		this.name = 'ItemError';
	}
}

function describeTask(taskId: string): string {
	return `Task ID: ${taskId}. The task is not lost: fetch its result later with the IMA node's "Wait for Result" operation and this task ID.`;
}

/** Wraps any failure after a task exists so that it carries the task id. */
export function withTaskId(error: unknown, taskId: string, client: ImaClient): ItemError {
	if (error instanceof ItemError) {
		if (error.details.taskId) return error;
		return new ItemError(error.message, { ...error.details, taskId, description: [error.details.description, describeTask(taskId)].filter(Boolean).join(' ') });
	}
	if (error instanceof ImaRequestError) {
		return new ItemError(`${error.message} (task ${taskId})`, {
			taskId,
			api: true,
			imaCode: error.info.imaCode,
			httpCode: error.info.httpStatus,
			description: [error.info.description, describeTask(taskId)].filter(Boolean).join(' '),
		});
	}
	const message = client.clean(error instanceof Error ? error.message : String(error));
	return new ItemError(`${message} (task ${taskId})`, { taskId, description: describeTask(taskId) });
}

/** Converts whatever an item threw into the n8n error users see (never with the API key). */
export function toNodeError(ctx: IExecuteFunctions, error: unknown, itemIndex: number, client?: ImaClient): NodeApiError | NodeOperationError {
	const clean = (s: string | undefined) => (s && client ? client.clean(s) : s);
	const node = ctx.getNode();
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		error.context = { ...(error.context ?? {}), itemIndex };
		return error;
	}
	if (error instanceof SettingsError) {
		return new NodeOperationError(node, error.message, {
			itemIndex,
			description: `Parameter: ${error.parameter}. Nothing was sent to IMA and nothing was charged.`,
		});
	}
	if (error instanceof ImaRequestError) {
		const e = new NodeApiError(
			node,
			{ message: clean(error.message) ?? '', code: error.info.imaCode ?? null, httpStatus: error.info.httpStatus ?? null } as JsonObject,
			{
				message: clean(error.message),
				description: clean(error.info.description),
				httpCode: error.info.httpStatus ? String(error.info.httpStatus) : error.info.imaCode !== undefined ? String(error.info.imaCode) : undefined,
				itemIndex,
			},
		);
		return e;
	}
	if (error instanceof ItemError) {
		const d = error.details;
		const e = d.api
			? new NodeApiError(
					node,
					{ message: clean(error.message) ?? '', code: d.imaCode ?? null, taskId: d.taskId ?? null } as JsonObject,
					{
						message: clean(error.message),
						description: clean(d.description),
						httpCode: d.httpCode ? String(d.httpCode) : d.imaCode !== undefined ? String(d.imaCode) : undefined,
						itemIndex,
					},
				)
			: new NodeOperationError(node, clean(error.message) ?? '', { itemIndex, description: clean(d.description) });
		if (d.taskId) e.context = { ...(e.context ?? {}), taskId: d.taskId };
		return e;
	}
	const message = error instanceof Error ? error.message : String(error);
	return new NodeOperationError(node, clean(message) ?? 'Unknown error', { itemIndex });
}

/** The json of a Continue On Fail item. */
export function errorJson(error: NodeApiError | NodeOperationError, source: unknown): IDataObject {
	const json: IDataObject = { error: error.message };
	if (error.description) json.description = error.description;
	const taskId = (source instanceof ItemError && source.details.taskId) || (error.context?.taskId as string | undefined);
	if (taskId) json.taskId = taskId;
	if (source instanceof ItemError && source.details.imaCode !== undefined) json.code = source.details.imaCode;
	if (source instanceof ImaRequestError && source.info.imaCode !== undefined) json.code = source.info.imaCode;
	return json;
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

const UNLIMITED: ItemSlots = { start: async (fn) => await fn(), heavy: async (fn) => await fn() };

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
			if (!continueOnFail) throw toNodeError(ctx, error, i, opts.client);
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
			const nodeError = toNodeError(ctx, r.reason, i, opts.client);
			out.push({ json: errorJson(nodeError, r.reason), pairedItem: { item: i } });
			continue;
		}
		firstFailure ??= { index: i, error: r.reason };
	}
	if (firstFailure) {
		const error = toNodeError(ctx, firstFailure.error, firstFailure.index, opts.client);
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

export interface WaitRequest {
	taskId: string;
	/** Unknown for Wait for Result until the first detail is read. */
	taskType?: string;
	expectedCount?: number;
	options: RunOptions;
	/** The server's deadline (ms), from the create answer. */
	timeoutAt?: number;
}

export interface WaitResult {
	state: Exclude<TaskState, { state: 'pending' }>;
	taskType?: string;
	kind: MediaKind;
}

/** Waits for a task inside execute(): abortable, bounded, never loses the task id. */
export async function waitForTask(client: ImaClient, req: WaitRequest): Promise<WaitResult> {
	let taskType = req.taskType;
	let first: ImaTaskDetail | undefined;
	const started = Date.now();
	let failure: unknown;
	try {
		if (!taskType) {
			first = await client.withRetries('task detail', () => client.taskDetail(req.taskId));
			taskType = typeof first?.task_type === 'string' ? first.task_type : undefined;
		}
		const kind = mediaKindOf(taskType ?? 'text_to_image');
		const intervalMs = (req.options.pollInterval > 0 ? req.options.pollInterval : DEFAULT_POLL_INTERVAL[kind]) * 1000;
		const timeoutMs = (req.options.timeout > 0 ? req.options.timeout : DEFAULT_TIMEOUT[kind]) * 1000;
		let deadline = started + timeoutMs;
		if (req.timeoutAt && Number.isFinite(req.timeoutAt) && req.timeoutAt > started) {
			// IMA's own deadline, with a grace period for clock skew and late completion.
			deadline = Math.min(deadline, req.timeoutAt + Math.max(2 * intervalMs, 60_000));
		}
		let pending = first;
		const state = await pollTask({
			taskId: req.taskId,
			expectedCount: req.expectedCount,
			fetchDetail: async () => {
				if (pending) {
					const d = pending;
					pending = undefined;
					return d;
				}
				const d = await client.taskDetail(req.taskId);
				taskType ??= typeof d?.task_type === 'string' ? d.task_type : undefined;
				return d;
			},
			sleep: async (ms) => await abortableSleep(ms, client.signal),
			now: () => Date.now(),
			isCancelled: () => client.cancelled,
			intervalMs,
			deadline,
			retryAfterMs: (e) => (e instanceof ImaRequestError ? e.info.retryAfterMs : undefined),
		});
		if (state.state !== 'pending') return { state, taskType, kind: mediaKindOf(taskType ?? 'text_to_image') };
	} catch (error) {
		failure = error;
	}
	throw explainWaitFailure(failure, req.taskId, client);
}

/** What a failed wait means for the user; the task id is always in it. */
function explainWaitFailure(error: unknown, taskId: string, client: ImaClient): ItemError {
	const req = { taskId };
	{
		if (error instanceof TaskTimeoutError) {
			return new ItemError(
				`Timed out after ${Math.round(error.waitedSeconds)} s waiting for IMA task ${req.taskId}; it may still finish`,
				{
					taskId: req.taskId,
					description: `The task keeps running on IMA and is not lost. Fetch the result later with "Wait for Result" and task ID ${req.taskId}, or raise Options → Timeout.`,
				},
			);
		}
		if (error instanceof TaskCancelledError) {
			return new ItemError(`The execution was cancelled while waiting for IMA task ${req.taskId}`, {
				taskId: req.taskId,
				description: `The task keeps running on IMA. Fetch the result later with "Wait for Result" and task ID ${req.taskId}.`,
			});
		}
		if (error instanceof PollFailedError) {
			const inner = error.lastError instanceof ImaRequestError ? error.lastError : undefined;
			return new ItemError(`Could not read the status of IMA task ${req.taskId}: ${client.clean(error.lastError.message)}`, {
				taskId: req.taskId,
				api: true,
				imaCode: inner?.info.imaCode,
				httpCode: inner?.info.httpStatus,
				description: `IMA did not answer ${error.attempts} status checks in a row. The task itself may be fine: fetch it later with "Wait for Result" and task ID ${req.taskId}.`,
			});
		}
		return withTaskId(error, req.taskId, client);
	}
}

export interface MediaContext {
	taskId: string;
	taskType?: string;
	kind: MediaKind;
	model?: string;
	modelVersion?: string;
	/** Credits of one media (the matched rule's points), when known. */
	credits?: number;
	options: RunOptions;
}

function mediaJson(m: DoneMedia, c: MediaContext): IDataObject {
	const json: IDataObject = { taskId: c.taskId };
	if (c.taskType) json.taskType = c.taskType;
	if (c.model) json.model = c.model;
	if (c.modelVersion) json.modelVersion = c.modelVersion;
	json.index = m.index;
	json.url = m.url;
	if (m.coverUrl) json.coverUrl = m.coverUrl;
	if (m.format) json.format = m.format;
	if (m.width !== undefined) json.width = m.width;
	if (m.height !== undefined) json.height = m.height;
	if (m.duration !== undefined) json.duration = m.duration;
	if (c.credits !== undefined) json.credits = c.credits;
	return json;
}

async function attach(
	ctx: IExecuteFunctions,
	client: ImaClient,
	url: string,
	kind: MediaKind,
	format: string | undefined,
	fileName: (ext: string) => string,
) {
	const dl = await client.openDownload(url);
	const type = mediaFileType({ kind, contentType: dl.contentType, format, url });
	return await ctx.helpers.prepareBinaryData(dl.stream, fileName(type.extension), type.mimeType);
}

/**
 * One output item per done media, with the file attached (streamed into n8n's binary storage).
 * A failed download fails the item with the task id and the URLs; media already attached are
 * kept in the error (Continue On Fail outputs them).
 */
export async function mediaItems(
	ctx: IExecuteFunctions,
	client: ImaClient,
	done: DoneMedia[],
	c: MediaContext,
): Promise<{ items: INodeExecutionData[]; failure?: ItemError }> {
	const out: INodeExecutionData[] = [];
	const prop = c.options.binaryPropertyName;
	for (const m of [...done].sort((a, b) => a.index - b.index)) {
		const item: INodeExecutionData = { json: mediaJson(m, c) };
		if (c.options.download) {
			try {
				item.binary = {
					[prop]: await attach(ctx, client, m.url, c.kind, m.format, (ext) => mediaFileName(c.taskId, m.index, ext)),
				};
				if (c.options.downloadCover && m.coverUrl) {
					item.binary[`${prop}Cover`] = await attach(ctx, client, m.coverUrl, 'image', undefined, (ext) =>
						mediaFileName(c.taskId, m.index, ext, '-cover'),
					);
				}
			} catch (error) {
				const reason = error instanceof Error ? client.clean(error.message) : String(error);
				const failure = new ItemError(`IMA task ${c.taskId} finished, but downloading media ${m.index} failed: ${reason}`, {
					taskId: c.taskId,
					api: error instanceof ImaRequestError,
					httpCode: error instanceof ImaRequestError ? error.info.httpStatus : undefined,
					description: `The media is at ${m.url}. Run "Wait for Result" with task ID ${c.taskId} to download it again.`,
					partial: out,
				});
				return { items: out, failure };
			}
		}
		out.push(item);
	}
	return { items: out };
}

/** The error for a task with failed media (after keeping the done ones). */
export function failedMediaError(c: MediaContext, failed: FailedMedia[], partial: INodeExecutionData[]): ItemError {
	const reasons = failed.map((f) => `media ${f.index}: ${f.reason}`).join('; ');
	const doneNote = partial.length ? ` ${partial.length} other media finished and are kept (${partial.map((p) => String(p.json.url)).join(', ')}).` : '';
	return new ItemError(`IMA task ${c.taskId} failed — ${reasons}`, {
		taskId: c.taskId,
		api: true,
		description: `IMA could not make the media (${reasons}). Check the prompt and settings; the credits of a failed media are IMA's to refund.${doneNote}`,
		partial,
	});
}

/** Waits for a task and turns it into output items (Generate and Wait for Result). */
export async function resultItems(
	ctx: IExecuteFunctions,
	client: ImaClient,
	req: WaitRequest & { model?: string; modelVersion?: string; credits?: number },
	slots: ItemSlots = UNLIMITED,
): Promise<INodeExecutionData[]> {
	const { state, taskType, kind } = await waitForTask(client, req);
	const c: MediaContext = {
		taskId: req.taskId,
		taskType,
		kind,
		model: req.model,
		modelVersion: req.modelVersion,
		credits: req.credits,
		options: req.options,
	};
	// Downloads take a concurrency slot; URLs alone do not.
	const collect = async () => await mediaItems(ctx, client, state.done, c);
	const { items, failure } = req.options.download ? await slots.heavy(collect) : await collect();
	if (state.state === 'failed') throw failedMediaError(c, state.failed, items);
	if (failure) throw failure;
	return req.options.output === 'summary' ? [summaryItem(items, c)] : items;
}

/**
 * One short item for a whole task, for an AI Agent: the URLs a language model can pass on, the
 * task ID, and the media's facts. Binaries (when attached) are named `data`, or `data_0`,
 * `data_1`… for several media.
 */
export function summaryItem(items: INodeExecutionData[], c: MediaContext): INodeExecutionData {
	const noun = c.kind === 'music' ? 'music track' : c.kind;
	const urls = items.map((i) => String(i.json.url));
	const json: IDataObject = {
		taskId: c.taskId,
		status: 'success',
		message: `IMA made ${items.length} ${noun}${items.length === 1 ? '' : 's'}${c.model ? ` with ${c.model}` : ''}: ${urls.join(' ')}`,
		urls,
	};
	if (c.taskType) json.taskType = c.taskType;
	if (c.model) json.model = c.model;
	if (c.modelVersion) json.modelVersion = c.modelVersion;
	const covers = items.map((i) => i.json.coverUrl).filter((u): u is string => typeof u === 'string');
	if (covers.length) json.coverUrls = covers;
	json.media = items.map((i) => {
		const m: IDataObject = {};
		for (const key of ['index', 'url', 'format', 'width', 'height', 'duration']) if (i.json[key] !== undefined) m[key] = i.json[key];
		return m;
	});
	if (c.credits !== undefined) json.credits = c.credits * items.length;
	const binary: IBinaryKeyData = {};
	for (const [n, item] of items.entries()) {
		for (const [key, data] of Object.entries(item.binary ?? {})) binary[items.length === 1 ? key : `${key}_${n}`] = data;
	}
	return Object.keys(binary).length ? { json, binary } : { json };
}
