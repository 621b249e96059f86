/**
 * When to check a task, sized to IMA's expected time. Pure: no n8n, no HTTP, no clock (times are
 * given, in ms since the task was created).
 *
 * IMA's product list tags every model version with its expected generation time (a `tags[]`
 * entry with `tag_type` "EET", e.g. "150~210s"). A task of that version is checked:
 * - before the window opens: at half the time to the window, a quarter, an eighth… down to
 *   8 poll intervals after the create (none when the window opens within 16 intervals: most
 *   images, speech and music);
 * - inside the window: every poll interval (the first one a poll interval after it opens);
 * - past its end: a gentle back-off, each gap 1.5 times the last, up to 4 poll intervals, or up to
 *   the Poll Interval the user set (a Poll Interval the user sets is never exceeded once the
 *   window has opened).
 * The window is learned per model version, in the process, from tasks that finished: a model IMA
 * runs faster than its tag says opens its window earlier next time; one that runs past the end of
 * its tag has its window extended. A version without an EET tag is checked at a fixed interval
 * from the start, as before.
 */
import type { ImaTag } from './types';

/** The window in which a task is expected to finish, in ms since its create. */
export interface ExpectedTime {
	startMs: number;
	endMs: number;
}

/** The scheduling constants (documented in docs/notes/eet.md). */
export const SCHEDULE = {
	/** No check before the window closer to the create than this many poll intervals. */
	preWindowFloor: 8,
	/** Past the window, each gap is this factor times the last… */
	backoffFactor: 1.5,
	/** …up to this many poll intervals (when the user set no Poll Interval). */
	backoffCap: 4,
	/** Two checks are at least this fraction of a poll interval apart. */
	minGap: 0.5,
	/** Finished tasks remembered per model version. */
	samples: 20,
	/** Model versions remembered per process. */
	versions: 500,
};

/** The longest expected time the node believes (a tag above it is ignored): one day. */
const MAX_EXPECTED_MS = 86_400_000;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000, m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000, h: 3_600_000, hr: 3_600_000, hour: 3_600_000, hours: 3_600_000 };

/**
 * An EET tag value as a window: "150~210s" → 150–210 s; also "20-35s", "1~2min", "90s~2min",
 * "0.75~1.05s", "30s" (a point), "~30s" (up to 30 s). Undefined when it cannot be read, or is
 * negative, zero or longer than a day.
 */
export function parseEet(value: unknown): ExpectedTime | undefined {
	if (typeof value !== 'string' && typeof value !== 'number') return undefined;
	const text = String(value).trim().toLowerCase();
	if (!text || text.length > 60) return undefined;
	const parts = text.split(/\s*(?:~|～|–|—|-|to)\s*/);
	if (parts.length > 2) return undefined;
	const re = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/;
	const read: Array<RegExpExecArray | null> = [];
	for (const p of parts) {
		if (p === '') {
			read.push(null);
			continue;
		}
		const m = re.exec(p);
		if (!m || (m[2] !== '' && UNIT_MS[m[2]] === undefined)) return undefined;
		read.push(m);
	}
	if (read.every((m) => m === null)) return undefined;
	// A unit on one side only applies to both ("150~210s"); none at all means seconds.
	const unitOf = (m: RegExpExecArray | null) => (m && m[2] ? UNIT_MS[m[2]] : undefined);
	const shared = unitOf(read[read.length - 1]) ?? unitOf(read[0]) ?? 1000;
	const ms = read.map((m) => (m === null ? null : Number(m[1]) * (unitOf(m) ?? shared)));
	const first = ms[0];
	const second = ms.length === 1 ? first : ms[1];
	let lo = first ?? 0;
	let hi = second ?? lo;
	if (!Number.isFinite(lo) || !Number.isFinite(hi)) return undefined;
	if (lo > hi) [lo, hi] = [hi, lo];
	if (hi <= 0 || hi > MAX_EXPECTED_MS) return undefined;
	return { startMs: lo, endMs: hi };
}

/** The expected time of a model version (its EET tag), if it has a readable one. */
export function eetOf(version: { tags?: unknown } | undefined): ExpectedTime | undefined {
	const tags = Array.isArray(version?.tags) ? (version!.tags as ImaTag[]) : [];
	for (const tag of tags) {
		if (!tag || typeof tag !== 'object') continue;
		if (String(tag.tag_type ?? '').trim().toUpperCase() !== 'EET') continue;
		const eet = parseEet(tag.tag_value);
		if (eet) return eet;
	}
	return undefined;
}

/** The checks of one task. */
export interface CheckPlan {
	/** Where the task is expected to finish (the tag, as learned). */
	window: ExpectedTime;
	/** The gap between checks inside the window (the poll interval). */
	intervalMs: number;
	/** The longest gap once the window has opened (back-off ceiling). */
	maxGapMs: number;
}

/**
 * The plan for a task: `userIntervalMs` (the Poll Interval the user set, else undefined) is the
 * gap inside the window and the longest gap after it opens; without it, the kind's default
 * interval inside, and a back-off up to `SCHEDULE.backoffCap` intervals past the end.
 */
export function checkPlan(window: ExpectedTime, intervalMs: number, userIntervalMs?: number): CheckPlan {
	const interval = userIntervalMs !== undefined && userIntervalMs > 0 ? userIntervalMs : intervalMs;
	const maxGap = userIntervalMs !== undefined && userIntervalMs > 0 ? userIntervalMs : interval * SCHEDULE.backoffCap;
	return { window, intervalMs: interval, maxGapMs: Math.max(interval, maxGap) };
}

