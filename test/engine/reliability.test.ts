/** Faults: nothing lost, nothing paid twice, and the error says what happened. */
import { generate, linear, model, run, useSimulator, withClock, withItems, type Sim } from './setup';

const env = useSimulator();
let sim: Sim;
beforeEach(() => {
	sim = env.sim;
});

const count = (route: string) => sim.requests.filter((r: any) => r.route === route).length;
const firstTaskId = () => [...sim.tasks.keys()][0] as string;

describe('reads retry transient failures', () => {
	test('a burst of 502/503 and a reset on task detail does not fail the task', async () => {
		sim.queueTask({ durationSec: 40 });
		sim.fault({ route: 'detail', kind: 'status', status: 502, times: 2 });
		sim.fault({ route: 'detail', kind: 'status', status: 503, times: 1 });
		sim.fault({ route: 'detail', kind: 'reset', times: 1 });
		const result = await run(sim, linear(generate()));
		expect(result.error?.message).toBeUndefined();
		expect(result.outputs.IMA).toHaveLength(1);
		expect(sim.createsReceived()).toHaveLength(1);
		expect(count('detail')).toBeGreaterThanOrEqual(5);
	});

	test('429 with Retry-After on task detail is honoured', async () => {
		sim.fault({ route: 'detail', kind: 'status', status: 429, retryAfter: 1, times: 1 });
		await withClock(async () => {
			const result = await run(sim, linear(generate()));
			expect(result.status).toBe('success');
			// On the test's clock: no read for 1 s after the 429 (polls are 0.1 s apart otherwise).
			const details = sim.requests.filter((r: any) => r.route === 'detail');
			expect(details.length).toBeGreaterThanOrEqual(2);
			expect(details[1].time - details[0].time).toBeGreaterThanOrEqual(1000);
		});
	});

	test('429 then 503 on the product list are retried', async () => {
		sim.fault({ route: 'productList', kind: 'status', status: 429, retryAfter: 0, times: 1 });
		sim.fault({ route: 'productList', kind: 'status', status: 503, times: 1 });
		const result = await run(sim, linear(generate({ taskType: 'image_to_video', model: model('kling-v2-6'), imageInput: 'url', imageUrls: 'https://x.example/a.png' })));
		expect(result.error?.message).toBeUndefined();
		expect(count('productList')).toBe(3);
	});

	test('a failed media download is retried', async () => {
		sim.fault({ route: 'media', kind: 'status', status: 503, times: 1 });
		const result = await run(sim, linear(generate()));
		expect(result.status).toBe('success');
		expect(count('media')).toBe(2);
	});
});

describe('the paid create call', () => {
	test('a 502 after IMA processed it: sent once, charged once, the error says the task may exist', async () => {
		sim.fault({ route: 'create', kind: 'status', status: 502, afterProcessing: true });
		const result = await run(sim, linear(generate()));
		expect(result.status).toBe('error');
		expect(sim.createsReceived()).toHaveLength(1);
		expect(sim.creditsCharged).toBe(5);
		expect(result.error.message).toMatch(/HTTP 502.*may have been created/);
		expect(result.error.description).toMatch(/did not send it again/);
	});

	test('a create that times out is not sent again', async () => {
		sim.fault({ route: 'create', kind: 'hang', afterProcessing: true });
		const result = await run(sim, linear(generate({}, { requestTimeout: 0.5 })));
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(/timed out.*may have been created/);
		expect(sim.createsReceived()).toHaveLength(1);
		expect(sim.creditsCharged).toBe(5);
	});

	test('a reset before the answer is not retried either', async () => {
		sim.fault({ route: 'create', kind: 'reset', afterProcessing: true });
		const result = await run(sim, linear(generate()));
		expect(result.error.message).toMatch(/connection broke.*may have been created/);
		expect(sim.createsReceived()).toHaveLength(1);
	});
});

