/**
 * Tiny valid media files built in code, for tests: headers as real encoders write them, and
 * (for video/audio) bodies of the right size so durations and sizes are consistent.
 */

const u8 = (...xs: number[]) => Buffer.from(xs);
function u16be(n: number) { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b; }
function u32be(n: number) { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b; }
function u16le(n: number) { const b = Buffer.alloc(2); b.writeUInt16LE(n); return b; }
function u32le(n: number) { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return b; }
function i32le(n: number) { const b = Buffer.alloc(4); b.writeInt32LE(n); return b; }

export function png(width: number, height: number): Buffer {
	const ihdr = Buffer.concat([u32be(width), u32be(height), u8(8, 2, 0, 0, 0)]);
	return Buffer.concat([
		u8(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
		u32be(13), Buffer.from('IHDR'), ihdr, u32be(0),
		u32be(0), Buffer.from('IEND'), u32be(0),
	]);
}

export function jpeg(width: number, height: number, opts: { progressive?: boolean } = {}): Buffer {
	const app0 = Buffer.concat([u8(0xff, 0xe0), u16be(16), Buffer.from('JFIF\0'), u8(1, 1, 0), u16be(1), u16be(1), u8(0, 0)]);
	const dqt = Buffer.concat([u8(0xff, 0xdb), u16be(67), u8(0), Buffer.alloc(64, 1)]);
	const sof = Buffer.concat([u8(0xff, opts.progressive ? 0xc2 : 0xc0), u16be(17), u8(8), u16be(height), u16be(width), u8(3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1)]);
	return Buffer.concat([u8(0xff, 0xd8), app0, dqt, sof, u8(0xff, 0xda), u16be(12), Buffer.alloc(10), Buffer.alloc(32), u8(0xff, 0xd9)]);
}

export function gif(width: number, height: number): Buffer {
	return Buffer.concat([Buffer.from('GIF89a'), u16le(width), u16le(height), u8(0, 0, 0), u8(0x3b)]);
}

export function bmp(width: number, height: number, opts: { topDown?: boolean } = {}): Buffer {
	const dib = Buffer.concat([u32le(40), i32le(width), i32le(opts.topDown ? -height : height), u16le(1), u16le(24), Buffer.alloc(24)]);
	return Buffer.concat([Buffer.from('BM'), u32le(14 + 40), u32le(0), u32le(54), dib]);
}

export function webp(width: number, height: number, variant: 'VP8' | 'VP8L' | 'VP8X' = 'VP8'): Buffer {
	let chunk: Buffer;
	if (variant === 'VP8X') {
		const w = Buffer.alloc(3); w.writeUIntLE(width - 1, 0, 3);
		const h = Buffer.alloc(3); h.writeUIntLE(height - 1, 0, 3);
		chunk = Buffer.concat([Buffer.from('VP8X'), u32le(10), u8(0, 0, 0, 0), w, h]);
	} else if (variant === 'VP8L') {
		const bits = ((width - 1) & 0x3fff) | (((height - 1) & 0x3fff) << 14);
		chunk = Buffer.concat([Buffer.from('VP8L'), u32le(5), u8(0x2f), u32le(bits), u8(0)]);
	} else {
		chunk = Buffer.concat([Buffer.from('VP8 '), u32le(10), u8(0x50, 0x02, 0x00), u8(0x9d, 0x01, 0x2a), u16le(width), u16le(height)]);
	}
	return Buffer.concat([Buffer.from('RIFF'), u32le(4 + chunk.length), Buffer.from('WEBP'), chunk]);
}

export function tiff(width: number, height: number, le = true): Buffer {
	const w16 = (n: number) => { const b = Buffer.alloc(2); if (le) b.writeUInt16LE(n); else b.writeUInt16BE(n); return b; };
	const w32 = (n: number) => { const b = Buffer.alloc(4); if (le) b.writeUInt32LE(n); else b.writeUInt32BE(n); return b; };
	const entry = (tag: number, type: number, value: number) =>
		Buffer.concat([w16(tag), w16(type), w32(1), type === 3 ? Buffer.concat([w16(value), w16(0)]) : w32(value)]);
	return Buffer.concat([Buffer.from(le ? 'II' : 'MM'), w16(42), w32(8), w16(2), entry(256, 3, width), entry(257, 4, height), w32(0)]);
}

// ─── MP4 / MOV ─────────────────────────────────────────────────────────────────────────────

function box(type: string, ...payload: Buffer[]): Buffer {
	const body = Buffer.concat(payload);
	return Buffer.concat([u32be(8 + body.length), Buffer.from(type, 'latin1'), body]);
}

export interface Mp4Options {
	width?: number;
	height?: number;
	/** Seconds. */
	duration?: number;
	fps?: number;
	timescale?: number;
	/** moov before mdat ("fast start"); default false (moov at the end, as cameras write). */
	moovFirst?: boolean;
	brand?: string;
	/** Size of the mdat payload in bytes (default 2048). */
	mdatBytes?: number;
	/** Version 1 (64-bit) mvhd/tkhd/mdhd. */
	v1?: boolean;
	/** Leave the video track out (an audio-only file). */
	noVideo?: boolean;
}

export function mp4(opts: Mp4Options = {}): Buffer {
	const width = opts.width ?? 1280;
	const height = opts.height ?? 720;
	const duration = opts.duration ?? 5;
	const fps = opts.fps ?? 30;
	const timescale = opts.timescale ?? 15360;
	const v1 = opts.v1 ?? false;
	const movieScale = 1000;
	const frames = Math.round(duration * fps);
	const delta = Math.round(timescale / fps);
	const full = (v: number) => u8(v, 0, 0, 0);
	const times = (scale: number, dur: number) =>
		v1
			? Buffer.concat([full(1), Buffer.alloc(16), u32be(scale), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(dur)); return b; })()])
			: Buffer.concat([full(0), Buffer.alloc(8), u32be(scale), u32be(dur)]);
	const mvhd = box('mvhd', times(movieScale, Math.round(duration * movieScale)), u32be(0x10000), u16be(0x100), Buffer.alloc(10), Buffer.alloc(36), Buffer.alloc(24), u32be(2));
	const tkhdTimes = v1
		? Buffer.concat([full(1), Buffer.alloc(16), u32be(1), u32be(0), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(Math.round(duration * movieScale))); return b; })()])
		: Buffer.concat([full(0), Buffer.alloc(8), u32be(1), u32be(0), u32be(Math.round(duration * movieScale))]);
	const tkhd = box('tkhd', tkhdTimes, Buffer.alloc(8), u16be(0), u16be(0), u16be(0), u16be(0), Buffer.alloc(36), u32be(width * 65536), u32be(height * 65536));
	const mdhd = box('mdhd', times(timescale, frames * delta), u16be(0x55c4), u16be(0));
	const hdlr = (kind: string) => box('hdlr', full(0), u32be(0), Buffer.from(kind), Buffer.alloc(12), Buffer.from('Handler\0'));
	const avc1 = box('avc1', Buffer.alloc(6), u16be(1), Buffer.alloc(16), u16be(width), u16be(height), u32be(0x480000), u32be(0x480000), u32be(0), u16be(1), Buffer.alloc(32), u16be(24), u16be(0xffff));
	const stsd = box('stsd', full(0), u32be(1), avc1);
	const stts = box('stts', full(0), u32be(1), u32be(frames), u32be(delta));
	const stbl = box('stbl', stsd, stts, box('stsc', full(0), u32be(0)), box('stsz', full(0), u32be(0), u32be(0)), box('stco', full(0), u32be(0)));
	const minf = box('minf', box('vmhd', full(0), Buffer.alloc(8)), stbl);
	const videoTrak = box('trak', tkhd, box('mdia', mdhd, hdlr('vide'), minf));
	const soundMdhd = box('mdhd', times(44100, Math.round(duration * 44100)), u16be(0x55c4), u16be(0));
	const soundTrak = box('trak', box('tkhd', tkhdTimes, Buffer.alloc(60), u32be(0), u32be(0)), box('mdia', soundMdhd, hdlr('soun'), box('minf', box('smhd', full(0), u32be(0)))));
	const moov = box('moov', mvhd, soundTrak, ...(opts.noVideo ? [] : [videoTrak]));
	const ftyp = box('ftyp', Buffer.from((opts.brand ?? 'isom').padEnd(4, ' ')), u32be(0x200), Buffer.from('isomiso2avc1mp41'));
	const mdat = box('mdat', Buffer.alloc(opts.mdatBytes ?? 2048, 0xaa));
	return opts.moovFirst ? Buffer.concat([ftyp, moov, mdat]) : Buffer.concat([ftyp, box('free'), mdat, moov]);
}

