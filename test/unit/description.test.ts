/**
 * The node's parameters: each operation owns its parameters (actions/<op>.operation.ts) and shows
 * exactly the contract's names (CONTRACT.md), so saved workflows keep working.
 */
import { NodeHelpers, type INodeParameters, type INodeProperties } from 'n8n-workflow';

import { Ima } from '../../nodes/Ima/Ima.node';

const description = new Ima().description;
const NODE = { typeVersion: 1 };

/** The top-level parameters n8n shows for these values (hidden ones left out). */
function shown(values: INodeParameters): string[] {
	return description.properties
		.filter((p) => NodeHelpers.displayParameter(values, p, NODE, description))
		.map((p) => p.name);
}

/** The entries of the Options collection shown for these values. */
function optionNames(values: INodeParameters): string[] {
	const options = description.properties.filter(
		(p) => p.name === 'options' && NodeHelpers.displayParameter(values, p, NODE, description),
	);
	expect(options.length).toBeLessThanOrEqual(1);
	return ((options[0]?.options ?? []) as INodeProperties[]).map((o) => o.name).sort();
}

const WAIT = ['binaryPropertyName', 'download', 'downloadCover', 'downloadTimeout', 'maxDownloadSize', 'output', 'pollInterval', 'timeout'];

describe('each operation shows the contract parameters', () => {
	test.each([
		['generate', { taskType: 'text_to_image' }, ['taskType', 'model', 'prompt', 'modelSettings', 'options']],
		['generate', { taskType: 'image_to_image', imageInput: 'binary' }, ['taskType', 'model', 'prompt', 'imageInput', 'binaryProperties', 'modelSettings', 'options']],
		['createTask', { taskType: 'first_last_frame_to_video', imageInput: 'url' }, ['taskType', 'model', 'prompt', 'imageInput', 'imageUrls', 'modelSettings', 'options']],
		['createTask', { taskType: 'text_to_speech' }, ['taskType', 'model', 'prompt', 'modelSettings', 'options']],
		['waitForResult', {}, ['taskId', 'options']],
		['checkTask', {}, ['taskId', 'options']],
		['uploadImage', {}, ['binaryPropertyName', 'options']],
		['listModels', {}, ['taskType', 'options']],
	])('%s %j', (operation, extra, expected) => {
		const names = shown({ operation, ...extra }).filter((n) => n !== 'operation' && n !== 'descriptionType' && n !== 'toolDescription');
		expect(names).toEqual(expected);
	});

	test.each([
		['generate', ['concurrency', 'maxCredits', 'n', 'requestTimeout', ...WAIT]],
		['createTask', ['concurrency', 'maxCredits', 'n', 'requestTimeout']],
		['waitForResult', ['concurrency', 'requestTimeout', ...WAIT]],
		['checkTask', ['concurrency', 'requestTimeout', ...WAIT]],
		['uploadImage', ['concurrency', 'requestTimeout', 'uploadTimeout']],
		['listModels', ['sortBy']],
	])('%s options', (operation, expected) => {
		const names = optionNames({ operation });
		for (const name of expected) expect(names).toContain(name);
		// New options may be added; none of another operation's may leak in.
		if (operation === 'createTask') for (const name of WAIT) expect(names).not.toContain(name);
		if (['waitForResult', 'checkTask', 'uploadImage'].includes(operation)) {
			expect(names).not.toContain('n');
			expect(names).not.toContain('maxCredits');
		}
	});

	test('every parameter but the operation itself (and the tool texts) belongs to operations by its own display rule', () => {
		for (const p of description.properties) {
			if (['operation', 'descriptionType', 'toolDescription'].includes(p.name)) continue;
			expect(p.displayOptions?.show?.operation).toBeDefined();
		}
	});

	test('a saved Create Task workflow keeps its values (same names and values)', () => {
		const saved: INodeParameters = {
			operation: 'createTask',
			taskType: 'image_to_video',
			model: { __rl: true, mode: 'id', value: 'wan2.6-i2v' },
			prompt: 'a cat',
			imageInput: 'url',
			imageUrls: 'https://example.com/a.png',
			modelSettings: { mappingMode: 'defineBelow', value: { duration: 5 } },
			options: { n: 2, maxCredits: 100, requestTimeout: 30 },
		};
		const kept = NodeHelpers.getNodeParameters(description.properties, saved, false, false, { typeVersion: 1 } as never, description);
		expect(kept).toMatchObject(saved);
	});
});

test('Text to Speech is a task type of Generate, Create Task and List Models', () => {
	for (const operation of ['generate', 'createTask', 'listModels']) {
		const taskType = description.properties.find((p) => p.name === 'taskType' && NodeHelpers.displayParameter({ operation }, p, NODE, description));
		expect(taskType?.options).toContainEqual({ name: 'Text to Speech', value: 'text_to_speech' });
	}
});
