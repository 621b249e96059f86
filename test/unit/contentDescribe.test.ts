/**
 * What a binary input is by its first bytes (helpers/contentCheck.ts: sniffContent), and the
 * words a refused file gets (describeContent): the part of "Binary property … is not an image:
 * <words>" that tells the user what the file is instead. Which labels believe which content, and
 * when the check gives up on a file that is not media.
 */
import { ContentCheck, ContentError, describeContent, sniffContent } from '../../nodes/Ima/helpers/contentCheck';
import { bmp, gif, jpeg, mp3, mp4, png, tiff, wav, webp } from '../support/mediaFiles';

const bytes = (...xs: number[]) => Buffer.from(xs);
const text = (s: string) => Buffer.from(s, 'latin1');
/** An ISO base media file's first box: size, type, then the brand (ftyp) or a first inner box. */
const box = (type: string, brand = '') => Buffer.concat([bytes(0, 0, 0, 24), text(type), brand ? text(brand) : bytes(0, 0, 0, 16), text(brand ? 'isom' : 'mvhd'), Buffer.alloc(8)]);

/** The refusal's message, checking it is a ContentError. */
function refusal(run: () => unknown): string {
	try {
		run();
	} catch (error) {
		expect(error).toBeInstanceOf(ContentError);
		return (error as Error).message;
	}
	throw new Error('the file was not refused');
}

/** A ContentCheck fed `file` in chunks of `size` bytes, stopping when it has seen enough. */
function check(kind: 'image' | 'video' | 'audio', file: Buffer, size = Math.max(file.length, 1)) {
	const c = new ContentCheck(kind);
	for (let i = 0; i < file.length; i += size) if (c.push(file.subarray(i, i + size))) break;
	return c.finish();
}

describe('sniffContent: the kind and format from the first bytes', () => {
	test.each([
		['PNG', png(4, 4), 'image', 'png'],
		['JPEG', jpeg(4, 4), 'image', 'jpeg'],
		['GIF', gif(4, 4), 'image', 'gif'],
		['WebP', webp(4, 4), 'image', 'webp'],
		['BMP', bmp(4, 4), 'image', 'bmp'],
		['TIFF', tiff(4, 4), 'image', 'tiff'],
		['WAV', wav(1), 'audio', 'wav'],
		['MP3', mp3({ seconds: 1 }), 'audio', 'mp3'],
		['MP4 (brand isom)', mp4({ duration: 1 }), 'video', 'mp4'],
		['MP4 (brand M4V )', box('ftyp', 'M4V '), 'video', 'mp4'],
		['MOV (brand "qt  ")', box('ftyp', 'qt  '), 'video', 'mov'],
		['MOV without ftyp (starts with moov)', box('moov'), 'video', 'mov'],
		['MOV without ftyp (starts with wide)', box('wide'), 'video', 'mov'],
		['MOV without ftyp (starts with mdat)', box('mdat'), 'video', 'mov'],
		['M4A (brand "M4A ")', box('ftyp', 'M4A '), 'audio', 'm4a'],
		['M4B (audio book)', box('ftyp', 'M4B '), 'audio', 'm4a'],
		['M4P (protected audio)', box('ftyp', 'M4P '), 'audio', 'm4a'],
		['F4A (Flash audio)', box('ftyp', 'F4A '), 'audio', 'm4a'],
		['only the 8 bytes of an ftyp box header (no brand)', bytes(0, 0, 0, 8, ...text('ftyp')), 'video', 'mp4'],
		['WebM / Matroska, its 4-byte signature alone', bytes(0x1a, 0x45, 0xdf, 0xa3), 'video', 'webm'],
		['WebM with more', Buffer.concat([bytes(0x1a, 0x45, 0xdf, 0xa3), Buffer.alloc(40)]), 'video', 'webm'],
		['AVI, its 12-byte RIFF header alone', text('RIFF\0\0\0\0AVI '), 'video', 'avi'],
		['AVI with more', text('RIFF\x10\0\0\0AVI LIST\0\0\0\0hdrl'), 'video', 'avi'],
		['Ogg, its 4-byte signature alone', text('OggS'), 'audio', 'ogg'],
		['FLAC, its 4-byte signature alone', text('fLaC'), 'audio', 'flac'],
		['AAC (ADTS, MPEG-4), its 2-byte sync word alone', bytes(0xff, 0xf1), 'audio', 'aac'],
		['AAC (ADTS, MPEG-2, no CRC)', bytes(0xff, 0xf9, 0x50, 0x80, 0x01, 0x1f, 0xfc), 'audio', 'aac'],
		['AAC (ADTS with a CRC)', bytes(0xff, 0xf0, 0x50, 0x80, 0x01, 0x1f, 0xfc), 'audio', 'aac'],
	])('%s', (_name, file, kind, format) => {
		expect(sniffContent(file)).toEqual({ kind, format });
	});

	test.each([
		['"AVI " without RIFF before it', text('RIFXxxxxAVI LIST')],
		['"AVI " in a RIFF header shorter than 12 bytes', text('RIFF\0\0\0\0AVI')],
		['a RIFF file of another type (MIDI)', text('RIFF\x10\0\0\0RMIDdata\0\0\0\0')],
		['a RIFF file of another type (animated cursor)', text('RIFF\x10\0\0\0ACONanih\0\0\0\0')],
		['an ADTS-like second byte after another first byte', bytes(0xfe, 0xf1, 0x50, 0x80)],
		['0xFF followed by a byte that is no ADTS sync', bytes(0xff, 0x01, 0x50, 0x80)],
		['0xFF alone', bytes(0xff)],
		['3 bytes of a WebM signature', bytes(0x1a, 0x45, 0xdf)],
		['3 bytes of "OggS"', text('Ogg')],
		['3 bytes of "fLaC"', text('fLa')],
		['an empty file', Buffer.alloc(0)],
		['an HTML page', text('<html>')],
	])('%s is no known media', (_name, file) => {
		expect(sniffContent(file)).toBeUndefined();
	});
});

