/** Input images of image task types: URLs as they are, binaries uploaded to IMA first. */
import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { ContentCheck, ContentError, imageMimeType, type Content, type ContentKind } from '../helpers/contentCheck';
import { extensionFromMime, mimeFromExtension } from '../helpers/media';
import { settle } from '../helpers/pool';
import type { ImaClient, Readable } from '../transport';

export type ImageSource = { kind: 'url'; url: string } | { kind: 'binary'; property: string };

export interface PreparedImages {
	sources: ImageSource[];
}

/** IMA's documented limit for images. */
export const MAX_IMAGE_BYTES = 30 * 1024 * 1024;
const IMAGE_SUFFIXES = new Set(['jpg', 'jpeg', 'png', 'gif', 'webp', 'bmp', 'tif', 'tiff']);

/** Whether a text is an http(s) URL (the only kind IMA takes as an input). */
export function isHttpUrl(url: string): boolean {
	try {
		const u = new URL(url);
		return u.protocol === 'https:' || u.protocol === 'http:';
	} catch {
		return false;
	}
}

/** "a, b\nc" or an array from an expression → ["a", "b", "c"]. */
export function splitList(value: unknown): string[] {
	const parts = Array.isArray(value) ? value.flatMap((v) => splitList(v)) : String(value ?? '').split(/[\n,]+/);
	return parts.map((s) => (typeof s === 'string' ? s.trim() : String(s))).filter(Boolean);
}

function fail(ctx: IExecuteFunctions, itemIndex: number, message: string, parameter: string, extra = ''): never {
	throw new NodeOperationError(ctx.getNode(), message, {
		itemIndex,
		description: `Parameter: ${parameter}.${extra ? ` ${extra}` : ''} Nothing was sent to IMA and nothing was charged.`,
	});
}

export interface BinaryInfo {
	property: string;
	binary: IBinaryData;
	mimeType: string;
	fileName: string;
	fileSize: number;
	suffix: string;
	/** What the file is by its content (helpers/contentCheck.ts). */
	content?: Content;
}

/** Content verdicts of this process's binaries, by kind expected (a retry reads nothing again). */
const verdicts = new WeakMap<object, Map<ContentKind, Promise<Content>>>();

/** Reads a binary (streamed when n8n keeps it on disk) through a content check. */
async function readContent(ctx: IExecuteFunctions, itemIndex: number, property: string, binary: IBinaryData, expect: ContentKind): Promise<Content> {
	const check = new ContentCheck(expect);
	if (binary.id) {
		const stream = await ctx.helpers.getBinaryStream(binary.id);
		try {
			for await (const chunk of stream as AsyncIterable<Buffer | string>) {
				if (check.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)) break;
			}
		} finally {
			(stream as { destroy?: () => void }).destroy?.();
		}
	} else {
		check.push(await ctx.helpers.getBinaryDataBuffer(itemIndex, property));
	}
	return check.finish();
}

function contentOf(ctx: IExecuteFunctions, itemIndex: number, property: string, binary: IBinaryData, expect: ContentKind): Promise<Content> {
	let byKind = verdicts.get(binary);
	if (!byKind) verdicts.set(binary, (byKind = new Map()));
	let verdict = byKind.get(expect);
	if (!verdict) {
		verdict = readContent(ctx, itemIndex, property, binary, expect);
		byKind.set(expect, verdict);
		// A read that failed for another reason than the content is tried again next time.
		verdict.catch((error) => {
			if (!(error instanceof ContentError)) byKind!.delete(expect);
		});
	}
	return verdict;
}

/** Finds and checks a binary property of an input item (size read without loading the file). */
export async function inspectBinary(ctx: IExecuteFunctions, itemIndex: number, property: string, parameter: string, opts: { use: 'imageSlot' | 'upload' }): Promise<BinaryInfo> {
	const item = ctx.getInputData()[itemIndex];
	const binary = item?.binary?.[property];
	if (!binary) {
		const has = Object.keys(item?.binary ?? {});
		fail(
			ctx,
			itemIndex,
			`The input item has no binary property "${property}"`,
			parameter,
			has.length ? `The item's binary properties: ${has.join(', ')}.` : 'The item has no binary data at all: add a node that reads or downloads the file first.',
		);
	}
	const facts = await binaryFacts(ctx, property, binary);
	const { mimeType, fileName, fileSize, isImage } = facts;
	const fault = (message: string, extra: string) => fail(ctx, itemIndex, message, parameter, extra);
	if (opts.use === 'imageSlot') {
		if (!isImage) fault(`Binary property "${property}" is not an image IMA takes (${mimeType}, ${fileName})`, 'IMA takes jpg, jpeg, png, gif, webp, bmp, tif or tiff images here.');
		if (fileSize > MAX_IMAGE_BYTES) {
			fault(`Image "${fileName}" is ${(fileSize / 1048576).toFixed(1)} MB; IMA accepts images up to 30 MB`, 'Resize or compress it first (for example with the Edit Image node).');
		}
	} else if (!isImage && !mimeType.startsWith('video/') && !mimeType.startsWith('audio/')) {
		fault(`Binary property "${property}" is not an image, video or audio file (${mimeType}, ${fileName})`, 'IMA\'s upload service takes images (jpg, png, webp, …), videos (mp4, mov) and audio (mp3, wav).');
	}
	// The label said what the file is; its content must agree (before any upload or paid call).
	const content = await checkedContent(ctx, itemIndex, property, binary, facts, fault);
	if (content.kind === 'image') {
		// An image goes out as what it is (a JPEG labelled image/png is sent as image/jpeg), with its real size.
		return { property, binary, mimeType: imageMimeType(content.format), fileName, fileSize: content.bytes, suffix: content.format, content };
	}
	const suffix = facts.suffix === 'jpg' ? 'jpeg' : facts.suffix;
	return { property, binary, mimeType: mimeType === 'image/jpg' ? 'image/jpeg' : mimeType, fileName, fileSize, suffix, content };
}

