/**
 * Issue 16 under attack (a review), in n8n's real engine against the simulator: settings and
 * answers that the durable money memory and the guards got wrong. Each test failed before its fix.
 */
import type { IDataObject } from 'n8n-workflow';

import { generate, linear, run, useSimulator, withItems, type Sim } from './setup';

const env = useSimulator({ speed: 200 });
let sim: Sim;
beforeEach(() => {
	sim = env.sim;
});

/** The IMA node's execution hints, per run. */
const hintsOf = (r: any) => (r.runData.IMA ?? []).map((run: any) => run.hints?.map((h: IDataObject) => h.message));

describe('the execution hint under Retry On Fail with Continue On Fail', () => {
	// n8n runs the node again (same run index) when its first output item is an error item and
	// Retry On Fail is on: the hint of the run is the last try's.
	const retrying = (spec: ReturnType<typeof generate>) => {
		const wf = linear(spec);
		Object.assign(wf.nodes[1], { retryOnFail: true, maxTries: 3, waitBetweenTries: 1, onError: 'continueRegularOutput' });
		return withItems(wf, [{ json: {} }]);
	};

	test('a task made by the first try is counted in the hint of the run, however many tries followed', async () => {
		sim.queueTask({ failMedia: [0] });
		const r = await run(sim, retrying(generate()));
		expect(sim.createsReceived()).toHaveLength(1);
		expect(r.runData.IMA).toHaveLength(1);
		expect(r.outputs.IMA[0].json.error).toMatch(/failed/);
		expect(hintsOf(r)).toEqual([['This run: 1 task created, 5 credits committed.']]);
	});
});

describe('money under settings an attacker would try', () => {
	test('Max Credits per item from an expression of odd types ("5", a list, null, 0): the one usable limit holds for every item', async () => {
		const wf = linear(generate({}, { maxCredits: '={{ $json.budget }}', concurrency: 1 }));
		Object.assign(wf.nodes[1], { onError: 'continueRegularOutput' });
		const r = await run(sim, withItems(wf, [{ json: { budget: '5' } }, { json: { budget: [1] } }, { json: { budget: null } }, { json: { budget: 0 } }]));
		expect(sim.createsReceived()).toHaveLength(1);
		const out = r.outputs.IMA.map((i: any) => i.json);
		expect(out[0].taskId).toBeDefined();
		expect(out[1].error).toMatch(/Max Credits per Run must be/);
		expect(out[2].error).toMatch(/Max Credits per Run must be/);
		expect(out[3]).toMatchObject({ charged: 'none', error: expect.stringMatching(/Max Credits per Run \(5\) would be passed/) });
	});

	test('Retry On Fail with Continue On Fail reruns the node while its first item is refused: the other items keep their tasks, no second create', async () => {
		const wf = linear(generate({ prompt: '={{ $json.p }}' }, { maxCredits: 10, concurrency: 1 }));
		Object.assign(wf.nodes[1], { retryOnFail: true, maxTries: 3, waitBetweenTries: 1, onError: 'continueRegularOutput' });
		// Item 0 is refused by its input (a prompt that is not text); n8n runs the node 3 times.
		const r = await run(sim, withItems(wf, [{ json: { p: { not: 'text' } } }, { json: { p: 'one' } }, { json: { p: 'two' } }, { json: { p: 'three' } }]));
		expect(sim.createsReceived()).toHaveLength(2);
		expect(sim.creditsCharged).toBe(10);
		const out = r.outputs.IMA.map((i: any) => i.json);
		expect(out[0].error).toMatch(/Prompt must be text/);
		expect(out[1].taskId).not.toBe(out[2].taskId);
		expect(out[3]).toMatchObject({ charged: 'none' });
		expect(hintsOf(r)).toEqual([['This run: 2 tasks created, 10 credits committed (10 of 10 Max Credits per Run used in this execution). 2 items refused before paying.']]);
	});
});
