/** Create Task: create a task and output its id at once (for Wait nodes or stored ids). */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { eetOf } from '../helpers/checkSchedule';
import type { ModelVersion } from '../helpers/types';
import { createForItem } from '../create/createForItem';
import { prepareCreate } from '../create/prepare';
import { finishRun } from '../create/runSummary';
import { createScope, keepingTaskIds } from '../create/scope';
import { executionOptions, readOptions } from '../run/options';
import { clientFor, runItems } from '../run/scheduler';
import { CREATE_OPTIONS, createFields, OPTION, optionsCollection } from './descriptions';
import { taskTypeFieldV1 } from './resources';

const properties: INodeProperties[] = [
	taskTypeFieldV1,
	...createFields,
	// Create Task downloads nothing, but reads the header of Seedance 2.0 input URLs.
	optionsCollection([...CREATE_OPTIONS, OPTION.allowedMediaHosts]),
];

export const description = updateDisplayOptions({ show: { operation: ['createTask'] } }, properties);

/** The version's expected time (its EET tag) in seconds, for Wait for Result and Check Task to size their checks. */
function expectedSeconds(version: ModelVersion): IDataObject {
	const eet = eetOf(version);
	return eet ? { expectedSeconds: { min: eet.startMs / 1000, max: eet.endMs / 1000 } } : {};
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const client = await clientFor(this);
	const scope = createScope(this);
	const output = await runItems(this, {
		client,
		concurrency: executionOptions(this).concurrency,
		prepare: async (i) => await prepareCreate(this, client, i, readOptions(this, i)),
		run: async (i, prepared) => {
			const task = await keepingTaskIds(this, scope, i, async () => await createForItem(this, client, scope, i, prepared));
			const json: IDataObject = {
				taskId: task.id,
				taskType: prepared.taskType,
				model: task.version.model_id,
				modelVersion: task.version.id,
				credits: task.plan.totalCredits,
				...(task.createdAt ? { createdAt: task.createdAt } : {}),
				...expectedSeconds(task.version),
			};
			return [{ json }];
		},
		summarize: (_i, out) => `created task ${String(out[0]?.json.taskId)}`,
	});
	finishRun(this, scope, output);
	return output;
}
