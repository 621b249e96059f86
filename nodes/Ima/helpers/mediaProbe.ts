/**
 * Reads what IMA's Seedance 2.0 create needs from a media file's own bytes, without ffmpeg or
 * any dependency: image width and height (PNG, JPEG, WebP, GIF, BMP, TIFF); MP4/MOV duration,
 * width, height and frame rate (moov: mvhd, tkhd, mdhd, hdlr, stsd, stts); MP3 duration (frame
 * headers, Xing/Info/VBRI) and WAV duration (fmt, data).
 *
 * `MediaProbe` takes the file in chunks as they arrive and says when it has seen enough, so a
 * URL's header can be read with a bounded GET and a file stored on disk need not be read whole.
 * Of an MP4/MOV it keeps only the `moov` box (other top-level boxes, such as `mdat`, are counted
 * and dropped); of other files it keeps what arrived until it is done.
 */

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif' | 'bmp' | 'tiff';
export type VideoFormat = 'mp4' | 'mov';
export type AudioFormat = 'mp3' | 'wav';

export type MediaInfo =
	| { kind: 'image'; format: ImageFormat; width: number; height: number }
	| { kind: 'video'; format: VideoFormat; duration: number; width: number; height: number; fps: number }
	| { kind: 'audio'; format: AudioFormat; duration: number };

/** The file is not one of the formats read here, or its header is broken. */
export class MediaProbeError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'MediaProbeError';
	}
}

type Partial = MediaInfo | undefined;

// ─── images ─────────────────────────────────────────────────────────────────────────────────

