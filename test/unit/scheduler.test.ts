/** The item scheduler: concurrency of the limited phases, order and pairing, no start after a failure. */
import { fakeCtx } from '../support/schedulerCtx';
import { runItems } from '../../nodes/Ima/run/scheduler';
import { useVirtualTime } from '../support/virtualTime';

// The ticks below are on a clock the test controls: they order the items exactly.
useVirtualTime();


const tick = async (ms = 5) => await new Promise((r) => setTimeout(r, ms));

describe('runItems with slots', () => {
	test.each([1, 2, 3])('downloads (slots.heavy) never run more than the limit at once: %p', async (limit) => {
		let active = 0;
		let peak = 0;
		let waitingTogether = 0;
		let waitPeak = 0;
		let release: () => void = () => undefined;
		const allWaiting = new Promise<void>((resolve) => (release = resolve));
		const out = await runItems(fakeCtx(8), {
			concurrency: limit,
			slots: true,
			prepare: async (i) => i,
			run: async (i, _p, slots) => {
				await slots.start(async () => await tick(1));
				// The wait in between takes no slot: with a limit above 1 every item waits side by side
				// (a barrier, bounded in virtual time so that a broken limit cannot deadlock it).
				waitingTogether++;
				waitPeak = Math.max(waitPeak, waitingTogether);
				if (waitingTogether === 8) release();
				await (limit > 1 ? Promise.race([allWaiting, tick(2000)]) : tick(1));
				waitingTogether--;
				return await slots.heavy(async () => {
					active++;
					peak = Math.max(peak, active);
					await tick(5);
					active--;
					return [{ json: { i } }];
				});
			},
		});
		expect(peak).toBeLessThanOrEqual(limit);
		expect(peak).toBe(limit);
		if (limit > 1) expect(waitPeak).toBe(8);
		expect(out.map((o) => [o.json.i, (o.pairedItem as any).item])).toEqual(Array.from({ length: 8 }, (_, i) => [i, i]));
	});

	test('no item starts after a failure; the error names the others', async () => {
		const started: number[] = [];
		await expect(
			runItems(fakeCtx(5), {
				concurrency: 1,
				slots: true,
				prepare: async (i) => i,
				run: async (i, _p, slots) => {
					await slots.start(async () => {
						started.push(i);
						if (i === 1) throw new Error('boom');
					});
					return [{ json: { i } }];
				},
				summarize: (i) => `ok ${i}`,
			}),
		).rejects.toMatchObject({ message: 'boom', description: expect.stringMatching(/item 0: ok 0; item 2: not started/) });
		expect(started).toEqual([0, 1]);
	});
});
