/** Reading a task's state from its detail, and waiting for it. Pure: no n8n, no HTTP. */
import type { ImaMedia, ImaTaskDetail } from './types';

export interface DoneMedia {
	index: number;
	url: string;
	coverUrl?: string;
	format?: string;
	width?: number;
	height?: number;
	duration?: number;
	raw: ImaMedia;
}

export interface FailedMedia {
	index: number;
	reason: string;
	resourceStatus?: number | null;
	status?: string | null;
}

export type TaskState =
	| { state: 'pending'; done: DoneMedia[]; processing: number; failed: FailedMedia[] }
	| { state: 'done'; done: DoneMedia[] }
	| { state: 'failed'; done: DoneMedia[]; failed: FailedMedia[]; processing: number };

export function mediaUrl(media: ImaMedia): string | undefined {
	for (const key of ['url', 'watermark_url', 'preview_url'] as const) {
		const v = media[key];
		if (typeof v === 'string' && v.trim()) return v.trim();
	}
	return undefined;
}

/** "5s" → 5, "1m30s" → 90, "00:12" → 12; undefined when it cannot be read. */
export function parseDuration(value: unknown): number | undefined {
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	if (typeof value !== 'string' || !value.trim()) return undefined;
	const s = value.trim().toLowerCase();
	const clock = /^(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)$/.exec(s);
	if (clock) return Number(clock[1] ?? 0) * 3600 + Number(clock[2]) * 60 + Number(clock[3]);
	let total = 0;
	let matched = false;
	for (const m of s.matchAll(/(\d+(?:\.\d+)?)\s*(h|m(?!s)|ms|s)?/g)) {
		if (!m[1]) continue;
		matched = true;
		const n = Number(m[1]);
		const unit = m[2] ?? 's';
		total += unit === 'h' ? n * 3600 : unit === 'm' ? n * 60 : unit === 'ms' ? n / 1000 : n;
	}
	return matched ? total : undefined;
}

/**
 * `resource_status` as IMA's own client reads it: `int(v)`, with null, undefined and "" as 0
 * (processing). A value that is not a whole number is treated as still processing.
 */
export function resourceStatus(value: unknown): number {
	if (value === null || value === undefined) return 0;
	if (typeof value === 'number') return Number.isInteger(value) ? value : 0;
	if (typeof value === 'string') {
		const s = value.trim();
		if (s === '') return 0;
		const n = Number(s);
		return Number.isInteger(n) ? n : 0;
	}
	return 0;
}

/** `status` as lower-case text ("" when absent); numbers and odd case are read too. */
export function mediaStatus(value: unknown): string {
	if (value === null || value === undefined) return '';
	return String(value).trim().toLowerCase();
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);

function failureReason(media: ImaMedia, fallback: string): string {
	const why = [media.error_msg, media.remark].find((v) => typeof v === 'string' && v.trim());
	return (why as string | undefined)?.trim() ?? fallback;
}

/**
 * A task is done only when every media has `resource_status` 1 and no `status` "failed";
 * any 2 (failed) or 3 (deleted), or `status` "failed", is a failure. A task with a failed media
 * is reported as failed only once every other media has settled: its finished siblings are paid
 * for and must not be abandoned.
 */
export function evaluateTask(detail: ImaTaskDetail | undefined, expectedCount = 1): TaskState {
	const medias = Array.isArray(detail?.medias) ? (detail!.medias as ImaMedia[]) : [];
	const done: DoneMedia[] = [];
	const failed: FailedMedia[] = [];
	let processing = 0;
	medias.forEach((media, index) => {
		const rs = resourceStatus(media?.resource_status);
		const status = mediaStatus(media?.status);
		const raw = { resourceStatus: media?.resource_status as number | null | undefined, status: media?.status as string | null | undefined };
		if (status === 'failed' || status === 'fail' || status === 'error') {
			failed.push({ index, reason: failureReason(media, 'IMA reported the media as failed'), ...raw });
		} else if (rs === 2) {
			failed.push({ index, reason: failureReason(media, 'IMA reported the media as failed (resource_status 2)'), ...raw });
		} else if (rs === 3) {
			failed.push({ index, reason: failureReason(media, 'the media was deleted on IMA (resource_status 3)'), ...raw });
		} else if (rs === 1) {
			const url = mediaUrl(media);
			if (!url) {
				failed.push({ index, reason: 'IMA marked the media available but gave no URL', ...raw });
				return;
			}
			done.push({
				index,
				url,
				coverUrl: typeof media.cover === 'string' && media.cover ? media.cover : undefined,
				format: typeof media.format === 'string' && media.format ? media.format : undefined,
				width: num(media.width),
				height: num(media.height),
				duration: parseDuration(media.duration_str ?? media.duration),
				raw: media,
			});
		} else {
			processing++;
		}
	});
	const missing = Math.max(0, expectedCount - medias.length);
	processing += missing;
	if (processing > 0 || (done.length === 0 && failed.length === 0)) return { state: 'pending', done, processing, failed };
	if (failed.length) return { state: 'failed', done, failed, processing: 0 };
	return { state: 'done', done };
}

/**
 * When to stop waiting: the user's timeout, or IMA's own deadline (`timeout_at` of the create
 * answer) plus a grace period for clock skew and late completion, whichever comes first.
 */
export function waitDeadline(started: number, timeoutMs: number, intervalMs: number, timeoutAt?: number): number {
	let deadline = started + timeoutMs;
	if (timeoutAt !== undefined && Number.isFinite(timeoutAt) && timeoutAt > started) {
		deadline = Math.min(deadline, timeoutAt + Math.max(2 * intervalMs, 60_000));
	}
	return deadline;
}

