/**
 * The one place that talks HTTP to IMA. Every call goes through n8n's helpers (proxy and SSL
 * settings apply); the API key goes out only as the Bearer header to the API base URL (n8n adds it
 * from the credential) and as appUid/cmimToken to the upload service. Errors are turned into
 * ImaRequestError with the key removed, and reads are retried here; the paid create call is not.
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
import { createHash } from 'crypto';

import { classifyNetworkError, describeImaCode, parseRetryAfter, redact } from '../helpers/errors';
import { flattenProductTree } from '../helpers/productTree';
import { uploadTokenQuery } from '../helpers/signing';
import type { ImaCreatedTask, ImaEnvelope, ImaTaskDetail, ModelVersion } from '../helpers/types';

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
	kind: 'business' | 'http' | 'network' | 'cancelled' | 'invalid-response';
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
}

interface SendRequest {
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
	/**
	 * Off for streamed uploads: n8n's redirect follower buffers the whole request body so it can
	 * resend it, which would hold a large file in memory. Presigned storage URLs never redirect.
	 */
	followRedirects?: boolean;
}

/** Product lists are cached briefly per credential and task type, in memory of this process. */
const PRODUCT_TTL_MS = 60_000;
const productCache = new Map<string, { expires: number; value: Promise<ModelVersion[]> }>();

export function clearProductCache(): void {
	productCache.clear();
}

export class ImaClient {
	readonly signal?: AbortSignal;
	private readonly requestTimeoutMs: number;
	private readonly retryBaseMs: number;
	private readonly maxAttempts: number;

	constructor(
		private readonly ctx: ImaContext,
		readonly credentials: ImaCredentials,
		options: ClientOptions = {},
	) {
		this.signal = options.signal;
		this.requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
		this.retryBaseMs = options.retryBaseMs ?? 1000;
		this.maxAttempts = options.maxAttempts ?? 5;
	}

	static async forContext(ctx: ImaContext, options: ClientOptions = {}): Promise<ImaClient> {
		return new ImaClient(ctx, await getImaCredentials(ctx), options);
	}

	get cancelled(): boolean {
		return this.signal?.aborted === true;
	}

	/** Removes the API key from a text. */
	clean(text: string): string {
		return redact(text, this.credentials.apiKey);
	}

