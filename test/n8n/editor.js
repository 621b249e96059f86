#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * The editor check (issue #6): a real `n8n start`, its editor in headless Chromium (Debian's
 * /usr/bin/chromium driven by playwright-core), the IMA node added the way a user adds it, and
 * proof that the Model dropdown and the model's settings fill from the IMA simulator.
 *
 *   node test/n8n/editor.js                 n8n 2.41.1 (the default; needs `npm run build` first,
 *                                           or pass --build)
 *   node test/n8n/editor.js --all           also n8n 1.123.81 (on Node 22)
 *   node test/n8n/editor.js 1.123.81        one version
 *   options: --build (npm run build first), --keep (keep the n8n user folders), --docs (refresh
 *            the README screenshots in docs/screenshots/ from the 2.x run)
 *
 * Standalone it sets everything up itself: the simulator as a child process (API key
 * `sim-test-key`), a fresh N8N_USER_FOLDER with the packed tarball installed, n8n start on a free
 * loopback port. Screenshots go to test-output/n8n/editor-<version>/ (and with --docs the README
 * ones to docs/screenshots/). Exits non-zero and lists what failed if any check fails.
 *
 * From JavaScript (test/n8n/run.js calls it for n8n 2.x):
 *   const { editorCheck } = require('./editor');
 *   const res = await editorCheck({ nodeBin, n8nBin, userFolder, simulatorUrls: {baseUrl, uploadBaseUrl}, outDir });
 *   res.ok, res.checks [{ok, what, detail?}], res.failures, res.screenshots, res.findings, res.timings
 * The user folder may already hold the installed package, credentials and workflows (imported with
 * the CLI), but no owner account: the check sets the owner up. Without the package it packs and
 * installs it. It starts n8n itself and stops it at the end.
 */

const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');

const h = require('./editor/n8n');

const API_KEY = 'sim-test-key'; // fake: the simulator is started with this key
const WRONG_KEY = 'ima_wrong_key_editor_check';
const OWNER = { email: 'editor-check@example.com', firstName: 'Editor', lastName: 'Check', password: 'EditorCheck-2026' };
const CRED_NAME = 'IMA simulator (editor check)';
const WRONG_CRED_NAME = 'IMA wrong key (editor check)';
const NODE_TYPE = 'n8n-nodes-ima.ima';
/** What a user types in the node creator to find this node (issue #13); each must list it. */
const SEARCH_TERMS = ['IMA', 'video', 'image', 'music', 'speech'];
/**
 * The node's actions in the node creator (node version 1.1: resource + operation), by group.
 * n8n lists a resource's actions under "<Resource> Actions".
 */
const ACTIONS = {
	Image: ['Create an image task', 'Generate an image', 'Upload an image'],
	Model: ['List models'],
	Music: ['Create a music task', 'Generate music'],
	Speech: ['Create a speech task', 'Generate speech'],
	Task: ['Check a task once', 'Wait for a task result'],
	Video: ['Create a video task', 'Generate a video'],
};
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const norm = (s) => String(s ?? '').replace(/\s+/g, ' ').trim();

// ------------------------------------------------------------------ expected values

/** The simulator's model versions of a task type, with what the node should show for them. */
async function expectedModels(simulatorUrls, apiKey, helpersDir, taskType) {
	const pt = require(path.join(helpersDir, 'productTree'));
	const ff = require(path.join(helpersDir, 'formFields'));
	const url = `${simulatorUrls.baseUrl.replace(/\/+$/, '')}/open/v1/product/list?app=ima&platform=web&category=${taskType}`;
	const res = await fetch(url, { headers: { Authorization: `Bearer ${apiKey}` } });
	const body = await res.json();
	if (!res.ok || body.code !== 0) throw new Error(`the simulator's product list for ${taskType} answered HTTP ${res.status} code ${body.code}`);
	return pt.flattenProductTree(body.data).map((v) => ({
		id: v.id,
		name: v.name,
		label: pt.describeModel(v),
		fields: ff.modelFields(v, taskType).map((f) => ({
			id: f.id,
			label: f.label,
			kind: f.kind,
			default: f.default,
			options: f.options ? f.options.map((o) => ({ label: String(o.label), value: o.value })) : undefined,
		})),
	}));
}

/** How an options field shows a value: its option's label. */
function shownValue(field, value) {
	if (value === undefined || value === null) return '';
	const o = field.options && field.options.find((x) => String(x.value) === String(value));
	return o ? o.label : String(value);
}

// ------------------------------------------------------------------ the check

/**
 * @param {{nodeBin: string, n8nBin: string, userFolder: string, simulatorUrls: {baseUrl: string, uploadBaseUrl: string},
 *   outDir: string, apiKey?: string, n8nUrl?: string, env?: Record<string,string>, docsDir?: string, label?: string,
 *   log?: (msg: string) => void, timeoutMs?: number}} opts
 */
