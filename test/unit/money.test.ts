/** The pure money helpers: the per-execution create ledger, the status-check budget, option bounds. */
import { decideCreate, fingerprint, ledgerFor, NodeLedger, type CreateAttempt } from '../../nodes/Ima/helpers/ledger';
import { STATUS_BUDGET, StatusBudget } from '../../nodes/Ima/helpers/pollBudget';
import { virtualClock } from '../support/virtualClock';
import { readNumber } from '../../nodes/Ima/run/options';
import { ItemError } from '../../nodes/Ima/run/errors';

const a = (outcome: CreateAttempt['outcome'], taskId?: string): CreateAttempt => ({ outcome, taskId, credits: 5, bodyHash: 'h' });

describe('decideCreate: what a new try of an item may do', () => {
	test.each([
		['no earlier try', [], 'create'],
		['an earlier create refused (no task)', [a('refused')], 'create'],
		['two refused', [a('refused'), a('refused')], 'create'],
		['an earlier task exists', [a('created', 't1')], 'reuse'],
		['refused, then created', [a('refused'), a('created', 't2')], 'reuse'],
		['an answer was lost', [a('maybe')], 'refuse'],
		['a create still in flight', [a('sending')], 'refuse'],
		['lost, then (impossible) created: the known task wins', [a('maybe'), a('created', 't3')], 'reuse'],
		['created without an id is not reusable', [a('created')], 'create'],
	] as const)('%s → %s', (_name, attempts, action) => {
		expect(decideCreate(attempts as unknown as CreateAttempt[]).action).toBe(action);
	});

	test('reuse names the latest task', () => {
		const d = decideCreate([a('created', 't1'), a('refused'), a('created', 't2')]);
		expect(d).toMatchObject({ action: 'reuse', attempt: { taskId: 't2' } });
	});
});

describe('NodeLedger: the budget', () => {
	test.each([
		[0, [5, 5, 5, 1000], [true, true, true, true]],
		[12, [5, 5, 5], [true, true, false]],
		[10, [5, 5, 1], [true, true, false]],
		[10, [10], [true]],
		[9.5, [10], [false]],
	])('max %p, tasks %p → %p', (max, costs, ok) => {
		const l = new NodeLedger();
		expect(costs.map((c) => l.reserve(c, max))).toEqual(ok);
	});

	test('a released create gives its credits back, never below zero', () => {
		const l = new NodeLedger();
		l.reserve(8, 10);
		expect(l.reserve(5, 10)).toBe(false);
		l.release(8);
		expect(l.reserve(5, 10)).toBe(true);
		l.release(100);
		expect(l.committed).toBe(0);
	});

	test('task ids of an item, in order', () => {
		const l = new NodeLedger();
		l.record('0|1', a('refused'));
		l.record('0|1', a('created', 'x'));
		l.record('0|2', a('created', 'y'));
		expect(l.taskIds('0|1')).toEqual(['x']);
		expect(l.taskIds('0|3')).toEqual([]);
	});
});

describe('ledgerFor: one memory per execution and node', () => {
	test('the same signal and node give the same ledger; another execution or node another', () => {
		const s1 = new AbortController().signal;
		const s2 = new AbortController().signal;
		expect(ledgerFor(s1, 'IMA')).toBe(ledgerFor(s1, 'IMA'));
		expect(ledgerFor(s1, 'IMA')).not.toBe(ledgerFor(s2, 'IMA'));
		expect(ledgerFor(s1, 'IMA')).not.toBe(ledgerFor(s1, 'IMA 2'));
		expect(ledgerFor('exec-1', 'IMA')).toBe(ledgerFor('exec-1', 'IMA'));
		expect(ledgerFor('exec-1', 'IMA')).not.toBe(ledgerFor('exec-2', 'IMA'));
	});

	test('without any scope nothing is shared', () => {
		expect(ledgerFor(undefined, 'IMA')).not.toBe(ledgerFor(undefined, 'IMA'));
	});

	test('fingerprint ignores key order', () => {
		expect(fingerprint({ a: 1, b: { c: 2, d: [1, 2] } })).toBe(fingerprint({ b: { d: [1, 2], c: 2 }, a: 1 }));
		expect(fingerprint({ a: 1 })).not.toBe(fingerprint({ a: 2 }));
	});
});

