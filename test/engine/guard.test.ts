/**
 * Issue 16, parts 2–5, in n8n's real engine against the simulator giving hostile answers: inputs
 * checked by their content, task ids kept exactly as IMA wrote them, one redaction of the API key
 * for everything that leaves the node (in any encoding), and where the node may fetch from.
 * A second loopback address (127.0.0.2) plays a host on the user's network.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';

import { jpeg, mp3, png } from '../support/mediaFiles';
import { credsFor, generate, linear, model, run, settings, useSimulator, withItems, type Sim } from './setup';

// eslint-disable-next-line @typescript-eslint/no-var-requires, @typescript-eslint/no-require-imports
const { callNodeMethod } = require('../harness/engine');

// The "IMA task created" line is logged at level info: n8n's logger of this file logs info (the
// test below mutes and records it). Read when the logger is first made, at the first run.
process.env.N8N_LOG_LEVEL = 'info';
afterAll(() => {
	process.env.N8N_LOG_LEVEL = 'error';
});

const KEY = 'ima_Sec/Ret+Key=Abc0123456789XYZ';
const env = useSimulator({ speed: 200, apiKey: KEY });
let sim: Sim;
beforeEach(() => {
	sim = env.sim;
});

/** n8n's logger, muted and recorded for the whole file. */
let info: jest.SpyInstance;
beforeAll(() => {
	// eslint-disable-next-line @typescript-eslint/no-require-imports, @typescript-eslint/no-var-requires
	const { Container } = require('../harness/engine');
	// eslint-disable-next-line @typescript-eslint/no-require-imports, @typescript-eslint/no-var-requires
	const { Logger } = require(require.resolve('@n8n/backend-common', { paths: [require('path').dirname(require.resolve('n8n-core/package.json'))] }));
	info = jest.spyOn(Container.get(Logger), 'info').mockImplementation(() => undefined);
});
afterAll(() => info.mockRestore());
beforeEach(() => info.mockClear());

