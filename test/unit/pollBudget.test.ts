/** The status-check budget that learns: a sliding one-second window, growth while limited, halving on 429. */
import { budgetFor, STATUS_BUDGET, StatusBudget, type BudgetTicket } from '../../nodes/Ima/helpers/pollBudget';
import { virtualClock } from '../support/virtualClock';

const SPAN = STATUS_BUDGET.windowMs + STATUS_BUDGET.marginMs;

/** Most times in any window [t, t + 1000 ms). */
function worstSecond(times: number[]): number {
	let worst = 0;
	for (const t of times) worst = Math.max(worst, times.filter((u) => u >= t && u < t + 1000).length);
	return worst;
}

describe('StatusBudget', () => {
	test('documented constants: 10 per second at first, up to 50, never below 1', () => {
		expect(STATUS_BUDGET).toMatchObject({ startPerSecond: 10, capPerSecond: 50, floorPerSecond: 1, windowMs: 1000, pauseMs: 1000 });
		const b = new StatusBudget(() => 0);
		expect([b.perSecond, b.limit]).toEqual([10, 10]);
	});

	test('the first 10 checks go at once, the next 10 when the window has passed, first come first served', async () => {
		const clock = virtualClock();
		const b = new StatusBudget(clock.now);
		const order: Array<[number, number]> = [];
		const all = Array.from({ length: 25 }, (_, i) => b.acquire(clock.sleep).then((t) => order.push([i, t!.sentAt])));
		await clock.run();
		await Promise.all(all);
		expect(order.map(([i]) => i)).toEqual(Array.from({ length: 25 }, (_, i) => i));
		expect(order.map(([, at]) => at)).toEqual([...Array(10).fill(0), ...Array(10).fill(SPAN), ...Array(5).fill(2 * SPAN)]);
	});

	test('grows by about one check per second each second while it limits the checks and IMA answers', async () => {
		const clock = virtualClock();
		const b = new StatusBudget(clock.now);
		const sent: number[] = [];
		let stop = false;
		const worker = async () => {
			while (!stop) {
				const t = await b.acquire(clock.sleep);
				sent.push(t!.sentAt);
				b.answered(t);
			}
		};
		const workers = Array.from({ length: 80 }, worker);
		await clock.run(10_000);
		expect(b.perSecond).toBeGreaterThan(17);
		expect(b.perSecond).toBeLessThan(21);
		await clock.run(120_000);
		expect(b.perSecond).toBe(STATUS_BUDGET.capPerSecond);
		stop = true;
		await clock.run();
		await Promise.all(workers);
		// Never more checks in a second than the budget in force (it only grew: the cap bounds all).
		expect(worstSecond(sent.filter((t) => t > 100_000))).toBeLessThanOrEqual(STATUS_BUDGET.capPerSecond);
		expect(b.history[0]).toEqual({ at: 0, perSecond: 10 });
		expect(b.history.map((h) => h.perSecond)).toEqual(Array.from({ length: 41 }, (_, i) => 10 + i));
	});

	test('does not grow when the checks are fewer than the budget (nothing to learn)', async () => {
		const clock = virtualClock();
		const b = new StatusBudget(clock.now);
		for (let i = 0; i < 300; i++) {
			const t = await Promise.race([b.acquire(clock.sleep), clock.run().then(() => undefined)]);
			b.answered(t as BudgetTicket);
			clock.set(clock.now() + 200);
		}
		expect(b.perSecond).toBe(10);
	});

	test('a 429 halves it once per congestion and pauses every check for Retry-After', async () => {
		const clock = virtualClock();
		const b = new StatusBudget(clock.now);
		const tickets = await Promise.all(Array.from({ length: 10 }, () => b.acquire(clock.sleep)));
		clock.set(50);
		for (const t of tickets) b.rateLimited(t, 2000);
		expect(b.perSecond).toBe(5);
		const next = b.acquire(clock.sleep);
		await clock.run();
		expect((await next)!.sentAt).toBe(2050);
		// A 429 of a check sent after the cut is a new congestion.
		const late = (await Promise.all([b.acquire(clock.sleep), clock.run()]))[0];
		b.rateLimited(late, 1000);
		expect(b.perSecond).toBe(2.5);
		expect(b.limit).toBe(2);
	});

	test('Retry-After: absent or nonsense = 1 s; 0 = no pause; more than 2 minutes is cut to 2 minutes', async () => {
		for (const [asked, pause] of [
			[undefined, 1000],
			[0, 0],
			[-5, 1000],
			[Number.NaN, 1000],
			[3_600_000, 120_000],
		] as Array<[number | undefined, number]>) {
			const clock = virtualClock();
			const b = new StatusBudget(clock.now);
			b.rateLimited(undefined, asked);
			expect(b.waitFor()).toBe(pause);
		}
	});

	test('never halves below 1 per second, and 1 check per second still goes', async () => {
		const clock = virtualClock();
		const b = new StatusBudget(clock.now);
		for (let i = 0; i < 10; i++) {
			const t = (await Promise.all([b.acquire(clock.sleep), clock.run()]))[0];
			b.rateLimited(t, 10);
		}
		expect(b.perSecond).toBe(1);
		expect(b.limit).toBe(1);
	});

	test('a cancelled waiter returns nothing and leaves the line', async () => {
		const clock = virtualClock();
		const b = new StatusBudget(clock.now);
		await Promise.all(Array.from({ length: 10 }, () => b.acquire(clock.sleep)));
		let cancelled = false;
		const gone = b.acquire(clock.sleep, () => cancelled);
		const after = b.acquire(clock.sleep);
		cancelled = true;
		await clock.run();
		expect(await gone).toBeUndefined();
		expect((await after)!.sentAt).toBe(SPAN);
	});

	test('a clock that goes back lets no extra check through', async () => {
		const clock = virtualClock(10_000);
		const b = new StatusBudget(clock.now);
		await Promise.all(Array.from({ length: 10 }, () => b.acquire(clock.sleep)));
		clock.set(0);
		expect(b.waitFor()).toBeGreaterThan(0);
	});

	test('one budget per credential in the process', () => {
		const a = budgetFor('budget-test-a');
		expect(budgetFor('budget-test-a')).toBe(a);
		expect(budgetFor('budget-test-b')).not.toBe(a);
		expect(a.perSecond).toBe(10);
	});
});
