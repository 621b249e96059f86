/** Text to Speech: the prompt is the text to speak, the model's settings are sent, MP3 audio comes out. */
import * as fs from 'fs';
import * as path from 'path';

import { credsFor, FAST, generate, isMp3, linear, model, run, settings, useSimulator, type Sim } from './setup';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { callNodeMethod } = require('../harness/engine');

const env = useSimulator();
let sim: Sim;
beforeEach(() => {
	sim = env.sim;
});

const speak = (version: string, values = {}, options = {}) =>
	generate({ taskType: 'text_to_speech', model: model(version), prompt: 'Hello from IMA.', modelSettings: settings(values) }, options);

describe('text to speech', () => {
	test.each([
		['seed-tts-2.0', {}, { model: 'seed-tts-2.0-expressive' }, 2, 4419],
		['seed-tts-2.0', { model: 'seed-tts-2.0-standard', speaker: 'zh_female_vv_uranus_bigtts' }, { model: 'seed-tts-2.0-standard', speaker: 'zh_female_vv_uranus_bigtts' }, 2, 4419],
		['seed-tts-1.1', {}, {}, 5, 521],
	])('%s with %j: the text in the nested prompt, the settings and defaults sent, an MP3 out', async (version, values, sent, credit, attributeId) => {
		const result = await run(sim, linear(speak(version, values)));
		expect(result.status).toBe('success');
		const [create] = sim.createsReceived();
		const p = create.body.parameters[0];
		expect(create.body.task_type).toBe('text_to_speech');
		expect(create.body.src_img_url).toEqual([]);
		expect(p).toMatchObject({ category: 'text_to_speech', model_version: version, credit, attribute_id: attributeId });
		expect(p.parameters).toMatchObject({ ...sent, prompt: 'Hello from IMA.', n: 1, cast: { points: credit, attribute_id: attributeId } });
		const out = result.outputs.IMA[0];
		expect(out.json).toMatchObject({ taskType: 'text_to_speech', modelVersion: version, credits: credit, format: 'mp3' });
		expect(out.binary.data.mimeType).toBe('audio/mpeg');
		expect(out.binary.data.fileName).toMatch(/\.mp3$/);
		expect(isMp3(Buffer.from(out.binary.data.data, 'base64'))).toBe(true);
	});

	test('a value outside the form fails before any paid call, naming the setting and its allowed values', async () => {
		const result = await run(sim, linear(speak('seed-tts-2.0', { model: 'seed-tts-3' })));
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(/model/);
		expect(`${result.error.message} ${result.error.description ?? ''}`).toMatch(/seed-tts-2\.0-expressive, seed-tts-2\.0-standard/);
		expect(sim.createsReceived()).toHaveLength(0);
	});

	test('an empty text fails before any paid call', async () => {
		const result = await run(sim, linear(generate({ taskType: 'text_to_speech', model: model('seed-tts-2.0'), prompt: '  ', modelSettings: settings({}) })));
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(/Prompt/);
		expect(sim.createsReceived()).toHaveLength(0);
	});

	test('Create Task then Wait for Result: the speech defaults (3 s, 5 min) apply without options', async () => {
		const wf = linear(
			{ parameters: { operation: 'createTask', taskType: 'text_to_speech', model: model('seed-tts-2.0'), prompt: 'Hi.', modelSettings: settings({}) } },
			{ parameters: { operation: 'waitForResult', taskId: '={{ $json.taskId }}', options: {} } },
		);
		const started = Date.now();
		const result = await run(sim, wf);
		expect(result.status).toBe('success');
		expect(result.outputs['IMA 1'][0].binary.data.mimeType).toBe('audio/mpeg');
		const details = sim.requests.filter((r: any) => r.route === 'detail');
		// Speech is done after 0.05 s (10 simulated s at speed 200): the check right after the
		// create finds it running, the next one, 3 s later (music would wait 5, video 8), done.
		expect(details.length).toBeGreaterThanOrEqual(2);
		const gap = details[1].time - details[0].time;
		expect(gap).toBeGreaterThanOrEqual(2900);
		expect(gap).toBeLessThan(4900);
		expect(Date.now() - started).toBeLessThan(15000);
	});

	test('the editor: speech models and seed-tts-2.0 settings (model, speaker, ssml, text)', async () => {
		const creds = credsFor(sim);
		const list = await callNodeMethod({ kind: 'listSearch', method: 'searchModels', parameters: { operation: 'generate', taskType: 'text_to_speech' }, credentials: creds });
		expect(list.results.map((r: any) => r.value)).toEqual(['seed-tts-1.1', 'seed-tts-2.0']);
		const { fields } = await callNodeMethod({
			kind: 'resourceMapping',
			method: 'getModelSettings',
			parameters: { operation: 'generate', taskType: 'text_to_speech', model: { __rl: true, mode: 'list', value: 'seed-tts-2.0' } },
			credentials: creds,
		});
		expect(fields.map((f: any) => f.id)).toEqual(['model', 'speaker', 'ssml', 'text']);
		expect(fields[0]).toMatchObject({ type: 'options', defaultValue: 'seed-tts-2.0-expressive' });
	});

	test('List Models lists both speech models with their prices', async () => {
		const result = await run(sim, linear({ parameters: { operation: 'listModels', taskType: 'text_to_speech' } }));
		expect(result.status).toBe('success');
		const items = result.outputs.IMA.map((i: any) => i.json);
		expect(items.map((i: any) => i.id)).toEqual(['seed-tts-1.1', 'seed-tts-2.0']);
		expect(items[1].prices).toEqual([expect.objectContaining({ credits: 2, default: true })]);
	});

	test('the example workflow examples/text-to-speech.json makes an MP3', async () => {
		const wf = JSON.parse(fs.readFileSync(path.join(__dirname, '../../examples/text-to-speech.json'), 'utf8'));
		wf.nodes[1].parameters.options = { ...FAST };
		const result = await run(sim, wf);
		expect(result.status).toBe('success');
		expect(result.outputs['Generate Speech'][0].binary.data.mimeType).toBe('audio/mpeg');
	});
});
