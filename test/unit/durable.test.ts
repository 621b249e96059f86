/**
 * The money memory kept with the execution (helpers/durable.ts, NodeLedger.attach / mirror /
 * storedDecision) and the run's cost hint (actions/runSummary.ts). Engine tests with real resumes
 * are in test/engine/durable.test.ts.
 */
import { createForItem } from '../../nodes/Ima/create/createForItem';
import type { PreparedCreate } from '../../nodes/Ima/create/prepare';
import { createScope } from '../../nodes/Ima/create/scope';
import type { RunOptions } from '../../nodes/Ima/run/options';
import { costHint, finishRun, runCost } from '../../nodes/Ima/create/runSummary';
import { buildCreatePlan } from '../../nodes/Ima/helpers/createBody';
import { CONTEXT_KEY, emptyMoney, MAX_DURABLE_ITEMS, mergeMoney, readMoney, shortHash, smallestLimit } from '../../nodes/Ima/helpers/durable';
import { fingerprint, NodeLedger } from '../../nodes/Ima/helpers/ledger';
import { model } from './fixtures';

const VERSION = model('text_to_image', 'doubao-seedream-4-5-251128');

function prepared(prompt = 'a cat'): PreparedCreate {
	const plan = buildCreatePlan({ version: VERSION, taskType: 'text_to_image', prompt, settings: {}, n: 1, images: [] });
	return { taskType: 'text_to_image', version: VERSION, plan, images: { sources: [] }, options: { maxCredits: 0, n: 1 } as RunOptions, prompt, settings: {} };
}

function client(ids: unknown[], secret = 'sk-secret-key') {
	return {
		cancelled: false,
		clean: (text: string) => text.split(secret).join('[redacted]'),
		createTask: jest.fn(async () => ({ id: ids.shift() })),
	};
}

const ctx = { getInputData: () => [] } as never;

describe('smallestLimit: 0 means none and never lifts a limit', () => {
	test.each([
		[0, 0, 0],
		[0, 10, 10],
		[10, 0, 10],
		[10, 5, 5],
		[5, 10, 5],
		[Number.NaN, 7, 7],
		[-3, 0, 0],
		[0, -5, 0],
		[10, -5, 10],
	])('%p, %p → %p', (a, b, out) => {
		expect(smallestLimit(a, b)).toBe(out);
	});
});

describe('readMoney: what comes back from the database is checked', () => {
	test.each([[undefined], [null], ['x'], [[]], [{}], [{ v: 2, committed: 5 }]])('%p → nothing', (raw) => {
		expect(readMoney(raw)).toBeUndefined();
	});

	test('odd fields are dropped, numbers must be finite and positive', () => {
		const raw = {
			v: 1,
			committed: 'lots',
			limit: Infinity,
			run: 2.5,
			items: { 0: { t: 'ok', u: 1, h: ['a', 5] }, x: { t: 'bad key' }, 1: { u: 0, h: [] }, 2: null, 3: { t: 'y'.repeat(300), u: 0, h: [] }, 4: { t: 'z', d: -1, h: 'no' } },
		};
		expect(readMoney(raw)).toEqual({ v: 1, committed: 0, limit: 0, run: -1, items: { 0: { t: 'ok', u: 1, h: ['a'] }, 4: { t: 'z', u: 0, h: [] } } });
	});

	test.each([
		['negative credits', { committed: -5, limit: -1 }, { committed: 0, limit: 0 }],
		['items as a list', { items: [{ t: 'a', u: 1, h: [] }] }, { items: {} }],
		['items null', { items: null }, { items: {} }],
		['item keys that are not indexes', { items: { '1x': { u: 1, h: [] }, x1: { u: 1, h: [] }, '-1': { u: 1, h: [] }, '7': { u: 1, h: [] } } }, { items: { 7: { u: 1, h: [] } } }],
		['a record that is not an object', { items: { 0: 'created', 1: 5 } }, { items: {} }],
		['h not a list, more than 4 fingerprints (the last 4 kept)', { items: { 0: { u: 1, h: 'ab' }, 1: { u: 1, h: ['a', 'b', 'c', 'd', 'e'] } } }, { items: { 0: { u: 1, h: [] }, 1: { u: 1, h: ['b', 'c', 'd', 'e'] } } }],
		['a task id of 256 characters is kept, a number is not', { items: { 0: { t: 'k'.repeat(256), u: 0, h: [] }, 1: { t: 12345, u: 0, h: [] } } }, { items: { 0: { t: 'k'.repeat(256), u: 0, h: [] } } }],
		['a deadline is kept when positive', { items: { 0: { t: 'a', d: 1700, u: 0, h: [] }, 1: { t: 'b', d: 0, u: 0, h: [] } } }, { items: { 0: { t: 'a', d: 1700, u: 0, h: [] }, 1: { t: 'b', u: 0, h: [] } } }],
		['fractional unsure counts round down', { items: { 0: { u: 2.7, h: [] }, 1: { u: 0.5, h: [] } } }, { items: { 0: { u: 2, h: [] } } }],
	])('%s', (_name, fields, expected) => {
		expect(readMoney({ v: 1, committed: 1, limit: 2, run: 3, items: {}, ...fields })).toEqual({ v: 1, committed: 1, limit: 2, run: 3, items: {}, ...expected });
	});

	test('an empty state, and a short fingerprint of 16 hex digits', () => {
		expect(emptyMoney()).toEqual({ v: 1, committed: 0, limit: 0, run: -1, items: {} });
		expect(shortHash('x')).toMatch(/^[0-9a-f]{16}$/);
		expect(shortHash('x')).not.toBe(shortHash('y'));
	});

	test('at most MAX_DURABLE_ITEMS items are read', () => {
		const items: Record<string, unknown> = {};
		for (let i = 0; i < MAX_DURABLE_ITEMS + 50; i++) items[i] = { u: 1, h: [] };
		expect(Object.keys(readMoney({ v: 1, committed: 1, limit: 0, run: 0, items })!.items)).toHaveLength(MAX_DURABLE_ITEMS);
	});
});

