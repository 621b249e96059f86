#!/usr/bin/env node
'use strict';
/**
 * Lints the n8n workflows in examples/ (and examples/templates/): what n8n needs to import them and
 * what n8n's template guidelines ask of a shared workflow.
 *
 * Every workflow: JSON with name, nodes, connections, settings.executionOrder "v1"; unique node
 * ids and names; each node has a type, a typeVersion, a position and parameters; connections
 * name existing nodes and known connection types; every node but sticky notes is connected; at
 * least one trigger; nodes that receive webhooks (form, MCP, Wait) have a webhookId; credentials
 * are referenced by name; no secrets (API keys, tokens, passwords) anywhere; IMA nodes use the
 * contract's operations and task types, typeVersion 1, a model as a resource locator.
 * Templates (examples/templates/) also: a sticky note with the setup steps, no pinned data.
 *
 * Usage: node scripts/lint-examples.js [dir]   (part of `npm run lint:workflows`, so of `npm test`)
 * Exits 1 and prints `file: problem` lines.
 */
const fs = require('fs');
const path = require('path');

const IMA_TYPES = ['n8n-nodes-ima.ima', 'n8n-nodes-ima.imaTool'];
// The public contract (see CONTRACT in the docs): operations and task types.
const OPERATIONS = ['generate', 'createTask', 'checkTask', 'waitForResult', 'uploadImage', 'listModels'];
const TASK_TYPES = ['text_to_image', 'image_to_image', 'text_to_video', 'image_to_video', 'first_last_frame_to_video', 'reference_image_to_video', 'text_to_music', 'text_to_speech'];
const CONNECTION_TYPES = ['main', 'ai_tool', 'ai_languageModel', 'ai_memory', 'ai_outputParser', 'ai_document', 'ai_embedding', 'ai_retriever', 'ai_textSplitter', 'ai_vectorStore', 'ai_agent', 'ai_chain'];
const WEBHOOK_TYPES = ['n8n-nodes-base.formTrigger', '@n8n/n8n-nodes-langchain.mcpTrigger', 'n8n-nodes-base.wait', 'n8n-nodes-base.webhook'];
const STICKY = 'n8n-nodes-base.stickyNote';
// Secrets as providers print them, and parameter names that hold one.
const SECRET_PATTERNS = [/\bsk-[A-Za-z0-9_-]{16,}/, /\bxox[abposr]-[A-Za-z0-9-]{10,}/, /\bima_[A-Za-z0-9]{16,}/, /\bAIza[0-9A-Za-z_-]{30,}/, /\bgh[pousr]_[A-Za-z0-9]{30,}/, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, /\bBearer\s+[A-Za-z0-9._-]{20,}/];
const SECRET_KEYS = /^(api[_-]?key|apikey|access[_-]?token|token|password|secret|client[_-]?secret|private[_-]?key)$/i;

const isTrigger = (n) => /trigger$/i.test(n.type.split('.').pop()) || n.type === 'n8n-nodes-base.webhook';

