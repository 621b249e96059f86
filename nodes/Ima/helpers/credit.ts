/**
 * Credit rules: which `credit_rules[]` entry IMA charges for the parameters actually sent.
 * `credit`, `attribute_id` and `cast` of a create call all come from that one rule.
 */
import type { ImaCreditRule, Primitive } from './types';

/** IMA's normalisation: booleans to "true"/"false", anything else trimmed and upper-cased. */
export function normalizeRuleValue(value: unknown): string {
	if (typeof value === 'boolean') return value ? 'true' : 'false';
	return String(value).trim().toUpperCase();
}

export function isDefaultRule(rule: ImaCreditRule): boolean {
	const attrs = rule.attributes ?? {};
	return String((attrs as Record<string, unknown>).default ?? '') === 'enabled';
}

function attributeEntries(rule: ImaCreditRule): Array<[string, Primitive]> {
	return Object.entries(rule.attributes ?? {}).filter(([key]) => key !== 'default');
}

export type RuleMatch =
	| { rule: ImaCreditRule; how: 'exact' | 'default' | 'partial' }
	| { rule: undefined; how: 'none' };

/**
 * Chooses the rule the way IMA does:
 * 1. the first non-default rule whose attributes all equal the sent parameters;
 * 2. else the `{default: "enabled"}` rule;
 * 3. else, among non-default rules that agree with every attribute the request does send
 *    (attributes of fields not sent, such as a field disabled for the category, are ignored),
 *    the one with most matches (the first on ties);
 * 4. else none: IMA answers 6009, the combination is not sold.
 */
export function selectCreditRule(rules: ImaCreditRule[] | undefined, params: Record<string, unknown>): RuleMatch {
	const list = rules ?? [];
	const sent = new Map<string, string>();
	for (const [key, value] of Object.entries(params)) {
		if (value === undefined || value === null) continue;
		sent.set(key.trim().toLowerCase(), normalizeRuleValue(value));
	}
	const nonDefault = list.filter((r) => !isDefaultRule(r) && attributeEntries(r).length > 0);

	for (const rule of nonDefault) {
		const entries = attributeEntries(rule);
		if (entries.every(([k, v]) => sent.get(k.trim().toLowerCase()) === normalizeRuleValue(v))) {
			return { rule, how: 'exact' };
		}
	}
	const fallback = list.find(isDefaultRule);
	if (fallback) return { rule: fallback, how: 'default' };

	let best: ImaCreditRule | undefined;
	let bestCount = -1;
	for (const rule of nonDefault) {
		let count = 0;
		let conflict = false;
		for (const [k, v] of attributeEntries(rule)) {
			const got = sent.get(k.trim().toLowerCase());
			if (got === undefined) continue;
			if (got === normalizeRuleValue(v)) count++;
			else conflict = true;
		}
		if (!conflict && count > bestCount) {
			best = rule;
			bestCount = count;
		}
	}
	if (best) return { rule: best, how: 'partial' };
	if (list.length === 1 && attributeEntries(list[0]).length === 0) return { rule: list[0], how: 'default' };
	return { rule: undefined, how: 'none' };
}

/** "duration=5, resolution=720p → 65 credits" lines, for errors and List Models. */
export function describeRule(rule: ImaCreditRule): string {
	const entries = attributeEntries(rule);
	const cond = entries.length ? entries.map(([k, v]) => `${k}=${String(v)}`).join(', ') : 'any settings';
	return `${cond} → ${rule.points} credits`;
}
