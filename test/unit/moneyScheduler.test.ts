/**
 * The item scheduler beyond the slots test: validation before any paid call, no new item after a
 * failure (with and without slots), Continue On Fail, what the error says about the other items.
 */
import { ItemError } from '../../nodes/Ima/run/errors';
import { fakeCtx } from '../support/schedulerCtx';
import { runItems, UNLIMITED } from '../../nodes/Ima/run/scheduler';
import { useVirtualTime } from '../support/virtualTime';

// The ticks below are on a clock the test controls: they order the items exactly.
useVirtualTime();


const tick = async (ms = 2) => await new Promise((r) => setTimeout(r, ms));

async function rejection(p: Promise<unknown>): Promise<any> {
	try {
		await p;
	} catch (e) {
		return e;
	}
	throw new Error('expected a failure');
}

describe('runItems: validation first', () => {
	test('a bad item fails the run before any item runs', async () => {
		const ran: number[] = [];
		const e = await rejection(
			runItems(fakeCtx(3), {
				concurrency: 2,
				prepare: async (i) => {
					if (i === 2) throw new ItemError('bad prompt', { parameter: 'prompt' });
					return i;
				},
				run: async (i) => {
					ran.push(i);
					return [{ json: { i } }];
				},
			}),
		);
		expect(e.message).toBe('bad prompt');
		expect(e.context.itemIndex).toBe(2);
		expect(ran).toEqual([]);
	});

	test('with Continue On Fail the bad item becomes an error item, the others run', async () => {
		const out = await runItems(fakeCtx(3, true), {
			concurrency: 1,
			prepare: async (i) => {
				if (i === 1) throw new ItemError('bad prompt', { parameter: 'prompt', charge: 'none' });
				return i * 10;
			},
			run: async (i, p) => [{ json: { i, p } }],
		});
		expect(out.map((o) => [o.json, o.pairedItem])).toEqual([
			[{ i: 0, p: 0 }, { item: 0 }],
			[{ error: 'bad prompt', charged: 'none' }, { item: 1 }],
			[{ i: 2, p: 20 }, { item: 2 }],
		]);
	});
});

describe('runItems: prepare', () => {
	test('prepares each input item once, in order', async () => {
		const prepared: number[] = [];
		await runItems(fakeCtx(3), {
			concurrency: 2,
			prepare: async (i) => {
				prepared.push(i);
				return i;
			},
			run: async (i) => [{ json: { i } }],
		});
		expect(prepared).toEqual([0, 1, 2]);
	});
});

describe('runItems: without slots', () => {
	test.each([1, 2, 3])('at most %i items at once, every one with UNLIMITED slots', async (limit) => {
		let active = 0;
		let peak = 0;
		const out = await runItems(fakeCtx(6), {
			concurrency: limit,
			prepare: async (i) => i,
			run: async (i, _p, slots) => {
				expect(slots).toBe(UNLIMITED);
				active++;
				peak = Math.max(peak, active);
				await tick(3);
				active--;
				return [{ json: { i } }];
			},
		});
		expect(peak).toBe(limit);
		expect(out.map((o) => o.json.i)).toEqual([0, 1, 2, 3, 4, 5]);
	});

	test('slots with a limit of 1 run the items strictly one after another', async () => {
		let active = 0;
		let peak = 0;
		await runItems(fakeCtx(4), {
			concurrency: 1,
			slots: true,
			prepare: async (i) => i,
			run: async (i, _p, slots) => {
				expect(slots).toBe(UNLIMITED);
				active++;
				peak = Math.max(peak, active);
				await tick(3);
				active--;
				return [{ json: { i } }];
			},
		});
		expect(peak).toBe(1);
	});

	test('no item starts after a failure; the error lists the others', async () => {
		const started: number[] = [];
		const e = await rejection(
			runItems(fakeCtx(5), {
				concurrency: 2,
				prepare: async (i) => i,
				run: async (i) => {
					started.push(i);
					await tick(i === 0 ? 10 : 1);
					if (i === 1) throw new ItemError('create refused', { taskId: 'task-1' });
					if (i === 0) throw new ItemError('timed out', { taskId: 'task-0' });
					return [{ json: { i } }];
				},
				summarize: (i) => `made ${i}`,
			}),
		);
		expect(started).toEqual([0, 1]);
		expect(e.message).toBe('timed out');
		expect(e.description).toMatch(/Other items of this run — item 1: failed \(task task-1\); item 2: not started; item 3: not started; item 4: not started\.$/);
	});

	test('Continue On Fail: a failed item keeps its finished media and the run goes on', async () => {
		const out = await runItems(fakeCtx(3, true), {
			concurrency: 1,
			prepare: async (i) => i,
			run: async (i) => {
				if (i === 1) throw new ItemError('one of two failed', { taskId: 't1', charge: 'charged', partial: [{ json: { media: 0 } }] });
				return [{ json: { i } }];
			},
		});
		expect(out.map((o) => [o.json, o.pairedItem])).toEqual([
			[{ i: 0 }, { item: 0 }],
			[{ media: 0 }, { item: 1 }],
			[expect.objectContaining({ error: 'one of two failed', taskId: 't1', charged: 'charged' }), { item: 1 }],
			[{ i: 2 }, { item: 2 }],
		]);
	});
});

