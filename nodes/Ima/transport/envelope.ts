/**
 * IMA's envelope: a call to the IMA API (Bearer auth from the credential, IMA's headers) and its
 * answer checked, HTTP status and `{code, message, data}` (success: code 0 or 200), into `data` or
 * an ImaRequestError that says what the failure means (helpers/errors.ts words IMA's codes).
 */
import type { IDataObject, IHttpRequestMethods, IN8nHttpFullResponse } from 'n8n-workflow';

import { describeImaCode, parseRetryAfter } from '../helpers/errors';
import { parseServerJson } from '../helpers/rawJson';
import type { ImaEnvelope } from '../helpers/types';
import { ImaRequestError } from './errors';
import { isTransientStatus } from './retry';
import { headerValue, send } from './send';
import type { ImaTransport } from './transport';

export const API_HEADERS = {
	'Content-Type': 'application/json',
	Accept: 'application/json',
	'x-app-source': 'ima_skills',
	x_app_language: 'en',
};

/** IMA's success codes: 0, and 200 on some endpoints (IMA's own clients accept both everywhere). */
export function isSuccessCode(code: number | undefined): boolean {
	return code === 0 || code === 200;
}

/**
 * A call to the IMA API. Redirects are followed only within the API's origin, never for the paid
 * create (`redirects: 'refuse'`).
 */
export async function callApi<T>(t: ImaTransport, method: IHttpRequestMethods, path: string, step: string, opts: { body?: IDataObject; qs?: IDataObject; timeoutMs?: number; redirects?: 'same-origin' | 'refuse' } = {}): Promise<T> {
	const res = await send(
		t,
		{
			method,
			url: `${t.credentials.baseUrl}${path}`,
			body: opts.body,
			qs: opts.qs,
			headers: { ...API_HEADERS },
			timeoutMs: opts.timeoutMs ?? t.requestTimeoutMs,
			authenticated: true,
			// The raw text, parsed here: numbers keep their digits (see `unwrap`).
			encoding: 'text',
			redirects: opts.redirects ?? 'same-origin',
			originOf: t.credentials.baseUrl,
		},
		step,
	);
	return unwrap<T>(res, step);
}

/** Checks HTTP status and IMA's envelope (success: code 0 or 200); returns `data`. */
export function unwrap<T>(res: IN8nHttpFullResponse, step: string): T {
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
	const business = (code: number) => {
		const text = describeImaCode(code, imaMessage);
		return new ImaRequestError(text.message, { kind: 'business', transient: false, maybeProcessed: false, httpStatus: status, imaCode: code, imaMessage, description: text.description, step });
	};
	if (status === 401 || imaCode === 401) throw business(401);
	if (isTransientStatus(status)) {
		const retryAfterMs = parseRetryAfter(headerValue(res.headers, 'retry-after'), Date.now());
		const what = status === 429 ? 'rate-limited the request (HTTP 429)' : `answered HTTP ${status}`;
		throw new ImaRequestError(`IMA ${what} for the ${step} request`, {
			kind: 'http', transient: true, maybeProcessed: status !== 429, httpStatus: status, imaCode, imaMessage, retryAfterMs, step,
		});
	}
	if (imaCode !== undefined && Number.isFinite(imaCode) && !isSuccessCode(imaCode)) throw business(imaCode);
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
