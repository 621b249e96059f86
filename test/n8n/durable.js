#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * Max Credits per Run across n8n's durable waits, in a REAL n8n (regular mode, SQLite; issue #16).
 *
 * The test-only workflow test/n8n/workflows/durable/loop-budget-wait.json: Webhook → Split Out →
 * Loop Over Items (one at a time) → IMA Create Task (Max Credits `{{ $json.budget }}`, Continue On
 * Fail) → Wait 70 s → back to the loop. Two items with budgets 5 and 0; a task costs 5 credits.
 * A Wait of 65 s or more parks the execution in n8n's database; n8n resumes it later in a new run
 * of its engine. Here n8n is also stopped and started again while the execution waits, so the
 * resume happens in another process. Before the fix each resume started from zero and the second
 * item's budget 0 lifted the limit: 2 creates, 10 credits.
 *
 * Checks: the execution was seen "waiting" (parked in the database), n8n restarted during the
 * Wait, the execution ends with "success", the simulator (in this process) received exactly ONE
 * create and charged 5 credits, the second loop run's item is the Max Credits refusal (nothing
 * charged), both runs carry the node's execution hint, the stored execution holds no API key.
 *
 *   node test/n8n/durable.js [2.41.1|1.123.81 ...]    (default 2.41.1; needs `npm run build` first)
 *
 * From JavaScript (test/n8n/run.js): const { durableCheck } = require('./durable');
 *   await durableCheck({ nodeBin, n8nBin, userFolder, outDir, apiKey, env?, log?, timeoutMs? })
 *     → {ok, n8nVersion, ms, checks}
 * `userFolder` must hold the installed package (.n8n/nodes); the check works in a copy of it.
 * Takes about 3 minutes (two 70 s Waits, n8n started twice).
 */
const fs = require('fs');
const path = require('path');

const h = require('./editor/n8n');
const { checker, standalone } = require('./shared');

const WORKFLOW_FILE = path.join(__dirname, 'workflows', 'durable', 'loop-budget-wait.json');
const WORKFLOW_ID = 'imaDurableLoop01';
const CREDENTIAL = { id: 'imaSimCredential', name: 'IMA account (simulator)' };
const IMA_NODE = 'IMA Create Task';
const WAIT_NODE = 'Wait 70 s';
const BUDGETS = [5, 0];
const TASK_CREDITS = 5;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @param {{nodeBin: string, n8nBin: string, userFolder: string, outDir: string, apiKey: string,
 *   env?: Record<string, string>, log?: (m: string) => void, timeoutMs?: number}} o
 */
