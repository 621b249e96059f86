/** List Models: one item per model version of a task type, with parameters and prices. */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { describeRule } from '../helpers/credit';
import { modelFields } from '../helpers/formFields';
import { expectedTime, groupName } from '../helpers/productTree';
import type { ModelVersion } from '../helpers/types';
import { taskTypeField } from './descriptions';
import { clientFor, runItems } from './scheduler';

const properties: INodeProperties[] = [taskTypeField];

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

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const client = await clientFor(this);
	return await runItems(this, {
		client,
		concurrency: 1,
		prepare: async (i) => String(this.getNodeParameter('taskType', i, 'text_to_image')),
		run: async (_i, taskType) => (await client.products(taskType)).map((v) => ({ json: modelSummary(v, taskType) })),
	});
}
