/**
 * Resumed media downloads (nodes/Ima/transport/download.ts) with n8n-core's real request helper
 * and n8n's real ways of reading a stream, against a small local server whose every answer is
 * scripted: what each request asked for (Range) and got is asserted, never elapsed real time.
 *
 * Time is the test's (test/support/testClock.js): the stall watchdog, the total Download Timeout,
 * the pauses between resumes and the server's trickles all run on a clock that stands still until
 * the test moves it, and the test moves it only once the reader has every byte the server sent
 * (a stall passes when the test says so, never because the machine was slow). The Request
 * Timeout, which is also the stall timeout, is virtual; the real socket only gets a long timeout
 * for the answer's headers (HEADERS_MS, never reached), where the node takes the Request Timeout
 * for both.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import { EventEmitter } from 'events';
import * as http from 'http';
import type { AddressInfo } from 'net';

import { ImaClient, ImaRequestError, MAX_RESUMES, MIN_DOWNLOAD_RATE, parseContentRange } from '../../nodes/Ima/transport';
import { downloadMedia } from '../../nodes/Ima/transport/download';
import type { TestClock } from '../support/testClock';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { installTestClock, uninstallAllClocks } = require('../support/testClock');

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
	/** Send `bytes` every `everyMs` of the test clock after cutAfter instead of hanging (then end). */
	trickle?: { bytes: number; everyMs: number };
	/** No Content-Length (chunked). */
	chunked?: boolean;
	/** Send the file this many times over (a big body). */
	repeat?: number;
}

interface Seen {
	range?: string;
	status: number;
	/** When the request arrived (the test clock). */
	at: number;
}

/** The real socket's timeout for an answer's headers: never reached on loopback. */
const HEADERS_MS = 30_000;

let server: http.Server;
let base = '';
let script: Step[] = [];
let seen: Seen[] = [];
const sockets = new Set<any>();
/** The answers the server sent or is sending, in order. */
let responses: http.ServerResponse[] = [];
let clock: TestClock;

function fileOf(step: Step): Buffer {
	return step.repeat ? Buffer.concat(Array.from({ length: step.repeat }, () => FILE)) : FILE;
}

