/**
 * Issue #10, money: one create per item, every task id reachable, the budget kept, bad input
 * refused before any paid call. Each test here failed on the code before the fix.
 */
import { FAST, generate, linear, model, run, settings, until, useSimulator, withClock, withItems, type Sim } from './setup';

const env = useSimulator();
let sim: Sim;
beforeEach(() => {
	sim = env.sim;
});

const firstTaskId = () => [...sim.tasks.keys()][0] as string;
const taskIds = () => [...sim.tasks.keys()] as string[];

/** n8n's node settings: Retry On Fail with 3 tries and (almost) no wait between them. */
function retrying(wf: any, extra: Record<string, unknown> = {}) {
	Object.assign(wf.nodes[1], { retryOnFail: true, maxTries: 3, waitBetweenTries: 1, ...extra });
	return wf;
}

const items = (n: number) => Array.from({ length: n }, (_, i) => ({ json: { i } }));

describe("n8n's Retry On Fail never buys a second task for one item", () => {
	test('a timeout: the retries wait for the same task; one create, one charge, the id in the error', async () => {
		sim.queueTask({ neverFinish: true });
		const result = await run(sim, retrying(linear(generate({}, { timeout: 0.3 }))));
		expect(result.status).toBe('error');
		expect(sim.createsReceived()).toHaveLength(1);
		expect(sim.creditsCharged).toBe(5);
		expect(result.error.message).toContain(firstTaskId());
		expect(result.error.message).toMatch(/Timed out/);
	});

	test('a failed media: the retries re-check the same task instead of paying for a new one', async () => {
		sim.queueTask({ failMedia: [0] });
		const result = await run(sim, retrying(linear(generate())));
		expect(result.status).toBe('error');
		expect(sim.createsReceived()).toHaveLength(1);
		expect(sim.creditsCharged).toBe(5);
		expect(result.error.message).toContain(firstTaskId());
	});

	test('a 502 after IMA processed the create: the retries refuse to send it again', async () => {
		sim.fault({ route: 'create', kind: 'status', status: 502, afterProcessing: true });
		const result = await run(sim, retrying(linear(generate())));
		expect(result.status).toBe('error');
		expect(sim.createsReceived()).toHaveLength(1);
		expect(sim.creditsCharged).toBe(5);
		expect(result.error.message).toMatch(/may already have created a task/);
		expect(result.error.description).toMatch(/never pays twice/);
	});

	test('a refused create (4008) made no task: the retry may create, and succeeds', async () => {
		sim.fault({ route: 'create', kind: 'business', code: 4008, message: 'insufficient points' });
		const result = await run(sim, retrying(linear(generate())));
		expect(result.status).toBe('success');
		expect(sim.createsReceived()).toHaveLength(2);
		expect(sim.creditsCharged).toBe(5);
		expect(result.outputs.IMA).toHaveLength(1);
	});

	test('items that succeeded are not created again when another item makes the node retry', async () => {
		sim.queueTask({});
		sim.queueTask({ failMedia: [0] });
		const wf = retrying(withItems(linear(generate({}, { concurrency: 1 })), items(2)));
		const result = await run(sim, wf);
		expect(result.status).toBe('error');
		expect(sim.createsReceived()).toHaveLength(2);
		expect(sim.creditsCharged).toBe(10);
	});

	test('Continue On Fail with Retry On Fail (n8n retries when the first item is an error): still one create per item', async () => {
		sim.queueTask({ failMedia: [0] });
		sim.queueTask({});
		const wf = retrying(withItems(linear(generate({}, { concurrency: 1 })), items(2)), { onError: 'continueRegularOutput' });
		const result = await run(sim, wf);
		expect(result.status).toBe('success');
		expect(sim.createsReceived()).toHaveLength(2);
		const out = result.outputs.IMA;
		expect(out[0].json).toMatchObject({ taskId: taskIds()[0], error: expect.stringMatching(/failed/) });
		expect(out[1].json.taskId).toBe(taskIds()[1]);
	});

	test('Create Task under Retry On Fail: a retry outputs the task it already has', async () => {
		sim.fault({ route: 'create', kind: 'business', code: 4008 });
		const wf = retrying(linear({ parameters: { ...generate().parameters, operation: 'createTask' } }));
		const result = await run(sim, wf);
		expect(result.status).toBe('success');
		expect(result.outputs.IMA[0].json.taskId).toBe(firstTaskId());
		expect(sim.creditsCharged).toBe(5);
	});
});

