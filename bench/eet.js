'use strict';
/**
 * Issue 17, part 1: status checks sized to IMA's expected time, measured by `npm run bench`
 * (bench/run.js calls `eetScenario` and writes `eetMarkdown` into BENCHMARKS.md).
 *
 * For each kind (image, speech, music, video): every model version of one task type that has an
 * EET tag, `perModel` Generate items each, against the simulator with its expected times on (each
 * task's duration drawn inside its version's EET range, the tags served divided by the speed).
 * Then the very same tasks again (the same durations, queued) with the category's EET tags
 * removed from the product list: the node then checks at a fixed interval from the create, its
 * behaviour before the expected-time schedule ("today's fixed interval"), in the same run.
 *
 * All versions of a kind run in one execution (the model of each item by expression); for the
 * baseline each drawn duration is queued again for its own version (`queueTask({forVersion})`).
 * Both runs leave Poll Interval at its default (0: by kind). The simulator runs `speed` times
 * faster than real time, so the node's kind defaults (image 3 s, video 8 s, music 5 s, speech 3 s)
 * are scaled by the same factor in this process: in simulated time the node gets exactly the
 * intervals users get. The speed is chosen per kind so that one interval stays 1.5 to 2 s real:
 * on the shared machine the node's process sometimes gets no CPU for half a second or more, and a
 * shorter interval would count that as lateness (a run at 1 s intervals saw 0.5–0.8 s stalls). The status-check budget is scaled too and raised BUDGET_FACTOR times more, so that it
 * never limits this scenario (many tasks at once): the schedule is measured here, the budget by
 * `npm run bench:fleet`.
 *
 * Per task, from the simulator's record: status checks (task-detail requests), and how late the
 * first check at or after the moment it finished came ("seen within one poll interval").
 */
const path = require('node:path');
const S = require('./scenarios');
const L = require('./fleet-lib');

const KINDS = [
	{ kind: 'image', taskType: 'text_to_image', speed: 2, perModel: 10 },
	{ kind: 'speech', taskType: 'text_to_speech', speed: 2, perModel: 30 },
	{ kind: 'music', taskType: 'text_to_music', speed: 3, perModel: 10 },
	{ kind: 'video', taskType: 'text_to_video', speed: 4, perModel: 6 },
];
/** The budget is raised this many times (besides the speed) so that it never limits this scenario. */
const BUDGET_FACTOR = 10;
const TARGET = { ratio: 0.4, seenWithin: 0.95 };
const log = (...a) => console.log('[bench eet]', ...a);

function dist(rel) {
	return require(path.join(S.REPO, 'dist/nodes/Ima', rel));
}

/**
 * Per task: checks (answered and 429), the moment it finished (ms, simulator clock) and how late
 * the first check at or after it came.
 */
function perTask(summary) {
	const byTask = new Map();
	for (const c of summary.detailChecks) {
		const list = byTask.get(c.taskId) || [];
		list.push(c);
		byTask.set(c.taskId, list);
	}
	return summary.tasks.map((t) => {
		const checks = (byTask.get(t.id) || []).sort((a, b) => a.time - b.time);
		const doneAt = t.createdAt + t.durationMs;
		const seen = checks.find((c) => !c.limited && c.time >= doneAt);
		return {
			id: t.id,
			modelVersion: t.modelVersion,
			durationMs: t.durationMs,
			expectedSec: t.expectedSec,
			checks: checks.length,
			limited: checks.filter((c) => c.limited).length,
			lateMs: seen ? seen.time - doneAt : NaN,
		};
	});
}

function stats(tasks, intervalMs) {
	const checks = tasks.map((t) => t.checks);
	const late = tasks.map((t) => t.lateMs);
	const sorted = [...late].sort((a, b) => a - b);
	return {
		tasks: tasks.length,
		checksTotal: checks.reduce((a, b) => a + b, 0),
		checksMean: checks.reduce((a, b) => a + b, 0) / tasks.length,
		limited: tasks.reduce((a, t) => a + t.limited, 0),
		lateMedianMs: L.median(late),
		lateP95Ms: sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)],
		lateMaxMs: Math.max(...late),
		seenWithin: late.filter((x) => x <= intervalMs).length / tasks.length,
	};
}

