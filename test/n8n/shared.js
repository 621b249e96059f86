// @ts-check
'use strict';
/**
 * What the real-n8n checks in test/n8n/ share, so each lives in one place:
 *   - checker(log): the checks list every check returns ({ok, what, detail?}), logged as
 *     `✓ what` / `✗ what — detail`;
 *   - startScriptedModel(script): a fake OpenAI chat completions API on loopback that an n8n
 *     "OpenAI Chat Model" credential can point at; `script(messages, tools)` decides each answer;
 *   - standalone(name, check, more): the command line of a check script: pack the package, and per
 *     n8n version given (default 2.41.1) install it into a temp user folder and run the check, then
 *     print the summary and set the exit code.
 *
 * From JavaScript:
 *   const { checker, startScriptedModel, standalone, installVersion } = require('./shared');
 *   const { checks, check } = checker(log);  check(ok, what, detail?) → !!ok
 *   const model = await startScriptedModel((messages, tools) => ({ calls: [{ name, args }], id }) or ({ text }));
 *     model.url (the credential's base URL), model.requests [{method, url, body}], await model.close()
 *   if (require.main === module) standalone('name', nameCheck, { options, start });
 */
const fs = require('fs');
const http = require('http');
const path = require('path');

const h = require('./editor/n8n');

/**
 * A checks list: check(ok, what, detail) records and returns ok; a failed check keeps its detail
 * (up to 1500 characters) and logs it (up to 400).
 * @param {(m: string) => void} [log]
 */
function checker(log = () => undefined) {
	/** @type {{ok: boolean, what: string, detail?: string}[]} */
	const checks = [];
	/** @param {unknown} ok @param {string} what @param {unknown} [detail] */
	const check = (ok, what, detail) => {
		checks.push({ ok: !!ok, what, ...(ok || detail === undefined ? {} : { detail: String(detail).slice(0, 1500) }) });
		log(`${ok ? '✓' : '✗'} ${what}${!ok && detail !== undefined ? ` — ${String(detail).slice(0, 400)}` : ''}`);
		return !!ok;
	};
	return { checks, check };
}

/**
 * One answer of the fake model: tool calls made in one turn ({calls, id}; the calls' ids are
 * `call_<id>_<i>`, or `call_<request number>_<i>` without id), or a final text ({text}).
 * @typedef {{calls: {name: string, args: unknown}[], id?: string} | {text: string}} ModelStep
 */

/**
 * A fake OpenAI chat completions API on loopback. `script(messages, tools)` decides each answer
 * (see ModelStep); answers as JSON, or as server-sent events when the request asks to stream.
 * GET .../models lists one model, gpt-fake; any other path is a 404. Records every request.
 * @param {(messages: any[], tools: any[]) => ModelStep} script
 */
async function startScriptedModel(script) {
	/** @type {{method?: string, url?: string, body: any}[]} */
	const requests = [];
	const server = http.createServer((req, res) => {
		let body = '';
		req.on('data', (d) => (body += d));
		req.on('end', () => {
			/** @type {any} */
			let json = {};
			try {
				json = JSON.parse(body || '{}');
			} catch {
				/* not JSON */
			}
			requests.push({ method: req.method, url: req.url, body: json });
			if (req.method === 'GET' && /\/models/.test(String(req.url))) {
				res.writeHead(200, { 'content-type': 'application/json' });
				res.end(JSON.stringify({ object: 'list', data: [{ id: 'gpt-fake', object: 'model', created: 0, owned_by: 'test' }] }));
				return;
			}
			if (!/\/chat\/completions$/.test(String(req.url))) {
				res.writeHead(404, { 'content-type': 'application/json' });
				res.end(JSON.stringify({ error: { message: `fake model: no ${req.url}` } }));
				return;
			}
			const messages = Array.isArray(json.messages) ? json.messages : [];
			const tools = Array.isArray(json.tools) ? json.tools : [];
			/** @type {any} */
			const step = script(messages, tools);
			/** @type {any} */
			const message = step.calls
				? { role: 'assistant', content: null, tool_calls: step.calls.map((c, i) => ({ id: `call_${step.id || requests.length}_${i}`, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.args) } })) }
				: { role: 'assistant', content: step.text };
			const finish = message.tool_calls ? 'tool_calls' : 'stop';
			if (json.stream) {
				res.writeHead(200, { 'content-type': 'text/event-stream' });
				const chunk = (delta, finish_reason) =>
					res.write(`data: ${JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 0, model: 'gpt-fake', choices: [{ index: 0, delta, finish_reason }] })}\n\n`);
				chunk(message.tool_calls ? { role: 'assistant', tool_calls: message.tool_calls.map((c, index) => ({ index, ...c })) } : { role: 'assistant', content: message.content }, null);
				chunk({}, finish);
				res.end('data: [DONE]\n\n');
				return;
			}
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion', created: 0, model: 'gpt-fake', choices: [{ index: 0, message, finish_reason: finish }], usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 } }));
		});
	});
	await new Promise((r) => server.listen(0, '127.0.0.1', () => r(undefined)));
	const addr = /** @type {import('net').AddressInfo} */ (server.address());
	return { url: `http://127.0.0.1:${addr.port}/v1`, requests, close: () => new Promise((r) => server.close(() => r(undefined))) };
}