beforeAll(async () => {
	server = http.createServer((req, res) => {
		const step = script[Math.min(seen.length, script.length - 1)] ?? {};
		const file = fileOf(step);
		const record: Seen = { range: req.headers.range, status: 0, at: clock.now() };
		seen.push(record);
		responses.push(res);
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
			const stop = new AbortController();
			res.on('close', () => stop.abort());
			void (async () => {
				while (at < body.length) {
					await clock.sleep(everyMs, stop.signal, true);
					res.write(body.subarray(at, at + bytes));
					at += bytes;
				}
				res.end();
			})().catch(() => undefined); // the client went away
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
	for (const s of sockets) s.destroy();
	await new Promise((r) => server.close(r));
});

beforeEach(() => {
	script = [];
	seen = [];
	responses = [];
	// Steps on its own over the short pauses between resumes (no request open then); a stall,
	// with its answer open, passes only when the test moves the clock.
	clock = installTestClock({ auto: true });
});
afterEach(() => uninstallAllClocks());

/** The media server is on loopback: it is the credential's own host here (the URL guard allows it). */
function client(requestTimeoutMs: number, signal?: AbortSignal, ctxHelpers?: any) {
	const ctx: any = { helpers: ctxHelpers ?? { httpRequest: n8nHttpRequest, httpRequestWithAuthentication: () => Promise.reject(new Error('no')) } };
	return new ImaClient(ctx, { apiKey: 'ima_key_0123456789', baseUrl: base, uploadBaseUrl: 'https://up.test' }, { retryBaseMs: 1, requestTimeoutMs, signal });
}

/** Opens the test file; `stallMs` is the Request Timeout (the stall timeout). */
async function open(stallMs: number, options: Record<string, unknown> = {}, c = client(stallMs)) {
	return await c.openDownload(`${base}/f.mp4`, { timeoutMs: HEADERS_MS, ...options });
}

interface Reader {
	/** Bytes handed on to the reader so far. */
	got: number;
	settled: boolean;
	done: Promise<Buffer>;
}

/** Reads a download's stream as n8n does (binaryToBuffer), counting the bytes handed on. */
function reader(stream: any): Reader {
	const r = { got: 0, settled: false } as Reader;
	stream.on('data', (chunk: Buffer) => (r.got += chunk.length));
	r.done = binaryToBuffer(stream);
	r.done.then(
		() => (r.settled = true),
		() => (r.settled = true),
	);
	return r;
}

/** Resolves once `predicate()` holds (an event: bytes received, a sleep asked for); asserts nothing about time. */
async function until(predicate: () => boolean): Promise<void> {
	while (!predicate()) await new Promise((r) => setTimeout(r, 2));
}

/**
 * The server has gone silent after `bytes` (handed on): once the reader has them, the stall
 * timeout passes on the test clock; the watchdog gives pending I/O one more turn (1 ms) and cuts.
 */
async function stall(r: Reader, bytes: number, stallMs: number): Promise<void> {
	await until(() => r.settled || r.got >= bytes);
	if (r.settled) return;
	expect(r.got).toBe(bytes);
	clock.advance(stallMs);
	await until(() => r.settled || clock.pending().some((s) => s.ms === 1));
	clock.advance(1);
}

/** Reads the whole test file; the server goes silent when the reader has each of `stallsAt` bytes. */
async function read(stallMs: number, options: Record<string, unknown> = {}, stallsAt: number[] = []): Promise<Buffer> {
	const r = reader((await open(stallMs, options)).stream);
	for (const bytes of stallsAt) await stall(r, bytes, stallMs);
	return await r.done;
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
		expect((await read(200, {}, [30_000])).equals(FILE)).toBe(true);
		expect(seen.map((s) => [s.range, s.status])).toEqual([
			[undefined, 200],
			['bytes=30000-', 206],
		]);
		// Cut when 0.2 s passed without progress (and the 1 ms turn given to pending I/O).
		expect(seen[1].at - seen[0].at).toBe(201);
	});

	test('a 206 that covers less than asked is followed by the next range, without using a resume', async () => {
		script = [{ cutAfter: 10_000 }, { maxRange: 8_000 }];
		expect((await read(200, {}, [10_000])).equals(FILE)).toBe(true);
		expect(seen.map((s) => s.range)).toEqual([undefined, 'bytes=10000-', 'bytes=18000-', 'bytes=26000-', 'bytes=34000-', 'bytes=42000-']);
	});

	test('a resume answered 503 is tried again (one resume each), then the file completes', async () => {
		script = [{ cutAfter: 10_000 }, { status: 503 }, { status: 503 }, {}];
		expect((await read(200, {}, [10_000])).equals(FILE)).toBe(true);
		expect(seen.map((s) => [s.range, s.status])).toEqual([
			[undefined, 200],
			['bytes=10000-', 503],
			['bytes=10000-', 503],
			['bytes=10000-', 206],
		]);
	});

	test('a resume answered 404: the media is gone, no more requests', async () => {
		script = [{ cutAfter: 10_000 }, { status: 404 }];
		const e = await read(200, {}, [10_000]).catch((err: unknown) => err);
		expect(e).toBeInstanceOf(ImaRequestError);
		expect((e as Error).message).toBe("The media is gone from IMA's storage (HTTP 404)");
		expect(seen).toHaveLength(2);
	});

	test('416 to a range request: ranges are dropped, the whole file is read again and its start skipped', async () => {
		script = [{ cutAfter: 10_000 }, { status: 416 }, {}];
		expect((await read(200, {}, [10_000])).equals(FILE)).toBe(true);
		expect(seen.map((s) => [s.range, s.status])).toEqual([
			[undefined, 200],
			['bytes=10000-', 416],
			[undefined, 200],
		]);
	});

	test(`a stall that never ends: ${MAX_RESUMES} resumes, then a clear error with what was received`, async () => {
		script = [{ cutAfter: 1000 }];
		const e = await failure(read(200, {}, [1000, 2000, 3000, 4000]));
		expect(e.message).toBe(`The media download did not recover after 3 resumes: no progress (under 1 KB/s) for 0.2 s (4000 bytes of ${FILE.length} bytes received)`);
		expect(e.info).toMatchObject({ kind: 'network', transient: false });
		expect(seen.map((s) => s.range)).toEqual([undefined, 'bytes=1000-', 'bytes=2000-', 'bytes=3000-']);
		// Each answer cut 0.2 s (+ 1 ms) after it began, the next one asked for at once.
		expect(seen.map((s) => s.at - seen[0].at)).toEqual([0, 201, 402, 603]);
		expect(clock.elapsed()).toBe(804);
	});

	test('Download Timeout stays the total bound across resumes', async () => {
		script = [{ cutAfter: 1000 }];
		const r = reader((await open(300, { totalTimeoutMs: 500 })).stream);
		await stall(r, 1000, 300); // the first answer is cut at 301 ms and resumed
		await until(() => r.got >= 2000);
		// The second answer's watchdog wakes at the total bound (500 ms), not at its stall timeout (601 ms).
		clock.advance(199);
		const e = await failure(r.done);
		expect(e.message).toBe('The download took longer than 0.5 s');
		expect(seen).toHaveLength(2);
		expect(clock.elapsed()).toBe(500);
	});

	test('Max Download Size stays the total bound across parts (no Content-Length)', async () => {
		script = [{ chunked: true, cutAfter: 20_000 }, { chunked: true }];
		const e = await failure(read(200, { maxBytes: 30_000 }, [20_000]));
		expect(e.message).toBe('The media passed the size limit of 30000 bytes');
		expect(seen).toHaveLength(2);
	});
});