describe('describeContent: the words a refused file gets', () => {
	test.each(([
		['a 0-byte file', Buffer.alloc(0), 'it is empty (0 bytes)'],
		['PNG', png(4, 4), 'its content is a PNG image'],
		['JPEG', jpeg(4, 4), 'its content is a JPEG image'],
		['GIF', gif(4, 4), 'its content is a GIF image'],
		['WebP', webp(4, 4), 'its content is a WEBP image'],
		['BMP', bmp(4, 4), 'its content is a BMP image'],
		['TIFF', tiff(4, 4), 'its content is a TIFF image'],
		['MP4', mp4({ duration: 1 }), 'its content is an MP4 video'],
		['MOV', box('ftyp', 'qt  '), 'its content is a MOV video'],
		['WebM', bytes(0x1a, 0x45, 0xdf, 0xa3), 'its content is a WEBM video'],
		['AVI', text('RIFF\0\0\0\0AVI '), 'its content is an AVI video'],
		['MP3', mp3({ seconds: 1 }), 'its content is an MP3 audio file'],
		['WAV', wav(1), 'its content is a WAV audio file'],
		['M4A', box('ftyp', 'M4A '), 'its content is an M4A audio file'],
		['Ogg', text('OggS'), 'its content is an OGG audio file'],
		['AAC', bytes(0xff, 0xf1), 'its content is an AAC audio file'],
		['FLAC', text('fLaC'), 'its content is a FLAC audio file'],
	] as Array<[string, Buffer, string]>).map(([name, file, words]) => [name, words, file] as const))('%s: "%s"', (_name, words, file) => {
		expect(describeContent(file)).toBe(words);
	});

	const HTML = 'its content is an HTML page';
	const SVG = 'its content is SVG (vector) text, which IMA does not take';
	const XML = 'its content is XML text';
	const JSON_TEXT = 'its content is JSON text';
	const PDF = 'its content is a PDF document';
	const ZIP = 'its content is a ZIP archive (or an Office document)';
	const TEXT = 'its content is text';
	const UNKNOWN = 'its content is not a format the node knows';

	test.each([
		['<!DOCTYPE html><html><body>Not found</body></html>', HTML],
		['<!doctype html>', HTML],
		['<html lang="en"><body>Not found</body></html>', HTML],
		['<HTML>', HTML],
		['<head><title>x</title></head>', HTML],
		['<body>Bad gateway</body>', HTML],
		['<meta charset="utf-8">', HTML],
		['<title>404</title>', HTML],
		['<script>location="/"</script>', HTML],
		['<div class="error">no</div>', HTML],
		['<p>Forbidden</p>', HTML],
		['<p>', HTML],
		['\r\n\t  <html>', HTML],
		['\xEF\xBB\xBF<html>', HTML],
		['\xEF\xBB\xBF  <!DOCTYPE html>', HTML],
		['<pre>not html</pre>', XML],
		['<path d="M0 0"/>', XML],
		['<svg xmlns="http://www.w3.org/2000/svg"></svg>', SVG],
		['<SVG>', SVG],
		['<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>', SVG],
		['<?xml version="1.0"?><rss version="2.0"><p>x</p></rss>', XML],
		['<?xml version="1.0"?>', XML],
		['<rss version="2.0"><channel/></rss>', XML],
		['<Error><Code>AccessDenied</Code></Error>', XML],
		['<a><svg/></a>', XML],
		['{"error":"not found"}', JSON_TEXT],
		['{"icon":"<svg/>","html":"<div>"}', JSON_TEXT],
		['[1,2,3]', JSON_TEXT],
		['  [ ]', JSON_TEXT],
		['%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj', PDF],
		['PK\x03\x04', ZIP],
		['PK\x03\x04\x14\x00\x06\x00word/document.xml', ZIP],
		['hi', TEXT],
		['h', TEXT],
		['hello there, this is not an image', TEXT],
		['a\tb', TEXT],
		['a\nb', TEXT],
		['a\rb', TEXT],
		[' ~', TEXT],
		['caf\xE9 cr\xE8me', TEXT],
		['a\x80b', TEXT],
		['\xC4\x80 UTF-8', TEXT],
		['a\x01b', UNKNOWN],
		['a\x1fb', UNKNOWN],
		['a\x7fb', UNKNOWN],
		['a\0b', UNKNOWN],
		['\0\x01\x02\x03', UNKNOWN],
		['PK\x05\x06', UNKNOWN],
	])('%j: "%s"', (content, words) => {
		expect(describeContent(text(content))).toBe(words);
	});

	test('only the first 512 bytes are read as text: an <svg> tag further on is not seen', () => {
		const svgAfter = (spaces: number) => text(`<?xml version="1.0"?><!--${' '.repeat(spaces)}--><svg xmlns="http://www.w3.org/2000/svg"/>`);
		expect(describeContent(svgAfter(400))).toBe(SVG);
		expect(describeContent(svgAfter(600))).toBe(XML);
	});

	test('only the first 512 bytes decide between text and a format the node does not know', () => {
		expect(describeContent(Buffer.concat([text('a'.repeat(512)), bytes(0, 1, 2)]))).toBe(TEXT);
		expect(describeContent(Buffer.concat([text('a'.repeat(511)), bytes(0, 1, 2)]))).toBe(UNKNOWN);
	});
});

