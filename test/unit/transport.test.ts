/**
 * The transport with fake n8n contexts (and, for downloads, n8n-core's real request helper and
 * its real ways of reading a stream): success codes, the paid create's re-send rule, Retry-After,
 * the redirect policy, redaction, hostile product lists, download limits, the product cache.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import { promises as fs } from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';

import { toNodeError } from '../../nodes/Ima/run/errors';
import { cleanError } from '../../nodes/Ima/run/exit';
import { redact } from '../../nodes/Ima/helpers/errors';
import { clearProductCache, ImaClient, ImaRequestError } from '../../nodes/Ima/transport';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { installTestClock, uninstallAllClocks } = require('../support/testClock');
afterEach(() => uninstallAllClocks());

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { httpRequest: n8nHttpRequest } = require('n8n-core/dist/execution-engine/node-execution-context/utils/request-helper-functions');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { binaryToBuffer } = require('n8n-core/dist/binary-data/utils');

const KEY = 'ima_Sec/Ret+Key=Abc0123456789XYZ';
const BASE = 'https://api.ima.test';
const UPLOAD = 'https://upload.ima.test';

type Handler = (opts: any, authenticated: boolean) => Promise<any> | any;

function fake(handler: Handler, options: { signal?: AbortSignal; execSignal?: AbortSignal } = {}) {
	const calls: Array<{ opts: any; authenticated: boolean }> = [];
	const ctx: any = {
		getCredentials: async () => ({ apiKey: KEY, baseUrl: BASE, uploadBaseUrl: UPLOAD }),
		getExecutionCancelSignal: () => options.execSignal,
		helpers: {
			// like n8n-core: the execution's cancel signal replaces the request's own
			async httpRequestWithAuthentication(_type: string, opts: any) {
				const o = { ...opts, abortSignal: options.execSignal };
				calls.push({ opts: o, authenticated: true });
				return await handler(o, true);
			},
			async httpRequest(opts: any) {
				calls.push({ opts, authenticated: false });
				return await handler(opts, false);
			},
		},
	};
	const client = new ImaClient(ctx, { apiKey: KEY, baseUrl: BASE, uploadBaseUrl: UPLOAD }, { signal: options.signal, retryBaseMs: 1, maxAttempts: 4 });
	return { client, calls, ctx };
}

const answer = (data: unknown, code = 0, statusCode = 200, headers: Record<string, string> = {}) => ({ statusCode, headers, body: { code, message: code === 0 || code === 200 ? 'ok' : 'error', data } });
const redirect = (statusCode: number, location: string) => ({ statusCode, headers: { location }, body: {} });
const version = (id: string) => ({ id, type: '3', model_id: id, name: id });
const thrown = (code: string, message = code) => Object.assign(new Error(message), { code });

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

beforeEach(() => clearProductCache());

describe('success is code 0 or 200 on every envelope', () => {
	test.each([0, 200])('code %i', async (code) => {
		const { client, calls } = fake((opts) => {
			if (opts.url.endsWith('/product/list')) return answer([version('a')], code);
			if (opts.url.endsWith('/tasks/create')) return answer({ id: 't1' }, code);
			if (opts.url.endsWith('/tasks/detail')) return answer({ id: 't1', medias: [] }, code);
			return answer({ ful: 'https://s/put', fdl: 'https://cdn/f' }, code);
		});
		expect((await client.products('text_to_image')).map((v) => v.id)).toEqual(['a']);
		expect((await client.createTask({ x: 1 })).id).toBe('t1');
		expect((await client.taskDetail('t1')).id).toBe('t1');
		expect(await client.uploadToken('image/png', 'png')).toEqual({ ful: 'https://s/put', fdl: 'https://cdn/f' });
		expect(calls.filter((c) => c.opts.url.endsWith('/tasks/create'))).toHaveLength(1);
	});

	test('any other code is a business error', async () => {
		const { client } = fake(() => answer(null, 4008));
		const e = await failure(client.createTask({}));
		expect(e.info).toMatchObject({ kind: 'business', imaCode: 4008, maybeProcessed: false });
	});
});

describe('the paid create is re-sent only when it provably never left', () => {
	test('ECONNREFUSED once: sent again, then it succeeds', async () => {
		let n = 0;
		const { client, calls } = fake(() => {
			if (n++ === 0) throw thrown('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1');
			return answer({ id: 'task-1' });
		});
		expect((await client.createTask({ a: 1 })).id).toBe('task-1');
		expect(calls).toHaveLength(2);
	});

	test.each([
		['a reset', () => Promise.reject(thrown('ECONNRESET', 'socket hang up'))],
		['a timeout', () => Promise.reject(thrown('ECONNABORTED', 'timeout of 100ms exceeded'))],
		['HTTP 502', () => answer(null, 502, 502)],
		['HTTP 500', () => answer(null, 500, 500)],
		['HTTP 503 with Retry-After', () => answer(null, 503, 503, { 'retry-after': '0' })],
	])('%s: never sent again, reported as maybe processed', async (_name, reply) => {
		const { client, calls } = fake(reply as Handler);
		const e = await failure(client.createTask({ a: 1 }));
		expect(e.info.maybeProcessed).toBe(true);
		expect(calls).toHaveLength(1);
	});
});

describe('reads honour Retry-After', () => {
	test('a 429 with Retry-After: 1 on the product list waits a second before the retry', async () => {
		const clock = installTestClock({ auto: true }); // a clock the test controls
		const times: number[] = [];
		const { client } = fake(() => {
			times.push(Date.now());
			return times.length === 1 ? answer(null, 429, 429, { 'retry-after': '1' }) : answer([version('a')]);
		});
		await client.products('text_to_image');
		expect(times).toHaveLength(2);
		// the backoff alone would be 1 ms (retryBaseMs)
		expect(times[1] - times[0]).toBe(1000);
		expect(clock.sleeps.map((x: any) => x.ms)).toEqual([1000]);
	});
});

describe('redirect policy', () => {
	test('n8n never follows a redirect of an API or upload-token call, nor re-sends credentials', async () => {
		const { client, calls } = fake((opts) => (opts.url.includes('getuploadtoken') ? answer({ ful: 'https://s/p', fdl: 'https://c/f' }) : answer(opts.url.endsWith('/list') ? [] : { id: 't' })));
		await client.products('text_to_image');
		await client.createTask({});
		await client.taskDetail('t');
		await client.uploadToken('image/png', 'png');
		expect(calls).toHaveLength(4);
		for (const c of calls) {
			expect(c.opts.disableFollowRedirect).toBe(true);
			expect(c.opts.sendCredentialsOnCrossOriginRedirect).toBe(false);
		}
	});

	test.each([
		['product list', (c: ImaClient) => c.products('text_to_image')],
		['task detail', (c: ImaClient) => c.taskDetail('t')],
		['upload token', (c: ImaClient) => c.uploadToken('image/png', 'png')],
	])('cross-origin redirect on the %s: refused, naming only the origin, not retried', async (step, call) => {
		const { client, calls } = fake(() => redirect(302, 'https://evil.example:8443/steal?x=1'));
		const e = await failure(call(client));
		expect(e.message).toContain(`IMA redirected the ${step} request to another origin (https://evil.example:8443)`);
		expect(e.message).toMatch(/refused to follow it to protect the API key/);
		expect(e.message).not.toContain('/steal');
		expect(e.info).toMatchObject({ kind: 'refused', transient: false });
		expect(calls).toHaveLength(1);
	});

	test('a downgrade to http on the same host is another origin', async () => {
		const { client, calls } = fake(() => redirect(301, 'http://api.ima.test/open/v1/product/list'));
		const e = await failure(client.products('text_to_image'));
		expect(e.message).toContain('(http://api.ima.test)');
		expect(calls).toHaveLength(1);
	});

	test('same origin: followed by the node (relative Location too), same method and body', async () => {
		const { client, calls } = fake((opts) => {
			if (opts.url === `${BASE}/open/v1/tasks/detail`) return redirect(307, '/v2/detail');
			return answer({ id: 't', medias: [] });
		});
		expect((await client.taskDetail('t')).id).toBe('t');
		expect(calls.map((c) => [c.opts.method, c.opts.url, c.authenticated, c.opts.body])).toEqual([
			['POST', `${BASE}/open/v1/tasks/detail`, true, { task_id: 't' }],
			['POST', `${BASE}/v2/detail`, true, { task_id: 't' }],
		]);
	});

	test('at most 3 same-origin hops', async () => {
		let n = 0;
		const { client, calls } = fake(() => redirect(302, `/hop${n++}`));
		const e = await failure(client.taskDetail('t'));
		expect(e.message).toMatch(/redirected the task detail request more than 3 times/);
		expect(calls).toHaveLength(4);
	});

	test('the create: never followed, even to the same origin; may have been processed', async () => {
		const { client, calls } = fake(() => redirect(307, `${BASE}/elsewhere`));
		const e = await failure(client.createTask({ paid: true }));
		expect(e.message).toBe(`IMA answered the create request with a redirect (HTTP 307 to ${BASE}), which the node did not follow`);
		expect(e.info).toMatchObject({ kind: 'refused', maybeProcessed: true, transient: false });
		expect(calls).toHaveLength(1);
	});

	test('media downloads follow redirects in the node, each hop checked before it is requested', async () => {
		const body = new Readable({ read() {} });
		const { client, calls } = fake((opts) =>
			opts.url === 'https://cdn.example/a.png' ? redirect(302, 'https://mirror.example/b.png?sig=1') : { statusCode: 200, headers: {}, body },
		);
		await client.openDownload('https://cdn.example/a.png');
		body.destroy(); // ends the download's timer
		expect(calls.map((c) => c.opts.url)).toEqual(['https://cdn.example/a.png', 'https://mirror.example/b.png?sig=1']);
		expect(calls.every((c) => c.opts.disableFollowRedirect === true && !c.authenticated)).toBe(true);
	});

	test.each([
		['http://169.254.169.254/latest/meta-data/', /cloud metadata address/],
		['http://127.0.0.1:9/x.png', /loopback address/],
		['http://[::ffff:10.0.0.1]/x.png', /private address/],
		['file:///etc/passwd', /a file: URL/],
		[`https://evil.example/x.png?k=${encodeURIComponent(KEY)}`, /carries the API key/],
	])('a media redirect to %s is refused, never requested', async (location, why) => {
		const { client, calls } = fake(() => redirect(302, location));
		const e = await failure(client.openDownload('https://cdn.example/a.png'));
		expect(e.message).toMatch(why);
		expect(e.info.kind).toBe('refused');
		expect(calls).toHaveLength(1);
	});

	test('a media redirect loop ends after 10 hops', async () => {
		let n = 0;
		const { client, calls } = fake(() => redirect(302, `https://cdn.example/${++n}.png`));
		const e = await failure(client.openDownload('https://cdn.example/0.png'));
		expect(e.message).toMatch(/redirected more than 10 times/);
		expect(calls).toHaveLength(11);
	});
});

describe('redaction', () => {
	const b64 = (s: string) => Buffer.from(s).toString('base64');
	test.each([
		['verbatim', KEY],
		['URL-encoded', encodeURIComponent(KEY)],
		['URL-encoded, lower-case hex', encodeURIComponent(KEY).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())],
		['double URL-encoded', encodeURIComponent(encodeURIComponent(KEY))],
		['lower-cased', KEY.toLowerCase()],
		['upper-cased', KEY.toUpperCase()],
		['base64', b64(KEY)],
		['base64 url-safe', b64(KEY).replace(/\+/g, '-').replace(/\//g, '_')],
		['base64 inside Basic auth (offset 1)', b64(`x${KEY}`)],
		['base64 inside Bearer (offset 7)', b64(`Bearer ${KEY}`)],
		['base64 at offset 2', b64(`ab${KEY}`)],
	])('%s', (_name, form) => {
		const out = redact(`before ${form} after`, KEY);
		expect(out).toContain('[redacted]');
		expect(out.toLowerCase()).not.toContain(KEY.toLowerCase());
		expect(out).not.toContain(b64(KEY).slice(4, 20));
		expect(out).not.toContain(form);
		expect(out).toMatch(/^before .*after$/);
	});

	test("an IMA error message echoing the key: the transport keeps IMA's words, the node's exit removes the key from every field", async () => {
		const echo = `key ${encodeURIComponent(KEY).toLowerCase()} / ${KEY.toUpperCase()} / ${b64(KEY)}`;
		const { client } = fake(() => answer(null, 4008, 200));
		(client as any).ctx.helpers.httpRequestWithAuthentication = async () => ({ statusCode: 200, headers: {}, body: { code: 400, message: echo } });
		const e = await failure(client.createTask({}));
		expect(e.info.imaMessage).toBe(echo);
		const ctx = { getNode: () => ({ id: 'n', name: 'IMA', type: 'n8n-nodes-ima.ima', typeVersion: 1, position: [0, 0], parameters: {} }) };
		const nodeError = cleanError(toNodeError(ctx as never, e, 0), KEY) as any;
		const all = JSON.stringify(Object.getOwnPropertyNames(nodeError).filter((n) => n !== 'node').map((n) => nodeError[n]));
		expect(all).toContain('[redacted]');
		expect(all.toLowerCase()).not.toContain(encodeURIComponent(KEY).toLowerCase());
		expect(all.toLowerCase()).not.toContain(KEY.toLowerCase());
		expect(all).not.toContain(b64(KEY).slice(0, 20));
	});

	test('short or empty secrets change nothing', () => {
		expect(redact('abc', '')).toBe('abc');
		expect(redact('abc', 'ab')).toBe('abc');
	});
});

describe('hostile product lists', () => {
	const deep = (depth: number) => {
		let node: any = version('leaf');
		for (let i = 0; i < depth; i++) node = { id: `g${i}`, type: '2', children: [node] };
		return [node];
	};

	test('nested 10,000 deep: a clear, non-transient error after one request', async () => {
		const { client, calls } = fake(() => answer(deep(10_000)));
		const e = await failure(client.products('text_to_image'));
		expect(e.message).toMatch(/^IMA's product list for text_to_image is unusable: it is nested deeper than 32 levels$/);
		expect(e.info).toMatchObject({ kind: 'invalid-response', transient: false, maybeProcessed: false });
		expect(calls).toHaveLength(1);
	});

	test('a normal depth (5) is walked', async () => {
		const { client } = fake(() => answer(deep(5)));
		expect((await client.products('text_to_image')).map((v) => v.id)).toEqual(['leaf']);
	});

	test.each([[{ list: [] }], [null], ['text'], [42]])('data %j: a clear error, not retried', async (data) => {
		const { client, calls } = fake(() => answer(data));
		const e = await failure(client.products('text_to_image'));
		expect(e.message).toMatch(/product list for text_to_image is unusable: its data is not a list/);
		expect(calls).toHaveLength(1);
	});

	test('version nodes without a string id or model_id are skipped; bad list fields are emptied', async () => {
		const { client } = fake(() =>
			answer([
				{ id: 7, type: '3', model_id: 'm' },
				{ id: 'x', type: '3', model_id: null },
				{ id: '', type: '3', model_id: 'm' },
				{ ...version('ok'), credit_rules: { points: 1 }, form_config: 'nope' },
			]),
		);
		const list = await client.products('text_to_image');
		expect(list.map((v) => v.id)).toEqual(['ok']);
		expect(list[0].credit_rules).toEqual([]);
		expect(list[0].form_config).toEqual([]);
	});
});

describe('product cache', () => {
	test('reload drops every cached list of the credential and loads afresh', async () => {
		const { client, calls } = fake((opts) => answer([version(String(opts.qs.category))]));
		await client.products('text_to_image');
		await client.products('text_to_video');
		await client.products('text_to_image');
		expect(calls).toHaveLength(2);
		await client.products('text_to_image', { reload: true });
		expect(calls).toHaveLength(3);
		await client.products('text_to_video'); // dropped too
		expect(calls).toHaveLength(4);
	});

	test("cancelling the execution that started the shared load does not fail another one's", async () => {
		const a = new AbortController();
		let release!: () => void;
		const gate = new Promise<void>((r) => (release = r));
		const handler: Handler = async (opts) => {
			const signal: AbortSignal | undefined = opts.abortSignal;
			await new Promise<void>((resolve, reject) => {
				if (signal?.aborted) return reject(Object.assign(new Error('canceled'), { code: 'ERR_CANCELED' }));
				signal?.addEventListener('abort', () => reject(Object.assign(new Error('canceled'), { code: 'ERR_CANCELED' })));
				void gate.then(resolve);
			});
			return answer([version('a')]);
		};
		const first = fake(handler, { signal: a.signal, execSignal: a.signal });
		const second = fake(handler, {});
		const p1 = first.client.products('text_to_image');
		const p2 = second.client.products('text_to_image');
		await new Promise((r) => setImmediate(r));
		a.abort();
		const e = await failure(p1);
		expect(e.info.kind).toBe('cancelled');
		release();
		expect((await p2).map((v) => v.id)).toEqual(['a']);
	});

	test('n8n 2.x: the starter is cancelled while the shared load waits out a 503; the other caller loads again itself', async () => {
		// Found by test:queue in a real n8n 2.41.1: the retries of the shared load went out with the
		// cancelled execution's signal (n8n sets it on every request) and failed the other one.
		const a = new AbortController();
		const b = new AbortController();
		let requests = 0;
		const handler: Handler = async (opts) => {
			requests++;
			if (opts.abortSignal?.aborted) throw new Error('This operation was aborted'); // no ERR_CANCELED code
			if (requests === 1) {
				a.abort(); // the starter is stopped while its load backs off
				return answer(null, 503, 503, { 'retry-after': '0' });
			}
			return answer([version('fresh')]);
		};
		const first = fake(handler, { signal: a.signal, execSignal: a.signal });
		const second = fake(handler, { signal: b.signal, execSignal: b.signal });
		const p1 = first.client.products('text_to_music');
		const p2 = second.client.products('text_to_music');
		expect((await failure(p1)).info.kind).toBe('cancelled');
		expect((await p2).map((v) => v.id)).toEqual(['fresh']);
		// the second caller's own load went out on its own context, not the cancelled one
		expect(second.calls.length).toBeGreaterThanOrEqual(1);
		expect(second.calls.every((c) => c.opts.abortSignal === b.signal)).toBe(true);
	});

	test('a caller stops waiting on its own signal while the shared load goes on', async () => {
		const a = new AbortController();
		let release!: () => void;
		const gate = new Promise<void>((r) => (release = r));
		const { client: c1 } = fake(async () => {
			await gate;
			return answer([version('a')]);
		});
		const waiting = new ImaClient((c1 as any).ctx, c1.credentials, { signal: a.signal });
		const shared = c1.products('text_to_image');
		const mine = waiting.products('text_to_image');
		a.abort();
		expect((await failure(mine)).info.kind).toBe('cancelled');
		release();
		expect((await shared).map((v) => v.id)).toEqual(['a']);
	});
});

describe('downloads', () => {
	test.each(['file:///etc/passwd', 'javascript:alert(1)', 'ftp://x/y', 'not a url'])('%s: refused before any request', async (url) => {
		const { client, calls } = fake(() => {
			throw new Error('no request expected');
		});
		const e = await failure(client.openDownload(url));
		expect(e.message).toMatch(/^The media URL is (a [a-z]+: URL|not a valid URL); the node downloads only http\(s\) URLs$/);
		expect(e.info).toMatchObject({ kind: 'refused', transient: false });
		expect(calls).toHaveLength(0);
	});

	describe('with n8n-core\'s request helper and a real server', () => {
		let server: http.Server;
		let base = '';
		const sockets = new Set<any>();
		beforeAll(async () => {
			server = http.createServer((req, res) => {
				if (req.url === '/endless') {
					res.writeHead(200, { 'Content-Type': 'video/mp4' });
					const chunk = Buffer.alloc(64 * 1024, 1);
					const pump = () => {
						while (res.write(chunk)) {
							/* until the buffer is full */
						}
					};
					res.on('drain', pump);
					pump();
					return;
				}
				if (req.url === '/trickle') {
					res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': '100000' });
					const timer = setInterval(() => res.write(Buffer.from([1])), 50);
					res.on('close', () => clearInterval(timer));
					return;
				}
				if (req.url === '/stall') {
					res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': '1000' });
					res.write(Buffer.alloc(10));
					return;
				}
				if (req.url === '/big') {
					res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': String(50 * 1024 * 1024) });
					res.write(Buffer.alloc(10));
					return;
				}
				const body = Buffer.alloc(1000, 2);
				res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': String(body.length) });
				res.end(body);
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

		const real = () => {
			const ctx: any = { helpers: { httpRequest: n8nHttpRequest, httpRequestWithAuthentication: () => Promise.reject(new Error('no')) } };
			// The local server is the credential's own host: media from it may be fetched (urlGuard.ts).
			return new ImaClient(ctx, { apiKey: KEY, baseUrl: base, uploadBaseUrl: UPLOAD }, { retryBaseMs: 1 });
		};
		// n8n's two ways of storing a binary: into memory (data events) and onto disk (async iteration)
		const readers: Array<[string, (s: any) => Promise<unknown>]> = [
			['in memory', async (s) => await binaryToBuffer(s)],
			[
				'to a file',
				async (s) => {
					const file = path.join(os.tmpdir(), `ima-dl-${process.pid}-${Math.random()}`);
					try {
						await fs.writeFile(file, s);
					} finally {
						await fs.rm(file, { force: true });
					}
				},
			],
		];

		// On a clock the test controls (test/support/testClock.js), which stands still while the
		// body comes: a download ends by its size limit, or when the test moves the clock past its
		// total time, whatever the machine's speed.
		test.each(readers)('an endless body passes maxBytes (%s): a clear error', async (_how, read) => {
			const clock = installTestClock();
			const dl = await real().openDownload(`${base}/endless`, { maxBytes: 2 * 1024 * 1024, totalTimeoutMs: 20_000 });
			let caught: any;
			await read(dl.stream).catch((e) => (caught = e));
			expect(caught).toBeInstanceOf(ImaRequestError);
			expect(caught.message).toBe('The media passed the size limit of 2 MB');
			expect(caught.info.kind).toBe('limit');
			expect(clock.elapsed()).toBe(0); // the size, not the time, stopped it
		});

		/** Reads `url` until the test's clock passes the download's total time. */
		async function pastTotalTime(url: string, totalTimeoutMs: number, read: (s: any) => Promise<unknown>) {
			const clock = installTestClock();
			const dl = await real().openDownload(url, { totalTimeoutMs });
			let caught: any;
			const reading = read(dl.stream).catch((e) => (caught = e));
			await clock.whenSleeping((x: any) => x.ms === totalTimeoutMs); // the download's own timer
			clock.advance(totalTimeoutMs - 1);
			await new Promise((r) => setTimeout(r, 20)); // let the body come on (real time)
			expect(caught).toBeUndefined();
			clock.advance(1);
			await reading;
			return caught;
		}

		test.each(readers)('a trickle (1 byte / 50 ms) passes totalTimeoutMs (%s): a clear error in time', async (_how, read) => {
			const caught = await pastTotalTime(`${base}/trickle`, 600, read);
			expect(caught).toBeInstanceOf(ImaRequestError);
			expect(caught.message).toBe('The download took longer than 0.6 s');
		});

		test('a body that stalls completely ends at the total time', async () => {
			const caught = await pastTotalTime(`${base}/stall`, 500, binaryToBuffer);
			expect(caught.message).toBe('The download took longer than 0.5 s');
		});

		test('a Content-Length over the limit is refused up front', async () => {
			const e = await failure(real().openDownload(`${base}/big`, { maxBytes: 10 * 1024 * 1024 }));
			expect(e.message).toBe('The media passed the size limit of 10 MB');
			expect(e.info.description).toMatch(/announced 50 MB/);
		});

		test('a normal file within the limits arrives whole', async () => {
			const dl = await real().openDownload(`${base}/ok.png`, { maxBytes: 1000, totalTimeoutMs: 5000 });
			const buf: Buffer = await binaryToBuffer(dl.stream);
			expect(buf.length).toBe(1000);
			expect(dl.contentLength).toBe(1000);
		});
	});
});