test("a transport that ends a silent body itself (n8n 2.x's HTTP layer does, after the request timeout) is still reported as a stall", async () => {
	script = [{ cutAfter: 1000 }];
	// n8n-core 2.11's helper, plus what n8n 2.x's transport adds: a body silent for the Request
	// Timeout (200 ms, on the test clock) is destroyed.
	const REQUEST_TIMEOUT_MS = 200;
	let ended = 0;
	const idleKilling = async (opts: any) => {
		const res = await n8nHttpRequest(opts);
		const body = res.body;
		if (!body || typeof body.push !== 'function') return res;
		let idle: AbortController | undefined;
		const arm = () => {
			idle?.abort();
			const mine = (idle = new AbortController());
			clock.sleep(REQUEST_TIMEOUT_MS, mine.signal, true).then(
				() => {
					ended++;
					body.destroy(Object.assign(new Error('terminated'), { code: 'UND_ERR_BODY_TIMEOUT' }));
				},
				() => undefined,
			);
		};
		const push = body.push;
		body.push = function (chunk: unknown, encoding?: BufferEncoding) {
			if (chunk === null) idle?.abort();
			else arm();
			return push.call(this, chunk, encoding);
		};
		body.once('close', () => idle?.abort());
		arm();
		return res;
	};
	const r = reader((await open(REQUEST_TIMEOUT_MS, {}, client(REQUEST_TIMEOUT_MS, undefined, { httpRequest: idleKilling }))).stream);
	for (const bytes of [1000, 2000, 3000, 4000]) {
		await until(() => r.settled || r.got >= bytes);
		// The layer's timer and the watchdog's are both due now: the layer ends the body before
		// the watchdog's 1 ms turn for pending I/O is over.
		clock.advance(REQUEST_TIMEOUT_MS);
	}
	const e = await r.done.catch((err: unknown) => err);
	expect((e as Error).message).toBe(`The media download did not recover after 3 resumes: no progress (under 1 KB/s) for 0.2 s (4000 bytes of ${FILE.length} bytes received)`);
	expect(seen).toHaveLength(4);
	expect(ended).toBe(4); // every answer was ended by the layer, none by the watchdog
});

