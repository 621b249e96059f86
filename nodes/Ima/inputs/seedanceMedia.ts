/**
 * Seedance 2.0 media (`ima-pro`, `ima-pro-fast`), as IMA's runtime handles it
 * (`capabilities/video/reference_media.py`, `compliance.py`): reference videos and audio for
 * Reference Image to Video, the `src_image` / `src_video` / `src_audio` fields read from the files
 * themselves, every limit checked before any upload or paid call, and IMA's asset check of every
 * input URL before the create. Its parameters are in actions/descriptions.ts.
 *
 * Video covers: IMA's runtime extracts the first frame with ffmpeg and uploads it as a JPEG. The
 * node does not decode video: the cover is an image the user gives (one per video, in order),
 * uploaded (binary) or passed as it is (URL); a video without one is sent with `cover: ""`, the
 * value IMA's own payload builder writes when it has no cover.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import type { HostRule } from '../helpers/hosts';
import { MediaProbe, MediaProbeError, type MediaInfo } from '../helpers/mediaProbe';
import { settle } from '../helpers/pool';
import {
	countIssues,
	formatBytes,
	isSeedanceMedia,
	MEDIA_LIMITS,
	mediaIssues,
	type ProbedMedia,
	type ReferenceKind,
	srcFields,
} from '../helpers/referenceMedia';
import type { ImaClient, Readable } from '../transport';
import { ImaRequestError } from '../transport';
import { inputError, ItemError } from '../run/errors';
import { quiet } from '../run/options';
import { inspectBinary, isHttpUrl, openBinary, splitList, uploadBinary, type BinaryInfo, type PreparedImages } from './images';

type Source = { kind: 'url'; url: string } | { kind: 'binary'; property: string };

/** One input after its checks: where it comes from, what it is. */
export interface SeedanceInput extends ProbedMedia {
	source: Source;
	/** The binary's facts (for the upload). */
	binary?: BinaryInfo;
	cover?: { source: Source; binary?: BinaryInfo };
}

export interface PreparedSeedanceMedia {
	inputs: SeedanceInput[];
}

const BY_KIND_MAX: Record<ReferenceKind, number> = {
	image: MEDIA_LIMITS.imageMaxBytes,
	video: MEDIA_LIMITS.videoMaxBytes,
	audio: MEDIA_LIMITS.audioMaxBytes,
};
const KIND_WORD: Record<ReferenceKind, string> = { image: 'images', video: 'videos', audio: 'audio files' };
const UNREADABLE_HINT = 'Seedance 2.0 takes images (png, jpeg, webp, gif, bmp), videos (mp4, mov) and audio (mp3, wav).';
/** The longest a URL's header read may take. */
const PROBE_TIMEOUT_MS = 120_000;

const readList = (ctx: IExecuteFunctions, itemIndex: number, name: string) => splitList(quiet(() => ctx.getNodeParameter(name, itemIndex, '')));

function checkUrl(url: string, parameter: string): void {
	if (!isHttpUrl(url)) throw inputError(parameter, `"${url.slice(0, 200)}" is not an http(s) URL`, 'IMA accepts only public http(s) URLs.');
}

/** The reference videos, audio and covers as given (no file read yet). */
function readReferenceSources(ctx: IExecuteFunctions, itemIndex: number, taskType: string) {
	const empty = { videos: [] as Source[], audio: [] as Source[], covers: [] as Source[], mode: 'none' };
	if (taskType !== 'reference_image_to_video') return empty;
	const mode = String(quiet(() => ctx.getNodeParameter('referenceMediaInput', itemIndex, 'none')) ?? 'none');
	if (mode === 'binary') {
		const prop = (property: string): Source => ({ kind: 'binary', property });
		return {
			mode,
			videos: readList(ctx, itemIndex, 'referenceVideoProperties').map(prop),
			audio: readList(ctx, itemIndex, 'referenceAudioProperties').map(prop),
			covers: readList(ctx, itemIndex, 'referenceVideoCoverProperties').map(prop),
		};
	}
	if (mode === 'url') {
		const url = (parameter: string) => (u: string): Source => {
			checkUrl(u, parameter);
			return { kind: 'url', url: u };
		};
		return {
			mode,
			videos: readList(ctx, itemIndex, 'referenceVideoUrls').map(url('referenceVideoUrls')),
			audio: readList(ctx, itemIndex, 'referenceAudioUrls').map(url('referenceAudioUrls')),
			covers: readList(ctx, itemIndex, 'referenceVideoCoverUrls').map(url('referenceVideoCoverUrls')),
		};
	}
	return empty;
}

