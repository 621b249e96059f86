/**
 * List Models › Options › Sort By (issue #19): the order of the model items. IMA's order stays
 * the default, so saved workflows get what they got before.
 */
import type { IDataObject } from 'n8n-workflow';

import { modelSummary, sortModels, SORT_ORDERS } from '../../nodes/Ima/actions/listModels.operation';
import { model } from './fixtures';

const m = (id: string, name: string, minCredits: number | null): IDataObject => ({ id, name, minCredits });
// IMA's order: b, a, c, free, a2 (a and a2 share a price; "free" has no price rule).
const LIST = [m('b', 'Beta', 10), m('a', 'alpha', 4), m('c', 'Gamma 10', 25), m('free', 'Zeta', null), m('a2', 'Gamma 9', 4)];
const ids = (list: IDataObject[]) => list.map((x) => x.id);

describe('sortModels', () => {
	test.each([
		['default', ['b', 'a', 'c', 'free', 'a2']],
		['nameAsc', ['a', 'b', 'a2', 'c', 'free']],
		['nameDesc', ['free', 'c', 'a2', 'b', 'a']],
		['priceAsc', ['a', 'a2', 'b', 'c', 'free']],
		['priceDesc', ['c', 'b', 'a', 'a2', 'free']],
	] as const)('%s', (order, expected) => {
		expect(ids(sortModels([...LIST], order))).toEqual(expected);
	});

	test('default returns the list as IMA sent it (the very array)', () => {
		const list = [...LIST];
		expect(sortModels(list, 'default')).toBe(list);
	});

	test('the orders are the five documented ones', () => {
		expect([...SORT_ORDERS]).toEqual(['default', 'nameAsc', 'nameDesc', 'priceAsc', 'priceDesc']);
	});
});

describe('the price range on each item', () => {
	test('minCredits and maxCredits come from the credit rules', () => {
		const v = model('text_to_image', 'gemini-3.1-flash-image-preview');
		const s = modelSummary(v, 'text_to_image');
		const points = (v.credit_rules ?? []).map((r) => r.points);
		expect(s).toMatchObject({ minCredits: Math.min(...points), maxCredits: Math.max(...points) });
	});

	test('a model without rules has null prices', () => {
		const v = { ...model('text_to_image', 'doubao-seedream-4-5-251128'), credit_rules: [] };
		expect(modelSummary(v, 'text_to_image')).toMatchObject({ minCredits: null, maxCredits: null, prices: [] });
	});
});
