/** Generate, end to end: n8n's engine → the built node → the simulator over HTTP. */
import type { IDataObject } from 'n8n-workflow';

import { generate, isJpeg, isMp3, isMp4, isPng, linear, model, run, settings, useSimulator, withItems, type Sim } from './setup';

const env = useSimulator();
let sim: Sim;
beforeEach(() => {
	sim = env.sim;
});

const apiRequests = () => sim.requests.filter((r: any) => r.server === 'api');

describe('Generate', () => {
	test('text_to_image: one item with the contract json, a PNG binary, and the exact create body', async () => {
		const wf = linear(generate({ modelSettings: settings({ aspect_ratio: '16:9' }) }));
		const result = await run(sim, wf);
		expect(result.error).toBeUndefined();
		expect(result.status).toBe('success');
		const items = result.outputs.IMA;
		expect(items).toHaveLength(1);
		const [item] = items;
		expect(item.json).toMatchObject({
			taskType: 'text_to_image',
			model: 'doubao-seedream-4.5',
			modelVersion: 'doubao-seedream-4-5-251128',
			index: 0,
			credits: 5,
		});
		expect(item.json.taskId).toEqual(expect.any(String));
		expect(item.json.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/media\//);
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.binary.data.mimeType).toBe('image/png');
		expect(item.binary.data.fileName).toMatch(/\.png$/);
		expect(isPng(await result.readBinary(item.binary.data))).toBe(true);

		const creates = sim.createsReceived();
		expect(creates).toHaveLength(1);
		expect(creates[0].body).toEqual({
			task_type: 'text_to_image',
			enable_multi_model: false,
			src_img_url: [],
			parameters: [
				{
					attribute_id: 2341,
					model_id: 'doubao-seedream-4.5',
					model_name: 'SeeDream 4.5',
					model_version: 'doubao-seedream-4-5-251128',
					app: 'ima',
					platform: 'web',
					category: 'text_to_image',
					credit: 5,
					parameters: { prompt: 'a lighthouse at sunset', n: 1, input_images: [], cast: { points: 5, attribute_id: 2341 }, size: '2560x1440' },
				},
			],
		});
		expect(sim.creditsCharged).toBe(5);
	});

	test('every API request carries IMA headers; the key never reaches the CDN', async () => {
		await run(sim, linear(generate()));
		const api = apiRequests();
		expect(api.length).toBeGreaterThanOrEqual(3);
		for (const r of api) {
			expect(r.headers.authorization).toBe(`Bearer ${sim.apiKey}`);
			expect(r.headers['x-app-source']).toBe('ima_skills');
			expect(r.headers.x_app_language).toBe('en');
			expect(r.headers['content-type']).toMatch(/application\/json/);
		}
		const cdn = sim.requests.filter((r: any) => r.server === 'cdn');
		expect(cdn.length).toBeGreaterThanOrEqual(1);
		for (const r of cdn) {
			expect(JSON.stringify(r.headers)).not.toContain(sim.apiKey);
			expect(r.headers.authorization).toBeUndefined();
		}
	});

	test('text_to_video with cover: MP4 and JPEG cover, duration and the matched price', async () => {
		const wf = linear(
			generate(
				{ taskType: 'text_to_video', model: model('kling-v2-6'), modelSettings: settings({ duration: '10', sound: 'on' }) },
				{ downloadCover: true },
			),
		);
		const result = await run(sim, wf);
		expect(result.status).toBe('success');
		const [item] = result.outputs.IMA;
		expect(item.json).toMatchObject({ taskType: 'text_to_video', credits: 160, duration: 10 });
		expect(item.json.coverUrl).toEqual(expect.any(String));
		expect(item.binary.data.mimeType).toBe('video/mp4');
		expect(item.binary.data.fileName).toMatch(/\.mp4$/);
		expect(isMp4(await result.readBinary(item.binary.data))).toBe(true);
		expect(item.binary.dataCover.mimeType).toBe('image/jpeg');
		expect(isJpeg(await result.readBinary(item.binary.dataCover))).toBe(true);
		const p = sim.createsReceived()[0].body.parameters[0];
		expect([p.credit, p.attribute_id, p.parameters.mode]).toEqual([160, 2331, 'pro']);
	});

	test('text_to_music by model id: an MP3', async () => {
		const result = await run(sim, linear(generate({ taskType: 'text_to_music', model: model('sonic'), prompt: 'lofi beat' })));
		expect(result.status).toBe('success');
		const [item] = result.outputs.IMA;
		expect(item.binary.data.mimeType).toBe('audio/mpeg');
		expect(item.binary.data.fileName).toMatch(/\.mp3$/);
		expect(isMp3(await result.readBinary(item.binary.data))).toBe(true);
	});

	test('n = 3: three items paired to the input, charged 3 × the rule', async () => {
		const wf = linear(generate({ model: model('gemini-3-pro-image-preview', 'list'), modelSettings: settings({ size: '4K' }) }, { n: 3 }));
		const result = await run(sim, wf);
		expect(result.status).toBe('success');
		const items = result.outputs.IMA;
		expect(items.map((i: any) => i.json.index)).toEqual([0, 1, 2]);
		expect(items.every((i: any) => i.pairedItem.item === 0 && i.json.credits === 18)).toBe(true);
		expect(sim.creditsCharged).toBe(54);
	});

	test('several input items: prompts by expression, order and pairing kept', async () => {
		const wf = withItems(linear(generate({ prompt: '={{ $json.idea }}' })), [
			{ json: { idea: 'red' } },
			{ json: { idea: 'green' } },
			{ json: { idea: 'blue' } },
		]);
		const result = await run(sim, wf);
		expect(result.status).toBe('success');
		const items = result.outputs.IMA;
		expect(items.map((i: any) => i.pairedItem.item)).toEqual([0, 1, 2]);
		const promptOf = (taskId: string) => sim.tasks.get(taskId).prompt;
		expect(items.map((i: any) => promptOf(i.json.taskId))).toEqual(['red', 'green', 'blue']);
	});

	test('List Models walks the tree to any depth: it finds models a two-level flattener misses', async () => {
		const res = await fetch(`${sim.baseUrl}/open/v1/product/list?app=ima&platform=web&category=text_to_video`, {
			headers: { Authorization: `Bearer ${sim.apiKey}` },
		});
		const tree = ((await res.json()) as { data: any[] }).data;
		// IMA's seed client: top-level nodes' children and grandchildren only.
		const seed: string[] = [];
		for (const node of tree) for (const child of node.children ?? []) {
			if (child.type === '3') seed.push(child.id);
			for (const gc of child.children ?? []) if (gc.type === '3') seed.push(gc.id);
		}
		const result = await run(sim, linear({ parameters: { operation: 'listModels', taskType: 'text_to_video' } }));
		expect(result.status).toBe('success');
		const ids = result.outputs.IMA.map((i: any) => i.json.id);
		expect(ids).toEqual(sim.products('text_to_video').map((v: any) => v.id));
		const missedBySeed = ids.filter((id: string) => !seed.includes(id));
		expect(missedBySeed.length).toBeGreaterThan(0);
		const first = result.outputs.IMA.find((i: any) => i.json.id === 'kling-video-o1').json;
		expect(first.parameters.find((p: any) => p.name === 'quality')).toMatchObject({ options: ['720p', '1080p'], sentAs: 'mode' });
		expect(first.prices).toContainEqual(expect.objectContaining({ credits: 120, attributeId: 2316, attributes: { duration: '10', mode: 'pro' } }));

		// and Generate can use such a deep model
		const deepId = missedBySeed[0];
		const gen = await run(sim, linear(generate({ taskType: 'text_to_video', model: model(deepId) })));
		expect(gen.error?.message).toBeUndefined();
		expect(gen.outputs.IMA[0].json.modelVersion).toBe(deepId);
	});
});

