#!/usr/bin/env node
/**
 * Summarises Stryker's JSON report (reports/mutation/mutation.json) for MUTATION.md: the counts
 * by status, the score, and every mutant left alive (file:line, mutator, the change).
 *
 * Usage: node scripts/mutation-summary.mjs [report.json]
 */
import fs from 'node:fs';

import { REASONS } from './mutation-reasons.mjs';

const reasonFor = (path, line, mutator) =>
	REASONS.find((r) => path.endsWith(r.file) && line >= r.from && line <= r.to && (!r.mutators || r.mutators.includes(mutator)))?.reason ?? '(no reason recorded)';

const file = process.argv[2] ?? 'reports/mutation/mutation.json';
const report = JSON.parse(fs.readFileSync(file, 'utf8'));
const counts = {};
const alive = [];
for (const [path, f] of Object.entries(report.files)) {
	const lines = f.source.split('\n');
	for (const m of f.mutants) {
		counts[m.status] = (counts[m.status] ?? 0) + 1;
		if (m.status === 'Survived' || m.status === 'NoCoverage') {
			const { start, end } = m.location;
			let original = lines.slice(start.line - 1, end.line).join('\n');
			if (start.line === end.line) original = lines[start.line - 1].slice(start.column - 1, end.column - 1);
			alive.push({ path, line: start.line, mutator: m.mutatorName, status: m.status, original, replacement: m.replacement ?? '' });
		}
	}
}
const detected = (counts.Killed ?? 0) + (counts.Timeout ?? 0);
const valid = detected + (counts.Survived ?? 0) + (counts.NoCoverage ?? 0);
console.log(`| status | mutants |\n| --- | ---: |`);
for (const [k, v] of Object.entries(counts).sort()) console.log(`| ${k} | ${v} |`);
console.log(`\nScore: ${((100 * detected) / valid).toFixed(2)} % (killed + timeout of ${valid} valid mutants)\n`);
const short = (s) => JSON.stringify(s.replace(/\s+/g, ' ').trim().slice(0, 70)).slice(1, -1).replace(/\|/g, '\\|');
console.log('| file:line | mutator | status | original → mutant | why it is left |\n| --- | --- | --- | --- | --- |');
alive.sort((a, b) => a.path.localeCompare(b.path) || a.line - b.line);
for (const a of alive) console.log(`| ${a.path.replace(/^nodes\/Ima\//, '')}:${a.line} | ${a.mutator} | ${a.status} | \`${short(a.original)}\` → \`${short(a.replacement)}\` | ${reasonFor(a.path, a.line, a.mutator)} |`);
