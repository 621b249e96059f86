/**
 * Waiting for a task inside execute() and turning its media into output items (Generate and
 * Wait for Result): bounded, abortable, polite (every status check goes through the credential's
 * budget), and never losing the task id or a finished media.
 */
import type { IBinaryKeyData, IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { createHash } from 'crypto';

import { mediaFileName, mediaFileType } from '../helpers/media';
import { checkPlan, eetOf, firstCheckAt, learnerFor, nextCheckAt, type ExpectedTime } from '../helpers/checkSchedule';
import { budgetFor, type StatusBudget } from '../helpers/pollBudget';
import {
	PollFailedError,
	pollTask,
	TaskCancelledError,
	TaskTimeoutError,
	waitDeadline,
	type DoneMedia,
	type FailedMedia,
	type TaskState,
} from '../helpers/polling';
import { findModelVersion } from '../helpers/productTree';
import { DEFAULT_POLL_INTERVAL, DEFAULT_TIMEOUT, isTaskType, mediaKindOf, type MediaKind } from '../helpers/taskTypes';
import type { ImaTaskDetail } from '../helpers/types';
import { abortableSleep, ImaClient, ImaRequestError } from '../transport';
import { ItemError, withTaskId } from '../run/errors';
import type { RunOptions } from '../run/options';
import { UNLIMITED, type ItemSlots } from '../run/scheduler';

/**
 * What the node knows about when a task should finish: its version's expected time (EET tag),
 * where to learn it, and when the task was created.
 */
export interface ExpectedInfo {
	/** The version's EET window, from its tag. */
	tag?: ExpectedTime;
	/** The learner's key: base URL, task type, version id. */
	key?: string;
	/** When the task was created (ms since epoch). */
	createdAt?: number;
}

/**
 * What the input item of Wait for Result or Check Task says about its task, used only when its
 * `taskId` is the task waited for (Create Task's output, passed on by Check Task's Running output).
 */
export interface TaskHint {
	taskType?: string;
	modelVersion?: string;
	createdAt?: number;
	expected?: ExpectedTime;
}

export interface WaitRequest {
	taskId: string;
	/** Unknown for Wait for Result until the first detail is read. */
	taskType?: string;
	expectedCount?: number;
	options: RunOptions;
	/** The server's deadline (ms), from the create answer. */
	timeoutAt?: number;
	/** A detail already read (Check Task): used as the first status check. */
	firstDetail?: ImaTaskDetail;
	/** The expected time of the task (Generate: from its version; else from `hint`). */
	expected?: ExpectedInfo;
	/** What the input item says about the task (Wait for Result). */
	hint?: TaskHint;
}

export interface WaitResult {
	state: Exclude<TaskState, { state: 'pending' }>;
	taskType?: string;
	kind: MediaKind;
}

/** The status-check budget of the client's credential (a fingerprint, never the key). */
function budgetOf(client: ImaClient) {
	const c = client.credentials;
	return budgetFor(createHash('sha256').update(`${c.baseUrl}|${c.apiKey}`).digest('hex'));
}

const isRateLimited = (e: unknown): e is ImaRequestError => e instanceof ImaRequestError && e.info.httpStatus === 429;

/**
 * One status check within the credential's budget: waits its turn, and tells the budget how IMA
 * answered (a 429 halves it and pauses every check of the credential for Retry-After).
 */
async function checkOnce(client: ImaClient, taskId: string, budget: StatusBudget): Promise<ImaTaskDetail> {
	const ticket = await budget.acquire(async (ms) => await abortableSleep(ms, client.signal), () => client.cancelled);
	if (!ticket || client.cancelled) throw client.cancelledError('task detail');
	let failure: unknown;
	try {
		const detail = await client.taskDetail(taskId);
		budget.answered(ticket);
		return detail;
	} catch (error) {
		failure = error;
	}
	if (isRateLimited(failure)) budget.rateLimited(ticket, failure.info.retryAfterMs);
	throw failure;
}

/**
 * One task detail within the credential's budget, transient failures retried; a 429 is waited
 * out and never counted as a failure, until `patienceMs` has passed.
 */
async function budgetedDetail(client: ImaClient, taskId: string, budget: StatusBudget, patienceMs: number): Promise<ImaTaskDetail> {
	const until = Date.now() + patienceMs;
	for (;;) {
		let failure: unknown;
		try {
			return await client.withRetries('task detail', async () => await checkOnce(client, taskId, budget));
		} catch (error) {
			failure = error;
		}
		if (!isRateLimited(failure) || client.cancelled || Date.now() >= until) throw failure;
	}
}

/** How long a single read waits out 429s: the Timeout option, else the kind's default, else 300 s. */
function patienceOf(options: RunOptions, taskType?: string): number {
	if (options.timeout > 0) return options.timeout * 1000;
	return (taskType && isTaskType(taskType) ? DEFAULT_TIMEOUT[mediaKindOf(taskType)] : DEFAULT_TIMEOUT.speech) * 1000;
}

/** One status check of a task (Check Task): within the credential's budget, reads retried. */
export async function readTaskOnce(client: ImaClient, taskId: string, options: RunOptions, hint?: TaskHint): Promise<ImaTaskDetail> {
	let failure: unknown;
	try {
		return await budgetedDetail(client, taskId, budgetOf(client), patienceOf(options, hint?.taskType));
	} catch (error) {
		failure = error;
	}
	throw withTaskId(failure, taskId, client);
}

/** The learner's key of a model version (per base URL: IMA's environments may differ). */
export function learnerKey(client: ImaClient, taskType: string, versionId: string): string {
	return `${client.credentials.baseUrl}|${taskType}|${versionId}`;
}

const positive = (v: unknown): number | undefined => {
	const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
	return Number.isFinite(n) && n > 0 ? n : undefined;
};

/** A creation time in ms (IMA may send seconds), or undefined. */
export function creationTime(v: unknown): number | undefined {
	const n = positive(v);
	if (n === undefined) return undefined;
	return n < 1e12 ? n * 1000 : n;
}

/** What an input item says about a task, if its `taskId` is that task (else nothing). */
export function taskHint(json: IDataObject | undefined, taskId: string): TaskHint | undefined {
	if (!json || String(json.taskId ?? '').trim() !== taskId) return undefined;
	const hint: TaskHint = {};
	if (typeof json.taskType === 'string' && isTaskType(json.taskType)) hint.taskType = json.taskType;
	if (typeof json.modelVersion === 'string' && json.modelVersion.trim()) hint.modelVersion = json.modelVersion.trim();
	hint.createdAt = creationTime(json.createdAt);
	const e = json.expectedSeconds as IDataObject | undefined;
	if (e && typeof e === 'object') {
		const lo = Number(e.min);
		const hi = Number(e.max);
		if (Number.isFinite(lo) && Number.isFinite(hi) && lo >= 0 && hi >= lo && hi > 0 && hi <= 86_400) hint.expected = { startMs: lo * 1000, endMs: hi * 1000 };
	}
	return hint;
}

/**
 * The expected time of a task known only by id: the input item's (Create Task writes it), else
 * its version's tag from the product list (cached), when the item or IMA's detail names the
 * version. Undefined parts stay unknown; a failing product list only means "not known".
 */
async function expectedFromHint(client: ImaClient, taskType: string | undefined, hint: TaskHint | undefined, detail: ImaTaskDetail | undefined): Promise<ExpectedInfo> {
	const info: ExpectedInfo = { createdAt: hint?.createdAt ?? creationTime(detail?.created_at) };
	const version = hint?.modelVersion ?? (typeof detail?.model_version === 'string' && detail.model_version.trim() ? detail.model_version.trim() : undefined);
	if (!taskType || !isTaskType(taskType) || !version) return info;
	info.key = learnerKey(client, taskType, version);
	info.tag = hint?.expected;
	if (!info.tag && !client.cancelled) {
		try {
			info.tag = eetOf(findModelVersion(await client.products(taskType), version));
		} catch {
			// not known: checked at a fixed interval, as before
		}
	}
	return info;
}

/**
 * Check Task: seconds until the next status check worth making, for a Wait node in a Check Task
 * loop. From the expected-time schedule when the input item says what the task is and when it
 * was made (Create Task's output, passed on by the Running output); else the poll interval.
 */
export function nextCheckIn(client: ImaClient, detail: ImaTaskDetail | undefined, hint: TaskHint | undefined, options: RunOptions, now: number): number {
	const taskType = hint?.taskType ?? (typeof detail?.task_type === 'string' ? detail.task_type : undefined);
	const kind = mediaKindOf(taskType && isTaskType(taskType) ? taskType : 'text_to_image');
	const userIntervalMs = options.pollInterval > 0 ? options.pollInterval * 1000 : undefined;
	const intervalMs = userIntervalMs ?? DEFAULT_POLL_INTERVAL[kind] * 1000;
	const createdAt = hint?.createdAt ?? creationTime(detail?.created_at);
	let waitMs = intervalMs;
	if (hint?.expected && createdAt !== undefined && taskType && hint.modelVersion) {
		const learner = learnerFor(learnerKey(client, taskType, hint.modelVersion));
		const plan = checkPlan(learner.window(hint.expected), intervalMs, userIntervalMs);
		const e = Math.max(0, now - createdAt);
		waitMs = nextCheckAt(plan, e) - e;
	}
	return Math.ceil(waitMs / 100) / 10;
}

/** Waits for a task inside execute(): abortable, bounded, never loses the task id. */
export async function waitForTask(client: ImaClient, req: WaitRequest): Promise<WaitResult> {
	const budget = budgetOf(client);
	let taskType = req.taskType ?? req.hint?.taskType;
	let first: ImaTaskDetail | undefined = req.firstDetail;
	let firstReadAt: number | undefined;
	const started = Date.now();
	let failure: unknown;
	try {
		if (!req.taskType && first) taskType = typeof first.task_type === 'string' ? first.task_type : taskType;
		let expected = req.expected ?? (req.hint ? await expectedFromHint(client, taskType, req.hint, first) : undefined);
		if (!taskType && !first) {
			// The task type (and, if IMA names it, the version) from a first check at once, as before.
			firstReadAt = Date.now();
			first = await budgetedDetail(client, req.taskId, budget, patienceOf(req.options, taskType));
			taskType = typeof first?.task_type === 'string' ? first.task_type : undefined;
			if (!req.expected) expected = await expectedFromHint(client, taskType, req.hint, first);
		}
		const kind = mediaKindOf(taskType ?? 'text_to_image');
		const userIntervalMs = req.options.pollInterval > 0 ? req.options.pollInterval * 1000 : undefined;
		const intervalMs = userIntervalMs ?? DEFAULT_POLL_INTERVAL[kind] * 1000;
		const timeoutMs = (req.options.timeout > 0 ? req.options.timeout : DEFAULT_TIMEOUT[kind]) * 1000;
		const deadline = waitDeadline(started, timeoutMs, intervalMs, req.timeoutAt);

		// The expected-time schedule (checkSchedule.ts), when the version's EET and the creation time are known.
		const tag = expected?.tag;
		const createdAt = expected?.createdAt;
		const learner = tag && createdAt !== undefined && expected?.key ? learnerFor(expected.key) : undefined;
		const planNow = () => checkPlan(learner!.window(tag!), intervalMs, userIntervalMs);
		const sinceCreate = () => Math.max(0, Date.now() - createdAt!);
		let firstDelayMs: number | undefined;
		if (learner && !first) firstDelayMs = firstCheckAt(planNow(), sinceCreate()) - sinceCreate();

		// What the checks saw, for the learner: the last time the task was running, the first it was done.
		let lastSent = firstReadAt ?? started;
		let lastAnswered = Date.now();
		let pendingSeenAt: number | undefined;
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
				lastSent = Date.now();
				const d = await checkOnce(client, req.taskId, budget);
				lastAnswered = Date.now();
				taskType ??= typeof d?.task_type === 'string' ? d.task_type : undefined;
				return d;
			},
			sleep: async (ms) => await abortableSleep(ms, client.signal),
			now: () => Date.now(),
			isCancelled: () => client.cancelled,
			intervalMs,
			deadline,
			retryAfterMs: (e) => (e instanceof ImaRequestError ? e.info.retryAfterMs : undefined),
			isRateLimited,
			firstDelayMs,
			nextDelayMs: learner ? () => nextCheckAt(planNow(), sinceCreate()) - sinceCreate() : undefined,
			onState: (s) => {
				if (s.state === 'pending') pendingSeenAt = lastSent;
			},
		});
		if (learner && state.state === 'done') {
			learner.record({ pendingAt: pendingSeenAt === undefined ? undefined : pendingSeenAt - createdAt!, doneAt: lastAnswered - createdAt! }, tag!);
		}
		if (state.state !== 'pending') return { state, taskType, kind: mediaKindOf(taskType ?? 'text_to_image') };
	} catch (error) {
		failure = error;
	}
	throw explainWaitFailure(failure, req.taskId, client);
}

