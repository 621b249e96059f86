/** Edges of the small money helpers: the status-check budget, the ledger's memory, the pools. */
import { decideCreate, fingerprint, ledgerFor, NodeLedger } from '../../nodes/Ima/helpers/ledger';
import { budgetFor, STATUS_BUDGET, StatusBudget } from '../../nodes/Ima/helpers/pollBudget';
import { createLimiter, mapWithConcurrency } from '../../nodes/Ima/helpers/pool';
import { virtualClock } from '../support/virtualClock';

describe('the status-check budget', () => {
	test('10 per second at first, per credential', async () => {
		expect(STATUS_BUDGET.startPerSecond).toBe(10);
		const a = budgetFor('cred-a');
		expect(budgetFor('cred-a')).toBe(a);
		expect(budgetFor('cred-b')).not.toBe(a);
		expect([a.perSecond, a.limit]).toEqual([10, 10]);
		const clock = virtualClock();
		const b = new StatusBudget(clock.now);
		const waits: number[] = [];
		for (let i = 0; i < 11; i++) {
			waits.push(b.waitFor());
			if (waits[i] === 0) await b.acquire(clock.sleep);
		}
		expect(waits.slice(0, 10).every((w) => w === 0)).toBe(true);
		expect(waits[10]).toBeGreaterThan(0);
		expect(waits[10]).toBeLessThanOrEqual(STATUS_BUDGET.windowMs + STATUS_BUDGET.marginMs);
	});

	test('a clock that goes back gives no extra checks', async () => {
		const clock = virtualClock(10_000);
		const b = new StatusBudget(clock.now);
		for (let i = 0; i < 10; i++) await b.acquire(clock.sleep);
		clock.set(0);
		expect(b.waitFor()).toBeGreaterThan(0);
	});

	test('a negative or missing Retry-After pauses the default second; a 429 after a quiet spell still waits', () => {
		let now = 0;
		const b = new StatusBudget(() => now);
		b.rateLimited(undefined, -1000);
		expect(b.waitFor()).toBe(1000);
		now = 60_000;
		expect(b.waitFor()).toBe(0);
		b.rateLimited(undefined, 500);
		expect(b.waitFor()).toBe(500);
	});

	test('halving stops at 1 per second', () => {
		const b = new StatusBudget(() => 0);
		for (let i = 0; i < 8; i++) b.rateLimited({ sentAt: 0, limited: false }, 10);
		expect(b.perSecond).toBe(STATUS_BUDGET.floorPerSecond);
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
