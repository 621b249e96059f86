/** Edges of the small money helpers: the status-check budget, the ledger's memory, the pools. */
import { decideCreate, fingerprint, ledgerFor, NodeLedger } from '../../nodes/Ima/helpers/ledger';
import { budgetFor, POLL_BUDGET, RequestBudget } from '../../nodes/Ima/helpers/pollBudget';
import { createLimiter, mapWithConcurrency } from '../../nodes/Ima/helpers/pool';

describe('the status-check budget', () => {
	afterEach(() => jest.useRealTimers());

	test('10 per second, 20 at once, per credential', () => {
		jest.useFakeTimers({ now: 1_000_000 }); // Date.now stands still: no token comes back meanwhile
		expect(POLL_BUDGET).toEqual({ perSecond: 10, burst: 20 });
		const a = budgetFor('cred-a');
		expect(budgetFor('cred-a')).toBe(a);
		expect(budgetFor('cred-b')).not.toBe(a);
		expect([a.perSecond, a.burst]).toEqual([10, 20]);
		const waits = Array.from({ length: 22 }, () => a.reserve());
		expect(waits.slice(0, 20).every((w) => w === 0)).toBe(true);
		expect(waits.slice(20)).toEqual([100, 200]);
	});

	test('a clock that goes back gives no tokens', () => {
		let now = 10_000;
		const b = new RequestBudget(10, 1, () => now);
		expect(b.reserve()).toBe(0);
		now = 0;
		expect(b.reserve()).toBe(100);
		now = 100;
		expect(b.reserve()).toBe(100);
	});

	test('a negative or missing penalty is ignored; a penalty after a quiet spell still waits', () => {
		let now = 0;
		const b = new RequestBudget(10, 5, () => now);
		b.penalize(-1000);
		b.penalize(NaN);
		expect(b.reserve()).toBe(0);
		now = 60_000;
		b.penalize(500);
		expect(b.reserve()).toBe(600);
	});

	test('waits are whole milliseconds', () => {
		const b = new RequestBudget(3, 1, () => 0);
		b.reserve();
		expect(b.reserve()).toBe(334);
	});
});

describe('the ledger', () => {
	test('executions running side by side keep their own ledgers', () => {
		const a = ledgerFor('exec-side-a', 'IMA');
		const b = ledgerFor('exec-side-b', 'IMA');
		expect(ledgerFor('exec-side-a', 'IMA')).toBe(a);
		expect(ledgerFor('exec-side-b', 'IMA')).toBe(b);
	});

	test('ids of executions are remembered up to 1000, oldest dropped first', () => {
		const first = ledgerFor('exec-evict-0', 'IMA');
		for (let i = 1; i <= 1000; i++) ledgerFor(`exec-evict-${i}`, 'IMA');
		expect(ledgerFor('exec-evict-1000', 'IMA')).toBe(ledgerFor('exec-evict-1000', 'IMA'));
		expect(ledgerFor('exec-evict-0', 'IMA')).not.toBe(first);
	});

	test('an empty id is no scope', () => {
		expect(ledgerFor('', 'IMA')).not.toBe(ledgerFor('', 'IMA'));
	});

	test('a refusal names the earliest unsure create', () => {
		const unsure = { outcome: 'maybe' as const, credits: 1, bodyHash: 'x' };
		const d = decideCreate([{ outcome: 'refused', credits: 1, bodyHash: 'a' }, unsure, { outcome: 'sending', credits: 1, bodyHash: 'y' }]);
		expect(d).toEqual({ action: 'refuse', attempt: unsure });
	});

	test('task ids skip empty ones; attempts are recorded in order', () => {
		const l = new NodeLedger();
		l.record('k', { outcome: 'created', credits: 1, bodyHash: 'h', taskId: '' });
		const second = l.record('k', { outcome: 'created', credits: 1, bodyHash: 'h', taskId: 't' });
		expect(l.attempts('k')[1]).toBe(second);
		expect(l.taskIds('k')).toEqual(['t']);
	});

	test.each([
		[{ a: [{ y: 1, x: 2 }] }, '{"a":[{"x":2,"y":1}]}'],
		[null, 'null'],
		[undefined, ''],
		['s', '"s"'],
		[[1, [2]], '[1,[2]]'],
	])('fingerprint %p → %s', (value, expected) => {
		expect(fingerprint(value)).toBe(expected);
	});

	test('fingerprint survives a cycle', () => {
		const o: Record<string, unknown> = { a: 1 };
		o.self = o;
		expect(fingerprint(o)).toBe('{"a":1,"self":"[circular]"}');
	});
});

describe('the pools', () => {
	const peakOf = async (count: number, limit: number) => {
		let active = 0;
		let peak = 0;
		const results = await mapWithConcurrency(Array.from({ length: count }, (_, i) => i), limit, async (n) => {
			active++;
			peak = Math.max(peak, active);
			await new Promise((r) => setImmediate(r));
			active--;
			return n;
		});
		return { peak, results };
	};

	test.each([
		[5, 0, 1],
		[5, NaN, 1],
		[5, 2.9, 2],
		[3, 10, 3],
		[4, 4, 4],
	])('%i items with limit %p: at most %i at once', async (count, limit, peak) => {
		const r = await peakOf(count, limit);
		expect(r.peak).toBe(peak);
		expect(r.results.map((x) => (x as PromiseFulfilledResult<number>).value)).toEqual(Array.from({ length: count }, (_, i) => i));
	});

	test('no items, no work', async () => {
		expect(await mapWithConcurrency([], 3, async () => 1)).toEqual([]);
	});

	test.each([
		[0, 1],
		[NaN, 1],
		[2.5, 2],
	])('a limiter of %p runs %i at once', async (limit, peak) => {
		const run = createLimiter(limit);
		let active = 0;
		let seen = 0;
		await Promise.all(
			Array.from({ length: 5 }, async () =>
				await run(async () => {
					active++;
					seen = Math.max(seen, active);
					await new Promise((r) => setImmediate(r));
					active--;
				}),
			),
		);
		expect(seen).toBe(peak);
	});
});
