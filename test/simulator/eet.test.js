// @ts-check
'use strict';

/* The simulator's expected times (EET tags): durations drawn inside them, tags served scaled, hidden rate limits. */

const { startSimulator } = require('./index');
const { parseEetTag, scaleEetJson, createRng, drawDuration } = require('./eet');

/** @type {import('./index').Simulator} */
let sim;
const SPEED = 100;

beforeAll(async () => {
	sim = await startSimulator({ speed: SPEED });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

/** @param {import('./index').Simulator} s */
const headers = (s) => ({ Authorization: `Bearer ${s.apiKey}`, 'Content-Type': 'application/json' });

/**
 * @param {import('./index').Simulator} s
 * @param {string} category
 */
async function served(s, category) {
	const res = await fetch(`${s.baseUrl}/open/v1/product/list?app=ima&platform=web&category=${category}`, { headers: headers(s) });
	const json = await res.json();
	/** @type {any[]} */
	const versions = [];
	/** @type {any[]} */
	const stack = [...json.data];
	while (stack.length) {
		const n = stack.pop();
		if (n.type === '3') versions.push(n);
		if (Array.isArray(n.children)) stack.push(...n.children);
	}
	return versions;
}

/** @param {any} v */
const eetTag = (v) => (v.tags || []).filter((/** @type {any} */ t) => t.tag_type === 'EET').map((/** @type {any} */ t) => t.tag_value)[0];

/**
 * A speech create (the versions have one default rule and no required field).
 * @param {import('./index').Simulator} s
 * @param {string} version
 */
async function speech(s, version) {
	const v = s.products('text_to_speech').find((x) => x.id === version);
	if (!v) throw new Error(`no ${version}`);
	const rule = v.credit_rules[0];
	const body = {
		task_type: 'text_to_speech',
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
				category: 'text_to_speech',
				credit: rule.points,
				parameters: { prompt: 'hello', n: 1, input_images: [], cast: { points: rule.points, attribute_id: rule.attribute_id } },
			},
		],
	};
	const res = await fetch(`${s.baseUrl}/open/v1/tasks/create`, { method: 'POST', headers: headers(s), body: JSON.stringify(body) });
	return { status: res.status, json: await res.json(), headers: res.headers };
}

describe('EET tags', () => {
	test.each([
		['150~210s', [150, 210]],
		['20-35s', [20, 35]],
		['1~2min', [60, 120]],
		['30s', [30, 30]],
		['0.75~1.05s', [0.75, 1.05]],
		['35~20s', [20, 35]],
		['soon', null],
		['0s', null],
		['3~4 fortnights', null],
		[42, null],
	])('%p is read as %p', (value, expected) => {
		expect(parseEetTag(value)).toEqual(expected);
	});

	test('a tree is served with its EET tags divided by the speed; other tags, and speed 1, unchanged', () => {
		const tree = [{ type: '2', children: [{ type: '3', id: 'v', tags: [{ tag_type: 'point', tag_value: '29~195' }, { tag_type: 'EET', tag_value: '150~210s' }] }] }];
		const json = JSON.stringify(tree);
		expect(JSON.parse(scaleEetJson(json, 30))[0].children[0].tags).toEqual([
			{ tag_type: 'point', tag_value: '29~195' },
			{ tag_type: 'EET', tag_value: '5~7s' },
		]);
		expect(JSON.parse(scaleEetJson(json, 200))[0].children[0].tags[1].tag_value).toBe('0.75~1.05s');
		expect(scaleEetJson(json, 1)).toBe(json);
	});

	test('the product list serves every EET tag divided by the speed; products() keeps simulated seconds', async () => {
		const versions = await served(sim, 'text_to_video');
		const kling = versions.find((v) => v.id === 'kling-v2-6');
		expect(eetTag(kling)).toBe('1.5~2.1s');
		expect(eetTag(sim.products('text_to_video').find((v) => v.id === 'kling-v2-6'))).toBe('150~210s');
		for (const v of versions) {
			const own = sim.products('text_to_video').find((x) => x.id === v.id);
			const a = parseEetTag(eetTag(own));
			if (!a) expect(eetTag(v)).toBeUndefined();
			else expect(parseEetTag(eetTag(v))).toEqual([a[0] / SPEED, a[1] / SPEED]);
		}
	});

	test('a replaced list is served scaled the same way; a raw list verbatim', async () => {
		const list = sim.products('text_to_speech');
		sim.setProductList('text_to_speech', list);
		expect(eetTag((await served(sim, 'text_to_speech')).find((v) => v.id === 'seed-tts-1.1'))).toBe('0.1~0.2s');
		sim.setProductList('text_to_speech', { raw: JSON.stringify(list) });
		expect(eetTag((await served(sim, 'text_to_speech')).find((v) => v.id === 'seed-tts-1.1'))).toBe('10~20s');
	});
});

