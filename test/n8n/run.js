#!/usr/bin/env node
// `npm run test:n8n`: the packed package in a REAL n8n, headless (issue #6).
//
// For each target (TARGETS below: n8n 2.41.3 and 2.41.1 on Node 24; n8n 1.123.81 on Node 22 and on Node 20;
// n8n and the Node releases the machine lacks come from the npm registry, see install.js), in a
// fresh N8N_USER_FOLDER:
//   1. installs the packed tarball (`npm pack` of this repo) into $N8N_USER_FOLDER/.n8n/nodes with
//      npm, the way a user installs a community node by hand,
//   2. starts the IMA simulator (node test/simulator/cli.js) as a child process on loopback,
//   3. `n8n import:credentials` an `imaApi` credential pointing at the simulator,
//   4. `n8n import:workflow` every examples/*.json (credential reference rewritten to the imported
//      credential; the Wait node's 5 minutes cut to 2 seconds, so n8n waits in-process; in the
//      Check Task loop to 0.2 s, so the loop answers Running at least once before Done),
//   5. `n8n execute --id=<id> --rawOutput` each workflow, parses the run data, and checks the
//      items and binaries: item counts, json fields, binary mimeType/fileName/size, the stored
//      bytes (filesystem binary mode) by magic number and by sha256 against the simulator's CDN,
//      and every task id against the simulator's task detail API,
//   6. runs the credential's test as the editor's "Test" button does: `n8n start` on loopback,
//      owner setup, POST /rest/credentials then /rest/credentials/test, with the right key (OK)
//      and a wrong one (error, key not echoed),
//   7. an AI Agent with a fake OpenAI model on loopback calls the IMA tool (test/n8n/agent.js):
//      what the agent reads about the tool (description, arguments) and what it gets back,
//   8. Max Credits per Run across a 70 s Wait, n8n restarted during it (test/n8n/durable.js):
//      Loop Over Items → Create Task (a budget of one task) → Wait 70 s makes ONE create,
//   9. issue #19 (test/n8n/starters.js): the MCP Server Trigger template driven by the official MCP
//      client (mcp.js), an AI Agent calling the IMA tool twice in one execution (agent-twice.js),
//      the templates in examples/templates/ with n8n's real SaaS nodes against stand-ins on
//      loopback (templates.js),
//  10. (n8n 2.x, if test/n8n/editor.js exists) the headless editor check.
// Finally no file under test-output/n8n may contain the (fake) API key.
// Prints a summary with timings, writes test-output/n8n/summary.json, exits non-zero on failure.
//
// Usage: npm run test:n8n                         (every target)
//        npm run test:n8n -- 2.41.1               (the targets of one n8n version; or node20, 1.123.81/node22,
//                                                  or N8N_IMA_TARGETS=2.41.1/node24,1.123.81/node20)
//        npm run test:n8n -- text-to-image        (only the examples whose file name contains the word)
//        N8N_IMA_KEEP=1 npm run test:n8n          (keep the n8n user folders under test-output/n8n)
//        N8N_IMA_SKIP_EDITOR=1, N8N_IMA_SKIP_CREDTEST=1, N8N_IMA_SKIP_AGENT=1,
//        N8N_IMA_SKIP_DURABLE=1                   (skip those steps)
//        N8N_IMA_SKIP_MCP=1, N8N_IMA_SKIP_AGENT_TWICE=1, N8N_IMA_SKIP_TEMPLATES=1   (skip issue #19's checks)
//        N8N_IMA_NODES_INSTALL=legacy             (install the tarball with --legacy-peer-deps; the default
//                                                  is plain `npm install <tgz>`, the README's command)
//        N8N_IMA_CACHE=<dir>                      (another install cache; default ~/.cache/n8n-nodes-ima)
// Time (2 cores): about 4 min with the installs cached, plus about 3 min per target for the durable
// check (two 70 s Waits); a cold run adds the installs (install.js).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const crypto = require('crypto');
const { spawn, execFileSync } = require('child_process');
const { ensureN8n, nodeOfMajor, CACHE, isInstalled, n8nDir, npmCliJs, npmEnv } = require('./install');

/**
 * What runs: each n8n version on the Node majors its users run it on.
 * n8n 1.123.x defaults to the `vm` expression engine (isolated-vm 6, which has prebuilt binaries
 * for Node 22 and 24 only and needs Node >= 22): on Node 20 it exits at start with "Could not
 * initialize the vm expression engine" unless N8N_EXPRESSION_ENGINE=legacy, so the Node 20 run
 * sets that, as a Node 20 user of 1.123 must.
 */
const TARGETS = [
	// The registry's newest 2.x. Not installable from the npm registry today (it pins n8n packages
	// that were never published there): reported as SKIPPED with npm's reason, not as a failure,
	// and picked up by itself once the registry has them (install.js).
	{ n8n: '2.41.3', node: 24, skipIfUnavailable: true },
	{ n8n: '2.41.1', node: 24 },
	{ n8n: '1.123.81', node: 22 },
	{ n8n: '1.123.81', node: 20, env: { N8N_EXPRESSION_ENGINE: 'legacy' } },
];
const labelOf = (t) => `${t.n8n}/node${t.node}`;

const REPO = path.resolve(__dirname, '..', '..');
const OUT = path.join(REPO, 'test-output', 'n8n');
const EXAMPLES = path.join(REPO, 'examples');
// Test-only workflows (nodes a user's example would not use, such as n8n's hidden Tool Executor).
const TEST_WORKFLOWS = path.join(__dirname, 'workflows');
const API_KEY = 'sim-test-key'; // fake; the simulator is started with the same key
const CREDENTIAL_ID = 'imaSimCredential'; // 16 characters, like n8n's own ids
const CREDENTIAL_NAME = 'IMA account (simulator)';
const EXEC_TIMEOUT_MS = 5 * 60_000;
const IMA_TYPE = 'n8n-nodes-ima.ima';

const secs = (ms) => (ms / 1000).toFixed(1);
const log = (...a) => console.log(...a);

