'use strict';
/**
 * Shared pieces of the benchmark: parameters, workflow builders (the real node and the seed
 * baseline get the very same parameters), child-process plumbing and RSS sampling.
 */
const fs = require('node:fs');
const path = require('node:path');
const { fork } = require('node:child_process');

const REPO = path.resolve(__dirname, '..');
const BENCH_PACKAGE = path.join(__dirname, 'fixture-package');

/** Simulated-time factor: a task of D simulated seconds is done after D/SPEED real seconds. */
const SPEED = 30;

const PARAMS = {
	speed: SPEED,
	/** Scenario 1/2: a video model the seed's create (credit_rules[0] + form defaults) also gets right. */
	taskType: 'text_to_video',
	model: 'kling-video-o1',
	/** The simulator's default video duration (simulated s) and IMA's video poll interval (8 s, the node's and the Python example's). */
	videoSeconds: 60,
	videoPollSeconds: 8,
	manyItems: 20,
	/** 1-item runs repeated, median taken. */
	oneItemRepeats: 3,
	/** Scenario 3/4. */
	bigBytes: 500 * 1024 * 1024,
	/** Editor session: the user's (virtual) pause before each action, seconds; 0 = a quick session. */
	editorThinkSeconds: [0, 20],
	/** RSS sampling period (ms). */
	sampleMs: 10,
};
/** Real seconds between polls, scaled like the task durations. */
PARAMS.pollInterval = PARAMS.videoPollSeconds / SPEED;

const TYPES = {
	node: 'n8n-nodes-ima.ima',
	baseline: 'n8n-nodes-ima-bench.imaBaseline',
	bigFile: 'n8n-nodes-ima-bench.benchBigFile',
};
const TRIGGER = "When clicking 'Execute workflow'";
const IMA = 'IMA';

const trigger = () => ({ id: 't', name: TRIGGER, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} });

