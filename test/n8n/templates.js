#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * The templates in examples/templates/ in a real n8n (issue #19, part 3), with n8n's real nodes
 * for the outside services pointed at stand-ins on loopback (test/n8n/standins.js: an HTTPS proxy
 * n8n is sent through, playing Google Sheets, Google Drive and Slack; an SMTP server), the IMA
 * simulator in this process, and a scripted fake OpenAI model. Nothing reaches the internet: the
 * proxy refuses every other host, and the check fails if n8n asked for one.
 *
 * For each template: it imports into n8n (n8n's CLI), n8n 2.x's own workflow validator
 * (@n8n/workflow-sdk's validateWorkflow, from the n8n under test) finds no error, and the workflow
 * runs as a user runs it:
 *   sheet-rows-to-product-images  `n8n execute`: 3 product rows, one already with a link → 2
 *       images; each uploaded to Drive with IMA's exact bytes, shared with anyone, its link written
 *       into the right row; a second run makes nothing (the rows have links).
 *   form-to-video-by-email        `n8n start`, the form submitted over HTTP (Wait cut to 0.2 s):
 *       one video task, Check Task looped until done, one email to the address from the form with
 *       the MP4 attached (IMA's exact bytes).
 *   daily-agent-image-to-slack    `n8n execute` (the schedule's trigger run by hand): the agent
 *       calls the IMA tool once, one image, Slack gets the caption with the image URL.
 * The MCP template (mcp-server-ima-tool) is driven by test/n8n/mcp.js.
 *
 *   node test/n8n/templates.js [2.41.1|1.123.81 ...]    (default 2.41.1; needs `npm run build`)
 *
 * From JavaScript (test/n8n/starters.js runs it for run.js):
 *   const { templatesCheck } = require('./templates');
 *   await templatesCheck({ nodeBin, n8nBin, userFolder, outDir, env?, log? }) → {ok, checks}
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const crypto = require('crypto');
const { execFile } = require('child_process');

const h = require('./editor/n8n');
const { prepareFolder, startImaSimulator, waitForWebhook } = require('./live');
const { startStandins, HOSTS } = require('./standins');
const { checker, startScriptedModel, standalone } = require('./shared');

const DIR = path.join(h.REPO, 'examples', 'templates');
const API_KEY = 'sim-test-key-templates';
const SHEET_ID = 'sheetStandin0001';
const SHEET_ROWS = [
	['Product', 'Description', 'Image link'],
	['Alpine water bottle', 'Matte green steel bottle, 750 ml, bamboo lid'],
	['Trail socks', 'Merino hiking socks, charcoal with orange heel', 'https://drive.google.com/file/d/already-there/view'],
	['Camp mug', 'Enamel mug, white with a blue rim, slightly chipped'],
];
const FORM_ANSWERS = { prompt: 'A paper boat sailing down a rainy street, macro shot, soft light', email: 'maker@example.com' };
const AGENT_PROMPT = 'A cosy autumn forest at sunrise with a fox and a steaming mug, friendly flat illustration';

const sha = (b) => crypto.createHash('sha256').update(b).digest('hex');
const load = (file) => JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8'));

/** The templates as this check runs them: ids set; the few test-only changes listed. */
function testCopies() {
	const copies = [];
	const add = (file, id, change) => {
		const wf = load(file);
		const changes = [];
		Object.assign(wf, { id, active: false });
		if (change) change(wf, changes);
		copies.push({ file, id, workflow: wf, changes });
	};
	add('sheet-rows-to-product-images.json', 'imaTplSheetDrive1', (wf, changes) => {
		for (const n of wf.nodes) if (n.parameters.documentId) n.parameters.documentId.value = SHEET_ID;
		changes.push(`spreadsheet id YOUR_SPREADSHEET_ID → ${SHEET_ID} (the stand-in's)`);
	});
	add('form-to-video-by-email.json', 'imaTplFormVideo1', (wf, changes) => {
		const wait = wf.nodes.find((n) => n.type === 'n8n-nodes-base.wait');
		changes.push(`Wait: ${wait.parameters.amount} ${wait.parameters.unit} → 0.2 seconds (a video takes 0.6 s at the simulator's speed)`);
		wait.parameters = { ...wait.parameters, amount: 0.2, unit: 'seconds' };
	});
	add('daily-agent-image-to-slack.json', 'imaTplAgentSlack1');
	return copies;
}

/** n8n's own workflow validator (n8n 2.x ships @n8n/workflow-sdk) on each file; undefined when absent. */
function validateWithN8n(nodeBin, n8nBin, files) {
	const sdk = path.join(path.dirname(n8nBin), '..', '..', '@n8n', 'workflow-sdk');
	if (!fs.existsSync(path.join(sdk, 'package.json'))) return Promise.resolve(undefined);
	// Warnings count too (a disconnected node, a static agent prompt, a hard-coded credential...).
	const script = `const { validateWorkflow } = require(${JSON.stringify(sdk)});
const fs = require('fs');
const out = {};
for (const f of ${JSON.stringify(files)}) {
	const r = validateWorkflow(JSON.parse(fs.readFileSync(f, 'utf8')));
	out[f] = { valid: r.valid, errors: r.errors.map((e) => e.code + ': ' + e.message), warnings: r.warnings.map((w) => w.code + ': ' + w.message) };
}
process.stdout.write(JSON.stringify(out));`;
	return new Promise((resolve) => {
		execFile(nodeBin, ['-e', script], { timeout: 120_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
			if (err) return resolve({ error: `${err.message.split('\n')[0]} ${String(stderr).slice(-500)}` });
			try {
				resolve(JSON.parse(stdout));
			} catch (e) {
				resolve({ error: `validator output: ${String(stdout).slice(0, 300)}` });
			}
		});
	});
}

/** The fake model for the agent template: one tool call, then a caption with the URL it got. */
function agentScript(messages, tools) {
	const result = messages.find((m) => m.role === 'tool');
	if (!result) {
		const tool = tools.map((t) => t.function).find((f) => f && /IMA/i.test(f.name));
		return tool ? { calls: [{ name: tool.name, args: { prompt: AGENT_PROMPT } }], id: 'daily' } : { text: 'no IMA tool offered' };
	}
	let url = '';
	try {
		const v = JSON.parse(result.content);
		url = (Array.isArray(v) ? v[0] : v).urls[0];
	} catch {
		url = '(no URL in the tool answer)';
	}
	return { text: `Good morning, team: autumn is here!\n\n${url}` };
}

/** Posts a form submission as a browser does (multipart/form-data, field-0, field-1, ...). */
async function submitForm(url, values) {
	const form = new FormData();
	values.forEach((v, i) => form.append(`field-${i}`, v));
	const res = await fetch(url, { method: 'POST', body: form });
	return { status: res.status, text: await res.text() };
}

async function waitFor(cond, timeoutMs) {
	const t0 = Date.now();
	while (!cond()) {
		if (Date.now() - t0 > timeoutMs) return false;
		await new Promise((r) => setTimeout(r, 250));
	}
	return true;
}

/**
 * @param {{nodeBin: string, n8nBin: string, userFolder: string, outDir: string, env?: Record<string, string>, log?: (m: string) => void}} o
 */
async function templatesCheck(o) {
	const log = o.log || ((m) => console.log(`[templates] ${m}`));
	const { checks, check } = checker(log);
	fs.mkdirSync(o.outDir, { recursive: true });
	const certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-ima-standins-'));
	const { extractRunJson } = require('./run');
	const sim = await startImaSimulator(API_KEY);
	const standins = await startStandins(certDir);
	const model = await startScriptedModel(agentScript);
	const copies = testCopies();
	/** @type {any} */
	let live;
	let folder;
	try {
		for (const c of copies) for (const change of c.changes) log(`  ${c.file}: ${change}`);
		// n8n's own validator (2.x), on the files as shipped.
		const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.json')).map((f) => path.join(DIR, f));
		const v = await validateWithN8n(o.nodeBin, o.n8nBin, files);
		if (v && v.error) check(false, `n8n's workflow validator ran`, v.error);
		else if (v) for (const f of files) check(v[f] && v[f].valid && !v[f].errors.length && !v[f].warnings.length, `n8n's workflow validator (@n8n/workflow-sdk) finds no error and no warning in ${path.basename(f)}`, JSON.stringify(v[f]));
		else log('  (this n8n has no @n8n/workflow-sdk: its workflow validator is checked on 2.x)');

		standins.sheets.create(SHEET_ID, 'Products', SHEET_ROWS);
		const tokens = { access_token: 'standin-access-token', refresh_token: 'standin-refresh-token', token_type: 'Bearer', expires_in: 3599, scope: 'https://www.googleapis.com/auth/drive https://www.googleapis.com/auth/spreadsheets' };
		const prep = await prepareFolder({
			nodeBin: o.nodeBin,
			n8nBin: o.n8nBin,
			userFolder: o.userFolder,
			name: 'templates',
			outDir: o.outDir,
			env: { ...(o.env || {}), ...standins.env },
			redact: [API_KEY],
			credentials: [
				{ id: 'imaTplCredential', name: 'IMA (simulator)', type: 'imaApi', data: { apiKey: API_KEY, baseUrl: sim.baseUrl, uploadBaseUrl: sim.uploadBaseUrl } },
				{ id: 'tplGoogleSheets1', name: 'Google Sheets (stand-in)', type: 'googleSheetsOAuth2Api', data: { clientId: 'standin-client', clientSecret: 'standin-secret', oauthTokenData: tokens } },
				{ id: 'tplGoogleDrive01', name: 'Google Drive (stand-in)', type: 'googleDriveOAuth2Api', data: { clientId: 'standin-client', clientSecret: 'standin-secret', oauthTokenData: tokens } },
				{ id: 'tplSmtpStandin01', name: 'SMTP (stand-in)', type: 'smtp', data: { user: 'videos@example.com', password: 'standin-password', host: '127.0.0.1', port: standins.smtp.port, secure: false, disableStartTls: true } },
				{ id: 'tplSlackStandin1', name: 'Slack (stand-in)', type: 'slackApi', data: { accessToken: 'xoxb-standin-token' } },
				{ id: 'tplFakeOpenAi001', name: 'Fake OpenAI (loopback)', type: 'openAiApi', data: { apiKey: 'sk-fake-model', url: model.url } },
			],
			workflows: copies.map((c) => c.workflow),
			publish: ['imaTplFormVideo1'],
		});
		folder = prep.folder;
		check(true, `n8n ${prep.version} imported the credentials and the ${copies.length} templates (${copies.map((c) => c.file).join(', ')})`);

		const execute = async (c, label) => {
			try {
				const out = await prep.cli(['execute', `--id=${c.id}`, '--rawOutput'], `execute-${label}.log`);
				return { out, run: extractRunJson(out) };
			} catch (e) {
				return { out: String(e.output || e.message), run: extractRunJson(String(e.output || '')), failed: true };
			}
		};

		// a) spreadsheet rows → images → Drive → link back
		{
			const tag = 'sheet-rows-to-product-images';
			const before = sim.createsReceived().length;
			const r = await execute(copies[0], 'sheet');
			check(!r.failed && r.run && r.run.status === 'success', `${tag}: n8n execute succeeded`, r.out.slice(-1500));
			const todo = SHEET_ROWS.slice(1).filter((row) => !row[2]);
			const creates = sim.createsReceived().slice(before);
			check(creates.length === todo.length, `${tag}: ${creates.length} images made for ${todo.length} rows without a link (the row that has one is skipped)`);
			const rows = standins.sheets.rows(SHEET_ID, 'Products');
			const files = [...standins.drive.files.values()];
			check(files.length === todo.length, `${tag}: ${files.length} files uploaded to the Drive stand-in`);
			for (const [i, row] of SHEET_ROWS.slice(1).entries()) {
				const now = rows[i + 1] || [];
				if (row[2]) {
					check(now[2] === row[2], `${tag}: row ${i + 2} (${row[0]}) kept its link`, now[2]);
					continue;
				}
				const m = /^https:\/\/drive\.google\.com\/file\/d\/([^/]+)\/view$/.exec(now[2] || '');
				const file = m && standins.drive.files.get(m[1]);
				if (!check(file, `${tag}: row ${i + 2} (${row[0]}) has the link of a Drive file: ${now[2]}`, JSON.stringify(now))) continue;
				check(file.name.startsWith(row[0].replace(/[^A-Za-z0-9]+/g, '-')), `${tag}: row ${i + 2}: the file is named after its product (${file.name})`);
				check(file.permissions.some((p) => p.type === 'anyone' && p.role === 'reader'), `${tag}: row ${i + 2}: the file is shared with anyone who has the link`);
				const taskId = (/-(task_[^.]+)\./.exec(file.name) || [])[1];
				const task = taskId && sim.tasks.get(taskId);
				check(task && task.prompt.includes(row[0]) && task.prompt.includes(row[1]), `${tag}: row ${i + 2}: its task's prompt is made from the row (${taskId})`, task && task.prompt);
				if (task) {
					const d = await (await fetch(`${sim.baseUrl}/open/v1/tasks/detail`, { method: 'POST', headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ task_id: taskId }) })).json();
					const media = d && d.data && d.data.medias && d.data.medias[0];
					const bytes = media && Buffer.from(await (await fetch(media.url)).arrayBuffer());
					check(bytes && sha(bytes) === file.sha256, `${tag}: row ${i + 2}: the Drive file is IMA's image, byte for byte (${file.bytes.length} bytes, ${file.mimeType})`);
				}
			}
			const again = sim.createsReceived().length;
			const r2 = await execute(copies[0], 'sheet-again');
			check(!r2.failed && sim.createsReceived().length === again && standins.drive.files.size === todo.length, `${tag}: a second run makes nothing and uploads nothing (every row has a link)`, r2.out.slice(-800));
		}

		// c) schedule → AI Agent with the IMA tool → Slack
		{
			const tag = 'daily-agent-image-to-slack';
			const before = sim.createsReceived().length;
			const r = await execute(copies[2], 'agent');
			check(!r.failed && r.run && r.run.status === 'success', `${tag}: n8n execute succeeded`, r.out.slice(-1500));
			const creates = sim.createsReceived().slice(before);
			check(creates.length === 1, `${tag}: the agent's one tool call made one image (${creates.length} create(s))`);
			const task = [...sim.tasks.values()].find((t) => t.prompt === AGENT_PROMPT);
			check(task, `${tag}: the task has the agent's prompt`);
			const msg = standins.slack.messages[standins.slack.messages.length - 1];
			const url = task && `${sim.cdnBaseUrl}`;
			check(msg && msg.channel === '#general' && /Good morning, team/.test(msg.text) && task && msg.text.includes(`/${task.id}/`) && url && msg.text.includes(url), `${tag}: Slack got the caption and the image URL in #general`, JSON.stringify(msg));
		}

		// b) form → Create Task → Wait/Check Task loop → email with the video
		{
			const tag = 'form-to-video-by-email';
			live = await (async () => {
				const logFile = path.join(o.outDir, 'n8n-start.log');
				const n8n = await h.startN8n({ nodeBin: o.nodeBin, n8nBin: o.n8nBin, userFolder: prep.folder, logFile, port: prep.port, env: { ...(o.env || {}), ...standins.env } });
				return { ...n8n, logFile };
			})();
			const form = copies[1].workflow.nodes.find((n) => n.type === 'n8n-nodes-base.formTrigger');
			const url = `${live.url}/form/${form.webhookId}`;
			const status = await waitForWebhook(url);
			check(status === 200, `${tag}: the published form answers at /form/<id> (HTTP ${status})`);
			const before = sim.createsReceived().length;
			const detailsBefore = sim.requests.filter((q) => q.route === 'detail').length;
			const sent = await submitForm(url, [FORM_ANSWERS.prompt, FORM_ANSWERS.email]);
			check(sent.status === 200, `${tag}: the form accepted the submission (HTTP ${sent.status})`, sent.text.slice(0, 300));
			const arrived = await waitFor(() => standins.smtp.messages.length > 0, 90_000);
			check(arrived, `${tag}: an email arrived at the SMTP stand-in`);
			const creates = sim.createsReceived().slice(before);
			check(creates.length === 1, `${tag}: one video task for one form submission (${creates.length})`);
			const task = creates[0] && [...sim.tasks.values()].find((t) => t.prompt === FORM_ANSWERS.prompt);
			check(task && task.taskType === 'text_to_video', `${tag}: the task is a text_to_video with the form's text`, task && JSON.stringify({ taskType: task.taskType, prompt: task.prompt }));
			const checksDone = sim.requests.filter((q) => q.route === 'detail').length - detailsBefore;
			check(checksDone >= 2, `${tag}: Check Task asked IMA ${checksDone} times (the Wait loop went round)`);
			const mail = standins.smtp.messages[0];
			if (mail) {
				check(mail.to.includes(FORM_ANSWERS.email), `${tag}: sent to the address from the form (${mail.to.join(', ')})`);
				check(/Your video is ready/.test(String(mail.headers.subject)), `${tag}: subject "${mail.headers.subject}"`);
				check(mail.texts.some((t) => t.includes(FORM_ANSWERS.prompt)), `${tag}: the text repeats what was asked`);
				const mp4 = mail.attachments.find((a) => /video\/mp4/.test(a.contentType) || /\.mp4$/.test(a.fileName || ''));
				if (check(mp4, `${tag}: the MP4 is attached (${mail.attachments.map((a) => `${a.fileName} ${a.contentType} ${a.bytes.length} B`).join(', ')})`) && task) {
					const d = await (await fetch(`${sim.baseUrl}/open/v1/tasks/detail`, { method: 'POST', headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ task_id: task.id }) })).json();
					const media = d && d.data && d.data.medias && d.data.medias[0];
					const bytes = media && Buffer.from(await (await fetch(media.url)).arrayBuffer());
					check(bytes && sha(bytes) === sha(mp4.bytes) && mp4.bytes.subarray(4, 8).toString('latin1') === 'ftyp', `${tag}: the attachment is IMA's video, byte for byte (${mp4.bytes.length} bytes)`);
				}
			}
			await live.stop();
			live = undefined;
		}

		// Never the internet: every request the stand-ins got was for their own hosts.
		check(standins.refused.length === 0, `no request left loopback: the proxy refused ${standins.refused.length ? standins.refused.join(', ') : 'nothing'}`);
		check(standins.requests.every((q) => HOSTS.includes(q.host)) && standins.requests.every((q) => q.status < 400), `every stand-in request was answered (${standins.requests.length}: ${[...new Set(standins.requests.map((q) => `${q.method} ${q.host}${q.path.split('?')[0].replace(/\/[A-Za-z0-9_-]{12,}/g, '/…')}`))].slice(0, 12).join('; ')})`, JSON.stringify(standins.requests.filter((q) => q.status >= 400)));
		const logs = fs.readdirSync(o.outDir).map((f) => fs.readFileSync(path.join(o.outDir, f), 'utf8')).join('\n');
		check(!logs.includes(API_KEY), "the IMA API key is not in n8n's logs");
	} catch (e) {
		check(false, `templates: ${e && e.message}`, e && e.stack);
	} finally {
		if (live) await live.stop();
		await model.close();
		await standins.close();
		await sim.close();
		fs.rmSync(certDir, { recursive: true, force: true });
		if (folder && !process.env.N8N_IMA_KEEP && checks.every((c) => c.ok)) fs.rmSync(folder, { recursive: true, force: true });
	}
	const result = { ok: checks.length > 0 && checks.every((c) => c.ok), checks };
	fs.writeFileSync(path.join(o.outDir, 'templates-result.json'), JSON.stringify(result, null, 2));
	return result;
}

module.exports = { templatesCheck, testCopies, SHEET_ROWS, FORM_ANSWERS };

if (require.main === module) standalone('templates', templatesCheck);
