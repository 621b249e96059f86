// Mutation testing of the money path, full tier: the unit and engine tests (the engine tests run
// the built node from dist/). Run it through `npm run mutate` (scripts/mutate.mjs: file by file,
// unit tier first), not part of `npm test` or CI. See docs/MUTATION.md.
// @ts-check

// The money path, in the order scripts/mutate.mjs runs it. `file#name` mutates only the lines of
// that function or method (scripts/mutate.mjs finds them); the rest of the transport is plumbing.
export const MONEY_PATH = [
	'nodes/Ima/helpers/ledger.ts',
	'nodes/Ima/helpers/durable.ts',
	'nodes/Ima/helpers/credit.ts',
	'nodes/Ima/helpers/createBody.ts',
	// The create path (create/): the money memory's scope, the one paid create, its outcomes.
	'nodes/Ima/create/scope.ts',
	'nodes/Ima/create/outcome.ts',
	'nodes/Ima/create/createForItem.ts',
	// The transport's create and read-retry logic only (the rest is HTTP plumbing).
	'nodes/Ima/transport/retry.ts', // withRetries (reads), resendIfUnsent (the paid create), the backoff
	'nodes/Ima/transport/api.ts#createTask',
	// The per-item run.
	'nodes/Ima/run/scheduler.ts',
	// Status checks: the budget and the schedule.
	'nodes/Ima/helpers/pollBudget.ts',
	'nodes/Ima/helpers/polling.ts',
];

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
const config = {
	packageManager: 'npm',
	mutate: [...new Set(MONEY_PATH.map((f) => f.replace(/#.*/, '')))],
	// Stryker's jest runner, but a mutant run loads only the test files of its covering tests.
	testRunner: 'jest-by-file',
	appendPlugins: ['./scripts/stryker/jest-by-file.mjs'],
	jest: {
		projectType: 'custom',
		configFile: 'jest.config.js',
		// The unit and engine tests; the simulator's, harness's and release tests run no node code.
		config: { testMatch: ['<rootDir>/test/unit/**/*.test.ts', '<rootDir>/test/engine/**/*.test.ts'] },
		// Engine tests load the built node from dist/, which jest cannot relate to the sources:
		// the per-test coverage of the dry run selects the tests (and jest-by-file their files).
		enableFindRelatedTests: false,
	},
	// The engine tests run dist/: compile the instrumented sources in the sandbox first.
	buildCommand: 'npm run build',
	// The instrumented sources do not type-check; tsc still has to compile them.
	disableTypeChecks: '{nodes,credentials,test}/**/*.{js,ts}',
	coverageAnalysis: 'perTest',
	ignoreStatic: true,
	concurrency: 2,
	timeoutMS: 10000,
	timeoutFactor: 2,
	reporters: ['clear-text', 'progress', 'html', 'json'],
	// Survivors with the tests that ran them; not the list of every test file.
	clearTextReporter: { reportTests: false },
	htmlReporter: { fileName: 'reports/mutation/mutation.html' },
	jsonReporter: { fileName: 'reports/mutation/mutation.json' },
	// Results of earlier runs are reused: the unit tier's kills, and every file not mutated in this
	// run (Stryker keeps their mutants in the file), so file-by-file runs add up in one report.
	incremental: true,
	incrementalFile: 'reports/mutation/stryker-incremental.json',
	tempDirName: '.stryker-tmp',
	cleanTempDir: true,
	ignorePatterns: ['reports', 'coverage', 'demo-output', 'test-output', 'bench/output', '.n8n-test', '*.tgz'],
	thresholds: { high: 90, low: 80, break: null },
};
export default config;
