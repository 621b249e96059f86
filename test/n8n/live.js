// @ts-check
'use strict';
/**
 * A live n8n for the checks that need `n8n start` (MCP Server Trigger, templates with webhooks
 * or forms): a fresh user folder beside the run's one (the package's installed nodes copied in),
 * credentials and workflows imported with n8n's CLI, the workflows published (2.x
 * `publish:workflow`, 1.x `update:workflow --active=true`), then `n8n start` on loopback.
 *
 *   const n8n = await startLive({ nodeBin, n8nBin, userFolder, name: 'mcp', outDir, credentials, workflows, env });
 *   ... n8n.url, n8n.log() (what n8n printed so far) ...
 *   await n8n.stop();
 *
 * Credentials are n8n's import format ({id, name, type, data}); a workflow's node credentials
 * that name a type given here are pointed at the imported credential of that type (templates
 * refer to credentials by name, with placeholder ids). Nothing here reaches beyond loopback.
 */
const fs = require('fs');
const path = require('path');
const { execFile } = require('child_process');

const h = require('./editor/n8n');

/** A copy of a workflow with its node credentials pointed at the imported ones (by type). */
function bindCredentials(workflow, credentials) {
	const copy = JSON.parse(JSON.stringify(workflow));
	for (const node of copy.nodes) {
		for (const type of Object.keys(node.credentials || {})) {
			const c = credentials.find((x) => x.type === type);
			if (c) node.credentials[type] = { id: c.id, name: c.name };
		}
	}
	return copy;
}

/**
 * A fresh user folder `<userFolder>-<name>` with the installed nodes, the credentials and the
 * workflows imported and the `publish` ones published. Returns {folder, env, cli, version, major,
 * port}; cli(args, logName) runs an n8n command there (rejects on failure, log in outDir).
 * @param {{nodeBin: string, n8nBin: string, userFolder: string, name: string, outDir: string,
 *   credentials: {id: string, name: string, type: string, data: Record<string, unknown>}[],
 *   workflows: any[], publish?: string[], env?: Record<string, string>, redact?: string[]}} o
 */
async function prepareFolder(o) {
	const version = h.n8nVersionOf(o.n8nBin);
	const major = Number(version.split('.')[0]) || 2;
	const folder = `${o.userFolder}-${o.name}`;
	fs.rmSync(folder, { recursive: true, force: true });
	fs.mkdirSync(path.join(folder, '.n8n'), { recursive: true });
	fs.cpSync(path.join(o.userFolder, '.n8n', 'nodes'), path.join(folder, '.n8n', 'nodes'), { recursive: true });
	fs.mkdirSync(o.outDir, { recursive: true });
	const port = await h.freePort();
	const env = { ...h.n8nEnv(folder, port, await h.freePort(), major), ...(o.env || {}) };
	const redact = (s) => (o.redact || []).reduce((t, secret) => t.split(secret).join('(secret)'), String(s));
	/**
	 * Runs an n8n command; resolves with its output (stdout and stderr), rejects when it fails
	 * (the error's `output` holds what it printed). The log goes to outDir/file.
	 * @param {string[]} args @param {string} file @returns {Promise<string>}
	 */
	const cli = (args, file) =>
		new Promise((resolve, reject) => {
			execFile(o.nodeBin, [o.n8nBin, ...args], { cwd: folder, env, timeout: 300_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
				const out = `${stdout}${stderr ? `\n${stderr}` : ''}`;
				fs.writeFileSync(path.join(o.outDir, file), redact(`$ n8n ${args.join(' ')}\n${out}${err ? `\n(${err.message.split('\n')[0]})` : ''}`));
				if (!err) return resolve(out);
				reject(Object.assign(new Error(`n8n ${args[0]} failed (see ${path.join(o.outDir, file)})`), { output: out }));
			});
		});
	const credFile = path.join(folder, 'credentials.json');
	fs.writeFileSync(credFile, JSON.stringify(o.credentials));
	try {
		await cli(['import:credentials', `--input=${credFile}`], 'import-credentials.log');
	} finally {
		fs.rmSync(credFile, { force: true }); // plain text secrets; n8n stored them encrypted
	}
	const wfDir = path.join(folder, 'workflows');
	fs.mkdirSync(wfDir);
	for (const wf of o.workflows) fs.writeFileSync(path.join(wfDir, `${wf.id}.json`), JSON.stringify(bindCredentials(wf, o.credentials), null, 2));
	await cli(['import:workflow', '--separate', `--input=${wfDir}`], 'import-workflows.log');
	for (const id of o.publish || []) {
		await cli(major >= 2 ? ['publish:workflow', `--id=${id}`] : ['update:workflow', `--id=${id}`, '--active=true'], `publish-${id}.log`);
	}
	return { folder, env, cli, version, major, port, redact };
}

/** prepareFolder, then `n8n start` on loopback. @param {Parameters<typeof prepareFolder>[0]} o */
async function startLive(o) {
	const { folder, version, major, port, redact } = await prepareFolder(o);
	const logFile = path.join(o.outDir, 'n8n-start.log');
	const n8n = await h.startN8n({ nodeBin: o.nodeBin, n8nBin: o.n8nBin, userFolder: folder, logFile, port, env: o.env });
	return {
		url: n8n.url,
		version,
		major,
		folder,
		logFile,
		/** What n8n printed so far. */
		log: () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : n8n.logTail()),
		/** Stops n8n; the folder goes too unless keep. */
		async stop(keep = false) {
			await n8n.stop();
			if (fs.existsSync(logFile)) fs.writeFileSync(logFile, redact(fs.readFileSync(logFile, 'utf8')));
			if (!keep && !process.env.N8N_IMA_KEEP) fs.rmSync(folder, { recursive: true, force: true });
		},
	};
}

/** Polls url until it answers other than 404 (n8n registers webhooks a moment after start). */
async function waitForWebhook(url, { method = 'GET', headers = {}, timeoutMs = 60_000 } = {}) {
	const t0 = Date.now();
	let last = 0;
	for (;;) {
		try {
			const ac = new AbortController();
			const r = await fetch(url, { method, headers, signal: ac.signal });
			last = r.status;
			ac.abort(); // an SSE answer never ends by itself
			if (r.status !== 404) return r.status;
		} catch {
			/* not yet, or the abort above */
			if (last && last !== 404) return last;
		}
		if (Date.now() - t0 > timeoutMs) throw new Error(`${url} still answers ${last || 'nothing'} after ${timeoutMs / 1000} s`);
		await new Promise((r) => setTimeout(r, 500));
	}
}

/** The IMA simulator in this process (its record is what the checks read). */
async function startImaSimulator(apiKey) {
	const { startSimulator } = require('../simulator');
	return startSimulator({ apiKey, speed: 100 });
}

// checker lives in ./shared; still exported here for callers that take it from this file.
module.exports = { prepareFolder, startLive, bindCredentials, waitForWebhook, checker: require('./shared').checker, startImaSimulator };
