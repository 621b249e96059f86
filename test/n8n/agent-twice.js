#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * An AI Agent that calls the IMA tool twice in ONE execution, in a real n8n (issue #19, part 2):
 * n8n's AI Agent with an OpenAI Chat Model whose credential points at a scripted fake OpenAI API
 * on loopback (shared.js's startScriptedModel, with this file's scenarioScript), and the IMA Tool
 * (n8n-nodes-ima.imaTool, $fromAI('prompt')). Each scenario is one `n8n execute`:
 *   A. two prompts, one after the other (the model calls, reads the answer, calls again);
 *   B. the same prompt twice, one after the other (the user asked twice);
 *   C. the same prompt twice in one model turn (two parallel tool calls).
 *   D. two calls with Max Credits per Run 5 (one image): the cap holds for the whole agent run.
 * Checks per scenario (A-C), against the IMA simulator in this process: exactly two creates reached IMA,
 * two different tasks with the model's prompts, the model got two answers (status "success", one
 * URL each, two task ids), the agent's final answer carries both URLs, and n8n's log names the
 * same execution for both tasks.
 *
 *   node test/n8n/agent-twice.js [2.41.1|1.123.81 ...]     (default 2.41.1; needs `npm run build`)
 *
 * From JavaScript (test/n8n/starters.js runs it for run.js):
 *   const { agentTwiceCheck } = require('./agent-twice');
 *   await agentTwiceCheck({ nodeBin, n8nBin, userFolder, outDir, env?, log? }) → {ok, checks}
 */
const fs = require('fs');
const path = require('path');

const { prepareFolder, startImaSimulator } = require('./live');
const { checker, startScriptedModel, standalone } = require('./shared');

const API_KEY = 'sim-test-key-agent-twice';
const TOOL_NODE_NAME = 'IMA image';
// The AI Agent's version: 3 is the newest n8n 1.123 has, and the tools agent of n8n 2.41 too (it adds 3.1).
const AGENT_VERSION = Number(process.env.N8N_IMA_AGENT_VERSION || 3);
const FOX = 'a red fox asleep in fresh snow, soft morning light';
const OWL = 'a snowy owl on a fence post at dusk, film photo';

/** The scenarios: the model's tool calls per turn (each inner list is one turn of parallel calls). */
const SCENARIOS = [
	{ key: 'A', id: 'imaAgentTwiceA01', title: 'two prompts, one after the other', turns: [[FOX], [OWL]], ask: 'Make a picture of a fox in the snow, then one of an owl.' },
	{ key: 'B', id: 'imaAgentTwiceB01', title: 'the same prompt twice, one after the other', turns: [[FOX], [FOX]], ask: 'Make a picture of a fox in the snow. Then make it once more, I want two to choose from.' },
	{ key: 'C', id: 'imaAgentTwiceC01', title: 'the same prompt twice in one turn (parallel tool calls)', turns: [[FOX, FOX]], ask: 'Make two pictures of a fox in the snow at once.' },
	// Max Credits per Run caps the whole agent run (one execution): the second call is refused
	// before its create, and the model reads why.
	{ key: 'D', id: 'imaAgentTwiceD01', title: 'two calls with Max Credits per Run 5 (one image)', turns: [[FOX], [OWL]], ask: 'Make a fox, then an owl.', maxCredits: 5 },
];

/**
 * The scenarios' script: the scenario is named in the user's message ("[scenario X]"); turn i asks
 * for the calls of turns[i]; after the last turn the model answers with every tool result it got.
 * Returns the tool calls to make ([{name, prompt}]) or the final text.
 */
function scenarioScript(messages, tools) {
	const text = messages.map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content || ''))).join('\n');
	const scenario = SCENARIOS.find((s) => text.includes(`[scenario ${s.key}]`));
	const turn = messages.filter((m) => m.role === 'assistant' && Array.isArray(m.tool_calls) && m.tool_calls.length).length;
	const toolName = tools[0] && tools[0].function && tools[0].function.name;
	if (scenario && toolName && turn < scenario.turns.length) return { calls: scenario.turns[turn].map((prompt) => ({ name: toolName, args: { prompt } })), id: `${scenario.key}_${turn}` };
	const results = messages.filter((m) => m.role === 'tool').map((m) => String(m.content));
	return { text: `Done, ${results.length} answer(s): ${results.join(' || ')}` };
}

