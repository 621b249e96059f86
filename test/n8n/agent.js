#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * What an AI Agent reads about the IMA tool, in a real n8n (issue #13): n8n's AI Agent node with
 * an OpenAI Chat Model whose credential points at a fake OpenAI API on loopback (shared.js's
 * startScriptedModel with this file's oneCallScript), and an "IMA Tool" node
 * (n8n-nodes-ima.imaTool) with no description of its own set and a $fromAI('prompt') argument.
 * The fake model records the tool definitions n8n sends it (name, description, JSON schema of the
 * arguments), asks for one tool call, then answers. The run goes through `n8n execute` against the
 * IMA simulator.
 *
 *   node test/n8n/agent.js [2.41.1|1.123.81 ...]     (default 2.41.1; needs `npm run build` first)
 *
 * Checks: the tool's description is the node's tool description (what it does, `prompt`, the
 * answer), the schema has `prompt` with the $fromAI description, the agent's call reached IMA
 * (the simulator's task has the prompt), and the model got the tool's short JSON answer.
 * Output: test-output/n8n/agent-<version>/ (n8n logs, the recorded model requests).
 *
 * From JavaScript (test/n8n/run.js): const { agentCheck } = require('./agent');
 *   await agentCheck({ nodeBin, n8nBin, userFolder, simulatorUrls, outDir, apiKey, env?, detail?, log? })
 *     → {ok, n8nVersion, checks, tool}; detail(taskId) (the simulator's task detail) adds the prompt check.
 * Standalone it starts the simulator as a child process for all versions (shared.js's standalone).
 */
const fs = require('fs');
const path = require('path');

const h = require('./editor/n8n');
const { checker, startScriptedModel, standalone } = require('./shared');

const PROMPT = 'a red fox asleep in fresh snow, soft morning light';
const FROM_AI_DESCRIPTION = 'What the image shows, in detail';
const TOOL_NODE_NAME = 'IMA image';

/**
 * The fake model's script: call the first tool offered with {prompt: PROMPT}, then answer with the
 * start of what the tool answered.
 * @type {Parameters<typeof startScriptedModel>[0]}
 */
function oneCallScript(messages, tools) {
	const toolResult = messages.find((m) => m.role === 'tool');
	if (toolResult) return { text: `Done. The tool answered: ${String(toolResult.content).slice(0, 300)}` };
	if (!tools.length) return { text: 'no tools were offered' };
	return { calls: [{ name: tools[0].function.name, args: { prompt: PROMPT } }], id: 'ima' };
}

function workflow() {
	return {
		id: 'imaAgentCheck0001',
		name: 'IMA tool read by an AI Agent (fake model)',
		active: false,
		nodes: [
			{ parameters: {}, id: 'a0000000-0000-4000-8000-000000000001', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0] },
			{
				parameters: { promptType: 'define', text: 'Make a picture of a fox in the snow.', options: {} },
				id: 'a0000000-0000-4000-8000-000000000002',
				name: 'AI Agent',
				type: '@n8n/n8n-nodes-langchain.agent',
				typeVersion: 2.2,
				position: [250, 0],
			},
			{
				parameters: { model: { __rl: true, mode: 'id', value: 'gpt-fake' }, options: {} },
				id: 'a0000000-0000-4000-8000-000000000003',
				name: 'Fake model',
				type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
				typeVersion: 1.2,
				position: [150, 220],
				credentials: { openAiApi: { id: 'fakeOpenAiCred01', name: 'Fake OpenAI (loopback)' } },
			},
			{
				// No descriptionType/toolDescription: what the agent reads is the node's default.
				parameters: {
					operation: 'generate',
					taskType: 'text_to_image',
					model: { __rl: true, mode: 'id', value: 'doubao-seedream-4-5-251128' },
					prompt: `={{ $fromAI('prompt', '${FROM_AI_DESCRIPTION}', 'string') }}`,
					modelSettings: { mappingMode: 'defineBelow', value: { aspect_ratio: '1:1' } },
					options: {},
				},
				id: 'a0000000-0000-4000-8000-000000000004',
				name: TOOL_NODE_NAME,
				type: 'n8n-nodes-ima.imaTool',
				typeVersion: 1,
				position: [350, 220],
				credentials: { imaApi: { id: 'imaAgentCred0001', name: 'IMA (simulator)' } },
			},
		],
		connections: {
			Start: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
			'Fake model': { ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]] },
			[TOOL_NODE_NAME]: { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

/**
 * @param {{nodeBin: string, n8nBin: string, userFolder: string, simulatorUrls: {baseUrl: string, uploadBaseUrl: string},
 *   outDir: string, apiKey: string, env?: Record<string,string>, log?: (m: string) => void, detail?: (taskId: string) => Promise<any>}} o
 */
async function agentCheck(o) {
	const log = o.log || ((m) => console.log(`[agent] ${m}`));
	fs.mkdirSync(o.outDir, { recursive: true });
	const { checks, check } = checker(log);
	const version = h.n8nVersionOf(o.n8nBin);
	const major = Number(version.split('.')[0]) || 2;
	const env = { ...h.n8nEnv(o.userFolder, await h.freePort(), await h.freePort(), major), ...(o.env || {}) };
	const n8n = (args, file) =>
		h.exec(o.nodeBin, [o.n8nBin, ...args], { cwd: o.userFolder, env, timeout: 300_000 }).then(
			(out) => (fs.writeFileSync(path.join(o.outDir, file), out.split(o.apiKey).join('(the test key)')), { code: 0, out }),
			(e) => (fs.writeFileSync(path.join(o.outDir, file), String(e.message).split(o.apiKey).join('(the test key)')), { code: 1, out: String(e.message) }),
		);
	const model = await startScriptedModel(oneCallScript);
	/** @type {any} */
	let tool = null;
	try {
		const creds = path.join(o.userFolder, 'agent-credentials.json');
		fs.writeFileSync(
			creds,
			JSON.stringify([
				{ id: 'imaAgentCred0001', name: 'IMA (simulator)', type: 'imaApi', data: { apiKey: o.apiKey, baseUrl: o.simulatorUrls.baseUrl, uploadBaseUrl: o.simulatorUrls.uploadBaseUrl } },
				{ id: 'fakeOpenAiCred01', name: 'Fake OpenAI (loopback)', type: 'openAiApi', data: { apiKey: 'sk-fake-model', url: model.url } },
			]),
		);
		const ic = await n8n(['import:credentials', `--input=${creds}`], 'agent-import-credentials.log');
		fs.rmSync(creds, { force: true });
		if (!check(ic.code === 0, 'credentials imported (IMA simulator, fake OpenAI on loopback)', ic.out.slice(-800))) return { ok: false, checks, tool };
		const wfFile = path.join(o.outDir, 'agent-workflow.json');
		fs.writeFileSync(wfFile, JSON.stringify(workflow(), null, 2));
		const iw = await n8n(['import:workflow', `--input=${wfFile}`], 'agent-import-workflow.log');
		if (!check(iw.code === 0, 'workflow imported (Start → AI Agent ← fake model, IMA Tool)', iw.out.slice(-800))) return { ok: false, checks, tool };
		const t0 = Date.now();
		const ex = await n8n(['execute', '--id=imaAgentCheck0001', '--rawOutput'], 'agent-execute.log');
		check(ex.code === 0, `n8n execute ran the agent (${((Date.now() - t0) / 1000).toFixed(1)} s)`, ex.out.slice(-1500));
		fs.writeFileSync(path.join(o.outDir, 'agent-model-requests.json'), JSON.stringify(model.requests, null, 2));

		const chats = model.requests.filter((r) => /\/chat\/completions$/.test(r.url));
		check(chats.length >= 2, `the agent called the model twice (tool call, then the answer): ${chats.length} call(s)`);
		const offered = chats[0] && Array.isArray(chats[0].body.tools) ? chats[0].body.tools : [];
		tool = offered.map((t) => t.function).find((f) => f && /IMA/i.test(f.name)) || offered.map((t) => t.function)[0] || null;
		log(`the model was offered: ${JSON.stringify(tool)}`);
		if (check(tool, 'the model was offered the IMA tool', JSON.stringify(offered).slice(0, 500))) {
			check(tool.name === TOOL_NODE_NAME.replace(/ /g, '_'), `tool name "${tool.name}" (the node's name)`);
			const d = String(tool.description || '');
			check(/IMA Studio/.test(d) && /images, videos, music or speech/.test(d), 'the tool description says what it does (IMA Studio, images, videos, music or speech)', d);
			check(/`prompt`/.test(d) && /urls/.test(d) && /taskId/.test(d), 'the tool description says what to pass (prompt) and what comes back (urls, taskId)', d);
			const props = (tool.parameters && tool.parameters.properties) || {};
			check(props.prompt && props.prompt.type === 'string' && props.prompt.description === FROM_AI_DESCRIPTION, `the tool's arguments: prompt (string, "${FROM_AI_DESCRIPTION}")`, JSON.stringify(tool.parameters));
			check(Object.keys(props).length === 1 && (tool.parameters.required || []).includes('prompt'), 'prompt is the only argument, and required', JSON.stringify(tool.parameters));
		}
		const toolMsg = chats[1] && (chats[1].body.messages || []).find((m) => m.role === 'tool');
		let answer = null;
		try {
			answer = toolMsg ? JSON.parse(toolMsg.content) : null;
		} catch {
			/* not JSON */
		}
		const summary = Array.isArray(answer) ? answer[0] : answer;
		check(summary && summary.status === 'success' && Array.isArray(summary.urls) && summary.urls.length === 1, 'the model got the tool\'s answer: JSON with status "success" and the image URL', toolMsg && String(toolMsg.content).slice(0, 500));
		if (summary && summary.taskId && o.detail) {
			const det = await o.detail(summary.taskId);
			check(det && det.data && det.data.prompt === PROMPT, `the agent's prompt reached IMA (task ${summary.taskId})`, JSON.stringify(det && det.data && det.data.prompt));
		}
		check(!JSON.stringify(model.requests).includes(o.apiKey), 'the IMA API key never reached the model');
		check(/Done\. The tool answered/.test(ex.out), 'the agent\'s final output is the model\'s answer', ex.out.slice(-600));
	} finally {
		await model.close();
	}
	const result = { ok: checks.length > 0 && checks.every((c) => c.ok), n8nVersion: version, checks, tool };
	fs.writeFileSync(path.join(o.outDir, 'agent-result.json'), JSON.stringify(result, null, 2));
	return result;
}

/** Standalone: the simulator in a child process for all versions (it answers the prompt check too). */
async function startSimulator(outRoot) {
	const { startSimulatorProcess, API_KEY } = require('./editor');
	const sim = await startSimulatorProcess(path.join(outRoot, 'agent-simulator.log'));
	/** @param {string} taskId */
	const detail = async (taskId) => {
		const res = await fetch(`${sim.baseUrl}/open/v1/tasks/detail`, { method: 'POST', headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ task_id: taskId }) });
		return res.json();
	};
	return { options: { simulatorUrls: sim, apiKey: API_KEY, detail }, close: () => sim.close() };
}

module.exports = { agentCheck };

if (require.main === module) standalone('agent', agentCheck, { start: startSimulator });