describe('asset check (POST /open/v1/assets/verify)', () => {
	const verdict = (result: unknown, code = 0) => answer({ result }, code);

	test.each([
		['active', 0, true],
		['SUCCESS', 200, true],
		[' Active ', 0, true],
		['rejected', 0, false],
		['pending', 0, false],
		['', 0, false],
	] as const)('status %j with code %i → passed %s', async (status, code, passed) => {
		const { client, calls } = fake(() => verdict({ id: 'as_1', status, asset_type: 'video', error: passed ? undefined : { code: 'E1', message: 'contains a watermark' } }, code));
		const v = await client.verifyAsset('https://cdn.test/v.mp4');
		expect(v.passed).toBe(passed);
		expect(v.reason).toBe(passed ? undefined : 'contains a watermark');
		expect(calls).toHaveLength(1);
		const c = calls[0];
		expect(c.authenticated).toBe(true);
		expect(c.opts.method).toBe('POST');
		expect(c.opts.url).toBe(`${BASE}/open/v1/assets/verify`);
		expect(c.opts.body).toEqual({ url: 'https://cdn.test/v.mp4' });
		expect(c.opts.headers).toMatchObject({ 'x-app-source': 'ima_skills', x_app_language: 'en', 'Content-Type': 'application/json' });
		expect(c.opts.timeout).toBe(300_000);
	});

	test('no result at all is a refusal without a reason', async () => {
		const { client } = fake(() => answer(null));
		expect(await client.verifyAsset('https://cdn.test/a.png')).toMatchObject({ passed: false, status: '', reason: undefined });
	});

	test('retried on 5xx and 429, then answered', async () => {
		let n = 0;
		const { client, calls } = fake(() => (++n === 1 ? { statusCode: 503, headers: {}, body: 'busy' } : n === 2 ? { statusCode: 429, headers: {}, body: {} } : verdict({ status: 'active' })));
		expect((await client.verifyAsset('https://cdn.test/a.png')).passed).toBe(true);
		expect(calls).toHaveLength(3);
	});

	test('a business error code is an error, not a verdict', async () => {
		const { client } = fake(() => answer(null, 400));
		const e = await failure(client.verifyAsset('https://cdn.test/a.png'));
		expect(e.info).toMatchObject({ kind: 'business', imaCode: 400, step: 'asset check' });
	});
});
