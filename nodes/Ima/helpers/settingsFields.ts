/** A model's settings as fields of the Model Settings resource mapper. */
import type { ResourceMapperField } from 'n8n-workflow';

import type { UserField } from './formFields';

/** At most this many characters of IMA's description in a field's name. */
const DESCRIPTION_CHARS = 100;

/**
 * The name a setting shows in Model Settings: IMA's label, the field's id when it differs, IMA's
 * own description of the field (a resource mapper field has no separate hint in n8n, so it goes
 * into the name), the range of a number and, for a virtual field, the field it is sent as.
 */
export function fieldDisplayName(f: UserField): string {
	const label = String(f.label ?? f.id).trim() || f.id;
	const parts = [label === f.id ? label : `${label} (${f.id})`];
	const description = String(f.description ?? '').replace(/\s+/g, ' ').trim();
	const notes: string[] = [];
	if (description && description.toLowerCase() !== label.toLowerCase() && description.toLowerCase() !== f.id.toLowerCase()) {
		notes.push(description.length > DESCRIPTION_CHARS ? `${description.slice(0, DESCRIPTION_CHARS - 1)}…` : description);
	}
	if (f.kind === 'number' && (f.min !== undefined || f.max !== undefined)) notes.push(`${f.min ?? '…'}–${f.max ?? '…'}`);
	if (f.kind === 'string' && f.maxLength !== undefined) notes.push(`up to ${f.maxLength} characters`);
	if (f.virtual && f.target !== f.id) notes.push(`sent as ${f.target}`);
	return notes.length ? `${parts[0]} — ${notes.join('; ')}` : parts[0];
}

export function toField(f: UserField): ResourceMapperField {
	return {
		id: f.id,
		displayName: fieldDisplayName(f),
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
