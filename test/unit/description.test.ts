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

	test('every parameter but the resource, the operation itself (and the tool texts) belongs to operations by its own display rule', () => {
		for (const p of description.properties) {
			if (['resource', 'operation', 'descriptionType', 'toolDescription'].includes(p.name)) continue;
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

describe('version 1.1: resources group the same operations (version 1 is unchanged)', () => {
	const V11 = { typeVersion: 1.1 };
	const shown11 = (values: INodeParameters) =>
		description.properties.filter((p) => NodeHelpers.displayParameter(values, p, V11, description));
	const ACTIONS: Record<string, Array<[string, string]>> = {
		image: [['createTask', 'Create an image task'], ['generate', 'Generate an image'], ['uploadImage', 'Upload an image']],
		model: [['listModels', 'List models']],
		music: [['createTask', 'Create a music task'], ['generate', 'Generate music']],
		speech: [['createTask', 'Create a speech task'], ['generate', 'Generate speech']],
		task: [['checkTask', 'Check a task once'], ['waitForResult', 'Wait for a task result']],
		video: [['createTask', 'Create a video task'], ['generate', 'Generate a video']],
	};

	test('new nodes are version 1.1; version 1 shows no resource and its flat list of six operations', () => {
		expect(description.version).toEqual([1, 1.1]);
		expect(description.defaultVersion).toBe(1.1);
		const v1 = description.properties.filter((p) => NodeHelpers.displayParameter({ operation: 'generate' }, p, NODE, description));
		expect(v1.map((p) => p.name)).not.toContain('resource');
		const ops = v1.filter((p) => p.name === 'operation');
		expect(ops).toHaveLength(1);
		expect((ops[0].options as Array<{ value: string }>).map((o) => o.value).sort()).toEqual(
			['checkTask', 'createTask', 'generate', 'listModels', 'uploadImage', 'waitForResult'],
		);
	});

	test.each(Object.entries(ACTIONS))('resource %s: one Operation list with its actions (node creator entries)', (resource, actions) => {
		const ops = shown11({ resource }).filter((p) => p.name === 'operation');
		expect(ops).toHaveLength(1);
		expect(ops[0].displayOptions?.show?.resource).toEqual([resource]);
		expect((ops[0].options as Array<{ value: string; action: string }>).map((o) => [o.value, o.action])).toEqual(actions);
	});

	test('every operation value is in exactly one resource, as in version 1', () => {
		const values = Object.values(ACTIONS).flatMap((a) => a.map(([v]) => v));
		expect(values.filter((v) => v === 'generate' || v === 'createTask')).toHaveLength(8);
		expect([...new Set(values)].sort()).toEqual(['checkTask', 'createTask', 'generate', 'listModels', 'uploadImage', 'waitForResult']);
	});

	test.each([
		['image', ['text_to_image', 'image_to_image']],
		['video', ['text_to_video', 'image_to_video', 'first_last_frame_to_video', 'reference_image_to_video']],
		['music', ['text_to_music']],
		['speech', ['text_to_speech']],
	])('resource %s: Task Type lists its own task types (the first is the default)', (resource, types) => {
		for (const operation of ['generate', 'createTask']) {
			const taskTypes = shown11({ resource, operation }).filter((p) => p.name === 'taskType');
			expect(taskTypes).toHaveLength(1);
			expect((taskTypes[0].options as Array<{ value: string }>).map((o) => o.value)).toEqual(types);
			expect(taskTypes[0].default).toBe(types[0]);
		}
	});

	test('List Models keeps every task type (an expression allowed); the other parameters are those of version 1', () => {
		const taskTypes = shown11({ resource: 'model', operation: 'listModels' }).filter((p) => p.name === 'taskType');
		expect(taskTypes).toHaveLength(1);
		expect(taskTypes[0].options).toHaveLength(8);
		expect(taskTypes[0].noDataExpression).toBe(false);
		const names = (values: INodeParameters, node: { typeVersion: number }) =>
			description.properties.filter((p) => NodeHelpers.displayParameter(values, p, node, description)).map((p) => p.name).filter((n) => n !== 'resource');
		for (const [resource, operation, extra] of [
			['video', 'generate', { taskType: 'image_to_video', imageInput: 'binary' }],
			['image', 'uploadImage', {}],
			['task', 'checkTask', {}],
			['speech', 'createTask', { taskType: 'text_to_speech' }],
		] as const) {
			expect(names({ resource, operation, ...extra }, V11)).toEqual(names({ operation, ...extra }, NODE));
		}
	});

	test("n8n names a new node (and an AI Agent's tool) after its action", () => {
		const tool = { ...description, outputs: ['ai_tool'] } as never;
		for (const [resource, actions] of Object.entries(ACTIONS)) {
			for (const [operation, action] of actions) {
				expect(NodeHelpers.makeNodeName({ resource, operation }, description)).toBe(action);
				expect(NodeHelpers.makeNodeName({ resource, operation }, tool)).toBe(`${action} in IMA`);
			}
		}
		// A version 1 node keeps the name it had: IMA.
		expect(NodeHelpers.makeNodeName({ operation: 'generate' }, description)).toBe('IMA');
	});
});
