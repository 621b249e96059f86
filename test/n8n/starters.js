// @ts-check
'use strict';
/**
 * Issue #19's checks for `npm run test:n8n` (test/n8n/run.js calls runStarterChecks once per
 * target): the MCP Server Trigger template with the official MCP client (mcp.js), an AI Agent
 * calling the IMA tool twice in one execution (agent-twice.js), and the templates with n8n's real
 * SaaS nodes against stand-ins on loopback (templates.js). Each runs in its own copy of the
 * target's user folder and with its own IMA simulator, so its record is its own.
 *
 * Skip one with N8N_IMA_SKIP_MCP=1, N8N_IMA_SKIP_AGENT_TWICE=1 or N8N_IMA_SKIP_TEMPLATES=1.
 */
const path = require('path');

const CHECKS = [
	{ key: 'mcp', skip: 'N8N_IMA_SKIP_MCP', file: './mcp', fn: 'mcpCheck', title: 'MCP client (official SDK) → MCP Server Trigger → IMA tool' },
	{ key: 'agentTwice', skip: 'N8N_IMA_SKIP_AGENT_TWICE', file: './agent-twice', fn: 'agentTwiceCheck', title: 'AI Agent calls the IMA tool twice in one execution' },
	{ key: 'templates', skip: 'N8N_IMA_SKIP_TEMPLATES', file: './templates', fn: 'templatesCheck', title: 'templates with n8n\'s SaaS nodes against stand-ins on loopback' },
];

/**
 * @param {{n8n: {nodeBin: string, n8nBin: string}, userFolder: string, out: string, env?: Record<string, string>, log: (m: string) => void}} o
 * @returns {Promise<Record<string, {ok: boolean, checks?: any[], error?: string, ms: number}>>}
 */
async function runStarterChecks(o) {
	/** @type {Record<string, any>} */
	const results = {};
	for (const c of CHECKS) {
		if (process.env[c.skip]) continue;
		const t0 = Date.now();
		let r;
		try {
			r = await require(c.file)[c.fn]({ nodeBin: o.n8n.nodeBin, n8nBin: o.n8n.n8nBin, userFolder: o.userFolder, outDir: path.join(o.out, c.key), env: o.env, log: () => undefined });
		} catch (e) {
			r = { ok: false, error: e && e.message, checks: [] };
		}
		results[c.key] = { ...r, ms: Date.now() - t0 };
		const n = (r.checks || []).length;
		o.log(`  ${r.ok ? 'ok  ' : 'FAIL'} ${c.title} (${((Date.now() - t0) / 1000).toFixed(1)} s, ${(r.checks || []).filter((x) => x.ok).length}/${n} checks)${r.error ? `: ${r.error}` : ''}`);
		for (const x of r.checks || []) if (!x.ok) o.log(`       ✗ ${x.what}${x.detail ? ` — ${String(x.detail).slice(0, 300)}` : ''}`);
	}
	return results;
}

module.exports = { runStarterChecks, CHECKS };
