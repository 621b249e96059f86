/** The create-task body, exactly as IMA's own client builds it. */
import { describeRule, selectCreditRule } from './credit';
import { allowedOutputCounts, modelFields, RESERVED_FIELDS, resolveSettings, SettingsError } from './formFields';
import { imageCountRange, takesImages } from './taskTypes';
import type { ImaCreditRule, ModelVersion } from './types';
import { normalizeRuleValue } from './credit';

export interface CreatePlan {
	body: {
		task_type: string;
		enable_multi_model: false;
		src_img_url: string[];
		parameters: Array<{
			attribute_id: number;
			model_id: string;
			model_name: string;
			model_version: string;
			app: 'ima';
			platform: 'web';
			category: string;
			credit: number;
			parameters: Record<string, unknown>;
		}>;
	};
	/** Credits for one output (the matched rule's points). */
	credit: number;
	/** Credits for the whole task: credit × n. */
	totalCredits: number;
	rule: ImaCreditRule;
	n: number;
	/** The nested parameters sent besides prompt, n, input_images and cast. */
	params: Record<string, unknown>;
}

export interface CreateInput {
	version: ModelVersion;
	taskType: string;
	prompt: string;
	settings?: Record<string, unknown>;
	n?: number;
	images?: string[];
	/** How many images the task takes, when not the task type's own range (Seedance 2.0 media). */
	imageRange?: [number, number];
	/**
	 * Additional Parameters (JSON): fields IMA takes before the model's form lists them (speech's
	 * `audio_params`), merged into the nested parameters; they take part in price-rule matching.
	 */
	additional?: Record<string, unknown>;
}

/** Keys the node sets itself: Additional Parameters may never override them. */
export const NODE_OWNED_FIELDS = new Set([...RESERVED_FIELDS, 'images', 'src_image', 'src_video', 'src_audio']);

/** A field name as IMA compares it: case and surrounding spaces ignored. */
export const fieldKey = (name: string) => String(name).trim().toLowerCase();
const NODE_OWNED = new Set([...NODE_OWNED_FIELDS].map(fieldKey));

/**
 * Checks Additional Parameters against the model: a key the node sets (prompt, n, cast, the
 * images) or a key of the model's form (set it in Model Settings, where it is checked) is refused.
 */
export function checkAdditional(version: ModelVersion, taskType: string, additional: Record<string, unknown>): void {
	const keys = Object.keys(additional);
	// IMA reads a field's name without regard to case or surrounding spaces: so does this check
	// ("Size" or " size " is the form's "size").
	const owned = keys.filter((k) => NODE_OWNED.has(fieldKey(k)));
	if (owned.length) {
		throw new SettingsError(
			'options.additionalParameters',
			`Additional Parameters (JSON) may not set ${owned.join(', ')}: the node sets ${owned.length === 1 ? 'it' : 'them'} (Prompt, Outputs per Task, the input images and the price)`,
		);
	}
	const formKeys = new Set<string>();
	for (const f of modelFields(version, taskType)) {
		formKeys.add(fieldKey(f.id));
		formKeys.add(fieldKey(f.target));
	}
	const inForm = keys.filter((k) => formKeys.has(fieldKey(k)));
	if (inForm.length) {
		throw new SettingsError(
			'options.additionalParameters',
			`Additional Parameters (JSON): ${inForm.join(', ')} ${inForm.length === 1 ? 'is a setting' : 'are settings'} of ${version.name}: set ${inForm.length === 1 ? 'it' : 'them'} in Model Settings (or Model Settings (JSON)), where the value is checked`,
		);
	}
}

/**
 * Validates everything that can be checked before a paid call and builds the body.
 * Throws SettingsError naming the parameter and, where there are any, the allowed values.
 */
