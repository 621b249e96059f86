/**
 * Engine-test helpers: workflows run by n8n-core's WorkflowExecute with the built node and
 * credential (dist/), against the IMA simulator over real HTTP on loopback.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import type { IDataObject } from 'n8n-workflow';

import { installTestClock, uninstallAllClocks, type TestClock } from '../support/testClock';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { startSimulator } = require('../simulator');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { runWorkflow } = require('../harness/engine');

export { startSimulator, runWorkflow };

export type Sim = Awaited<ReturnType<typeof startSimulator>> & Record<string, any>;

export const TRIGGER = "When clicking 'Execute workflow'";

export interface NodeSpec {
	name?: string;
	parameters: IDataObject;
	executeOnce?: boolean;
	type?: string;
	typeVersion?: number;
}

/** A linear workflow: manual trigger → nodes in order (IMA nodes unless a type is given). */
export function linear(...specs: NodeSpec[]) {
	const nodes: IDataObject[] = [
		{ id: 'trigger', name: TRIGGER, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
	];
	specs.forEach((s, i) => {
		nodes.push({
			id: `n${i}`,
			name: s.name ?? (i === 0 ? 'IMA' : `IMA ${i}`),
			type: s.type ?? 'n8n-nodes-ima.ima',
			typeVersion: s.typeVersion ?? 1,
			position: [250 * (i + 1), 0],
			parameters: s.parameters,
			credentials: s.type ? undefined : { imaApi: { id: 'cred', name: 'IMA account' } },
			...(s.executeOnce ? { executeOnce: true } : {}),
		});
	});
	const connections: IDataObject = {};
	for (let i = 0; i + 1 < nodes.length; i++) {
		connections[nodes[i].name as string] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	}
	return { name: 'test', nodes, connections, settings: { executionOrder: 'v1' } };
}

export const model = (value: string, mode = 'id') => ({ __rl: true, mode, value });
export const settings = (value: IDataObject = {}) => ({ mappingMode: 'defineBelow', value });

/** Fast polling so tests never wait on real-time intervals. */
export const FAST = { pollInterval: 0.1 };

export function generate(overrides: IDataObject = {}, options: IDataObject = {}): NodeSpec {
	return {
		parameters: {
			operation: 'generate',
			taskType: 'text_to_image',
			model: model('doubao-seedream-4-5-251128'),
			prompt: 'a lighthouse at sunset',
			modelSettings: settings({}),
			options: { ...FAST, ...options },
			...overrides,
		},
	};
}

export function credsFor(sim: Sim, apiKey?: string) {
	return { imaApi: { apiKey: apiKey ?? sim.apiKey, baseUrl: sim.baseUrl, uploadBaseUrl: sim.uploadBaseUrl } };
}

/** Feed items into the first node after the trigger. */
export function withItems(workflow: ReturnType<typeof linear>, items: Array<{ json: IDataObject; binary?: IDataObject }>) {
	return { ...workflow, pinData: { [TRIGGER]: items } };
}

export async function run(sim: Sim, workflow: IDataObject, extra: IDataObject = {}) {
	return await runWorkflow({ workflow, credentials: credsFor(sim, extra.apiKey as string | undefined), ...extra });
}

export const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function isPng(b: Buffer) {
	return b.subarray(0, 8).equals(PNG);
}
export function isMp4(b: Buffer) {
	return b.subarray(4, 8).toString('latin1') === 'ftyp';
}
export function isMp3(b: Buffer) {
	return b[0] === 0xff && (b[1] & 0xe0) === 0xe0;
}
export function isJpeg(b: Buffer) {
	return b[0] === 0xff && b[1] === 0xd8;
}

/**
 * One simulator per test file (started before, closed after, reset before each test). Returns a
 * live binding: use `sim` inside tests, not at module load.
 */
export function useSimulator(options: IDataObject = { speed: 200 }): { readonly sim: Sim } {
	const holder = {} as { sim: Sim };
	beforeAll(async () => {
		holder.sim = await startSimulator(options);
	});
	afterAll(async () => {
		await holder.sim.close();
	});
	afterEach(() => uninstallAllClocks());
	beforeEach(() => {
		holder.sim.reset();
		// The node caches product lists for a minute in its process (here: jest's); a test that
		// serves another list must not see the last test's.
		// eslint-disable-next-line @typescript-eslint/no-var-requires
		require('../../dist/nodes/Ima/transport').clearProductCache();
	});
	return holder;
}

export type { TestClock };

/**
 * Runs `fn` with a clock the test controls (test/support/testClock.js): virtual time for the node,
 * the simulator and the harness, moved only by the test (`auto`: by the node's own waits).
 */
export async function withClock<T>(fn: (clock: TestClock) => Promise<T>, options: { auto?: boolean; maxAutoStepMs?: number } = { auto: true }): Promise<T> {
	const clock = installTestClock(options);
	try {
		return await fn(clock);
	} finally {
		clock.uninstall();
	}
}

/** Resolves once `predicate()` holds: waits for an event (a request the simulator got…), asserts nothing about time. */
export async function until(predicate: () => boolean): Promise<void> {
	while (!predicate()) await new Promise((r) => setTimeout(r, 2));
}