describe('cancel while the create is in flight', () => {
	test('the error says the task may exist and was not sent again', async () => {
		sim.fault({ route: 'create', kind: 'hang', afterProcessing: true });
		// Cancelled once IMA has the create (and never answers it): whatever the machine's speed.
		const result = await run(sim, linear(generate()), { cancelWhen: until(() => sim.createsReceived().length === 1) });
		expect(result.status).toBe('canceled');
		expect(sim.createsReceived()).toHaveLength(1);
		expect(sim.creditsCharged).toBe(5);
		const error = result.runData.IMA[0].error;
		expect(error.message).toMatch(/cancelled while the create request was in flight: the task may have been created/);
		expect(error.description).toMatch(/task history/);
	});
});

describe('Max Credits per Run', () => {
	test('refuses, before its create, the task that would pass the budget', async () => {
		const wf = withItems(linear(generate({}, { maxCredits: 12, concurrency: 3 })), items(3));
		wf.nodes[1].onError = 'continueRegularOutput';
		const result = await run(sim, wf);
		expect(sim.createsReceived()).toHaveLength(2);
		expect(sim.creditsCharged).toBe(10);
		const errors = result.outputs.IMA.filter((i: any) => i.json.error);
		expect(errors).toHaveLength(1);
		expect(errors[0].json.error).toMatch(/Max Credits per Run \(12\) would be passed: this task costs 5 credits and this node has already committed 10 credits/);
		expect(errors[0].json.description).toMatch(/Parameter: options.maxCredits.*nothing was charged/);
		expect(errors[0].json.charged).toBe('none');
	});

	test('counts n × the price, and a refused create gives its credits back', async () => {
		sim.fault({ route: 'create', kind: 'business', code: 4014 });
		const wf = withItems(linear(generate({}, { maxCredits: 10, n: 2, concurrency: 1 })), items(2));
		wf.nodes[1].onError = 'continueRegularOutput';
		const result = await run(sim, wf);
		// Item 0 was refused by IMA (no task): its 10 credits are given back, so item 1 fits.
		expect(sim.createsReceived()).toHaveLength(2);
		expect(sim.creditsCharged).toBe(10);
		expect(result.outputs.IMA.filter((i: any) => i.binary)).toHaveLength(2);
	});

	test('without a limit (0) nothing is refused', async () => {
		const result = await run(sim, withItems(linear(generate({}, { maxCredits: 0 })), items(3)));
		expect(result.status).toBe('success');
		expect(sim.creditsCharged).toBe(15);
	});
});

describe('no silent coercion into a paid call', () => {
	const refused = async (overrides: Record<string, unknown>, options: Record<string, unknown>, parameter: RegExp, message: RegExp) => {
		const result = await run(sim, linear(generate(overrides as any, options as any)));
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(message);
		expect(result.error.description).toMatch(parameter);
		expect(result.error.description).toMatch(/nothing was charged/);
		expect(sim.createsReceived()).toHaveLength(0);
	};

	test.each([
		['abc', /got "abc"/],
		['', /got ""/],
		[null, /got null/],
		[2.5, /got 2.5/],
		[0, /got 0/],
	])('n = %p is refused naming options.n', async (n, message) => {
		await refused({}, { n }, /Parameter: options.n\b/, message);
	});

	test('n from an expression as "2" is read as 2', async () => {
		const result = await run(sim, linear(generate({ model: model('gemini-3.1-flash-image-preview') }, { n: '2' })));
		expect(result.status).toBe('success');
		expect(result.outputs.IMA).toHaveLength(2);
	});

	test('a prompt from an object expression is refused, never sent as "[object Object]"', async () => {
		await refused({ prompt: '={{ {"a": 1} }}' }, {}, /Parameter: prompt/, /Prompt must be text, but its expression gave an object/);
	});

	test('a prompt from a list expression is refused', async () => {
		await refused({ prompt: '={{ ["a", "b"] }}' }, {}, /Parameter: prompt/, /gave a list/);
	});

	test.each([
		['pollInterval', 0.001],
		['pollInterval', 3e6],
		['pollInterval', 'fast'],
		['timeout', -1],
		['timeout', 3e6],
		['requestTimeout', 0],
		['requestTimeout', 'x'],
		['concurrency', 0],
		['concurrency', 1.5],
		['concurrency', 500],
		['maxCredits', -5],
		['maxCredits', 'lots'],
		['maxDownloadSize', 0],
		['downloadTimeout', 0],
		['uploadTimeout', 0],
		['uploadTimeout', 'slow'],
	])('options.%s = %p is refused before any paid call', async (name, value) => {
		await refused({}, { [name]: value }, new RegExp(`Parameter: options.${name}\\b`), /must be/);
	});
});

