// @ts-check
'use strict';

/* Self-check of the IMA API simulator: `npx jest test/simulator`. */

const crypto = require('node:crypto');
const { startSimulator } = require('./index');
const { TestClock } = require('../support/testClock');

/** @type {import('./index').Simulator} */
let sim;
/**
 * The simulator's clock in these tests: it stands still until a test moves it, so "still
 * processing at the first check" or "one token back" never depends on the machine's speed.
 */
const clock = new TestClock();

beforeAll(async () => {
	sim = await startSimulator({ speed: 100, clock });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

/** Headers of IMA's own client. */
const headers = () => ({
	Authorization: `Bearer ${sim.apiKey}`,
	'Content-Type': 'application/json',
	'x-app-source': 'ima_skills',
	x_app_language: 'en',
});

/**
 * @param {string} category
 * @returns {Promise<any>}
 */
async function productList(category) {
	const res = await fetch(`${sim.baseUrl}/open/v1/product/list?app=ima&platform=web&category=${category}`, { headers: headers() });
	return res.json();
}

/**
 * @param {string} path
 * @param {unknown} body
 * @returns {Promise<{status: number, json: any, res: Response}>}
 */
async function post(path, body) {
	const res = await fetch(`${sim.baseUrl}${path}`, { method: 'POST', headers: headers(), body: JSON.stringify(body) });
	return { status: res.status, json: await res.json(), res };
}

/** @param {unknown} body */
const create = (body) => post('/open/v1/tasks/create', body);
/** @param {string} id */
const detail = (id) => post('/open/v1/tasks/detail', { task_id: id });

/**
 * A port of `create_task` of IMA's Python example (the reference body), with the rule passed in.
 * @param {string} taskType
 * @param {string} prompt
 * @param {any} product
 * @param {Record<string, any>} [extra]
 * @param {any} [rule]
 */
function pythonBody(taskType, prompt, product, extra = {}, rule = product.credit_rules[0]) {
	const formDefaults = Object.fromEntries(
		product.form_config.filter((/** @type {any} */ f) => f.value !== null && f.value !== undefined).map((/** @type {any} */ f) => [f.field, f.value]),
	);
	/** @type {Record<string, any>} */
	const nested = {
		prompt,
		n: 1,
		input_images: [],
		cast: { points: rule.points, attribute_id: rule.attribute_id },
		...formDefaults,
	};
	for (const k of ['size', 'aspect_ratio', 'quality', 'seed', 'duration', 'resolution', 'shot_type', 'negative_prompt', 'prompt_extend']) {
		if (k in extra) nested[k] = extra[k];
	}
	const inputImages = extra.input_images || [];
	nested.input_images = inputImages;
	return {
		task_type: taskType,
		enable_multi_model: false,
		src_img_url: inputImages,
		parameters: [
			{
				attribute_id: rule.attribute_id,
				model_id: product.model_id,
				model_name: product.name,
				model_version: product.id,
				app: 'ima',
				platform: 'web',
				category: taskType,
				credit: rule.points,
				parameters: nested,
			},
		],
	};
}

/**
 * @param {string} category
 * @param {string} id version id
 */
const product = (category, id) => {
	const p = sim.products(category).find((v) => v.id === id);
	if (!p) throw new Error(`no ${id} in ${category}`);
	return p;
};

/**
 * @param {any} p
 * @param {Record<string, unknown>} attrs
 */
const ruleFor = (p, attrs) =>
	p.credit_rules.find((/** @type {any} */ r) => Object.entries(attrs).every(([k, v]) => r.attributes[k] === v));

/** IMA's normalisation (API README). @param {unknown} v */
const norm = (v) => (typeof v === 'boolean' ? String(v) : String(v).trim().toUpperCase());

/**
 * How IMA's CLIENT picks a rule (API README): first non-default rule fully matched; else the
 * default rule; else the rule with most matches; else credit_rules[0].
 * @param {any[]} rules
 * @param {Record<string, any>} nested
 * @returns {any}
 */
function clientRule(rules, nested) {
	const isDefault = (/** @type {any} */ r) => 'default' in r.attributes;
	const hits = (/** @type {any} */ r) =>
		Object.entries(r.attributes).filter(([k, v]) => k !== 'default' && nested[k] !== undefined && nested[k] !== null && norm(nested[k]) === norm(v)).length;
	const full = rules.find((r) => !isDefault(r) && hits(r) === Object.keys(r.attributes).length);
	if (full) return full;
	const fallback = rules.find(isDefault);
	if (fallback) return fallback;
	let best = rules[0];
	for (const r of rules) if (hits(r) > hits(best)) best = r;
	return best;
}

/**
 * IMA's runtime writes the chosen rule's attributes (all but `default`) into the parameters.
 * @param {Record<string, any>} nested
 * @param {any} rule
 */
function sendRuleAttributes(nested, rule) {
	for (const [k, v] of Object.entries(rule.attributes)) if (k !== 'default') nested[k] = v;
}

/**
 * Polls detail until every media left processing.
 * @param {string} id
 * @returns {Promise<any>}
 */
async function waitDone(id) {
	for (let i = 0; i < 200; i++) {
		const { json } = await detail(id);
		const medias = json.data.medias;
		if (medias.every((/** @type {any} */ m) => m.resource_status !== null && m.resource_status !== 0)) return json.data;
		clock.advance(20);
	}
	throw new Error('task never finished');
}

/**
 * @param {string} url
 * @returns {Promise<{res: Response, bytes: Buffer}>}
 */
async function download(url) {
	const res = await fetch(url);
	return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

/**
 * @param {Record<string, string>} [override]
 * @param {string[]} [drop]
 * @param {import('./index').Simulator} [s]
 */
function tokenUrl(override = {}, drop = [], s = sim) {
	const nonce = crypto.randomBytes(11).toString('hex').slice(0, 21);
	const ts = String(Math.floor(s.clock.now() / 1000));
	const sign = crypto.createHash('sha1').update(`webAgent|32jdskjdk320eew|${ts}|${nonce}`).digest('hex').toUpperCase();
	/** @type {Record<string, string>} */
	const q = {
		appUid: s.apiKey,
		appId: 'webAgent',
		appKey: '32jdskjdk320eew',
		cmimToken: s.apiKey,
		sign,
		timestamp: ts,
		nonce,
		fService: 'privite',
		fType: 'picture',
		fSuffix: 'png',
		fContentType: 'image/png',
		...override,
	};
	for (const k of drop) delete q[k];
	return `${s.uploadBaseUrl}/api/rest/oss/getuploadtoken?${new URLSearchParams(q)}`;
}

describe('product list', () => {
	test('is a tree with a version at depth 4 and one at the top level; two-level flattening misses them', async () => {
		/** @type {(nodes: any[], depth?: number, out?: Map<string, number>) => Map<string, number>} */
		const depths = (nodes, depth = 1, out = new Map()) => {
			for (const n of nodes) {
				if (n.type === '3') out.set(n.id, depth);
				if (n.children) depths(n.children, depth + 1, out);
			}
			return out;
		};
		/** IMA's Python get_products: two levels only. */
		const pythonFlatten = (/** @type {any[]} */ nodes) => {
			const out = [];
			for (const node of nodes) {
				for (const child of node.children || []) {
					if (child.type === '3') out.push(child.id);
					for (const gc of child.children || []) if (gc.type === '3') out.push(gc.id);
				}
			}
			return out;
		};

		const t2i = await productList('text_to_image');
		expect(t2i.code).toBe(0);
		const d2i = depths(t2i.data);
		expect(d2i.get('gemini-3-pro-image-preview')).toBe(4);
		expect(pythonFlatten(t2i.data)).not.toContain('gemini-3-pro-image-preview');
		expect([...d2i.keys()].sort()).toEqual(sim.products('text_to_image').map((p) => p.id).sort());

		const t2v = await productList('text_to_video');
		const d2v = depths(t2v.data);
		expect(Math.max(...d2v.values())).toBeGreaterThanOrEqual(4);
		expect(t2v.data.some((/** @type {any} */ n) => n.type === '3' && n.id === 'sora-2-pro')).toBe(true);
		expect(pythonFlatten(t2v.data)).not.toContain('sora-2-pro');
		expect(d2v.size).toBe(16);
		expect(t2v.data.filter((/** @type {any} */ n) => n.type === '2').every((/** @type {any} */ g) => Array.isArray(g.children))).toBe(true);
	});

	test('serves every category; unknown category is code 400; a bad key is HTTP 401', async () => {
		for (const c of ['image_to_image', 'image_to_video', 'first_last_frame_to_video', 'reference_image_to_video', 'text_to_music']) {
			const list = await productList(c);
			expect(list.code).toBe(0);
			expect(sim.products(c).length).toBeGreaterThan(0);
			expect(sim.products(c).every((v) => v.category_code === c && v.type === '3')).toBe(true);
		}
		const i2i = product('image_to_image', 'doubao-seedream-4-5-251128');
		const sizes = i2i.form_config.find((/** @type {any} */ f) => f.field === 'size').options.map((/** @type {any} */ o) => o.value);
		expect(sizes).toEqual(expect.arrayContaining(['2k', '4k', '2048x2048']));
		expect(sizes).not.toContain('adaptive');
		const music = sim.products('text_to_music');
		expect(music.map((m) => m.model_id)).toEqual(expect.arrayContaining(['sonic', 'genbgm', 'gensong']));
		expect(music.some((m) => m.credit_rules.some((/** @type {any} */ r) => r.attributes.default === 'enabled'))).toBe(true);

		const unknown = await productList('text_to_poem');
		expect(unknown).toMatchObject({ code: 400, message: 'unknown category' });

		const res = await fetch(`${sim.baseUrl}/open/v1/product/list?app=ima&platform=web&category=text_to_image`, {
			headers: { Authorization: 'Bearer ima_wrong' },
		});
		expect(res.status).toBe(401);
		expect(await res.json()).toMatchObject({ code: 401, message: 'Invalid or revoked API key' });
	});
});

describe('create', () => {
	test('every version of every category is creatable from its defaults (disabled fields left out, the chosen rule\'s attributes sent)', async () => {
		const categories = sim.categories();
		expect(categories).toHaveLength(8);
		let count = 0;
		for (const category of categories) {
			for (const p of sim.products(category)) {
				/** @type {Record<string, any>} */
				const nested = { prompt: 'x', n: 1 };
				for (const f of p.form_config || []) {
					const off = (f.disabled_conditions || []).some((/** @type {any} */ d) => d.category === category && d.enum_value === '*');
					if (f.value !== null && f.value !== undefined && !off) nested[f.field] = f.value;
				}
				const images = category === 'first_last_frame_to_video' ? ['https://e.com/a.jpg', 'https://e.com/b.jpg'] : category.includes('image_to') ? ['https://e.com/a.jpg'] : [];
				nested.input_images = images;
				// as IMA's runtime: choose the rule, then send its attributes
				const rule = clientRule(p.credit_rules, nested);
				sendRuleAttributes(nested, rule);
				nested.cast = { points: rule.points, attribute_id: rule.attribute_id };
				const body = {
					task_type: category,
					enable_multi_model: false,
					src_img_url: images,
					parameters: [{ attribute_id: rule.attribute_id, model_id: p.model_id, model_name: p.name, model_version: p.id, app: 'ima', platform: 'web', category, credit: rule.points, parameters: nested }],
				};
				if ((p.model_id === 'ima-pro' || p.model_id === 'ima-pro-fast') && images.length) {
					// Seedance 2.0 media: the images described in src_image, each checked first.
					Object.assign(body, { src_image: images.map((url) => ({ url, width: 1024, height: 1024 })) });
					for (const url of images) await post('/open/v1/assets/verify', { url });
				}
				const { json } = await create(body);
				expect([category, p.id, json.code, json.message]).toEqual([category, p.id, 0, 'success']);
				count++;
			}
		}
		expect(sim.tasks.size).toBe(count);
	});

	test('accepts the Python example body for SeeDream 4.5 image_to_image and charges the rule points', async () => {
		const seedream = product('image_to_image', 'doubao-seedream-4-5-251128');
		const body = pythonBody('image_to_image', 'turn into oil painting style', seedream, {
			input_images: ['https://example.com/input.jpg'],
			size: '4k',
		});
		const { status, json } = await create(body);
		expect(status).toBe(200);
		expect(json.code).toBe(0);
		expect(json.data).toMatchObject({ task_type: 'image_to_image', medias: [], generate_count: 1 });
		expect(json.data.id).toMatch(/^task_\d+_[0-9a-f]+$/);
		expect(json.data.biz_id).not.toBe(json.data.id);
		expect(json.data.timeout_at - json.data.created_at).toBe(6000); // 600 simulated s at speed 100
		expect(sim.creditsCharged).toBe(5);
		expect(sim.balance).toBe(1e9 - 5);
		expect(sim.tasks.get(json.data.id)).toMatchObject({ n: 1, credit: 5, charged: 5, attributeId: 2341 });
		expect(sim.createsReceived()).toHaveLength(1);
		expect(sim.createsReceived()[0].body).toEqual(body);
		expect(sim.createsReceived()[0].headers['x-app-source']).toBe('ima_skills');
	});

	test('charges the rule the parameters name: exact match, booleans, no partial match (6009), n multiplies', async () => {
		const seedance = product('text_to_video', 'doubao-seedance-1-5-pro-251215');
		const rule = ruleFor(seedance, { duration: 8, generate_audio: false, resolution: '720p' });
		const body = pythonBody('text_to_video', 'a cat', seedance, { duration: 8, resolution: '720p' }, rule);
		body.parameters[0].parameters.generate_audio = false;
		expect((await create(body)).json.code).toBe(0);
		expect(sim.creditsCharged).toBe(30);
		// booleans normalise to "true"/"false" (lower case), other values are upper-cased: the
		// string "FALSE" is not the boolean false, and no rule matches
		body.parameters[0].parameters.generate_audio = 'FALSE';
		expect((await create(body)).json.code).toBe(6009);
		expect(sim.creditsCharged).toBe(30);

		// Midjourney text_to_image: its rules are only on resolution, which the form disables
		// there. Without resolution no rule matches (the server does not guess): 6009, nothing
		// charged. IMA's runtime sends the chosen rule's resolution: accepted, although disabled.
		const mj = product('text_to_image', 'midjourney');
		const mjBody = pythonBody('text_to_image', 'a castle', mj);
		delete mjBody.parameters[0].parameters.resolution;
		mjBody.parameters[0].parameters.n = 1;
		expect((await create(mjBody)).json).toMatchObject({ code: 6009, message: 'no credit rule matches the parameters' });
		expect(sim.creditsCharged).toBe(30);
		const mj720 = ruleFor(mj, { resolution: '720p' });
		const mjSent = pythonBody('text_to_image', 'a castle', mj, {}, mj720);
		mjSent.parameters[0].parameters.resolution = '720p';
		expect((await create(mjSent)).json.code).toBe(0);
		expect(sim.creditsCharged).toBe(40);
		// sending the disabled field with a value no rule has is still refused (400)
		mjSent.parameters[0].parameters.resolution = '1080p';
		expect((await create(mjSent)).json.code).toBe(400);
		// normalisation: " 720P " matches "720p"
		mjSent.parameters[0].parameters.resolution = ' 720P ';
		expect((await create(mjSent)).json.code).toBe(0); // normalised
		expect(sim.creditsCharged).toBe(50);

		const banana = product('text_to_image', 'gemini-3.1-flash-image-preview');
		const nBody = pythonBody('text_to_image', 'a tree', banana, { size: '2K' }, ruleFor(banana, { size: '2K' }));
		nBody.parameters[0].parameters.n = 3;
		const { json } = await create(nBody);
		expect(json.data.generate_count).toBe(3);
		expect(sim.creditsCharged).toBe(50 + 30);
	});

	test('answers the business errors with HTTP 200 and charges nothing', async () => {
		const banana2 = product('text_to_image', 'gemini-3.1-flash-image-preview');
		const bananaPro = product('text_to_image', 'gemini-3-pro-image-preview');
		const seedream = product('image_to_image', 'doubao-seedream-4-5-251128');
		const gensong = product('text_to_music', 'gensong-v1');
		const veo = product('reference_image_to_video', 'veo-3.1-generate-preview');
		const img = { input_images: ['https://example.com/in.jpg'] };

		// 6006: credit_rules[0] (512px, 4 points) while sending size 2K (10 points)
		let r = await create(pythonBody('text_to_image', 'x', banana2, { size: '2K' }));
		expect([r.status, r.json.code]).toEqual([200, 6006]);

		// 6010: Nano Banana Pro 1K and 2K both cost 10 points, but the attribute ids differ
		r = await create(pythonBody('text_to_image', 'x', bananaPro, { size: '2K' }));
		expect(r.json.code).toBe(6010);

		// 6009: GenSong does not sell 240 s without vocals
		const songBody = pythonBody('text_to_music', 'x', gensong, { duration: 240 });
		songBody.parameters[0].parameters.with_vocals = false;
		r = await create(songBody);
		expect(r.json).toMatchObject({ code: 6009, message: 'no credit rule matches the parameters' });

		// 400: prompt at the top level instead of nested
		const flat = /** @type {any} */ (pythonBody('image_to_image', 'x', seedream, { ...img, size: '4k' }));
		delete flat.parameters[0].parameters.prompt;
		flat.prompt = 'x';
		r = await create(flat);
		expect(r.json.code).toBe(400);
		expect(r.json.message).toContain('prompt');

		// 400: SeeDream 4.5 image_to_image has no "adaptive" size
		r = await create(pythonBody('image_to_image', 'x', seedream, { ...img, size: 'adaptive' }));
		expect(r.json.code).toBe(400);
		expect(r.json.message).toMatch(/size.*adaptive.*allowed values: .*2k.*4k.*2048x2048/);

		// 400: a value disabled for the category by disabled_conditions
		const veoBody = pythonBody('reference_image_to_video', 'x', veo, { ...img, aspect_ratio: '9:16' }, ruleFor(veo, { duration: 8, generate_audio: false, resolution: '1080p' }));
		r = await create(veoBody);
		expect(r.json.code).toBe(400);
		expect(r.json.message).toContain('aspect_ratio');

		// 400: image tasks need public URLs, the same in src_img_url and input_images
		r = await create(pythonBody('image_to_image', 'x', seedream, { input_images: ['data:image/png;base64,AAAA'], size: '4k' }));
		expect(r.json.code).toBe(400);
		const mismatch = pythonBody('image_to_image', 'x', seedream, { ...img, size: '4k' });
		mismatch.parameters[0].parameters.input_images = [];
		expect((await create(mismatch)).json.code).toBe(400);

		// 4014: subscription needed
		sim.requireSubscription('doubao-seedream-4.5');
		r = await create(pythonBody('image_to_image', 'x', seedream, { ...img, size: '4k' }));
		expect(r.json.code).toBe(4014);

		expect(sim.creditsCharged).toBe(0);
		expect(sim.tasks.size).toBe(0);
		expect(sim.createsReceived()).toHaveLength(9);
	});

	test('4008 when the balance is short: nothing charged', async () => {
		sim.setBalance(3);
		const seedream = product('text_to_image', 'doubao-seedream-4-5-251128');
		const r = await create(pythonBody('text_to_image', 'x', seedream));
		expect(r.json.code).toBe(4008);
		expect(sim.balance).toBe(3);
		expect(sim.creditsCharged).toBe(0);
		expect(sim.tasks.size).toBe(0);
	});
});

describe('detail and media', () => {
	test('an image task goes pending → processing → done, and the media is a real PNG', async () => {
		const seedream = product('text_to_image', 'doubao-seedream-4-5-251128');
		sim.queueTask({ durationSec: 40 }); // 400 ms: pending for the first 40 ms
		const { json } = await create(pythonBody('text_to_image', 'a fox', seedream));
		const id = json.data.id;
		const first = (await detail(id)).json;
		expect(first.data).toMatchObject({ id, task_type: 'text_to_image', prompt: 'a fox' });
		expect(first.data.medias).toHaveLength(1);
		expect(first.data.medias[0]).toMatchObject({ resource_status: null, status: 'pending' });

		/** @type {Set<string>} */
		const seen = new Set();
		let media;
		for (let i = 0; i < 100; i++) {
			media = (await detail(id)).json.data.medias[0];
			seen.add(`${media.resource_status}/${media.status}`);
			if (media.resource_status === 1) break;
			clock.advance(15);
		}
		expect(seen).toContain('0/processing');
		expect(media).toMatchObject({ resource_status: 1, status: 'success', format: 'png', width: 1024, height: 1024 });
		expect(media.url).toBe(`${sim.cdnBaseUrl}/media/${id}/0.png`);
		const { res, bytes } = await download(media.url);
		expect(res.headers.get('content-type')).toBe('image/png');
		expect(Number(res.headers.get('content-length'))).toBe(bytes.length);
		expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
		expect((await detail('task_nope')).json).toMatchObject({ code: 404, message: 'task not found' });
		expect((await fetch(`${sim.cdnBaseUrl}/media/${id}/7.png`)).status).toBe(404);
	});

	test('video and music media: MP4 with ftyp, JPEG cover, MP3 frames', async () => {
		const wan = product('text_to_video', 'wan2.6-t2v');
		sim.queueTask({ durationSec: 1 });
		const v = (await create(pythonBody('text_to_video', 'a puppy', wan, { duration: 10, resolution: '720P' }, ruleFor(wan, { duration: 10, resolution: '720P' })))).json;
		expect(v.code).toBe(0);
		const suno = product('text_to_music', 'sonic-v5');
		sim.queueTask({ durationSec: 1 });
		const m = (await create(pythonBody('text_to_music', 'upbeat electronic', suno, {}, ruleFor(suno, { default: 'enabled' })))).json;
		expect(m.code).toBe(0);
		expect(sim.creditsCharged).toBe(50 + 10);

		const video = (await waitDone(v.data.id)).medias[0];
		expect(video).toMatchObject({ resource_status: 1, status: 'success', format: 'mp4', duration_str: '10s' });
		const mp4 = await download(video.url);
		expect(mp4.res.headers.get('content-type')).toBe('video/mp4');
		expect(mp4.bytes.subarray(4, 12).toString('latin1')).toBe('ftypisom');
		expect(mp4.bytes.includes(Buffer.from('moov'))).toBe(true);
		const cover = await download(video.cover);
		expect(cover.res.headers.get('content-type')).toBe('image/jpeg');
		expect([...cover.bytes.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
		expect([...cover.bytes.subarray(-2)]).toEqual([0xff, 0xd9]);

		const audio = (await waitDone(m.data.id)).medias[0];
		expect(audio).toMatchObject({ resource_status: 1, format: 'mp3', duration_str: '60s' });
		const mp3 = await download(audio.url);
		expect(mp3.res.headers.get('content-type')).toBe('audio/mpeg');
		expect([...mp3.bytes.subarray(0, 2)]).toEqual([0xff, 0xfb]);
		expect([...mp3.bytes.subarray(417, 419)]).toEqual([0xff, 0xfb]); // the next frame
	});

	test('queued behaviours: failed, failed-with-status-1, deleted, URL in watermark_url, never finishing', async () => {
		const seedream = product('text_to_image', 'doubao-seedream-4-5-251128');
		sim.queueTask({ durationSec: 0, failMedia: [0], failedStatusMedia: [1], deleteMedia: [2], urlField: 'watermark_url' });
		sim.queueTask({ durationSec: 0, neverFinish: true });
		const body = pythonBody('text_to_image', 'x', seedream);
		body.parameters[0].parameters.n = 4;
		const a = (await create(body)).json.data;
		const b = (await create(pythonBody('text_to_image', 'y', seedream))).json.data;
		expect(sim.creditsCharged).toBe(25);

		const medias = (await detail(a.id)).json.data.medias;
		expect(medias.map((/** @type {any} */ m) => [m.resource_status, m.status])).toEqual([
			[2, 'failed'],
			[1, 'failed'],
			[3, 'success'],
			[1, 'success'],
		]);
		expect(medias[0].error_msg).toBe('Content moderation rejected the prompt');
		expect(medias[1].remark).toBeTruthy();
		expect(medias[3].url).toBe('');
		expect((await download(medias[3].watermark_url)).bytes.subarray(1, 4).toString()).toBe('PNG');
		expect((await fetch(medias[2].watermark_url)).status).toBe(404); // deleted

		clock.advance(50);
		expect((await detail(b.id)).json.data.medias[0]).toMatchObject({ resource_status: 0, status: 'processing' });
	});

	test('mediaBytes: a 50 MB video is streamed with the exact size, without allocating it', async () => {
		const size = 50 * 1024 * 1024;
		sim.queueTask({ durationSec: 0, mediaBytes: size });
		const wan = product('text_to_video', 'wan2.6-t2v');
		const { json } = await create(pythonBody('text_to_video', 'x', wan, {}, ruleFor(wan, { duration: 5, resolution: '1080P' })));
		const url = (await detail(json.data.id)).json.data.medias[0].url;

		const before = process.memoryUsage().arrayBuffers;
		const res = await fetch(url);
		expect(Number(res.headers.get('content-length'))).toBe(size);
		const reader = /** @type {ReadableStreamDefaultReader<Uint8Array>} */ (/** @type {ReadableStream} */ (res.body).getReader());
		let total = 0;
		let head = Buffer.alloc(0);
		let early = 0;
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			if (head.length < 64) head = Buffer.concat([head, Buffer.from(value)]);
			total += value.length;
			if (early === 0 && total >= 2 * 1024 * 1024) {
				await new Promise((r) => setTimeout(r, 30)); // let a non-streaming server fill memory
				early = process.memoryUsage().arrayBuffers - before;
			}
		}
		expect(total).toBe(size);
		expect(head.subarray(4, 8).toString('latin1')).toBe('ftyp');
		expect(early).toBeLessThan(25 * 1024 * 1024);
	});
});

describe('faults', () => {
	test('status with Retry-After, then the route works again', async () => {
		sim.fault({ route: 'productList', kind: 'status', status: 503, retryAfter: 7, times: 2 });
		for (let i = 0; i < 2; i++) {
			const res = await fetch(`${sim.baseUrl}/open/v1/product/list?app=ima&platform=web&category=text_to_image`, { headers: headers() });
			expect(res.status).toBe(503);
			expect(res.headers.get('retry-after')).toBe('7');
			expect((await res.json()).code).toBe(503);
		}
		expect((await productList('text_to_image')).code).toBe(0);
		expect(sim.requests.filter((r) => r.route === 'productList')).toHaveLength(3);
	});

	test('reset destroys the connection; the request is still recorded', async () => {
		sim.fault({ route: 'detail', kind: 'reset' });
		await expect(detail('task_x')).rejects.toThrow();
		expect(sim.requests.filter((r) => r.route === 'detail')).toHaveLength(1);
		expect((await detail('task_x')).json.code).toBe(404);
	});

	test('afterProcessing on create: the task exists and is charged, the answer is lost', async () => {
		const seedream = product('text_to_image', 'doubao-seedream-4-5-251128');
		sim.fault({ route: 'create', kind: 'status', status: 502, afterProcessing: true });
		const r = await create(pythonBody('text_to_image', 'x', seedream));
		expect(r.status).toBe(502);
		expect(sim.tasks.size).toBe(1);
		expect(sim.creditsCharged).toBe(5);
		expect([...sim.tasks.values()][0].charged).toBe(5);

		sim.fault({ route: 'create', kind: 'business', code: 500, message: 'gateway busy' });
		const b = await create(pythonBody('text_to_image', 'x', seedream));
		expect([b.status, b.json.code, b.json.message]).toEqual([200, 500, 'gateway busy']);
		expect(sim.creditsCharged).toBe(5);
	});

	test('hang never answers, and close() still resolves', async () => {
		const own = await startSimulator();
		own.fault({ route: 'detail', kind: 'hang' });
		const hung = fetch(`${own.baseUrl}/open/v1/tasks/detail`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${own.apiKey}`, 'Content-Type': 'application/json' },
			body: '{"task_id":"t"}',
			signal: AbortSignal.timeout(150),
		});
		await expect(hung).rejects.toThrow();
		// a keep-alive connection stays open as well
		await fetch(`${own.uploadBaseUrl}/nothing`);
		expect(own.openConnections).toBeGreaterThan(0);
		const closing = own.close();
		expect(own.openConnections).toBe(0); // destroyed at once: close() waits for no client
		await closing;
	});
});

describe('upload', () => {
	test('token with a good sign, PUT without Authorization, the file is served', async () => {
		const token = await (await fetch(tokenUrl())).json();
		expect(token.code).toBe(0);
		const { ful, fdl, fdl_key: key } = token.data;
		expect(ful.startsWith(`${sim.cdnBaseUrl}/put/`)).toBe(true);
		expect(fdl).toBe(`${sim.cdnBaseUrl}/files/${key}`);
		expect(ful).not.toContain(sim.apiKey);

		const bytes = crypto.randomBytes(3000);
		const denied = await fetch(ful, { method: 'PUT', body: bytes, headers: { 'Content-Type': 'image/png', Authorization: `Bearer ${sim.apiKey}` } });
		expect(denied.status).toBe(403);
		expect(sim.uploads.size).toBe(0);

		const put = await fetch(ful, { method: 'PUT', body: bytes, headers: { 'Content-Type': 'image/png' } });
		expect(put.status).toBe(200);
		expect(sim.uploads.get(key)).toMatchObject({ size: 3000, sha256: crypto.createHash('sha256').update(bytes).digest('hex') });
		const got = await download(fdl);
		expect(got.res.headers.get('content-type')).toBe('image/png');
		expect(got.bytes.equals(bytes)).toBe(true);
	});

	test('bad sign, extra or missing parameters, a wrong key and a type mismatch are refused', async () => {
		const badSign = await (await fetch(tokenUrl({ sign: 'ABC' }))).json();
		expect(badSign).toMatchObject({ code: 400, message: 'bad sign' });
		const extra = await (await fetch(tokenUrl({ token: 'x' }))).json();
		expect(extra.code).toBe(400);
		expect(extra.message).toContain('unexpected: token');
		const missing = await (await fetch(tokenUrl({}, ['nonce']))).json();
		expect(missing.message).toContain('missing: nonce');
		const wrongKey = await fetch(tokenUrl({ cmimToken: 'ima_other' }));
		expect((await wrongKey.json()).code).toBe(401);
		const mismatch = await (await fetch(tokenUrl({ fType: 'video' }))).json();
		expect(mismatch.code).toBe(400);
		expect(mismatch.message).toContain('fContentType');
		expect(sim.requests.filter((r) => r.server === 'upload')).toHaveLength(5);
	});
});

test('reset clears requests, tasks, faults, behaviours, subscriptions, credits and balance', async () => {
	const seedream = product('text_to_image', 'doubao-seedream-4-5-251128');
	sim.setBalance(100);
	sim.requireSubscription('doubao-seedream-4-5-251128');
	sim.fault({ route: 'create', kind: 'status', status: 500 });
	sim.queueTask({ neverFinish: true });
	sim.reset();
	const { status, json } = await create(pythonBody('text_to_image', 'x', seedream));
	expect([status, json.code]).toEqual([200, 0]);
	expect(sim.balance).toBe(1e9 - 5);
	expect(sim.requests).toHaveLength(1);
	expect(sim.tasks.get(json.data.id)?.behaviour).toEqual({});
});

// ---- growth: success code, statuses, per-media times, redirects, slow media, lists, limits ----

/** The SeeDream 4.5 text_to_image body (5 points). @param {number} [n] */
function seedreamBody(n = 1) {
	const body = pythonBody('text_to_image', 'x', product('text_to_image', 'doubao-seedream-4-5-251128'));
	body.parameters[0].parameters.n = n;
	return body;
}

/** @param {number} ms */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('success code 200', () => {
	test('setSuccessCode(200): product list, create, detail and upload token answer code 200; errors keep theirs; reset restores 0', async () => {
		sim.setSuccessCode(200);
		expect(sim.successCode).toBe(200);
		expect((await productList('text_to_image')).code).toBe(200);
		const created = (await create(seedreamBody())).json;
		expect(created).toMatchObject({ code: 200, message: 'success' });
		expect((await detail(created.data.id)).json).toMatchObject({ code: 200, data: { id: created.data.id } });
		expect((await (await fetch(tokenUrl())).json()).code).toBe(200);
		expect((await detail('task_nope')).json.code).toBe(404);
		expect((await productList('text_to_poem')).code).toBe(400);
		sim.reset();
		expect((await productList('text_to_image')).code).toBe(0);
	});

	test('startSimulator({successCode: 200}): reset() restores the start option', async () => {
		const own = await startSimulator({ successCode: 200 });
		try {
			const token = await (await fetch(tokenUrl({}, [], own))).json();
			expect(token.code).toBe(200);
			own.setSuccessCode(0);
			expect((await (await fetch(tokenUrl({}, [], own))).json()).code).toBe(0);
			own.reset();
			expect(own.successCode).toBe(200);
		} finally {
			await own.close();
		}
	});
});

describe('status spellings', () => {
	test("statusAs 'string': resource_status as text, status in odd case", async () => {
		sim.queueTask({ durationSec: 20, statusAs: 'string', failMedia: [1], failedStatusMedia: [2], deleteMedia: [3] });
		const { id } = (await create(seedreamBody(4))).json.data;
		/** @type {Set<string>} */
		const seen = new Set();
		let medias;
		for (let i = 0; i < 100; i++) {
			medias = (await detail(id)).json.data.medias;
			for (const m of medias) seen.add(`${JSON.stringify(m.resource_status)}/${m.status}`);
			if (medias.every((/** @type {any} */ m) => m.resource_status !== '')) break;
			clock.advance(10);
		}
		expect(seen).toContain('""/PROCESSING');
		expect([...seen].every((v) => /^"(|1|2|3)"\//.test(v))).toBe(true);
		expect(medias.map((/** @type {any} */ m) => [m.resource_status, m.status])).toEqual([
			['1', 'Success'],
			['2', 'FAILED'],
			['1', 'FAILED'],
			['3', 'Success'],
		]);
		expect((await download(medias[0].url)).res.status).toBe(200);
	});

	test("statusAs 'mixed': pending alternates null, \"\", \"0\", 0; done alternates \"1\" and 1", async () => {
		sim.queueTask({ neverFinish: true, statusAs: 'mixed' });
		sim.queueTask({ durationSec: 0, statusAs: 'mixed' });
		const pending = (await create(seedreamBody())).json.data.id;
		const done = (await create(seedreamBody())).json.data.id;
		const p = [];
		const d = [];
		for (let i = 0; i < 5; i++) {
			p.push((await detail(pending)).json.data.medias[0].resource_status);
			d.push((await detail(done)).json.data.medias[0]);
		}
		expect(p).toEqual([null, '', '0', 0, null]);
		expect(d.map((m) => m.resource_status)).toEqual(['1', 1, '1', 1, '1']);
		expect(d.every((m) => m.status === 'success' && m.url)).toBe(true);
	});
});

describe('media of one task finishing at different times', () => {
	test('mediaDurationsSec: each media is done (or failed) at its own time; the task when all are', async () => {
		// 50, 400 and 200 ms at speed 100; media 2 fails at its own time
		sim.queueTask({ mediaDurationsSec: [5, 40, 20], failMedia: [2] });
		const { id } = (await create(seedreamBody(3))).json.data;
		/** @type {any[][]} */
		const polls = [];
		for (let i = 0; i < 200; i++) {
			const medias = (await detail(id)).json.data.medias;
			polls.push(medias);
			if (medias.every((/** @type {any} */ m) => m.resource_status !== null && m.resource_status !== 0)) break;
			clock.advance(10);
		}
		/** @param {number} i */
		const firstFinal = (i) => polls.findIndex((ms) => ms[i].resource_status !== null && ms[i].resource_status !== 0);
		const [t0, t1, t2] = [0, 1, 2].map(firstFinal);
		// polls every 10 ms of the simulator's clock: media 0 final at 50 ms, media 2 at 200, media 1 at 400
		expect([t0, t1, t2]).toEqual([5, 40, 20]);
		// media 0 done, media 2 failed, while media 1 is still processing
		expect(polls[t2].map((m) => [m.resource_status, m.status])).toEqual([
			[1, 'success'],
			[0, 'processing'],
			[2, 'failed'],
		]);
		expect((await download(polls[t0][0].url)).res.status).toBe(200);
		expect(polls[polls.length - 1].map((m) => m.resource_status)).toEqual([1, 1, 2]);
		expect(sim.tasks.get(id)?.durationMs).toBe(400);
	});
});

describe('redirects to another origin', () => {
	test('redirect to the foreign origin: Location keeps path and query; the foreign server records what it gets', async () => {
		sim.fault({ route: 'productList', kind: 'redirect' });
		const url = `${sim.baseUrl}/open/v1/product/list?app=ima&platform=web&category=text_to_image`;
		const manual = await fetch(url, { headers: headers(), redirect: 'manual' });
		expect(manual.status).toBe(302);
		expect(manual.headers.get('location')).toBe(`${sim.foreignBaseUrl}/open/v1/product/list?app=ima&platform=web&category=text_to_image`);
		expect(new URL(sim.foreignBaseUrl).origin).not.toBe(new URL(sim.baseUrl).origin);

		sim.fault({ route: 'create', kind: 'redirect', status: 307 });
		const body = seedreamBody();
		const followed = await create(body);
		expect(followed).toMatchObject({ status: 200, json: { code: 0, message: 'ok', data: { id: 'foreign-task' } } });
		expect(sim.tasks.size).toBe(0);
		expect(sim.createsReceived()).toHaveLength(1);
		expect(sim.foreignRequests).toHaveLength(1);
		expect(sim.foreignRequests[0]).toMatchObject({ method: 'POST', path: '/open/v1/tasks/create', query: {}, body });
		expect(sim.foreignRequests[0].headers['content-type']).toBe('application/json');
		expect(typeof sim.foreignRequests[0].time).toBe('number');

		// a 303 turns the POST into a GET; the media route gets bytes from the foreign origin
		sim.fault({ route: 'detail', kind: 'redirect', status: 303 });
		expect((await detail('task_x')).json.data.id).toBe('foreign-task');
		expect(sim.foreignRequests[1]).toMatchObject({ method: 'GET', path: '/open/v1/tasks/detail' });
		sim.queueTask({ durationSec: 0 });
		const { id } = (await create(seedreamBody())).json.data;
		sim.fault({ route: 'media', kind: 'redirect', status: 301 });
		const media = await download(`${sim.cdnBaseUrl}/media/${id}/0.png?x=1`);
		expect(media.bytes.subarray(1, 4).toString()).toBe('PNG');
		expect(sim.foreignRequests[2]).toMatchObject({ method: 'GET', path: `/media/${id}/0.png`, query: { x: '1' } });
		expect(() => sim.fault({ route: 'create', kind: 'redirect', status: 304 })).toThrow();
	});

	test("redirect to 'same': /moved/<path> is served as the original route, on the API, upload and CDN servers", async () => {
		sim.queueTask({ durationSec: 0 });
		sim.fault({ route: 'create', kind: 'redirect', status: 308, to: 'same' });
		const created = await create(seedreamBody());
		expect(created.json.code).toBe(0);
		expect(sim.tasks.size).toBe(1);
		expect(sim.createsReceived().map((r) => r.path)).toEqual(['/open/v1/tasks/create', '/moved/open/v1/tasks/create']);

		sim.fault({ route: 'detail', kind: 'redirect', to: 'same', status: 307 });
		const m = (await detail(created.json.data.id)).json.data.medias[0];
		expect(m.resource_status).toBe(1);

		sim.fault({ route: 'productList', kind: 'redirect', to: 'same' });
		const list = await fetch(`${sim.baseUrl}/open/v1/product/list?app=ima&platform=web&category=text_to_image`, { headers: headers(), redirect: 'manual' });
		expect(list.headers.get('location')).toBe(`${sim.baseUrl}/moved/open/v1/product/list?app=ima&platform=web&category=text_to_image`);
		expect((await (await fetch(/** @type {string} */ (list.headers.get('location')), { headers: headers() })).json()).code).toBe(0);

		sim.fault({ route: 'uploadToken', kind: 'redirect', to: 'same' });
		const token = await (await fetch(tokenUrl())).json();
		expect(token.code).toBe(0);
		expect(sim.requests.filter((r) => r.route === 'uploadToken').map((r) => r.path)).toEqual(['/api/rest/oss/getuploadtoken', '/moved/api/rest/oss/getuploadtoken']);

		sim.fault({ route: 'media', kind: 'redirect', to: 'same' });
		const media = await download(m.url);
		expect(media.res.url).toBe(m.url.replace(sim.cdnBaseUrl, `${sim.cdnBaseUrl}/moved`));
		expect(media.bytes.subarray(1, 4).toString()).toBe('PNG');
		expect(sim.foreignRequests).toHaveLength(0);
	});
});

describe('never-ending and trickling downloads', () => {
	/**
	 * @param {string} url
	 * @param {number} atLeast bytes to read before cancelling
	 */
	async function readSome(url, atLeast) {
		const res = await fetch(url);
		const reader = /** @type {ReadableStreamDefaultReader<Uint8Array>} */ (/** @type {ReadableStream} */ (res.body).getReader());
		/** @type {Buffer[]} */
		const parts = [];
		let total = 0;
		while (total < atLeast) {
			const { done, value } = await reader.read();
			if (done) break;
			parts.push(Buffer.from(value));
			total += value.length;
		}
		await reader.cancel();
		return { res, bytes: Buffer.concat(parts) };
	}

	/** Waits until the simulator has no media stream open. */
	async function streamsClosed() {
		while (sim.openMediaStreams > 0) await sleep(5); // the sockets' close events, in real time
		return sim.openMediaStreams;
	}

	test('mediaEndless: a valid header then padding, no Content-Length; stops when the client goes away', async () => {
		sim.queueTask({ durationSec: 0, mediaEndless: true });
		const png = (await detail((await create(seedreamBody())).json.data.id)).json.data.medias[0];
		const got = await readSome(png.url, 3 * 1024 * 1024);
		expect(got.res.headers.get('content-length')).toBeNull();
		expect(got.res.headers.get('content-type')).toBe('image/png');
		expect(got.bytes.length).toBeGreaterThanOrEqual(3 * 1024 * 1024);
		expect(got.bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
		expect(await streamsClosed()).toBe(0);

		const wan = product('text_to_video', 'wan2.6-t2v');
		sim.queueTask({ durationSec: 0, mediaEndless: true });
		const v = (await create(pythonBody('text_to_video', 'x', wan, {}, ruleFor(wan, { duration: 5, resolution: '1080P' })))).json.data;
		const mp4 = await readSome((await detail(v.id)).json.data.medias[0].url, 100 * 1024);
		expect(mp4.bytes.subarray(4, 12).toString('latin1')).toBe('ftypisom');
		const mdat = mp4.bytes.indexOf(Buffer.from('mdat'));
		expect(mdat).toBeGreaterThan(0);
		expect(mp4.bytes.readUInt32BE(mdat - 4)).toBe(0); // size 0: the box runs to the end of the file
		expect(await streamsClosed()).toBe(0);
	});

	test('mediaTrickle: the header at once, then `bytes` every `everyMs`; with total, Content-Length and an end', async () => {
		const { PNG } = require('./media');
		sim.queueTask({ durationSec: 0, mediaTrickle: { bytes: 2, everyMs: 10, total: PNG.length + 6 } });
		const url = (await detail((await create(seedreamBody())).json.data.id)).json.data.medias[0].url;
		const res = await fetch(url);
		expect(res.headers.get('content-length')).toBe(String(PNG.length + 6));
		const reader = /** @type {ReadableStreamDefaultReader<Uint8Array>} */ (/** @type {ReadableStream} */ (res.body).getReader());
		/** @type {Buffer[]} */
		const parts = [];
		let ended = false;
		const received = () => parts.reduce((n, p) => n + p.length, 0);
		const reading = (async () => {
			for (;;) {
				const { done, value } = await reader.read();
				if (done) break;
				parts.push(Buffer.from(value));
			}
			ended = true;
		})();
		/** @param {number} n */
		const until = async (n) => {
			while (received() < n) await sleep(2); // bytes arriving (real time); nothing else is sent meanwhile
			return received();
		};
		// On the simulator's clock: the header at once, then 2 bytes each time it passes 10 ms.
		expect(await until(PNG.length)).toBe(PNG.length);
		for (const step of [1, 2, 3]) {
			expect(clock.advance(9)).toBe(0);
			expect(clock.advance(1)).toBe(1);
			expect(await until(PNG.length + 2 * step)).toBe(PNG.length + 2 * step);
		}
		await reading;
		expect(ended).toBe(true);
		expect(Buffer.concat(parts).equals(Buffer.concat([PNG, Buffer.alloc(6)]))).toBe(true);
		expect(await streamsClosed()).toBe(0);

		// without total: no Content-Length, trickles until the client goes away
		sim.queueTask({ durationSec: 0, mediaTrickle: { bytes: 1, everyMs: 5 } });
		const url2 = (await detail((await create(seedreamBody())).json.data.id)).json.data.medias[0].url;
		const moving = (async () => {
			for (let i = 0; i < 3; i++) {
				while (clock.pending().length === 0) await sleep(2);
				clock.advance(5);
			}
		})();
		const some = await readSome(url2, PNG.length + 3);
		await moving;
		expect(some.res.headers.get('content-length')).toBeNull();
		expect(some.bytes.length).toBe(PNG.length + 3);
		expect(await streamsClosed()).toBe(0);
	});

	test('close() ends endless and trickling downloads (no leaked timers or sockets)', async () => {
		const own = await startSimulator({ speed: 100 });
		const seedream = own.products('text_to_image').find((v) => v.id === 'doubao-seedream-4-5-251128');
		own.queueTask({ durationSec: 0, mediaEndless: true });
		own.queueTask({ durationSec: 0, mediaTrickle: { bytes: 1, everyMs: 5 } });
		/** @type {string[]} */
		const urls = [];
		for (let i = 0; i < 2; i++) {
			const init = { method: 'POST', headers: { Authorization: `Bearer ${own.apiKey}`, 'Content-Type': 'application/json' } };
			const c = await (await fetch(`${own.baseUrl}/open/v1/tasks/create`, { ...init, body: JSON.stringify(pythonBody('text_to_image', 'x', seedream)) })).json();
			const d = await (await fetch(`${own.baseUrl}/open/v1/tasks/detail`, { ...init, body: JSON.stringify({ task_id: c.data.id }) })).json();
			urls.push(d.data.medias[0].url);
		}
		const readers = await Promise.all(
			urls.map(async (u) => {
				const reader = /** @type {ReadableStreamDefaultReader<Uint8Array>} */ (/** @type {ReadableStream} */ ((await fetch(u)).body).getReader());
				await reader.read();
				return reader;
			}),
		);
		expect(own.openMediaStreams).toBe(2);
		const closing = own.close();
		expect(own.openConnections).toBe(0); // destroyed at once: close() waits for no client
		expect(own.openMediaStreams).toBe(0);
		await closing;
		for (const reader of readers) {
			await expect((async () => {
				for (;;) if ((await reader.read()).done) return 'ended';
			})()).rejects.toThrow();
		}
	});
});

describe('non-http media URLs', () => {
	test('mediaUrl replaces the URL of every done media, whatever field carries it', async () => {
		sim.queueTask({ durationSec: 0, mediaUrl: 'file:///etc/passwd', failMedia: [1] });
		sim.queueTask({ durationSec: 0, mediaUrl: 'javascript:alert(1)', urlField: 'preview_url' });
		const a = (await create(seedreamBody(2))).json.data.id;
		const b = (await create(seedreamBody())).json.data.id;
		const ma = (await detail(a)).json.data.medias;
		expect(ma.map((/** @type {any} */ m) => [m.resource_status, m.url])).toEqual([
			[1, 'file:///etc/passwd'],
			[2, ''],
		]);
		expect((await detail(b)).json.data.medias[0]).toMatchObject({ url: '', watermark_url: '', preview_url: 'javascript:alert(1)' });
	});
});

describe('hostile task ids, cover URLs and tampered answers', () => {
	test('id: the task takes the given id (any string); detail and media answer to it', async () => {
		const long = 'x'.repeat(1000);
		sim.queueTask({ durationSec: 0, id: long });
		const created = (await create(seedreamBody())).json.data;
		expect(created.id).toBe(long);
		expect(sim.tasks.has(long)).toBe(true);
		const media = (await detail(long)).json.data.medias[0];
		expect(media.url).toBe(`${sim.cdnBaseUrl}/media/${long}/0.png`);
		expect((await download(media.url)).res.status).toBe(200);
		expect(() => sim.queueTask({ id: '' })).toThrow(/non-empty string/);
		expect(() => sim.queueTask({ id: 'abc', idAsNumber: true })).toThrow(/id of digits/);
	});

	test('idAsNumber: the id is a bare JSON number in the create and detail answers, digits kept; a rounded id is not found', async () => {
		const big = '12345678901234567891';
		sim.queueTask({ durationSec: 0, id: big, idAsNumber: true });
		const createdText = await (await fetch(`${sim.baseUrl}/open/v1/tasks/create`, { method: 'POST', headers: headers(), body: JSON.stringify(seedreamBody()) })).text();
		expect(createdText).toContain(`"id":${big},`);
		expect(JSON.parse(createdText).data.id).toBe(12345678901234567000); // what a float makes of it
		const detailText = await (await fetch(`${sim.baseUrl}/open/v1/tasks/detail`, { method: 'POST', headers: headers(), body: JSON.stringify({ task_id: big }) })).text();
		expect(detailText).toContain(`"id":${big},`);
		expect((await detail('12345678901234567000')).json.code).toBe(404);
	});

	test('coverUrl replaces the cover of every done video media', async () => {
		const wan = product('text_to_video', 'wan2.6-t2v');
		sim.queueTask({ durationSec: 0, coverUrl: 'http://169.254.169.254/cover.jpeg' });
		const v = (await create(pythonBody('text_to_video', 'a puppy', wan, { duration: 10, resolution: '720P' }, ruleFor(wan, { duration: 10, resolution: '720P' })))).json;
		const media = (await detail(v.data.id)).json.data.medias[0];
		expect(media.cover).toBe('http://169.254.169.254/cover.jpeg');
		expect(media.url).toMatch(/\/media\/.*\/0\.mp4$/);
	});

	test("a 'tamper' fault rewrites the JSON answer after the request was processed (a create is charged), once", async () => {
		sim.fault({ route: 'create', kind: 'tamper', tamper: (p) => ({ ...p, data: { ...p.data, id: 'rewritten' } }) });
		const first = (await create(seedreamBody())).json;
		expect(first.data.id).toBe('rewritten');
		expect(sim.tasks.size).toBe(1);
		expect(sim.creditsCharged).toBeGreaterThan(0);
		expect((await create(seedreamBody())).json.data.id).toMatch(/^task_/);

		sim.fault({ route: 'uploadToken', kind: 'tamper', tamper: (p) => { p.data.ful += '&leak=1'; return p; } });
		const token = await (await fetch(tokenUrl())).json();
		expect(token.data.ful).toMatch(/&leak=1$/);

		sim.fault({ route: 'detail', kind: 'tamper', tamper: () => '{"code":0,"data":{"id":1e999' });
		expect(await (await fetch(`${sim.baseUrl}/open/v1/tasks/detail`, { method: 'POST', headers: headers(), body: '{"task_id":"x"}' })).text()).toBe('{"code":0,"data":{"id":1e999');

		expect(() => sim.fault({ route: 'media', kind: 'tamper', tamper: (p) => p })).toThrow(/tamper works on/);
		expect(() => sim.fault({ route: 'create', kind: 'tamper' })).toThrow(/needs a tamper function/);
	});
});

describe('hostile and changed product lists', () => {
	test('setProductList: any JSON value is served in the envelope; creates for a non-tree are 400; reset restores', async () => {
		const body = seedreamBody();
		sim.setProductList('text_to_image', { models: 'not a tree' });
		expect(await productList('text_to_image')).toEqual({ code: 0, message: 'success', data: { models: 'not a tree' } });
		expect(sim.products('text_to_image')).toEqual([]);
		const r = await create(body);
		expect(r.json.code).toBe(400);
		expect(r.json.message).toContain('not a tree');
		sim.setProductList('text_to_video', null);
		expect((await productList('text_to_video')).data).toBeNull();
		sim.setProductList('text_to_music', [1, 'two', null]);
		expect((await productList('text_to_music')).data).toEqual([1, 'two', null]);

		sim.reset();
		expect((await productList('text_to_image')).data.length).toBeGreaterThan(0);
		expect((await create(body)).json.code).toBe(0);
	});

	test('setProductList with a normal tree: creates are checked against it (a new category too)', async () => {
		const seedream = product('text_to_image', 'doubao-seedream-4-5-251128');
		const cheap = seedreamBody();
		const banana = product('text_to_image', 'gemini-3.1-flash-image-preview');
		const dearer = JSON.parse(JSON.stringify(seedream));
		dearer.credit_rules = dearer.credit_rules.map((/** @type {any} */ r) => ({ ...r, points: r.points + 2 }));
		sim.setProductList('text_to_image', [{ id: 'g', type: '2', name: 'G', children: [dearer] }]);
		expect(sim.products('text_to_image').map((v) => v.id)).toEqual([seedream.id]);
		expect((await create(cheap)).json.code).toBe(6006); // the client's old price
		expect((await create(pythonBody('text_to_image', 'x', dearer))).json.code).toBe(0);
		expect((await create(pythonBody('text_to_image', 'x', banana))).json.code).toBe(400); // no longer listed

		const speech = { ...JSON.parse(JSON.stringify(product('text_to_music', 'sonic-v5'))), category_code: 'text_to_speech' };
		sim.setProductList('text_to_speech', [speech]);
		expect(sim.categories()).toContain('text_to_speech');
		const said = await create(pythonBody('text_to_speech', 'hello', speech, {}, ruleFor(speech, { default: 'enabled' })));
		expect(said.json.code).toBe(0);
		expect(sim.tasks.get(said.json.data.id)?.kind).toBe('audio');
	});

	test('{raw}: a tree nested 10,000 deep is served verbatim; creates for it are 400', async () => {
		const depth = 10_000;
		const raw = '[' + '{"type":"2","name":"g","children":['.repeat(depth) + ']}'.repeat(depth) + ']';
		const body = seedreamBody();
		sim.setProductList('text_to_image', { raw });
		const res = await fetch(`${sim.baseUrl}/open/v1/product/list?app=ima&platform=web&category=text_to_image`, { headers: headers() });
		const text = await res.text();
		expect(text).toBe(`{"code":0,"message":"success","data":${raw}}`);
		expect((await create(body)).json.code).toBe(400);
		sim.setProductList('text_to_image', { raw: '{"broken": ' });
		expect(await (await fetch(`${sim.baseUrl}/open/v1/product/list?app=ima&platform=web&category=text_to_image`, { headers: headers() })).text()).toBe('{"code":0,"message":"success","data":{"broken": }');
		expect((await create(body)).json.code).toBe(400);
	});

	test("patchVersion: a client's cached price goes stale (6006); reset restores the catalogue", async () => {
		const cached = (await productList('text_to_image')).data;
		const seedream = /** @type {any} */ (
			(function find(/** @type {any[]} */ nodes) {
				for (const n of nodes) {
					if (n.id === 'doubao-seedream-4-5-251128') return n;
					const hit = n.children && find(n.children);
					if (hit) return hit;
				}
				return undefined;
			})(cached)
		);
		sim.patchVersion('text_to_image', seedream.id, (v) => {
			v.credit_rules[0].points = 7;
		});
		const stale = await create(pythonBody('text_to_image', 'x', seedream));
		expect(stale.json.code).toBe(6006);
		expect(product('text_to_image', seedream.id).credit_rules[0].points).toBe(7);
		expect(JSON.stringify((await productList('text_to_image')).data)).toContain('"points":7');
		const fresh = pythonBody('text_to_image', 'x', seedream);
		fresh.parameters[0].credit = 7;
		fresh.parameters[0].parameters.cast.points = 7;
		expect((await create(fresh)).json.code).toBe(0);
		expect(sim.creditsCharged).toBe(7);
		expect(() => sim.patchVersion('text_to_image', 'nope', () => {})).toThrow();

		sim.reset();
		expect(product('text_to_image', seedream.id).credit_rules[0].points).toBe(5);
		expect((await create(pythonBody('text_to_image', 'x', seedream))).json.code).toBe(0);
	});
});

describe('rate limit', () => {
	test('a token bucket per API key: over the limit is HTTP 429 with Retry-After; every request is recorded', async () => {
		sim.setRateLimit('detail', { perSecond: 5, burst: 2, retryAfter: 3 });
		const answers = [];
		for (let i = 0; i < 3; i++) answers.push(await detail('task_x'));
		expect(answers.map((a) => [a.status, a.json.code])).toEqual([
			[200, 404],
			[200, 404],
			[429, 429],
		]);
		expect(answers[2].res.headers.get('retry-after')).toBe('3');
		expect(answers[2].json).toMatchObject({ code: 429, message: 'rate limited' });
		const recs = sim.requests.filter((r) => r.route === 'detail');
		expect(recs.map((r) => r.limited === true)).toEqual([false, false, true]);
		expect(recs.every((r) => typeof r.time === 'number')).toBe(true);

		// another key has its own bucket (and is then refused as a bad key)
		const other = await fetch(`${sim.baseUrl}/open/v1/tasks/detail`, { method: 'POST', headers: { Authorization: 'Bearer ima_other' }, body: '{}' });
		expect(other.status).toBe(401);
		clock.advance(200); // one token back at 5 per second, on the simulator's clock
		expect((await detail('task_x')).status).toBe(200);
		expect((await detail('task_x')).status).toBe(429);

		// other routes are not limited; null removes the limit
		expect((await productList('text_to_image')).code).toBe(0);
		sim.setRateLimit('detail', null);
		expect((await detail('task_x')).status).toBe(200);
	});

	test('default Retry-After 1; upload token limited per appUid; media; reset removes limits', async () => {
		sim.setRateLimit('uploadToken', { perSecond: 1 });
		expect((await fetch(tokenUrl())).status).toBe(200);
		const limited = await fetch(tokenUrl());
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBe('1');
		expect(await limited.json()).toMatchObject({ code: 429, message: 'rate limited' });

		sim.queueTask({ durationSec: 0 });
		const url = (await detail((await create(seedreamBody())).json.data.id)).json.data.medias[0].url;
		sim.setRateLimit('media', { perSecond: 1, retryAfter: 9 });
		expect((await fetch(url)).status).toBe(200);
		const m = await fetch(url);
		expect([m.status, m.headers.get('retry-after')]).toEqual([429, '9']);
		expect(sim.requests.filter((r) => r.limited).map((r) => r.route)).toEqual(['uploadToken', 'media']);
		expect(() => sim.setRateLimit(/** @type {any} */ ('nope'), { perSecond: 1 })).toThrow();

		sim.reset();
		expect((await fetch(tokenUrl())).status).toBe(200);
		expect((await fetch(tokenUrl())).status).toBe(200);
	});
});

describe('Seedance 2.0 media and the asset check', () => {
	/** @param {string} url */
	const verify = (url) => post('/open/v1/assets/verify', { url });
	const img = (/** @type {number} */ i) => ({ url: `https://cdn.test/i${i}.png`, width: 1024, height: 1024 });
	const vid = (/** @type {number} */ i, duration = 5) => ({ url: `https://cdn.test/v${i}.mp4`, duration, width: 1280, height: 720, cover: '' });
	const aud = (/** @type {number} */ i, duration = 5) => ({ url: `https://cdn.test/a${i}.mp3`, duration });
	/**
	 * A Seedance body as IMA's runtime sends it.
	 * @param {string} taskType
	 * @param {{src_image?: any[], src_video?: any[], src_audio?: any[]}} media
	 */
	const seedanceBody = (taskType, media) => {
		const p = product(taskType, 'ima-pro-fast');
		const all = [...(media.src_image || []), ...(media.src_video || []), ...(media.src_audio || [])].map((m) => m.url);
		const body = pythonBody(taskType, 'x', p, { input_images: all }, ruleFor(p, { duration: 5, resolution: '720p' }));
		/** @type {any} */ (body).src_img_url = media.src_image && media.src_image.length ? media.src_image.map((m) => m.url) : all;
		return { ...body, ...media };
	};
	/** @param {any} body */
	const verifyAll = async (body) => {
		for (const u of body.parameters[0].parameters.input_images) expect((await verify(u)).json.data.result.status).toBe('active');
	};

	test('the asset check passes by default, refuses with a reason, answers late', async () => {
		const ok = await verify('https://cdn.test/v.mp4');
		expect(ok.json).toMatchObject({ code: 0, data: { result: { status: 'active', asset_type: 'video', error: null } } });
		sim.assetVerdict('https://cdn.test/bad.png', { status: 'rejected', reason: 'contains a real person' });
		const bad = await verify('https://cdn.test/bad.png');
		expect(bad.json.data.result).toMatchObject({ status: 'rejected', asset_type: 'image', error: { code: 'ASSET_REJECTED', message: 'contains a real person' } });
		sim.assetVerdict('*', { delayMs: 300 });
		let answered = false;
		const slow = verify('https://cdn.test/slow.mp3').then((r) => ((answered = true), r));
		while (clock.pending().length === 0) await sleep(2); // the request arrived; its answer waits on the clock
		expect(clock.advance(299)).toBe(0);
		await sleep(20);
		expect(answered).toBe(false);
		expect(clock.advance(1)).toBe(1);
		expect((await slow).json.data.result.asset_type).toBe('audio');
		expect([...sim.verifiedAssets]).toEqual(['https://cdn.test/v.mp4', 'https://cdn.test/slow.mp3']);
		expect((await verify('file:///etc/passwd')).json.code).toBe(400);
		expect(sim.verifiesReceived()).toHaveLength(4);
	});

	test('a create with verified, well-described media is accepted and charged', async () => {
		const body = seedanceBody('reference_image_to_video', { src_image: [img(1)], src_video: [vid(1, 5), vid(2, 10)], src_audio: [aud(1, 15)] });
		await verifyAll(body);
		const r = await create(body);
		expect(r.json.code).toBe(0);
		expect(sim.creditsCharged).toBeGreaterThan(0);
		// Without images: src_img_url lists every input, as IMA's runtime sends it.
		const onlyVideo = seedanceBody('reference_image_to_video', { src_video: [vid(3)] });
		expect(onlyVideo.src_img_url).toEqual(['https://cdn.test/v3.mp4']);
		await verifyAll(onlyVideo);
		expect((await create(onlyVideo)).json.code).toBe(0);
	});

	test.each([
		['not verified', 'reference_image_to_video', { src_image: [img(1)] }, false, /asset not verified: https:\/\/cdn.test\/i1.png/],
		['video in image_to_video', 'image_to_video', { src_image: [img(1)], src_video: [vid(1)] }, true, /only reference_image_to_video takes reference videos and audio/],
		['10 images', 'reference_image_to_video', { src_image: Array.from({ length: 10 }, (_, i) => img(i)) }, true, /at most 9 images, got 10/],
		['4 videos', 'reference_image_to_video', { src_video: [vid(1, 3), vid(2, 3), vid(3, 3), vid(4, 3)] }, true, /at most 3 videos, got 4/],
		['4 audio', 'reference_image_to_video', { src_audio: [aud(1, 3), aud(2, 3), aud(3, 3), aud(4, 3)] }, true, /at most 3 audio files, got 4/],
		['video too long', 'reference_image_to_video', { src_video: [vid(1, 16)] }, true, /src_video\[0\].duration: 16; each video must be 2-15 s/],
		['videos too long in all', 'reference_image_to_video', { src_video: [vid(1, 8), vid(2, 8)] }, true, /16 s in all; at most 15 s/],
		['audio too short', 'reference_image_to_video', { src_audio: [aud(1, 1)] }, true, /src_audio\[0\].duration: 1/],
		['image too small', 'image_to_video', { src_image: [{ ...img(1), width: 200 }] }, true, /200x1024; each side must be 300-6000 px/],
		['image aspect', 'image_to_video', { src_image: [{ ...img(1), width: 3000, height: 1000 }] }, true, /aspect ratio 3.0000/],
		['video pixels', 'reference_image_to_video', { src_video: [{ ...vid(1), width: 600, height: 600 }] }, true, /360000 pixels/],
		['bad shape', 'reference_image_to_video', { src_video: [{ url: 'https://cdn.test/v.mp4', duration: '5' }] }, true, /must be \{url, duration, width, height, cover\}/],
		['first_last needs 2', 'first_last_frame_to_video', { src_image: [img(1)] }, true, /exactly 2 images, got 1/],
	])('%s is refused (400) and nothing is charged', async (_n, taskType, media, verified, message) => {
		const body = seedanceBody(taskType, media);
		if (verified) await verifyAll(body);
		const r = await create(body);
		expect(r.json.code).toBe(400);
		expect(r.json.message).toMatch(message);
		expect(sim.creditsCharged).toBe(0);
	});

	test('src_* on another model, a refused asset, input_images out of order', async () => {
		const veo = product('image_to_video', sim.products('image_to_video').find((v) => v.model_id !== 'ima-pro' && v.model_id !== 'ima-pro-fast').id);
		const other = { ...pythonBody('image_to_video', 'x', veo, { input_images: ['https://cdn.test/i1.png'] }), src_image: [img(1)] };
		expect((await create(other)).json.message).toMatch(/only Seedance 2.0/);
		sim.assetVerdict('https://cdn.test/i1.png', { status: 'rejected', reason: 'no' });
		const body = seedanceBody('image_to_video', { src_image: [img(1)] });
		expect((await verify('https://cdn.test/i1.png')).json.data.result.status).toBe('rejected');
		expect((await create(body)).json.message).toMatch(/asset not verified/);
		const swapped = seedanceBody('reference_image_to_video', { src_image: [img(1)], src_video: [vid(1)] });
		swapped.parameters[0].parameters.input_images.reverse();
		expect((await create(swapped)).json.message).toMatch(/invalid parameter input_images/);
		expect(sim.creditsCharged).toBe(0);
	});

	test('hosted files, and uploads with fType video and audio', async () => {
		const url = sim.hostFile('clip.mp4', Buffer.from('mp4 bytes'), 'video/mp4');
		const got = await download(url);
		expect(got.res.headers.get('content-type')).toBe('video/mp4');
		expect(got.bytes.toString()).toBe('mp4 bytes');
		for (const [fType, fSuffix, fContentType] of [['video', 'mp4', 'video/mp4'], ['video', 'mov', 'video/quicktime'], ['audio', 'mp3', 'audio/mpeg'], ['audio', 'wav', 'audio/wav']]) {
			const token = await (await fetch(tokenUrl({ fType, fSuffix, fContentType }))).json();
			expect(token.code).toBe(0);
			const put = await fetch(token.data.ful, { method: 'PUT', body: Buffer.from('x'), headers: { 'Content-Type': fContentType } });
			expect(put.status).toBe(200);
		}
		sim.reset();
		expect((await fetch(url)).status).toBe(404);
	});
});
