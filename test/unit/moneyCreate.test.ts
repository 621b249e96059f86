/**
 * The create path (actions/create.ts) with a fake client: one create per item and execution,
 * Max Credits per Run, what each failure means for the user's money (and for the ledger), the
 * price reload, and the body sent with the uploaded image URLs.
 */
import { createForItem } from '../../nodes/Ima/create/createForItem';
import { explainCreateFailure } from '../../nodes/Ima/create/outcome';
import type { PreparedCreate } from '../../nodes/Ima/create/prepare';
import { ItemError } from '../../nodes/Ima/run/errors';
import type { RunOptions } from '../../nodes/Ima/run/options';
import { buildCreatePlan } from '../../nodes/Ima/helpers/createBody';
import { NodeLedger } from '../../nodes/Ima/helpers/ledger';
import type { ModelVersion } from '../../nodes/Ima/helpers/types';
import { ImaRequestError, type ImaErrorInfo } from '../../nodes/Ima/transport';
import { model } from './fixtures';

const VERSION = model('text_to_image', 'doubao-seedream-4-5-251128');

function prepared(opts: { maxCredits?: number; n?: number; taskType?: string; version?: ModelVersion; urls?: string[] } = {}): PreparedCreate {
	const taskType = opts.taskType ?? 'text_to_image';
	const version = opts.version ?? VERSION;
	const urls = opts.urls ?? [];
	const plan = buildCreatePlan({ version, taskType, prompt: 'a cat', settings: {}, n: opts.n ?? 1, images: urls });
	return {
		taskType,
		version,
		plan,
		images: { sources: urls.map((url) => ({ kind: 'url' as const, url })) },
		options: { maxCredits: opts.maxCredits ?? 0, n: opts.n ?? 1 } as RunOptions,
		prompt: 'a cat',
		settings: {},
	};
}

type Answer = { id?: unknown; timeout_at?: unknown } | Error;

function client(answers: Answer[], products: ModelVersion[][] = [], cancelled = false) {
	const bodies: any[] = [];
	const c = {
		cancelled,
		clean: (text: string) => text,
		createTask: jest.fn(async (body: unknown) => {
			bodies.push(body);
			const a = answers.length > 1 ? answers.shift()! : answers[0];
			if (a instanceof Error) throw a;
			return a;
		}),
		products: jest.fn(async () => products.shift() ?? []),
	};
	return { c, bodies };
}

const imaError = (info: Partial<ImaErrorInfo>, message = 'IMA said no') =>
	new ImaRequestError(message, { kind: 'http', transient: false, maybeProcessed: true, step: 'create', ...info } as ImaErrorInfo);

const scope = () => ({ ledger: new NodeLedger(), runIndex: 0 });
// No input items: the ledger then counts every attempt of the item key (the safe side).
const ctx = { getInputData: () => [] } as never;

async function failure(p: Promise<unknown>): Promise<any> {
	try {
		await p;
	} catch (error) {
		return error;
	}
	throw new Error('expected a failure');
}

describe('createForItem: a created task', () => {
	test.each([
		[1234, 1234],
		['5000', 5000],
		['abc', undefined],
		[0, undefined],
		[-5, undefined],
		[undefined, undefined],
	])('timeout_at %p → %p, the credits stay committed', async (timeoutAt, expected) => {
		const s = scope();
		const p = prepared({ n: 2 });
		const { c } = client([{ id: 77, timeout_at: timeoutAt }]);
		const task = await createForItem(ctx, c as never, s, 0, p);
		expect(task).toMatchObject({ id: '77', reused: false, plan: p.plan, version: VERSION });
		expect(task.timeoutAt).toBe(expected);
		expect(s.ledger.committed).toBe(p.plan.totalCredits);
		expect(p.plan.totalCredits).toBe(p.plan.credit * 2);
		expect(s.ledger.attempts('0|0')).toEqual([
			{ outcome: 'created', credits: p.plan.totalCredits, taskId: '77', bodyHash: expect.any(String), ...(expected ? { timeoutAt: expected } : {}) },
		]);
	});

	test('a retry of the item (same run index) waits for the same task: nothing sent again', async () => {
		const s = scope();
		const { c } = client([{ id: 't1', timeout_at: 999 }]);
		await createForItem(ctx, c as never, s, 3, prepared());
		const again = await createForItem(ctx, c as never, s, 3, prepared());
		expect(again).toMatchObject({ id: 't1', timeoutAt: 999, reused: true });
		expect(c.createTask).toHaveBeenCalledTimes(1);
		// Another item, or another run index, is another create.
		await createForItem(ctx, c as never, s, 4, prepared());
		await createForItem(ctx, c as never, { ledger: s.ledger, runIndex: 1 }, 3, prepared());
		expect(c.createTask).toHaveBeenCalledTimes(3);
	});
});

