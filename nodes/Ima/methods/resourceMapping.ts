/** The selected model's own parameters, as resource mapper fields. */
import type { ILoadOptionsFunctions, ResourceMapperFields } from 'n8n-workflow';

import { cleanLoadOptions } from '../run/exit';
import { modelFields } from '../helpers/formFields';
import { toField } from '../helpers/settingsFields';
import { findModelVersion } from '../helpers/productTree';
import { ImaClient } from '../transport';

export async function getModelSettings(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	return await cleanLoadOptions(this, async () => await settingsFields(this));
}

async function settingsFields(ctx: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	const taskType = String(ctx.getNodeParameter('taskType', 'text_to_image') ?? 'text_to_image');
	const ref = ctx.getNodeParameter('model', '', { extractValue: true }) as unknown;
	const id = ref && typeof ref === 'object' ? String((ref as { value?: unknown }).value ?? '') : String(ref ?? '');
	if (!id.trim()) return { fields: [], emptyFieldsNotice: 'Pick a model first' };
	const client = await ImaClient.forContext(ctx, { maxAttempts: 3 });
	const version = findModelVersion(await client.products(taskType), id);
	if (!version) return { fields: [], emptyFieldsNotice: `Model "${id}" is not available for ${taskType}` };
	return { fields: modelFields(version, taskType).map(toField) };
}