interface BinaryFacts {
	mimeType: string;
	fileName: string;
	fileSize: number;
	suffix: string;
	isImage: boolean;
}

/** What a binary says it is: its MIME type (or its name's), name, size (read without loading the file). */
async function binaryFacts(ctx: IExecuteFunctions, property: string, binary: IBinaryData): Promise<BinaryFacts> {
	const declared = String(binary.mimeType || '').toLowerCase().split(';')[0].trim() || 'application/octet-stream';
	const fileName = binary.fileName || `${property}.${extensionFromMime(declared) ?? 'bin'}`;
	let fileSize: number | undefined;
	if (binary.id) {
		try {
			fileSize = Number((await ctx.helpers.getBinaryMetadata(binary.id)).fileSize);
		} catch {
			fileSize = undefined;
		}
	}
	if (fileSize === undefined || !Number.isFinite(fileSize)) {
		fileSize = binary.data && !binary.id ? Buffer.byteLength(binary.data, 'base64') : Number(binary.bytes ?? 0);
	}
	const fromName = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase();
	// A file read from disk or a generic download is often "application/octet-stream": its name tells.
	const mimeType = declared === 'application/octet-stream' ? (mimeFromExtension(fromName) ?? declared) : declared;
	const suffix = extensionFromMime(mimeType) ?? fromName ?? 'bin';
	return { mimeType, fileName, fileSize, suffix, isImage: mimeType.startsWith('image/') && IMAGE_SUFFIXES.has(suffix) };
}

/** The content check of a binary against the kind its label says; a mismatch fails the item by name. */
async function checkedContent(ctx: IExecuteFunctions, itemIndex: number, property: string, binary: IBinaryData, { isImage, mimeType, fileName }: BinaryFacts, fault: (message: string, extra: string) => never): Promise<Content> {
	const expect: ContentKind = isImage ? 'image' : mimeType.startsWith('video/') ? 'video' : 'audio';
	const r = await settle(async () => await contentOf(ctx, itemIndex, property, binary, expect));
	if (r.status === 'fulfilled') return r.value;
	const failure: unknown = r.reason;
	if (!(failure instanceof ContentError)) throw failure;
	const want = expect === 'image' ? 'an image' : expect === 'video' ? 'a video' : 'an audio file';
	return fault(
		`Binary property "${property}" ("${fileName}", labelled ${mimeType}) is not ${want}: ${failure.message}`,
		expect === 'image'
			? 'The node reads every input image to its end: it must be a whole jpg, png, gif, webp, bmp or tiff file, whatever its MIME type says.'
			: 'The node reads the first bytes of every video and audio file: they must be of the kind the MIME type says.',
	);
}

export async function prepareImages(ctx: IExecuteFunctions, itemIndex: number, _taskType: string): Promise<PreparedImages> {
	const mode = String(ctx.getNodeParameter('imageInput', itemIndex, 'binary'));
	if (mode === 'url') {
		const urls = splitList(ctx.getNodeParameter('imageUrls', itemIndex, ''));
		for (const url of urls) {
			if (!isHttpUrl(url)) {
				fail(ctx, itemIndex, `Image URLs: "${url.slice(0, 200)}" is not an http(s) URL`, 'imageUrls', 'IMA accepts only public http(s) URLs; use Image Input "Binary Data From Input Item" for files.');
			}
		}
		return { sources: urls.map((url) => ({ kind: 'url', url })) };
	}
	const properties = splitList(ctx.getNodeParameter('binaryProperties', itemIndex, 'data'));
	for (const property of properties) await inspectBinary(ctx, itemIndex, property, 'binaryProperties', { use: 'imageSlot' });
	return { sources: properties.map((property) => ({ kind: 'binary', property })) };
}

/** Opens a binary for reading: a stream when n8n keeps it on disk, else the buffer. */
export async function openBinary(ctx: IExecuteFunctions, itemIndex: number, info: BinaryInfo): Promise<Buffer | Readable> {
	if (info.binary.id) return await ctx.helpers.getBinaryStream(info.binary.id);
	return await ctx.helpers.getBinaryDataBuffer(itemIndex, info.property);
}

/** Uploads one binary property through IMA's two-step flow; returns its public URL. */
export async function uploadBinary(ctx: IExecuteFunctions, client: ImaClient, itemIndex: number, info: BinaryInfo): Promise<string> {
	const { ful, fdl } = await client.uploadToken(info.mimeType, info.suffix);
	await client.putFile(ful, async () => await openBinary(ctx, itemIndex, info), info.mimeType, info.fileSize || undefined);
	return fdl;
}

/** The URLs to send, uploading binaries in the order given. */
export async function resolveImageUrls(ctx: IExecuteFunctions, client: ImaClient, itemIndex: number, images: PreparedImages): Promise<string[]> {
	const urls: string[] = [];
	for (const source of images.sources) {
		if (source.kind === 'url') urls.push(source.url);
		else {
			const info = await inspectBinary(ctx, itemIndex, source.property, 'binaryProperties', { use: 'imageSlot' });
			urls.push(await uploadBinary(ctx, client, itemIndex, info));
		}
	}
	return urls;
}