/** Feeds a buffer or a stream to a probe until it knows enough (or, with `toEnd`, to the end). */
async function feed(probe: MediaProbe, body: Buffer | Readable, toEnd = false): Promise<void> {
	if (Buffer.isBuffer(body)) {
		probe.push(body);
		return;
	}
	let done = false;
	for await (const chunk of body as AsyncIterable<Buffer | string>) {
		const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
		if (!done) done = probe.push(bytes);
		else probe.received += bytes.length;
		if (done && !toEnd) break;
	}
	if (!done || toEnd) (body as { destroy?: () => void }).destroy?.();
}

const describeSource = (kind: string, index: number, source: Source, fileName?: string) =>
	source.kind === 'url'
		? `${kind} ${index + 1} (${source.url.length > 120 ? `${source.url.slice(0, 117)}…` : source.url})`
		: `${kind} ${index + 1} "${fileName ?? source.property}" (binary property "${source.property}")`;

/** Where one item's inputs are read from. */
interface Reader {
	ctx: IExecuteFunctions;
	client: ImaClient;
	itemIndex: number;
	/** Private hosts input URLs may be read from (options.allowedMediaHosts). */
	allowedHosts?: HostRule[];
}

/** Reads one input's header (binary or URL): what it is, and its size in bytes. */
async function probeSource(r: Reader, kind: ReferenceKind, what: string, index: number, source: Source, parameter: string): Promise<{ label: string; info: MediaInfo; sizeBytes?: number; binary?: BinaryInfo }> {
	const { ctx, client, itemIndex, allowedHosts } = r;
	const max = BY_KIND_MAX[kind];
	if (source.kind === 'binary') {
		const binary = await inspectBinary(ctx, itemIndex, source.property, parameter, { use: kind === 'image' ? 'imageSlot' : 'upload' });
		const label = describeSource(what, index, source, binary.fileName);
		if (binary.fileSize > max) {
			throw inputError(parameter, `${label} is ${formatBytes(binary.fileSize)}; ${KIND_WORD[kind]} may be at most ${formatBytes(max)}`);
		}
		// An image was read whole by its content check: its header is known already.
		if (binary.content?.info) return { label, info: binary.content.info, sizeBytes: binary.fileSize, binary };
		const probe = new MediaProbe(binary.fileSize || undefined, max);
		const r = await settle(async () => {
			await feed(probe, await openBinary(ctx, itemIndex, binary));
			return { label, info: probe.finish(), sizeBytes: binary.fileSize || probe.received, binary };
		});
		if (r.status === 'fulfilled') return r.value;
		throw r.reason instanceof MediaProbeError ? inputError(parameter, `${label} could not be read: ${r.reason.message}`, UNREADABLE_HINT) : r.reason;
	}
	const label = describeSource(what, index, source);
	let download;
	try {
		download = await client.openDownload(source.url, { maxBytes: max, totalTimeoutMs: PROBE_TIMEOUT_MS, timeoutMs: 60_000, allowedHosts, what: 'input URL' });
	} catch (error) {
		throw urlError(error, label, parameter, kind, max);
	}
	const probe = new MediaProbe(download.contentLength, max);
	try {
		// Without a Content-Length the size is only known at the end: read on (bounded by the limit).
		await feed(probe, download.stream, download.contentLength === undefined);
		return { label, info: probe.finish(), sizeBytes: download.contentLength ?? probe.received };
	} catch (error) {
		if (error instanceof MediaProbeError) throw inputError(parameter, `${label} could not be read: ${error.message}`, UNREADABLE_HINT);
		throw urlError(error, label, parameter, kind, max);
	}
}