function workflow(s) {
	return {
		id: s.id,
		name: `IMA tool called twice by an AI Agent: ${s.title}`,
		active: false,
		nodes: [
			{ parameters: {}, id: 'b0000000-0000-4000-8000-000000000001', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0] },
			{
				parameters: { promptType: 'define', text: `[scenario ${s.key}] ${s.ask}`, options: {} },
				id: 'b0000000-0000-4000-8000-000000000002',
				name: 'AI Agent',
				type: '@n8n/n8n-nodes-langchain.agent',
				typeVersion: AGENT_VERSION,
				position: [250, 0],
			},
			{
				parameters: { model: { __rl: true, mode: 'id', value: 'gpt-fake' }, options: {} },
				id: 'b0000000-0000-4000-8000-000000000003',
				name: 'Fake model',
				type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
				typeVersion: 1.2,
				position: [150, 220],
				credentials: { openAiApi: { id: 'x', name: 'x' } },
			},
			{
				parameters: {
					operation: 'generate',
					taskType: 'text_to_image',
					model: { __rl: true, mode: 'id', value: 'doubao-seedream-4-5-251128' },
					prompt: "={{ $fromAI('prompt', 'What the image shows, in detail', 'string') }}",
					modelSettings: { mappingMode: 'defineBelow', value: { aspect_ratio: '1:1' } },
					options: s.maxCredits ? { maxCredits: s.maxCredits } : {},
				},
				id: 'b0000000-0000-4000-8000-000000000004',
				name: TOOL_NODE_NAME,
				type: 'n8n-nodes-ima.imaTool',
				typeVersion: 1,
				position: [350, 220],
				credentials: { imaApi: { id: 'x', name: 'x' } },
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

/** The JSON answers the model was given (the tool messages of its last request). */
function toolAnswers(request) {
	return ((request && request.body.messages) || [])
		.filter((m) => m.role === 'tool')
		.map((m) => {
			try {
				const v = JSON.parse(m.content);
				return Array.isArray(v) ? v[0] : v;
			} catch {
				return { raw: String(m.content) };
			}
		});
}

/**
 * @param {{nodeBin: string, n8nBin: string, userFolder: string, outDir: string, env?: Record<string, string>, log?: (m: string) => void}} o
 */
async function agentTwiceCheck(o) {
	const log = o.log || ((m) => console.log(`[agent-twice] ${m}`));
	const { checks, check } = checker(log);
	fs.mkdirSync(o.outDir, { recursive: true });
	const sim = await startImaSimulator(API_KEY);
	const model = await startScriptedModel(scenarioScript);
	let folder;
	try {
		const prep = await prepareFolder({
			nodeBin: o.nodeBin,
			n8nBin: o.n8nBin,
			userFolder: o.userFolder,
			name: 'agent-twice',
			outDir: o.outDir,
			env: o.env,
			redact: [API_KEY],
			credentials: [
				{ id: 'imaTwiceCredent1', name: 'IMA (simulator)', type: 'imaApi', data: { apiKey: API_KEY, baseUrl: sim.baseUrl, uploadBaseUrl: sim.uploadBaseUrl } },
				{ id: 'fakeOpenAiTwice1', name: 'Fake OpenAI (loopback)', type: 'openAiApi', data: { apiKey: 'sk-fake-model', url: model.url } },
			],
			workflows: SCENARIOS.map(workflow),
		});
		folder = prep.folder;
		for (const s of SCENARIOS) {
			const tag = `${s.key} (${s.title})`;
			const createsBefore = sim.createsReceived().length;
			const requestsBefore = model.requests.length;
			let out = '';
			let failed = false;
			try {
				out = await prep.cli(['execute', `--id=${s.id}`, '--rawOutput'], `execute-${s.key}.log`);
			} catch (e) {
				out = String(e.output || e.message);
				failed = true;
			}
			if (!s.maxCredits && !check(!failed, `${tag}: n8n execute ran the agent`, out.slice(-1500))) continue;
			const chats = model.requests.slice(requestsBefore).filter((r) => /\/chat\/completions$/.test(r.url));
			const calls = s.turns.flat();
			if (s.maxCredits) {
				check(chats.length >= s.turns.length, `${tag}: the model was asked ${chats.length} times`);
				const creates = sim.createsReceived().slice(createsBefore);
				check(creates.length === 1, `${tag}: one create reached IMA for two calls (${creates.length})`);
				const raw = ((chats[chats.length - 1] && chats[chats.length - 1].body.messages) || []).filter((m) => m.role === 'tool').map((m) => String(m.content));
				check(raw.length >= 1 && /"status":\s*"success"/.test(raw[0]), `${tag}: the first call made its image`, raw[0]);
				// n8n 2.x's agent (v3) hands the tool's error to the model and goes on; n8n 1.x's stops
				// the execution with the node's error. Either way the refusal names the cap.
				const toModel = raw.length === 2 && /Max Credits per Run \(5\)/.test(raw[1]) && !/"status":\s*"success"/.test(raw[1]);
				const asError = failed && /Max Credits per Run \(5\) would be passed/.test(out) && /options\.maxCredits/.test(out);
				check(toModel ? !failed : asError, `${tag}: the second call was refused before paying: ${toModel ? 'the model reads why and the agent answers' : asError ? 'the execution stops with the error naming options.maxCredits (this n8n\'s agent does not pass tool errors on)' : 'no refusal seen'}`, toModel ? out.slice(-800) : raw[1] || out.slice(-1500));
				continue;
			}
			check(chats.length === s.turns.length + 1, `${tag}: the model was asked ${chats.length} times (${s.turns.length} tool turn(s), then the answer)`);
			const creates = sim.createsReceived().slice(createsBefore);
			check(creates.length === calls.length, `${tag}: ${creates.length} creates reached IMA for ${calls.length} tool calls`);
			const answers = toolAnswers(chats[chats.length - 1]);
			check(answers.length === calls.length && answers.every((a) => a && a.status === 'success' && Array.isArray(a.urls) && a.urls.length === 1), `${tag}: the model got ${answers.length} answers, each status "success" with one URL`, JSON.stringify(answers).slice(0, 600));
			const ids = answers.map((a) => a && a.taskId).filter(Boolean);
			check(new Set(ids).size === calls.length, `${tag}: ${new Set(ids).size} different task ids (${ids.join(', ')})`);
			const prompts = ids.map((id) => (sim.tasks.get(String(id)) || {}).prompt).sort();
			check(JSON.stringify(prompts) === JSON.stringify([...calls].sort()), `${tag}: the tasks have the model's prompts`, JSON.stringify(prompts));
			const urls = answers.flatMap((a) => (a && a.urls) || []);
			check(urls.length === calls.length && urls.every((u) => out.includes(u)), `${tag}: the agent's final answer carries both URLs`, out.slice(-800));
			const logged = ids.map((id) => (new RegExp(`IMA task created: ${id} \\(execution (\\d+),`).exec(out) || [])[1]);
			check(logged.every(Boolean) && new Set(logged).size === 1, `${tag}: n8n's log names one execution for both tasks (execution ${[...new Set(logged)].join(', ')})`, out.split('\n').filter((l) => l.includes('IMA task created')).join('\n'));
		}
		check(!JSON.stringify(model.requests).includes(API_KEY), 'the IMA API key never reached the model');
		fs.writeFileSync(path.join(o.outDir, 'model-requests.json'), JSON.stringify(model.requests, null, 2));
	} catch (e) {
		check(false, `agent twice: ${e && e.message}`, e && e.stack);
	} finally {
		await model.close();
		await sim.close();
		if (folder && !process.env.N8N_IMA_KEEP && checks.every((c) => c.ok)) fs.rmSync(folder, { recursive: true, force: true });
	}
	const result = { ok: checks.length > 0 && checks.every((c) => c.ok), checks };
	fs.writeFileSync(path.join(o.outDir, 'agent-twice-result.json'), JSON.stringify(result, null, 2));
	return result;
}

module.exports = { agentTwiceCheck, SCENARIOS };

if (require.main === module) standalone('agent-twice', agentTwiceCheck);
