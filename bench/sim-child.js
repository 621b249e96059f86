'use strict';
/**
 * The IMA simulator in its own process, driven over IPC by bench/run.js, so that the process
 * whose memory is measured runs n8n and the node only (the simulator's own sockets and buffers
 * are not counted). Never prints the API key: it goes to the parent over IPC only.
 *
 * Messages in:  {id, cmd: 'reset' | 'queueTask' | 'summary' | 'setRateLimit' | 'watchStreams' |
 *               'stopWatchStreams' | 'summaryProducts' | 'withoutEet' | 'close', arg}
 * Arguments: <speed> [simulator options as JSON, e.g. '{"eet": false}'].
 * `withoutEet` {category}: serves the category's versions without their EET tags (until reset),
 * so the node checks them at a fixed interval, as before the expected-time schedule.
 * Messages out: {type: 'ready', sim: {baseUrl, uploadBaseUrl, cdnBaseUrl, apiKey, speed}} once,
 *               then {id, ok, value | error} per command.
 */
const { startSimulator } = require('../test/simulator');

/** What the bench needs from the request record and the tasks, without headers or bodies. */
function summary(sim) {
	/** @type {Record<string, number>} */
	const byRoute = {};
	/** @type {Record<string, number>} */
	const productListByCategory = {};
	/** @type {Record<string, number>} */
	const detailByTask = {};
	/** Every task-detail request: task, arrival time (ms), and whether a rate limit answered it 429. */
	const detailChecks = [];
	/** Every media GET on the CDN: path and arrival time (ms). */
	const mediaGets = [];
	for (const r of sim.requests) {
		if (r.route === 'media') mediaGets.push({ path: r.path, time: r.time });
		byRoute[r.route] = (byRoute[r.route] || 0) + 1;
		if (r.route === 'productList') {
			const c = String((r.query && r.query.category) || '?');
			productListByCategory[c] = (productListByCategory[c] || 0) + 1;
		}
		if (r.route === 'detail' && r.body && typeof r.body === 'object') {
			const id = String(r.body.task_id);
			detailByTask[id] = (detailByTask[id] || 0) + 1;
			detailChecks.push({ taskId: id, time: r.time, limited: Boolean(r.limited) });
		}
	}
	const tasks = [...sim.tasks.values()].map((t) => ({
		id: t.id,
		taskType: t.taskType,
		modelVersion: t.modelVersion,
		createdAt: t.createdAt,
		durationMs: t.durationMs,
		expectedSec: t.expectedSec,
		mediaBytes: t.behaviour && t.behaviour.mediaBytes,
	}));
	const uploads = [...sim.uploads.values()].map((u) => ({ key: u.key, contentType: u.contentType, size: u.size }));
	return { byRoute, productListByCategory, detailByTask, detailChecks, mediaGets, tasks, uploads, creditsCharged: sim.creditsCharged, requestCount: sim.requests.length };
}

/** Samples `sim.openMediaStreams` (media bodies still being sent) until stopped: how many at once. */
function streamWatch(sim, everyMs = 5) {
	const w = { max: 0, maxAt: undefined, samples: 0, firstOpenAt: undefined, lastOpenAt: undefined };
	const tick = () => {
		const n = sim.openMediaStreams;
		w.samples++;
		if (n > 0) {
			w.firstOpenAt ??= Date.now();
			w.lastOpenAt = Date.now();
		}
		if (n > w.max) {
			w.max = n;
			w.maxAt = Date.now();
		}
	};
	const timer = setInterval(tick, everyMs);
	return {
		stop() {
			clearInterval(timer);
			tick();
			return w;
		},
	};
}

async function main() {
	const speed = Number(process.argv[2]) || 100;
	const options = process.argv[3] ? JSON.parse(process.argv[3]) : {};
	const sim = await startSimulator({ ...options, speed });
	let watch;
	process.on('message', async (msg) => {
		const { id, cmd, arg } = msg || {};
		try {
			let value;
			if (cmd === 'reset') sim.reset();
			else if (cmd === 'queueTask') sim.queueTask(arg);
			else if (cmd === 'summary') value = summary(sim);
			else if (cmd === 'setRateLimit') sim.setRateLimit(arg.route, arg.limit);
			else if (cmd === 'summaryProducts') {
				value = sim.products(arg.category).map((v) => {
					const tag = (v.tags || []).find((t) => t && t.tag_type === 'EET');
					return { id: v.id, eet: tag ? String(tag.tag_value) : undefined };
				});
			} else if (cmd === 'withoutEet') {
				const versions = sim.products(arg.category).map((v) => ({ ...v, tags: (v.tags || []).filter((t) => t && t.tag_type !== 'EET') }));
				sim.setProductList(arg.category, versions);
			}
			else if (cmd === 'watchStreams') {
				if (watch) watch.stop();
				watch = streamWatch(sim, arg && arg.everyMs);
			} else if (cmd === 'stopWatchStreams') {
				value = watch ? watch.stop() : undefined;
				watch = undefined;
			}
			else if (cmd === 'close') {
				await sim.close();
				process.send({ id, ok: true });
				process.disconnect();
				return;
			} else throw new Error(`unknown command ${cmd}`);
			process.send({ id, ok: true, value });
		} catch (error) {
			process.send({ id, ok: false, error: String((error && error.message) || error) });
		}
	});
	process.on('disconnect', () => {
		sim.close().finally(() => process.exit(0));
	});
	process.send({
		type: 'ready',
		sim: { baseUrl: sim.baseUrl, uploadBaseUrl: sim.uploadBaseUrl, cdnBaseUrl: sim.cdnBaseUrl, apiKey: sim.apiKey, speed: sim.speed },
	});
}

main().catch((error) => {
	console.error(`sim-child: ${error && error.message}`);
	process.exit(1);
});
