import { buildCreatePlan } from '../../nodes/Ima/helpers/createBody';
import { modelFields, resolveSettings, SettingsError } from '../../nodes/Ima/helpers/formFields';
import { model } from './fixtures';

const ids = (fields: ReturnType<typeof modelFields>) => fields.map((f) => f.id);

describe('model fields from form_config', () => {
	test('virtual fields are shown by their ui_params and sent as their target', () => {
		const seedream = model('text_to_image', 'doubao-seedream-4-5-251128');
		const fields = modelFields(seedream, 'text_to_image');
		expect(ids(fields)).toEqual(['aspect_ratio']);
		expect(fields[0]).toMatchObject({ target: 'size', virtual: true, default: '4k', kind: 'options' });
		expect(resolveSettings(seedream, 'text_to_image', { aspect_ratio: '16:9' })).toEqual({ size: '2560x1440' });
		expect(resolveSettings(seedream, 'text_to_image', {})).toEqual({ size: '4k' });

		const kling = model('text_to_video', 'kling-video-o1');
		expect(ids(modelFields(kling, 'text_to_video'))).toEqual(['duration', 'aspect_ratio', 'quality']);
		expect(resolveSettings(kling, 'text_to_video', { quality: '1080p' })).toMatchObject({ mode: 'pro' });
	});

	test('a virtual default comes from its ui_param (ima-pro shows 1:1)', () => {
		const imaPro = model('text_to_video', 'ima-pro');
		expect(resolveSettings(imaPro, 'text_to_video', {}).aspect_ratio).toBe('1:1');
		expect(resolveSettings(imaPro, 'text_to_video', { aspect_ratio: 'adaptive' }).aspect_ratio).toBe('auto');
	});

	test('fields disabled for the category are left out', () => {
		const mj = model('text_to_image', 'midjourney');
		expect(ids(modelFields(mj, 'text_to_image'))).toEqual([]); // n is reserved, resolution disabled
		expect(ids(modelFields(mj, 'image_to_video'))).toEqual(['resolution']);
		expect(resolveSettings(mj, 'text_to_image', {})).toEqual({});
	});

	test('options disabled for the category are removed and defaults move to an allowed one', () => {
		const veo = model('text_to_video', 'veo-3.1-generate-preview');
		const ref = modelFields(veo, 'reference_image_to_video');
		const byId = Object.fromEntries(ref.map((f) => [f.id, f]));
		expect(byId.duration.options!.map((o) => o.value)).toEqual([8]);
		expect(byId.duration.default).toBe(8);
		expect(byId.aspect_ratio.options!.map((o) => o.value)).toEqual(['16:9']);
		expect(byId.resolution.default).toBe('1080p');
		const t2v = Object.fromEntries(modelFields(veo, 'text_to_video').map((f) => [f.id, f]));
		expect(t2v.duration.options!.map((o) => o.value)).toEqual([4, 6, 8]);
		expect(t2v.duration.default).toBe(4);
	});

	test('values keep the option type of the model: "5" from an expression is sent as 5', () => {
		const seedance = model('text_to_video', 'ima-pro');
		expect(resolveSettings(seedance, 'text_to_video', { duration: '10', audio: 'false' })).toMatchObject({ duration: 10, audio: false });
		const sora = model('text_to_video', 'sora-2-pro');
		expect(resolveSettings(sora, 'text_to_video', { duration: 8 })).toMatchObject({ duration: '8' });
	});

	test.each([
		['a value outside the options', 'text_to_video', 'wan2.6-t2v', { resolution: '4K' }, 'resolution', /Allowed values: 720P, 1080P/],
		['an unknown field', 'text_to_video', 'wan2.6-t2v', { fps: 60 }, 'fps', /Its parameters: duration, aspect_ratio, resolution, negative_prompt, prompt_extend, shot_type/],
		['a non-boolean toggle', 'text_to_video', 'wan2.6-t2v', { prompt_extend: 'maybe' }, 'prompt_extend', /Allowed values: true, false/],
		['too long a text', 'text_to_video', 'veo-3.1-generate-preview', { negative_prompt: 'x'.repeat(201) }, 'negative_prompt', /at most 200/],
		['a disabled option', 'reference_image_to_video', 'veo-3.1-generate-preview', { duration: 4 }, 'duration', /Allowed values: 8$/],
		['a virtual value without mapping', 'text_to_image', 'doubao-seedream-4-5-251128', { aspect_ratio: '5:4' }, 'aspect_ratio', /Allowed values: 2k, 4k, 1:1/],
	] as const)('rejects %s, naming the parameter', (_name, taskType, id, settings, parameter, message) => {
		const fixture = taskType === 'text_to_image' ? 'text_to_image' : 'text_to_video';
		const run = () => resolveSettings(model(fixture, id), taskType, { ...settings });
		expect(run).toThrow(SettingsError);
		try {
			run();
		} catch (e) {
			expect((e as SettingsError).parameter).toBe(parameter);
			expect((e as SettingsError).message).toMatch(message);
		}
	});

	test("Midjourney's n field limits Outputs per Task", () => {
		expect(() => buildCreatePlan({ version: model('text_to_image', 'midjourney'), taskType: 'text_to_image', prompt: 'x', n: 2 })).toThrow(
			/n\) = 2 is not available for Midjourney. Allowed values: 1/,
		);
	});
});