describe('mergeMoney: never less committed, never a larger limit', () => {
	test('two views of one execution', () => {
		const a = { ...emptyMoney(), committed: 10, limit: 0, run: 3, items: { 0: { t: 'new', u: 0, h: [] } } };
		const b = { ...emptyMoney(), committed: 15, limit: 20, run: 2, items: { 0: { t: 'old', u: 0, h: [] } } };
		expect(mergeMoney(a, b)).toEqual({ v: 1, committed: 15, limit: 20, run: 3, items: { 0: { t: 'new', u: 0, h: [] } } });
		expect(mergeMoney(b, a)).toEqual({ v: 1, committed: 15, limit: 20, run: 3, items: { 0: { t: 'new', u: 0, h: [] } } });
	});

	test('the same run: the item records of both, those of this process first', () => {
		const mine = { ...emptyMoney(), committed: 5, limit: 10, run: 1, items: { 0: { t: 'mine', u: 0, h: [] } } };
		const stored = { ...emptyMoney(), committed: 5, limit: 0, run: 1, items: { 0: { t: 'stored', u: 0, h: [] }, 1: { u: 1, h: [] } } };
		expect(mergeMoney(mine, stored).items).toEqual({ 0: { t: 'mine', u: 0, h: [] }, 1: { u: 1, h: [] } });
		expect(mergeMoney(mine, stored).limit).toBe(10);
	});
});

describe('NodeLedger.attach: the money lives in the store n8n keeps with the execution', () => {
	test('a fresh store gets the ledger state; a resumed process adopts the stored one', () => {
		const store: Record<string, unknown> = {};
		const first = new NodeLedger();
		first.attach(store);
		expect(first.reserve(5, 10)).toBe(true);
		expect(store[CONTEXT_KEY]).toMatchObject({ committed: 5, limit: 10 });
		const resumed = new NodeLedger();
		resumed.attach(JSON.parse(JSON.stringify(store)));
		expect(resumed.committed).toBe(5);
		// The limit of 10 is still in force, even when this run sets none.
		expect(resumed.reserve(5, 0)).toBe(true);
		expect(resumed.reserve(1, 0)).toBe(false);
	});

	test('attaching twice to the same store changes nothing', () => {
		const store: Record<string, unknown> = {};
		const l = new NodeLedger();
		l.attach(store);
		l.reserve(3, 0);
		l.attach(store);
		expect(l.committed).toBe(3);
		expect(store[CONTEXT_KEY]).toBe(l.money);
	});

	test('no store (older n8n, a context without it): the ledger works in process', () => {
		const l = new NodeLedger();
		l.attach(undefined);
		expect(l.reserve(5, 5)).toBe(true);
		expect(l.reserve(1, 5)).toBe(false);
	});
});

