import { evaluateTask, parseDuration, pollTask, TaskCancelledError, TaskTimeoutError, PollFailedError } from '../../nodes/Ima/helpers/polling';
import type { ImaMedia } from '../../nodes/Ima/helpers/types';

const ok = (extra: Partial<ImaMedia> = {}): ImaMedia => ({ resource_status: 1, status: 'success', url: 'https://cdn/x.png', ...extra });
const busy: ImaMedia = { resource_status: 0, status: 'processing' };

describe('task state', () => {
	test.each([
		['no medias yet', [], 1, 'pending'],
		['processing (null)', [{ resource_status: null, status: 'pending' }], 1, 'pending'],
		['one of two done', [ok(), busy], 2, 'pending'],
		['all done', [ok(), ok()], 2, 'done'],
		['fewer medias than n', [ok()], 2, 'pending'],
		['resource_status 2', [ok(), { resource_status: 2, status: 'failed', error_msg: 'moderation' }], 2, 'failed'],
		['status failed with resource_status 1', [{ ...ok(), status: 'failed', remark: 'upstream' }], 1, 'failed'],
		['deleted', [{ resource_status: 3 }], 1, 'failed'],
		['done without a URL', [{ resource_status: 1, status: 'success' }], 1, 'failed'],
		['a failure waits for its siblings still processing', [busy, { resource_status: 2 }], 2, 'pending'],
		['a failure waits for a sibling not listed yet', [{ resource_status: 2 }], 2, 'pending'],
		['a failure once every sibling settled', [ok(), { resource_status: 2 }], 2, 'failed'],
		['string "1" is done', [{ resource_status: '1', status: 'SUCCESS', url: 'https://cdn/x.png' }], 1, 'done'],
		['string "" is processing', [{ resource_status: '', status: 'PROCESSING' }], 1, 'pending'],
		['string "0" is processing', [{ resource_status: '0', status: 'pending' }], 1, 'pending'],
		['string " 2 " is failed', [{ resource_status: ' 2 ', status: '' }], 1, 'failed'],
		['string "3" is deleted', [{ resource_status: '3' }], 1, 'failed'],
		['status "FAILED" with "1" is failed', [{ resource_status: '1', status: 'FAILED', url: 'https://cdn/x.png' }], 1, 'failed'],
		['status as a number is not a failure', [{ resource_status: 1, status: 1, url: 'https://cdn/x.png' }], 1, 'done'],
		['garbage status is still processing', [{ resource_status: 'abc' }], 1, 'pending'],
	] as const)('%s → %s', (_name, medias, n, state) => {
		expect(evaluateTask({ id: 't', medias: medias as unknown as ImaMedia[] }, n).state).toBe(state);
	});

	test('keeps IMA reasons and the done media of a partial failure', () => {
		const s = evaluateTask({ id: 't', medias: [ok(), { resource_status: 2, error_msg: 'Content moderation' }, { ...ok(), status: 'failed', remark: 'gpu' }] }, 3);
		expect(s.state).toBe('failed');
		if (s.state !== 'failed') return;
		expect(s.done.map((d) => d.index)).toEqual([0]);
		expect(s.failed.map((f) => [f.index, f.reason])).toEqual([[1, 'Content moderation'], [2, 'gpu']]);
	});

	test('URL falls back to watermark_url then preview_url; fields by kind', () => {
		const s = evaluateTask({ id: 't', medias: [{ resource_status: 1, status: 'success', preview_url: 'https://p/v.mp4', cover: 'https://p/c.jpeg', duration_str: '5s', format: 'mp4' }] });
		expect(s.done[0]).toMatchObject({ url: 'https://p/v.mp4', coverUrl: 'https://p/c.jpeg', duration: 5, format: 'mp4' });
		expect(evaluateTask({ id: 't', medias: [{ resource_status: 1, watermark_url: 'https://w/x.png', width: '1024', height: 768 } as unknown as ImaMedia] }).done[0]).toMatchObject({ url: 'https://w/x.png', width: 1024, height: 768 });
	});

	test.each([
		['5s', 5],
		['1m30s', 90],
		['00:12', 12],
		['1:02:03', 3723],
		['7', 7],
		['', undefined],
		[undefined, undefined],
	])('duration %s → %s', (input, expected) => {
		expect(parseDuration(input)).toBe(expected);
	});
});

/** A fake clock: sleep advances time, nothing really waits. */
function fakeClock() {
	let now = 1_000_000;
	const sleeps: number[] = [];
	return {
		now: () => now,
		sleep: async (ms: number) => {
			sleeps.push(ms);
			now += ms;
		},
		sleeps,
		advance: (ms: number) => (now += ms),
	};
}

