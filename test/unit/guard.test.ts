/**
 * The pure helpers of issue 16 (parts 2–5), table-driven: the one redaction of the key (every
 * encoding a server may echo), the host rule for URLs the node fetches, JSON read with large
 * integers kept, the content check of binary inputs, and Additional Parameters compared with the
 * form as IMA compares names.
 */
import { checkAdditional } from '../../nodes/Ima/helpers/createBody';
import { ContentCheck, ContentError, describeContent, sniffContent } from '../../nodes/Ima/helpers/contentCheck';
import { SettingsError } from '../../nodes/Ima/helpers/formFields';
import { classifyHost, hostAllowed, parseHostList, parseIPv4, parseIPv6 } from '../../nodes/Ima/helpers/hosts';
import { parseServerJson, quoteBigIntegers } from '../../nodes/Ima/helpers/rawJson';
import { containsSecret, pieceLengthOf, redact, redactValue, REDACTED } from '../../nodes/Ima/helpers/redact';
import { usableTaskId } from '../../nodes/Ima/create/outcome';
import { cleanError, cleanItem } from '../../nodes/Ima/run/exit';
import { bmp, gif, jpeg, mp3, mp4, png, tiff, wav, webp } from '../support/mediaFiles';
import { model } from './fixtures';

const KEY = 'ima_Sec/Ret+Key=Abc0123456789XYZ';
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const hex = (s: string) => Buffer.from(s).toString('hex');
const everyByte = (s: string, prefix = '%') => [...Buffer.from(s)].map((b) => `${prefix}${b.toString(16).padStart(2, '0')}`).join('');

/** An independent reading of "does the key show": the plain key and its simplest forms only. */
function plainLeaks(text: string): string[] {
	const lower = text.toLowerCase();
	return [KEY, encodeURIComponent(KEY), KEY.slice(0, 16), KEY.slice(-16), hex(KEY).slice(0, 24), b64(KEY).slice(4, 24)].filter((f) => lower.includes(f.toLowerCase()));
}

