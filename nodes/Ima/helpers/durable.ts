/**
 * The part of the money memory that n8n keeps with the execution itself, not in this process.
 *
 * Why: n8n parks an execution that waits 65 s or more (a Wait node) in its database and resumes it
 * later in a new run of its engine, after a restart of n8n, or on another worker in queue mode.
 * Anything kept in process memory is gone then; what a node writes into its execution context
 * (`this.getContext('node')`) is stored with the parked execution and given back on resume (and
 * to an execution that n8n retries from its executions list). So what Max Credits per Run needs
 * lives there: the credits committed, the smallest limit set, and which task each item of the
 * node's latest run created.
 *
 * Stored in n8n's database, so: plain JSON, small (bounded whatever the number of loop runs), and
 * nothing secret (no prompt, no key: a task id that carries the key is never stored).
 * Pure: no n8n, no HTTP.
 */
import { createHash } from 'crypto';

/** The key of this state in the node's execution context. */
export const CONTEXT_KEY = 'imaMoney';
/** At most this many items of the latest run are remembered in the execution. */
export const MAX_DURABLE_ITEMS = 1000;
/** A longer task id is not stored (the item is remembered as "may have a task"). */
export const MAX_DURABLE_TASK_ID = 256;
/** Body fingerprints kept per item (a price reload can change the body once). */
export const MAX_HASHES = 4;

/** What the creates of one item did, as far as the next process needs to know. */
export interface DurableCreate {
	/** The task a create of this item made (the latest). */
	t?: string;
	/** IMA's deadline of that task (ms), when known. */
	d?: number;
	/** Creates whose outcome is unknown: sent (or in flight) without a usable answer. */
	u: number;
	/** Short fingerprints of the create bodies (sha-256, 16 hex digits). */
	h: string[];
}

export interface DurableMoney {
	v: 1;
	/** Credits committed by this node in this execution: charged, or possibly charged. */
	committed: number;
	/** The smallest non-zero Max Credits per Run set in this execution so far (0 = none). */
	limit: number;
	/** The node run whose items are listed in `items` (-1 = none). */
	run: number;
	/** The creates of that run by item index. Emptied when the run ends without an error. */
	items: Record<string, DurableCreate>;
}

export function emptyMoney(): DurableMoney {
	return { v: 1, committed: 0, limit: 0, run: -1, items: {} };
}

/** The smaller of two limits where 0 means "none": a 0 never lifts a limit. */
export function smallestLimit(a: number, b: number): number {
	if (!(a > 0)) return b > 0 ? b : 0;
	if (!(b > 0)) return a;
	return Math.min(a, b);
}

/** A short, one-way fingerprint (nothing of the prompt can be read from it). */
export function shortHash(text: string): string {
	return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);

/**
 * The state as stored, checked: anything that is not this shape gives undefined; odd fields are
 * dropped (a number that is not finite counts as 0).
 */
export function readMoney(raw: unknown): DurableMoney | undefined {
	if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
	const r = raw as Record<string, unknown>;
	if (r.v !== 1) return undefined;
	const money: DurableMoney = { v: 1, committed: count(r.committed), limit: count(r.limit), run: typeof r.run === 'number' && Number.isInteger(r.run) ? r.run : -1, items: {} };
	const items = r.items && typeof r.items === 'object' && !Array.isArray(r.items) ? (r.items as Record<string, unknown>) : {};
	for (const key of Object.keys(items).slice(0, MAX_DURABLE_ITEMS)) {
		if (!/^\d{1,9}$/.test(key)) continue;
		const rec = items[key] as Record<string, unknown> | null;
		if (!rec || typeof rec !== 'object') continue;
		const out: DurableCreate = { u: Math.floor(count(rec.u)), h: Array.isArray(rec.h) ? rec.h.filter((x): x is string => typeof x === 'string').slice(-MAX_HASHES) : [] };
		if (typeof rec.t === 'string' && rec.t && rec.t.length <= MAX_DURABLE_TASK_ID) out.t = rec.t;
		if (count(rec.d)) out.d = count(rec.d);
		if (out.t || out.u) money.items[key] = out;
	}
	return money;
}

/**
 * Two views of one execution's state (this process's and the stored one): never less committed,
 * never a larger limit. The item records of the later run win.
 */
export function mergeMoney(a: DurableMoney, b: DurableMoney): DurableMoney {
	const run = Math.max(a.run, b.run);
	const items = a.run === b.run ? { ...b.items, ...a.items } : run === a.run ? a.items : b.items;
	return { v: 1, committed: Math.max(a.committed, b.committed), limit: smallestLimit(a.limit, b.limit), run, items: { ...items } };
}
