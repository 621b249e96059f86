'use strict';
/**
 * A user editing one IMA node in the n8n editor, then running it, in a fresh process (so no
 * product list is cached from earlier scenarios):
 *
 *   node bench/editor-child.js <node|baseline> [thinkSeconds]
 *
 * With thinkSeconds, the user pauses that long before each action. The pause is virtual: this
 * process's Date.now() jumps ahead instead of the bench waiting (the simulator, in another
 * process, does not care about the clock for product lists), so a session of a few minutes
 * — long enough for a time-limited cache to expire — runs in seconds. The workflow run itself
 * is not sped up.
 *
 * Every editor call goes through the harness's callNodeMethod (n8n-core's LoadOptionsContext,
 * the way the editor's backend calls listSearch / resourceMapping methods), against the
 * simulator process whose URLs arrive over IPC. bench/run.js counts the product-list requests
 * the simulator saw.
 */
const S = require('./scenarios');

const impl = process.argv[2];
const thinkMs = Number(process.argv[3] || 0) * 1000;
let clockOffset = 0;
if (thinkMs > 0) {
	const realNow = Date.now;
	Date.now = () => realNow() + clockOffset;
}
/** The user looks at the screen for thinkSeconds before the next action. */
const think = () => {
	clockOffset += thinkMs;
};
if (!['node', 'baseline'].includes(impl)) {
	console.error('usage: node bench/editor-child.js <node|baseline>');
	process.exit(2);
}
const harness = require('../test/harness/engine');

const next = S.nextMessage;

const rl = (value) => ({ __rl: true, mode: 'list', value });

async function main() {
	const { sim } = await next('config');
	const credentials = S.credsFor(sim);
	const pkg = impl === 'node' ? {} : { packageDir: S.BENCH_PACKAGE, nodeType: S.TYPES.baseline };
	const steps = [];
	let first = true;
	const call = async (label, kind, method, parameters, filter) => {
		if (!first) think();
		first = false;
		const t = Date.now();
		const out = await harness.callNodeMethod({ kind, method, parameters, filter, credentials, ...pkg });
		const n = kind === 'listSearch' ? out.results.length : out.fields.length;
		steps.push({ label, kind, method, taskType: parameters.taskType, at: t - started, ms: Date.now() - t, count: n });
		if (!n) throw new Error(`${label}: empty answer`);
	};
	const base = { operation: 'generate' };
	const t2i = { ...base, taskType: 'text_to_image' };
	const t2v = { ...base, taskType: 'text_to_video' };

	const started = Date.now();
	// A new node: Task Type is text_to_image by default; the user opens the model list.
	await call('open model list (text_to_image)', 'listSearch', 'searchModels', t2i);
	// Switches Task Type to text_to_video, opens the list again, searches.
	await call('switch task type, open model list (text_to_video)', 'listSearch', 'searchModels', t2v);
	await call('search "kling"', 'listSearch', 'searchModels', t2v, 'kling');
	// Picks Kling O1: the Model Settings load.
	await call('pick kling-video-o1, open its settings', 'resourceMapping', 'getModelSettings', { ...t2v, model: rl('kling-video-o1') });
	// Switches model: searches, picks, settings load; twice.
	await call('search "hailuo"', 'listSearch', 'searchModels', { ...t2v, model: rl('kling-video-o1') }, 'hailuo');
	await call('pick MiniMax-Hailuo-2.3, open its settings', 'resourceMapping', 'getModelSettings', { ...t2v, model: rl('MiniMax-Hailuo-2.3') });
	await call('open model list again', 'listSearch', 'searchModels', { ...t2v, model: rl('MiniMax-Hailuo-2.3') });
	await call('pick Pixverse V5.5, open its settings', 'resourceMapping', 'getModelSettings', { ...t2v, model: rl('Pixverse V5.5') });
	// Back to Kling O1 and runs the workflow.
	await call('back to kling-video-o1, open its settings', 'resourceMapping', 'getModelSettings', { ...t2v, model: rl('kling-video-o1') });
	const bench = impl === 'baseline' ? await harness.loadPackageNodeTypes(S.BENCH_PACKAGE) : { nodeTypes: {} };
	think();
	const t = Date.now();
	const r = await harness.runWorkflow({
		workflow: S.generateWorkflow(impl, 1),
		credentials,
		binaryDataMode: 'filesystem',
		extraNodeTypes: bench.nodeTypes,
	});
	steps.push({ label: 'run the workflow (Generate, 1 item)', kind: 'run', taskType: 'text_to_video', at: t - started, ms: Date.now() - t, status: r.status });
	if (r.status !== 'success') throw new Error(`run: ${r.status}: ${r.error && r.error.message}`);
	const elapsedMs = Date.now() - started;
	process.send({ type: 'result', impl, thinkMs, elapsedMs, steps }, () => process.exit(0));
}

main().catch((error) => {
	process.send({ type: 'result', impl, status: 'crashed', error: String((error && error.stack) || error) }, () => process.exit(1));
});
