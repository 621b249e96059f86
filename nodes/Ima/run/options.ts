/**
 * The node's Options collection, read and checked per item. A value that is present but not
 * usable (an expression that gave "abc", "", null, an object, a number out of bounds) is refused
 * with an error naming the option, before anything is sent to IMA: nothing is coerced into a
 * paid call.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { HostListError, parseHostList, type HostRule } from '../helpers/hosts';
import { inputError } from './errors';

export interface RunOptions {
	n: number;
	binaryPropertyName: string;
	download: boolean;
	downloadCover: boolean;
	/** Seconds; 0 = by kind. */
	pollInterval: number;
	/** Seconds; 0 = by kind. */
	timeout: number;
	concurrency: number;
	/** Seconds. */
	requestTimeout: number;
	/** The most credits this node may spend in one execution; 0 = no limit. */
	maxCredits: number;
	/** Bytes; the largest media file the node downloads. */
	maxDownloadBytes: number;
	/** Seconds; the longest one media download may take. */
	downloadTimeout: number;
	/** 'media': one item per media; 'summary': one short item per task (AI Agent tools). */
	output: 'media' | 'summary';
	/** Model Settings (JSON): settings for a model chosen by expression or by an AI Agent. */
	modelSettingsJson: Record<string, unknown>;
	/** Additional Parameters (JSON): merged into the nested parameters (see helpers/createBody.ts). */
	additionalParameters: Record<string, unknown>;
	/** Allowed Private Media Hosts: hosts media may come from although they are not public (transport/urlGuard.ts). */
	allowedMediaHosts?: HostRule[];
}

/** Bounds of the numeric options (documented in the README). */
export const OPTION_BOUNDS = {
	n: { min: 1, max: 4, integer: true, label: 'Outputs per Task' },
	pollInterval: { min: 0.1, max: 3600, zero: true, label: 'Poll Interval (Seconds)' },
	timeout: { min: 0.1, max: 86_400, zero: true, label: 'Timeout (Seconds)' },
	concurrency: { min: 1, max: 50, integer: true, label: 'Max Items at Once' },
	requestTimeout: { min: 0.1, max: 3600, label: 'Request Timeout (Seconds)' },
	maxCredits: { min: 0, max: 1e9, label: 'Max Credits per Run' },
	maxDownloadSize: { min: 1, max: 1_048_576, label: 'Max Download Size (MB)' },
	downloadTimeout: { min: 1, max: 86_400, label: 'Download Timeout (Seconds)' },
	uploadTimeout: { min: 1, max: 86_400, label: 'Upload Timeout (Seconds)' },
} as const;

export const DEFAULTS = {
	n: 1,
	pollInterval: 0,
	timeout: 0,
	concurrency: 5,
	requestTimeout: 60,
	maxCredits: 0,
	maxDownloadSize: 2048,
	downloadTimeout: 1800,
	uploadTimeout: 300,
};

type NumericOption = keyof typeof OPTION_BOUNDS;

/**
 * A numeric option: absent → the default; a number or a numeric string → checked against its
 * bounds; anything else → an error naming the option.
 */
export function readNumber(options: IDataObject, name: NumericOption): number {
	const bounds = OPTION_BOUNDS[name] as { min: number; max: number; integer?: boolean; zero?: boolean; label: string };
	const fallback = DEFAULTS[name];
	if (!Object.prototype.hasOwnProperty.call(options, name) || options[name] === undefined) return fallback;
	const raw = options[name];
	const parameter = `options.${name}`;
	const shown = typeof raw === 'string' ? `"${raw.slice(0, 40)}"` : raw === null ? 'null' : typeof raw === 'object' ? 'an object' : String(raw);
	let value: number | undefined;
	if (typeof raw === 'number') value = raw;
	else if (typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(Number(raw.trim()))) value = Number(raw.trim());
	const range = `${bounds.zero ? `0 (the default) or ` : ''}${bounds.integer ? 'a whole number' : 'a number'} from ${bounds.min} to ${bounds.max}`;
	if (value === undefined || !Number.isFinite(value)) {
		throw inputError(parameter, `${bounds.label} must be ${range}, got ${shown}`);
	}
	if (bounds.zero && value === 0) return 0;
	if ((bounds.integer && !Number.isInteger(value)) || value < bounds.min || value > bounds.max) {
		throw inputError(parameter, `${bounds.label} must be ${range}, got ${shown}`);
	}
	return value;
}