describe('once a task id exists it is never lost', () => {
	test('a slow task past the timeout: the error carries the task id and says how to fetch it', async () => {
		sim.queueTask({ neverFinish: true });
		const result = await run(sim, linear(generate({}, { timeout: 0.3 })));
		expect(result.status).toBe('error');
		const taskId = firstTaskId();
		expect(result.error.message).toMatch(new RegExp(`Timed out after \\d+ s waiting for IMA task ${taskId}`));
		expect(result.error.description).toMatch(/Wait for Result/);
		expect(result.error.context?.taskId ?? result.error.serialized?.context?.taskId).toBe(taskId);
	});

	test('Continue On Fail: a timeout becomes an item with error and taskId', async () => {
		sim.queueTask({ neverFinish: true });
		const wf = linear(generate({}, { timeout: 0.3 }));
		(wf.nodes[1] as any).onError = 'continueRegularOutput';
		const result = await run(sim, wf);
		expect(result.status).toBe('success');
		expect(result.outputs.IMA[0].json).toMatchObject({ taskId: firstTaskId(), error: expect.stringMatching(/Timed out/) });
	});

	test('a failed media among n = 3: the two done media are output, the failure is an item', async () => {
		sim.queueTask({ failMedia: [1] });
		const wf = linear(generate({ model: model('gemini-3.1-flash-image-preview') }, { n: 3 }));
		(wf.nodes[1] as any).onError = 'continueRegularOutput';
		const result = await run(sim, wf);
		const items = result.outputs.IMA;
		expect(items.filter((i: any) => i.binary).map((i: any) => i.json.index)).toEqual([0, 2]);
		const err = items.find((i: any) => i.json.error);
		expect(err.json).toMatchObject({ taskId: firstTaskId() });
		expect(err.json.error).toMatch(/media 1: Content moderation/);
		expect(items.every((i: any) => i.pairedItem.item === 0)).toBe(true);
	});

	test('a failed media without Continue On Fail names the done ones', async () => {
		sim.queueTask({ failMedia: [1] });
		const result = await run(sim, linear(generate({ model: model('gemini-3.1-flash-image-preview') }, { n: 2 })));
		expect(result.status).toBe('error');
		expect(result.error.description).toMatch(/1 other media finished and are kept \(http/);
	});

	test('a deleted media fails with the reason and the task id', async () => {
		sim.queueTask({ deleteMedia: [0] });
		const result = await run(sim, linear(generate()));
		expect(result.error.message).toMatch(/deleted/);
		expect(result.error.message).toContain(firstTaskId());
	});

	test('a media gone from storage: the download error carries the task id and the URL', async () => {
		sim.fault({ route: 'media', kind: 'status', status: 404, times: 1 });
		const result = await run(sim, linear(generate()));
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(/finished, but downloading media 0 failed: The media is gone/);
		expect(result.error.description).toMatch(/The media is at http/);
		expect(result.error.message).toContain(firstTaskId());
	});

	test('cancelling the execution stops polling at once, in the middle of a wait', async () => {
		sim.queueTask({ neverFinish: true });
		await withClock(async (clock) => {
			// The test's clock never moves: the run can only end by the cancel interrupting the wait
			// (the first wait before a status check; its length follows the model's expected time).
			clock.auto = false;
			const sleeping = clock.whenSleeping((s) => s.ms > 0);
			const result = await run(sim, linear(generate({}, { pollInterval: 5 })), { cancelWhen: sleeping });
			expect(result.status).toBe('canceled');
			expect(clock.elapsed()).toBe(0);
			expect(clock.pending()).toEqual([]); // the wait ended with the cancel
			const detailsBefore = count('detail');
			clock.advance(60_000); // nothing is left to poll
			await new Promise((r) => setImmediate(r));
			expect(count('detail')).toBe(detailsBefore);
			expect(sim.createsReceived()).toHaveLength(1);
		}, { auto: false });
	});
});

describe('Create Task and Wait for Result', () => {
	test('Create Task outputs the id at once; Wait for Result outputs the media like Generate', async () => {
		sim.queueTask({ durationSec: 20 });
		const wf = linear(
			{ parameters: { operation: 'createTask', taskType: 'text_to_video', model: model('wan2.6-t2v'), prompt: 'balloon', modelSettings: { mappingMode: 'defineBelow', value: { duration: 10 } }, options: { n: 2 } } },
			{ parameters: { operation: 'waitForResult', taskId: '={{ $json.taskId }}', options: { pollInterval: 0.1, downloadCover: true } } },
		);
		const result = await run(sim, wf);
		expect(result.error?.message).toBeUndefined();
		const created = result.outputs.IMA[0].json;
		// expectedSeconds: the version's EET tag as the simulator serves it (300~420 s at speed 200).
		expect(created).toEqual({
			taskId: firstTaskId(),
			taskType: 'text_to_video',
			model: 'wan2.6-t2v',
			modelVersion: 'wan2.6-t2v',
			credits: 160,
			createdAt: expect.any(Number),
			expectedSeconds: { min: 1.5, max: 2.1 },
		});
		const media = result.outputs['IMA 1'];
		expect(media).toHaveLength(2);
		expect(media[0].json).toMatchObject({ taskId: created.taskId, taskType: 'text_to_video', index: 0 });
		expect(media[0].binary.data.mimeType).toBe('video/mp4');
		expect(media[0].binary.dataCover.mimeType).toBe('image/jpeg');
		expect(sim.createsReceived()).toHaveLength(1);
	});

	test('Wait for Result with an empty task id names the parameter', async () => {
		const result = await run(sim, linear({ parameters: { operation: 'waitForResult', taskId: '={{ $json.nothing }}' } }));
		expect(result.error.message).toMatch(/Task ID is empty/);
	});
});

describe('Continue On Fail isolates items, with concurrency', () => {
	test('one failing item among four: the others are output in order and paired', async () => {
		sim.queueTask({});
		sim.queueTask({ failMedia: [0] });
		sim.queueTask({});
		sim.queueTask({});
		const wf = withItems(linear(generate({ prompt: '={{ $json.p }}' }, { concurrency: 1 })), [0, 1, 2, 3].map((p) => ({ json: { p: `p${p}` } })));
		(wf.nodes[1] as any).onError = 'continueRegularOutput';
		const result = await run(sim, wf);
		const items = result.outputs.IMA;
		expect(items.map((i: any) => i.pairedItem.item)).toEqual([0, 1, 2, 3]);
		expect(items.map((i: any) => Boolean(i.json.error))).toEqual([false, true, false, false]);
		expect(items[1].json.taskId).toEqual(expect.any(String));
	});

	test('concurrency 4: tasks run side by side and order is still the input order', async () => {
		for (let i = 0; i < 6; i++) sim.queueTask({ durationSec: 100 + (5 - i) * 40 });
		const wf = withItems(linear(generate({ prompt: '={{ $json.p }}' }, { concurrency: 4 })), [0, 1, 2, 3, 4, 5].map((p) => ({ json: { p: `p${p}` } })));
		let fourCreatedAt = -1;
		const result = await withClock(async (clock) => {
			// Time stands still until every item waits (the limit covers creates, not waiting): none done yet.
			clock.auto = false;
			const running = run(sim, wf);
			await clock.whenSleeping(() => sim.createsReceived().length === 6 && clock.pending().length === 6, running);
			fourCreatedAt = clock.elapsed();
			clock.auto = true;
			clock.advance(0);
			return await running;
		}, { auto: false });
		const items = result.outputs.IMA;
		expect(items.map((i: any) => i.pairedItem.item)).toEqual([0, 1, 2, 3, 4, 5]);
		expect(items.map((i: any) => sim.tasks.get(i.json.taskId).prompt)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5']);
		// creates overlapped: the 4th create arrived before the 1st task was done (on the test's clock)
		const createTimes = sim.createsReceived().map((r: any) => r.time);
		const firstDone = sim.requests.find((r: any) => r.route === 'media').time;
		expect(createTimes[3]).toBeLessThan(firstDone);
		expect(fourCreatedAt).toBe(0);
	});

	test('the limit covers creates and downloads, not waiting: 8 items with a limit of 2 are all waited for together', async () => {
		for (let i = 0; i < 8; i++) sim.queueTask({ durationSec: 60 });
		const wf = withItems(linear(generate({ prompt: '={{ $json.p }}' }, { concurrency: 2 })), [0, 1, 2, 3, 4, 5, 6, 7].map((p) => ({ json: { p: `p${p}` } })));
		const result = await withClock(async (clock) => {
			// Time stands still until all eight wait side by side: no task can be done before that.
			clock.auto = false;
			const running = run(sim, wf);
			await clock.whenSleeping(() => sim.createsReceived().length === 8 && clock.pending().length === 8, running);
			clock.auto = true;
			clock.advance(0);
			return await running;
		}, { auto: false });
		expect(result.error?.message).toBeUndefined();
		const items = result.outputs.IMA;
		expect(items.map((i: any) => i.pairedItem.item)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
		expect(items.map((i: any) => sim.tasks.get(i.json.taskId).prompt)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7']);
		// every task was created before the first one finished (a task takes 0.3 s at speed 200, on the test's clock)
		const tasks = [...sim.tasks.values()];
		const lastCreated = Math.max(...tasks.map((t: any) => t.createdAt));
		const firstDone = Math.min(...tasks.map((t: any) => t.createdAt + t.durationMs));
		expect(lastCreated).toBeLessThan(firstDone);
	});

	test('a limit of 1 is strictly one item after another: each create follows the previous download', async () => {
		for (let i = 0; i < 3; i++) sim.queueTask({ durationSec: 10 });
		const wf = withItems(linear(generate({ prompt: '={{ $json.p }}' }, { concurrency: 1 })), [0, 1, 2].map((p) => ({ json: { p: `p${p}` } })));
		const result = await run(sim, wf);
		expect(result.error?.message).toBeUndefined();
		const sequence = sim.requests.filter((r: any) => r.route === 'create' || r.route === 'media').map((r: any) => r.route);
		expect(sequence).toEqual(['create', 'media', 'create', 'media', 'create', 'media']);
	});

	test('without Continue On Fail, no new task is created after an item fails', async () => {
		sim.fault({ route: 'create', kind: 'business', code: 4008 });
		const wf = withItems(linear(generate({ prompt: '={{ $json.p }}' }, { concurrency: 2 })), [0, 1, 2, 3, 4, 5].map((p) => ({ json: { p: `p${p}` } })));
		const result = await run(sim, wf);
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(/credits/i);
		// item 0 failed at once; at most the one create already in flight beside it went through
		expect(sim.createsReceived().length).toBeLessThanOrEqual(2);
		expect(result.error.description).toMatch(/not started/);
	});
});
