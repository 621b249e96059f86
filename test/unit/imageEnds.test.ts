/**
 * Every input image is read to its end before it is uploaded or paid for
 * (helpers/contentCheck.ts): PNG to its IEND chunk, JPEG to the end-of-image marker after its
 * image data, GIF to its trailer, WebP and BMP to the size their header announces, TIFF to the
 * end of its first directory. Each file here is fed whole, cut at every length and in small
 * chunks: refused below its end, taken from its end on (bytes after the end are allowed), and
 * the refusal's words are the ones the user reads.
 */
import { ContentCheck, ContentError } from '../../nodes/Ima/helpers/contentCheck';
import { bmp, gif, jpeg, png, tiff, webp } from '../support/mediaFiles';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const fs = require('fs') as typeof import('fs');

const bytes = (...xs: number[]) => Buffer.from(xs);
const text = (s: string) => Buffer.from(s, 'latin1');
const u16be = (n: number) => bytes(n >> 8, n & 0xff);
const u32be = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b; };
const u32le = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return b; };
const u16le = (n: number) => bytes(n & 0xff, n >> 8);

/** The check of an image input, fed in chunks of `size` bytes. */
function check(file: Buffer, size = Math.max(file.length, 1)) {
	const c = new ContentCheck('image');
	for (let i = 0; i < file.length; i += size) c.push(file.subarray(i, i + size));
	return c.finish();
}

/** The refusal's message (a ContentError), or undefined when the file is taken. */
function refusal(file: Buffer, size?: number): string | undefined {
	try {
		check(file, size);
	} catch (error) {
		if (!(error instanceof ContentError)) throw error;
		return error.message;
	}
	return undefined;
}

/**
 * The file cut at every length from 0 to its whole size: refused below `end`, taken with all its
 * bytes from `end` on. Returns the lengths that went the other way (none expected).
 */
function wrongCuts(file: Buffer, end: number, size?: number): number[] {
	const wrong: number[] = [];
	for (let n = 0; n <= file.length; n++) {
		let why: string | undefined;
		let taken: number | undefined;
		try {
			taken = check(file.subarray(0, n), size).bytes;
		} catch (error) {
			if (!(error instanceof ContentError)) throw error;
			why = error.message;
		}
		if (n < end ? why === undefined || !/cut short|broken|its content is|empty/.test(why) : taken !== n) wrong.push(n);
	}
	return wrong;
}

// ─── JPEG built marker by marker ────────────────────────────────────────────────────────────

const seg = (marker: number, payload: Buffer) => Buffer.concat([bytes(0xff, marker), u16be(payload.length + 2), payload]);
const SOI = bytes(0xff, 0xd8);
const EOI = bytes(0xff, 0xd9);
const APP0 = seg(0xe0, Buffer.concat([text('JFIF\0'), bytes(1, 1, 0, 0, 1, 0, 1, 0, 0)]));
const DQT = seg(0xdb, Buffer.concat([bytes(0), Buffer.alloc(64, 1)]));
const sof = (marker = 0xc0) => seg(marker, Buffer.concat([bytes(8), u16be(48), u16be(64), bytes(3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1)]));
/** A Huffman table whose values hold the bytes FF D9 (a table's values may be any byte). */
const DHT_FFD9 = seg(0xc4, Buffer.concat([bytes(0x10, 0, 3), Buffer.alloc(14), bytes(0x01, 0xff, 0xd9)]));
const DHT = seg(0xc4, Buffer.concat([bytes(0x00, 1), Buffer.alloc(15), bytes(0)]));
const SOS = seg(0xda, bytes(3, 1, 0, 2, 0x11, 3, 0x11, 0, 63, 0));
const COM = (s: string) => seg(0xfe, text(s));
/**
 * Image data: stuffed 0xFF 0x00 (each followed by 7F 7F, which read as a segment length would
 * skip 32 KB), and the restart markers RST0–RST7 (each followed by 7F 7F too).
 */
