import { MediaProbe, MediaProbeError, probeMedia } from '../../nodes/Ima/helpers/mediaProbe';
import { bmp, gif, jpeg, mp3, mp4, png, tiff, wav, webp } from '../support/mediaFiles';

/** Feeds a buffer in chunks of `size` bytes; returns the result and how many bytes were needed. */
function chunked(bytes: Buffer, size: number, totalSize = bytes.length) {
	const probe = new MediaProbe(totalSize);
	for (let i = 0; i < bytes.length; i += size) {
		if (probe.push(bytes.subarray(i, i + size))) return { info: probe.finish(), read: probe.received };
	}
	return { info: probe.finish(), read: probe.received };
}

describe('image sizes from their headers', () => {
	test.each([
		['png', png(1920, 1080), 'png', 1920, 1080],
		['jpeg baseline', jpeg(640, 480), 'jpeg', 640, 480],
		['jpeg progressive', jpeg(300, 6000, { progressive: true }), 'jpeg', 300, 6000],
		['gif', gif(512, 256), 'gif', 512, 256],
		['bmp', bmp(800, 600), 'bmp', 800, 600],
		['bmp top-down', bmp(800, 600, { topDown: true }), 'bmp', 800, 600],
		['webp lossy', webp(1024, 768, 'VP8'), 'webp', 1024, 768],
		['webp lossless', webp(1000, 2000, 'VP8L'), 'webp', 1000, 2000],
		['webp extended', webp(5000, 3000, 'VP8X'), 'webp', 5000, 3000],
		['tiff little-endian', tiff(700, 900), 'tiff', 700, 900],
		['tiff big-endian', tiff(7000, 900, false), 'tiff', 7000, 900],
	] as const)('%s', (_n, bytes, format, width, height) => {
		expect(probeMedia(bytes)).toEqual({ kind: 'image', format, width, height });
		// The same, a byte at a time.
		expect(chunked(bytes, 1).info).toEqual({ kind: 'image', format, width, height });
	});
});

describe('MP4/MOV duration, size and frame rate', () => {
	test.each([
		['moov at the end', { duration: 5, width: 1280, height: 720, fps: 30 }, 'mp4'],
		['fast start', { duration: 12.5, width: 1080, height: 1920, fps: 24, moovFirst: true }, 'mp4'],
		['version 1 boxes', { duration: 3, width: 640, height: 640, fps: 60, v1: true }, 'mp4'],
		['QuickTime brand', { duration: 16, width: 1920, height: 1080, fps: 25, brand: 'qt  ' }, 'mov'],
		['29.97 fps', { duration: 2, width: 720, height: 576, fps: 30000 / 1001, timescale: 30000 }, 'mp4'],
	] as const)('%s', (_n, opts, format) => {
		const info = probeMedia(mp4(opts));
		expect(info).toMatchObject({ kind: 'video', format, width: opts.width, height: opts.height });
		if (info.kind !== 'video') throw new Error('not a video');
		expect(info.duration).toBeCloseTo(opts.duration, 2);
		expect(info.fps).toBeCloseTo(opts.fps, 1);
	});

	test('fast start: only the header is read, not the media data', () => {
		const bytes = mp4({ moovFirst: true, mdatBytes: 5_000_000 });
		const { info, read } = chunked(bytes, 4096);
		expect(info.kind).toBe('video');
		expect(read).toBeLessThan(8192);
	});

	test('moov at the end: read to it across chunks, media data dropped', () => {
		const bytes = mp4({ duration: 7, mdatBytes: 300_000 });
		for (const size of [1, 7, 1000, 65536]) {
			const { info } = chunked(bytes, size);
			expect(info).toMatchObject({ kind: 'video', format: 'mp4', width: 1280, height: 720 });
		}
	});

	test('a file without ftyp is a MOV', () => {
		const bytes = mp4({ moovFirst: true });
		const withoutFtyp = bytes.subarray(bytes.readUInt32BE(0));
		expect(probeMedia(withoutFtyp)).toMatchObject({ kind: 'video', format: 'mov' });
	});

	test('no video track, a cut file', () => {
		expect(() => probeMedia(mp4({ noVideo: true }))).toThrow(/without a video track/);
		const bytes = mp4({});
		expect(() => probeMedia(bytes.subarray(0, bytes.length - 20))).toThrow(MediaProbeError);
	});
});

describe('audio durations', () => {
	test.each([
		['mp3 CBR, no tag (frames counted)', mp3({ seconds: 5 }), 5],
		['mp3 with ID3v2', mp3({ seconds: 3, id3: true }), 3],
		['mp3 Xing', mp3({ seconds: 14, xing: true, kbps: 64 }), 14],
		['mp3 Info', mp3({ seconds: 2.5, info: true }), 2.5],
		['mp3 VBRI', mp3({ seconds: 9, vbri: true }), 9],
		['wav 8 kHz mono', wav(4), 4],
		['wav 44.1 kHz stereo', wav(2.25, { rate: 44100, channels: 2 }), 2.25],
		['wav streaming size', wav(3, { streaming: true }), 3],
	] as const)('%s', (_n, bytes, seconds) => {
		const info = probeMedia(bytes);
		expect(info.kind).toBe('audio');
		if (info.kind !== 'audio') throw new Error('not audio');
		expect(info.duration).toBeCloseTo(seconds, 1);
		expect(chunked(bytes, 333).info).toEqual(info);
	});

	test('mp3 with a known size: a constant bit rate needs only the first frames', () => {
		const bytes = mp3({ seconds: 12 });
		const { info, read } = chunked(bytes, 4096);
		expect(read).toBeLessThan(8192);
		if (info.kind !== 'audio') throw new Error('not audio');
		expect(info.duration).toBeCloseTo(12, 1);
	});

	test('mp3 Xing and WAV: the header suffices', () => {
		expect(chunked(mp3({ seconds: 14, xing: true }), 1024).read).toBeLessThanOrEqual(1024);
		expect(chunked(wav(10, { rate: 48000, channels: 2 }), 1024).read).toBeLessThanOrEqual(1024);
	});
});

describe('refusals', () => {
	test.each([
		['empty', Buffer.alloc(0), /empty/],
		['text', Buffer.from('hello, this is not a picture at all'), /not an image/],
		['jpeg without SOF', Buffer.from([0xff, 0xd8, 0xff, 0xda, 0, 4, 0, 0, 0xff, 0xd9, 0, 0, 0, 0, 0, 0]), /frame header/],
		['png cut short', png(10, 10).subarray(0, 18), /cut short/],
	] as const)('%s', (_n, bytes, message) => {
		expect(() => probeMedia(bytes)).toThrow(message);
	});
});
