/** Create Task: create a task and output its id at once (for Wait nodes or stored ids). */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { clientFor, readOptions, runItems } from './common';
import { createTask, prepareCreate } from './create';
import { resolveImageUrls } from './images';

export const description: INodeProperties[] = [];

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const first = readOptions(this, 0);
	const client = await clientFor(this, first);
	return await runItems(this, {
		client,
		concurrency: first.concurrency,
		prepare: async (i) => await prepareCreate(this, client, i, readOptions(this, i)),
		run: async (i, prepared) => {
			const urls = await resolveImageUrls(this, client, i, prepared.images);
			const task = await createTask(client, prepared, urls);
			return [
				{
					json: {
						taskId: task.id,
						taskType: prepared.taskType,
						model: prepared.version.model_id,
						modelVersion: prepared.version.id,
						credits: prepared.plan.totalCredits,
					},
				},
			];
		},
		summarize: (_i, out) => `created task ${String(out[0]?.json.taskId)}`,
	});
}
