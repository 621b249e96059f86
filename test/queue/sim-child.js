#!/usr/bin/env node
// The IMA simulator in its own process for `npm run test:queue`, steered over IPC by
// test/queue/run.js (fork): queue task behaviours, faults, read back tasks and request counts.
// Argument: JSON options for startSimulator ({apiKey, speed}). Prints nothing with the key.
'use strict';
const { startSimulator } = require('../simulator');

async function main() {
	const options = JSON.parse(process.argv[2] || '{}');
	const sim = await startSimulator(options);
	const handlers = {
		queueTask: (b) => sim.queueTask(b),
		fault: (spec) => sim.fault(spec),
		counts: () => {
			const by = {};
			for (const r of sim.requests) by[r.route] = (by[r.route] || 0) + 1;
			return by;
		},
		productListRequests: (category) => sim.requests.filter((r) => r.route === 'productList' && (!category || (r.query && r.query.category === category))).map((r) => ({ time: r.time, port: r.remotePort, category: r.query && r.query.category })),
		creates: () => sim.createsReceived().map((r) => ({ time: r.time, taskType: r.body && r.body.task_type, prompt: r.body && r.body.parameters && r.body.parameters[0] && r.body.parameters[0].parameters && r.body.parameters[0].parameters.prompt })),
		tasks: () => [...sim.tasks.values()].map((t) => ({ id: t.id, taskType: t.taskType, prompt: t.prompt, n: t.n, createdAt: t.createdAt, durationMs: t.durationMs, mediaBytes: t.behaviour && t.behaviour.mediaBytes })),
		openMediaStreams: () => sim.openMediaStreams,
		creditsCharged: () => sim.creditsCharged,
	};
	process.on('message', async (msg) => {
		let reply;
		try {
			reply = { id: msg.id, ok: true, value: await handlers[msg.op](...(msg.args || [])) };
		} catch (e) {
			reply = { id: msg.id, ok: false, error: e.message };
		}
		process.send(reply);
	});
	process.on('disconnect', () => sim.close().then(() => process.exit(0)));
	process.on('SIGTERM', () => sim.close().then(() => process.exit(0)));
	process.send({ ready: true, baseUrl: sim.baseUrl, uploadBaseUrl: sim.uploadBaseUrl, cdnBaseUrl: sim.cdnBaseUrl, speed: sim.speed });
}

main().catch((e) => {
	console.error(`simulator: ${e.message}`);
	process.exit(1);
});
