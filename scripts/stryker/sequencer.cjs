// @ts-check
'use strict';
/**
 * The order of test files in a mutant run (scripts/stryker/jest-by-file.mjs), made for bail
 * (bail-environment.cjs): the unit tests first (fast, and they kill most mutants), then the files
 * that failed in the last run (they likely kill the next mutant of the same code too), then the
 * quickest first. jest's own order runs the slowest first, which suits a full suite, not a bail.
 */
const Sequencer = require('@jest/test-sequencer').default;

class BailSequencer extends Sequencer {
	/** @param {Array<import('@jest/test-result').Test & { duration?: number }>} tests */
	sort(tests) {
		const key = (/** @type {any} */ t) => [t.path.includes('/test/unit/') ? 0 : 1, this.hasFailed(t) ? 0 : 1, this.time(t) ?? Number.MAX_SAFE_INTEGER];
		const keyed = tests.map((t) => ({ t, k: key(t) }));
		keyed.sort((a, b) => a.k[0] - b.k[0] || a.k[1] - b.k[1] || a.k[2] - b.k[2] || (a.t.path < b.t.path ? -1 : 1));
		return keyed.map((x) => x.t);
	}
}

module.exports = BailSequencer;