describe('which labels believe which content', () => {
	test.each([
		['image', mp4({ duration: 1 }), 'its content is an MP4 video'],
		['image', box('ftyp', 'M4A '), 'its content is an M4A audio file'],
		['image', bytes(0x1a, 0x45, 0xdf, 0xa3, ...Buffer.alloc(20)), 'its content is a WEBM video'],
		['image', text('OggS').toString('latin1').padEnd(20, '\0'), 'its content is an OGG audio file'],
		['video', png(4, 4), 'its content is a PNG image'],
		['video', mp3({ seconds: 1 }), 'its content is an MP3 audio file'],
		['video', text('fLaC\0\0\0\x22'), 'its content is a FLAC audio file'],
		['audio', text('RIFF\0\0\0\0AVI LIST'), 'its content is an AVI video'],
		['audio', jpeg(4, 4), 'its content is a JPEG image'],
	] as const)('a file labelled %s is refused when its content is another kind (%#)', (kind, file, words) => {
		const content = typeof file === 'string' ? text(file) : file;
		expect(refusal(() => check(kind, content))).toBe(words);
		expect(refusal(() => check(kind, content, 1))).toBe(words);
	});

	test.each([
		['video', 'm4a', box('ftyp', 'M4A '), 'audio'],
		['video', 'ogg', text('OggS\0\0\0\0\0\0\0\0\0\0\0\0'), 'audio'],
		['audio', 'mp4', mp4({ duration: 1 }), 'video'],
		['audio', 'mov', box('moov'), 'video'],
		['audio', 'webm', bytes(0x1a, 0x45, 0xdf, 0xa3, ...Buffer.alloc(20)), 'video'],
	] as const)('a container that may hold either is believed: %s label, %s content', (label, format, file, kind) => {
		expect(check(label, file)).toMatchObject({ kind, format });
	});

	test.each([
		['video', 'mp4', mp4({ duration: 1 })],
		['audio', 'mp3', mp3({ seconds: 1 })],
	] as const)('a %s label with %s content is done at its 16th byte: push says true then and after, and counts no more bytes', (kind, format, file) => {
		const c = new ContentCheck(kind);
		expect(c.push(file.subarray(0, 15))).toBe(false);
		expect(c.push(file.subarray(15, 16))).toBe(true);
		expect(c.push(file.subarray(16, 100))).toBe(true);
		expect(c.push(Buffer.alloc(0))).toBe(true);
		expect(c.finish()).toEqual({ kind, format, bytes: 16 });
		// A first chunk of exactly 16 bytes is enough.
		const once = new ContentCheck(kind);
		expect(once.push(file.subarray(0, 16))).toBe(true);
		expect(once.finish()).toEqual({ kind, format, bytes: 16 });
	});

	test('an empty chunk changes nothing', () => {
		const c = new ContentCheck('image');
		const file = png(4, 4);
		expect(c.push(Buffer.alloc(0))).toBe(false);
		expect(c.push(file)).toBe(false);
		expect(c.push(Buffer.alloc(0))).toBe(false);
		expect(c.finish()).toMatchObject({ format: 'png', bytes: file.length });
	});

	test('a refusal is a ContentError, by name too', () => {
		let caught: unknown;
		try {
			check('image', text('<html>'));
		} catch (error) {
			caught = error;
		}
		expect(caught).toBeInstanceOf(ContentError);
		expect((caught as Error).name).toBe('ContentError');
		expect(String(caught)).toBe('ContentError: its content is an HTML page');
	});
});

describe('a file that is not media is refused once its first 512 bytes are in, not read to its end', () => {
	test('byte by byte: the 512th byte ends it', () => {
		const c = new ContentCheck('image');
		for (let i = 1; i < 512; i++) expect(c.push(text('a'))).toBe(false);
		expect(refusal(() => c.push(text('a')))).toBe('its content is text');
	});

	test('a first chunk of 512 bytes or more is judged at once', () => {
		expect(refusal(() => new ContentCheck('audio').push(text('<!DOCTYPE html>'.padEnd(512, ' '))))).toBe('its content is an HTML page');
		const c = new ContentCheck('video');
		expect(c.push(text('{"a":'.padEnd(511, ' ')))).toBe(false);
		expect(refusal(() => c.push(text('1}'.repeat(1000))))).toBe('its content is JSON text');
	});

	test('shorter than 512 bytes: judged at the end of the file', () => {
		const c = new ContentCheck('image');
		expect(c.push(text('<html>'.padEnd(300, ' ')))).toBe(false);
		expect(refusal(() => c.finish())).toBe('its content is an HTML page');
	});
});