describe('the rate that counts as progress', () => {
	test(`a trickle above ${MIN_DOWNLOAD_RATE / 1024} KB/s is not cut`, async () => {
		clock.auto = false;
		// 200 bytes every 40 ms = 5 KB/s: slow, but progress
		script = [{ cutAfter: 48_000, trickle: { bytes: 200, everyMs: 40 } }];
		const r = reader((await open(300)).stream);
		for (let sent = 48_000; sent < FILE.length; sent += 200) {
			await until(() => r.got >= sent);
			clock.advance(40);
		}
		expect((await r.done).equals(FILE)).toBe(true);
		expect(seen).toHaveLength(1);
		expect(clock.elapsed()).toBe(400); // 10 × 40 ms, with the watchdog awake at 300 ms
	});

	test(`a trickle below ${MIN_DOWNLOAD_RATE / 1024} KB/s is cut when the stall timeout passes, and resumed`, async () => {
		clock.auto = false;
		// 20 bytes every 40 ms = 500 B/s: cut and resumed
		script = [{ cutAfter: 48_000, trickle: { bytes: 20, everyMs: 40 } }, {}];
		const r = reader((await open(300)).stream);
		for (let sent = 48_000; sent < 48_140; sent += 20) {
			await until(() => r.got >= sent);
			clock.advance(40);
		}
		await stall(r, 48_140, 20); // 280 + 20 = 300 ms: 140 bytes in the window, under 1 KB/s
		expect((await r.done).equals(FILE)).toBe(true);
		expect(seen.map((s) => [s.range, s.at - seen[0].at])).toEqual([
			[undefined, 0],
			['bytes=48140-', 301],
		]);
	});

	test('time the reader holds the stream back is not a stall (nor does the socket time out meanwhile)', async () => {
		clock.auto = false;
		script = [{ repeat: 400 }]; // 20 MB: far more than the socket buffers hold
		// The sockets of the requests, to see their idle timeout.
		// eslint-disable-next-line @typescript-eslint/no-var-requires
		const nodeHttp = require('http'); // the module itself (the import is a read-only view)
		const request = nodeHttp.request;
		const used: Array<{ timeout?: number }> = [];
		nodeHttp.request = function (this: unknown, ...args: any[]) {
			const req = (request as any).apply(this, args);
			req.on('socket', (socket: any) => used.push(socket));
			return req;
		};
		let dl;
		try {
			dl = await open(150);
		} finally {
			nodeHttp.request = request;
		}
		const stream: any = dl.stream;
		let total = 0;
		const first = await new Promise<Buffer>((resolve) => stream.once('data', resolve));
		total += first.length;
		stream.pause();
		// Held back: the stream's buffer is full (nothing is being read from the network) and the
		// server cannot write more.
		await until(() => stream.readableLength >= stream.readableHighWaterMark && responses[0].writableLength > 0);
		// 10 stall timeouts pass while the reader reads nothing: the watchdog looks every 150 ms
		// and sees nobody waiting for the network.
		for (let i = 0; i < 10; i++) {
			clock.advance(150);
			await new Promise((r) => setImmediate(r));
		}
		expect(clock.pending().map((s) => s.ms)).toEqual([150]); // watching, not cut
		// The request asked for a socket timeout (n8n's redirect follower leaves it on the socket,
		// where it would end a held-back body after that long): the body's socket has none.
		expect(clock.requests.map((q) => q.timeoutMs)).toEqual([HEADERS_MS]);
		expect(used).toHaveLength(1);
		expect(used[0].timeout).toBe(0);
		for await (const chunk of stream) total += (chunk as Buffer).length;
		expect(total).toBe(FILE.length * 400);
		expect(seen).toHaveLength(1);
	});
});

