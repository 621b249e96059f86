// Plumbing for `npm run test:queue` (test/queue/run.js): PostgreSQL and Redis from Debian's
// packages on loopback, n8n main and worker processes, the simulator child, and a process
// registry that is torn down on exit, failure or Ctrl-C.
'use strict';
const fs = require('fs');
const net = require('net');
const path = require('path');
const { spawn, execFileSync, fork } = require('child_process');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
	});
}

/** Every long-running process this run started, killed (group) at the end. */
const procs = new Set();
function track(child, name) {
	const p = { child, name, pid: child.pid };
	procs.add(p);
	child.on('exit', () => procs.delete(p));
	return p;
}
function killGroup(pid, sig) {
	try {
		process.kill(-pid, sig);
	} catch {
		try {
			process.kill(pid, sig);
		} catch {
			/* gone */
		}
	}
}
async function stopAll() {
	const list = [...procs];
	for (const p of list) killGroup(p.pid, 'SIGTERM');
	const t0 = Date.now();
	while ([...procs].length && Date.now() - t0 < 20_000) await sleep(200);
	for (const p of [...procs]) killGroup(p.pid, 'SIGKILL');
}

/** Waits for cond() (async, truthy) up to ms; returns its value or throws what. */
async function waitFor(cond, ms, what, every = 500) {
	const t0 = Date.now();
	for (;;) {
		const v = await cond();
		if (v) return v;
		if (Date.now() - t0 > ms) throw new Error(`timed out after ${Math.round(ms / 1000)} s: ${what}`);
		await sleep(every);
	}
}

// ------------------------------------------------------------------ apt, PostgreSQL, Redis

function ensureDebianPackages(log) {
	const have = (cmd) => {
		try {
			execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
			return true;
		} catch {
			return false;
		}
	};
	const pgBin = () => {
		const base = '/usr/lib/postgresql';
		if (!fs.existsSync(base)) return undefined;
		const v = fs.readdirSync(base).filter((d) => fs.existsSync(path.join(base, d, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a))[0];
		return v && path.join(base, v, 'bin');
	};
	const missing = [];
	if (!have('redis-server')) missing.push('redis-server');
	if (!pgBin()) missing.push('postgresql');
	if (missing.length) {
		if (process.getuid && process.getuid() !== 0) throw new Error(`missing ${missing.join(', ')}: install them (apt-get install -y ${missing.join(' ')}) or run as root`);
		log(`installing ${missing.join(', ')} with apt-get (a few minutes)`);
		const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
		execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env, timeout: 600_000 });
		execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'ignore', env, timeout: 900_000 });
	}
	return { pgBin: pgBin() };
}

