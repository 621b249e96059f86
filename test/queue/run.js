#!/usr/bin/env node
// `npm run test:queue`: the packed package in REAL n8n 2.41.1 in queue mode (issue #12, part 1 and
// the queue-mode proof of part 2). Not part of `npm test` or CI: it needs root (or Redis and
// PostgreSQL installed), about 4 GB of RAM, 2 GB of disk besides the n8n install, ~7 minutes.
//
// Sets up, all on loopback, offline, in a temp folder (removed at the end unless N8N_IMA_KEEP=1):
//   - redis-server and PostgreSQL from Debian's packages (apt-get install when missing; PostgreSQL
//     runs as the user `postgres`, which the Debian package creates: it refuses root),
//   - the IMA simulator (test/simulator) in a child process, steered over IPC,
//   - the package packed (`npm pack`) and installed with npm into each n8n process's own
//     $N8N_USER_FOLDER/.n8n/nodes, as a user installs a community node by hand,
//   - the credential and the workflows imported with the n8n CLI, the webhook workflows published,
//   - `n8n start` (main) and two `n8n worker`s, EXECUTIONS_MODE=queue, DB_TYPE=postgresdb,
//     binary data mode `database` (the queue-mode default; filesystem is not supported there).
// Then proves, and prints as a table (also test-output/queue/summary.json):
//   1. 20 executions started by webhook at once, 5 items each, over both workers; every media
//      byte for byte (sha256 of the stored binary in PostgreSQL = sha256 of the simulator's file);
//      wall time of the 20 against one alone; product-list loads per worker process.
//   2. stopping one execution while it waits for the shared product-list load does not fail a
//      concurrent execution on the same worker.
//   3. peak RSS of a worker while it stores one 300 MB video (binary mode database), and n8n
//      itself doing the same with its HTTP Request node (no IMA), and the idle worker.
//   4. a worker SIGKILLed during Generate's polling: what n8n does with the execution; the task
//      id is in that worker's log (n8n's logger), the key nowhere.
//   5. the Check Task loop (examples/check-task-loop.json, Wait 66 s): the worker that ran Create
//      Task is SIGKILLed and main restarted during the Wait; the loop ends with the media, one create.
//   6. Max Credits per Run across a long Wait: Loop Over Items → Create Task (budgets 5 and 0, a task
//      of 5) → Wait 70 s; the worker that ran the create is SIGKILLed and main restarted during the
//      Wait; the execution resumes on the other worker and ends with ONE create (the second refused).
// Usage: npm run test:queue          N8N_IMA_KEEP=1 keeps the temp folder (logs, PostgreSQL data)
//        N8N_IMA_QUEUE_SKIP=big,kill  skips phases (fan, cancel, big, kill, loop, budget)
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const crypto = require('crypto');
const { execFile } = require('child_process');
const { promisify } = require('util');
const { ensureN8n, npmCliJs, npmEnv } = require('../n8n/install');
const infra = require('./infra');
const { sleep, waitFor, freePort, memOf } = infra;

const REPO = path.resolve(__dirname, '..', '..');
const OUT = path.join(REPO, 'test-output', 'queue');
const API_KEY = 'sim-queue-key-7f3a9c'; // fake; the simulator accepts only this key
const CREDENTIAL = { id: 'imaSimCredential', name: 'IMA account (simulator)' };
const SPEED = 10; // simulated seconds per real second: an image takes 2 s, a video 6 s
const BIG_BYTES = 300 * 1024 * 1024;
const SKIP = new Set((process.env.N8N_IMA_QUEUE_SKIP || '').split(',').filter(Boolean));
const secs = (ms) => (ms / 1000).toFixed(1);
const mb = (kb) => `${Math.round(kb / 1024)} MB`;
const log = (...a) => console.log(...a);
const sha = (buf) => crypto.createHash('sha256').update(buf).digest('hex');