const hex = (s: string) => Buffer.from(s).toString('hex');
const b64 = (s: string) => Buffer.from(s).toString('base64');
const everyByte = (s: string) => [...Buffer.from(s)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

/** An independent check for the key in a text or value: the plain key and its simplest forms. */
function leaks(value: unknown): string[] {
	const text = typeof value === 'string' ? value : JSON.stringify(value) ?? '';
	const lower = text.toLowerCase();
	const forms: Record<string, string> = {
		verbatim: KEY,
		urlEncoded: encodeURIComponent(KEY),
		prefix: KEY.slice(0, 16),
		suffix: KEY.slice(-16),
		hex: hex(KEY).slice(0, 32),
		base64: b64(KEY).slice(4, 24),
	};
	return Object.entries(forms)
		.filter(([, f]) => lower.includes(f.toLowerCase()))
		.map(([name]) => name);
}

/** Every own field of an error n8n keeps (message, description, stack, errorResponse, context…). */
function errorFields(error: any): unknown {
	if (!error) return undefined;
	return Object.getOwnPropertyNames(error)
		.filter((n) => n !== 'node')
		.map((n) => [n, error[n]]);
}

/** The run leaks nothing: not its error (any field), its run data, or its output. */
function expectNoLeak(result: any) {
	expect(leaks(errorFields(result.error))).toEqual([]);
	expect(leaks(result.errorJson)).toEqual([]);
	expect(leaks(result.runData)).toEqual([]);
	expect(leaks(result.outputs)).toEqual([]);
}

const uploads = () => sim.requests.filter((r: any) => r.route === 'uploadToken');
const puts = () => sim.requests.filter((r: any) => r.route === 'put');
const files = () => sim.requests.filter((r: any) => r.server === 'cdn' && r.route === 'files');
const binary = (bytes: Buffer, mimeType: string, fileName: string) => ({ data: bytes.toString('base64'), mimeType, fileName });
const continueOnFail = (wf: any) => {
	wf.nodes[1].onError = 'continueRegularOutput';
	return wf;
};

describe('part 2: inputs are what they claim, before anything is uploaded or paid', () => {
	const html = Buffer.from('<!DOCTYPE html><html><head><title>Login</title></head><body>Please sign in</body></html>');
	const bad: Array<[string, Buffer, RegExp]> = [
		['a 0-byte file', Buffer.alloc(0), /it is empty \(0 bytes\)/],
		['an HTML page', html, /its content is an HTML page/],
		['a PNG cut short', png(512, 512).subarray(0, 40), /cut short: the PNG end chunk \(IEND\) is missing/],
		['a JPEG cut short', jpeg(512, 512).subarray(0, jpeg(512, 512).length - 12), /cut short: the JPEG end-of-image marker is missing/],
	];

	test.each(bad)('Generate (image to image, binary): %s labelled image/png is refused, naming the property', async (_name, bytes, why) => {
		const wf = withItems(linear(generate({ taskType: 'image_to_image', imageInput: 'binary', binaryProperties: 'photo' })), [
			{ json: {}, binary: { photo: binary(bytes, 'image/png', 'photo.png') } },
		]);
		const result = await run(sim, wf);
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(/^Binary property "photo" \("photo\.png", labelled image\/png\) is not an image: /);
		expect(result.error.message).toMatch(why);
		expect(result.error.description).toMatch(/^Parameter: binaryProperties\..*Nothing was sent to IMA and nothing was charged/);
		expect(uploads()).toHaveLength(0);
		expect(sim.createsReceived()).toHaveLength(0);
		expect(sim.creditsCharged).toBe(0);
	});

	test.each(bad)('Upload Image: %s labelled image/png is refused, nothing uploaded', async (_name, bytes, why) => {
		const wf = withItems(linear({ parameters: { operation: 'uploadImage' } }), [{ json: {}, binary: { data: binary(bytes, 'image/png', 'photo.png') } }]);
		const result = await run(sim, wf);
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(why);
		expect(result.error.description).toMatch(/^Parameter: binaryPropertyName\./);
		expect(uploads()).toHaveLength(0);
		expect(puts()).toHaveLength(0);
	});

	test('First and Last Frame: a good first frame and an HTML last frame: the last one is named, nothing uploaded', async () => {
		const wf = withItems(linear(generate({ taskType: 'first_last_frame_to_video', model: model('kling-v2-6'), imageInput: 'binary', binaryProperties: 'first, last' })), [
			{ json: {}, binary: { first: binary(png(1280, 720), 'image/png', 'a.png'), last: binary(html, 'image/jpeg', 'b.jpg') } },
		]);
		const result = await run(sim, wf);
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(/Binary property "last" \("b\.jpg", labelled image\/jpeg\) is not an image: its content is an HTML page/);
		expect(uploads()).toHaveLength(0);
		expect(sim.createsReceived()).toHaveLength(0);
	});

	test('a JPEG labelled image/png is a real image: uploaded as what it is (image/jpeg)', async () => {
		const photo = jpeg(640, 480);
		const wf = withItems(linear({ parameters: { operation: 'uploadImage' } }), [{ json: {}, binary: { data: binary(photo, 'image/png', 'photo.png') } }]);
		const result = await run(sim, wf);
		expect(result.error?.message).toBeUndefined();
		expect(result.outputs.IMA[0].json).toMatchObject({ mimeType: 'image/jpeg', fileSize: photo.length });
		expect(uploads()[0].query).toMatchObject({ fType: 'picture', fContentType: 'image/jpeg', fSuffix: 'jpeg' });
		expect([...sim.uploads.values()][0].data.equals(photo)).toBe(true);
	});

	test('Upload Image: a "video" that is a PNG, and "audio" that is an HTML page, are refused; real audio is uploaded', async () => {
		const wf = continueOnFail(
			withItems(linear({ parameters: { operation: 'uploadImage' } }), [
				{ json: {}, binary: { data: binary(png(64, 64), 'video/mp4', 'clip.mp4') } },
				{ json: {}, binary: { data: binary(html, 'audio/mpeg', 'song.mp3') } },
				{ json: {}, binary: { data: binary(mp3({ seconds: 3 }), 'audio/mpeg', 'voice.mp3') } },
			]),
		);
		const result = await run(sim, wf);
		const [clip, song, voice] = result.outputs.IMA;
		expect(clip.json.error).toMatch(/"clip\.mp4", labelled video\/mp4\) is not a video: its content is a PNG image/);
		expect(song.json.error).toMatch(/"song\.mp3", labelled audio\/mpeg\) is not an audio file: its content is an HTML page/);
		expect(voice.json).toMatchObject({ mimeType: 'audio/mpeg', fileName: 'voice.mp3' });
		expect(uploads().map((u: any) => u.query.fType)).toEqual(['audio']);
	});

	test.each([['Size'], ['SIZE'], [' size ']])('Additional Parameters {"%s": "2K"} beside Model Settings size = 1K is refused before the create', async (key) => {
		const wf = linear(
			generate(
				{ model: model('gemini-3.1-flash-image-preview'), modelSettings: settings({ size: '1K' }) },
				{ additionalParameters: JSON.stringify({ [key]: '2K' }) },
			),
		);
		const result = await run(sim, wf);
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(/is a setting of .*set it in Model Settings/);
		expect(result.error.description).toMatch(/Parameter: options\.additionalParameters/);
		expect(sim.createsReceived()).toHaveLength(0);
	});
});

