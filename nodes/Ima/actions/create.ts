/** Everything before the paid call (shared by Generate and Create Task), and the call itself. */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { buildCreatePlan, type CreatePlan } from '../helpers/createBody';
import { findModelVersion } from '../helpers/productTree';
import { isTaskType, takesImages, TASK_TYPES } from '../helpers/taskTypes';
import type { ImaCreatedTask, ModelVersion } from '../helpers/types';
import type { ImaClient } from '../transport';
import { ImaRequestError } from '../transport';
import { ItemError, type RunOptions } from './common';
import { prepareImages, type PreparedImages } from './images';

export interface PreparedCreate {
	taskType: string;
	version: ModelVersion;
	plan: CreatePlan;
	images: PreparedImages;
	options: RunOptions;
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
	return value as Record<string, unknown>;
}

export function readModelRef(ctx: IExecuteFunctions, itemIndex: number): string {
	const value = ctx.getNodeParameter('model', itemIndex, '', { extractValue: true }) as unknown;
	if (value && typeof value === 'object') return String((value as IDataObject).value ?? '').trim();
	return String(value ?? '').trim();
}

export async function resolveModel(ctx: IExecuteFunctions, client: ImaClient, taskType: string, ref: string, itemIndex: number): Promise<ModelVersion> {
	if (!ref) {
		throw new NodeOperationError(ctx.getNode(), 'Model is empty: pick a model from the list or enter its ID', {
			itemIndex,
			description: 'Parameter: model. Nothing was sent to IMA and nothing was charged.',
		});
	}
	const versions = await client.products(taskType);
	const version = findModelVersion(versions, ref);
	if (!version) {
		const known = versions.map((v) => `${v.id} (${v.name})`);
		throw new NodeOperationError(ctx.getNode(), `Model "${ref}" is not available for ${taskType}`, {
			itemIndex,
			description: `Parameter: model. Available models for ${taskType}: ${known.join(', ') || '(none)'}. Nothing was sent to IMA and nothing was charged.`,
		});
	}
	return version;
}

/** Validation and the create body for one item; no paid call happens here. */
export async function prepareCreate(ctx: IExecuteFunctions, client: ImaClient, itemIndex: number, options: RunOptions): Promise<PreparedCreate> {
	const taskType = String(ctx.getNodeParameter('taskType', itemIndex, 'text_to_image'));
	if (!isTaskType(taskType)) {
		throw new NodeOperationError(ctx.getNode(), `Task Type "${taskType}" is not known`, {
			itemIndex,
			description: `Parameter: taskType. Allowed values: ${TASK_TYPES.join(', ')}`,
		});
	}
	const prompt = String(ctx.getNodeParameter('prompt', itemIndex, '') ?? '');
	const ref = readModelRef(ctx, itemIndex);
	const version = await resolveModel(ctx, client, taskType, ref, itemIndex);
	const images = takesImages(taskType) ? await prepareImages(ctx, itemIndex, taskType) : { sources: [] };
	const plan = buildCreatePlan({
		version,
		taskType,
		prompt,
		settings: readModelSettings(ctx, itemIndex),
		n: options.n,
		// Placeholders stand in for binaries until they are uploaded (after validation).
		images: images.sources.map((s) => (s.kind === 'url' ? s.url : `binary:${s.property}`)),
	});
	return { taskType, version, plan, images, options };
}

/** The paid call. Never repeated unless the request provably never reached IMA. */
export async function createTask(client: ImaClient, prepared: PreparedCreate, imageUrls: string[]): Promise<ImaCreatedTask> {
	const body = prepared.plan.body;
	if (takesImages(prepared.taskType)) {
		body.src_img_url = imageUrls;
		body.parameters[0].parameters.input_images = imageUrls;
	}
	let failure: unknown;
	try {
		return await client.createTask(body as unknown as IDataObject);
	} catch (error) {
		failure = error;
	}
	if (failure instanceof ImaRequestError && failure.info.maybeProcessed && failure.info.kind !== 'business' && failure.info.kind !== 'cancelled') {
		throw new ItemError(`${failure.message}: the task may have been created on IMA`, {
			api: true,
			httpCode: failure.info.httpStatus,
			description: [
				failure.info.description,
				'IMA may have received the request and created (and charged) the task even though no answer arrived. The node did not send it again, so nothing is paid twice. Check your IMA task history before running this item again.',
			]
				.filter(Boolean)
				.join(' '),
		});
	}
	throw failure;
}
