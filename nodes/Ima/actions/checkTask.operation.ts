/**
 * Check Task: one status check per item, two outputs. *Done* gets the media items exactly as
 * Wait for Result makes them; *Running* gets the input item plus {taskId, status, elapsed,
 * mediaDone, mediaRunning, nextCheckIn} (nextCheckIn: seconds until the next check worth making,
 * sized to the task's expected time when the item says what the task is; see results/expected.ts). With
 * n8n's Wait node it makes a loop (Create Task → Wait → Check Task → Running → Wait) that holds
 * no worker while IMA works and survives restarts: the Wait node keeps the execution in n8n's
 * database. A failed task is an error with its id (or, with Continue On Fail, an item on Done).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { evaluateTask } from '../helpers/polling';
import type { ImaTaskDetail } from '../helpers/types';
import { OPTION, optionsCollection, taskIdField, WAIT_OPTIONS } from './descriptions';
import { executionOptions, readOptions, readTaskId } from '../run/options';
import { creationTime, nextCheckIn, taskHint } from '../results/expected';
import { resultItems } from '../results/outputItems';
import { readTaskOnce } from '../results/wait';
import { clientFor, runItems } from '../run/scheduler';

const properties: INodeProperties[] = [taskIdField, optionsCollection([OPTION.concurrency, OPTION.requestTimeout, ...WAIT_OPTIONS])];

export const description = updateDisplayOptions({ show: { operation: ['checkTask'] } }, properties);

/** Seconds since the task was created, when IMA or the input item says when that was. */
export function elapsedSeconds(detail: ImaTaskDetail | undefined, input: IDataObject, now: number): number | null {
	for (const raw of [detail?.created_at, input.createdAt, input.created_at]) {
		const ms = creationTime(raw); // seconds or milliseconds
		if (ms !== undefined) return Math.max(0, Math.round((now - ms) / 1000));
	}
	return null;
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const client = await clientFor(this);
	const input = this.getInputData();
	const running = new Set<number>();
	const out = await runItems(this, {
		client,
		concurrency: executionOptions(this).concurrency,
		slots: true,
		prepare: async (i) => ({ taskId: readTaskId(this, i), options: readOptions(this, i) }),
		run: async (i, p, slots) => {
			await slots.start(async () => undefined); // not after another item failed
			const hint = taskHint(input[i]?.json, p.taskId);
			const detail = await readTaskOnce(client, p.taskId, p.options, hint);
			const count = Number(detail?.generate_count);
			const state = evaluateTask(detail, Number.isInteger(count) && count > 0 ? count : 1);
			if (state.state === 'pending') {
				running.add(i);
				const item = input[i];
				const json: IDataObject = {
					...(item?.json ?? {}),
					taskId: p.taskId,
					status: 'running',
					elapsed: elapsedSeconds(detail, item?.json ?? {}, Date.now()),
					mediaDone: state.done.length,
					mediaRunning: state.processing,
					nextCheckIn: nextCheckIn(client, detail, hint, p.options, Date.now()),
				};
				return [item?.binary ? { json, binary: item.binary } : { json }];
			}
			return await resultItems(this, client, { taskId: p.taskId, options: p.options, firstDetail: detail }, slots);
		},
		summarize: (i, items) => (running.has(i) ? `running (task ${String(items[0]?.json.taskId)})` : `done (task ${String(items[0]?.json.taskId)})`),
	});
	const done: INodeExecutionData[] = [];
	const stillRunning: INodeExecutionData[] = [];
	for (const item of out) {
		const index = (item.pairedItem as { item: number } | undefined)?.item ?? -1;
		if (running.has(index) && item.json.error === undefined) stillRunning.push(item);
		else done.push(item);
	}
	return [done, stillRunning];
}
