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

module.exports = { maxInWindow, meanRate, median, spread, checkGaps, fleetSection, withFleetSection, FLEET_START, FLEET_END };
