/**
 * The transport's money rules with a fake n8n context and jest's fake clock (nothing really
 * waits): the paid create is sent again only when it provably never left, reads are retried
 * with doubling backoff that honours Retry-After, and both stop at their bounds.
 */
import { ImaClient, ImaRequestError, type ImaErrorInfo } from '../../nodes/Ima/transport';

const BASE = 'https://api.ima.test';

type Step = { throw: unknown } | { statusCode: number; body?: unknown; headers?: Record<string, string> };

/** A client whose HTTP calls answer `steps` in order (the last one repeats); records call times. */
function fake(steps: Step[], options: { retryBaseMs?: number; maxAttempts?: number; signal?: AbortSignal } = {}) {
	const times: number[] = [];
	const respond = async () => {
		times.push(Date.now());
		const step = steps.length > 1 ? steps.shift()! : steps[0];
		if ('throw' in step) throw step.throw;
		return { statusCode: step.statusCode, headers: step.headers ?? {}, body: step.body };
	};
	const ctx = { helpers: { httpRequestWithAuthentication: respond, httpRequest: respond } };
	const client = new ImaClient(ctx as never, { apiKey: 'k', baseUrl: BASE, uploadBaseUrl: BASE }, {
		retryBaseMs: options.retryBaseMs ?? 1000,
		maxAttempts: options.maxAttempts ?? 4,
		signal: options.signal,
	});
	return { client, times, gaps: () => times.slice(1).map((t, i) => t - times[i]) };
}

const net = (code: string): Step => ({ throw: Object.assign(new Error(`connect ${code}`), { code }) });
const ok = (data: unknown): Step => ({ statusCode: 200, body: { code: 0, message: 'ok', data } });
const http = (statusCode: number, headers: Record<string, string> = {}): Step => ({ statusCode, headers, body: 'busy' });
const business = (code: number): Step => ({ statusCode: 200, body: { code, message: 'no', data: null } });

/** Runs `p` to its end on jest's fake clock. */
async function settle<T>(p: Promise<T>): Promise<{ value?: T; error?: ImaRequestError }> {
	const result = p.then(
		(value) => ({ value }),
		(error: ImaRequestError) => ({ error }),
	);
	await jest.runAllTimersAsync();
	return await result;
}

beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
afterEach(() => jest.useRealTimers());

