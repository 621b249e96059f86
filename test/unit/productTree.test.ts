import { describeModel, findModelVersion, flattenProductTree, priceRange } from '../../nodes/Ima/helpers/productTree';
import type { ImaProductNode } from '../../nodes/Ima/helpers/types';
import { loadFixture } from './fixtures';

const v = (id: string, modelId = id): ImaProductNode => ({ id, type: '3', model_id: modelId, name: id.toUpperCase() });

describe('product tree', () => {
	test.each([
		['flat list of versions', [v('a'), v('b')], ['a', 'b']],
		['two levels', [{ id: 'g', type: '2', children: [v('a')] }], ['a']],
		['four levels (missed by a two-level flattener)', [{ id: 'g', type: '2', children: [{ id: 's', type: '2', children: [{ id: 't', type: '2', children: [v('deep')] }] }, v('b')] }], ['deep', 'b']],
		['numeric type is accepted', [{ id: 'g', type: 2 as unknown as string, children: [{ ...v('a'), type: 3 as unknown as string }] }], ['a']],
		['junk is ignored', [null, 5, { id: 'g', type: '2', children: null }], []],
	])('%s', (_name, tree, expected) => {
		expect(flattenProductTree(tree).map((n) => n.id)).toEqual(expected);
	});

	test('finds by version id, then by model id (first version), then case-insensitively', () => {
		const versions = loadFixture('text_to_video');
		expect(findModelVersion(versions, 'Pixverse V5')?.id).toBe('Pixverse V5');
		expect(findModelVersion(versions, 'pixverse')?.id).toBe('Pixverse V5.5');
		expect(findModelVersion(versions, 'WAN2.6-T2V')?.id).toBe('wan2.6-t2v');
		expect(findModelVersion(versions, '  ')).toBeUndefined();
		expect(findModelVersion(versions, 'nope')).toBeUndefined();
	});

	test('describes a model with group, price and expected time', () => {
		const t2i = loadFixture('text_to_image');
		const nano = t2i.find((m) => m.id === 'gemini-3.1-flash-image-preview')!;
		expect(describeModel(nano)).toBe('Nano Banana 2 · Nano Banana · 4–13 credits · 20~35s');
		expect(priceRange(t2i.find((m) => m.id === 'doubao-seedream-4-5-251128')!)).toBe('5');
	});
});
