// @ts-check
'use strict';

/* Self-check of the simulator's CDN: Range requests, validators, stall and lie faults. */

const http = require('node:http');
const { startSimulator } = require('./index');
const { mediaBody } = require('./media');
const { parseRange, LIE_SHIFT } = require('./ranges');
const { TestClock } = require('../support/testClock');

/** @type {import('./index').Simulator} */
let sim;

beforeAll(async () => {
	sim = await startSimulator({ speed: 100 });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const SIZE = 300_000;

/** Creates a SeeDream task (done at once) with `behaviour`; returns its media URL. @param {Record<string, unknown>} behaviour */
async function mediaUrl(behaviour) {
	sim.queueTask({ durationSec: 0, ...behaviour });
	const v = sim.products('text_to_image').find((p) => p.id === 'doubao-seedream-4-5-251128');
	const rule = v.credit_rules[0];
	const nested = Object.fromEntries(v.form_config.filter((/** @type {any} */ f) => f.value !== null && f.value !== undefined).map((/** @type {any} */ f) => [f.field, f.value]));
	const body = {
		task_type: 'text_to_image',
		enable_multi_model: false,
		src_img_url: [],
		parameters: [
			{
				attribute_id: rule.attribute_id,
				model_id: v.model_id,
				model_name: v.name,
				model_version: v.id,
				app: 'ima',
				platform: 'web',
				category: 'text_to_image',
				credit: rule.points,
				parameters: { ...nested, prompt: 'x', n: 1, input_images: [], cast: { points: rule.points, attribute_id: rule.attribute_id } },
			},
		],
	};
	const init = { method: 'POST', headers: { Authorization: `Bearer ${sim.apiKey}`, 'Content-Type': 'application/json' } };
	const created = await (await fetch(`${sim.baseUrl}/open/v1/tasks/create`, { ...init, body: JSON.stringify(body) })).json();
	const detail = await (await fetch(`${sim.baseUrl}/open/v1/tasks/detail`, { ...init, body: JSON.stringify({ task_id: created.data.id }) })).json();
	return /** @type {string} */ (detail.data.medias[0].url);
}

/** The whole file the simulator serves for `mediaBytes: SIZE, mediaPattern: true` (an image). */
async function expectedFile() {
	const opened = mediaBody('image', SIZE, true).open();
	if (Buffer.isBuffer(opened)) return opened;
	/** @type {Buffer[]} */
	const parts = [];
	for await (const c of opened) parts.push(/** @type {Buffer} */ (c));
	return Buffer.concat(parts);
}

/** Body bytes the current `get` has received so far. */
let received = 0;

/**
 * GET with raw control: resolves with the answer once it ends, or once `stopWhen(body so far)`
 * holds (then the connection is cut, as a client would). Events only, no timeout: a stalled
 * answer is given up when the simulator says it stalled and every byte it sent has arrived.
 * @param {string} url
 * @param {Record<string, string>} [headers]
 * @param {(body: Buffer) => boolean} [stopWhen]
 * @returns {Promise<{status: number, headers: http.IncomingHttpHeaders, body: Buffer, ended: boolean, broken: boolean}>}
 */
function get(url, headers = {}, stopWhen) {
	received = 0;
	return new Promise((resolve, reject) => {
		const req = http.get(url, { headers }, (res) => {
			/** @type {Buffer[]} */
			const parts = [];
			let broken = false; // the server closed the connection before the end (not a hang)
			let settled = false;
			res.on('close', () => {
				if (!res.complete) broken = true;
			});
			const check = () => {
				if (settled || !stopWhen || !stopWhen(Buffer.concat(parts))) return;
				settled = true;
				clearInterval(poll);
				const result = { status: res.statusCode || 0, headers: res.headers, body: Buffer.concat(parts), ended: false, broken };
				req.destroy();
				resolve(result);
			};
			// (the stall is recorded by the server, maybe after the last byte came: looked at again and again)
			const poll = setInterval(check, 2);
			res.on('data', (c) => {
				parts.push(c);
				received += c.length;
				check();
			});
			res.on('end', () => {
				if (settled) return;
				settled = true;
				clearInterval(poll);
				resolve({ status: res.statusCode || 0, headers: res.headers, body: Buffer.concat(parts), ended: true, broken: false });
			});
			res.on('error', () => undefined);
		});
		req.on('error', reject);
	});
}

/** The last media answer has stalled and every byte it sent has arrived. @param {Buffer} body */
function stalled(body) {
	const last = /** @type {any} */ (sim.requests.filter((r) => r.route === 'media').at(-1));
	return last?.stalledAfter !== undefined && body.length >= last.stalledAfter;
}

/** Resolves once `predicate()` holds (an event), asserting nothing about time. @param {() => boolean} predicate */
async function until(predicate) {
	while (!predicate()) await new Promise((r) => setTimeout(r, 2));
}

describe('parseRange (RFC 9110 section 14)', () => {
	test.each([
		[undefined, null],
		['bytes=0-', { start: 0, end: 99 }],
		['bytes=10-', { start: 10, end: 99 }],
		['bytes=10-19', { start: 10, end: 19 }],
		['bytes=10-500', { start: 10, end: 99 }],
		['bytes=-30', { start: 70, end: 99 }],
		['bytes=-500', { start: 0, end: 99 }],
		['bytes=100-', 'unsatisfiable'],
		['bytes=-0', 'unsatisfiable'],
		['bytes=20-10', null],
		['bytes=0-1,5-6', null],
		['items=0-', null],
		['bytes=-', null],
	])('%p of 100 bytes → %p', (value, expected) => {
		expect(parseRange(value, 100)).toEqual(expected);
	});
});

describe('Range requests', () => {
	test('206 with Content-Range and exactly the asked bytes; ETag, Last-Modified and Accept-Ranges on every answer', async () => {
		const url = await mediaUrl({ mediaBytes: SIZE, mediaPattern: true });
		const file = await expectedFile();
		const whole = await get(url);
		expect(whole.status).toBe(200);
		expect(whole.body.equals(file)).toBe(true);
		expect(whole.headers['accept-ranges']).toBe('bytes');
		expect(whole.headers.etag).toMatch(/^"[0-9a-f]{20}"$/);
		expect(whole.headers['last-modified']).toMatch(/GMT$/);

		const tail = await get(url, { range: 'bytes=123457-' });
		expect(tail.status).toBe(206);
		expect(tail.headers['content-range']).toBe(`bytes 123457-${SIZE - 1}/${SIZE}`);
		expect(tail.headers['content-length']).toBe(String(SIZE - 123457));
		expect(tail.headers.etag).toBe(whole.headers.etag);
		expect(tail.body.equals(file.subarray(123457))).toBe(true);

		const middle = await get(url, { range: 'bytes=70000-70009' });
		expect(middle.headers['content-range']).toBe(`bytes 70000-70009/${SIZE}`);
		expect(middle.body.equals(file.subarray(70000, 70010))).toBe(true);

		const past = await get(url, { range: `bytes=${SIZE}-` });
		expect(past.status).toBe(416);
		expect(past.headers['content-range']).toBe(`bytes */${SIZE}`);

		const records = sim.requests.filter((r) => r.route === 'media');
		expect(records.map((r) => [r.headers.range, /** @type {any} */ (r).status])).toEqual([
			[undefined, 200],
			['bytes=123457-', 206],
			['bytes=70000-70009', 206],
			[`bytes=${SIZE}-`, 416],
		]);
	});

	test('mediaPattern: the padding depends on the offset (a piece at the wrong place changes the file)', async () => {
		const file = await expectedFile();
		const zeros = mediaBody('image', SIZE).open();
		expect(file.length).toBe(SIZE);
		expect(file.subarray(file.length - 4096).some((b) => b !== 0)).toBe(true);
		expect(file.subarray(200_000, 200_100).equals(file.subarray(200_016, 200_116))).toBe(false);
		expect(Buffer.isBuffer(zeros)).toBe(false);
	});

	test('setRangeRequests(false): 200 with the whole file and Accept-Ranges none; reset() restores 206', async () => {
		sim.setRangeRequests(false);
		const url = await mediaUrl({ mediaBytes: SIZE, mediaPattern: true });
		const answer = await get(url, { range: 'bytes=1000-' });
		expect(answer.status).toBe(200);
		expect(answer.headers['accept-ranges']).toBe('none');
		expect(answer.headers['content-range']).toBeUndefined();
		expect(answer.body.equals(await expectedFile())).toBe(true);
		sim.reset();
		expect(sim.rangeRequests).toBe(true);
		const url2 = await mediaUrl({ mediaBytes: SIZE });
		expect((await get(url2, { range: 'bytes=1000-' })).status).toBe(206);
	});
});

describe('stall faults', () => {
	test('hang: the body stops after afterBytes and the connection stays open; the next answer is whole', async () => {
		const url = await mediaUrl({ mediaBytes: SIZE, mediaPattern: true });
		sim.fault({ route: 'media', kind: 'stall', afterBytes: 100_000 });
		const cut = await get(url, {}, stalled);
		expect(cut.ended).toBe(false);
		expect(cut.broken).toBe(false); // still open when the client gave up
		expect(cut.status).toBe(200);
		expect(cut.body.length).toBe(100_000);
		expect(cut.body.equals((await expectedFile()).subarray(0, 100_000))).toBe(true);
		const rest = await get(url, { range: 'bytes=100000-' });
		expect(rest.ended).toBe(true);
		expect(rest.body.length).toBe(SIZE - 100_000);
		const records = sim.requests.filter((r) => r.route === 'media');
		expect(records.map((r) => /** @type {any} */ (r).stalledAfter)).toEqual([100_000, undefined]);
		await until(() => sim.openMediaStreams === 0); // the cut answer's stream is closed once the client went
		expect(sim.openMediaStreams).toBe(0);
	});

	test('hang in a large body (the rest not read yet): still open, not reset', async () => {
		const url = await mediaUrl({ mediaBytes: 3 * 1024 * 1024 });
		sim.fault({ route: 'media', kind: 'stall', afterBytes: 1024 * 1024 + 17 });
		const cut = await get(url, {}, stalled);
		expect(cut.broken).toBe(false);
		expect(cut.body.length).toBe(1024 * 1024 + 17);
	});

	test('a range answer stalls too (afterBytes counts its own body); default: half of it', async () => {
		const url = await mediaUrl({ mediaBytes: SIZE });
		sim.fault({ route: 'media', kind: 'stall', times: 2 });
		expect((await get(url, {}, stalled)).body.length).toBe(SIZE / 2);
		expect((await get(url, { range: 'bytes=100000-' }, stalled)).body.length).toBe((SIZE - 100_000) / 2);
	});

	test('trickle: after afterBytes, `bytes` every `everyMs` (below 1 KB/s by default)', async () => {
		const url = await mediaUrl({ mediaBytes: SIZE });
		sim.fault({ route: 'media', kind: 'stall', afterBytes: 1000, mode: 'trickle', trickle: { bytes: 5, everyMs: 20 } });
		// The trickle runs on the simulator's clock, moved here by 20 ms once each piece has arrived.
		const clock = new TestClock();
		sim.setClock(clock);
		const answer = get(url, {}, (body) => body.length >= 1015);
		for (const bytes of [1000, 1005, 1010]) {
			await until(() => received >= bytes && clock.pending().length > 0);
			expect(received).toBe(bytes); // nothing came before its time
			clock.advance(20);
		}
		const cut = await answer;
		expect(cut.ended).toBe(false);
		expect(cut.broken).toBe(false);
		// the 1000 bytes, then a piece of 5 bytes every 20 ms
		expect(cut.body.length).toBe(1015);
		expect(clock.sleeps.map((s) => s.ms)).toEqual([20, 20, 20, 20]);
		expect(/** @type {any} */ (sim.requests.find((r) => r.route === 'media')).stalledAfter).toBe(1000);
	});

	test('refused on another route, and with a bad mode or afterBytes', () => {
		expect(() => sim.fault({ route: 'detail', kind: 'stall' })).toThrow(/route 'media' only/);
		expect(() => sim.fault(/** @type {any} */ ({ route: 'media', kind: 'stall', mode: 'slow' }))).toThrow(/hang' or 'trickle/);
		expect(() => sim.fault({ route: 'media', kind: 'stall', afterBytes: -1 })).toThrow(/afterBytes/);
		expect(() => sim.fault(/** @type {any} */ ({ route: 'media', kind: 'lie', lie: 'often' }))).toThrow(/lie must be/);
	});
});

describe('lie faults (the next media answer)', () => {
	test("'start': a Content-Range (and body) from another byte than asked", async () => {
		const url = await mediaUrl({ mediaBytes: SIZE, mediaPattern: true });
		sim.fault({ route: 'media', kind: 'lie', lie: 'start' });
		const answer = await get(url, { range: 'bytes=100000-' });
		expect(answer.status).toBe(206);
		expect(answer.headers['content-range']).toBe(`bytes ${100_000 - LIE_SHIFT}-${SIZE - 1}/${SIZE}`);
		expect(answer.body.equals((await expectedFile()).subarray(100_000 - LIE_SHIFT))).toBe(true);
	});

	test("'total': another total size; 'missing': no Content-Range; 'etag': new ETag and Last-Modified", async () => {
		const url = await mediaUrl({ mediaBytes: SIZE });
		const honest = await get(url);
		sim.fault({ route: 'media', kind: 'lie', lie: 'total' });
		sim.fault({ route: 'media', kind: 'lie', lie: 'missing' });
		sim.fault({ route: 'media', kind: 'lie', lie: 'etag' });
		const total = await get(url, { range: 'bytes=10-' });
		expect(total.headers['content-range']).toBe(`bytes 10-${SIZE - 1}/${SIZE + 1000}`);
		const missing = await get(url, { range: 'bytes=10-' });
		expect(missing.status).toBe(206);
		expect(missing.headers['content-range']).toBeUndefined();
		const etag = await get(url, { range: 'bytes=10-' });
		expect(etag.headers['content-range']).toBe(`bytes 10-${SIZE - 1}/${SIZE}`);
		expect(etag.headers.etag).not.toBe(honest.headers.etag);
		expect(etag.headers['last-modified']).not.toBe(honest.headers['last-modified']);
		expect((await get(url, { range: 'bytes=10-' })).headers.etag).toBe(honest.headers.etag);
	});
});