describe('createTask: sent again only when the request provably never left', () => {
	test.each([
		['connection refused, then created', [net('ECONNREFUSED'), ok({ id: 't1' })], 2, undefined],
		['DNS failure twice, then created', [net('ENOTFOUND'), net('EAI_AGAIN'), ok({ id: 't1' })], 3, undefined],
		['connection reset (may have been processed)', [net('ECONNRESET'), ok({ id: 't1' })], 1, { kind: 'network', maybeProcessed: true }],
		['timeout', [net('ETIMEDOUT'), ok({ id: 't1' })], 1, { kind: 'network', maybeProcessed: true }],
		['HTTP 502', [http(502), ok({ id: 't1' })], 1, { kind: 'http', maybeProcessed: true }],
		['HTTP 429 (refused, but not a network failure)', [http(429), ok({ id: 't1' })], 1, { kind: 'http', maybeProcessed: false }],
		['price refused (6009)', [business(6009), ok({ id: 't1' })], 1, { kind: 'business', imaCode: 6009 }],
		['refused every time: stops at maxAttempts', [net('ECONNREFUSED')], 4, { kind: 'network', maybeProcessed: false }],
		['accepted without a task id', [ok({}), ok({ id: 't1' })], 1, { kind: 'invalid-response', maybeProcessed: true, transient: false }],
		['accepted without data', [ok(null), ok({ id: 't1' })], 1, { kind: 'invalid-response', maybeProcessed: true }],
		['accepted with a non-object', [ok('t1'), ok({ id: 't1' })], 1, { kind: 'invalid-response', maybeProcessed: true }],
	] as Array<[string, Step[], number, Partial<ImaErrorInfo> | undefined]>)('%s', async (_name, steps, calls, error) => {
		const { client, times } = fake(steps);
		const r = await settle(client.createTask({ task_type: 'text_to_image' }));
		expect(times).toHaveLength(calls);
		if (error) {
			expect(r.error).toBeInstanceOf(ImaRequestError);
			expect(r.error!.info).toMatchObject({ ...error, step: 'create' });
		} else {
			expect(r.error).toBeUndefined();
			expect(r.value).toEqual({ id: 't1' });
		}
	});

	test('a create that never left is resent after 1 s, 2 s, 4 s (doubling), capped at 30 s', async () => {
		const a = fake([net('ECONNREFUSED')], { retryBaseMs: 1000, maxAttempts: 4 });
		await settle(a.client.createTask({}));
		expect(a.gaps()).toEqual([1000, 2000, 4000]);
		const b = fake([net('ECONNREFUSED')], { retryBaseMs: 20_000, maxAttempts: 3 });
		await settle(b.client.createTask({}));
		expect(b.gaps()).toEqual([20_000, 30_000]);
	});

	test('a cancel during the backoff wait stops the resend', async () => {
		const ac = new AbortController();
		const steps: Step[] = [net('ECONNREFUSED'), ok({ id: 't1' })];
		const { client, times } = fake(steps, { signal: ac.signal });
		const p = client.createTask({}).catch((e: ImaRequestError) => e);
		await jest.advanceTimersByTimeAsync(10);
		ac.abort();
		await jest.runAllTimersAsync();
		const e = await p;
		expect(times).toHaveLength(1);
		expect(e).toBeInstanceOf(ImaRequestError);
		expect((e as ImaRequestError).info).toMatchObject({ kind: 'network', maybeProcessed: false });
	});

	test('a cancelled execution never resends the create', async () => {
		const ac = new AbortController();
		ac.abort();
		const { client, times } = fake([net('ECONNREFUSED'), ok({ id: 't1' })], { signal: ac.signal });
		const r = await settle(client.createTask({}));
		expect(times).toHaveLength(1);
		expect(r.error).toBeInstanceOf(ImaRequestError);
	});
});

const err = (info: Partial<ImaErrorInfo>) =>
	new ImaRequestError('read failed', { kind: 'http', transient: true, maybeProcessed: false, ...info } as ImaErrorInfo);

/** withRetries over a read that fails with `errors` in order, then answers "ok". */
function reads(errors: unknown[], options: { retryBaseMs?: number; maxAttempts?: number; signal?: AbortSignal } = {}) {
	const { client } = fake([ok(null)], options);
	const times: number[] = [];
	const run = async () =>
		await client.withRetries('task detail', async () => {
			times.push(Date.now());
			if (errors.length) throw errors.shift();
			return 'ok';
		});
	return { run, times, gaps: () => times.slice(1).map((t, i) => t - times[i]) };
}

