/** What the editor shows: the model list and the model's settings, through n8n-core's LoadOptionsContext. */
import { credsFor, useSimulator, type Sim } from './setup';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { callNodeMethod } = require('../harness/engine');

const env = useSimulator();
let sim: Sim;
beforeEach(() => {
	sim = env.sim;
});

const call = (kind: string, method: string, parameters: object, filter?: string) =>
	callNodeMethod({ kind, method, parameters, filter, credentials: credsFor(sim) });

describe('editor methods', () => {
	test('the model list: every version of the task type, with group, price and expected time; searchable', async () => {
		const all = await call('listSearch', 'searchModels', { operation: 'generate', taskType: 'text_to_video' });
		expect(all.results.map((r: any) => r.value)).toEqual(sim.products('text_to_video').map((v: any) => v.id));
		// The expected time as IMA serves it (the simulator divides 150~210s by its speed, 200).
		expect(all.results.find((r: any) => r.value === 'kling-v2-6').name).toBe('Kling 2.6 · Kling · 40–160 credits · 0.75~1.05s');
		const found = await call('listSearch', 'searchModels', { operation: 'generate', taskType: 'text_to_video' }, 'pixverse');
		expect(found.results.map((r: any) => r.value)).toEqual(['Pixverse V5.5', 'Pixverse V5', 'Pixverse V4.5', 'Pixverse V4', 'Pixverse V3.5']);
	});

	test("the model's settings: its fields, allowed values and defaults; virtual fields by their UI name", async () => {
		const params = { operation: 'generate', taskType: 'text_to_video', model: { __rl: true, mode: 'list', value: 'kling-video-o1' } };
		const { fields } = await call('resourceMapping', 'getModelSettings', params);
		expect(fields.map((f: any) => f.id)).toEqual(['duration', 'aspect_ratio', 'quality']);
		const quality = fields.find((f: any) => f.id === 'quality');
		expect(quality).toMatchObject({ type: 'options', defaultValue: '720p' });
		expect(quality.options.map((o: any) => o.value)).toEqual(['720p', '1080p']);
		const veo = await call('resourceMapping', 'getModelSettings', { ...params, taskType: 'reference_image_to_video', model: { __rl: true, mode: 'id', value: 'veo-3.1-generate-preview' } });
		const duration = veo.fields.find((f: any) => f.id === 'duration');
		expect(duration.options.map((o: any) => o.value)).toEqual([8]);
	});

	test('the editor loads the product list at most once per task type while a user edits the node', async () => {
		const params = { operation: 'generate', taskType: 'text_to_image', model: { __rl: true, mode: 'list', value: 'gemini-3.1-flash-image-preview' } };
		await call('listSearch', 'searchModels', params);
		await call('listSearch', 'searchModels', params, 'nano');
		await call('resourceMapping', 'getModelSettings', params);
		await call('resourceMapping', 'getModelSettings', { ...params, model: { __rl: true, mode: 'list', value: 'doubao-seedream-4-5-251128' } });
		expect(sim.requests.filter((r: any) => r.route === 'productList')).toHaveLength(1);
	});

	test('no model picked yet: an empty list with a notice, no error', async () => {
		const out = await call('resourceMapping', 'getModelSettings', { operation: 'generate', taskType: 'text_to_image', model: { __rl: true, mode: 'list', value: '' } });
		expect(out).toEqual({ fields: [], emptyFieldsNotice: 'Pick a model first' });
	});
});
