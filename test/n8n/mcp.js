#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * The IMA tool behind n8n's MCP Server Trigger, driven by the official MCP client
 * (`@modelcontextprotocol/sdk`), in a real n8n (issue #19, part 1).
 *
 * The workflow is examples/templates/mcp-server-ima-tool.json as a user imports it (Bearer Auth on
 * the trigger, Max Credits per Run 5 on the tool); its credentials point at the IMA simulator in
 * this process and at a random bearer token. `n8n start` on loopback, the workflow published.
 * Checks, against the simulator's record (creates received, tasks):
 *   - without the bearer token the MCP URL refuses (401/403);
 *   - Streamable HTTP: the client lists the tools (IMA_Generate_Image, its description, `prompt`);
 *     a call makes exactly one task with the client's prompt and answers JSON (status, urls on the
 *     simulator's CDN, taskId, credits); the same prompt again makes a second task (one create per
 *     call: a call is never mistaken for a retry of the one before); an empty prompt is refused
 *     with an error naming `prompt`, and no create reaches IMA;
 *   - SSE (the older transport, same URL): list and one call, one more task;
 *   - Max Credits per Run (5) caps each call, not the session: every call above cost 5;
 *   - n8n's log has an "IMA task created" line for every task, naming where it ran (the
 *     execution, or, when n8n runs the tool before it creates the execution, that and the
 *     workflow), and no line says "execution ?".
 *
 *   node test/n8n/mcp.js [2.41.1|1.123.81 ...]     (default 2.41.1; needs `npm run build` first)
 *
 * From JavaScript (test/n8n/starters.js runs it for run.js):
 *   const { mcpCheck } = require('./mcp');
 *   await mcpCheck({ nodeBin, n8nBin, userFolder, outDir, env?, log? }) → {ok, checks}
 */
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const h = require('./editor/n8n');
const { startLive, waitForWebhook, startImaSimulator } = require('./live');
const { checker, standalone } = require('./shared');

const EXAMPLE = path.join(h.REPO, 'examples', 'templates', 'mcp-server-ima-tool.json');
const TOOL = 'IMA_Generate_Image';
const API_KEY = 'sim-test-key-mcp';
const WORKFLOW_ID = 'imaMcpServer0001';

/** The MCP client (official SDK) over one transport; headers on every request. */
async function connect(kind, url, headers) {
	const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
	const client = new Client({ name: 'n8n-nodes-ima-test', version: '1.0.0' });
	let transport;
	if (kind === 'sse') {
		const { SSEClientTransport } = require('@modelcontextprotocol/sdk/client/sse.js');
		transport = new SSEClientTransport(new URL(url), {
			requestInit: { headers },
			// The event stream (GET) is opened by the eventsource package: give it the header too.
			eventSourceInit: { fetch: (u, init) => fetch(u, { ...init, headers: { ...(init && init.headers), ...headers } }) },
		});
	} else {
		const { StreamableHTTPClientTransport } = require('@modelcontextprotocol/sdk/client/streamableHttp.js');
		transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
	}
	await client.connect(transport);
	return client;
}

/** The text of a tool result, and its JSON when it is JSON. */
function resultText(r) {
	const text = ((r && r.content) || []).filter((c) => c.type === 'text').map((c) => c.text).join('\n');
	let json;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { text, json: Array.isArray(json) ? json[0] : json, isError: !!(r && r.isError) };
}

/**
 * The executions n8n recorded for a workflow, each with its stored data as text (the owner is set
 * up on the fresh instance first). Waits up to 20 s for `expected` of them to finish.
 */