async function editorCheck(opts) {
	const t0 = Date.now();
	const apiKey = opts.apiKey || API_KEY;
	const log = opts.log || ((m) => console.log(`[editor] ${m}`));
	const outDir = opts.outDir;
	fs.mkdirSync(outDir, { recursive: true });
	/** @type {{ok: boolean, what: string, detail?: string}[]} */
	const checks = [];
	const screenshots = [];
	const findings = [];
	const notes = [];
	const timings = {};
	const check = (ok, what, detail) => {
		checks.push(detail === undefined ? { ok: !!ok, what } : { ok: !!ok, what, detail: String(detail).slice(0, 2000) });
		log(`${ok ? '✓' : '✗'} ${what}${!ok && detail !== undefined ? ` — ${String(detail).slice(0, 400)}` : ''}`);
		return !!ok;
	};
	/** A step that must pass for the next ones to make sense. */
	class Abort extends Error {}
	const must = (ok, what, detail) => {
		if (!check(ok, what, detail)) throw new Abort(what);
	};

	let n8n = null;
	let browser = null;
	let page = null;
	const pageErrors = [];
	const consoleErrors = [];
	let aborted = null;
	let n8nVersion = '?';
	try {
		// ---- the package in the user folder
		if (!fs.existsSync(path.join(h.installedDir(opts.userFolder), 'dist', 'nodes', 'Ima', 'Ima.node.js'))) {
			const tmp = h.tempDir('n8n-ima-pack-');
			log('packing the package and installing it into the user folder');
			const tarball = await h.packPackage(tmp);
			await h.installPackage(opts.userFolder, tarball);
			fs.rmSync(tmp, { recursive: true, force: true });
		}
		const helpersDir = path.join(h.installedDir(opts.userFolder), 'dist', 'nodes', 'Ima', 'helpers');
		const t2i = await expectedModels(opts.simulatorUrls, apiKey, helpersDir, 'text_to_image');
		const t2v = await expectedModels(opts.simulatorUrls, apiKey, helpersDir, 'text_to_video');
		const seedream = t2i.find((m) => m.id === 'doubao-seedream-4-5-251128');
		const kling = t2v.find((m) => m.id === 'kling-v2-6');
		if (!seedream || !kling) throw new Error('the simulator serves no SeeDream 4.5 (text_to_image) or Kling 2.6 (text_to_video)');

		// ---- n8n
		let url = opts.n8nUrl;
		if (!url) {
			const ts = Date.now();
			n8n = await h.startN8n({ nodeBin: opts.nodeBin, n8nBin: opts.n8nBin, userFolder: opts.userFolder, logFile: path.join(outDir, 'n8n.log'), env: opts.env });
			url = n8n.url;
			timings.n8nStart = Date.now() - ts;
			log(`n8n started on ${url} in ${(timings.n8nStart / 1000).toFixed(1)} s`);
		}
		const rest = new h.N8nRest(url);
		if (opts.n8nBin) n8nVersion = h.n8nVersionOf(opts.n8nBin);
		log(`n8n ${n8nVersion}`);

		// ---- owner, credentials, the credential test (REST, as the editor calls it)
		const tr = Date.now();
		const setup = await rest.raw('POST', '/owner/setup', OWNER);
		must(setup.status === 200, 'owner account set up (POST /rest/owner/setup)', `HTTP ${setup.status}: ${setup.text.slice(0, 300)}`);
		const credData = (key) => ({ apiKey: key, baseUrl: opts.simulatorUrls.baseUrl, uploadBaseUrl: opts.simulatorUrls.uploadBaseUrl });
		const good = await rest.call('POST', '/credentials', { name: CRED_NAME, type: 'imaApi', data: credData(apiKey) });
		const wrong = await rest.call('POST', '/credentials', { name: WRONG_CRED_NAME, type: 'imaApi', data: credData(WRONG_KEY) });
		must(good && good.id && wrong && wrong.id, 'IMA API credentials saved (POST /rest/credentials)');
		// The editor's "Retry"/test: it loads the credential (the key comes back blanked) and posts it to /credentials/test.
		const testStored = async (cred) => {
			const stored = await rest.call('GET', `/credentials/${cred.id}?includeData=true`);
			check(!JSON.stringify(stored).includes(apiKey) && !JSON.stringify(stored).includes(WRONG_KEY), `the saved credential "${cred.name}" comes back without its key`);
			return rest.call('POST', '/credentials/test', { credentials: { id: cred.id, name: cred.name, type: 'imaApi', data: stored.data } });
		};
		const goodTest = await testStored(good);
		check(goodTest && goodTest.status === 'OK', 'credential test with the right key succeeds', JSON.stringify(goodTest));
		const wrongTest = await testStored(wrong);
		check(wrongTest && wrongTest.status === 'Error', 'credential test with a wrong key fails', JSON.stringify(wrongTest));
		notes.push(`credential test answers: right key ${JSON.stringify(goodTest)}, wrong key ${JSON.stringify(wrongTest)}`);
		if (wrongTest && wrongTest.status === 'Error' && !/IMA|key/i.test(String(wrongTest.message))) {
			// n8n 1.x answers an HTTP 401 itself before the credential's responseCode rules (2.x applies them).
			notes.push(`wrong key: this n8n's credential test says "${wrongTest.message}" (its own message for HTTP 401), not the credential's rule "IMA rejected the API key…"`);
		}
		timings.rest = Date.now() - tr;

		// ---- the browser
		const { chromium, selectors } = require(require.resolve('playwright-core', { paths: [h.REPO] }));
		selectors.setTestIdAttribute('data-test-id');
		if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
		const tb = Date.now();
		browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
		const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
		context.setDefaultTimeout(opts.timeoutMs || 20_000);
		page = await context.newPage();
		const p = page;
		p.on('pageerror', (e) => pageErrors.push(norm(e.message).slice(0, 300)));
		p.on('console', (m) => {
			if (m.type() === 'error') consoleErrors.push(norm(m.text()).slice(0, 300));
		});
		const shot = async (name, what, o = {}) => {
			const file = path.join(outDir, `editor-${name}.png`);
			await p.screenshot({ path: file, ...o });
			screenshots.push({ file, what });
			return file;
		};

		// Sign in as a user does.
		await p.goto(`${url}/signin`);
		await p.getByTestId('emailOrLdapLoginId').locator('input').fill(OWNER.email);
		await p.getByTestId('password').locator('input').fill(OWNER.password);
		await p.getByTestId('form-submit-button').click();
		await p.waitForURL((u) => !u.pathname.includes('/signin'), { timeout: 30_000 });
		check(true, `signed in to the editor (${new URL(p.url()).pathname})`);

		// The credential dialog runs the test when it opens.
		await p.goto(`${url}/home/credentials/${good.id}`);
		const okBanner = p.getByTestId('credentials-config-container-test-success');
		const dialog = p.getByTestId('credential-edit-dialog');
		let okShown = false;
		try {
			await dialog.getByText(/Connection tested successfully/i).waitFor({ timeout: 20_000 });
			okShown = true;
		} catch {
			okShown = await okBanner.isVisible().catch(() => false);
		}
		check(okShown, 'credential dialog: "Connection tested successfully" with the right key', okShown ? undefined : norm(await dialog.innerText().catch(() => '(no dialog)')));
		await shot('credential-ok', 'The IMA API credential dialog, pointed at the simulator: "Connection tested successfully"');
		await p.goto(`${url}/home/credentials/${wrong.id}`);
		let wrongText = '';
		try {
			await dialog.getByText(/Couldn.t connect/i).waitFor({ timeout: 20_000 });
			const more = dialog.getByText(/More details/i);
			if (await more.isVisible().catch(() => false)) await more.click();
			await sleep(300);
			wrongText = norm(await dialog.innerText());
		} catch {
			wrongText = norm(await dialog.innerText().catch(() => '(no dialog)'));
		}
		check(/Couldn.t connect/i.test(wrongText), 'credential dialog: "Couldn\'t connect" with a wrong key', wrongText.slice(0, 300));
		const detail = /Couldn.t connect with these settings(.*?)API Key/i.exec(wrongText);
		if (detail) notes.push(`credential dialog with a wrong key shows: "Couldn't connect with these settings" + "${norm(detail[1].replace(/Retry|More details/g, ''))}"`);
		await shot('credential-wrong-key', 'The credential dialog with a wrong key: "Couldn\'t connect with these settings"');
		await rest.call('DELETE', `/credentials/${wrong.id}`);

		// ---- a new workflow; the IMA node from the node creator
		await p.goto(`${url}/workflow/new`);
		await p.getByTestId('canvas-add-button').click();
		const search = p.getByTestId('node-creator-search-bar');
		const items = p.getByTestId('node-creator').getByTestId('item-iterator-item');
		const itemNames = async () => (await p.getByTestId('node-creator').getByTestId('node-creator-item-name').allInnerTexts()).map(norm);
		// Findable by every term a user would type for it (codex: no "AI" category; the search
		// matches the display name and the codex aliases). The last term searched is "IMA".
		const searchRanks = {};
		for (const term of [...SEARCH_TERMS.filter((t) => t !== 'IMA'), 'IMA']) {
			await search.fill(term);
			let names = [];
			const ts = Date.now();
			while (Date.now() - ts < 5000) {
				await sleep(300);
				names = await itemNames();
				if (names.includes('IMA')) break;
			}
			const rank = names.indexOf('IMA') + 1;
			searchRanks[term] = rank ? `${rank} of ${names.length}` : `not listed (${names.length} results)`;
			const termSlug = term.toLowerCase().replace(/[^a-z0-9]+/g, '-');
			if (term !== 'IMA') await shot(`node-creator-search-${termSlug}`, `The node creator after typing "${term}" in its search`);
			check(rank > 0, `the node creator's search for "${term}" lists the IMA node (result ${rank || '–'} of ${names.length})`, rank ? undefined : `first results: ${names.slice(0, 10).join(', ')}`);
		}
		notes.push(`node creator search ranks of the IMA node: ${JSON.stringify(searchRanks)}`);
		const imaItem = items.filter({ has: p.getByTestId('node-creator-item-name').getByText('IMA', { exact: true }) }).first();
		const found = await imaItem.isVisible().catch(() => false);
		const listed = await itemNames();
		await shot('node-creator', 'The node creator after typing "IMA" in its search');
		let added = 'search';
		if (check(found, 'the IMA node is visible in the search results for "IMA"', found ? undefined : `first results: ${listed.slice(0, 8).join(', ')}`)) {
			await imaItem.click();
			const action = items.filter({ hasText: 'Generate a video' }).first();
			await action.waitFor();
			await sleep(800); // the panel slides in
			await shot('node-actions', 'The IMA node\'s actions in the node creator');
			// Every resource's actions, under its "<Resource> Actions" heading.
			const panel = norm(await p.getByTestId('node-creator').innerText().catch(() => ''));
			notes.push(`the IMA node's actions panel: ${panel.slice(0, 1200)}`);
			for (const [resource, actions] of Object.entries(ACTIONS)) {
				const missing = actions.filter((a) => !panel.includes(a));
				// (the heading is upper-cased by CSS, and innerText shows it so)
				check(panel.toLowerCase().includes(`${resource} actions`.toLowerCase()) && missing.length === 0, `the node creator lists "${resource} Actions": ${actions.join(', ')}`, `missing: ${missing.join(', ') || `the heading "${resource} Actions"`}`);
			}
			await action.click();
		} else {
			findings.push(
				'The node creator does not list the IMA node when searching "IMA". Its search matches the display name and the codex aliases ' +
					'(nodes/Ima/Ima.node.json), and it hides AI sub-nodes from the main search: a codex with the "AI" category and no "Agents" ' +
					'subcategory makes n8n treat the node as one (isAINode / filterOutAiNodes in the editor\'s node creator).',
			);
			added = 'workflow created over REST (search fallback)';
			await p.keyboard.press('Escape');
			const wf = await rest.call('POST', '/workflows', {
				name: 'IMA editor check',
				nodes: [
					{ id: 'a1', name: 'When clicking ‘Execute workflow’', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
					{ id: 'a2', name: 'IMA', type: NODE_TYPE, typeVersion: 1, position: [220, 0], parameters: { operation: 'generate' } },
				],
				connections: { 'When clicking ‘Execute workflow’': { main: [[{ node: 'IMA', type: 'main', index: 0 }]] } },
				settings: {},
				active: false,
			});
			await p.goto(`${url}/workflow/${wf.id}`);
			await p.locator('[data-test-id="canvas-node"][data-node-name="IMA"]').dblclick();
		}
		const ndv = p.getByTestId('ndv');
		await ndv.waitFor({ timeout: 20_000 });
		check(true, `the IMA node's panel opens (added by ${added})`);
		await sleep(800);

		// Credential and operation.
		const credSelect = p.getByTestId('node-credentials-select');
		const credValue = async () => norm((await credSelect.locator('input').first().inputValue().catch(() => '')) || (await credSelect.innerText().catch(() => '')));
		if (!(await credValue()).includes(CRED_NAME)) {
			await credSelect.click();
			await p.getByRole('option', { name: CRED_NAME }).or(p.locator('.el-popper:visible').getByText(CRED_NAME)).first().click();
			await sleep(500);
		}
		check((await credValue()).includes(CRED_NAME), `the node uses the credential "${CRED_NAME}"`, await credValue());
		const inputValue = async (testId) => norm(await p.getByTestId(testId).locator('input').first().inputValue().catch(() => ''));
		const viaAction = added === 'search';
		if (viaAction) check((await inputValue('parameter-input-resource')) === 'Video', 'Resource is "Video" (the action "Generate a video")', await inputValue('parameter-input-resource'));
		check((await inputValue('parameter-input-operation')) === 'Generate', 'Operation is "Generate"', await inputValue('parameter-input-operation'));
		const defaultTaskType = viaAction ? 'Text to Video' : 'Text to Image';
		check((await inputValue('parameter-input-taskType')) === defaultTaskType, `Task Type is "${defaultTaskType}" (the default)`, await inputValue('parameter-input-taskType'));
		const nodeNames = await p.locator('[data-test-id="canvas-node"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-node-name')));
		notes.push(`the new node's name on the canvas: ${JSON.stringify(nodeNames.filter((n) => n && !/^When clicking/.test(n)))}`);
		const notice = p.getByTestId('resource-mapper-container');
		check(/Pick a model first/.test(norm(await notice.innerText().catch(() => ''))), 'Model Settings says "Pick a model first" before a model is picked', norm(await notice.innerText().catch(() => '')));

		// ---- helpers for the Model dropdown (resource locator, list mode) and Model Settings (resource mapper)
		const rl = p.getByTestId('resource-locator-model');
		const rlInput = rl.getByTestId('rlc-input');
		const rlItems = p.getByTestId('rlc-item');
		/** Opens the Model list and waits until it holds the expected entries (or 20 s pass, or it shows an error). */
		const openList = async (expected) => {
			await rlInput.click();
			const tl = Date.now();
			let shown = [];
			for (;;) {
				shown = (await rlItems.allInnerTexts()).map(norm);
				if (shown.length > 0 && expected.every((l) => shown.includes(l))) break;
				const err = p.getByTestId('rlc-error-container');
				if (await err.isVisible().catch(() => false)) throw new Error(`the model list shows an error: ${norm(await err.innerText())}`);
				if (Date.now() - tl > 20_000) break;
				await sleep(200);
			}
			await sleep(300);
			return (await rlItems.allInnerTexts()).map(norm);
		};
		/** Types into the list's search; `pinned` is a still-selected value n8n keeps at the top. */
		const searchList = async (q, want, pinned) => {
			await p.getByTestId('rlc-search').fill(q);
			const tf = Date.now();
			let shown = [];
			while (Date.now() - tf < 10_000) {
				shown = (await rlItems.allInnerTexts()).map(norm).filter((t) => t !== pinned);
				if (JSON.stringify(shown) === JSON.stringify(want)) break;
				await sleep(200);
			}
			return shown;
		};
		const fieldsBox = p.getByTestId('mapping-fields-container');
		const checkFields = async (model, taskLabel) => {
			await fieldsBox.waitFor({ timeout: 20_000 });
			await sleep(500);
			const text = norm(await fieldsBox.innerText());
			const missing = [];
			const wrongDefault = [];
			for (const f of model.fields) {
				const input = fieldsBox.getByTestId(`parameter-input-${f.id}`);
				if (!(await input.isVisible().catch(() => false)) || !text.includes(f.label)) {
					missing.push(f.id);
					continue;
				}
				if (f.kind === 'options' || f.kind === 'string' || f.kind === 'number') {
					const v = norm(await input.locator('input, textarea').first().inputValue().catch(() => ''));
					const want = shownValue(f, f.default);
					if (v !== want) wrongDefault.push(`${f.id}: shows "${v}", default "${want}"`);
				} else if (f.kind === 'boolean') {
					const on = (await input.locator('.el-switch, [role="switch"]').first().getAttribute('aria-checked').catch(() => null)) === 'true' || (await input.locator('.is-checked').count()) > 0;
					if (on !== Boolean(f.default)) wrongDefault.push(`${f.id}: switch ${on ? 'on' : 'off'}, default ${Boolean(f.default)}`);
				}
			}
			check(missing.length === 0, `Model Settings (${taskLabel}, ${model.name}) shows its fields: ${model.fields.map((f) => `${f.label} (${f.id})`).join(', ')}`, `missing: ${missing.join(', ')}; shown: ${text.slice(0, 500)}`);
			check(wrongDefault.length === 0, `Model Settings (${taskLabel}, ${model.name}) fields start at the model's defaults`, wrongDefault.join('; '));
		};
		/** The visible dropdown option whose first line is `label` (n8n shows an option's description under its name). */
		const option = (label) => p.getByRole('option').filter({ has: p.getByText(label, { exact: true }) }).first();
		const optionTexts = async () => {
			const opts = p.locator('.el-select-dropdown:visible, .el-popper:visible').getByRole('option');
			await opts.first().waitFor();
			return (await opts.allInnerTexts()).map((t) => norm(t.split('\n')[0]));
		};
		const setTaskType = async (label) => {
			await p.getByTestId('parameter-input-taskType').click();
			await option(label).click();
			await sleep(800);
			check((await inputValue('parameter-input-taskType')) === label, `Task Type set to "${label}"`, await inputValue('parameter-input-taskType'));
		};

		// ---- Text to Video: the Model dropdown fills from the simulator
		await setTaskType('Text to Video');
		const tl1 = Date.now();
		const listT2v = await openList(t2v.map((m) => m.label));
		timings.modelListT2v = Date.now() - tl1;
		check(JSON.stringify(listT2v) === JSON.stringify(t2v.map((m) => m.label)), `Model list (Text to Video) shows the simulator's ${t2v.length} video models, in order, with group, credits and expected time`, `shown: ${JSON.stringify(listT2v)}\nexpected: ${JSON.stringify(t2v.map((m) => m.label))}`);
		check(listT2v.some((t) => t.startsWith('Kling 2.6 · Kling')), 'Model list (Text to Video) includes "Kling 2.6"', JSON.stringify(listT2v));
		await shot('model-list-t2v', 'Model dropdown open for Text to Video: the simulator\'s video models with group, credits and expected time');
		if (opts.docsDir) screenshots.push({ file: await docsShot(p, opts.docsDir, 'model-dropdown.png'), what: 'README: the Model dropdown open (Text to Video)' });
		// Searchable: the filter goes to the node's listSearch method.
		const klingOnly = t2v.filter((m) => /kling/i.test(`${m.id} ${m.name} ${m.label}`)).map((m) => m.label);
		const foundKling = await searchList('kling', klingOnly);
		check(JSON.stringify(foundKling) === JSON.stringify(klingOnly), `searching "kling" in the Model list leaves ${klingOnly.length}: ${klingOnly.map((l) => l.split(' · ')[0]).join(', ')}`, JSON.stringify(foundKling));
		await rlItems.filter({ hasText: 'Kling 2.6' }).first().click();
		await sleep(300);
		check((await rlInput.inputValue()).startsWith('Kling 2.6'), 'Model shows "Kling 2.6 · …" once picked', await rlInput.inputValue());
		await checkFields(kling, 'Text to Video');
		const dur = kling.fields.find((f) => f.id === 'duration');
		await fieldsBox.getByTestId('parameter-input-duration').click();
		const durShown = await optionTexts();
		check(dur && JSON.stringify(durShown) === JSON.stringify(dur.options.map((o) => o.label)), `Kling 2.6 "Duration" lists ${dur ? dur.options.map((o) => o.label).join(', ') : '?'}`, `shown ${JSON.stringify(durShown)}`);
		await shot('model-settings-t2v', 'Model Settings for Kling 2.6 with the Duration values open');
		await option('10').click();
		await sleep(300);
		check(norm(await fieldsBox.getByTestId('parameter-input-duration').locator('input').first().inputValue()) === '10', 'Duration set to 10');
		await p.getByTestId('parameter-input-prompt').locator('textarea').fill('a lighthouse on a cliff at sunset, cinematic light');
		await sleep(300);
		await p.getByTestId('tab-params').click().catch(() => undefined); // blur the prompt (its tip hides the settings)
		await sleep(300);
		await fieldsBox.getByTestId('parameter-input-sound').scrollIntoViewIfNeeded().catch(() => undefined);
		await sleep(300);
		if (opts.docsDir) screenshots.push({ file: await docsShot(p, opts.docsDir, 'model-settings.png'), what: 'README: Model Settings for Kling 2.6' });

		// ---- Text to Image: the list and the settings follow the task type (resource Image first)
		if (viaAction) {
			await p.getByTestId('parameter-input-resource').click();
			await option('Image').click();
			await sleep(800);
			check((await inputValue('parameter-input-resource')) === 'Image', 'Resource set to "Image"', await inputValue('parameter-input-resource'));
			check((await inputValue('parameter-input-operation')) === 'Generate', 'Operation stays "Generate"', await inputValue('parameter-input-operation'));
		}
		await setTaskType('Text to Image');
		const staleNotice = norm(await p.getByTestId('resource-mapper-container').innerText().catch(() => ''));
		notes.push(`after switching Task Type with Kling 2.6 still picked, Model Settings says: "${staleNotice.replace(/^Model Settings\s*/, '')}"`);
		const tl2 = Date.now();
		const listT2iRaw = await openList(t2i.map((m) => m.label));
		timings.modelListT2i = Date.now() - tl2;
		// n8n keeps the still-selected value (Kling 2.6) at the top of the new list until another is picked.
		const listT2i = listT2iRaw.filter((t) => t !== kling.label);
		if (listT2iRaw.length !== listT2i.length) notes.push('n8n keeps the still-selected model at the top of the list after a Task Type change, until another is picked');
		check(JSON.stringify(listT2i) === JSON.stringify(t2i.map((m) => m.label)), `Model list (Text to Image) changes to the simulator's ${t2i.length} image models`, `shown: ${JSON.stringify(listT2iRaw)}\nexpected: ${JSON.stringify(t2i.map((m) => m.label))}`);
		check(!t2v.some((m) => listT2i.includes(m.label)), 'no video model is listed for Text to Image', JSON.stringify(listT2i));
		await shot('model-list-t2i', 'Model dropdown open for Text to Image: the image models');
		const foundSeedream = await searchList('seedream', [seedream.label], kling.label);
		check(JSON.stringify(foundSeedream) === JSON.stringify([seedream.label]), 'searching "seedream" in the Model list leaves only SeeDream 4.5', JSON.stringify(foundSeedream));
		await rlItems.filter({ hasText: 'SeeDream 4.5' }).first().click();
		await sleep(300);
		check((await rlInput.inputValue()).startsWith('SeeDream 4.5'), 'Model shows "SeeDream 4.5 · …" once picked', await rlInput.inputValue());
		await checkFields(seedream, 'Text to Image');
		const ar = seedream.fields.find((f) => f.id === 'aspect_ratio');
		await fieldsBox.getByTestId('parameter-input-aspect_ratio').click();
		const arShown = await optionTexts();
		check(ar && JSON.stringify(arShown) === JSON.stringify(ar.options.map((o) => o.label)), `SeeDream 4.5 "Aspect Ratio" lists the model's values (${ar ? ar.options.map((o) => o.label).join(', ') : '?'})`, `shown ${JSON.stringify(arShown)}`);
		await shot('model-settings-t2i', 'Model Settings for SeeDream 4.5 with the Aspect Ratio values open');
		await option('16:9').click();
		await sleep(300);
		check(norm(await fieldsBox.getByTestId('parameter-input-aspect_ratio').locator('input').first().inputValue()) === '16:9', 'Aspect Ratio set to 16:9');

		// ---- run the node from the editor against the simulator
		const te = Date.now();
		await p.getByTestId('node-execute-button').click();
		const out = p.getByTestId('output-panel');
		let outText = '';
		try {
			await out.getByText(/^1 item/).first().waitFor({ timeout: 60_000 });
			await sleep(500);
			outText = norm(await out.innerText());
		} catch {
			outText = norm(await out.innerText().catch(() => ''));
		}
		timings.execute = Date.now() - te;
		check(/1 item/.test(outText) && /image\/png/.test(outText), `Execute step: 1 item with a PNG attached (${(timings.execute / 1000).toFixed(1)} s)`, outText.slice(0, 600));
		await shot('executed-t2i', 'SeeDream 4.5 run from the editor against the simulator: one item, the PNG attached as binary');
		if (opts.docsDir) {
			const file = path.join(opts.docsDir, 'executed.png');
			fs.copyFileSync(path.join(outDir, 'editor-executed-t2i.png'), file);
			screenshots.push({ file, what: 'README: the node run from the editor, its output item with the image attached' });
		}
		await out.getByTestId('radio-button-json').click().catch(() => undefined);
		await sleep(500);
		const outJson = norm(await out.innerText().catch(() => ''));
		check(/"taskType": "text_to_image"/.test(outJson) && /"modelVersion": "doubao-seedream-4-5-251128"/.test(outJson) && /"taskId": "/.test(outJson), 'the output item\'s JSON has taskId, taskType text_to_image and modelVersion doubao-seedream-4-5-251128', outJson.slice(0, 600));
		check(!outJson.includes(apiKey), 'the output shows no API key');

		// ---- save; the stored parameters follow the contract
		await p.keyboard.press('Escape');
		await sleep(500);
		await p.keyboard.press('Control+s');
		let wfId = '';
		const tsv = Date.now();
		while (Date.now() - tsv < 15_000) {
			const m = /\/workflow\/([^/?#]+)/.exec(p.url());
			if (m && m[1] !== 'new') {
				wfId = m[1];
				break;
			}
			await sleep(250);
		}
		if (wfId) {
			await sleep(1000);
			const wf = await rest.call('GET', `/workflows/${wfId}`);
			const node = (wf.nodes || []).find((n) => n.type === NODE_TYPE);
			const params = node ? node.parameters : {};
			notes.push(`saved IMA node parameters: ${JSON.stringify({ ...params, modelSettings: params.modelSettings && { mappingMode: params.modelSettings.mappingMode, value: params.modelSettings.value } })}`);
			check(node && (params.taskType === undefined || params.taskType === 'text_to_image'), 'saved: taskType text_to_image (n8n leaves a default out)', JSON.stringify(params.taskType));
			if (node && added === 'search') {
				check(node.typeVersion === 1.1, `saved: a new node is version 1.1 (${node.typeVersion})`, JSON.stringify(node.typeVersion));
				check(params.resource === undefined || params.resource === 'image', 'saved: resource image (n8n leaves a default out)', JSON.stringify(params.resource));
				notes.push(`saved IMA node: name "${node.name}", typeVersion ${node.typeVersion}`);
			}
			check(params.model && params.model.__rl === true && params.model.mode === 'list' && params.model.value === 'doubao-seedream-4-5-251128', 'saved: model {"__rl": true, "mode": "list", "value": "doubao-seedream-4-5-251128"}', JSON.stringify(params.model));
			const ms = params.modelSettings || {};
			check(ms.mappingMode === 'defineBelow' && ms.value && ms.value.aspect_ratio === '16:9', 'saved: modelSettings {"mappingMode": "defineBelow", "value": {"aspect_ratio": "16:9"}}', JSON.stringify(ms));
			check(node && node.credentials && node.credentials.imaApi && node.credentials.imaApi.id === good.id, 'saved: the node references the credential by id', JSON.stringify(node && node.credentials));
			check(!JSON.stringify(wf).includes(apiKey), 'the saved workflow holds no API key');
		} else {
			check(false, 'the workflow is saved (Ctrl+S)', p.url());
		}
		timings.browser = Date.now() - tb;
	} catch (e) {
		aborted = e;
		if (!(e instanceof Error && e.constructor.name === 'Abort')) check(false, `the check ran to the end`, e instanceof Error ? e.message : String(e));
		if (page) {
			const file = path.join(outDir, 'editor-failure.png');
			await page.screenshot({ path: file }).catch(() => undefined);
			screenshots.push({ file, what: 'the page when the check stopped' });
		}
	} finally {
		if (browser) await browser.close().catch(() => undefined);
		if (n8n) await n8n.stop();
	}
	const noise = (s) => /registry\.npmjs\.org|ERR_CERT|401 \(Unauthorized\)|net::ERR_NAME_NOT_RESOLVED|ERR_INTERNET_DISCONNECTED/.test(s);
	const relevantConsole = consoleErrors.filter((s) => !noise(s));
	if (relevantConsole.length) notes.push(`browser console errors: ${JSON.stringify([...new Set(relevantConsole)].slice(0, 10))}`);
	if (pageErrors.length) notes.push(`uncaught page errors: ${JSON.stringify([...new Set(pageErrors)].slice(0, 10))}`);
	// Nothing this check wrote (logs, screenshots, results) holds the key.
	const leaks = [];
	const scan = (dir) => {
		for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
			const f = path.join(dir, e.name);
			if (e.isDirectory()) scan(f);
			else if (e.isFile() && fs.readFileSync(f).includes(apiKey)) leaks.push(path.relative(outDir, f));
		}
	};
	scan(outDir);
	check(leaks.length === 0, `no file in ${path.relative(h.REPO, outDir) || outDir} holds the API key`, leaks.join(', '));
	timings.total = Date.now() - t0;
	const failures = checks.filter((c) => !c.ok);
	const result = { ok: failures.length === 0 && checks.length > 0 && !aborted, n8nVersion, checks, failures, findings, notes, screenshots, timings };
	fs.writeFileSync(path.join(outDir, 'editor-result.json'), JSON.stringify(result, null, 2));
	return result;
}

/** A README screenshot: the parameters panel of the open node (with any open dropdown), cropped. */
async function docsShot(p, docsDir, name) {
	fs.mkdirSync(docsDir, { recursive: true });
	const params = await p.getByTestId('node-parameters').boundingBox();
	const ndv = await p.getByTestId('ndv').boundingBox();
	const file = path.join(docsDir, name);
	if (!params || !ndv) {
		await p.screenshot({ path: file });
		return file;
	}
	const x = Math.max(0, params.x - 12);
	const y = Math.max(0, ndv.y + 24);
	await p.screenshot({ path: file, clip: { x, y, width: Math.min(params.width + 24, 1440 - x), height: Math.min(ndv.height - 24, 900 - y) } });
	return file;
}

// ------------------------------------------------------------------ standalone

function startSimulatorProcess(logFile) {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [path.join(h.REPO, 'test', 'simulator', 'cli.js'), '--api-key', API_KEY, '--speed', '100'], { stdio: ['ignore', 'pipe', 'pipe'] });
		const log = fs.createWriteStream(logFile);
		let buf = '';
		const timer = setTimeout(() => reject(new Error(`the simulator printed no URLs in 15 s:\n${buf}`)), 15_000);
		const onData = (d) => {
			const s = String(d);
			log.write(s.split(API_KEY).join('(the test key)'));
			buf += s;
			const api = /API base:\s+(\S+)/.exec(buf);
			const up = /upload base:\s+(\S+)/.exec(buf);
			if (api && up) {
				clearTimeout(timer);
				resolve({
					child,
					baseUrl: api[1],
					uploadBaseUrl: up[1],
					close: () => new Promise((r) => {
						if (child.exitCode !== null) return r(undefined);
						child.once('exit', () => r(undefined));
						child.kill('SIGINT');
					}),
				});
			}
		};
		child.stdout.on('data', onData);
		child.stderr.on('data', onData);
		child.on('exit', (code) => reject(new Error(`the simulator exited (${code}):\n${buf}`)));
	});
}

