/**
 * A model's parameters (`form_config`) as the user sees them, and back to what is sent.
 * Virtual fields are shown by their `ui_params` and mapped back through `value_mapping`;
 * options and whole fields disabled for the task type are left out.
 */
import { normalizeRuleValue } from './credit';
import type { ImaFormField, ImaOption, ModelVersion, Primitive } from './types';

export type FieldKind = 'options' | 'boolean' | 'string' | 'number';

export interface UserField {
	/** The name the user sets (a `ui_params` field for virtual fields). */
	id: string;
	label: string;
	description?: string;
	kind: FieldKind;
	/** Allowed values (original types), for `options` fields. */
	options?: Array<{ label: string; value: Primitive }>;
	default?: Primitive;
	/** The form field this one is sent as. */
	target: string;
	virtual: boolean;
	min?: number;
	max?: number;
	maxLength?: number;
}

/** Keys the create body sets itself; a model field of that name is not user-settable here. */
export const RESERVED_FIELDS = new Set(['prompt', 'n', 'input_images', 'cast', 'src_img_url']);

export class SettingsError extends Error {
	constructor(
		public readonly parameter: string,
		message: string,
	) {
		super(message);
		this.name = 'SettingsError';
	}
}

const same = (a: unknown, b: unknown) => normalizeRuleValue(a) === normalizeRuleValue(b);

function fieldKind(type: string | undefined, options: ImaOption[] | undefined, sample: unknown): FieldKind {
	const t = String(type ?? '').toLowerCase();
	if (options && options.length) return 'options';
	if (['toggle', 'switch', 'boolean', 'checkbox'].includes(t)) return 'boolean';
	if (['number', 'slider', 'input_number', 'inputnumber', 'integer', 'float'].includes(t)) return 'number';
	if (t === 'tags' || t === 'select') return 'options';
	if (typeof sample === 'boolean') return 'boolean';
	if (typeof sample === 'number') return 'number';
	return 'string';
}

/** Is the whole field disabled for this category (`enum_value: "*"` without a condition)? */
function fieldDisabled(field: ImaFormField, category: string): boolean {
	return (field.disabled_conditions ?? []).some(
		(c) => c.category === category && String(c.enum_value) === '*' && !c.disabled_key,
	);
}

/** Is this option value disabled for this category (unconditionally)? */
function optionDisabled(field: ImaFormField, category: string, value: Primitive): boolean {
	return (field.disabled_conditions ?? []).some(
		(c) =>
			c.category === category &&
			!c.disabled_key &&
			String(c.enum_value) !== '*' &&
			same(c.enum_value, value),
	);
}

function allowedOptions(field: ImaFormField, category: string): Array<{ label: string; value: Primitive }> {
	return (field.options ?? [])
		.filter((o) => o && o.value !== undefined && o.value !== null)
		.filter((o) => !optionDisabled(field, category, o.value))
		.map((o) => ({ label: String(o.label ?? o.value), value: o.value }));
}

function pickDefault(
	kind: FieldKind,
	value: Primitive | null | undefined,
	options: Array<{ label: string; value: Primitive }> | undefined,
): Primitive | undefined {
	if (kind === 'options' && options) {
		const hit = value === null || value === undefined ? undefined : options.find((o) => same(o.value, value));
		if (hit) return hit.value;
		return options.length ? options[0].value : undefined;
	}
	if (value === null || value === undefined) return undefined;
	return value;
}

/** The fields a user can set for this model in this task type, in IMA's order. */
export function modelFields(version: ModelVersion, category: string): UserField[] {
	const out: UserField[] = [];
	for (const field of version.form_config ?? []) {
		if (!field || !field.field || RESERVED_FIELDS.has(field.field)) continue;
		if (fieldDisabled(field, category)) continue;
		if (field.is_ui_virtual && field.ui_params && field.ui_params.length) {
			for (const ui of field.ui_params) {
				if (!ui.field || RESERVED_FIELDS.has(ui.field)) continue;
				const options = (ui.options ?? [])
					.filter((o) => o && o.value !== undefined && o.value !== null)
					.map((o) => ({ label: String(o.label ?? o.value), value: o.value }));
				const kind = fieldKind(ui.type, options, ui.value);
				out.push({
					id: ui.field,
					label: ui.label ?? field.label ?? ui.field,
					description: ui.description ?? field.description,
					kind,
					options: kind === 'options' ? options : undefined,
					default: pickDefault(kind, ui.value, kind === 'options' ? options : undefined),
					target: field.field,
					virtual: true,
				});
			}
			continue;
		}
		const options = allowedOptions(field, category);
		const kind = fieldKind(field.type, field.options, field.value);
		const cfg = field.config ?? {};
		out.push({
			id: field.field,
			label: field.label ?? field.field,
			description: field.description,
			kind,
			options: kind === 'options' ? options : undefined,
			default: pickDefault(kind, field.value, kind === 'options' ? options : undefined),
			target: field.field,
			virtual: false,
			min: kind === 'number' ? cfg.minimum : undefined,
			max: kind === 'number' ? cfg.maximum : undefined,
			maxLength: kind === 'string' && typeof cfg.maximum === 'number' ? cfg.maximum : undefined,
		});
	}
	return out;
}

