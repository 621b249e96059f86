/**
 * The redaction of the API key (nodes/Ima/helpers/redact.ts), form by form, with the exact text
 * that comes out: the key must be gone in every form it is read in, and the text around it must
 * stay as it was (a redaction that takes too much or too little shows in the exact output).
 *
 * Each test loads the module afresh (jest.isolateModules): its tables (named entities, the
 * base64, hex and printable-run patterns, the window size) are made when the module loads and
 * its key's pieces are cached for the last key, so a test that loads it itself is the one that
 * runs them (see docs/MUTATION.md, "Two traps").
 */
import type * as Redact from '../../nodes/Ima/helpers/redact';

function fresh(): typeof Redact {
	let m: typeof Redact | undefined;
	jest.isolateModules(() => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		m = require('../../nodes/Ima/helpers/redact') as typeof Redact;
	});
	return m!;
}

/** Written out, not imported: a changed marker must show here. */
const R = '[redacted]';
/** 24 characters: a piece of 12 counts as a leak. */
const K = 'ima_Sk7Qp2Lm9Xw4Rt6Zy8Nb';
/** 27 characters (pieces of 14) with `ch` in the middle: neither side (13) is a leak on its own, so only a form read with `ch` in it is found. */
const keyWith = (ch: string) => `ima_Sk7Qp2Lm9${ch}Xw4Rt6Zy8Nb_q`;
/** keyWith(ch) with `ch` written as `form`. */
const written = (ch: string, form: string) => keyWith(ch).replace(ch, form);
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const hex = (s: string) => Buffer.from(s).toString('hex');
const everyByte = (s: string, prefix = '%') => [...Buffer.from(s)].map((b) => `${prefix}${b.toString(16).padStart(2, '0')}`).join('');
const code4 = (s: string, prefix: string, upper = false) =>
	[...s].map((c) => `${prefix}${c.charCodeAt(0).toString(16).padStart(4, '0')}`).map((e) => (upper ? e.toUpperCase() : e)).join('');
const nTimes = (n: number, f: (s: string) => string, s: string) => Array.from({ length: n }).reduce<string>((acc) => f(acc), s);