const DATA = Buffer.concat([
	bytes(1, 2, 0xff, 0x00, 0x7f, 0x7f, 3),
	...[0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7].map((rst) => bytes(0x11, 0xff, rst, 0x7f, 0x7f)),
	bytes(4, 0xff, 0x00, 0x7f, 0x7f, 5),
]);

const JPEGS: Array<[string, Buffer]> = [
	['baseline, with a Huffman table holding FF D9, an empty comment after the frame header, stuffing and RST0–RST7', Buffer.concat([SOI, APP0, DQT, sof(), COM(''), DHT_FFD9, SOS, DATA, EOI])],
	['fill bytes (FF FF) before a marker and before the end-of-image marker', Buffer.concat([SOI, APP0, bytes(0xff, 0xff, 0xff), DQT, sof(), SOS, DATA, bytes(0xff, 0xff), EOI])],
	['standalone markers outside the image data: TEM (FF 01), RST0, RST7, a second SOI', Buffer.concat([SOI, APP0, bytes(0xff, 0x01, 0xff, 0xd0, 0xff, 0xd7, 0xff, 0xd8), DQT, sof(), bytes(0xff, 0x01), SOS, DATA, EOI])],
	['progressive: a Huffman table holding FF D9 and a TEM between the scans, a comment after the last one', Buffer.concat([SOI, APP0, DQT, sof(0xc2), DHT, SOS, DATA, DHT_FFD9, bytes(0xff, 0x01), SOS, DATA, COM('made by hand'), EOI])],
	['progressive: a scan right after another', Buffer.concat([SOI, APP0, DQT, sof(0xc2), DHT, SOS, DATA, SOS, DATA, SOS, DATA, EOI])],
	['from the test helper', jpeg(64, 48)],
	['progressive, from the test helper', jpeg(64, 48, { progressive: true })],
];

describe('JPEG: read to the end-of-image marker after the image data', () => {
	test.each(JPEGS)('%s', (_name, file) => {
		for (const size of [file.length, 1, 2, 3, 5, 7, 64]) expect(check(file, size)).toMatchObject({ kind: 'image', format: 'jpeg', info: { width: 64, height: 48 }, bytes: file.length });
		expect(wrongCuts(file, file.length)).toEqual([]);
		expect(refusal(file.subarray(0, -1), 1)).toBe(refusal(file.subarray(0, -1)));
		expect(refusal(file.subarray(0, -1))).toBe(`it is cut short: the JPEG end-of-image marker is missing after ${file.length - 1} bytes`);
		const trailer = Buffer.concat([file, Buffer.alloc(16), EOI, bytes(0xff, 0xc4, 0xff)]);
		expect(check(trailer)).toMatchObject({ format: 'jpeg', bytes: trailer.length });
	});

	test.each([
		['0 (a comment after the frame header)', Buffer.concat([SOI, APP0, DQT, sof(), bytes(0xff, 0xfe, 0, 0), SOS, DATA, EOI]), 'its JPEG segment 0xfe has a broken length'],
		['1 (a comment after the frame header)', Buffer.concat([SOI, APP0, DQT, sof(), bytes(0xff, 0xfe, 0, 1), SOS, DATA, EOI]), 'its JPEG segment 0xfe has a broken length'],
		['0 (a Huffman table between two scans)', Buffer.concat([SOI, APP0, DQT, sof(0xc2), SOS, DATA, bytes(0xff, 0xc4, 0, 0), SOS, DATA, EOI]), 'its JPEG segment 0xc4 has a broken length'],
		['0 (before the frame header: the header reader finds it first)', Buffer.concat([SOI, APP0, bytes(0xff, 0xdb, 0, 0), sof(), SOS, DATA, EOI]), 'its header is broken: JPEG with a broken segment length'],
	])('a segment length of %s is refused', (_name, file, words) => {
		for (const size of [file.length, 1, 7]) expect(refusal(file, size)).toBe(words);
	});
});