function urlError(error: unknown, label: string, parameter: string, kind: ReferenceKind, max: number): unknown {
	if (!(error instanceof ImaRequestError)) return error;
	if (error.info.kind === 'cancelled') return error;
	if (error.info.kind === 'limit' && /size/.test(error.message)) {
		return inputError(parameter, `${label} is larger than ${formatBytes(max)}; ${KIND_WORD[kind]} may be at most ${formatBytes(max)}`);
	}
	return inputError(parameter, `${label} could not be read to check its size and length: ${error.message}`, 'The node reads the start of every input file before anything is sent to IMA; the URL must be public.');
}

/**
 * Seedance 2.0 media of one item: reads and checks every input before any upload or paid call
 * (input URLs may be on `allowedHosts`, options.allowedMediaHosts). Undefined for other models
 * and task types (then reference videos or audio are an error).
 */
export async function prepareSeedanceMedia(ctx: IExecuteFunctions, client: ImaClient, itemIndex: number, taskType: string, modelId: string, modelName: string, images: PreparedImages, allowedHosts?: HostRule[]): Promise<PreparedSeedanceMedia | undefined> {
	const refs = readReferenceSources(ctx, itemIndex, taskType);
	if (!isSeedanceMedia(modelId, taskType)) {
		if (refs.videos.length || refs.audio.length) {
			throw inputError(
				'referenceMediaInput',
				`${modelName} (${modelId}) takes no reference videos or audio: only Seedance 2.0 (ima-pro, ima-pro-fast) does`,
				'Pick a Seedance 2.0 model, or set Reference Video and Audio Input to None.',
			);
		}
		return undefined;
	}
	checkCounts(taskType, images, refs);
	const inputs = await probeInputs({ ctx, client, itemIndex, allowedHosts }, taskType, images, refs);
	const issues = mediaIssues(taskType, inputs);
	if (issues.length) {
		const parameter = inputs.some((m) => m.kind !== 'image') ? 'referenceMediaInput' : imageParameterOf(images);
		throw inputError(parameter, `Seedance 2.0 media limits: ${issues.join('; ')}`);
	}
	return { inputs };
}

type References = ReturnType<typeof readReferenceSources>;

const imageParameterOf = (images: PreparedImages) => (images.sources[0]?.kind === 'url' ? 'imageUrls' : 'binaryProperties');

/** How many inputs of each kind, and covers, before any file is read. */
function checkCounts(taskType: string, images: PreparedImages, refs: References): void {
	const counts = { images: images.sources.length, videos: refs.videos.length, audio: refs.audio.length };
	const countProblems = countIssues(taskType, counts);
	if (countProblems.length) throw inputError(counts.videos || counts.audio ? 'referenceMediaInput' : 'imageInput', countProblems.join('; '));
	if (refs.covers.length > refs.videos.length) {
		throw inputError(refs.mode === 'url' ? 'referenceVideoCoverUrls' : 'referenceVideoCoverProperties', `${refs.covers.length} video covers for ${refs.videos.length} video(s): give at most one cover per video, in the same order`);
	}
}