describe('StatusBudget: status checks per credential', () => {
	const SPAN = STATUS_BUDGET.windowMs + STATUS_BUDGET.marginMs;
	const sendTimes = async (b: StatusBudget, clock: ReturnType<typeof virtualClock>, n: number) => {
		const times = Array.from({ length: n }, () => b.acquire(clock.sleep).then((t) => t!.sentAt));
		await clock.run();
		return await Promise.all(times);
	};

	test('a burst up to the budget goes at once, then the next waits for the window', async () => {
		const clock = virtualClock();
		const b = new StatusBudget(clock.now);
		expect(await sendTimes(b, clock, 12)).toEqual([...Array(10).fill(0), SPAN, SPAN]);
	});

	test('slots come back with time', async () => {
		const clock = virtualClock();
		const b = new StatusBudget(clock.now);
		await sendTimes(b, clock, 10);
		clock.set(2000);
		expect(await sendTimes(b, clock, 10)).toEqual(Array(10).fill(2000));
	});

	test('a 429 pushes every caller back by what IMA asked', async () => {
		const clock = virtualClock();
		const b = new StatusBudget(clock.now);
		b.rateLimited(undefined, 2000);
		expect(await sendTimes(b, clock, 3)).toEqual([2000, 2000, 2000]);
		b.rateLimited(undefined, undefined); // no Retry-After: one second
		expect(b.waitFor()).toBeGreaterThanOrEqual(1000);
	});

	test('over any second, at most the budget in force', async () => {
		const clock = virtualClock();
		const b = new StatusBudget(clock.now);
		const times: number[] = [];
		for (let i = 0; i < 200; i++) {
			void b.acquire(clock.sleep).then((t) => times.push(t!.sentAt));
			await clock.run(clock.now() + 3); // callers arrive every 3 ms
		}
		await clock.run();
		let worst = 0;
		for (const t of times) worst = Math.max(worst, times.filter((u) => u >= t && u < t + 1000).length);
		expect(times).toHaveLength(200);
		expect(worst).toBeLessThanOrEqual(10);
	});
});

describe('readNumber: option bounds', () => {
	const ok = (name: any, raw: unknown) => readNumber(raw === undefined ? {} : { [name]: raw as any }, name);
	test.each([
		['n', undefined, 1],
		['n', 3, 3],
		['n', '4', 4],
		['pollInterval', 0, 0],
		['pollInterval', 0.1, 0.1],
		['pollInterval', '2.5', 2.5],
		['timeout', 86400, 86400],
		['concurrency', 50, 50],
		['maxCredits', 0, 0],
		['requestTimeout', 0.1, 0.1],
	])('%s = %p → %p', (name, raw, value) => {
		expect(ok(name, raw)).toBe(value);
	});

	test.each([
		['n', 5], ['n', 0], ['n', 1.5], ['n', 'abc'], ['n', ''], ['n', null], ['n', {}], ['n', true],
		['pollInterval', 0.05], ['pollInterval', 3601], ['pollInterval', Infinity], ['pollInterval', NaN],
		['timeout', 86401], ['timeout', -0.5], ['concurrency', 51], ['requestTimeout', 0.05], ['maxCredits', -1],
	])('%s = %p is refused naming the option', (name, raw) => {
		let thrown: unknown;
		try {
			ok(name, raw);
		} catch (e) {
			thrown = e;
		}
		expect(thrown).toBeInstanceOf(ItemError);
		expect((thrown as ItemError).details.parameter).toBe(`options.${name}`);
		expect((thrown as ItemError).details.charge).toBe('none');
	});
});

describe('a retry is the same input item; a new call of the node is not', () => {
	test('attempts of another input item object are not this item’s', () => {
		const l = new NodeLedger();
		const first = { json: { q: 'a cat' } };
		const retried = first; // n8n's Retry On Fail passes the very same item objects
		const newCall = { json: { q: 'a cat' } }; // an AI Agent calling the tool again, a loop
		l.record('0|0', { ...a('created', 't1'), item: first });
		expect(decideCreate(l.attempts('0|0', retried))).toMatchObject({ action: 'reuse', attempt: { taskId: 't1' } });
		expect(decideCreate(l.attempts('0|0', newCall)).action).toBe('create');
		expect(l.taskIds('0|0', newCall)).toEqual([]);
		expect(l.taskIds('0|0', retried)).toEqual(['t1']);
	});

	test('without an item object every attempt of the key counts (the safe side)', () => {
		const l = new NodeLedger();
		l.record('0|0', { ...a('maybe'), item: { json: {} } });
		expect(decideCreate(l.attempts('0|0')).action).toBe('refuse');
	});
});