const isUnset = (v: unknown) => v === undefined || v === null || v === '';

function listValues(options: Array<{ value: Primitive }>): string {
	return options.map((o) => String(o.value)).join(', ');
}

function coerce(field: UserField, raw: unknown, modelName: string): Primitive {
	const name = `Model Settings → ${field.id}`;
	switch (field.kind) {
		case 'options': {
			const hit = (field.options ?? []).find((o) => same(o.value, raw));
			if (!hit) {
				throw new SettingsError(
					field.id,
					`${name}: "${String(raw)}" is not available for ${modelName}. Allowed values: ${listValues(field.options ?? [])}`,
				);
			}
			return hit.value;
		}
		case 'boolean': {
			if (typeof raw === 'boolean') return raw;
			const s = String(raw).trim().toLowerCase();
			if (s === 'true') return true;
			if (s === 'false') return false;
			throw new SettingsError(field.id, `${name}: "${String(raw)}" is not a boolean. Allowed values: true, false`);
		}
		case 'number': {
			const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
			if (!Number.isFinite(n)) throw new SettingsError(field.id, `${name}: "${String(raw)}" is not a number`);
			if (field.min !== undefined && n < field.min) {
				throw new SettingsError(field.id, `${name}: ${n} is below the minimum ${field.min}`);
			}
			if (field.max !== undefined && n > field.max) {
				throw new SettingsError(field.id, `${name}: ${n} is above the maximum ${field.max}`);
			}
			return n;
		}
		default: {
			const s = typeof raw === 'string' ? raw : typeof raw === 'object' ? JSON.stringify(raw) : String(raw);
			if (field.maxLength !== undefined && s.length > field.maxLength) {
				throw new SettingsError(field.id, `${name}: ${s.length} characters, at most ${field.maxLength} are allowed`);
			}
			return s;
		}
	}
}

/**
 * Turns the user's settings (unset ones take the model's defaults) into the parameters sent to
 * IMA. Throws a SettingsError naming the parameter and the allowed values.
 */
export function resolveSettings(version: ModelVersion, category: string, userValues: Record<string, unknown> | undefined): Record<string, Primitive> {
	const fields = modelFields(version, category);
	const values = knownValues(version, category, fields, userValues);
	const chosen = new Map<string, Primitive | undefined>();
	for (const f of fields) {
		const raw = values[f.id];
		chosen.set(f.id, isUnset(raw) ? f.default : coerce(f, raw, version.name));
	}
	const params: Record<string, Primitive> = Object.create(null) as Record<string, Primitive>;
	for (const form of version.form_config ?? []) {
		if (!form || !form.field || RESERVED_FIELDS.has(form.field) || fieldDisabled(form, category)) continue;
		if (form.is_ui_virtual && form.ui_params && form.ui_params.length) {
			params[form.field] = virtualValue(version, category, form, fields, values, chosen);
			continue;
		}
		const value = chosen.get(form.field);
		if (value !== undefined) params[form.field] = value;
	}
	checkDisabledConditions(version, category, params);
	return params;
}

/** The user's values, own keys only; a key that is not a parameter of the model is refused. */
function knownValues(version: ModelVersion, category: string, fields: UserField[], userValues: Record<string, unknown> | undefined): Record<string, unknown> {
	const byId = new Map(fields.map((f) => [f.id, f]));
	// Own keys only: a model field named "constructor" or "toString" must never read Object's.
	const values: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
	for (const key of Object.keys(userValues ?? {})) values[key] = (userValues as Record<string, unknown>)[key];
	for (const [key, value] of Object.entries(values)) {
		if (isUnset(value)) continue;
		if (!byId.has(key)) {
			const known = fields.map((f) => f.id).join(', ') || '(none)';
			throw new SettingsError(
				key,
				`Model Settings → ${key} is not a parameter of ${version.name} for ${category}. Its parameters: ${known}`,
			);
		}
	}
	return values;
}

