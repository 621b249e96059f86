/**
 * What a file is by its content, not by its label: the check every binary input passes before
 * it is uploaded or paid for (inputs/images.ts).
 *
 * - An image (PNG, JPEG, GIF, WebP, BMP, TIFF) is read to its end: its header must parse (the same
 *   reader as Seedance 2.0's, helpers/mediaProbe.ts) and its structure must reach the format's
 *   end (PNG: the IEND chunk; JPEG: the end-of-image marker after the image data; GIF: the
 *   trailer; WebP and BMP: the size their header announces; TIFF: its first directory). A 0-byte
 *   file, an HTML page, or a file cut short is refused, whatever its MIME type says. Bytes after
 *   the end (a camera's trailer, a motion photo's video) are allowed.
 * - A video or an audio file is checked by its first bytes only (MP4/MOV/M4A, WebM, Ogg, AVI, MP3,
 *   WAV, AAC, FLAC): it must be of the kind its label claims. Its body is not read.
 *
 * Fed in chunks (`push`), so a file on disk is streamed, never held whole.
 */
import { MediaProbe, MediaProbeError, sniffFormat, type MediaInfo } from './mediaProbe';

export type ContentKind = 'image' | 'video' | 'audio';

export interface Content {
	kind: ContentKind;
	/** png, jpeg, gif, webp, bmp, tiff; mp4, mov, m4a, webm, ogg, avi; mp3, wav, aac, flac. */
	format: string;
	/** Width and height of an image (from its header). */
	info?: MediaInfo;
	/** Bytes read: the whole file for an image. */
	bytes: number;
}

/** The file is not what it claims, or is broken. The message says what it is instead. */
export class ContentError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'ContentError';
	}
}

export const IMAGE_FORMATS = ['png', 'jpeg', 'gif', 'webp', 'bmp', 'tiff'] as const;

const IMAGE_MIME: Record<string, string> = {
	png: 'image/png',
	jpeg: 'image/jpeg',
	gif: 'image/gif',
	webp: 'image/webp',
	bmp: 'image/bmp',
	tiff: 'image/tiff',
};

/** The MIME type of an image format read from the content. */
export const imageMimeType = (format: string) => IMAGE_MIME[format];

/** What the first bytes are (at least 16 needed, or the whole file when shorter). */
export function sniffContent(b: Buffer): { kind: ContentKind; format: string } | undefined {
	const s = (a: number, z: number) => b.toString('latin1', a, z);
	const f = sniffFormat(b);
	if (f && (IMAGE_FORMATS as readonly string[]).includes(f)) return { kind: 'image', format: f };
	if (f === 'wav' || f === 'mp3') return { kind: 'audio', format: f };
	if (f === 'isobmff') {
		const brand = s(4, 8) === 'ftyp' ? s(8, 12) : '';
		if (['M4A ', 'M4B ', 'M4P ', 'F4A '].includes(brand)) return { kind: 'audio', format: 'm4a' };
		return { kind: 'video', format: brand === 'qt  ' || (brand === '' && s(4, 8) !== 'ftyp') ? 'mov' : 'mp4' };
	}
	if (b.length >= 4 && b.readUInt32BE(0) === 0x1a45dfa3) return { kind: 'video', format: 'webm' };
	if (b.length >= 12 && s(0, 4) === 'RIFF' && s(8, 12) === 'AVI ') return { kind: 'video', format: 'avi' };
	if (b.length >= 4 && s(0, 4) === 'OggS') return { kind: 'audio', format: 'ogg' };
	if (b.length >= 4 && s(0, 4) === 'fLaC') return { kind: 'audio', format: 'flac' };
	if (b.length >= 2 && b[0] === 0xff && (b[1] & 0xf6) === 0xf0) return { kind: 'audio', format: 'aac' };
	return undefined;
}

/** Containers that may hold audio or video: a label of either kind is believed. */
const EITHER_KIND = new Set(['mp4', 'mov', 'm4a', 'webm', 'ogg']);

/** What a file that is not media looks like, for errors: "an HTML page", "text", "an MP4 video", "a WAV audio file" (the article as the name is read)… */
export function describeContent(head: Buffer): string {
	if (!head.length) return 'it is empty (0 bytes)';
	const sniffed = sniffContent(head);
	if (sniffed) return `its content is ${['mp4', 'avi', 'mp3', 'm4a', 'ogg', 'aac'].includes(sniffed.format) ? 'an' : 'a'} ${sniffed.format.toUpperCase()} ${sniffed.kind === 'audio' ? 'audio file' : sniffed.kind}`;
	const text = head.toString('latin1', 0, Math.min(head.length, 512)).replace(/^\uFEFF|^\xEF\xBB\xBF/, '').trimStart().toLowerCase();
	if (text.startsWith('<!doctype html') || text.startsWith('<html') || /^<(head|body|meta|title|script|div|p)\b/.test(text)) return 'its content is an HTML page';
	if (text.startsWith('<svg') || (text.startsWith('<?xml') && text.includes('<svg'))) return 'its content is SVG (vector) text, which IMA does not take';
	if (text.startsWith('<?xml') || text.startsWith('<')) return 'its content is XML text';
	if (text.startsWith('{') || text.startsWith('[')) return 'its content is JSON text';
	if (text.startsWith('%pdf')) return 'its content is a PDF document';
	if (head.length >= 4 && head.readUInt32BE(0) === 0x504b0304) return 'its content is a ZIP archive (or an Office document)';
	const printable = [...head.subarray(0, 512)].every((c) => c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127) || c >= 128);
	return printable ? 'its content is text' : 'its content is not a format the node knows';
}

