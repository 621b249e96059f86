/**
 * Before any paid call: an item's parameters read and checked, its model resolved against IMA's
 * product list, its inputs read and checked (inputs/), and its create body and price planned
 * (helpers/createBody.ts). Bad input fails here, naming the parameter; nothing is sent.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { buildCreatePlan, type CreatePlan } from '../helpers/createBody';
import { SettingsError } from '../helpers/formFields';
import { findModelVersion } from '../helpers/productTree';
import { isSeedanceMedia, MEDIA_LIMITS } from '../helpers/referenceMedia';
import { isTaskType, takesImages, TASK_TYPES } from '../helpers/taskTypes';
import type { ModelVersion } from '../helpers/types';
import { prepareImages, type PreparedImages } from '../inputs/images';
import { prepareSeedanceMedia, type PreparedSeedanceMedia } from '../inputs/seedanceMedia';
import { inputError } from '../run/errors';
import type { RunOptions } from '../run/options';
import type { ImaClient } from '../transport';

export interface PreparedCreate {
	taskType: string;
	version: ModelVersion;
	plan: CreatePlan;
	images: PreparedImages;
	options: RunOptions;
	/** The inputs of the plan, to build it again from a reloaded product list. */
	prompt: string;
	settings: Record<string, unknown>;
	/** Seedance 2.0 media (ima-pro, ima-pro-fast): every input read and checked. */
	seedance?: PreparedSeedanceMedia;
}

/** Reads a resource mapper's values; tolerant of workflows saved without it. */
export function readModelSettings(ctx: IExecuteFunctions, itemIndex: number): Record<string, unknown> {
	let raw: unknown;
	try {
		raw = ctx.getNodeParameter('modelSettings', itemIndex, {});
	} catch {
		return {};
	}
	const value = raw && typeof raw === 'object' ? (raw as IDataObject).value : undefined;
	if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
	// Own keys only: a field named "constructor" must never read Object's.
	const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
	for (const key of Object.keys(value)) out[key] = (value as IDataObject)[key];
	return out;
}

export function readModelRef(ctx: IExecuteFunctions, itemIndex: number): string {
	const value = ctx.getNodeParameter('model', itemIndex, '', { extractValue: true }) as unknown;
	if (value && typeof value === 'object') return String((value as IDataObject).value ?? '').trim();
	return String(value ?? '').trim();
}

/** The prompt as text: a string or a number; an object or a list is refused, never "[object Object]". */
export function readPrompt(ctx: IExecuteFunctions, itemIndex: number): string {
	const raw = ctx.getNodeParameter('prompt', itemIndex, '') as unknown;
	if (raw === undefined || raw === null) return '';
	if (typeof raw === 'string') return raw;
	if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
	const what = Array.isArray(raw) ? 'a list' : typeof raw === 'object' ? 'an object' : `a ${typeof raw}`;
	throw inputError('prompt', `Prompt must be text, but its expression gave ${what}`, 'Map a text field, e.g. {{ $json.text }}, or use JSON.stringify() in the expression if you mean the JSON.');
}

export async function resolveModel(ctx: IExecuteFunctions, client: ImaClient, taskType: string, ref: string): Promise<ModelVersion> {
	if (!ref) throw inputError('model', 'Model is empty: pick a model from the list or enter its ID');
	const versions = await client.products(taskType);
	const version = findModelVersion(versions, ref);
	if (!version) {
		const known = versions.map((v) => `${v.id} (${v.name})`);
		throw inputError('model', `Model "${ref}" is not available for ${taskType}`, `Available models for ${taskType}: ${known.join(', ') || '(none)'}.`);
	}
	return version;
}

/** Validation and the create body for one item; no paid call happens here. */
export async function prepareCreate(ctx: IExecuteFunctions, client: ImaClient, itemIndex: number, options: RunOptions): Promise<PreparedCreate> {
	const taskType = String(ctx.getNodeParameter('taskType', itemIndex, 'text_to_image'));
	if (!isTaskType(taskType)) {
		throw inputError('taskType', `Task Type "${taskType.slice(0, 60)}" is not known`, `Allowed values: ${TASK_TYPES.join(', ')}.`);
	}
	const prompt = readPrompt(ctx, itemIndex);
	const ref = readModelRef(ctx, itemIndex);
	const version = await resolveModel(ctx, client, taskType, ref);
	const images = takesImages(taskType) ? await prepareImages(ctx, itemIndex, taskType) : { sources: [] };
	// Model Settings (JSON) wins over the Model Settings list for a setting given in both.
	const settings = { ...readModelSettings(ctx, itemIndex), ...options.modelSettingsJson };
	let plan: CreatePlan;
	try {
		plan = planFor(version, taskType, prompt, settings, options, images);
	} catch (error) {
		throw fromJsonSettings(error, options.modelSettingsJson);
	}
	// Seedance 2.0 media: every input is read and every limit checked here, before any upload.
	const seedance = takesImages(taskType)
		? await prepareSeedanceMedia(ctx, client, itemIndex, taskType, String(version.model_id ?? ''), version.name, images, options.allowedMediaHosts)
		: undefined;
	return { taskType, version, plan, images, options, prompt, settings, seedance };
}

/** A settings error about a key given in Model Settings (JSON) names that option. */
export function fromJsonSettings(error: unknown, json: Record<string, unknown>): unknown {
	if (!(error instanceof SettingsError)) return error;
	const keys = error.parameter.split(/,\s*/);
	if (!keys.some((k) => Object.prototype.hasOwnProperty.call(json, k))) return error;
	return new SettingsError(`options.modelSettingsJson (${error.parameter})`, error.message.replace(/^Model Settings → /, 'Model Settings (JSON) → '));
}

export function planFor(version: ModelVersion, taskType: string, prompt: string, settings: Record<string, unknown>, options: RunOptions, images: PreparedImages): CreatePlan {
	// Seedance 2.0 in Reference Image to Video may take videos or audio only (0 to 9 images);
	// prepareSeedanceMedia checks the counts of every kind.
	const seedanceReference = taskType === 'reference_image_to_video' && isSeedanceMedia(String(version.model_id ?? ''), taskType);
	return buildCreatePlan({
		imageRange: seedanceReference ? [0, MEDIA_LIMITS.maxImages] : undefined,
		version,
		taskType,
		prompt,
		settings,
		n: options.n,
		additional: options.additionalParameters,
		// Placeholders stand in for binaries until they are uploaded (after validation).
		images: images.sources.map((s) => (s.kind === 'url' ? s.url : `binary:${s.property}`)),
	});
}