/** What a failed wait means for the user; the task id is always in it. */
function explainWaitFailure(error: unknown, taskId: string, client: ImaClient): ItemError {
	if (error instanceof TaskTimeoutError) {
		const last = error.lastState;
		const failed = last && last.state !== 'done' ? last.failed : [];
		const done = last?.done.length ?? 0;
		const parts = [
			done ? `${done} media finished (output${done === 1 ? ' is' : 's are'} kept)` : undefined,
			failed.length ? `failed: ${failed.map((f) => `media ${f.index}: ${f.reason}`).join('; ')}` : undefined,
		].filter(Boolean);
		return new ItemError(
			`Timed out after ${Math.round(error.waitedSeconds)} s waiting for IMA task ${taskId}; it may still finish`,
			{
				taskId: taskId,
				charge: 'charged',
				lastState: last,
				description: `The task keeps running on IMA and is not lost.${parts.length ? ` So far: ${parts.join('; ')}.` : ''} Fetch the result later with "Wait for Result" and task ID ${taskId}, or raise Options → Timeout.`,
			},
		);
	}
	if (error instanceof TaskCancelledError) {
		return new ItemError(`The execution was cancelled while waiting for IMA task ${taskId}`, {
			taskId: taskId,
			charge: 'charged',
			description: `The task keeps running on IMA. Fetch the result later with "Wait for Result" and task ID ${taskId}.`,
		});
	}
	if (error instanceof PollFailedError) {
		const inner = error.lastError instanceof ImaRequestError ? error.lastError : undefined;
		return new ItemError(`Could not read the status of IMA task ${taskId}: ${error.lastError.message}`, {
			taskId: taskId,
			charge: 'charged',
			api: true,
			imaCode: inner?.info.imaCode,
			httpCode: inner?.info.httpStatus,
			description: `IMA did not answer ${error.attempts} status checks in a row. The task itself may be fine: fetch it later with "Wait for Result" and task ID ${taskId}.`,
		});
	}
	return withTaskId(error, taskId, client);
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
	options: RunOptions,
) {
	// Streamed into n8n's binary store; a stalled download is resumed (Request Timeout is the stall bound).
	const limits = { maxBytes: options.maxDownloadBytes, totalTimeoutMs: options.downloadTimeout * 1000, allowedHosts: options.allowedMediaHosts };
	return await client.downloadMedia(url, limits, async (dl) => {
		const type = mediaFileType({ kind, contentType: dl.contentType, format, url });
		return await ctx.helpers.prepareBinaryData(dl.stream, fileName(type.extension), type.mimeType);
	});
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
	// Made safe for a file name, a task id can no longer be recognised: the key is removed first.
	const idForFile = client.clean(c.taskId);
	for (const m of [...done].sort((a, b) => a.index - b.index)) {
		const item: INodeExecutionData = { json: mediaJson(m, c) };
		if (c.options.download) {
			try {
				item.binary = {
					[prop]: await attach(ctx, client, m.url, c.kind, m.format, (ext) => mediaFileName(idForFile, m.index, ext), c.options),
				};
				if (c.options.downloadCover && m.coverUrl) {
					item.binary[`${prop}Cover`] = await attach(ctx, client, m.coverUrl, 'image', undefined, (ext) =>
						mediaFileName(idForFile, m.index, ext, '-cover'),
						c.options,
					);
				}
			} catch (error) {
				const reason = error instanceof Error ? error.message : String(error);
				const failure = new ItemError(`IMA task ${c.taskId} finished, but downloading media ${m.index} failed: ${reason}`, {
					taskId: c.taskId,
					charge: 'charged',
					api: error instanceof ImaRequestError,
					httpCode: error instanceof ImaRequestError ? error.info.httpStatus : undefined,
					description: [
						// Why a URL was not requested (the key in it, a private host) and what to do.
						error instanceof ImaRequestError && error.info.kind === 'refused' ? error.info.description : undefined,
						`The media is at ${m.url}. Run "Wait for Result" with task ID ${c.taskId} to download it again.`,
					]
						.filter(Boolean)
						.join(' '),
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
		charge: 'charged',
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
	let waited: WaitResult | undefined;
	let waitFailure: unknown;
	try {
		waited = await waitForTask(client, req);
	} catch (error) {
		waitFailure = error;
	}
	if (!waited) throw await keepFinished(ctx, client, req, waitFailure, slots);
	const { state, taskType, kind } = waited;
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
 * A wait that ended without the whole task (a timeout, say) may still have finished media: they
 * are paid for, so they are downloaded and kept in the error (Continue On Fail outputs them).
 */
async function keepFinished(
	ctx: IExecuteFunctions,
	client: ImaClient,
	req: WaitRequest & { model?: string; modelVersion?: string; credits?: number },
	failure: unknown,
	slots: ItemSlots,
): Promise<unknown> {
	const last = failure instanceof ItemError ? failure.details.lastState : undefined;
	if (!(failure instanceof ItemError) || !last || !last.done.length || client.cancelled) return failure;
	const c: MediaContext = {
		taskId: req.taskId,
		taskType: req.taskType,
		kind: mediaKindOf(req.taskType ?? 'text_to_image'),
		model: req.model,
		modelVersion: req.modelVersion,
		credits: req.credits,
		options: req.options,
	};
	const collect = async () => await mediaItems(ctx, client, last.done, c);
	const { items } = req.options.download ? await slots.heavy(collect) : await collect();
	return new ItemError(failure.message, { ...failure.details, partial: items });
}

/**
 * One short item for a whole task, for an AI Agent: the URLs a language model can pass on, the
 * task ID, and the media's facts. Binaries (when attached) are named `data`, or `data_0`,
 * `data_1`… for several media.
 */
export function summaryItem(items: INodeExecutionData[], c: MediaContext): INodeExecutionData {
	const noun = c.kind === 'music' ? 'music track' : c.kind === 'speech' ? 'speech audio file' : c.kind;
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