export function buildCreatePlan(input: CreateInput): CreatePlan {
	const { version, taskType } = input;
	const prompt = typeof input.prompt === 'string' ? input.prompt.trim() : '';
	if (!prompt) throw new SettingsError('prompt', 'Prompt is empty: describe what IMA should make');

	const n = input.n ?? 1;
	if (!Number.isInteger(n) || n < 1 || n > 4) {
		throw new SettingsError('options.n', `Outputs per Task (n) must be a whole number from 1 to 4, got ${String(input.n)}`);
	}
	const counts = allowedOutputCounts(version);
	if (counts && !counts.some((c) => normalizeRuleValue(c) === normalizeRuleValue(n))) {
		throw new SettingsError(
			'options.n',
			`Outputs per Task (n) = ${n} is not available for ${version.name}. Allowed values: ${counts.map(String).join(', ')}`,
		);
	}

	const images = input.images ?? [];
	if (takesImages(taskType)) {
		const [min, max] = input.imageRange ?? imageCountRange(taskType);
		if (images.length < min || images.length > max) {
			const want = min === max ? `exactly ${min}` : `${min} to ${max}`;
			const extra = taskType === 'first_last_frame_to_video' ? ' (first frame, then last frame)' : '';
			throw new SettingsError('images', `${taskType} takes ${want} input image${max > 1 ? 's' : ''}${extra}, got ${images.length}`);
		}
	} else if (images.length) {
		throw new SettingsError('images', `${taskType} takes no input images`);
	}

	const additional = input.additional ?? {};
	checkAdditional(version, taskType, additional);
	const params: Record<string, unknown> = { ...resolveSettings(version, taskType, input.settings), ...additional };
	const match = selectCreditRule(version.credit_rules, params);
	if (!match.rule) {
		const sold = (version.credit_rules ?? []).map(describeRule).join('; ');
		const sent = Object.entries(params)
			.map(([k, v]) => `${k}=${v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
			.join(', ');
		throw new SettingsError(
			'modelSettings',
			`IMA does not sell ${version.name} with ${sent || 'these settings'}. Priced combinations: ${sold || '(none)'}`,
		);
	}
	const rule = match.rule;
	const credit = typeof rule.points === 'number' ? rule.points : Number(String(rule.points ?? '').trim() || NaN);
	const attributeId = typeof rule.attribute_id === 'number' ? rule.attribute_id : Number(String(rule.attribute_id ?? '').trim() || NaN);
	if (!Number.isFinite(credit) || credit < 0 || !Number.isFinite(attributeId)) {
		throw new SettingsError(
			'model',
			`IMA's product list has no usable price for ${version.name} (points ${JSON.stringify(rule.points)}, attribute_id ${JSON.stringify(rule.attribute_id)}): pick another model or try again later`,
		);
	}

	// IMA's runtime writes the chosen rule's attributes into the nested parameters, so the server
	// sees the exact combination it charges (a field the form hides, such as Midjourney's
	// resolution in text_to_image, is still sent). Values the user already sends are kept.
	const sentParams: Record<string, unknown> = { ...params };
	for (const [key, value] of Object.entries(rule.attributes ?? {})) {
		if (key === 'default' || RESERVED_FIELDS.has(key)) continue;
		const present = Object.prototype.hasOwnProperty.call(sentParams, key) ? sentParams[key] : undefined;
		if (present === undefined || normalizeRuleValue(present) !== normalizeRuleValue(value)) sentParams[key] = value;
	}

	const nested: Record<string, unknown> = {
		...sentParams,
		prompt,
		n,
		input_images: images,
		cast: { points: credit, attribute_id: attributeId },
	};
	return {
		body: {
			task_type: taskType,
			enable_multi_model: false,
			src_img_url: images,
			parameters: [
				{
					attribute_id: attributeId,
					model_id: version.model_id,
					model_name: version.name,
					model_version: version.id,
					app: 'ima',
					platform: 'web',
					category: taskType,
					credit,
					parameters: nested,
				},
			],
		},
		credit,
		totalCredits: credit * n,
		rule,
		n,
		params: sentParams,
	};
}
