'use strict';
/**
 * The fleet-scale benchmark (issues 12 and 17). `npm run bench:fleet`
 * (= `npm run build && node --expose-gc bench/fleet.js [--only part,part] [--repeats N]
 * [--repeats500 N] [--mem-repeats N]`). Parts:
 *
 * - `timing`: Generate over 100 items of one video model ÷ 1 item, in n8n-core's WorkflowExecute
 *   (test/harness/engine.js) against the simulator in REAL time (speed 1): the node's status-check
 *   budget runs on the real clock and cannot be scaled with the simulator. 60 s tasks queued on
 *   `kling-video-o1`, against the simulator WITHOUT expected times (no EET tags: the node checks at
 *   a fixed interval), so the figure compares with the runs before issue 17.
 * - `fleet500`: 500 items ÷ 1 item at speed 1 with EET-faithful durations (the simulator draws each
 *   inside the model's EET range and serves the tags): the expected-time schedule and the budget
 *   that learns, together. The 1-item run of each pair gets the slowest task of its 500-item run.
 * - `budget`: the budget that learns, against a simulator enforcing a rate limit the node is not
 *   told (25 task-detail requests/s, 429 with Retry-After: 1), and against one with no limit;
 *   200 items of a version without an EET tag polled every 2 s (100 checks/s wanted).
 * - `memory`: peak RSS growth of a fresh process while 20 media of 100 MB download at once.
 * - `memory500`: peak RSS growth of a fresh process over Generate of 500 items of 1 MB media.
 *
 * Every task-detail request is counted from the simulator's record; the budget in force comes
 * from the node's own budget (its history of changes, read in this process). Each part's result
 * is kept in bench/output/fleet-parts/<part>.json; the fleet section of BENCHMARKS.md is written
 * from the parts of this run and, for parts not run now, their last saved result (its date is
 * shown). Not part of `npm test`; CI does not run it.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const S = require('./scenarios');
const L = require('./fleet-lib');
const R5 = require('./run');

const { MB } = S;
const OUTPUT_DIR = path.join(__dirname, 'output');
const PARTS_DIR = path.join(OUTPUT_DIR, 'fleet-parts');
const BENCHMARKS_MD = path.join(S.REPO, 'BENCHMARKS.md');
const PARTS = ['memory', 'memory500', 'budget', 'timing', 'fleet500'];
const log = (...a) => console.log('[fleet]', ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function arg(name, fallback) {
	const i = process.argv.indexOf(`--${name}`);
	return i >= 0 && process.argv[i + 1] !== undefined ? Number(process.argv[i + 1]) : fallback;
}

function onlyParts() {
	const i = process.argv.indexOf('--only');
	if (process.argv.includes('--memory-only')) return ['memory', 'memory500'];
	if (process.argv.includes('--timing-only')) return ['timing'];
	if (i < 0 || !process.argv[i + 1]) return PARTS;
	const parts = process.argv[i + 1].split(',').map((p) => p.trim());
	for (const p of parts) if (!PARTS.includes(p)) throw new Error(`--only: unknown part ${p} (parts: ${PARTS.join(', ')})`);
	return parts;
}

const FLEET = {
	/** Real time: the budget is real time (see the header). */
	speed: 1,
	taskType: S.PARAMS.taskType,
	model: S.PARAMS.model,
	/** The simulator's default video duration, simulated = real seconds at speed 1. */
	videoSeconds: arg('seconds', 60),
	/** The node's default poll interval for video (taskTypes.ts DEFAULT_POLL_INTERVAL.video). */
	pollSeconds: 8,
	items: arg('items', 100),
	/** Pairs (1 item, then 100 items) measured; median and spread reported. */
	repeats: arg('repeats', 3),
	/** Pause between runs. */
	pauseMs: 3000,
	memory: {
		speed: 30,
		items: 20,
		width: 20,
		mediaBytes: 100 * MB,
		/** Done at once: every task reaches its download together (see BENCHMARKS.md). */
		durationSec: 0,
		repeats: arg('mem-repeats', 3),
		targetMb: 128,
	},
	memory500: {
		speed: 30,
		items: 500,
		/** Max Items at Once: the default. */
		width: 5,
		mediaBytes: 1 * MB,
		repeats: arg('mem-repeats', 3),
		targetMb: 256,
	},
	fleet500: {
		items: 500,
		taskType: 'text_to_video',
		model: 'MiniMax-Hailuo-2.3',
		repeats: arg('repeats500', 3),
		ratioTarget: 1.3,
	},
	budget: {
		items: 200,
		taskType: 'text_to_speech',
		/** A version without an EET tag: checked every pollSeconds from the create. */
		model: 'seed-tts-2.0',
		pollSeconds: 2,
		taskSeconds: 90,
		limit: 25,
		retryAfter: 1,
		/** The settled rate is read after this ramp (s) until this long before the last check. */
		settleFromSec: 20,
		tailSec: 10,
		target429: 0.05,
	},
	ratioTarget: 1.3,
};

function dist(rel) {
	return require(path.join(S.REPO, 'dist/nodes/Ima', rel));
}

/** The node's budget constants, read from the built node (so the targets follow the code). */
function budgetConstants() {
	const { STATUS_BUDGET } = dist('helpers/pollBudget.js');
	return { ...STATUS_BUDGET };
}

function nodeDefaults() {
	const { Ima } = dist('Ima.node.js');
	const options = new Ima().description.properties.find((p) => p.name === 'options');
	const get = (name) => (options.options.find((o) => o.name === name) || {}).default;
	return { concurrency: get('concurrency'), pollInterval: get('pollInterval') };
}

