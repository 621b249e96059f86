/** Image inputs: Upload Image, and binary or URL images for every image task type. */
import { generate, isPng, linear, model, run, settings, useSimulator, withItems, type Sim } from './setup';

const env = useSimulator();
let sim: Sim;
beforeEach(() => {
	sim = env.sim;
});

/** A real PNG made by the simulator, as an n8n binary of an input item. */
async function pngBinary(name = 'photo.png') {
	const t2i = await run(sim, linear(generate()));
	const buf: Buffer = await t2i.readBinary(t2i.outputs.IMA[0].binary.data);
	sim.reset();
	return { data: buf.toString('base64'), mimeType: 'image/png', fileName: name, fileExtension: 'png' };
}

const uploads = () => sim.requests.filter((r: any) => r.route === 'uploadToken');
const puts = () => sim.requests.filter((r: any) => r.route === 'put');

describe('Upload Image', () => {
	test('two-step upload: signed token, key-free PUT, public URL out, binary passed through', async () => {
		const image = await pngBinary();
		const wf = withItems(linear({ parameters: { operation: 'uploadImage', binaryPropertyName: 'data' } }), [{ json: { a: 1 }, binary: { data: image } }]);
		const result = await run(sim, wf);
		expect(result.error).toBeUndefined();
		const [item] = result.outputs.IMA;
		expect(item.json).toMatchObject({ fileName: 'photo.png', mimeType: 'image/png', fileSize: Buffer.from(image.data, 'base64').length });
		expect(item.json.url).toMatch(/\/files\//);
		expect(item.binary.data).toBeDefined();
		// the uploaded bytes are served at the public URL
		const served = Buffer.from(await (await fetch(item.json.url)).arrayBuffer());
		expect(served.equals(Buffer.from(image.data, 'base64'))).toBe(true);
		// token call: the key only as appUid/cmimToken, 11 params; PUT: no key anywhere
		expect(Object.keys(uploads()[0].query)).toHaveLength(11);
		expect(uploads()[0].query.appUid).toBe(sim.apiKey);
		expect(uploads()[0].headers.authorization).toBeUndefined();
		const put = puts()[0];
		expect(put.headers.authorization).toBeUndefined();
		expect(JSON.stringify(put)).not.toContain(sim.apiKey);
	});

	test('a missing binary property fails before any call and lists what the item has', async () => {
		const image = await pngBinary();
		const wf = withItems(linear({ parameters: { operation: 'uploadImage', binaryPropertyName: 'photo' } }), [{ json: {}, binary: { data: image } }]);
		const result = await run(sim, wf);
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(/no binary property "photo"/);
		expect(result.error.description).toMatch(/binary properties: data/);
		expect(uploads()).toHaveLength(0);
	});

	test('a generic "application/octet-stream" file is typed by its name', async () => {
		const image = { ...(await pngBinary('scan.png')), mimeType: 'application/octet-stream' };
		const result = await run(sim, withItems(linear({ parameters: { operation: 'uploadImage' } }), [{ json: {}, binary: { data: image } }]));
		expect(result.error?.message).toBeUndefined();
		expect(result.outputs.IMA[0].json).toMatchObject({ mimeType: 'image/png', fileName: 'scan.png' });
		expect(uploads()[0].query).toMatchObject({ fType: 'picture', fSuffix: 'png', fContentType: 'image/png' });
	});

	test('a file that is not an image is refused', async () => {
		const wf = withItems(linear({ parameters: { operation: 'uploadImage' } }), [
			{ json: {}, binary: { data: { data: Buffer.from('hello').toString('base64'), mimeType: 'text/plain', fileName: 'a.txt' } } },
		]);
		const result = await run(sim, wf);
		expect(result.error.message).toMatch(/is not an image, video or audio file \(text\/plain, a.txt\)/);
	});
});

describe('image task types', () => {
	test.each([
		['image_to_image', 'doubao-seedream-4-5-251128', ['data'], { aspect_ratio: '4k' }],
		['image_to_video', 'kling-v2-6', ['data'], {}],
		['first_last_frame_to_video', 'kling-v2-6', ['first', 'last'], {}],
		['reference_image_to_video', 'veo-3.1-generate-preview', ['data'], {}],
	])('%s from binary: uploaded in order, same list in src_img_url and input_images', async (taskType, modelId, props, modelSettings) => {
		const image = await pngBinary();
		const binary = Object.fromEntries(props.map((p) => [p, { ...image, fileName: `${p}.png` }]));
		const wf = withItems(
			linear(generate({ taskType, model: model(modelId), imageInput: 'binary', binaryProperties: props.join(', '), modelSettings: settings(modelSettings) })),
			[{ json: {}, binary }],
		);
		const result = await run(sim, wf);
		expect(result.error?.message).toBeUndefined();
		expect(result.outputs.IMA[0].json.taskType).toBe(taskType);
		const body = sim.createsReceived()[0].body;
		expect(body.src_img_url).toHaveLength(props.length);
		expect(body.parameters[0].parameters.input_images).toEqual(body.src_img_url);
		expect(puts()).toHaveLength(props.length);
		// in order: the n-th PUT became the n-th URL
		const fdl = uploads().map((_u: any, i: number) => body.src_img_url[i]);
		expect(fdl.every((u: string) => /\/files\//.test(u))).toBe(true);
	});

	test('URLs are passed through, not uploaded; commas and new lines both separate', async () => {
		const wf = linear(
			generate({
				taskType: 'first_last_frame_to_video',
				model: model('kling-v2-6'),
				imageInput: 'url',
				imageUrls: 'https://images.example.com/first.jpg,\nhttps://images.example.com/last.jpg',
			}),
		);
		const result = await run(sim, wf);
		expect(result.status).toBe('success');
		expect(sim.createsReceived()[0].body.src_img_url).toEqual(['https://images.example.com/first.jpg', 'https://images.example.com/last.jpg']);
		expect(uploads()).toHaveLength(0);
	});

	test('an array of URLs from an expression', async () => {
		const wf = withItems(
			linear(generate({ taskType: 'image_to_image', imageInput: 'url', imageUrls: '={{ $json.urls }}', modelSettings: settings({ aspect_ratio: '2k' }) })),
			[{ json: { urls: ['https://images.example.com/a.png'] } }],
		);
		const result = await run(sim, wf);
		expect(result.status).toBe('success');
		expect(sim.createsReceived()[0].body.parameters[0].parameters.input_images).toEqual(['https://images.example.com/a.png']);
	});

	test.each([
		['one image for first/last frames', { taskType: 'first_last_frame_to_video', model: model('kling-v2-6'), imageInput: 'url', imageUrls: 'https://x.example/a.png' }, /exactly 2 input images/],
		['a URL that is not http(s)', { taskType: 'image_to_video', model: model('kling-v2-6'), imageInput: 'url', imageUrls: 'ftp://x.example/a.png' }, /not an http\(s\) URL/],
		["SeeDream 4.5's size adaptive in image_to_image", { taskType: 'image_to_image', imageInput: 'url', imageUrls: 'https://x.example/a.png', modelSettings: settings({ aspect_ratio: 'adaptive' }) }, /aspect_ratio.*Allowed values/],
		['a missing binary property', { taskType: 'image_to_video', model: model('kling-v2-6'), imageInput: 'binary', binaryProperties: 'frame' }, /no binary property "frame"/],
	])('%s fails before any call', async (_name, overrides, message) => {
		const result = await run(sim, linear(generate(overrides as any)));
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(message);
		expect(sim.createsReceived()).toHaveLength(0);
		expect(uploads()).toHaveLength(0);
	});

	test('Upload Image → Generate by expression (the example workflow shape)', async () => {
		const image = await pngBinary();
		const wf = withItems(
			linear(
				{ parameters: { operation: 'uploadImage' } },
				generate({ taskType: 'image_to_image', imageInput: 'url', imageUrls: '={{ $json.url }}', modelSettings: settings({ aspect_ratio: '2k' }) }),
			),
			[{ json: {}, binary: { data: image } }],
		);
		const result = await run(sim, wf);
		expect(result.error?.message).toBeUndefined();
		const uploaded = result.outputs.IMA[0].json.url;
		expect(sim.createsReceived()[0].body.src_img_url).toEqual([uploaded]);
		expect(isPng(await result.readBinary(result.outputs['IMA 1'][0].binary.data))).toBe(true);
	});
});

describe('URL input for every image task type', () => {
	test.each([
		['image_to_image', 'doubao-seedream-4-5-251128', 1, { aspect_ratio: '2k' }],
		['image_to_video', 'kling-v2-6', 1, {}],
		['first_last_frame_to_video', 'kling-v2-6', 2, {}],
		['reference_image_to_video', 'veo-3.1-generate-preview', 2, {}],
	])('%s from URLs: passed through as given, in order, nothing uploaded', async (taskType, modelId, count, modelSettings) => {
		const urls = Array.from({ length: count }, (_v, i) => `https://images.example.com/${taskType}/${i}.png`);
		const wf = linear(generate({ taskType, model: model(modelId), imageInput: 'url', imageUrls: urls.join('\n'), modelSettings: settings(modelSettings) }));
		const result = await run(sim, wf);
		expect(result.error?.message).toBeUndefined();
		expect(result.outputs.IMA[0].json).toMatchObject({ taskType });
		const body = sim.createsReceived()[0].body;
		expect(body.src_img_url).toEqual(urls);
		expect(body.parameters[0].parameters.input_images).toEqual(urls);
		expect(uploads()).toHaveLength(0);
		expect(puts()).toHaveLength(0);
	});
});

describe('upload errors say which step failed, without the key', () => {
	const uploadThenGenerate = () => ({ parameters: { operation: 'uploadImage' } });

	test('the upload service refuses the token (business code 401)', async () => {
		const image = await pngBinary();
		sim.fault({ route: 'uploadToken', kind: 'business', code: 401 });
		const result = await run(sim, withItems(linear(uploadThenGenerate()), [{ json: {}, binary: { data: image } }]));
		expect(result.status).toBe('error');
		const text = `${result.error.message} ${result.error.description ?? ''}`;
		expect(text).toMatch(/Upload step 1 of 2 \(upload token/);
		expect(text).not.toContain(sim.apiKey);
		expect(JSON.stringify(result.errorJson ?? {})).not.toContain(sim.apiKey);
		expect(puts()).toHaveLength(0);
	});

	test('the storage refuses the PUT (HTTP 403): the error names the PUT step and no task is created', async () => {
		const image = await pngBinary();
		sim.fault({ route: 'put', kind: 'status', status: 403, times: Infinity });
		const wf = withItems(linear(generate({ taskType: 'image_to_video', model: model('kling-v2-6'), imageInput: 'binary', binaryProperties: 'data' })), [
			{ json: {}, binary: { data: image } },
		]);
		const result = await run(sim, wf);
		expect(result.status).toBe('error');
		const text = `${result.error.message} ${result.error.description ?? ''}`;
		expect(text).toMatch(/Upload step 2 of 2 \(PUT .*failed: the storage refused the file \(HTTP 403/);
		expect(text).toMatch(/403/);
		expect(text).not.toContain(sim.apiKey);
		expect(sim.createsReceived()).toHaveLength(0);
		expect(sim.creditsCharged).toBe(0);
	});

	test('a PUT that fails once with 503 is retried and the upload completes', async () => {
		const image = await pngBinary();
		sim.fault({ route: 'put', kind: 'status', status: 503 });
		const result = await run(sim, withItems(linear(uploadThenGenerate()), [{ json: {}, binary: { data: image } }]));
		expect(result.error?.message).toBeUndefined();
		expect(puts()).toHaveLength(2);
		const served = Buffer.from(await (await fetch(result.outputs.IMA[0].json.url)).arrayBuffer());
		expect(served.equals(Buffer.from(image.data, 'base64'))).toBe(true);
	});
});

describe('large files in filesystem binary mode', () => {
	// eslint-disable-next-line @typescript-eslint/no-require-imports, @typescript-eslint/no-var-requires
	const { Container, n8nCore, binaryPath } = require('../harness/engine');
	const MB = 1024 * 1024;
	const sha256File = async (file: string) => {
		const { createHash } = await import('crypto');
		const { createReadStream } = await import('fs');
		const hash = createHash('sha256');
		for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
		return hash.digest('hex');
	};
	let spies: jest.SpyInstance[] = [];
	afterEach(() => {
		spies.forEach((s) => s.mockRestore());
		spies = [];
	});
	function spyOnBinaryReads() {
		const service = Container.get(n8nCore.BinaryDataService);
		const asBuffer = jest.spyOn(service, 'getAsBuffer');
		const asStream = jest.spyOn(service, 'getAsStream');
		spies.push(asBuffer, asStream);
		return { asBuffer, asStream };
	}

	test('a 40 MB video stored on disk is uploaded as a stream, never read whole', async () => {
		sim.queueTask({ mediaBytes: 40 * MB });
		const wf = linear(generate({ taskType: 'text_to_video', model: model('kling-v2-6') }), { parameters: { operation: 'uploadImage' } });
		const { asBuffer, asStream } = spyOnBinaryReads();
		const result = await run(sim, wf, { binaryDataMode: 'filesystem' });
		expect(result.error?.message).toBeUndefined();
		expect(asBuffer).not.toHaveBeenCalled();
		// Twice as a stream: the content check reads its first bytes (a video is checked by its
		// header only), then the upload streams the file.
		expect(asStream).toHaveBeenCalledTimes(2);
		const video = result.outputs.IMA[0].binary.data;
		expect(video.id).toBeTruthy(); // stored on disk by the download, not inline
		const [stored] = [...sim.uploads.values()];
		expect(stored.size).toBe(40 * MB);
		expect(stored.contentType).toBe('video/mp4');
		expect(stored.sha256).toBe(await sha256File(binaryPath(video)));
		expect(result.outputs['IMA 1'][0].json).toMatchObject({ mimeType: 'video/mp4', fileSize: 40 * MB });
		expect(uploads()[0].query.fType).toBe('video');
	});

	test("the PUT bypasses n8n's redirect follower, which would buffer the whole body", async () => {
		// n8n-core's httpRequest is axios; axios sends through follow-redirects (which keeps every
		// chunk of a request body to be able to resend it) unless redirects are disabled.
		const path = await import('path');
		const axiosPath = require.resolve('axios', { paths: [path.dirname(require.resolve('n8n-core'))] });
		// eslint-disable-next-line @typescript-eslint/no-require-imports, @typescript-eslint/no-var-requires
		const followRedirects = require(require.resolve('follow-redirects', { paths: [path.dirname(axiosPath)] }));
		const viaFollower = jest.spyOn(followRedirects.http, 'request');
		spies.push(viaFollower);
		// The node lets n8n follow no redirect at all: not the PUT, the upload token (the key is in
		// its query) or any API call (Bearer header), and not the media download either (the node
		// follows those itself, checking every hop first).
		const result = await run(sim, linear(generate(), { parameters: { operation: 'uploadImage' } }));
		expect(result.error?.message).toBeUndefined();
		const urls = viaFollower.mock.calls.map((c: any[]) => `${c[0]?.method} ${c[0]?.path ?? c[0]?.pathname ?? ''}`);
		expect(urls).toEqual([]);
		expect(puts()).toHaveLength(1);
		// The spy does see a request that n8n's helper sends with redirects allowed.
		const { httpRequest } = require('n8n-core/dist/execution-engine/node-execution-context/utils/request-helper-functions');
		await httpRequest({ method: 'GET', url: sim.hostFile('probe.png', Buffer.from('x'), 'image/png') });
		expect(viaFollower).toHaveBeenCalledTimes(1);
	});

	test('an image over 30 MB is refused for an image slot before any upload or task, yet Upload Image takes it', async () => {
		sim.queueTask({ mediaBytes: 31 * MB });
		const wf = linear(
			generate(),
			generate({ taskType: 'image_to_video', model: model('kling-v2-6'), imageInput: 'binary', binaryProperties: 'data' }),
		);
		const { asBuffer } = spyOnBinaryReads();
		const refused = await run(sim, wf, { binaryDataMode: 'filesystem' });
		expect(refused.status).toBe('error');
		expect(refused.error.message).toMatch(/is 31\.0 MB; IMA accepts images up to 30 MB/);
		expect(refused.error.description).toMatch(/Parameter: binaryProperties/);
		expect(asBuffer).not.toHaveBeenCalled(); // the size came from the metadata, not by reading the file
		expect(sim.createsReceived()).toHaveLength(1); // only the text_to_image of the first node
		expect(uploads()).toHaveLength(0);

		sim.reset();
		sim.queueTask({ mediaBytes: 31 * MB });
		const accepted = await run(sim, linear(generate(), { parameters: { operation: 'uploadImage' } }), { binaryDataMode: 'filesystem' });
		expect(accepted.error?.message).toBeUndefined();
		expect(accepted.outputs['IMA 1'][0].json).toMatchObject({ mimeType: 'image/png', fileSize: 31 * MB });
		expect([...sim.uploads.values()][0].size).toBe(31 * MB);
	});
});
