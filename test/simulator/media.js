// @ts-check
'use strict';

/**
 * Real, valid media files for the simulator's CDN, built once at load time, and a streaming
 * generator for files of an exact size (valid header, then padding generated in chunks from
 * shared read-only buffers: a 500 MB file never allocates more than a few hundred KB).
 */

const zlib = require('node:zlib');
const { Readable } = require('node:stream');

/** @typedef {'image' | 'video' | 'audio'} MediaKind */

// ---- CRC-32 (PNG chunks) -------------------------------------------------------------------
const CRC_TABLE = (() => {
	const table = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		table[n] = c >>> 0;
	}
	return table;
})();

/**
 * @param {Buffer} buf
 * @returns {number}
 */
function crc32(buf) {
	let c = 0xffffffff;
	for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}

/**
 * @param {string} type four ASCII letters
 * @param {Buffer} data
 * @returns {Buffer}
 */
function pngChunk(type, data) {
	const len = Buffer.alloc(4);
	len.writeUInt32BE(data.length, 0);
	const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(typeAndData), 0);
	return Buffer.concat([len, typeAndData, crc]);
}

/**
 * A valid 8-bit RGB PNG (a gradient), with correct CRCs.
 * @param {number} width
 * @param {number} height
 * @returns {Buffer}
 */
function makePng(width, height) {
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(width, 0);
	ihdr.writeUInt32BE(height, 4);
	ihdr[8] = 8; // bit depth
	ihdr[9] = 2; // colour type: RGB
	ihdr[10] = 0; // compression
	ihdr[11] = 0; // filter
	ihdr[12] = 0; // interlace
	const raw = Buffer.alloc((width * 3 + 1) * height);
	for (let y = 0; y < height; y++) {
		const row = y * (width * 3 + 1);
		raw[row] = 0; // filter: none
		for (let x = 0; x < width; x++) {
			const p = row + 1 + x * 3;
			raw[p] = Math.round((255 * x) / (width - 1));
			raw[p + 1] = Math.round((255 * y) / (height - 1));
			raw[p + 2] = 160;
		}
	}
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		pngChunk('IHDR', ihdr),
		pngChunk('IDAT', zlib.deflateSync(raw)),
		pngChunk('IEND', Buffer.alloc(0)),
	]);
}

/**
 * A 64x36 baseline JFIF JPEG (encoded with libjpeg-turbo's cjpeg, decodes with djpeg).
 * Used for video covers.
 */
const JPEG = Buffer.from(
	'/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/2wBDAQkJCQwLDBgNDRgyIRwhMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjL/wAARCAAkAEADASIAAhEBAxEB/8QAFwABAQEBAAAAAAAAAAAAAAAAAwIABf/EABYQAQEBAAAAAAAAAAAAAAAAAAIAAf/EABYBAQEBAAAAAAAAAAAAAAAAAAUGB//EABYRAQEBAAAAAAAAAAAAAAAAAAADAv/aAAwDAQACEQMRAD8A4JExFZEpFSW2JhtBExFZEpETbRiG0ESkVkTERNtGIbQRKRWRMRE20YhtwiJSKyJSK5tplkNoImIrIlIibbMQ2giYisiUiJtoxDaCJiKyJSIq2zENuCcyU5lrV3ZmECnMmOZa0VYxApzJictaIsYgU5kpzLWirF4P/9k=',
	'base64',
);

// ---- MP4 -----------------------------------------------------------------------------------
/**
 * @param {string} type
 * @param {Buffer} payload
 * @returns {Buffer}
 */
function box(type, payload) {
	const head = Buffer.alloc(8);
	head.writeUInt32BE(8 + payload.length, 0);
	head.write(type, 4, 'ascii');
	return Buffer.concat([head, payload]);
}

/** `ftyp` (isom) + `moov` (with a version-0 `mvhd`): the part of the MP4 before `mdat`. */
const MP4_PREFIX = (() => {
	const ftyp = box('ftyp', Buffer.from('isom\x00\x00\x02\x00isomiso2avc1mp41', 'latin1'));
	const mvhd = Buffer.alloc(100);
	// version/flags 0, creation 0, modification 0
	mvhd.writeUInt32BE(1000, 12); // timescale
	mvhd.writeUInt32BE(5000, 16); // duration: 5 s
	mvhd.writeUInt32BE(0x00010000, 20); // rate 1.0
	mvhd.writeUInt16BE(0x0100, 24); // volume 1.0
	// unity matrix at offset 36
	const matrix = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000];
	matrix.forEach((v, i) => mvhd.writeUInt32BE(v, 36 + i * 4));
	mvhd.writeUInt32BE(1, 96); // next_track_ID
	return Buffer.concat([ftyp, box('moov', box('mvhd', mvhd))]);
})();

/**
 * The 8-byte `mdat` header for a file of `total` bytes.
 * @param {number} total
 * @returns {Buffer}
 */
