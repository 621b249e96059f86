/**
 * The status-check budget: every task-detail request of this process goes through the budget of
 * its credential (API base URL + key), so a big batch, or several executions on one worker, stay
 * within a documented rate however many tasks they wait for. Pure: the clock and the sleep are
 * given.
 *
 * A token bucket that may go into debt: `reserve()` takes a token and says how long to wait for
 * it, so concurrent callers are spread evenly without a timer of its own. A 429 from IMA pushes
 * every caller of that credential back by the time IMA asked for.
 */

export const POLL_BUDGET = {
	/** Sustained task-detail requests per second per credential in one process. */
	perSecond: 10,
	/** Requests that may go at once after a quiet spell. */
	burst: 20,
};

export class RequestBudget {
	private tokens: number;
	private updated: number;

	constructor(
		readonly perSecond: number,
		readonly burst: number,
		private readonly now: () => number = () => Date.now(),
	) {
		this.tokens = burst;
		this.updated = now();
	}

	private refill(): void {
		const t = this.now();
		const elapsed = Math.max(0, t - this.updated);
		this.updated = t;
		this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.perSecond) / 1000);
	}

	/** Takes one request's token; returns the ms to wait before sending it (0 = now). */
	reserve(): number {
		this.refill();
		this.tokens -= 1;
		return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.perSecond);
	}

	/** IMA asked to slow down (429, Retry-After): nobody sends for `ms`. */
	penalize(ms: number): void {
		if (!(ms > 0)) return;
		this.refill();
		this.tokens = Math.min(this.tokens, 0) - (ms * this.perSecond) / 1000;
	}
}

const budgets = new Map<string, RequestBudget>();

/** The process-wide budget of a credential (keyed by a fingerprint, never the key itself). */
export function budgetFor(credentialKey: string): RequestBudget {
	let b = budgets.get(credentialKey);
	if (!b) {
		b = new RequestBudget(POLL_BUDGET.perSecond, POLL_BUDGET.burst);
		budgets.set(credentialKey, b);
	}
	return b;
}