describe('n > 1: a failed media waits for its siblings', () => {
	test('the finished sibling is output, the failed one is an error with the task id', async () => {
		sim.queueTask({ failMedia: [0], mediaDurationsSec: [2, 60] });
		const wf = linear(generate({ model: model('gemini-3.1-flash-image-preview') }, { n: 2 }));
		wf.nodes[1].onError = 'continueRegularOutput';
		const result = await run(sim, wf);
		const out = result.outputs.IMA;
		expect(out.filter((i: any) => i.binary).map((i: any) => i.json.index)).toEqual([1]);
		const err = out.find((i: any) => i.json.error);
		expect(err.json).toMatchObject({ taskId: firstTaskId() });
		expect(err.json.error).toMatch(/media 0/);
	});

	test('at the timeout, the finished media are kept and the error names the task', async () => {
		sim.queueTask({ mediaDurationsSec: [2, 100000] });
		const wf = linear(generate({ model: model('gemini-3.1-flash-image-preview') }, { n: 2, timeout: 1 }));
		wf.nodes[1].onError = 'continueRegularOutput';
		// On the test's clock: media 0 is done after 10 ms, media 1 never; the wait ends at 1 s.
		const result = await withClock(async () => await run(sim, wf));
		const out = result.outputs.IMA;
		expect(out.filter((i: any) => i.binary).map((i: any) => i.json.index)).toEqual([0]);
		const err = out.find((i: any) => i.json.error);
		expect(err.json.error).toMatch(/Timed out/);
		expect(err.json.description).toMatch(/1 media finished/);
		expect(err.json.taskId).toBe(firstTaskId());
		// The last check is the one at the timeout, 1 s after the create (the first check comes when
		// the model's expected time says, not at once).
		const create = sim.requests.find((r: any) => r.route === 'create');
		const details = sim.requests.filter((r: any) => r.route === 'detail');
		expect(details[details.length - 1].time - create.time).toBe(1000);
	});
});

