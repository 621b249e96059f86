/**
 * The node's exits, where the one redaction of the API key (helpers/redact.ts) is applied to
 * everything n8n keeps or shows:
 * - `execute`'s output: every item's json at any depth, object keys included, and its binary
 *   metadata (file name, extension, MIME type, directory; never the bytes or n8n's id);
 * - `execute`'s error: message, description, stack, `messages`, `context`, `cause`,
 *   `errorResponse` and every other field of the error except the node itself;
 * - the editor's model list and Model Settings fields (load-options methods), results and errors.
 * Log lines go through the same function where they are written (`ImaTransport.clean`).
 *
 * Code inside the node may build texts from anything a server sent; none of them leaves without
 * passing here. (Where a text is transformed lossily before it leaves, the redaction is applied
 * before: a task id made safe for a file name, see results/outputItems.ts.)
 */
import type { IBinaryData, IBinaryKeyData, IExecuteFunctions, ILoadOptionsFunctions, INodeExecutionData } from 'n8n-workflow';

import { redact, redactValue } from '../helpers/redact';
import { getImaCredentials } from '../transport';

/** The credential's key, or undefined when the node has none (then nothing can leak it). */
async function secretOf(ctx: IExecuteFunctions | ILoadOptionsFunctions): Promise<string | undefined> {
	try {
		return (await getImaCredentials(ctx)).apiKey || undefined;
	} catch {
		return undefined;
	}
}

/** The text fields of n8n's binary metadata (the bytes, `data`, and n8n's `id` are left alone). */
const BINARY_TEXT = ['fileName', 'fileExtension', 'mimeType', 'directory', 'fileType', 'fileSize'] as const;

function cleanBinary(binary: IBinaryKeyData, secret: string): IBinaryKeyData {
	const out: IBinaryKeyData = {};
	for (const [name, data] of Object.entries(binary)) {
		const copy: Record<string, unknown> = { ...data };
		for (const field of BINARY_TEXT) {
			if (typeof copy[field] === 'string') copy[field] = redact(copy[field] as string, secret);
		}
		out[redact(name, secret)] = copy as unknown as IBinaryData;
	}
	return out;
}

/** An output item with the key removed from its json (any depth, keys too) and binary metadata. */
export function cleanItem(item: INodeExecutionData, secret: string | undefined): INodeExecutionData {
	if (!secret) return item;
	const out: INodeExecutionData = { ...item, json: redactValue(item.json, secret) };
	if (item.binary) out.binary = cleanBinary(item.binary, secret);
	if (item.error) out.error = cleanError(item.error, secret) as INodeExecutionData['error'];
	return out;
}

/**
 * The error with the key removed from every text field it has, in place (n8n keeps the object):
 * own properties, enumerable or not (message, stack), at any depth; `node` is n8n's own.
 */
export function cleanError(error: unknown, secret: string | undefined, seen = new Set<object>()): unknown {
	if (!secret) return error;
	if (typeof error === 'string') return redact(error, secret);
	if (!error || typeof error !== 'object' || seen.has(error)) return error;
	seen.add(error);
	const e = error as Record<string, unknown>;
	for (const name of Object.getOwnPropertyNames(e)) {
		if (name === 'node') continue;
		const d = Object.getOwnPropertyDescriptor(e, name);
		// A data property, or an accessor that can be set: Node 24 makes `stack` an accessor.
		const settable = d && ('value' in d ? d.writable : typeof d.get === 'function' && typeof d.set === 'function');
		if (!d || !settable) continue;
		const v: unknown = 'value' in d ? d.value : e[name];
		if (typeof v === 'string') e[name] = redact(v, secret);
		else if (v instanceof Error) cleanError(v, secret, seen);
		else if (v && typeof v === 'object') e[name] = redactValue(v, secret);
	}
	return error;
}

/** Runs `run` and cleans what leaves it: its result (with `clean`), or its error. */
async function cleaned<T>(ctx: IExecuteFunctions | ILoadOptionsFunctions, run: () => Promise<T>, clean: (out: T, secret: string | undefined) => T): Promise<T> {
	const secret = await secretOf(ctx);
	let out: T;
	try {
		out = await run();
	} catch (error) {
		throw cleanError(error, secret);
	}
	return clean(out, secret);
}

/** Runs `execute` and cleans what leaves it: output items, or the error. */
export async function cleanExecute(ctx: IExecuteFunctions, run: () => Promise<INodeExecutionData[][]>): Promise<INodeExecutionData[][]> {
	return await cleaned(ctx, run, (out, secret) => out.map((branch) => branch.map((item) => cleanItem(item, secret))));
}

/** Runs a load-options method (model list, Model Settings fields) and cleans its result or error. */
export async function cleanLoadOptions<T>(ctx: ILoadOptionsFunctions, run: () => Promise<T>): Promise<T> {
	return await cleaned(ctx, run, (out, secret) => redactValue(out, secret));
}
