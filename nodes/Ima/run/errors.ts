/**
 * The one error model of an item. An ItemError carries what a user needs to recover, by
 * construction: the task id (and every task id the item created in this execution), IMA's code,
 * and whether IMA may have charged for it. It becomes n8n's error once, in `toNodeError`.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { SettingsError } from '../helpers/formFields';
import type { TaskState } from '../helpers/polling';
import { ImaClient, ImaRequestError } from '../transport';

/** What the failure means for the user's credits. */
export type Charge = 'none' | 'maybe' | 'charged';

export interface ItemErrorDetails {
	description?: string;
	taskId?: string;
	/** Every task this item created in this execution (Retry On Fail keeps one, but be explicit). */
	taskIds?: string[];
	imaCode?: number;
	httpCode?: number;
	api?: boolean;
	/** The parameter at fault (bad input, refused before any paid call). */
	parameter?: string;
	charge?: Charge;
	/** Output items that were finished before the failure (n > 1): nothing finished is thrown away. */
	partial?: INodeExecutionData[];
	/** The task's last known state when a wait ended early (a timeout): its finished media are kept. */
	lastState?: TaskState;
}

/** An item's failure with what the user needs to recover: above all the task id. */
export class ItemError extends Error {
	readonly details: ItemErrorDetails;
	constructor(message: string, details: ItemErrorDetails = {}) {
		super(message);
		this.name = 'ItemError';
		const taskIds = [...new Set([...(details.taskIds ?? []), ...(details.taskId ? [details.taskId] : [])])];
		this.details = { ...details, taskIds };
	}
}

/** Bad input: named parameter, nothing sent, nothing charged. */
export function inputError(parameter: string, message: string, hint?: string): ItemError {
	return new ItemError(message, {
		parameter,
		charge: 'none',
		description: `Parameter: ${parameter}.${hint ? ` ${hint}` : ''} Nothing was sent to IMA and nothing was charged.`,
	});
}

export function describeTask(taskId: string): string {
	return `Task ID: ${taskId}. The task is not lost: fetch its result later with the IMA node's "Wait for Result" operation and this task ID.`;
}

/** Wraps any failure after a task exists so that it carries the task id. */
export function withTaskId(error: unknown, taskId: string, _client?: ImaClient): ItemError {
	if (error instanceof ItemError) {
		if (error.details.taskId) return error;
		return new ItemError(error.message, {
			...error.details,
			taskId,
			charge: error.details.charge ?? 'charged',
			description: [error.details.description, describeTask(taskId)].filter(Boolean).join(' '),
		});
	}
	if (error instanceof ImaRequestError) {
		return new ItemError(`${error.message} (task ${taskId})`, {
			taskId,
			api: true,
			charge: 'charged',
			imaCode: error.info.imaCode,
			httpCode: error.info.httpStatus,
			description: [error.info.description, describeTask(taskId)].filter(Boolean).join(' '),
		});
	}
	const message = error instanceof Error ? error.message : String(error);
	return new ItemError(`${message} (task ${taskId})`, { taskId, charge: 'charged', description: describeTask(taskId) });
}

/** Adds the ids of every task the item created in this execution (earlier tries included). */
export function withItemTasks(error: unknown, taskIds: string[]): unknown {
	if (!taskIds.length) return error;
	const all = [...new Set([...(error instanceof ItemError ? error.details.taskIds ?? [] : []), ...taskIds])];
	if (error instanceof ItemError) {
		const known = error.details.taskIds ?? [];
		if (all.length === known.length) return error;
		return new ItemError(error.message, { ...error.details, taskIds: all });
	}
	return error;
}

/**
 * Converts whatever an item threw into the n8n error users see. The API key is removed where the
 * error leaves the node (run/exit.ts), from every field of it.
 */
export function toNodeError(ctx: IExecuteFunctions, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	const node = ctx.getNode();
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		error.context = { ...(error.context ?? {}), itemIndex };
		return error;
	}
	if (error instanceof SettingsError) {
		return new NodeOperationError(node, error.message, {
			itemIndex,
			description: `Parameter: ${error.parameter}. Nothing was sent to IMA and nothing was charged.`,
		});
	}
	if (error instanceof ImaRequestError) {
		return new NodeApiError(
			node,
			{ message: error.message, code: error.info.imaCode ?? null, httpStatus: error.info.httpStatus ?? null } as JsonObject,
			{
				message: error.message,
				description: error.info.description,
				httpCode: error.info.httpStatus ? String(error.info.httpStatus) : error.info.imaCode !== undefined ? String(error.info.imaCode) : undefined,
				itemIndex,
			},
		);
	}
	if (error instanceof ItemError) {
		const d = error.details;
		const ids = d.taskIds ?? [];
		const others = ids.filter((id) => id !== d.taskId);
		const description = [d.description, others.length ? `Every task this item created in this execution: ${ids.join(', ')}.` : undefined]
			.filter(Boolean)
			.join(' ');
		const e = d.api
			? new NodeApiError(
					node,
					{ message: error.message, code: d.imaCode ?? null, taskId: d.taskId ?? null } as JsonObject,
					{
						message: error.message,
						description,
						httpCode: d.httpCode ? String(d.httpCode) : d.imaCode !== undefined ? String(d.imaCode) : undefined,
						itemIndex,
					},
				)
			: new NodeOperationError(node, error.message, { itemIndex, description });
		const taskId = d.taskId ?? ids[ids.length - 1];
		if (taskId) e.context = { ...(e.context ?? {}), taskId };
		if (ids.length > 1) e.context = { ...(e.context ?? {}), taskIds: ids };
		if (d.charge) e.context = { ...(e.context ?? {}), charge: d.charge };
		return e;
	}
	const message = error instanceof Error ? error.message : String(error);
	return new NodeOperationError(node, message || 'Unknown error', { itemIndex });
}

/** The json of a Continue On Fail item. */
export function errorJson(error: NodeApiError | NodeOperationError, source: unknown): IDataObject {
	const json: IDataObject = { error: error.message };
	if (error.description) json.description = error.description;
	const details = source instanceof ItemError ? source.details : undefined;
	const taskId = details?.taskId ?? details?.taskIds?.[details.taskIds.length - 1] ?? (error.context?.taskId as string | undefined);
	if (taskId) json.taskId = taskId;
	if (details?.taskIds && details.taskIds.length > 1) json.taskIds = details.taskIds;
	if (details?.imaCode !== undefined) json.code = details.imaCode;
	if (details?.charge) json.charged = details.charge;
	if (source instanceof ImaRequestError && source.info.imaCode !== undefined) json.code = source.info.imaCode;
	return json;
}
