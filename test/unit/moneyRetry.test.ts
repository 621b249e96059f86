/**
 * transport/retry.ts: how often a read is tried, when it stops, and how the waits between tries
 * end. Written for the survivors of the full mutation tier (docs/MUTATION.md). Time is jest's fake
 * clock: a wait that should not happen shows up as a pending timer, never as real time.
 */
import { ImaRequestError, type ImaErrorInfo } from '../../nodes/Ima/transport/errors';
import { abortableSleep, isTransientStatus, withRetries } from '../../nodes/Ima/transport/retry';

const transient = (message = 'HTTP 503') => new ImaRequestError(message, { kind: 'http', transient: true, maybeProcessed: false, step: 'task detail', httpStatus: 503 } as ImaErrorInfo);
const permanent = (message = 'HTTP 404') => new ImaRequestError(message, { kind: 'http', transient: false, maybeProcessed: false, step: 'task detail', httpStatus: 404 } as ImaErrorInfo);

describe('isTransientStatus', () => {
	test.each([
		[408, true],
		[429, true],
		[500, true],
		[502, true],
		[599, true],
		[400, false],
		[404, false],
		[407, false],
		[409, false],
		[499, false],
	])('HTTP %i → %s', (status, worth) => {
		expect(isTransientStatus(status)).toBe(worth);
	});
});

describe('withRetries', () => {
	const tries = (over: Partial<{ cancelled: boolean; maxAttempts: number; retryBaseMs: number }> = {}) => ({ cancelled: false, maxAttempts: 3, retryBaseMs: 0, ...over });

	test('a transient failure every time: exactly maxAttempts tries, then "gave up"', async () => {
		let calls = 0;
		const e = await withRetries(tries(), 'task detail', async () => {
			calls++;
			throw transient();
		}).catch((x: unknown) => x as ImaRequestError);
		expect(calls).toBe(3);
		expect(e.message).toBe('HTTP 503 (gave up after 3 attempts)');
		expect(e.info.httpStatus).toBe(503);
	});

	test('anything but an ImaRequestError goes up at once, even one that calls itself transient', async () => {
		let calls = 0;
		const local = Object.assign(new Error('bad product list'), { transient: true, info: { retryAfterMs: 0 } });
		const e = await withRetries(tries(), 'product list', async () => {
			calls++;
			throw local;
		}).catch((x: unknown) => x);
		expect(e).toBe(local);
		expect(calls).toBe(1);
	});

	test('a permanent failure goes up at once, as it is', async () => {
		let calls = 0;
		const p = permanent();
		const e = await withRetries(tries(), 'task detail', async () => {
			calls++;
			throw p;
		}).catch((x: unknown) => x);
		expect(e).toBe(p);
		expect(calls).toBe(1);
	});

	test.each([
		['a transient failure on the last try', transient, 1],
		['a permanent failure', permanent, 3],
	])('cancelled while the try was in flight (%s): the error says cancelled, not what the aborted request gave', async (_name, make, maxAttempts) => {
		const t = { ...tries({ maxAttempts }), cancelled: false };
		let calls = 0;
		const e = await withRetries(t, 'task detail', async () => {
			calls++;
			t.cancelled = true;
			throw make();
		}).catch((x: unknown) => x as ImaRequestError);
		expect(e.message).toBe('The task detail request was cancelled');
		expect(e.info.kind).toBe('cancelled');
		expect(calls).toBe(1);
	});

	test('cancelled before the first try: nothing is sent', async () => {
		const attempt = jest.fn(async () => 'sent');
		const e = (await withRetries(tries({ cancelled: true }), 'task detail', attempt).catch((x: unknown) => x)) as ImaRequestError;
		expect(e.info.kind).toBe('cancelled');
		expect(attempt).not.toHaveBeenCalled();
	});
});

describe('abortableSleep (fake timers)', () => {
	beforeEach(() => jest.useFakeTimers());
	afterEach(() => jest.useRealTimers());

	test.each([0, -5])('%i ms: returns without a timer', async (ms) => {
		const p = abortableSleep(ms);
		expect(jest.getTimerCount()).toBe(0);
		await p;
	});

	test('an aborted signal: returns without a timer', async () => {
		const ac = new AbortController();
		ac.abort();
		const p = abortableSleep(10_000, ac.signal);
		expect(jest.getTimerCount()).toBe(0);
		await p;
	});

	test('1 ms: a timer, and it ends when the clock passes it', async () => {
		let done = false;
		const p = abortableSleep(1).then(() => (done = true));
		expect(jest.getTimerCount()).toBe(1);
		await jest.advanceTimersByTimeAsync(1);
		await p;
		expect(done).toBe(true);
	});

	test("an n8n-workflow without sleepWithAbort (whose sleep ignores the signal): the abort still ends the wait at once", async () => {
		let sleepOf: typeof abortableSleep | undefined;
		jest.isolateModules(() => {
			jest.doMock('n8n-workflow', () => ({ sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) }));
			/* eslint-disable-next-line @typescript-eslint/no-require-imports */
			sleepOf = (require('../../nodes/Ima/transport/retry') as typeof import('../../nodes/Ima/transport/retry')).abortableSleep;
		});
		jest.dontMock('n8n-workflow');
		const ac = new AbortController();
		let done = false;
		const p = sleepOf!(60_000, ac.signal).then(() => (done = true));
		await jest.advanceTimersByTimeAsync(10);
		expect(done).toBe(false);
		ac.abort();
		await jest.advanceTimersByTimeAsync(0);
		expect(done).toBe(true);
		await p;
	});
});
