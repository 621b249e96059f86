/** Check Task: one status check, media on Done, the item on Running; the Wait loop. */
import * as fs from 'fs';
import * as path from 'path';

import { FAST, generate, isMp4, isPng, linear, run, useSimulator, withClock, withItems, type Sim } from './setup';

const env = useSimulator();
let sim: Sim;
beforeEach(() => {
	sim = env.sim;
});

const check = (options: Record<string, unknown> = {}) => ({
	parameters: { operation: 'checkTask', taskId: '={{ $json.taskId }}', options: { ...FAST, ...options } },
});

/** Creates a task through the node (Create Task) and returns its id. */
async function createdTask(behaviour: Record<string, unknown> = {}): Promise<string> {
	sim.queueTask(behaviour);
	const r = await run(sim, linear({ parameters: { ...generate().parameters, operation: 'createTask' } }));
	expect(r.status).toBe('success');
	return r.outputs.IMA[0].json.taskId as string;
}

test('a running task goes to Running with taskId, status and elapsed; the input item is kept', async () => {
	const taskId = await createdTask({ neverFinish: true });
	const r = await run(sim, withItems(linear(check()), [{ json: { taskId, mine: 'kept' } }]));
	expect(r.status).toBe('success');
	const [done, running] = r.outputsAll.IMA;
	expect(done).toHaveLength(0);
	expect(running).toHaveLength(1);
	expect(running[0].json).toMatchObject({ taskId, status: 'running', mine: 'kept', mediaDone: 0 });
	expect(typeof running[0].json.elapsed === 'number' || running[0].json.elapsed === null).toBe(true);
	expect(running[0].pairedItem).toEqual({ item: 0 });
	expect(sim.requests.filter((q: any) => q.route === 'detail')).toHaveLength(1);
});

test('a done task goes to Done as media items, exactly as Wait for Result makes them', async () => {
	const taskId = await createdTask({ durationSec: 0 });
	const r = await run(sim, withItems(linear(check()), [{ json: { taskId } }]));
	const [done, running] = r.outputsAll.IMA;
	expect(running).toHaveLength(0);
	expect(done).toHaveLength(1);
	expect(done[0].json).toMatchObject({ taskId, taskType: 'text_to_image', index: 0 });
	expect(isPng(await r.readBinary(done[0].binary.data))).toBe(true);
	const w = await run(sim, withItems(linear({ parameters: { operation: 'waitForResult', taskId: '={{ $json.taskId }}', options: FAST } }), [{ json: { taskId } }]));
	expect(Object.keys(w.outputs.IMA[0].json).sort()).toEqual(Object.keys(done[0].json).sort());
});

test('a failed task is an error with its id; with Continue On Fail an item on Done', async () => {
	const taskId = await createdTask({ durationSec: 0, failMedia: [0] });
	const r = await run(sim, withItems(linear(check()), [{ json: { taskId } }]));
	expect(r.status).toBe('error');
	expect(r.error.message).toContain(taskId);
	const wf = withItems(linear(check()), [{ json: { taskId } }]);
	(wf.nodes[1] as any).onError = 'continueRegularOutput';
	const c = await run(sim, wf);
	const [done, running] = c.outputsAll.IMA;
	expect(running).toHaveLength(0);
	expect(done[0].json).toMatchObject({ taskId, error: expect.stringMatching(/failed/) });
});

test('an empty or object task id is refused before any request', async () => {
	const r = await run(sim, withItems(linear(check()), [{ json: { taskId: '' } }]));
	expect(r.error.message).toMatch(/Task ID is empty/);
	const o = await run(sim, withItems(linear(check()), [{ json: { taskId: { a: 1 } } }]));
	expect(o.error.message).toMatch(/Task ID must be text/);
	expect(sim.requests.filter((q: any) => q.route === 'detail')).toHaveLength(0);
});

test('several items: each goes to its output, pairing kept', async () => {
	const a = await createdTask({ durationSec: 0 });
	const b = await createdTask({ neverFinish: true });
	const r = await run(sim, withItems(linear(check()), [{ json: { taskId: a } }, { json: { taskId: b } }]));
	const [done, running] = r.outputsAll.IMA;
	expect(done.map((i: any) => [i.json.taskId, i.pairedItem.item])).toEqual([[a, 0]]);
	expect(running.map((i: any) => [i.json.taskId, i.pairedItem.item])).toEqual([[b, 1]]);
});

test('the example loop (Create Task → Wait → Check Task → Running → Wait) ends with the video', async () => {
	const wf = JSON.parse(fs.readFileSync(path.join(__dirname, '../../examples/check-task-loop.json'), 'utf8'));
	sim.queueTask({ durationSec: 100 }); // 0.5 s at this speed: ten rounds of the loop
	// On the test's clock the loop's Wait (the harness's stand-in: 50 ms) is the only thing that
	// moves time: the task is Running at the 50, 100, … 450 ms checks and Done at 500 ms.
	const r = await withClock(async () => await run(sim, wf));
	expect(r.status).toBe('success');
	const ready = r.outputs['Video Ready'];
	expect(ready).toHaveLength(1);
	expect(isMp4(await r.readBinary(ready[0].binary.data))).toBe(true);
	expect(sim.createsReceived()).toHaveLength(1);
	expect(r.runData['Check Task'].length).toBe(10);
	const checks = sim.requests.filter((q: any) => q.route === 'detail').map((q: any) => q.time - sim.tasks.get(ready[0].json.taskId).createdAt);
	expect(checks).toEqual([50, 100, 150, 200, 250, 300, 350, 400, 450, 500]);
});