function mdatHeader(total) {
	const size = total - MP4_PREFIX.length;
	const head = Buffer.alloc(8);
	// size 0 = "extends to the end of the file" (needed beyond 4 GiB)
	head.writeUInt32BE(size > 0xffffffff ? 0 : Math.max(size, 8), 0);
	head.write('mdat', 4, 'ascii');
	return head;
}

// ---- MP3 -----------------------------------------------------------------------------------
/** MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, mono, no CRC: 417-byte frames of silence. */
const MP3_FRAME = (() => {
	const frame = Buffer.alloc(417);
	frame[0] = 0xff;
	frame[1] = 0xfb;
	frame[2] = 0x90;
	frame[3] = 0xc4;
	return frame;
})();
/** 628 frames (about 16 s, 261,876 bytes): the repeating unit of generated MP3 files. */
const MP3_FILL = Buffer.concat(Array.from({ length: 628 }, () => MP3_FRAME));
/** 256 KiB of zeros, shared by every padded stream. */
const ZERO_FILL = Buffer.alloc(256 * 1024);
/**
 * 65,521 (a prime number of) pseudo-random bytes: the padding of `pattern` files, where every
 * byte depends on its position (a piece put at the wrong offset changes the file's hash).
 */
const PATTERN_FILL = (() => {
	const buf = Buffer.alloc(65_521);
	let x = 0x9e3779b9;
	for (let i = 0; i < buf.length; i++) {
		x ^= x << 13;
		x ^= x >>> 17;
		x ^= x << 5;
		buf[i] = x & 0xff;
	}
	return buf;
})();

const PNG = makePng(64, 64);
const DEFAULT_MP4 = Buffer.concat([MP4_PREFIX, mdatHeader(MP4_PREFIX.length + 8 + 4096), Buffer.alloc(4096)]);
/** About 2.6 s of silence (100 frames). */
const DEFAULT_MP3 = MP3_FILL.subarray(0, MP3_FRAME.length * 100);

/** @type {Record<MediaKind, {ext: string, format: string, contentType: string}>} */
const KIND_INFO = {
	image: { ext: 'png', format: 'png', contentType: 'image/png' },
	video: { ext: 'mp4', format: 'mp4', contentType: 'video/mp4' },
	audio: { ext: 'mp3', format: 'mp3', contentType: 'audio/mpeg' },
};

/**
 * A readable stream of exactly `total` bytes: `prefix` (cut if longer), then `fill` repeated
 * (the last copy cut). Respects back-pressure; allocates nothing per chunk.
 * @param {Buffer} prefix
 * @param {Buffer} fill
 * @param {number} total
 * @returns {Readable}
 */
function exactSizeStream(prefix, fill, total) {
	let sent = 0;
	return new Readable({
		highWaterMark: 1024 * 1024,
		read() {
			while (sent < total) {
				/** @type {Buffer} */
				let chunk;
				if (sent < prefix.length) chunk = prefix.subarray(sent, Math.min(prefix.length, total));
				else chunk = fill.subarray(0, Math.min(fill.length, total - sent));
				sent += chunk.length;
				if (!this.push(chunk)) return;
			}
			this.push(null);
		},
	});
}

/**
 * @typedef {object} MediaBody
 * @property {string} contentType
 * @property {number | undefined} length the Content-Length; undefined = none (chunked, open-ended)
 * @property {() => Readable | Buffer} open a fresh body (a Buffer for the default small files)
 */

/**
 * The generated file of one media.
 * @param {MediaKind} kind
 * @param {number} [size] exact size in bytes (mediaBytes); default: a small file
 * @param {boolean} [pattern] image and video padding of pseudo-random bytes instead of zeros (mediaPattern)
 * @returns {MediaBody}
 */
function mediaBody(kind, size, pattern = false) {
	const { contentType } = KIND_INFO[kind];
	if (size === undefined || size === null) {
		const buf = kind === 'image' ? PNG : kind === 'video' ? DEFAULT_MP4 : DEFAULT_MP3;
		return { contentType, length: buf.length, open: () => buf };
	}
	const total = Math.max(0, Math.floor(size));
	const padding = pattern ? PATTERN_FILL : ZERO_FILL;
	if (kind === 'image') {
		// a complete PNG, then zero padding after IEND (decoders ignore trailing data)
		return { contentType, length: total, open: () => exactSizeStream(PNG, padding, total) };
	}
	if (kind === 'video') {
		// ftyp + moov, then one mdat box covering the rest of the file
		const prefix = Buffer.concat([MP4_PREFIX, mdatHeader(total)]);
		return { contentType, length: total, open: () => exactSizeStream(prefix, padding, total) };
	}
	// MP3: back-to-back frames, the last one possibly cut
	return { contentType, length: total, open: () => exactSizeStream(Buffer.alloc(0), MP3_FILL, total) };
}