describe('escapes: the key written in any escape is gone, the text around it stays', () => {
	test.each([
		['%XX for every byte', everyByte(K)],
		['%XX, upper-case hex', everyByte(K).toUpperCase()],
		['%uXXXX', code4(K, '%u')],
		['%UXXXX (capital U, capital hex)', code4(K, '%u', true)],
		['\\uXXXX', code4(K, '\\u')],
		['\\UXXXX', code4(K, '\\U')],
		['\\u{X}', [...K].map((c) => `\\u{${c.charCodeAt(0).toString(16)}}`).join('')],
		['\\u{0000069} (7 digits)', `\\u{0000069}${K.slice(1)}`],
		['\\xXX', everyByte(K, '\\x')],
		['\\XXX', everyByte(K, '\\X')],
		['HTML decimal entities', [...K].map((c) => `&#${c.charCodeAt(0)};`).join('')],
		['HTML hex entities, capital X', [...K].map((c) => `&#X${c.charCodeAt(0).toString(16)};`).join('')],
		['%XX four times over (%25252569…)', nTimes(4, everyByte, K)],
		['upper case', K.toUpperCase()],
		['upper case with a dotted capital I (İ)', K.toUpperCase().replace('I', '\u0130')],
		['twice in a row (one marker)', K + K],
		['broken over two lines (one marker)', `${K.slice(0, 14)}\n${K.slice(14)}`],
	])('%s', (_name, form) => {
		expect(fresh().redact(`a «${form}» b`, K)).toBe(`a «${R}» b`);
	});

	const named: Array<[string, string]> = [
		['amp', '&'], ['lt', '<'], ['gt', '>'], ['quot', '"'], ['apos', "'"], ['plus', '+'], ['sol', '/'], ['bsol', '\\'],
		['equals', '='], ['lowbar', '_'], ['period', '.'], ['colon', ':'], ['semi', ';'], ['comma', ','], ['num', '#'],
		['percnt', '%'], ['excl', '!'], ['quest', '?'], ['commat', '@'], ['dollar', '$'], ['lpar', '('], ['rpar', ')'],
		['ast', '*'], ['hyphen', '-'], ['dash', '-'], ['lsqb', '['], ['rsqb', ']'], ['lbrack', '['], ['rbrack', ']'],
		['lcub', '{'], ['rcub', '}'], ['lbrace', '{'], ['rbrace', '}'], ['verbar', '|'], ['vert', '|'], ['grave', '`'],
		['hat', '^'], ['tilde', '~'], ['nbsp', ' '], ['newline', '\n'], ['tab', '\t'], ['space', ' '], ['SOL', '/'],
	];
	test.each(named)('the named entity &%s; in the key', (name, ch) => {
		expect(fresh().redact(`a «${written(ch, `&${name};`)}» b`, keyWith(ch))).toBe(`a «${R}» b`);
	});

	const simple: Array<[string, string]> = [
		['\\/', '/'], ['\\\\', '\\'], ['\\"', '"'], ["\\'", "'"], ['\\n', '\n'], ['\\r', '\r'], ['\\t', '\t'],
		['\\b', '\b'], ['\\f', '\f'], ['\\+', '+'], ['\\=', '='],
	];
	test.each(simple)('the escape %j in the key', (form, ch) => {
		expect(fresh().redact(`a «${written(ch, form)}» b`, keyWith(ch))).toBe(`a «${R}» b`);
	});

	test.each([
		['&#0; (code 0)', '\0', '&#0;'],
		['&#x10FFFF; (the last code point)', '\u{10ffff}', '&#x10FFFF;'],
		['\\u{10ffff} (the last code point)', '\u{10ffff}', '\\u{10ffff}'],
		['a key with a non-ASCII letter, as it is', 'é', 'é'],
	])('%s', (_name, ch, form) => {
		expect(fresh().redact(`a «${written(ch, form)}» b`, keyWith(ch))).toBe(`a «${R}» b`);
	});

	// What only looks like an escape is text: it stays, and never eats the escape that follows.
	test.each([
		['"%6" (one hex digit)', `%6%69${K.slice(1)}`, `%6${R}`],
		['"%uz" (not hex)', `%uz%69${K.slice(1)}`, `%uz${R}`],
		['"%z" (not hex)', `%z%69${K.slice(1)}`, `%z${R}`],
		['"\\uzz" (not hex)', `\\uzz%69${K.slice(1)}`, `\\uzz${R}`],
		['"\\xz" (not hex)', `\\xz%69${K.slice(1)}`, `\\xz${R}`],
		['"\\u{69q}" (not hex)', `\\u{69q}${K.slice(1)}`, `\\u{69q}${R}`],
		['"&" before an entity', `&&#105;${K.slice(1)}`, `&${R}`],
		['"\\q" (no such escape)', `\\q${K}`, `\\q${R}`],
		['"&#x110000;" (past the last code point)', `&#x110000;${K}`, `&#x110000;${R}`],
		['"\\u{110000}" (past the last code point)', `\\u{110000}${K}`, `\\u{110000}${R}`],
		['a backslash at the end', `${K}\\`, `${R}\\`],
	])('%s', (_name, text, out) => {
		expect(fresh().redact(text, K)).toBe(out);
	});

	// An escape cut off by the end of the text is no escape (the key here ends with a tab, code 9).
	test.each([
		['%9', `${K}%9`],
		['%u9', `${K}%u9`],
		['\\u9', `${K}\\u9`],
		['\\x9', `${K}\\x9`],
	])('%s at the end of the text is left as it is', (tail, text) => {
		expect(fresh().redact(text, `${K}\t`)).toBe(`${R}${tail}`);
	});

	test('an entity needs its ";": "&sol" followed by a digit is text, not "/"', () => {
		const key = 'ima_Sk7Qp2Lm9/5Xw4Rt6Zy8Nb_';
		const { redact } = fresh();
		expect(redact('ima_Sk7Qp2Lm9&sol;5Xw4Rt6Zy8Nb_', key)).toBe(R);
		expect(redact('ima_Sk7Qp2Lm9&sol5Xw4Rt6Zy8Nb_', key)).toBe('ima_Sk7Qp2Lm9&sol5Xw4Rt6Zy8Nb_');
	});

	test('a text of nothing but "\\", "%" and "&" is decoded too', () => {
		// "\\\\" is one backslash: the key \%\% is in the decoded text only.
		expect(fresh().redact('\\\\%\\\\%', '\\%\\%')).toBe(R);
	});

	test('decoded four times over, not five (the documented depth)', () => {
		const { redact } = fresh();
		expect(redact(`x${nTimes(4, everyByte, K)}`, K)).toBe(`x${R}`);
		const five = `x${nTimes(5, everyByte, K)}`;
		expect(redact(five, K)).toBe(five);
	});
});

