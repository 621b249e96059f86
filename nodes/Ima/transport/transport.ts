/**
 * The transport every call is built on: the node's context (n8n's HTTP helpers), the credential,
 * the execution's cancel signal, the timeouts, and the redaction hook (`clean`). Each concern of
 * sending is a file beside it (send, envelope, retry, errors, urlGuard; api, upload, download).
 */
import type { IDataObject, IExecuteFunctions, ILoadOptionsFunctions } from 'n8n-workflow';

import { redact } from '../helpers/redact';
import { cancelledError, type ImaRequestError } from './errors';
import { withRetries } from './retry';

export const CREDENTIAL_TYPE = 'imaApi';

/** A readable stream as n8n's binary helpers take it (no import of 'stream' in node code). */
export type Readable = Exclude<Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0], Buffer>;
export const DEFAULT_BASE_URL = 'https://api.imastudio.com';
export const DEFAULT_UPLOAD_BASE_URL = 'https://imapi.liveme.com';

export type ImaContext = IExecuteFunctions | ILoadOptionsFunctions;

export interface ImaCredentials {
	apiKey: string;
	baseUrl: string;
	uploadBaseUrl: string;
}

const stripSlash = (url: string) => url.replace(/\/+$/, '');

export async function getImaCredentials(ctx: ImaContext): Promise<ImaCredentials> {
	const c = (await ctx.getCredentials(CREDENTIAL_TYPE)) as IDataObject;
	return {
		apiKey: String(c.apiKey ?? '').trim(),
		baseUrl: stripSlash(String(c.baseUrl || DEFAULT_BASE_URL).trim()),
		uploadBaseUrl: stripSlash(String(c.uploadBaseUrl || DEFAULT_UPLOAD_BASE_URL).trim()),
	};
}

/** The execution's cancel signal, where the context has one (older n8n, editor calls: none). */
export function cancelSignalOf(ctx: object): AbortSignal | undefined {
	const c = ctx as { getExecutionCancelSignal?: () => AbortSignal | undefined };
	return typeof c.getExecutionCancelSignal === 'function' ? c.getExecutionCancelSignal() : undefined;
}

export interface ClientOptions {
	signal?: AbortSignal;
	/** Per-request timeout of API calls (ms). */
	requestTimeoutMs?: number;
	/** First retry delay of reads (ms); doubles each time. */
	retryBaseMs?: number;
	/** Attempts of a read in all (first try included). */
	maxAttempts?: number;
	/** Timeout of one file upload (the PUT to storage), ms; default 300 s. */
	uploadTimeoutMs?: number;
	/**
	 * The cancel signal of the execution whose context sends the requests, when it is not
	 * `signal` (a detached transport). n8n aborts every request of a context whose execution is
	 * cancelled, whatever signal the node gives, so such a transport's requests end with it.
	 */
	ownerSignal?: AbortSignal;
}

/**
 * The transport every API call is built on. `signal` is the execution's cancel signal; a client
 * made with `detached()` has none (the shared, cached product-list load).
 */
export class ImaTransport {
	readonly signal?: AbortSignal;
	readonly requestTimeoutMs: number;
	readonly retryBaseMs: number;
	readonly maxAttempts: number;
	readonly uploadTimeoutMs: number;

	constructor(
		readonly ctx: ImaContext,
		readonly credentials: ImaCredentials,
		readonly options: ClientOptions = {},
	) {
		this.signal = options.signal;
		this.requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
		this.retryBaseMs = options.retryBaseMs ?? 1000;
		this.maxAttempts = options.maxAttempts ?? 5;
		this.uploadTimeoutMs = options.uploadTimeoutMs ?? 300_000;
	}

	/** True when this transport's requests can no longer go: its execution was cancelled. */
	get cancelled(): boolean {
		return this.signal?.aborted === true || this.options.ownerSignal?.aborted === true;
	}

	/**
	 * The same transport without a cancel signal: for work shared by several executions. Its
	 * requests still go through this execution's context, which n8n aborts when this execution is
	 * cancelled (n8n-core sets every request's abort signal to the execution's); it then reports
	 * itself cancelled, and the other callers load again with their own context.
	 */
	detached(): ImaTransport {
		return new ImaTransport(this.ctx, this.credentials, { ...this.options, signal: undefined, ownerSignal: cancelSignalOf(this.ctx) ?? this.signal });
	}

	/**
	 * The one redaction of the API key (helpers/redact.ts), for a text that leaves the node other
	 * than through `execute`'s result (a log line), or before a lossy change (a file name).
	 */
	clean(text: string): string {
		return redact(text, this.credentials.apiKey);
	}

	cancelledError(step: string): ImaRequestError {
		return cancelledError(step);
	}

	/** A read, retried on transient failures (retry.ts). */
	async withRetries<T>(step: string, attempt: () => Promise<T>): Promise<T> {
		return await withRetries(this, step, attempt);
	}
}