const rows = []; // the table: {what, result, ok}
const row = (what, result, ok) => {
	rows.push({ what, result, ok: !!ok });
	log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}: ${result}`);
	return !!ok;
};

async function shaOfUrl(url) {
	const res = await fetch(url);
	if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
	const h = crypto.createHash('sha256');
	for await (const chunk of res.body) h.update(chunk);
	return h.digest('hex');
}

async function installPackage(nodeBin, userFolder, tarball, logFile) {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	fs.writeFileSync(path.join(nodesDir, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2));
	const env = npmEnv(nodeBin);
	const r = await promisify(execFile)(nodeBin, [npmCliJs(), 'install', tarball, '--no-audit', '--no-fund'], { cwd: nodesDir, env, timeout: 300_000 });
	fs.writeFileSync(logFile, r.stdout + r.stderr);
}

/** Runs an n8n CLI command to its end (import, publish). */
async function n8nCli(n8n, env, args, logFile) {
	try {
		const r = await promisify(execFile)(n8n.nodeBin, [n8n.n8nBin, ...args], { cwd: env.N8N_USER_FOLDER, env, timeout: 300_000, maxBuffer: 64 << 20 });
		fs.appendFileSync(logFile, `$ n8n ${args.join(' ')}\n${r.stdout}${r.stderr}\n`);
		return r.stdout + r.stderr;
	} catch (e) {
		fs.appendFileSync(logFile, `$ n8n ${args.join(' ')}\n${e.stdout || ''}${e.stderr || ''}\n`);
		throw new Error(`n8n ${args[0]} failed; see ${logFile}`);
	}
}

async function main() {
	const t0 = Date.now();
	fs.rmSync(OUT, { recursive: true, force: true });
	fs.mkdirSync(OUT, { recursive: true });
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-ima-queue-'));
	fs.chmodSync(work, 0o755); // PostgreSQL (user postgres) must reach its data folder below
	log(`n8n queue mode: work folder ${work}`);
	let onSignal;
	const cleanup = async () => {
		await infra.stopAll();
		if (!process.env.N8N_IMA_KEEP) fs.rmSync(work, { recursive: true, force: true });
	};
	onSignal = () => {
		log('\ninterrupted: stopping every process this run started');
		cleanup().finally(() => process.exit(130));
	};
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);
	const timings = {};
	try {
		// ---------------------------------------------------------------- setup
		const ts = Date.now();
		const { pgBin } = infra.ensureDebianPackages(log);
		const n8n = await ensureN8n('2.41.1');
		const pack = JSON.parse((await promisify(execFile)('npm', ['pack', '--pack-destination', work, '--json'], { cwd: REPO })).stdout);
		const tarball = path.join(work, pack[0].filename);
		log(`packed ${pack[0].filename}; n8n ${n8n.version} on ${n8n.nodeBin}`);
		const [pg, redis] = await Promise.all([
			freePort().then((port) => infra.startPostgres({ pgBin, dir: path.join(work, 'pg'), port })),
			freePort().then((port) => infra.startRedis({ dir: path.join(work, 'redis'), port })),
		]);
		log(`PostgreSQL on 127.0.0.1:${pg.port}, Redis on 127.0.0.1:${redis.port}`);
		const sim = await infra.startSim({ apiKey: API_KEY, speed: SPEED, logFile: path.join(OUT, 'simulator.log') });
		log(`simulator at ${sim.baseUrl} (speed ${SPEED})`);
		const baseEnv = infra.queueEnv({ nodeBin: n8n.nodeBin, pgPort: pg.port, redisPort: redis.port, encryptionKey: 'n8n-nodes-ima-queue-encryption-key' });
		const folders = { main: path.join(work, 'main'), worker1: path.join(work, 'worker1'), worker2: path.join(work, 'worker2') };
		await Promise.all(Object.entries(folders).map(([name, f]) => installPackage(n8n.nodeBin, f, tarball, path.join(OUT, `npm-install-${name}.log`))));
		const mainEnv = { ...baseEnv, N8N_USER_FOLDER: folders.main };
		const credFile = path.join(work, 'cred.json');
		fs.writeFileSync(credFile, JSON.stringify([{ ...CREDENTIAL, type: 'imaApi', data: { apiKey: API_KEY, baseUrl: sim.baseUrl, uploadBaseUrl: sim.uploadBaseUrl } }]));
		const cliLog = path.join(OUT, 'n8n-cli.log');
		await n8nCli(n8n, mainEnv, ['import:credentials', `--input=${credFile}`], cliLog);
		fs.rmSync(credFile);
		const wfs = require('./workflows').all(CREDENTIAL);
		const wfDir = path.join(work, 'workflows');
		fs.mkdirSync(wfDir);
		for (const w of wfs) fs.writeFileSync(path.join(wfDir, `${w.id}.json`), JSON.stringify(w, null, 2));
		await n8nCli(n8n, mainEnv, ['import:workflow', '--separate', `--input=${wfDir}`], cliLog);
		for (const w of wfs) await n8nCli(n8n, mainEnv, ['publish:workflow', `--id=${w.id}`], cliLog);
		const { Client } = require(path.join(n8n.dir, 'node_modules', 'pg'));
		const db = new Client({ host: '127.0.0.1', port: pg.port, user: 'n8n', database: 'n8n' });
		await db.connect();
		db.on('error', () => undefined); // PostgreSQL stops at the end
		const q = async (text, params) => (await db.query(text, params)).rows;
		const flatted = require(path.join(n8n.dir, 'node_modules', 'flatted'));

		const mainPort = String(await freePort());
		const startMain = () => infra.startN8n({ n8n, baseEnv, userFolder: folders.main, command: 'start', name: 'main', logFile: path.join(OUT, 'main.log'), extraEnv: { N8N_PORT: mainPort } });
		const startWorker = (name) => infra.startN8n({ n8n, baseEnv, userFolder: folders[name], command: 'worker', name, logFile: path.join(OUT, `${name}.log`) });
		let main = await startMain();
		const workers = {};
		[workers.worker1, workers.worker2] = await Promise.all([startWorker('worker1'), startWorker('worker2')]);
		timings.setup = Date.now() - ts;
		log(`main ready in ${secs(main.readyMs)} s, workers in ${secs(workers.worker1.readyMs)} / ${secs(workers.worker2.readyMs)} s; setup ${secs(timings.setup)} s`);

		const hook = async (p, body) => {
			const r = await fetch(`${main.url}/webhook/${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(60_000) });
			if (!r.ok) throw new Error(`POST /webhook/${p}: HTTP ${r.status} ${(await r.text()).slice(0, 200)}`);
		};
		const executionsOf = (workflowId, sinceId = 0) => q('select id, status, mode, "startedAt", "stoppedAt", "createdAt", "waitTill" from execution_entity where "workflowId" = $1 and id > $2 order by id', [workflowId, sinceId]);
		const maxId = async () => Number((await q('select coalesce(max(id), 0) as m from execution_entity'))[0].m);
		const runDataOf = async (id) => {
			const r = await q('select data from execution_data where "executionId" = $1', [id]);
			return r.length ? flatted.parse(r[0].data) : undefined;
		};
		/** Which worker ran (started) an execution, from the workers' logs. */
		const workerOf = (execId) => {
			const found = [];
			for (const name of Object.keys(folders).filter((n) => n !== 'main')) {
				const text = fs.existsSync(path.join(OUT, `${name}.log`)) ? fs.readFileSync(path.join(OUT, `${name}.log`), 'utf8') : '';
				if (new RegExp(`Worker started execution ${execId} \\(`).test(text)) found.push(name);
			}
			return found.join('+') || '?';
		};
		/** How often each worker started an execution (a resume after a Wait starts it again): ['worker1 ×1', ...]. */
		const startsOf = (execId) => {
			const on = [];
			for (const n of Object.keys(workers)) {
				const text = fs.readFileSync(workers[n].logFile, 'utf8');
				const c = (text.match(new RegExp(`Worker started execution ${execId} \\(`, 'g')) || []).length;
				if (c) on.push(`${n} ×${c}`);
			}
			return on;
		};
		/** During a long Wait: SIGKILL the worker that ran the execution so far, and restart main. */
		const killWorkerRestartMain = async (creator) => {
			await infra.stopN8n(workers[creator], 'SIGKILL');
			const tRestart = Date.now();
			await infra.stopN8n(main, 'SIGTERM');
			main = await startMain();
			row(`${creator} SIGKILLed, main restarted during the Wait`, `main down and up again in ${secs(Date.now() - tRestart)} s`, true);
		};
		const waitDone = (workflowId, since, count, ms) =>
			waitFor(async () => {
				const ex = await executionsOf(workflowId, since);
				return ex.length >= count && ex.every((e) => !['new', 'running', 'waiting'].includes(e.status)) ? ex : undefined;
			}, ms, `${count} execution(s) of ${workflowId} finished`, 1000);
		/** Media of an execution's IMA node: items, and each stored binary checked against the CDN. */
		const checkMedia = async (execId, nodeName, output = 0) => {
			const data = await runDataOf(execId);
			const runs = data && data.resultData && data.resultData.runData && data.resultData.runData[nodeName];
			const last = runs && runs[runs.length - 1];
			const items = (last && last.data && last.data.main && last.data.main[output]) || [];
			const error = (data && data.resultData && data.resultData.error && data.resultData.error.message) || '';
			let good = 0;
			const bad = [];
			for (const it of items) {
				const b = it.binary && it.binary.data;
				const fileId = b && b.id && b.id.replace(/^database:(\/\/)?/, '');
				const stored = fileId ? await q('select encode(sha256(data), \'hex\') as h, "fileSize" as size from binary_data where "fileId" = $1', [fileId]) : [];
				const remote = it.json && it.json.url ? await shaOfUrl(it.json.url) : undefined;
				if (stored.length && remote && stored[0].h === remote) good++;
				else bad.push(`${it.json && it.json.taskId}: ${b ? b.id : 'no binary'} ${stored.length ? 'stored' : 'not in binary_data'}`);
			}
			return { items, good, bad, runs: runs ? runs.length : 0, data, error };
		};

		// REST login (stop an execution as a user of the editor does)
		let cookie = '';
		const browserId = crypto.randomUUID();
		const rest = async (method, p, body) => {
			const headers = { 'browser-id': browserId, 'content-type': 'application/json' };
			if (cookie) headers.cookie = cookie;
			const res = await fetch(`${main.url}/rest${p}`, { method, headers, body: body && JSON.stringify(body), signal: AbortSignal.timeout(60_000) });
			for (const c of res.headers.getSetCookie()) {
				const m = /^n8n-auth=([^;]*)/.exec(c);
				if (m) cookie = `n8n-auth=${m[1]}`;
			}
			return { status: res.status, text: await res.text() };
		};
		const owner = { email: 'owner@example.com', password: 'Test-Passw0rd-1' };
		const setup = await rest('POST', '/owner/setup', { ...owner, firstName: 'Test', lastName: 'Owner' });
		if (setup.status !== 200) throw new Error(`owner setup: HTTP ${setup.status} ${setup.text.slice(0, 200)}`);

		/** A phase that fails is a failed row; the next phases still run. */
		const phase = async (name, fn) => {
			if (SKIP.has(name)) return;
			try {
				await fn();
			} catch (e) {
				row(`phase "${name}"`, `aborted: ${e.message}`, false);
			}
		};

		// ---------------------------------------------------------------- 1. 20 at once
		await phase('fan', async () => {
			log('\n1. 20 executions by webhook at once, 5 items each');
			const wid = 'queueImaFan00001';
			const body = (k) => ({ items: Array.from({ length: 5 }, (_, i) => ({ prompt: `queue test ${k} item ${i}` })) });
			let since = await maxId();
			const plBefore = (await sim.call('productListRequests', 'text_to_image')).length;
			const tOne = Date.now();
			await hook('ima-fan', body('alone'));
			const [one] = await waitDone(wid, since, 1, 180_000);
			const oneMs = new Date(one.stoppedAt) - new Date(one.createdAt);
			row('one execution alone (5 items)', `${one.status}, ${secs(oneMs)} s (webhook to stop ${secs(Date.now() - tOne)} s)`, one.status === 'success');
			since = await maxId();
			const t20 = Date.now();
			await Promise.all(Array.from({ length: 20 }, (_, k) => hook('ima-fan', body(k))));
			const ex = await waitDone(wid, since, 20, 600_000);
			const wall = Math.max(...ex.map((e) => new Date(e.stoppedAt))) - Math.min(...ex.map((e) => new Date(e.createdAt)));
			const by = {};
			for (const e of ex) by[workerOf(e.id)] = (by[workerOf(e.id)] || 0) + 1;
			row('20 executions at once: status', `${ex.filter((e) => e.status === 'success').length}/20 success`, ex.every((e) => e.status === 'success'));
			row('20 executions: which worker ran them (worker logs)', Object.entries(by).map(([k, v]) => `${k} ${v}`).join(', '), by.worker1 > 0 && by.worker2 > 0 && !by['?']);
			let good = 0;
			let total = 0;
			const bad = [];
			for (const e of ex) {
				const m = await checkMedia(e.id, 'IMA Generate');
				good += m.good;
				total += m.items.length;
				bad.push(...m.bad);
			}
			row('media byte for byte (sha256 in PostgreSQL binary_data = simulator file)', `${good}/${total} (expected 100)${bad.length ? `; bad: ${bad.slice(0, 3).join('; ')}` : ''}`, good === 100 && total === 100);
			row('wall time: 20 executions vs one alone', `${secs(wall)} s vs ${secs(oneMs)} s (×${(wall / oneMs).toFixed(2)}; ${secs(Date.now() - t20)} s from the first POST)`, true);
			const pl = (await sim.call('productListRequests', 'text_to_image')).length - plBefore;
			row('text_to_image product-list loads for these 21 executions (105 items; cache per process, 60 s)', `${pl} (one per worker process: 2)`, pl >= 1 && pl <= 2);
			timings.fan = Date.now() - t20;
		});

		// ---------------------------------------------------------------- 2. cancel isolation
		await phase('cancel', async () => {
			log('\n2. stopping one execution never fails a concurrent one on the same worker');
			const tc = Date.now();
			const wid = 'queueImaMusic001';
			// worker2 stopped for this phase, so both executions go to worker1. (SIGSTOP is not
			// enough: a paused worker's blocking Redis read still takes the next job.)
			await infra.stopN8n(workers.worker2, 'SIGTERM');
			try {
				// The first product-list request for music answers 503 with Retry-After 6 s: the
				// shared load (no execution's signal) waits, retries and succeeds.
				await sim.call('fault', { route: 'productList', kind: 'status', status: 503, retryAfter: 6, times: 1 });
				const since = await maxId();
				await hook('ima-music', { prompt: 'execution A (stopped)' });
				const [a] = await waitFor(async () => {
					const e = await executionsOf(wid, since);
					return e.length >= 1 && workerOf(e[0].id) !== '?' ? e : undefined;
				}, 60_000, 'execution A started');
				await hook('ima-music', { prompt: 'execution B (must succeed)' });
				const [, b] = await waitFor(async () => {
					const e = await executionsOf(wid, since);
					return e.length >= 2 && workerOf(e[1].id) !== '?' ? e : undefined;
				}, 60_000, 'execution B started');
				await waitFor(async () => (await sim.call('productListRequests', 'text_to_music')).length >= 1, 30_000, 'the first product-list request');
				await sleep(1000);
				const stop = await rest('POST', `/executions/${a.id}/stop`);
				const fin = await waitDone(wid, since, 2, 180_000);
				const A = fin.find((e) => e.id === a.id);
				const B = fin.find((e) => e.id === b.id);
				const mB = await checkMedia(B.id, 'IMA Generate');
				const pl = await sim.call('productListRequests', 'text_to_music');
				row('A and B on one worker', `A (execution ${a.id}) on ${workerOf(a.id)}, B (${b.id}) on ${workerOf(b.id)}`, workerOf(a.id) === workerOf(b.id));
				row('A stopped (POST /rest/executions/:id/stop) during the shared product-list load', `HTTP ${stop.status}; A ${A.status}`, stop.status === 200 && A.status !== 'success');
				row('B on the same worker still succeeds with its media', `B ${B.status}${mB.error ? ` (${mB.error})` : ''}, ${mB.good}/${mB.items.length} media byte for byte`, B.status === 'success' && mB.good === 1 && mB.items.length === 1);
				row('music product-list requests (503 + its retry = one shared load, not cut by A)', `${pl.length}`, pl.length === 2);
			} finally {
				workers.worker2 = await startWorker('worker2');
			}
			timings.cancel = Date.now() - tc;
		});

		// ---------------------------------------------------------------- 3. 300 MB video, memory
		await phase('big', async () => {
			log('\n3. peak RSS of a worker storing one 300 MB video (binary data mode database)');
			const tb = Date.now();
			const sampleDuring = async (fn) => {
				const peak = {};
				const idle = {};
				for (const [n, w] of Object.entries(workers)) idle[n] = (memOf(w.pid) || {}).rss || 0;
				let on = true;
				const sampler = (async () => {
					while (on) {
						for (const [n, w] of Object.entries(workers)) {
							const m = memOf(w.pid);
							if (m) peak[n] = Math.max(peak[n] || 0, m.rss);
						}
						await sleep(100);
					}
				})();
				try {
					return { result: await fn(), peak, idle };
				} finally {
					on = false;
					await sampler;
				}
			};
			const bigRun = async (label, wid, fire, nodeName) => {
				const since = await maxId();
				const r = await sampleDuring(async () => {
					await fire();
					return (await waitDone(wid, since, 1, 900_000))[0];
				});
				const e = r.result;
				const w = workerOf(e.id);
				const data = await runDataOf(e.id);
				const runs = data && data.resultData.runData[nodeName];
				const item = runs && runs[0].data && runs[0].data.main[0] && runs[0].data.main[0][0];
				const b = item && item.binary && item.binary.data;
				const fileId = b && b.id && b.id.replace(/^database:(\/\/)?/, '');
				const stored = fileId ? await q('select encode(sha256(data), \'hex\') as h, "fileSize" as size from binary_data where "fileId" = $1', [fileId]) : [];
				const err = data && data.resultData.error ? data.resultData.error.message : '';
				return { e, w, idle: r.idle[w], peak: r.peak[w], stored: stored[0], url: item && item.json && (item.json.url || undefined), err };
			};
			await sim.call('queueTask', { mediaBytes: BIG_BYTES });
			const ima = await bigRun('IMA', 'queueImaVideo001', () => hook('ima-video', { prompt: 'a 300 MB video' }), 'IMA Generate');
			const task = (await sim.call('tasks')).filter((t) => t.mediaBytes === BIG_BYTES).pop();
			const url = `${sim.cdnBaseUrl}/media/${task.id}/0.mp4`;
			const want = await shaOfUrl(url);
			row('IMA Generate, 300 MB video: status, stored bytes', `${ima.e.status}${ima.err ? ` (${ima.err})` : ''}; ${ima.stored ? `${ima.stored.size} bytes in binary_data, sha256 ${ima.stored.h === want ? '= simulator file' : 'DIFFERS'}` : 'nothing stored'}`, ima.e.status === 'success' && ima.stored && ima.stored.h === want);
			row(`worker RSS (${ima.w}), IMA Generate storing 300 MB`, `idle ${mb(ima.idle)} → peak ${mb(ima.peak)} (+${mb(ima.peak - ima.idle)})`, ima.peak > 0);
			const http = await bigRun('HTTP', 'queueHttpFile001', () => hook('http-file', { url }), 'HTTP Request');
			row('n8n alone: HTTP Request (file) storing the same 300 MB', `${http.e.status}${http.err ? ` (${http.err})` : ''}; ${http.stored ? `${http.stored.size} bytes, sha256 ${http.stored.h === want ? '= simulator file' : 'DIFFERS'}` : 'nothing stored'}`, http.e.status === 'success' && http.stored && http.stored.h === want);
			row(`worker RSS (${http.w}), HTTP Request storing 300 MB`, `idle ${mb(http.idle)} → peak ${mb(http.peak)} (+${mb(http.peak - http.idle)})`, http.peak > 0);
			row('IMA Generate\'s peak growth minus n8n\'s own (HTTP Request)', `${mb(ima.peak - ima.idle - (http.peak - http.idle))}`, true);
			timings.big = Date.now() - tb;
		});

		// ---------------------------------------------------------------- 4. SIGKILL during polling
		await phase('kill', async () => {
			log('\n4. a worker SIGKILLed in the middle of Generate\'s polling');
			const tk = Date.now();
			await sim.call('queueTask', { durationSec: 3000 }); // 300 s real: still polling when killed
			const since = await maxId();
			const createsBefore = (await sim.call('creates')).length;
			await hook('ima-video', { prompt: 'killed while polling' });
			const [e] = await waitFor(async () => {
				const ex = await executionsOf('queueImaVideo001', since);
				return ex.length && workerOf(ex[0].id) !== '?' ? ex : undefined;
			}, 60_000, 'the execution started on a worker');
			const victim = workerOf(e.id);
			const created = await waitFor(() => {
				const m = new RegExp(`IMA task created: (\\S+) \\(execution ${e.id},`).exec(fs.readFileSync(workers[victim].logFile, 'utf8'));
				return m && m[1];
			}, 60_000, 'the IMA log line naming the task id');
			await sleep(3000); // polling
			const detailsBefore = (await sim.call('counts')).detail || 0;
			await infra.stopN8n(workers[victim], 'SIGKILL');
			const tKill = Date.now();
			row(`${victim} SIGKILLed during polling`, `execution ${e.id}, task ${created}`, true);
			const logText = fs.readFileSync(workers[victim].logFile, 'utf8');
			row('task id in the killed worker\'s log (n8n logger), key absent', `"IMA task created: ${created} (execution ${e.id}, node "IMA Generate", item 0)"; key in log: ${logText.includes(API_KEY) ? 'YES' : 'no'}`, logText.includes(`IMA task created: ${created}`) && !logText.includes(API_KEY));
			const simTask = (await sim.call('tasks')).find((t) => t.id === created);
			row('the task exists at IMA (simulator) and keeps running', simTask ? `task ${created} known, ${Math.round(simTask.durationMs / 1000)} s long` : 'unknown', !!simTask);
			// What n8n does: the Bull job stalls (lock 60 s, maxStalledCount 0: never run again);
			// either Bull's stalled-job failure ("error") or queue recovery on main (every
			// N8N_EXECUTIONS_QUEUE_RECOVERY_INTERVAL minutes, here 1, default 180: "crashed") ends
			// it, whichever comes first. Both mean the same: n8n gave up and will not run it again.
			const after = await waitFor(async () => {
				const [x] = await q('select status from execution_entity where id = $1', [e.id]);
				return x && x.status !== 'running' && x.status !== 'new' ? x.status : undefined;
			}, 240_000, 'n8n changes the killed execution\'s status').catch(() => 'still running after 240 s');
			const createsAfter = (await sim.call('creates')).length - createsBefore;
			const detailsAfter = ((await sim.call('counts')).detail || 0) - detailsBefore;
			row('what n8n does with the execution', `status "${after}" after ${secs(Date.now() - tKill)} s; not run again: ${createsAfter} create(s) in all, ${detailsAfter} status checks after the kill`, (after === 'crashed' || after === 'error') && createsAfter === 1 && detailsAfter === 0);
			workers[victim] = await startWorker(victim);
			timings.kill = Date.now() - tk;
		});

		// ---------------------------------------------------------------- 5. Check Task loop
		await phase('loop', async () => {
			log('\n5. Check Task loop: worker that ran Create Task killed, main restarted during the Wait');
			const tl = Date.now();
			const wid = 'queueImaLoop0001';
			await sim.call('queueTask', { durationSec: 1000 }); // 100 s real: two rounds of the 66 s Wait
			const since = await maxId();
			const createsBefore = (await sim.call('creates')).length;
			await hook('ima-loop', {});
			const [e] = await waitFor(async () => {
				const ex = await executionsOf(wid, since);
				return ex.length && ex[0].status === 'waiting' ? ex : undefined;
			}, 120_000, 'the loop execution waiting in the database');
			const creator = workerOf(e.id);
			const created = (new RegExp(`IMA task created: (\\S+) \\(execution ${e.id},`).exec(fs.readFileSync(workers[creator].logFile, 'utf8')) || [])[1];
			row('Create Task ran, execution "waiting" in PostgreSQL (Wait 66 s)', `execution ${e.id} on ${creator}, task ${created}, waitTill ${new Date(e.waitTill).toISOString()}`, !!created);
			await killWorkerRestartMain(creator);
			const [fin] = await waitDone(wid, since, 1, 600_000);
			const m = await checkMedia(fin.id, 'Check Task', 0);
			const checks = m.runs;
			const resumedOn = startsOf(e.id);
			const creates = (await sim.call('creates')).length - createsBefore;
			row('the loop finishes', `${fin.status} after ${secs(new Date(fin.stoppedAt) - new Date(fin.createdAt))} s; Check Task ran ${checks}× (Running, then Done); started on ${resumedOn.join(', ')}`, fin.status === 'success' && checks >= 2);
			row('media on Done, byte for byte; one create', `${m.good}/${m.items.length} media = simulator file; ${creates} create(s); task ${m.items[0] && m.items[0].json.taskId === created ? 'the one created' : 'DIFFERENT'}`, m.good === 1 && m.items.length === 1 && creates === 1 && m.items[0].json.taskId === created);
			timings.loop = Date.now() - tl;
		});

		// ---------------------------------------------------------------- 6. budget across a long Wait
		await phase('budget', async () => {
			log('\n6. Max Credits per Run across a long Wait: its worker SIGKILLed, main restarted during the Wait');
			const tb = Date.now();
			const wid = 'queueImaBudget01';
			const alive = (p) => p && p.child.exitCode === null && !p.child.signalCode;
			for (const name of Object.keys(workers)) if (!alive(workers[name])) workers[name] = await startWorker(name);
			const since = await maxId();
			const createsBefore = (await sim.call('creates')).length;
			const creditsBefore = await sim.call('creditsCharged');
			await hook('ima-budget', { items: [{ budget: 5 }, { budget: 0 }] });
			const [e] = await waitFor(async () => {
				const ex = await executionsOf(wid, since);
				return ex.length && ex[0].status === 'waiting' ? ex : undefined;
			}, 120_000, 'the budget loop waiting in the database');
			const creator = workerOf(e.id);
			const createdFirst = (await sim.call('creates')).length - createsBefore;
			row('loop run 1: Create Task (Max Credits 5) ran, execution "waiting" in PostgreSQL (Wait 70 s)', `execution ${e.id} on ${creator}; ${createdFirst} create(s)`, createdFirst === 1 && creator !== '?');
			await killWorkerRestartMain(creator);
			const [fin] = await waitDone(wid, since, 1, 600_000);
			const data = await runDataOf(fin.id);
			const runData = (data && data.resultData && data.resultData.runData) || {};
			const runs = runData['IMA Create Task'] || [];
			const json = (r) => (r && r.data && r.data.main && r.data.main[0] && r.data.main[0][0] && r.data.main[0][0].json) || {};
			const startedOn = startsOf(e.id);
			const creates = (await sim.call('creates')).length - createsBefore;
			const credits = (await sim.call('creditsCharged')) - creditsBefore;
			row('the execution finishes, resumed on the other worker', `${fin.status} after ${secs(new Date(fin.stoppedAt) - new Date(fin.createdAt))} s; Create Task ran ${runs.length}×; started on ${startedOn.join(', ')}`, fin.status === 'success' && runs.length === 2 && startedOn.some((x) => !x.startsWith(creator)));
			const second = json(runs[1]);
			row('ONE create in the whole execution (budget of one task); run 2 refused before paying', `${creates} create(s), ${credits} credits; run 2: ${String(second.error || second.taskId).slice(0, 90)} (charged: ${second.charged})`, creates === 1 && credits === 5 && /Max Credits per Run \(5\) would be passed/.test(String(second.error)) && second.charged === 'none');
			const hints = runs.map((r) => ((r && r.hints) || []).map((x) => x.message).join(' | '));
			row('execution hints of the two runs', hints.map((x) => `"${x}"`).join('; '), /1 task created, 5 credits committed/.test(hints[0] || '') && /1 item refused before paying/.test(hints[1] || ''));
			workers[creator] = await startWorker(creator);
			timings.budget = Date.now() - tb;
		});
		await db.end().catch(() => undefined);
	} catch (e) {
		row('run', `aborted: ${e.message}`, false);
	} finally {
		const tc = Date.now();
		await cleanup();
		timings.teardown = Date.now() - tc;
		process.off('SIGINT', onSignal);
		process.off('SIGTERM', onSignal);
	}

	// ---------------------------------------------------------------- table, key scan
	const leaks = [];
	const scan = (dir) => {
		for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
			const p = path.join(dir, e.name);
			if (e.isDirectory()) scan(p);
			else if (e.isFile() && fs.statSync(p).size < 200 << 20 && fs.readFileSync(p).includes(API_KEY)) leaks.push(path.relative(OUT, p));
		}
	};
	scan(OUT);
	row('API key in any log or file this run wrote (test-output/queue)', leaks.length ? leaks.join(', ') : 'none', !leaks.length);
	timings.total = Date.now() - t0;
	const width = Math.max(...rows.map((r) => r.what.length));
	log('\n| check | result | ok |\n| --- | --- | --- |');
	for (const r of rows) log(`| ${r.what.padEnd(width)} | ${r.result} | ${r.ok ? 'yes' : '**no**'} |`);
	log(`\ntimes: ${Object.entries(timings).map(([k, v]) => `${k} ${secs(v)} s`).join(', ')}`);
	fs.writeFileSync(path.join(OUT, 'summary.json'), JSON.stringify({ date: new Date().toISOString(), rows, timings }, null, 2));
	const failed = rows.filter((r) => !r.ok).length;
	log(`queue: ${rows.length - failed} passed, ${failed} failed; logs in ${path.relative(process.cwd(), OUT) || OUT}/`);
	process.exitCode = failed ? 1 : 0;
}

main().catch(async (e) => {
	console.error(e);
	await infra.stopAll();
	process.exit(1);
});