describe('create body', () => {
	test('matches the seed client body, with the prompt nested and the matched rule', () => {
		const version = model('text_to_image', 'doubao-seedream-4-5-251128');
		const plan = buildCreatePlan({ version, taskType: 'text_to_image', prompt: '  mountain sunset  ', settings: { aspect_ratio: '1:1' } });
		expect(plan.body).toEqual({
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
					parameters: {
						prompt: 'mountain sunset',
						n: 1,
						input_images: [],
						cast: { points: 5, attribute_id: 2341 },
						size: '2048x2048',
					},
				},
			],
		});
		expect(plan.body).not.toHaveProperty('prompt');
	});

	test('n multiplies the total', () => {
		const plan = buildCreatePlan({ version: model('text_to_image', 'gemini-3-pro-image-preview'), taskType: 'text_to_image', prompt: 'x', n: 3, settings: { size: '4K' } });
		expect([plan.credit, plan.totalCredits, plan.body.parameters[0].parameters.n]).toEqual([18, 54, 3]);
	});

	test.each([
		['an empty prompt', { prompt: '   ' }, 'prompt', /Prompt is empty/],
		['n = 5', { n: 5 }, 'options.n', /1 to 4/],
		['n = 1.5', { n: 1.5 }, 'options.n', /1 to 4/],
		['one image for first/last frames', { taskType: 'first_last_frame_to_video', images: ['https://a/1.png'] }, 'images', /exactly 2 input images \(first frame, then last frame\), got 1/],
		['images for a text task', { images: ['https://a/1.png'] }, 'images', /takes no input images/],
		['no image for image_to_video', { taskType: 'image_to_video', images: [] }, 'images', /exactly 1 input image, got 0/],
	] as const)('rejects %s before any call', (_name, overrides, parameter, message) => {
		const input = { version: model('text_to_video', 'kling-v2-6'), taskType: 'text_to_video', prompt: 'x', ...overrides } as Parameters<typeof buildCreatePlan>[0];
		try {
			buildCreatePlan(input);
			throw new Error('expected a SettingsError');
		} catch (e) {
			expect(e).toBeInstanceOf(SettingsError);
			expect((e as SettingsError).parameter).toBe(parameter);
			expect((e as SettingsError).message).toMatch(message);
		}
	});

	test('first and last frames go to src_img_url and input_images in order', () => {
		const frames = ['https://cdn.example/first.png', 'https://cdn.example/last.png'];
		const plan = buildCreatePlan({ version: model('text_to_video', 'kling-v2-6'), taskType: 'first_last_frame_to_video', prompt: 'x', images: frames });
		expect(plan.body.src_img_url).toEqual(frames);
		expect(plan.body.parameters[0].parameters.input_images).toEqual(frames);
		// sound "on" is disabled for first_last_frame_to_video
		expect(() => buildCreatePlan({ version: model('text_to_video', 'kling-v2-6'), taskType: 'first_last_frame_to_video', prompt: 'x', images: frames, settings: { sound: 'on' } })).toThrow(/Allowed values: off/);
	});
});

describe('conditional disabling (disabled_key / disabled_value)', () => {
	const version = {
		id: 'v1',
		type: '3',
		model_id: 'm',
		name: 'Cond',
		credit_rules: [{ points: 1, attribute_id: 1, attributes: { default: 'enabled' } }],
		form_config: [
			{ field: 'resolution', type: 'tags', value: '720p', options: [{ value: '480p' }, { value: '720p' }] },
			{
				field: 'generate_audio',
				type: 'toggle',
				value: false,
				disabled_conditions: [{ category: 'text_to_video', enum_value: true, disabled_key: 'resolution', disabled_value: '480p' }],
			},
			{
				field: 'style',
				type: 'tags',
				value: 'a',
				options: [{ value: 'a' }, { value: 'b' }],
				disabled_conditions: [{ category: 'text_to_video', enum_value: '*', disabled_key: 'resolution', disabled_value: '480p' }],
			},
		],
	} as any;
	test.each([
		['allowed: audio at 720p', { generate_audio: true, resolution: '720p' }, undefined],
		['refused: audio while resolution is 480p', { generate_audio: true, resolution: '480p', style: '' }, /generate_audio: "true" is not available for Cond while resolution is 480p/],
		['refused: any style while resolution is 480p ("*")', { resolution: '480p' }, /style: "a" is not available for Cond while resolution is 480p/],
		['another category is not affected', { generate_audio: true, resolution: '480p' }, undefined, 'image_to_video'],
	])('%s', (_name, values, error, category = 'text_to_video') => {
		const run = () => resolveSettings(version, category as string, values as Record<string, unknown>);
		if (error) expect(run).toThrow(error as RegExp);
		else expect(run).not.toThrow();
	});
});

describe('conditional disabling of a field that has no value', () => {
	const version = {
		id: 'v2',
		type: '3',
		model_id: 'm2',
		name: 'Mood',
		credit_rules: [{ points: 1, attribute_id: 1, attributes: { default: 'enabled' } }],
		form_config: [
			{ field: 'resolution', type: 'tags', value: '720p', options: [{ value: '480p' }, { value: '720p' }] },
			{
				field: 'mood',
				type: 'input',
				value: null,
				disabled_conditions: [{ category: 'text_to_video', enum_value: '*', disabled_key: 'resolution', disabled_value: '480p' }],
			},
		],
	} as any;
	test('unset and without a default: nothing is sent, so nothing is disabled', () => {
		expect(resolveSettings(version, 'text_to_video', { resolution: '480p' })).toEqual({ resolution: '480p' });
	});
	test('set: refused while the condition holds', () => {
		expect(() => resolveSettings(version, 'text_to_video', { resolution: '480p', mood: 'calm' })).toThrow(/mood: "calm" is not available for Mood while resolution is 480p/);
		expect(resolveSettings(version, 'text_to_video', { resolution: '720p', mood: 'calm' })).toEqual({ resolution: '720p', mood: 'calm' });
	});
});
