/**
 * The "IMA task created" line in n8n's log: the task id outlives a killed worker there (never
 * the key). It names where the create ran, so a task can be traced to an execution.
 *
 * n8n does not always have an execution yet: its MCP Server Trigger (regular mode) runs the tool
 * inside the webhook request and records the call as an execution of the workflow only after the
 * tool has answered (the IMA node's output, with the task id, is in that execution). Then the line
 * says so and names the workflow and the time instead of an unknown execution id.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { quiet } from '../run/options';

type LogContext = Pick<IExecuteFunctions, 'getNode'> & Partial<Pick<IExecuteFunctions, 'getExecutionId' | 'getWorkflow'>>;

/** Where this run of the node belongs: `execution <id>`, or what is known before there is one. */
export function runLabel(ctx: LogContext, now: Date = new Date()): string {
	const id = quiet(() => ctx.getExecutionId?.());
	if (id !== undefined && id !== null && String(id) !== '') return `execution ${String(id)}`;
	const workflow = quiet(() => ctx.getWorkflow?.());
	const wfId = workflow?.id ? String(workflow.id) : '?';
	const wfName = workflow?.name ? ` "${String(workflow.name).slice(0, 80)}"` : '';
	return `no execution yet: n8n records this call as an execution of workflow ${wfId}${wfName} after it answers; ${now.toISOString()}`;
}

/** The whole log line. */
export function createdLogLine(ctx: LogContext, taskId: string, itemIndex: number, now?: Date): string {
	const node = quiet(() => ctx.getNode().name) ?? '?';
	return `IMA task created: ${taskId} (${runLabel(ctx, now)}, node "${node}", item ${itemIndex})`;
}
