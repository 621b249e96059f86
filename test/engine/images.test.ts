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

	test('a file that is not an image is refused', async () => {
		const wf = withItems(linear({ parameters: { operation: 'uploadImage' } }), [
			{ json: {}, binary: { data: { data: Buffer.from('hello').toString('base64'), mimeType: 'text/plain', fileName: 'a.txt' } } },
		]);
		const result = await run(sim, wf);
		expect(result.error.message).toMatch(/is not an image \(text\/plain, a.txt\)/);
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