/** trigger → IMA (real node or baseline), with the given parameters. */
function imaWorkflow(impl, parameters) {
	const nodes = [
		trigger(),
		{
			id: 'ima',
			name: IMA,
			type: TYPES[impl],
			typeVersion: 1,
			position: [250, 0],
			parameters,
			credentials: { imaApi: { id: 'cred', name: 'IMA account' } },
		},
	];
	return {
		name: `bench ${impl}`,
		nodes,
		connections: { [TRIGGER]: { main: [[{ node: IMA, type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

const model = (value, mode = 'id') => ({ __rl: true, mode, value });

function generateParams({ taskType = PARAMS.taskType, modelId = PARAMS.model, options = {} } = {}) {
	return {
		operation: 'generate',
		taskType,
		model: model(modelId),
		prompt: '={{ $json.prompt }}',
		modelSettings: { mappingMode: 'defineBelow', value: {} },
		options: { pollInterval: PARAMS.pollInterval, ...options },
	};
}

/** Generate over `count` input items (pinned on the trigger). */
function generateWorkflow(impl, count, opts = {}) {
	const wf = imaWorkflow(impl, generateParams(opts));
	wf.pinData = { [TRIGGER]: Array.from({ length: count }, (_, i) => ({ json: { prompt: `a red fox running through snow, take ${i + 1}` } })) };
	return wf;
}

function uploadWorkflow(impl) {
	return imaWorkflow(impl, { operation: 'uploadImage', binaryPropertyName: 'data' });
}

/** trigger → Big File (bench node); with `thenUpload`, → IMA Upload Image too. */
function bigFileWorkflow(size, thenUpload) {
	const nodes = [
		trigger(),
		{ id: 'big', name: 'Big File', type: TYPES.bigFile, typeVersion: 1, position: [250, 0], parameters: { size, fileName: 'big.png', mimeType: 'image/png' } },
	];
	const connections = { [TRIGGER]: { main: [[{ node: 'Big File', type: 'main', index: 0 }]] } };
	if (thenUpload) {
		nodes.push({
			id: 'ima', name: IMA, type: TYPES[thenUpload], typeVersion: 1, position: [500, 0],
			parameters: { operation: 'uploadImage', binaryPropertyName: 'data' },
			credentials: { imaApi: { id: 'cred', name: 'IMA account' } },
		});
		connections['Big File'] = { main: [[{ node: IMA, type: 'main', index: 0 }]] };
	}
	return { name: 'bench big file', nodes, connections, settings: { executionOrder: 'v1' } };
}

function credsFor(sim) {
	return { imaApi: { apiKey: sim.apiKey, baseUrl: sim.baseUrl, uploadBaseUrl: sim.uploadBaseUrl } };
}

/**
 * Forks a child with IPC. `call(cmd, arg)` → its answer (for children that answer {id, ok, value});
 * `next(type | types[])` → the next message of that type; `exited` → its exit code.
 */
function spawnChild(script, args = [], { execArgv = [] } = {}) {
	const child = fork(script, args, { cwd: REPO, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
	let seq = 0;
	const pending = new Map();
	const queue = [];
	const waiters = [];
	child.on('message', (msg) => {
		if (msg && msg.id !== undefined && pending.has(msg.id)) {
			const { resolve, reject } = pending.get(msg.id);
			pending.delete(msg.id);
			if (msg.ok) resolve(msg.value);
			else reject(new Error(msg.error));
			return;
		}
		const w = waiters.findIndex((x) => x.types.includes(msg.type));
		if (w >= 0) waiters.splice(w, 1)[0].resolve(msg);
		else queue.push(msg);
	});
	const exited = new Promise((resolve) => child.on('exit', (code, signal) => {
		const err = new Error(`${path.basename(script)} exited (code ${code}, signal ${signal})`);
		for (const { reject } of pending.values()) reject(err);
		for (const w of waiters) w.reject(err);
		resolve(code);
	}));
	return {
		child,
		exited,
		call(cmd, arg) {
			const id = ++seq;
			return new Promise((resolve, reject) => {
				pending.set(id, { resolve, reject });
				child.send({ id, cmd, arg });
			});
		},
		send(msg) {
			child.send(msg);
		},
		/** The next message whose type is `type` (or one of `type` when an array). */
		next(type) {
			const types = Array.isArray(type) ? type : [type];
			const i = queue.findIndex((m) => types.includes(m.type));
			if (i >= 0) return Promise.resolve(queue.splice(i, 1)[0]);
			return new Promise((resolve, reject) => waiters.push({ types, resolve, reject }));
		},
	};
}

/** Starts bench/sim-child.js (with simulator `options`, e.g. {eet: false}); resolves with {sim, call, close}. */
async function startSimChild(speed = SPEED, options = {}) {
	const c = spawnChild(path.join(__dirname, 'sim-child.js'), [String(speed), JSON.stringify(options)]);
	const ready = await c.next('ready');
	return {
		sim: ready.sim,
		call: c.call,
		async close() {
			try {
				await c.call('close');
			} catch {
				/* already gone */
			}
			await c.exited;
		},
	};
}

/** VmHWM and VmRSS of this process in bytes (Linux), or undefined. */
function procStatus() {
	try {
		const s = fs.readFileSync('/proc/self/status', 'utf8');
		const kb = (name) => {
			const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(s);
			return m ? Number(m[1]) * 1024 : undefined;
		};
		return { hwm: kb('VmHWM'), rss: kb('VmRSS') };
	} catch {
		return {};
	}
}

/** Resets the kernel's peak-RSS mark (VmHWM) to the current RSS (Linux ≥ 4.0). */
function resetPeak() {
	try {
		fs.writeFileSync('/proc/self/clear_refs', '5');
		return true;
	} catch {
		return false;
	}
}

/**
 * Samples process RSS every `ms`; stop() → {maxSampled, samples, hwm, atPeak}. `atPeak` is the
 * full process.memoryUsage() (heap, external, array buffers) taken at the highest sample.
 */
function startSampler(ms = PARAMS.sampleMs) {
	let max = process.memoryUsage.rss();
	let atPeak = process.memoryUsage();
	let samples = 1;
	const sample = () => {
		const r = process.memoryUsage.rss();
		if (r > max) {
			max = r;
			atPeak = process.memoryUsage();
		}
		samples++;
	};
	const timer = setInterval(sample, ms);
	return {
		stop() {
			clearInterval(timer);
			sample();
			return { maxSampled: max, samples, hwm: procStatus().hwm, atPeak };
		},
	};
}

async function settle() {
	for (let i = 0; i < 4; i++) {
		if (global.gc) global.gc();
		await new Promise((r) => setTimeout(r, 50));
	}
}

const MB = 1024 * 1024;

/** In a bench child process: the next IPC message of this type from the parent. */
function nextMessage(type) {
	return new Promise((resolve) => {
		const on = (msg) => {
			if (msg && msg.type === type) {
				process.off('message', on);
				resolve(msg);
			}
		};
		process.on('message', on);
	});
}

module.exports = {
	nextMessage,
	REPO,
	BENCH_PACKAGE,
	SPEED,
	PARAMS,
	TYPES,
	TRIGGER,
	IMA,
	generateWorkflow,
	uploadWorkflow,
	bigFileWorkflow,
	generateParams,
	credsFor,
	spawnChild,
	startSimChild,
	procStatus,
	resetPeak,
	startSampler,
	settle,
	MB,
};