// ─── walking a file's structure to its end, in chunks ───────────────────────────────────────

/** What a structure walker asks for next: bytes to read, bytes to skip, or the next 0xFF byte. */
type Need = { read: number } | { skip: number } | { seekFF: true };
type Parser = Generator<Need, void, Buffer | undefined>;

class Walker {
	private need: Need | undefined;
	private parts: Buffer[] = [];
	private have = 0;
	done = false;

	constructor(private readonly parser: Parser) {
		this.step(undefined);
	}

	private step(value: Buffer | undefined): void {
		const r = this.parser.next(value);
		if (r.done) {
			this.done = true;
			this.need = undefined;
		} else this.need = r.value;
	}

	feed(chunk: Buffer): void {
		let i = 0;
		while (!this.done && i < chunk.length) {
			const need = this.need!;
			if ('skip' in need) {
				const n = Math.min(need.skip, chunk.length - i);
				need.skip -= n;
				i += n;
				if (need.skip <= 0) this.step(undefined);
			} else if ('seekFF' in need) {
				const at = chunk.indexOf(0xff, i);
				if (at < 0) i = chunk.length;
				else {
					i = at + 1;
					this.step(undefined);
				}
			} else {
				const n = Math.min(need.read - this.have, chunk.length - i);
				this.parts.push(chunk.subarray(i, i + n));
				this.have += n;
				i += n;
				if (this.have >= need.read) {
					const bytes = Buffer.concat(this.parts);
					this.parts = [];
					this.have = 0;
					this.step(bytes);
				}
			}
		}
	}
}

const broken = (what: string) => new ContentError(`its ${what}`);

function* pngEnd(): Parser {
	yield { skip: 8 };
	for (;;) {
		const h = (yield { read: 8 })!;
		const length = h.readUInt32BE(0);
		const type = h.toString('latin1', 4, 8);
		if (!/^[A-Za-z]{4}$/.test(type) || length > 0x7fffffff) throw broken('PNG chunks are broken');
		yield { skip: length + 4 };
		if (type === 'IEND') return;
	}
}

function* jpegSegment(marker: number): Generator<Need, void, Buffer | undefined> {
	const length = (yield { read: 2 })!.readUInt16BE(0);
	if (length < 2) throw broken(`JPEG segment 0x${marker.toString(16)} has a broken length`);
	if (length > 2) yield { skip: length - 2 };
}

function* jpegEnd(): Parser {
	yield { skip: 2 }; // SOI
	for (;;) {
		// Decoders skip stray bytes before a marker (some writers leave padding): so does this walk.
		yield { seekFF: true };
		let marker: number;
		do marker = (yield { read: 1 })![0];
		while (marker === 0xff);
		if (marker === 0xd9) return;
		if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) continue;
		yield* jpegSegment(marker);
		if (marker !== 0xda) continue;
		// Image data after a start of scan: up to a marker that is not a stuffed 0 or a restart.
		for (;;) {
			yield { seekFF: true };
			let x: number;
			do x = (yield { read: 1 })![0];
			while (x === 0xff);
			if (x === 0x00 || (x >= 0xd0 && x <= 0xd7)) continue;
			if (x === 0xd9) return;
			// Between the scans of a progressive JPEG: tables, then the next scan.
			yield* jpegSegment(x);
			if (x === 0xda) continue;
			break;
		}
	}
}

function* gifSubBlocks(): Generator<Need, void, Buffer | undefined> {
	for (;;) {
		const n = (yield { read: 1 })![0];
		if (n === 0) return;
		yield { skip: n };
	}
}

function* gifEnd(): Parser {
	const h = (yield { read: 13 })!;
	if (h[10] & 0x80) yield { skip: 3 * 2 ** ((h[10] & 7) + 1) };
	for (;;) {
		const block = (yield { read: 1 })![0];
		if (block === 0x3b) return;
		if (block === 0x21) {
			yield { skip: 1 };
			yield* gifSubBlocks();
		} else if (block === 0x2c) {
			const d = (yield { read: 9 })!;
			if (d[8] & 0x80) yield { skip: 3 * 2 ** ((d[8] & 7) + 1) };
			yield { skip: 1 };
			yield* gifSubBlocks();
		} else throw broken('GIF blocks are broken');
	}
}