function readBoolean(options: IDataObject, name: string, fallback: boolean): boolean {
	if (!Object.prototype.hasOwnProperty.call(options, name) || options[name] === undefined) return fallback;
	const raw = options[name];
	if (typeof raw === 'boolean') return raw;
	if (raw === 'true' || raw === 'false') return raw === 'true';
	throw inputError(`options.${name}`, `Option ${name} must be true or false, got ${JSON.stringify(raw)?.slice(0, 40)}`);
}

/**
 * A JSON-object option: absent or empty → {}; a JSON text or an object from an expression → its
 * own keys (a null-prototype copy: "__proto__" or "constructor" are plain keys); anything else →
 * an error naming the option, before anything is sent.
 */
export function readJsonObject(options: IDataObject, name: string, label: string): Record<string, unknown> {
	const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
	if (!Object.prototype.hasOwnProperty.call(options, name)) return out;
	let raw: unknown = options[name];
	if (raw === undefined || raw === null) return out;
	if (typeof raw === 'string') {
		if (raw.trim() === '') return out;
		try {
			raw = JSON.parse(raw) as unknown;
		} catch (error) {
			throw inputError(`options.${name}`, `${label} is not valid JSON: ${(error as Error).message.slice(0, 120)}`, 'Write a JSON object, e.g. {"duration": 10}.');
		}
	}
	if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
		const what = Array.isArray(raw) ? 'a list' : raw === null ? 'null' : `a ${typeof raw}`;
		throw inputError(`options.${name}`, `${label} must be a JSON object such as {"duration": 10}, got ${what}`);
	}
	for (const key of Object.keys(raw)) out[key] = (raw as IDataObject)[key];
	return out;
}

/** Whether n8n runs this node as an AI Agent tool (the tool variant's type ends in "Tool"). */
export function isToolCall(ctx: IExecuteFunctions): boolean {
	return /Tool$/.test(String(ctx.getNode().type ?? ''));
}

function optionsOf(ctx: IExecuteFunctions, itemIndex: number): IDataObject {
	const o = ctx.getNodeParameter('options', itemIndex, {}) as unknown;
	return o && typeof o === 'object' && !Array.isArray(o) ? (o as IDataObject) : {};
}

/** The options of one item, checked; throws an ItemError naming the option. */
export function readOptions(ctx: IExecuteFunctions, itemIndex: number): RunOptions {
	const o = optionsOf(ctx, itemIndex);
	const rawName = o.binaryPropertyName;
	if (rawName !== undefined && rawName !== null && typeof rawName !== 'string') {
		throw inputError('options.binaryPropertyName', 'Put Output in Field must be a text such as "data"');
	}
	const binaryPropertyName = String(rawName ?? 'data').trim() || 'data';
	const chosen = String(o.output ?? 'auto');
	if (!['auto', 'media', 'summary'].includes(chosen)) {
		throw inputError('options.output', `Output Format "${chosen.slice(0, 40)}" is not known. Allowed values: auto, media, summary`);
	}
	const output = chosen === 'media' || chosen === 'summary' ? chosen : isToolCall(ctx) ? 'summary' : 'media';
	// Used for the whole execution (executionOptions); a bad value is refused here, by name.
	readNumber(o, 'uploadTimeout');
	return {
		n: readNumber(o, 'n'),
		binaryPropertyName,
		output,
		// A summary is for a language model: media are attached only when asked for.
		download: readBoolean(o, 'download', output === 'media'),
		downloadCover: readBoolean(o, 'downloadCover', false),
		pollInterval: readNumber(o, 'pollInterval'),
		timeout: readNumber(o, 'timeout'),
		concurrency: readNumber(o, 'concurrency'),
		requestTimeout: readNumber(o, 'requestTimeout'),
		maxCredits: readNumber(o, 'maxCredits'),
		maxDownloadBytes: readNumber(o, 'maxDownloadSize') * 1024 * 1024,
		downloadTimeout: readNumber(o, 'downloadTimeout'),
		modelSettingsJson: readJsonObject(o, 'modelSettingsJson', 'Model Settings (JSON)'),
		additionalParameters: readJsonObject(o, 'additionalParameters', 'Additional Parameters (JSON)'),
		allowedMediaHosts: readHostList(o),
	};
}

