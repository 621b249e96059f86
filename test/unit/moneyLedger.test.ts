/**
 * The ledger's stored memory, exactly (helpers/ledger.ts decideCreate, storedDecision, mirror;
 * helpers/durable.ts, the stored format). Written for the mutants the full mutation tier left
 * alive (docs/MUTATION.md): each test names the money fact it holds.
 */
import { createForItem } from '../../nodes/Ima/create/createForItem';
import type { PreparedCreate } from '../../nodes/Ima/create/prepare';
import type { RunOptions } from '../../nodes/Ima/run/options';
import { buildCreatePlan } from '../../nodes/Ima/helpers/createBody';
import { CONTEXT_KEY, MAX_DURABLE_TASK_ID, MAX_HASHES, readMoney, shortHash } from '../../nodes/Ima/helpers/durable';
import { decideCreate, fingerprint, NodeLedger, type CreateAttempt } from '../../nodes/Ima/helpers/ledger';
import { model } from './fixtures';

const VERSION = model('text_to_image', 'doubao-seedream-4-5-251128');

function prepared(prompt = 'a cat'): PreparedCreate {
	const plan = buildCreatePlan({ version: VERSION, taskType: 'text_to_image', prompt, settings: {}, n: 1, images: [] });
	return { taskType: 'text_to_image', version: VERSION, plan, images: { sources: [] }, options: { maxCredits: 0, n: 1 } as RunOptions, prompt, settings: {} };
}

const ctx = { getInputData: () => [] } as never;
const attempt = (fields: Partial<CreateAttempt>): CreateAttempt => ({ outcome: 'created', credits: 1, bodyHash: 'body', ...fields });

describe('decideCreate: only a created task is reused', () => {
	test.each(['maybe', 'sending', 'refused'] as const)('a %s try that somehow holds a task id is not a task to wait for', (outcome) => {
		const decision = decideCreate([attempt({ outcome, taskId: 't-1' })]);
		expect(decision.action).not.toBe('reuse');
	});
});

describe('storedDecision: what a stored execution allows, as a value', () => {
	const stored = (items: Record<string, unknown>, run = 2) => {
		const l = new NodeLedger();
		l.money = { v: 1, committed: 5, limit: 0, run, items: items as never };
		return l;
	};

	test('no record of the item, another body or another run: create', () => {
		expect(stored({}).storedDecision(2, 0, 'h1')).toEqual({ action: 'create' });
		expect(stored({ 0: { t: 'x', u: 0, h: ['h2'] } }).storedDecision(2, 0, 'h1')).toEqual({ action: 'create' });
		expect(stored({ 0: { t: 'x', u: 0, h: ['h1'] } }).storedDecision(3, 0, 'h1')).toEqual({ action: 'create' });
	});

	test('a stored task: reuse it, with its deadline, as a created try', () => {
		expect(stored({ 0: { t: 'x', d: 1700, u: 1, h: ['h1'] } }).storedDecision(2, 0, 'h1')).toEqual({
			action: 'reuse',
			attempt: { outcome: 'created', credits: 0, taskId: 'x', timeoutAt: 1700, bodyHash: 'h1' },
		});
	});

	test('an unsure create without a task id: refuse, as a "maybe" try', () => {
		expect(stored({ 0: { u: 1, h: ['h1'] } }).storedDecision(2, 0, 'h1')).toEqual({ action: 'refuse', attempt: { outcome: 'maybe', credits: 0, bodyHash: 'h1' } });
	});

	test('a record with neither a task nor an unsure create (not written by this version) allows a create', () => {
		expect(stored({ 0: { u: 0, h: ['h1'] } }).storedDecision(2, 0, 'h1')).toEqual({ action: 'create' });
	});
});