describe('bad input fails before any paid call, naming the parameter', () => {
	test.each([
		['a value outside the options', { modelSettings: settings({ aspect_ratio: '5:4' }) }, /aspect_ratio.*Allowed values: 2k, 4k, 1:1/],
		['an empty prompt', { prompt: '  ' }, /Prompt is empty/],
		['an unknown model', { model: model('no-such-model') }, /Model "no-such-model" is not available for text_to_image/],
		['n out of range', { options: { n: 9 } }, /1 to 4/],
	])('%s', async (_name, overrides, message) => {
		const result = await run(sim, linear(generate(overrides as any)));
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(message);
		expect(sim.createsReceived()).toHaveLength(0);
		expect(sim.creditsCharged).toBe(0);
	});

	test('a bad item among good ones stops the run before any task is created', async () => {
		const wf = withItems(linear(generate({ prompt: '={{ $json.idea }}' })), [{ json: { idea: 'ok' } }, { json: { idea: '' } }]);
		const result = await run(sim, wf);
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(/Prompt is empty/);
		expect(sim.createsReceived()).toHaveLength(0);
	});
});

describe('IMA business errors say what happened', () => {
	test('4008: not enough credits', async () => {
		sim.setBalance(1);
		const result = await run(sim, linear(generate()));
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(/Not enough IMA credits \(code 4008\)/);
		expect(result.error.description).toMatch(/Top up/);
		expect(sim.creditsCharged).toBe(0);
	});

	test('4014: subscription needed', async () => {
		sim.requireSubscription('doubao-seedream-4-5-251128');
		const result = await run(sim, linear(generate()));
		expect(result.error.message).toMatch(/subscription \(code 4014\)/);
	});

	test('401: a wrong key, and the key never appears in the error', async () => {
		const result = await run(sim, linear(generate()), { apiKey: 'ima_wrong_key_123456' });
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(/API key \(code 401\)/);
		expect(JSON.stringify(result.error)).not.toContain('ima_wrong_key_123456');
	});

	test('a failed media fails the item with IMA reason and the task id', async () => {
		sim.queueTask({ failMedia: [0] });
		const result = await run(sim, linear(generate()));
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(/failed — media 0: Content moderation/);
		const taskId = sim.createsReceived().length && [...sim.tasks.keys()][0];
		expect(result.error.message).toContain(taskId);
	});
});

