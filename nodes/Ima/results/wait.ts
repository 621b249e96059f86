/**
 * Waiting for a task inside execute() (Generate, Wait for Result, Check Task's one check): bounded,
 * abortable, polite (every status check goes through the credential's budget), and never losing
 * the task id.
 */
import { createHash } from 'crypto';

import { checkPlan, firstCheckAt, learnerFor, nextCheckAt } from '../helpers/checkSchedule';
import { budgetFor, type StatusBudget } from '../helpers/pollBudget';
import { settle } from '../helpers/pool';
import { PollFailedError, pollTask, TaskCancelledError, TaskTimeoutError, waitDeadline, type TaskState } from '../helpers/polling';
import { DEFAULT_TIMEOUT, isTaskType, mediaKindOf, type MediaKind } from '../helpers/taskTypes';
import type { ImaTaskDetail } from '../helpers/types';
import { ItemError, withTaskId } from '../run/errors';
import type { RunOptions } from '../run/options';
import { abortableSleep, ImaClient, ImaRequestError } from '../transport';
import { expectedFromHint, pollIntervals, type ExpectedInfo, type TaskHint } from './expected';

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
	const r = await settle(async () => await client.taskDetail(taskId));
	if (r.status === 'fulfilled') {
		budget.answered(ticket);
		return r.value;
	}
	if (isRateLimited(r.reason)) budget.rateLimited(ticket, r.reason.info.retryAfterMs);
	throw r.reason;
}

/**
 * One task detail within the credential's budget, transient failures retried; a 429 is waited
 * out and never counted as a failure, until `patienceMs` has passed.
 */
async function budgetedDetail(client: ImaClient, taskId: string, budget: StatusBudget, patienceMs: number): Promise<ImaTaskDetail> {
	const until = Date.now() + patienceMs;
	for (;;) {
		const r = await settle(async () => await client.withRetries('task detail', async () => await checkOnce(client, taskId, budget)));
		if (r.status === 'fulfilled') return r.value;
		if (!isRateLimited(r.reason) || client.cancelled || Date.now() >= until) throw r.reason;
	}
}

/** How long a single read waits out 429s: the Timeout option, else the kind's default, else 300 s. */
function patienceOf(options: RunOptions, taskType?: string): number {
	if (options.timeout > 0) return options.timeout * 1000;
	return (taskType && isTaskType(taskType) ? DEFAULT_TIMEOUT[mediaKindOf(taskType)] : DEFAULT_TIMEOUT.speech) * 1000;
}

/** One status check of a task (Check Task): within the credential's budget, reads retried. */
export async function readTaskOnce(client: ImaClient, taskId: string, options: RunOptions, hint?: TaskHint): Promise<ImaTaskDetail> {
	const r = await settle(async () => await budgetedDetail(client, taskId, budgetOf(client), patienceOf(options, hint?.taskType)));
	if (r.status === 'fulfilled') return r.value;
	throw withTaskId(r.reason, taskId, client);
}

/** Waits for a task inside execute(): abortable, bounded, never loses the task id. */
export async function waitForTask(client: ImaClient, req: WaitRequest): Promise<WaitResult> {
	const budget = budgetOf(client);
	const started = Date.now();
	const r = await settle(async () => {
		const look = await firstLook(client, req, budget);
		const state = await pollUntilEnd(client, req, budget, look, started);
		return state.state !== 'pending' ? { state, taskType: look.taskType, kind: mediaKindOf(look.taskType ?? 'text_to_image') } : undefined;
	});
	if (r.status === 'fulfilled' && r.value) return r.value;
	throw explainWaitFailure(r.status === 'rejected' ? r.reason : undefined, req.taskId, client);
}

/** What is known before the status checks: the task type, a detail already read, the expected time. */
interface FirstLook {
	taskType?: string;
	first?: ImaTaskDetail;
	firstReadAt?: number;
	expected?: ExpectedInfo;
}

async function firstLook(client: ImaClient, req: WaitRequest, budget: StatusBudget): Promise<FirstLook> {
	let taskType = req.taskType ?? req.hint?.taskType;
	let first: ImaTaskDetail | undefined = req.firstDetail;
	if (!req.taskType && first) taskType = typeof first.task_type === 'string' ? first.task_type : taskType;
	let expected = req.expected ?? (req.hint ? await expectedFromHint(client, taskType, req.hint, first) : undefined);
	if (taskType || first) return { taskType, first, expected };
	// The task type (and, if IMA names it, the version) from a first check at once, as before.
	const firstReadAt = Date.now();
	first = await budgetedDetail(client, req.taskId, budget, patienceOf(req.options, taskType));
	taskType = typeof first?.task_type === 'string' ? first.task_type : undefined;
	if (!req.expected) expected = await expectedFromHint(client, taskType, req.hint, first);
	return { taskType, first, firstReadAt, expected };
}

/** The status checks until the task ends or the deadline passes (`look.taskType` learns from them). */
async function pollUntilEnd(client: ImaClient, req: WaitRequest, budget: StatusBudget, look: FirstLook, started: number) {
	const kind = mediaKindOf(look.taskType ?? 'text_to_image');
	const { userIntervalMs, intervalMs } = pollIntervals(req.options, kind);
	const timeoutMs = (req.options.timeout > 0 ? req.options.timeout : DEFAULT_TIMEOUT[kind]) * 1000;
	const schedule = expectedSchedule(look, intervalMs, userIntervalMs);
	// What the checks saw, for the learner: the last time the task was running, the first it was done.
	let lastSent = look.firstReadAt ?? started;
	let lastAnswered = Date.now();
	let pendingSeenAt: number | undefined;
	let pending = look.first;
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
			look.taskType ??= typeof d?.task_type === 'string' ? d.task_type : undefined;
			return d;
		},
		sleep: async (ms) => await abortableSleep(ms, client.signal),
		now: () => Date.now(),
		isCancelled: () => client.cancelled,
		intervalMs,
		deadline: waitDeadline(started, timeoutMs, intervalMs, req.timeoutAt),
		retryAfterMs: (e) => (e instanceof ImaRequestError ? e.info.retryAfterMs : undefined),
		isRateLimited,
		firstDelayMs: schedule?.firstDelayMs,
		nextDelayMs: schedule?.nextDelayMs,
		onState: (s) => {
			if (s.state === 'pending') pendingSeenAt = lastSent;
		},
	});
	if (state.state === 'done') schedule?.learn(pendingSeenAt, lastAnswered);
	return state;
}

/**
 * The expected-time schedule (helpers/checkSchedule.ts), when the version's EET and the creation
 * time are known; and what the learner is told when the task is done.
 */
function expectedSchedule(look: FirstLook, intervalMs: number, userIntervalMs: number | undefined) {
	const tag = look.expected?.tag;
	const createdAt = look.expected?.createdAt;
	if (!tag || createdAt === undefined || !look.expected?.key) return undefined;
	const learner = learnerFor(look.expected.key);
	const planNow = () => checkPlan(learner.window(tag), intervalMs, userIntervalMs);
	const sinceCreate = () => Math.max(0, Date.now() - createdAt);
	return {
		firstDelayMs: look.first ? undefined : firstCheckAt(planNow(), sinceCreate()) - sinceCreate(),
		nextDelayMs: () => nextCheckAt(planNow(), sinceCreate()) - sinceCreate(),
		learn: (pendingSeenAt: number | undefined, doneAt: number) =>
			learner.record({ pendingAt: pendingSeenAt === undefined ? undefined : pendingSeenAt - createdAt, doneAt: doneAt - createdAt }, tag),
	};
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