/**
 * Settings beyond the Model Settings list: Model Settings (JSON) for a model that is not fixed
 * (an expression, an AI Agent in ID mode). Every bad input fails before any paid call.
 */
import { generate, linear, model, run, settings, useSimulator, withItems, type Sim } from './setup';

const env = useSimulator();
let sim: Sim;
beforeEach(() => {
	sim = env.sim;
});

const sentParams = () => sim.createsReceived().map((r: any) => r.body.parameters[0].parameters);
const errorText = (result: any) => `${result.error?.message ?? ''} ${result.error?.description ?? ''}`;

describe('Model Settings (JSON)', () => {
	test('a model chosen by expression gets its settings from the JSON, checked against its own form', async () => {
		const wf = withItems(
			linear(
				generate({
					taskType: 'text_to_video',
					model: { __rl: true, mode: 'id', value: '={{ $json.model }}' },
					modelSettings: settings({}),
				}, { modelSettingsJson: '={{ JSON.stringify($json.settings) }}' }),
			),
			[
				{ json: { model: 'kling-v2-6', settings: { duration: 10 } } },
				{ json: { model: 'doubao-seedance-1-5-pro-251215', settings: { duration: 8, resolution: '720p' } } },
			],
		);
		const result = await run(sim, wf);
		expect(result.status).toBe('success');
		const sent = sentParams();
		expect(sent).toHaveLength(2);
		const byModel = Object.fromEntries(sim.createsReceived().map((r: any) => [r.body.parameters[0].model_version, r.body.parameters[0].parameters]));
		expect(byModel['kling-v2-6']).toMatchObject({ duration: '10' }); // Kling lists its durations as text
		expect(byModel['doubao-seedance-1-5-pro-251215']).toMatchObject({ duration: 8, resolution: '720p' });
	});

	test('an object from an expression (as an AI Agent passes it) works too', async () => {
		const result = await run(sim, linear(generate({ taskType: 'text_to_image' }, { modelSettingsJson: '={{ { "aspect_ratio": "16:9" } }}' })));
		expect(result.status).toBe('success');
		expect(sentParams()[0]).toMatchObject({ size: '2560x1440' });
	});

	test('a setting in both: the JSON value wins over the Model Settings list', async () => {
		const result = await run(sim, linear(generate({ taskType: 'text_to_image', modelSettings: settings({ aspect_ratio: '1:1' }) }, { modelSettingsJson: '{"aspect_ratio": "16:9"}' })));
		expect(result.status).toBe('success');
		expect(sentParams()[0]).toMatchObject({ size: '2560x1440' });
	});

	test.each([
		[{ modelSettingsJson: '{"duration": 7}' }, /Model Settings \(JSON\) → duration: "7" is not available for Kling 2\.6\. Allowed values: 5, 10/, 'options.modelSettingsJson (duration)'],
		[{ modelSettingsJson: '{"colour": "red"}' }, /Model Settings \(JSON\) → colour is not a parameter of Kling 2\.6 for text_to_video\. Its parameters: .*duration/, 'options.modelSettingsJson (colour)'],
		[{ modelSettingsJson: '{duration: 10}' }, /Model Settings \(JSON\) is not valid JSON/, 'options.modelSettingsJson'],
		[{ modelSettingsJson: '[10]' }, /Model Settings \(JSON\) must be a JSON object/, 'options.modelSettingsJson'],
	])('%j fails before any paid call, naming the option and the allowed values', async (options, message, parameter) => {
		const result = await run(sim, linear(generate({ taskType: 'text_to_video', model: model('kling-v2-6') }, options)));
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(message);
		expect(errorText(result)).toContain(`Parameter: ${parameter}`);
		expect(sim.createsReceived()).toHaveLength(0);
		expect(sim.creditsCharged).toBe(0);
	});
});