function probePng(b: Buffer): Partial {
	if (b.length < 24) return undefined;
	if (b.toString('latin1', 12, 16) !== 'IHDR') throw new MediaProbeError('PNG without an IHDR header');
	return { kind: 'image', format: 'png', width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

function probeGif(b: Buffer): Partial {
	if (b.length < 10) return undefined;
	return { kind: 'image', format: 'gif', width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
}

function probeBmp(b: Buffer): Partial {
	if (b.length < 26) return undefined;
	const dib = b.readUInt32LE(14);
	if (dib === 12) return { kind: 'image', format: 'bmp', width: b.readUInt16LE(18), height: b.readUInt16LE(20) };
	return { kind: 'image', format: 'bmp', width: Math.abs(b.readInt32LE(18)), height: Math.abs(b.readInt32LE(22)) };
}

function probeWebp(b: Buffer): Partial {
	if (b.length < 16) return undefined;
	const chunk = b.toString('latin1', 12, 16);
	if (b.length < (chunk === 'VP8L' ? 25 : 30)) return undefined;
	if (chunk === 'VP8X') return { kind: 'image', format: 'webp', width: 1 + b.readUIntLE(24, 3), height: 1 + b.readUIntLE(27, 3) };
	if (chunk === 'VP8L') {
		if (b[20] !== 0x2f) throw new MediaProbeError('WebP (lossless) with a bad signature');
		const bits = b.readUInt32LE(21);
		return { kind: 'image', format: 'webp', width: 1 + (bits & 0x3fff), height: 1 + ((bits >>> 14) & 0x3fff) };
	}
	if (chunk === 'VP8 ') {
		if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) throw new MediaProbeError('WebP (lossy) with a bad frame tag');
		return { kind: 'image', format: 'webp', width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
	}
	throw new MediaProbeError(`WebP with an unknown first chunk "${chunk.replace(/[^\x20-\x7e]/g, '?')}"`);
}

function probeJpeg(b: Buffer, complete: boolean): Partial {
	let i = 2;
	for (;;) {
		// Decoders skip stray bytes before a marker (some writers leave padding), and markers may
		// be padded with 0xFF bytes: so does this read.
		while (i < b.length && b[i] !== 0xff) i++;
		while (i < b.length && b[i] === 0xff && b[i + 1] === 0xff) i++;
		if (i + 4 > b.length) break;
		const marker = b[i + 1];
		if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
			i += 2;
			continue;
		}
		if (marker === 0xd9 || marker === 0xda) throw new MediaProbeError('JPEG without a frame header (SOF) before its image data');
		const len = b.readUInt16BE(i + 2);
		const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
		if (isSof) {
			if (i + 9 > b.length) break;
			return { kind: 'image', format: 'jpeg', width: b.readUInt16BE(i + 7), height: b.readUInt16BE(i + 5) };
		}
		if (len < 2) throw new MediaProbeError('JPEG with a broken segment length');
		i += 2 + len;
	}
	if (complete) throw new MediaProbeError('JPEG without a frame header (SOF)');
	return undefined;
}

function probeTiff(b: Buffer): Partial {
	if (b.length < 8) return undefined;
	const le = b[0] === 0x49;
	const u16 = (o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
	const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
	const ifd = u32(4);
	if (ifd + 2 > b.length) return undefined;
	const count = u16(ifd);
	if (ifd + 2 + count * 12 > b.length) return undefined;
	let width: number | undefined;
	let height: number | undefined;
	for (let k = 0; k < count; k++) {
		const e = ifd + 2 + k * 12;
		const tag = u16(e);
		const type = u16(e + 2);
		const value = type === 3 ? u16(e + 8) : u32(e + 8);
		if (tag === 256) width = value;
		if (tag === 257) height = value;
	}
	if (width === undefined || height === undefined) throw new MediaProbeError('TIFF without width and height tags');
	return { kind: 'image', format: 'tiff', width, height };
}

// ─── MP4 / MOV ──────────────────────────────────────────────────────────────────────────────

interface Box {
	type: string;
	start: number; // payload start
	end: number;
}

function boxes(b: Buffer, from: number, to: number): Box[] {
	const out: Box[] = [];
	let i = from;
	while (i + 8 <= to) {
		let size = b.readUInt32BE(i);
		const type = b.toString('latin1', i + 4, i + 8);
		let header = 8;
		if (size === 1) {
			if (i + 16 > to) break;
			size = Number(b.readBigUInt64BE(i + 8));
			header = 16;
		} else if (size === 0) {
			size = to - i;
		}
		if (size < header || i + size > to) throw new MediaProbeError(`MP4/MOV box "${type.replace(/[^\x20-\x7e]/g, '?')}" runs past its parent`);
		out.push({ type, start: i + header, end: i + size });
		i += size;
	}
	return out;
}

const child = (b: Buffer, parent: Box, type: string) => boxes(b, parent.start, parent.end).find((x) => x.type === type);

/** (timescale, duration) of an mvhd or mdhd box. */
function timing(b: Buffer, box: Box): { timescale: number; duration: number } {
	const v = b[box.start];
	if (v === 1) {
		if (box.start + 32 > box.end) throw new MediaProbeError(`MP4/MOV ${box.type} box too short`);
		return { timescale: b.readUInt32BE(box.start + 20), duration: Number(b.readBigUInt64BE(box.start + 24)) };
	}
	if (box.start + 20 > box.end) throw new MediaProbeError(`MP4/MOV ${box.type} box too short`);
	return { timescale: b.readUInt32BE(box.start + 12), duration: b.readUInt32BE(box.start + 16) };
}

function parseMoov(b: Buffer, moov: Box, format: VideoFormat): MediaInfo {
	const mvhd = child(b, moov, 'mvhd');
	let duration: number | undefined;
	if (mvhd) {
		const t = timing(b, mvhd);
		if (t.timescale > 0) duration = t.duration / t.timescale;
	}
	for (const trak of boxes(b, moov.start, moov.end).filter((x) => x.type === 'trak')) {
		const mdia = child(b, trak, 'mdia');
		const hdlr = mdia && child(b, mdia, 'hdlr');
		if (!mdia || !hdlr || b.toString('latin1', hdlr.start + 8, hdlr.start + 12) !== 'vide') continue;
		const mdhd = child(b, mdia, 'mdhd');
		const mt = mdhd ? timing(b, mdhd) : undefined;
		let width = 0;
		let height = 0;
		const tkhd = child(b, trak, 'tkhd');
		if (tkhd) {
			const off = tkhd.start + (b[tkhd.start] === 1 ? 88 : 76);
			if (off + 8 <= tkhd.end) {
				width = Math.round(b.readUInt32BE(off) / 65536);
				height = Math.round(b.readUInt32BE(off + 4) / 65536);
			}
		}
		const minf = child(b, mdia, 'minf');
		const stbl = minf && child(b, minf, 'stbl');
		// The coded size of the first sample description (what ffprobe reports) wins over tkhd's.
		const stsd = stbl && child(b, stbl, 'stsd');
		if (stsd && stsd.start + 8 + 36 <= stsd.end && b.readUInt32BE(stsd.start + 4) > 0) {
			const entry = stsd.start + 8;
			const w = b.readUInt16BE(entry + 32);
			const h = b.readUInt16BE(entry + 34);
			if (w > 0 && h > 0) {
				width = w;
				height = h;
			}
		}
		// Frame rate: the timescale over the most common sample delta (ffprobe's r_frame_rate for
		// a constant rate); the average rate when the deltas vary evenly.
		let fps = 0;
		const stts = stbl && child(b, stbl, 'stts');
		if (stts && mt && mt.timescale > 0) {
			const n = b.readUInt32BE(stts.start + 4);
			let best = { count: 0, delta: 0 };
			for (let k = 0; k < n && stts.start + 8 + k * 8 + 8 <= stts.end; k++) {
				const count = b.readUInt32BE(stts.start + 8 + k * 8);
				const delta = b.readUInt32BE(stts.start + 12 + k * 8);
				if (count > best.count && delta > 0) best = { count, delta };
			}
			if (best.delta > 0) fps = mt.timescale / best.delta;
		}
		if (duration === undefined && mt && mt.timescale > 0) duration = mt.duration / mt.timescale;
		if (duration === undefined) throw new MediaProbeError('MP4/MOV without a duration (no mvhd or mdhd)');
		return { kind: 'video', format, duration, width, height, fps: Math.round(fps * 1000) / 1000 };
	}
	throw new MediaProbeError('MP4/MOV without a video track');
}

// ─── MP3 / WAV ──────────────────────────────────────────────────────────────────────────────

const MP3_BITRATES: Record<string, number[]> = {
	// [version 1 | 2][layer 1..3], kbit/s by index 0..15
	'1-1': [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448, -1],
	'1-2': [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, -1],
	'1-3': [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, -1],
	'2-1': [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256, -1],
	'2-2': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, -1],
	'2-3': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, -1],
};
const MP3_RATES: Record<number, number[]> = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] };

