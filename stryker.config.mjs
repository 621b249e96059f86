// Mutation testing of the money path: `npm run mutate` (not part of `npm test` or CI).
// See docs/MUTATION.md for the last score and every mutant left alive.
// @ts-check
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
const config = {
	packageManager: 'npm',
	mutate: [
		'nodes/Ima/helpers/credit.ts',
		'nodes/Ima/helpers/createBody.ts',
		'nodes/Ima/helpers/formFields.ts',
		'nodes/Ima/helpers/polling.ts',
		'nodes/Ima/helpers/ledger.ts',
		'nodes/Ima/helpers/durable.ts',
		'nodes/Ima/helpers/pollBudget.ts',
		'nodes/Ima/helpers/pool.ts',
		// The create path (create/): checks and plan, money memory, the one paid create, its outcomes.
		'nodes/Ima/create/prepare.ts',
		'nodes/Ima/create/scope.ts',
		'nodes/Ima/create/createForItem.ts',
		'nodes/Ima/create/outcome.ts',
		'nodes/Ima/create/runSummary.ts',
		// The per-item run: the scheduler and the options it reads.
		'nodes/Ima/run/scheduler.ts',
		'nodes/Ima/run/options.ts',
		// The transport's create and read-retry logic only (the rest is HTTP plumbing).
		'nodes/Ima/transport/retry.ts:15-59', // isTransientStatus, backoffMs, withRetries (reads), resendIfUnsent (the paid create)
		'nodes/Ima/transport/api.ts:109-115', // createTask (the paid call)
	],
	testRunner: 'jest',
	jest: {
		projectType: 'custom',
		configFile: 'jest.config.js',
		// Engine tests load the built node from dist/, which jest cannot relate to the sources.
		enableFindRelatedTests: false,
	},
	// The engine tests run dist/: compile the instrumented sources in the sandbox first.
	buildCommand: 'npm run build',
	// The instrumented sources do not type-check; tsc still has to compile them.
	disableTypeChecks: '{nodes,credentials,test}/**/*.{js,ts}',
	coverageAnalysis: 'perTest',
	ignoreStatic: true,
	concurrency: 2,
	timeoutMS: 15000,
	timeoutFactor: 2,
	reporters: ['clear-text', 'progress', 'html', 'json'],
	htmlReporter: { fileName: 'reports/mutation/mutation.html' },
	jsonReporter: { fileName: 'reports/mutation/mutation.json' },
	// Reuse results of earlier runs (the unit tier's kills, unchanged mutants and tests).
	incremental: true,
	incrementalFile: 'reports/mutation/stryker-incremental.json',
	tempDirName: '.stryker-tmp',
	cleanTempDir: true,
	ignorePatterns: ['reports', 'coverage', 'demo-output', 'test-output', 'bench/output', '.n8n-test', '*.tgz'],
	thresholds: { high: 90, low: 75, break: null },
};
export default config;
