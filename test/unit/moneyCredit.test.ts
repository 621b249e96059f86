/**
 * Rule choice with rule sets made for it (the fixtures rarely have an exact rule beside a default
 * one): exact before default before partial, IMA's normalisation of keys and values, the lone
 * rule without attributes, and the price lines of errors.
 */
import { describeRule, isDefaultRule, selectCreditRule } from '../../nodes/Ima/helpers/credit';
import type { ImaCreditRule } from '../../nodes/Ima/helpers/types';

const r = (id: number, attributes: Record<string, string | number | boolean>): ImaCreditRule => ({ points: id * 10, attribute_id: id, attributes });

const WITH_DEFAULT = [r(1, { duration: '5', resolution: '720p' }), r(2, { duration: '10', resolution: '720p' }), r(3, { default: 'enabled' })];
const NO_DEFAULT = [r(1, { a: 1, b: 2 }), r(2, { a: 1, c: 3 }), r(4, { a: 2 })];

describe('selectCreditRule', () => {
	test.each([
		['exact beats the default', WITH_DEFAULT, { duration: 5, resolution: '720P' }, 1, 'exact'],
		['exact, other parameters ignored', WITH_DEFAULT, { duration: '10', resolution: ' 720p ', style: 'x' }, 2, 'exact'],
		['keys are trimmed and lower-cased', WITH_DEFAULT, { ' Duration ': 10, RESOLUTION: '720p' }, 2, 'exact'],
		['no exact: the default', WITH_DEFAULT, { duration: 7, resolution: '720p' }, 3, 'default'],
		['null is not sent', WITH_DEFAULT, { duration: 10, resolution: null }, 3, 'default'],
		['undefined is not sent', WITH_DEFAULT, { duration: 5, resolution: undefined }, 3, 'default'],
		['exact without a default', NO_DEFAULT, { a: 1, c: 3 }, 2, 'exact'],
		['partial: the one agreeing with what is sent', NO_DEFAULT, { a: 1, b: 9 }, 2, 'partial'],
		['partial: most matches wins', [r(1, { a: 1, x: 1 }), r(2, { a: 1, c: 3, x: 2 })], { a: 1, c: 3 }, 2, 'partial'],
		['partial: the first on ties', NO_DEFAULT, { a: 1 }, 1, 'partial'],
		['partial: unsent attributes are ignored', [r(1, { a: 1, b: 2 }), r(2, { a: 1, b: 2, c: 3 })], { a: 1, b: 2, c: null }, 1, 'exact'],
		['partial with a conflict on every rule: none', NO_DEFAULT, { a: 3 }, undefined, 'none'],
		['a lone rule without attributes', [r(9, {})], { a: 1 }, 9, 'default'],
		['a rule without attributes among others is never exact', [r(9, {}), r(1, { a: 1 })], { a: 1 }, 1, 'exact'],
		['two rules without attributes: none', [r(9, {}), r(8, {})], { a: 1 }, undefined, 'none'],
		['no rules', [], { a: 1 }, undefined, 'none'],
		['partial: a null value is not sent, so it conflicts with nothing', NO_DEFAULT, { a: 1, b: null }, 1, 'partial'],
		['rule keys are trimmed and lower-cased too', [r(1, { ' A ': 1 }), r(2, { b: 1 })], { a: 1 }, 1, 'exact'],
		['partial: rule keys are trimmed', [r(1, { ' A ': 1, x: 1 }), r(2, { b: 1, y: 1 })], { a: 1 }, 1, 'partial'],
		['a lone rule with attributes that conflict: none', [r(1, { a: 1 })], { a: 2 }, undefined, 'none'],
		['booleans', [r(1, { audio: true }), r(2, { audio: false })], { audio: false }, 2, 'exact'],
	] as Array<[string, ImaCreditRule[], Record<string, unknown>, number | undefined, string]>)('%s', (_name, rules, params, id, how) => {
		const m = selectCreditRule(rules, params);
		expect(m.how).toBe(how);
		expect(m.rule?.attribute_id).toBe(id);
	});

	test('no rule list at all', () => {
		expect(selectCreditRule(undefined, {})).toEqual({ rule: undefined, how: 'none' });
	});

	test.each([
		[{ default: 'enabled' }, true],
		[{ default: 'enabled', duration: 5 }, true],
		[{ default: 'disabled' }, false],
		[{}, false],
		[undefined, false],
	])('isDefaultRule(%p) → %p', (attributes, expected) => {
		expect(isDefaultRule({ points: 1, attribute_id: 1, attributes } as unknown as ImaCreditRule)).toBe(expected);
	});

	test('the default rule attribute never makes a rule exact', () => {
		const rules = [r(1, { default: 'enabled', a: 1 }), r(2, { a: 1 })];
		expect(selectCreditRule(rules, { a: 1 }).rule?.attribute_id).toBe(2);
	});
});

describe('describeRule', () => {
	test.each([
		[r(1, { duration: '5', resolution: '720p' }), 'duration=5, resolution=720p → 10 credits'],
		[r(3, { default: 'enabled' }), 'any settings → 30 credits'],
		[r(2, {}), 'any settings → 20 credits'],
	])('%j', (rule, text) => {
		expect(describeRule(rule)).toBe(text);
	});
});