describe('createForItem: a task id IMA cannot be asked about', () => {
	test.each([[{ a: 1 }], ['  '], [''], [true], ['x'.repeat(4097)], [2 ** 53 + 2], [1.5e300]])('id %p: the task may exist, a retry refuses', async (id) => {
		const s = scope();
		const { c } = client([{ id }]);
		const e = await failure(createForItem(ctx, c as never, s, 0, prepared()));
		expect(e).toBeInstanceOf(ItemError);
		expect(e.message).toMatch(/sent no usable task id .*may have been created/);
		expect(e.details.charge).toBe('maybe');
		expect(s.ledger.attempts('0|0').map((a) => a.outcome)).toEqual(['maybe']);
		const { c: c2 } = client([{ id: 'ok' }]);
		expect((await failure(createForItem(ctx, c2 as never, s, 0, prepared()))).message).toMatch(/earlier try/);
		expect(c2.createTask).not.toHaveBeenCalled();
	});

	test('a number id is read as text', async () => {
		const { c } = client([{ id: 12345 }]);
		expect((await createForItem(ctx, c as never, scope(), 0, prepared())).id).toBe('12345');
	});

	test.each([300, 1000, 4096])('an id of %i characters is kept whole, not refused after the charge', async (length) => {
		const id = `t${'0123456789'.repeat(410)}`.slice(0, length);
		const { c } = client([{ id }]);
		const task = await createForItem(ctx, c as never, scope(), 0, prepared());
		expect(task.id).toBe(id);
		expect(task.id).toHaveLength(length);
	});

	test('an id above 2^53 kept as its digits by the transport (a string) stays exactly that', async () => {
		const { c } = client([{ id: '12345678901234567891' }]);
		expect((await createForItem(ctx, c as never, scope(), 0, prepared())).id).toBe('12345678901234567891');
	});
});

describe('createForItem: Max Credits per Run is one limit for the execution', () => {
	test('the scope\'s limit (the smallest any item sets) wins over an item that sets 0', async () => {
		const s = { ...scope(), maxCredits: 5 };
		const { c } = client([{ id: 'a' }, { id: 'b' }]);
		await createForItem(ctx, c as never, s, 0, prepared({ maxCredits: 0 }));
		const e = await failure(createForItem(ctx, c as never, s, 1, prepared({ maxCredits: 0 })));
		expect(e.message).toMatch(/Max Credits per Run \(5\) would be passed/);
		expect(c.createTask).toHaveBeenCalledTimes(1);
	});
});

