/** The JSON options (Model Settings (JSON), Additional Parameters (JSON)): read, checked, named in errors. */
import { readJsonObject } from '../../nodes/Ima/run/options';
import { ItemError } from '../../nodes/Ima/run/errors';

describe('readJsonObject', () => {
	test.each([
		[{}, {}],
		[{ x: undefined }, {}],
		[{ x: null }, {}],
		[{ x: '' }, {}],
		[{ x: '   ' }, {}],
		[{ x: '{}' }, {}],
		[{ x: '{"duration": 10, "aspect_ratio": "16:9"}' }, { duration: 10, aspect_ratio: '16:9' }],
		[{ x: { duration: 10 } }, { duration: 10 }],
		[{ x: '{"audio_params": {"emotion": "sad"}}' }, { audio_params: { emotion: 'sad' } }],
	])('%j → %j', (options, expected) => {
		expect({ ...readJsonObject(options, 'x', 'X (JSON)') }).toEqual(expected);
	});

	test.each([
		[{ x: '{duration: 10}' }, /X \(JSON\) is not valid JSON/],
		[{ x: '[1, 2]' }, /must be a JSON object .*got a list/],
		[{ x: '12' }, /must be a JSON object .*got a number/],
		[{ x: 'null' }, /must be a JSON object .*got null/],
		[{ x: ['a'] }, /got a list/],
		[{ x: true }, /got a boolean/],
	])('%j is refused, naming the option', (options, message) => {
		let error: unknown;
		try {
			readJsonObject(options, 'x', 'X (JSON)');
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(ItemError);
		expect((error as ItemError).message).toMatch(message);
		expect((error as ItemError).details.parameter).toBe('options.x');
		expect((error as ItemError).details.charge).toBe('none');
	});

	test('"__proto__" and "constructor" are plain keys, never the prototype', () => {
		const out = readJsonObject({ x: '{"__proto__": {"polluted": 1}, "constructor": "c"}' }, 'x', 'X');
		expect(Object.getPrototypeOf(out)).toBeNull();
		expect(Object.keys(out).sort()).toEqual(['__proto__', 'constructor']);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	});
});

describe('Additional Parameters (JSON) in the create body', () => {
	// eslint-disable-next-line @typescript-eslint/no-var-requires
	const { buildCreatePlan } = require('../../nodes/Ima/helpers/createBody');
	// eslint-disable-next-line @typescript-eslint/no-var-requires
	const { model } = require('./fixtures');
	// eslint-disable-next-line @typescript-eslint/no-var-requires
	const { SettingsError } = require('../../nodes/Ima/helpers/formFields');
	const tts = () => model('text_to_speech', 'seed-tts-2.0');

	test('merged into the nested parameters, objects kept as they are', () => {
		const plan = buildCreatePlan({ version: tts(), taskType: 'text_to_speech', prompt: 'hi', additional: { audio_params: { emotion: 'sad', speech_rate: 10 }, additions: '{}' } });
		expect(plan.body.parameters[0].parameters).toMatchObject({ model: 'seed-tts-2.0-expressive', audio_params: { emotion: 'sad', speech_rate: 10 }, additions: '{}', prompt: 'hi', n: 1 });
	});

	test('they take part in price-rule matching', () => {
		const version = tts();
		version.credit_rules = [{ points: 3, origin_point: 3, attribute_id: 4420, attributes: { quality: 'hd' } }, ...(version.credit_rules ?? [])];
		const plain = buildCreatePlan({ version, taskType: 'text_to_speech', prompt: 'hi' });
		expect(plain.body.parameters[0]).toMatchObject({ credit: 2, attribute_id: 4419 });
		const hd = buildCreatePlan({ version, taskType: 'text_to_speech', prompt: 'hi', additional: { quality: 'HD' } });
		expect(hd.body.parameters[0]).toMatchObject({ credit: 3, attribute_id: 4420, parameters: { quality: 'HD', cast: { points: 3, attribute_id: 4420 } } });
	});

	test.each([
		[{ prompt: 'other' }, /may not set prompt/],
		[{ n: 4 }, /may not set n/],
		[{ cast: { points: 0, attribute_id: 1 } }, /may not set cast/],
		[{ input_images: ['https://x/a.png'] }, /may not set input_images/],
		[{ images: [] }, /may not set images/],
		[{ src_img_url: [] }, /may not set src_img_url/],
		[{ speaker: 'x' }, /speaker is a setting of seed-tts-2\.0: set it in Model Settings/],
		[{ model: 'seed-tts-2.0-standard', text: 'x' }, /model, text are settings of seed-tts-2\.0/],
	])('%j is refused, naming the option', (additional, message) => {
		let error: unknown;
		try {
			buildCreatePlan({ version: tts(), taskType: 'text_to_speech', prompt: 'hi', additional });
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(SettingsError);
		expect((error as Error).message).toMatch(message);
		expect((error as { parameter: string }).parameter).toBe('options.additionalParameters');
	});
});