describe('IMA refused the price (6006/6009/6010): reload and send once more', () => {
	test('a stale cached price: one refused create, one paid create at the fresh price', async () => {
		const model45 = 'doubao-seedream-4-5-251128';
		// Load (and cache) the product list with the old price.
		expect((await run(sim, linear(generate()))).status).toBe('success');
		sim.reset();
		sim.patchVersion('text_to_image', model45, (v: any) => {
			for (const r of v.credit_rules) r.points = 7;
		});
		const result = await run(sim, linear(generate()));
		expect(result.error?.message).toBeUndefined();
		const creates = sim.createsReceived();
		expect(creates).toHaveLength(2);
		expect(creates[0].body.parameters[0].credit).toBe(5);
		expect(creates[1].body.parameters[0].credit).toBe(7);
		expect(sim.creditsCharged).toBe(7);
		expect(result.outputs.IMA[0].json.credits).toBe(7);
	});

	test('refused again after the reload: the error says so, one retry only', async () => {
		sim.fault({ route: 'create', kind: 'business', code: 6010, times: 2 });
		const result = await run(sim, linear(generate()));
		expect(result.status).toBe('error');
		expect(sim.createsReceived()).toHaveLength(2);
		expect(result.error.description).toMatch(/reloaded IMA's product list and sent the create once more/);
		expect(sim.creditsCharged).toBe(0);
	});
});

describe('IMA answers as its own clients expect', () => {
	test('code 200 is success on the product list, the create and the detail: one create, output', async () => {
		sim.setSuccessCode(200);
		const result = await run(sim, linear(generate()));
		expect(result.error?.message).toBeUndefined();
		expect(sim.createsReceived()).toHaveLength(1);
		expect(result.outputs.IMA[0].json.taskId).toBe(firstTaskId());
	});

	test.each(['string', 'mixed'])('resource_status and status as %s values', async (statusAs) => {
		sim.queueTask({ statusAs, durationSec: 60 });
		const result = await run(sim, linear(generate()));
		expect(result.error?.message).toBeUndefined();
		expect(result.outputs.IMA).toHaveLength(1);
	});
});

describe('status checks share one budget per credential', () => {
	test('20 tasks polled every 0.1 s stay within 10 per second (burst 20), and a 429 never fails a task', async () => {
		sim.setRateLimit('detail', { perSecond: 8, burst: 20, retryAfter: 1 });
		for (let i = 0; i < 20; i++) sim.queueTask({ durationSec: 200 });
		// On the test's clock (which the node's waits move): the budget's time and the simulator's
		// records are one time, however slowly this machine sends the requests.
		const result = await withClock(async () => await run(sim, withItems(linear(generate({}, { ...FAST, concurrency: 20 })), items(20))));
		expect(result.error?.message).toBeUndefined();
		expect(result.outputs.IMA).toHaveLength(20);
		const times = sim.requests.filter((r: any) => r.route === 'detail').map((r: any) => r.time as number);
		let worst = 0;
		for (const t of times) worst = Math.max(worst, times.filter((u: number) => u >= t && u < t + 1000).length);
		expect(worst).toBeLessThanOrEqual(30); // 20 at once + 10 per second
	});
});

test('settings keep working: rule attributes sent for a model whose form hides them (Midjourney)', async () => {
	const result = await run(sim, linear(generate({ model: model('midjourney'), modelSettings: settings({}) })));
	expect(result.error?.message).toBeUndefined();
	const nested = sim.createsReceived()[0].body.parameters[0].parameters;
	// The hidden field carries the value of the rule IMA charged.
	const task = [...sim.tasks.values()][0];
	expect(nested.resolution).toBeDefined();
	expect(String(nested.resolution)).toBe(String(task.rule.attributes.resolution));
	expect(sim.creditsCharged).toBe(task.rule.points);
});

describe('odd product lists never make a garbage paid call', () => {
	const SEEDREAM = 'doubao-seedream-4-5-251128';
	const servedWith = (patch: (v: any) => void) => {
		const versions = sim.products('text_to_image').map((v: any) => {
			if (v.id === SEEDREAM) patch(v);
			return v;
		});
		sim.setProductList('text_to_image', versions);
	};

	test('form fields named constructor / toString / __proto__ take no value from Object', async () => {
		servedWith((v) => {
			v.form_config.push(
				{ field: 'constructor', label: 'C', type: 'input', value: null },
				{ field: 'toString', label: 'T', type: 'textarea', value: null },
				{ field: 'hasOwnProperty', label: 'H', type: 'tags', value: null, options: [{ label: 'x', value: 'x' }] },
			);
		});
		const result = await run(sim, linear(generate({ model: model(SEEDREAM) })));
		const creates = sim.createsReceived();
		expect(creates).toHaveLength(1);
		const sent = JSON.stringify(creates[0].body);
		expect(sent).not.toMatch(/native code|function /);
		const nested = creates[0].body.parameters[0].parameters;
		expect(Object.prototype.hasOwnProperty.call(nested, 'constructor')).toBe(false);
		expect(Object.prototype.hasOwnProperty.call(nested, 'toString')).toBe(false);
		// hasOwnProperty is a tags field with one option: its default is that option.
		expect(nested.hasOwnProperty).toBe('x');
		expect(result.status).toBe('success');
	});

	test('credit points "abc": a clear error naming the model, no create', async () => {
		servedWith((v) => {
			for (const r of v.credit_rules) r.points = 'abc';
		});
		const result = await run(sim, linear(generate({ model: model(SEEDREAM) })));
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(/no usable price for SeeDream 4.5 \(points "abc"/);
		expect(result.error.description).toMatch(/Parameter: model.*nothing was charged/);
		expect(sim.createsReceived()).toHaveLength(0);
	});

	test('a rule without an attribute_id: a clear error, no create', async () => {
		servedWith((v) => {
			for (const r of v.credit_rules) delete r.attribute_id;
		});
		const result = await run(sim, linear(generate({ model: model(SEEDREAM) })));
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(/no usable price/);
		expect(sim.createsReceived()).toHaveLength(0);
	});
});

describe('downloads are bounded (size and total time); the error carries the task id and the URL', () => {
	test.each(['default', 'filesystem'])('an endless media stops at Max Download Size (%s binary mode)', async (binaryDataMode) => {
		sim.queueTask({ mediaEndless: true });
		// On the test's clock, which stands still while the media streams: only the size can stop it.
		const result = await withClock(async () => await run(sim, linear(generate({}, { maxDownloadSize: 1 })), { binaryDataMode }));
		expect(result.status).toBe('error');
		expect(result.error.message).toContain(firstTaskId());
		expect(result.error.message).toMatch(/size limit of 1 MB/);
		expect(result.error.description).toMatch(/The media is at http/);
	});

	test('a trickling media stops at the Download Timeout', async () => {
		sim.queueTask({ mediaTrickle: { bytes: 1, everyMs: 100 } });
		const result = await withClock(async (clock) => {
			const running = run(sim, linear(generate({}, { downloadTimeout: 1 })));
			// The media trickles in (a byte every 100 real ms, so no socket timeout); the test's clock
			// stands still while it does, until the test moves it past the download's 1 s.
			await clock.whenSleeping((s) => s.ms === 1000, running);
			await until(() => sim.requests.some((r: any) => r.route === 'media'));
			expect(clock.advance(999)).toBe(0);
			clock.advance(1);
			return await running;
		});
		expect(result.status).toBe('error');
		expect(result.error.message).toContain(firstTaskId());
		expect(result.error.message).toMatch(/took longer than 1 s/);
	});
});

describe('only a documented refusal means "no task" (found by review: Retry On Fail paid twice)', () => {
	test.each([
		['an undocumented business code after IMA processed it', { route: 'create', kind: 'business', code: 500, afterProcessing: true }],
		['HTTP 400 after IMA processed it', { route: 'create', kind: 'status', status: 400, afterProcessing: true }],
		['HTTP 404 after IMA processed it', { route: 'create', kind: 'status', status: 404, afterProcessing: true }],
	])('%s: one create under Retry On Fail, the error says the task may exist', async (_name, fault) => {
		sim.fault(fault);
		const result = await run(sim, retrying(linear(generate())));
		expect(result.status).toBe('error');
		expect(sim.createsReceived()).toHaveLength(1);
		expect(sim.creditsCharged).toBe(5);
		expect(result.error.message).toMatch(/may already have created a task/);
	});

	test('a price code (6006) behind HTTP 400 after IMA processed it: no price reload, no second create', async () => {
		sim.fault({ route: 'create', kind: 'status', status: 400, code: 6006, afterProcessing: true });
		const result = await run(sim, retrying(linear(generate())));
		expect(result.status).toBe('error');
		expect(sim.createsReceived()).toHaveLength(1);
		expect(sim.creditsCharged).toBe(5);
		expect(sim.requests.filter((r: any) => r.route === 'productList')).toHaveLength(1);
	});

	test('a documented refusal (4014) still lets the retry create', async () => {
		sim.fault({ route: 'create', kind: 'business', code: 4014 });
		const result = await run(sim, retrying(linear(generate())));
		expect(result.status).toBe('success');
		expect(sim.createsReceived()).toHaveLength(2);
		expect(sim.creditsCharged).toBe(5);
	});
});

test('Max Credits per Run is one limit for the execution: an item whose expression gives 0 does not lift it', async () => {
	const wf = withItems(linear(generate({}, { maxCredits: '={{ $json.i === 0 ? 5 : 0 }}', concurrency: 1 })), items(3));
	wf.nodes[1].onError = 'continueRegularOutput';
	const result = await run(sim, wf);
	expect(sim.createsReceived()).toHaveLength(1);
	expect(sim.creditsCharged).toBe(5);
	expect(result.outputs.IMA.filter((i: any) => i.json.error)).toHaveLength(2);
});

test('a media URL that carries the API key is redacted in the output items', async () => {
	sim.queueTask({ mediaUrl: `https://cdn.example/x.png?token=${encodeURIComponent(sim.apiKey)}` });
	const result = await run(sim, linear(generate({}, { download: false })));
	expect(result.error?.message).toBeUndefined();
	const out = JSON.stringify(result.outputs.IMA);
	expect(out).not.toContain(sim.apiKey);
	expect(out).not.toContain(encodeURIComponent(sim.apiKey));
	expect(out).toContain('[redacted]');
});