interface Mp3Frame {
	length: number;
	samples: number;
	sampleRate: number;
	bitrate: number; // bit/s
	mono: boolean;
	mpeg1: boolean;
}

export function mp3Frame(b: Buffer, i: number): Mp3Frame | undefined {
	if (i + 4 > b.length || b[i] !== 0xff || (b[i + 1] & 0xe0) !== 0xe0) return undefined;
	const versionBits = (b[i + 1] >> 3) & 3;
	const layerBits = (b[i + 1] >> 1) & 3;
	if (versionBits === 1 || layerBits === 0) return undefined;
	const layer = 4 - layerBits;
	const mpeg1 = versionBits === 3;
	const bitrateIndex = b[i + 2] >> 4;
	const rateIndex = (b[i + 2] >> 2) & 3;
	if (rateIndex === 3 || bitrateIndex === 0 || bitrateIndex === 15) return undefined;
	const bitrate = MP3_BITRATES[`${mpeg1 ? 1 : 2}-${layer}`][bitrateIndex] * 1000;
	const sampleRate = MP3_RATES[versionBits][rateIndex];
	const padding = (b[i + 2] >> 1) & 1;
	const mono = b[i + 3] >> 6 === 3;
	let length: number;
	let samples: number;
	if (layer === 1) {
		length = (Math.floor((12 * bitrate) / sampleRate) + padding) * 4;
		samples = 384;
	} else {
		samples = layer === 3 && !mpeg1 ? 576 : 1152;
		length = Math.floor(((samples / 8) * bitrate) / sampleRate) + padding;
	}
	return { length, samples, sampleRate, bitrate, mono, mpeg1 };
}

function id3Size(b: Buffer): number | undefined {
	if (b.length < 10) return undefined;
	if (b.toString('latin1', 0, 3) !== 'ID3') return 0;
	const size = ((b[6] & 0x7f) << 21) | ((b[7] & 0x7f) << 14) | ((b[8] & 0x7f) << 7) | (b[9] & 0x7f);
	return 10 + size + (b[5] & 0x10 ? 10 : 0);
}

