'use strict';
/**
 * Issue #5 benchmark: `npm run bench` (= `npm run build && node --expose-gc bench/run.js`).
 *
 * Runs the built IMA node and the seed baseline (IMA's Python client algorithm ported as an n8n
 * node, bench/fixture-package/lib/ImaBaseline.node.js) through n8n-core's WorkflowExecute
 * (test/harness/engine.js) against the IMA simulator, in the same run, and prints the table.
 * Writes the raw results to bench/output/ and regenerates BENCHMARKS.md at the repo root.
 *
 * Processes: this one (timing scenarios, in-process n8n engine), bench/sim-child.js (the
 * simulator, for every scenario), bench/editor-child.js (editor scenario, a fresh process per
 * implementation so nothing is cached), bench/rss-child.js (each memory scenario, a fresh
 * process per implementation; the simulator is not in it).
 *
 * Not part of `npm test`; CI does not run it.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const S = require('./scenarios');
const { fleetSection, withFleetSection } = require('./fleet-lib');
const { eetScenario, eetMarkdown } = require('./eet');

const { PARAMS, MB } = S;
const OUTPUT_DIR = path.join(__dirname, 'output');
const BENCHMARKS_MD = path.join(S.REPO, 'BENCHMARKS.md');
const log = (...a) => console.log('[bench]', ...a);

// ---------------------------------------------------------------------------------------------
// Environment facts
// ---------------------------------------------------------------------------------------------

async function waitForDist() {
	const file = path.join(S.REPO, 'dist/nodes/Ima/Ima.node.js');
	for (let i = 0; i < 120 && !fs.existsSync(file); i++) {
		if (i === 0) log('dist/ is missing (someone is rebuilding?): waiting…');
		await new Promise((r) => setTimeout(r, 1000));
	}
	if (!fs.existsSync(file)) throw new Error('dist/ is missing: run `npm run build` (or `npm run bench`, which builds first)');
}

function cpuTimes() {
	const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
	const idle = line[3] + (line[4] || 0);
	const total = line.reduce((a, b) => a + b, 0);
	return { idle, total };
}

/** System-wide CPU busy (all cores) over `ms`, before the bench starts: other users' load. */
async function quietCheck(ms = 2000) {
	try {
		const a = cpuTimes();
		await new Promise((r) => setTimeout(r, ms));
		const b = cpuTimes();
		return 1 - (b.idle - a.idle) / (b.total - a.total);
	} catch {
		return undefined;
	}
}

/** System-wide CPU busy over the whole run, and how much of it was this benchmark's. */
function busySince(start, benchCpuMs, wallMs) {
	try {
		const now = cpuTimes();
		const busyFraction = 1 - (now.idle - start.idle) / (now.total - start.total);
		const cores = os.cpus().length;
		const benchFraction = benchCpuMs / (wallMs * cores);
		return { busyFraction, benchFraction, otherFraction: Math.max(0, busyFraction - benchFraction) };
	} catch {
		return undefined;
	}
}

