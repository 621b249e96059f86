/** The Options collection as read per item (actions/options.ts): defaults, bounds, refusals. */
import { ItemError } from '../../nodes/Ima/run/errors';
import { DEFAULTS, executionOptions, isToolCall, readNumber, readOptions } from '../../nodes/Ima/run/options';

function ctx(options: unknown, type = 'n8n-nodes-ima.ima') {
	return {
		getNodeParameter: (name: string) => {
			if (name !== 'options') throw new Error(`unexpected ${name}`);
			if (options instanceof Error) throw options;
			return options;
		},
		getNode: () => ({ type }),
	} as never;
}

function refusal(fn: () => unknown): ItemError {
	try {
		fn();
	} catch (e) {
		expect(e).toBeInstanceOf(ItemError);
		return e as ItemError;
	}
	throw new Error('expected a refusal');
}

describe('readOptions', () => {
	test('defaults', () => {
		expect(readOptions(ctx({}), 0)).toEqual({
			additionalParameters: {},
			modelSettingsJson: {},
			n: 1,
			binaryPropertyName: 'data',
			output: 'media',
			download: true,
			downloadCover: false,
			pollInterval: 0,
			timeout: 0,
			concurrency: 5,
			requestTimeout: 60,
			maxCredits: 0,
			maxDownloadBytes: 2048 * 1024 * 1024,
			downloadTimeout: 1800,
			allowedMediaHosts: [],
		});
	});

	test.each([
		['not an object', 'x'],
		['a list', [1]],
		['null', null],
	])('options that are %s count as none', (_name, raw) => {
		expect(readOptions(ctx(raw), 0).concurrency).toBe(DEFAULTS.concurrency);
	});

	test('values given are used', () => {
		const o = readOptions(ctx({ n: 2, binaryPropertyName: ' img ', download: false, downloadCover: 'true', pollInterval: 2, timeout: 30, concurrency: 3, requestTimeout: 10, maxCredits: 100, maxDownloadSize: 3, downloadTimeout: 60, output: 'summary' }), 0);
		expect(o).toEqual({ n: 2, binaryPropertyName: 'img', output: 'summary', download: false, downloadCover: true, pollInterval: 2, timeout: 30, concurrency: 3, requestTimeout: 10, maxCredits: 100, maxDownloadBytes: 3 * 1024 * 1024, downloadTimeout: 60, additionalParameters: {}, modelSettingsJson: {}, allowedMediaHosts: [] });
	});

	test.each([
		['auto', 'n8n-nodes-ima.ima', 'media', true],
		['auto', 'n8n-nodes-ima.imaTool', 'summary', false],
		['media', 'n8n-nodes-ima.imaTool', 'media', true],
		['summary', 'n8n-nodes-ima.ima', 'summary', false],
		[undefined, 'n8n-nodes-ima.imaTool', 'summary', false],
	])('output %p on %s → %s, download by default %p', (output, type, expected, download) => {
		const o = readOptions(ctx(output === undefined ? {} : { output }, type), 0);
		expect(o.output).toBe(expected);
		expect(o.download).toBe(download);
	});

	test.each([
		['output', { output: 'html' }, 'options.output', /Output Format "html" is not known/],
		['binaryPropertyName', { binaryPropertyName: 5 }, 'options.binaryPropertyName', /Put Output in Field/],
		['download', { download: 'yes' }, 'options.download', /must be true or false, got "yes"/],
		['downloadCover', { downloadCover: 1 }, 'options.downloadCover', /must be true or false/],
		['maxDownloadSize', { maxDownloadSize: 0 }, 'options.maxDownloadSize', /Max Download Size \(MB\) must be a number from 1 to 1048576, got 0/],
		['downloadTimeout', { downloadTimeout: 86_401 }, 'options.downloadTimeout', /Download Timeout/],
	] as const)('a bad %s is refused naming it', (_name, options, parameter, message) => {
		const e = refusal(() => readOptions(ctx(options), 0));
		expect(e.details.parameter).toBe(parameter);
		expect(e.details.charge).toBe('none');
		expect(e.message).toMatch(message);
	});

	test.each([
		[{ binaryPropertyName: '  ' }, 'data'],
		[{ binaryPropertyName: null }, 'data'],
		[{ download: 'false' }, 'data'],
	])('%p → field %p', (options, name) => {
		expect(readOptions(ctx(options), 0).binaryPropertyName).toBe(name);
	});

	test('"false" as text is false', () => {
		expect(readOptions(ctx({ download: 'false', downloadCover: 'false' }), 0)).toMatchObject({ download: false, downloadCover: false });
	});
});