// ─── MP3 / WAV ─────────────────────────────────────────────────────────────────────────────

export interface Mp3Options {
	seconds: number;
	/** kbit/s (MPEG-1 Layer III), default 128. */
	kbps?: number;
	/** Write a Xing header with the frame count (as LAME does for VBR). */
	xing?: boolean;
	/** Write an Info header (LAME's CBR) instead. */
	info?: boolean;
	/** A VBRI header (Fraunhofer). */
	vbri?: boolean;
	id3?: boolean;
}

const KBPS_INDEX: Record<number, number> = { 32: 1, 40: 2, 48: 3, 56: 4, 64: 5, 80: 6, 96: 7, 112: 8, 128: 9, 160: 10, 192: 11, 224: 12, 256: 13, 320: 14 };

/** MPEG-1 Layer III, 44.1 kHz, stereo frames of silence; about `seconds` long. */
export function mp3(opts: Mp3Options): Buffer {
	const kbps = opts.kbps ?? 128;
	const frameLength = Math.floor((144 * kbps * 1000) / 44100);
	const frames = Math.round((opts.seconds * 44100) / 1152);
	const header = u8(0xff, 0xfb, (KBPS_INDEX[kbps] << 4) | (0 << 2), 0x00);
	const frame = Buffer.concat([header, Buffer.alloc(frameLength - 4)]);
	const parts: Buffer[] = [];
	if (opts.id3) {
		const tag = Buffer.alloc(100, 0);
		parts.push(Buffer.concat([Buffer.from('ID3'), u8(4, 0, 0, 0, 0, 0, 100), tag]));
	}
	if (opts.xing || opts.info || opts.vbri) {
		const first = Buffer.from(frame);
		if (opts.vbri) {
			Buffer.from('VBRI').copy(first, 36);
			first.writeUInt32BE(frames, 36 + 14);
		} else {
			Buffer.from(opts.info ? 'Info' : 'Xing').copy(first, 36);
			first.writeUInt32BE(1, 40);
			first.writeUInt32BE(frames, 44);
		}
		parts.push(first);
	}
	for (let k = 0; k < frames; k++) parts.push(frame);
	return Buffer.concat(parts);
}

export function wav(seconds: number, opts: { rate?: number; channels?: number; bits?: number; streaming?: boolean } = {}): Buffer {
	const rate = opts.rate ?? 8000;
	const channels = opts.channels ?? 1;
	const bits = opts.bits ?? 16;
	const byteRate = (rate * channels * bits) / 8;
	const dataBytes = Math.round(seconds * byteRate);
	const fmt = Buffer.concat([u16le(1), u16le(channels), u32le(rate), u32le(byteRate), u16le((channels * bits) / 8), u16le(bits)]);
	return Buffer.concat([
		Buffer.from('RIFF'), u32le(36 + dataBytes), Buffer.from('WAVE'),
		Buffer.from('LIST'), u32le(4), Buffer.from('INFO'),
		Buffer.from('fmt '), u32le(16), fmt,
		Buffer.from('data'), u32le(opts.streaming ? 0xffffffff : dataBytes), Buffer.alloc(dataBytes),
	]);
}