function probeMp3(b: Buffer, complete: boolean, totalSize?: number): Partial {
	const start = id3Size(b);
	if (start === undefined) return complete ? fail('MP3 too short') : undefined;
	// The first frame: sync within the first 64 KB after the ID3 tag, confirmed by the next one.
	let first = -1;
	let frame: Mp3Frame | undefined;
	for (let i = start; i < Math.min(b.length - 3, start + 65536); i++) {
		const f = mp3Frame(b, i);
		if (!f) continue;
		if (i + f.length + 4 > b.length) {
			if (!complete) return undefined;
		} else if (!mp3Frame(b, i + f.length)) continue;
		first = i;
		frame = f;
		break;
	}
	if (!frame) {
		if (!complete && b.length < start + 65536 + 4) return undefined;
		return fail('MP3 without a valid MPEG audio frame');
	}
	// Xing/Info (LAME) or VBRI header in the first frame: the frame count.
	const side = frame.mpeg1 ? (frame.mono ? 17 : 32) : frame.mono ? 9 : 17;
	const x = first + 4 + side;
	if (x + 12 > b.length && !complete) return undefined;
	const tag = x + 8 <= b.length ? b.toString('latin1', x, x + 4) : '';
	if ((tag === 'Xing' || tag === 'Info') && b.readUInt32BE(x + 4) & 1) {
		return { kind: 'audio', format: 'mp3', duration: (b.readUInt32BE(x + 8) * frame.samples) / frame.sampleRate };
	}
	const v = first + 4 + 32;
	if (v + 18 <= b.length && b.toString('latin1', v, v + 4) === 'VBRI') {
		return { kind: 'audio', format: 'mp3', duration: (b.readUInt32BE(v + 14) * frame.samples) / frame.sampleRate };
	}
	if (!complete) {
		// Constant bit rate (the first 8 frames agree) and a known size: the size gives the length.
		if (totalSize === undefined) return undefined;
		let i = first;
		for (let k = 0; k < 8; k++) {
			const f = mp3Frame(b, i);
			if (!f) return i >= b.length - 4 ? undefined : fail('MP3 with a broken frame');
			if (f.bitrate !== frame.bitrate) return undefined;
			i += f.length;
		}
		return { kind: 'audio', format: 'mp3', duration: ((totalSize - first) * 8) / frame.bitrate };
	}
	// The whole file: count every frame.
	let seconds = 0;
	let i = first;
	for (;;) {
		const f = mp3Frame(b, i);
		if (!f || i + f.length > b.length) break;
		seconds += f.samples / f.sampleRate;
		i += f.length;
	}
	return { kind: 'audio', format: 'mp3', duration: seconds };
}

function probeWav(b: Buffer, complete: boolean, totalSize?: number): Partial {
	let i = 12;
	let byteRate = 0;
	while (i + 8 <= b.length) {
		const id = b.toString('latin1', i, i + 4);
		const size = b.readUInt32LE(i + 4);
		if (id === 'fmt ') {
			if (i + 20 > b.length) return undefined;
			byteRate = b.readUInt32LE(i + 16);
			if (!byteRate) throw new MediaProbeError('WAV with a byte rate of 0');
		} else if (id === 'data') {
			if (!byteRate) throw new MediaProbeError('WAV with its data before its format (fmt) chunk');
			const size0 = size === 0 || size === 0xffffffff ? undefined : size;
			const left = totalSize !== undefined ? totalSize - (i + 8) : complete ? b.length - (i + 8) : undefined;
			const bytes = size0 !== undefined && left !== undefined ? Math.min(size0, left) : (size0 ?? left);
			if (bytes === undefined) return undefined;
			return { kind: 'audio', format: 'wav', duration: bytes / byteRate };
		}
		i += 8 + size + (size & 1);
	}
	return complete ? fail('WAV without fmt and data chunks') : undefined;
}

function fail(message: string): never {
	throw new MediaProbeError(message);
}

// ─── format detection and the chunked reader ────────────────────────────────────────────────

type Format = ImageFormat | VideoFormat | AudioFormat | 'isobmff';