/**
 * Standalone run of a check: pack the package (needs `npm run build` first), then for each n8n
 * version on the command line (default 2.41.1; n8n 1.x runs on Node 22) install the tarball into a
 * fresh user folder in a temp folder and run check({nodeBin, n8nBin, userFolder, outDir, ...}),
 * outDir test-output/n8n/<name>-<version>/. Prints `n8n <version>: ok|FAILED — <passed>/<all>
 * checks` (and `, <s> s` when the result has ms) and sets the exit code; an error on the way is
 * printed and exits 1. The temp folder goes at the end unless N8N_IMA_KEEP is set.
 *   more.options: passed to every check as well (e.g. apiKey);
 *   more.start(outRoot): runs once before the first version (e.g. a simulator in a child process);
 *     its options are passed to every check too, and its close() runs at the end.
 * @param {string} name
 * @param {(o: any) => Promise<{ok: boolean, checks: {ok: boolean}[], ms?: number}>} check
 * @param {{options?: Record<string, unknown>,
 *   start?: (outRoot: string) => Promise<{options: Record<string, unknown>, close: () => Promise<unknown>}>}} [more]
 */
function standalone(name, check, more = {}) {
	return runVersions(name, check, more).catch((e) => {
		console.error(`[${name}]`, e && e.stack ? e.stack : e);
		process.exit(1);
	});
}

/**
 * One n8n version ready to run the package: n8n installed (cached), the Node.js it runs on (n8n 1.x
 * on Node 22), and a user folder under `tmp` with the package tarball installed.
 * @param {string} version @param {string} tmp @param {string} tarball
 */
async function installVersion(version, tmp, tarball) {
	const { ensureN8n, nodeOfMajor } = require('./install');
	const major = Number(version.split('.')[0]);
	const installed = await ensureN8n(version);
	const nodeBin = major >= 2 ? installed.nodeBin : (await nodeOfMajor(22)).nodeBin;
	const userFolder = path.join(tmp, `user-${version}`);
	fs.mkdirSync(userFolder, { recursive: true });
	await h.installPackage(userFolder, tarball);
	return { nodeBin, n8nBin: installed.n8nBin, userFolder, major };
}

/** standalone without the catch. @param {string} name @param {Parameters<typeof standalone>[1]} check @param {NonNullable<Parameters<typeof standalone>[2]>} more */
async function runVersions(name, check, more) {
	const versions = process.argv.slice(2).filter((a) => /^\d+\.\d+\.\d+$/.test(a));
	if (!versions.length) versions.push('2.41.1');
	const outRoot = path.join(h.REPO, 'test-output', 'n8n');
	fs.mkdirSync(outRoot, { recursive: true });
	const tmp = h.tempDir(`n8n-ima-${name}-`);
	const results = [];
	/** @type {{options: Record<string, unknown>, close: () => Promise<unknown>} | undefined} */
	let started;
	try {
		const tarball = await h.packPackage(path.join(tmp, 'pack'));
		if (more.start) started = await more.start(outRoot);
		for (const version of versions) {
			const { nodeBin, n8nBin, userFolder } = await installVersion(version, tmp, tarball);
			console.log(`\n[${name}] === n8n ${version} ===`);
			const outDir = path.join(outRoot, `${name}-${version}`);
			results.push({ version, ...(await check({ ...more.options, ...(started && started.options), nodeBin, n8nBin, userFolder, outDir })) });
		}
	} finally {
		if (started) await started.close();
		if (!process.env.N8N_IMA_KEEP) fs.rmSync(tmp, { recursive: true, force: true });
		else console.log(`[${name}] kept ${tmp}`);
	}
	console.log(`\n[${name}] summary`);
	for (const r of results) {
		const time = typeof r.ms === 'number' ? `, ${(r.ms / 1000).toFixed(0)} s` : '';
		console.log(`  n8n ${r.version}: ${r.ok ? 'ok' : 'FAILED'} — ${r.checks.filter((c) => c.ok).length}/${r.checks.length} checks${time}`);
	}
	process.exitCode = results.length && results.every((r) => r.ok) ? 0 : 1;
}

module.exports = { checker, startScriptedModel, standalone, installVersion };