describe('createForItem: failures and the money', () => {
	test.each([
		['IMA refused (4008, documented)', imaError({ kind: 'business', maybeProcessed: false, imaCode: 4008 }), 'none', 'refused'],
		['IMA refused (4014, documented)', imaError({ kind: 'business', maybeProcessed: false, imaCode: 4014 }), 'none', 'refused'],
		['IMA code 400 (documented)', imaError({ kind: 'business', maybeProcessed: false, imaCode: 400 }), 'none', 'refused'],
		['a documented code behind an HTTP 400 (not IMA\'s HTTP 200) may have made a task', imaError({ kind: 'business', maybeProcessed: false, imaCode: 4008, httpStatus: 400 }), 'maybe', 'maybe'],
		['code 401 with HTTP 401 is IMA\'s refusal', imaError({ kind: 'business', maybeProcessed: false, imaCode: 401, httpStatus: 401 }), 'none', 'refused'],
		['a documented code with HTTP 200', imaError({ kind: 'business', maybeProcessed: false, imaCode: 6009, httpStatus: 200 }), 'none', 'refused'],
		['an undocumented code (500) may have made a task', imaError({ kind: 'business', maybeProcessed: false, imaCode: 500 }), 'maybe', 'maybe'],
		['an undocumented code (6001) may have made a task', imaError({ kind: 'business', maybeProcessed: false, imaCode: 6001 }), 'maybe', 'maybe'],
		['never reached IMA', imaError({ kind: 'network', maybeProcessed: false }), 'none', 'refused'],
		['connection broke', imaError({ kind: 'network', maybeProcessed: true }), 'maybe', 'maybe'],
		['HTTP 502', imaError({ kind: 'http', maybeProcessed: true, httpStatus: 502 }), 'maybe', 'maybe'],
		['HTTP 429 (IMA refused it)', imaError({ kind: 'http', maybeProcessed: false, httpStatus: 429 }), 'none', 'refused'],
		['HTTP 400 without IMA\'s code may have made a task', imaError({ kind: 'http', maybeProcessed: false, httpStatus: 400 }), 'maybe', 'maybe'],
		['HTTP 404 may have made a task (not IMA\'s answer)', imaError({ kind: 'http', maybeProcessed: false, httpStatus: 404 }), 'maybe', 'maybe'],
		['cancelled, even if marked unprocessed', imaError({ kind: 'cancelled', maybeProcessed: false }), 'maybe', 'maybe'],
		['no task id in the answer', imaError({ kind: 'invalid-response', maybeProcessed: true }), 'maybe', 'maybe'],
		['cancelled in flight', imaError({ kind: 'cancelled', maybeProcessed: true }), 'maybe', 'maybe'],
	] as const)('%s', async (_name, error, charge, outcome) => {
		const s = scope();
		const p = prepared();
		const { c } = client([error]);
		const e = await failure(createForItem(ctx, c as never, s, 0, p));
		expect(e).toBeInstanceOf(ItemError);
		expect(e.details.charge).toBe(charge);
		expect(s.ledger.attempts('0|0').map((a) => a.outcome)).toEqual([outcome]);
		expect(s.ledger.committed).toBe(charge === 'none' ? 0 : p.plan.totalCredits);
		expect(c.createTask).toHaveBeenCalledTimes(1);
		// A retry of the item: creates again only when no task can exist.
		const { c: c2 } = client([{ id: 'x' }]);
		const second = await failure(createForItem(ctx, c2 as never, s, 0, p)).catch(() => undefined);
		if (charge === 'none') {
			expect(c2.createTask).toHaveBeenCalledTimes(1);
		} else {
			expect(c2.createTask).not.toHaveBeenCalled();
			expect(second).toBeInstanceOf(ItemError);
			expect(second.details.charge).toBe('maybe');
			expect(second.message).toMatch(/earlier try of this item may already have created a task/);
		}
	});

	test('an error that is not IMA\'s is passed on as it is, and may have made a task', async () => {
		const s = scope();
		const boom = new TypeError('boom');
		const { c } = client([boom]);
		expect(await failure(createForItem(ctx, c as never, s, 0, prepared()))).toBe(boom);
		expect(s.ledger.attempts('0|0')[0].outcome).toBe('maybe');
		expect(s.ledger.committed).toBeGreaterThan(0);
	});

	test('a cancelled execution sends nothing and gives the credits back', async () => {
		const s = scope();
		const { c } = client([{ id: 't' }], [], true);
		const e = await failure(createForItem(ctx, c as never, s, 0, prepared()));
		expect(e).toBeInstanceOf(ItemError);
		expect(e.details.charge).toBe('none');
		expect(e.message).toMatch(/cancelled before the create request was sent/);
		expect(c.createTask).not.toHaveBeenCalled();
		expect(s.ledger.committed).toBe(0);
		expect(s.ledger.attempts('0|0').map((a) => a.outcome)).toEqual(['refused']);
	});
});

