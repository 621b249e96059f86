/**
 * The request layer: every HTTP call goes through n8n's helpers (proxy and SSL settings apply).
 * Here: sending, IMA's envelope, retries of reads with backoff and Retry-After, and the redirect
 * policy. The key goes out only as the Bearer header to the API base URL (n8n adds it from the
 * credential) and as appUid/cmimToken to the upload service; a redirect never carries it to
 * another origin. Texts built here may hold what a server sent: the key is removed from them
 * where they leave the node (actions/exit.ts).
 */
import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IN8nHttpFullResponse,
} from 'n8n-workflow';
import * as n8nWorkflow from 'n8n-workflow';

import { classifyNetworkError, describeImaCode, parseRetryAfter, redact } from '../helpers/errors';
import { parseServerJson } from '../helpers/rawJson';
import type { ImaEnvelope } from '../helpers/types';

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

export interface ImaErrorInfo {
	/**
	 * `refused`: the node refused to go on for safety (a redirect to another origin, a media URL
	 * that is not http(s)); `limit`: a download passed its size or time limit.
	 */
	kind: 'business' | 'http' | 'network' | 'cancelled' | 'invalid-response' | 'refused' | 'limit';
	/** Worth retrying a read. */
	transient: boolean;
	/** The request may have been processed by IMA (a paid create may exist). */
	maybeProcessed: boolean;
	httpStatus?: number;
	imaCode?: number;
	imaMessage?: string;
	retryAfterMs?: number;
	description?: string;
	/** Which call failed, e.g. "create", "task detail", "upload token". */
	step: string;
}

export class ImaRequestError extends Error {
	readonly transient: boolean;
	constructor(
		message: string,
		readonly info: ImaErrorInfo,
	) {
		super(message);
		this.name = 'ImaRequestError';
		this.transient = info.transient;
	}
}

/** IMA's success codes: 0, and 200 on some endpoints (IMA's own clients accept both everywhere). */
export function isSuccessCode(code: number | undefined): boolean {
	return code === 0 || code === 200;
}

/** Sleeps `ms`, returning early when `signal` aborts. Works with every n8n-workflow version. */
export async function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
	if (ms <= 0 || signal?.aborted) return;
	const lib = n8nWorkflow as unknown as {
		sleepWithAbort?: (ms: number, signal?: AbortSignal) => Promise<void>;
		sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
	};
	await new Promise<void>((resolve) => {
		const done = () => {
			signal?.removeEventListener('abort', done);
			resolve();
		};
		signal?.addEventListener('abort', done, { once: true });
		const timer = lib.sleepWithAbort ? lib.sleepWithAbort(ms, signal) : lib.sleep(ms, signal);
		timer.then(done, done);
	});
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

export const API_HEADERS = {
	'Content-Type': 'application/json',
	Accept: 'application/json',
	'x-app-source': 'ima_skills',
	x_app_language: 'en',
};

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
 * What happens on a 3xx answer:
 * - `follow`: this layer follows it (media downloads only: they carry no key), at most
 *   MAX_MEDIA_REDIRECTS hops, each target passed to the request's `checkUrl` first;
 * - `manual`: not followed; the 3xx answer is returned to the caller (the presigned PUT);
 * - `same-origin`: not followed by n8n; this layer follows it (a few hops) only within the origin
 *   of the credential's base URL, and refuses any other origin (reads: product list, detail,
 *   upload token);
 * - `refuse`: never followed; any 3xx is an error (the paid create).
 */
export type RedirectPolicy = 'follow' | 'manual' | 'same-origin' | 'refuse';

export interface SendRequest {
	method: IHttpRequestMethods;
	url: string;
	body?: IDataObject | Buffer | Readable;
	qs?: IDataObject;
	headers?: IDataObject;
	timeoutMs: number;
	/** Authenticated with the credential (only for the API base URL). */
	authenticated: boolean;
	encoding?: IHttpRequestOptions['encoding'];
	json?: boolean;
	redirects: RedirectPolicy;
	/** For `same-origin`: the base URL whose origin redirects may stay in. */
	originOf?: string;
	/** For `follow`: throws when a redirect target may not be requested (transport/urlGuard.ts). */
	checkUrl?: (url: string) => void;
}

/** Redirect hops this layer follows within the same origin. */
export const MAX_REDIRECTS = 3;
/** Redirect hops of a media download (a CDN may redirect to a signed URL, or a mirror). */
export const MAX_MEDIA_REDIRECTS = 10;

/** The origin of a URL ("https://host:port"), or undefined when it is not a URL. */
export function originOf(url: string): string | undefined {
	try {
		return new URL(url).origin;
	} catch {
		return undefined;
	}
}