/** Generate over `perModel` items of every version at once (the model of each item by expression). */
async function runOnce(harness, simc, kind, versions, label) {
	const wf = S.generateWorkflow('node', 1, { taskType: kind.taskType, modelId: '={{ $json.model }}', options: { pollInterval: 0 } });
	const items = [];
	for (const v of versions) for (let i = 0; i < kind.perModel; i++) items.push({ json: { prompt: `a red fox, take ${items.length + 1}`, model: v.id } });
	wf.pinData = { [S.TRIGGER]: items };
	const r = await harness.runWorkflow({ workflow: wf, credentials: S.credsFor(simc.sim), binaryDataMode: 'filesystem', timeoutMs: 30 * 60 * 1000 });
	const out = (r.outputs[S.IMA] || []).length;
	if (r.status !== 'success' || out !== items.length) throw new Error(`${label}: ${r.status} with ${out}/${items.length} items: ${r.error && r.error.message}`);
	return { wallMs: r.durationMs, summary: await simc.call('summary') };
}

/** Runs every kind; returns the raw per-task figures and the per-kind summary. */
async function eetScenario() {
	const harness = require('../test/harness/engine');
	const taskTypes = dist('helpers/taskTypes.js');
	const budget = dist('helpers/pollBudget.js');
	const schedule = dist('helpers/checkSchedule.js');
	const transport = dist('transport/index.js');
	const defaults = { ...taskTypes.DEFAULT_POLL_INTERVAL };
	const budgetDefaults = { ...budget.STATUS_BUDGET };
	const out = { kinds: {}, defaults, target: TARGET, budgetFactor: BUDGET_FACTOR };
	try {
		for (const kind of KINDS) {
			const simc = await S.startSimChild(kind.speed);
			try {
				// Simulated time: the kind's default interval scaled by the speed; the budget too, and
				// raised BUDGET_FACTOR times so that it never limits here (bench:fleet measures it).
				taskTypes.DEFAULT_POLL_INTERVAL[kind.kind] = defaults[kind.kind] / kind.speed;
				for (const k of ['startPerSecond', 'capPerSecond', 'floorPerSecond']) budget.STATUS_BUDGET[k] = budgetDefaults[k] * kind.speed * BUDGET_FACTOR;
				budget.clearBudgets();
				schedule.clearLearned();
				const intervalMs = (defaults[kind.kind] * 1000) / kind.speed;
				await simc.call('reset');
				transport.clearProductCache();
				const versions = (await simc.call('summaryProducts', { category: kind.taskType })).filter((v) => v.eet);
				const a = await runOnce(harness, simc, kind, versions, `${kind.kind} (expected time)`);
				const eetTasks = perTask(a.summary);
				// The same tasks again, the tags removed: the fixed interval of before.
				await simc.call('reset');
				transport.clearProductCache();
				await simc.call('withoutEet', { category: kind.taskType });
				for (const t of eetTasks) await simc.call('queueTask', { durationSec: (t.durationMs * kind.speed) / 1000, forVersion: t.modelVersion });
				const b = await runOnce(harness, simc, kind, versions, `${kind.kind} (fixed interval)`);
				const fixedTasks = perTask(b.summary);
				const models = versions.map((v) => {
					const eet = eetTasks.filter((t) => t.modelVersion === v.id);
					const fixed = fixedTasks.filter((t) => t.modelVersion === v.id);
					return { version: v.id, eet: v.eet, eetStats: stats(eet, intervalMs), fixedStats: stats(fixed, intervalMs) };
				});
				for (const m of models) {
					log(
						`${kind.kind} ${m.version} (${m.eet}): checks/task ${m.eetStats.checksMean.toFixed(2)} vs fixed ${m.fixedStats.checksMean.toFixed(2)}, ` +
							`seen within one interval ${(m.eetStats.seenWithin * 100).toFixed(0)} % vs ${(m.fixedStats.seenWithin * 100).toFixed(0)} %`,
					);
				}
				const e = stats(eetTasks, intervalMs);
				const f = stats(fixedTasks, intervalMs);
				const sameDurations = JSON.stringify(eetTasks.map((t) => `${t.modelVersion}:${t.durationMs}`).sort()) === JSON.stringify(fixedTasks.map((t) => `${t.modelVersion}:${t.durationMs}`).sort());
				out.kinds[kind.kind] = {
					...kind,
					intervalMs,
					models,
					eet: e,
					fixed: f,
					ratio: e.checksTotal / f.checksTotal,
					sameDurations,
					wallMs: [a.wallMs, b.wallMs],
					pass: e.checksTotal / f.checksTotal <= TARGET.ratio && e.seenWithin >= TARGET.seenWithin,
					tasks: { eet: eetTasks, fixed: fixedTasks },
				};
				log(`${kind.kind}: ratio ${(e.checksTotal / f.checksTotal).toFixed(3)}, seen within one interval ${(e.seenWithin * 100).toFixed(1)} % (fixed ${(f.seenWithin * 100).toFixed(1)} %), same durations: ${sameDurations}`);
			} finally {
				await simc.close();
			}
		}
	} finally {
		Object.assign(taskTypes.DEFAULT_POLL_INTERVAL, defaults);
		Object.assign(budget.STATUS_BUDGET, budgetDefaults);
		budget.clearBudgets();
		schedule.clearLearned();
	}
	return out;
}