/** The format from the first bytes (at least 12 needed); undefined when unknown. */
export function sniffFormat(b: Buffer): Format | undefined {
	const s = (a: number, z: number) => b.toString('latin1', a, z);
	if (b.length >= 8 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a) return 'png';
	if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
	if (b.length >= 6 && (s(0, 6) === 'GIF87a' || s(0, 6) === 'GIF89a')) return 'gif';
	if (b.length >= 12 && s(0, 4) === 'RIFF' && s(8, 12) === 'WEBP') return 'webp';
	if (b.length >= 12 && s(0, 4) === 'RIFF' && s(8, 12) === 'WAVE') return 'wav';
	if (b.length >= 2 && s(0, 2) === 'BM') return 'bmp';
	if (b.length >= 4 && (s(0, 4) === 'II*\0' || s(0, 4) === 'MM\0*')) return 'tiff';
	if (b.length >= 8 && ['ftyp', 'moov', 'mdat', 'wide', 'free', 'skip', 'pnot'].includes(s(4, 8))) return 'isobmff';
	if (b.length >= 3 && s(0, 3) === 'ID3') return 'mp3';
	if (b.length >= 2 && mp3Frame(Buffer.concat([b.subarray(0, 4), Buffer.alloc(4)]), 0)) return 'mp3';
	return undefined;
}

/** Bytes the probe may keep for formats other than MP4/MOV before it gives up. */
export const DEFAULT_PROBE_LIMIT = 16 * 1024 * 1024;

/**
 * Feed it the file in order (`push`); it answers true once it knows everything. `finish()`
 * gives the result (at the end of the file, or as soon as `push` said true).
 */
export class MediaProbe {
	private head: Buffer[] = [];
	private headLength = 0;
	private format: Format | undefined;
	private result: MediaInfo | undefined;
	/** Bytes seen in all. */
	received = 0;
	// MP4/MOV walking state
	private mp4Format: VideoFormat = 'mp4';
	private boxHeader: Buffer = Buffer.alloc(0);
	private boxLeft = 0; // bytes of the current top-level box still to come
	private boxKeep = false;
	private moov: Buffer[] = [];
	private moovLength = 0;
	private moovDone = false;

	constructor(
		/** The file's whole size, when known (Content-Length, the binary's size): MP3/WAV use it. */
		private readonly totalSize?: number,
		private readonly limit = DEFAULT_PROBE_LIMIT,
	) {}

	get done(): boolean {
		return this.result !== undefined;
	}

	push(chunk: Buffer): boolean {
		if (this.result) return true;
		this.received += chunk.length;
		if (this.format === undefined) {
			this.head.push(chunk);
			this.headLength += chunk.length;
			if (this.headLength < 16) return false;
			const head = Buffer.concat(this.head);
			this.format = sniffFormat(head);
			if (!this.format) throw new MediaProbeError('not an image (png, jpeg, webp, gif, bmp, tiff), a video (mp4, mov) or an audio file (mp3, wav)');
			if (this.format === 'isobmff') {
				// QuickTime files may start without ftyp (moov, wide, mdat…): those are MOV.
				if (head.toString('latin1', 4, 8) !== 'ftyp') this.mp4Format = 'mov';
				this.head = [];
				this.headLength = 0;
				this.walk(head);
			} else {
				this.head = [head];
			}
		} else if (this.format === 'isobmff') {
			this.walk(chunk);
		} else {
			this.head.push(chunk);
			this.headLength += chunk.length;
		}
		if (this.format !== 'isobmff') {
			if (this.headLength > this.limit) throw new MediaProbeError(`its header was not found in the first ${Math.round(this.limit / 1048576)} MB`);
			this.result = this.tryParse(false);
		} else if (this.moovDone && !this.result) {
			this.result = parseMoov(Buffer.concat(this.moov), { type: 'moov', start: 8, end: this.moovLength }, this.mp4Format);
		}
		return this.result !== undefined;
	}

	/** The result; call at the end of the file or once `push` answered true. */
	finish(): MediaInfo {
		if (this.result) return this.result;
		if (this.format === undefined) {
			const head = Buffer.concat(this.head);
			this.format = sniffFormat(head);
			if (!this.format) throw new MediaProbeError(head.length ? 'not an image (png, jpeg, webp, gif, bmp, tiff), a video (mp4, mov) or an audio file (mp3, wav)' : 'the file is empty');
			if (this.format === 'isobmff') {
				if (head.toString('latin1', 4, 8) !== 'ftyp') this.mp4Format = 'mov';
				this.walk(head);
			} else this.head = [head];
		}
		if (this.format === 'isobmff') {
			if (!this.moovDone) throw new MediaProbeError('MP4/MOV without a complete moov box (the file may be cut short)');
			this.result = parseMoov(Buffer.concat(this.moov), { type: 'moov', start: 8, end: this.moovLength }, this.mp4Format);
		} else {
			this.result = this.tryParse(true);
			if (!this.result) throw new MediaProbeError(`${this.format.toUpperCase()} header is cut short`);
		}
		return this.result;
	}

