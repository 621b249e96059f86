#!/usr/bin/env node
// `npm run demo`: runs every workflow in examples/ through n8n's real engine (n8n-core's
// WorkflowExecute) with the built node, against the embedded IMA simulator — or against the real
// IMA API when IMA_API_KEY is set — saves the media to demo-output/ and prints what it made.
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

	const rows = [];
	let failed = 0;
	const started = Date.now();
	// The workflows are independent: run them side by side, as n8n would on a schedule.
	const results = await Promise.all(
		files.map(async (file) => {
			const workflow = JSON.parse(fs.readFileSync(path.join(examplesDir, file), 'utf8'));
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
	console.log(`\n${files.length - failed} of ${files.length} example workflows ran in ${((Date.now() - started) / 1000).toFixed(1)} s; media saved in ${path.relative(process.cwd(), outDir) || '.'}/`);
	process.exitCode = failed ? 1 : 0;
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