function* webpEnd(): Parser {
	const h = (yield { read: 12 })!;
	const size = h.readUInt32LE(4);
	if (size < 12) throw broken('WebP size is broken');
	yield { skip: size - 4 };
}

function* bmpEnd(): Parser {
	const h = (yield { read: 14 })!;
	const size = h.readUInt32LE(2);
	const pixels = h.readUInt32LE(10);
	if (size >= 26) yield { skip: size - 14 };
	else if (pixels > 14) yield { skip: pixels - 14 + 1 };
	else throw broken('BMP header is broken');
}

function* tiffEnd(): Parser {
	const h = (yield { read: 8 })!;
	const le = h[0] === 0x49;
	const ifd = le ? h.readUInt32LE(4) : h.readUInt32BE(4);
	if (ifd < 8) throw broken('TIFF header is broken');
	if (ifd > 8) yield { skip: ifd - 8 };
	const c = (yield { read: 2 })!;
	const count = le ? c.readUInt16LE(0) : c.readUInt16BE(0);
	yield { skip: count * 12 + 4 };
}

const END_WALKERS: Record<string, () => Parser> = { png: pngEnd, jpeg: jpegEnd, gif: gifEnd, webp: webpEnd, bmp: bmpEnd, tiff: tiffEnd };
const END_WORDS: Record<string, string> = {
	png: 'PNG end chunk (IEND)',
	jpeg: 'JPEG end-of-image marker',
	gif: 'GIF trailer',
	webp: 'end of the WebP data its header announces',
	bmp: 'end of the BMP data its header announces',
	tiff: 'TIFF image directory',
};

/**
 * Checks one file, fed in order. `expect`: the kind the label claims. Images are read to the end;
 * `push` answers true when no more bytes are needed (video and audio: once the first bytes are in).
 */
export class ContentCheck {
	private head: Buffer[] = [];
	private headLength = 0;
	private sniffed: { kind: ContentKind; format: string } | undefined;
	private probe: MediaProbe | undefined;
	private walker: Walker | undefined;
	private finished = false;
	bytes = 0;

	constructor(private readonly expect: ContentKind) {}

	push(chunk: Buffer): boolean {
		if (this.finished || !chunk.length) return this.finished;
		this.bytes += chunk.length;
		if (!this.sniffed) {
			this.head.push(chunk);
			this.headLength += chunk.length;
			if (this.headLength < 16) return false;
			const head = Buffer.concat(this.head);
			// Not media: read a little more first, so that the error can say what it is.
			if (!sniffContent(head) && this.headLength < 512) {
				this.head = [head];
				return false;
			}
			this.head = [];
			this.identify(head);
			if (this.expect !== 'image') {
				this.finished = true;
				return true;
			}
			this.feed(head);
			return false;
		}
		this.feed(chunk);
		return false;
	}

	private identify(head: Buffer): void {
		const sniffed = sniffContent(head);
		const fits = sniffed && (sniffed.kind === this.expect || (this.expect !== 'image' && sniffed.kind !== 'image' && EITHER_KIND.has(sniffed.format)));
		if (!sniffed || !fits) throw new ContentError(describeContent(head));
		this.sniffed = sniffed;
		if (sniffed.kind === 'image') {
			this.probe = new MediaProbe(undefined);
			this.walker = new Walker(END_WALKERS[sniffed.format]());
		}
	}

	private feed(chunk: Buffer): void {
		let failure: unknown;
		try {
			if (this.probe && !this.probe.done) this.probe.push(chunk);
		} catch (error) {
			failure = error;
		}
		if (failure !== undefined) throw failure instanceof MediaProbeError ? new ContentError(`its header is broken: ${failure.message}`) : failure;
		this.walker?.feed(chunk);
	}

	/** The verdict, at the end of the file (or once `push` answered true). */
	finish(): Content {
		if (!this.sniffed) {
			const head = Buffer.concat(this.head);
			this.identify(head);
			if (this.expect === 'image') this.feed(head);
		}
		const sniffed = this.sniffed!;
		if (sniffed.kind !== 'image') return { kind: sniffed.kind, format: sniffed.format, bytes: this.bytes };
		let info: MediaInfo | undefined;
		let failure: unknown;
		try {
			info = this.probe!.finish();
		} catch (error) {
			failure = error;
		}
		if (!info) throw failure instanceof MediaProbeError ? new ContentError(`it is cut short or broken: ${failure.message}`) : failure;
		if (info.kind !== 'image' || !(info.width > 0 && info.height > 0)) throw new ContentError('its header gives no width and height');
		if (!this.walker!.done) throw new ContentError(`it is cut short: the ${END_WORDS[sniffed.format]} is missing after ${this.bytes} bytes`);
		return { kind: 'image', format: sniffed.format, info, bytes: this.bytes };
	}
}
