/**
 * Issue 16 under attack (a review): inputs a hostile server or an odd but legitimate file can
 * bring, that the guards of issue 16 got wrong. Each test failed before its fix.
 */
import { ContentCheck } from '../../nodes/Ima/helpers/contentCheck';
import { classifyHost } from '../../nodes/Ima/helpers/hosts';
import { MediaProbe } from '../../nodes/Ima/helpers/mediaProbe';
import { redact, REDACTED } from '../../nodes/Ima/helpers/redact';
import { jpeg } from '../support/mediaFiles';

const KEY = 'ima_a1B2c3D4e5F6g7H8i9J0kLmNoPqRsTuV';

describe('redact: robust on large texts', () => {
	test('a text that carries the key many times is cleaned (no stack overflow from the number of places found)', () => {
		const text = `${KEY} `.repeat(20_000);
		const out = redact(text, KEY);
		expect(out).not.toContain(KEY.slice(4, 20));
		expect(out.split(REDACTED)).toHaveLength(20_001);
	});
});

describe('redact: linear work on texts a hostile server may send', () => {
	/**
	 * Counts the characters String.prototype.indexOf scans for `}` (the end of a `\u{…}` escape):
	 * the work, not the time (the time depends on the machine).
	 */
	function scannedForBrace(run: () => void): number {
		const original = String.prototype.indexOf;
		let scanned = 0;
		const spy = jest.spyOn(String.prototype, 'indexOf').mockImplementation(function (this: string, search: string, from?: number) {
			const at = original.call(this, search, from);
			if (search === '}') scanned += (at >= 0 ? at : this.length) - (from ?? 0);
			return at;
		});
		try {
			run();
		} finally {
			spy.mockRestore();
		}
		return scanned;
	}

	test('many "\\u{" without a closing brace: the search for "}" looks a few characters ahead, not to the end of the text', () => {
		const text = '\\u{'.repeat(20_000);
		const scanned = scannedForBrace(() => expect(redact(text, KEY)).toBe(text));
		// Quadratic before: each of the 20 000 escapes scanned to the end (about 6e8 characters).
		expect(scanned).toBeLessThan(text.length * 20);
	});

	test('"\\u{…}" escapes still decode', () => {
		const escaped = [...KEY].map((c) => `\\u{${c.charCodeAt(0).toString(16)}}`).join('');
		expect(redact(`key: ${escaped}.`, KEY)).toBe(`key: ${REDACTED}.`);
	});
});

/** The check of an image input, fed in chunks of `size` bytes. */
function checkImage(file: Buffer, size = file.length) {
	const check = new ContentCheck('image');
	for (let i = 0; i < file.length; i += size) check.push(file.subarray(i, i + size));
	return check.finish();
}

describe('content check: no false refusal of a whole image', () => {
	/** A JPEG with stray bytes before one of its markers, as some writers leave them (decoders skip them). */
	function strayBefore(marker: number, stray: number[]) {
		const j = jpeg(64, 48);
		const at = j.indexOf(Buffer.from([0xff, marker]), 2);
		return Buffer.concat([j.subarray(0, at), Buffer.from(stray), j.subarray(at)]);
	}

	test.each([
		['before the quantisation table (DQT)', 0xdb],
		['before the frame header (SOF)', 0xc0],
	])('a JPEG with stray bytes %s is an image (its header is read past them, as decoders do)', (_what, marker) => {
		const file = strayBefore(marker, [0, 0]);
		for (const size of [file.length, 1, 5]) expect(checkImage(file, size)).toMatchObject({ format: 'jpeg', info: { width: 64, height: 48 } });
		const probe = new MediaProbe(file.length);
		probe.push(file);
		expect(probe.finish()).toMatchObject({ format: 'jpeg', width: 64, height: 48 });
	});
});

describe('content check: images written by real encoders (test/unit/images) are whole images', () => {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const fs = require('fs') as typeof import('fs');
	const dir = `${__dirname}/images`;
	const files = fs.readdirSync(dir).filter((f) => !f.endsWith('.md'));
	const formatOf: Record<string, string> = { jpg: 'jpeg', png: 'png', gif: 'gif', webp: 'webp', bmp: 'bmp', tif: 'tiff' };

	test('the set covers every image format IMA takes', () => {
		expect(new Set(files.map((f) => formatOf[f.split('.').pop()!]))).toEqual(new Set(Object.values(formatOf)));
	});

	test.each(files)('%s', (name) => {
		const file = fs.readFileSync(`${dir}/${name}`);
		for (const size of [file.length, 1, 7, 4096]) {
			const content = checkImage(file, size);
			expect(content.format).toBe(formatOf[name.split('.').pop()!]);
			expect(content.info).toMatchObject({ kind: 'image', width: expect.any(Number), height: expect.any(Number) });
			expect(Math.min((content.info as { width: number }).width, (content.info as { height: number }).height)).toBeGreaterThan(0);
		}
		// Cut short, it is refused (a TIFF is checked to its first directory only; a file with a
		// trailer still has its whole image).
		if (!/\.tif$|trailer|after-iend/.test(name)) expect(() => checkImage(file.subarray(0, Math.floor(file.length * 0.6)))).toThrow(/cut short|broken/);
	});
});

describe('hosts: names and ranges that are not public', () => {
	test.each([
		['[100::1]', 'reserved'], // the IPv6 discard prefix 100::/64
		['[100::ffff:1]', 'reserved'],
		['kubernetes.default.svc', 'local-name'], // Kubernetes' own API inside a cluster
		['my-service.my-namespace.svc', 'local-name'],
	])('%s is %s', (host, kind) => {
		expect(classifyHost(host).kind).toBe(kind);
	});

	test.each(['[100:1::1]', '[2606:4700::1111]', 'svc.example.com', 'ima.esxscloud.com'])('%s is public', (host) => {
		expect(classifyHost(host).kind).toBe('public');
	});
});