describe('createForItem with a stored execution: which task each item made', () => {
	const resumed = (money: unknown) => {
		const l = new NodeLedger();
		l.attach(JSON.parse(JSON.stringify({ [CONTEXT_KEY]: money })));
		return l;
	};

	test('a created task is stored with the item and reused by another process; a task id that carries the key is not stored', async () => {
		const l = new NodeLedger();
		const store: Record<string, unknown> = {};
		l.attach(store);
		const c = client(['t-1', 'task-sk-secret-key']);
		await createForItem(ctx, c as never, { ledger: l, runIndex: 2 }, 0, prepared());
		await createForItem(ctx, c as never, { ledger: l, runIndex: 2 }, 1, prepared('a dog'));
		const money = store[CONTEXT_KEY] as any;
		expect(money.run).toBe(2);
		expect(money.items[0]).toEqual({ t: 't-1', u: 0, h: [shortHash(fingerprint(prepared().plan.body))] });
		expect(money.items[1]).toEqual({ u: 1, h: expect.any(Array) });
		expect(JSON.stringify(money)).not.toContain('sk-secret-key');
		expect(JSON.stringify(money)).not.toContain('a cat');

		const other = resumed(money);
		const c2 = client(['n1', 'n2']);
		const again = await createForItem(ctx, c2 as never, { ledger: other, runIndex: 2 }, 0, prepared());
		expect(again).toMatchObject({ id: 't-1', reused: true });
		// The item whose id could not be stored may have a task: refused, nothing sent.
		await expect(createForItem(ctx, c2 as never, { ledger: other, runIndex: 2 }, 1, prepared('a dog'))).rejects.toThrow(/may already have created a task/);
		// Another body for item 0, or another run: a new create.
		await createForItem(ctx, c2 as never, { ledger: resumed(money), runIndex: 2 }, 0, prepared('a bird'));
		await createForItem(ctx, c2 as never, { ledger: resumed(money), runIndex: 3 }, 0, prepared());
		expect(c2.createTask).toHaveBeenCalledTimes(2);
	});

	test('items side by side on a resumed execution: the reserve stays atomic (limit 20, 10 committed, tasks of 5: two more)', async () => {
		const store = JSON.parse(JSON.stringify({ [CONTEXT_KEY]: { v: 1, committed: 10, limit: 20, run: 0, items: {} } }));
		const l = new NodeLedger();
		l.attach(store);
		let n = 0;
		const slow = {
			cancelled: false,
			clean: (t: string) => t,
			createTask: jest.fn(async () => {
				await new Promise((r) => setImmediate(r)); // answers on a later turn: the six creates overlap
				return { id: `t${n++}` };
			}),
		};
		const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => createForItem(ctx, slow as never, { ledger: l, runIndex: 1, maxCredits: 0 }, i, prepared(`p${i}`))));
		expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
		expect(slow.createTask).toHaveBeenCalledTimes(2);
		expect(store[CONTEXT_KEY]).toMatchObject({ committed: 20, limit: 20 });
	});

	test('a run that ended leaves no item records behind (bounded for huge loops)', async () => {
		const l = new NodeLedger();
		const c = client(['a', 'b', 'c']);
		for (let run = 0; run < 3; run++) {
			await createForItem(ctx, c as never, { ledger: l, runIndex: run }, 0, prepared());
			expect(Object.keys(l.money.items)).toEqual(['0']);
			l.settleRun(run);
			expect(l.money.items).toEqual({});
		}
		l.settleRun(7); // another run: nothing to do
		expect(l.money).toMatchObject({ committed: 15, run: 2 });
	});

	test('at most MAX_DURABLE_ITEMS items of a run are stored', () => {
		const l = new NodeLedger();
		for (let i = 0; i <= MAX_DURABLE_ITEMS; i++) {
			l.record(`0|${i}`, { outcome: 'maybe', credits: 1, bodyHash: 'x' });
			l.mirror(0, i, `0|${i}`, () => true);
		}
		expect(Object.keys(l.money.items)).toHaveLength(MAX_DURABLE_ITEMS);
		expect(l.money.items[String(MAX_DURABLE_ITEMS)]).toBeUndefined();
	});
});