describe('part 3: task ids kept exactly as IMA wrote them', () => {
	const BIG = '12345678901234567891'; // above 2^53: a float would make it 12345678901234567000

	test('a numeric id above 2^53 keeps its digits: Create Task outputs it, Wait for Result finds the task with it', async () => {
		sim.queueTask({ id: BIG, idAsNumber: true });
		const created = await run(sim, linear({ parameters: { ...generate().parameters, operation: 'createTask' } }));
		expect(created.error?.message).toBeUndefined();
		expect(created.outputs.IMA[0].json.taskId).toBe(BIG);
		const waited = await run(sim, linear({ parameters: { operation: 'waitForResult', taskId: BIG, options: { pollInterval: 0.1 } } }));
		expect(waited.error?.message).toBeUndefined();
		expect(waited.outputs.IMA[0].json.taskId).toBe(BIG);
		expect(waited.outputs.IMA[0].binary.data).toBeDefined();
	});

	test('Generate with a numeric id above 2^53: polled and downloaded with the exact id', async () => {
		sim.queueTask({ id: BIG, idAsNumber: true });
		const result = await run(sim, linear(generate()));
		expect(result.error?.message).toBeUndefined();
		expect(result.outputs.IMA[0].json.taskId).toBe(BIG);
		expect(sim.requests.filter((r: any) => r.route === 'detail').every((r: any) => r.body.task_id === BIG)).toBe(true);
	});

	test('an id of 1,000 characters is kept whole: in the output, and in an error with its task', async () => {
		const long = `t_${'0123456789abcdef'.repeat(63)}`.slice(0, 1000);
		sim.queueTask({ id: long });
		const created = await run(sim, linear({ parameters: { ...generate().parameters, operation: 'createTask' } }));
		expect(created.outputs.IMA[0].json.taskId).toBe(long);
		expect(sim.creditsCharged).toBe(5);

		sim.reset();
		sim.queueTask({ id: long, failMedia: [0] });
		const failed = await run(sim, continueOnFail(linear(generate())));
		const item = failed.outputs.IMA[0].json;
		expect(item.taskId).toBe(long);
		expect(item.error).toContain(long);
		expect(item.charged).toBe('charged');
	});
});