/** PostgreSQL as the non-root user `postgres` (it refuses root), data in dir, loopback only, trust auth. */
async function startPostgres({ pgBin, dir, port, logDir }) {
	const isRoot = process.getuid && process.getuid() === 0;
	const asPg = (cmd, args) => (isRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]);
	fs.mkdirSync(dir, { recursive: true });
	if (isRoot) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
	const data = path.join(dir, 'data');
	const [c1, a1] = asPg(path.join(pgBin, 'initdb'), ['-D', data, '-U', 'n8n', '--auth=trust', '-E', 'UTF8', '--no-sync']);
	execFileSync(c1, a1, { stdio: 'ignore', timeout: 120_000 });
	const logFile = path.join(dir, 'postgres.log');
	// postgres as a direct child (not pg_ctl's daemon): killed with this run whatever happens.
	const [c2, a2] = asPg(path.join(pgBin, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=100']);
	const out = fs.openSync(logFile, 'a');
	const child = spawn(c2, a2, { stdio: ['ignore', out, out], detached: true });
	track(child, 'postgres');
	await waitFor(() => {
		try {
			execFileSync(path.join(pgBin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
			return true;
		} catch {
			return child.exitCode !== null ? Promise.reject(new Error(`postgres exited; see ${logFile}`)) : false;
		}
	}, 60_000, 'PostgreSQL ready');
	execFileSync(path.join(pgBin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'n8n', 'n8n'], { stdio: 'ignore' });
	if (logDir) fs.symlinkSync(logFile, path.join(logDir, 'postgres.log'));
	return { port, child, logFile };
}

async function startRedis({ dir, port }) {
	fs.mkdirSync(dir, { recursive: true });
	const logFile = path.join(dir, 'redis.log');
	const out = fs.openSync(logFile, 'a');
	const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'], { stdio: ['ignore', out, out], detached: true });
	track(child, 'redis');
	await waitFor(
		() =>
			new Promise((resolve) => {
				const s = net.connect(port, '127.0.0.1', () => {
					s.write('PING\r\n');
				});
				s.on('data', (d) => {
					s.destroy();
					resolve(String(d).includes('PONG'));
				});
				s.on('error', () => resolve(false));
			}),
		30_000,
		'Redis ready',
	);
	return { port, child, logFile };
}

// ------------------------------------------------------------------ simulator

async function startSim({ apiKey, speed, logFile }) {
	const child = fork(path.join(__dirname, 'sim-child.js'), [JSON.stringify({ apiKey, speed })], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
	track(child, 'simulator');
	const out = fs.createWriteStream(logFile);
	const redact = (d) => String(d).split(apiKey).join('(the test key)');
	child.stdout.on('data', (d) => out.write(redact(d)));
	child.stderr.on('data', (d) => out.write(redact(d)));
	let next = 1;
	const pending = new Map();
	const ready = new Promise((resolve, reject) => {
		const t = setTimeout(() => reject(new Error('simulator did not start in 20 s')), 20_000);
		child.on('message', (m) => {
			if (m.ready) {
				clearTimeout(t);
				resolve(m);
			} else if (pending.has(m.id)) {
				const p = pending.get(m.id);
				pending.delete(m.id);
				if (m.ok) p.resolve(m.value);
				else p.reject(new Error(m.error));
			}
		});
		child.on('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
	});
	const urls = await ready;
	const call = (op, ...args) =>
		new Promise((resolve, reject) => {
			const id = next++;
			pending.set(id, { resolve, reject });
			child.send({ id, op, args });
		});
	return { ...urls, child, call, close: () => new Promise((r) => (child.exitCode !== null ? r() : (child.once('exit', r), child.kill('SIGTERM')))) };
}

// ------------------------------------------------------------------ n8n processes

/** Environment shared by every n8n process of the queue-mode setup. */
function queueEnv({ nodeBin, pgPort, redisPort, encryptionKey }) {
	const env = { ...process.env };
	for (const k of Object.keys(env)) if (/^(npm_|N8N_|DB_|QUEUE_|EXECUTIONS_)/i.test(k)) delete env[k];
	return Object.assign(env, {
		PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH || ''}`,
		N8N_ENCRYPTION_KEY: encryptionKey,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_DISABLED_MODULES: 'mcp-registry',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		NODE_ENV: 'production',
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redisPort),
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(pgPort),
		DB_POSTGRESDB_DATABASE: 'n8n',
		DB_POSTGRESDB_USER: 'n8n',
		DB_POSTGRESDB_PASSWORD: '',
		// The queue-mode default, set explicitly: filesystem mode is not supported in queue mode.
		N8N_DEFAULT_BINARY_DATA_MODE: 'database',
		// Executions left "running" by a dead worker are marked crashed every minute (default 180).
		N8N_EXECUTIONS_QUEUE_RECOVERY_INTERVAL: '1',
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
		N8N_SECURE_COOKIE: 'false',
	});
}

/** Starts `n8n <command>` (start | worker) with its own ports; output to logFile. */
async function startN8n({ n8n, baseEnv, userFolder, command, name, logFile, extraEnv = {} }) {
	const env = { ...baseEnv, N8N_USER_FOLDER: userFolder, N8N_RUNNERS_BROKER_PORT: String(await freePort()), ...extraEnv };
	let readyUrl;
	if (command === 'start') {
		const port = extraEnv.N8N_PORT || String(await freePort());
		Object.assign(env, { N8N_PORT: port, N8N_LISTEN_ADDRESS: '127.0.0.1', N8N_HOST: '127.0.0.1', N8N_PROTOCOL: 'http', WEBHOOK_URL: `http://127.0.0.1:${port}/` });
		readyUrl = `http://127.0.0.1:${port}/healthz/readiness`;
	} else {
		const port = String(await freePort());
		Object.assign(env, { QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: port, N8N_PORT: port, N8N_LISTEN_ADDRESS: '127.0.0.1' });
		readyUrl = `http://127.0.0.1:${port}/healthz/readiness`;
	}
	const args = [n8n.n8nBin, command, ...(command === 'worker' ? ['--concurrency=10'] : [])];
	const out = fs.openSync(logFile, 'a');
	fs.writeSync(out, `\n===== ${new Date().toISOString()} n8n ${command} (${name}) =====\n`);
	const t0 = Date.now();
	const child = spawn(n8n.nodeBin, args, { cwd: userFolder, env, stdio: ['ignore', out, out], detached: true });
	const p = track(child, name);
	const proc = { name, child, pid: child.pid, logFile, env, url: command === 'start' ? `http://127.0.0.1:${env.N8N_PORT}` : undefined, port: env.N8N_PORT, startedAt: t0 };
	await waitFor(
		async () => {
			if (child.exitCode !== null || child.signalCode) throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before it was ready; see ${logFile}`);
			try {
				const r = await fetch(readyUrl, { signal: AbortSignal.timeout(3000) });
				return r.ok;
			} catch {
				return false;
			}
		},
		240_000,
		`${name} ready (${readyUrl})`,
		1000,
	);
	proc.readyMs = Date.now() - t0;
	proc.tracked = p;
	return proc;
}

/** Stops an n8n process: SIGTERM (graceful) or SIGKILL; waits for its exit. */
async function stopN8n(proc, signal = 'SIGTERM') {
	if (proc.child.exitCode !== null || proc.child.signalCode) return;
	const exited = new Promise((r) => proc.child.once('exit', r));
	if (signal === 'SIGKILL') killGroup(proc.pid, 'SIGKILL');
	else proc.child.kill('SIGTERM');
	const t = setTimeout(() => killGroup(proc.pid, 'SIGKILL'), 60_000);
	await exited;
	clearTimeout(t);
	// The task runner child of the process group, if it outlived its parent.
	killGroup(proc.pid, 'SIGKILL');
}

/** RSS and peak RSS (kB) of a process from /proc. */
function memOf(pid) {
	try {
		const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
		const kb = (k) => Number((new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s) || [])[1] || 0);
		return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
	} catch {
		return undefined;
	}
}

module.exports = { sleep, freePort, waitFor, stopAll, killGroup, ensureDebianPackages, startPostgres, startRedis, startSim, queueEnv, startN8n, stopN8n, memOf, procs };
