/** The selected model's own parameters, as resource mapper fields. */
import type { ILoadOptionsFunctions, ResourceMapperField, ResourceMapperFields } from 'n8n-workflow';

import { modelFields, type UserField } from '../helpers/formFields';
import { findModelVersion } from '../helpers/productTree';
import { ImaClient } from '../transport';

function toField(f: UserField): ResourceMapperField {
	const hint = [f.description, f.virtual && f.target !== f.id ? `sent as ${f.target}` : ''].filter(Boolean).join(' — ');
	return {
		id: f.id,
		displayName: hint ? `${f.label} (${f.id})` : f.label,
		required: false,
		defaultMatch: false,
		display: true,
		canBeUsedToMatch: false,
		type: f.kind === 'options' ? 'options' : f.kind,
		options: f.options?.map((o) => ({
			name: o.label,
			value: o.value as string | number | boolean,
			// The sent value under the label only when they differ (e.g. "16:9" sent as "2560x1440").
			...(String(o.label) !== String(o.value) ? { description: String(o.value) } : {}),
		})),
		defaultValue: f.default ?? null,
	};
}

export async function getModelSettings(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	const taskType = String(this.getNodeParameter('taskType', 'text_to_image') ?? 'text_to_image');
	const ref = this.getNodeParameter('model', '', { extractValue: true }) as unknown;
	const id = ref && typeof ref === 'object' ? String((ref as { value?: unknown }).value ?? '') : String(ref ?? '');
	if (!id.trim()) return { fields: [], emptyFieldsNotice: 'Pick a model first' };
	const client = await ImaClient.forContext(this, { maxAttempts: 3 });
	const version = findModelVersion(await client.products(taskType), id);
	if (!version) return { fields: [], emptyFieldsNotice: `Model "${id}" is not available for ${taskType}` };
	return { fields: modelFields(version, taskType).map(toField) };
}
