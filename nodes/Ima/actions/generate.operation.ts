/** Generate: create a task, wait for it inside the execution, output the media as binary. */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { eetOf } from '../helpers/checkSchedule';
import { settle } from '../helpers/pool';
import { createForItem } from '../create/createForItem';
import { prepareCreate, type PreparedCreate } from '../create/prepare';
import { finishRun } from '../create/runSummary';
import { createScope, keepingTaskIds, type CreateScope } from '../create/scope';
import { learnerKey } from '../results/expected';
import { resultItems } from '../results/outputItems';
import { withTaskId } from '../run/errors';
import { executionOptions, readOptions } from '../run/options';
import { clientFor, runItems, type ItemSlots } from '../run/scheduler';
import type { ImaClient } from '../transport';
import { CREATE_OPTIONS, createFields, optionsCollection, WAIT_OPTIONS } from './descriptions';
import { taskTypeFieldV1 } from './resources';

const properties: INodeProperties[] = [
	taskTypeFieldV1,
	...createFields,
	optionsCollection([...CREATE_OPTIONS, ...WAIT_OPTIONS]),
];

export const description = updateDisplayOptions({ show: { operation: ['generate'] } }, properties);

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const client = await clientFor(this);
	const scope = createScope(this);
	const { concurrency } = executionOptions(this);
	const output = await runItems(this, {
		client,
		concurrency,
		slots: true,
		prepare: async (i) => await prepareCreate(this, client, i, readOptions(this, i)),
		run: async (i, prepared, slots) => await keepingTaskIds(this, scope, i, async () => await generateItem(this, client, scope, i, prepared, slots)),
		summarize: (_i, out) => {
			const ids = [...new Set(out.map((o) => o.json.taskId).filter(Boolean))];
			return ids.length ? `done (task ${ids.join(', ')})` : undefined;
		},
	});
	finishRun(this, scope, output);
	return output;
}

/** One item: its task created (or the one an earlier try made), waited for, its media as items. */
async function generateItem(ctx: IExecuteFunctions, client: ImaClient, scope: CreateScope, i: number, prepared: PreparedCreate, slots: ItemSlots): Promise<INodeExecutionData[]> {
	// Uploads and the paid create share the concurrency limit; the wait does not.
	const task = await slots.start(async () => await createForItem(ctx, client, scope, i, prepared));
	// Checks sized to the version's expected time, counted from when the create was sent (the
	// task cannot be older; a task an earlier try made is of unknown age: fixed interval).
	const expected = { tag: eetOf(task.version), key: learnerKey(client, prepared.taskType, task.version.id), createdAt: task.reused ? undefined : task.sentAt };
	const req = {
		taskId: task.id,
		taskType: prepared.taskType,
		expectedCount: task.plan.n,
		options: prepared.options,
		timeoutAt: task.timeoutAt,
		expected,
		model: task.version.model_id,
		modelVersion: task.version.id,
		credits: task.plan.credit,
	};
	const r = await settle(async () => await resultItems(ctx, client, req, slots));
	if (r.status === 'fulfilled') return r.value;
	throw withTaskId(r.reason, task.id, client);
}
