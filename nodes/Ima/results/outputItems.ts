/**
 * A finished task's media as output items (Generate, Wait for Result, Check Task's Done output):
 * one item per media with the file streamed into n8n's binary store, or one summary per task; a
 * finished media is never thrown away (it is paid for).
 */
import type { IBinaryKeyData, IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { mediaFileName, mediaFileType } from '../helpers/media';
import type { DoneMedia, FailedMedia } from '../helpers/polling';
import { mediaKindOf, type MediaKind } from '../helpers/taskTypes';
import { ItemError } from '../run/errors';
import type { RunOptions } from '../run/options';
import { UNLIMITED, type ItemSlots } from '../run/scheduler';
import { ImaClient, ImaRequestError } from '../transport';
import { waitForTask, type WaitRequest, type WaitResult } from './wait';

export interface MediaContext {
	taskId: string;
	taskType?: string;
	kind: MediaKind;
	model?: string;
	modelVersion?: string;
	/** Credits of one media (the matched rule's points), when known. */
	credits?: number;
	options: RunOptions;
}

function mediaJson(m: DoneMedia, c: MediaContext): IDataObject {
	const json: IDataObject = { taskId: c.taskId };
	if (c.taskType) json.taskType = c.taskType;
	if (c.model) json.model = c.model;
	if (c.modelVersion) json.modelVersion = c.modelVersion;
	json.index = m.index;
	json.url = m.url;
	if (m.coverUrl) json.coverUrl = m.coverUrl;
	if (m.format) json.format = m.format;
	for (const key of ['width', 'height', 'duration'] as const) if (m[key] !== undefined) json[key] = m[key];
	if (c.credits !== undefined) json.credits = c.credits;
	return json;
}

async function attach(ctx: IExecuteFunctions, client: ImaClient, url: string, kind: MediaKind, format: string | undefined, fileName: (ext: string) => string, options: RunOptions) {
	// Streamed into n8n's binary store; a stalled download is resumed (Request Timeout is the stall bound).
	const limits = { maxBytes: options.maxDownloadBytes, totalTimeoutMs: options.downloadTimeout * 1000, allowedHosts: options.allowedMediaHosts };
	return await client.downloadMedia(url, limits, async (dl) => {
		const type = mediaFileType({ kind, contentType: dl.contentType, format, url });
		return await ctx.helpers.prepareBinaryData(dl.stream, fileName(type.extension), type.mimeType);
	});
}

/**
 * One output item per done media, with the file attached (streamed into n8n's binary storage).
 * A failed download fails the item with the task id and the URLs; media already attached are
 * kept in the error (Continue On Fail outputs them).
 */
export async function mediaItems(ctx: IExecuteFunctions, client: ImaClient, done: DoneMedia[], c: MediaContext): Promise<{ items: INodeExecutionData[]; failure?: ItemError }> {
	const out: INodeExecutionData[] = [];
	const prop = c.options.binaryPropertyName;
	// Made safe for a file name, a task id can no longer be recognised: the key is removed first.
	const idForFile = client.clean(c.taskId);
	for (const m of [...done].sort((a, b) => a.index - b.index)) {
		const item: INodeExecutionData = { json: mediaJson(m, c) };
		if (c.options.download) {
			try {
				item.binary = {
					[prop]: await attach(ctx, client, m.url, c.kind, m.format, (ext) => mediaFileName(idForFile, m.index, ext), c.options),
				};
				if (c.options.downloadCover && m.coverUrl) {
					item.binary[`${prop}Cover`] = await attach(ctx, client, m.coverUrl, 'image', undefined, (ext) =>
						mediaFileName(idForFile, m.index, ext, '-cover'),
						c.options,
					);
				}
			} catch (error) {
				const reason = error instanceof Error ? error.message : String(error);
				const refused = error instanceof ImaRequestError && error.info.kind === 'refused' ? error.info : undefined;
				// A second try fetches the same URL: worth it unless the node would refuse it again.
				const again = !refused ? 'to download it again' : refused.allowable ? 'after allowing the host to download it' : undefined;
				const failure = new ItemError(`IMA task ${c.taskId} finished, but downloading media ${m.index} failed: ${reason}`, {
					taskId: c.taskId,
					charge: 'charged',
					api: error instanceof ImaRequestError,
					httpCode: error instanceof ImaRequestError ? error.info.httpStatus : undefined,
					description: [
						// Why a URL was not requested (the key in it, a private host) and what to do.
						refused?.description,
						again ? `The media is at ${m.url}. Run "Wait for Result" with task ID ${c.taskId} ${again}.` : undefined,
					]
						.filter(Boolean)
						.join(' '),
					partial: out,
				});
				return { items: out, failure };
			}
		}
		out.push(item);
	}
	return { items: out };
}

/** The error for a task with failed media (after keeping the done ones). */
export function failedMediaError(c: MediaContext, failed: FailedMedia[], partial: INodeExecutionData[]): ItemError {
	const reasons = failed.map((f) => `media ${f.index}: ${f.reason}`).join('; ');
	const doneNote = partial.length ? ` ${partial.length} other media finished and are kept (${partial.map((p) => String(p.json.url)).join(', ')}).` : '';
	return new ItemError(`IMA task ${c.taskId} failed — ${reasons}`, {
		taskId: c.taskId,
		charge: 'charged',
		api: true,
		description: `IMA could not make the media (${reasons}). Check the prompt and settings; the credits of a failed media are IMA's to refund.${doneNote}`,
		partial,
	});
}

/** A wait request with what the output items say about the model (Generate). */
type ResultRequest = WaitRequest & { model?: string; modelVersion?: string; credits?: number };

/** Waits for a task and turns it into output items (Generate and Wait for Result). */
export async function resultItems(ctx: IExecuteFunctions, client: ImaClient, req: ResultRequest, slots: ItemSlots = UNLIMITED): Promise<INodeExecutionData[]> {
	let waited: WaitResult | undefined;
	let waitFailure: unknown;
	try {
		waited = await waitForTask(client, req);
	} catch (error) {
		waitFailure = error;
	}
	if (!waited) throw await keepFinished(ctx, client, req, waitFailure, slots);
	const { state, taskType, kind } = waited;
	const c = mediaContext(req, taskType, kind);
	const { items, failure } = await collectMedia(ctx, client, state.done, c, slots);
	if (state.state === 'failed') throw failedMediaError(c, state.failed, items);
	if (failure) throw failure;
	return req.options.output === 'summary' ? [summaryItem(items, c)] : items;
}

function mediaContext(req: ResultRequest, taskType: string | undefined, kind: MediaKind): MediaContext {
	return { taskId: req.taskId, taskType, kind, model: req.model, modelVersion: req.modelVersion, credits: req.credits, options: req.options };
}

/** The media items; downloads take a concurrency slot, URLs alone do not. */
async function collectMedia(ctx: IExecuteFunctions, client: ImaClient, done: DoneMedia[], c: MediaContext, slots: ItemSlots) {
	const collect = async () => await mediaItems(ctx, client, done, c);
	return c.options.download ? await slots.heavy(collect) : await collect();
}

/**
 * A wait that ended without the whole task (a timeout, say) may still have finished media: they
 * are paid for, so they are downloaded and kept in the error (Continue On Fail outputs them).
 */
async function keepFinished(ctx: IExecuteFunctions, client: ImaClient, req: ResultRequest, failure: unknown, slots: ItemSlots): Promise<unknown> {
	const last = failure instanceof ItemError ? failure.details.lastState : undefined;
	if (!(failure instanceof ItemError) || !last || !last.done.length || client.cancelled) return failure;
	const c = mediaContext(req, req.taskType, mediaKindOf(req.taskType ?? 'text_to_image'));
	const { items } = await collectMedia(ctx, client, last.done, c, slots);
	return new ItemError(failure.message, { ...failure.details, partial: items });
}

/**
 * One short item for a whole task, for an AI Agent: the URLs a language model can pass on, the
 * task ID, and the media's facts. Binaries (when attached) are named `data`, or `data_0`,
 * `data_1`… for several media.
 */
export function summaryItem(items: INodeExecutionData[], c: MediaContext): INodeExecutionData {
	const noun = c.kind === 'music' ? 'music track' : c.kind === 'speech' ? 'speech audio file' : c.kind;
	const urls = items.map((i) => String(i.json.url));
	const json: IDataObject = {
		taskId: c.taskId,
		status: 'success',
		message: `IMA made ${items.length} ${noun}${items.length === 1 ? '' : 's'}${c.model ? ` with ${c.model}` : ''}: ${urls.join(' ')}`,
		urls,
	};
	if (c.taskType) json.taskType = c.taskType;
	if (c.model) json.model = c.model;
	if (c.modelVersion) json.modelVersion = c.modelVersion;
	const covers = items.map((i) => i.json.coverUrl).filter((u): u is string => typeof u === 'string');
	if (covers.length) json.coverUrls = covers;
	json.media = items.map((i) => {
		const m: IDataObject = {};
		for (const key of ['index', 'url', 'format', 'width', 'height', 'duration']) if (i.json[key] !== undefined) m[key] = i.json[key];
		return m;
	});
	if (c.credits !== undefined) json.credits = c.credits * items.length;
	const binary: IBinaryKeyData = {};
	for (const [n, item] of items.entries()) {
		for (const [key, data] of Object.entries(item.binary ?? {})) binary[items.length === 1 ? key : `${key}_${n}`] = data;
	}
	return Object.keys(binary).length ? { json, binary } : { json };
}
