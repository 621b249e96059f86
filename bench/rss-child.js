'use strict';
/**
 * One memory measurement in a fresh process (run with --expose-gc by bench/run.js):
 *
 *   node --expose-gc bench/rss-child.js <download|upload> <node|baseline>
 *   node --expose-gc bench/rss-child.js fleetDownload node <items> <max items at once>
 *
 * `fleetDownload` (bench/fleet.js): Generate over <items> items with Options → Max Items at Once
 * = <max items at once>, each task's media served by the simulator at the size the parent queued
 * (`queueTask({mediaBytes})`), so that many downloads run at once. Warm-ups: the same workflow
 * with small media (sockets, streams and the binary-data service at that width).
 *
 * The simulator runs in another process (bench/sim-child.js); its URLs and key arrive over IPC.
 * Steps: warm-up run(s) in n8n's filesystem binary mode (modules loaded, JIT warm, sockets and
 * binary-data service initialised); for `upload`, a setup run that makes the 500 MB input image
 * in n8n's binary storage (streamed, see fixture-package/lib/BenchBigFile.node.js); then gc,
 * RSS "before", the kernel's peak mark reset, and the measured workflow with RSS sampled every
 * 10 ms. Peak = max(sampled RSS, VmHWM). Growth = peak − before.
 */
const fs = require('node:fs');
const S = require('./scenarios');

const [scenario, impl, itemsArg, widthArg] = process.argv.slice(2);
if (!['download', 'upload', 'fleetDownload'].includes(scenario) || !['node', 'baseline'].includes(impl)) {
	console.error('usage: node --expose-gc bench/rss-child.js <download|upload> <node|baseline>');
	console.error('       node --expose-gc bench/rss-child.js fleetDownload node <items> <max items at once>');
	process.exit(2);
}
const fleetItems = Number(itemsArg) || 20;
const fleetWidth = Number(widthArg) || fleetItems;

const harness = require('../test/harness/engine');

const next = S.nextMessage;

async function main() {
	const { sim, budgetScale } = await next('config');
	if (budgetScale && budgetScale !== 1) {
		// The simulator runs faster than real time: the node's status-check budget is scaled the same
		// way, so in simulated time it is the budget users get (bench/fleet.js memory500).
		const { STATUS_BUDGET } = require('../dist/nodes/Ima/helpers/pollBudget');
		for (const k of ['startPerSecond', 'capPerSecond', 'floorPerSecond']) STATUS_BUDGET[k] *= budgetScale;
	}
	const bench = await harness.loadPackageNodeTypes(S.BENCH_PACKAGE);
	const run = (workflow, extra = {}) =>
		harness.runWorkflow({
			workflow,
			credentials: S.credsFor(sim),
			binaryDataMode: 'filesystem',
			extraNodeTypes: bench.nodeTypes,
			timeoutMs: 600000,
			...extra,
		});
	const ensure = (r, what) => {
		if (r.status !== 'success') throw new Error(`${what}: ${r.status}: ${r.error && r.error.message}`);
		return r;
	};

	let measured;
	let pinData;
	if (scenario === 'fleetDownload') {
		const wf = (n) => S.generateWorkflow(impl, n, { options: { concurrency: fleetWidth } });
		// Warm-ups at the fleet's width (at most 100 items: the width is what warms sockets and streams).
		const warm = Math.min(fleetItems, 100);
		ensure(await run(S.generateWorkflow(impl, 1)), 'warm-up generate');
		ensure(await run(wf(warm)), 'warm-up generate (fleet width)');
		ensure(await run(wf(warm)), 'warm-up generate (fleet width)');
		measured = wf(fleetItems);
	} else if (scenario === 'download') {
		ensure(await run(S.generateWorkflow(impl, 1)), 'warm-up generate');
		ensure(await run(S.generateWorkflow(impl, 1)), 'warm-up generate');
		measured = S.generateWorkflow(impl, 1);
	} else {
		ensure(await run(S.bigFileWorkflow(1024 * 1024, impl)), 'warm-up upload');
		ensure(await run(S.bigFileWorkflow(1024 * 1024, impl)), 'warm-up upload');
		const setup = ensure(await run(S.bigFileWorkflow(S.PARAMS.bigBytes)), 'setup (500 MB input binary)');
		const item = setup.outputs['Big File'][0];
		const onDisk = fs.statSync(harness.binaryPath(item.binary.data)).size;
		if (onDisk !== S.PARAMS.bigBytes) throw new Error(`setup: input binary is ${onDisk} bytes`);
		pinData = { [S.TRIGGER]: [{ json: {}, binary: item.binary }] };
		measured = S.uploadWorkflow(impl);
	}

	await S.settle();
	process.send({ type: 'ready' });
	await next('go');

	await S.settle();
	const usageBefore = process.memoryUsage();
	const before = process.memoryUsage.rss();
	const peakReset = S.resetPeak();
	const sampler = S.startSampler();
	const t0 = Date.now();
	const r = await run(measured, pinData ? { pinData } : {});
	const wallMs = Date.now() - t0;
	const { maxSampled, samples, hwm, atPeak } = sampler.stop();
	const peak = Math.max(maxSampled, peakReset && hwm ? hwm : 0);

	/** @type {Record<string, unknown>} */
	const check = {};
	const outs = r.outputs[S.IMA] || [];
	const out = outs[0];
	if (r.status === 'success' && out && scenario === 'fleetDownload') {
		check.items = outs.length;
		check.binaryBytes = outs.map((o) => {
			const p = o.binary && o.binary.data ? harness.binaryPath(o.binary.data) : undefined;
			return p ? fs.statSync(p).size : 0;
		});
		check.taskIds = outs.map((o) => o.json.taskId);
	} else if (r.status === 'success' && out) {
		if (scenario === 'download') {
			const p = harness.binaryPath(out.binary.data);
			check.binaryBytes = p ? fs.statSync(p).size : undefined;
			check.binaryStored = Boolean(out.binary.data.id);
		} else {
			check.fileSize = out.json.fileSize;
			check.urlIsPublic = typeof out.json.url === 'string' && out.json.url.includes('/files/');
		}
	}
	const result = {
		type: 'result',
		scenario,
		impl,
		status: r.status,
		error: r.status === 'success' ? undefined : String((r.error && r.error.message) || r.status),
		wallMs,
		beforeRss: before,
		maxSampledRss: maxSampled,
		vmHwm: peakReset ? hwm : undefined,
		peakRss: peak,
		growth: peak - before,
		samples,
		/** process.memoryUsage() before, and at the highest RSS sample. */
		usageBefore,
		usageAtPeak: atPeak,
		check,
	};
	process.send(result, () => process.exit(0));
}

main().catch((error) => {
	process.send({ type: 'result', scenario, impl, status: 'crashed', error: String((error && error.stack) || error) }, () => process.exit(1));
});
