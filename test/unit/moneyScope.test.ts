/**
 * create/scope.ts: which money memory (ledger) a create uses. The wrong one either forgets a
 * task an item already paid for (a retry buys it again) or lets one node's or execution's spend
 * count against another. Written for the survivors of the full mutation tier (docs/MUTATION.md).
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { createScope, executionStore, inputItem, itemKey } from '../../nodes/Ima/create/scope';

interface FakeOptions {
	signal?: AbortSignal;
	execId?: string;
	node?: { id?: string; name: string; type?: string };
	store?: unknown;
	runIndex?: number;
	items?: unknown[];
}

let seq = 0;
const uniqueId = () => `exec-${process.pid}-${++seq}`;

function fakeCtx(o: FakeOptions = {}): IExecuteFunctions {
	const ctx: Record<string, unknown> = {
		getNode: () => ({ type: 'n8n-nodes-ima.ima', ...(o.node ?? { id: 'node-1', name: 'IMA' }) }),
		getExecutionId: () => o.execId,
		getWorkflowDataProxy: () => ({ $runIndex: o.runIndex ?? 0 }),
		getInputData: () => o.items ?? [{ json: {} }],
		getNodeParameter: (_name: string, _i: number, fallback: unknown) => fallback,
	};
	if (o.signal) ctx.getExecutionCancelSignal = () => o.signal;
	if ('store' in o) ctx.getContext = () => o.store;
	return ctx as unknown as IExecuteFunctions;
}

describe('createScope: one ledger per execution and node', () => {
	test('without a cancel signal the execution id names the execution: the same id, the same ledger; another id, another', () => {
		const id = uniqueId();
		const a = createScope(fakeCtx({ execId: id }));
		const b = createScope(fakeCtx({ execId: id }));
		expect(b.ledger).toBe(a.ledger);
		expect(createScope(fakeCtx({ execId: uniqueId() })).ledger).not.toBe(a.ledger);
	});

	test("with a cancel signal, the signal names the run: another WorkflowExecute of the same execution id (a resume) starts from the execution's stored memory, not this one", () => {
		const id = uniqueId();
		const s1 = new AbortController().signal;
		const a = createScope(fakeCtx({ execId: id, signal: s1 }));
		expect(createScope(fakeCtx({ execId: id, signal: s1 })).ledger).toBe(a.ledger);
		expect(createScope(fakeCtx({ execId: id, signal: new AbortController().signal })).ledger).not.toBe(a.ledger);
	});

	test('a cancel signal and no execution id still share one ledger per run', () => {
		const s = new AbortController().signal;
		expect(createScope(fakeCtx({ signal: s })).ledger).toBe(createScope(fakeCtx({ signal: s })).ledger);
	});

	test('each node of an execution has its own ledger: by name and by id (a node without an id too)', () => {
		const signal = new AbortController().signal;
		const scope = (node: FakeOptions['node']) => createScope(fakeCtx({ signal, node })).ledger;
		const x = scope({ id: 'a', name: 'X' });
		expect(scope({ id: 'a', name: 'X' })).toBe(x);
		expect(scope({ id: 'a', name: 'Y' })).not.toBe(x);
		expect(scope({ id: 'b', name: 'X' })).not.toBe(x);
		const noId = scope({ name: 'Z' });
		expect(scope({ name: 'Z' })).toBe(noId);
		expect(noId).not.toBe(x);
	});
});

describe("a run's stats (the execution hint)", () => {
	test('tries of one run (Retry On Fail: same run index) add up; the next run index starts at zero', () => {
		const signal = new AbortController().signal;
		const first = createScope(fakeCtx({ signal, runIndex: 0 }));
		first.stats!.created = 1;
		first.stats!.touched.add(0);
		const retry = createScope(fakeCtx({ signal, runIndex: 0 }));
		expect(retry.stats).toBe(first.stats);
		expect(retry.stats!.created).toBe(1);
		const next = createScope(fakeCtx({ signal, runIndex: 1 }));
		expect(next.runIndex).toBe(1);
		expect(next.stats).not.toBe(first.stats);
		expect(next.stats!.created).toBe(0);
		expect(next.stats!.touched.size).toBe(0);
	});

	test('an AI Agent tool node is a tool scope', () => {
		expect(createScope(fakeCtx({ signal: new AbortController().signal, node: { id: 't', name: 'IMA Tool', type: 'n8n-nodes-ima.imaTool' } })).tool).toBe(true);
		expect(createScope(fakeCtx({ signal: new AbortController().signal })).tool).toBe(false);
	});
});

describe('itemKey: the form the keys are stored in', () => {
	// The keys are stored with the execution (n8n's node context, helpers/durable.ts): an execution
	// parked in a long Wait by one version of the node is resumed by the next. A changed form would
	// lose its memory of what its items paid for.
	test.each([
		[{ runIndex: 0 }, 3, '0|3'],
		[{ runIndex: 7 }, 0, '7|0'],
		[{ runIndex: 7, tool: true }, 2, 'tool|2'],
		[{ runIndex: 0, tool: false }, 1, '0|1'],
	])('%j, item %i → %s', (scope, index, key) => {
		expect(itemKey(scope as never, index)).toBe(key);
	});
});

describe('inputItem: the object that tells a retry from a new call', () => {
	const item = { json: { prompt: 'a cat' } };
	test('a node: the input item itself (n8n retries with the same object)', () => {
		const ctx = fakeCtx({ items: [item] });
		expect(inputItem(ctx, 0)).toBe(item);
		expect(inputItem(ctx, 0, { runIndex: 0 } as never)).toBe(item);
	});

	test("a tool: the call's arguments object (item.json)", () => {
		expect(inputItem(fakeCtx({ items: [item] }), 0, { runIndex: 0, tool: true } as never)).toBe(item.json);
	});

	test('a tool item whose json is not an object (or is missing): the item itself', () => {
		const odd = { json: 'text' };
		expect(inputItem(fakeCtx({ items: [odd] }), 0, { runIndex: 0, tool: true } as never)).toBe(odd);
		const bare = {};
		expect(inputItem(fakeCtx({ items: [bare] }), 0, { runIndex: 0, tool: true } as never)).toBe(bare);
	});

	test.each([['a string', 'item'], ['a number', 5], ['null', null], ['nothing', undefined]])('an input item that is %s: none (no object to remember)', (_name, value) => {
		expect(inputItem(fakeCtx({ items: [value] }), 0)).toBeUndefined();
	});
});

describe("executionStore: n8n's node context, where the memory outlives the process", () => {
	test('an object: used', () => {
		const store = {};
		expect(executionStore(fakeCtx({ store }))).toBe(store);
	});
	test.each([['a list', []], ['text', 'x'], ['null', null]])('%s: none', (_name, store) => {
		expect(executionStore(fakeCtx({ store }))).toBeUndefined();
	});
	test('a context without getContext (an older n8n, a test double): none', () => {
		expect(executionStore(fakeCtx())).toBeUndefined();
	});
});
