import { buildCreatePlan } from '../../nodes/Ima/helpers/createBody';
import { isDefaultRule, normalizeRuleValue, selectCreditRule } from '../../nodes/Ima/helpers/credit';
import { modelFields } from '../../nodes/Ima/helpers/formFields';
import type { ImaCreditRule, ModelVersion, Primitive } from '../../nodes/Ima/helpers/types';
import { FIXTURES, model } from './fixtures';

/**
 * The user settings that make the node send exactly `rule.attributes`, going through virtual
 * fields backwards (e.g. Kling's `mode: pro` is picked as `quality: 1080p`). Undefined when the
 * rule cannot be reached in this task type (a value the form does not offer or disables).
 */
function settingsFor(version: ModelVersion, taskType: string, rule: ImaCreditRule): Record<string, Primitive> | undefined {
	const fields = modelFields(version, taskType);
	const settings: Record<string, Primitive> = {};
	for (const [key, value] of Object.entries(rule.attributes)) {
		if (key === 'default') continue;
		const direct = fields.find((f) => f.id === key && !f.virtual);
		if (direct) {
			const ok = direct.kind !== 'options' || direct.options!.some((o) => normalizeRuleValue(o.value) === normalizeRuleValue(value));
			if (!ok) return undefined;
			settings[key] = value;
			continue;
		}
		const form = version.form_config!.find((f) => f.field === key);
		const mapping = form?.value_mapping?.mapping_rules?.find((r) => normalizeRuleValue(r.target_value) === normalizeRuleValue(value));
		if (!form?.is_ui_virtual || !mapping) return undefined;
		Object.assign(settings, mapping.source_values);
	}
	return settings;
}

describe('credit rule selection', () => {
	test.each([
		['boolean', true, 'true'],
		['boolean false', false, 'false'],
		['string', ' 720p ', '720P'],
		['number', 5, '5'],
	])('normalises %s', (_name, input, expected) => {
		expect(normalizeRuleValue(input)).toBe(expected);
	});

	// Every priced combination of every fixture model: set the settings that send the rule's
	// attributes, build the create body, and check the body is charged exactly that rule.
	const cases: Array<[string, string, ModelVersion, ImaCreditRule]> = [];
	for (const { taskType, models } of FIXTURES) {
		for (const version of models) {
			for (const rule of version.credit_rules ?? []) cases.push([taskType, `${version.id} #${rule.attribute_id}`, version, rule]);
		}
	}
	test.each(cases)('%s %s: the body is charged its own rule', (taskType, _label, version, rule) => {
		if (isDefaultRule(rule)) {
			const plan = buildCreatePlan({ version, taskType, prompt: 'x' });
			expect(plan.rule).toBe(rule);
			return;
		}
		const settings = settingsFor(version, taskType, rule);
		if (!settings) {
			// Not reachable by choice in this task type: one of its attributes is a field the form
			// does not show here (Midjourney's resolution in text_to_image) or a value it does not
			// offer (Hailuo 02's 512P in text_to_video). Such a rule can only be IMA's fallback.
			const fields = modelFields(version, taskType);
			const unreachable = Object.entries(rule.attributes).some(([k, val]) => {
				const f = fields.find((x) => x.target === k);
				return !f || (!f.virtual && f.kind === 'options' && !f.options!.some((o) => normalizeRuleValue(o.value) === normalizeRuleValue(val)));
			});
			expect(unreachable).toBe(true);
			return;
		}
		const plan = buildCreatePlan({ version, taskType, prompt: 'x', settings });
		expect(plan.rule).toBe(rule);
		const p = plan.body.parameters[0];
		expect(p.credit).toBe(rule.points);
		expect(p.attribute_id).toBe(rule.attribute_id);
		expect(p.parameters.cast).toEqual({ points: rule.points, attribute_id: rule.attribute_id });
	});

	test('every fixture model has a priced default', () => {
		for (const { taskType, models } of FIXTURES) {
			for (const version of models) {
				const plan = buildCreatePlan({ version, taskType, prompt: 'x' });
				expect(version.credit_rules).toContain(plan.rule);
				expect(plan.credit).toBe(plan.rule.points);
			}
		}
	});

	test.each([
		// [task type, model, settings, expected points, expected attribute_id, why]
		['text_to_image', 'gemini-3.1-flash-image-preview', {}, 6, 4401, 'default size 1K'],
		['text_to_image', 'gemini-3.1-flash-image-preview', { size: '4K' }, 13, 4403, 'not credit_rules[0]'],
		['text_to_image', 'doubao-seedream-4-5-251128', { aspect_ratio: '16:9' }, 5, 2341, 'default rule'],
		['text_to_image', 'midjourney', {}, 8, 4390, 'resolution is disabled for text_to_image: first compatible rule'],
		['text_to_video', 'doubao-seedance-1-5-pro-251215', { generate_audio: false, duration: 8, resolution: '480p' }, 16, 2089, 'boolean attribute'],
		['text_to_video', 'doubao-seedance-1-5-pro-251215', {}, 30, 2084, 'defaults: 4 s, audio, 720p'],
		['text_to_video', 'kling-video-o1', { quality: '1080p', duration: '10' }, 120, 2316, 'virtual quality → mode pro'],
		['text_to_video', 'sora-2-pro', { duration: '12' }, 480, 1979, 'string durations'],
		['text_to_video', 'wan2.6-t2v', { duration: 15, resolution: '720P' }, 75, 2061, 'upper-case values'],
		['text_to_video', 'ima-pro', { duration: 15 }, 315, 4515, 'duration 15, default 720p'],
	] as Array<['text_to_image' | 'text_to_video', string, Record<string, unknown>, number, number, string]>)('%s %s %j → %i credits (%s)', (taskType, id, settings, points, attributeId) => {
		const plan = buildCreatePlan({ version: model(taskType, id), taskType, prompt: 'x', settings: { ...settings } });
		expect([plan.credit, plan.rule.attribute_id]).toEqual([points, attributeId]);
	});

	test('no rule at all for a conflicting combination', () => {
		const rules: ImaCreditRule[] = [
			{ points: 1, attribute_id: 1, attributes: { duration: 5 } },
			{ points: 2, attribute_id: 2, attributes: { duration: 10 } },
		];
		expect(selectCreditRule(rules, { duration: 7 }).how).toBe('none');
		expect(selectCreditRule(rules, { duration: '10' }).rule?.attribute_id).toBe(2);
	});
});
