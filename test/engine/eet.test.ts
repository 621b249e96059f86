/**
 * Issue 17: status checks sized to IMA's expected time, a budget that learns. Assertions are on
 * the simulator's record (arrival times relative to each task's creation, in ms of the
 * simulator's clock at speed 200), and only in the direction a busy machine cannot break: a
 * delayed check arrives later, never earlier, and makes no extra check.
 */
import { generate, linear, model, run, useSimulator, withItems, type Sim } from './setup';

const SPEED = 200;
const env = useSimulator({ speed: SPEED });
let sim: Sim;
beforeEach(() => {
	sim = env.sim;
	// Learned windows live in the process, per model version: each test starts from the tags.
	// eslint-disable-next-line @typescript-eslint/no-var-requires
	require('../../dist/nodes/Ima/helpers/checkSchedule').clearLearned();
});

/** ms after `origin` (default: its creation) at which each detail request of a task arrived (sorted). */
function checksOf(taskId: string, origin?: number): number[] {
	const task = sim.tasks.get(taskId);
	return sim.requests
		.filter((r: any) => r.route === 'detail' && r.body?.task_id === taskId && !r.limited)
		.map((r: any) => r.time - (origin ?? task.createdAt))
		.sort((a: number, b: number) => a - b);
}

/**
 * When the product list that preceded a task's create arrived. Generate counts a task's age from
 * the moment it sent the create, which comes after that answer: on a busy machine the create may
 * reach the simulator late, so this, not the creation, is the moment no check can come before.
 */
function listedBefore(taskId: string): number {
	const created = sim.tasks.get(taskId).createdAt;
	const lists = sim.requests.filter((r: any) => r.route === 'productList' && r.time <= created).map((r: any) => r.time as number);
	return Math.max(...lists);
}

const only = () => [...sim.tasks.values()][0];
const items = (n: number) => Array.from({ length: n }, (_, i) => ({ json: { i } }));

describe('Generate checks on the expected time', () => {
	test('a 240~360 s video (1.2~1.8 s here): no check before its window (it opens within 16 intervals), then every Poll Interval', async () => {
		const result = await run(sim, linear(generate({ taskType: 'text_to_video', model: model('kling-video-o1') }, { pollInterval: 0.1 })));
		expect(result.error?.message).toBeUndefined();
		expect(result.outputs.IMA).toHaveLength(1);
		const task = only();
		expect(task.expectedSec).toEqual([240, 360]);
		const checks = checksOf(task.id);
		// Planned: 1.3, 1.4, … s (half the time to the window, 0.6 s, is under 8 intervals).
		expect(checksOf(task.id, listedBefore(task.id))[0]).toBeGreaterThanOrEqual(1290);
		// At most one check per interval once the window opened, one more that saw it done, and one
		// for the time the create took to reach the simulator (the node counts from sending it).
		expect(checks.length).toBeLessThanOrEqual(Math.ceil((task.durationMs - 1200) / 100) + 2);
		// A fixed 0.1 s schedule would have made about durationMs / 100 (12 to 18) checks.
		expect(checks.length).toBeLessThan(task.durationMs / 100);
	});

	test('a version without an EET tag is checked at a fixed interval from the start, as before', async () => {
		sim.queueTask({ durationSec: 400 }); // 2 s here
		const result = await run(sim, linear(generate({ taskType: 'text_to_speech', model: model('seed-tts-2.0'), prompt: 'hello' }, { pollInterval: 0.1 })));
		expect(result.error?.message).toBeUndefined();
		const task = only();
		expect(task.expectedSec).toBeNull();
		const checks = checksOf(task.id);
		expect(checks[0]).toBeLessThan(1000);
		expect(checks.length).toBeGreaterThan(5);
	});

	test('a model IMA runs faster than its tag says is checked earlier next time', async () => {
		// The tag says 400~600 s (2~3 s here); IMA takes 20 s (0.1 s here).
		sim.patchVersion('text_to_speech', 'seed-tts-1.1', (v: any) => {
			v.tags = [{ tag_type: 'EET', tag_value: '400~600s' }];
		});
		const speech = linear(generate({ taskType: 'text_to_speech', model: model('seed-tts-1.1'), prompt: 'hello' }, { pollInterval: 0.1 }));
		sim.queueTask({ durationSec: 20 });
		expect((await run(sim, speech)).status).toBe('success');
		const firstTask = only();
		const first = checksOf(firstTask.id);
		// Planned before the window: 1 s (half of 2 s; a quarter is under 8 intervals); the task was done then.
		expect(checksOf(firstTask.id, listedBefore(firstTask.id))[0]).toBeGreaterThanOrEqual(990);
		sim.queueTask({ durationSec: 20 });
		expect((await run(sim, speech)).status).toBe('success');
		const second = checksOf([...sim.tasks.values()][1].id);
		// Learned: the window opens at 0, the first check one interval after the create.
		expect(second[0]).toBeLessThan(first[0]);
		expect(sim.createsReceived()).toHaveLength(2);
	});
});

