// The fast tier of `npm run mutate`: the money-path mutants against the unit tests only (no build,
// no engine). Its kills are kept in the incremental file, so the full tier (stryker.config.mjs,
// unit + engine tests on dist/) only runs what survived here. See docs/MUTATION.md.
// @ts-check
import base from './stryker.config.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
const config = {
	...base,
	jest: { ...base.jest, config: { testMatch: ['<rootDir>/test/unit/**/*.test.ts'] } },
	buildCommand: undefined,
	timeoutMS: 3000,
};
export default config;
