/**
 * Issue 17, part 3: a media download that stalls is cut after Request Timeout without progress
 * and resumed from the last byte received (Range), at most 3 times; the stored file is exactly
 * the served one. Real WorkflowExecute, the simulator's CDN over real HTTP; assertions on the
 * bytes stored and on what the simulator recorded (requests, Range headers), never on elapsed time.
 * Every run is on the test's clock (`runThroughStalls`): a stall passes when the test moves the
 * clock, once the node has read every byte the simulator sent, so a cut always falls exactly
 * where the server stopped, however slow the machine.
 */
/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-var-requires */
import { createHash } from 'crypto';
import { createReadStream } from 'fs';

import type { IDataObject } from 'n8n-workflow';

import { generate, linear, model, run, until, useSimulator, withClock, type Sim, type TestClock } from './setup';

const { binaryPath } = require('../harness/engine');
const { mediaBody } = require('../simulator/media');

const env = useSimulator();
let sim: Sim;
beforeEach(() => {
	sim = env.sim;
});

const MB = 1024 * 1024;

/** A Generate of a video whose file is `bytes` long and position-dependent (mediaPattern). */
function video(bytes: number, options: IDataObject) {
	sim.queueTask({ mediaBytes: bytes, mediaPattern: true });
	return linear(generate({ taskType: 'text_to_video', model: model('kling-v2-6') }, options));
}

async function sha256(source: AsyncIterable<unknown> | Buffer): Promise<string> {
	const hash = createHash('sha256');
	if (Buffer.isBuffer(source)) hash.update(source);
	else for await (const chunk of source) hash.update(chunk as Buffer);
	return hash.digest('hex');
}

/** The sha256 of the file the simulator serves for a patterned video of `bytes`. */
async function servedSha256(bytes: number): Promise<string> {
	return await sha256(mediaBody('video', bytes, true).open());
}

const mediaRequests = () => sim.requests.filter((r: any) => r.route === 'media');
const ranges = () => mediaRequests().map((r: any) => r.headers.range);
const firstTaskId = () => [...sim.tasks.keys()][0] as string;

/** Every byte the simulator wrote on the node's connections has been read by the node. */
function caughtUp(clock: TestClock): boolean {
	const served = new Map<number | undefined, any>([...(sim._sockets as Set<any>)].map((s) => [s.remotePort, s]));
	for (const c of clock.sockets as Set<any>) {
		const s = served.get(c.localPort);
		if (s && !s.destroyed && !c.destroyed && c.bytesRead !== s.bytesWritten) return false;
	}
	return true;
}

/**
 * Runs a workflow on the test clock. The clock steps on its own over the node's waits while no
 * request is open; a stalled media answer stays open, so there the test moves it: once the last
 * media answer has stalled and the node has read every byte sent, time goes to the node's next
 * wait (the stall watchdog's, then its 1 ms turn for pending I/O), until the run ends.
 */
async function runThroughStalls(wf: IDataObject, extra: IDataObject = {}): Promise<any> {
	return await withClock(async (clock) => {
		sim.setClock(clock); // the simulator's trickles too (reset() gives it its own clock back)
		let done = false;
		const running = run(sim, wf, extra).finally(() => {
			done = true;
		});
		const stalled = () => mediaRequests().at(-1)?.stalledAfter !== undefined;
		while (!done) {
			await until(() => done || (stalled() && clock.pending().length > 0 && caughtUp(clock)));
			if (done) break;
			clock.advanceToNext();
			await new Promise((r) => setImmediate(r));
		}
		return await running;
	});
}

describe('a stalled download is resumed from the last byte received', () => {
	test('a 300 MB video cut twice mid-body arrives byte-exact, streamed to the filesystem store with bounded memory', async () => {
		const size = 300 * MB;
		sim.fault({ route: 'media', kind: 'stall', afterBytes: 100 * MB, times: 2 });
		const wf = video(size, { requestTimeout: 1 });
		const base = process.memoryUsage().rss;
		let peak = base;
		const sampler = setInterval(() => {
			peak = Math.max(peak, process.memoryUsage().rss);
		}, 20);
		let result: any;
		try {
			result = await runThroughStalls(wf, { binaryDataMode: 'filesystem' });
		} finally {
			clearInterval(sampler);
		}
		expect(result.error?.message).toBeUndefined();
		// The Range requests pick up exactly where each cut answer stopped.
		expect(ranges()).toEqual([undefined, `bytes=${100 * MB}-`, `bytes=${200 * MB}-`]);
		expect(mediaRequests().map((r: any) => [r.status, r.stalledAfter])).toEqual([
			[200, 100 * MB],
			[206, 100 * MB],
			[206, undefined],
		]);
		const binary = result.outputs.IMA[0].binary.data;
		expect(binary.id).toBeTruthy(); // written to disk as it arrived, not held inline
		expect(binary.bytes).toBe(size);
		expect(await sha256(createReadStream(binaryPath(binary)))).toBe(await servedSha256(size));
		// The node never holds the file: memory grows by a fraction of it.
		expect(peak - base).toBeLessThan(150 * MB);
	});

	test.each(['default', 'filesystem'])('a server without Range support: read again from byte 0, the bytes already stored dropped (%s binary mode)', async (binaryDataMode) => {
		const size = 3 * MB;
		sim.setRangeRequests(false);
		sim.fault({ route: 'media', kind: 'stall', afterBytes: MB + 17 });
		const result = await runThroughStalls(video(size, { requestTimeout: 0.5 }), { binaryDataMode });
		expect(result.error?.message).toBeUndefined();
		expect(ranges()).toEqual([undefined, `bytes=${MB + 17}-`]);
		expect(mediaRequests().map((r: any) => r.status)).toEqual([200, 200]);
		const bytes: Buffer = await result.readBinary(result.outputs.IMA[0].binary.data);
		expect(bytes.length).toBe(size);
		expect(await sha256(bytes)).toBe(await servedSha256(size));
	});

	test('a trickle below 1 KB/s is cut like a hang and resumed from the last byte received', async () => {
		const size = 2 * MB;
		sim.fault({ route: 'media', kind: 'stall', afterBytes: MB, mode: 'trickle', trickle: { bytes: 10, everyMs: 100 } });
		const result = await runThroughStalls(video(size, { requestTimeout: 0.5 }));
		expect(result.error?.message).toBeUndefined();
		const [first, second] = mediaRequests() as any[];
		expect(mediaRequests()).toHaveLength(2);
		expect(first.stalledAfter).toBe(MB);
		// 10 bytes at 100, 200 … 500 ms of the shared clock: 50 bytes in the 0.5 s window, under
		// 1 KB/s; cut then (501 ms, after its 1 ms turn), before the next piece, and resumed after
		// the trickled bytes too.
		expect(second.headers.range).toBe(`bytes=${MB + 50}-`);
		expect(second.status).toBe(206);
		const bytes: Buffer = await result.readBinary(result.outputs.IMA[0].binary.data);
		expect(await sha256(bytes)).toBe(await servedSha256(size));
	});
});

