/**
 * The transport's one error: which call failed, whether it is worth retrying, and above all
 * whether IMA may have processed it (`maybeProcessed`: a paid create may exist). Texts built here
 * may hold what a server sent: the key is removed from them where they leave the node (run/exit.ts).
 */
import { classifyNetworkError } from '../helpers/errors';

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
	/** A refused URL the user can allow (a private host, option Allowed Private Media Hosts). */
	allowable?: boolean;
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

/** A request the node did not make, or did not go on with: nothing was requested (unless `info` says). */
export function refusedError(message: string, step: string, info: Partial<ImaErrorInfo> = {}): ImaRequestError {
	return new ImaRequestError(message, { kind: 'refused', transient: false, maybeProcessed: false, step, ...info });
}

export function cancelledError(step: string): ImaRequestError {
	return new ImaRequestError(`The ${step} request was cancelled`, { kind: 'cancelled', transient: false, maybeProcessed: true, step });
}

/**
 * Turns a thrown HTTP-layer error into an ImaRequestError; never keeps the raw error (it holds
 * headers). `cancelled`: the execution was cancelled meanwhile.
 */
export function networkError(error: unknown, step: string, cancelled: boolean): ImaRequestError {
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
	const failure = cancelled ? 'cancelled' : classifyNetworkError({ code, message: rawMessage, name: inner?.name });
	// n8n rewrites messages that contain network codes (ECONNRESET…): keep them in the description.
	const detail = `Network error: ${code ? `${code}, ` : ''}${rawMessage}.`;
	if (failure === 'cancelled') return cancelledError(step);
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
	return new ImaRequestError(`The connection broke during the ${step} request`, { kind: 'network', transient: true, maybeProcessed: true, step, description: detail });
}
