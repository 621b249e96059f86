// A Stryker test runner: Stryker's own jest runner, which runs a mutant only in the test files
// that hold the tests covering it (per-test coverage of the dry run).
//
// Why: the jest runner narrows a mutant run to its covering tests by test *name*
// (`--testNamePattern`), but jest still loads every test file to find those names. An engine test
// file loads n8n-core, the harness and the simulator before its first test: with all engine files
// loaded for each mutant, a mutant took 20-40 s on 2 cores whatever test killed it. Here the dry
// run notes which file each test lives in; a mutant run passes only the covering tests' files to
// jest (the same path Stryker's `--testFiles` takes), still filtered by name inside them.
//
// A mutant run also bails at its first failing test (bail-environment.cjs), the unit test files
// first (sequencer.cjs): a mutant that a unit test kills no longer runs its engine tests.
//
// Used by stryker.config.mjs and stryker.unit.config.mjs (`testRunner: 'jest-by-file'`).
// Falls back to the jest runner's own file loading when a mutant has no test filter (static
// mutants when `ignoreStatic` is off) or a covering test is not in the map.
// STRYKER_JEST_BY_FILE (for comparisons): `off` runs Stryker's jest runner as it is, `files` the
// file selection without bail, `on` (default) both.
// @ts-check
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { commonTokens, declareFactoryPlugin, PluginKind, tokens } from '@stryker-mutator/api/plugin';
import { strykerPlugins as jestPlugins } from '@stryker-mutator/jest-runner';

const jestFactory = jestPlugins.find((p) => p.name === 'jest')?.factory;
if (!jestFactory) throw new Error('jest-by-file: @stryker-mutator/jest-runner has no "jest" test runner');

const require = createRequire(import.meta.url);
const BAIL_ENV = require.resolve('./bail-environment.cjs');
const SEQUENCER = require.resolve('./sequencer.cjs');
/** @type {{ BASE: string, bailState: () => { failed: boolean } }} */
const bail = require('./bail-environment.cjs');
const mode = process.env.STRYKER_JEST_BY_FILE ?? 'on';

// Written by the worker that does the dry run, read by every worker (all share the sandbox as cwd).
const MAP_FILE = '.stryker-test-files.json';

/** @param {import('@stryker-mutator/api/plugin').Injector<any>} injector */
function jestByFileFactory(injector) {
	/** @type {any} */
	const inner = jestFactory(injector);
	const log = injector.resolve(commonTokens.logger);
	/** @type {Record<string, string[]> | undefined} */
	let filesByTest;
	/** @type {string[] | undefined} */
	let selected;
	let mutantRunning = false;
	const innerRun = inner.run.bind(inner);
	// JestTestRunner.mutantRun calls this.run(settings): `testFiles` makes jest load only those
	// files; the environment and sequencer make it stop at the first failing test.
	inner.run = (/** @type {any} */ settings) => {
		if (!mutantRunning || mode === 'off') return innerRun(settings);
		if (mode === 'files') return innerRun(selected ? { ...settings, testFiles: selected } : settings);
		const cfg = settings.jestConfig;
		const jestConfig = {
			...cfg,
			testEnvironment: BAIL_ENV,
			testEnvironmentOptions: { ...cfg.testEnvironmentOptions, [bail.BASE]: cfg.testEnvironment ?? 'node' },
			testSequencer: SEQUENCER,
		};
		return innerRun({ ...settings, jestConfig, ...(selected ? { testFiles: selected } : {}) });
	};

	const mapPath = () => path.join(process.cwd(), MAP_FILE);
	const loadMap = () => {
		if (filesByTest) return filesByTest;
		try {
			filesByTest = JSON.parse(fs.readFileSync(mapPath(), 'utf8'));
		} catch {
			filesByTest = undefined;
		}
		return filesByTest;
	};

	return {
		init: () => inner.init(),
		dispose: () => inner.dispose?.(),
		capabilities: () => inner.capabilities(),
		/** @param {import('@stryker-mutator/api/test-runner').DryRunOptions} options */
		async dryRun(options) {
			selected = undefined;
			const result = await inner.dryRun(options);
			if (result.status === 'complete') {
				/** @type {Record<string, string[]>} */
				const map = {};
				for (const t of result.tests) {
					if (!t.fileName) continue;
					const files = (map[t.id] ??= []);
					if (!files.includes(t.fileName)) files.push(t.fileName);
				}
				fs.writeFileSync(mapPath(), JSON.stringify(map));
				filesByTest = map;
			}
			return result;
		},
		/** @param {import('@stryker-mutator/api/test-runner').MutantRunOptions} options */
		async mutantRun(options) {
			selected = undefined;
			bail.bailState().failed = false;
			const map = options.testFilter && mode !== 'off' ? loadMap() : undefined;
			if (map && options.testFilter) {
				const files = new Set();
				let complete = true;
				for (const id of options.testFilter) {
					const f = map[id];
					if (!f) complete = false;
					else for (const x of f) files.add(x);
				}
				if (complete && files.size) selected = [...files].map(escapeForJest);
				else log.debug(`jest-by-file: mutant ${options.activeMutant.id}: a covering test is not in the map, all test files load`);
			}
			mutantRunning = true;
			try {
				return await inner.mutantRun(options);
			} finally {
				mutantRunning = false;
				selected = undefined;
			}
		},
	};
}
jestByFileFactory.inject = tokens(commonTokens.injector);

/** jest reads test path arguments as regular expressions: match this one file only. */
function escapeForJest(/** @type {string} */ file) {
	return `^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
}

export const strykerPlugins = [declareFactoryPlugin(PluginKind.TestRunner, 'jest-by-file', jestByFileFactory)];
