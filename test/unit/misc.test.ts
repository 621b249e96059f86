import { classifyNetworkError, describeImaCode, parseRetryAfter, redact } from '../../nodes/Ima/helpers/errors';
import { mediaFileName, mediaFileType } from '../../nodes/Ima/helpers/media';
import { createLimiter, mapWithConcurrency } from '../../nodes/Ima/helpers/pool';
import { uploadSign, uploadTokenQuery } from '../../nodes/Ima/helpers/signing';

describe('media file types', () => {
	test.each([
		['header wins', { kind: 'image', contentType: 'image/webp', format: 'png' }, 'image/webp', 'webp'],
		['header with charset', { kind: 'music', contentType: 'audio/mpeg; charset=binary' }, 'audio/mpeg', 'mp3'],
		['generic header → format', { kind: 'video', contentType: 'application/octet-stream', format: 'mp4' }, 'video/mp4', 'mp4'],
		['format jpeg → jpg', { kind: 'image', format: 'JPEG' }, 'image/jpeg', 'jpg'],
		['URL extension', { kind: 'music', url: 'https://cdn/x/song.wav?sig=1' }, 'audio/wav', 'wav'],
		['kind default', { kind: 'video', url: 'https://cdn/x/file' }, 'video/mp4', 'mp4'],
	] as const)('%s', (_n, input, mimeType, extension) => {
		expect(mediaFileType(input)).toEqual({ mimeType, extension });
	});

	test('file names are safe', () => {
		expect(mediaFileName('task/1 2', 0, 'png')).toBe('task_1_2-0.png');
		expect(mediaFileName('t', 1, 'jpg', '-cover')).toBe('t-1-cover.jpg');
	});
});

describe('upload signing', () => {
	test('sign is the upper-case SHA-1 of appId|appKey|timestamp|nonce', () => {
		expect(uploadSign('webAgent', '32jdskjdk320eew', '1700000000', '0123456789abcdef01234')).toBe('A507298202BBC85A02EC1BF8D150DD23FC023CF3');
	});

	test('exactly the 11 query parameters, the key only as appUid and cmimToken', () => {
		const q = uploadTokenQuery({ apiKey: 'ima_secret', suffix: 'png', contentType: 'image/png', nowMs: 1_700_000_000_123, nonce: '0123456789abcdef01234' });
		expect(Object.keys(q).sort()).toEqual(['appId', 'appKey', 'appUid', 'cmimToken', 'fContentType', 'fService', 'fSuffix', 'fType', 'nonce', 'sign', 'timestamp']);
		expect(q).toMatchObject({ appUid: 'ima_secret', cmimToken: 'ima_secret', timestamp: '1700000000', sign: 'A507298202BBC85A02EC1BF8D150DD23FC023CF3', fService: 'privite', fType: 'picture' });
		expect(uploadTokenQuery({ apiKey: 'k', suffix: 'mp4', contentType: 'video/mp4', nowMs: 0 }).fType).toBe('video');
	});

	test('a fresh nonce every time', () => {
		const a = uploadTokenQuery({ apiKey: 'k', suffix: 'png', contentType: 'image/png', nowMs: 0 });
		const b = uploadTokenQuery({ apiKey: 'k', suffix: 'png', contentType: 'image/png', nowMs: 0 });
		expect(a.nonce).toMatch(/^[0-9a-f]{21}$/);
		expect(a.nonce).not.toBe(b.nonce);
		expect(a.sign).not.toBe(b.sign);
	});
});

describe('errors', () => {
	test.each([
		[{ code: 'ECONNREFUSED' }, 'never-sent'],
		[{ code: 'ENOTFOUND' }, 'never-sent'],
		[{ code: 'ECONNRESET' }, 'maybe-sent'],
		[{ message: 'socket hang up' }, 'maybe-sent'],
		[{ code: 'ECONNABORTED', message: 'timeout of 100ms exceeded' }, 'timeout'],
		[{ code: 'ERR_CANCELED' }, 'cancelled'],
		[{ code: 'EWHATEVER' }, 'unknown'],
	])('%j is %s', (error, expected) => {
		expect(classifyNetworkError(error)).toBe(expected);
	});

	test.each([
		[401, /API key/],
		[4008, /credits/],
		[4014, /subscription/],
		[6006, /6006/],
		[6009, /combination/],
		[6010, /6010/],
		[400, /parameter/],
		[9999, /9999/],
	])('code %i has a message that says what happened', (code, re) => {
		const t = describeImaCode(code, 'msg');
		expect(t.message).toMatch(re);
		expect(t.description.length).toBeGreaterThan(20);
	});

	test('Retry-After in seconds or as a date, bounded', () => {
		expect(parseRetryAfter('3', 0)).toBe(3000);
		expect(parseRetryAfter(new Date(10_000).toUTCString(), 5000)).toBe(5000);
		expect(parseRetryAfter('9999', 0)).toBe(120_000);
		expect(parseRetryAfter(undefined, 0)).toBeUndefined();
	});

	test('redact removes the key everywhere', () => {
		expect(redact('key ima_x1y2 and again ima_x1y2', 'ima_x1y2')).toBe('key [redacted] and again [redacted]');
	});
});

describe('mapWithConcurrency', () => {
	test('bounds the work in flight, keeps order, isolates failures', async () => {
		let inFlight = 0;
		let peak = 0;
		const results = await mapWithConcurrency([1, 2, 3, 4, 5, 6], 2, async (n) => {
			inFlight++;
			peak = Math.max(peak, inFlight);
			await new Promise((r) => setImmediate(r));
			inFlight--;
			if (n === 3) throw new Error('three');
			return n * 10;
		});
		expect(peak).toBe(2);
		expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([10, 20, 'three', 40, 50, 60]);
	});
});

describe('createLimiter', () => {
	test.each([1, 2, 3])('at most %i at once, every call runs, failures free their slot', async (limit) => {
		const run = createLimiter(limit);
		let inFlight = 0;
		let peak = 0;
		const results = await Promise.allSettled(
			Array.from({ length: 9 }, async (_v, n) =>
				await run(async () => {
					inFlight++;
					peak = Math.max(peak, inFlight);
					await new Promise((r) => setImmediate(r));
					inFlight--;
					if (n % 4 === 0) throw new Error(`fail ${n}`);
					return n;
				}),
			),
		);
		expect(peak).toBe(limit);
		expect(inFlight).toBe(0);
		expect(results.filter((r) => r.status === 'rejected')).toHaveLength(3);
		expect(results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<number>).value)).toEqual([1, 2, 3, 5, 6, 7]);
	});
});