describe('part 4: the key never leaves the node, whatever a server puts it in', () => {
	test('a Model Settings error built from a model name that carries the key', async () => {
		sim.patchVersion('text_to_image', 'doubao-seedream-4-5-251128', (v: any) => {
			v.name = `SeeDream ${KEY}`;
		});
		const result = await run(sim, linear(generate({ modelSettings: settings({ aspect_ratio: 'bogus' }) })));
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(/aspect_ratio: "bogus" is not available for SeeDream \[redacted\]/);
		expectNoLeak(result);
		expect(sim.createsReceived()).toHaveLength(0);
	});

	test('a Model Settings error built from price values that carry the key (hex)', async () => {
		sim.patchVersion('text_to_image', 'gemini-3.1-flash-image-preview', (v: any) => {
			for (const r of v.credit_rules) r.attributes.size = `${r.attributes.size}-${hex(KEY)}`;
		});
		const result = await run(sim, linear(generate({ model: model('gemini-3.1-flash-image-preview'), modelSettings: settings({ size: '1K' }) })));
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(/does not sell .*Priced combinations: .*size=1K-\[redacted\] → 6 credits/);
		expectNoLeak(result);
	});

	test("Upload Image: an input file named after the key comes out without it (json and the passed-through binary)", async () => {
		const wf = withItems(linear({ parameters: { operation: 'uploadImage' } }), [{ json: {}, binary: { data: binary(png(8, 8), 'image/png', `photo-${KEY}.png`) } }]);
		const result = await run(sim, wf);
		expect(result.error?.message).toBeUndefined();
		expect(result.outputs.IMA[0].json.fileName).toBe('photo-[redacted].png');
		expect(result.outputs.IMA[0].binary.data.fileName).toBe('photo-[redacted].png');
		// The input item (the trigger's output) is the user's; what the IMA node stores is cleaned.
		expect(leaks(result.runData.IMA)).toEqual([]);
	});

	describe('a task id equal to the key', () => {
		test('reaches neither the output, the binary file name, nor the "IMA task created" log line', async () => {
			sim.queueTask({ id: KEY, mediaUrl: sim.hostFile('m.png', png(64, 64), 'image/png') });
			const result = await run(sim, linear(generate()));
			expect(result.error?.message).toBeUndefined();
			const [item] = result.outputs.IMA;
			expect(item.json.taskId).toBe('[redacted]');
			expect(item.binary.data.fileName).toBe('_redacted_-0.png');
			const created = info.mock.calls.map((c) => String(c[0])).filter((l) => l.startsWith('IMA task created'));
			expect(created).toHaveLength(1);
			expect(created[0]).toMatch(/^IMA task created: \[redacted\] \(execution/);
			expect(leaks(info.mock.calls)).toEqual([]);
			expectNoLeak(result);
		});

		test("reaches neither the error's message, description, context nor errorResponse", async () => {
			sim.queueTask({ id: KEY, failMedia: [0] });
			const result = await run(sim, linear(generate()));
			expect(result.status).toBe('error');
			expect(result.error.message).toMatch(/IMA task \[redacted\] failed/);
			expect(result.error.errorResponse).toMatchObject({ taskId: '[redacted]' });
			expect(result.error.context.taskId).toBe('[redacted]');
			expectNoLeak(result);
		});
	});

	test('List Models: the key in an object key, in a value 40 levels deep, in hex, HTML entities and \\u escapes', async () => {
		sim.patchVersion('text_to_image', 'doubao-seedream-4-5-251128', (v: any) => {
			let deep: any = { leaf: `hex ${hex(KEY)}` };
			for (let i = 0; i < 40; i++) deep = { a: deep };
			v.credit_rules[0].attributes[KEY] = 'x';
			v.credit_rules[0].attributes.deep = deep;
			v.description = `html ${[...KEY].map((c) => `&#${c.charCodeAt(0)};`).join('')} / u ${[...KEY].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}`;
		});
		const result = await run(sim, linear({ parameters: { operation: 'listModels', taskType: 'text_to_image' } }));
		expect(result.error?.message).toBeUndefined();
		const item = result.outputs.IMA.find((i: any) => i.json.id === 'doubao-seedream-4-5-251128');
		expect(Object.keys(item.json.prices[0].attributes)).toContain('[redacted]');
		let deep = item.json.prices[0].attributes.deep;
		for (let i = 0; i < 40; i++) deep = deep.a;
		expect(deep.leaf).toBe('hex [redacted]');
		expect(item.json.description).toBe('html [redacted] / u [redacted]');
		expectNoLeak(result);
	});

	test.each([
		['hex', hex(KEY)],
		['%XX for every byte', everyByte(KEY)],
		['HTML entities', [...KEY].map((c) => `&#x${c.charCodeAt(0).toString(16)};`).join('')],
		['\\uXXXX escapes', [...KEY].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')],
		['base64 broken by line breaks', b64(`Bearer ${KEY}`).replace(/(.{12})/g, '$1\r\n')],
		['a long prefix', KEY.slice(0, 20)],
		['base64 of the URL-encoded key', b64(encodeURIComponent(KEY))],
	])('an IMA error message with the key as %s', async (_name, form) => {
		sim.fault({ route: 'create', kind: 'business', code: 400, message: `bad request from ${form} (size)` });
		const result = await run(sim, continueOnFail(linear(generate())));
		expect(result.outputs.IMA[0].json.error).toMatch(/IMA rejected a parameter \(code 400\): bad request from \S*\[redacted\]\S* \(size\)$/);
		expectNoLeak(result);
	});
});

describe('part 4: what the editor shows (model list, Model Settings fields) is cleaned the same way', () => {
	const call = (kind: string, method: string, parameters: object) => callNodeMethod({ kind, method, parameters, credentials: credsFor(sim) });
	const seedream = { operation: 'generate', taskType: 'text_to_image', model: { __rl: true, mode: 'list', value: 'doubao-seedream-4-5-251128' } };

	test('a model name, description and setting label that carry the key', async () => {
		sim.patchVersion('text_to_image', 'doubao-seedream-4-5-251128', (v: any) => {
			v.name = `SeeDream ${KEY}`;
			v.description = `hex ${hex(KEY)}`;
			v.form_config[0].ui_params[0].label = `Aspect ${b64(KEY)}`;
		});
		const list = await call('listSearch', 'searchModels', seedream);
		const entry = list.results.find((r: any) => r.value === 'doubao-seedream-4-5-251128');
		expect(entry.name).toMatch(/^SeeDream \[redacted\]/);
		expect(entry.description).toBe('hex [redacted]');
		const { fields } = await call('resourceMapping', 'getModelSettings', seedream);
		expect(fields[0].displayName).toMatch(/^Aspect \[redacted\]/);
		expect(leaks(list)).toEqual([]);
		expect(leaks(fields)).toEqual([]);
	});

	test('an error loading the list that echoes the key', async () => {
		sim.fault({ route: 'productList', kind: 'business', code: 500, message: `denied for ${everyByte(KEY)}` });
		let caught: any;
		try {
			await call('listSearch', 'searchModels', seedream);
		} catch (error) {
			caught = error;
		}
		expect(caught?.message).toMatch(/denied for \[redacted\]/);
		expect(leaks(errorFields(caught))).toEqual([]);
	});
});

describe('part 4: a URL that carries the key is never requested', () => {
	test.each([
		['in its query', (u: string) => `${u}?token=${KEY}`],
		['URL-encoded', (u: string) => `${u}?token=${encodeURIComponent(KEY)}`],
		['as hex in its path', (u: string) => u.replace('m.png', `${hex(KEY)}.png`)],
		['as base64', (u: string) => `${u}?t=${b64(KEY)}`],
		['with every byte %XX', (u: string) => `${u}?t=${everyByte(KEY)}`],
	])('a media URL with the key %s: the item fails with its task id and the URL redacted', async (_name, withKey) => {
		sim.queueTask({ mediaUrl: withKey(sim.hostFile('m.png', png(64, 64), 'image/png')) });
		const result = await run(sim, linear(generate()));
		expect(result.status).toBe('error');
		const taskId = [...sim.tasks.keys()][0];
		expect(result.error.message).toBe(`IMA task ${taskId} finished, but downloading media 0 failed: The media URL carries the API key; the node did not request it`);
		expect(result.error.description).toMatch(/Requesting .*\[redacted\].* would send the API key/);
		// The same URL would be refused again: no "run Wait for Result" advice.
		expect(result.error.description).not.toMatch(/Wait for Result/);
		expect(files()).toHaveLength(0);
		expectNoLeak(result);
	});

	test('a video cover URL with the key: the video is downloaded, the cover never requested', async () => {
		sim.queueTask({ coverUrl: `${sim.hostFile('c.jpeg', jpeg(64, 64), 'image/jpeg')}?k=${encodeURIComponent(KEY)}` });
		const result = await run(sim, linear(generate({ taskType: 'text_to_video', model: model('kling-v2-6') }, { downloadCover: true })));
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(/downloading media 0 failed: The media URL carries the API key/);
		expect(sim.requests.filter((r: any) => r.route === 'media')).toHaveLength(1);
		expect(files()).toHaveLength(0);
		expectNoLeak(result);
	});

	test("an upload token whose PUT URL carries the key: the file is never sent there, no task is made", async () => {
		sim.fault({
			route: 'uploadToken',
			kind: 'tamper',
			tamper: (p: any) => {
				p.data.ful = `${p.data.ful}&x-debug=${encodeURIComponent(KEY)}`;
				return p;
			},
		});
		const wf = withItems(linear(generate({ taskType: 'image_to_image', imageInput: 'binary' })), [{ json: {}, binary: { data: binary(png(64, 64), 'image/png', 'a.png') } }]);
		const result = await run(sim, wf);
		expect(result.status).toBe('error');
		expect(result.error.message).toBe('Upload step 2 of 2 (PUT of the file to the presigned storage URL) failed: The upload URL carries the API key; the node did not request it');
		expect(uploads()).toHaveLength(1);
		expect(puts()).toHaveLength(0);
		expect(sim.createsReceived()).toHaveLength(0);
		expectNoLeak(result);
	});
});

describe('part 5: where media may come from', () => {
	/** A host on the user's network: records what reaches it, serves a PNG. */
	let lan: http.Server;
	let lanPort = 0;
	const lanRequests: string[] = [];
	/** A redirector on the credential's own host (127.0.0.1): 302 to ?to=… */
	let redirector: http.Server;
	let redirectorBase = '';
	const photo = png(2000, 1000);

	beforeAll(async () => {
		lan = http.createServer((req, res) => {
			lanRequests.push(String(req.url));
			res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(photo.length) });
			res.end(photo);
		});
		await new Promise<void>((r) => lan.listen(0, '127.0.0.2', r));
		lanPort = (lan.address() as AddressInfo).port;
		redirector = http.createServer((req, res) => {
			const to = new URL(String(req.url), 'http://x').searchParams.get('to') ?? '/';
			res.writeHead(302, { location: to });
			res.end();
		});
		await new Promise<void>((r) => redirector.listen(0, '127.0.0.1', r));
		redirectorBase = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}`;
	});
	afterAll(async () => {
		await new Promise((r) => lan.close(r));
		await new Promise((r) => redirector.close(r));
	});
	beforeEach(() => {
		lanRequests.length = 0;
	});

	const FAST_FAIL = { downloadTimeout: 3 };

	test.each([
		['127.0.0.2', () => `http://127.0.0.2:${lanPort}/m.png`, /a loopback address \(127\.0\.0\.2\)/],
		['decimal', () => `http://2130706434:${lanPort}/m.png`, /a loopback address \(127\.0\.0\.2\)/],
		['hex', () => `http://0x7f000002:${lanPort}/m.png`, /a loopback address/],
		['octal', () => `http://0177.0.0.2:${lanPort}/m.png`, /a loopback address/],
		['short form', () => `http://127.2:${lanPort}/m.png`, /a loopback address/],
		['IPv4-mapped IPv6', () => `http://[::ffff:127.0.0.2]:${lanPort}/m.png`, /a loopback address \(127\.0\.0\.2 mapped in/],
	])('a media URL on the loopback network (%s) is never requested', async (_name, url, why) => {
		sim.queueTask({ mediaUrl: url() });
		const result = await run(sim, linear(generate({}, FAST_FAIL)));
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(why);
		expect(result.error.message).toContain([...sim.tasks.keys()][0]);
		expect(result.error.description).toMatch(/Allowed Private Media Hosts/);
		expect(result.error.description).toMatch(/Run "Wait for Result" with task ID \S+ after allowing the host to download it\./);
		expect(lanRequests).toEqual([]);
	});

	test.each([
		['localhost (the simulator itself, by another name)', () => `http://localhost:${new URL(sim.cdnBaseUrl).port}/files/hosted/m.png`, /a loopback name \(localhost\)/],
		['a *.localhost name', () => `http://cdn.localhost:${new URL(sim.cdnBaseUrl).port}/files/hosted/m.png`, /a loopback name/],
		['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data/iam/security-credentials/', /a cloud metadata address \(169\.254\.169\.254\)/],
		['the metadata address in decimal', () => 'http://2852039166/latest/meta-data/', /a cloud metadata address/],
		["Google's metadata name", () => 'http://metadata.google.internal/computeMetadata/v1/', /a cloud metadata name/],
		['a private address', () => 'http://10.0.0.5/media.png', /a private address \(10\.0\.0\.5\)/],
		['a link-local IPv6 address', () => 'http://[fe80::1]/media.png', /a link-local address/],
	])('a media URL on %s is refused', async (_name, url, why) => {
		sim.hostFile('m.png', png(64, 64), 'image/png');
		sim.queueTask({ mediaUrl: url() });
		const result = await run(sim, linear(generate({}, FAST_FAIL)));
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(why);
		expect(files()).toHaveLength(0);
	});

	test.each([['127.0.0.2'], ['127.0.0.0/8'], ['*']])('Allowed Private Media Hosts "%s": the media is downloaded from that host', async (allowed) => {
		sim.queueTask({ mediaUrl: `http://127.0.0.2:${lanPort}/m.png` });
		const result = await run(sim, linear(generate({}, { allowedMediaHosts: allowed })));
		expect(result.error?.message).toBeUndefined();
		expect((await result.readBinary(result.outputs.IMA[0].binary.data)).equals(photo)).toBe(true);
		expect(lanRequests).toEqual(['/m.png']);
	});

	test('Allowed Private Media Hosts that cannot be read fail the item before the create', async () => {
		const result = await run(sim, linear(generate({}, { allowedMediaHosts: 'cdn.internal, 10.0.0.0/99' })));
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(/Allowed Private Media Hosts: "10\.0\.0\.0\/99" is not a CIDR range/);
		expect(result.error.description).toMatch(/Parameter: options\.allowedMediaHosts/);
		expect(sim.createsReceived()).toHaveLength(0);
	});

	test('a redirect from an allowed host to a private one is refused at the hop; allowed, it is followed', async () => {
		const target = `http://127.0.0.2:${lanPort}/m.png`;
		sim.queueTask({ mediaUrl: `${redirectorBase}/r?to=${encodeURIComponent(target)}` });
		const refused = await run(sim, linear(generate({}, FAST_FAIL)));
		expect(refused.status).toBe('error');
		expect(refused.error.message).toMatch(/The media URL points to a loopback address \(127\.0\.0\.2\)/);
		expect(lanRequests).toEqual([]);

		sim.reset();
		sim.queueTask({ mediaUrl: `${redirectorBase}/r?to=${encodeURIComponent(target)}` });
		const followed = await run(sim, linear(generate({}, { allowedMediaHosts: '127.0.0.2' })));
		expect(followed.error?.message).toBeUndefined();
		expect(lanRequests).toEqual(['/m.png']);
	});

	test("Seedance 2.0: the node's own header read of an input URL follows the same rule; allowed, it reads it", async () => {
		const url = `http://127.0.0.2:${lanPort}/photo.png`;
		const seedance = (options = {}) => ({
			parameters: { ...generate({ taskType: 'image_to_video', model: model('ima-pro'), imageInput: 'url', imageUrls: url }, options).parameters, operation: 'createTask' },
		});
		const refused = await run(sim, linear(seedance()));
		expect(refused.status).toBe('error');
		expect(refused.error.message).toMatch(/image 1 \(http:\/\/127\.0\.0\.2:\d+\/photo\.png\) could not be read .*The input URL points to a loopback address/);
		expect(refused.error.description).toMatch(/Parameter: imageUrls/);
		expect(lanRequests).toEqual([]);
		expect(sim.createsReceived()).toHaveLength(0);

		const allowed = await run(sim, linear(seedance({ allowedMediaHosts: '127.0.0.2' })));
		expect(allowed.error?.message).toBeUndefined();
		expect(lanRequests).toEqual(['/photo.png']);
		expect(sim.createsReceived()[0].body.src_image).toEqual([{ url, width: 2000, height: 1000 }]);
	});

	test('a user\'s image URL on a private host goes to IMA as it is (IMA fetches it, not the node)', async () => {
		const url = `http://127.0.0.2:${lanPort}/photo.png`;
		const result = await run(sim, linear(generate({ taskType: 'image_to_image', imageInput: 'url', imageUrls: url }, { download: false })));
		expect(result.error?.message).toBeUndefined();
		expect(sim.createsReceived()[0].body.src_img_url).toEqual([url]);
		expect(lanRequests).toEqual([]);
	});
});