/** Allowed Private Media Hosts, read and checked (a bad entry fails the item before anything is sent). */
export function readHostList(options: IDataObject): HostRule[] {
	const raw = options.allowedMediaHosts;
	if (raw === undefined || raw === null || raw === '') return [];
	if (typeof raw !== 'string' && !Array.isArray(raw)) {
		throw inputError('options.allowedMediaHosts', 'Allowed Private Media Hosts must be text such as "cdn.example.internal, 10.20.0.0/16"');
	}
	let failure: unknown;
	try {
		return parseHostList(raw);
	} catch (error) {
		failure = error;
	}
	if (!(failure instanceof HostListError)) throw failure;
	const hint = 'Write host names, IP addresses, *.domain or CIDR ranges (e.g. 10.20.0.0/16), separated by commas.';
	throw inputError('options.allowedMediaHosts', `Allowed Private Media Hosts: ${failure.message}`, hint);
}

/**
 * What the client of the whole execution needs (request timeout, concurrency) from item 0,
 * leniently: a bad value there is reported by that item's own `readOptions`.
 */
export function executionOptions(ctx: IExecuteFunctions): { concurrency: number; requestTimeout: number; uploadTimeout: number } {
	const o = quiet(() => optionsOf(ctx, 0)) ?? {};
	const safe = (name: 'concurrency' | 'requestTimeout' | 'uploadTimeout') => quiet(() => readNumber(o, name)) ?? DEFAULTS[name];
	return { concurrency: safe('concurrency'), requestTimeout: safe('requestTimeout'), uploadTimeout: safe('uploadTimeout') };
}

/** The options of Upload Image, checked (a bad value fails the item before its upload). */
export function readUploadOptions(ctx: IExecuteFunctions, itemIndex: number): { concurrency: number; requestTimeout: number; uploadTimeout: number } {
	const o = optionsOf(ctx, itemIndex);
	return { concurrency: readNumber(o, 'concurrency'), requestTimeout: readNumber(o, 'requestTimeout'), uploadTimeout: readNumber(o, 'uploadTimeout') };
}

/** The Task ID of an item (Wait for Result, Check Task): text or a number; empty or an object is refused. */
export function readTaskId(ctx: IExecuteFunctions, itemIndex: number): string {
	const hint = 'Map the taskId of a Create Task step, e.g. {{ $json.taskId }}.';
	const raw = ctx.getNodeParameter('taskId', itemIndex, '') as unknown;
	if (raw !== null && raw !== undefined && typeof raw !== 'string' && typeof raw !== 'number') {
		throw inputError('taskId', `Task ID must be text, but its expression gave ${Array.isArray(raw) ? 'a list' : 'an object'}`, hint);
	}
	const taskId = String(raw ?? '').trim();
	if (!taskId) throw inputError('taskId', 'Task ID is empty', hint);
	return taskId;
}

/**
 * Max Credits per Run is one limit for the whole execution: the smallest non-zero value any item
 * sets (an expression that gives 0 for some items never lifts the limit the others set). Values
 * that are not usable are refused by that item's own `readOptions`.
 */
export function executionMaxCredits(ctx: IExecuteFunctions): number {
	const count = Math.max(1, quiet(() => ctx.getInputData().length) ?? 1);
	let limit = 0;
	for (let i = 0; i < count; i++) {
		const value = quiet(() => readNumber(optionsOf(ctx, i), 'maxCredits')) ?? 0;
		if (value > 0 && (limit === 0 || value < limit)) limit = value;
	}
	return limit;
}

/** What `read` gives, or undefined when it throws (n8n's context may not have it). */
export function quiet<T>(read: () => T): T | undefined {
	try {
		return read();
	} catch {
		return undefined;
	}
}