describe('pollTask', () => {
	test('waits the interval between checks and returns when done', async () => {
		const clock = fakeClock();
		const answers = [[busy], [busy], [ok()]];
		const state = await pollTask({
			taskId: 't', fetchDetail: async () => ({ id: 't', medias: answers.shift()! }), sleep: clock.sleep, now: clock.now,
			isCancelled: () => false, intervalMs: 3000, deadline: clock.now() + 60_000,
		});
		expect(state.state).toBe('done');
		expect(clock.sleeps).toEqual([3000, 3000]);
	});

	test('a failed read is retried with backoff and Retry-After, and never fails a running task', async () => {
		const clock = fakeClock();
		const transient = (retry?: number) => Object.assign(new Error('HTTP 503'), { transient: true, retry });
		const answers: Array<ImaMedia[] | Error> = [transient(), transient(10_000), [busy], [ok()]];
		const state = await pollTask({
			taskId: 't',
			fetchDetail: async () => {
				const a = answers.shift()!;
				if (a instanceof Error) throw a;
				return { id: 't', medias: a };
			},
			sleep: clock.sleep, now: clock.now, isCancelled: () => false, intervalMs: 1000, deadline: clock.now() + 600_000,
			retryAfterMs: (e) => (e as Error & { retry?: number }).retry,
		});
		expect(state.state).toBe('done');
		expect(clock.sleeps).toEqual([1000, 10_000, 1000]);
	});

	test('gives up after too many failed reads in a row, with the task id', async () => {
		const clock = fakeClock();
		await expect(
			pollTask({
				taskId: 'task-9', fetchDetail: async () => Promise.reject(Object.assign(new Error('reset'), { transient: true })),
				sleep: clock.sleep, now: clock.now, isCancelled: () => false, intervalMs: 10, deadline: clock.now() + 1e9, maxConsecutiveFailures: 3,
			}),
		).rejects.toThrow(PollFailedError);
	});

	test('a non-transient read error ends the wait at once', async () => {
		const clock = fakeClock();
		const fatal = Object.assign(new Error('task not found'), { transient: false });
		await expect(
			pollTask({ taskId: 't', fetchDetail: async () => Promise.reject(fatal), sleep: clock.sleep, now: clock.now, isCancelled: () => false, intervalMs: 10, deadline: clock.now() + 1000 }),
		).rejects.toBe(fatal);
	});

	test('times out at the deadline, after one last look', async () => {
		const clock = fakeClock();
		let reads = 0;
		const err = await pollTask({
			taskId: 'slow', fetchDetail: async () => (reads++, { id: 'slow', medias: [busy] }), sleep: clock.sleep, now: clock.now,
			isCancelled: () => false, intervalMs: 4000, deadline: clock.now() + 10_000,
		}).catch((e) => e);
		expect(err).toBeInstanceOf(TaskTimeoutError);
		expect(err.taskId).toBe('slow');
		expect(reads).toBe(4); // t=0, 4, 8, and the last look at 10
		expect(clock.sleeps).toEqual([4000, 4000, 2000]);
	});

	test('stops when cancelled', async () => {
		const clock = fakeClock();
		let cancelled = false;
		const err = await pollTask({
			taskId: 'c', fetchDetail: async () => ({ id: 'c', medias: [busy] }), now: clock.now, isCancelled: () => cancelled,
			sleep: async (ms) => {
				await clock.sleep(ms);
				cancelled = true;
			},
			intervalMs: 1000, deadline: clock.now() + 1e9,
		}).catch((e) => e);
		expect(err).toBeInstanceOf(TaskCancelledError);
		expect(clock.sleeps).toHaveLength(1);
	});
});

describe('statuses as IMA sends them', () => {
	const { resourceStatus, mediaStatus } = jest.requireActual('../../nodes/Ima/helpers/polling');
	test.each([
		[null, 0], [undefined, 0], ['', 0], ['  ', 0], [0, 0], ['0', 0], [1, 1], ['1', 1], [' 2', 2], ['3', 3], [1.5, 0], ['x', 0], [{}, 0],
	])('resource_status %p → %p', (raw, n) => {
		expect(resourceStatus(raw)).toBe(n);
	});
	test.each([[null, ''], ['FAILED', 'failed'], [' Success ', 'success'], [2, '2']])('status %p → %p', (raw, s) => {
		expect(mediaStatus(raw)).toBe(s);
	});
});