/** The value of a virtual field: its UI fields' values mapped through `value_mapping`. */
function virtualValue(version: ModelVersion, category: string, form: ImaFormField, fields: UserField[], values: Record<string, unknown>, chosen: Map<string, Primitive | undefined>): Primitive {
	const uiFields = fields.filter((f) => f.virtual && f.target === form.field);
	const picked: Record<string, Primitive | undefined> = {};
	for (const f of uiFields) picked[f.id] = chosen.get(f.id);
	const rules = form.value_mapping?.mapping_rules ?? [];
	const combos = () =>
		rules
			.map((r) => Object.entries(r.source_values ?? {}).map(([k, v]) => `${k}=${String(v)}`).join(' & '))
			.join('; ');
	// A virtual group (several UI fields sent together as one field, IMA's runtime's
	// `virtual_groups`): every field of the group is given, or none (then the defaults).
	if (uiFields.length > 1) {
		const given = uiFields.filter((f) => !isUnset(values[f.id]));
		if (given.length && given.length < uiFields.length) {
			const missing = uiFields.filter((f) => isUnset(values[f.id])).map((f) => f.id);
			throw new SettingsError(
				missing.join(', '),
				`Model Settings → ${missing.join(', ')}: ${version.name} sends ${uiFields.map((f) => f.id).join(', ')} together as ${form.field}; set every one of them (${given.map((f) => `${f.id}=${String(picked[f.id])}`).join(', ')} given). Allowed values: ${combos()}`,
			);
		}
	}
	const rule = rules.find((r) =>
		Object.entries(r.source_values ?? {}).every(([k, v]) => picked[k] !== undefined && same(picked[k], v)),
	);
	const userSet = uiFields.some((f) => !isUnset(values[f.id]));
	if (!rule) {
		if (!userSet && form.value !== null && form.value !== undefined) return form.value;
		const param = uiFields.map((f) => f.id).join(', ') || form.field;
		throw new SettingsError(
			param,
			`Model Settings → ${param}: ${uiFields.map((f) => `${f.id}=${String(picked[f.id])}`).join(', ')} is not available for ${version.name}. Allowed values: ${combos()}`,
		);
	}
	const target = rule.target_value;
	// The mapped value may be one the form does not list (ima-pro: adaptive → auto); only
	// a value disabled for this category is refused.
	if (optionDisabled(form, category, target)) {
		const param = uiFields.map((f) => f.id).join(', ');
		const ok = rules
			.filter((r) => !optionDisabled(form, category, r.target_value))
			.map((r) => Object.values(r.source_values ?? {}).map(String).join(' & '));
		throw new SettingsError(
			param,
			`Model Settings → ${param}: ${Object.values(picked).map(String).join(' & ')} is not available for ${version.name} in ${category}. Allowed values: ${ok.join(', ')}`,
		);
	}
	return target;
}

/**
 * Conditional disabling: `disabled_key`/`disabled_value` make an option unavailable while
 * another parameter has a given value.
 */
function checkDisabledConditions(version: ModelVersion, category: string, params: Record<string, Primitive>): void {
	for (const form of version.form_config ?? []) {
		for (const c of form.disabled_conditions ?? []) {
			if (c.category !== category || !c.disabled_key) continue;
			const value = params[form.field];
			if (value === undefined || !same(params[c.disabled_key], c.disabled_value)) continue;
			if (String(c.enum_value) === '*' || same(c.enum_value, value)) {
				throw new SettingsError(
					form.field,
					`Model Settings → ${form.field}: "${String(value)}" is not available for ${version.name} while ${c.disabled_key} is ${String(c.disabled_value)}`,
				);
			}
		}
	}
}

/** The model's `n` field, if it restricts how many outputs a task may make (Midjourney: only 1). */
export function allowedOutputCounts(version: ModelVersion): Primitive[] | undefined {
	const field = (version.form_config ?? []).find((f) => f.field === 'n');
	const options = field?.options?.map((o) => o.value);
	return options && options.length ? options : undefined;
}