describe('Create Task → Wait for Result and Check Task know the task from the item', () => {
	const create = (extra: Record<string, unknown> = {}) => ({
		parameters: { operation: 'createTask', taskType: 'text_to_video', model: model('kling-video-o1'), prompt: 'a fox', modelSettings: { mappingMode: 'defineBelow', value: {} }, ...extra },
	});

	test("Wait for Result follows the schedule of the task's version, from its creation", async () => {
		const result = await run(sim, linear(create(), { parameters: { operation: 'waitForResult', taskId: '={{ $json.taskId }}', options: { pollInterval: 0.1 } } }));
		expect(result.error?.message).toBeUndefined();
		const task = only();
		expect(result.outputs.IMA[0].json).toMatchObject({ taskId: task.id });
		const checks = checksOf(task.id);
		expect(checks[0]).toBeGreaterThanOrEqual(1290);
		expect(checks.length).toBeLessThan(task.durationMs / 100);
	});

	test('Create Task outputs expectedSeconds; Check Task keeps it on Running and says when to check next', async () => {
		sim.queueTask({ neverFinish: true });
		const result = await run(sim, linear(create(), { parameters: { operation: 'checkTask', taskId: '={{ $json.taskId }}', options: { pollInterval: 0.3 } } }));
		expect(result.error?.message).toBeUndefined();
		const [done, running] = result.outputsAll['IMA 1'];
		expect(done).toHaveLength(0);
		expect(running[0].json).toMatchObject({ status: 'running', expectedSeconds: { min: 1.2, max: 1.8 } });
		const next = running[0].json.nextCheckIn as number;
		// The first planned check: one Poll Interval after the window opens (1.2 + 0.3 s after the
		// create; none before it, the window opens within 16 intervals), seen a moment after the create.
		expect(next).toBeGreaterThan(0.3);
		expect(next).toBeLessThanOrEqual(1.5);
	});
});

describe('the budget learns from 429s', () => {
	test('against a hidden limit of 5/s: every task done, and after each 429 no check for the Retry-After', async () => {
		sim.setRateLimit('detail', { perSecond: 5, retryAfter: 1 });
		for (let i = 0; i < 20; i++) sim.queueTask({ durationSec: 200 });
		const result = await run(sim, withItems(linear(generate({}, { pollInterval: 0.1, concurrency: 20 })), items(20)));
		expect(result.error?.message).toBeUndefined();
		expect(result.outputs.IMA).toHaveLength(20);
		const details = sim.requests.filter((r: any) => r.route === 'detail');
		const limited = details.filter((r: any) => r.limited);
		expect(limited.length).toBeGreaterThan(0);
		// IMA asked for a second of quiet after each 429: checks sent before it arrived may still
		// land just after it, none in the rest of that second.
		for (const l of limited) {
			const quiet = details.filter((r: any) => r.time > l.time + 300 && r.time < l.time + 900);
			expect(quiet).toHaveLength(0);
		}
		// The budget adapted: most checks were answered.
		expect(limited.length).toBeLessThan(details.length / 4);
	});
});