async function durableCheck(o) {
	const log = o.log || ((m) => console.log(`[durable] ${m}`));
	fs.mkdirSync(o.outDir, { recursive: true });
	const { checks, check } = checker(log);
	const version = h.n8nVersionOf(o.n8nBin);
	const major = Number(version.split('.')[0]) || 2;
	const folder = `${o.userFolder}-durable`;
	fs.rmSync(folder, { recursive: true, force: true });
	fs.mkdirSync(path.join(folder, '.n8n'), { recursive: true });
	fs.cpSync(path.join(o.userFolder, '.n8n', 'nodes'), path.join(folder, '.n8n', 'nodes'), { recursive: true });
	const redact = (s) => String(s).split(o.apiKey).join('(the test key)');
	const env = { ...h.n8nEnv(folder, await h.freePort(), await h.freePort(), major), ...(o.env || {}) };
	const n8nCli = (args, file) =>
		h.exec(o.nodeBin, [o.n8nBin, ...args], { cwd: folder, env, timeout: 300_000 }).then(
			(out) => (fs.writeFileSync(path.join(o.outDir, file), redact(out)), { code: 0, out }),
			(e) => (fs.writeFileSync(path.join(o.outDir, file), redact(e.message)), { code: 1, out: String(e.message) }),
		);
	const { startSimulator } = require('../simulator');
	const sim = await startSimulator({ apiKey: o.apiKey, speed: 100 });
	/** @type {Awaited<ReturnType<typeof h.startN8n>> | undefined} */
	let n8n;
	const started = Date.now();
	const steps = async () => {
		const credFile = path.join(folder, 'durable-credential.json');
		fs.writeFileSync(credFile, JSON.stringify([{ ...CREDENTIAL, type: 'imaApi', data: { apiKey: o.apiKey, baseUrl: sim.baseUrl, uploadBaseUrl: sim.uploadBaseUrl } }]));
		const ic = await n8nCli(['import:credentials', `--input=${credFile}`], 'durable-import-credentials.log');
		fs.rmSync(credFile, { force: true });
		if (!check(ic.code === 0, 'credential imported (simulator on loopback)', ic.out.slice(-800))) return;
		const wf = JSON.parse(fs.readFileSync(WORKFLOW_FILE, 'utf8'));
		wf.id = WORKFLOW_ID;
		wf.active = false;
		const wfFile = path.join(folder, 'durable-workflow.json');
		fs.writeFileSync(wfFile, JSON.stringify(wf, null, 2));
		const iw = await n8nCli(['import:workflow', `--input=${wfFile}`], 'durable-import-workflow.log');
		if (!check(iw.code === 0, 'workflow imported (Loop Over Items → Create Task → Wait 70 s)', iw.out.slice(-800))) return;
		// Active, so the webhook is registered at start (2.x publishes; 1.x sets active).
		const act = major >= 2 ? await n8nCli(['publish:workflow', `--id=${WORKFLOW_ID}`], 'durable-activate.log') : await n8nCli(['update:workflow', `--id=${WORKFLOW_ID}`, '--active=true'], 'durable-activate.log');
		if (!check(act.code === 0, `workflow activated (${major >= 2 ? 'publish:workflow' : 'update:workflow --active=true'})`, act.out.slice(-800))) return;

		const start = (n) => h.startN8n({ nodeBin: o.nodeBin, n8nBin: o.n8nBin, userFolder: folder, logFile: path.join(o.outDir, `durable-n8n-start-${n}.log`), port: Number(env.N8N_PORT), env: o.env });
		n8n = await start(1);
		log(`n8n ${version} started in ${(n8n.startupMs / 1000).toFixed(1)} s`);
		const rest = new h.N8nRest(n8n.url);
		const setup = await rest.raw('POST', '/owner/setup', { email: 'owner@example.com', firstName: 'Test', lastName: 'Owner', password: 'Test-Passw0rd-1' });
		if (!check(setup.status === 200, `owner set up (HTTP ${setup.status}), to read executions over /rest`, setup.text.slice(0, 300))) return;
		const login = async () => rest.raw('POST', '/login', { emailOrLdapLoginId: 'owner@example.com', email: 'owner@example.com', password: 'Test-Passw0rd-1' });

		// Start it as a production webhook call.
		let hook;
		for (let i = 0; i < 20; i++) {
			hook = await fetch(`${n8n.url}/webhook/ima-durable-budget`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items: BUDGETS.map((budget) => ({ budget })) }), signal: AbortSignal.timeout(30_000) });
			if (hook.status !== 404) break;
			await sleep(500); // the webhook is registered just after start
		}
		if (!check(hook && hook.ok, `webhook called (HTTP ${hook && hook.status})`, hook && (await hook.text()).slice(0, 300))) return;

		const latest = async () => {
			const r = await rest.raw('GET', '/executions');
			const data = r.json && r.json.data;
			const results = (data && data.results) || [];
			return results.find((e) => String(e.workflowId) === WORKFLOW_ID);
		};
		const statuses = [];
		const note = (s) => {
			if (s && statuses[statuses.length - 1] !== s) statuses.push(s);
		};
		// Wait for the first park, then restart n8n while the execution waits.
		const deadline = Date.now() + (o.timeoutMs ?? 600_000);
		let exec;
		for (;;) {
			if (Date.now() > deadline) break;
			exec = await latest();
			note(exec && exec.status);
			if (exec && exec.status === 'waiting') break;
			await sleep(1000);
		}
		const createsBeforeRestart = sim.createsReceived().length;
		if (!check(exec && exec.status === 'waiting', `the execution parked in the database at the Wait (status "waiting", execution ${exec && exec.id})`, JSON.stringify(exec))) return;
		check(createsBeforeRestart === 1, `one create before the first Wait (${createsBeforeRestart})`);
		await n8n.stop();
		n8n = await start(2);
		check(true, `n8n stopped and started again during the Wait (up in ${(n8n.startupMs / 1000).toFixed(1)} s)`);
		await login();
		const id = exec.id;
		let final;
		for (;;) {
			if (Date.now() > deadline) break;
			const r = await rest.raw('GET', `/executions/${id}`);
			if (r.status === 401) await login();
			const e = r.json && r.json.data;
			note(e && e.status);
			if (e && ['success', 'error', 'crashed', 'canceled'].includes(e.status)) {
				final = e;
				break;
			}
			await sleep(2000);
		}
		log(`statuses seen: ${statuses.join(' → ')} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
		if (!check(final, 'the execution finished', statuses.join(' → '))) return;
		check(final.status === 'success', `execution status "success" (got "${final.status}")`);
		const creates = sim.createsReceived();
		check(creates.length === 1, `the simulator received exactly ONE create in the execution (got ${creates.length})`);
		check(sim.creditsCharged === TASK_CREDITS, `credits charged: ${sim.creditsCharged} (the budget: ${TASK_CREDITS})`);
		fs.writeFileSync(path.join(o.outDir, 'durable-execution.json'), redact(JSON.stringify(final, null, 2)));
		check(!JSON.stringify(final).includes(o.apiKey), 'the stored execution holds no API key');
		const flatted = require(path.join(path.dirname(path.dirname(path.dirname(o.n8nBin))), 'flatted'));
		const data = typeof final.data === 'string' ? flatted.parse(final.data) : final.data;
		const runData = (data && data.resultData && data.resultData.runData) || {};
		const runs = runData[IMA_NODE] || [];
		check(runs.length === BUDGETS.length, `Create Task ran once per loop run (${runs.length} of ${BUDGETS.length})`);
		check((runData[WAIT_NODE] || []).length === BUDGETS.length, `the Wait ran once per loop run (${(runData[WAIT_NODE] || []).length})`);
		const item = (r) => (r && r.data && r.data.main && r.data.main[0] && r.data.main[0][0] && r.data.main[0][0].json) || {};
		const first = item(runs[0]);
		const second = item(runs[1]);
		check(first.taskId && sim.tasks.has(first.taskId), `run 1 created task ${first.taskId}`, JSON.stringify(first));
		check(/Max Credits per Run \(5\) would be passed/.test(String(second.error)) && second.charged === 'none', 'run 2 (after the resume, budget 0): refused before its create, nothing charged', JSON.stringify(second));
		const hint = (r) => ((r && r.hints) || []).map((x) => x.message).join(' | ');
		check(/^This run: 1 task created, 5 credits committed \(5 of 5 Max Credits per Run used in this execution\)\.$/.test(hint(runs[0])), `run 1's execution hint: "${hint(runs[0])}"`);
		check(/^This run: 0 tasks created, 0 credits committed \(5 of 5 Max Credits per Run used in this execution\)\. 1 item refused before paying\.$/.test(hint(runs[1])), `run 2's execution hint: "${hint(runs[1])}"`);
	};
	try {
		await steps();
	} catch (e) {
		check(false, `durable check aborted: ${e.message}`);
	} finally {
		if (n8n) await n8n.stop();
		await sim.close();
	}
	const result = { ok: checks.length > 0 && checks.every((c) => c.ok), n8nVersion: version, ms: Date.now() - started, checks };
	fs.writeFileSync(path.join(o.outDir, 'durable-result.json'), redact(JSON.stringify(result, null, 2)));
	if (result.ok && !process.env.N8N_IMA_KEEP) fs.rmSync(folder, { recursive: true, force: true });
	else log(`n8n user folder kept for inspection: ${folder}`);
	return result;
}

module.exports = { durableCheck };

if (require.main === module) standalone('durable', durableCheck, { options: { apiKey: 'sim-durable-key' } });
