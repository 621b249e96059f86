// @ts-check
'use strict';
// Plumbing for the editor check (test/n8n/editor.js): pack the package, install it into an n8n user
// folder, start `n8n start` on loopback, and a small REST client for n8n's internal /rest API.

const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const crypto = require('crypto');
const { spawn, execFile } = require('child_process');

const REPO = path.resolve(__dirname, '..', '..', '..');
const PACKAGE = 'n8n-nodes-ima';

/** A free TCP port on 127.0.0.1 (closed again at once). */
function freePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const addr = srv.address();
			const port = addr && typeof addr === 'object' ? addr.port : 0;
			srv.close(() => resolve(port));
		});
	});
}

/**
 * Runs a command; resolves with stdout, rejects with the tail of its output.
 * @param {string} cmd @param {string[]} args @param {{cwd?: string, env?: NodeJS.ProcessEnv, timeout?: number}} [opts]
 * @returns {Promise<string>}
 */
function exec(cmd, args, opts = {}) {
	return new Promise((resolve, reject) => {
		execFile(cmd, args, { cwd: opts.cwd, env: opts.env, timeout: opts.timeout ?? 300_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
			if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${String(stderr).slice(-2000)}`));
			else resolve(String(stdout));
		});
	});
}

/** The environment for npm outside the repo: no npm_* from an enclosing `npm run`. */
function npmEnv() {
	const env = { ...process.env };
	for (const k of Object.keys(env)) if (/^npm_/i.test(k)) delete env[k];
	return env;
}

/** `npm run build` in the repo. */
async function buildPackage() {
	await exec('npm', ['run', 'build'], { cwd: REPO, env: npmEnv() });
}

/** `npm pack` of the repo into destDir; returns the tarball path. Checks the node and credential are in it. */
async function packPackage(destDir) {
	fs.mkdirSync(destDir, { recursive: true });
	const out = await exec('npm', ['pack', '--json', '--pack-destination', destDir], { cwd: REPO, env: npmEnv() });
	const info = JSON.parse(out.slice(out.indexOf('[')))[0];
	const files = new Set(info.files.map((/** @type {{path: string}} */ f) => f.path));
	for (const need of ['dist/nodes/Ima/Ima.node.js', 'dist/credentials/ImaApi.credentials.js', 'package.json']) {
		if (!files.has(need)) throw new Error(`the packed tarball misses ${need} (run npm run build first)`);
	}
	return path.join(destDir, info.filename);
}

const installedDir = (userFolder) => path.join(userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE);

/** Installs the tarball into <userFolder>/.n8n/nodes (as n8n's community-node install lays it out). */
async function installPackage(userFolder, tarball) {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	const pj = path.join(nodesDir, 'package.json');
	if (!fs.existsSync(pj)) fs.writeFileSync(pj, JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2));
	// --legacy-peer-deps: the host n8n provides n8n-workflow (the package's only peer dependency).
	await exec('npm', ['install', tarball, '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error'], {
		cwd: nodesDir,
		env: npmEnv(),
	});
	if (!fs.existsSync(path.join(installedDir(userFolder), 'dist', 'nodes', 'Ima', 'Ima.node.js'))) {
		throw new Error(`npm install left no ${PACKAGE} in ${nodesDir}`);
	}
}

/** The version of the n8n whose bin/n8n this is. */
function n8nVersionOf(n8nBin) {
	try {
		return String(JSON.parse(fs.readFileSync(path.join(path.dirname(n8nBin), '..', 'package.json'), 'utf8')).version);
	} catch {
		return '?';
	}
}

/** Environment for an offline n8n on loopback. */
function n8nEnv(userFolder, port, brokerPort, major) {
	const env = { ...process.env };
	for (const k of Object.keys(env)) if (/^(npm_|N8N_|DB_)/i.test(k)) delete env[k];
	return Object.assign(env, {
		N8N_USER_FOLDER: userFolder,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}/`,
		N8N_SECURE_COOKIE: 'false',
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_VERIFIED_PACKAGES_ENABLED: 'false',
		N8N_AI_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		// 2.x: its MCP registry module fetches a catalogue at start (1.x does not know the module and exits).
		...(major >= 2 ? { N8N_DISABLED_MODULES: 'mcp-registry' } : {}),
	});
}

/**
 * Starts `n8n start` and waits until the editor and REST API answer.
 * @param {{nodeBin: string, n8nBin: string, userFolder: string, logFile: string, port?: number, timeoutMs?: number, env?: Record<string, string>}} o
 */
async function startN8n(o) {
	const port = o.port ?? (await freePort());
	const brokerPort = await freePort();
	const url = `http://127.0.0.1:${port}`;
	fs.mkdirSync(path.dirname(o.logFile), { recursive: true });
	const log = fs.createWriteStream(o.logFile);
	let tail = '';
	const child = spawn(o.nodeBin, [o.n8nBin, 'start'], {
		cwd: o.userFolder,
		env: { ...n8nEnv(o.userFolder, port, brokerPort, Number(n8nVersionOf(o.n8nBin).split('.')[0]) || 2), ...(o.env || {}) },
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true, // its own process group: stop() ends n8n and its task runners together
	});
	const onData = (/** @type {Buffer} */ b) => {
		log.write(b);
		tail = (tail + b.toString()).slice(-8000);
	};
	child.stdout.on('data', onData);
	child.stderr.on('data', onData);
	let exited = /** @type {null | string} */ (null);
	const exitPromise = new Promise((resolve) => child.on('exit', (code, sig) => { exited = `exited (${code ?? sig})`; resolve(undefined); }));

	const stop = async () => {
		if (exited) return;
		try { process.kill(-/** @type {number} */ (child.pid), 'SIGTERM'); } catch { /* gone */ }
		const t = setTimeout(() => { try { process.kill(-/** @type {number} */ (child.pid), 'SIGKILL'); } catch { /* gone */ } }, 15_000);
		await exitPromise;
		clearTimeout(t);
		log.end();
	};

	const t0 = Date.now();
	const deadline = t0 + (o.timeoutMs ?? 240_000);
	for (;;) {
		if (exited) throw new Error(`n8n ${exited} before it was ready; log ${o.logFile}:\n${tail.slice(-3000)}`);
		if (Date.now() > deadline) {
			await stop();
			throw new Error(`n8n was not ready after ${Math.round((deadline - t0) / 1000)} s; log ${o.logFile}:\n${tail.slice(-3000)}`);
		}
		try {
			const h = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
			if (h.ok) {
				// While it migrates its database n8n answers every path with 'n8n is starting up'.
				const s = await fetch(`${url}/rest/settings`, { signal: AbortSignal.timeout(5000) });
				const body = s.ok ? await s.text() : '';
				if (body.startsWith('{') && JSON.parse(body).data) break;
			}
		} catch { /* not yet */ }
		await new Promise((r) => setTimeout(r, 500));
	}
	return { url, port, child, stop, startupMs: Date.now() - t0, logTail: () => tail };
}

/** A cookie-keeping client for n8n's internal REST API (/rest), as the editor uses it. */
class N8nRest {
	/** @param {string} url */
	constructor(url) {
		this.url = url.replace(/\/+$/, '');
		this.cookie = '';
		// The auth cookie is bound to a browser id sent as a header (n8n 1.x and 2.x).
		this.browserId = crypto.randomUUID();
	}

	/** @param {string} method @param {string} p @param {unknown} [body] @returns {Promise<{status: number, json: any, text: string}>} */
	async raw(method, p, body) {
		/** @type {Record<string, string>} */
		const headers = { 'browser-id': this.browserId, accept: 'application/json' };
		if (this.cookie) headers.cookie = this.cookie;
		if (body !== undefined) headers['content-type'] = 'application/json';
		const res = await fetch(`${this.url}/rest${p}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(60_000) });
		const setCookie = res.headers.getSetCookie ? res.headers.getSetCookie() : [];
		for (const c of setCookie) {
			const m = /^n8n-auth=([^;]*)/.exec(c);
			if (m) this.cookie = `n8n-auth=${m[1]}`;
		}
		const text = await res.text();
		let json;
		try { json = JSON.parse(text); } catch { json = undefined; }
		return { status: res.status, json, text };
	}

	/** Like raw, but throws unless 2xx; returns the `data` member. */
	async call(method, p, body) {
		const r = await this.raw(method, p, body);
		if (r.status < 200 || r.status >= 300) throw new Error(`${method} /rest${p} -> HTTP ${r.status}: ${r.text.slice(0, 500)}`);
		return r.json && typeof r.json === 'object' && 'data' in r.json ? r.json.data : r.json;
	}
}

/** A fresh temp dir. */
function tempDir(prefix) {
	return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

module.exports = { REPO, PACKAGE, n8nVersionOf, n8nEnv, freePort, exec, buildPackage, packPackage, installPackage, installedDir, startN8n, N8nRest, tempDir };
