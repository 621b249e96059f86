/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts', '**/*.test.js'],
	// Stryker's sandboxes (npm run mutate) and reports are never part of a normal run.
	testPathIgnorePatterns: ['/node_modules/', '<rootDir>/.stryker-tmp/', '<rootDir>/reports/'],
	modulePathIgnorePatterns: ['<rootDir>/.stryker-tmp/'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json', diagnostics: false }],
	},
	testTimeout: 60_000,
	// Engine tests start servers and n8n's engine: keep them in few workers on 2 cores.
	maxWorkers: 2,
};
