/**
 * The status-check budget: every task-detail request of this process goes through the budget of
 * its credential (API base URL + key), so a big batch, or several executions on one worker, stay
 * within a rate however many tasks they wait for. Pure: the clock and the sleep are given.
 *
 * The budget learns (additive increase, multiplicative decrease):
 * - it starts at `startPerSecond` checks per second;
 * - at most that many checks go in any window of one second (a sliding window, so a few tasks
 *   due at once go together, and no second ever holds more than the budget in force);
 * - while IMA answers without 429 and checks had to wait for the budget (it is what limits them),
 *   it grows by about one check per second every second, up to `capPerSecond`;
 * - on a 429 it halves (once per congestion: the 429s of checks sent before the cut do not halve
 *   it again), never below `floorPerSecond`, and nobody sends for the time IMA asked (Retry-After,
 *   at most 2 minutes; 1 s when IMA does not say). A 429 never fails a task: the check waits and
 *   goes again.
 */

export const STATUS_BUDGET = {
	/** Checks per second per credential in one process, at first. */
	startPerSecond: 10,
	/** The most it grows to while IMA answers without 429. */
	capPerSecond: 50,
	/** The least it halves to. */
	floorPerSecond: 1,
	/** The window the budget counts in (ms), plus a margin for timers and the network. */
	windowMs: 1000,
	marginMs: 50,
	/** The pause after a 429 without Retry-After, and the longest pause honoured (ms). */
	pauseMs: 1000,
	maxPauseMs: 120_000,
	/** Rate changes kept in `history`. */
	history: 1000,
};

export type StatusBudgetOptions = typeof STATUS_BUDGET;

/** One check's place in the budget, for reporting its answer. */
export interface BudgetTicket {
	/** When it was let through (the budget's clock). */
	sentAt: number;
	/** Whether it had to wait because the window was full (the budget limited it). */
	limited: boolean;
}

export class StatusBudget {
	private rate: number;
	/** Times of the checks let through in the current window, ascending. */
	private readonly sent: number[] = [];
	/** Waiters in arrival order (first come, first served). */
	private readonly queue: object[] = [];
	private pausedUntil = 0;
	private lastCutAt = Number.NEGATIVE_INFINITY;
	/** Every change of the whole-number budget: `{at, perSecond}` (the last `history` ones). */
	readonly history: Array<{ at: number; perSecond: number }> = [];

	constructor(
		private readonly now: () => number = () => Date.now(),
		readonly options: StatusBudgetOptions = STATUS_BUDGET,
	) {
		this.rate = options.startPerSecond;
		this.history.push({ at: now(), perSecond: this.limit });
	}

	/** The budget in force (checks per second; fractional while it grows). */
	get perSecond(): number {
		return this.rate;
	}

	/** Checks allowed in any one-second window now. */
	get limit(): number {
		return Math.max(1, Math.floor(this.rate));
	}

	private get span(): number {
		return this.options.windowMs + this.options.marginMs;
	}

	private prune(t: number): void {
		while (this.sent.length && this.sent[0] <= t - this.span) this.sent.shift();
	}

	/**
	 * How long the waiter at `position` (0 = first in line) must wait before its check may go.
	 * 0 = now.
	 */
	waitFor(position = 0): number {
		const t = this.now();
		this.prune(t);
		let ready = Math.max(t, this.pausedUntil);
		const i = this.sent.length - this.limit + position;
		if (i >= 0) ready = Math.max(ready, (this.sent[Math.min(i, this.sent.length - 1)] ?? t) + this.span);
		return Math.max(0, ready - t);
	}

	/**
	 * Waits for this check's turn; resolves with its ticket, or undefined when `cancelled()` turned
	 * true meanwhile. `sleep` must return early when the execution is cancelled.
	 */
	async acquire(sleep: (ms: number) => Promise<void>, cancelled: () => boolean = () => false): Promise<BudgetTicket | undefined> {
		const me = {};
		this.queue.push(me);
		let limited = false;
		try {
			for (;;) {
				if (cancelled()) return undefined;
				const position = this.queue.indexOf(me);
				const t = this.now();
				const wait = this.waitFor(position);
				if (wait <= 0) {
					this.queue.splice(position, 1);
					const last = this.sent.length ? this.sent[this.sent.length - 1] : t;
					this.sent.push(Math.max(t, last));
					return { sentAt: t, limited };
				}
				if (t >= this.pausedUntil) limited = true;
				await sleep(wait);
			}
		} finally {
			const at = this.queue.indexOf(me);
			if (at >= 0) this.queue.splice(at, 1);
		}
	}

	private note(): void {
		const last = this.history[this.history.length - 1];
		if (last && last.perSecond === this.limit) return;
		this.history.push({ at: this.now(), perSecond: this.limit });
		if (this.history.length > this.options.history) this.history.shift();
	}

	/** IMA answered the check (anything but a 429): the budget grows if it was what limited it. */
	answered(ticket: BudgetTicket | undefined): void {
		if (!ticket?.limited) return;
		if (this.now() < this.pausedUntil) return;
		this.rate = Math.min(this.options.capPerSecond, this.rate + 1 / this.rate);
		this.note();
	}

	/** IMA answered 429: nobody sends for `retryAfterMs` (the default pause when IMA did not say); the budget halves. */
	rateLimited(ticket: BudgetTicket | undefined, retryAfterMs?: number): void {
		const t = this.now();
		const asked = retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs >= 0 ? retryAfterMs : this.options.pauseMs;
		this.pausedUntil = Math.max(this.pausedUntil, t + Math.min(asked, this.options.maxPauseMs));
		// The 429s of checks sent before the last cut belong to the same congestion.
		if (ticket && ticket.sentAt < this.lastCutAt) return;
		this.rate = Math.max(this.options.floorPerSecond, this.rate / 2);
		this.lastCutAt = t;
		this.note();
	}
}

const budgets = new Map<string, StatusBudget>();

/** The process-wide budget of a credential (keyed by a fingerprint, never the key itself). */
export function budgetFor(credentialKey: string): StatusBudget {
	let b = budgets.get(credentialKey);
	if (!b) {
		b = new StatusBudget();
		budgets.set(credentialKey, b);
	}
	return b;
}

/** Every credential's budget in this process (diagnostics: the benchmark reads their history). */
export function allBudgets(): StatusBudget[] {
	return [...budgets.values()];
}

/** Forgets every budget (tests and benchmarks start from the documented start). */
export function clearBudgets(): void {
	budgets.clear();
}