function git(args) {
	try {
		return execFileSync('git', args, { cwd: S.REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
	} catch {
		return '';
	}
}

function machine() {
	const cpus = os.cpus();
	return {
		cpu: cpus[0] ? cpus[0].model.trim() : 'unknown',
		cores: cpus.length,
		ramGiB: +(os.totalmem() / 1024 ** 3).toFixed(1),
		node: process.version,
		os: `${os.type()} ${os.release()} (${os.platform()}/${os.arch()})`,
	};
}

// ---------------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------------

/** Option defaults of the built node (dist/), as a user gets them. */
function nodeDefaults() {
	try {
		const { Ima } = require(path.join(S.REPO, 'dist/nodes/Ima/Ima.node.js'));
		const options = new Ima().description.properties.find((p) => p.name === 'options');
		const get = (name) => (options.options.find((o) => o.name === name) || {}).default;
		return { concurrency: get('concurrency'), pollInterval: get('pollInterval') };
	} catch {
		return { concurrency: 'unknown' };
	}
}

const median = (xs) => {
	const s = [...xs].sort((a, b) => a - b);
	const m = Math.floor(s.length / 2);
	return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Most tasks alive at the same moment (created, not yet done), from the simulator's tasks. */
function maxInFlight(tasks) {
	const ev = [];
	for (const t of tasks) ev.push([t.createdAt, 1], [t.createdAt + t.durationMs, -1]);
	ev.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
	let cur = 0;
	let max = 0;
	for (const [, d] of ev) max = Math.max(max, (cur += d));
	return max;
}

async function editorScenario(simc) {
	const out = { sessions: [] };
	for (const thinkSeconds of PARAMS.editorThinkSeconds) {
		const session = await editorSession(simc, thinkSeconds);
		out.sessions.push(session);
	}
	for (const impl of ['node', 'baseline']) {
		out[impl] = { figure: Math.max(...out.sessions.map((s) => s[impl].figure)) };
	}
	return out;
}

async function editorSession(simc, thinkSeconds) {
	const out = { thinkSeconds };
	for (const impl of ['node', 'baseline']) {
		await simc.call('reset');
		const c = S.spawnChild(path.join(__dirname, 'editor-child.js'), [impl, String(thinkSeconds)]);
		c.send({ type: 'config', sim: simc.sim });
		const res = await c.next('result');
		await c.exited;
		if (res.status === 'crashed') throw new Error(`editor scenario (${impl}) crashed: ${res.error}`);
		const summary = await simc.call('summary');
		const windowMinutes = Math.max(1, Math.ceil(res.elapsedMs / 60000));
		const perType = {};
		for (const [type, n] of Object.entries(summary.productListByCategory)) perType[type] = n / windowMinutes;
		out[impl] = {
			elapsedMs: res.elapsedMs,
			windowMinutes,
			steps: res.steps,
			productListByCategory: summary.productListByCategory,
			perTypePerMinute: perType,
			figure: Math.max(0, ...Object.values(perType)),
		};
		log(`editor ${impl}, think ${thinkSeconds} s: product lists ${JSON.stringify(summary.productListByCategory)} in ${(res.elapsedMs / 1000).toFixed(1)} s`);
	}
	return out;
}

async function timingScenarios(simc) {
	// The node's status-check budget (10 requests/s per credential at first, up to 50) runs on the
	// real clock. Here simulated time runs PARAMS.speed times faster, so the budget is scaled the
	// same way: in simulated time the node gets exactly the budget users get. (bench/fleet.js
	// measures it at speed 1, unscaled.)
	const budget = require('../dist/nodes/Ima/helpers/pollBudget');
	const budgetDefaults = { ...budget.STATUS_BUDGET };
	for (const k of ['startPerSecond', 'capPerSecond', 'floorPerSecond']) budget.STATUS_BUDGET[k] *= PARAMS.speed;
	budget.clearBudgets();
	try {
		return await timingRuns(simc);
	} finally {
		Object.assign(budget.STATUS_BUDGET, budgetDefaults);
		budget.clearBudgets();
	}
}

async function timingRuns(simc) {
	const harness = require('../test/harness/engine');
	const bench = await harness.loadPackageNodeTypes(S.BENCH_PACKAGE);
	const runs = [];
	const once = async (impl, count, label, options = {}) => {
		await simc.call('reset');
		const r = await harness.runWorkflow({
			workflow: S.generateWorkflow(impl, count, { options }),
			credentials: S.credsFor(simc.sim),
			binaryDataMode: 'filesystem',
			extraNodeTypes: bench.nodeTypes,
			timeoutMs: 600000,
		});
		const summary = await simc.call('summary');
		const items = (r.outputs[S.IMA] || []).length;
		if (r.status !== 'success' || items !== count) {
			throw new Error(`${label}: ${r.status} with ${items}/${count} items: ${r.error && r.error.message}`);
		}
		const intervalMs = (options.pollInterval ?? PARAMS.pollInterval) * 1000;
		const perTask = summary.tasks.map((t) => ({
			detail: summary.detailByTask[t.id] || 0,
			durationMs: t.durationMs,
			expectedPolls: t.durationMs / intervalMs,
		}));
		const run = {
			impl,
			count,
			label,
			options,
			wallMs: r.durationMs,
			tasks: summary.tasks.length,
			maxInFlight: maxInFlight(summary.tasks),
			requests: summary.byRoute,
			perTask,
		};
		runs.push(run);
		log(`${label}: ${(r.durationMs / 1000).toFixed(2)} s, ${summary.tasks.length} tasks, at most ${run.maxInFlight} at once, requests ${JSON.stringify(summary.byRoute)}`);
		return run;
	};

	// Warm-up (module load, JIT, keep-alive sockets, the node's product cache): not counted.
	await once('node', 1, 'warm-up node');
	await once('baseline', 1, 'warm-up baseline');
	runs.length = 0;

	const result = {};
	for (const impl of ['node', 'baseline']) {
		const ones = [];
		for (let k = 0; k < PARAMS.oneItemRepeats; k++) ones.push(await once(impl, 1, `${impl} 1 item #${k + 1}`));
		const many = await once(impl, PARAMS.manyItems, `${impl} ${PARAMS.manyItems} items`);
		const one = median(ones.map((x) => x.wallMs));
		result[impl] = { oneItemMs: ones.map((x) => x.wallMs), oneItemMedianMs: one, manyItemsMs: many.wallMs, ratio: many.wallMs / one, maxInFlight: many.maxInFlight };
	}
	// Informational: the node with "Max Items at Once" raised to the item count (not the default).
	const wide = await once('node', PARAMS.manyItems, `node ${PARAMS.manyItems} items, concurrency ${PARAMS.manyItems}`, {
		pollInterval: PARAMS.pollInterval,
		concurrency: PARAMS.manyItems,
	});
	result.nodeWide = { manyItemsMs: wide.wallMs, ratio: wide.wallMs / result.node.oneItemMedianMs, maxInFlight: wide.maxInFlight };

	// Figure 2, from every counted run (1-item and 20-item) of each implementation.
	const polling = {};
	for (const impl of ['node', 'baseline']) {
		const tasks = runs.filter((x) => x.impl === impl && !x.options.concurrency).flatMap((x) => x.perTask);
		const worst = tasks.reduce((w, t) => (!w || t.detail - (1.1 * t.expectedPolls + 2) > w.detail - (1.1 * w.expectedPolls + 2) ? t : w), undefined);
		polling[impl] = {
			tasks: tasks.length,
			meanDetail: tasks.reduce((a, t) => a + t.detail, 0) / tasks.length,
			maxDetail: Math.max(...tasks.map((t) => t.detail)),
			expectedPolls: worst.expectedPolls,
			worst,
			ratio: worst.detail / worst.expectedPolls,
			/** The target's own form: (requests − 2) ÷ (D/I) ≤ 1.1. */
			figure: Math.max(0, worst.detail - 2) / worst.expectedPolls,
			allowed: 1.1 * worst.expectedPolls + 2,
			pass: tasks.every((t) => t.detail <= 1.1 * t.expectedPolls + 2),
		};
	}
	return { result, polling, runs };
}

async function memoryScenario(simc, scenario, impl) {
	await simc.call('reset');
	const c = S.spawnChild(path.join(__dirname, 'rss-child.js'), [scenario, impl], { execArgv: ['--expose-gc'] });
	c.send({ type: 'config', sim: simc.sim });
	const first = await c.next(['ready', 'result']);
	if (first.type === 'result') {
		await c.exited;
		return first;
	}
	// The record and tasks from here on are the measured run's only.
	await simc.call('reset');
	if (scenario === 'download') await simc.call('queueTask', { mediaBytes: PARAMS.bigBytes, durationSec: 15 });
	c.send({ type: 'go' });
	const res = await c.next('result');
	await c.exited;
	const summary = await simc.call('summary');
	res.sim = { byRoute: summary.byRoute, uploads: summary.uploads.map((u) => ({ size: u.size, contentType: u.contentType })) };
	if (scenario === 'upload' && res.status === 'success') {
		res.check.simReceivedBytes = Math.max(0, ...summary.uploads.map((u) => u.size));
	}
	const grown = res.growth !== undefined ? `${(res.growth / MB).toFixed(1)} MB growth` : '';
	log(`memory ${scenario} ${impl}: ${res.status} ${grown} ${res.error ? res.error.split('\n')[0] : ''}`);
	return res;
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

const fmt = (n, d = 2) => (n === undefined || n === null || !Number.isFinite(n) ? 'n/a' : n.toFixed(d));
const mb = (b) => (b === undefined ? 'n/a' : `${(b / MB).toFixed(1)} MB`);

function buildTable(R) {
	const rows = [];
	const t = R.timing.result;
	rows.push({
		figure: `wall time of ${PARAMS.manyItems} items ÷ wall time of 1 item, same model, Generate`,
		target: '≤ 1.3',
		node: `${fmt(t.node.ratio)} (${fmt(t.node.manyItemsMs / 1000)} s ÷ ${fmt(t.node.oneItemMedianMs / 1000)} s)`,
		baseline: `${fmt(t.baseline.ratio)} (${fmt(t.baseline.manyItemsMs / 1000)} s ÷ ${fmt(t.baseline.oneItemMedianMs / 1000)} s)`,
		pass: t.node.ratio <= 1.3,
	});
	const p = R.timing.polling;
	const pollCell = (x) =>
		`${fmt(x.ratio)} = ${x.worst.detail} ÷ ${fmt(x.expectedPolls, 2)} (worst task); ${x.worst.detail} ${x.pass ? '≤' : '>'} 1.1 × ${fmt(x.expectedPolls, 2)} + 2 = ${fmt(x.allowed, 2)}`;
	rows.push({
		figure: 'task-detail requests per task ÷ (task duration ÷ poll interval)',
		target: '≤ 1.1, plus at most 2',
		node: pollCell(p.node),
		baseline: pollCell(p.baseline),
		pass: p.node.pass,
	});
	const m = R.memory;
	const memCell = (x) => (x.status === 'success' ? mb(x.growth) : `${x.status}: ${String(x.error || '').split('\n')[0].slice(0, 160)}`);
	const memPass = (x) => x.status === 'success' && x.growth <= 64 * MB;
	rows.push({
		figure: 'peak RSS growth while Generate downloads one 500 MB video, n8n filesystem binary mode',
		target: '≤ 64 MB',
		node: memCell(m.download.node),
		baseline: memCell(m.download.baseline),
		pass: memPass(m.download.node),
	});
	rows.push({
		figure: 'the same for a 500 MB image uploaded by Upload Image',
		target: '≤ 64 MB',
		node: memCell(m.upload.node),
		baseline: memCell(m.upload.baseline),
		pass: memPass(m.upload.node),
	});
	const e = R.editor;
	const edCell = (impl) =>
		`${fmt(e[impl].figure)} (` +
		e.sessions
			.map((s) => {
				const x = s[impl];
				const counts = Object.entries(x.productListByCategory).map(([k, v]) => `${k} ${v}`).join(', ');
				return `${s.thinkSeconds ? `${s.thinkSeconds} s pauses` : 'no pauses'}: ${counts} in ${fmt(x.elapsedMs / 1000, 0)} s ÷ ${x.windowMinutes} min`;
			})
			.join('; ') +
		')';
	rows.push({
		figure: 'product-list requests while a user edits one node (open model list, switch models, open parameters, run)',
		target: '≤ 1 per task type per minute',
		node: edCell('node'),
		baseline: edCell('baseline'),
		pass: e.node.figure <= 1,
	});
	return rows;
}

function tableMarkdown(rows) {
	const lines = ['| figure | target | IMA node | baseline (seed algorithm) | IMA node meets target |', '| --- | --- | --- | --- | --- |'];
	for (const r of rows) lines.push(`| ${r.figure} | ${r.target} | ${r.node} | ${r.baseline} | ${r.pass ? 'pass' : '**FAIL**'} |`);
	return lines.join('\n');
}

/** "+a MB / +b MB": heap used and external memory at the peak sample, relative to before. */
function usageDelta(x) {
	if (!x.usageBefore || !x.usageAtPeak) return 'n/a';
	const d = (k) => x.usageAtPeak[k] - x.usageBefore[k];
	const sign = (b) => `${b >= 0 ? '+' : '−'}${(Math.abs(b) / MB).toFixed(1)} MB`;
	return `${sign(d('heapUsed'))} / ${sign(d('external'))}`;
}

function rawMarkdown(R) {
	const t = R.timing.result;
	const L = [];
	L.push('### Generate wall time (figure 1)');
	L.push('');
	L.push('| run | node | baseline |');
	L.push('| --- | --- | --- |');
	L.push(`| 1 item, ${PARAMS.oneItemRepeats} runs (s) | ${t.node.oneItemMs.map((x) => fmt(x / 1000)).join(', ')} | ${t.baseline.oneItemMs.map((x) => fmt(x / 1000)).join(', ')} |`);
	L.push(`| 1 item, median (s) | ${fmt(t.node.oneItemMedianMs / 1000)} | ${fmt(t.baseline.oneItemMedianMs / 1000)} |`);
	L.push(`| ${PARAMS.manyItems} items (s) | ${fmt(t.node.manyItemsMs / 1000)} | ${fmt(t.baseline.manyItemsMs / 1000)} |`);
	L.push(`| most tasks running at once (simulator) | ${t.node.maxInFlight} | ${t.baseline.maxInFlight} |`);
	L.push('');
	L.push(
		`Not the default, for diagnosis only: the node with Options → Max Items at Once = ${PARAMS.manyItems} ran ${PARAMS.manyItems} items in ` +
			`${fmt(t.nodeWide.manyItemsMs / 1000)} s, ratio ${fmt(t.nodeWide.ratio)}, ${t.nodeWide.maxInFlight} tasks at once.`,
	);
	L.push('');
	L.push('### Task-detail requests (figure 2)');
	L.push('');
	L.push('| | node | baseline |');
	L.push('| --- | --- | --- |');
	const p = R.timing.polling;
	L.push(`| tasks counted | ${p.node.tasks} | ${p.baseline.tasks} |`);
	L.push(`| task duration ÷ poll interval | ${fmt(p.node.expectedPolls, 2)} | ${fmt(p.baseline.expectedPolls, 2)} |`);
	L.push(`| detail requests per task, mean / max | ${fmt(p.node.meanDetail, 2)} / ${p.node.maxDetail} | ${fmt(p.baseline.meanDetail, 2)} / ${p.baseline.maxDetail} |`);
	L.push(`| every task within 1.1 × D/I + 2 | ${p.node.pass ? 'yes' : 'no'} | ${p.baseline.pass ? 'yes' : 'no'} |`);
	L.push('');
	L.push('### Memory (figures 3 and 4)');
	L.push('');
	L.push('| scenario | impl | status | RSS before | peak (sampled) | VmHWM | growth | heap used / external at peak sample (Δ) | wall (s) | check |');
	L.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
	for (const sc of ['download', 'upload']) {
		for (const impl of ['node', 'baseline']) {
			const x = R.memory[sc][impl];
			L.push(
				`| ${sc} | ${impl} | ${x.status} | ${mb(x.beforeRss)} | ${mb(x.maxSampledRss)} | ${mb(x.vmHwm)} | ${mb(x.growth)} | ${usageDelta(x)} | ${fmt((x.wallMs || NaN) / 1000)} | ${JSON.stringify(x.check || {})} |`,
			);
		}
	}
	L.push('');
	L.push('### Editor session (figure 5)');
	for (const e of R.editor.sessions) {
		L.push('');
		L.push(e.thinkSeconds ? `Session with a ${e.thinkSeconds} s (virtual) pause before each action:` : 'Session without pauses:');
		L.push('');
		L.push('| step | node: at (s), took (ms) | baseline: at (s), took (ms) |');
		L.push('| --- | --- | --- |');
		const cell = (s) => (s ? `${fmt(s.at / 1000, 1)}, ${s.ms}` : 'n/a');
		e.node.steps.forEach((s, i) => L.push(`| ${s.label} | ${cell(s)} | ${cell(e.baseline.steps[i])} |`));
		L.push(
			`| **product-list requests by task type** | ${JSON.stringify(e.node.productListByCategory)} in ${e.node.windowMinutes} min | ${JSON.stringify(e.baseline.productListByCategory)} in ${e.baseline.windowMinutes} min |`,
		);
	}
	return L.join('\n');
}

/** Data-driven hints for the targets the node misses (empty when all are met). */
function notMetMarkdown(R, rows) {
	const L = [];
	const t = R.timing.result;
	if (!rows[0].pass) {
		L.push(
			`- **Figure 1:** the simulator saw at most ${t.node.maxInFlight} of the node's ${PARAMS.manyItems} tasks running at once, so ${PARAMS.manyItems} items take about ` +
				`${Math.ceil(PARAMS.manyItems / Math.max(1, t.node.maxInFlight))} task durations. The node holds a "Max Items at Once" slot (default ${R.nodeDefaults.concurrency}) for the whole create → wait → download of an item. ` +
				`With that option raised to ${PARAMS.manyItems} (not the default) the ratio is ${fmt(t.nodeWide.ratio)}.`,
		);
	}
	if (!rows[3].pass && R.memory.upload.node.status === 'success') {
		L.push(
			'- **Figure 4:** the node streams the stored binary (`getBinaryStream`), yet RSS grows by about the file size. In n8n-core 2.11.1 `httpRequest` sends through axios with ' +
				'`maxBodyLength: Infinity` and, unless the request sets `disableFollowRedirect: true`, through follow-redirects, which keeps every chunk written to the request body ' +
				'(to replay it on a 307/308 redirect) until the response arrives.',
		);
	}
	return L.length ? `## Targets not met\n\n${L.join('\n')}\n\n` : '';
}

function benchmarksMd(R, rows) {
	const M = R.machine;
	const load = R.load;
	const pct = (f) => (f === undefined ? 'n/a' : `${(f * 100).toFixed(0)} %`);
	const underLoad = load.otherDuring !== undefined && load.otherDuring > 0.15;
	return `# Benchmarks (issue #5)

Generated by \`bench/run.js\`; rerun \`npm run bench\` to refresh this file (except its last section, "Fleet scale", which \`npm run bench:fleet\` writes and \`npm run bench\` keeps). Do not edit by hand.

- **Command:** \`npm run bench\` (= \`npm run build && node --expose-gc bench/run.js\`); not part of \`npm test\`, CI does not run it.
- **Date:** ${R.date}
- **Runtime:** ${fmt(R.runtimeMs / 1000, 0)} s for \`bench/run.js\` (plus the build)
- **Code:** commit \`${R.git.head}\`${R.git.dirtyNodes ? ' plus uncommitted changes under nodes/ (dist/ is built from the working tree)' : ''}
- **Machine:** ${M.cpu}, ${M.cores} cores, ${M.ramGiB} GiB RAM, Node ${M.node}, ${M.os}
- **Load:** other processes used ${pct(load.otherBefore)} of all cores in the 2 s before the run and about ${pct(load.otherDuring)} during it (the bench itself ${pct(load.benchDuring)}); load average ${load.loadavgStart.map((x) => x.toFixed(2)).join(' / ')} at the start, ${load.loadavgEnd.map((x) => x.toFixed(2)).join(' / ')} at the end.${underLoad ? ' **The run was under load from other users of the machine**; wall-time figures are the ones it affects.' : ''}
- **Engine:** n8n-core ${R.versions.n8nCore} / n8n-workflow ${R.versions.n8nWorkflow} \`WorkflowExecute\` (test/harness/engine.js), binary data mode \`filesystem\`, against the IMA simulator (test/simulator/) over HTTP on loopback.
- **Simulator:** figures 1–5 against the simulator without expected times (\`eet: false\`: kind-default task durations, no EET tags, so the node checks at a fixed interval as before issue 17 and the figures compare with earlier runs); the issue 17 section below against the simulator with them.
- **Speed factor:** ${PARAMS.speed} (a task of D simulated seconds is done after D/${PARAMS.speed} real seconds); poll interval scaled the same way: ${PARAMS.videoPollSeconds} s / ${PARAMS.speed} = ${fmt(PARAMS.pollInterval, 3)} s, given to both implementations as Options → Poll Interval. The node's status-check budget (10 requests/s per credential at first) is scaled by the same factor, so in simulated time it is the budget users get; \`npm run bench:fleet\` measures it unscaled at speed 1.
- **Scenario parameters:** Generate \`${PARAMS.taskType}\` with model \`${PARAMS.model}\` (its defaults), ${PARAMS.videoSeconds} simulated s per task (${fmt(PARAMS.videoSeconds / PARAMS.speed, 2)} real s), 1 item (${PARAMS.oneItemRepeats} runs, median) and ${PARAMS.manyItems} items, node options left at their defaults except the poll interval (Max Items at Once = ${R.nodeDefaults.concurrency}, read from the built node); memory: one ${PARAMS.bigBytes / MB} MB video (\`queueTask({mediaBytes})\`), one ${PARAMS.bigBytes / MB} MB PNG, RSS sampled every ${PARAMS.sampleMs} ms plus the kernel's VmHWM.

## Results

${tableMarkdown(rows)}

"baseline" is the seed's algorithm — IMA's own Python client (\`shared/ima-api/python-client-examples.md\`): items one after another; for each, \`get_products\`, \`create_task\` (credit_rules[0] and every form default), \`poll\` (task detail, then sleep the interval, until every media is done), the media downloaded whole into one Buffer and given to n8n with \`prepareBinaryData(buffer)\`; Upload Image reads the whole binary (\`getBinaryDataBuffer\`) and PUTs it; editor methods fetch the product list on every call. It is ported as an n8n node (\`bench/fixture-package/lib/ImaBaseline.node.js\`) and runs in the same engine, process and run as the real node. The seed prices every task with \`credit_rules[0]\`, which is the matching rule only for some models (for most video models the simulator answers 6006/6010, as IMA does); \`${PARAMS.model}\` is one it gets right, so both implementations run that model.

${notMetMarkdown(R, rows)}${eetMarkdown(R.eet)}

## How each figure is measured

1. **20 items ÷ 1 item.** Manual trigger with pinned items → one Generate node. Wall time is the harness's \`durationMs\` of \`WorkflowExecute.run\` (from start to the run settling, media stored). One warm-up run per implementation first (not counted). Ratio = ${PARAMS.manyItems}-item time ÷ median of ${PARAMS.oneItemRepeats} 1-item runs. "Most tasks running at once" comes from the simulator's task records (created_at, created_at + duration).
2. **Detail requests per task.** From the simulator's request record, route \`detail\`, counted per \`task_id\`, over every counted Generate run (1-item and ${PARAMS.manyItems}-item). D = the task's real duration in the simulator, I = the poll interval. A task meets the target when requests ≤ 1.1 × D/I + 2, i.e. (requests − 2) ÷ (D/I) ≤ 1.1; the cell shows the worst task's requests ÷ (D/I) and that check.
3. **Download memory.** A fresh \`node --expose-gc bench/rss-child.js download <impl>\` process (the simulator runs in another process). Two warm-up Generate runs with a small video; then gc, RSS "before", the kernel's peak mark reset (\`/proc/self/clear_refs\` = 5), and a Generate run whose task the simulator serves as a ${PARAMS.bigBytes / MB} MB MP4 (streamed by the simulator). Peak = max(\`process.memoryUsage.rss()\` sampled every ${PARAMS.sampleMs} ms, \`VmHWM\`). Growth = peak − before. The check column confirms the stored binary has all the bytes.
4. **Upload memory.** Same process setup (\`rss-child.js upload <impl>\`): warm-up runs upload a 1 MB PNG; a setup run makes the ${PARAMS.bigBytes / MB} MB PNG in n8n's filesystem binary storage without holding it in memory (a bench node writes a temp file and gives n8n a read stream, \`bench/fixture-package/lib/BenchBigFile.node.js\`); then gc, RSS before, peak reset, and the measured run: that item (binary by id) pinned on the trigger → Upload Image. The check column confirms the simulator's storage received every byte.
5. **Editor session.** A fresh \`bench/editor-child.js <impl>\` process calls the node's editor methods through n8n-core's \`LoadOptionsContext\` (harness \`callNodeMethod\`): open the model list (text_to_image, the default), switch task type to text_to_video and open it again, search "kling", pick Kling O1 (model settings load), search "hailuo", pick Hailuo 2.3 (settings), open the list, pick Pixverse V5.5 (settings), back to Kling O1 (settings), then run the workflow. Product-list requests are counted per task type (\`category\`) in the simulator's record and divided by the session length in minutes rounded up (at least 1). Two sessions: one without pauses (seconds long: the first minute), and one where the user pauses ${PARAMS.editorThinkSeconds.filter(Boolean).join(', ')} s before each action (a session of a few minutes, so a cache that expires has to reload). The pauses are virtual: the editor process's \`Date.now()\` jumps ahead instead of the bench waiting; the workflow run is real time. The figure is the worse of the two sessions. Editor calls and the run share one process, as in n8n's regular (non-queue) mode.

## Raw numbers

${rawMarkdown(R)}

Raw JSON: \`bench/output/latest.json\` (gitignored).
`;
}

// ---------------------------------------------------------------------------------------------

async function main() {
	const started = Date.now();
	const startedCpu = process.cpuUsage();
	await waitForDist();
	fs.mkdirSync(OUTPUT_DIR, { recursive: true });

	const R = {
		date: new Date().toISOString(),
		machine: machine(),
		params: PARAMS,
		git: { head: git(['rev-parse', '--short', 'HEAD']), dirtyNodes: git(['status', '--porcelain', '--', 'nodes', 'credentials']) !== '' },
		versions: {
			n8nCore: require('n8n-core/package.json').version,
			n8nWorkflow: require(require.resolve('n8n-workflow/package.json', { paths: [path.dirname(require.resolve('n8n-core/package.json'))] })).version,
		},
		load: { loadavgStart: os.loadavg() },
		nodeDefaults: nodeDefaults(),
	};
	log(`machine: ${R.machine.cpu}, ${R.machine.cores} cores, ${R.machine.ramGiB} GiB, Node ${R.machine.node}`);
	R.load.otherBefore = await quietCheck();
	log(`CPU busy (all cores) before start: ${R.load.otherBefore === undefined ? 'n/a' : (R.load.otherBefore * 100).toFixed(0) + ' %'}`);
	const cpuStart = (() => {
		try {
			return cpuTimes();
		} catch {
			return undefined;
		}
	})();
	const wallStart = Date.now();

	// Figures 1–5 as before issue 17: a simulator without expected times (kind-default durations,
	// no EET tags: the node checks at a fixed interval), so they stay comparable with earlier runs.
	const simc = await S.startSimChild(PARAMS.speed, { eet: false });
	try {
		log('scenario 5: editor session');
		R.editor = await editorScenario(simc);
		log('scenarios 1 and 2: Generate wall time and polling');
		R.timing = await timingScenarios(simc);
		log('scenarios 3 and 4: memory');
		R.memory = { download: {}, upload: {} };
		for (const sc of ['download', 'upload']) {
			for (const impl of ['node', 'baseline']) R.memory[sc][impl] = await memoryScenario(simc, sc, impl);
		}
	} finally {
		await simc.close();
	}
	log('issue 17: status checks sized to the expected time');
	R.eet = await eetScenario();

	R.load.loadavgEnd = os.loadavg();
	// CPU of this process and its (finished) children, for the "other load" estimate.
	let childrenCpuMs = 0;
	try {
		const stat = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
		const tick = 100; // USER_HZ
		childrenCpuMs = ((Number(stat[13]) + Number(stat[14])) * 1000) / tick;
	} catch {
		/* not Linux */
	}
	const own = process.cpuUsage(startedCpu);
	const benchCpuMs = (own.user + own.system) / 1000 + childrenCpuMs;
	if (cpuStart) {
		const b = busySince(cpuStart, benchCpuMs, Date.now() - wallStart);
		if (b) {
			R.load.otherDuring = b.otherFraction;
			R.load.benchDuring = b.benchFraction;
		}
	}
	R.runtimeMs = Date.now() - started;

	const rows = buildTable(R);
	R.table = rows;
	const json = JSON.stringify(R, null, 2);
	fs.writeFileSync(path.join(OUTPUT_DIR, `bench-${R.date.replace(/[:.]/g, '-')}.json`), json);
	fs.writeFileSync(path.join(OUTPUT_DIR, 'latest.json'), json);
	// The fleet section (bench/fleet.js, `npm run bench:fleet`) is kept as it was.
	const previous = fs.existsSync(BENCHMARKS_MD) ? fs.readFileSync(BENCHMARKS_MD, 'utf8') : '';
	fs.writeFileSync(BENCHMARKS_MD, withFleetSection(benchmarksMd(R, rows), fleetSection(previous)));

	console.log('');
	console.log(tableMarkdown(rows));
	console.log('');
	console.log(rawMarkdown(R));
	console.log('');
	log(`done in ${(R.runtimeMs / 1000).toFixed(0)} s; wrote BENCHMARKS.md and bench/output/latest.json`);
	const failed = rows.filter((r) => !r.pass).length;
	if (failed) log(`${failed} target(s) not met by the IMA node`);
}

if (require.main === module) {
	main().catch((error) => {
		console.error('[bench] failed:', error && error.stack ? error.stack : error);
		process.exitCode = 1;
	});
}

module.exports = { buildTable, tableMarkdown, rawMarkdown, benchmarksMd, waitForDist, cpuTimes, quietCheck, busySince, git, machine, maxInFlight, median };
