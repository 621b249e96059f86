#!/usr/bin/env node
/**
 * n8n's verification scan, run locally: the same two lint legs `@n8n/scan-community-package`
 * runs on a published package, on this checkout and on the tarball `npm pack` makes from it.
 *
 *  1. source leg: package.json, nodes/ and credentials/ (the provenance-attested source);
 *  2. tarball leg: every compiled .js file and the package.json inside the packed tarball.
 *
 * It also checks what the tarball holds: only dist/, README.md, LICENSE and package.json, and no
 * runtime dependencies. The scanner's first step, the npm provenance check, needs a package
 * published from GitHub Actions with `--provenance`; it cannot run before publishing (see README).
 *
 * Usage: npm run build && node scripts/scan.mjs   (part of `npm test`)
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { analyzePackage, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ima-scan-'));
let failed = false;
const report = (ok, what, details = '') => {
	console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${details ? `\n${details}` : ''}`);
	if (!ok) failed = true;
};

try {
	const packed = JSON.parse(
		execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
	)[0];
	const files = packed.files.map((f) => f.path);
	const allowed = (f) => f.startsWith('dist/') || ['README.md', 'LICENSE', 'package.json'].includes(f);
	const extra = files.filter((f) => !allowed(f));
	report(extra.length === 0, `tarball ${packed.filename}: ${files.length} files, ${(packed.size / 1024).toFixed(1)} kB, only dist/, README.md, LICENSE, package.json`, extra.join('\n'));
	for (const needed of ['README.md', 'LICENSE', 'dist/nodes/Ima/Ima.node.js', 'dist/credentials/ImaApi.credentials.js', 'dist/nodes/Ima/ima.svg', 'dist/nodes/Ima/ima.dark.svg', 'dist/nodes/Ima/Ima.node.json']) {
		if (!files.includes(needed)) report(false, `tarball is missing ${needed}`);
	}

	const unpacked = path.join(work, 'package');
	execFileSync('tar', ['-xzf', path.join(work, packed.filename), '-C', work]);
	const manifest = JSON.parse(fs.readFileSync(path.join(unpacked, 'package.json'), 'utf8'));
	const deps = Object.keys(manifest.dependencies ?? {});
	report(deps.length === 0, 'no runtime dependencies', deps.join(', '));
	report(manifest.keywords?.includes('n8n-community-node-package'), 'keyword n8n-community-node-package');

	const source = await analyzePackage(root, SOURCE_FILE_PATTERNS);
	report(source.passed, 'scanner lint, source leg (package.json, nodes/, credentials/)', source.details ?? source.message ?? '');
	const dist = await analyzePackage(unpacked, ['**/*.js', 'package.json']);
	report(dist.passed, 'scanner lint, tarball leg (compiled .js, package.json)', dist.details ?? dist.message ?? '');
} finally {
	fs.rmSync(work, { recursive: true, force: true });
}

if (failed) {
	console.log('\nThe verification scan found problems.');
	process.exit(1);
}
console.log('\nThe verification scan is clean (provenance is checked by n8n after publishing).');
