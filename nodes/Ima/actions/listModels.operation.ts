/** List Models: one item per model version of a task type, with parameters and prices. */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { describeRule } from '../helpers/credit';
import { modelFields } from '../helpers/formFields';
import { expectedTime, groupName } from '../helpers/productTree';
import type { ModelVersion } from '../helpers/types';
import { isTaskType, TASK_TYPES } from '../helpers/taskTypes';
import { taskTypeField } from './descriptions';
import { inputError } from './errors';
import { clientFor, runItems } from './scheduler';

// List Models loads nothing while editing, so its task type may be an expression (one list per item).
const properties: INodeProperties[] = [{ ...taskTypeField, noDataExpression: false }];

export const description = updateDisplayOptions({ show: { operation: ['listModels'] } }, properties);

export function modelSummary(version: ModelVersion, taskType: string): IDataObject {
	return {
		id: version.id,
		modelId: version.model_id,
		name: version.name,
		group: groupName(version),
		description: version.description ?? '',
		taskType,
		expectedTime: expectedTime(version) ?? null,
		parameters: modelFields(version, taskType).map((f) => {
			const p: IDataObject = { name: f.id, label: f.label, type: f.kind };
			if (f.description) p.description = f.description;
			if (f.options) p.options = f.options.map((o) => o.value);
			if (f.default !== undefined) p.default = f.default;
			if (f.virtual) p.sentAs = f.target;
			if (f.min !== undefined) p.min = f.min;
			if (f.max !== undefined) p.max = f.max;
			if (f.maxLength !== undefined) p.maxLength = f.maxLength;
			return p;
		}),
		prices: (version.credit_rules ?? []).map((r) => {
			const attributes = { ...(r.attributes ?? {}) } as IDataObject;
			const isDefault = attributes.default === 'enabled';
			delete attributes.default;
			return { credits: r.points, attributeId: r.attribute_id, attributes, default: isDefault, summary: describeRule(r) };
		}),
	};
}

/** Whether the saved Task Type is an expression (then each item may ask for another list). */
export function taskTypeIsExpression(ctx: IExecuteFunctions): boolean {
	const raw = (ctx.getNode().parameters ?? {}).taskType;
	return typeof raw === 'string' && raw.startsWith('=');
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const client = await clientFor(this);
	const perItem = taskTypeIsExpression(this);
	return await runItems(this, {
		client,
		concurrency: 1,
		prepare: async (i) => {
			if (!perItem && i > 0) return undefined; // a fixed task type: one list per execution
			const taskType = String(this.getNodeParameter('taskType', i, 'text_to_image'));
			if (!isTaskType(taskType)) {
				throw inputError('taskType', `Task Type "${taskType.slice(0, 60)}" is not known`, `Allowed values: ${TASK_TYPES.join(', ')}.`);
			}
			return taskType;
		},
		run: async (_i, taskType) => (taskType === undefined ? [] : (await client.products(taskType)).map((v) => ({ json: modelSummary(v, taskType) }))),
	});
}