describe('429 while polling', () => {
	test('rate limiting never fails a healthy task: it waits as asked, without counting failures', async () => {
		let now = 0;
		let reads = 0;
		const waits: number[] = [];
		const penalties: number[] = [];
		const limited = Object.assign(new Error('429'), { transient: true, status: 429 });
		const state = await pollTask({
			taskId: 't',
			fetchDetail: async () => {
				reads++;
				if (reads <= 12) throw limited; // more than maxConsecutiveFailures in a row
				return { id: 't', medias: [ok()] };
			},
			sleep: async (ms) => {
				waits.push(ms);
				now += ms;
			},
			now: () => now,
			isCancelled: () => false,
			intervalMs: 100,
			deadline: 1e9,
			maxConsecutiveFailures: 3,
			retryAfterMs: () => 2000,
			isRateLimited: (e) => (e as any).status === 429,
			onRateLimited: (ms) => penalties.push(ms),
		});
		expect(state.state).toBe('done');
		expect(waits.slice(0, 12).every((w) => w === 2000)).toBe(true);
		expect(penalties).toHaveLength(12);
	});

	test('other read failures still end the wait after maxConsecutiveFailures', async () => {
		let now = 0;
		await expect(
			pollTask({
				taskId: 't',
				fetchDetail: async () => {
					throw Object.assign(new Error('502'), { transient: true });
				},
				sleep: async (ms) => {
					now += ms;
				},
				now: () => now,
				isCancelled: () => false,
				intervalMs: 100,
				deadline: 1e9,
				maxConsecutiveFailures: 3,
				isRateLimited: () => false,
			}),
		).rejects.toBeInstanceOf(PollFailedError);
	});

	test('the budget is waited for before every read', async () => {
		const order: string[] = [];
		let reads = 0;
		await pollTask({
			taskId: 't',
			beforeRead: async () => {
				order.push('budget');
			},
			fetchDetail: async () => {
				order.push('read');
				return ++reads < 3 ? { id: 't', medias: [busy] } : { id: 't', medias: [ok()] };
			},
			sleep: async () => undefined,
			now: () => 0,
			isCancelled: () => false,
			intervalMs: 100,
			deadline: 1e9,
		});
		expect(order).toEqual(['budget', 'read', 'budget', 'read', 'budget', 'read']);
	});
});

describe("waitDeadline: the user's timeout or IMA's timeout_at", () => {
	const { waitDeadline } = jest.requireActual('../../nodes/Ima/helpers/polling');
	test.each([
		['no timeout_at: the timeout', 1000, 600_000, 3000, undefined, 601_000],
		["IMA's deadline plus 60 s grace comes first", 1000, 2_400_000, 8000, 301_000, 361_000],
		['grace is at least two intervals', 0, 10_000_000, 60_000, 100_000, 220_000],
		['the timeout comes first', 0, 30_000, 3000, 300_000, 30_000],
		['a timeout_at in the past is ignored', 5000, 600_000, 3000, 4000, 605_000],
		['NaN is ignored', 0, 600_000, 3000, NaN, 600_000],
	])('%s', (_name, started, timeoutMs, intervalMs, timeoutAt, deadline) => {
		expect(waitDeadline(started, timeoutMs, intervalMs, timeoutAt)).toBe(deadline);
	});
});

describe('poll defaults by kind (CONTRACT.md)', () => {
	// eslint-disable-next-line @typescript-eslint/no-var-requires
	const { DEFAULT_POLL_INTERVAL, DEFAULT_TIMEOUT, mediaKindOf } = require('../../nodes/Ima/helpers/taskTypes');
	// eslint-disable-next-line @typescript-eslint/no-var-requires
	const { mediaFileType } = require('../../nodes/Ima/helpers/media');
	test.each([
		['text_to_image', 'image', 3, 600, 'png'],
		['image_to_video', 'video', 8, 2400, 'mp4'],
		['text_to_music', 'music', 5, 480, 'mp3'],
		['text_to_speech', 'speech', 3, 300, 'mp3'],
	])('%s is %s: every %i s, up to %i s; %s when nothing else tells', (taskType, kind, interval, timeout, ext) => {
		expect(mediaKindOf(taskType)).toBe(kind);
		expect(DEFAULT_POLL_INTERVAL[kind]).toBe(interval);
		expect(DEFAULT_TIMEOUT[kind]).toBe(timeout);
		expect(mediaFileType({ kind }).extension).toBe(ext);
	});
});
