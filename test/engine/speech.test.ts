/** Text to Speech: the prompt is the text to speak, the model's settings are sent, MP3 audio comes out. */
import * as fs from 'fs';
import * as path from 'path';

import { credsFor, FAST, generate, isMp3, linear, model, run, settings, useSimulator, withClock, type Sim } from './setup';

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
		// On the test's clock: time moves only when the node waits, so the check right after the
		// create finds the speech (10 simulated s) running, the next one, 3 s later, done.
		await withClock(async (clock) => {
			const result = await run(sim, wf);
			expect(result.status).toBe('success');
			expect(result.outputs['IMA 1'][0].binary.data.mimeType).toBe('audio/mpeg');
			const details = sim.requests.filter((r: any) => r.route === 'detail');
			expect(details.map((r: any) => r.time - details[0].time)).toEqual([0, 3000]); // music would wait 5 s, video 8 s
			expect(clock.sleeps.filter((s: any) => s.ms < 60_000).map((s: any) => s.ms)).toEqual([3000]);
		});
		// A speech that never finishes: given up after 5 minutes of polls every 3 s.
		sim.reset();
		sim.queueTask({ neverFinish: true });
		await withClock(async (clock) => {
			const result = await run(sim, wf);
			expect(result.status).toBe('error');
			expect(result.error.message).toMatch(/Timed out after 300 s waiting for IMA task/);
			const details = sim.requests.filter((r: any) => r.route === 'detail').map((r: any) => r.time - clock.startTime);
			expect(details[0]).toBe(0);
			expect(details.slice(1, 4)).toEqual([3000, 6000, 9000]);
			expect(details[details.length - 1]).toBe(300_000);
		});
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