describe('withRetries: read retries with backoff and Retry-After', () => {
	test.each([
		['no Retry-After: 1 s, 2 s, then the answer', [err({}), err({})], [1000, 2000]],
		['Retry-After 5 s beats the 1 s backoff', [err({ retryAfterMs: 5000 }), err({})], [5000, 2000]],
		['a shorter Retry-After does not shorten the backoff', [err({}), err({ retryAfterMs: 500 })], [1000, 2000]],
		['Retry-After on the second failure', [err({}), err({ retryAfterMs: 7000 })], [1000, 7000]],
		['a network reset is retried too', [err({ kind: 'network', maybeProcessed: true })], [1000]],
	] as Array<[string, unknown[], number[]]>)('%s', async (_name, errors, gaps) => {
		const r = reads(errors);
		const out = await settle(r.run());
		expect(out.value).toBe('ok');
		expect(r.gaps()).toEqual(gaps);
	});

	test('backoff doubles up to 30 s', async () => {
		const r = reads([err({}), err({}), err({})], { retryBaseMs: 10_000, maxAttempts: 5 });
		await settle(r.run());
		expect(r.gaps()).toEqual([10_000, 20_000, 30_000]);
	});

	test('gives up after maxAttempts, saying so, with the last error', async () => {
		const last = err({ httpStatus: 503, retryAfterMs: 10 });
		const r = reads([err({}), err({}), err({}), last, err({})], { maxAttempts: 4 });
		const out = await settle(r.run());
		expect(r.times).toHaveLength(4);
		expect(r.gaps()).toEqual([1000, 2000, 4000]);
		expect(out.error).toBeInstanceOf(ImaRequestError);
		expect(out.error!.message).toBe('read failed (gave up after 4 attempts)');
		expect(out.error!.info).toBe(last.info);
		// No wait after the last attempt.
		expect(Date.now()).toBe(r.times[3]);
	});

	test('one attempt only: no wait, gives up at once', async () => {
		const r = reads([err({}), err({})], { maxAttempts: 1 });
		const out = await settle(r.run());
		expect(r.times).toHaveLength(1);
		expect(out.error!.message).toMatch(/gave up after 1 attempts/);
	});

	test.each([
		['a business refusal', { kind: 'business', transient: false, imaCode: 6010 }],
		['a non-transient HTTP error', { kind: 'http', transient: false, httpStatus: 404 }],
	] as Array<[string, Partial<ImaErrorInfo>]>)('%s is not retried', async (_name, info) => {
		const e = err(info);
		const r = reads([e]);
		const out = await settle(r.run());
		expect(r.times).toHaveLength(1);
		expect(out.error).toBe(e);
	});

	test('a cancelled execution does not read, nor retry', async () => {
		const ac = new AbortController();
		ac.abort();
		const r = reads([err({})], { signal: ac.signal });
		const out = await settle(r.run());
		expect(r.times).toHaveLength(0);
		expect(out.error!.info.kind).toBe('cancelled');

		const ac2 = new AbortController();
		const r2 = reads([err({})], { signal: ac2.signal });
		const first = err({});
		const p = settle(
			(async () => {
				const { client } = fake([ok(null)], { signal: ac2.signal });
				return await client.withRetries('x', async () => {
					r2.times.push(Date.now());
					ac2.abort();
					throw first;
				});
			})(),
		);
		const out2 = await p;
		expect(r2.times).toHaveLength(1);
		// Cancelled meanwhile: the read reports the cancel (the failure may be n8n aborting it).
		expect((out2.error as ImaRequestError).info.kind).toBe('cancelled');
	});
});

describe('createTask: the request and its answer (survivors of the mutation tiers)', () => {
	test('one POST to /open/v1/tasks/create with the body, no redirect followed', async () => {
		const seen: any[] = [];
		const respond = async (...args: any[]) => {
			seen.push(args.at(-1));
			return { statusCode: 200, headers: {}, body: { code: 0, message: 'ok', data: { id: 't1' } } };
		};
		const ctx = { helpers: { httpRequestWithAuthentication: respond, httpRequest: respond } };
		const client = new ImaClient(ctx as never, { apiKey: 'k', baseUrl: BASE, uploadBaseUrl: BASE }, { retryBaseMs: 1000, maxAttempts: 4 });
		await settle(client.createTask({ task_type: 'text_to_image' }));
		expect(seen).toHaveLength(1);
		expect(seen[0]).toMatchObject({ method: 'POST', body: { task_type: 'text_to_image' } });
		expect(String(seen[0].url)).toMatch(/\/open\/v1\/tasks\/create$/);
	});

	test('accepted without a task id: the error says so', async () => {
		const { client } = fake([ok({ status: 'queued' })]);
		const r = await settle(client.createTask({}));
		expect(r.error!.message).toBe('IMA accepted the create request but returned no task id');
	});
});
