/** Status checks sized to IMA's expected time: the EET tag, the schedule, the learner. */
import * as fs from 'fs';
import * as path from 'path';

import {
	checkPlan,
	eetOf,
	ExpectedTimeLearner,
	firstCheckAt,
	learnerFor,
	nextCheckAt,
	parseEet,
	preWindowChecks,
	SCHEDULE,
	type CheckPlan,
	type ExpectedTime,
} from '../../nodes/Ima/helpers/checkSchedule';
import { pollTask } from '../../nodes/Ima/helpers/polling';

const s = (lo: number, hi: number): ExpectedTime => ({ startMs: lo * 1000, endMs: hi * 1000 });

describe('parseEet: the EET tag value', () => {
	test.each([
		['150~210s', s(150, 210)],
		['20~35s', s(20, 35)],
		[' 10 ~ 20 s ', s(10, 20)],
		['20-35s', s(20, 35)],
		['20–35s', s(20, 35)],
		['1~2min', s(60, 120)],
		['90s~2min', s(90, 120)],
		['2~3 minutes', s(120, 180)],
		['0.75~1.05s', s(0.75, 1.05)],
		['30s', s(30, 30)],
		['~30s', s(0, 30)],
		['30', s(30, 30)],
		['210~150s', s(150, 210)],
		[45, s(45, 45)],
	])('%p', (value, expected) => {
		const got = parseEet(value)!;
		expect(got.startMs).toBeCloseTo(expected.startMs, 6);
		expect(got.endMs).toBeCloseTo(expected.endMs, 6);
	});

	test.each([[''], ['fast'], ['~'], ['0s'], ['0~0s'], ['-5~10s'], ['10~20 parsecs'], ['1~2~3s'], ['2~3 days'], ['999999s'], [null], [undefined], [{}], ['5s'.repeat(40)]])(
		'%p is not a window',
		(value) => {
			expect(parseEet(value)).toBeUndefined();
		},
	);

	test('every EET tag of the real product lists is read, and kinds are where the issue says', () => {
		const dir = path.join(__dirname, '../simulator/products');
		const windows: Record<string, ExpectedTime[]> = {};
		for (const file of ['products_text_to_image.json', 'products_text_to_video.json', 'products_text_to_speech.json', 'products_text_to_music.json']) {
			const versions = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Array<{ tags?: Array<{ tag_type: string; tag_value: string }> }>;
			for (const v of versions) {
				const tagged = (v.tags ?? []).some((t) => t.tag_type === 'EET');
				const w = eetOf(v);
				expect(Boolean(w)).toBe(tagged);
				if (w) (windows[file] ??= []).push(w);
			}
		}
		const range = (file: string) => [Math.min(...windows[file].map((w) => w.startMs)) / 1000, Math.max(...windows[file].map((w) => w.endMs)) / 1000];
		expect(range('products_text_to_video.json')).toEqual([90, 720]);
		expect(range('products_text_to_image.json')).toEqual([20, 90]);
		expect(range('products_text_to_speech.json')).toEqual([10, 20]);
	});

	test('eetOf: the first readable EET tag; other tags and odd entries ignored', () => {
		expect(eetOf({ tags: [{ tag_type: 'point', tag_value: '29~195' }, null, { tag_type: 'eet', tag_value: 'soon' }, { tag_type: 'EET', tag_value: '20~40s' }] })).toEqual(s(20, 40));
		expect(eetOf({ tags: [{ tag_type: 'point', tag_value: '29~195' }] })).toBeUndefined();
		expect(eetOf({ tags: 'EET' })).toBeUndefined();
		expect(eetOf(undefined)).toBeUndefined();
	});
});

/** Every planned check from the create until `until` ms, following nextCheckAt. */
function checksUntil(plan: CheckPlan, until: number): number[] {
	const out: number[] = [];
	let at = firstCheckAt(plan, 0);
	while (at <= until) {
		out.push(at);
		at = nextCheckAt(plan, at);
	}
	return out;
}

