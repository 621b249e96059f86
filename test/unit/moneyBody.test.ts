/**
 * The create body's money rules: the charged rule's attributes are sent (a field the form hides
 * included), the user's own value is kept, n and image counts are checked before any paid call;
 * and IMA's deadline must be a real time to shorten the wait.
 */
import { buildCreatePlan } from '../../nodes/Ima/helpers/createBody';
import { SettingsError } from '../../nodes/Ima/helpers/formFields';
import { waitDeadline } from '../../nodes/Ima/helpers/polling';
import type { ModelVersion } from '../../nodes/Ima/helpers/types';
import { model } from './fixtures';

const synthetic = (nOptions?: number[]): ModelVersion =>
	({
		id: 'v',
		type: '3',
		model_id: 'm',
		name: 'Synth',
		credit_rules: [
			{ points: 7, attribute_id: 70, attributes: { quality: 'HD', mode: 'pro' } },
			{ points: 3, attribute_id: 30, attributes: { default: 'enabled' } },
		],
		form_config: [
			{ field: 'quality', type: 'tags', value: 'sd', options: [{ value: 'sd' }, { value: 'hd' }] },
			...(nOptions ? [{ field: 'n', type: 'tags', value: nOptions[0], options: nOptions.map((value) => ({ value })) }] : []),
		],
	}) as unknown as ModelVersion;

describe('the charged rule is what is sent', () => {
	test("Midjourney text_to_image: resolution is hidden by the form, but the rule's value is sent", () => {
		const plan = buildCreatePlan({ version: model('text_to_image', 'midjourney'), taskType: 'text_to_image', prompt: 'x' });
		expect(plan.rule.attribute_id).toBe(4390);
		expect(plan.params.resolution).toBe('480p');
		expect(plan.body.parameters[0].parameters).toMatchObject({ resolution: '480p', cast: { points: 8, attribute_id: 4390 } });
	});

	test("a value equal to the rule's after normalisation is kept as the user sent it; missing ones are added", () => {
		const plan = buildCreatePlan({ version: synthetic(), taskType: 'text_to_image', prompt: 'x', settings: { quality: 'hd' } });
		expect(plan.rule.attribute_id).toBe(30);
		const exact = buildCreatePlan({
			version: { ...synthetic(), credit_rules: [{ points: 7, attribute_id: 70, attributes: { quality: 'HD', mode: 'pro' } }] } as ModelVersion,
			taskType: 'text_to_image',
			prompt: 'x',
			settings: { quality: 'hd' },
		});
		expect(exact.rule.attribute_id).toBe(70);
		expect(exact.params).toEqual({ quality: 'hd', mode: 'pro' });
		expect(exact.body.parameters[0].parameters).toMatchObject({ quality: 'hd', mode: 'pro' });
	});

	test("a sent value that differs from the partial rule's is replaced by the rule's", () => {
		const version = {
			...synthetic(),
			credit_rules: [{ points: 9, attribute_id: 90, attributes: { quality: 'sd', speed: 'fast', prompt: 'never', default: 'x' } }],
		} as unknown as ModelVersion;
		const plan = buildCreatePlan({ version, taskType: 'text_to_image', prompt: 'mine' });
		expect(plan.params).toEqual({ quality: 'sd', speed: 'fast' });
		expect(plan.body.parameters[0].parameters.prompt).toBe('mine');
	});
});

describe('checked before any paid call', () => {
	test.each([
		[0, false],
		[1, true],
		[4, true],
		[5, false],
		[2.5, false],
	])('n = %p allowed: %p', (n, ok) => {
		const run = () => buildCreatePlan({ version: synthetic(), taskType: 'text_to_image', prompt: 'x', n });
		if (ok) expect(run().n).toBe(n);
		else expect(run).toThrow(SettingsError);
	});

	test.each([
		[[1, 2], 2, true],
		[[1, 2], 3, false],
		[['1'], 1, true],
	])('model n options %p, n = %p allowed: %p', (options, n, ok) => {
		const run = () => buildCreatePlan({ version: synthetic(options as number[]), taskType: 'text_to_image', prompt: 'x', n });
		if (ok) expect(run().totalCredits).toBe(3 * n);
		else expect(run).toThrow(/Outputs per Task \(n\) = 3 is not available for Synth\. Allowed values: 1, 2/);
	});

	test.each([
		['image_to_image', 0, 'image_to_image takes 1 to 10 input images, got 0'],
		['image_to_image', 11, 'image_to_image takes 1 to 10 input images, got 11'],
		['image_to_video', 2, 'image_to_video takes exactly 1 input image, got 2'],
		['first_last_frame_to_video', 1, 'first_last_frame_to_video takes exactly 2 input images (first frame, then last frame), got 1'],
		['text_to_image', 1, 'text_to_image takes no input images'],
	])('%s with %i images is refused', (taskType, count, message) => {
		const images = Array.from({ length: count }, (_, i) => `https://img/${i}.png`);
		expect(() => buildCreatePlan({ version: synthetic(), taskType, prompt: 'x', images })).toThrow(message);
	});

	test('a prompt that is not text is empty', () => {
		expect(() => buildCreatePlan({ version: synthetic(), taskType: 'text_to_image', prompt: 5 as unknown as string })).toThrow(/Prompt is empty/);
	});
});

describe("IMA's deadline only counts when it is a real time", () => {
	test.each([NaN, Infinity, -Infinity])('timeout_at %p: the user timeout', (timeoutAt) => {
		expect(waitDeadline(1000, 5000, 100, timeoutAt)).toBe(6000);
	});
});
