/**
 * JSON read from IMA with large integers kept as their digits (helpers/rawJson.ts), compared
 * with JSON.parse on tricky texts: every text without an integer beyond 2^53 reads exactly as
 * JSON.parse reads it (even when it holds long runs of digits), and text that is not JSON stays
 * not JSON.
 */
import { parseServerJson, quoteBigIntegers } from '../../nodes/Ima/helpers/rawJson';

const D20 = '12345678901234567890';

describe('texts without an integer beyond 2^53 read as JSON.parse reads them, unchanged', () => {
	test.each([
		['2^53 - 1', '{"id":9007199254740991}'],
		['-(2^53 - 1)', '{"id":-9007199254740991}'],
		['15 digits', '[999999999999999,-999999999999999]'],
		['a fraction with a leading 0 and 20 digits', `{"x":0.${D20}}`],
		['a negative fraction with a leading 0', `{"x":-0.${D20}}`],
		['a fraction of 20 + 20 digits', `{"x":${D20}.${D20}}`],
		['an exponent, lower case', `{"x":${D20}e5}`],
		['an exponent, upper case', `{"x":${D20}E5}`],
		['an exponent with a sign', `{"x":${D20}e+5,"y":${D20}E-5}`],
		['a negative with an exponent', `{"x":-${D20}e-3}`],
		['a fraction with an exponent', `{"x":1.${D20}e10}`],
		['a fraction at the very end of the text', `1.${D20}`],
		['an exponent at the very end of the text', `${D20}e1`],
		['digits inside a string', `{"s":"${D20}"}`],
		['digits after an escaped quote inside a string', `{"s":"a \\" ${D20}"}`],
		['digits after an escaped backslash inside a string', `{"s":"a \\\\","t":"${D20}"}`],
		['digits in a key', `{"${D20}":1}`],
		['a string that ends with a backslash escape, then a number', `["\\\\",1.${D20}]`],
		['nested arrays and objects', `{"a":[{"b":[0.${D20},{"c":"${D20}"}]}],"d":-1e-7}`],
		['unicode escapes in a string', `{"s":"\\u0022${D20}\\u005c"}`],
		['white space around numbers', ` [ 1.${D20} ,\n\t-2 ] `],
	])('%s', (_name, text) => {
		expect(quoteBigIntegers(text)).toBe(text);
		expect(parseServerJson(text)).toEqual(JSON.parse(text));
	});
});

describe('integers beyond 2^53 keep their digits, everything around them reads as JSON.parse reads it', () => {
	test.each([
		['2^53', '{"id":9007199254740992}', { id: '9007199254740992' }],
		['2^53 + 1', '{"id":9007199254740993}', { id: '9007199254740993' }],
		['-(2^53 + 1)', '{"id":-9007199254740993}', { id: '-9007199254740993' }],
		['20 digits', `{"id":${D20}}`, { id: D20 }],
		['at the very start and end of the text', D20, D20],
		['a negative at the very end of the text', `-${D20}`, `-${D20}`],
		['in an array, next to a fraction and an exponent', `[${D20},0.${D20},${D20}e2,-${D20}]`, [D20, 0.12345678901234568, 1.2345678901234568e21, `-${D20}`]],
		['after a string with an escaped quote and digits', `{"s":"\\"${D20}\\"","id":${D20}}`, { s: `"${D20}"`, id: D20 }],
		['nested', `{"a":{"b":[{"c":${D20}}],"n":-12.5e-1}}`, { a: { b: [{ c: D20 }], n: -1.25 } }],
		['white space around', ` { "id" :\n${D20} } `, { id: D20 }],
	])('%s', (_name, text, value) => {
		expect(parseServerJson(text)).toEqual(value);
	});
});

describe('text that is not JSON stays not JSON', () => {
	test.each([
		['a minus sign without digits', `{"a":-,"b":${D20}}`],
		['a lone minus in an array', `[-, ${D20}]`],
		['an HTML page with digits', `<html>${D20}</html>`],
		['a number with two fractions', `[${D20}.1.2]`],
		['an unterminated string', `{"a":"${D20}`],
	])('%s', (_name, text) => {
		expect(() => JSON.parse(text)).toThrow(SyntaxError);
		expect(() => parseServerJson(text)).toThrow(SyntaxError);
	});
});