describe('the schedule of one task', () => {
	const video = checkPlan(s(150, 210), 8000);

	test('a 150~210 s video at 8 s: one check before the window, every 8 s inside, a back-off after it', () => {
		expect(preWindowChecks(video)).toEqual([75_000]);
		const checks = checksUntil(video, 400_000);
		expect(checks.slice(0, 9)).toEqual([75_000, 158_000, 166_000, 174_000, 182_000, 190_000, 198_000, 206_000, 214_000]);
		const gaps = checks.slice(8).map((at, i) => checks[i + 9] - at).filter((g) => !Number.isNaN(g));
		// 12 s, 18 s, 27 s, then 32 s (4 intervals) for ever.
		expect(gaps.slice(0, 5)).toEqual([12_000, 18_000, 27_000, 32_000, 32_000]);
	});

	test('checks per task ≤ 0.4 × a fixed 8 s schedule, for a task done anywhere in the window', () => {
		for (let d = 150_000; d <= 210_000; d += 1000) {
			const eet = checksUntil(video, 1e9).findIndex((at) => at >= d) + 1;
			const fixed = Math.floor(d / 8000) + 2; // checks at 0, 8, 16 … the first at or after d
			expect(eet).toBeLessThanOrEqual(Math.ceil(0.4 * fixed));
			// Seen within one interval of finishing.
			const seen = checksUntil(video, 1e9).find((at) => at >= d)!;
			expect(seen - d).toBeLessThanOrEqual(8000);
		}
	});

	test('an image (20~35 s at 3 s): no check before the window (it opens within 16 intervals)', () => {
		const image = checkPlan(s(20, 35), 3000);
		expect(preWindowChecks(image)).toEqual([]);
		expect(checksUntil(image, 36_000)).toEqual([23_000, 26_000, 29_000, 32_000, 35_000]);
	});

	test('a Poll Interval the user set is the gap inside the window and never exceeded after it', () => {
		const plan = checkPlan(s(150, 210), 8000, 5000);
		const checks = checksUntil(plan, 400_000);
		const after = checks.filter((at) => at > 155_000);
		for (let i = 1; i < after.length; i++) expect(after[i] - after[i - 1]).toBe(5000);
		// Before the window: half, a quarter… of 150 s, down to 8 intervals (40 s).
		expect(checks.filter((at) => at < 150_000)).toEqual([75_000]);
	});

	test('a late check does not shift the ones after it (grid), and two checks are at least half an interval apart', () => {
		expect(nextCheckAt(video, 158_000 + 7000)).toBe(174_000);
		expect(nextCheckAt(video, 158_000 + 1000)).toBe(166_000);
		expect(nextCheckAt(video, 165_999)).toBe(174_000);
	});

	test('the first check: the next planned one, or at once when the window has already ended', () => {
		expect(firstCheckAt(video, 0)).toBe(75_000);
		expect(firstCheckAt(video, 75_000)).toBe(75_000);
		expect(firstCheckAt(video, 100_000)).toBe(158_000);
		expect(firstCheckAt(video, 160_000)).toBe(166_000);
		expect(firstCheckAt(video, 3_600_000)).toBe(3_600_000);
	});

	test('far past the window the back-off stays at its ceiling (closed form, no long loop)', () => {
		const at = nextCheckAt(video, 86_400_000);
		expect(at - 86_400_000).toBeGreaterThanOrEqual(4000);
		expect(at - 86_400_000).toBeLessThanOrEqual(32_000 + 4000);
	});

	test('a point window, a window from 0, a tiny interval', () => {
		expect(checksUntil(checkPlan(s(30, 30), 3000), 40_000)).toEqual([33_000, 37_500]);
		expect(preWindowChecks(checkPlan(s(480, 720), 8000))).toEqual([120_000, 240_000]);
		expect(checksUntil(checkPlan(s(0, 10), 3000), 12_000)).toEqual([3000, 6000, 9000, 12_000]);
		const tiny = checkPlan(s(0.1, 0.2), 100);
		expect(checksUntil(tiny, 400)).toEqual([200, 350]);
	});
});

