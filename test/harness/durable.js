// @ts-check
'use strict';
/**
 * n8n's durable boundaries in the engine harness: an execution parked by a long Wait and resumed
 * later, and an execution retried from n8n's executions list, each in a NEW WorkflowExecute (new
 * cancel signal), from the stored run data (passed through JSON, as n8n's database does).
 *
 * What n8n does (n8n-core 2.x, checked in its source): a Wait of 65 s or more calls
 * `putExecutionToWait(date)`; WorkflowExecute then ends with status `waiting` and n8n stores the
 * whole `IRunExecutionData` (run data, the node stack, and each node's context). On resume (the
 * time is up; after a restart; in queue mode on any worker) n8n loads it and runs
 * `new WorkflowExecute(additionalData, mode, runExecutionData).processRunExecutionData(workflow)`,
 * which disables the waiting node for that step and pops its run. A retry from the executions
 * list deletes the error, pops the failed node's last run and runs the same way (new execution id).
 *
 * Stand-ins (NOT the real n8n-nodes-base nodes) for the two nodes a durable loop uses:
 * - `n8n-nodes-base.wait` 1.1: under 65 s passes the items on (after at most 50 ms, like
 *   engine.js's); from 65 s on parks the execution with `putExecutionToWait`, like the real node.
 * - `n8n-nodes-base.splitInBatches` 3 ("Loop Over Items"): keeps its queue in the node's context,
 *   like the real node (which is why n8n's own loop survives a long Wait); output 0 "done",
 *   output 1 "loop".
 */

const { runWorkflow, STAND_INS } = require('./engine');

const UNIT_MS = /** @type {Record<string, number>} */ ({ seconds: 1000, minutes: 60000, hours: 3600000, days: 86400000 });
/** n8n's Wait node waits in process below this, and parks the execution from it on. */
const PARK_FROM_MS = 65_000;

/** STAND-IN for n8n-nodes-base.wait (time interval): parks the execution from 65 s on. */
const parkingWait = {
	description: {
		...(/** @type {any} */ (STAND_INS['n8n-nodes-base.wait']).description),
		displayName: 'Wait (harness stand-in, parks from 65 s)',
		description: 'Harness stand-in for n8n-nodes-base.wait: from 65 s on it parks the execution like the real node',
	},
	/** @this {import('n8n-workflow').IExecuteFunctions} */
	async execute() {
		const amount = Number(this.getNodeParameter('amount', 0, 1)) || 0;
		const unit = String(this.getNodeParameter('unit', 0, 'seconds'));
		const ms = amount * (UNIT_MS[unit] ?? 1000);
		if (ms >= PARK_FROM_MS) {
			await this.putExecutionToWait(new Date(Date.now() + ms));
			return [this.getInputData()];
		}
		await new Promise((resolve) => setTimeout(resolve, Math.min(Math.max(ms, 0), 50)));
		return [this.getInputData()];
	},
};

/** STAND-IN for n8n-nodes-base.splitInBatches v3 ("Loop Over Items"): its state in the node context. */
const loopOverItems = {
	description: {
		displayName: 'Loop Over Items (harness stand-in)',
		name: 'splitInBatches',
		group: ['organization'],
		version: 3,
		description: 'Harness stand-in for n8n-nodes-base.splitInBatches v3',
		defaults: { name: 'Loop Over Items' },
		inputs: ['main'],
		outputs: ['main', 'main'],
		outputNames: ['done', 'loop'],
		properties: [{ displayName: 'Batch Size', name: 'batchSize', type: 'number', default: 1 }],
	},
	/** @this {import('n8n-workflow').IExecuteFunctions} */
	async execute() {
		const input = this.getInputData().slice();
		const state = /** @type {Record<string, any>} */ (this.getContext('node'));
		const batchSize = Math.max(1, Number(this.getNodeParameter('batchSize', 0, 1)) || 1);
		/** @type {import('n8n-workflow').INodeExecutionData[]} */
		let batch;
		if (state.items === undefined) {
			batch = input.splice(0, batchSize);
			state.items = input.map((i) => ({ json: i.json }));
			state.processedItems = [];
		} else {
			batch = state.items.splice(0, batchSize);
			state.processedItems.push(...input.map((i) => ({ json: i.json })));
		}
		if (batch.length === 0) return [state.processedItems, []];
		return [[], batch.map((i) => ({ json: i.json }))];
	},
};

/** The stand-ins by type name (pass as `extraNodeTypes`). */
const DURABLE_STAND_INS = {
	'n8n-nodes-base.wait': parkingWait,
	'n8n-nodes-base.splitInBatches': loopOverItems,
};

/** The stored form of an execution: what n8n's database gives back (JSON, a deep copy). */
function stored(/** @type {unknown} */ data) {
	return JSON.parse(JSON.stringify(data));
}

/**
 * Runs a workflow like n8n across its durable waits: every time the execution parks, its data goes
 * through JSON and it resumes in a new WorkflowExecute (same execution id, new cancel signal).
 * `beforeResume(storedData, parkCount)` may change the stored data or the world in between.
 * @param {Parameters<typeof runWorkflow>[0] & { maxResumes?: number, beforeResume?: (data: any, parks: number) => unknown }} options
 * @returns {Promise<Awaited<ReturnType<typeof runWorkflow>> & { parks: number, waitTill: unknown[] }>}
 */
async function runAcrossWaits(options) {
	const { maxResumes = 50, beforeResume, ...rest } = options;
	const extraNodeTypes = { ...DURABLE_STAND_INS, ...(rest.extraNodeTypes ?? {}) };
	let result = await runWorkflow({ ...rest, extraNodeTypes });
	let parks = 0;
	const waitTill = [];
	while (result.status === 'waiting') {
		if (++parks > maxResumes) throw new Error(`harness: still waiting after ${maxResumes} resumes`);
		const data = stored(result.run?.data);
		waitTill.push(data.waitTill);
		if (beforeResume) await beforeResume(data, parks);
		result = await runWorkflow({ ...rest, extraNodeTypes, resumeData: data, executionId: result.executionId });
	}
	return Object.assign(result, { parks, waitTill });
}

/**
 * n8n's "Retry" of a failed execution (executions list): the stored data without its error and
 * without the failed node's last run, in a new execution. "Retry with original workflow" runs the
 * nodes as stored; `loadWorkflow` ("retry with currently saved workflow") puts the nodes of
 * `options.workflow` on the node stack, as n8n does.
 * @param {Awaited<ReturnType<typeof runWorkflow>>} failed
 * @param {Parameters<typeof runWorkflow>[0] & { loadWorkflow?: boolean }} options
 */
async function retryExecution(failed, options) {
	const data = stored(failed.run?.data);
	const last = data.resultData.lastNodeExecuted;
	delete data.resultData.error;
	const runs = last ? data.resultData.runData[last] : undefined;
	if (runs && runs.length && runs[runs.length - 1].error !== undefined) runs.pop();
	if (options.loadWorkflow) {
		for (const entry of data.executionData.nodeExecutionStack) {
			const node = options.workflow.nodes.find((n) => n.name === entry.node.name);
			if (node) entry.node = stored(node);
		}
	}
	const extraNodeTypes = { ...DURABLE_STAND_INS, ...(options.extraNodeTypes ?? {}) };
	return await runWorkflow({ ...options, extraNodeTypes, resumeData: data, mode: 'retry' });
}

module.exports = { runAcrossWaits, retryExecution, DURABLE_STAND_INS, stored, PARK_FROM_MS };
