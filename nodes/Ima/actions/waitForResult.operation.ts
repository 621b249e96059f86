/** Wait for Result: wait for a task id and output its media exactly as Generate does. */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { clientFor, readOptions, resultItems, runItems } from './common';

export const description: INodeProperties[] = [
	{
		displayName: 'Task ID',
		name: 'taskId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. {{ $json.taskId }}',
		description: 'The ID of an IMA task, usually from a Create Task step by expression',
		displayOptions: { show: { operation: ['waitForResult'] } },
	},
];

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const first = readOptions(this, 0);
	const client = await clientFor(this, first);
	return await runItems(this, {
		client,
		concurrency: first.concurrency,
		slots: true,
		prepare: async (i) => {
			const taskId = String(this.getNodeParameter('taskId', i, '') ?? '').trim();
			if (!taskId) {
				throw new NodeOperationError(this.getNode(), 'Task ID is empty', {
					itemIndex: i,
					description: 'Parameter: taskId. Map the taskId of a Create Task step, e.g. {{ $json.taskId }}.',
				});
			}
			return { taskId, options: readOptions(this, i) };
		},
		run: async (_i, p, slots) => {
			await slots.start(async () => undefined); // not after another item failed
			return await resultItems(this, client, { taskId: p.taskId, options: p.options }, slots);
		},
		summarize: (_i, out) => `done (task ${String(out[0]?.json.taskId)})`,
	});
}