export class TaskTimeoutError extends Error {
	constructor(
		public readonly taskId: string,
		public readonly waitedSeconds: number,
		public readonly lastState: TaskState | undefined,
	) {
		super(`Task ${taskId} was still running after ${Math.round(waitedSeconds)} s`);
		this.name = 'TaskTimeoutError';
	}
}

export class TaskCancelledError extends Error {
	constructor(public readonly taskId: string) {
		super(`Waiting for task ${taskId} was cancelled`);
		this.name = 'TaskCancelledError';
	}
}

export class PollFailedError extends Error {
	constructor(
		public readonly taskId: string,
		public readonly lastError: Error,
		public readonly attempts: number,
	) {
		super(`Could not read task ${taskId} after ${attempts} attempts in a row: ${lastError.message}`);
		this.name = 'PollFailedError';
	}
}

export interface PollDeps {
	taskId: string;
	expectedCount?: number;
	/** Reads the task detail; throws on failure (a transient error has `transient: true`). */
	fetchDetail: () => Promise<ImaTaskDetail>;
	/** Abortable sleep; rejects (or resolves early) when the signal aborts. */
	sleep: (ms: number) => Promise<void>;
	now: () => number;
	isCancelled: () => boolean;
	intervalMs: number;
	/** Absolute deadline (ms since epoch). */
	deadline: number;
	/** How many failed reads in a row end the wait (each failure waits with backoff). */
	maxConsecutiveFailures?: number;
	/** Extra wait asked by the server (429 Retry-After), in ms, for the next attempt. */
	retryAfterMs?: (error: Error) => number | undefined;
	/** Whether a failed read was the server asking to slow down (429): waited out, never counted. */
	isRateLimited?: (error: Error) => boolean;
	/** Called when the server asked to slow down, with the wait it asked for (ms). */
	onRateLimited?: (ms: number) => void;
	/** Waits for the status-check budget before each read (see pollBudget.ts). */
	beforeRead?: () => Promise<void>;
	/** The wait before the first read (ms); default 0: read at once. */
	firstDelayMs?: number;
	/** The wait after a read that found the task running (ms); default `intervalMs` (see checkSchedule.ts). */
	nextDelayMs?: () => number;
	onState?: (state: TaskState) => void;
}

/**
 * Polls until every media is done or one failed; waits `intervalMs` between checks (or what
 * `nextDelayMs` says: the expected-time schedule), never busy-loops.
 * A failed read is retried (with backoff, honouring Retry-After) and never fails a running task
 * by itself; only `maxConsecutiveFailures` failures in a row, a timeout or a cancel end the wait.
 */
export async function pollTask(deps: PollDeps): Promise<TaskState> {
	const started = deps.now();
	const maxFailures = deps.maxConsecutiveFailures ?? 8;
	let failures = 0;
	let last: TaskState | undefined;
	if (deps.firstDelayMs !== undefined && deps.firstDelayMs > 0) {
		await deps.sleep(Math.max(0, Math.min(deps.firstDelayMs, deps.deadline - started)));
		// The first read then happens even at the deadline: a last look.
	}
	for (;;) {
		if (deps.isCancelled()) throw new TaskCancelledError(deps.taskId);
		let wait = deps.intervalMs;
		let readError: (Error & { transient?: boolean }) | undefined;
		try {
			await deps.beforeRead?.();
			if (deps.isCancelled()) throw new TaskCancelledError(deps.taskId);
			const detail = await deps.fetchDetail();
			failures = 0;
			last = evaluateTask(detail, deps.expectedCount);
			deps.onState?.(last);
		} catch (error) {
			readError = error as Error & { transient?: boolean };
		}
		if (readError) {
			if (readError instanceof TaskCancelledError || deps.isCancelled()) throw new TaskCancelledError(deps.taskId);
			if (readError.transient === false) throw readError;
			const asked = deps.retryAfterMs?.(readError) ?? 0;
			if (deps.isRateLimited?.(readError)) {
				// IMA asked to slow down: a healthy task is never failed for that. Wait as asked
				// (at least one interval) until the deadline.
				wait = Math.max(deps.intervalMs, asked);
				deps.onRateLimited?.(wait);
			} else {
				failures++;
				if (failures >= maxFailures) throw new PollFailedError(deps.taskId, readError, failures);
				const backoff = deps.intervalMs * Math.min(8, 2 ** (failures - 1));
				wait = Math.max(backoff, asked);
			}
		} else if (last && last.state !== 'pending') {
			return last;
		} else if (deps.nextDelayMs) {
			wait = Math.max(1, deps.nextDelayMs());
		}
		const now = deps.now();
		if (now >= deps.deadline) throw new TaskTimeoutError(deps.taskId, (now - started) / 1000, last);
		await deps.sleep(Math.max(0, Math.min(wait, deps.deadline - now)));
		if (deps.isCancelled()) throw new TaskCancelledError(deps.taskId);
		if (deps.now() >= deps.deadline) {
			// One last look at the deadline, so a task that finished meanwhile is not lost.
			try {
				const detail = await deps.fetchDetail();
				last = evaluateTask(detail, deps.expectedCount);
				if (last.state !== 'pending') return last;
			} catch {
				// fall through to the timeout
			}
			throw new TaskTimeoutError(deps.taskId, (deps.now() - started) / 1000, last);
		}
	}
}