describe('mirror: what is stored for each item', () => {
	const mirrored = (attempts: Array<Partial<CreateAttempt>>, storable = (_id: string) => true, hashes?: string[]) => {
		const l = new NodeLedger();
		for (const a of attempts) l.record('0|0', attempt(a));
		if (hashes) l.mirror(0, 0, '0|0', storable, hashes);
		else l.mirror(0, 0, '0|0', storable);
		return l.money.items['0'];
	};

	test('a create in flight counts as unsure: a process that dies while sending leaves "may have a task" behind', () => {
		expect(mirrored([{ outcome: 'sending' }])).toStrictEqual({ u: 1, h: [shortHash('body')] });
		expect(mirrored([{ outcome: 'maybe' }, { outcome: 'sending', bodyHash: 'b2' }])).toStrictEqual({ u: 2, h: [shortHash('body'), shortHash('b2')] });
	});

	test('a created task is stored with its deadline; without a deadline no d', () => {
		expect(mirrored([{ taskId: 't-1', timeoutAt: 1700 }])).toStrictEqual({ t: 't-1', d: 1700, u: 0, h: [shortHash('body')] });
		expect(mirrored([{ taskId: 't-1' }])).toStrictEqual({ t: 't-1', u: 0, h: [shortHash('body')] });
	});

	test('a task id that may not be stored is "may have a task", and its deadline is not kept either', () => {
		expect(mirrored([{ taskId: 'sk-key-in-id', timeoutAt: 1700 }], (id) => !id.includes('sk-'))).toStrictEqual({ u: 1, h: [shortHash('body')] });
	});

	test(`task ids up to ${MAX_DURABLE_TASK_ID} characters are stored; a longer one is "may have a task"`, () => {
		const long = 'k'.repeat(MAX_DURABLE_TASK_ID);
		expect(mirrored([{ taskId: long }])).toStrictEqual({ t: long, u: 0, h: [shortHash('body')] });
		expect(mirrored([{ taskId: `${long}k` }])).toStrictEqual({ u: 1, h: [shortHash('body')] });
	});

	test('only refused creates: nothing is stored for the item', () => {
		const l = new NodeLedger();
		l.record('0|0', attempt({ outcome: 'maybe' }));
		l.mirror(0, 0, '0|0', () => true);
		expect(l.money.items['0']).toBeDefined();
		l.attempts('0|0')[0].outcome = 'refused';
		l.mirror(0, 0, '0|0', () => true);
		expect(l.money.items).toEqual({});
		expect('0' in l.money.items).toBe(false);
	});

	test('fingerprints: the given ones and each try\'s, no others, the last few kept', () => {
		expect(mirrored([{ outcome: 'maybe', bodyHash: 'b1' }], () => true, ['given'])!.h).toEqual(['given', shortHash('b1')]);
		const many = Array.from({ length: MAX_HASHES + 2 }, (_, i) => ({ outcome: 'maybe' as const, bodyHash: `b${i}` }));
		expect(mirrored(many)!.h).toEqual(many.slice(-MAX_HASHES).map((a) => shortHash(a.bodyHash)));
	});
});

describe('the stored format is what parked executions hold', () => {
	test('the context key is "imaMoney": an execution parked by an earlier version is read after an update', () => {
		expect(CONTEXT_KEY).toBe('imaMoney');
		// Loaded again inside the test, so that the key's definition is part of what it runs.
		jest.isolateModules(() => {
			// eslint-disable-next-line @typescript-eslint/no-require-imports
			const fresh = require('../../nodes/Ima/helpers/ledger') as typeof import('../../nodes/Ima/helpers/ledger');
			const l = new fresh.NodeLedger();
			l.attach({ imaMoney: { v: 1, committed: 7, limit: 10, run: 0, items: {} } });
			expect(l.committed).toBe(7);
			expect(l.reserve(4, 0)).toBe(false);
		});
	});

	test('a stored task id that is not a string is dropped', () => {
		expect(readMoney({ v: 1, committed: 1, limit: 0, run: 0, items: { 0: { t: ['t-1'], u: 0, h: [] }, 1: { t: { id: 1 }, u: 1, h: [] } } })!.items).toEqual({ 1: { u: 1, h: [] } });
	});
});

describe('a task reused from the stored execution stays reused on the next try in this process', () => {
	test('resumed, then Retry On Fail: no create at all', async () => {
		const first = new NodeLedger();
		const store: Record<string, unknown> = {};
		first.attach(store);
		const c = { cancelled: false, clean: (t: string) => t, createTask: jest.fn(async () => ({ id: 't-1' })) };
		await createForItem(ctx, c as never, { ledger: first, runIndex: 0 }, 0, prepared());

		const resumed = new NodeLedger();
		resumed.attach(JSON.parse(JSON.stringify(store)));
		const c2 = { cancelled: false, clean: (t: string) => t, createTask: jest.fn(async () => ({ id: 'second' })) };
		expect(await createForItem(ctx, c2 as never, { ledger: resumed, runIndex: 0 }, 0, prepared())).toMatchObject({ id: 't-1', reused: true });
		expect(await createForItem(ctx, c2 as never, { ledger: resumed, runIndex: 0 }, 0, prepared())).toMatchObject({ id: 't-1', reused: true });
		expect(c2.createTask).not.toHaveBeenCalled();
	});

	test('while the create is in flight the stored execution already says "may have a task"', async () => {
		const l = new NodeLedger();
		const store: Record<string, unknown> = {};
		l.attach(store);
		let seen: unknown;
		const c = {
			cancelled: false,
			clean: (t: string) => t,
			createTask: jest.fn(async () => {
				seen = JSON.parse(JSON.stringify(store[CONTEXT_KEY]));
				return { id: 't-1' };
			}),
		};
		await createForItem(ctx, c as never, { ledger: l, runIndex: 0 }, 0, prepared());
		expect(seen).toMatchObject({ run: 0, items: { 0: { u: 1, h: [shortHash(fingerprint(prepared().plan.body))] } } });
	});
});