describe('letter case: the text keeps its characters in their places', () => {
	test.each([
		['ß (upper case: two letters)', 'straße '],
		['İ (lower case: two characters)', '\u0130 '],
		['ﬁ (upper case: two letters)', 'ﬁle '],
	])('%s before the key', (_name, before) => {
		expect(fresh().redact(`${before}${K} after`, K)).toBe(`${before}${R} after`);
	});
});

describe('base64 and hex: the characters that carry the key, no more', () => {
	test.each([
		['base64', b64(K), R],
		['base64 at byte offset 1 (the last group, one byte of the key, stays)', b64(`x${K}`), `${R}Yg==`],
		['base64 at byte offset 2', b64(`xy${K}`), `${R}TmI=`],
		['base64 URL-safe at byte offset 2', b64(`xy${K}`).replace(/\+/g, '-').replace(/\//g, '_'), `${R}TmI=`],
		['base64 of a 25-character key (padded)', b64(`${K}Q`), `${R}UQ==`],
		['base64 of exactly one piece (16 characters)', b64(K.slice(0, 12)), R],
		['base64 after a padded base64 word ("=" ends a text)', `eHk=${b64(K)}`, `eHk=${R}`],
		['base64 broken by spaces', b64(K).replace(/(.{8})/g, '$1 '), `${R} `],
		['base64 of base64', b64(b64(K)), `${R}NWk=`],
		['base64 of binary bytes and the %XX key', b64(Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from(everyByte(K))])), `AAEC${R}`],
		['base64 of the %XX key broken by vertical tabs', b64(`${everyByte(K.slice(0, 8))}\v${everyByte(K.slice(8, 16))}\v${everyByte(K.slice(16))}`), `${R}NjI=`],
		['hex', hex(K), R],
		['hex of exactly one piece (24 characters)', hex(K.slice(0, 12)), R],
		['hex after "Bearer "', hex(`Bearer ${K}`), `${hex('Bearer ')}${R}`],
		['hex after one more hex digit', `5${hex(K)}`, `5${R}`],
		['hex with colons between bytes', `x:${hex(K).match(/../g)!.join(':')}:y`, `x:${R}:y`],
		['hex with dashes between bytes', hex(K).match(/../g)!.join('-'), R],
		['hex with spaces between bytes', hex(K).match(/../g)!.join(' '), R],
		['hex at the start of the text', `${hex(K)} tail`, `${R} tail`],
	])('%s', (_name, text, out) => {
		expect(fresh().redact(text, K)).toBe(out);
	});

	test('a key with a non-ASCII letter, in base64 and hex (its UTF-8 bytes)', () => {
		const key = keyWith('é');
		const { redact } = fresh();
		expect(redact(`a ${b64(key)} b`, key)).toBe(`a ${R}cQ== b`);
		expect(redact(`a ${hex(key)} b`, key)).toBe(`a ${R} b`);
		// Inside base64, its %XX form is read as the bytes it names.
		expect(redact(`a ${b64(everyByte(key))} b`, key)).toBe(`a ${R} b`);
	});

	test('two layers of base64 are opened, not three (the documented depth)', () => {
		const three = b64(b64(b64(K)));
		expect(fresh().redact(three, K)).toBe(three);
	});
});

