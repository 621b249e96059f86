#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * Starts the IMA API simulator for manual use until Ctrl-C.
 *
 *   node test/simulator/cli.js [--speed N] [--port P] [--balance B] [--api-key KEY] [--success-code C]
 *                              [--no-eet] [--seed S] [--detail-limit R]
 *
 * --no-eet: kind-default task durations instead of draws inside each model's EET tag (tags then
 * served unscaled); --detail-limit R: a hidden rate limit of R task-detail requests per second
 * (429 with Retry-After: 1).
 * --port P puts the API on P, the upload service on P+1, the CDN on P+2 and the foreign host
 * (redirect target) on P+3 (default: random).
 */

const { startSimulator } = require('./index');

/**
 * @param {string[]} argv
 * @returns {import('./index').SimulatorOptions}
 */
function parseArgs(argv) {
	/** @type {import('./index').SimulatorOptions} */
	const options = {};
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		const [flag, inline] = arg.split('=', 2);
		const value = () => {
			const v = inline !== undefined ? inline : argv[++i];
			if (v === undefined) throw new Error(`${flag} needs a value`);
			return v;
		};
		/** @param {string} v */
		const num = (v) => {
			const n = Number(v);
			if (!Number.isFinite(n) || n < 0) throw new Error(`${flag}: not a number: ${v}`);
			return n;
		};
		if (flag === '--speed') options.speed = num(value());
		else if (flag === '--port') options.port = num(value());
		else if (flag === '--balance') options.balance = num(value());
		else if (flag === '--api-key') options.apiKey = value();
		else if (flag === '--host') options.host = value();
		else if (flag === '--success-code') options.successCode = num(value());
		else if (flag === '--no-eet') options.eet = false;
		else if (flag === '--seed') options.seed = num(value());
		else if (flag === '--detail-limit') options.rateLimits = { ...options.rateLimits, detail: { perSecond: num(value()) } };
		else if (flag === '-h' || flag === '--help') {
			console.log('usage: node test/simulator/cli.js [--speed N] [--port P] [--balance B] [--api-key KEY] [--host H] [--success-code C] [--no-eet] [--seed S] [--detail-limit R]');
			process.exit(0);
		} else throw new Error(`unknown argument ${arg}`);
	}
	return options;
}

async function main() {
	const sim = await startSimulator(parseArgs(process.argv.slice(2)));
	console.log('IMA API simulator running (Ctrl-C to stop)');
	console.log(`  API base:     ${sim.baseUrl}`);
	console.log(`  upload base:  ${sim.uploadBaseUrl}`);
	console.log(`  CDN base:     ${sim.cdnBaseUrl}`);
	console.log(`  foreign base: ${sim.foreignBaseUrl}`);
	console.log(`  API key:      ${sim.apiKey}`);
	console.log(`  speed:        ${sim.speed}x   balance: ${sim.balance}`);
	let stopping = false;
	const stop = () => {
		if (stopping) process.exit(1);
		stopping = true;
		sim.close().then(() => process.exit(0));
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((err) => {
	console.error(`simulator: ${err && err.message}`);
	process.exit(1);
});
