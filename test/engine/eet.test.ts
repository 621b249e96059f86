/**
 * Issue 17: status checks sized to IMA's expected time, a budget that learns. Every run is on the
 * test's clock (`withClock`): virtual time moves only when the node waits, and the in-process
 * simulator's task progress, rate limit and request records follow it, so each check's arrival is
 * exact (ms of virtual time since the task's creation; the simulator runs at speed 200).
 */
import { generate, linear, model, run, useSimulator, withClock, withItems, type Sim } from './setup';

const SPEED = 200;
const env = useSimulator({ speed: SPEED });
let sim: Sim;
beforeEach(() => {
	sim = env.sim;
	// Learned windows live in the process, per model version: each test starts from the tags.
	// eslint-disable-next-line @typescript-eslint/no-var-requires
	require('../../dist/nodes/Ima/helpers/checkSchedule').clearLearned();
});

/** ms after its creation at which each detail request of a task arrived (virtual time, sorted). */
function checksOf(taskId: string): number[] {
	const task = sim.tasks.get(taskId);
	return sim.requests
		.filter((r: any) => r.route === 'detail' && r.body?.task_id === taskId && !r.limited)
		.map((r: any) => r.time - task.createdAt)
		.sort((a: number, b: number) => a - b);
}

/** Every `step` ms from `first` up to the first one at or past `doneMs` (the check that saw it done). */
function grid(first: number, step: number, doneMs: number): number[] {
	const out: number[] = [];
	for (let at = first; ; at += step) {
		out.push(at);
		if (at >= doneMs) return out;
	}
}

const only = () => [...sim.tasks.values()][0];
const items = (n: number) => Array.from({ length: n }, (_, i) => ({ json: { i } }));

