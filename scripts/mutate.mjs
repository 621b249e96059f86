#!/usr/bin/env node
/**
 * Mutation testing of the money path, file by file: `npm run mutate -- [options] [file ...]`.
 *
 * Each file is run in its own Stryker run, in two tiers that share Stryker's incremental file
 * (reports/mutation/stryker-incremental.json, which keeps the results of every file not mutated
 * in a run, so the runs add up to one report):
 *   unit  stryker.unit.config.mjs: the unit tests only (no build; ~15 s of dry run);
 *   full  stryker.config.mjs: unit + engine tests on the instrumented dist/ (build + ~90 s of dry
 *         run); only what the earlier runs left alive is run again.
 * A file is `path` (every line) or `path#name` (the lines of the function or method `name`).
 * Without files: the money path (MONEY_PATH in stryker.config.mjs).
 *
 * Options:
 *   --tier auto|unit|full|both  auto (default): unit then full for a file never run in the full
 *                               tier, full alone after that (a unit-tier rerun would redo the
 *                               mutants engine tests killed); both: unit then full.
 *   --force                     rerun every mutant of the file (Stryker's --force).
 *   --together                  the given files in one Stryker run per tier (one dry run, noted
 *                               for each file): for reruns after new tests.
 *
 * Each run is logged in reports/mutation/logs/ and noted in reports/mutation/runs.json (tier,
 * date, commit, seconds); scripts/mutation-summary.mjs prints the table of docs/MUTATION.md.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

import { MONEY_PATH } from '../stryker.config.mjs';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const RUNS = path.join(ROOT, 'reports/mutation/runs.json');
const LOGS = path.join(ROOT, 'reports/mutation/logs');

function parseArgs(argv) {
	const opts = { tier: 'auto', force: false, files: [] };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a === '--force') opts.force = true;
		else if (a === '--together') opts.together = true;
		else if (a === '--tier') opts.tier = argv[++i];
		else if (a.startsWith('--tier=')) opts.tier = a.slice(7);
		else if (a === '--help' || a === '-h') opts.help = true;
		else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
		else opts.files.push(a);
	}
	if (!['auto', 'unit', 'full', 'both'].includes(opts.tier)) throw new Error(`--tier must be auto, unit, full or both (got ${opts.tier})`);
	return opts;
}

/** `file#name` → `file:start-end` (the lines of the function, method or arrow function `name`). */
export function toMutateSpec(spec, root = ROOT) {
	const [file, name] = spec.split('#');
	const abs = path.join(root, file);
	if (!fs.existsSync(abs)) throw new Error(`${file} does not exist`);
	if (!name) return file;
	const ts = require('typescript');
	const text = fs.readFileSync(abs, 'utf8');
	const source = ts.createSourceFile(abs, text, ts.ScriptTarget.Latest, true);
	const found = [];
	const visit = (node) => {
		const named =
			(ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name?.getText(source) === name
				? node
				: ts.isVariableDeclaration(node) && node.name.getText(source) === name && node.initializer && (ts.isArrowFunction(node.initializer) || ts.isFunctionExpression(node.initializer))
					? node
					: undefined;
		if (named) found.push(named);
		ts.forEachChild(node, visit);
	};
	visit(source);
	if (found.length !== 1) throw new Error(`${file}: ${found.length} functions named ${name} (need exactly one)`);
	const line = (pos) => source.getLineAndCharacterOfPosition(pos).line + 1;
	return `${file}:${line(found[0].getStart(source))}-${line(found[0].getEnd())}`;
}

function readRuns() {
	try {
		return JSON.parse(fs.readFileSync(RUNS, 'utf8'));
	} catch {
		return {};
	}
}

function commit() {
	try {
		const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
		const dirty = execFileSync('git', ['status', '--porcelain', '--', 'nodes', 'test'], { cwd: ROOT }).toString().trim();
		return dirty ? `${head}+changes` : head;
	} catch {
		return 'unknown';
	}
}

function runStryker(config, mutate, force, logFile) {
	return new Promise((resolve, reject) => {
		const args = ['stryker', 'run', config, '--mutate', mutate, ...(force ? ['--force'] : [])];
		console.log(`\n$ npx ${args.join(' ')}   (log: ${path.relative(ROOT, logFile)})`);
		const log = fs.createWriteStream(logFile);
		const child = spawn('npx', args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
		const tee = (chunk) => {
			log.write(chunk);
			// eslint-disable-next-line no-control-regex
			const text = chunk.toString().replace(/\x1b\[[0-9;]*m/g, '');
			// The progress lines and the survivor list go to the log; the console gets the rest.
			for (const lineText of text.split('\n')) {
				if (/INFO|WARN|ERROR|% Mutation score|^\s*File\s*\||^-+\||\.ts\s*\|/.test(lineText)) console.log(lineText.replace(/\r/g, ''));
			}
		};
		child.stdout.on('data', tee);
		child.stderr.on('data', tee);
		child.on('error', reject);
		child.on('close', (code) => {
			log.end();
			if (code === 0) resolve();
			else reject(new Error(`stryker exited with ${code} (see ${logFile})`));
		});
	});
}

async function main() {
	const opts = parseArgs(process.argv.slice(2));
	if (opts.help) {
		console.log(fs.readFileSync(new URL(import.meta.url), 'utf8').split('*/')[0]);
		return;
	}
	const files = opts.files.length ? opts.files : MONEY_PATH;
	fs.mkdirSync(LOGS, { recursive: true });
	// --together: one group of every file; else a group per file
	const groups = opts.together ? [files] : files.map((f) => [f]);
	for (const group of groups) {
		const spec = group.join(',');
		const mutate = group.map((f) => toMutateSpec(f)).join(',');
		const runs = readRuns();
		const lastTier = group.every((f) => runs[f]?.tier === 'full') ? 'full' : undefined;
		const tiers = opts.tier === 'auto' ? (lastTier === 'full' ? ['full'] : ['unit', 'full']) : opts.tier === 'both' ? ['unit', 'full'] : [opts.tier];
		const slug = group.map((f) => f.replace(/^nodes\/Ima\//, '')).join('+').replace(/[/#:,]/g, '_');
		const seconds = {};
		const code = commit(); // the sandbox is a copy of the work tree as it is now
		for (const tier of tiers) {
			const started = process.hrtime.bigint();
			await runStryker(tier === 'unit' ? 'stryker.unit.config.mjs' : 'stryker.config.mjs', mutate, opts.force, path.join(LOGS, `${slug}.${tier}.log`));
			seconds[tier] = Math.round(Number(process.hrtime.bigint() - started) / 1e9);
		}
		const after = readRuns();
		for (const f of group) {
			const run = { tier: tiers.at(-1), mutate: toMutateSpec(f), date: new Date().toISOString().slice(0, 10), commit: code, seconds, ...(group.length > 1 ? { with: group.filter((g) => g !== f) } : {}) };
			after[f] = { ...run, history: [...(after[f]?.history ?? []), run] };
		}
		fs.writeFileSync(RUNS, `${JSON.stringify(after, null, '\t')}\n`);
		console.log(`\n${spec}: ${tiers.map((t) => `${t} ${seconds[t]} s`).join(', ')}`);
	}
	console.log('\nSummary (node scripts/mutation-summary.mjs --files):');
	execFileSync('node', [path.join(ROOT, 'scripts/mutation-summary.mjs'), '--files'], { cwd: ROOT, stdio: 'inherit' });
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
	main().catch((error) => {
		console.error(error.message);
		process.exit(1);
	});
}