	private tryParse(complete: boolean): Partial {
		const b = this.head.length === 1 ? this.head[0] : Buffer.concat(this.head);
		this.head = [b];
		switch (this.format) {
			case 'png':
				return probePng(b);
			case 'jpeg':
				return probeJpeg(b, complete);
			case 'gif':
				return probeGif(b);
			case 'webp':
				return probeWebp(b);
			case 'bmp':
				return probeBmp(b);
			case 'tiff':
				return probeTiff(b);
			case 'wav':
				return probeWav(b, complete, this.totalSize);
			case 'mp3':
				return probeMp3(b, complete, this.totalSize);
			default:
				return undefined;
		}
	}

	/** Walks top-level MP4 boxes across chunks, keeping only moov (and reading ftyp's brand). */
	private walk(chunk: Buffer): void {
		let i = 0;
		while (i < chunk.length && !this.moovDone) {
			if (this.boxLeft === 0) {
				const need = (this.boxHeader.length >= 8 && this.boxHeader.readUInt32BE(0) === 1 ? 16 : 8) - this.boxHeader.length;
				const take = chunk.subarray(i, i + need);
				this.boxHeader = Buffer.concat([this.boxHeader, take]);
				i += take.length;
				if (this.boxHeader.length < 8) return;
				let size = this.boxHeader.readUInt32BE(0);
				if (size === 1) {
					if (this.boxHeader.length < 16) continue;
					size = Number(this.boxHeader.readBigUInt64BE(8));
				}
				const type = this.boxHeader.toString('latin1', 4, 8);
				const headerLength = this.boxHeader.length;
				if (size === 0) size = Number.MAX_SAFE_INTEGER;
				if (size < headerLength) throw new MediaProbeError(`MP4/MOV top-level box "${type.replace(/[^\x20-\x7e]/g, '?')}" has a broken size`);
				if (type === 'moov' || type === 'ftyp') {
					if (size > this.limit) throw new MediaProbeError(`MP4/MOV ${type} box of ${size} bytes is larger than the ${Math.round(this.limit / 1048576)} MB the node reads`);
					this.boxKeep = true;
					this.moov = type === 'moov' ? [Buffer.from(this.boxHeader.subarray(0, 8))] : [];
					this.moovLength = type === 'moov' ? 8 : 0;
					if (type === 'moov' && headerLength === 16) {
						// Keep a plain 8-byte header so the box parses the same way.
						this.moov = [Buffer.from([0, 0, 0, 0, 0x6d, 0x6f, 0x6f, 0x76])];
					}
				} else {
					this.boxKeep = false;
				}
				this.boxLeft = size - headerLength;
				this.boxHeader = Buffer.from(type, 'latin1'); // remember the type
				if (this.boxLeft === 0) this.endBox();
				continue;
			}
			const take = chunk.subarray(i, i + Math.min(this.boxLeft, chunk.length - i));
			i += take.length;
			this.boxLeft -= take.length;
			if (this.boxKeep) {
				this.moov.push(Buffer.from(take));
				this.moovLength += take.length;
			}
			if (this.boxLeft === 0) this.endBox();
		}
	}

	private endBox(): void {
		const type = this.boxHeader.toString('latin1');
		if (type === 'ftyp' && this.boxKeep) {
			const ftyp = Buffer.concat(this.moov);
			if (ftyp.length >= 4 && ftyp.toString('latin1', 0, 4) === 'qt  ') this.mp4Format = 'mov';
			this.moov = [];
			this.moovLength = 0;
		} else if (type === 'moov') {
			this.moovDone = true;
		}
		this.boxHeader = Buffer.alloc(0);
		this.boxKeep = false;
	}
}

/** Probes a whole buffer (or a prefix of it when `totalSize` says the file is larger). */
export function probeMedia(bytes: Buffer, totalSize?: number): MediaInfo {
	const probe = new MediaProbe(totalSize ?? bytes.length, Math.max(DEFAULT_PROBE_LIMIT, bytes.length));
	if (probe.push(bytes)) return probe.finish();
	if (totalSize !== undefined && totalSize > bytes.length) throw new MediaProbeError(`its header is not within the first ${bytes.length} bytes`);
	return probe.finish();
}