test('a busy event loop is not a stalled server: the watchdog lets pending data in before it cuts', async () => {
	clock.auto = false;
	// 400 bytes every 20 ms (20 KB/s): progress all along
	script = [{ cutAfter: 40_000, trickle: { bytes: 400, everyMs: 20 } }];
	const r = reader((await open(200)).stream);
	await until(() => r.got >= 40_000);
	// The process is busy for 3 stall timeouts (600 ms): when it is free, the server's next 400
	// bytes and the watchdog's wake-up come together, the bytes still unread in the socket.
	clock.advance(600);
	await until(() => r.got >= 40_400 && clock.pending().some((s) => s.ms === 1));
	clock.advance(1); // the watchdog's turn for pending I/O is over: the bytes came in, no cut
	for (let sent = 40_400; sent < FILE.length; sent += 400) {
		await until(() => r.got >= sent);
		clock.advance(20);
	}
	expect((await r.done).equals(FILE)).toBe(true);
	expect(seen).toHaveLength(1);
});

describe('a changed file', () => {
	test('openDownload: another ETag on a resume fails the stream clearly (bytes of an older file were handed on)', async () => {
		script = [{ cutAfter: 10_000 }, { etag: '"v2"' }];
		const e = await read(200, {}, [10_000]).catch((err: unknown) => err);
		expect((e as Error).message).toBe('The media changed on the server during the download (its ETag changed)');
		expect(seen).toHaveLength(2);
	});

	test.each([
		['another Last-Modified', { lastModified: 'Mon, 01 Jan 2035 00:00:00 GMT' }, { lastModified: 'Tue, 02 Jan 2035 00:00:00 GMT' }, 'its Last-Modified date changed'],
		['another total in Content-Range', {}, { total: FILE.length + 1 }, `its size changed from ${FILE.length} to ${FILE.length + 1} bytes`],
	])('openDownload: %s on a resume is a changed file too', async (_name, first, second, reason) => {
		script = [{ cutAfter: 10_000, ...first }, second];
		const e = await read(200, {}, [10_000]).catch((err: unknown) => err);
		expect((e as Error).message).toBe(`The media changed on the server during the download (${reason})`);
	});

	test('downloadMedia: the file is stored again from byte 0 (one more request, counted as a resume)', async () => {
		script = [{ cutAfter: 10_000 }, { etag: '"v2"' }, { etag: '"v2"' }];
		const stores: number[] = [];
		const c = client(200);
		const bytes = await downloadMedia(c, `${base}/f.mp4`, { timeoutMs: HEADERS_MS }, async (dl) => {
			stores.push(stores.length);
			const r = reader(dl.stream);
			if (stores.length === 1) await stall(r, 10_000, 200);
			return await r.done;
		});
		expect(bytes.equals(FILE)).toBe(true);
		expect(stores).toEqual([0, 1]);
		expect(seen.map((s) => s.range)).toEqual([undefined, 'bytes=10000-', undefined]);
	});
});

describe('cancellation', () => {
	test('cancelling during a stall ends the download at once, without a resume', async () => {
		clock.auto = false;
		script = [{ cutAfter: 1000 }];
		const ac = new AbortController();
		const r = reader((await open(60_000, {}, client(60_000, ac.signal))).stream);
		await until(() => r.got >= 1000); // stalled: the server sends nothing more
		ac.abort();
		const e = await r.done.catch((err: unknown) => err);
		expect(e).toBeInstanceOf(ImaRequestError);
		expect((e as ImaRequestError).info.kind).toBe('cancelled');
		expect(seen).toHaveLength(1);
		// At once: no time passed, and the watchdog's sleep is gone.
		expect(clock.elapsed()).toBe(0);
		expect(clock.pending()).toEqual([]);
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