describe('createForItem: Max Credits per Run', () => {
	test.each([
		[0, true],
		[1e9, true],
		['exact', true],
		['one less', false],
	] as const)('max %p → sent: %p', async (max, sent) => {
		const p0 = prepared({ n: 2 });
		const total = p0.plan.totalCredits;
		const limit = max === 'exact' ? total : max === 'one less' ? total - 1 : max;
		const p = prepared({ n: 2, maxCredits: limit });
		const s = scope();
		const { c } = client([{ id: 't' }]);
		const r = createForItem(ctx, c as never, s, 0, p);
		if (sent) {
			await r;
			expect(c.createTask).toHaveBeenCalledTimes(1);
		} else {
			const e = await failure(r);
			expect(e).toBeInstanceOf(ItemError);
			expect(e.details).toMatchObject({ parameter: 'options.maxCredits', charge: 'none' });
			expect(e.message).toContain(`Max Credits per Run (${limit}) would be passed: this task costs ${total} credits`);
			expect(c.createTask).not.toHaveBeenCalled();
			expect(s.ledger.committed).toBe(0);
			expect(s.ledger.attempts('0|0')).toEqual([]);
		}
	});

	test('the budget is shared by the items of the node; a refused create gives its credits back', async () => {
		const p = prepared();
		const cost = p.plan.totalCredits;
		const s = scope();
		const limited = prepared({ maxCredits: cost * 2 });
		const refused = client([imaError({ kind: 'business', maybeProcessed: false, imaCode: 4008 })]);
		await failure(createForItem(ctx, refused.c as never, s, 0, limited));
		const { c } = client([{ id: 't' }]);
		await createForItem(ctx, c as never, s, 1, limited);
		await createForItem(ctx, c as never, s, 2, limited);
		const e = await failure(createForItem(ctx, c as never, s, 3, limited));
		expect(e.details.parameter).toBe('options.maxCredits');
		expect(e.message).toContain(`already committed ${cost * 2} credit`);
		expect(c.createTask).toHaveBeenCalledTimes(2);
	});
});