describe('redact: every form of the key a server may echo', () => {
	test.each([
		['verbatim', KEY],
		['upper case', KEY.toUpperCase()],
		['URL-encoded', encodeURIComponent(KEY)],
		['URL-encoded twice', encodeURIComponent(encodeURIComponent(KEY))],
		['%XX for every byte', everyByte(KEY)],
		['%XX for every byte, upper-case hex', everyByte(KEY).toUpperCase()],
		['%25XX for every byte (twice)', everyByte(KEY, '%25')],
		['%uXXXX', [...KEY].map((c) => `%u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')],
		['hex', hex(KEY)],
		['hex, upper case', hex(KEY).toUpperCase()],
		['hex with colons', hex(KEY).match(/../g)!.join(':')],
		['hex with spaces', hex(KEY).match(/../g)!.join(' ')],
		['\\x escapes', everyByte(KEY, '\\x')],
		['HTML decimal entities', [...KEY].map((c) => `&#${c.charCodeAt(0)};`).join('')],
		['HTML hex entities', [...KEY].map((c) => `&#x${c.charCodeAt(0).toString(16)};`).join('')],
		['HTML named entities for punctuation', KEY.replace('/', '&sol;').replace('+', '&plus;').replace('=', '&equals;')],
		['HTML entities without semicolons', [...KEY].map((c) => `&#${c.charCodeAt(0)}`).join('')],
		['\\uXXXX escapes', [...KEY].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')],
		['\\u{X} escapes', [...KEY].map((c) => `\\u{${c.charCodeAt(0).toString(16)}}`).join('')],
		['JSON escaped slash', KEY.replace('/', '\\/')],
		['a mix of encodings', `ima_Sec%2FRet&#43;Key\\u003dAbc${hex('0123')}456789XYZ`.replace(hex('0123'), '0123')],
		['base64', b64(KEY)],
		['base64 URL-safe', b64(KEY).replace(/\+/g, '-').replace(/\//g, '_')],
		['base64 at byte offset 1', b64(`x${KEY}`)],
		['base64 at byte offset 2', b64(`xy${KEY}`)],
		['base64 inside Bearer', b64(`Bearer ${KEY}`)],
		['base64 broken by CRLF every 10 characters', b64(KEY).replace(/(.{10})/g, '$1\r\n')],
		['base64 broken by JSON-escaped line breaks', b64(KEY).replace(/(.{8})/g, '$1\\n')],
		['base64 of the URL-encoded key', b64(encodeURIComponent(KEY))],
		['hex of the base64 key', hex(b64(KEY))],
		['a long prefix', KEY.slice(0, 20)],
		['a long suffix', KEY.slice(-18)],
		['a long middle piece', KEY.slice(6, 24)],
		['the key broken over lines', `${KEY.slice(0, 10)}\n${KEY.slice(10, 20)}\n${KEY.slice(20)}`],
	])('%s', (_name, form) => {
		const out = redact(`before «${form}» after`, KEY);
		expect(out).toContain(REDACTED);
		expect(out.startsWith('before «')).toBe(true);
		expect(out.endsWith('» after')).toBe(true);
		expect(plainLeaks(out)).toEqual([]);
		expect(containsSecret(out, KEY)).toBe(false);
		expect(containsSecret(`x${form}y`, KEY)).toBe(true);
	});

	test.each([
		['ordinary text', 'A lighthouse at sunset, 16:9, 2K, https://cdn.example.com/media/task_1/0.png?x=%20&y=1'],
		['a short piece of the key', `key starts with ${KEY.slice(0, pieceLengthOf(KEY) - 1)}…`],
		['random base64', b64(Buffer.alloc(3000, 7))],
		['a long hex digest', 'a'.repeat(64)],
		['HTML', '<p>Tom &amp; Jerry &#169; 2026</p>'],
	])('%s is left alone', (_name, text) => {
		expect(redact(text, KEY)).toBe(text);
	});

	test('the piece that counts as a leak: half the key, at least 12 characters (the whole key when shorter)', () => {
		expect(pieceLengthOf(KEY)).toBe(16);
		expect(pieceLengthOf('ima_test_key_0123456789')).toBe(12);
		expect(pieceLengthOf('short_key_1')).toBe(11);
		expect(pieceLengthOf('x'.repeat(80))).toBe(40);
	});

	test('short or empty secrets change nothing', () => {
		expect(redact('abc', '')).toBe('abc');
		expect(redact('abc', 'ab')).toBe('abc');
		expect(redact('abc', undefined)).toBe('abc');
	});

	test('a text of several megabytes with the key at the end', () => {
		const out = redact(`${'x'.repeat(9 * 1024 * 1024)}${hex(KEY)}`, KEY);
		expect(out.endsWith(REDACTED)).toBe(true);
	});
});

describe('redactValue: any depth, object keys too', () => {
	test('keys, values, arrays, 200 levels deep; the input is not changed', () => {
		let deep: any = { leaf: `hex ${hex(KEY)}` };
		for (let i = 0; i < 200; i++) deep = { a: deep, list: [KEY] };
		const value = { [KEY]: 1, [`k_${encodeURIComponent(KEY)}`]: 2, deep, n: 3, yes: true, none: null };
		const out = redactValue(value, KEY);
		expect(plainLeaks(JSON.stringify(out))).toEqual([]);
		expect(Object.keys(out)).toEqual([REDACTED, `k_${REDACTED}`, 'deep', 'n', 'yes', 'none']);
		expect(out.n).toBe(3);
		expect(JSON.stringify(value)).toContain(KEY);
	});

	test('two keys that become the same are both kept', () => {
		const out = redactValue({ [KEY]: 1, [KEY.toUpperCase()]: 2 }, KEY) as Record<string, number>;
		expect(out).toEqual({ [REDACTED]: 1, [`${REDACTED} (2)`]: 2 });
	});

	test('a key named __proto__ stays a plain key (no prototype change)', () => {
		const value = JSON.parse(`{"__proto__": {"polluted": "${KEY}"}}`);
		const out = redactValue(value, KEY) as Record<string, unknown>;
		expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
		expect(Object.prototype.hasOwnProperty.call(out, '__proto__')).toBe(true);
		expect(JSON.stringify(out)).not.toContain(KEY);
	});

	test('a circular value keeps its shape', () => {
		const value: any = { name: KEY };
		value.self = value;
		const out = redactValue(value, KEY);
		expect(out.self).toBe(out);
		expect(out.name).toBe(REDACTED);
	});
});

describe('hosts: a URL host in every notation', () => {
	const hostOf = (url: string) => new URL(url).hostname;
	test.each([
		['http://127.0.0.1/', 'loopback'],
		['http://127.1/', 'loopback'],
		['http://2130706433/', 'loopback'],
		['http://0x7f000001/', 'loopback'],
		['http://0x7f.0.0.1/', 'loopback'],
		['http://0177.0.0.1/', 'loopback'],
		['http://%31%32%37.0.0.1/', 'loopback'],
		['http://localhost/', 'loopback'],
		['http://LOCALHOST./', 'loopback'],
		['http://api.localhost/', 'loopback'],
		['http://[::1]/', 'loopback'],
		['http://[::ffff:127.0.0.1]/', 'loopback'],
		['http://[::ffff:7f00:1]/', 'loopback'],
		['http://[0:0:0:0:0:ffff:127.0.0.1]/', 'loopback'],
		['http://[::127.0.0.1]/', 'loopback'],
		['http://0.0.0.0/', 'unspecified'],
		['http://0/', 'unspecified'],
		['http://[::]/', 'unspecified'],
		['http://10.0.0.1/', 'private'],
		['http://172.16.5.4/', 'private'],
		['http://172.31.255.255/', 'private'],
		['http://192.168.1.1/', 'private'],
		['http://100.64.0.1/', 'private'],
		['http://[fd12:3456::1]/', 'private'],
		['http://[fc00::1]/', 'private'],
		['http://[64:ff9b::10.0.0.1]/', 'private'],
		['http://169.254.1.1/', 'link-local'],
		['http://[fe80::1]/', 'link-local'],
		['http://169.254.169.254/', 'metadata'],
		['http://2852039166/', 'metadata'],
		['http://0xa9fea9fe/', 'metadata'],
		['http://0251.0376.0251.0376/', 'metadata'],
		['http://[::ffff:169.254.169.254]/', 'metadata'],
		['http://[2002:a9fe:a9fe::1]/', 'metadata'],
		['http://[fd00:ec2::254]/', 'metadata'],
		['http://100.100.100.200/', 'metadata'],
		['http://168.63.129.16/', 'metadata'],
		['http://metadata.google.internal/', 'metadata'],
		['http://metadata/', 'metadata'],
		['http://224.0.0.1/', 'reserved'],
		['http://255.255.255.255/', 'reserved'],
		['http://192.0.2.10/', 'reserved'],
		['http://printer.local/', 'local-name'],
		['http://cdn.corp.internal/', 'local-name'],
		['http://intranet/', 'local-name'],
		['http://router.home.arpa/', 'local-name'],
		['http://8.8.8.8/', 'public'],
		['http://172.32.0.1/', 'public'],
		['http://[2606:4700::1111]/', 'public'],
		['http://[::ffff:8.8.8.8]/', 'public'],
		['https://cdn.imastudio.com/x.png', 'public'],
		['http://127.0.0.1.nip.io/', 'public'], // a DNS name: not resolved here (the documented edge)
	])('%s → %s', (url, kind) => {
		expect(classifyHost(hostOf(url)).kind).toBe(kind);
	});

	test.each([
		['127.0.0.1', 0x7f000001],
		['127.1', 0x7f000001],
		['2130706433', 0x7f000001],
		['0x7f.1', 0x7f000001],
		['017700000001', 0x7f000001],
		['1.2.3.4.', 0x01020304],
		['256.1.1.1', undefined],
		['1.2.3.4.5', undefined],
		['4294967296', undefined],
		['09.1.1.1', undefined],
		['cdn.example.com', undefined],
	])('parseIPv4(%s)', (host, value) => {
		expect(parseIPv4(host)).toBe(value);
	});

	test.each([
		['::1', [0, 0, 0, 0, 0, 0, 0, 1]],
		['[::ffff:1.2.3.4]', [0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]],
		['fe80::1%eth0', [0xfe80, 0, 0, 0, 0, 0, 0, 1]],
		['1:2:3:4:5:6:7:8', [1, 2, 3, 4, 5, 6, 7, 8]],
		['1:2:3:4:5:6:7', undefined],
		['1::2::3', undefined],
		['12345::', undefined],
	])('parseIPv6(%s)', (host, groups) => {
		expect(parseIPv6(host)).toEqual(groups);
	});

	test.each([
		['cdn.example.internal', 'cdn.example.internal', true],
		['cdn.example.internal', 'CDN.Example.Internal.', true],
		['cdn.example.internal', 'other.example.internal', false],
		['*.example.internal', 'a.b.example.internal', true],
		['*.example.internal', 'example.internal', true],
		['*.example.internal', 'badexample.internal', false],
		['10.20.0.0/16', '10.20.9.9', true],
		['10.20.0.0/16', '10.21.0.1', false],
		['fd00::/8', '[fd12::1]', true],
		['127.0.0.2', '2130706434', true],
		['http://10.1.1.1:8080/path', '10.1.1.1', true],
		['*', 'anything.local', true],
		['', '10.0.0.1', false],
	])('allow list %s lets %s through: %s', (list, host, allowed) => {
		expect(hostAllowed(host, parseHostList(list))).toBe(allowed);
	});

	test.each(['a/b', '10.0.0.0/33', '*.', 'http://', 'a b/c'])('%s is not a usable allow-list entry', (entry) => {
		expect(() => parseHostList(entry)).toThrow(/is not/);
	});
});

describe('JSON with large integers kept as their digits', () => {
	test.each([
		['{"id":12345678901234567891}', { id: '12345678901234567891' }],
		['{"id":9007199254740993,"n":1}', { id: '9007199254740993', n: 1 }],
		['{"id":-9007199254740993}', { id: '-9007199254740993' }],
		['{"id":9007199254740991}', { id: 9007199254740991 }],
		['{"list":[1,12345678901234567891,2.5e30,1.2345678901234567891]}', { list: [1, '12345678901234567891', 2.5e30, 1.2345678901234568] }],
		['{"s":"12345678901234567891 stays text","t":"a \\" 12345678901234567891"}', { s: '12345678901234567891 stays text', t: 'a " 12345678901234567891' }],
		['{"created_at":1767225600000,"id":"task_1"}', { created_at: 1767225600000, id: 'task_1' }],
	])('%s', (text, value) => {
		expect(parseServerJson(text)).toEqual(value);
	});

	test('text without a 16-digit run is returned as it is', () => {
		const text = '{"a":1,"b":"x"}';
		expect(quoteBigIntegers(text)).toBe(text);
	});

	test('not JSON stays not JSON', () => {
		expect(() => parseServerJson('<html>12345678901234567891</html>')).toThrow(SyntaxError);
	});
});

describe('task ids kept exactly', () => {
	test.each([
		['task_1', 'task_1'],
		[12345, '12345'],
		['12345678901234567891', '12345678901234567891'],
		[' spaced ', ' spaced '],
		['x'.repeat(4096), 'x'.repeat(4096)],
		['x'.repeat(4097), undefined],
		[2 ** 53 + 2, undefined],
		[1.5, undefined],
		['   ', undefined],
		[null, undefined],
		[{ id: 1 }, undefined],
	])('%p', (id, expected) => {
		expect(usableTaskId(id)).toBe(expected);
	});
});

describe('content check: what a file is, not what its label says', () => {
	const html = Buffer.from('<!DOCTYPE html><html><head><title>404</title></head><body>Not found</body></html>');
	const feed = (expect: 'image' | 'video' | 'audio', bytes: Buffer, chunk = 7) => {
		const check = new ContentCheck(expect);
		for (let i = 0; i < bytes.length; i += chunk) if (check.push(bytes.subarray(i, i + chunk))) break;
		return check.finish();
	};
	/** A JPEG whose data holds stuffed 0xFF 0x00 and a restart marker, and an EXIF thumbnail. */
	const richJpeg = () => {
		const base = jpeg(640, 480);
		const sos = base.lastIndexOf(Buffer.from([0xff, 0xda]));
		const thumb = jpeg(16, 16);
		const app1 = Buffer.concat([Buffer.from([0xff, 0xe1]), Buffer.from([0, thumb.length + 2]), thumb]);
		const head = Buffer.concat([base.subarray(0, 2), app1, base.subarray(2, sos)]);
		const scan = Buffer.concat([base.subarray(sos, sos + 14), Buffer.from([1, 0xff, 0x00, 2, 0xff, 0xd0, 3, 0xff, 0xff, 0x00]), Buffer.alloc(40, 5)]);
		return { whole: Buffer.concat([head, scan, Buffer.from([0xff, 0xd9])]), cut: Buffer.concat([head, scan]) };
	};

	test.each([
		['png', png(64, 32), 'png'],
		['jpeg', jpeg(640, 480), 'jpeg'],
		['progressive jpeg', jpeg(300, 600, { progressive: true }), 'jpeg'],
		['jpeg with a thumbnail, stuffing and restarts', richJpeg().whole, 'jpeg'],
		['jpeg with a trailer after its end (a motion photo)', Buffer.concat([jpeg(64, 64), mp4({ duration: 3 })]), 'jpeg'],
		['jpeg with stray padding before a marker', (() => {
			const j = jpeg(64, 64);
			const sos = j.lastIndexOf(Buffer.from([0xff, 0xda]));
			return Buffer.concat([j.subarray(0, sos), Buffer.from([0, 0, 0]), j.subarray(sos)]);
		})(), 'jpeg'],
		['gif', gif(10, 10), 'gif'],
		['bmp', bmp(8, 8), 'bmp'],
		['webp', webp(100, 50), 'webp'],
		['tiff', tiff(7, 9), 'tiff'],
	])('a whole %s is an image', (_name, bytes, format) => {
		for (const chunk of [1, 7, 1 << 20]) expect(feed('image', bytes, chunk)).toMatchObject({ kind: 'image', format, bytes: bytes.length });
	});

	test.each([
		['a 0-byte file', Buffer.alloc(0), /empty \(0 bytes\)/],
		['an HTML page', html, /an HTML page/],
		['an SVG', Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'), /SVG/],
		['JSON', Buffer.from('{"error": "not found"}'), /JSON text/],
		['plain text', Buffer.from('hello there, this is not an image'), /is text/],
		['a PDF', Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj'), /PDF/],
		['an MP3', mp3({ seconds: 3 }), /MP3 audio file/],
		['a PNG cut after its header', png(64, 32).subarray(0, 40), /cut short: the PNG end chunk \(IEND\) is missing/],
		['a PNG cut inside its header', png(64, 32).subarray(0, 20), /cut short/],
		['a JPEG without its end', richJpeg().cut, /cut short: the JPEG end-of-image marker is missing/],
		['a JPEG cut in its headers', jpeg(64, 64).subarray(0, 30), /cut short/],
		['a GIF without its trailer', gif(10, 10).subarray(0, 13), /GIF trailer is missing/],
		['a WebP shorter than it says', webp(100, 50).subarray(0, 28), /cut short/],
		['a BMP shorter than it says', bmp(8, 8).subarray(0, 40), /cut short/],
		['a PNG with garbage chunks', Buffer.concat([png(4, 4).subarray(0, 33), Buffer.from('<html>garbage here</html>')]), /PNG chunks are broken/],
	])('%s is refused as an image', (_name, bytes, why) => {
		let caught: unknown;
		try {
			feed('image', bytes);
		} catch (error) {
			caught = error;
		}
		expect(caught).toBeInstanceOf(ContentError);
		expect((caught as Error).message).toMatch(why);
	});

	test.each([
		['video', 'mp4', mp4({ duration: 3 })],
		['video', 'webm', Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), Buffer.alloc(40)])],
		['audio', 'mp3', mp3({ seconds: 3 })],
		['audio', 'wav', wav(3)],
		['audio', 'flac', Buffer.concat([Buffer.from('fLaC'), Buffer.alloc(40)])],
		['audio', 'ogg', Buffer.concat([Buffer.from('OggS'), Buffer.alloc(40)])],
		['audio', 'mp4', mp4({ duration: 3 })], // an audio-only MP4 (m4a) may carry any brand
	] as const)('a %s label with %s content passes on its first bytes', (kind, format, bytes) => {
		const check = new ContentCheck(kind);
		expect(check.push(bytes)).toBe(true);
		expect(check.finish()).toMatchObject({ format });
	});

	test.each([
		['video', png(10, 10), /^its content is a PNG image$/],
		['video', mp3({ seconds: 3 }), /^its content is an MP3 audio file$/],
		['audio', html, /^its content is an HTML page$/],
		['audio', Buffer.alloc(0), /empty/],
		['video', Buffer.from('RIFF\0\0\0\0WAVEfmt '), /WAV audio file/],
	] as const)('a %s label with other content is refused', (kind, bytes, why) => {
		expect(() => feed(kind, bytes)).toThrow(why);
	});

	test('sniffing and describing', () => {
		expect(sniffContent(png(1, 1))).toEqual({ kind: 'image', format: 'png' });
		expect(sniffContent(Buffer.from('<html>'))).toBeUndefined();
		expect(describeContent(Buffer.from('\uFEFF  <!doctype HTML>'))).toMatch(/HTML page/);
	});
});

describe('Additional Parameters: a field of the form in any case or spacing is refused', () => {
	const nano = model('text_to_image', 'gemini-3.1-flash-image-preview');
	test.each([['Size'], ['SIZE'], [' size '], ['size\t'], ['Prompt'], [' N '], ['CAST'], ['Input_Images']])('%p', (key) => {
		expect(() => checkAdditional(nano, 'text_to_image', { [key]: 'x' })).toThrow(SettingsError);
	});

	test('a field the form does not have passes', () => {
		expect(() => checkAdditional(nano, 'text_to_image', { audio_params: { a: 1 }, 'Size ish': 1 })).not.toThrow();
	});
});

describe('the exit: errors and items as n8n keeps them', () => {
	test('every own field of an error, enumerable or not, a stack that is an accessor (Node 24) too; never the node', () => {
		const error: any = new Error(`failed for ${KEY}`);
		let stack = `Error: failed for ${KEY}\n    at x`;
		Object.defineProperty(error, 'stack', { get: () => stack, set: (v: string) => (stack = v), enumerable: false, configurable: true });
		error.description = `see ${encodeURIComponent(KEY)}`;
		error.messages = [hex(KEY)];
		error.context = { taskId: KEY, deep: { list: [{ [KEY]: 1 }] } };
		error.errorResponse = { message: b64(KEY) };
		error.cause = new Error(KEY);
		error.node = { parameters: { note: KEY } };
		expect(cleanError(error, KEY)).toBe(error);
		const fields = Object.getOwnPropertyNames(error)
			.filter((n) => n !== 'node')
			.map((n) => error[n]);
		expect(plainLeaks(JSON.stringify(fields))).toEqual([]);
		expect(stack).toBe('Error: failed for [redacted]\n    at x');
		expect(error.cause.message).toBe(REDACTED);
		expect(error.node.parameters.note).toBe(KEY);
	});

	test('an item: json (keys too) and binary metadata, never the bytes or the id', () => {
		const item = {
			json: { [KEY]: { url: `https://x/?k=${KEY}` } },
			binary: { data: { data: b64('bytes'), id: `fs:${KEY}`, mimeType: 'image/png', fileName: `${KEY}.png`, fileExtension: 'png' } },
			pairedItem: { item: 0 },
		};
		const out = cleanItem(item as never, KEY);
		expect(out.json).toEqual({ [REDACTED]: { url: `https://x/?k=${REDACTED}` } });
		expect(out.binary!.data).toMatchObject({ data: b64('bytes'), id: `fs:${KEY}`, fileName: `${REDACTED}.png` });
		expect(out.pairedItem).toEqual({ item: 0 });
		expect(item.json[KEY]).toBeDefined(); // the node's own objects are not changed
	});
});
