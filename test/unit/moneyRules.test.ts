/**
 * Price-rule choice and the create body, exactly (helpers/credit.ts, helpers/createBody.ts).
 * Written for the mutants the full mutation tier left alive (docs/MUTATION.md): each test names
 * the money fact it holds.
 */
import { buildCreatePlan } from '../../nodes/Ima/helpers/createBody';
import { selectCreditRule } from '../../nodes/Ima/helpers/credit';
import { SettingsError } from '../../nodes/Ima/helpers/formFields';
import type { ImaCreditRule, ModelVersion } from '../../nodes/Ima/helpers/types';

const r = (id: number, attributes: Record<string, string | number | boolean>): ImaCreditRule => ({ points: id * 10, attribute_id: id, attributes });

describe('selectCreditRule: a value left undefined is not sent, in every step', () => {
	test('partial match: an undefined parameter does not conflict with a rule', () => {
		expect(selectCreditRule([r(1, { a: 1, b: 2 })], { a: 1, b: undefined })).toEqual({ rule: r(1, { a: 1, b: 2 }), how: 'partial' });
	});
});

describe('selectCreditRule: rule keys are read the same way in every step (trimmed, any case)', () => {
	test('partial match: a spaced key in a rule still conflicts with what is sent', () => {
		// Rule 1 asks for 1080p under " Resolution ", the request sends 720p: rule 1 conflicts, rule 2 is charged.
		const rules = [r(1, { ' Resolution ': '1080p', quality: 'high' }), r(2, { resolution: '720p', duration: '10' })];
		expect(selectCreditRule(rules, { resolution: '720p', quality: 'high' })).toMatchObject({ rule: { attribute_id: 2 }, how: 'partial' });
	});
});

// ---- helpers/createBody.ts ----

const version = (rules: unknown, form: unknown[] = [{ field: 'quality', type: 'tags', value: 'sd', options: [{ value: 'sd' }, { value: 'hd' }] }]): ModelVersion =>
	({ id: 'v', type: '3', model_id: 'm', name: 'Synth', credit_rules: rules, form_config: form }) as unknown as ModelVersion;
const plan = (v: ModelVersion, extra: Record<string, unknown> = {}) => buildCreatePlan({ version: v, taskType: 'text_to_image', prompt: 'x', ...extra });
const refusal = (run: () => unknown): SettingsError => {
	try {
		run();
	} catch (error) {
		if (error instanceof SettingsError) return error;
		throw error;
	}
	throw new Error('no SettingsError');
};
const DEFAULT_RULE = { points: 3, attribute_id: 30, attributes: { default: 'enabled' } };

