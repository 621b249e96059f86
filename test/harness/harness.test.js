// @ts-check
'use strict';
/**
 * Proves test/harness/engine.js runs nodes in n8n-core 2.11's real WorkflowExecute, using the
 * throwaway plain-JS package in ./fixture-package (node `n8n-nodes-echo-fixture.echo`).
 */
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const {
	runWorkflow,
	loadPackageNodeTypes,
	binaryPath,
	harnessPaths,
	stopHarness,
	n8nWorkflow,
} = require('./engine');
const { installTestClock } = require('../support/testClock');

const FIXTURE_DIR = path.join(__dirname, 'fixture-package');
const ECHO = 'n8n-nodes-echo-fixture.echo';

jest.setTimeout(10000);

/** @type {http.Server} */
let server;
let baseUrl = '';
/** @type {Array<{path: string, closedUnanswered?: boolean}>} what the server got; closedUnanswered: the client went away first */
const served = [];

/** Resolves once `predicate()` holds (waits for an event; asserts nothing about time). */
async function until(/** @type {() => boolean} */ predicate) {
	while (!predicate()) await new Promise((r) => setImmediate(r));
}

beforeAll(async () => {
	server = http.createServer((req, res) => {
		const url = new URL(req.url ?? '/', 'http://x');
		const delay = Number(url.searchParams.get('delay') ?? 0);
		/** @type {{path: string, closedUnanswered?: boolean}} */
		const record = { path: url.pathname };
		served.push(record);
		const timer = setTimeout(() => {
			res.setHeader('content-type', 'application/json');
			res.end(JSON.stringify({ path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers }));
		}, delay);
		req.on('close', () => {
			if (!res.writableEnded) {
				record.closedUnanswered = true;
				clearTimeout(timer);
			}
		});
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
	const address = /** @type {import('node:net').AddressInfo} */ (server.address());
	baseUrl = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
	server.closeAllConnections();
	await new Promise((resolve) => server.close(() => resolve(undefined)));
	stopHarness();
});

/**
 * Trigger → Echo (→ extra nodes), as the editor would export it.
 * @param {Record<string, unknown>} [echoParams]
 * @param {{ extra?: any[], extraConnections?: Record<string, any>, echoCredentials?: Record<string, any> }} [more]
 */
function echoWorkflow(echoParams = {}, more = {}) {
	return {
		name: 'harness test',
		nodes: [
			{ id: 't', name: 'Trigger', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: 'e',
				name: 'Echo',
				type: ECHO,
				typeVersion: 1,
				position: [200, 0],
				parameters: echoParams,
				credentials: more.echoCredentials ?? { echoApi: { id: '42', name: 'Echo account' } },
			},
			...(more.extra ?? []),
		],
		connections: {
			Trigger: { main: [[{ node: 'Echo', type: 'main', index: 0 }]] },
			...(more.extraConnections ?? {}),
		},
		settings: { executionOrder: 'v1' },
	};
}

/** @param {Parameters<typeof runWorkflow>[0]['workflow']} workflow @param {Partial<Parameters<typeof runWorkflow>[0]>} [opts] */
function run(workflow, opts = {}) {
	return runWorkflow({
		workflow,
		packageDir: FIXTURE_DIR,
		credentials: {
			echoApi: { apiKey: 'sk-test-123', baseUrl },
			echoFnApi: { token: 'tok-9', baseUrl },
		},
		...opts,
	});
}

describe('loading', () => {
	test('PackageDirectoryLoader gives <package>.<node> types and credential types', async () => {
		const pkg = await loadPackageNodeTypes(FIXTURE_DIR);
		expect(pkg.packageName).toBe('n8n-nodes-echo-fixture');
		expect(Object.keys(pkg.nodeTypes)).toEqual([ECHO]);
		expect(Object.keys(pkg.credentialTypes).sort()).toEqual(['echoApi', 'echoFnApi']);
	});

	test('unknown node type is a clear error', async () => {
		const wf = echoWorkflow();
		wf.nodes[1].type = 'n8n-nodes-echo-fixture.nope';
		await expect(run(wf)).rejects.toThrow(/unknown node type "n8n-nodes-echo-fixture\.nope"/);
	});
});

describe('credentials', () => {
	test('generic authenticate: Authorization header (and qs) arrive resolved', async () => {
		const r = await run(echoWorkflow());
		expect(r.status).toBe('success');
		const seen = /** @type {any} */ (r.outputs.Echo[0].json.seen);
		expect(seen.headers.authorization).toBe('Bearer sk-test-123');
		expect(seen.headers['x-region']).toBe('eu'); // credential property default applied
		expect(seen.query).toEqual({ keyPrefix: 'sk-' });
		// hidden credential default resolved with $self, as n8n's CredentialsHelper does
		expect(r.outputs.Echo[0].json.credApiUrl).toBe(`${baseUrl}/api/eu`);
		expect(r.credentialsHelper.authenticated.map((a) => a.type)).toEqual(['echoApi']);
	});

	test('authenticate as a function is honoured', async () => {
		const r = await run(
			echoWorkflow({ credentialType: 'echoFnApi' }, { echoCredentials: { echoFnApi: { id: 'x', name: 'fn' } } }),
		);
		expect(r.status).toBe('success');
		const seen = /** @type {any} */ (r.outputs.Echo[0].json.seen);
		expect(seen.headers['x-fn-token']).toBe('fn:tok-9');
		expect(seen.headers.authorization).toBeUndefined();
	});

	test('missing credential values → error naming the type', async () => {
		const r = await run(echoWorkflow(), { credentials: {} });
		expect(r.status).toBe('error');
		expect(r.errorJson?.message).toMatch(/no credential values for type "echoApi"/);
	});
});

describe('items', () => {
	test('output items carry json and pairedItem; hooks fire in order', async () => {
		const r = await run(echoWorkflow());
		expect(r.outputs.Trigger).toEqual([expect.objectContaining({ json: {} })]);
		expect(r.outputs.Echo).toHaveLength(1);
		expect(r.outputs.Echo[0].pairedItem).toEqual({ item: 0 });
		expect(r.outputsAll.Echo).toHaveLength(1);
		expect(r.nodeExecutionOrder).toEqual(['Trigger', 'Echo']);
		expect(r.runData.Echo[0].executionStatus).toBe('success');
	});

	test('pinData on the trigger feeds 3 items', async () => {
		const r = await run(echoWorkflow(), {
			pinData: { Trigger: [{ json: { n: 1 } }, { json: { n: 2 } }, { n: 3 }] }, // bare objects are wrapped
		});
		expect(r.status).toBe('success');
		expect(r.outputs.Echo.map((i) => /** @type {any} */ (i.json.input).n)).toEqual([1, 2, 3]);
		expect(r.outputs.Echo.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	test('set stand-in evaluates expressions per item; wait and noOp pass through', async () => {
		const wf = echoWorkflow(
			{},
			{
				extra: [
					{
						id: 's',
						name: 'Edit Fields',
						type: 'n8n-nodes-base.set',
						typeVersion: 3.4,
						position: [400, 0],
						parameters: {
							mode: 'manual',
							assignments: {
								assignments: [
									{ id: 'a1', name: 'tenTimes', value: '={{ $json.input.n * 10 }}', type: 'number' },
									{ id: 'a2', name: 'label', value: '=item-{{ $json.input.n }}', type: 'string' },
									{ id: 'a3', name: 'meta.auth', value: '={{ $json.seen.headers.authorization }}', type: 'string' },
									{ id: 'a4', name: 'fixed', value: 'plain', type: 'string' },
								],
							},
							options: {},
						},
					},
					{
						id: 'w',
						name: 'Wait',
						type: 'n8n-nodes-base.wait',
						typeVersion: 1.1,
						position: [600, 0],
						parameters: { amount: 5, unit: 'minutes' },
					},
					{ id: 'n', name: 'Done', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [800, 0], parameters: {} },
				],
				extraConnections: {
					Echo: { main: [[{ node: 'Edit Fields', type: 'main', index: 0 }]] },
					'Edit Fields': { main: [[{ node: 'Wait', type: 'main', index: 0 }]] },
					Wait: { main: [[{ node: 'Done', type: 'main', index: 0 }]] },
				},
			},
		);
		const clock = installTestClock({ auto: true });
		/** @type {any} */
		let r;
		try {
			r = await run(wf, { pinData: { Trigger: [{ json: { n: 1 } }, { json: { n: 2 } }] } });
		} finally {
			clock.uninstall();
		}
		expect(r.status).toBe('success');
		expect(r.outputs['Edit Fields'].map((i) => i.json)).toEqual([
			{ tenTimes: 10, label: 'item-1', meta: { auth: 'Bearer sk-test-123' }, fixed: 'plain' },
			{ tenTimes: 20, label: 'item-2', meta: { auth: 'Bearer sk-test-123' }, fixed: 'plain' },
		]);
		expect(r.outputs.Done.map((i) => i.json)).toEqual(r.outputs['Edit Fields'].map((i) => i.json));
		expect(r.nodeExecutionOrder).toEqual(['Trigger', 'Echo', 'Edit Fields', 'Wait', 'Done']);
		// On a clock the test controls: the Wait stand-in slept 50 ms of its 5 minutes.
		expect(clock.sleeps.map((x) => x.ms)).toEqual([50]);
	});
});

describe('binary data', () => {
	test("'default' mode: inline base64, readable", async () => {
		const r = await run(echoWorkflow({ binaryText: 'inline bytes' }), { binaryDataMode: 'default' });
		const bin = /** @type {import('n8n-workflow').IBinaryData} */ (r.outputs.Echo[0].binary?.data);
		expect(bin.id).toBeUndefined();
		expect(bin.data).toBe(Buffer.from('inline bytes').toString('base64'));
		expect(bin).toMatchObject({ fileName: 'echo.txt', mimeType: 'text/plain' });
		expect((await r.readBinary(bin)).toString()).toBe('inline bytes');
	});

	test("'filesystem' mode: item has an id, bytes are on disk; switching back works", async () => {
		const r = await run(echoWorkflow({ binaryText: 'stored on disk', binaryAsStream: true }), {
			binaryDataMode: 'filesystem',
		});
		expect(r.status).toBe('success');
		const bin = /** @type {import('n8n-workflow').IBinaryData} */ (r.outputs.Echo[0].binary?.data);
		expect(bin.id).toMatch(/^filesystem-v2:/);
		const file = /** @type {string} */ (binaryPath(bin));
		expect(file.startsWith(harnessPaths().binaryDataDir)).toBe(true);
		expect(fs.readFileSync(file).toString()).toBe('stored on disk');
		expect((await r.readBinary(bin)).toString()).toBe('stored on disk');

		const again = await run(echoWorkflow({ binaryText: 'inline again' }), { binaryDataMode: 'default' });
		const bin2 = /** @type {import('n8n-workflow').IBinaryData} */ (again.outputs.Echo[0].binary?.data);
		expect(bin2.id).toBeUndefined();
		expect((await again.readBinary(bin2)).toString()).toBe('inline again');
		expect((await again.readBinary(bin)).toString()).toBe('stored on disk'); // old ids stay readable
	});
});

describe('errors', () => {
	test('node error: original object kept, plus a plain copy', async () => {
		const r = await run(echoWorkflow({ failWith: 'boom on purpose' }));
		expect(r.status).toBe('error');
		expect(r.errorNode).toBe('Echo');
		expect(r.error).toBeInstanceOf(n8nWorkflow.NodeOperationError);
		expect(r.error.message).toBe('boom on purpose');
		expect(r.error.description).toBe('fixture failure on purpose');
		expect(r.errorJson).toMatchObject({
			name: 'NodeOperationError',
			message: 'boom on purpose',
			description: 'fixture failure on purpose',
			nodeName: 'Echo',
		});
		expect(r.errorJson?.context).toEqual(expect.objectContaining({ itemIndex: 0 }));
		expect(() => JSON.stringify(r.errorJson)).not.toThrow();
	});
});

describe('cancellation (n8n-core 2.11 facts)', () => {
	// n8n-workflow's sleeps run on setTimeout: with jest's fake timers the test moves time itself
	// (setImmediate and nextTick stay real, so n8n-core's promises and the loopback HTTP run).
	const fakeTime = () => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
	/** n8n-workflow's own sleep functions, watched (they still run: on the fake timers). */
	const utils = require('n8n-workflow/dist/cjs/utils.js');
	afterEach(() => {
		jest.useRealTimers();
		jest.restoreAllMocks();
	});
	/** Event-loop turns, for a run that is not supposed to move without the clock. */
	const turns = async (/** @type {number} */ n) => {
		for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
	};

	test('a cancel ends a long poll at once: sleepWithAbort rejects on the signal', async () => {
		fakeTime();
		const started = Date.now();
		// Time moves only if the test moves it: the run can end only by the cancel interrupting the sleep.
		const spy = jest.spyOn(utils, 'sleepWithAbort');
		const sleeping = until(() => spy.mock.calls.length > 0);
		const r = await run(echoWorkflow({ pollForMs: 60000, pollIntervalMs: 200 }), { cancelWhen: sleeping });
		expect(r.status).toBe('canceled');
		expect(r.run?.status).toBe('canceled');
		expect(Date.now() - started).toBe(0);
		expect(r.cancelLatencyMs).toBe(0);
		expect(r.runData.Echo[0].executionStatus).toBe('error');
		expect(r.error.name).toBe('ManualExecutionCancelledError');
		expect(spy.mock.calls.map((c) => c[0])).toEqual([200]);
	});

	test('plain sleep(ms, signal) ignores the signal in 2.11: the node notices only after the interval', async () => {
		fakeTime();
		let settled = false;
		const spy = jest.spyOn(utils, 'sleep');
		const sleeping = until(() => spy.mock.calls.length > 0);
		const running = run(echoWorkflow({ pollForMs: 60000, pollIntervalMs: 600, plainSleep: true }), { cancelWhen: sleeping }).finally(() => {
			settled = true;
		});
		await sleeping;
		await turns(50);
		expect(settled).toBe(false); // canceled, but still asleep
		jest.advanceTimersByTime(599);
		await turns(50);
		expect(settled).toBe(false);
		jest.advanceTimersByTime(1);
		const r = await running;
		expect(r.status).toBe('canceled');
		expect(r.cancelLatencyMs).toBe(600);
		expect(r.errorJson?.message).toBe('Polling canceled'); // thrown by the node's signal.aborted check
		expect(spy.mock.calls.map((c) => c[0])).toEqual([600]);
	});

	test('sleep vs sleepWithAbort in n8n-workflow 2.11', async () => {
		fakeTime();
		const ac = new AbortController();
		ac.abort();
		let slept = false;
		const plain = /** @type {Promise<void>} */ (/** @type {any} */ (n8nWorkflow.sleep)(150, ac.signal)).then(() => (slept = true)); // 2nd arg ignored (typed as 1-arg)
		await turns(5);
		jest.advanceTimersByTime(149);
		await turns(5);
		expect(slept).toBe(false);
		jest.advanceTimersByTime(1);
		await plain;
		expect(slept).toBe(true);
		const t = Date.now();
		await expect(n8nWorkflow.sleepWithAbort(5000, ac.signal)).rejects.toThrow(/cancelled/i);
		expect(Date.now() - t).toBe(0);
	});

	test('an in-flight httpRequestWithAuthentication is aborted by cancel', async () => {
		// The server answers only after 5 s; the cancel comes once it has the request.
		const before = served.length;
		const r = await run(echoWorkflow({ path: '/slow?delay=5000' }), { cancelWhen: until(() => served.length > before) });
		expect(r.status).toBe('canceled');
		await until(() => served[before].closedUnanswered === true); // the client hung up, unanswered
		expect(served.slice(before)).toEqual([{ path: '/slow', closedUnanswered: true }]);
	});

	test("a node's own abortSignal is replaced by the execution cancel signal", async () => {
		// The node's own signal aborts after 100 ms; the server answers after 700 ms (both real
		// timers of this process, so the first always fires first): n8n-core replaced the signal.
		const r = await run(echoWorkflow({ path: '/slow?delay=700', ownAbortAfterMs: 100 }));
		expect(r.status).toBe('success');
		expect(r.outputs.Echo[0].json.ownSignalAborted).toBe(true);
		expect(/** @type {any} */ (r.outputs.Echo[0].json.seen).path).toBe('/slow');
	});
});