/** Environment for every n8n command: offline, quiet, own folder, binaries on disk. */
function n8nEnv(nodeBin, userFolder, version) {
	const env = { ...process.env };
	for (const k of Object.keys(env)) if (/^(npm_|N8N_|DB_)/i.test(k)) delete env[k];
	return Object.assign(env, {
		PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH || ''}`,
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: 'n8n-nodes-ima-test-encryption-key',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_LOG_LEVEL: 'info',
		N8N_RUNNERS_BROKER_PORT: String(20000 + Math.floor(Math.random() * 20000)),
		DB_TYPE: 'sqlite',
		NODE_ENV: 'production',
	// n8n 2.x's MCP registry module fetches a catalogue at start; 1.x doesn't know the module
	// (and refuses unknown names).
		...(Number(version.split('.')[0]) >= 2 ? { N8N_DISABLED_MODULES: 'mcp-registry' } : {}),
	});
}

/** Runs a command, output to a log file; resolves {code, output, ms}. Never rejects on exit code. */
function run(cmd, args, { cwd, env, logFile, timeoutMs = EXEC_TIMEOUT_MS }) {
	return new Promise((resolve, reject) => {
		const t0 = Date.now();
		const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
		const chunks = [];
		child.stdout.on('data', (d) => chunks.push(d));
		child.stderr.on('data', (d) => chunks.push(d));
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			try {
				process.kill(-child.pid, 'SIGKILL');
			} catch {
				/* gone */
			}
		}, timeoutMs);
		child.on('error', (e) => {
			clearTimeout(timer);
			reject(e);
		});
		child.on('close', (code) => {
			clearTimeout(timer);
			const output = Buffer.concat(chunks).toString('utf8');
			if (logFile) fs.writeFileSync(logFile, `$ ${path.basename(cmd)} ${args.map((a) => path.basename(a)).join(' ')}\n${output}`);
			resolve({ code: timedOut ? 'timeout' : code, output, ms: Date.now() - t0 });
		});
	});
}

/** `n8n execute --rawOutput` prints the run JSON among log lines: take the object that parses. */
function extractRunJson(output) {
	const lines = output.split('\n');
	const starts = [];
	for (let i = 0; i < lines.length; i++) if (lines[i] === '{') starts.push(i);
	for (const s of starts) {
		const ends = [];
		for (let j = lines.length - 1; j > s; j--) if (lines[j] === '}') ends.push(j);
		for (const e of ends) {
			try {
				const v = JSON.parse(lines.slice(s, e + 1).join('\n'));
				if (v && typeof v === 'object' && (v.data || v.status)) return v;
			} catch {
				/* try the next end */
			}
		}
	}
	return undefined;
}

// ---------------------------------------------------------------- simulator (child process)

async function startSimulator(logFile) {
	const child = spawn(process.execPath, [path.join(REPO, 'test', 'simulator', 'cli.js'), '--api-key', API_KEY, '--speed', '100'], {
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const out = fs.createWriteStream(logFile);
	const redact = (d) => String(d).split(API_KEY).join('(the test key)');
	child.stderr.on('data', (d) => out.write(redact(d)));
	let text = '';
	child.stdout.on('data', (d) => {
		text += d;
		out.write(redact(d));
	});
	const urls = await new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error('simulator did not start in 15 s')), 15_000);
		child.on('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
		const look = () => {
			const api = /API base:\s+(\S+)/.exec(text);
			const up = /upload base:\s+(\S+)/.exec(text);
			const cdn = /CDN base:\s+(\S+)/.exec(text);
			if (api && up && cdn) {
				clearTimeout(timer);
				child.stdout.off('data', look);
				resolve({ baseUrl: api[1], uploadBaseUrl: up[1], cdnBaseUrl: cdn[1] });
			}
		};
		child.stdout.on('data', look);
	});
	return {
		...urls,
		child,
		async detail(taskId) {
			const res = await fetch(`${urls.baseUrl}/open/v1/tasks/detail`, {
				method: 'POST',
				headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' },
				body: JSON.stringify({ task_id: taskId }),
			});
			return res.json();
		},
		close() {
			return new Promise((resolve) => {
				if (child.exitCode !== null) return resolve();
				child.on('exit', () => resolve());
				child.kill('SIGTERM');
				setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 5000).unref();
			});
		},
	};
}

// ---------------------------------------------------------------- workflows

function loadExamples(filter) {
	const list = (dir) => fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(dir, f));
	return [...list(EXAMPLES), ...(fs.existsSync(TEST_WORKFLOWS) ? list(TEST_WORKFLOWS) : [])]
		.filter((f) => !filter.length || filter.some((o) => path.basename(f).includes(o)))
		.map((full, i) => {
			const file = path.basename(full);
			const workflow = JSON.parse(fs.readFileSync(full, 'utf8'));
			const id = `imaExample${String(i + 1).padStart(6, '0')}`; // 16 characters
			const changes = [];
			workflow.id = id;
			workflow.active = false;
			for (const node of workflow.nodes) {
				if (node.credentials && node.credentials.imaApi) node.credentials.imaApi = { id: CREDENTIAL_ID, name: CREDENTIAL_NAME };
				if (node.type === 'n8n-nodes-base.wait') {
					// Up to ~65 s n8n waits in-process; longer puts the execution into `waiting`,
					// which `n8n execute` doesn't resume. 2 s keeps the Wait real and the run short.
					// In a Check Task loop 0.2 s: a video takes 0.6 s at the simulator's speed 100, so
					// Check Task answers Running at least once and the loop goes round.
					const loop = workflow.nodes.some((n) => n.type === IMA_TYPE && n.parameters.operation === 'checkTask');
					const amount = loop ? 0.2 : 2;
					changes.push(`Wait "${node.name}": ${node.parameters.amount} ${node.parameters.unit} → ${amount} seconds`);
					node.parameters = { ...node.parameters, amount, unit: 'seconds' };
				}
			}
			return { file, name: file.replace(/\.json$/, ''), id, workflow, changes };
		});
}

/**
 * A workflow as this n8n version reads it. n8n 1.x's Tool Executor hands its whole query to the
 * tool; 2.x looks the tool's arguments up by tool name ({"Tool_name": {...}}).
 */
function forVersion(workflow, version) {
	if (Number(version.split('.')[0]) >= 2) return workflow;
	const copy = JSON.parse(JSON.stringify(workflow));
	for (const node of copy.nodes) {
		if (node.type !== '@n8n/n8n-nodes-langchain.toolExecutor') continue;
		const query = JSON.parse(node.parameters.query);
		const values = Object.values(query);
		if (values.length === 1 && values[0] && typeof values[0] === 'object') node.parameters.query = JSON.stringify(values[0]);
	}
	return copy;
}

// ---------------------------------------------------------------- checks

const KIND_OF = {
	text_to_image: 'image',
	image_to_image: 'image',
	text_to_video: 'video',
	image_to_video: 'video',
	first_last_frame_to_video: 'video',
	reference_image_to_video: 'video',
	text_to_music: 'audio',
	text_to_speech: 'audio',
};
const MIME_OF = { image: /^image\/(png|jpeg|webp)$/, video: /^video\/mp4$/, audio: /^audio\/(mpeg|mp3)$/ };

function magicOk(kind, buf) {
	if (kind === 'png') return buf.length > 8 && buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
	if (kind === 'jpeg') return buf.length > 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff;
	if (kind === 'mp4') return buf.length > 12 && buf.subarray(4, 8).toString('latin1') === 'ftyp';
	if (kind === 'mp3') return buf.length > 3 && ((buf[0] === 0xff && (buf[1] & 0xe0) === 0xe0) || buf.subarray(0, 3).toString('latin1') === 'ID3');
	return buf.length > 0;
}
const magicFor = (mimeType) =>
	({ 'image/png': 'png', 'image/jpeg': 'jpeg', 'video/mp4': 'mp4', 'audio/mpeg': 'mp3', 'audio/mp3': 'mp3' })[mimeType] || 'any';

/** Finds a file by name under dir (the binary data store). */
function findFile(dir, name) {
	if (!fs.existsSync(dir)) return undefined;
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const p = path.join(dir, entry.name);
		if (entry.isDirectory()) {
			const hit = findFile(p, name);
			if (hit) return hit;
		} else if (entry.name === name) return p;
	}
	return undefined;
}

/** The bytes of a binary in a run's output: on disk (filesystem mode) or inline base64. */
function readBinary(userFolder, binary) {
	const n8nFolder = path.join(userFolder, '.n8n');
	if (binary.id) {
		const [mode, rel] = binary.id.split(/:(.*)/s);
		const candidates = [path.join(n8nFolder, 'storage', rel), path.join(n8nFolder, 'binaryData', rel)];
		let file = candidates.find((c) => fs.existsSync(c));
		if (!file) file = findFile(n8nFolder, path.basename(rel));
		if (!file) throw new Error(`binary ${binary.id} (${mode}) not found under ${n8nFolder}`);
		return { buf: fs.readFileSync(file), where: path.relative(userFolder, file) };
	}
	if (binary.data && binary.data !== 'filesystem' && binary.data !== 'filesystem-v2') return { buf: Buffer.from(binary.data, 'base64'), where: 'inline' };
	throw new Error('binary has neither an id nor inline data');
}

const sha = (buf) => crypto.createHash('sha256').update(buf).digest('hex');

async function fetchBytes(url) {
	const res = await fetch(url);
	if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
	return Buffer.from(await res.arrayBuffer());
}

/** Checks one executed workflow. Returns {checks: [{ok, what}], items, binaries, bytes}. */
async function checkRun({ workflow, runJson, userFolder, sim }) {
	const checks = [];
	const ok = (cond, what) => {
		checks.push({ ok: !!cond, what });
		return !!cond;
	};
	const stats = { items: 0, binaries: 0, bytes: 0, tasks: new Set() };
	if (!ok(runJson, 'run JSON printed by n8n execute --rawOutput')) return { checks, stats };
	ok(runJson.status === 'success', `execution status "success" (got ${runJson.status})`);
	const resultData = (runJson.data && runJson.data.resultData) || {};
	ok(!resultData.error, `no workflow error${resultData.error ? `: ${resultData.error.message}` : ''}`);
	const runData = resultData.runData || {};
	const outputOf = (name) => {
		const runs = runData[name];
		if (!runs || !runs.length) return undefined;
		const last = runs[runs.length - 1];
		return (last.data && last.data.main && last.data.main[0]) || [];
	};
	const inputOf = (name) => {
		const conns = workflow.connections;
		const items = [];
		for (const [from, c] of Object.entries(conns)) for (const out of c.main || []) for (const t of out || []) if (t.node === name) items.push(...(outputOf(from) || []));
		return items;
	};
	for (const node of workflow.nodes) ok(runData[node.name], `node "${node.name}" ran`);
	for (const node of workflow.nodes.filter((n) => n.type === 'n8n-nodes-base.wait' && runData[n.name])) {
		const r = runData[node.name][0];
		const ms = (node.parameters.amount || 0) * 1000;
		ok(r.executionTime >= ms - 100, `${node.name}: n8n's Wait node waited ${r.executionTime} ms (≥ ${ms} ms)`);
	}

	for (const node of workflow.nodes.filter((n) => n.type === IMA_TYPE)) {
		const items = outputOf(node.name);
		if (!items) continue;
		const p = node.parameters;
		const op = p.operation || 'generate';
		const inputs = inputOf(node.name);
		const nIn = node.executeOnce ? 1 : Math.max(inputs.length, 1);
		const tag = `${node.name}`;
		for (const item of items) if (item.json && item.json.error) ok(false, `${tag}: item error: ${item.json.error}`);
		stats.items += items.length;

		if (op === 'checkTask') {
			// A loop: every run but the last answered Running (output 1), the last one Done (output 0).
			const runs = runData[node.name] || [];
			ok(runs.length >= 2, `${tag}: ran ${runs.length}× (Running at least once, then Done)`);
			for (const [r, run] of runs.entries()) {
				const [done = [], running = []] = (run.data && run.data.main) || [];
				const last = r === runs.length - 1;
				ok(last ? done.length === nIn && running.length === 0 : running.length === nIn && done.length === 0, `${tag} run ${r + 1}: ${last ? `${nIn} item(s) on Done` : `${nIn} item(s) on Running`} (got Done ${done.length}, Running ${running.length})`);
				for (const item of running) {
					const j = item.json || {};
					ok(j.status === 'running' && typeof j.taskId === 'string' && j.taskId && (typeof j.elapsed === 'number' || j.elapsed === null), `${tag} run ${r + 1}: Running item {taskId, status: "running", elapsed} (${j.taskId}, ${j.status}, ${j.elapsed})`);
				}
			}
		}
		if (op === 'generate' || op === 'waitForResult' || op === 'checkTask') {
			const n = op === 'generate' ? Number((p.options && p.options.n) || 1) : 1;
			ok(items.length === n * nIn, `${tag}: ${n * nIn} item(s) (got ${items.length})`);
			const prop = (p.options && p.options.binaryPropertyName) || 'data';
			for (const [i, item] of items.entries()) {
				const j = item.json || {};
				const it = `${tag}[${i}]`;
				ok(typeof j.taskId === 'string' && j.taskId, `${it}: json.taskId`);
				if (op === 'generate') ok(j.taskType === p.taskType, `${it}: json.taskType = ${p.taskType}`);
				if (op === 'waitForResult' || op === 'checkTask') {
					const src = inputs[node.executeOnce ? 0 : i];
					ok(src && src.json && j.taskId === src.json.taskId, `${it}: taskId is the input's task`);
				}
				ok(j.index === (op === 'generate' ? i % n : 0), `${it}: json.index`);
				if (op === 'generate') ok(typeof j.modelVersion === 'string' && j.modelVersion, `${it}: json.modelVersion`);
				ok(typeof j.url === 'string' && j.url.startsWith(sim.cdnBaseUrl), `${it}: json.url on the simulator CDN`);
				ok(item.pairedItem !== undefined, `${it}: pairedItem`);
				const kind = KIND_OF[j.taskType];
				ok(kind, `${it}: known task type ${j.taskType}`);
				if (j.taskId) stats.tasks.add(j.taskId);
				// The task exists on the simulator and this is its media.
				try {
					const d = await sim.detail(j.taskId);
					const media = d && d.data && d.data.medias && d.data.medias[j.index];
					ok(d.code === 0 && media && media.url === j.url, `${it}: task ${j.taskId} media ${j.index} confirmed by the simulator's task detail`);
				} catch (e) {
					ok(false, `${it}: task detail: ${e.message}`);
				}
				const binaries = [[prop, kind]];
				if (p.options && p.options.downloadCover && kind === 'video') {
					binaries.push([`${prop}Cover`, 'cover']);
					ok(typeof j.coverUrl === 'string' && j.coverUrl.startsWith(sim.cdnBaseUrl), `${it}: json.coverUrl`);
				}
				for (const [bp, bkind] of binaries) {
					const b = item.binary && item.binary[bp];
					if (!ok(b, `${it}: binary.${bp}`)) continue;
					const mimeOk = bkind === 'cover' ? b.mimeType === 'image/jpeg' : MIME_OF[kind].test(b.mimeType);
					ok(mimeOk, `${it}: binary.${bp}.mimeType ${b.mimeType}`);
					ok(typeof b.fileName === 'string' && b.fileName.length > 0, `${it}: binary.${bp}.fileName ${b.fileName}`);
					ok(b.fileSize, `${it}: binary.${bp}.fileSize ${b.fileSize}`);
					try {
						const { buf, where } = readBinary(userFolder, b);
						stats.binaries++;
						stats.bytes += buf.length;
						ok(b.bytes === undefined || b.bytes === buf.length, `${it}: binary.${bp} stored size ${buf.length} = bytes ${b.bytes}`);
						ok(magicOk(magicFor(b.mimeType), buf), `${it}: binary.${bp} stored bytes (${where}) are ${magicFor(b.mimeType)}`);
						const remote = await fetchBytes(bkind === 'cover' ? j.coverUrl : j.url);
						ok(sha(remote) === sha(buf), `${it}: binary.${bp} sha256 = the simulator's file`);
					} catch (e) {
						ok(false, `${it}: binary.${bp} bytes: ${e.message}`);
					}
				}
			}
		} else if (op === 'createTask') {
			const n = Number((p.options && p.options.n) || 1);
			ok(items.length === nIn, `${tag}: ${nIn} item(s) (got ${items.length})`);
			for (const [i, item] of items.entries()) {
				const j = item.json || {};
				ok(typeof j.taskId === 'string' && j.taskId, `${tag}[${i}]: json.taskId`);
				ok(j.taskType === p.taskType, `${tag}[${i}]: json.taskType = ${p.taskType}`);
				ok(typeof j.credits === 'number', `${tag}[${i}]: json.credits`);
				ok(!item.binary || !Object.keys(item.binary).length, `${tag}[${i}]: no binary`);
				if (j.taskId) stats.tasks.add(j.taskId);
				try {
					const d = await sim.detail(j.taskId);
					ok(d.code === 0 && d.data && d.data.medias && d.data.medias.length === n, `${tag}[${i}]: task ${j.taskId} known to the simulator`);
				} catch (e) {
					ok(false, `${tag}[${i}]: task detail: ${e.message}`);
				}
			}
		} else if (op === 'uploadImage') {
			ok(items.length === inputs.length, `${tag}: ${inputs.length} item(s) (got ${items.length})`);
			const prop = p.binaryPropertyName || 'data';
			for (const [i, item] of items.entries()) {
				const j = item.json || {};
				const it = `${tag}[${i}]`;
				ok(typeof j.url === 'string' && /^https?:\/\//.test(j.url), `${it}: json.url`);
				ok(/^image\//.test(j.mimeType || ''), `${it}: json.mimeType ${j.mimeType}`);
				ok(typeof j.fileSize === 'number' || typeof j.fileSize === 'string', `${it}: json.fileSize`);
				const b = item.binary && item.binary[prop];
				if (!ok(b, `${it}: input binary.${prop} passed through`)) continue;
				try {
					const { buf } = readBinary(userFolder, b);
					stats.binaries++;
					stats.bytes += buf.length;
					const remote = await fetchBytes(j.url);
					ok(sha(remote) === sha(buf), `${it}: uploaded file (GET json.url) sha256 = the input binary`);
				} catch (e) {
					ok(false, `${it}: upload bytes: ${e.message}`);
				}
			}
		} else if (op === 'listModels') {
			ok(items.length > 0, `${tag}: at least one model`);
		}
	}
	// IMA called as an AI Agent tool (n8n's "<type>Tool" variant), here by n8n's Tool Executor:
	// what the agent receives is the short summary, with URLs and the task id, and no files.
	for (const node of workflow.nodes.filter((n) => n.type === `${IMA_TYPE}Tool`)) {
		const tag = `${node.name} (tool)`;
		const callers = Object.entries(workflow.connections).filter(([from]) => from === node.name).flatMap(([, c]) => (c.ai_tool || []).flat().map((t) => t.node));
		for (const caller of callers) {
			const items = outputOf(caller) || [];
			if (!ok(items.length === 1, `${tag}: ${caller} output 1 item (got ${items.length})`)) continue;
			let answer = items[0].json;
			if (typeof answer === 'string') {
				try {
					answer = JSON.parse(answer);
				} catch {
					ok(false, `${tag}: the tool's answer is JSON: ${String(answer).slice(0, 200)}`);
					continue;
				}
			}
			const summaries = Array.isArray(answer) ? answer : [answer];
			ok(summaries.length === 1, `${tag}: one summary per task (got ${summaries.length})`);
			const j = summaries[0] || {};
			ok(j.status === 'success', `${tag}: status "success"`);
			ok(typeof j.taskId === 'string' && j.taskId, `${tag}: taskId`);
			ok(Array.isArray(j.urls) && j.urls.length === 1 && j.urls[0].startsWith(sim.cdnBaseUrl), `${tag}: urls on the simulator CDN`);
			ok(typeof j.message === 'string' && j.urls && j.message.includes(j.urls[0]), `${tag}: message names the URL`);
			ok(j.taskType === node.parameters.taskType, `${tag}: taskType ${node.parameters.taskType}`);
			ok(!items[0].binary, `${tag}: no binary data to the agent`);
			ok(JSON.stringify(answer).length < 2000, `${tag}: the answer is short (${JSON.stringify(answer).length} characters)`);
			if (j.taskId) {
				stats.tasks.add(j.taskId);
				stats.items++;
				try {
					const d = await sim.detail(j.taskId);
					const media = d && d.data && d.data.medias && d.data.medias[0];
					ok(d.code === 0 && media && j.urls && media.url === j.urls[0], `${tag}: task ${j.taskId} confirmed by the simulator's task detail`);
					const asked = (() => {
						try {
							return Object.values(JSON.parse(workflow.nodes.find((n) => n.name === caller).parameters.query))[0].prompt;
						} catch {
							return undefined;
						}
					})();
					ok(asked && d.data && d.data.prompt === asked, `${tag}: the prompt the agent passed ($fromAI) is the task's prompt`);
				} catch (e) {
					ok(false, `${tag}: task detail: ${e.message}`);
				}
			}
		}
		ok(callers.length > 0, `${tag}: connected to a node that calls tools`);
	}
	stats.tasks = stats.tasks.size;
	return { checks, stats };
}

// ---------------------------------------------------------------- credential test (n8n start + REST)

function freePort() {
	return new Promise((resolve, reject) => {
		const srv = require('net').createServer();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
	});
}

/**
 * The credential's `test` request as the editor's "Test" button runs it: `n8n start` on loopback,
 * set up the owner, POST /rest/credentials/test with the simulator's key (expects OK) and with a
 * wrong key (expects an error that doesn't echo the key). Runs in its own user folder (a copy of
 * the installed nodes), so it doesn't touch the folder the editor check uses.
 */
async function credentialTest({ n8n, baseEnv, userFolder, sim, out }) {
	const checks = [];
	const ok = (cond, what) => checks.push({ ok: !!cond, what }) && !!cond;
	const folder = `${userFolder}-credtest`;
	fs.rmSync(folder, { recursive: true, force: true });
	fs.mkdirSync(path.join(folder, '.n8n'), { recursive: true });
	fs.cpSync(path.join(userFolder, '.n8n', 'nodes'), path.join(folder, '.n8n', 'nodes'), { recursive: true });
	const port = await freePort();
	const env = {
		...baseEnv,
		N8N_USER_FOLDER: folder,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_SECURE_COOKIE: 'false',
		N8N_RUNNERS_BROKER_PORT: String(await freePort()),
	};
	const url = `http://127.0.0.1:${port}`;
	const logStream = fs.createWriteStream(path.join(out, 'credential-test-n8n-start.log'));
	const child = spawn(n8n.nodeBin, [n8n.n8nBin, 'start'], { cwd: folder, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
	child.stdout.pipe(logStream);
	child.stderr.pipe(logStream);
	let exited = false;
	const exitP = new Promise((resolve) => child.on('exit', () => resolve((exited = true))));
	const t0 = Date.now();
	try {
		for (;;) {
			if (exited) throw new Error('n8n start exited before it was ready (see credential-test-n8n-start.log)');
			if (Date.now() - t0 > 180_000) throw new Error('n8n start was not ready after 180 s');
			try {
				const r = await fetch(`${url}/rest/settings`, { signal: AbortSignal.timeout(5000) });
				const body = r.ok ? await r.text() : '';
				if (body.startsWith('{') && JSON.parse(body).data) break;
			} catch {
				/* not yet */
			}
			await new Promise((r) => setTimeout(r, 500));
		}
		const startupMs = Date.now() - t0;
		const browserId = crypto.randomUUID();
		let cookie = '';
		const rest = async (method, p, body) => {
			const headers = { 'browser-id': browserId, 'content-type': 'application/json', accept: 'application/json' };
			if (cookie) headers.cookie = cookie;
			const res = await fetch(`${url}/rest${p}`, { method, headers, body: body && JSON.stringify(body), signal: AbortSignal.timeout(60_000) });
			for (const c of res.headers.getSetCookie ? res.headers.getSetCookie() : []) {
				const m = /^n8n-auth=([^;]*)/.exec(c);
				if (m) cookie = `n8n-auth=${m[1]}`;
			}
			const text = await res.text();
			let json;
			try {
				json = JSON.parse(text);
			} catch {
				json = undefined;
			}
			return { status: res.status, json, text };
		};
		const setup = await rest('POST', '/owner/setup', { email: 'owner@example.com', firstName: 'Test', lastName: 'Owner', password: 'Test-Passw0rd-1' });
		if (!ok(setup.status === 200 && cookie, `owner setup (HTTP ${setup.status})`)) return { checks, startupMs };
		// As the editor does: save the credential (POST /rest/credentials), then "Test" it.
		const testOne = async (name, apiKey) => {
			const data = { apiKey, baseUrl: sim.baseUrl, uploadBaseUrl: sim.uploadBaseUrl };
			const created = await rest('POST', '/credentials', { name, type: 'imaApi', data });
			const id = created.json && created.json.data && created.json.data.id;
			if (!ok(created.status === 200 && id, `save credential "${name}" (HTTP ${created.status})`)) return { text: created.text };
			ok(!created.text.includes(apiKey), `the saved credential "${name}" is not echoed with its key`);
			const r = await rest('POST', '/credentials/test', { credentials: { id, name, type: 'imaApi', data } });
			const d = r.json && r.json.data;
			return { status: r.status, d, text: r.text, describe: d ? `${d.status} "${d.message}"` : `HTTP ${r.status} ${r.text.slice(0, 200)}` };
		};
		const good = await testOne(CREDENTIAL_NAME, API_KEY);
		if (good.d !== undefined || good.status) ok(good.status === 200 && good.d && good.d.status === 'OK', `credential test with the simulator's key: ${good.describe}`);
		const wrongKey = 'wrong-key-0123456789';
		const bad = await testOne('IMA account (wrong key)', wrongKey);
		if (bad.d !== undefined || bad.status) ok(bad.status === 200 && bad.d && bad.d.status === 'Error', `credential test with a wrong key fails: ${bad.describe}`);
		ok(!(bad.text || '').includes(wrongKey) && !(good.text || '').includes(API_KEY), 'the key is not echoed in the test answers');
		return { checks, startupMs, wrongKeyMessage: bad.d && bad.d.message };
	} catch (e) {
		ok(false, e.message);
		return { checks };
	} finally {
		if (!exited) {
			try {
				process.kill(-child.pid, 'SIGTERM');
			} catch {
				/* gone */
			}
			const kill = setTimeout(() => {
				try {
					process.kill(-child.pid, 'SIGKILL');
				} catch {
					/* gone */
				}
			}, 15_000);
			await exitP;
			clearTimeout(kill);
		}
		logStream.end();
		fs.rmSync(folder, { recursive: true, force: true });
	}
}

// ---------------------------------------------------------------- per version

async function installPackage({ nodeBin, userFolder, tarball, logFile }) {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	fs.writeFileSync(path.join(nodesDir, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2));
	// The documented manual install is `cd ~/.n8n/nodes && npm install n8n-nodes-ima`. The peer
	// dependency n8n-workflow is marked optional (peerDependenciesMeta), so npm leaves it to the
	// host: n8n loads community nodes with its own n8n-workflow. Without that mark npm would
	// install the newest n8n-workflow, whose isolated-vm fails to build on Node 20 and 22.
	const env = npmEnv(nodeBin);
	const npmCli = npmCliJs();
	// The documented command as is; N8N_IMA_NODES_INSTALL=legacy adds --legacy-peer-deps.
	const plain = process.env.N8N_IMA_NODES_INSTALL !== 'legacy';
	const args = [npmCli, 'install', tarball, ...(plain ? [] : ['--legacy-peer-deps']), '--no-audit', '--no-fund'];
	const r = await run(nodeBin, args, { cwd: nodesDir, env, logFile });
	if (r.code !== 0) throw new Error(`npm install of the tarball into ${nodesDir} failed (${r.code}); see ${logFile}`);
	const installed = JSON.parse(fs.readFileSync(path.join(nodesDir, 'node_modules', 'n8n-nodes-ima', 'package.json'), 'utf8'));
	return { nodesDir, installedVersion: installed.version, ms: r.ms, command: `npm ${args.slice(1).map((a) => (a === tarball ? path.basename(a) : a)).join(' ')}`, peerCopy: fs.existsSync(path.join(nodesDir, 'node_modules', 'n8n-workflow')) };
}

async function runTarget(target, { tarball, examples, install }) {
	const version = target.n8n;
	const label = labelOf(target);
	const out = path.join(OUT, label.replace('/', '-'));
	fs.mkdirSync(out, { recursive: true });
	const t0 = Date.now();
	const result = { target: label, version, ok: false, workflows: [], timings: {}, notes: [], env: target.env || {} };
	const installed = await ensureN8n(version);
	const node = await nodeOfMajor(target.node);
	const n8n = { ...installed, nodeBin: node.nodeBin };
	// The n8n install ran (side by side with the others) from the start of the run; count it once,
	// for the first target of that version, plus any Node fetched just now.
	const before = install.counted ? 0 : install.ms;
	result.timings.install = before + (Date.now() - t0);
	result.install = install.cold && !install.counted ? 'cold' : 'warm (cached)';
	install.counted = true;
	result.n8nDir = n8n.dir;
	result.nodeBin = n8n.nodeBin;
	result.nodeVersion = execFileSync(n8n.nodeBin, ['--version']).toString().trim();
	const userFolder = process.env.N8N_IMA_KEEP ? path.join(out, 'user-folder') : fs.mkdtempSync(path.join(os.tmpdir(), `n8n-ima-${label.replace('/', '-')}-`));
	fs.rmSync(userFolder, { recursive: true, force: true });
	fs.mkdirSync(userFolder, { recursive: true });
	result.userFolder = userFolder;
	const env = { ...n8nEnv(n8n.nodeBin, userFolder, version), ...(target.env || {}) };
	const n8nCmd = (args, logName, timeoutMs) => run(n8n.nodeBin, [n8n.n8nBin, ...args], { cwd: userFolder, env, logFile: path.join(out, logName), timeoutMs });

	let sim;
	try {
		const vr = await n8nCmd(['--version'], 'version.log', 60_000);
		result.n8nVersion = vr.output.trim().split('\n').pop();
		if (result.n8nVersion !== version) throw new Error(`n8n --version printed ${result.n8nVersion}, expected ${version}`);
		log(`\n=== n8n ${version} on Node ${result.nodeVersion}${target.env ? ` with ${Object.entries(target.env).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''} (${result.install}, ${secs(result.timings.install)} s) ===`);

		const t1 = Date.now();
		const pkg = await installPackage({ nodeBin: n8n.nodeBin, userFolder, tarball, logFile: path.join(out, 'npm-install-tarball.log') });
		result.packageVersion = pkg.installedVersion;
		result.nodesInstall = pkg.command;
		log(`  ${pkg.command} in ${path.join('$N8N_USER_FOLDER', '.n8n', 'nodes')} (${secs(pkg.ms)} s)`);
		if (pkg.peerCopy) {
			throw new Error('npm installed a copy of n8n-workflow (the peer dependency) into .n8n/nodes/node_modules: it must be left to the host n8n');
		}

		sim = await startSimulator(path.join(out, 'simulator.log'));
		result.simulator = { baseUrl: sim.baseUrl, uploadBaseUrl: sim.uploadBaseUrl, cdnBaseUrl: sim.cdnBaseUrl };

		const credFile = path.join(userFolder, 'ima-credential.json');
		fs.writeFileSync(
			credFile,
			JSON.stringify([{ id: CREDENTIAL_ID, name: CREDENTIAL_NAME, type: 'imaApi', data: { apiKey: API_KEY, baseUrl: sim.baseUrl, uploadBaseUrl: sim.uploadBaseUrl } }], null, 2),
		);
		const ic = await n8nCmd(['import:credentials', `--input=${credFile}`], 'import-credentials.log');
		fs.rmSync(credFile); // plain text key; n8n stored it encrypted
		if (ic.code !== 0 || !/imported 1 credential/i.test(ic.output)) throw new Error(`import:credentials failed (${ic.code}); see ${path.join(out, 'import-credentials.log')}`);

		const wfDir = path.join(userFolder, 'workflows');
		fs.mkdirSync(wfDir);
		for (const ex of examples) fs.writeFileSync(path.join(wfDir, `${ex.id}.json`), JSON.stringify(forVersion(ex.workflow, version), null, 2));
		const iw = await n8nCmd(['import:workflow', '--separate', `--input=${wfDir}`], 'import-workflows.log');
		if (iw.code !== 0) throw new Error(`import:workflow failed (${iw.code}); see ${path.join(out, 'import-workflows.log')}`);
		result.timings.setup = Date.now() - t1;
		log(`  imported the credential and ${examples.length} workflows (${secs(result.timings.setup)} s with the tarball install)`);

		const t2 = Date.now();
		for (const ex of examples) {
			const r = await n8nCmd(['execute', `--id=${ex.id}`, '--rawOutput'], `${ex.name}.log`);
			const runJson = extractRunJson(r.output);
			if (runJson) fs.writeFileSync(path.join(out, `${ex.name}.run.json`), JSON.stringify(runJson, null, 2));
			const { checks, stats } = await checkRun({ workflow: ex.workflow, runJson, userFolder, sim });
			if (r.code !== 0) checks.unshift({ ok: false, what: `n8n execute exit code ${r.code}` });
			const failed = checks.filter((c) => !c.ok);
			const leaks = r.output.includes(API_KEY);
			if (leaks) failed.push({ ok: false, what: 'the API key appears in n8n\'s output' });
			const wf = { workflow: ex.name, id: ex.id, ok: failed.length === 0 && checks.length > 0, exitCode: r.code, ms: r.ms, ...stats, checks: checks.length, failed, changes: ex.changes };
			result.workflows.push(wf);
			log(`  ${wf.ok ? 'ok  ' : 'FAIL'} ${ex.name.padEnd(28)} ${secs(r.ms).padStart(5)} s  ${stats.items} items, ${stats.binaries} binaries (${stats.bytes} bytes), ${checks.length} checks`);
			for (const f of failed) log(`       ✗ ${f.what}`);
			if (!runJson) log(`       (no run JSON; output tail:)\n${r.output.split('\n').slice(-15).map((l) => `         ${l}`).join('\n')}`);
		}
		result.timings.execute = Date.now() - t2;

		if (!process.env.N8N_IMA_SKIP_CREDTEST) {
			const t3 = Date.now();
			const ct = await credentialTest({ n8n, baseEnv: env, userFolder, sim, out });
			result.timings.credentialTest = Date.now() - t3;
			const failed = ct.checks.filter((c) => !c.ok);
			result.credentialTest = { ok: failed.length === 0 && ct.checks.length > 0, checks: ct.checks, startupMs: ct.startupMs };
			log(`  ${result.credentialTest.ok ? 'ok  ' : 'FAIL'} credential test via n8n start + POST /rest/credentials/test (${secs(result.timings.credentialTest)} s)`);
			for (const c of ct.checks) log(`       ${c.ok ? '✓' : '✗'} ${c.what}`);
		}

		if (!process.env.N8N_IMA_SKIP_AGENT) {
			// What an AI Agent reads about the IMA tool: n8n's AI Agent with a fake OpenAI model on
			// loopback that records the tool definitions (test/n8n/agent.js).
			const t3 = Date.now();
			try {
				const { agentCheck } = require('./agent');
				const res = await agentCheck({ nodeBin: n8n.nodeBin, n8nBin: n8n.n8nBin, userFolder, simulatorUrls: result.simulator, outDir: path.join(out, 'agent'), apiKey: API_KEY, env: target.env, detail: (id) => sim.detail(id), log: () => undefined });
				result.agent = { ok: res.ok, checks: res.checks, tool: res.tool };
			} catch (e) {
				result.agent = { ok: false, error: e.message };
			}
			result.timings.agent = Date.now() - t3;
			log(`  ${result.agent.ok ? 'ok  ' : 'FAIL'} AI Agent (fake model) reads the IMA tool (${secs(result.timings.agent)} s)${result.agent.error ? `: ${result.agent.error}` : ''}`);
			for (const c of result.agent.checks || []) log(`       ${c.ok ? '✓' : '✗'} ${c.what}`);
		}

		if (!process.env.N8N_IMA_SKIP_DURABLE) {
			// Max Credits per Run across a 70 s Wait (the execution parks and resumes) and a restart
			// of n8n during it: one create in the execution (test/n8n/durable.js).
			const t3 = Date.now();
			try {
				const { durableCheck } = require('./durable');
				const res = await durableCheck({ nodeBin: n8n.nodeBin, n8nBin: n8n.n8nBin, userFolder, outDir: path.join(out, 'durable'), apiKey: API_KEY, env: target.env, log: () => undefined });
				result.durable = { ok: res.ok, checks: res.checks };
			} catch (e) {
				result.durable = { ok: false, error: e.message };
			}
			result.timings.durable = Date.now() - t3;
			log(`  ${result.durable.ok ? 'ok  ' : 'FAIL'} Loop → Create Task (a budget of one task) → Wait 70 s, n8n restarted in the Wait (${secs(result.timings.durable)} s)${result.durable.error ? `: ${result.durable.error}` : ''}`);
			for (const c of result.durable.checks || []) log(`       ${c.ok ? '✓' : '✗'} ${c.what}`);
		}

		// Issue #19's checks, each in its own file: the MCP Server Trigger driven by the official MCP
		// client (mcp.js), an AI Agent calling the tool twice in one execution (agent-twice.js), the
		// templates with n8n's real SaaS nodes against stand-ins on loopback (templates.js).
		result.starters = await require('./starters').runStarterChecks({ n8n, userFolder, out, env: target.env, log });

		const editorFile = path.join(__dirname, 'editor.js');
		if (fs.existsSync(editorFile) && !process.env.N8N_IMA_SKIP_EDITOR && Number(version.split('.')[0]) >= 2) {
			// HOOK: the headless editor check (Chromium + playwright-core), written separately.
			const t3 = Date.now();
			try {
				const { editorCheck } = require(editorFile);
				const res = await editorCheck({ nodeBin: n8n.nodeBin, n8nBin: n8n.n8nBin, userFolder, simulatorUrls: result.simulator, outDir: path.join(out, 'editor') });
				result.editor = { ok: !res || res.ok !== false, result: res };
			} catch (e) {
				result.editor = { ok: false, error: e.message };
			}
			result.timings.editor = Date.now() - t3;
			log(`  ${result.editor.ok ? 'ok  ' : 'FAIL'} editor check (${secs(result.timings.editor)} s)${result.editor.error ? `: ${result.editor.error}` : ''}`);
		} else if (!fs.existsSync(editorFile)) {
			result.notes.push('editor check: test/n8n/editor.js not present (hook in run.js)');
		}
		result.ok = result.workflows.length > 0 && result.workflows.every((w) => w.ok) && (!result.credentialTest || result.credentialTest.ok) && (!result.agent || result.agent.ok) && (!result.durable || result.durable.ok) && (!result.editor || result.editor.ok) && Object.values(result.starters || {}).every((c) => c.ok);
	} catch (e) {
		result.error = e.message;
		log(`  FAIL ${label}: ${e.message}`);
	} finally {
		if (sim) await sim.close();
		result.timings.total = before + (Date.now() - t0);
		if (result.ok && !process.env.N8N_IMA_KEEP) fs.rmSync(userFolder, { recursive: true, force: true });
		else if (!result.ok) log(`  n8n user folder kept for inspection: ${userFolder}`);
	}
	return result;
}

// ---------------------------------------------------------------- main

async function main() {
	const args = process.argv.slice(2);
	const isTargetArg = (a) => /^(\d+\.\d+\.\d+)?(\/?node\d+)?$/.test(a) && a.length > 0;
	const selectors = (process.env.N8N_IMA_TARGETS ? process.env.N8N_IMA_TARGETS.split(',') : args.filter(isTargetArg)).filter(Boolean);
	const filter = args.filter((a) => !isTargetArg(a));
	const list = selectors.length ? TARGETS.filter((t) => selectors.some((sel) => labelOf(t) === sel || t.n8n === sel || `node${t.node}` === sel)) : TARGETS;
	if (!list.length) throw new Error(`no target matches ${selectors.join(', ')}; targets: ${TARGETS.map(labelOf).join(', ')}`);
	const t0 = Date.now();
	fs.rmSync(OUT, { recursive: true, force: true });
	fs.mkdirSync(OUT, { recursive: true });
	log(`n8n end-to-end: ${list.map(labelOf).join(', ')}; installs cached in ${CACHE}`);

	// Start the installs that are missing now, side by side (each is mostly download and unpack).
	const versions = [...new Set(list.map((t) => t.n8n))];
	const installs = new Map(
		versions.map((v) => {
			const info = { cold: !isInstalled(n8nDir(v)), counted: false, ms: 0 };
			const ts = Date.now();
			return [v, ensureN8n(v).then((r) => Object.assign(info, { ms: Date.now() - ts, r }), (e) => e)];
		}),
	);

	const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-ima-pack-'));
	// Async, so the install timers above aren't held up by it.
	const packOut = await require('util').promisify(require('child_process').execFile)('npm', ['pack', '--pack-destination', packDir, '--json'], { cwd: REPO });
	const packed = JSON.parse(packOut.stdout);
	const tarball = path.join(packDir, packed[0].filename);
	log(`packed ${packed[0].filename} (${packed[0].files.length} files, ${packed[0].size} bytes)`);
	const examples = loadExamples(filter);
	for (const ex of examples) for (const c of ex.changes) log(`  ${ex.name}: ${c}`);

	const results = [];
	for (const t of list) {
		const inst = await installs.get(t.n8n);
		if (inst instanceof Error && inst.code === 'N8N_UNAVAILABLE' && t.skipIfUnavailable) {
			results.push({ target: labelOf(t), version: t.n8n, ok: true, skipped: inst.message, workflows: [], timings: {} });
			log(`\n=== ${labelOf(t)}: SKIPPED: ${inst.message}`);
			continue;
		}
		if (inst instanceof Error) {
			results.push({ target: labelOf(t), version: t.n8n, ok: false, error: `install failed: ${inst.message}`, workflows: [], timings: {} });
			log(`\n=== ${labelOf(t)}: install failed: ${inst.message}`);
			continue;
		}
		results.push(await runTarget(t, { tarball, examples, install: inst }));
	}
	fs.rmSync(packDir, { recursive: true, force: true });
	const totalMs = Date.now() - t0;

	// Summary
	log('\ntarget            node      install           setup   execute  cred    editor  total   workflows');
	for (const r of results) {
		const t = r.timings;
		const passed = r.workflows.filter((w) => w.ok).length;
		log(
			r.skipped ? `${r.target.padEnd(17)} SKIPPED: ${r.skipped}` : `${r.target.padEnd(17)} ${(r.nodeVersion || '?').padEnd(9)} ${`${secs(t.install || 0)} s ${r.install ? r.install.split(' ')[0] : ''}`.padEnd(17)} ${`${secs(t.setup || 0)} s`.padEnd(7)} ${`${secs(t.execute || 0)} s`.padEnd(8)} ${t.credentialTest !== undefined ? `${secs(t.credentialTest)} s`.padEnd(7) : '-'.padEnd(7)} ${t.editor !== undefined ? `${secs(t.editor)} s`.padEnd(7) : '-'.padEnd(7)} ${`${secs(t.total || 0)} s`.padEnd(7)} ${passed}/${r.workflows.length} ${r.ok ? 'ok' : `FAIL${r.error ? `: ${r.error}` : ''}`}`,
		);
	}
	const all = results.flatMap((r) => r.workflows);
	// One test per workflow run, per credential test, per agent check and per editor check.
	const extras = results.flatMap((r) => [r.credentialTest, r.agent, r.durable, r.editor, ...Object.values(r.starters || {})].filter(Boolean));
	const passed = all.filter((w) => w.ok).length + extras.filter((x) => x.ok).length;
	let failed = all.filter((w) => !w.ok).length + extras.filter((x) => !x.ok).length + results.filter((r) => r.error).length;
	// No log, run JSON or simulator log of this run holds the API key.
	const leaks = [];
	const scan = (dir) => {
		for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
			const p = path.join(dir, e.name);
			if (e.isDirectory()) scan(p);
			else if (e.isFile() && fs.statSync(p).size < 50 << 20 && fs.readFileSync(p).includes(API_KEY)) leaks.push(path.relative(OUT, p));
		}
	};
	scan(OUT);
	if (leaks.length) log(`\nFAIL: the API key appears in ${leaks.join(', ')}`);
	const summary = { date: new Date().toISOString(), totalMs, cache: CACHE, package: path.basename(tarball), keyLeaks: leaks, results };
	fs.writeFileSync(path.join(OUT, 'summary.json'), JSON.stringify(summary, null, 2));
	log(`\ntotal ${secs(totalMs)} s; logs, run JSON and summary.json in ${path.relative(process.cwd(), OUT) || OUT}/`);
	if (leaks.length) failed++;
	log(`n8n: ${passed} passed, ${failed} failed`);
	const skipped = results.filter((r) => r.skipped).length;
	if (skipped) log(`(${skipped} target(s) skipped: not installable from the npm registry)`);
	process.exitCode = failed || !all.length ? 1 : 0;
}

module.exports = { TARGETS, extractRunJson, checkRun, magicOk };

if (require.main === module) {
	main().catch((e) => {
		console.error(e);
		process.exit(1);
	});
}
