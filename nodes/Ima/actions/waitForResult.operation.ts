/** Wait for Result: wait for a task id and output its media exactly as Generate does. */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { inputError } from './errors';
import { executionOptions, readOptions } from './options';
import { resultItems } from './results';
import { clientFor, runItems } from './scheduler';

export const description: INodeProperties[] = [
	{
		displayName: 'Task ID',
		name: 'taskId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. {{ $json.taskId }}',
		description: 'The ID of an IMA task, usually from a Create Task step by expression',
		displayOptions: { show: { operation: ['waitForResult', 'checkTask'] } },
	},
];

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const client = await clientFor(this);
	return await runItems(this, {
		client,
		concurrency: executionOptions(this).concurrency,
		slots: true,
		prepare: async (i) => {
			const raw = this.getNodeParameter('taskId', i, '') as unknown;
			if (raw !== null && raw !== undefined && typeof raw !== 'string' && typeof raw !== 'number') {
				throw inputError('taskId', 'Task ID must be text, but its expression gave ' + (Array.isArray(raw) ? 'a list' : 'an object'), 'Map the taskId of a Create Task step, e.g. {{ $json.taskId }}.');
			}
			const taskId = String(raw ?? '').trim();
			if (!taskId) throw inputError('taskId', 'Task ID is empty', 'Map the taskId of a Create Task step, e.g. {{ $json.taskId }}.');
			return { taskId, options: readOptions(this, i) };
		},
		run: async (_i, p, slots) => {
			await slots.start(async () => undefined); // not after another item failed
			return await resultItems(this, client, { taskId: p.taskId, options: p.options }, slots);
		},
		summarize: (_i, out) => `done (task ${String(out[0]?.json.taskId)})`,
	});
}