async function main() {
	const args = process.argv.slice(2);
	const flag = (f) => args.includes(f);
	const { installVersion } = require('./shared');
	const versions = flag('--all') ? ['2.41.1', '1.123.81'] : args.filter((a) => /^\d+\.\d+\.\d+$/.test(a));
	if (!versions.length) versions.push('2.41.1');
	const t0 = Date.now();
	if (flag('--build')) {
		console.log('[editor] npm run build');
		await h.buildPackage();
	}
	const tmp = h.tempDir('n8n-ima-editor-');
	const tarball = await h.packPackage(path.join(tmp, 'pack'));
	const outRoot = path.join(h.REPO, 'test-output', 'n8n');
	fs.mkdirSync(outRoot, { recursive: true });
	const sim = await startSimulatorProcess(path.join(outRoot, 'editor-simulator.log'));
	console.log(`[editor] simulator on ${sim.baseUrl} (upload ${sim.uploadBaseUrl})`);
	const results = [];
	try {
		for (const version of versions) {
			const tv = Date.now();
			const { nodeBin, n8nBin, userFolder, major } = await installVersion(version, tmp, tarball);
			console.log(`\n[editor] === n8n ${version} (${nodeBin}) ===`);
			const res = await editorCheck({
				nodeBin,
				n8nBin,
				userFolder,
				simulatorUrls: sim,
				outDir: path.join(outRoot, `editor-${version}`),
				docsDir: major >= 2 && flag('--docs') ? path.join(h.REPO, 'docs', 'screenshots') : undefined,
			});
			results.push({ version, ms: Date.now() - tv, ...res });
		}
	} finally {
		await sim.close();
		if (!flag('--keep')) fs.rmSync(tmp, { recursive: true, force: true });
		else console.log(`[editor] kept ${tmp}`);
	}
	console.log('\n[editor] summary');
	for (const r of results) {
		console.log(`  n8n ${r.version}: ${r.ok ? 'ok' : 'FAILED'} — ${r.checks.length - r.failures.length}/${r.checks.length} checks in ${(r.ms / 1000).toFixed(1)} s`);
		for (const f of r.failures) console.log(`    ✗ ${f.what}${f.detail ? `\n      ${f.detail.split('\n').join('\n      ')}` : ''}`);
		for (const f of r.findings) console.log(`    finding: ${f}`);
		for (const n of r.notes) console.log(`    note: ${n}`);
		for (const s of r.screenshots) console.log(`    screenshot ${path.relative(h.REPO, s.file)}: ${s.what}`);
	}
	console.log(`[editor] total ${((Date.now() - t0) / 1000).toFixed(1)} s`);
	process.exitCode = results.length && results.every((r) => r.ok) ? 0 : 1;
}

module.exports = { editorCheck, startSimulatorProcess, API_KEY };

if (require.main === module) {
	main().catch((e) => {
		console.error('[editor]', e && e.stack ? e.stack : e);
		process.exit(1);
	});
}
