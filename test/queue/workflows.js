// The workflows `npm run test:queue` imports into n8n (queue mode). Webhook-triggered, so the
// main instance takes them and puts them on the queue for the workers.
'use strict';
const fs = require('fs');
const path = require('path');

const IMA = 'n8n-nodes-ima.ima';
const REPO = path.resolve(__dirname, '..', '..');

function webhook(name, pathName, id) {
	return {
		parameters: { httpMethod: 'POST', path: pathName, responseMode: 'onReceived', options: {} },
		id: `${id}-wh`,
		name,
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: `${id}-webhook-0000-0000-000000000000`.slice(0, 36),
	};
}

const splitItems = (id) => ({
	parameters: { fieldToSplitOut: 'body.items', options: {} },
	id: `${id}-split`,
	name: 'Split Items',
	type: 'n8n-nodes-base.splitOut',
	typeVersion: 1,
	position: [200, 0],
});

function ima(name, parameters, cred, id) {
	return { parameters: { options: {}, ...parameters }, id: `${id}-ima`, name, type: IMA, typeVersion: 1, position: [400, 0], credentials: { imaApi: cred } };
}

const chain = (...names) => Object.fromEntries(names.slice(0, -1).map((n, i) => [n, { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] }]));

/** Workflow ids: 16 characters like n8n's own. */
function all(cred) {
	const wf = (id, name, nodes, connections) => ({ id, name, active: false, nodes, connections, settings: { executionOrder: 'v1', saveDataSuccessExecution: 'all', saveDataErrorExecution: 'all' }, pinData: {} });
	const list = [];
	// 1. Fan-out: webhook body {items: [{prompt}, ... 5]} → one image per item.
	list.push(
		wf('queueImaFan00001', 'queue: webhook → split → IMA Generate (image)', [
			webhook('Webhook', 'ima-fan', 'a1b2c3d4-0001'),
			splitItems('a1b2c3d4-0001'),
			ima('IMA Generate', { operation: 'generate', taskType: 'text_to_image', model: { __rl: true, mode: 'id', value: 'doubao-seedream-4-5-251128' }, prompt: '={{ $json.prompt }}', modelSettings: { mappingMode: 'defineBelow', value: { aspect_ratio: '16:9' } } }, cred, 'a1b2c3d4-0001'),
		], chain('Webhook', 'Split Items', 'IMA Generate')),
	);
	// 2. Music, for the cancel test: a category no earlier phase loaded (empty product-list cache).
	list.push(
		wf('queueImaMusic001', 'queue: webhook → IMA Generate (music)', [
			webhook('Webhook', 'ima-music', 'a1b2c3d4-0002'),
			ima('IMA Generate', { operation: 'generate', taskType: 'text_to_music', model: { __rl: true, mode: 'id', value: 'sonic' }, prompt: '={{ $json.body.prompt }}', modelSettings: { mappingMode: 'defineBelow', value: {} } }, cred, 'a1b2c3d4-0002'),
		], chain('Webhook', 'IMA Generate')),
	);
	// 3. Video by Generate (the 300 MB video, and the killed worker).
	list.push(
		wf('queueImaVideo001', 'queue: webhook → IMA Generate (video)', [
			webhook('Webhook', 'ima-video', 'a1b2c3d4-0003'),
			ima('IMA Generate', { operation: 'generate', taskType: 'text_to_video', model: { __rl: true, mode: 'id', value: 'kling-v2-6' }, prompt: '={{ $json.body.prompt }}', modelSettings: { mappingMode: 'defineBelow', value: { duration: '5', aspect_ratio: '16:9', sound: 'off' } }, options: { downloadTimeout: 600 } }, cred, 'a1b2c3d4-0003'),
		], chain('Webhook', 'IMA Generate')),
	);
	// 4. n8n alone: HTTP Request downloads a file (the same 300 MB from the simulator CDN) and stores it.
	list.push(
		wf('queueHttpFile001', 'queue: webhook → HTTP Request (file), no IMA', [
			webhook('Webhook', 'http-file', 'a1b2c3d4-0004'),
			{
				parameters: { url: '={{ $json.body.url }}', options: { response: { response: { responseFormat: 'file' } }, timeout: 600000 } },
				id: 'a1b2c3d4-0004-http',
				name: 'HTTP Request',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				position: [200, 0],
			},
		], chain('Webhook', 'HTTP Request')),
	);
	// 5. The Check Task loop of examples/check-task-loop.json, started by a webhook, Wait 66 s
	//    (over n8n's 65 s: the execution goes to the database as "waiting" and frees the worker).
	const loop = JSON.parse(fs.readFileSync(path.join(REPO, 'examples', 'check-task-loop.json'), 'utf8'));
	const trigger = loop.nodes.find((n) => n.type === 'n8n-nodes-base.manualTrigger');
	const nodes = loop.nodes.map((n) => {
		if (n === trigger) return { ...webhook('Webhook', 'ima-loop', 'a1b2c3d4-0005'), position: n.position };
		const copy = JSON.parse(JSON.stringify(n));
		if (copy.credentials && copy.credentials.imaApi) copy.credentials.imaApi = cred;
		if (copy.type === 'n8n-nodes-base.wait') copy.parameters = { ...copy.parameters, amount: 66, unit: 'seconds' };
		return copy;
	});
	const connections = {};
	for (const [from, c] of Object.entries(loop.connections)) connections[from === trigger.name ? 'Webhook' : from] = c;
	list.push(wf('queueImaLoop0001', 'queue: Check Task loop (examples/check-task-loop.json, Wait 66 s)', nodes, connections));
	// 6. Max Credits per Run across a long Wait: Loop Over Items → Create Task (Max Credits from
	//    each item) → Wait 70 s (the test-only workflow of `npm run test:n8n`, by webhook here).
	const budget = JSON.parse(fs.readFileSync(path.join(REPO, 'test', 'n8n', 'workflows', 'durable', 'loop-budget-wait.json'), 'utf8'));
	for (const n of budget.nodes) {
		if (n.credentials && n.credentials.imaApi) n.credentials.imaApi = cred;
		if (n.type === 'n8n-nodes-base.webhook') n.parameters = { ...n.parameters, path: 'ima-budget' };
	}
	list.push(wf('queueImaBudget01', 'queue: Loop Over Items → Create Task (a budget of one task) → Wait 70 s', budget.nodes, budget.connections));
	return list;
}

module.exports = { all };
