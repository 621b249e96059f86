// @ts-check
'use strict';
/**
 * The jest test environment of a mutant run (scripts/stryker/jest-by-file.mjs): the environment
 * Stryker asked for, plus "bail": once a test failed, the mutant is killed, and every later test of
 * the run is skipped (later test files too, without their beforeAll hooks). Stryker's jest runner
 * cannot bail (jest's own `bail` ends the process), so a killed mutant ran all its covering tests.
 *
 * The base environment is named in `testEnvironmentOptions[BASE]`. The run's state lives on the
 * worker's global, shared with jest-by-file.mjs, which resets it before each mutant.
 */
const path = require('node:path');

const BASE = 'strykerBailBaseEnvironment';
const STATE = Symbol.for('n8n-nodes-ima.stryker.bail');

/** @returns {{ failed: boolean }} */
function bailState() {
	const g = /** @type {any} */ (globalThis);
	return (g[STATE] ??= { failed: false });
}

/** @param {string} name @param {string} rootDir */
function loadEnvironment(name, rootDir) {
	const id = name === 'node' || name === 'jsdom' ? `jest-environment-${name}` : name;
	const resolved = require.resolve(id, { paths: [rootDir, path.dirname(require.resolve('jest/package.json', { paths: [rootDir] }))] });
	const mod = require(resolved);
	return mod.default ?? mod.TestEnvironment ?? mod;
}

/**
 * @param {{ projectConfig: { testEnvironmentOptions?: Record<string, unknown>, rootDir: string } }} config
 * @param {unknown} context
 */
function BailEnvironment(config, context) {
	const Base = loadEnvironment(String(config.projectConfig.testEnvironmentOptions?.[BASE] ?? 'node'), config.projectConfig.rootDir);
	const env = new Base(config, context);
	const inner = env.handleTestEvent;
	const state = bailState();
	env.handleTestEvent = async (/** @type {any} */ event, /** @type {any} */ circusState) => {
		if (inner) await inner.call(env, event, circusState);
		if (!state.failed) {
			if (event.name === 'test_done' && event.test.errors.length > 0) state.failed = true;
			return;
		}
		// A later file: no test, no beforeAll (jest-circus skips the hooks of a skipped block).
		if (event.name === 'run_describe_start' && !event.describeBlock.parent) event.describeBlock.mode = 'skip';
		if (event.name === 'test_start') event.test.mode = 'skip';
	};
	return env;
}

module.exports = BailEnvironment;
module.exports.BASE = BASE;
module.exports.bailState = bailState;