/**
 * The start of a file of a kind and the padding that follows it: `prefix` is a valid file header
 * (a whole PNG; MP4 ftyp + moov + an mdat header; one MP3 frame), then `fill` repeats from
 * `fillStart` (zeros after the PNG's IEND and inside mdat; more MP3 frames).
 * @param {MediaKind} kind
 * @param {number | undefined} total file size, undefined = no end (an MP4 mdat of size 0 runs to the end)
 * @returns {{prefix: Buffer, fill: Buffer, fillStart: number}}
 */
function openEndedParts(kind, total) {
	if (kind === 'image') return { prefix: PNG, fill: ZERO_FILL, fillStart: 0 };
	if (kind === 'video') {
		const mdat = total === undefined ? Buffer.from([0, 0, 0, 0, 0x6d, 0x64, 0x61, 0x74]) : mdatHeader(total);
		return { prefix: Buffer.concat([MP4_PREFIX, mdat]), fill: ZERO_FILL, fillStart: 0 };
	}
	return { prefix: MP3_FRAME, fill: MP3_FILL, fillStart: MP3_FRAME.length };
}

/**
 * The bytes [from, from + count) of a virtual file `prefix` + `fill` repeated from `fillStart`,
 * as subarrays of the shared buffers (nothing copied but for the few bytes straddling a seam).
 * @param {{prefix: Buffer, fill: Buffer, fillStart: number}} parts
 * @param {number} from
 * @param {number} count
 * @returns {Buffer}
 */
function sliceOf(parts, from, count) {
	const { prefix, fill, fillStart } = parts;
	/** @type {Buffer[]} */
	const out = [];
	let pos = from;
	let left = count;
	while (left > 0) {
		let piece;
		if (pos < prefix.length) piece = prefix.subarray(pos, Math.min(prefix.length, pos + left));
		else {
			const at = (pos - prefix.length + fillStart) % fill.length;
			piece = fill.subarray(at, Math.min(fill.length, at + left));
		}
		out.push(piece);
		pos += piece.length;
		left -= piece.length;
	}
	return out.length === 1 ? out[0] : Buffer.concat(out);
}

/**
 * A body that never ends (`mediaEndless`: the header, then padding as fast as the client reads,
 * back-pressure respected, until the client goes away) or trickles (`mediaTrickle`: the header
 * at once, then `bytes` every `everyMs` milliseconds, up to `total` bytes if given, else
 * forever). No Content-Length unless `total` is given. The trickle's timer is cleared when the
 * stream is destroyed (the server destroys it when the response closes).
 * @param {MediaKind} kind
 * @param {{endless?: boolean, trickle?: {bytes?: number, everyMs?: number, total?: number},
 *   every?: (ms: number, fn: () => void) => () => void}} how `every`: the trickle's timer (default setInterval)
 * @returns {MediaBody}
 */
function openEndedBody(kind, how) {
	const { contentType } = KIND_INFO[kind];
	const trickle = how.trickle;
	const rawTotal = trickle && trickle.total !== undefined && trickle.total !== null ? trickle.total : undefined;
	const total = rawTotal === undefined ? undefined : Math.max(0, Math.floor(rawTotal));
	const parts = openEndedParts(kind, total);
	const limit = total === undefined ? Infinity : total;
	if (!trickle) {
		return {
			contentType,
			length: undefined,
			open: () => {
				let sent = 0;
				return new Readable({
					highWaterMark: 256 * 1024,
					read() {
						for (;;) {
							const chunk = sliceOf(parts, sent, sent < parts.prefix.length ? parts.prefix.length - sent : 64 * 1024);
							sent += chunk.length;
							if (!this.push(chunk)) return;
						}
					},
				});
			},
		};
	}
	const bytes = Math.max(1, Math.floor(trickle.bytes || 1));
	const every =
		how.every ||
		((/** @type {number} */ ms, /** @type {() => void} */ fn) => {
			const t = setInterval(fn, ms);
			return () => clearInterval(t);
		});
	const everyMs = Math.max(1, trickle.everyMs === undefined ? 200 : trickle.everyMs);
	return {
		contentType,
		length: total,
		open: () => {
			let sent = 0;
			/** @type {(() => void) | undefined} stops the trickle's timer */
			let timer;
			const stream = new Readable({
				read() {},
				destroy(err, cb) {
					if (timer) timer();
					timer = undefined;
					cb(err);
				},
			});
			/** @param {number} count */
			const send = (count) => {
				const n = Math.min(count, limit - sent);
				if (n > 0) {
					stream.push(sliceOf(parts, sent, n));
					sent += n;
				}
				if (sent >= limit) {
					if (timer) timer();
					timer = undefined;
					stream.push(null);
				}
			};
			send(parts.prefix.length);
			if (sent < limit) timer = every(everyMs, () => send(bytes));
			return stream;
		},
	};
}

/** @returns {MediaBody} */
function coverBody() {
	return { contentType: 'image/jpeg', length: JPEG.length, open: () => JPEG };
}

module.exports = { KIND_INFO, mediaBody, openEndedBody, coverBody, PNG, JPEG, DEFAULT_MP4, DEFAULT_MP3, crc32 };
