/** List Models › Options › Sort By, end to end: n8n's engine → the built node → the simulator. */
import { linear, run, useSimulator, withItems, type Sim } from './setup';

const env = useSimulator();
let sim: Sim;
beforeEach(() => {
	sim = env.sim;
});

const listModels = (options?: Record<string, unknown>, taskType = 'text_to_video') => ({ parameters: { operation: 'listModels', taskType, ...(options ? { options } : {}) } });
const lowest = (v: any) => Math.min(...v.credit_rules.map((r: any) => r.points));

describe('List Models sorted', () => {
	test('no option: IMA\'s order, as before (saved workflows keep their output order)', async () => {
		const result = await run(sim, linear(listModels()));
		expect(result.status).toBe('success');
		expect(result.outputs.IMA.map((i: any) => i.json.id)).toEqual(sim.products('text_to_video').map((v: any) => v.id));
	});

	test.each([
		['priceAsc', (a: number, b: number) => a - b],
		['priceDesc', (a: number, b: number) => b - a],
	])('%s: by each model\'s lowest price, equal prices in IMA\'s order; minCredits shown', async (sortBy, cmp) => {
		const result = await run(sim, linear(listModels({ sortBy })));
		expect(result.status).toBe('success');
		const served = sim.products('text_to_video');
		const expected = served
			.map((v: any, i: number) => ({ id: v.id, p: lowest(v), i }))
			.sort((a: any, b: any) => cmp(a.p, b.p) || a.i - b.i)
			.map((x: any) => x.id);
		expect(expected).not.toEqual(served.map((v: any) => v.id)); // the catalogue is not already in price order
		const items = result.outputs.IMA;
		expect(items.map((i: any) => i.json.id)).toEqual(expected);
		expect(items.map((i: any) => i.json.minCredits)).toEqual(expected.map((id: string) => lowest(served.find((v: any) => v.id === id))));
		expect(items[0].json.maxCredits).toBeGreaterThanOrEqual(items[0].json.minCredits);
		// The sort changes the order only: the same items as IMA's order.
		expect([...items.map((i: any) => i.json.id)].sort()).toEqual(served.map((v: any) => v.id).sort());
	});

	test('nameAsc: by display name', async () => {
		const result = await run(sim, linear(listModels({ sortBy: 'nameAsc' }, 'text_to_image')));
		const names = result.outputs.IMA.map((i: any) => i.json.name);
		expect(names).toEqual([...names].sort((a: string, b: string) => a.localeCompare(b, 'en', { sensitivity: 'base', numeric: true })));
		expect(names.length).toBe(sim.products('text_to_image').length);
	});

	test('an unknown Sort By from an expression fails naming options.sortBy, nothing else is asked', async () => {
		const result = await run(sim, withItems(linear(listModels({ sortBy: '={{ $json.order }}' })), [{ json: { order: 'cheapest' } }]));
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(/Sort By "cheapest" is not known/);
		expect(JSON.stringify(result.error)).toMatch(/options\.sortBy/);
		expect(sim.requests.filter((r: any) => r.route === 'productList')).toHaveLength(0);
	});
});