const fmt = (n, d = 2) => (n === undefined || n === null || !Number.isFinite(n) ? 'n/a' : n.toFixed(d));
const pct = (f) => `${fmt(f * 100, 1)} %`;

/** The BENCHMARKS.md section of the expected-time scenario. */
function eetMarkdown(E) {
	if (!E) return '';
	const L2 = [];
	L2.push('## Status checks sized to the expected time (issue 17)');
	L2.push('');
	L2.push(
		'Generate over every model version of the task type that has an EET tag, the same tasks twice in the same run: with the expected-time schedule, and with the EET tags removed from the product list (the node then checks at a fixed interval from the create: its behaviour before this change, the baseline). Durations drawn by the simulator inside each version\'s EET range (uniformly), then queued again for the baseline. Poll Interval left at its default (by kind); the simulator\'s speed, the node\'s kind intervals and its budget scaled together (see "How"). Status checks = the simulator\'s task-detail requests.',
	);
	L2.push('');
	L2.push('| kind (task type, models × items, speed) | poll interval (simulated) | status checks per task: schedule / fixed interval (ratio) | target ≤ 0.4 | seen done within one poll interval: schedule (fixed) | target ≥ 95 % | late after done, median / p95 / max (simulated s): schedule (fixed) | meets both |');
	L2.push('| --- | --- | --- | --- | --- | --- | --- | --- |');
	for (const k of Object.values(E.kinds)) {
		const sim = (ms) => fmt((ms * k.speed) / 1000, 1);
		L2.push(
			`| ${k.kind} (\`${k.taskType}\`, ${k.models.length} × ${k.perModel}, ${k.speed}×) | ${E.defaults[k.kind]} s | ${fmt(k.eet.checksMean)} / ${fmt(k.fixed.checksMean)} (${fmt(k.ratio, 3)}) | ${k.ratio <= E.target.ratio ? 'pass' : '**FAIL**'} | ${pct(k.eet.seenWithin)} (${pct(k.fixed.seenWithin)}) | ${k.eet.seenWithin >= E.target.seenWithin ? 'pass' : '**FAIL**'} | ${sim(k.eet.lateMedianMs)} / ${sim(k.eet.lateP95Ms)} / ${sim(k.eet.lateMaxMs)} (${sim(k.fixed.lateMedianMs)} / ${sim(k.fixed.lateP95Ms)} / ${sim(k.fixed.lateMaxMs)}) | ${k.pass ? 'pass' : '**FAIL**'} |`,
		);
	}
	L2.push('');
	L2.push('Per model (status checks per task, schedule / fixed; seen within one interval, schedule):');
	L2.push('');
	L2.push('| kind | model version | EET tag | checks per task | ratio | seen within one interval |');
	L2.push('| --- | --- | --- | --- | --- | --- |');
	for (const k of Object.values(E.kinds)) {
		for (const m of k.models) {
			L2.push(`| ${k.kind} | \`${m.version}\` | ${m.eet} | ${fmt(m.eetStats.checksMean)} / ${fmt(m.fixedStats.checksMean)} | ${fmt(m.eetStats.checksTotal / m.fixedStats.checksTotal, 3)} | ${pct(m.eetStats.seenWithin)} |`);
		}
	}
	L2.push('');
	L2.push(
		'**How.** `bench/eet.js`, in the `npm run bench` process: for each kind a simulator (`bench/sim-child.js`, expected times on) at the speed in the table; the node\'s kind default poll interval and its status-check budget (start, cap, floor) multiplied by that speed in this process, so one simulated second holds what one real second holds for a user. For each version: Generate over the items (one execution, Max Items at Once 5, Poll Interval 0), the simulator\'s record read (task-detail requests per task; the moment each task finished = its creation + its drawn duration; "late" = the first request at or after that moment, minus it); then the category\'s product list served without EET tags (`withoutEet`), the node\'s product cache cleared, the same durations queued (`queueTask({durationSec})`), and Generate again. Ratio = all status checks with the schedule ÷ all with the fixed interval, over the same tasks. A task counts as seen within one poll interval when that first request came at most one (scaled) interval after it finished. Learned windows and budgets start fresh for each kind.',
	);
	return L2.join('\n');
}

module.exports = { eetScenario, eetMarkdown, KINDS, TARGET, BUDGET_FACTOR, perTask, stats };