/**
 * When the node's budget let each check go (its own clock), recorded by wrapping
 * `StatusBudget.acquire` in this process (a probe: the behaviour is unchanged). The simulator's
 * record shows when the checks arrived, which on a loaded machine can be later and bunched: a
 * process that gets no CPU for a few hundred ms sends the checks let go meanwhile together.
 */
const GRANTS = [];
function installGrantProbe() {
	const { StatusBudget } = dist('helpers/pollBudget.js');
	if (StatusBudget.prototype.acquire.probed) return;
	const original = StatusBudget.prototype.acquire;
	StatusBudget.prototype.acquire = async function (...args) {
		const ticket = await original.apply(this, args);
		if (ticket) GRANTS.push(ticket.sentAt);
		return ticket;
	};
	StatusBudget.prototype.acquire.probed = true;
}

/** A fresh budget and fresh learned windows in this process (each measured run starts as documented). */
function freshNodeState() {
	installGrantProbe();
	dist('helpers/pollBudget.js').clearBudgets();
	dist('helpers/checkSchedule.js').clearLearned();
	GRANTS.length = 0;
}

/** The history of the (only) budget in this process, copied. */
function budgetHistory() {
	const all = dist('helpers/pollBudget.js').allBudgets();
	return all.length ? all[0].history.map((h) => ({ ...h })) : [];
}

/** Figures of one run from the simulator's record and the budget's history. */
function runFigures(summary, history, grants) {
	const checks = summary.detailChecks;
	const times = checks.map((c) => c.time);
	const window = L.maxInWindow(times, 1000);
	const budgetCheck = L.windowsOverBudget(times, history);
	const nodeCheck = L.windowsOverBudget(grants, history, 0);
	const lags = summary.tasks.map((t) => {
		const doneAt = t.createdAt + t.durationMs;
		const seen = checks.filter((c) => c.taskId === t.id && !c.limited && c.time >= doneAt).map((c) => c.time);
		return seen.length ? Math.min(...seen) - doneAt : NaN;
	});
	return {
		total: checks.length,
		limited: checks.filter((c) => c.limited).length,
		perTaskMean: checks.length / Math.max(1, summary.tasks.length),
		maxPerSecond: window.count,
		meanPerSecond: L.meanRate(times),
		/** As the node let the checks go (its budget's own clock). */
		granted: grants.length,
		nodeMaxPerSecond: nodeCheck.maxCount,
		nodeOverBudget: nodeCheck.over,
		nodeWorstWindow: nodeCheck.worst,
		/** As the simulator received them. */
		overBudget: budgetCheck.over,
		worstWindow: budgetCheck.worst,
		gapMedianMs: L.median(L.checkGaps(checks)),
		doneToSeenMedianMs: L.median(lags),
		doneToSeenMaxMs: Math.max(...lags),
		budgetMax: Math.max(...history.map((h) => h.perSecond)),
		budgetEnd: history.length ? history[history.length - 1].perSecond : undefined,
	};
}

async function generateRun(harness, simc, count, label, { taskType = FLEET.taskType, model = FLEET.model, options = {} } = {}) {
	freshNodeState();
	const r = await harness.runWorkflow({
		workflow: S.generateWorkflow('node', count, { taskType, modelId: model, options }),
		credentials: S.credsFor(simc.sim),
		binaryDataMode: 'filesystem',
		timeoutMs: 60 * 60 * 1000,
	});
	const summary = await simc.call('summary');
	const items = (r.outputs[S.IMA] || []).length;
	const withBinary = (r.outputs[S.IMA] || []).filter((o) => o.binary && o.binary.data).length;
	if (r.status !== 'success' || items !== count || withBinary !== count) {
		throw new Error(`${label}: ${r.status} with ${items}/${count} items (${withBinary} with media): ${r.error && r.error.message}`);
	}
	const history = budgetHistory();
	const run = {
		count,
		label,
		wallMs: r.durationMs,
		tasks: summary.tasks.length,
		maxInFlight: R5.maxInFlight(summary.tasks),
		createSpreadMs: Math.max(...summary.tasks.map((t) => t.createdAt)) - Math.min(...summary.tasks.map((t) => t.createdAt)),
		durationsMs: { min: Math.min(...summary.tasks.map((t) => t.durationMs)), max: Math.max(...summary.tasks.map((t) => t.durationMs)) },
		byRoute: summary.byRoute,
		detail: runFigures(summary, history, [...GRANTS]),
		history,
	};
	const d = run.detail;
	log(
		`${label}: ${(r.durationMs / 1000).toFixed(2)} s, ${run.tasks} tasks (${run.maxInFlight} at once), detail ${d.total} (${d.perTaskMean.toFixed(1)}/task, max ${d.maxPerSecond} in 1 s, ` +
			`windows over the budget: ${d.nodeOverBudget} as let go, ${d.overBudget} as received; budget up to ${d.budgetMax}/s), done→seen median ${(d.doneToSeenMedianMs / 1000).toFixed(2)} s max ${(d.doneToSeenMaxMs / 1000).toFixed(2)} s`,
	);
	return { run, summary };
}

// ---------------------------------------------------------------------------------------------
// Parts
// ---------------------------------------------------------------------------------------------