/** Checks before the window opens, ascending (ms since the create). */
export function preWindowChecks(plan: CheckPlan): number[] {
	const floor = plan.intervalMs * SCHEDULE.preWindowFloor;
	const out: number[] = [];
	for (let at = plan.window.startMs / 2; at >= floor && out.length < 40; at /= 2) out.unshift(at);
	return out;
}

/**
 * When to check next (ms since the create), after a check at `elapsedMs`: the first planned
 * check at least half a poll interval later. Grid-based: a check that came late (the budget, a
 * busy machine) does not shift the ones after it.
 */
export function nextCheckAt(plan: CheckPlan, elapsedMs: number): number {
	const I = plan.intervalMs;
	const { startMs: a, endMs: b } = plan.window;
	const t = Math.max(0, elapsedMs) + I * SCHEDULE.minGap;
	for (const at of preWindowChecks(plan)) if (at >= t) return at;
	// Inside the window: a + I, a + 2I, … up to the first grid point at or past its end.
	const last = a + Math.max(1, Math.ceil((b - a) / I)) * I;
	if (t <= last) return a + Math.max(1, Math.ceil((t - a) / I)) * I;
	// Past it: gaps growing by the back-off factor up to the ceiling.
	let at = last;
	let gap = I;
	while (gap < plan.maxGapMs) {
		gap = Math.min(plan.maxGapMs, gap * SCHEDULE.backoffFactor);
		at += gap;
		if (at >= t) return at;
	}
	return at + Math.ceil((t - at) / plan.maxGapMs) * plan.maxGapMs;
}

/**
 * The first planned check at or after `elapsedMs` (ms since the create); at once when the window
 * has already ended (a task waited for late is most likely done).
 */
export function firstCheckAt(plan: CheckPlan, elapsedMs: number): number {
	if (elapsedMs >= plan.window.endMs) return Math.max(0, elapsedMs);
	return nextCheckAt(plan, elapsedMs - plan.intervalMs * SCHEDULE.minGap);
}

/** What one finished task showed: when it was last seen running, when first seen done. */
export interface Observation {
	/** ms since the create of the last check that saw it running (undefined: never seen running). */
	pendingAt?: number;
	/** ms since the create of the first check that saw it done. */
	doneAt: number;
}

/**
 * The finished tasks of one model version (the last `SCHEDULE.samples`), and the window they
 * suggest for its EET tag.
 */
export class ExpectedTimeLearner {
	private readonly samples: Observation[] = [];

	get size(): number {
		return this.samples.length;
	}

	/**
	 * Remembers a finished task. A task never seen running tells something only when it was seen
	 * done before its window opened (IMA ran it faster than its tag); anything else (a task first
	 * checked long after it finished) is ignored.
	 */
	record(o: Observation, tag: ExpectedTime): void {
		if (!Number.isFinite(o.doneAt) || o.doneAt < 0) return;
		const pendingAt = o.pendingAt !== undefined && Number.isFinite(o.pendingAt) && o.pendingAt >= 0 && o.pendingAt < o.doneAt ? o.pendingAt : undefined;
		if (pendingAt === undefined && o.doneAt > tag.startMs) return;
		this.samples.push({ pendingAt, doneAt: o.doneAt });
		if (this.samples.length > SCHEDULE.samples) this.samples.shift();
	}

	/**
	 * The window for a tag, given the tasks seen:
	 * - a task seen done at or before the window opened: the window opens at the last moment such a
	 *   task was still running (the earliest of them; 0 when it was never seen running);
	 * - three or more tasks and none of them seen running once the window had opened: IMA finishes
	 *   them before it, the window opens at the earliest last-running moment;
	 * - a task still running after the window's end: the end moves there.
	 */
	window(tag: ExpectedTime): ExpectedTime {
		let start = tag.startMs;
		let end = tag.endMs;
		const s = this.samples;
		if (!s.length) return { ...tag };
		const lowest = (list: Observation[]) => {
			const seen = list.filter((o) => o.pendingAt !== undefined).map((o) => o.pendingAt as number);
			return seen.length ? Math.min(...seen) : 0;
		};
		const early = s.filter((o) => o.doneAt <= tag.startMs);
		if (early.length) start = Math.min(start, lowest(early));
		else if (s.length >= 3 && s.every((o) => (o.pendingAt ?? 0) < tag.startMs)) start = Math.min(start, lowest(s));
		for (const o of s) if (o.pendingAt !== undefined && o.pendingAt > end) end = o.pendingAt;
		return { startMs: start, endMs: Math.max(start, end) };
	}
}

const learners = new Map<string, ExpectedTimeLearner>();

/** The learner of a model version in this process (keyed by base URL, task type and version id). */
export function learnerFor(key: string): ExpectedTimeLearner {
	let l = learners.get(key);
	if (l) {
		// Most recently used last, so the oldest is dropped first.
		learners.delete(key);
		learners.set(key, l);
		return l;
	}
	l = new ExpectedTimeLearner();
	learners.set(key, l);
	while (learners.size > SCHEDULE.versions) learners.delete(learners.keys().next().value as string);
	return l;
}

/** Forgets every learned window (tests). */
export function clearLearned(): void {
	learners.clear();
}
