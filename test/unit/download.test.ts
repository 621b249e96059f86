/**
 * Resumed media downloads (nodes/Ima/transport/download.ts) with n8n-core's real request helper
 * and n8n's real ways of reading a stream, against a small local server whose every answer is
 * scripted: what each request asked for (Range) and got is asserted, never elapsed time.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import { EventEmitter } from 'events';
import * as http from 'http';
import type { AddressInfo } from 'net';

import { ImaClient, ImaRequestError, MAX_RESUMES, MIN_DOWNLOAD_RATE, parseContentRange } from '../../nodes/Ima/transport';
import { downloadMedia } from '../../nodes/Ima/transport/download';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { httpRequest: n8nHttpRequest } = require('n8n-core/dist/execution-engine/node-execution-context/utils/request-helper-functions');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { binaryToBuffer } = require('n8n-core/dist/binary-data/utils');

const FILE = Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 7 + (i >> 8)) & 0xff));

/** How the server answers one request (the n-th one gets script[n], the last one repeats). */
interface Step {
	/** 'ranges' (default): 206 to a Range request; 'ignore': always 200 with the whole file. */
	ranges?: 'ranges' | 'ignore';
	/** Stop after this many body bytes: 'hang' keeps the socket open, 'reset' destroys it. */
	cutAfter?: number;
	cut?: 'hang' | 'reset';
	/** An HTTP status instead of the file. */
	status?: number;
	/** A 206 covers at most this many bytes. */
	maxRange?: number;
	etag?: string;
	lastModified?: string;
	/** Content-Range announces this total instead of the file's. */
	total?: number;
	/** Send `bytes` every `everyMs` after cutAfter instead of hanging. */
	trickle?: { bytes: number; everyMs: number };
	/** No Content-Length (chunked). */
	chunked?: boolean;
	/** Send the file this many times over (a big body). */
	repeat?: number;
}

interface Seen {
	range?: string;
	status: number;
}

let server: http.Server;
let base = '';
let script: Step[] = [];
let seen: Seen[] = [];
const sockets = new Set<any>();
const timers = new Set<NodeJS.Timeout>();

function fileOf(step: Step): Buffer {
	return step.repeat ? Buffer.concat(Array.from({ length: step.repeat }, () => FILE)) : FILE;
}

