/** List Models once per execution; Upload Image's options (Max Items at Once, request and upload timeouts). */
import { generate, linear, run, useSimulator, withClock, withItems, type Sim } from './setup';

const env = useSimulator();
let sim: Sim;
beforeEach(() => {
	sim = env.sim;
});

const productLists = () => sim.requests.filter((r: any) => r.route === 'productList');
const puts = () => sim.requests.filter((r: any) => r.route === 'put');

describe('List Models', () => {
	test('a fixed task type: one list per execution, however many input items', async () => {
		const wf = withItems(linear({ parameters: { operation: 'listModels', taskType: 'text_to_speech' } }), [{ json: { a: 1 } }, { json: { a: 2 } }, { json: { a: 3 } }]);
		const result = await run(sim, wf);
		expect(result.status).toBe('success');
		expect(result.outputs.IMA.map((i: any) => i.json.id)).toEqual(['seed-tts-1.1', 'seed-tts-2.0']);
		expect(result.outputs.IMA.every((i: any) => i.pairedItem.item === 0)).toBe(true);
		expect(productLists()).toHaveLength(1);
	});

	test('a task type from an expression: one list per item, each its own', async () => {
		const wf = withItems(linear({ parameters: { operation: 'listModels', taskType: '={{ $json.kind }}' } }), [{ json: { kind: 'text_to_speech' } }, { json: { kind: 'text_to_music' } }]);
		const result = await run(sim, wf);
		expect(result.status).toBe('success');
		const byItem = (n: number) => result.outputs.IMA.filter((i: any) => i.pairedItem.item === n).map((i: any) => i.json.taskType);
		expect(new Set(byItem(0))).toEqual(new Set(['text_to_speech']));
		expect(new Set(byItem(1))).toEqual(new Set(['text_to_music']));
	});

	test('an unknown task type from an expression fails, listing the allowed ones', async () => {
		const wf = withItems(linear({ parameters: { operation: 'listModels', taskType: '={{ $json.kind }}' } }), [{ json: { kind: 'text_to_smell' } }]);
		const result = await run(sim, wf);
		expect(result.status).toBe('error');
		expect(`${result.error.message} ${result.error.description}`).toMatch(/text_to_smell.*text_to_speech/s);
	});
});

describe('Upload Image options', () => {
	async function pngBinary() {
		const t2i = await run(sim, linear(generate()));
		const buf: Buffer = await t2i.readBinary(t2i.outputs.IMA[0].binary.data);
		sim.reset();
		return { data: buf.toString('base64'), mimeType: 'image/png', fileName: 'photo.png', fileExtension: 'png' };
	}

	test('Upload Timeout: a hung PUT is given up after the option\'s seconds (not 300) and retried', async () => {
		const image = await pngBinary();
		sim.fault({ route: 'put', kind: 'hang', times: 1 });
		const wf = withItems(linear({ parameters: { operation: 'uploadImage', options: { uploadTimeout: 1 } } }), [{ json: {}, binary: { data: image } }]);
		await withClock(async (clock) => {
			const result = await run(sim, wf);
			expect(result.status).toBe('success');
			expect(puts()).toHaveLength(2);
			// Each PUT went out with a socket timeout of the option's 1 s (not 300 s): the hung one
			// ended by it (never answered), the retry got through.
			const sent = clock.requests.filter((r: any) => r.method === 'PUT');
			expect(sent.map((r: any) => r.timeoutMs)).toEqual([1000, 1000]);
			// (the upload-token call keeps the Request Timeout, 60 s by default)
			const tokenRequests = clock.requests.filter((r: any) => r.url.includes('getuploadtoken'));
			expect(tokenRequests.length).toBeGreaterThan(0);
			expect(tokenRequests.every((r: any) => r.timeoutMs === 60_000)).toBe(true);
		});
	});

	test('Max Items at Once = 1: one upload after another', async () => {
		const image = await pngBinary();
		const items = [1, 2, 3].map(() => ({ json: {}, binary: { data: image } }));
		const result = await run(sim, withItems(linear({ parameters: { operation: 'uploadImage', options: { concurrency: 1 } } }), items));
		expect(result.status).toBe('success');
		const events = sim.requests.filter((r: any) => r.route === 'uploadToken' || r.route === 'put').map((r: any) => r.route);
		expect(events).toEqual(['uploadToken', 'put', 'uploadToken', 'put', 'uploadToken', 'put']);
	});

	test.each([
		[{ uploadTimeout: 0 }, /Upload Timeout \(Seconds\) must be a number from 1 to 86400/, 'options.uploadTimeout'],
		[{ concurrency: 'many' }, /Max Items at Once must be a whole number/, 'options.concurrency'],
	])('%j fails before any upload, naming the option', async (options, message, parameter) => {
		const image = await pngBinary();
		const result = await run(sim, withItems(linear({ parameters: { operation: 'uploadImage', options } }), [{ json: {}, binary: { data: image } }]));
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(message);
		expect(result.error.description).toContain(`Parameter: ${parameter}`);
		expect(sim.requests.filter((r: any) => r.route === 'uploadToken')).toHaveLength(0);
	});
});