describe('Generate checks on the expected time', () => {
	test('a 240~360 s video (1.2~1.8 s here): no check before its window (it opens within 16 intervals), then every Poll Interval', async () => {
		await withClock(async () => {
			const result = await run(sim, linear(generate({ taskType: 'text_to_video', model: model('kling-video-o1') }, { pollInterval: 0.1 })));
			expect(result.error?.message).toBeUndefined();
			expect(result.outputs.IMA).toHaveLength(1);
		});
		const task = only();
		expect(task.expectedSec).toEqual([240, 360]);
		expect(task.durationMs).toBeGreaterThan(1300); // the seeded draw: the task is still running at the first check
		// Planned: 1.3, 1.4, … s (half the time to the window, 0.6 s, is under 8 intervals), up to
		// the check that saw it done; nothing before the window.
		const checks = checksOf(task.id);
		expect(checks).toEqual(grid(1300, 100, task.durationMs));
		// A fixed 0.1 s schedule would have made about durationMs / 100 (12 to 18) checks.
		expect(checks.length).toBeLessThan(task.durationMs / 100 - 8);
	});

	test('a version without an EET tag is checked at a fixed interval from the start, as before', async () => {
		sim.queueTask({ durationSec: 400 }); // 2 s here
		await withClock(async () => {
			const result = await run(sim, linear(generate({ taskType: 'text_to_speech', model: model('seed-tts-2.0'), prompt: 'hello' }, { pollInterval: 0.1 })));
			expect(result.error?.message).toBeUndefined();
		});
		const task = only();
		expect(task.expectedSec).toBeNull();
		const checks = checksOf(task.id);
		// At once, then every 0.1 s: the first ten in the first second (the status-check budget's
		// 10 a second then holds the next ones back by its 50 ms margin, never more).
		expect(checks.slice(0, 10)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
		const gaps = checks.slice(1).map((t, k) => t - checks[k]);
		for (const gap of gaps) expect(gap === 100 || gap === 150).toBe(true);
		// Until the check that saw it done, 2 s after the create.
		expect(checks[checks.length - 2]).toBeLessThan(2000);
		expect(checks[checks.length - 1]).toBeGreaterThanOrEqual(2000);
	});

	test('a model IMA runs faster than its tag says is checked earlier next time', async () => {
		// The tag says 400~600 s (2~3 s here); IMA takes 20 s (0.1 s here).
		sim.patchVersion('text_to_speech', 'seed-tts-1.1', (v: any) => {
			v.tags = [{ tag_type: 'EET', tag_value: '400~600s' }];
		});
		const speech = linear(generate({ taskType: 'text_to_speech', model: model('seed-tts-1.1'), prompt: 'hello' }, { pollInterval: 0.1 }));
		await withClock(async () => {
			sim.queueTask({ durationSec: 20 });
			expect((await run(sim, speech)).status).toBe('success');
			sim.queueTask({ durationSec: 20 });
			expect((await run(sim, speech)).status).toBe('success');
		});
		const [firstTask, secondTask] = [...sim.tasks.values()];
		// Planned before the window: 1 s (half of 2 s; a quarter is under 8 intervals); the task was done then.
		expect(checksOf(firstTask.id)).toEqual([1000]);
		// Learned: the window opens at 0, the first check one interval after the create.
		expect(checksOf(secondTask.id)).toEqual([100]);
		expect(sim.createsReceived()).toHaveLength(2);
	});
});

describe('Create Task → Wait for Result and Check Task know the task from the item', () => {
	const create = (extra: Record<string, unknown> = {}) => ({
		parameters: { operation: 'createTask', taskType: 'text_to_video', model: model('kling-video-o1'), prompt: 'a fox', modelSettings: { mappingMode: 'defineBelow', value: {} }, ...extra },
	});

	test("Wait for Result follows the schedule of the task's version, from its creation", async () => {
		await withClock(async () => {
			const result = await run(sim, linear(create(), { parameters: { operation: 'waitForResult', taskId: '={{ $json.taskId }}', options: { pollInterval: 0.1 } } }));
			expect(result.error?.message).toBeUndefined();
			expect(result.outputs.IMA[0].json).toMatchObject({ taskId: only().id });
		});
		const task = only();
		expect(task.durationMs).toBeGreaterThan(1300);
		// As Generate: every 0.1 s from one interval after the window opens (1.2 s after the create).
		expect(checksOf(task.id)).toEqual(grid(1300, 100, task.durationMs));
	});

	test('Create Task outputs expectedSeconds; Check Task keeps it on Running and says when to check next', async () => {
		sim.queueTask({ neverFinish: true });
		const result = await withClock(async () => await run(sim, linear(create(), { parameters: { operation: 'checkTask', taskId: '={{ $json.taskId }}', options: { pollInterval: 0.3 } } })));
		expect(result.error?.message).toBeUndefined();
		const [done, running] = result.outputsAll['IMA 1'];
		expect(done).toHaveLength(0);
		expect(running[0].json).toMatchObject({ status: 'running', expectedSeconds: { min: 1.2, max: 1.8 }, elapsed: 0 });
		// Checked right after the create (no time passed): the first planned check is one Poll
		// Interval after the window opens, 1.2 + 0.3 s (none before it: the window opens within 16 intervals).
		expect(checksOf(only().id)).toEqual([0]);
		expect(running[0].json.nextCheckIn).toBe(1.5);
	});
});

describe('the budget learns from 429s', () => {
	test('against a hidden limit of 5/s: every task done, and after each 429 no check for the Retry-After', async () => {
		sim.setRateLimit('detail', { perSecond: 5, retryAfter: 1 });
		for (let i = 0; i < 20; i++) sim.queueTask({ durationSec: 200 });
		const result = await withClock(async () => await run(sim, withItems(linear(generate({}, { pollInterval: 0.1, concurrency: 20 })), items(20))));
		expect(result.error?.message).toBeUndefined();
		expect(result.outputs.IMA).toHaveLength(20);
		const details = sim.requests.filter((r: any) => r.route === 'detail');
		const limited = details.filter((r: any) => r.limited);
		expect(limited.length).toBeGreaterThan(0);
		// IMA asked for a second of quiet after each 429 (the simulator's limit runs on the same
		// clock): no check in that second.
		for (const l of limited) {
			const quiet = details.filter((r: any) => r.time > l.time && r.time < l.time + 1000);
			expect(quiet).toHaveLength(0);
		}
		// The budget adapted: most checks were answered, and no second of the shared clock held
		// more than the hidden limit's 5 answered checks.
		expect(limited.length).toBeLessThan(details.length / 4);
		const answered = details.filter((r: any) => !r.limited).map((r: any) => r.time as number);
		for (const t of answered) expect(answered.filter((u: number) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(5);
	});
});