// ─── PNG ────────────────────────────────────────────────────────────────────────────────────

const chunk = (type: string, data: Buffer) => Buffer.concat([u32be(data.length), text(type), data, u32be(0)]);
const pngHead = png(64, 32).subarray(0, 33); // signature and IHDR
const IEND = chunk('IEND', Buffer.alloc(0));

describe('PNG: read to its IEND chunk', () => {
	test.each([
		['signature, IHDR, IEND', png(64, 32)],
		['with text and data chunks', Buffer.concat([pngHead, chunk('tEXt', text('Comment\0IEND here')), chunk('IDAT', bytes(0x78, 0x9c, 0x49, 0x45, 0x4e, 0x44)), IEND])],
	])('%s', (_name, file) => {
		for (const size of [file.length, 1, 3, 8, 13]) expect(check(file, size)).toMatchObject({ format: 'png', info: { width: 64, height: 32 }, bytes: file.length });
		expect(wrongCuts(file, file.length)).toEqual([]);
		expect(refusal(file.subarray(0, -1), 1)).toBe(refusal(file.subarray(0, -1)));
		expect(refusal(file.subarray(0, -1))).toBe(`it is cut short: the PNG end chunk (IEND) is missing after ${file.length - 1} bytes`);
		expect(check(Buffer.concat([file, IEND, text('<html>')]))).toMatchObject({ bytes: file.length + 18 });
	});

	test.each([
		['2^31 bytes (more than PNG allows)', Buffer.concat([pngHead, u32be(0x80000000), text('IDAT'), Buffer.alloc(20)])],
		['4 GB - 1', Buffer.concat([pngHead, u32be(0xffffffff), text('IDAT'), Buffer.alloc(20)])],
		['a type with a digit', Buffer.concat([pngHead, chunk('ID4T', Buffer.alloc(4)), IEND])],
		['a type with a space', Buffer.concat([pngHead, chunk('IDA ', Buffer.alloc(4)), IEND])],
		['a type with a zero byte', Buffer.concat([pngHead, chunk('\0DAT', Buffer.alloc(4)), IEND])],
		['an HTML page after the header', Buffer.concat([pngHead, text('<html><body>gone</body></html>')])],
	])('a chunk of %s: its PNG chunks are broken', (_name, file) => {
		for (const size of [file.length, 1]) expect(refusal(file, size)).toBe('its PNG chunks are broken');
	});

	test('a chunk of 2^31 - 1 bytes (the most PNG allows) is read on: the file is cut short', () => {
		const file = Buffer.concat([pngHead, u32be(0x7fffffff), text('IDAT'), Buffer.alloc(20)]);
		expect(refusal(file)).toBe(`it is cut short: the PNG end chunk (IEND) is missing after ${file.length} bytes`);
	});
});

// ─── GIF ────────────────────────────────────────────────────────────────────────────────────

/** A GIF89a with a global colour table, a graphic control extension and a local colour table. */
const richGif = Buffer.concat([
	text('GIF89a'), u16le(3), u16le(2), bytes(0x81, 0, 0), Buffer.alloc(12, 0xff), // 4 colours
	bytes(0x21, 0xf9, 4, 0, 0, 0, 0, 0), // graphic control
	bytes(0x21, 0xfe, 3), text('hi;'), bytes(0), // comment holding the trailer byte
	bytes(0x2c), u16le(0), u16le(0), u16le(3), u16le(2), bytes(0x80), Buffer.alloc(6, 0x3b), // local table of 2 colours
	bytes(2, 2, 0x44, 0x01, 0), // LZW minimum code size, one sub-block
	bytes(0x3b),
]);