beforeAll(async () => {
	server = http.createServer((req, res) => {
		const step = script[Math.min(seen.length, script.length - 1)] ?? {};
		const file = fileOf(step);
		const record: Seen = { range: req.headers.range, status: 0 };
		seen.push(record);
		if (step.status) {
			record.status = step.status;
			res.writeHead(step.status, { 'content-length': '0' });
			return void res.end();
		}
		const m = /^bytes=(\d+)-$/.exec(String(req.headers.range ?? ''));
		let from = 0;
		let to = file.length - 1;
		const headers: Record<string, string> = { 'content-type': 'video/mp4', etag: step.etag ?? '"v1"' };
		if (step.lastModified) headers['last-modified'] = step.lastModified;
		let status = 200;
		if (m && step.ranges !== 'ignore') {
			from = Number(m[1]);
			if (from >= file.length) {
				record.status = 416;
				res.writeHead(416, { 'content-range': `bytes */${file.length}`, 'content-length': '0' });
				return void res.end();
			}
			if (step.maxRange) to = Math.min(to, from + step.maxRange - 1);
			status = 206;
			headers['content-range'] = `bytes ${from}-${to}/${step.total ?? file.length}`;
		}
		if (!step.chunked) headers['content-length'] = String(to - from + 1);
		record.status = status;
		res.writeHead(status, headers);
		const body = file.subarray(from, to + 1);
		if (step.cutAfter === undefined || step.cutAfter >= body.length) return void res.end(body);
		res.write(body.subarray(0, step.cutAfter));
		if (step.cut === 'reset') return void setImmediate(() => res.destroy());
		if (step.trickle) {
			let at = step.cutAfter;
			const { bytes, everyMs } = step.trickle;
			const timer = setInterval(() => {
				if (at >= body.length) {
					clearInterval(timer);
					timers.delete(timer);
					return void res.end();
				}
				res.write(body.subarray(at, at + bytes));
				at += bytes;
			}, everyMs);
			timers.add(timer);
			res.on('close', () => {
				clearInterval(timer);
				timers.delete(timer);
			});
		}
		// 'hang': nothing more
	});
	server.on('connection', (s) => {
		sockets.add(s);
		s.on('close', () => sockets.delete(s));
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
	for (const t of timers) clearInterval(t);
	for (const s of sockets) s.destroy();
	await new Promise((r) => server.close(r));
});

beforeEach(() => {
	script = [];
	seen = [];
});

/** The media server is on loopback: it is the credential's own host here (the URL guard allows it). */
function client(requestTimeoutMs: number, signal?: AbortSignal, ctxHelpers?: any) {
	const ctx: any = { helpers: ctxHelpers ?? { httpRequest: n8nHttpRequest, httpRequestWithAuthentication: () => Promise.reject(new Error('no')) } };
	return new ImaClient(ctx, { apiKey: 'ima_key_0123456789', baseUrl: base, uploadBaseUrl: 'https://up.test' }, { retryBaseMs: 1, requestTimeoutMs, signal });
}

async function read(requestTimeoutMs: number, options: Record<string, unknown> = {}): Promise<Buffer> {
	const dl = await client(requestTimeoutMs).openDownload(`${base}/f.mp4`, options);
	return await binaryToBuffer(dl.stream);
}

async function failure(p: Promise<unknown>): Promise<ImaRequestError> {
	let caught: unknown;
	try {
		await p;
	} catch (error) {
		caught = error;
	}
	expect(caught).toBeInstanceOf(ImaRequestError);
	return caught as ImaRequestError;
}

describe('parseContentRange', () => {
	test.each([
		['bytes 0-99/100', { start: 0, end: 99, total: 100 }],
		['bytes 10-19/*', { start: 10, end: 19, total: undefined }],
		['BYTES 5-5/6', { start: 5, end: 5, total: 6 }],
		['bytes 10-5/100', undefined],
		['bytes 0-100/100', undefined],
		['bytes */100', undefined],
		['bytes 0-99', undefined],
		['', undefined],
		[undefined, undefined],
	])('%p → %p', (value, expected) => {
		expect(parseContentRange(value)).toEqual(expected);
	});
});

describe('resumes', () => {
	test('a connection reset mid-body is resumed from the last byte received', async () => {
		script = [{ cutAfter: 20_000, cut: 'reset' }, {}];
		const bytes = await read(1000);
		expect(bytes.equals(FILE)).toBe(true);
		expect(seen.map((s) => s.range)).toEqual([undefined, expect.stringMatching(/^bytes=\d+-$/)]);
		expect(Number(/\d+/.exec(seen[1].range!)![0])).toBeLessThanOrEqual(20_000);
	});

	test('a body without Content-Length is resumed too', async () => {
		script = [{ chunked: true, cutAfter: 30_000 }, { chunked: true }];
		expect((await read(200)).equals(FILE)).toBe(true);
		expect(seen.map((s) => [s.range, s.status])).toEqual([
			[undefined, 200],
			['bytes=30000-', 206],
		]);
	});

	test('a 206 that covers less than asked is followed by the next range, without using a resume', async () => {
		script = [{ cutAfter: 10_000 }, { maxRange: 8_000 }];
		expect((await read(200)).equals(FILE)).toBe(true);
		expect(seen.map((s) => s.range)).toEqual([undefined, 'bytes=10000-', 'bytes=18000-', 'bytes=26000-', 'bytes=34000-', 'bytes=42000-']);
	});

	test('a resume answered 503 is tried again (one resume each), then the file completes', async () => {
		script = [{ cutAfter: 10_000 }, { status: 503 }, { status: 503 }, {}];
		expect((await read(200)).equals(FILE)).toBe(true);
		expect(seen.map((s) => [s.range, s.status])).toEqual([
			[undefined, 200],
			['bytes=10000-', 503],
			['bytes=10000-', 503],
			['bytes=10000-', 206],
		]);
	});

	test('a resume answered 404: the media is gone, no more requests', async () => {
		script = [{ cutAfter: 10_000 }, { status: 404 }];
		const dl = await client(200).openDownload(`${base}/f.mp4`);
		const e = await binaryToBuffer(dl.stream).catch((err: unknown) => err);
		expect(e).toBeInstanceOf(ImaRequestError);
		expect((e as Error).message).toBe("The media is gone from IMA's storage (HTTP 404)");
		expect(seen).toHaveLength(2);
	});

	test('416 to a range request: ranges are dropped, the whole file is read again and its start skipped', async () => {
		script = [{ cutAfter: 10_000 }, { status: 416 }, {}];
		expect((await read(200)).equals(FILE)).toBe(true);
		expect(seen.map((s) => [s.range, s.status])).toEqual([
			[undefined, 200],
			['bytes=10000-', 416],
			[undefined, 200],
		]);
	});

	test(`a stall that never ends: ${MAX_RESUMES} resumes, then a clear error with what was received`, async () => {
		script = [{ cutAfter: 1000 }];
		const e = await failure(read(200));
		expect(e.message).toBe(`The media download did not recover after 3 resumes: no progress (under 1 KB/s) for 0.2 s (4000 bytes of ${FILE.length} bytes received)`);
		expect(e.info).toMatchObject({ kind: 'network', transient: false });
		expect(seen.map((s) => s.range)).toEqual([undefined, 'bytes=1000-', 'bytes=2000-', 'bytes=3000-']);
	});

	test('Download Timeout stays the total bound across resumes', async () => {
		script = [{ cutAfter: 1000 }];
		const e = await failure(read(300, { totalTimeoutMs: 500 }));
		expect(e.message).toBe('The download took longer than 0.5 s');
		expect(seen.length).toBeLessThanOrEqual(2);
	});

	test('Max Download Size stays the total bound across parts (no Content-Length)', async () => {
		script = [{ chunked: true, cutAfter: 20_000 }, { chunked: true }];
		const e = await failure(read(200, { maxBytes: 30_000 }));
		expect(e.message).toBe('The media passed the size limit of 30000 bytes');
		expect(seen).toHaveLength(2);
	});
});

test("a transport that ends a silent body itself (n8n 2.x's HTTP layer does, after the request timeout) is still reported as a stall", async () => {
	script = [{ cutAfter: 1000 }];
	// n8n-core 2.11's helper, plus what n8n 2.x's transport adds: a body silent for `timeout` ms is destroyed
	const idleKilling = async (opts: any) => {
		const res = await n8nHttpRequest(opts);
		const body = res.body;
		if (!body || typeof body.push !== 'function') return res;
		let timer: NodeJS.Timeout | undefined;
		const arm = () => {
			clearTimeout(timer);
			timer = setTimeout(() => body.destroy(Object.assign(new Error('terminated'), { code: 'UND_ERR_BODY_TIMEOUT' })), opts.timeout);
		};
		const push = body.push;
		body.push = function (chunk: unknown, encoding?: BufferEncoding) {
			if (chunk === null) clearTimeout(timer);
			else arm();
			return push.call(this, chunk, encoding);
		};
		body.once('close', () => clearTimeout(timer));
		arm();
		return res;
	};
	const dl = await client(200, undefined, { httpRequest: idleKilling }).openDownload(`${base}/f.mp4`);
	const e = await binaryToBuffer(dl.stream).catch((err: unknown) => err);
	expect((e as Error).message).toBe(`The media download did not recover after 3 resumes: no progress (under 1 KB/s) for 0.2 s (4000 bytes of ${FILE.length} bytes received)`);
	expect(seen).toHaveLength(4);
});

describe('the rate that counts as progress', () => {
	test(`a trickle above ${MIN_DOWNLOAD_RATE / 1024} KB/s is not cut; one below it is`, async () => {
		// 200 bytes every 40 ms = 5 KB/s: slow, but progress
		script = [{ cutAfter: 48_000, trickle: { bytes: 200, everyMs: 40 } }];
		expect((await read(300)).equals(FILE)).toBe(true);
		expect(seen).toHaveLength(1);
		// 20 bytes every 40 ms = 500 B/s: cut and resumed
		seen = [];
		script = [{ cutAfter: 48_000, trickle: { bytes: 20, everyMs: 40 } }, {}];
		expect((await read(300)).equals(FILE)).toBe(true);
		expect(seen).toHaveLength(2);
		expect(Number(/\d+/.exec(seen[1].range!)![0])).toBeGreaterThanOrEqual(48_000);
	});

	test('time the reader holds the stream back is not a stall (nor does the socket time out meanwhile)', async () => {
		script = [{ repeat: 400 }]; // 20 MB: far more than the socket buffers hold
		const dl = await client(150).openDownload(`${base}/big.mp4`);
		const stream: any = dl.stream;
		let total = 0;
		const first = await new Promise<Buffer>((resolve) => stream.once('data', resolve));
		total += first.length;
		stream.pause();
		await new Promise((r) => setTimeout(r, 600)); // 4 × the stall timeout, reading nothing
		for await (const chunk of stream) total += (chunk as Buffer).length;
		expect(total).toBe(FILE.length * 400);
		expect(seen).toHaveLength(1);
	});
});

test('a busy event loop is not a stalled server: the watchdog lets pending data in before it cuts', async () => {
	// 400 bytes every 20 ms (20 KB/s): progress all along
	script = [{ cutAfter: 40_000, trickle: { bytes: 400, everyMs: 20 } }];
	const dl = await client(200).openDownload(`${base}/f.mp4`);
	const reading = binaryToBuffer(dl.stream);
	await new Promise((r) => setTimeout(r, 100));
	const until = Date.now() + 600; // the process is busy for 3 stall timeouts: no timer, no I/O
	while (Date.now() < until) {
		/* busy */
	}
	expect((await reading).equals(FILE)).toBe(true);
	expect(seen).toHaveLength(1);
});

describe('a changed file', () => {
	test('openDownload: another ETag on a resume fails the stream clearly (bytes of an older file were handed on)', async () => {
		script = [{ cutAfter: 10_000 }, { etag: '"v2"' }];
		const dl = await client(200).openDownload(`${base}/f.mp4`);
		const e = await binaryToBuffer(dl.stream).catch((err: unknown) => err);
		expect((e as Error).message).toBe('The media changed on the server during the download (its ETag changed)');
		expect(seen).toHaveLength(2);
	});

	test.each([
		['another Last-Modified', { lastModified: 'Mon, 01 Jan 2035 00:00:00 GMT' }, { lastModified: 'Tue, 02 Jan 2035 00:00:00 GMT' }, 'its Last-Modified date changed'],
		['another total in Content-Range', {}, { total: FILE.length + 1 }, `its size changed from ${FILE.length} to ${FILE.length + 1} bytes`],
	])('openDownload: %s on a resume is a changed file too', async (_name, first, second, reason) => {
		script = [{ cutAfter: 10_000, ...first }, second];
		const dl = await client(200).openDownload(`${base}/f.mp4`);
		const e = await binaryToBuffer(dl.stream).catch((err: unknown) => err);
		expect((e as Error).message).toBe(`The media changed on the server during the download (${reason})`);
	});

	test('downloadMedia: the file is stored again from byte 0 (one more request, counted as a resume)', async () => {
		script = [{ cutAfter: 10_000 }, { etag: '"v2"' }, { etag: '"v2"' }];
		const stores: number[] = [];
		const c = client(200);
		const bytes = await downloadMedia(c, `${base}/f.mp4`, {}, async (dl) => {
			stores.push(stores.length);
			return (await binaryToBuffer(dl.stream)) as Buffer;
		});
		expect(bytes.equals(FILE)).toBe(true);
		expect(stores).toEqual([0, 1]);
		expect(seen.map((s) => s.range)).toEqual([undefined, 'bytes=10000-', undefined]);
	});
});

describe('cancellation', () => {
	test('cancelling during a stall ends the download at once, without a resume', async () => {
		script = [{ cutAfter: 1000 }];
		const ac = new AbortController();
		const dl = await client(60_000, ac.signal).openDownload(`${base}/f.mp4`);
		const reading = binaryToBuffer(dl.stream).catch((err: unknown) => err);
		await new Promise((r) => setTimeout(r, 50));
		ac.abort();
		const e = await reading;
		expect(e).toBeInstanceOf(ImaRequestError);
		expect((e as ImaRequestError).info.kind).toBe('cancelled');
		expect(seen).toHaveLength(1);
	});
});

test('a body that is not a Node.js Readable: handed on as it is, bounded as before, never resumed', async () => {
	const body: any = new EventEmitter();
	body.push = () => true;
	body.destroy = (error?: Error) => body.emit('error', error);
	body[Symbol.asyncIterator] = () => ({ next: () => new Promise(() => undefined) });
	const c = client(200, undefined, { httpRequest: async () => ({ statusCode: 200, headers: {}, body }) });
	const dl = await c.openDownload('https://cdn.test/a.mp4', { maxBytes: 5 });
	expect(dl.stream).toBe(body);
	let caught: any;
	body.on('error', (e: unknown) => (caught = e));
	body.push(Buffer.alloc(6));
	expect(caught?.message).toBe('The media passed the size limit of 5 bytes');
});