describe('a resumed answer is checked before a byte of it is used', () => {
	test.each([
		['start', 'a Content-Range that does not start at the byte asked for'],
		['missing', 'no Content-Range at all'],
	])("a server that lies (%s: %s): its ranges are dropped, the file is read again from 0 and stored exactly", async (lie) => {
		const size = 3 * MB;
		sim.fault({ route: 'media', kind: 'stall', afterBytes: MB });
		sim.fault({ route: 'media', kind: 'lie', lie });
		const result = await runThroughStalls(video(size, { requestTimeout: 0.5 }));
		expect(result.error?.message).toBeUndefined();
		// 1st: cut; 2nd: the lie (not used); 3rd: the whole file again, without Range
		expect(ranges()).toEqual([undefined, `bytes=${MB}-`, undefined]);
		expect(mediaRequests().map((r: any) => r.status)).toEqual([200, 206, 200]);
		const bytes: Buffer = await result.readBinary(result.outputs.IMA[0].binary.data);
		expect(bytes.length).toBe(size);
		expect(await sha256(bytes)).toBe(await servedSha256(size));
	});

	test.each([
		['etag', 'another ETag and Last-Modified'],
		['total', 'another total size in Content-Range'],
	])('%s (%s) between parts: the file changed, so it is stored again from byte 0', async (lie) => {
		const size = 3 * MB;
		sim.fault({ route: 'media', kind: 'stall', afterBytes: MB });
		sim.fault({ route: 'media', kind: 'lie', lie });
		const result = await runThroughStalls(video(size, { requestTimeout: 0.5 }), { binaryDataMode: 'filesystem' });
		expect(result.error?.message).toBeUndefined();
		expect(ranges()).toEqual([undefined, `bytes=${MB}-`, undefined]);
		const binary = result.outputs.IMA[0].binary.data;
		expect(binary.bytes).toBe(size);
		expect(await sha256(createReadStream(binaryPath(binary)))).toBe(await servedSha256(size));
	});
});

describe('a download that never recovers', () => {
	test('fails after 3 resumes with the task id and the media URL; Download Timeout was never reached', async () => {
		sim.fault({ route: 'media', kind: 'stall', afterBytes: 1000, times: Infinity });
		const wf = video(MB, { requestTimeout: 0.2 });
		wf.nodes[1].onError = 'continueRegularOutput';
		const result = await runThroughStalls(wf);
		// The first answer and 3 resumes, each from the last byte received; no 5th request.
		expect(ranges()).toEqual([undefined, 'bytes=1000-', 'bytes=2000-', 'bytes=3000-']);
		// Each answer cut when 0.2 s passed without progress (and the 1 ms turn for pending I/O).
		const times = mediaRequests().map((r: any) => r.time as number);
		expect(times.slice(1).map((t: number, i: number) => t - times[i])).toEqual([201, 201, 201]);
		const out = result.outputs.IMA[0].json;
		expect(out.taskId).toBe(firstTaskId());
		expect(out.error).toContain(firstTaskId());
		expect(out.error).toMatch(/did not recover after 3 resumes: no progress \(under 1 KB\/s\) for 0\.2 s \(4000 bytes of 1 MB received\)/);
		const url = `${sim.cdnBaseUrl}/media/${encodeURIComponent(firstTaskId())}/0.mp4`;
		expect(out.description).toContain(`The media is at ${url}`);
	});

	test('with the defaults it is the Request Timeout, not the 30-minute Download Timeout, that bounds a stall', async () => {
		// Download Timeout stays at its default (1800 s): only the stall bound can end this run.
		sim.fault({ route: 'media', kind: 'stall', afterBytes: 1, times: Infinity });
		const result = await runThroughStalls(video(MB, { requestTimeout: 0.2 }));
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(/did not recover after 3 resumes/);
		expect(mediaRequests()).toHaveLength(4);
	});
});