describe('GIF: read to its trailer', () => {
	test.each([
		['header and trailer', gif(10, 10)],
		['colour tables, extensions, an image', richGif],
	])('%s', (_name, file) => {
		for (const size of [file.length, 1, 2, 7]) expect(check(file, size)).toMatchObject({ format: 'gif', bytes: file.length });
		expect(wrongCuts(file, file.length)).toEqual([]);
		expect(refusal(file.subarray(0, -1), 1)).toBe(refusal(file.subarray(0, -1)));
		expect(refusal(file.subarray(0, -1))).toBe(`it is cut short: the GIF trailer is missing after ${file.length - 1} bytes`);
	});

	test.each([0x00, 0x20, 0x2b, 0x2d, 0x3a, 0xff].map((b) => [b.toString(16).padStart(2, '0'), b]))('a block starting with 0x%s: its GIF blocks are broken', (_hex, block) => {
		const file = Buffer.concat([gif(10, 10).subarray(0, 13), bytes(block, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), bytes(0x3b)]);
		for (const size of [file.length, 1]) expect(refusal(file, size)).toBe('its GIF blocks are broken');
	});
});

// ─── WebP ───────────────────────────────────────────────────────────────────────────────────

const withRiffSize = (file: Buffer, size: number) => Buffer.concat([file.subarray(0, 4), u32le(size), file.subarray(8)]);
/** The file with an EXIF chunk of 6 bytes after its image, its RIFF size grown to match. */
const withExif = (file: Buffer) => withRiffSize(Buffer.concat([file, text('EXIF'), u32le(6), text('II*\0\0\0')]), file.length + 14 - 8);

describe('WebP: read to the size its RIFF header announces', () => {
	test.each([
		['lossy', webp(100, 50)],
		['lossless', webp(100, 50, 'VP8L')],
		['extended', webp(100, 50, 'VP8X')],
		['lossy, with an EXIF chunk after the image', withExif(webp(100, 50))],
		['extended, with an EXIF chunk after the image', withExif(webp(100, 50, 'VP8X'))],
	])('%s', (_name, file) => {
		for (const size of [file.length, 1, 5]) expect(check(file, size)).toMatchObject({ format: 'webp', info: { width: 100, height: 50 }, bytes: file.length });
		expect(wrongCuts(file, file.length)).toEqual([]);
		expect(refusal(file.subarray(0, -1), 1)).toBe(refusal(file.subarray(0, -1)));
		// The header reader needs 30 bytes of a lossy or extended file, 25 of a lossless one.
		const header = file.toString('latin1', 12, 16) === 'VP8L' ? 25 : 30;
		expect(refusal(file.subarray(0, -1))).toBe(file.length - 1 >= header ? `it is cut short: the end of the WebP data its header announces is missing after ${file.length - 1} bytes` : 'it is cut short or broken: WEBP header is cut short');
	});

	test.each([0, 4, 11])('a RIFF size of %s: its WebP size is broken', (size) => {
		const file = withRiffSize(webp(100, 50), size);
		for (const chunkSize of [file.length, 1]) expect(refusal(file, chunkSize)).toBe('its WebP size is broken');
	});

	test.each([12, 13, 22])('a RIFF size of %s (12 is the least): the file is read to 8 + that size', (size) => {
		const file = withRiffSize(webp(100, 50), size); // 30 bytes: the header reader needs them all
		expect(check(file)).toMatchObject({ format: 'webp', bytes: 30 });
		expect(refusal(Buffer.concat([file.subarray(0, 4), u32le(31), file.subarray(8)]))).toMatch(/^it is cut short: the end of the WebP data/);
	});
});

// ─── BMP ────────────────────────────────────────────────────────────────────────────────────

/** A BMP header: file size, pixel offset, a 40-byte info header (8×8), then `pixels` bytes. */
const bmpFile = (fileSize: number, pixelOffset: number, pixels: number) =>
	Buffer.concat([text('BM'), u32le(fileSize), u32le(0), u32le(pixelOffset), bmp(8, 8).subarray(14, 54), Buffer.alloc(pixels, 0x7f)]);
/** An OS/2 BMP: a 12-byte core header, 26 bytes in all without pixels. */
const os2 = (fileSize: number, extra = 0) => Buffer.concat([text('BM'), u32le(fileSize), u32le(0), u32le(26), u32le(12), u16le(2), u16le(2), u16le(1), u16le(24), Buffer.alloc(extra, 0x7f)]);

