/**
 * Money and key safety in n8n's real engine (n8n-core's request helpers, the built node): redirects,
 * IMA's 200 success code, the key echoed back in any form, hostile product lists, odd media URLs,
 * and odd operation names. A loopback proxy in front of the simulator adds the faults the
 * simulator lacks.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import { startProxy, type Proxy } from '../support/proxy';
import { generate, linear, model, runWorkflow, startSimulator, type Sim } from './setup';

// The same module instance the engine loads (jest's registry): its product cache.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const transport = require('../../dist/nodes/Ima/transport');

const KEY = 'ima_Sec/Ret+Key=Abc0123456789XYZ';
let sim: Sim;
let proxy: Proxy;

beforeAll(async () => {
	sim = await startSimulator({ speed: 200, apiKey: KEY });
	proxy = await startProxy(sim.baseUrl);
});
afterAll(async () => {
	await proxy.close();
	await sim.close();
});
beforeEach(() => {
	sim.reset();
	proxy.reset();
	transport.clearProductCache();
});

async function run(workflow: any, extra: any = {}) {
	return await runWorkflow({
		workflow,
		credentials: { imaApi: { apiKey: KEY, baseUrl: proxy.baseUrl, uploadBaseUrl: sim.uploadBaseUrl } },
		...extra,
	});
}

const foreignOrigin = () => proxy.foreignBaseUrl;
const routeCount = (route: string) => proxy.requests.filter((r) => r.route === route).length;

describe('redirects never carry the key or the paid body to another origin', () => {
	test.each([302, 307])('cross-origin %i on the product list: refused, naming the origin; the other origin gets nothing', async (status) => {
		proxy.rule({ route: 'productList', redirect: { status, to: 'foreign' } });
		const result = await run(linear(generate()));
		expect(result.status).toBe('error');
		expect(result.error.message).toContain(`another origin (${foreignOrigin()})`);
		expect(result.error.message).toMatch(/refused to follow it to protect the API key/);
		expect(result.error.message).not.toContain('/open/v1'); // the origin, not the full URL
		expect(proxy.foreignRequests).toEqual([]);
		expect(sim.createsReceived()).toHaveLength(0);
		expect(routeCount('productList')).toBe(1); // not retried
	});

	test.each([302, 307])('cross-origin %i on task detail: refused; the other origin gets no Authorization, no POST', async (status) => {
		proxy.rule({ route: 'detail', redirect: { status, to: 'foreign' }, times: 10 });
		const result = await run(linear(generate()));
		expect(result.status).toBe('error');
		expect(result.error.message).toContain(foreignOrigin());
		expect(result.error.message).toContain([...sim.tasks.keys()][0]); // the task id is kept
		expect(proxy.foreignRequests).toEqual([]);
		expect(sim.createsReceived()).toHaveLength(1);
	});

	test.each([302, 307, 308])('%i on the create: never followed, reported as "may have been created"', async (status) => {
		proxy.rule({ route: 'create', redirect: { status, to: 'foreign' } });
		const result = await run(linear(generate()));
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(/redirect.*may have been created/);
		expect(result.error.message).toContain(foreignOrigin());
		expect(proxy.foreignRequests).toEqual([]);
		expect(routeCount('create')).toBe(1);
	});

	test('a same-origin redirect of the create is not followed either', async () => {
		proxy.rule({ route: 'create', redirect: { status: 307, to: 'same' } });
		const result = await run(linear(generate()));
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(/may have been created/);
		expect(sim.createsReceived()).toHaveLength(0);
		expect(proxy.requests.filter((r) => r.url.startsWith('/moved/'))).toEqual([]);
	});

	test('a same-origin redirect on the product list and on task detail is followed', async () => {
		proxy.rule({ route: 'productList', redirect: { status: 302, to: 'same' } });
		proxy.rule({ route: 'detail', redirect: { status: 307, to: 'same' } });
		const result = await run(linear(generate()));
		expect(result.error?.message).toBeUndefined();
		expect(result.outputs.IMA).toHaveLength(1);
		const moved = proxy.requests.filter((r) => r.url.startsWith('/moved/'));
		expect(moved.map((r) => r.route).sort()).toEqual(['detail', 'productList']);
		expect(moved.every((r) => r.headers.authorization === `Bearer ${KEY}`)).toBe(true);
		expect(moved.find((r) => r.route === 'detail')!.method).toBe('POST');
		expect(sim.createsReceived()).toHaveLength(1);
	});
});

describe("IMA's success code 200", () => {
	test('code 200 on product list, create and detail is success: one create, media out', async () => {
		const to200 = (b: any) => ({ ...b, code: b.code === 0 ? 200 : b.code });
		proxy.rule({ route: 'productList', rewrite: to200, times: Infinity });
		proxy.rule({ route: 'create', rewrite: to200, times: Infinity });
		proxy.rule({ route: 'detail', rewrite: to200, times: Infinity });
		const result = await run(linear(generate()));
		expect(result.error?.message).toBeUndefined();
		expect(result.outputs.IMA).toHaveLength(1);
		expect(result.outputs.IMA[0].binary.data).toBeDefined();
		expect(sim.createsReceived()).toHaveLength(1);
	});
});

describe('the key never reaches an error, its description or run data', () => {
	const forms = () => {
		const b64 = Buffer.from(`Bearer ${KEY}`).toString('base64');
		return {
			urlEncoded: encodeURIComponent(KEY),
			doubleEncoded: encodeURIComponent(encodeURIComponent(KEY)),
			lower: KEY.toLowerCase(),
			upper: KEY.toUpperCase(),
			base64: Buffer.from(KEY).toString('base64'),
			base64InBearer: b64,
		};
	};
	const leaks = (text: string) => {
		const found: string[] = [];
		const lower = text.toLowerCase();
		if (lower.includes(KEY.toLowerCase())) found.push('verbatim (any case)');
		if (lower.includes(encodeURIComponent(KEY).toLowerCase())) found.push('url-encoded');
		if (text.includes(Buffer.from(KEY).toString('base64').slice(0, 24))) found.push('base64');
		if (text.includes('U2VjL1JldCtLZXk9QWJjMDEy')) found.push('base64 (offset)');
		return found;
	};

	test.each(Object.keys(forms()))('echoed %s in an IMA error message', async (form) => {
		const echoed = (forms() as Record<string, string>)[form];
		sim.fault({ route: 'create', kind: 'business', code: 400, message: `bad request from key ${echoed} (size)` });
		const result = await run(linear(generate()));
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(/\[redacted\]/);
		expect(leaks(String(result.error.message))).toEqual([]);
		expect(leaks(String(result.error.description ?? ''))).toEqual([]);
		expect(leaks(JSON.stringify(result.errorJson))).toEqual([]);
		expect(leaks(JSON.stringify(result.runData))).toEqual([]);
	});

	test('with Continue On Fail, the error item carries no key either', async () => {
		sim.fault({ route: 'create', kind: 'business', code: 400, message: `echo ${encodeURIComponent(KEY).toLowerCase()} / ${Buffer.from(KEY).toString('base64')}` });
		const wf = linear(generate());
		(wf.nodes[1] as any).onError = 'continueRegularOutput';
		const result = await run(wf);
		expect(result.outputs.IMA[0].json.error).toMatch(/\[redacted\]/);
		expect(leaks(JSON.stringify(result.runData))).toEqual([]);
	});
});

describe('hostile product lists: a clear error, never a paid call, never a retry', () => {
	// Built as text: JSON.stringify itself recurses and would overflow.
	const deepJson = (depth: number) =>
		'{"id":"g","type":"2","children":['.repeat(depth) + '{"id":"leaf","type":"3","model_id":"leaf","name":"Leaf"}' + ']}'.repeat(depth);

	test('a tree nested 10,000 deep', async () => {
		proxy.rule({ route: 'productList', raw: `{"code":0,"message":"ok","data":[${deepJson(10_000)}]}` });
		const result = await run(linear(generate()));
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(/product list for text_to_image is unusable: it is nested deeper than \d+ levels/);
		expect(result.error.message).not.toMatch(/connection|network/i);
		expect(routeCount('productList')).toBe(1);
		expect(sim.createsReceived()).toHaveLength(0);
	});

	test.each([
		['an object', { models: [] }],
		['null', null],
		['a string', 'oops'],
	])('data that is %s', async (_name, data) => {
		proxy.rule({ route: 'productList', raw: JSON.stringify({ code: 0, message: 'ok', data }) });
		const result = await run(linear(generate()));
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(/product list for text_to_image is unusable: its data is not a list/);
		expect(routeCount('productList')).toBe(1);
		expect(sim.createsReceived()).toHaveLength(0);
	});

	test('version nodes without a string id or model_id are skipped, never sent', async () => {
		const bad = [
			{ id: 42, type: '3', model_id: 'doubao-seedream-4.5', name: 'numeric id' },
			{ id: 'doubao-seedream-4-5-251128', type: '3', model_id: { x: 1 }, name: 'object model id' },
			{ type: '3', model_id: 'x', name: 'no id' },
		];
		proxy.rule({ route: 'productList', raw: JSON.stringify({ code: 0, message: 'ok', data: bad }) });
		const result = await run(linear(generate()));
		expect(result.status).toBe('error');
		expect(result.error.message).not.toMatch(/TypeError|is not a function|toLowerCase/);
		expect(sim.createsReceived()).toHaveLength(0);
	});
});

describe('media URLs that are not http(s)', () => {
	test.each(['file:///etc/passwd', 'javascript:alert(1)', 'data:image/png;base64,AAAA'])('%s is refused before any request, not retried', async (url) => {
		proxy.rule({
			route: 'detail',
			times: Infinity,
			rewrite: (b: any) => {
				for (const m of b.data?.medias ?? []) if (m.url) m.url = url;
				return b;
			},
		});
		const result = await run(linear(generate()));
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(/downloading media 0 failed: The media URL is a (file|javascript|data): URL; the node downloads only http\(s\) URLs/);
		expect(result.error.message).toContain([...sim.tasks.keys()][0]);
		expect(sim.requests.filter((r: any) => r.route === 'media')).toHaveLength(0);
	});
});

describe('operation names', () => {
	test.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])('"%s" is not supported (no TypeError)', async (operation) => {
		const result = await run(linear({ parameters: { operation } }));
		expect(result.status).toBe('error');
		expect(result.error.message).toBe(`The operation "${operation}" is not supported`);
	});
});
