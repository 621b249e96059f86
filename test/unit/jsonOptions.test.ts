/** The JSON options (Model Settings (JSON), Additional Parameters (JSON)): read, checked, named in errors. */
import { readJsonObject } from '../../nodes/Ima/actions/options';
import { ItemError } from '../../nodes/Ima/actions/errors';

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