describe('readNumber: messages and edges', () => {
	test.each([
		['n', 1.5, 'Outputs per Task must be a whole number from 1 to 4, got 1.5'],
		['pollInterval', 'abc', 'Poll Interval (Seconds) must be 0 (the default) or a number from 0.1 to 3600, got "abc"'],
		['timeout', null, 'Timeout (Seconds) must be 0 (the default) or a number from 0.1 to 86400, got null'],
		['concurrency', {}, 'Max Items at Once must be a whole number from 1 to 50, got an object'],
		['maxCredits', '  ', 'Max Credits per Run must be a number from 0 to 1000000000, got "  "'],
		['requestTimeout', true, 'Request Timeout (Seconds) must be a number from 0.1 to 3600, got true'],
	] as const)('%s = %p', (name, raw, message) => {
		expect(refusal(() => readNumber({ [name]: raw as never }, name)).message).toBe(message);
	});

	test.each([
		['concurrency', 1, 1],
		['concurrency', ' 7 ', 7],
		['maxCredits', 1e9, 1e9],
		['requestTimeout', 3600, 3600],
		['maxDownloadSize', 1_048_576, 1_048_576],
		['downloadTimeout', 1, 1],
		['timeout', 0.1, 0.1],
		['n', 1, 1],
		['n', 4, 4],
	] as const)('%s = %p is allowed', (name, raw, value) => {
		expect(readNumber({ [name]: raw }, name)).toBe(value);
	});

	test.each([
		['concurrency', 0],
		['requestTimeout', 0],
		['maxCredits', 1e9 + 1],
		['maxDownloadSize', 1_048_577],
		['downloadTimeout', 0.5],
		['n', 4.5],
		['n', -1],
	] as const)('%s = %p is refused', (name, raw) => {
		expect(refusal(() => readNumber({ [name]: raw }, name)).details.parameter).toBe(`options.${name}`);
	});

	test('an option present as undefined takes the default', () => {
		expect(readNumber({ concurrency: undefined }, 'concurrency')).toBe(5);
	});
});

describe('executionOptions: leniently from item 0', () => {
	test.each([
		[{}, { concurrency: 5, requestTimeout: 60, uploadTimeout: 300 }],
		[{ concurrency: 2, requestTimeout: 5, uploadTimeout: 30 }, { concurrency: 2, requestTimeout: 5, uploadTimeout: 30 }],
		[{ concurrency: 'abc', requestTimeout: -1, uploadTimeout: 'x' }, { concurrency: 5, requestTimeout: 60, uploadTimeout: 300 }],
		[new Error('no such parameter'), { concurrency: 5, requestTimeout: 60, uploadTimeout: 300 }],
	])('%p → %p', (options, expected) => {
		expect(executionOptions(ctx(options))).toEqual(expected);
	});

	test('isToolCall reads the node type', () => {
		expect(isToolCall(ctx({}, 'n8n-nodes-ima.imaTool'))).toBe(true);
		expect(isToolCall(ctx({}, 'n8n-nodes-ima.ima'))).toBe(false);
		expect(isToolCall(ctx({}, 'n8n-nodes-ima.imaToolbox'))).toBe(false);
	});
});