async function recordedExecutions(url, workflowId, expected) {
	const rest = new h.N8nRest(url);
	await rest.call('POST', '/owner/setup', { email: 'mcp-check@example.com', firstName: 'Mcp', lastName: 'Check', password: 'McpCheck-2026-x' });
	const t0 = Date.now();
	let list = [];
	for (;;) {
		const data = await rest.call('GET', `/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}`);
		list = (data && data.results) || [];
		const done = list.filter((e) => e.finished || ['success', 'error'].includes(e.status));
		if (done.length >= expected || Date.now() - t0 > 20_000) break;
		await new Promise((r) => setTimeout(r, 500));
	}
	const out = [];
	for (const e of list) {
		const full = await rest.call('GET', `/executions/${e.id}`);
		out.push({ id: e.id, status: e.status, text: typeof full.data === 'string' ? full.data : JSON.stringify(full.data) });
	}
	return out;
}

/**
 * @param {{nodeBin: string, n8nBin: string, userFolder: string, outDir: string, env?: Record<string, string>, log?: (m: string) => void}} o
 */
async function mcpCheck(o) {
	const log = o.log || ((m) => console.log(`[mcp] ${m}`));
	const { checks, check } = checker(log);
	fs.mkdirSync(o.outDir, { recursive: true });
	const token = `mcp-${crypto.randomBytes(18).toString('hex')}`;
	const sim = await startImaSimulator(API_KEY);
	const example = JSON.parse(fs.readFileSync(EXAMPLE, 'utf8'));
	const trigger = example.nodes.find((n) => n.type === '@n8n/n8n-nodes-langchain.mcpTrigger');
	const ima = example.nodes.find((n) => n.type === 'n8n-nodes-ima.imaTool');
	const maxCredits = Number(ima.parameters.options.maxCredits);
	const workflow = { ...example, id: WORKFLOW_ID, active: false };
	/** @type {any} */
	let n8n;
	const clients = [];
	try {
		n8n = await startLive({
			nodeBin: o.nodeBin,
			n8nBin: o.n8nBin,
			userFolder: o.userFolder,
			name: 'mcp',
			outDir: o.outDir,
			env: o.env,
			redact: [API_KEY, token],
			credentials: [
				{ id: 'imaMcpCredent001', name: 'IMA (simulator)', type: 'imaApi', data: { apiKey: API_KEY, baseUrl: sim.baseUrl, uploadBaseUrl: sim.uploadBaseUrl } },
				{ id: 'mcpBearerToken01', name: 'MCP clients (bearer token)', type: 'httpBearerAuth', data: { token } },
			],
			workflows: [workflow],
			publish: [WORKFLOW_ID],
		});
		check(true, `n8n ${n8n.version} started with ${path.basename(EXAMPLE)} published`);
		const url = `${n8n.url}/mcp/${trigger.parameters.path}`;
		const auth = { Authorization: `Bearer ${token}` };
		// Unauthenticated: refused before any MCP session.
		const status = await waitForWebhook(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' } });
		check(status === 401 || status === 403, `without the bearer token the MCP URL refuses (HTTP ${status})`);

		// Streamable HTTP
		const client = await connect('http', url, auth);
		clients.push(client);
		const { tools } = await client.listTools();
		const tool = tools.find((t) => t.name === TOOL);
		check(tool, `Streamable HTTP: tools/list offers ${TOOL} (got ${tools.map((t) => t.name).join(', ')})`);
		if (tool) {
			check(/IMA Studio/.test(String(tool.description)) && /urls/.test(String(tool.description)), 'the tool description says what it makes and that it answers with URLs', tool.description);
			const props = (tool.inputSchema && tool.inputSchema.properties) || {};
			check(props.prompt && props.prompt.type === 'string', 'the tool takes `prompt` (a string)', JSON.stringify(tool.inputSchema));
		}
		const creates = () => sim.createsReceived().length;
		const call = async (c, prompt) => resultText(await c.callTool({ name: TOOL, arguments: { prompt } }));
		const seen = [];
		const verify = (label, r, prompt, before) => {
			const j = r.json || {};
			check(!r.isError && j.status === 'success', `${label}: status "success"`, r.text.slice(0, 500));
			check(Array.isArray(j.urls) && j.urls.length === 1 && String(j.urls[0]).startsWith(sim.cdnBaseUrl), `${label}: one URL on IMA's CDN (no file crosses MCP)`, r.text.slice(0, 500));
			check(typeof j.credits === 'number' && j.credits > 0 && j.credits <= maxCredits, `${label}: credits ${j.credits} (≤ Max Credits per Run ${maxCredits})`, r.text.slice(0, 300));
			check(creates() === before + 1, `${label}: exactly one create reached IMA (${creates() - before})`);
			const task = j.taskId && sim.tasks.get(String(j.taskId));
			check(task && task.prompt === prompt, `${label}: task ${j.taskId} has the client's prompt`, task && task.prompt);
			check(!seen.includes(j.taskId), `${label}: a new task, not an earlier one`);
			seen.push(j.taskId);
		};
		const p1 = 'a lighthouse on a cliff at dawn, watercolour';
		let before = creates();
		verify('call 1', await call(client, p1), p1, before);
		before = creates();
		verify('call 2, the same prompt again', await call(client, p1), p1, before);
		before = creates();
		const bad = await call(client, '');
		check(/Prompt is empty/.test(bad.text) && !(bad.json && bad.json.status === 'success'), `an empty prompt is refused with an error naming \`prompt\` (isError ${bad.isError}): ${bad.text.replace(/\s+/g, ' ').slice(0, 160)}`, bad.text.slice(0, 500));
		check(creates() === before, `the refused call sent no create (creates ${before} → ${creates()})`);
		await client.close();

		// SSE, the older transport on the same URL
		const sse = await connect('sse', url, auth);
		clients.push(sse);
		const sseTools = await sse.listTools();
		check(sseTools.tools.some((t) => t.name === TOOL), `SSE: tools/list offers ${TOOL}`);
		const p2 = 'a paper boat on a rainy street, macro photo';
		before = creates();
		verify('SSE call', await call(sse, p2), p2, before);
		await sse.close();

		check(sim.creditsCharged === seen.length * maxCredits, `the simulator charged ${sim.creditsCharged} credits for ${seen.length} calls: Max Credits per Run caps each call, not the session`);

		// n8n records every call as an execution of the workflow, with the task id in it. n8n 1.x
		// records only the calls that succeeded: its MCP server waits for a success signal that a
		// failing tool never sends, so the refused call leaves no execution there.
		const expected = n8n.major >= 2 ? 4 : 3;
		const executions = await recordedExecutions(n8n.url, WORKFLOW_ID, expected);
		check(executions.length === expected, `n8n recorded ${executions.length} executions of the workflow for 4 tool calls (${n8n.major >= 2 ? 'one per call' : 'n8n 1.x: one per successful call'})`);
		for (const id of seen) check(executions.some((e) => e.text.includes(id)), `task ${id} is in the execution n8n recorded for its call`);

		// n8n's log: one "IMA task created" line per task, and where it ran.
		await new Promise((r) => setTimeout(r, 300));
		const text = n8n.log();
		for (const id of seen) {
			const line = text.split('\n').find((l) => l.includes(`IMA task created: ${id}`));
			check(line, `n8n's log has "IMA task created: ${id}"`);
			if (line) {
				const named = /execution \d+/.test(line) || (/no execution yet/.test(line) && line.includes(`workflow ${WORKFLOW_ID}`));
				check(named, `the log line names the execution, or says it does not exist yet and names the workflow: ${line.trim().slice(0, 300)}`);
			}
		}
		check(!/execution \?/.test(text), 'no log line says "execution ?"');
		check(!text.includes(API_KEY), 'the IMA API key is not in n8n\'s log');
	} catch (e) {
		check(false, `MCP check: ${e && e.message}`, e && e.stack);
	} finally {
		for (const c of clients) await c.close().catch(() => undefined);
		if (n8n) await n8n.stop(!checks.every((c) => c.ok));
		await sim.close();
	}
	const result = { ok: checks.length > 0 && checks.every((c) => c.ok), checks };
	fs.writeFileSync(path.join(o.outDir, 'mcp-result.json'), JSON.stringify(result, null, 2));
	return result;
}

module.exports = { mcpCheck, connect, resultText };

if (require.main === module) standalone('mcp', mcpCheck);