function headerValue(headers: unknown, name: string): string | undefined {
	if (!headers || typeof headers !== 'object') return undefined;
	const h = headers as Record<string, unknown>;
	const found = Object.keys(h).find((k) => k.toLowerCase() === name);
	const v = found === undefined ? undefined : h[found];
	if (Array.isArray(v)) return v.length ? String(v[0]) : undefined;
	return v === undefined || v === null ? undefined : String(v);
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
		const own = typeof (this.ctx as { getExecutionCancelSignal?: () => AbortSignal | undefined }).getExecutionCancelSignal === 'function'
			? (this.ctx as { getExecutionCancelSignal: () => AbortSignal | undefined }).getExecutionCancelSignal()
			: undefined;
		return new ImaTransport(this.ctx, this.credentials, { ...this.options, signal: undefined, ownerSignal: own ?? this.signal });
	}

	/**
	 * The one redaction of the API key (helpers/redact.ts), for a text that leaves the node other
	 * than through `execute`'s result (a log line), or before a lossy change (a file name).
	 */
	clean(text: string): string {
		return redact(text, this.credentials.apiKey);
	}

	cancelledError(step: string): ImaRequestError {
		return new ImaRequestError(`The ${step} request was cancelled`, { kind: 'cancelled', transient: false, maybeProcessed: true, step });
	}

	/** Sends a request; applies the redirect policy. Network failures become ImaRequestError. */
	async send(req: SendRequest, step: string): Promise<IN8nHttpFullResponse> {
		let url = req.url;
		let qs = req.qs;
		for (let hop = 0; ; hop++) {
			const res = await this.sendOnce({ ...req, url, qs }, step);
			const status = Number(res.statusCode);
			if (status < 300 || status >= 400 || req.redirects === 'manual') return res;
			const location = headerValue(res.headers, 'location');
			if (req.redirects === 'follow') {
				const next = this.nextMediaHop(res, location, url, hop, step, req.checkUrl);
				if (!next) return res;
				url = next;
				qs = undefined;
				continue;
			}
			let target: URL | undefined;
			try {
				target = location ? new URL(location, url) : undefined;
			} catch {
				target = undefined;
			}
			const targetOrigin = target && /^https?:$/.test(target.protocol) ? target.origin : target ? target.protocol : 'nowhere';
			const where = targetOrigin;
			if (req.redirects === 'refuse') {
				throw new ImaRequestError(`IMA answered the ${step} request with a redirect (HTTP ${status} to ${where}), which the node did not follow`, {
					kind: 'refused',
					transient: false,
					maybeProcessed: true,
					httpStatus: status,
					step,
					description:
						`A redirect is not IMA's answer, and following it would send the paid request (and the API key) to ${where}; the node never follows a redirect of the create call. ` +
						'IMA may have received the request and created (and charged) the task. Check your IMA task history before running this item again, and check the base URL in the IMA API credential.',
				});
			}
			const allowed = req.originOf ? originOf(req.originOf) : undefined;
			if (!target || !allowed || target.origin !== allowed) {
				throw new ImaRequestError(`IMA redirected the ${step} request to another origin (${where}); the node refused to follow it to protect the API key`, {
					kind: 'refused',
					transient: false,
					maybeProcessed: false,
					httpStatus: status,
					step,
					description: `The node follows redirects only within ${allowed ?? 'the base URL'} of the IMA API credential, so the API key is never sent anywhere else. Check the base URLs in the IMA API credential (a proxy or an old address may redirect).`,
				});
			}
			if (hop >= MAX_REDIRECTS) {
				throw new ImaRequestError(`IMA redirected the ${step} request more than ${MAX_REDIRECTS} times`, {
					kind: 'http', transient: false, maybeProcessed: false, httpStatus: status, step,
				});
			}
			url = target.href;
			// A Location with its own query replaces ours; otherwise the same query goes again (same origin).
			if (target.search) qs = undefined;
		}
	}

	/**
	 * The target of a media redirect, checked (`checkUrl`, else http(s) only) before it is
	 * requested; undefined for a 3xx without a Location (returned to the caller as it is).
	 */
	private nextMediaHop(res: IN8nHttpFullResponse, location: string | undefined, from: string, hop: number, step: string, checkUrl?: (url: string) => void): string | undefined {
		if (!location || Number(res.statusCode) === 304) return undefined;
		// The 3xx body is not read: free its connection.
		(res.body as { destroy?: () => void } | undefined)?.destroy?.();
		let target: URL | undefined;
		try {
			target = new URL(location, from);
		} catch {
			target = undefined;
		}
		if (!target) {
			throw new ImaRequestError(`The ${step} was redirected to something that is not a URL`, { kind: 'refused', transient: false, maybeProcessed: false, step });
		}
		if (hop >= MAX_MEDIA_REDIRECTS) {
			throw new ImaRequestError(`The ${step} was redirected more than ${MAX_MEDIA_REDIRECTS} times`, { kind: 'http', transient: false, maybeProcessed: false, httpStatus: Number(res.statusCode), step });
		}
		if (checkUrl) checkUrl(target.href);
		else if (target.protocol !== 'http:' && target.protocol !== 'https:') {
			throw new ImaRequestError(`The ${step} was redirected to a ${target.protocol.slice(0, 20)} URL, which the node does not open`, { kind: 'refused', transient: false, maybeProcessed: false, step });
		}
		return target.href;
	}

	private async sendOnce(req: SendRequest, step: string): Promise<IN8nHttpFullResponse> {
		const options: IHttpRequestOptions = {
			method: req.method,
			url: req.url,
			headers: req.headers,
			qs: req.qs,
			body: req.body as IHttpRequestOptions['body'],
			json: req.json ?? true,
			timeout: req.timeoutMs,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			encoding: req.encoding,
			abortSignal: this.signal as IHttpRequestOptions['abortSignal'],
			// n8n re-sends the Authorization header across origins by default: never.
			sendCredentialsOnCrossOriginRedirect: false,
		};
		// n8n never follows a redirect: the Bearer header, a key in the query or a paid body must
		// not go to another origin, n8n's follower would buffer a streamed upload body to re-send
		// it, and every hop of a media download is checked before it is requested (see `send`).
		options.disableFollowRedirect = true;
		if (req.body === undefined) delete options.body;
		if (req.qs === undefined) delete options.qs;
		if (options.abortSignal === undefined) delete options.abortSignal;
		let failure: unknown;
		try {
			const res = req.authenticated
				? await this.ctx.helpers.httpRequestWithAuthentication.call(this.ctx, CREDENTIAL_TYPE, options)
				: await this.ctx.helpers.httpRequest(options);
			return res as IN8nHttpFullResponse;
		} catch (error) {
			failure = error;
		}
		throw this.networkError(failure, step);
	}

	/** Turns a thrown HTTP-layer error into an ImaRequestError; never keeps the raw error (it holds headers). */
	networkError(error: unknown, step: string): ImaRequestError {
		if (error instanceof ImaRequestError) return error;
		const e = error as {
			code?: string;
			message?: string;
			name?: string;
			httpCode?: unknown;
			messages?: unknown;
			cause?: { code?: string; message?: string; name?: string };
		};
		// n8n's NodeApiError keeps the network code in httpCode and the original text in messages.
		const inner = e?.cause && typeof e.cause === 'object' ? e.cause : e;
		const wrappedCode = typeof e?.httpCode === 'string' && /^E[A-Z_]+$/.test(e.httpCode) ? e.httpCode : undefined;
		const code = inner?.code ?? e?.code ?? wrappedCode;
		const original = Array.isArray(e?.messages) && typeof e.messages[0] === 'string' ? e.messages[0] : undefined;
		const rawMessage = original ?? inner?.message ?? e?.message ?? 'unknown network error';
		const failure = this.cancelled ? 'cancelled' : classifyNetworkError({ code, message: rawMessage, name: inner?.name });
		// n8n rewrites messages that contain network codes (ECONNRESET…): keep them in the description.
		const detail = `Network error: ${code ? `${code}, ` : ''}${rawMessage}.`;
		if (failure === 'cancelled') return this.cancelledError(step);
		if (failure === 'never-sent') {
			return new ImaRequestError(`Could not reach IMA for the ${step} request`, {
				kind: 'network',
				transient: true,
				maybeProcessed: false,
				step,
				description: `${detail} The request never reached the server: check the base URLs in the IMA API credential and the network.`,
			});
		}
		if (failure === 'timeout') {
			return new ImaRequestError(`The ${step} request timed out`, { kind: 'network', transient: true, maybeProcessed: true, step, description: detail });
		}
		return new ImaRequestError(`The connection broke during the ${step} request`, {
			kind: 'network',
			transient: true,
			maybeProcessed: true,
			step,
			description: detail,
		});
	}

	/** Checks HTTP status and IMA's envelope (success: code 0 or 200); returns `data`. */
	unwrap<T>(res: IN8nHttpFullResponse, step: string): T {
		const status = Number(res.statusCode);
		let body = res.body as unknown;
		if (typeof body === 'string') {
			try {
				// As the server wrote it: a task id above 2^53 keeps its digits (helpers/rawJson.ts).
				body = parseServerJson(body);
			} catch {
				// not JSON (a proxy's HTML error page, say)
			}
		}
		const envelope = (body && typeof body === 'object' && !Array.isArray(body) ? body : undefined) as ImaEnvelope<T> | undefined;
		const rawCode = envelope?.code;
		const blank = rawCode === undefined || rawCode === null || (typeof rawCode === 'string' && !(rawCode as string).trim());
		const imaCode = blank ? undefined : Number(rawCode);
		const imaMessage = envelope?.message ? String(envelope.message) : undefined;
		const headers = (res.headers ?? {}) as IDataObject;

		if (status === 401 || imaCode === 401) {
			const text = describeImaCode(401, imaMessage);
			throw new ImaRequestError(text.message, {
				kind: 'business', transient: false, maybeProcessed: false, httpStatus: status, imaCode: 401, imaMessage, description: text.description, step,
			});
		}
		if (status === 429 || status >= 500 || status === 408) {
			const retryAfterMs = parseRetryAfter(headerValue(headers, 'retry-after'), Date.now());
			const what = status === 429 ? 'rate-limited the request (HTTP 429)' : `answered HTTP ${status}`;
			throw new ImaRequestError(`IMA ${what} for the ${step} request`, {
				kind: 'http', transient: true, maybeProcessed: status !== 429, httpStatus: status, imaCode, imaMessage, retryAfterMs, step,
			});
		}
		if (imaCode !== undefined && Number.isFinite(imaCode) && !isSuccessCode(imaCode)) {
			const text = describeImaCode(imaCode, imaMessage);
			throw new ImaRequestError(text.message, {
				kind: 'business', transient: false, maybeProcessed: false, httpStatus: status, imaCode, imaMessage, description: text.description, step,
			});
		}
		if (status >= 300) {
			throw new ImaRequestError(`IMA answered HTTP ${status} for the ${step} request${imaMessage ? `: ${imaMessage}` : ''}`, {
				kind: 'http', transient: false, maybeProcessed: false, httpStatus: status, imaMessage, step,
			});
		}
		if (!envelope || imaCode === undefined || !Number.isFinite(imaCode)) {
			throw new ImaRequestError(`IMA sent an unexpected answer to the ${step} request (HTTP ${status}, not IMA's JSON envelope)`, {
				kind: 'invalid-response', transient: true, maybeProcessed: true, httpStatus: status, step,
			});
		}
		return envelope.data as T;
	}

	/**
	 * Retries a read on transient failures with backoff, waiting at least what Retry-After asks,
	 * within bounds. Only ImaRequestErrors are retried: anything else thrown by `attempt` is a
	 * local failure (a bug, a bad product list) and goes up as it is.
	 */
	async withRetries<T>(step: string, attempt: () => Promise<T>): Promise<T> {
		let lastError: ImaRequestError | undefined;
		for (let i = 0; i < this.maxAttempts; i++) {
			if (this.cancelled) throw this.cancelledError(step);
			let failure: unknown;
			try {
				return await attempt();
			} catch (error) {
				failure = error;
			}
			if (!(failure instanceof ImaRequestError)) throw failure;
			const e = failure;
			// Cancelled meanwhile: say so (the failure may only be n8n aborting the request).
			if (this.cancelled) throw this.cancelledError(step);
			if (!e.transient) throw e;
			lastError = e;
			if (i === this.maxAttempts - 1) break;
			const backoff = Math.min(30_000, this.retryBaseMs * 2 ** i);
			await abortableSleep(Math.max(backoff, e.info.retryAfterMs ?? 0), this.signal);
		}
		const e = lastError!;
		throw new ImaRequestError(`${e.message} (gave up after ${this.maxAttempts} attempts)`, e.info);
	}

	/**
	 * A call to the IMA API (Bearer auth from the credential, IMA's headers). Redirects are
	 * followed only within the API's origin, never for the paid create (`redirects: 'refuse'`).
	 */
	async api<T>(
		method: IHttpRequestMethods,
		path: string,
		step: string,
		opts: { body?: IDataObject; qs?: IDataObject; timeoutMs?: number; redirects?: 'same-origin' | 'refuse' } = {},
	): Promise<T> {
		const res = await this.send(
			{
				method,
				url: `${this.credentials.baseUrl}${path}`,
				body: opts.body,
				qs: opts.qs,
				headers: { ...API_HEADERS },
				timeoutMs: opts.timeoutMs ?? this.requestTimeoutMs,
				authenticated: true,
				// The raw text, parsed here: numbers keep their digits (see `unwrap`).
				encoding: 'text',
				redirects: opts.redirects ?? 'same-origin',
				originOf: this.credentials.baseUrl,
			},
			step,
		);
		return this.unwrap<T>(res, step);
	}
}