/** 100 items ÷ 1 item, as in issue 12 (simulator without expected times). */
async function timingPart() {
	const harness = require('../test/harness/engine');
	const simc = await S.startSimChild(FLEET.speed, { eet: false });
	const runs = [];
	const once = async (count, label, durationSec = FLEET.videoSeconds) => {
		await simc.call('reset');
		for (let i = 0; i < count; i++) await simc.call('queueTask', { durationSec });
		const { run } = await generateRun(harness, simc, count, label, { options: { pollInterval: FLEET.pollSeconds } });
		runs.push(run);
		await sleep(FLEET.pauseMs);
		return run;
	};
	try {
		await once(1, 'warm-up 1 item', 1);
		await once(FLEET.items, `warm-up ${FLEET.items} items`, 1);
		runs.length = 0;
		const pairs = [];
		for (let k = 0; k < FLEET.repeats; k++) {
			const one = await once(1, `1 item #${k + 1}`);
			const many = await once(FLEET.items, `${FLEET.items} items #${k + 1}`);
			pairs.push({ one, many, ratio: many.wallMs / one.wallMs });
		}
		const ratio = L.median(pairs.map((p) => p.many.wallMs)) / L.median(pairs.map((p) => p.one.wallMs));
		return {
			pairs,
			runs,
			oneMs: L.spread(pairs.map((p) => p.one.wallMs)),
			manyMs: L.spread(pairs.map((p) => p.many.wallMs)),
			ratio,
			pairRatios: L.spread(pairs.map((p) => p.ratio)),
			ratioPass: ratio <= FLEET.ratioTarget,
			overBudget: runs.reduce((a, r) => a + r.detail.overBudget, 0),
			nodeOverBudget: runs.reduce((a, r) => a + r.detail.nodeOverBudget, 0),
			maxPerSecond: Math.max(...runs.map((r) => r.detail.maxPerSecond)),
		};
	} finally {
		await simc.close();
	}
}

/** 500 items ÷ 1 item with EET-faithful durations at speed 1. */
async function fleet500Part() {
	const F5 = FLEET.fleet500;
	const harness = require('../test/harness/engine');
	const simc = await S.startSimChild(1);
	// Poll Interval 0: the kind's default (S.generateWorkflow would otherwise give the bench's scaled one).
	const opts = { taskType: F5.taskType, model: F5.model, options: { pollInterval: 0 } };
	try {
		// Warm-up (modules, JIT, sockets, the product cache, a wide execution) on a version without an
		// EET tag and 1 s tasks; then a fresh budget and no learned windows.
		for (const n of [1, 100]) {
			await simc.call('reset');
			for (let i = 0; i < n; i++) await simc.call('queueTask', { durationSec: 1 });
			await generateRun(harness, simc, n, `warm-up ${n}`, { taskType: 'text_to_speech', model: 'seed-tts-2.0', options: { pollInterval: 0 } });
		}
		const pairs = [];
		let eet;
		for (let k = 0; k < F5.repeats; k++) {
			await simc.call('reset');
			const { run: many, summary } = await generateRun(harness, simc, F5.items, `${F5.items} items #${k + 1}`, opts);
			eet = summary.tasks[0].expectedSec;
			await sleep(FLEET.pauseMs);
			await simc.call('reset');
			// The slowest task of the 500, alone.
			await simc.call('queueTask', { durationSec: many.durationsMs.max / 1000 });
			const { run: one } = await generateRun(harness, simc, 1, `1 item #${k + 1} (${(many.durationsMs.max / 1000).toFixed(1)} s, the slowest of #${k + 1})`, opts);
			await sleep(FLEET.pauseMs);
			pairs.push({ one, many, ratio: many.wallMs / one.wallMs });
		}
		const runs = pairs.flatMap((p) => [p.many, p.one]);
		const ratio = L.median(pairs.map((p) => p.ratio));
		const { checkPlan, preWindowChecks } = dist('helpers/checkSchedule.js');
		const { DEFAULT_POLL_INTERVAL, mediaKindOf } = dist('helpers/taskTypes.js');
		const intervalSec = DEFAULT_POLL_INTERVAL[mediaKindOf(F5.taskType)];
		const preWindow = eet ? preWindowChecks(checkPlan({ startMs: eet[0] * 1000, endMs: eet[1] * 1000 }, intervalSec * 1000)).map((ms) => ms / 1000) : [];
		return {
			eet,
			intervalSec,
			preWindow,
			pairs,
			ratio,
			pairRatios: L.spread(pairs.map((p) => p.ratio)),
			manyMs: L.spread(pairs.map((p) => p.many.wallMs)),
			oneMs: L.spread(pairs.map((p) => p.one.wallMs)),
			ratioPass: ratio <= F5.ratioTarget,
			overBudget: runs.reduce((a, r) => a + r.detail.overBudget, 0),
			nodeOverBudget: runs.reduce((a, r) => a + r.detail.nodeOverBudget, 0),
			worstWindow: runs.map((r) => r.detail.worstWindow).reduce((w, x) => (x.excess > w.excess ? x : w)),
			nodeWorstWindow: runs.map((r) => r.detail.nodeWorstWindow).reduce((w, x) => (x.excess > w.excess ? x : w)),
			checksPerTask: L.spread(pairs.map((p) => p.many.detail.perTaskMean)),
		};
	} finally {
		await simc.close();
	}
}