describe('createForItem: a price IMA refused reloads the product list once', () => {
	const repriced = (points: number): ModelVersion => ({
		...VERSION,
		credit_rules: (VERSION.credit_rules ?? []).map((r) => ({ ...r, points })),
	});

	test.each([6006, 6009, 6010])('code %i: sent once more with the fresh price', async (code) => {
		const s = scope();
		const p = prepared();
		const { c, bodies } = client([imaError({ kind: 'business', maybeProcessed: false, imaCode: code }), { id: 't2' }], [[repriced(123)]]);
		const task = await createForItem(ctx, c as never, s, 0, p);
		expect(task.id).toBe('t2');
		expect(c.products).toHaveBeenCalledWith('text_to_image', { reload: true });
		expect(bodies.map((b) => b.parameters[0].credit)).toEqual([p.plan.credit, 123]);
		expect(task.plan.credit).toBe(123);
		expect(task.version.credit_rules![0].points).toBe(123);
		expect(s.ledger.committed).toBe(123);
		expect(s.ledger.attempts('0|0').map((a) => a.outcome)).toEqual(['refused', 'created']);
	});

	test('the reload itself fails: the error says no task was made and nothing was charged', async () => {
		const s = scope();
		const { c } = client([imaError({ kind: 'business', maybeProcessed: false, imaCode: 6006 })]);
		c.products.mockImplementationOnce(async () => {
			throw new Error('product list unreachable');
		});
		const e = await failure(createForItem(ctx, c as never, s, 0, prepared()));
		expect(e).toBeInstanceOf(ItemError);
		expect(e.message).toMatch(/IMA refused the price \(code 6006\), and reloading its product list failed: product list unreachable/);
		expect(e.details).toMatchObject({ charge: 'none', imaCode: 6006 });
		expect(e.details.description).toMatch(/No task was made and nothing was charged/);
		expect(c.createTask).toHaveBeenCalledTimes(1);
		expect(s.ledger.committed).toBe(0);
	});

	test('refused again after the reload: one reload only, and the error says so', async () => {
		const s = scope();
		const { c } = client([imaError({ kind: 'business', maybeProcessed: false, imaCode: 6009 })], [[repriced(5)], [repriced(6)]]);
		const e = await failure(createForItem(ctx, c as never, s, 0, prepared()));
		expect(c.createTask).toHaveBeenCalledTimes(2);
		expect(c.products).toHaveBeenCalledTimes(1);
		expect(e.details.charge).toBe('none');
		expect(e.details.description).toMatch(/reloaded IMA's product list .* IMA refused it again\. No task was made\./);
		expect(s.ledger.committed).toBe(0);
	});

	test('a price code on an HTTP error (502) is not a refusal: no reload, no resend', async () => {
		const { c } = client([imaError({ kind: 'http', maybeProcessed: true, httpStatus: 502, imaCode: 6009 }), { id: 't2' }], [[repriced(5)]]);
		const e = await failure(createForItem(ctx, c as never, scope(), 0, prepared()));
		expect(c.products).not.toHaveBeenCalled();
		expect(c.createTask).toHaveBeenCalledTimes(1);
		expect(e.details.charge).toBe('maybe');
	});

	test.each([400, 403, 404, 409])('a price code in the envelope behind HTTP %i may have made a task: no reload, no second create', async (httpStatus) => {
		const { c } = client([imaError({ kind: 'business', maybeProcessed: true, httpStatus, imaCode: 6006 }), { id: 't2' }], [[repriced(5)]]);
		const s = scope();
		const e = await failure(createForItem(ctx, c as never, s, 0, prepared()));
		expect(c.products).not.toHaveBeenCalled();
		expect(c.createTask).toHaveBeenCalledTimes(1);
		expect(e.details.charge).toBe('maybe');
		expect(s.ledger.committed).toBe(5);
	});

	test('another business refusal is not a price: no reload', async () => {
		const { c } = client([imaError({ kind: 'business', maybeProcessed: false, imaCode: 6001 })], [[repriced(5)]]);
		const e = await failure(createForItem(ctx, c as never, scope(), 0, prepared()));
		expect(c.products).not.toHaveBeenCalled();
		expect(e.details.description).not.toMatch(/reloaded/);
	});

	test('a model gone from the reloaded list is an input error', async () => {
		const { c } = client([imaError({ kind: 'business', maybeProcessed: false, imaCode: 6010 })], [[]]);
		const e = await failure(createForItem(ctx, c as never, scope(), 0, prepared()));
		expect(e).toBeInstanceOf(ItemError);
		expect(e.details).toMatchObject({ parameter: 'model', charge: 'none' });
		expect(e.message).toContain(`Model "${VERSION.id}" is no longer offered for text_to_image`);
		expect(c.createTask).toHaveBeenCalledTimes(1);
	});
});

describe('createForItem: the body sent', () => {
	test('image URLs go to src_img_url and input_images; the prepared plan is not changed', async () => {
		const p = prepared({ taskType: 'image_to_image', urls: ['https://img/a.png'] });
		p.plan = buildCreatePlan({ version: VERSION, taskType: 'image_to_image', prompt: 'a cat', settings: {}, n: 1, images: ['binary:data'] });
		const before = JSON.stringify(p.plan.body);
		const { c, bodies } = client([{ id: 't' }]);
		await createForItem(ctx, c as never, scope(), 0, p);
		expect(bodies[0].src_img_url).toEqual(['https://img/a.png']);
		expect(bodies[0].parameters[0].parameters.input_images).toEqual(['https://img/a.png']);
		expect(bodies[0]).not.toBe(p.plan.body);
		expect(JSON.stringify(p.plan.body)).toBe(before);
	});

	test('an upload that fails gives the credits back and sends nothing', async () => {
		const p = prepared({ taskType: 'image_to_image', urls: ['https://img/a.png'] });
		p.images = { sources: [{ kind: 'binary', property: 'data' }] };
		const s = scope();
		const { c } = client([{ id: 't' }]);
		const broken = { getNodeParameter: () => ({}), helpers: { assertBinaryData: () => { throw new Error('no binary'); } }, getInputData: () => [{ json: {} }] };
		await failure(createForItem(broken as never, c as never, s, 0, p));
		expect(c.createTask).not.toHaveBeenCalled();
		expect(s.ledger.committed).toBe(0);
		expect(s.ledger.attempts('0|0')).toEqual([]);
	});
});

describe('explainCreateFailure', () => {
	test.each([
		['cancelled', { kind: 'cancelled' }, 'maybe', /cancelled while the create request was in flight/],
		['business, documented (4008)', { kind: 'business', maybeProcessed: false, imaCode: 4008 }, 'none', /IMA said no/],
		['business, undocumented (6001)', { kind: 'business', maybeProcessed: false, imaCode: 6001 }, 'maybe', /IMA said no: the task may have been created on IMA/],
		['never sent', { kind: 'network', maybeProcessed: false }, 'none', /IMA said no/],
		['maybe sent', { kind: 'network', maybeProcessed: true }, 'maybe', /IMA said no: the task may have been created on IMA/],
		['5xx', { kind: 'http', maybeProcessed: true, httpStatus: 503 }, 'maybe', /may have been created/],
		['4xx without IMA\'s code', { kind: 'http', maybeProcessed: false, httpStatus: 400 }, 'maybe', /may have been created/],
		['429', { kind: 'http', maybeProcessed: false, httpStatus: 429 }, 'none', /^IMA said no$/],
	] as Array<[string, Partial<ImaErrorInfo>, string, RegExp]>)('%s → charge %s', (_name, info, charge, message) => {
		const e = explainCreateFailure(imaError(info)) as ItemError;
		expect(e).toBeInstanceOf(ItemError);
		expect(e.details.charge).toBe(charge);
		expect(e.message).toMatch(message);
		if (charge === 'none') expect(e.details.description).toMatch(/No task was made\.$/);
		else expect(e.details.description).toMatch(/Check your IMA task history/);
	});

	test('the HTTP status and IMA code are kept', () => {
		expect((explainCreateFailure(imaError({ kind: 'http', httpStatus: 502 })) as ItemError).details.httpCode).toBe(502);
		expect((explainCreateFailure(imaError({ kind: 'business', maybeProcessed: false, imaCode: 6009, httpStatus: 200 })) as ItemError).details).toMatchObject({ imaCode: 6009, httpCode: 200, api: true });
	});
});

describe('createForItem, step by step (survivors of the full mutation tier)', () => {
	const withCost = (credits: number, maxCredits: number): PreparedCreate => {
		const p = prepared({ maxCredits });
		return { ...p, plan: { ...p.plan, totalCredits: credits } };
	};

	test.each([
		[1, 1, 'this task costs 1 credit and this node has already committed 1 credit in this execution'],
		[2, 3, 'this task costs 2 credits and this node has already committed 2 credits in this execution'],
	])('Max Credits in words: a task of %i under a limit of %i', async (cost, max, words) => {
		const s = scope();
		const { c } = client([{ id: 't' }]);
		await createForItem(ctx, c as never, s, 0, withCost(cost, max));
		const e = await failure(createForItem(ctx, c as never, s, 1, withCost(cost, max)));
		expect(e.message).toBe(`Max Credits per Run (${max}) would be passed: ${words}`);
		expect(e.details.description).toBe(
			'Parameter: options.maxCredits. The task was refused before its create call: nothing was sent to IMA and nothing was charged for this item. Raise Max Credits per Run (0 = no limit) or make fewer or cheaper tasks.',
		);
	});

	test('a refused earlier try: the error explains why nothing is sent again', async () => {
		const s = scope();
		await failure(createForItem(ctx, client([imaError({ kind: 'http', httpStatus: 502 })]).c as never, s, 0, prepared()));
		const e = await failure(createForItem(ctx, client([{ id: 'x' }]).c as never, s, 0, prepared()));
		expect(e.details.charge).toBe('maybe');
		expect(e.details.description).toMatch(/^n8n ran the node again \(Retry On Fail, or a retry of the execution\) after a create whose answer was lost/);
		expect(e.details.description).toMatch(/IMA's API cannot look a task up without its ID\.$/);
	});

	test('a cancelled execution: the description says nothing was sent or charged', async () => {
		const e = await failure(createForItem(ctx, client([{ id: 't' }], [], true).c as never, scope(), 0, prepared()));
		expect(e.details.description).toBe('Nothing was sent to IMA and nothing was charged.');
	});

	test('retries in one process: the item keeps one attempt, and the run counts one task', async () => {
		const s = { ...scope(), stats: { created: 0, committedBefore: 0, touched: new Set<number>() } };
		const { c } = client([{ id: 't1' }]);
		await createForItem(ctx, c as never, s, 0, prepared());
		await createForItem(ctx, c as never, s, 0, prepared());
		await createForItem(ctx, c as never, s, 0, prepared());
		expect(s.ledger.attempts('0|0')).toHaveLength(1);
		expect(s.stats.created).toBe(1);
		expect([...s.stats.touched]).toEqual([0]);
		await createForItem(ctx, c as never, s, 1, prepared());
		expect(s.stats.created).toBe(2);
	});

	test('resumed in another process (the ledger read back from the stored execution): the same body reuses the task, once recorded', async () => {
		const store: Record<string, unknown> = {};
		const first = scope();
		first.ledger.attach(store);
		const { c } = client([{ id: 't-stored', timeout_at: 5000 }]);
		await createForItem(ctx, c as never, first, 0, prepared());
		// a new process: a new ledger on the execution's stored state
		const stored = JSON.parse(JSON.stringify(store)) as Record<string, unknown>;
		const resumed = scope();
		resumed.ledger.attach(stored);
		const again = await createForItem(ctx, c as never, resumed, 0, prepared());
		expect(again).toMatchObject({ id: 't-stored', reused: true });
		expect(c.createTask).toHaveBeenCalledTimes(1);
		// recorded in this process: the next try decides from it
		expect(resumed.ledger.attempts('0|0').map((a) => a.taskId)).toEqual(['t-stored']);
		await createForItem(ctx, c as never, resumed, 0, prepared());
		expect(resumed.ledger.attempts('0|0')).toHaveLength(1);
		expect(c.createTask).toHaveBeenCalledTimes(1);
	});

	test('a task type without input images: the body sent is the plan\'s', async () => {
		const p = prepared({ taskType: 'text_to_video', version: model('text_to_video', 'wan2.6-t2v') });
		const { c, bodies } = client([{ id: 't' }]);
		await createForItem(ctx, c as never, scope(), 0, p);
		expect(bodies[0]).toEqual(p.plan.body);
	});

	test.each([
		[{ a: 1 }, '({"a":1})'],
		[undefined, '(undefined)'],
		['x'.repeat(4097), `("${'x'.repeat(199)}… (4099 characters))`],
		['y'.repeat(198), ''],
	])('no usable task id %#: the id shown (cut to 200 characters), api error, may exist', async (id, shown) => {
		const { c } = client([{ id }]);
		const r = createForItem(ctx, c as never, scope(), 0, prepared());
		if (!shown) {
			expect((await r).id).toBe(id); // 198 characters: a usable id, kept whole
			return;
		}
		const e = await failure(r);
		expect(e.message).toBe(`IMA accepted the create but sent no usable task id ${shown}: the task may have been created on IMA`);
		expect(e.details).toMatchObject({ api: true, charge: 'maybe' });
	});

	test.each([
		[1_700_000_000_000, 1_700_000_000_000],
		['1700000000000', 1_700_000_000_000],
		[0, undefined],
		[-1, undefined],
		['soon', undefined],
		[undefined, undefined],
	])('created_at %p → createdAt %p', async (createdAt, expected) => {
		const { c } = client([{ id: 't', created_at: createdAt } as never]);
		expect((await createForItem(ctx, c as never, scope(), 0, prepared())).createdAt).toBe(expected);
	});

	test('the price reload fails: an API error (with its code), no task', async () => {
		const { c } = client([imaError({ kind: 'business', maybeProcessed: false, imaCode: 6009, httpStatus: 200 })]);
		c.products.mockImplementationOnce(async () => {
			throw new Error('down');
		});
		const e = await failure(createForItem(ctx, c as never, scope(), 0, prepared()));
		expect(e.details).toMatchObject({ api: true, charge: 'none', imaCode: 6009 });
	});
});