describe('BMP: read to the size its header announces (or, without one, to its first pixel byte)', () => {
	test.each([
		['from the test helper (54 bytes)', bmp(8, 8), 54],
		['a size of 246 (8×8 pixels of 3 bytes, rows of 24)', bmpFile(246, 54, 192), 246],
		['OS/2, 26 bytes: the least size that counts', os2(26), 26],
		['OS/2, 26 bytes and a pixel', os2(27, 1), 27],
		['no size (0): up to the first pixel byte', bmpFile(0, 54, 1), 55],
		['a size of 25 (too small to count): up to the first pixel byte', bmpFile(25, 54, 1), 55],
		['no size, the pixels right after the file header (offset 15)', bmpFile(0, 15, 0), 16],
	])('%s', (_name, file, end) => {
		expect(check(file)).toMatchObject({ format: 'bmp', bytes: file.length });
		for (const size of [1, 3]) expect(check(file, size)).toMatchObject({ format: 'bmp', bytes: file.length });
		// Below 26 bytes the header cannot be read at all: the cut is refused there whatever the end.
		expect(wrongCuts(file, Math.max(end, 26))).toEqual([]);
		const longer = Buffer.concat([file, Buffer.alloc(10)]);
		expect(check(longer)).toMatchObject({ bytes: file.length + 10 });
	});

	test('without a size, a file that ends before its first pixel byte is cut short', () => {
		expect(refusal(bmpFile(0, 54, 0))).toBe('it is cut short: the end of the BMP data its header announces is missing after 54 bytes');
		expect(refusal(os2(27))).toBe('it is cut short: the end of the BMP data its header announces is missing after 26 bytes');
	});

	test.each([0, 10, 14])('no size and a pixel offset of %s: its BMP header is broken', (offset) => {
		const file = bmpFile(0, offset, 8);
		for (const size of [file.length, 1]) expect(refusal(file, size)).toBe('its BMP header is broken');
	});
});

// ─── TIFF ───────────────────────────────────────────────────────────────────────────────────

/** A TIFF whose first directory (2 entries: width 7, height 9) is at `ifd`, after pixel bytes. */
function tiffAt(ifd: number, le = true): Buffer {
	const w16 = (n: number) => (le ? u16le(n) : u16be(n));
	const w32 = (n: number) => (le ? u32le(n) : u32be(n));
	const entry = (tag: number, value: number) => Buffer.concat([w16(tag), w16(3), w32(1), w16(value), w16(0)]);
	return Buffer.concat([text(le ? 'II' : 'MM'), w16(42), w32(ifd), Buffer.alloc(ifd - 8, 0x7f), w16(2), entry(256, 7), entry(257, 9), w32(0)]);
}

describe('TIFF: read to the end of its first directory', () => {
	test.each([
		['little-endian, the directory right after the header', tiff(7, 9)],
		['big-endian, the directory right after the header', tiff(7, 9, false)],
		['little-endian, the directory after 92 bytes of pixels', tiffAt(100)],
		['big-endian, the directory after 200 bytes of pixels', tiffAt(208, false)],
		['the directory at offset 9', tiffAt(9)],
	])('%s', (_name, file) => {
		for (const size of [file.length, 1, 4]) expect(check(file, size)).toMatchObject({ format: 'tiff', info: { width: 7, height: 9 }, bytes: file.length });
		expect(wrongCuts(file, file.length)).toEqual([]);
		expect(refusal(file.subarray(0, -1))).toBe(`it is cut short: the TIFF image directory is missing after ${file.length - 1} bytes`);
		const tail = tiffAt(40);
		expect(check(Buffer.concat([file, tail]))).toMatchObject({ bytes: file.length + tail.length });
	});

	test.each([
		['0, little-endian', Buffer.concat([text('II*\0'), u32le(0), Buffer.alloc(40)])],
		['0, big-endian', Buffer.concat([text('MM\0*'), u32be(0), Buffer.alloc(40)])],
		['7, big-endian', Buffer.concat([text('MM\0*'), u32be(7), bytes(0xff), Buffer.alloc(40)])],
	])('a directory offset of %s (inside the header): its TIFF header is broken', (_name, file) => {
		for (const size of [file.length, 1]) expect(refusal(file, size)).toBe('its TIFF header is broken');
	});
});