/** Mean of a budget's value over [from, to) (time-weighted), from its history. */
function meanBudget(history, from, to) {
	let sum = 0;
	for (let i = 0; i < history.length; i++) {
		const a = Math.max(from, history[i].at);
		const b = Math.min(to, i + 1 < history.length ? history[i + 1].at : to);
		if (b > a) sum += history[i].perSecond * (b - a);
	}
	return sum / Math.max(1, to - from);
}

/** The budget that learns: a hidden 25/s limit, and no limit. */
async function budgetPart() {
	const B = FLEET.budget;
	const harness = require('../test/harness/engine');
	const out = {};
	for (const [name, rateLimits] of [
		['hidden', { detail: { perSecond: B.limit, retryAfter: B.retryAfter } }],
		['none', {}],
	]) {
		const simc = await S.startSimChild(1, { rateLimits });
		try {
			// Warm-up: one item (modules, sockets, the product cache); not counted.
			await simc.call('reset');
			await simc.call('queueTask', { durationSec: 1 });
			await generateRun(harness, simc, 1, `${name}: warm-up`, { taskType: B.taskType, model: B.model, options: { pollInterval: B.pollSeconds } });
			await simc.call('reset');
			for (let i = 0; i < B.items; i++) await simc.call('queueTask', { durationSec: B.taskSeconds });
			const { run, summary } = await generateRun(harness, simc, B.items, `${name}: ${B.items} items every ${B.pollSeconds} s`, {
				taskType: B.taskType,
				model: B.model,
				options: { pollInterval: B.pollSeconds },
			});
			const checks = summary.detailChecks;
			const first = Math.min(...checks.map((c) => c.time));
			const last = Math.max(...checks.map((c) => c.time));
			const from = first + B.settleFromSec * 1000;
			const to = last - B.tailSec * 1000;
			const answered = L.perSecond(checks.filter((c) => !c.limited).map((c) => c.time), from, (to - from) / 1000);
			const all = L.perSecond(checks.map((c) => c.time), from, (to - from) / 1000);
			out[name] = {
				limit: name === 'hidden' ? B.limit : undefined,
				run,
				share429: run.detail.limited / run.detail.total,
				settled: {
					fromSec: B.settleFromSec,
					seconds: answered.length,
					answeredMedian: L.median(answered),
					answeredMean: answered.reduce((a, b) => a + b, 0) / Math.max(1, answered.length),
					sentMedian: L.median(all),
					budgetMean: meanBudget(run.history, from, to),
				},
				rateChanges: run.history.length,
				cuts: run.history.filter((h, i) => i > 0 && h.perSecond < run.history[i - 1].perSecond).length,
			};
			const o = out[name];
			log(
				`${name}: ${run.detail.total} checks, ${run.detail.limited} answered 429 (${(o.share429 * 100).toFixed(2)} %), settled: answered ${o.settled.answeredMedian}/s median ` +
					`(mean ${o.settled.answeredMean.toFixed(1)}), budget mean ${o.settled.budgetMean.toFixed(1)}/s, max ${run.detail.maxPerSecond} in 1 s, ${o.cuts} halvings`,
			);
		} finally {
			await simc.close();
		}
	}
	const C = budgetConstants();
	return {
		...out,
		hiddenPass: out.hidden.share429 < B.target429 && out.hidden.settled.answeredMedian >= 0.5 * B.limit && out.hidden.settled.answeredMedian <= B.limit,
		nonePass: out.none.run.detail.nodeMaxPerSecond <= C.capPerSecond && out.none.run.detail.nodeOverBudget === 0,
	};
}

async function memoryOnce(simc, M, { budgetScale = 1 } = {}) {
	await simc.call('reset');
	const c = S.spawnChild(path.join(__dirname, 'rss-child.js'), ['fleetDownload', 'node', String(M.items), String(M.width)], { execArgv: ['--expose-gc'] });
	c.send({ type: 'config', sim: simc.sim, budgetScale });
	const first = await c.next(['ready', 'result']);
	if (first.type === 'result') {
		await c.exited;
		return first;
	}
	await simc.call('reset');
	for (let i = 0; i < M.items; i++) await simc.call('queueTask', M.durationSec === undefined ? { mediaBytes: M.mediaBytes } : { mediaBytes: M.mediaBytes, durationSec: M.durationSec });
	await simc.call('watchStreams', { everyMs: 5 });
	c.send({ type: 'go' });
	const res = await c.next('result');
	await c.exited;
	res.streams = await simc.call('stopWatchStreams');
	const summary = await simc.call('summary');
	res.sim = { byRoute: summary.byRoute, mediaGets: summary.mediaGets.filter((g) => /\.mp4$/.test(g.path)).length };
	const bytes = (res.check && res.check.binaryBytes) || [];
	res.allBytes = bytes.length === M.items && bytes.every((b) => b === M.mediaBytes);
	res.pass = res.status === 'success' && res.allBytes && res.growth <= M.targetMb * MB && (M.durationSec !== 0 || res.streams.max >= M.items);
	log(
		`memory ${M.items} × ${M.mediaBytes / MB} MB: ${res.status}, growth ${(res.growth / MB).toFixed(1)} MB (before ${(res.beforeRss / MB).toFixed(1)} MB, peak ${(res.peakRss / MB).toFixed(1)} MB), ` +
			`${res.streams.max} media bodies open at once, ${bytes.length} binaries${res.allBytes ? ' all complete' : ' NOT all complete'}, ${((res.wallMs || NaN) / 1000).toFixed(2)} s` +
			(res.error ? ` — ${String(res.error).split('\n')[0]}` : ''),
	);
	return res;
}

