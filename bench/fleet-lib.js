'use strict';
/**
 * Pure helpers of the fleet benchmark (bench/fleet.js): request-rate windows, median and spread,
 * gaps between a task's checks, and keeping the fleet section of BENCHMARKS.md when
 * bench/run.js regenerates the rest. No I/O.
 */

/**
 * Most timestamps in any window of `windowMs` (a half-open window [t, t + windowMs) starting
 * anywhere; the maximum is always reached by a window starting at one of the timestamps).
 * @param {number[]} times ms
 * @param {number} [windowMs]
 * @returns {{count: number, start: number | undefined}}
 */
function maxInWindow(times, windowMs = 1000) {
	const t = [...times].sort((a, b) => a - b);
	let best = 0;
	let start;
	let j = 0;
	for (let i = 0; i < t.length; i++) {
		if (j < i) j = i;
		while (j < t.length && t[j] < t[i] + windowMs) j++;
		if (j - i > best) {
			best = j - i;
			start = t[i];
		}
	}
	return { count: best, start };
}

/**
 * Mean rate (per second) of the timestamps over their own span (first to last); with fewer than
 * two timestamps, or all at one instant, the count itself (a single burst within one second).
 * @param {number[]} times ms
 */
function meanRate(times) {
	if (times.length < 2) return times.length;
	const span = Math.max(...times) - Math.min(...times);
	return span > 0 ? ((times.length - 1) * 1000) / span : times.length;
}

/** @param {number[]} xs */
function median(xs) {
	const s = [...xs].sort((a, b) => a - b);
	if (!s.length) return NaN;
	const m = Math.floor(s.length / 2);
	return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** @param {number[]} xs → {median, min, max} */
function spread(xs) {
	return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

/**
 * Per task, the gaps between its consecutive status checks (ms).
 * @param {Array<{taskId: string, time: number}>} checks
 * @returns {number[]}
 */
function checkGaps(checks) {
	/** @type {Map<string, number[]>} */
	const byTask = new Map();
	for (const c of checks) {
		const list = byTask.get(c.taskId) || [];
		list.push(c.time);
		byTask.set(c.taskId, list);
	}
	const gaps = [];
	for (const list of byTask.values()) {
		list.sort((a, b) => a - b);
		for (let i = 1; i < list.length; i++) gaps.push(list[i] - list[i - 1]);
	}
	return gaps;
}

/**
 * The budget in force (checks per second) over [from, to), from a budget's history of changes
 * (`{at, perSecond}`, ascending): the largest value in force at any moment of it.
 * @param {Array<{at: number, perSecond: number}>} history
 * @param {number} from
 * @param {number} to
 */
function maxBudgetIn(history, from, to) {
	let best = 0;
	let current;
	for (const h of history) {
		if (h.at <= from) current = h.perSecond;
		else if (h.at < to) best = Math.max(best, h.perSecond);
	}
	return Math.max(best, current === undefined ? (history[0] ? history[0].perSecond : 0) : current);
}

/**
 * Checks per one-second window against the budget in force: for a window [t, t + 1 s) starting
 * at each check, the checks in it and the largest budget in force from `slackMs` before it to
 * its end (a check is counted where the simulator received it, a few ms after the node let it
 * go). Returns the worst window (most checks over the budget) and how many windows exceeded it.
 * @param {number[]} times arrival times (ms)
 * @param {Array<{at: number, perSecond: number}>} history
 * @param {number} [slackMs]
 */
function windowsOverBudget(times, history, slackMs = 50) {
	const t = [...times].sort((a, b) => a - b);
	let over = 0;
	let worst = { start: undefined, count: 0, allowed: 0, excess: Number.NEGATIVE_INFINITY };
	let maxCount = 0;
	let j = 0;
	for (let i = 0; i < t.length; i++) {
		if (j < i) j = i;
		while (j < t.length && t[j] < t[i] + 1000) j++;
		const count = j - i;
		maxCount = Math.max(maxCount, count);
		const allowed = maxBudgetIn(history, t[i] - slackMs, t[i] + 1000);
		if (count > allowed) over++;
		if (count - allowed > worst.excess) worst = { start: t[i], count, allowed, excess: count - allowed };
	}
	return { windows: t.length, over, worst, maxCount };
}

/**
 * Checks per whole second from `from` (ms) for `seconds` seconds.
 * @param {number[]} times
 * @param {number} from
 * @param {number} seconds
 */
function perSecond(times, from, seconds) {
	const out = Array(Math.max(0, Math.ceil(seconds))).fill(0);
	for (const x of times) {
		const k = Math.floor((x - from) / 1000);
		if (k >= 0 && k < out.length) out[k]++;
	}
	return out;
}

const FLEET_START = '<!-- fleet:start (written by bench/fleet.js; bench/run.js keeps it) -->';
const FLEET_END = '<!-- fleet:end -->';

/** The fleet section of a BENCHMARKS.md text (markers included), or ''. */
function fleetSection(md) {
	const a = md.indexOf(FLEET_START);
	const b = md.indexOf(FLEET_END);
	return a >= 0 && b > a ? md.slice(a, b + FLEET_END.length) : '';
}

/** `md` with its fleet section replaced by `section` (appended when it has none). */
function withFleetSection(md, section) {
	if (!section) return md;
	const old = fleetSection(md);
	if (old) return md.replace(old, () => section);
	return `${md.replace(/\s*$/, '')}\n\n${section}\n`;
}

module.exports = { maxInWindow, meanRate, median, spread, checkGaps, maxBudgetIn, windowsOverBudget, perSecond, fleetSection, withFleetSection, FLEET_START, FLEET_END };
