/** Wait for Result: wait for a task id and output its media exactly as Generate does. */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { OPTION, optionsCollection, taskIdField, WAIT_OPTIONS } from './descriptions';
import { executionOptions, readOptions, readTaskId } from '../run/options';
import { taskHint } from '../results/expected';
import { resultItems } from '../results/outputItems';
import { clientFor, runItems } from '../run/scheduler';

const properties: INodeProperties[] = [taskIdField, optionsCollection([OPTION.concurrency, OPTION.requestTimeout, ...WAIT_OPTIONS])];

export const description = updateDisplayOptions({ show: { operation: ['waitForResult'] } }, properties);

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const client = await clientFor(this);
	return await runItems(this, {
		client,
		concurrency: executionOptions(this).concurrency,
		slots: true,
		prepare: async (i) => ({ taskId: readTaskId(this, i), options: readOptions(this, i) }),
		run: async (i, p, slots) => {
			await slots.start(async () => undefined); // not after another item failed
			// Create Task's output says when the task was made and what it is: checks sized to its expected time.
			const hint = taskHint(this.getInputData()[i]?.json, p.taskId);
			return await resultItems(this, client, { taskId: p.taskId, options: p.options, hint }, slots);
		},
		summarize: (_i, out) => `done (task ${String(out[0]?.json.taskId)})`,
	});
}