/** Problems of one workflow (strings). */
function lintWorkflow(wf, { template = false } = {}) {
	const problems = [];
	const p = (m) => problems.push(m);
	if (!wf || typeof wf !== 'object') return ['not a JSON object'];
	if (typeof wf.name !== 'string' || !wf.name.trim()) p('no workflow name');
	if (!Array.isArray(wf.nodes) || !wf.nodes.length) return [...problems, 'no nodes'];
	if (!wf.connections || typeof wf.connections !== 'object') p('no connections object');
	if (!wf.settings || wf.settings.executionOrder !== 'v1') p('settings.executionOrder is not "v1"');
	const names = new Set();
	const ids = new Set();
	for (const n of wf.nodes) {
		const at = `node "${n.name}"`;
		if (typeof n.name !== 'string' || !n.name) p('a node without a name');
		else if (names.has(n.name)) p(`two nodes named "${n.name}"`);
		names.add(n.name);
		if (typeof n.id !== 'string' || !n.id) p(`${at}: no id`);
		else if (ids.has(n.id)) p(`${at}: id ${n.id} used twice`);
		ids.add(n.id);
		if (typeof n.type !== 'string' || !n.type.includes('.')) p(`${at}: no node type`);
		if (typeof n.typeVersion !== 'number') p(`${at}: no typeVersion`);
		if (!Array.isArray(n.position) || n.position.length !== 2 || !n.position.every(Number.isFinite)) p(`${at}: no position [x, y]`);
		if (!n.parameters || typeof n.parameters !== 'object') p(`${at}: no parameters object`);
		if (WEBHOOK_TYPES.includes(n.type) && !n.webhookId) p(`${at}: a ${n.type.split('.').pop()} node needs a webhookId`);
		for (const [type, ref] of Object.entries(n.credentials || {})) {
			if (!ref || typeof ref.name !== 'string' || !ref.name.trim()) p(`${at}: credential ${type} has no name (templates refer to credentials by name)`);
		}
		if (IMA_TYPES.includes(n.type)) {
			const q = n.parameters || {};
			const op = q.operation || 'generate';
			if (n.typeVersion !== 1) p(`${at}: IMA typeVersion ${n.typeVersion} (the node has version 1)`);
			if (!OPERATIONS.includes(op)) p(`${at}: unknown IMA operation "${op}"`);
			if (['generate', 'createTask', 'listModels'].includes(op) && q.taskType !== undefined && !String(q.taskType).startsWith('=') && !TASK_TYPES.includes(q.taskType)) p(`${at}: unknown task type "${q.taskType}"`);
			if (['generate', 'createTask'].includes(op)) {
				if (!q.model || q.model.__rl !== true || !['list', 'id'].includes(q.model.mode) || !q.model.value) p(`${at}: model must be a resource locator {"__rl": true, "mode": "list"|"id", "value": ...}`);
				if (typeof q.prompt !== 'string' || !q.prompt.trim()) p(`${at}: no prompt`);
			}
			if (['checkTask', 'waitForResult'].includes(op) && !q.taskId) p(`${at}: no taskId`);
			if (!n.credentials || !n.credentials.imaApi) p(`${at}: no imaApi credential`);
		}
	}
	// Connections
	const linked = new Set();
	for (const [from, byType] of Object.entries(wf.connections || {})) {
		if (!names.has(from)) p(`connections: from unknown node "${from}"`);
		for (const [type, outputs] of Object.entries(byType || {})) {
			if (!CONNECTION_TYPES.includes(type)) p(`connections: unknown type "${type}" from "${from}"`);
			for (const out of outputs || []) {
				for (const c of out || []) {
					if (!names.has(c.node)) p(`connections: "${from}" → unknown node "${c.node}"`);
					if (c.type !== type) p(`connections: "${from}" → "${c.node}" has type "${c.type}" in a "${type}" list`);
					linked.add(from);
					linked.add(c.node);
				}
			}
		}
	}
	const working = wf.nodes.filter((n) => n.type !== STICKY);
	if (working.length > 1) for (const n of working) if (!linked.has(n.name)) p(`node "${n.name}" is not connected`);
	if (!working.some(isTrigger)) p('no trigger node');
	// Secrets, anywhere in the file
	const walk = (v, where) => {
		if (typeof v === 'string') {
			for (const re of SECRET_PATTERNS) if (re.test(v)) p(`${where}: looks like a secret (${re.source.slice(0, 24)}…)`);
		} else if (v && typeof v === 'object') {
			for (const [k, x] of Object.entries(v)) {
				if (SECRET_KEYS.test(k) && typeof x === 'string' && x && !x.startsWith('=')) p(`${where}.${k}: a secret value in the workflow (use a credential)`);
				walk(x, `${where}.${k}`);
			}
		}
	};
	walk(wf.nodes, 'nodes');
	if (template) {
		const notes = wf.nodes.filter((n) => n.type === STICKY).map((n) => String((n.parameters || {}).content || ''));
		if (!notes.some((c) => /setup steps/i.test(c))) p('template: no sticky note with the setup steps ("Setup steps")');
		if (wf.pinData && Object.keys(wf.pinData).length) p('template: pinned data (a template must run on the user\'s own data)');
	}
	return problems;
}

function main() {
	const root = path.resolve(process.argv[2] || path.join(__dirname, '..', 'examples'));
	const files = [];
	const collect = (dir) => {
		for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
			if (e.isDirectory()) collect(path.join(dir, e.name));
			else if (e.name.endsWith('.json')) files.push(path.join(dir, e.name));
		}
	};
	collect(root);
	let bad = 0;
	for (const f of files) {
		const rel = path.relative(path.join(root, '..'), f);
		let wf;
		try {
			wf = JSON.parse(fs.readFileSync(f, 'utf8'));
		} catch (e) {
			console.log(`${rel}: not valid JSON: ${e.message}`);
			bad++;
			continue;
		}
		const problems = lintWorkflow(wf, { template: f.split(path.sep).includes('templates') });
		for (const m of problems) console.log(`${rel}: ${m}`);
		if (problems.length) bad++;
		console.log(`${problems.length ? 'FAIL' : 'ok  '} n8n workflow ${rel}`);
	}
	if (!files.length) {
		console.log(`FAIL no workflows under ${root}`);
		return 1;
	}
	return bad ? 1 : 0;
}

module.exports = { lintWorkflow };

if (require.main === module) process.exit(main());
