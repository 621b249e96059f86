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
export function withTaskId(error: unknown, taskId: string, client: ImaClient): ItemError {
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
	const message = client.clean(error instanceof Error ? error.message : String(error));
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

/** Converts whatever an item threw into the n8n error users see (never with the API key). */
export function toNodeError(ctx: IExecuteFunctions, error: unknown, itemIndex: number, client?: ImaClient): NodeApiError | NodeOperationError {
	const clean = (s: string | undefined) => (s && client ? client.clean(s) : s);
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
			{ message: clean(error.message) ?? '', code: error.info.imaCode ?? null, httpStatus: error.info.httpStatus ?? null } as JsonObject,
			{
				message: clean(error.message),
				description: clean(error.info.description),
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
					{ message: clean(error.message) ?? '', code: d.imaCode ?? null, taskId: d.taskId ?? null } as JsonObject,
					{
						message: clean(error.message),
						description: clean(description),
						httpCode: d.httpCode ? String(d.httpCode) : d.imaCode !== undefined ? String(d.imaCode) : undefined,
						itemIndex,
					},
				)
			: new NodeOperationError(node, clean(error.message) ?? '', { itemIndex, description: clean(description) });
		const taskId = d.taskId ?? ids[ids.length - 1];
		if (taskId) e.context = { ...(e.context ?? {}), taskId: clean(taskId) };
		if (ids.length > 1) e.context = { ...(e.context ?? {}), taskIds: ids.map((id) => clean(id) ?? id) };
		if (d.charge) e.context = { ...(e.context ?? {}), charge: d.charge };
		return e;
	}
	const message = error instanceof Error ? error.message : String(error);
	return new NodeOperationError(node, clean(message) ?? 'Unknown error', { itemIndex });
}

/**
 * An output item's json with the API key removed from every text in it (a server that echoes the
 * key in a media URL, a model name or a task id must not put it into n8n's run data).
 */
export function cleanJson(json: IDataObject, client?: ImaClient): IDataObject {
	if (!client) return json;
	const seen = new WeakSet<object>();
	const walk = (v: unknown, depth: number): unknown => {
		if (typeof v === 'string') return client.clean(v);
		if (!v || typeof v !== 'object' || depth > 32 || seen.has(v)) return v;
		seen.add(v);
		if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
		const out: IDataObject = {};
		for (const [k, x] of Object.entries(v as IDataObject)) out[k] = walk(x, depth + 1) as IDataObject[string];
		return out;
	};
	return walk(json, 0) as IDataObject;
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