describe('buildCreatePlan: every refusal names its parameter and says what to do, before any paid call', () => {
	test('Additional Parameters that the node sets: one key, then two', () => {
		expect(refusal(() => plan(version([DEFAULT_RULE]), { additional: { Prompt: 'x' } }))).toMatchObject({
			parameter: 'options.additionalParameters',
			message: 'Additional Parameters (JSON) may not set Prompt: the node sets it (Prompt, Outputs per Task, the input images and the price)',
		});
		expect(refusal(() => plan(version([DEFAULT_RULE]), { additional: { n: 2, cast: {} } })).message).toBe(
			'Additional Parameters (JSON) may not set n, cast: the node sets them (Prompt, Outputs per Task, the input images and the price)',
		);
	});

	test('Additional Parameters may not set the input media fields, in any case or spacing; other keys pass', () => {
		// The module is loaded inside the test: its list of the node's own keys is made at load.
		jest.isolateModules(() => {
			// eslint-disable-next-line @typescript-eslint/no-require-imports
			const fresh = require('../../nodes/Ima/helpers/createBody') as typeof import('../../nodes/Ima/helpers/createBody');
			const v = version([DEFAULT_RULE]);
			const check = (additional: Record<string, unknown>) => () => fresh.checkAdditional(v, 'text_to_image', additional);
			for (const key of ['prompt', 'input_images', 'images', 'src_image', 'src_video', 'src_audio', ' SRC_Audio ']) {
				expect(check({ [key]: 'x' })).toThrow(`may not set ${key}: the node sets it`);
			}
			expect(check({ audio_params: { voice: 'a' }, style: 'x' })).not.toThrow();
			expect(fresh.fieldKey(' Src_Image ')).toBe('src_image');
		});
	});

	test("Additional Parameters that are the model's settings: one key, then two", () => {
		const form = [
			{ field: 'quality', type: 'tags', value: 'sd', options: [{ value: 'sd' }] },
			{ field: 'size', type: 'tags', value: 's', options: [{ value: 's' }] },
		];
		expect(refusal(() => plan(version([DEFAULT_RULE], form), { additional: { ' Size ': 's' } })).message).toBe(
			'Additional Parameters (JSON):  Size  is a setting of Synth: set it in Model Settings (or Model Settings (JSON)), where the value is checked',
		);
		expect(refusal(() => plan(version([DEFAULT_RULE], form), { additional: { size: 's', quality: 'sd' } })).message).toBe(
			'Additional Parameters (JSON): size, quality are settings of Synth: set them in Model Settings (or Model Settings (JSON)), where the value is checked',
		);
	});

	test("an n the model does not offer names Outputs per Task (options.n)", () => {
		const form = [{ field: 'n', type: 'tags', value: 1, options: [{ value: 1 }, { value: 2 }] }];
		expect(refusal(() => plan(version([DEFAULT_RULE], form), { n: 3 })).parameter).toBe('options.n');
	});

	test('settings IMA does not sell: the combination sent and the priced ones, in Model Settings', () => {
		const rules = [{ points: 7, attribute_id: 70, attributes: { quality: 'hd', mode: 'pro' } }];
		expect(refusal(() => plan(version(rules), { additional: { extra: { a: 1 } } }))).toMatchObject({
			parameter: 'modelSettings',
			message: 'IMA does not sell Synth with quality=sd, extra={"a":1}. Priced combinations: quality=hd, mode=pro → 7 credits',
		});
		expect(refusal(() => plan(version([{ points: 7, attribute_id: 70, attributes: { quality: 'hd' } }, { points: 9, attribute_id: 90, attributes: { quality: 'uhd' } }]))).message).toBe(
			'IMA does not sell Synth with quality=sd. Priced combinations: quality=hd → 7 credits; quality=uhd → 9 credits',
		);
	});

	test('no price list and nothing sent', () => {
		expect(refusal(() => plan(version(undefined, [])))).toMatchObject({
			parameter: 'modelSettings',
			message: 'IMA does not sell Synth with these settings. Priced combinations: (none)',
		});
	});
});

describe("buildCreatePlan: the charged rule's price as IMA's list gives it", () => {
	const priced = (points: unknown, attributeId: unknown) => plan(version([{ points, attribute_id: attributeId, attributes: { default: 'enabled' } }]));

	test.each([
		[12, 40, 12, 40],
		['12', '40', 12, 40],
		[' 7 ', ' 41 ', 7, 41],
		[0, 42, 0, 42],
	])('points %p, attribute_id %p → credit %p, attribute %p', (points, attributeId, credit, attribute) => {
		const p = priced(points, attributeId);
		expect(p.credit).toBe(credit);
		expect(p.body.parameters[0]).toMatchObject({ credit, attribute_id: attribute });
		expect(p.body.parameters[0].parameters.cast).toEqual({ points: credit, attribute_id: attribute });
	});

	test.each([
		['', 40],
		[' ', 40],
		[null, 40],
		[undefined, 40],
		['ten', 40],
		[-1, 40],
		[Number.NaN, 40],
		[Number.POSITIVE_INFINITY, 40],
		[5, ''],
		[5, ' '],
		[5, null],
		[5, 'x'],
		[5, Number.NaN],
	])('points %p, attribute_id %p: no usable price, refused naming Model', (points, attributeId) => {
		const e = refusal(() => priced(points, attributeId));
		expect(e.parameter).toBe('model');
		expect(e.message).toBe(
			`IMA's product list has no usable price for Synth (points ${JSON.stringify(points)}, attribute_id ${JSON.stringify(attributeId)}): pick another model or try again later`,
		);
	});
});

describe("buildCreatePlan: the charged rule's attributes are what is sent", () => {
	test("a parameter left null is sent as the rule's value", () => {
		const v = version([{ points: 7, attribute_id: 70, attributes: { quality: 'HD', mode: 'pro' } }]);
		const p = plan(v, { settings: { quality: 'hd' }, additional: { mode: null } });
		expect(p.rule.attribute_id).toBe(70);
		expect(p.params).toEqual({ quality: 'hd', mode: 'pro' });
		expect(p.body.parameters[0].parameters).toMatchObject({ quality: 'hd', mode: 'pro' });
	});
});
