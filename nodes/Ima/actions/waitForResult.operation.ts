/** Wait for Result: wait for a task id and output its media exactly as Generate does. */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { executionOptions, readOptions, readTaskId } from './options';
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
			return { taskId: readTaskId(this, i), options: readOptions(this, i) };
		},
		run: async (_i, p, slots) => {
			await slots.start(async () => undefined); // not after another item failed
			return await resultItems(this, client, { taskId: p.taskId, options: p.options }, slots);
		},
		summarize: (_i, out) => `done (task ${String(out[0]?.json.taskId)})`,
	});
}
