/** Generate: create a task, wait for it inside the execution, output the media as binary. */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { clientFor, readOptions, resultItems, runItems, withTaskId } from './common';
import { createTask, prepareCreate } from './create';
import { resolveImageUrls } from './images';

export const description: INodeProperties[] = [];

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const first = readOptions(this, 0);
	const client = await clientFor(this, first);
	return await runItems(this, {
		client,
		concurrency: first.concurrency,
		slots: true,
		prepare: async (i) => await prepareCreate(this, client, i, readOptions(this, i)),
		run: async (i, prepared, slots) => {
			// Uploads and the paid create share the concurrency limit; the wait does not.
			const task = await slots.start(async () => await createTask(client, prepared, await resolveImageUrls(this, client, i, prepared.images)));
			try {
				return await resultItems(this, client, {
					taskId: task.id,
					taskType: prepared.taskType,
					expectedCount: prepared.plan.n,
					options: prepared.options,
					timeoutAt: task.timeout_at,
					model: prepared.version.model_id,
					modelVersion: prepared.version.id,
					credits: prepared.plan.credit,
				}, slots);
			} catch (error) {
				throw withTaskId(error, task.id, client);
			}
		},
		summarize: (_i, out) => {
			const ids = [...new Set(out.map((o) => o.json.taskId).filter(Boolean))];
			return ids.length ? `done (task ${ids.join(', ')})` : undefined;
		},
	});
}