describe('the execution hint: cost at a glance', () => {
	test.each([
		[{ created: 1, credits: 5, committed: 5, limit: 0, refused: 0 }, 'This run: 1 task created, 5 credits committed.', 'info'],
		[{ created: 2, credits: 10, committed: 30, limit: 0, refused: 0 }, 'This run: 2 tasks created, 10 credits committed (30 credits in this execution).', 'info'],
		[{ created: 0, credits: 0, committed: 10, limit: 10, refused: 1 }, 'This run: 0 tasks created, 0 credits committed (10 of 10 Max Credits per Run used in this execution). 1 item refused before paying.', 'warning'],
		[{ created: 3, credits: 1, committed: 1, limit: 50, refused: 2 }, 'This run: 3 tasks created, 1 credit committed (1 of 50 Max Credits per Run used in this execution). 2 items refused before paying.', 'warning'],
	])('%p', (cost, message, type) => {
		expect(costHint(cost)).toEqual({ message, type, location: 'outputPane' });
	});

	test('refused = error items of this run that never reached a paid call', () => {
		const l = new NodeLedger();
		const scope = { ledger: l, runIndex: 0, stats: { created: 1, committedBefore: 0, touched: new Set([0, 2]) } };
		l.reserve(5, 0);
		const out = [
			{ json: { taskId: 'a' }, pairedItem: { item: 0 } },
			{ json: { error: 'Max Credits per Run' }, pairedItem: { item: 1 } },
			{ json: { error: 'Timed out', taskId: 'b' }, pairedItem: { item: 2 } },
			{ json: { error: 'bad prompt' }, pairedItem: { item: 3 } },
		];
		expect(runCost(scope, out)).toEqual({ created: 1, credits: 5, committed: 5, limit: 0, refused: 2 });
	});

	test('credits of this run only; items without a pairing or without an error are not counted; no stats: every error item', () => {
		const l = new NodeLedger();
		l.reserve(30, 50);
		const scope = { ledger: l, runIndex: 3, stats: { created: 2, committedBefore: 20, touched: new Set<number>() } };
		const out: any[] = [
			{ json: { error: 'x' } },
			{ json: { error: 'x' }, pairedItem: [{ item: 1 }] },
			{ json: { ok: true }, pairedItem: { item: 2 } },
			{ json: { error: 'x' }, pairedItem: { item: 3 } },
			{ json: { error: 'again' }, pairedItem: { item: 3 } },
		];
		expect(runCost(scope, out)).toEqual({ created: 2, credits: 10, committed: 30, limit: 50, refused: 1 });
		expect(runCost({ ledger: l, runIndex: 3 }, out)).toEqual({ created: 0, credits: 30, committed: 30, limit: 50, refused: 1 });
	});

	test('older n8n without addExecutionHints: finishRun still settles and does not fail', () => {
		const l = new NodeLedger();
		l.record('0|0', { outcome: 'maybe', credits: 1, bodyHash: 'x' });
		l.mirror(0, 0, '0|0', () => true);
		finishRun({} as never, { ledger: l, runIndex: 0 }, []);
		expect(l.money.items).toEqual({});
		const hints: unknown[] = [];
		finishRun({ addExecutionHints: (...h: unknown[]) => hints.push(...h) } as never, { ledger: l, runIndex: 0 }, []);
		expect(hints).toEqual([{ message: 'This run: 0 tasks created, 0 credits committed.', type: 'info', location: 'outputPane' }]);
	});
});

describe('createScope: where the money memory comes from', () => {
	const fakeCtx = (over: Record<string, unknown>) =>
		({
			getExecutionCancelSignal: () => undefined,
			getExecutionId: () => `exec-${Math.random()}`,
			getNode: () => ({ id: 'n1', name: 'IMA', type: 'n8n-nodes-ima.ima' }),
			getWorkflowDataProxy: () => ({ $runIndex: 4 }),
			getInputData: () => [{ json: {} }, { json: {} }],
			getNodeParameter: (_name: string, i: number) => ({ maxCredits: i === 0 ? 0 : 8 }),
			...over,
		}) as never;

	test("the node's context when n8n gives one: the stored limit and credits are in force", () => {
		const store: Record<string, unknown> = { [CONTEXT_KEY]: { v: 1, committed: 6, limit: 7, run: 1, items: {} } };
		const s = createScope(fakeCtx({ getContext: (type: string) => (type === 'node' ? store : {}) }));
		expect(s.maxCredits).toBe(7);
		expect(s.runIndex).toBe(4);
		expect(s.ledger.committed).toBe(6);
		expect(s.stats).toMatchObject({ created: 0, committedBefore: 6 });
	});

	test.each([
		['no getContext (older or other contexts)', {}],
		['getContext throws (no execution data)', { getContext: () => { throw new Error('`executionData` is not initialized'); } }],
		['getContext gives something odd', { getContext: () => 'x' }],
	])('%s: falls back to this process, limit from the items', (_name, over) => {
		const s = createScope(fakeCtx(over));
		expect(s.maxCredits).toBe(8);
		expect(s.ledger.committed).toBe(0);
	});
});