/** Every input's header read, in order: images, videos (each with its cover), audio. */
async function probeInputs(r: Reader, taskType: string, images: PreparedImages, refs: References): Promise<SeedanceInput[]> {
	const inputs: SeedanceInput[] = [];
	const imageParameter = imageParameterOf(images);
	const frames = taskType === 'first_last_frame_to_video';
	for (const [i, source] of images.sources.entries()) {
		const what = frames ? (i === 0 ? 'first frame image' : 'last frame image') : 'image';
		const p = await probeSource(r, 'image', what, i === 1 && frames ? 0 : i, source, imageParameter);
		inputs.push({ kind: 'image', source, ...p });
	}
	const byUrl = refs.mode === 'url';
	const coverParameter = byUrl ? 'referenceVideoCoverUrls' : 'referenceVideoCoverProperties';
	for (const [i, source] of refs.videos.entries()) {
		const p = await probeSource(r, 'video', 'reference video', i, source, byUrl ? 'referenceVideoUrls' : 'referenceVideoProperties');
		const input: SeedanceInput = { kind: 'video', source, ...p };
		const coverSource = refs.covers[i];
		if (coverSource) {
			const c = await probeSource(r, 'image', 'video cover', i, coverSource, coverParameter);
			if (c.info.kind !== 'image') throw inputError(coverParameter, `${c.label} is not an image: a cover is the video's first frame as an image (JPEG)`);
			input.cover = { source: coverSource, binary: c.binary };
		}
		inputs.push(input);
	}
	for (const [i, source] of refs.audio.entries()) {
		const p = await probeSource(r, 'audio', 'reference audio', i, source, byUrl ? 'referenceAudioUrls' : 'referenceAudioProperties');
		inputs.push({ kind: 'audio', source, ...p });
	}
	return inputs;
}

/** The uploaded (or given) URLs of every input and cover, in order. */
export interface ResolvedSeedanceMedia {
	inputs: Array<SeedanceInput & { url: string; coverUrl?: string }>;
}

/** Uploads the binaries (videos with fType video, audio with fType audio, covers as pictures). */
export async function uploadSeedanceMedia(ctx: IExecuteFunctions, client: ImaClient, itemIndex: number, media: PreparedSeedanceMedia): Promise<ResolvedSeedanceMedia> {
	const out: ResolvedSeedanceMedia['inputs'] = [];
	for (const input of media.inputs) {
		const url = input.source.kind === 'url' ? input.source.url : await uploadBinary(ctx, client, itemIndex, input.binary!);
		let coverUrl: string | undefined;
		if (input.cover) coverUrl = input.cover.source.kind === 'url' ? input.cover.source.url : await uploadBinary(ctx, client, itemIndex, input.cover.binary!);
		out.push({ ...input, url, coverUrl });
	}
	return { inputs: out };
}

/**
 * IMA's asset check of every input URL (not the covers, as IMA's runtime), one after another;
 * the first refusal fails the item with IMA's reason. Nothing is charged by the check.
 */
export async function verifySeedanceMedia(client: ImaClient, media: ResolvedSeedanceMedia): Promise<void> {
	for (const input of media.inputs) {
		const verdict = await client.verifyAsset(input.url);
		if (verdict.passed) continue;
		const reason = verdict.reason ? `: ${verdict.reason}` : '';
		throw new ItemError(`IMA's asset check refused ${input.label}${reason}`, {
			charge: 'none',
			api: true,
			description: [
				`IMA answered status "${verdict.status || '(none)'}"${verdict.errorCode ? ` (code ${verdict.errorCode})` : ''} for ${input.url}.`,
				'Seedance 2.0 needs every input to pass this check before the create: the task was not created and nothing was charged. Use another file.',
			].join(' '),
		});
	}
}

/** The body's media fields as IMA's runtime writes them. */
export function seedanceBodyFields(media: ResolvedSeedanceMedia): {
	src_img_url: string[];
	input_images: string[];
	fields: ReturnType<typeof srcFields>;
} {
	const order: ReferenceKind[] = ['image', 'video', 'audio'];
	const sorted = order.flatMap((k) => media.inputs.filter((m) => m.kind === k));
	const all = sorted.map((m) => m.url);
	const images = sorted.filter((m) => m.kind === 'image').map((m) => m.url);
	return {
		// IMA: src_img_url = the src_image URLs, or every input when there is no image.
		src_img_url: images.length ? images : all,
		input_images: all,
		fields: srcFields(sorted.map((m) => ({ ...m, cover: m.coverUrl }))),
	};
}