// ─── every format: the header itself ────────────────────────────────────────────────────────

describe('a header that cannot be read, or gives no size', () => {
	test.each([
		['a PNG whose first chunk is not IHDR', Buffer.concat([png(4, 4).subarray(0, 12), text('IHDX'), png(4, 4).subarray(16)]), 'its header is broken: PNG without an IHDR header'],
		['a lossy WebP with a bad frame tag', (() => { const w = webp(10, 10); w[23] = 0; return w; })(), 'its header is broken: WebP (lossy) with a bad frame tag'],
		['a TIFF without width and height tags', Buffer.concat([text('II*\0'), u32le(8), u16le(1), u16le(259), u16le(3), u32le(1), u32le(1), u32le(0)]), 'its header is broken: TIFF without width and height tags'],
	])('%s', (_name, file, words) => {
		for (const size of [file.length, 1, 5]) expect(refusal(file, size)).toBe(words);
	});

	test('a file cut inside its header', () => {
		expect(refusal(png(4, 4).subarray(0, 20))).toBe('it is cut short or broken: PNG header is cut short');
		expect(refusal(gif(4, 4).subarray(0, 8))).toBe('it is cut short or broken: GIF header is cut short');
	});

	test.each([
		['a PNG 0 pixels wide', png(0, 5)],
		['a PNG 0 pixels high', png(5, 0)],
		['a PNG of 0 × 0 pixels', png(0, 0)],
		['a GIF 0 pixels wide', gif(0, 3)],
		['a GIF 0 pixels high', gif(3, 0)],
		['a BMP 0 pixels wide', bmp(0, 8)],
	])('%s: its header gives no width and height', (_name, file) => {
		for (const size of [file.length, 1]) expect(refusal(file, size)).toBe('its header gives no width and height');
	});

	test('a PNG of 1 × 1 pixel is an image', () => {
		expect(check(png(1, 1))).toMatchObject({ info: { width: 1, height: 1 } });
	});
});

// ─── images written by real encoders (test/unit/images/README.md) ───────────────────────────

describe('images written by real encoders: refused below their end, taken from it on', () => {
	const dir = `${__dirname}/images`;
	/** Where each format ends, read here independently of the walkers. */
	const endOf = (name: string, f: Buffer): number => {
		if (name === 'jpeg-trailer.jpg') return fs.readFileSync(`${dir}/baseline.jpg`).length;
		if (name.endsWith('.png')) return f.indexOf('IEND') + 8;
		if (name.endsWith('.jpg')) return f.lastIndexOf(EOI) + 2;
		if (name.endsWith('.gif')) return f.lastIndexOf(0x3b) + 1;
		if (name.endsWith('.webp')) return f.readUInt32LE(4) + 8;
		if (name.endsWith('.bmp')) return f.readUInt32LE(2);
		const le = f[0] === 0x49;
		const ifd = le ? f.readUInt32LE(4) : f.readUInt32BE(4);
		return ifd + 2 + 12 * (le ? f.readUInt16LE(ifd) : f.readUInt16BE(ifd)) + 4;
	};
	const files = fs.readdirSync(dir).filter((f) => !f.endsWith('.md'));

	test.each(files)('%s', (name) => {
		const file = fs.readFileSync(`${dir}/${name}`);
		const end = endOf(name, file);
		expect(end).toBeLessThanOrEqual(file.length);
		expect(wrongCuts(file, end)).toEqual([]);
	});
});
