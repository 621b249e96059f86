/**
 * When a task should finish: its version's expected time (IMA's EET tag, learned from finished
 * tasks) and what an input item says about its task (Create Task writes it). The status checks of
 * Generate, Wait for Result and Check Task are sized by it (helpers/checkSchedule.ts).
 */
import type { IDataObject } from 'n8n-workflow';

import { checkPlan, eetOf, learnerFor, nextCheckAt, type ExpectedTime } from '../helpers/checkSchedule';
import { findModelVersion } from '../helpers/productTree';
import { DEFAULT_POLL_INTERVAL, isTaskType, mediaKindOf, type MediaKind } from '../helpers/taskTypes';
import type { ImaTaskDetail } from '../helpers/types';
import type { RunOptions } from '../run/options';
import type { ImaClient } from '../transport';

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
export async function expectedFromHint(client: ImaClient, taskType: string | undefined, hint: TaskHint | undefined, detail: ImaTaskDetail | undefined): Promise<ExpectedInfo> {
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
	const { userIntervalMs, intervalMs } = pollIntervals(options, mediaKindOf(taskType && isTaskType(taskType) ? taskType : 'text_to_image'));
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

/** The gap between status checks: the Poll Interval option (when set), else the kind's default. */
export function pollIntervals(options: RunOptions, kind: MediaKind): { userIntervalMs?: number; intervalMs: number } {
	const userIntervalMs = options.pollInterval > 0 ? options.pollInterval * 1000 : undefined;
	return { userIntervalMs, intervalMs: userIntervalMs ?? DEFAULT_POLL_INTERVAL[kind] * 1000 };
}