describe('keys of every length', () => {
	test('a 4-character key is redacted; a 3-character one is no key', () => {
		const { redact, pieceLengthOf } = fresh();
		expect(redact('a abcd b', 'abcd')).toBe(`a ${R} b`);
		expect(redact('a abc b', 'abc')).toBe('a abc b');
		expect(pieceLengthOf('abc')).toBe(0);
		expect(pieceLengthOf(keyWith('é'))).toBe(14);
	});

	test('a piece just shorter than pieceLength stays; one of pieceLength goes', () => {
		const { redact } = fresh();
		expect(redact(`a ${K.slice(0, 11)} b`, K)).toBe(`a ${K.slice(0, 11)} b`);
		expect(redact(`a ${K.slice(0, 12)} b`, K)).toBe(`a ${R} b`);
		// A piece's span ends where the match ends, at either edge of the key.
		expect(redact(`${K.slice(12)}${K[0]}!`, K)).toBe(`${R}${K[0]}!`);
		expect(redact(`${K[12]}${'~'.repeat(11)}${K.slice(0, 12)}tail`, K)).toBe(`${K[12]}${'~'.repeat(11)}${R}tail`);
	});
});

describe('secretSpans', () => {
	test('where the key is, merged; nothing in a value that is not a string (a JavaScript caller)', () => {
		const { secretSpans } = fresh();
		expect(secretSpans(`a ${K} b ${hex(K)}`, K)).toEqual([[2, 26], [29, 77]]);
		expect(secretSpans([K] as unknown as string, K)).toEqual([]);
		expect(secretSpans('', K)).toEqual([]);
	});
});

describe('a text longer than the 4 MiB window', () => {
	test('the key across the first window edge is found whole, at its place', () => {
		const key = keyWith('é');
		const head = '.'.repeat(4 * 1024 * 1024 - 10);
		const out = fresh().redact(`${head}${key} tail`, key);
		expect(out.length).toBe(head.length + R.length + 5);
		expect(out.endsWith(`.${R} tail`)).toBe(true);
	});
});

describe('redactValue', () => {
	test('a string alone', () => {
		expect(fresh().redactValue(`k=${K}`, K)).toBe(`k=${R}`);
	});

	test('without a usable key the value itself comes back', () => {
		const value = { a: K };
		expect(fresh().redactValue(value, undefined)).toBe(value);
		expect(fresh().redactValue(value, 'abc')).toBe(value);
	});

	test('arrays: every element, the same length', () => {
		const out = fresh().redactValue({ list: [K, 'x', 3, [K]] }, K);
		expect(out).toStrictEqual({ list: [R, 'x', 3, [R]] });
		expect(out.list).toHaveLength(4);
	});

	test('an object without a prototype is copied as one', () => {
		const value = Object.assign(Object.create(null) as Record<string, unknown>, { k: K, inner: { v: K } });
		const out = fresh().redactValue(value, K);
		expect(Object.getPrototypeOf(out)).toBeNull();
		expect({ ...out }).toEqual({ k: R, inner: { v: R } });
	});

	test('a Date, a Buffer and a class instance are kept as they are', () => {
		class Box {
			constructor(public v: string) {}
		}
		const date = new Date(0);
		const buffer = Buffer.from(K);
		const box = new Box(K);
		const out = fresh().redactValue({ date, buffer, box, s: K }, K);
		expect(out.date).toBe(date);
		expect(out.buffer).toBe(buffer);
		expect(out.box).toBe(box);
		expect(out.s).toBe(R);
	});

	test('keys that become the same are numbered; an unchanged key that meets a redacted one too', () => {
		const { redactValue } = fresh();
		const three = redactValue({ [K]: 1, [K.toUpperCase()]: 2, [`${everyByte(K)}`]: 3 }, K);
		expect(Object.entries(three)).toEqual([[R, 1], [`${R} (2)`, 2], [`${R} (3)`, 3]]);
		const met = redactValue({ [K]: 1, [R]: 2 }, K);
		expect(Object.entries(met)).toEqual([[R, 1], [`${R} (2)`, 2]]);
	});

	test('the copy is an ordinary object: its fields can be changed and deleted', () => {
		const out = fresh().redactValue({ a: K, b: 'x' }, K) as Record<string, unknown>;
		out.a = 'changed';
		delete out.b;
		expect(out).toEqual({ a: 'changed' });
		expect(Object.keys(out)).toEqual(['a']);
	});
});
