#!/usr/bin/env node
/**
 * Summarises Stryker's JSON report (reports/mutation/mutation.json) for docs/MUTATION.md.
 *
 * Usage:
 *   node scripts/mutation-summary.mjs [--files] [--alive] [report.json]
 *   --files  the table by file: mutants, killed, timeouts, survived, no coverage, score, and the
 *            tier, date, commit and time of the run that produced it (reports/mutation/runs.json,
 *            written by scripts/mutate.mjs)
 *   --alive  every mutant left alive (file:line, mutator, the change, the reason recorded in
 *            scripts/mutation-reasons.mjs)
 * Without --files or --alive: the counts by status, the score, and the --alive table.
 */
import fs from 'node:fs';

import { REASONS } from './mutation-reasons.mjs';

const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith('--')));
const file = args.find((a) => !a.startsWith('--')) ?? 'reports/mutation/mutation.json';
const showFiles = flags.has('--files');
const showAlive = flags.has('--alive') || !showFiles;

export const reasonFor = (path, line, mutator, original = '') =>
	REASONS.find((r) => path.endsWith(r.file) && line >= r.from && line <= r.to && (!r.mutators || r.mutators.includes(mutator)) && (!r.match || original.includes(r.match)))?.reason ?? '(no reason recorded)';

const report = JSON.parse(fs.readFileSync(file, 'utf8'));
let runs = {};
try {
	runs = JSON.parse(fs.readFileSync('reports/mutation/runs.json', 'utf8'));
} catch {
	// no runs noted: the table has no tier column values
}

const counts = {};
const byFile = {};
const alive = [];
for (const [path, f] of Object.entries(report.files)) {
	const lines = f.source.split('\n');
	const fc = (byFile[path] = {});
	for (const m of f.mutants) {
		counts[m.status] = (counts[m.status] ?? 0) + 1;
		fc[m.status] = (fc[m.status] ?? 0) + 1;
		if (m.status === 'Survived' || m.status === 'NoCoverage') {
			const { start, end } = m.location;
			let original = lines.slice(start.line - 1, end.line).join('\n');
			if (start.line === end.line) original = lines[start.line - 1].slice(start.column - 1, end.column - 1);
			alive.push({ path, line: start.line, mutator: m.mutatorName, status: m.status, original, replacement: m.replacement ?? '' });
		}
	}
}

const score = (c) => {
	const detected = (c.Killed ?? 0) + (c.Timeout ?? 0);
	const valid = detected + (c.Survived ?? 0) + (c.NoCoverage ?? 0);
	return { detected, valid, score: valid ? (100 * detected) / valid : NaN };
};

if (showFiles) {
	console.log('| file | mutants | killed | timeout | survived | no coverage | score | tier | date | commit | time |');
	console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- | ---: |');
	for (const path of Object.keys(byFile).sort()) {
		const c = byFile[path];
		const s = score(c);
		const run = Object.entries(runs).find(([spec]) => spec.split('#')[0] === path)?.[1];
		const spec = Object.keys(runs).find((k) => k.split('#')[0] === path) ?? path;
		const time = run ? Object.entries(run.seconds ?? {}).map(([t, sec]) => `${t} ${Math.round(sec / 6) / 10} min`).join(' + ') : '';
		console.log(`| ${spec.replace(/^nodes\/Ima\//, '')} | ${s.valid} | ${c.Killed ?? 0} | ${c.Timeout ?? 0} | ${c.Survived ?? 0} | ${c.NoCoverage ?? 0} | ${s.score.toFixed(1)} % | ${run?.tier ?? '?'} | ${run?.date ?? ''} | ${run?.commit ?? ''} | ${time} |`);
	}
	const all = score(counts);
	console.log(`| **all** | ${all.valid} | ${counts.Killed ?? 0} | ${counts.Timeout ?? 0} | ${counts.Survived ?? 0} | ${counts.NoCoverage ?? 0} | ${all.score.toFixed(1)} % | | | | |`);
	const ignored = counts.Ignored ?? 0;
	if (ignored) console.log(`\n(${ignored} mutants ignored by Stryker: covered only outside a test, "ignoreStatic".)`);
	// A mutant whose run errored (the module failed to load, jest refused the test-name pattern)
	// is left out of the score by Stryker: named here so that such a gap cannot hide.
	const errored = Object.keys(byFile)
		.sort()
		.map((path) => [path, (byFile[path].RuntimeError ?? 0) + (byFile[path].CompileError ?? 0)])
		.filter(([, n]) => n > 0);
	if (errored.length) console.log(`\n(Not in the score, their run ended in an error: ${errored.map(([path, n]) => `${path.replace(/^nodes\/Ima\//, '')} ${n}`).join(', ')}. Read the run's log before trusting the file's score.)`);
}

if (!showFiles && !flags.has('--alive')) {
	console.log(`| status | mutants |\n| --- | ---: |`);
	for (const [k, v] of Object.entries(counts).sort()) console.log(`| ${k} | ${v} |`);
	const all = score(counts);
	console.log(`\nScore: ${all.score.toFixed(2)} % (killed + timeout of ${all.valid} valid mutants)\n`);
}

if (showAlive) {
	const short = (s) => JSON.stringify(s.replace(/\s+/g, ' ').trim().slice(0, 70)).slice(1, -1).replace(/\|/g, '\\|');
	console.log('\n| file:line | mutator | status | original → mutant | why it is left |\n| --- | --- | --- | --- | --- |');
	alive.sort((a, b) => a.path.localeCompare(b.path) || a.line - b.line);
	for (const a of alive) console.log(`| ${a.path.replace(/^nodes\/Ima\//, '')}:${a.line} | ${a.mutator} | ${a.status} | \`${short(a.original)}\` → \`${short(a.replacement)}\` | ${reasonFor(a.path, a.line, a.mutator, a.original)} |`);
}