describe('output for AI Agents: a short summary', () => {
	const asTool = (spec: ReturnType<typeof generate>) => ({ ...spec, type: 'n8n-nodes-ima.imaTool' });
	const toolWorkflow = (spec: ReturnType<typeof generate>) => {
		const wf = linear(asTool(spec));
		(wf.nodes[1] as IDataObject).credentials = { imaApi: { id: 'cred', name: 'IMA account' } };
		return wf;
	};

	test('called as a tool: one item per task with URLs and the task ID, no media downloaded', async () => {
		const result = await run(sim, toolWorkflow(generate({ taskType: 'text_to_video', model: model('kling-v2-6'), modelSettings: settings({ duration: '10', sound: 'on' }) })));
		expect(result.error?.message).toBeUndefined();
		const [item, ...rest] = result.outputs.IMA;
		expect(rest).toHaveLength(0);
		expect(item.binary).toBeUndefined();
		expect(item.json).toMatchObject({ status: 'success', taskType: 'text_to_video', credits: 160 });
		expect(item.json.taskId).toMatch(/\S/);
		expect(item.json.urls).toHaveLength(1);
		expect(item.json.coverUrls).toHaveLength(1);
		expect(item.json.message).toContain(item.json.urls[0]);
		expect(JSON.stringify(item.json).length).toBeLessThan(1500);
		expect(sim.requests.filter((r: any) => r.route === 'media')).toHaveLength(0);
	});

	test('summary with n=2 and Attach Media on: both files attached as data_0 and data_1, credits for both', async () => {
		const result = await run(sim, linear(generate({}, { output: 'summary', download: true, n: 2 })));
		expect(result.error?.message).toBeUndefined();
		const [item] = result.outputs.IMA;
		expect(result.outputs.IMA).toHaveLength(1);
		expect(item.json.urls).toHaveLength(2);
		expect(item.json.media.map((m: IDataObject) => m.index)).toEqual([0, 1]);
		expect(Object.keys(item.binary).sort()).toEqual(['data_0', 'data_1']);
		expect(isPng(await result.readBinary(item.binary.data_1))).toBe(true);
		expect(item.json.credits).toBe(10);
		expect(sim.creditsCharged).toBe(10);
	});

	test('Media Items chosen for a tool call keeps the workflow shape', async () => {
		const result = await run(sim, toolWorkflow(generate({}, { output: 'media' })));
		expect(result.error?.message).toBeUndefined();
		expect(result.outputs.IMA[0].json).toMatchObject({ index: 0 });
		expect(isPng(await result.readBinary(result.outputs.IMA[0].binary.data))).toBe(true);
	});
});
