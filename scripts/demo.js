#!/usr/bin/env node
// `npm run demo`: runs every workflow in examples/ through n8n's real engine (n8n-core's
// WorkflowExecute) with the built node, against the embedded IMA simulator — or against the real
// IMA API when IMA_API_KEY is set — saves the media to demo-output/ and prints what it made.
// The templates in examples/templates/ are shown by their IMA part on sample input (see
// templateParts below: what each leaves out, and which need n8n's AI nodes and are skipped).
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const outDir = path.join(root, 'demo-output');
const examplesDir = path.join(root, 'examples');

const extOf = (binary) => {
	const fromName = /\.([a-z0-9]+)$/i.exec(binary.fileName || '');
	return fromName ? fromName[1] : (binary.fileExtension || 'bin');
};
const human = (n) => (n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} kB` : `${n} B`);

async function main() {
	const { runWorkflow } = require('../test/harness/engine');
	const realKey = process.env.IMA_API_KEY;
	let sim;
	let credentials;
	if (realKey) {
		credentials = {
			imaApi: {
				apiKey: realKey,
				baseUrl: process.env.IMA_BASE_URL || 'https://api.imastudio.com',
				uploadBaseUrl: process.env.IMA_UPLOAD_BASE_URL || 'https://imapi.liveme.com',
			},
		};
		console.log(`IMA_API_KEY is set: running against the real IMA API (${credentials.imaApi.baseUrl}); this spends credits.`);
	} else {
		const { startSimulator } = require('../test/simulator');
		sim = await startSimulator({ speed: Number(process.env.IMA_SIM_SPEED || 60) });
		credentials = { imaApi: { apiKey: sim.apiKey, baseUrl: sim.baseUrl, uploadBaseUrl: sim.uploadBaseUrl } };
		console.log(`No IMA_API_KEY: running against the embedded IMA simulator at ${sim.baseUrl} (no credits spent).`);
	}

	const only = process.argv.slice(2);
	const files = fs
		.readdirSync(examplesDir)
		.filter((f) => f.endsWith('.json'))
		.filter((f) => !only.length || only.some((o) => f.includes(o)))
		.sort();
	fs.rmSync(outDir, { recursive: true, force: true });
	fs.mkdirSync(outDir, { recursive: true });

	// The templates (examples/templates/) chain IMA with other services (Google Sheets and Drive,
	// email, Slack, an AI Agent, an MCP client). This engine has only the IMA node and a few
	// stand-ins, so the demo runs each template's IMA part on sample input and says what it leaves
	// out; `npm run test:n8n` runs them whole in a real n8n against stand-ins on loopback.
	const templates = templateParts(Boolean(realKey)).filter((t) => !only.length || only.some((o) => t.file.includes(o)));
	for (const t of templates.filter((x) => x.skip)) console.log(`  templates/${t.file}: not in the demo: ${t.skip}`);
	const jobs = [
		...files.map((file) => ({ file, workflow: JSON.parse(fs.readFileSync(path.join(examplesDir, file), 'utf8')) })),
		...templates.filter((t) => t.workflow).map((t) => ({ file: `templates-${t.file}`, workflow: t.workflow, leftOut: t.leftOut })),
	];
	for (const j of jobs.filter((x) => x.leftOut)) console.log(`  ${j.file.replace(/^templates-/, 'templates/')}: the IMA part on sample input; left out: ${j.leftOut}`);

	const rows = [];
	let failed = 0;
	const started = Date.now();
	// The workflows are independent: run them side by side, as n8n would on a schedule.
	const results = await Promise.all(
		jobs.map(async ({ file, workflow }) => {
			const result = await runWorkflow({ workflow, credentials, timeoutMs: 10 * 60_000 });
			return { file, workflow, result };
		}),
	);
	for (const { file, workflow, result } of results) {
		const name = file.replace(/\.json$/, '');
		if (result.status !== 'success') {
			failed++;
			const e = result.error || {};
			console.error(`\n✗ ${name}: ${result.status}: ${e.message || e}${e.description ? `\n  ${e.description}` : ''}`);
			continue;
		}
		const imaNodes = workflow.nodes.filter((n) => n.type === 'n8n-nodes-ima.ima').map((n) => n.name);
		for (const nodeName of imaNodes) {
			const items = result.outputs[nodeName] || [];
			for (let i = 0; i < items.length; i++) {
				const item = items[i];
				const files = [];
				for (const [prop, binary] of Object.entries(item.binary || {})) {
					const buf = await result.readBinary(binary);
					const target = path.join(outDir, name, `${nodeName.replace(/[^A-Za-z0-9]+/g, '-')}-${i}${prop === 'data' ? '' : `-${prop}`}.${extOf(binary)}`);
					fs.mkdirSync(path.dirname(target), { recursive: true });
					fs.writeFileSync(target, buf);
					files.push(`${path.relative(root, target)} (${binary.mimeType}, ${human(buf.length)})`);
				}
				const j = item.json;
				rows.push({
					workflow: name,
					node: nodeName,
					item: i,
					task: j.taskId || '',
					model: j.modelVersion || j.model || '',
					credits: j.credits ?? '',
					output: files.join(', ') || j.url || j.error || '',
				});
			}
		}
	}
	if (sim) await sim.close();

	const cols = ['workflow', 'node', 'item', 'task', 'model', 'credits', 'output'];
	const width = Object.fromEntries(cols.map((c) => [c, Math.max(c.length, ...rows.map((r) => String(r[c]).length))]));
	const line = (r) => cols.map((c) => String(r[c]).padEnd(width[c])).join('  ');
	console.log(`\n${line(Object.fromEntries(cols.map((c) => [c, c])))}`);
	console.log(cols.map((c) => '-'.repeat(width[c])).join('  '));
	for (const r of rows) console.log(line(r));
	console.log(`\n${jobs.length - failed} of ${jobs.length} workflows (${files.length} examples, ${jobs.length - files.length} template IMA parts) ran in ${((Date.now() - started) / 1000).toFixed(1)} s; media saved in ${path.relative(process.cwd(), outDir) || '.'}/`);
	process.exitCode = failed ? 1 : 0;
}

/**
 * The IMA part of each template, as a workflow this engine can run: the step before the IMA node
 * becomes a manual trigger of the same name with sample items pinned (so the template's
 * expressions still find it); the steps after it are left out. Templates that need n8n's AI nodes
 * are skipped, with the reason.
 */
function templateParts(realApi) {
	const dir = path.join(examplesDir, 'templates');
	if (!fs.existsSync(dir)) return [];
	const { SHEET_ROWS, FORM_ANSWERS } = require('../test/n8n/templates');
	const load = (f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
	const node = (wf, name) => wf.nodes.find((n) => n.name === name);
	const trigger = (name, position) => ({ parameters: {}, id: `demo-${name}`, name, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position });
	const main = (from, to, index = 0) => ({ [from]: { main: [[{ node: to, type: 'main', index }]] } });
	const parts = [];
	for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
		const wf = load(file);
		if (file === 'sheet-rows-to-product-images.json') {
			const [head, ...rows] = SHEET_ROWS;
			const items = rows
				.map((r, i) => ({ row_number: i + 2, ...Object.fromEntries(head.map((h, j) => [h, r[j] || ''])) }))
				.filter((r) => !r['Image link']);
			parts.push({
				file,
				leftOut: 'reading the sheet, the Drive upload and share, writing the link back (sample rows stand in for the sheet)',
				workflow: {
					name: `${wf.name} (IMA part)`,
					nodes: [trigger('Rows without an image', [0, 0]), node(wf, 'Generate product image')],
					connections: main('Rows without an image', 'Generate product image'),
					pinData: { 'Rows without an image': items.map((json) => ({ json })) },
					settings: { executionOrder: 'v1' },
				},
			});
		} else if (file === 'form-to-video-by-email.json') {
			if (realApi) {
				parts.push({ file, skip: "its Wait/Check Task loop would ask the real API every 50 ms here (the engine's Wait stand-in): import it into n8n instead" });
				continue;
			}
			parts.push({
				file,
				leftOut: 'the form (a sample answer stands in) and the email; the Wait is the engine\'s stand-in (at most 50 ms)',
				workflow: {
					name: `${wf.name} (IMA part)`,
					nodes: [trigger('Video request form', [0, 0]), node(wf, 'Create video task'), node(wf, 'Wait'), node(wf, 'Check video')],
					connections: {
						...main('Video request form', 'Create video task'),
						...main('Create video task', 'Wait'),
						...main('Wait', 'Check video'),
						'Check video': { main: [[], [{ node: 'Wait', type: 'main', index: 0 }]] },
					},
					pinData: { 'Video request form': [{ json: { 'What should the video show?': FORM_ANSWERS.prompt, 'Send it to': FORM_ANSWERS.email } }] },
					settings: { executionOrder: 'v1' },
				},
			});
		} else {
			parts.push({ file, skip: "it needs n8n's AI nodes (AI Agent, MCP Server Trigger), which this engine does not have; `npm run test:n8n` runs it in a real n8n" });
		}
	}
	return parts;
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
