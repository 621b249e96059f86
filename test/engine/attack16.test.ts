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