describe('learning from finished tasks', () => {
	const tag = s(20, 35);

	test('no task yet: the tag', () => {
		expect(new ExpectedTimeLearner().window(tag)).toEqual(tag);
	});

	test('a task seen done before the window opened: next time the window opens where it was last seen running', () => {
		const l = new ExpectedTimeLearner();
		l.record({ pendingAt: 8000, doneAt: 12_000 }, tag);
		expect(l.window(tag)).toEqual({ startMs: 8000, endMs: 35_000 });
		const plan = checkPlan(l.window(tag), 3000);
		expect(firstCheckAt(plan, 0)).toBe(11_000);
	});

	test('a task never seen running but done at its first check before the window: the window opens at 0', () => {
		const l = new ExpectedTimeLearner();
		l.record({ doneAt: 10_000 }, tag);
		expect(l.window(tag).startMs).toBe(0);
	});

	test('three tasks, none seen running once the window had opened: it opens earlier', () => {
		const l = new ExpectedTimeLearner();
		for (const pendingAt of [9000, 7000, 10_000]) l.record({ pendingAt, doneAt: 23_000 }, tag);
		expect(l.window(tag).startMs).toBe(7000);
		// One task seen running inside the window: the tag holds again.
		l.record({ pendingAt: 26_000, doneAt: 29_000 }, tag);
		expect(l.window(tag).startMs).toBe(20_000);
	});

	test('a task still running past the end extends the window; tasks inside it change nothing', () => {
		const l = new ExpectedTimeLearner();
		l.record({ pendingAt: 26_000, doneAt: 29_000 }, tag);
		expect(l.window(tag)).toEqual(tag);
		l.record({ pendingAt: 44_000, doneAt: 47_000 }, tag);
		expect(l.window(tag)).toEqual({ startMs: 20_000, endMs: 44_000 });
	});

	test('a task first checked long after it finished teaches nothing', () => {
		const l = new ExpectedTimeLearner();
		l.record({ doneAt: 3_600_000 }, tag);
		l.record({ doneAt: Number.NaN }, tag);
		l.record({ pendingAt: 50_000, doneAt: 40_000 }, tag); // pending after done: only "done at 40 s" kept, which says nothing
		expect(l.size).toBe(0);
		expect(l.window(tag)).toEqual(tag);
	});

	test(`only the last ${SCHEDULE.samples} tasks count`, () => {
		const l = new ExpectedTimeLearner();
		l.record({ pendingAt: 1000, doneAt: 4000 }, tag);
		for (let i = 0; i < SCHEDULE.samples; i++) l.record({ pendingAt: 27_000, doneAt: 30_000 }, tag);
		expect(l.size).toBe(SCHEDULE.samples);
		expect(l.window(tag)).toEqual(tag);
	});

	test('one learner per key in the process; the least recently used dropped past the limit', () => {
		const a = learnerFor('unit|text_to_image|a');
		expect(learnerFor('unit|text_to_image|a')).toBe(a);
		for (let i = 0; i < SCHEDULE.versions; i++) learnerFor(`unit|fill|${i}`);
		expect(learnerFor('unit|text_to_image|a')).not.toBe(a);
	});
});

describe('pollTask on a schedule (a clock the test controls)', () => {
	const busy = { resource_status: 0, status: 'processing' };
	const ok = { resource_status: 1, status: 'success', url: 'https://cdn.example/a.png' };

	test('reads at the planned times only, and sees the task in the read after it finished', async () => {
		let now = 0;
		const doneAt = 170_000;
		const reads: number[] = [];
		const plan = checkPlan(s(150, 210), 8000);
		const state = await pollTask({
			taskId: 't',
			fetchDetail: async () => {
				reads.push(now);
				return { id: 't', medias: [now >= doneAt ? ok : busy] };
			},
			sleep: async (ms) => {
				now += ms;
			},
			now: () => now,
			isCancelled: () => false,
			intervalMs: 8000,
			deadline: 2_400_000,
			firstDelayMs: firstCheckAt(plan, 0),
			nextDelayMs: () => nextCheckAt(plan, now) - now,
		});
		expect(state.state).toBe('done');
		expect(reads).toEqual([75_000, 158_000, 166_000, 174_000]);
	});

	test('never past the deadline: a last look at it, then the timeout with the task id', async () => {
		let now = 0;
		const reads: number[] = [];
		const plan = checkPlan(s(150, 210), 8000);
		await expect(
			pollTask({
				taskId: 'late-task',
				fetchDetail: async () => {
					reads.push(now);
					return { id: 't', medias: [busy] };
				},
				sleep: async (ms) => {
					now += ms;
				},
				now: () => now,
				isCancelled: () => false,
				intervalMs: 8000,
				deadline: 100_000,
				firstDelayMs: firstCheckAt(plan, 0),
				nextDelayMs: () => nextCheckAt(plan, now) - now,
			}),
		).rejects.toThrow(/late-task/);
		expect(reads).toEqual([75_000, 100_000]);
	});

	test('a first wait past the deadline still ends in one read at the deadline', async () => {
		let now = 0;
		const reads: number[] = [];
		const state = await pollTask({
			taskId: 't',
			fetchDetail: async () => {
				reads.push(now);
				return { id: 't', medias: [ok] };
			},
			sleep: async (ms) => {
				now += ms;
			},
			now: () => now,
			isCancelled: () => false,
			intervalMs: 8000,
			deadline: 10_000,
			firstDelayMs: 60_000,
		});
		expect(state.state).toBe('done');
		expect(reads).toEqual([10_000]);
	});
});