describe('runItems: with slots', () => {
	test('a failed start stops new starts; items already past their start finish', async () => {
		const started: number[] = [];
		const finished: number[] = [];
		const e = await rejection(
			runItems(fakeCtx(5), {
				concurrency: 2,
				slots: true,
				prepare: async (i) => i,
				run: async (i, _p, slots) => {
					await slots.start(async () => {
						started.push(i);
						await tick(i === 0 ? 20 : 2);
						if (i === 1) throw new Error('create failed');
					});
					await tick(15);
					finished.push(i);
					return [{ json: { i } }];
				},
				summarize: (i) => `ok ${i}`,
			}),
		);
		expect(e.message).toBe('create failed');
		expect(started.sort()).toEqual([0, 1]);
		expect(finished).toEqual([0]);
		expect(e.description).toMatch(/item 0: ok 0; item 2: not started; item 3: not started; item 4: not started\./);
	});

	test('a failure after the start (while waiting) also stops new starts', async () => {
		const started: number[] = [];
		const e = await rejection(
			runItems(fakeCtx(4), {
				concurrency: 2,
				slots: true,
				prepare: async (i) => i,
				run: async (i, _p, slots) => {
					await slots.start(async () => {
						started.push(i);
						await tick(i === 0 ? 1 : 30);
					});
					if (i === 0) {
						await tick(5);
						throw new ItemError('task failed', { taskId: 't0' });
					}
					return [{ json: { i } }];
				},
			}),
		);
		expect(e.message).toBe('task failed');
		expect(started).toEqual([0, 1, 2]);
		expect(e.description).toMatch(/item 3: not started\.$/);
	});

	test('with Continue On Fail a failed start does not stop the others', async () => {
		const started: number[] = [];
		const out = await runItems(fakeCtx(3, true), {
			concurrency: 2,
			slots: true,
			prepare: async (i) => i,
			run: async (i, _p, slots) => {
				await slots.start(async () => {
					started.push(i);
					if (i === 0) throw new Error('create failed');
				});
				return [{ json: { i } }];
			},
		});
		expect(started.sort()).toEqual([0, 1, 2]);
		expect(out.map((o) => o.json)).toEqual([{ error: 'create failed' }, { i: 1 }, { i: 2 }]);
	});

	test('start slots are limited too', async () => {
		let active = 0;
		let peak = 0;
		await runItems(fakeCtx(6), {
			concurrency: 3,
			slots: true,
			prepare: async (i) => i,
			run: async (i, _p, slots) => {
				await slots.start(async () => {
					active++;
					peak = Math.max(peak, active);
					await tick(3);
					active--;
				});
				return [{ json: { i } }];
			},
		});
		expect(peak).toBe(3);
	});
});

describe('runItems: the error of a failed run (survivors of the mutation tiers)', () => {
	test('an item that reaches its start after another failed is not started, and the error is the failed item\'s', async () => {
		const e = await rejection(
			runItems(fakeCtx(3), {
				concurrency: 2,
				slots: true,
				prepare: async (i) => i,
				run: async (i, _p, slots) => {
					// item 0 comes to its start late (reading its inputs), after item 1 failed
					if (i === 0) await tick(10);
					await slots.start(async () => {
						if (i === 1) throw new ItemError('create refused', { taskId: 'task-1' });
						if (i === 2) await tick(20);
					});
					return [{ json: { i } }];
				},
				summarize: (i) => `made ${i}`,
			}),
		);
		expect(e.message).toBe('create refused');
		expect(e.description).toMatch(/Other items of this run — item 0: not started; item 2: made 2\.$/);
	});

	test('a single item: no "Other items" sentence', async () => {
		const e = await rejection(
			runItems(fakeCtx(1), {
				concurrency: 1,
				prepare: async (i) => i,
				run: async () => {
					throw new ItemError('timed out', { taskId: 't', description: 'IMA took too long.' });
				},
			}),
		);
		expect(e.description).toBe('IMA took too long.');
	});

	test('the sentence follows the description after one space; an item with no summary and a failure without a task id are told plainly', async () => {
		const e = await rejection(
			runItems(fakeCtx(4), {
				concurrency: 4,
				prepare: async (i) => i,
				run: async (i) => {
					await tick(i === 0 ? 10 : 1);
					if (i === 0) throw new ItemError('timed out', { taskId: 't0', description: 'IMA took too long.' });
					if (i === 1) throw new ItemError('refused');
					return [{ json: { i } }];
				},
				summarize: (i) => (i === 2 ? 'made 2' : undefined),
			}),
		);
		expect(e.description).toBe('IMA took too long. Other items of this run — item 1: failed; item 2: made 2.');
	});
});

test('runItems: a failure without a description gets the sentence alone', async () => {
	const e = await rejection(
		runItems(fakeCtx(2), {
			concurrency: 2,
			prepare: async (i) => i,
			run: async (i) => {
				await tick(i === 0 ? 10 : 1);
				if (i === 0) throw new ItemError('timed out');
				return [{ json: { i } }];
			},
			summarize: (i) => `made ${i}`,
		}),
	);
	expect(e.description).toBe('Other items of this run — item 1: made 1.');
});
