/**
 * Issue #16 part 1: what the node committed in an execution survives n8n's durable boundaries.
 * n8n parks an execution at a Wait of 65 s or more and resumes it in a new WorkflowExecute (new
 * cancel signal; in queue mode on any worker) from the stored data; these tests do the same
 * (test/harness/durable.js: the stored data goes through JSON, the resume is a new
 * WorkflowExecute) and count what the simulator was asked to create and charge.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import type { IDataObject } from 'n8n-workflow';

import { credsFor, FAST, generate, model, settings, TRIGGER, useSimulator, type Sim } from './setup';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { runAcrossWaits, retryExecution } = require('../harness/durable');

const env = useSimulator();
let sim: Sim;
beforeEach(() => {
	sim = env.sim;
});

const SEEDREAM = 'doubao-seedream-4-5-251128'; // 5 credits a task in the fixture

/**
 * Trigger (pinned items) → Loop Over Items (1 at a time) → IMA → Wait → back to the loop; the
 * loop's "done" output → Done.
 */
function loopWorkflow(ima: IDataObject, { waitSeconds = 70, imaNode = {} as IDataObject } = {}) {
	const nodes = [
		{ id: 't', name: TRIGGER, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
		{ id: 'l', name: 'Loop Over Items', type: 'n8n-nodes-base.splitInBatches', typeVersion: 3, position: [200, 0], parameters: { batchSize: 1 } },
		{ id: 'i', name: 'IMA', type: 'n8n-nodes-ima.ima', typeVersion: 1, position: [400, 0], parameters: ima, credentials: { imaApi: { id: 'cred', name: 'IMA account' } }, ...imaNode },
		{ id: 'w', name: 'Wait', type: 'n8n-nodes-base.wait', typeVersion: 1.1, position: [600, 0], parameters: { resume: 'timeInterval', amount: waitSeconds, unit: 'seconds' } },
		{ id: 'd', name: 'Done', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [400, 200], parameters: {} },
	];
	const to = (node: string) => [{ node, type: 'main', index: 0 }];
	return {
		name: 'durable loop',
		nodes,
		connections: {
			[TRIGGER]: { main: [to('Loop Over Items')] },
			'Loop Over Items': { main: [to('Done'), to('IMA')] },
			IMA: { main: [to('Wait')] },
			Wait: { main: [to('Loop Over Items')] },
		},
		settings: { executionOrder: 'v1' },
	};
}

const createTask = (options: IDataObject) => ({
	operation: 'createTask',
	taskType: 'text_to_image',
	model: model(SEEDREAM),
	prompt: '={{ "loop item " + $json.i }}',
	modelSettings: settings({}),
	options,
});

const continueOnFail = { onError: 'continueRegularOutput' };
const items = (budgets: number[]) => budgets.map((budget, i) => ({ json: { i, budget } }));

async function runLoop(workflow: IDataObject, pinned: Array<{ json: IDataObject }>, extra: IDataObject = {}) {
	return await runAcrossWaits({ workflow, credentials: credsFor(sim), pinData: { [TRIGGER]: pinned }, ...extra });
}

/** The IMA node's output item of each run (one item per loop run here). */
const imaRuns = (r: any) => (r.runData.IMA ?? []).map((run: any) => run.data?.main?.[0]?.[0]?.json ?? { nodeError: run.error?.message });

describe('Max Credits per Run holds across long Waits (the execution parks and resumes)', () => {
	test('Loop → Create Task (Max Credits 5, a task of 5) → Wait 70 s: one create in the whole execution', async () => {
		const r = await runLoop(loopWorkflow(createTask({ maxCredits: 5 }), { imaNode: continueOnFail }), items([0, 0, 0]));
		expect(r.status).toBe('success');
		expect(r.parks).toBe(3); // parked at every Wait, resumed in a new WorkflowExecute each time
		expect(sim.createsReceived()).toHaveLength(1);
		expect(sim.creditsCharged).toBe(5);
		const runs = imaRuns(r);
		expect(runs).toHaveLength(3);
		expect(runs[0].taskId).toBe([...sim.tasks.keys()][0]);
		for (const later of runs.slice(1)) {
			expect(later.error).toMatch(/Max Credits per Run \(5\) would be passed: this task costs 5 credits and this node has already committed 5 credits in this execution/);
			expect(later.charged).toBe('none');
		}
		expect(r.outputs.Done).toHaveLength(3);
	});

	test('without Continue On Fail the second loop run fails before its create: still one create', async () => {
		const r = await runLoop(loopWorkflow(createTask({ maxCredits: 5 })), items([0, 0]));
		expect(r.status).toBe('error');
		expect(r.parks).toBe(1);
		expect(r.error.message).toMatch(/Max Credits per Run \(5\) would be passed/);
		expect(sim.createsReceived()).toHaveLength(1);
		expect(sim.creditsCharged).toBe(5);
	});

	test.each([70, 2])('Max Credits from each item (10, 0, 0, 0), Wait %p s: the smallest limit set holds, 10 credits', async (waitSeconds) => {
		const r = await runLoop(loopWorkflow(createTask({ maxCredits: '={{ $json.budget }}' }), { waitSeconds, imaNode: continueOnFail }), items([10, 0, 0, 0]));
		expect(r.status).toBe('success');
		expect(r.parks).toBe(waitSeconds >= 65 ? 4 : 0);
		expect(sim.createsReceived()).toHaveLength(2);
		expect(sim.creditsCharged).toBe(10);
		const runs = imaRuns(r);
		expect(runs.map((j: IDataObject) => (j.taskId ? 'task' : j.charged))).toEqual(['task', 'task', 'none', 'none']);
		expect(runs[2].error).toMatch(/Max Credits per Run \(10\) would be passed/);
	});

	test('a smaller limit set by a later run applies from then on (0, 10, 5, 0 with tasks of 5)', async () => {
		const r = await runLoop(loopWorkflow(createTask({ maxCredits: '={{ $json.budget }}' }), { imaNode: continueOnFail }), items([0, 10, 5, 0]));
		// run 0: no limit yet (5 committed); run 1: limit 10 (10 committed); run 2: limit 5, refused; run 3: still 5, refused.
		expect(sim.createsReceived()).toHaveLength(2);
		expect(sim.creditsCharged).toBe(10);
		const runs = imaRuns(r);
		expect(runs[2].error).toMatch(/Max Credits per Run \(5\) would be passed/);
		expect(runs[3].error).toMatch(/Max Credits per Run \(5\) would be passed/);
	});

	test('Generate in the loop: the same budget across resumes (Max Credits 10: two tasks of 5, then refused)', async () => {
		const gen = { ...generate({ prompt: '={{ "loop item " + $json.i }}' }, { maxCredits: 10, ...FAST }).parameters };
		const r = await runLoop(loopWorkflow(gen, { imaNode: continueOnFail }), items([0, 0, 0]));
		expect(r.status).toBe('success');
		expect(r.parks).toBe(3);
		expect(sim.createsReceived()).toHaveLength(2);
		expect(sim.creditsCharged).toBe(10);
		expect(imaRuns(r)[2].error).toMatch(/Max Credits per Run \(10\) would be passed/);
	});

	test('what the node keeps in the stored execution is small and holds no secret (key, prompt)', async () => {
		const stores: string[] = [];
		const wf = loopWorkflow(createTask({ maxCredits: 100 }), { imaNode: continueOnFail });
		await runLoop(wf, items(Array.from({ length: 5 }, () => 0)), {
			beforeResume: (data: any) => {
				stores.push(JSON.stringify(data.executionData.contextData['node:IMA']));
			},
		});
		expect(stores).toHaveLength(5);
		const last = JSON.parse(stores[4]);
		expect(last).toEqual({ imaMoney: { v: 1, committed: 25, limit: 100, run: 4, items: {} } });
		for (const s of stores) {
			expect(s.length).toBeLessThan(200);
			expect(s).not.toContain(sim.apiKey);
			expect(s).not.toContain('loop item');
		}
	});
});

describe("Retry On Fail across resumes: still one create per item (n8n's retries stay in one process)", () => {
	test('a timed-out task is waited for again by the retries in each loop run, never bought twice', async () => {
		sim.queueTask({ neverFinish: true });
		sim.queueTask({});
		const gen = { ...generate({ prompt: '={{ "loop item " + $json.i }}' }, { timeout: 0.3 }).parameters };
		const r = await runLoop(loopWorkflow(gen, { imaNode: { retryOnFail: true, maxTries: 3, waitBetweenTries: 1, ...continueOnFail } }), items([0, 0]));
		expect(r.status).toBe('success');
		expect(r.parks).toBe(2);
		expect(sim.createsReceived()).toHaveLength(2);
		expect(sim.creditsCharged).toBe(10);
		const runs = imaRuns(r);
		const ids = [...sim.tasks.keys()];
		expect(runs[0]).toMatchObject({ taskId: ids[0], error: expect.stringMatching(/Timed out/) });
		expect(runs[1].taskId).toBe(ids[1]);
	});
});

describe("n8n's Retry of a failed execution (executions list) continues its money memory", () => {
	const single = (options: IDataObject) => ({
		name: 'single',
		nodes: [
			{ id: 't', name: TRIGGER, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{ id: 'i', name: 'IMA', type: 'n8n-nodes-ima.ima', typeVersion: 1, position: [200, 0], parameters: generate({}, options).parameters, credentials: { imaApi: { id: 'cred', name: 'IMA account' } } },
		],
		connections: { [TRIGGER]: { main: [[{ node: 'IMA', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	});

	test('Generate timed out after its create: the retried execution waits for that task instead of buying another', async () => {
		sim.queueTask({ neverFinish: true });
		const wf = single({ timeout: 0.3 });
		const failed = await runLoop(wf, [{ json: {} }]);
		expect(failed.status).toBe('error');
		expect(failed.error.message).toMatch(/Timed out/);
		const taskId = [...sim.tasks.keys()][0];
		(sim.tasks.get(taskId) as any).behaviour.neverFinish = false; // IMA finishes it meanwhile
		const retried = await retryExecution(failed, { workflow: wf, credentials: credsFor(sim) });
		expect(retried.error?.message).toBeUndefined();
		expect(retried.outputs.IMA[0].json.taskId).toBe(taskId);
		expect(sim.createsReceived()).toHaveLength(1);
		expect(sim.creditsCharged).toBe(5);
	});

	test('a create whose answer was lost (502 after IMA made it): the retried execution refuses to send it again', async () => {
		sim.fault({ route: 'create', kind: 'status', status: 502, afterProcessing: true });
		const wf = single({});
		const failed = await runLoop(wf, [{ json: {} }]);
		expect(failed.status).toBe('error');
		const retried = await retryExecution(failed, { workflow: wf, credentials: credsFor(sim) });
		expect(retried.status).toBe('error');
		expect(retried.error.message).toMatch(/may already have created a task/);
		expect(sim.createsReceived()).toHaveLength(1);
	});

	test('a retry with other input is a new create, within what the failed execution left of the budget', async () => {
		sim.queueTask({ neverFinish: true });
		const wf = single({ timeout: 0.3, maxCredits: 10 });
		const failed = await runLoop(wf, [{ json: {} }]);
		expect(failed.status).toBe('error');
		const changed = JSON.parse(JSON.stringify(wf));
		changed.nodes[1].parameters.prompt = 'another prompt';
		changed.nodes[1].parameters.options.timeout = 30;
		const retried = await retryExecution(failed, { workflow: changed, credentials: credsFor(sim), loadWorkflow: true });
		expect(retried.error?.message).toBeUndefined();
		expect(sim.createsReceived()).toHaveLength(2);
		expect(retried.outputs.IMA[0].json.taskId).toBe([...sim.tasks.keys()][1]);
		// The failed execution committed 5 of 10: a retry with a limit of 5 has nothing left.
		changed.nodes[1].parameters.options.maxCredits = 5;
		const refused = await retryExecution(failed, { workflow: changed, credentials: credsFor(sim), loadWorkflow: true });
		expect(refused.status).toBe('error');
		expect(refused.error.message).toMatch(/Max Credits per Run \(5\) would be passed: this task costs 5 credits and this node has already committed 5 credits/);
		expect(sim.createsReceived()).toHaveLength(2);
	});
});

describe("the node's execution hint (what the editor shows after a run)", () => {
	const hintsOf = (r: any) => (r.runData.IMA ?? []).map((run: any) => run.hints);

	test('tasks made and credits committed, per run and for the execution, across resumes', async () => {
		const r = await runLoop(loopWorkflow(createTask({ maxCredits: 5 }), { imaNode: continueOnFail }), items([0, 0]));
		expect(hintsOf(r)).toEqual([
			[{ message: 'This run: 1 task created, 5 credits committed (5 of 5 Max Credits per Run used in this execution).', type: 'info', location: 'outputPane' }],
			[{ message: 'This run: 0 tasks created, 0 credits committed (5 of 5 Max Credits per Run used in this execution). 1 item refused before paying.', type: 'warning', location: 'outputPane' }],
		]);
	});

	test('Generate with four items: two made, one refused by the budget, one by its input', async () => {
		const wf = {
			name: 'hint',
			nodes: [
				{ id: 't', name: TRIGGER, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
				{
					id: 'i',
					name: 'IMA',
					type: 'n8n-nodes-ima.ima',
					typeVersion: 1,
					position: [200, 0],
					parameters: generate({ prompt: '={{ $json.prompt }}' }, { maxCredits: 10, concurrency: 1 }).parameters,
					credentials: { imaApi: { id: 'cred', name: 'IMA account' } },
					...continueOnFail,
				},
			],
			connections: { [TRIGGER]: { main: [[{ node: 'IMA', type: 'main', index: 0 }]] } },
			settings: { executionOrder: 'v1' },
		};
		const r = await runLoop(wf, [{ json: { prompt: 'one' } }, { json: { prompt: { not: 'text' } } }, { json: { prompt: 'two' } }, { json: { prompt: 'three' } }]);
		expect(sim.createsReceived()).toHaveLength(2);
		expect(hintsOf(r)).toEqual([
			[{ message: 'This run: 2 tasks created, 10 credits committed (10 of 10 Max Credits per Run used in this execution). 2 items refused before paying.', type: 'warning', location: 'outputPane' }],
		]);
	});

	test('a failed item with a task is not "refused before paying"; no limit: no limit in the hint', async () => {
		sim.queueTask({ failMedia: [0] });
		const wf = {
			name: 'hint',
			nodes: [
				{ id: 't', name: TRIGGER, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
				{ id: 'i', name: 'IMA', type: 'n8n-nodes-ima.ima', typeVersion: 1, position: [200, 0], parameters: generate().parameters, credentials: { imaApi: { id: 'cred', name: 'IMA account' } }, ...continueOnFail },
			],
			connections: { [TRIGGER]: { main: [[{ node: 'IMA', type: 'main', index: 0 }]] } },
			settings: { executionOrder: 'v1' },
		};
		const r = await runLoop(wf, [{ json: {} }]);
		expect(r.outputs.IMA[0].json.error).toBeDefined();
		expect(hintsOf(r)).toEqual([[{ message: 'This run: 1 task created, 5 credits committed.', type: 'info', location: 'outputPane' }]]);
	});
});

describe("the AI Agent tool path (n8n-core's SupplyDataContext): the same memory, kept with the execution", () => {
	// eslint-disable-next-line @typescript-eslint/no-var-requires
	const { loadPackageNodeTypes } = require('../harness/engine');

	/**
	 * STAND-IN for an AI Agent: asks n8n for its tools (getInputConnectionData, n8n-core's real
	 * tool path: createNodeAsTool, makeHandleToolInvocation, SupplyDataContext) and calls the tool
	 * once per prompt, as a model would. Not n8n's AI Agent (that needs a language model; the
	 * real agent runs in `npm run test:n8n`).
	 */
	const agentStandIn = {
		description: {
			displayName: 'Agent (stand-in)',
			name: 'agentStandIn',
			group: ['transform'],
			version: 1,
			description: 'calls its tool once per prompt',
			defaults: { name: 'Agent' },
			inputs: ['main', { type: 'ai_tool', displayName: 'Tool', required: true }],
			outputs: ['main'],
			properties: [{ displayName: 'Prompts', name: 'prompts', type: 'json', default: '[]' }],
		},
		async execute(this: any) {
			const tools = await this.getInputConnectionData('ai_tool', 0);
			const tool = (Array.isArray(tools) ? tools : [tools])[0];
			const prompts = JSON.parse(String(this.getNodeParameter('prompts', 0)));
			const answers = [];
			for (const prompt of prompts) {
				try {
					answers.push({ json: { prompt, answer: String(await tool.invoke({ prompt })) } });
				} catch (error) {
					answers.push({ json: { prompt, error: (error as Error).message } });
				}
			}
			return [answers];
		},
	};

	async function toolTypes() {
		const pkg = await loadPackageNodeTypes();
		const ima = pkg.nodeTypes['n8n-nodes-ima.ima'];
		// n8n's tool variant of a usableAsTool node: no main input, an ai_tool output.
		const tool = Object.assign(Object.create(ima), { description: { ...ima.description, name: 'imaTool', inputs: [], outputs: ['ai_tool'] } });
		return { 'n8n-nodes-ima.imaTool': tool, 'test.agentStandIn': agentStandIn };
	}

	test("n8n's Retry On Fail on the tool (each try under a new run index) waits for the task it has: one create", async () => {
		// Found while checking this path: n8n retries a tool call under a new run index, so the
		// retry was taken for a new call and a timed-out task was bought again.
		sim.queueTask({ neverFinish: true });
		const wf = {
			name: 'tool retry',
			nodes: [
				{ id: 't', name: TRIGGER, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
				{ id: 'a', name: 'Agent', type: 'test.agentStandIn', typeVersion: 1, position: [200, 0], parameters: { prompts: '["a fox", "a fox"]' } },
				{
					id: 'tool',
					name: 'Make an image',
					type: 'n8n-nodes-ima.imaTool',
					typeVersion: 1,
					position: [200, 200],
					retryOnFail: true,
					maxTries: 3,
					waitBetweenTries: 10,
					parameters: { operation: 'generate', taskType: 'text_to_image', model: model(SEEDREAM), prompt: "={{ $fromAI('prompt', 'What the image shows', 'string') }}", modelSettings: settings({}), options: { timeout: 0.3, ...FAST } },
					credentials: { imaApi: { id: 'cred', name: 'IMA account' } },
				},
			],
			connections: { [TRIGGER]: { main: [[{ node: 'Agent', type: 'main', index: 0 }]] }, 'Make an image': { ai_tool: [[{ node: 'Agent', type: 'ai_tool', index: 0 }]] } },
			settings: { executionOrder: 'v1' },
		};
		const r = await runLoop(wf, [{ json: {} }], { extraNodeTypes: await toolTypes() });
		const answers = r.outputs.Agent.map((i: any) => i.json);
		const [first, second] = [...sim.tasks.keys()];
		// Call 1: three tries, one task (timed out each time); call 2 (the same prompt, asked again): a new task.
		expect(sim.createsReceived()).toHaveLength(2);
		expect(JSON.stringify(answers[0])).toMatch(new RegExp(`Timed out .*${first}`));
		expect(JSON.stringify(answers[1])).toContain(second);
	});

	test('Max Credits on the tool holds across the agent calls of every loop run and every resume', async () => {
		const wf = loopWorkflow({}, {});
		wf.nodes[2] = { id: 'a', name: 'IMA', type: 'test.agentStandIn', typeVersion: 1, position: [400, 0], parameters: { prompts: '["a fox", "a cat"]' } } as any;
		wf.nodes.push({
			id: 'tool',
			name: 'Make an image',
			type: 'n8n-nodes-ima.imaTool',
			typeVersion: 1,
			position: [400, 200],
			parameters: {
				operation: 'generate',
				taskType: 'text_to_image',
				model: model(SEEDREAM),
				prompt: "={{ $fromAI('prompt', 'What the image shows', 'string') }}",
				modelSettings: settings({}),
				options: { maxCredits: 5, ...FAST },
			},
			credentials: { imaApi: { id: 'cred', name: 'IMA account' } },
		} as any);
		(wf.connections as any)['Make an image'] = { ai_tool: [[{ node: 'IMA', type: 'ai_tool', index: 0 }]] };
		const stores: unknown[] = [];
		const r = await runLoop(wf, items([0, 0]), {
			extraNodeTypes: await toolTypes(),
			beforeResume: (data: any) => stores.push(data.executionData.contextData['node:Make an image']),
		});
		expect(r.status).toBe('success');
		expect(r.parks).toBe(2);
		expect(sim.createsReceived()).toHaveLength(1);
		expect(sim.creditsCharged).toBe(5);
		const answers = (r.runData.IMA ?? []).flatMap((run: any) => run.data.main[0].map((i: any) => i.json));
		expect(answers).toHaveLength(4);
		expect(answers[0].answer).toContain([...sim.tasks.keys()][0]);
		for (const refused of answers.slice(1)) expect(JSON.stringify(refused)).toMatch(/Max Credits per Run \(5\) would be passed/);
		// The tool's memory went into the stored execution (the tool node's context).
		expect(stores[0]).toMatchObject({ imaMoney: { committed: 5, limit: 5 } });
	});
});