async function memoryPart(M, options = {}) {
	const simc = await S.startSimChild(M.speed);
	try {
		const runs = [];
		for (let k = 0; k < M.repeats; k++) runs.push(await memoryOnce(simc, M, options));
		const ok = runs.filter((r) => r.status === 'success');
		return { runs, growth: ok.length ? L.spread(ok.map((r) => r.growth)) : undefined, pass: runs.length > 0 && runs.every((r) => r.pass) };
	} finally {
		await simc.close();
	}
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

const fmt = (n, d = 2) => (n === undefined || n === null || !Number.isFinite(n) ? 'n/a' : n.toFixed(d));
const sec = (ms, d = 2) => fmt(ms / 1000, d);
const mbs = (b) => fmt(b / MB, 1);
const sp = (x, f) => `${f(x.median)} (${f(x.min)}–${f(x.max)})`;
const pct = (f) => `${fmt(f * 100, 2)} %`;
const ok = (b) => (b ? 'pass' : '**FAIL**');

function memoryRows(M) {
	const rows = [];
	M.runs.forEach((x, i) => {
		const d = (k) => (x.usageAtPeak && x.usageBefore ? x.usageAtPeak[k] - x.usageBefore[k] : NaN);
		const sign = (b) => (Number.isFinite(b) ? `${b >= 0 ? '+' : '−'}${mbs(Math.abs(b))} MB` : 'n/a');
		const items = (x.check && x.check.binaryBytes) || [];
		rows.push(
			`| #${i + 1} | ${x.status} | ${mbs(x.beforeRss)} MB | ${mbs(x.maxSampledRss)} MB | ${mbs(x.vmHwm)} MB | ${mbs(x.growth)} MB | ${sign(d('heapUsed'))} / ${sign(d('external'))} | ${x.streams ? x.streams.max : 'n/a'} | ${x.allBytes ? `yes (${items.length} × ${items[0]} B)` : `no${x.error ? `: ${String(x.error).split('\n')[0].slice(0, 120)}` : ''}`} | ${sec(x.wallMs)} |`,
		);
	});
	return rows;
}

function runRow(r) {
	const d = r.detail;
	return `| ${r.label} | ${sec(r.wallMs)} | ${r.tasks} / ${r.maxInFlight} | ${sec(r.createSpreadMs)} | ${d.total} (${fmt(d.perTaskMean, 1)}) | ${d.limited} | ${d.nodeMaxPerSecond} / ${d.maxPerSecond} | ${d.budgetMax} / ${d.budgetEnd} | ${d.nodeOverBudget} / ${d.overBudget} | ${sec(d.gapMedianMs, 1)} | ${sec(d.doneToSeenMedianMs, 1)} / ${sec(d.doneToSeenMaxMs, 1)} |`;
}

function section(F, P) {
	const C = F.budget;
	const T = P.timing;
	const F5 = P.fleet500;
	const B = P.budget;
	const M = P.memory;
	const M5 = P.memory500;
	const when = (part) => (P[part] ? `${P[part].meta.date}, commit \`${P[part].meta.git}\`${P[part].meta.dirtyNodes ? ' + uncommitted changes under nodes/' : ''}` : 'not run');
	const X = [];
	X.push(L.FLEET_START);
	X.push('## Fleet scale (issues 12 and 17)');
	X.push('');
	X.push('Generated by `bench/fleet.js`; rerun `npm run bench:fleet` to refresh this section (`npm run bench` keeps it). Do not edit by hand.');
	X.push('');
	X.push(
		`- **Command:** \`npm run bench:fleet\` (= \`npm run build && node --expose-gc bench/fleet.js\`; options \`--repeats ${FLEET.repeats}\` \`--repeats500 ${FLEET.fleet500.repeats}\` \`--mem-repeats ${FLEET.memory.repeats}\`, \`--only part,…\` runs some parts; the others are shown from their last saved run). Not part of \`npm test\`; CI does not run it.`,
	);
	X.push(`- **Parts measured:** ${PARTS.map((p) => `${p}: ${when(p)}`).join('; ')}.`);
	X.push(`- **Machine:** ${F.machine.cpu}, ${F.machine.cores} cores, ${F.machine.ramGiB} GiB RAM, Node ${F.machine.node}, ${F.machine.os}`);
	X.push(
		`- **Load:** shared with other engineers' work. Load average per part (start → end): ${PARTS.filter((p) => P[p]).map((p) => `${p} ${P[p].meta.loadavgStart.map((x) => x.toFixed(2))[0]} → ${P[p].meta.loadavgEnd.map((x) => x.toFixed(2))[0]}`).join(', ')}. Each wall-time figure is the median of its pairs, spread in brackets (min–max).`,
	);
	X.push(
		`- **Status-check budget** (read from the built node, \`helpers/pollBudget.ts\`): per credential per process, at most the budget in force in any one-second window; ${C.startPerSecond}/s at first, growing toward ${C.capPerSecond}/s while the checks wait for it and IMA answers without 429, halved on a 429 (never below ${C.floorPerSecond}/s) with every check paused for Retry-After. It runs on the real clock, so every wall-time and rate figure here runs the simulator at **speed 1 (real time)**.`,
	);
	X.push('');
	X.push('| figure | target | IMA node | meets target |');
	X.push('| --- | --- | --- | --- |');
	if (T) {
		X.push(
			`| wall time of ${FLEET.items} items ÷ 1 item, \`${FLEET.model}\` Generate, ${FLEET.videoSeconds} s tasks, simulator without EET tags (the issue 12 figure) | ≤ ${FLEET.ratioTarget} | ${fmt(T.ratio)} = ${sec(T.manyMs.median)} s ÷ ${sec(T.oneMs.median)} s (medians); per pair ${sp(T.pairRatios, (x) => fmt(x))} | ${ok(T.ratioPass)} |`,
		);
	}
	if (F5) {
		X.push(
			`| wall time of ${FLEET.fleet500.items} items ÷ 1 item, \`${FLEET.fleet500.model}\` Generate (EET ${F5.eet ? `${F5.eet[0]}~${F5.eet[1]}s` : 'none'}), durations drawn inside the EET range, the 1 item = the slowest of the ${FLEET.fleet500.items} | ≤ ${FLEET.fleet500.ratioTarget} | ${fmt(F5.ratio)} (median of per-pair ratios; per pair ${sp(F5.pairRatios, (x) => fmt(x))}); ${sec(F5.manyMs.median)} s and ${sec(F5.oneMs.median)} s (medians); status checks per task ${sp(F5.checksPerTask, (x) => fmt(x, 1))} | ${ok(F5.ratioPass)} |`,
		);
	}
	if (T || F5 || B) {
		const runs = [...(T ? T.runs : []), ...(F5 ? F5.pairs.flatMap((p) => [p.many, p.one]) : []), ...(B ? [B.hidden.run, B.none.run] : [])];
		const nodeOver = runs.reduce((a, r) => a + r.detail.nodeOverBudget, 0);
		const simOver = runs.reduce((a, r) => a + r.detail.overBudget, 0);
		const worst = runs.map((r) => r.detail.worstWindow).reduce((w, x) => (x.excess > w.excess ? x : w));
		const windows = runs.reduce((a, r) => a + r.detail.total, 0);
		X.push(
			`| status checks in any 1 s window above the budget in force, as the node let them go (its budget's clock, against its budget history; every counted run of timing, fleet500 and budget) | 0 windows | ${nodeOver} of ${windows} windows | ${ok(nodeOver === 0)} |`,
		);
		X.push(
			`| the same, as the simulator received them (arrival times; 50 ms allowed for the way there) | (see note) | ${simOver} of ${windows} windows; worst: ${worst.count} checks with ${worst.allowed} allowed | ${simOver === 0 ? 'pass' : 'see note'} |`,
		);
	}
	if (B) {
		X.push(
			`| against a hidden limit of ${FLEET.budget.limit}/s (429, Retry-After ${FLEET.budget.retryAfter} s): checks answered 429; checks answered per second once settled (median) | < ${FLEET.budget.target429 * 100} %; near ${FLEET.budget.limit} | ${pct(B.hidden.share429)} (${B.hidden.run.detail.limited} of ${B.hidden.run.detail.total}); ${fmt(B.hidden.settled.answeredMedian, 0)}/s (mean ${fmt(B.hidden.settled.answeredMean, 1)}/s, budget in force ${fmt(B.hidden.settled.budgetMean, 1)}/s on average, ${B.hidden.cuts} halvings) | ${ok(B.hiddenPass)} |`,
		);
		X.push(
			`| against no limit: most checks in any 1 s window, as let go (as received) | ≤ the cap, ${C.capPerSecond} | ${B.none.run.detail.nodeMaxPerSecond} (${B.none.run.detail.maxPerSecond}); budget reached ${B.none.run.detail.budgetMax}/s; answered ${fmt(B.none.settled.answeredMedian, 0)}/s once settled | ${ok(B.nonePass)} |`,
		);
	}
	if (M) {
		X.push(
			`| peak RSS growth while ${FLEET.memory.items} media of ${FLEET.memory.mediaBytes / MB} MB download at once (Max Items at Once ${FLEET.memory.width}, filesystem binary mode) | ≤ ${FLEET.memory.targetMb} MB | ${M.growth ? `${sp(M.growth, mbs)} MB` : 'n/a'}; most media bodies open at once (simulator): ${M.runs.map((r) => (r.streams ? r.streams.max : 'n/a')).join(', ')} | ${ok(M.pass)} |`,
		);
	}
	if (M5) {
		X.push(
			`| peak RSS growth of Generate over ${FLEET.memory500.items} items of ${FLEET.memory500.mediaBytes / MB} MB media (one execution, Max Items at Once ${FLEET.memory500.width}, filesystem binary mode) | ≤ ${FLEET.memory500.targetMb} MB | ${M5.growth ? `${sp(M5.growth, mbs)} MB` : 'n/a'} | ${ok(M5.pass)} |`,
		);
	}
	X.push('');
	X.push('### What the figures mean');
	X.push('');
	if (T) {
		X.push(
			`**100 items (issue 12's figure, kept).** ${FLEET.items} tasks of ${FLEET.videoSeconds} s checked every ${FLEET.pollSeconds} s want ${fmt(FLEET.items / FLEET.pollSeconds, 1)} checks/s; the budget starts at ${C.startPerSecond}/s and, since it limits the checks and the simulator never answers 429, grows (to ${Math.max(...T.pairs.map((p) => p.many.detail.budgetMax))}/s at most in these runs). Median gap between two checks of one task: ${sp(L.spread(T.pairs.map((p) => p.many.detail.gapMedianMs)), (x) => sec(x, 1))} s with ${FLEET.items} items, ${sp(L.spread(T.pairs.map((p) => p.one.detail.gapMedianMs)), (x) => sec(x, 1))} s alone; done → seen, median / max: ${sp(L.spread(T.pairs.map((p) => p.many.detail.doneToSeenMedianMs)), (x) => sec(x, 1))} / ${sp(L.spread(T.pairs.map((p) => p.many.detail.doneToSeenMaxMs)), (x) => sec(x, 1))} s with ${FLEET.items} items. These tasks run against a simulator without EET tags, so the node checks them at a fixed interval (as before issue 17) and the figure compares with earlier runs.`,
		);
		X.push('');
	}
	if (F5) {
		X.push(
			`**${FLEET.fleet500.items} items.** Each task's duration is drawn by the simulator inside \`${FLEET.fleet500.model}\`'s EET range (${F5.eet ? `${F5.eet[0]}~${F5.eet[1]} s` : 'none'}) and the tag is served, so the node checks each task ${F5.preWindow.length ? `at ${F5.preWindow.join(', ')} s before its window` : 'not at all before its window'} and every ${F5.intervalSec} s (the kind's default) inside it. The ${FLEET.fleet500.items} tasks are created within seconds of each other, so their checks come due together: the budget spreads them (it grows while it limits them, up to ${C.capPerSecond}/s; ${FLEET.fleet500.items} tasks every ${F5.intervalSec} s would want ${fmt(FLEET.fleet500.items / F5.intervalSec, 1)}/s). The 1-item run of each pair is given the slowest task of its ${FLEET.fleet500.items}-item run (that run cannot end before its slowest task), so the ratio measures what ${FLEET.fleet500.items} at once cost over that task alone; against a 1-item run with its own random draw the ratio would mostly measure the draw (up to the tag's end ÷ its middle).`,
		);
		X.push('');
	}
	if (T || F5 || B) {
		X.push(
			'**Windows as let go and as received.** The node\'s budget counts a check when it lets it go; the simulator records it when the request arrives, after the node\'s HTTP path (n8n\'s request helper, the credential, the socket) in a busy process on a shared machine. Checks let go some hundred ms apart sometimes arrive together (a probe run at load average 12 showed ten checks let go over 160 ms arriving within 2 ms, 225 ms after the first was let go), so a one-second window of arrivals can hold more than the budget although the budget never let more go (first row). The second row counts those windows; the budget\'s own window has a 50 ms margin for ordinary delays.',
		);
		X.push('');
	}
	if (B) {
		const h = B.hidden;
		const hist = h.run.history;
		const peaks = hist.filter((x, i) => i + 1 < hist.length && hist[i + 1].perSecond < x.perSecond).map((x) => x.perSecond);
		const peakText = peaks.length ? `to ${Math.min(...peaks)}–${Math.max(...peaks)}/s before each 429` : `to ${h.run.detail.budgetMax}/s`;
		X.push(
			`**The budget that learns.** ${FLEET.budget.items} tasks of \`${FLEET.budget.model}\` (no EET tag, so checked every Poll Interval = ${FLEET.budget.pollSeconds} s from the create) want ${fmt(FLEET.budget.items / FLEET.budget.pollSeconds, 0)} checks/s for ${FLEET.budget.taskSeconds} s. Against the hidden ${FLEET.budget.limit}/s limit (the simulator's token bucket: ${FLEET.budget.limit} per second, holding ${FLEET.budget.limit}) the budget climbed from ${C.startPerSecond}/s by about one per second each second, ${peakText} (a budget a little above the limit empties the bucket only slowly), halving at each and climbing again, ${h.cuts} halvings in all: the checks answered settled at ${fmt(h.settled.answeredMedian, 0)}/s (median; mean ${fmt(h.settled.answeredMean, 1)}/s), ${fmt((100 * h.settled.answeredMean) / FLEET.budget.limit, 0)} % of the limit, and ${h.run.detail.limited} checks were answered 429 (each waited out and sent again; every task done). Against no limit the budget climbed to the cap, ${B.none.run.detail.budgetMax}/s, and stayed there. "Settled" = from ${FLEET.budget.settleFromSec} s after the first check to ${FLEET.budget.tailSec} s before the last.`,
		);
		X.push('');
	}
	X.push('### How the fleet figures are measured');
	X.push('');
	X.push(
		`1. **Wall time.** Manual trigger with N pinned items → one Generate node (form defaults), n8n-core's \`WorkflowExecute\` in this process, filesystem binary mode, every media downloaded and stored; wall time = the harness's \`durationMs\`. Before every counted run the node's budget and learned windows are reset in this process (each run starts as a fresh worker would); ${FLEET.pauseMs / 1000} s pause between runs. timing: warm-up 1 and ${FLEET.items} items with 1 s tasks, then ${FLEET.repeats} pairs (1 item, ${FLEET.items} items), ratio = median ÷ median. fleet500: warm-up on \`seed-tts-2.0\` (1 and 100 items, 1 s tasks), then ${FLEET.fleet500.repeats} pairs (${FLEET.fleet500.items} items with the simulator's own draws, then 1 item queued with the slowest of them), ratio = median of the pairs' ratios.`,
	);
	X.push(
		'2. **Checks per one-second window against the budget in force.** As let go: the moments the node\'s budget let each check go (a probe wrapping `StatusBudget.acquire` in this process); as received: every task-detail request in the simulator\'s record (arrival time; 429s included). For each window [t, t + 1 s) starting at a check, the checks in it against the largest budget in force during it (the node\'s budget history, read in this process; for arrivals from 50 ms before the window, the way there). `bench/fleet-lib.js` `windowsOverBudget`.',
	);
	X.push(
		`3. **The budget.** A simulator (speed 1) started with a rate limit on \`detail\` the node is not told (\`rateLimits\`), or none; warm-up 1 item; then Generate over ${FLEET.budget.items} items, Poll Interval ${FLEET.budget.pollSeconds} s, ${FLEET.budget.taskSeconds} s tasks. From the record: the share of requests answered 429, requests answered per whole second over the settled span (median, mean); from the node: the time-weighted mean of the budget in force over that span, and its halvings.`,
	);
	X.push(
		`4. **Memory.** A fresh \`node --expose-gc bench/rss-child.js fleetDownload node <items> <max items at once>\` process (the simulator in another process); warm-ups: 1 item, then twice min(items, 100) items with small media; then gc, RSS before, the kernel's peak mark reset, and the measured Generate; peak = max(RSS sampled every ${S.PARAMS.sampleMs} ms, \`VmHWM\`), growth = peak − before; the check confirms every stored binary has every byte. 20 × 100 MB: speed ${FLEET.memory.speed}, tasks done at once (\`durationSec: 0\`) so that all downloads overlap (the simulator counts the media bodies it is sending every 5 ms). 500 × 1 MB: speed ${FLEET.memory500.speed}, \`${FLEET.model}\` with its EET-drawn durations, the node's budget scaled by the speed in that process, Max Items at Once ${FLEET.memory500.width} (the default).`,
	);
	X.push('');
	X.push('### Raw numbers (fleet)');
	X.push('');
	X.push('| run | wall (s) | tasks / at once | tasks created within (s) | detail requests (per task) | answered 429 | max in 1 s: let go / received | budget max / end (/s) | 1 s windows over the budget: let go / received | check gap median (s) | done → seen median / max (s) |');
	X.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
	if (T) for (const r of T.runs) X.push(runRow(r));
	if (F5) for (const p of F5.pairs) X.push(runRow(p.many), runRow(p.one));
	if (B) X.push(runRow(B.hidden.run), runRow(B.none.run));
	X.push('');
	if (M || M5) {
		X.push('| memory run | status | RSS before | peak (sampled) | VmHWM | growth | heap used / external at peak (Δ) | media bodies open at once | binaries complete | wall (s) |');
		X.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
		if (M) X.push(...memoryRows(M).map((r) => r.replace(/^\| #/, `| ${FLEET.memory.items} × ${FLEET.memory.mediaBytes / MB} MB #`)));
		if (M5) X.push(...memoryRows(M5).map((r) => r.replace(/^\| #/, `| ${FLEET.memory500.items} × ${FLEET.memory500.mediaBytes / MB} MB #`)));
		X.push('');
	}
	X.push('Raw JSON: `bench/output/fleet-parts/*.json` (gitignored).');
	X.push(L.FLEET_END);
	return X.join('\n');
}

// ---------------------------------------------------------------------------------------------

function partMeta(started) {
	return {
		date: new Date(started).toISOString(),
		runtimeMs: Date.now() - started,
		git: R5.git(['rev-parse', '--short', 'HEAD']),
		dirtyNodes: R5.git(['status', '--porcelain', '--', 'nodes', 'credentials']) !== '',
	};
}

async function main() {
	await R5.waitForDist();
	fs.mkdirSync(PARTS_DIR, { recursive: true });
	// --report: write the section from the saved parts only (no run).
	const parts = process.argv.includes('--report') ? [] : onlyParts();
	const F = { machine: R5.machine(), params: FLEET, budget: budgetConstants(), nodeDefaults: nodeDefaults() };
	log(`machine: ${F.machine.cpu}, ${F.machine.cores} cores; budget ${F.budget.startPerSecond}/s at first, cap ${F.budget.capPerSecond}/s; parts: ${parts.join(', ')}`);
	const run = {
		memory: () => memoryPart(FLEET.memory),
		memory500: () => memoryPart(FLEET.memory500, { budgetScale: FLEET.memory500.speed }),
		budget: budgetPart,
		timing: timingPart,
		fleet500: fleet500Part,
	};
	for (const part of parts) {
		const started = Date.now();
		const loadavgStart = os.loadavg();
		log(`part ${part}`);
		const result = await run[part]();
		result.meta = { ...partMeta(started), loadavgStart, loadavgEnd: os.loadavg() };
		fs.writeFileSync(path.join(PARTS_DIR, `${part}.json`), JSON.stringify(result, null, 1));
		log(`part ${part} done in ${(result.meta.runtimeMs / 1000).toFixed(0)} s`);
	}
	const P = {};
	for (const part of PARTS) {
		const file = path.join(PARTS_DIR, `${part}.json`);
		if (fs.existsSync(file)) P[part] = JSON.parse(fs.readFileSync(file, 'utf8'));
	}
	const text = section(F, P);
	const md = fs.existsSync(BENCHMARKS_MD) ? fs.readFileSync(BENCHMARKS_MD, 'utf8') : '';
	fs.writeFileSync(BENCHMARKS_MD, L.withFleetSection(md, text));
	console.log('');
	console.log(text);
	log('wrote the fleet section of BENCHMARKS.md');
}

if (require.main === module) {
	main().catch((error) => {
		console.error('[fleet] failed:', error && error.stack ? error.stack : error);
		process.exitCode = 1;
	});
}

module.exports = { FLEET, section, PARTS, timingPart, fleet500Part, budgetPart, memoryPart };