describe('Additional Parameters (JSON)', () => {
	const speech = (options: Record<string, string>) =>
		generate({ taskType: 'text_to_speech', model: model('seed-tts-2.0'), prompt: 'Hello.' }, options);

	test("speech's audio_params reach the nested parameters, beside the form's settings", async () => {
		const result = await run(sim, linear(speech({ additionalParameters: '{"audio_params": {"emotion": "sad", "speech_rate": 10}}' })));
		expect(result.status).toBe('success');
		expect(sentParams()[0]).toMatchObject({ model: 'seed-tts-2.0-expressive', audio_params: { emotion: 'sad', speech_rate: 10 }, prompt: 'Hello.' });
	});

	test('they take part in price-rule matching: the server charges the rule they select', async () => {
		sim.patchVersion('text_to_speech', 'seed-tts-2.0', (v: any) => {
			v.credit_rules.unshift({ points: 3, origin_point: 3, attribute_id: 4420, attributes: { quality: 'hd' } });
		});
		const result = await run(sim, linear(speech({ additionalParameters: '{"quality": "hd"}' })));
		expect(result.status).toBe('success');
		expect(result.outputs.IMA[0].json.credits).toBe(3);
		expect(sim.creditsCharged).toBe(3);
		expect([...sim.tasks.values()][0].attributeId).toBe(4420);
	});

	test.each([
		[{ additionalParameters: '{"prompt": "something else"}' }, /may not set prompt/],
		[{ additionalParameters: '{"n": 4, "cast": {"points": 0}}' }, /may not set n, cast/],
		[{ additionalParameters: '{"speaker": "x"}' }, /speaker is a setting of seed-tts-2\.0/],
		[{ additionalParameters: '{"audio_params": ' }, /Additional Parameters \(JSON\) is not valid JSON/],
		[{ additionalParameters: '"sad"' }, /Additional Parameters \(JSON\) must be a JSON object/],
	])('%j fails before any paid call, naming the option', async (options, message) => {
		const result = await run(sim, linear(speech(options)));
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(message);
		expect(errorText(result)).toContain('Parameter: options.additionalParameters');
		expect(sim.createsReceived()).toHaveLength(0);
		expect(sim.creditsCharged).toBe(0);
	});
});

describe('virtual groups (several UI fields sent together as one field)', () => {
	const studio = (values: Record<string, string>, options: Record<string, string> = {}) =>
		generate({ taskType: 'text_to_music', model: model('genbgm-studio-v1'), prompt: 'calm piano', modelSettings: settings(values) }, options);

	test('shown as their UI fields, with their allowed values and defaults', async () => {
		// eslint-disable-next-line @typescript-eslint/no-var-requires
		const { callNodeMethod } = require('../harness/engine');
		const { fields } = await callNodeMethod({
			kind: 'resourceMapping',
			method: 'getModelSettings',
			parameters: { operation: 'generate', taskType: 'text_to_music', model: { __rl: true, mode: 'id', value: 'genbgm-studio-v1' } },
			credentials: { imaApi: { apiKey: sim.apiKey, baseUrl: sim.baseUrl, uploadBaseUrl: sim.uploadBaseUrl } },
		});
		expect(fields.map((f: any) => [f.id, f.defaultValue, f.options.map((o: any) => o.value)])).toEqual([
			['quality', 'standard', ['standard', 'high']],
			['channels', 'stereo', ['mono', 'stereo']],
		]);
	});

	test.each([
		[{}, 'standard_stereo', 4],
		[{ quality: 'standard', channels: 'mono' }, 'standard_mono', 4],
		[{ quality: 'high', channels: 'stereo' }, 'high_stereo', 6],
	])('%j is sent as audio_setting %s and charged %i', async (values, sent, credits) => {
		const result = await run(sim, linear(studio(values)));
		expect(result.status).toBe('success');
		const params = sentParams()[0];
		expect(params.audio_setting).toBe(sent);
		expect(params.quality).toBeUndefined();
		expect(params.channels).toBeUndefined();
		expect(sim.creditsCharged).toBe(credits);
	});

	test.each([
		[{ quality: 'high', channels: 'mono' }, {}, /quality=high, channels=mono is not available for GenBGM Studio\. Allowed values: quality=standard & channels=mono; quality=standard & channels=stereo; quality=high & channels=stereo/],
		[{ quality: 'high' }, {}, /channels: GenBGM Studio sends quality, channels together as audio_setting; set every one of them .*Allowed values: quality=standard & channels=mono/],
		[{}, { modelSettingsJson: '{"channels": "mono"}' }, /Model Settings → quality: .*set every one of them \(channels=mono given\)/],
	])('%j %j (an incomplete or unknown combination) fails before any paid call, listing the allowed ones', async (values, options, message) => {
		const result = await run(sim, linear(studio(values, options)));
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(message);
		expect(sim.createsReceived()).toHaveLength(0);
	});

	test('the simulator refuses the UI fields themselves (the server only knows audio_setting)', async () => {
		const result = await run(sim, linear(studio({}, { additionalParameters: '{"mood": "calm"}' })));
		expect(result.status).toBe('success');
		const body = JSON.parse(JSON.stringify(sim.createsReceived()[0].body));
		body.parameters[0].parameters.quality = 'high';
		const res = await fetch(`${sim.baseUrl}/open/v1/tasks/create`, { method: 'POST', headers: { Authorization: `Bearer ${sim.apiKey}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
		expect(await res.json()).toMatchObject({ code: 400, message: expect.stringMatching(/quality: a UI field of audio_setting/) });
	});
});
