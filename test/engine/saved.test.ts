/**
 * Workflows saved with 0.2.0 (node version 1, no `resource`) load and run unchanged now that
 * version 1.1 groups the operations into resources: through n8n's own parameter resolution
 * (n8n-workflow's NodeHelpers.getNodeParameters, which the editor and the engine run on every
 * saved node: it drops parameters whose display rules hide them and fills in missing defaults),
 * then in n8n-core's WorkflowExecute against the simulator.
 */
import * as fs from 'fs';
import * as path from 'path';

import { NodeHelpers, type INode, type INodeParameters, type INodeTypeDescription } from 'n8n-workflow';

import { Ima } from '../../nodes/Ima/Ima.node';
import { isMp3, isMp4, isPng, run, useSimulator, withClock, type Sim } from './setup';

/* eslint-disable @typescript-eslint/no-var-requires */
const queueWorkflows = require('../queue/workflows');
const bench = require('../../bench/scenarios');
/* eslint-enable @typescript-eslint/no-var-requires */

const env = useSimulator();
let sim: Sim;
beforeEach(() => {
	sim = env.sim;
});

const REPO = path.resolve(__dirname, '../..');
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));
const jsonFiles = (dir: string) => fs.readdirSync(path.join(REPO, dir)).filter((f) => f.endsWith('.json')).map((f) => `${dir}/${f}`);

/** Every workflow written for 0.2.0 that is kept as a file or built by a script, by where it lives. */
const SAVED: Array<[string, { nodes: INode[] }]> = [
	...jsonFiles('examples').map((f): [string, { nodes: INode[] }] => [f, readJson(path.join(REPO, f))]),
	...jsonFiles('test/n8n/workflows').map((f): [string, { nodes: INode[] }] => [f, readJson(path.join(REPO, f))]),
	...queueWorkflows.all({ id: 'c', name: 'c' }).map((w: any): [string, { nodes: INode[] }] => [`test/queue/workflows.js: ${w.name}`, w]),
	['bench/scenarios.js: generate', bench.generateWorkflow('node', 1)],
	['bench/scenarios.js: upload', bench.uploadWorkflow('node')],
];

const description = new Ima().description;
const toolDescription = { ...description, name: 'n8n-nodes-ima.imaTool' } as INodeTypeDescription; // what n8n's "IMA Tool" is
const imaNodes = (wf: { nodes: INode[] }) => wf.nodes.filter((n) => n.type === 'n8n-nodes-ima.ima' || n.type === 'n8n-nodes-ima.imaTool');
const SAVED_NODES = SAVED.flatMap(([where, wf]) => imaNodes(wf).map((n): [string, INode] => [`${where} › ${n.name}`, n]));

/** What n8n makes of a saved node: its parameters as the editor shows them and the engine runs them. */
function resolve(node: INode, typeVersion = node.typeVersion): INodeParameters {
	const d = node.type.endsWith('Tool') ? toolDescription : description;
	return NodeHelpers.getNodeParameters(d.properties, node.parameters, true, false, { ...node, typeVersion }, d) ?? {};
}

describe('saved 0.2.0 workflows: n8n resolves every IMA node as before', () => {
	test('they are all here: version 1, no resource', () => {
		expect(SAVED_NODES.length).toBeGreaterThanOrEqual(20);
		for (const [, node] of SAVED_NODES) {
			expect(node.typeVersion).toBe(1);
			expect(node.parameters).not.toHaveProperty('resource');
		}
	});

	test.each(SAVED_NODES)('%s: same operation, every saved parameter kept, no resource', (_where, node) => {
		const resolved = resolve(node);
		expect(resolved.operation).toBe(node.parameters.operation ?? 'generate');
		expect(resolved).toMatchObject(node.parameters);
		expect(resolved).not.toHaveProperty('resource');
	});

	test.each(SAVED_NODES)('%s: even read as version 1.1, the operation and every parameter stay', (_where, node) => {
		// A saved node without `resource` gets the default resource (Image); the operation, not the
		// resource, decides what runs, and every parameter keyed by it is still shown.
		const resolved = resolve(node, 1.1);
		expect(resolved.operation).toBe(node.parameters.operation ?? 'generate');
		expect(resolved).toMatchObject(node.parameters);
		expect(resolved.resource).toBe('image');
	});

	test('a saved Upload Image without resource is Upload Image (version 1 and 1.1)', () => {
		const node = { id: 'u', name: 'Upload', type: 'n8n-nodes-ima.ima', typeVersion: 1, position: [0, 0], parameters: { operation: 'uploadImage' } } as INode;
		expect(resolve(node)).toEqual({ operation: 'uploadImage', binaryPropertyName: 'data', options: {} });
		expect(resolve(node, 1.1)).toEqual({ resource: 'image', operation: 'uploadImage', binaryPropertyName: 'data', options: {} });
		// and a saved Check Task, whose resource would be Task at 1.1
		const check = { ...node, parameters: { operation: 'checkTask', taskId: '={{ $json.taskId }}' } };
		expect(resolve(check, 1.1)).toEqual({ resource: 'image', operation: 'checkTask', taskId: '={{ $json.taskId }}', options: {} });
	});
});

describe('the examples run unchanged (version 1 as saved, and read as 1.1)', () => {
	const EXAMPLES: Array<[string, string, (b: Buffer) => boolean, string]> = [
		['text-to-image.json', 'Generate Image', isPng, 'image/png'],
		['text-to-video.json', 'Generate Video', isMp4, 'video/mp4'],
		['text-to-music.json', 'Generate Music', isMp3, 'audio/mpeg'],
		['text-to-speech.json', 'Generate Speech', isMp3, 'audio/mpeg'],
		['first-last-frame-to-video.json', 'First and Last Frame to Video', isMp4, 'video/mp4'],
		['upload-then-image-to-image.json', 'Restyle Image', isPng, 'image/png'],
		['create-task-wait-result.json', 'Wait for Result', isMp4, 'video/mp4'],
		['check-task-loop.json', 'Video Ready', isMp4, 'video/mp4'],
	];
	test('every example is listed', () => {
		expect(EXAMPLES.map(([f]) => f).sort()).toEqual(fs.readdirSync(path.join(REPO, 'examples')).filter((f) => f.endsWith('.json')).sort());
	});

	test.each(EXAMPLES.flatMap(([file, last, isKind, mime]) => [1, 1.1].map((v) => [file, v, last, isKind, mime] as const)))(
		'%s at version %s',
		async (file, typeVersion, last, isKind, mime) => {
			const wf = readJson(path.join(REPO, 'examples', file));
			for (const n of imaNodes(wf)) n.typeVersion = typeVersion;
			// The examples keep IMA's default poll intervals (3–8 s): on the test's clock they pass at once.
			const result = await withClock(async () => await run(sim, wf));
			expect(result.error?.message).toBeUndefined();
			expect(result.status).toBe('success');
			const out = result.outputs[last];
			expect(out.length).toBeGreaterThan(0);
			expect(out[0].binary.data.mimeType).toBe(mime);
			expect(isKind(await result.readBinary(out[0].binary.data))).toBe(true);
			// one paid create per IMA Generate / Create Task node, none twice
			const creators = imaNodes(wf).filter((n) => ['generate', 'createTask', undefined].includes(n.parameters.operation as string));
			expect(sim.createsReceived()).toHaveLength(creators.length);
		},
	);
});
