/**
 * The end of a run of a creating operation (Generate, Create Task): the run's item records leave
 * the stored execution state (n8n never runs a finished run again), and the editor gets the cost at
 * a glance as the node's execution hint.
 */
import type { IExecuteFunctions, INodeExecutionData, NodeExecutionHint } from 'n8n-workflow';

import type { CreateScope } from './scope';

export interface RunCost {
	/** Tasks this run created. */
	created: number;
	/** Credits this run committed. */
	credits: number;
	/** Credits the node committed in the whole execution. */
	committed: number;
	/** Max Credits per Run in force (0 = none). */
	limit: number;
	/** Items of this run that failed before any paid call (nothing sent, nothing charged). */
	refused: number;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The hint's words: short and plain. */
export function costHint(cost: RunCost): NodeExecutionHint {
	let message = `This run: ${plural(cost.created, 'task')} created, ${plural(cost.credits, 'credit')} committed`;
	if (cost.limit > 0) message += ` (${cost.committed} of ${cost.limit} Max Credits per Run used in this execution)`;
	else if (cost.committed !== cost.credits) message += ` (${plural(cost.committed, 'credit')} in this execution)`;
	message += '.';
	if (cost.refused > 0) message += ` ${plural(cost.refused, 'item')} refused before paying.`;
	return { message, type: cost.refused > 0 ? 'warning' : 'info', location: 'outputPane' };
}

/** What this run cost, from the scope and the run's output (error items of Continue On Fail). */
export function runCost(scope: CreateScope, out: INodeExecutionData[]): RunCost {
	const stats = scope.stats;
	const refused = new Set<number>();
	for (const item of out) {
		const paired = item.pairedItem;
		const index = paired && typeof paired === 'object' && !Array.isArray(paired) ? paired.item : undefined;
		if (item.json?.error !== undefined && typeof index === 'number' && !stats?.touched.has(index)) refused.add(index);
	}
	const committed = scope.ledger.committed;
	return {
		created: stats?.created ?? 0,
		credits: Math.max(0, committed - (stats?.committedBefore ?? 0)),
		committed,
		limit: scope.ledger.money.limit,
		refused: refused.size,
	};
}

/** Called when a run ended without throwing: settles its records and shows its cost. */
export function finishRun(ctx: IExecuteFunctions, scope: CreateScope, out: INodeExecutionData[]): void {
	scope.ledger.settleRun(scope.runIndex);
	// Older n8n has no execution hints: nothing to show there.
	if (typeof ctx.addExecutionHints === 'function') ctx.addExecutionHints(costHint(runCost(scope, out)));
}