	private async send(req: SendRequest, step: string): Promise<IN8nHttpFullResponse> {
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
		};
		if (req.followRedirects === false) options.disableFollowRedirect = true;
		if (req.body === undefined) delete options.body;
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
	private networkError(error: unknown, step: string): ImaRequestError {
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
		const detail = `Network error: ${this.clean(`${code ? `${code}, ` : ''}${rawMessage}`)}.`;
		if (failure === 'cancelled') {
			return new ImaRequestError(`The ${step} request was cancelled`, { kind: 'cancelled', transient: false, maybeProcessed: true, step });
		}
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

	/** Checks HTTP status and IMA's envelope; returns `data`. */
	private unwrap<T>(res: IN8nHttpFullResponse, step: string): T {
		const status = Number(res.statusCode);
		let body = res.body as unknown;
		if (typeof body === 'string') {
			try {
				body = JSON.parse(body);
			} catch {
				// not JSON (a proxy's HTML error page, say)
			}
		}
		const envelope = (body && typeof body === 'object' ? body : undefined) as ImaEnvelope<T> | undefined;
		const imaCode = envelope && envelope.code !== undefined && envelope.code !== null ? Number(envelope.code) : undefined;
		const imaMessage = envelope?.message ? this.clean(String(envelope.message)) : undefined;
		const headers = (res.headers ?? {}) as IDataObject;

		if (status === 401 || imaCode === 401) {
			const text = describeImaCode(401, imaMessage);
			throw new ImaRequestError(text.message, {
				kind: 'business', transient: false, maybeProcessed: false, httpStatus: status, imaCode: 401, imaMessage, description: text.description, step,
			});
		}
		if (status === 429 || status >= 500 || status === 408) {
			const retryAfterMs = parseRetryAfter(headers['retry-after'], Date.now());
			const what = status === 429 ? 'rate-limited the request (HTTP 429)' : `answered HTTP ${status}`;
			throw new ImaRequestError(`IMA ${what} for the ${step} request`, {
				kind: 'http', transient: true, maybeProcessed: status !== 429, httpStatus: status, imaCode, imaMessage, retryAfterMs, step,
			});
		}
		if (imaCode !== undefined && Number.isFinite(imaCode) && imaCode !== 0 && imaCode !== 200) {
			const text = describeImaCode(imaCode, imaMessage);
			throw new ImaRequestError(text.message, {
				kind: 'business', transient: false, maybeProcessed: false, httpStatus: status, imaCode, imaMessage, description: text.description, step,
			});
		}
		if (status >= 400) {
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

	/** Retries a read on transient failures with backoff (honouring Retry-After), within bounds. */
	async withRetries<T>(step: string, attempt: () => Promise<T>): Promise<T> {
		let lastError: ImaRequestError | undefined;
		for (let i = 0; i < this.maxAttempts; i++) {
			if (this.cancelled) throw new ImaRequestError(`The ${step} request was cancelled`, { kind: 'cancelled', transient: false, maybeProcessed: true, step });
			let failure: unknown;
			try {
				return await attempt();
			} catch (error) {
				failure = error;
			}
			const e = failure instanceof ImaRequestError ? failure : this.networkError(failure, step);
			if (!e.transient || this.cancelled) throw e;
			lastError = e;
			if (i === this.maxAttempts - 1) break;
			const backoff = Math.min(30_000, this.retryBaseMs * 2 ** i);
			await abortableSleep(Math.max(backoff, e.info.retryAfterMs ?? 0), this.signal);
		}
		const e = lastError!;
		throw new ImaRequestError(`${e.message} (gave up after ${this.maxAttempts} attempts)`, e.info);
	}

	/** A call to the IMA API (Bearer auth from the credential, IMA's headers). */
	async api<T>(method: IHttpRequestMethods, path: string, step: string, opts: { body?: IDataObject; qs?: IDataObject; timeoutMs?: number } = {}): Promise<T> {
		const res = await this.send(
			{
				method,
				url: `${this.credentials.baseUrl}${path}`,
				body: opts.body,
				qs: opts.qs,
				headers: { ...API_HEADERS },
				timeoutMs: opts.timeoutMs ?? this.requestTimeoutMs,
				authenticated: true,
			},
			step,
		);
		return this.unwrap<T>(res, step);
	}

	/** The product list of a task type, flattened to version nodes (cached briefly). */
	async products(taskType: string): Promise<ModelVersion[]> {
		const key = `${this.credentials.baseUrl}|${createHash('sha256').update(this.credentials.apiKey).digest('hex').slice(0, 16)}|${taskType}`;
		const now = Date.now();
		const hit = productCache.get(key);
		if (hit && hit.expires > now) return await hit.value;
		const value = this.withRetries('product list', async () =>
			flattenProductTree(
				await this.api<unknown>('GET', '/open/v1/product/list', 'product list', {
					qs: { app: 'ima', platform: 'web', category: taskType },
				}),
			),
		);
		productCache.set(key, { expires: now + PRODUCT_TTL_MS, value });
		// A failed load is not cached.
		value.catch(() => {
			if (productCache.get(key)?.value === value) productCache.delete(key);
		});
		return await value;
	}

	/**
	 * The paid call. Sent again only when the failure proves the request never reached IMA
	 * (connection refused, DNS); anything else is reported with `maybeProcessed`.
	 */
	async createTask(body: IDataObject): Promise<ImaCreatedTask> {
		for (let attempt = 1; ; attempt++) {
			let failure: unknown;
			let data: ImaCreatedTask | undefined;
			try {
				data = await this.api<ImaCreatedTask>('POST', '/open/v1/tasks/create', 'create', { body });
			} catch (error) {
				failure = error;
			}
			if (failure === undefined) {
				if (!data || typeof data !== 'object' || !data.id) {
					throw new ImaRequestError('IMA accepted the create request but returned no task id', {
						kind: 'invalid-response', transient: false, maybeProcessed: true, step: 'create',
					});
				}
				return data;
			}
			const e = failure instanceof ImaRequestError ? failure : this.networkError(failure, 'create');
			const provablyUnsent = e.info.kind === 'network' && !e.info.maybeProcessed;
			if (!provablyUnsent || attempt >= this.maxAttempts || this.cancelled) throw e;
			await abortableSleep(Math.min(30_000, this.retryBaseMs * 2 ** (attempt - 1)), this.signal);
		}
	}

	/**
	 * Step 1 of an upload: a presigned PUT URL (`ful`) and the public URL (`fdl`). The key goes to
	 * the upload service only, as appUid/cmimToken; the sign is fresh for every attempt.
	 */
	async uploadToken(contentType: string, suffix: string): Promise<{ ful: string; fdl: string }> {
		const step = 'upload token';
		return await this.uploadStep('1 of 2 (upload token from the upload service)', async () => await this.withRetries(step, async () => {
			const res = await this.send(
				{
					method: 'GET',
					url: `${this.credentials.uploadBaseUrl}/api/rest/oss/getuploadtoken`,
					qs: uploadTokenQuery({ apiKey: this.credentials.apiKey, suffix, contentType, nowMs: Date.now() }),
					headers: { Accept: 'application/json' },
					timeoutMs: this.requestTimeoutMs,
					authenticated: false,
				},
				step,
			);
			const data = this.unwrap<{ ful?: string; fdl?: string }>(res, step);
			if (!data?.ful || !data?.fdl) {
				throw new ImaRequestError('The upload service answered without an upload URL', {
					kind: 'invalid-response', transient: false, maybeProcessed: false, step,
				});
			}
			return { ful: data.ful, fdl: data.fdl };
		}));
	}

	/** Runs one step of the two-step upload; its errors say which step failed. */
	private async uploadStep<T>(label: string, run: () => Promise<T>): Promise<T> {
		let failure: unknown;
		try {
			return await run();
		} catch (error) {
			failure = error;
		}
		if (failure instanceof ImaRequestError && failure.info.kind !== 'cancelled') {
			throw new ImaRequestError(`Upload step ${label} failed: ${failure.message}`, failure.info);
		}
		throw failure;
	}

	/**
	 * Step 2 of an upload: the raw bytes to the presigned URL, with no Authorization header and
	 * no key anywhere. `open` is called again for a retry, so a stream is never reused.
	 */
	async putFile(ful: string, open: () => Promise<Buffer | Readable>, contentType: string, size?: number): Promise<void> {
		const step = 'upload (PUT to storage)';
		await this.uploadStep('2 of 2 (PUT of the file to the presigned storage URL)', async () => await this.withRetries(step, async () => {
			const headers: IDataObject = { 'Content-Type': contentType };
			if (size !== undefined) headers['Content-Length'] = size;
			const res = await this.send(
				{
					method: 'PUT',
					url: ful,
					body: await open(),
					headers,
					timeoutMs: Math.max(this.requestTimeoutMs, 300_000),
					authenticated: false,
					json: false,
					followRedirects: false,
				},
				step,
			);
			const status = Number(res.statusCode);
			if (status < 200 || status >= 300) {
				const transient = status === 429 || status >= 500 || status === 408;
				const body = Buffer.isBuffer(res.body) ? res.body.toString('utf8') : typeof res.body === 'string' ? res.body : '';
				const code = /<Code>([^<]{1,80})<\/Code>/.exec(body)?.[1];
				throw new ImaRequestError(`the storage refused the file (HTTP ${status}${code ? ` ${code}` : ''})`, {
					kind: 'http', transient, maybeProcessed: false, httpStatus: status, step,
					description: transient ? 'The storage was busy; the upload was retried and still failed. Try again later.' : 'The presigned upload URL was refused. Nothing was charged; run the node again to get a fresh upload URL.',
				});
			}
		}));
	}

	/** One read of a task's detail (the polling loop retries). */
	async taskDetail(taskId: string): Promise<ImaTaskDetail> {
		return await this.api<ImaTaskDetail>('POST', '/open/v1/tasks/detail', 'task detail', { body: { task_id: taskId } });
	}

	/**
	 * Opens a media download as a stream (no credentials: storage and CDN hosts never see the
	 * key). Retries transient failures before the body starts.
	 */
	async openDownload(url: string, timeoutMs = 300_000): Promise<{ stream: Readable; contentType?: string; contentLength?: number }> {
		return await this.withRetries('media download', async () => {
			const res = await this.send(
				{ method: 'GET', url, timeoutMs, authenticated: false, encoding: 'stream', json: false },
				'media download',
			);
			const status = Number(res.statusCode);
			const stream = res.body as Readable;
			if (status < 200 || status >= 300) {
				stream?.resume?.();
				const transient = status === 429 || status >= 500 || status === 408;
				throw new ImaRequestError(
					status === 404 || status === 410
						? `The media is gone from IMA's storage (HTTP ${status})`
						: `Downloading the media failed with HTTP ${status}`,
					{
						kind: 'http', transient, maybeProcessed: false, httpStatus: status, step: 'media download',
						retryAfterMs: parseRetryAfter((res.headers as IDataObject)?.['retry-after'], Date.now()),
					},
				);
			}
			const headers = (res.headers ?? {}) as IDataObject;
			const len = Number(headers['content-length']);
			return {
				stream,
				contentType: typeof headers['content-type'] === 'string' ? headers['content-type'] : undefined,
				contentLength: Number.isFinite(len) ? len : undefined,
			};
		});
	}
}