describe('task durations', () => {
	test('each task takes a time drawn inside its model EET range (seed-tts-1.1: 10~20 s simulated), spread over it', async () => {
		const durations = [];
		for (let i = 0; i < 40; i++) {
			const { json } = await speech(sim, 'seed-tts-1.1');
			expect(json.code).toBe(0);
			const task = /** @type {any} */ (sim.tasks.get(json.data.id));
			expect(task.expectedSec).toEqual([10, 20]);
			durations.push((task.durationMs * SPEED) / 1000);
		}
		for (const d of durations) {
			expect(d).toBeGreaterThanOrEqual(10);
			expect(d).toBeLessThanOrEqual(20);
		}
		expect(Math.min(...durations)).toBeLessThan(12);
		expect(Math.max(...durations)).toBeGreaterThan(18);
	});

	test('the same seed draws the same durations after reset()', async () => {
		const run = async () => {
			const out = [];
			for (let i = 0; i < 5; i++) out.push(/** @type {any} */ (sim.tasks.get((await speech(sim, 'seed-tts-1.1')).json.data.id)).durationMs);
			return out;
		};
		const first = await run();
		sim.reset();
		expect(await run()).toEqual(first);
	});

	test('a version without an EET tag takes the kind default; queueTask({durationSec}) still wins', async () => {
		const plain = /** @type {any} */ (sim.tasks.get((await speech(sim, 'seed-tts-2.0')).json.data.id));
		expect(plain.expectedSec).toBeNull();
		expect(plain.durationMs).toBe((10 * 1000) / SPEED);
		sim.queueTask({ durationSec: 3 });
		const queued = /** @type {any} */ (sim.tasks.get((await speech(sim, 'seed-tts-1.1')).json.data.id));
		expect(queued.durationMs).toBe((3 * 1000) / SPEED);
	});

	test('queueTask({forVersion}): taken by the next create of that version only', async () => {
		sim.queueTask({ durationSec: 7, forVersion: 'seed-tts-2.0' });
		sim.queueTask({ durationSec: 3 });
		const a = /** @type {any} */ (sim.tasks.get((await speech(sim, 'seed-tts-1.1')).json.data.id));
		const b = /** @type {any} */ (sim.tasks.get((await speech(sim, 'seed-tts-2.0')).json.data.id));
		expect([a.durationMs, b.durationMs]).toEqual([(3 * 1000) / SPEED, (7 * 1000) / SPEED]);
	});

	test('drawDuration: uniform inside the range, null without a tag', () => {
		const rng = createRng(7);
		const draws = Array.from({ length: 1000 }, () => drawDuration({ tags: [{ tag_type: 'EET', tag_value: '100~200s' }] }, rng));
		expect(Math.min(.../** @type {number[]} */ (draws))).toBeGreaterThanOrEqual(100);
		expect(Math.max(.../** @type {number[]} */ (draws))).toBeLessThanOrEqual(200);
		const low = draws.filter((d) => /** @type {number} */ (d) < 150).length;
		expect(low).toBeGreaterThan(400);
		expect(low).toBeLessThan(600);
		expect(drawDuration({ tags: [] }, rng)).toBeNull();
	});

	test('eet: false: kind-default durations and no EET tag served (other tags kept)', async () => {
		const plain = await startSimulator({ speed: SPEED, eet: false });
		try {
			const versions = await served(plain, 'text_to_video');
			expect(versions.every((v) => eetTag(v) === undefined)).toBe(true);
			expect(versions.find((v) => v.id === 'kling-v2-6').tags.map((/** @type {any} */ t) => t.tag_type)).toEqual(
				sim.products('text_to_video').find((v) => v.id === 'kling-v2-6').tags.filter((/** @type {any} */ t) => t.tag_type !== 'EET').map((/** @type {any} */ t) => t.tag_type),
			);
			expect(plain.products('text_to_speech').find((v) => v.id === 'seed-tts-1.1').tags.length).toBeGreaterThan(0);
			const task = /** @type {any} */ (plain.tasks.get((await speech(plain, 'seed-tts-1.1')).json.data.id));
			expect(task.durationMs).toBe((10 * 1000) / SPEED);
		} finally {
			await plain.close();
		}
	});
});

describe('a hidden rate limit', () => {
	test('given at start: 429 with Retry-After past the limit, on every reset too', async () => {
		const limited = await startSimulator({ speed: SPEED, rateLimits: { detail: { perSecond: 0.1, burst: 3, retryAfter: 2 } } });
		try {
			for (let round = 0; round < 2; round++) {
				limited.reset();
				const answers = [];
				for (let i = 0; i < 5; i++) {
					const res = await fetch(`${limited.baseUrl}/open/v1/tasks/detail`, { method: 'POST', headers: headers(limited), body: JSON.stringify({ task_id: 'x' }) });
					answers.push([res.status, res.headers.get('retry-after')]);
				}
				expect(answers.slice(0, 3).map((a) => a[0])).toEqual([200, 200, 200]);
				expect(answers.slice(3)).toEqual([
					[429, '2'],
					[429, '2'],
				]);
				expect(limited.requests.filter((r) => r.limited)).toHaveLength(2);
			}
		} finally {
			await limited.close();
		}
	});
});
