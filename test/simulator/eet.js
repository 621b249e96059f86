// @ts-check
'use strict';

/**
 * Expected generation times in the simulator, from the API README: a version node's `tags[]`
 * holds `{tag_type: "EET", tag_value: "20~35s"}`, the time IMA expects a task of that version to
 * take. The simulator draws each task's duration inside that range (a seeded, reproducible draw)
 * and serves the tags divided by its speed factor, so a client that reads them sees the world it
 * runs in. Written from the README, not from the node's code.
 */

/** @typedef {[number, number]} SecondsRange simulated seconds, low ≤ high */

/** @type {Record<string, number>} */
const UNITS = { s: 1, sec: 1, m: 60, min: 60, h: 3600 };

/**
 * "150~210s" → [150, 210]; "20-35s", "1~2min", "30s" also read; null when not a range of
 * non-negative times with a known unit (seconds when none).
 * @param {unknown} value
 * @returns {SecondsRange | null}
 */
function parseEetTag(value) {
	if (typeof value !== 'string') return null;
	const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*(?:[~\-]\s*(\d+(?:\.\d+)?)\s*([a-z]*))?\s*$/i.exec(value);
	if (!m) return null;
	const unitHi = (m[4] || m[2] || 's').toLowerCase();
	const unitLo = (m[2] || unitHi).toLowerCase();
	if (!(unitLo in UNITS) || !(unitHi in UNITS)) return null;
	const lo = Number(m[1]) * UNITS[unitLo];
	const hi = m[3] === undefined ? lo : Number(m[3]) * UNITS[unitHi];
	if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi <= 0) return null;
	return lo <= hi ? [lo, hi] : [hi, lo];
}

/**
 * The EET range of a version node, or null when it has none (or none readable).
 * @param {Record<string, any> | undefined} version
 * @returns {SecondsRange | null}
 */
function eetOf(version) {
	const tags = version && Array.isArray(version.tags) ? version.tags : [];
	for (const t of tags) {
		if (t && typeof t === 'object' && t.tag_type === 'EET') {
			const range = parseEetTag(t.tag_value);
			if (range) return range;
		}
	}
	return null;
}

/**
 * A number as a tag shows it: at most three decimals, no trailing zeros.
 * @param {number} n
 */
function show(n) {
	return String(Number(n.toFixed(3)));
}

/**
 * The JSON text of a product-list tree with every readable EET tag divided by `speed`
 * ("150~210s" at speed 30 → "5~7s"); the text itself when `speed` is 1 or nothing changes.
 * Walks without recursion (a hostile tree may be deep).
 * @param {string} json
 * @param {number} speed
 * @returns {string}
 */
function scaleEetJson(json, speed) {
	return rewriteEetJson(json, (t) => {
		const range = parseEetTag(t.tag_value);
		if (!range) return t;
		return { ...t, tag_value: range[0] === range[1] ? `${show(range[0] / speed)}s` : `${show(range[0] / speed)}~${show(range[1] / speed)}s` };
	}, speed === 1);
}

/**
 * The JSON text of a product-list tree without its EET tags (a world without expected times).
 * @param {string} json
 * @returns {string}
 */
function stripEetJson(json) {
	return rewriteEetJson(json, () => null, false);
}

/**
 * Rewrites every EET tag of a tree (`null` drops it); the text itself when nothing changes.
 * @param {string} json
 * @param {(tag: Record<string, any>) => Record<string, any> | null} rewrite
 * @param {boolean} skip
 * @returns {string}
 */
function rewriteEetJson(json, rewrite, skip) {
	if (skip) return json;
	const data = JSON.parse(json);
	let changed = false;
	/** @type {any[]} */
	const stack = [data];
	while (stack.length) {
		const node = stack.pop();
		if (Array.isArray(node)) {
			for (const child of node) stack.push(child);
			continue;
		}
		if (!node || typeof node !== 'object') continue;
		if (Array.isArray(node.tags) && node.tags.some((/** @type {any} */ t) => t && typeof t === 'object' && t.tag_type === 'EET')) {
			/** @type {any[]} */
			const tags = [];
			for (const t of node.tags) {
				const next = t && typeof t === 'object' && t.tag_type === 'EET' ? rewrite(t) : t;
				if (next !== null) tags.push(next);
			}
			node.tags = tags;
			changed = true;
		}
		if (Array.isArray(node.children)) stack.push(node.children);
	}
	return changed ? JSON.stringify(data) : json;
}

/**
 * A small seeded random generator (mulberry32): the same seed draws the same durations.
 * @param {number} seed
 * @returns {() => number} uniform in [0, 1)
 */
function createRng(seed) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/**
 * A task duration inside the version's EET range (simulated seconds, uniform), or null when the
 * version has no EET tag.
 * @param {Record<string, any> | undefined} version
 * @param {() => number} rng
 * @returns {number | null}
 */
function drawDuration(version, rng) {
	const range = eetOf(version);
	if (!range) return null;
	return range[0] + (range[1] - range[0]) * rng();
}

/**
 * The next queued behaviour for a create of `versionId`: the first one without `forVersion` or
 * with that version (taken out of the queue); undefined when none applies.
 * @template {{forVersion?: string}} B
 * @param {B[]} queue
 * @param {string} versionId
 * @returns {B | undefined}
 */
function takeBehaviour(queue, versionId) {
	const i = queue.findIndex((b) => b.forVersion === undefined || b.forVersion === versionId);
	return i < 0 ? undefined : queue.splice(i, 1)[0];
}

module.exports = { parseEetTag, eetOf, scaleEetJson, stripEetJson, createRng, drawDuration, takeBehaviour };
