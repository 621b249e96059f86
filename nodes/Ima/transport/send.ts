/**
 * Sending: every HTTP call goes through n8n's helpers (proxy and SSL settings apply), with the
 * redirect policy. n8n never follows a redirect itself; this layer follows one only where the key
 * cannot leave with it: within the credential's origin (reads), or after the URL guard (media).
 * The key goes out only as the Bearer header to the API base URL (n8n adds it from the
 * credential) and as appUid/cmimToken to the upload service.
 */
import type { IDataObject, IHttpRequestMethods, IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';

import { settle } from '../helpers/pool';
import { ImaRequestError, networkError, refusedError } from './errors';
import { CREDENTIAL_TYPE, type ImaTransport, type Readable } from './transport';

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

/** A URL (relative to `base`), or undefined when it is not one. */
export function urlOf(text: string, base?: string): URL | undefined {
	try {
		return new URL(text, base);
	} catch {
		return undefined;
	}
}

/** The origin of a URL ("https://host:port"), or undefined when it is not a URL. */
export const originOf = (url: string) => urlOf(url)?.origin;

/** A header's value (the first, trimmed), whatever its case. */
export function headerValue(headers: unknown, name: string): string | undefined {
	if (!headers || typeof headers !== 'object') return undefined;
	const h = headers as Record<string, unknown>;
	const key = Object.keys(h).find((k) => k.toLowerCase() === name);
	const v = key === undefined ? undefined : h[key];
	const one = Array.isArray(v) ? v[0] : v;
	return one === undefined || one === null ? undefined : String(one).trim();
}

/** Sends a request; applies the redirect policy. Network failures become ImaRequestError. */
export async function send(t: ImaTransport, req: SendRequest, step: string): Promise<IN8nHttpFullResponse> {
	let url = req.url;
	let qs = req.qs;
	for (let hop = 0; ; hop++) {
		const res = await sendOnce(t, { ...req, url, qs }, step);
		const status = Number(res.statusCode);
		if (status < 300 || status >= 400 || req.redirects === 'manual') return res;
		const location = headerValue(res.headers, 'location');
		if (req.redirects === 'follow') {
			const next = nextMediaHop(res, location, url, hop, step, req.checkUrl);
			if (!next) return res;
			url = next;
			qs = undefined;
			continue;
		}
		const target = apiRedirectTarget(req, status, location ? urlOf(location, url) : undefined, hop, step);
		url = target.href;
		// A Location with its own query replaces ours; otherwise the same query goes again (same origin).
		if (target.search) qs = undefined;
	}
}

/** Where a redirect of an API call may go: nowhere for the paid create; else within the credential's origin. */
function apiRedirectTarget(req: SendRequest, status: number, target: URL | undefined, hop: number, step: string): URL {
	const where = target && /^https?:$/.test(target.protocol) ? target.origin : target ? target.protocol : 'nowhere';
	if (req.redirects === 'refuse') {
		throw refusedError(`IMA answered the ${step} request with a redirect (HTTP ${status} to ${where}), which the node did not follow`, step, {
			maybeProcessed: true,
			httpStatus: status,
			description:
				`A redirect is not IMA's answer, and following it would send the paid request (and the API key) to ${where}; the node never follows a redirect of the create call. ` +
				'IMA may have received the request and created (and charged) the task. Check your IMA task history before running this item again, and check the base URL in the IMA API credential.',
		});
	}
	const allowed = req.originOf ? originOf(req.originOf) : undefined;
	if (!target || !allowed || target.origin !== allowed) {
		throw refusedError(`IMA redirected the ${step} request to another origin (${where}); the node refused to follow it to protect the API key`, step, {
			httpStatus: status,
			description: `The node follows redirects only within ${allowed ?? 'the base URL'} of the IMA API credential, so the API key is never sent anywhere else. Check the base URLs in the IMA API credential (a proxy or an old address may redirect).`,
		});
	}
	if (hop >= MAX_REDIRECTS) {
		throw new ImaRequestError(`IMA redirected the ${step} request more than ${MAX_REDIRECTS} times`, { kind: 'http', transient: false, maybeProcessed: false, httpStatus: status, step });
	}
	return target;
}

/**
 * The target of a media redirect, checked (`checkUrl`, else http(s) only) before it is
 * requested; undefined for a 3xx without a Location (returned to the caller as it is).
 */
function nextMediaHop(res: IN8nHttpFullResponse, location: string | undefined, from: string, hop: number, step: string, checkUrl?: (url: string) => void): string | undefined {
	if (!location || Number(res.statusCode) === 304) return undefined;
	// The 3xx body is not read: free its connection.
	(res.body as { destroy?: () => void } | undefined)?.destroy?.();
	const target = urlOf(location, from);
	if (!target) throw refusedError(`The ${step} was redirected to something that is not a URL`, step);
	if (hop >= MAX_MEDIA_REDIRECTS) {
		throw new ImaRequestError(`The ${step} was redirected more than ${MAX_MEDIA_REDIRECTS} times`, { kind: 'http', transient: false, maybeProcessed: false, httpStatus: Number(res.statusCode), step });
	}
	if (checkUrl) checkUrl(target.href);
	else if (target.protocol !== 'http:' && target.protocol !== 'https:') {
		throw refusedError(`The ${step} was redirected to a ${target.protocol.slice(0, 20)} URL, which the node does not open`, step);
	}
	return target.href;
}

/** One HTTP request through n8n's helpers, never followed by n8n. */
async function sendOnce(t: ImaTransport, req: SendRequest, step: string): Promise<IN8nHttpFullResponse> {
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
		abortSignal: t.signal as IHttpRequestOptions['abortSignal'],
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
	const r = await settle(async () =>
		req.authenticated ? await t.ctx.helpers.httpRequestWithAuthentication.call(t.ctx, CREDENTIAL_TYPE, options) : await t.ctx.helpers.httpRequest(options),
	);
	if (r.status === 'fulfilled') return r.value as IN8nHttpFullResponse;
	throw networkError(r.reason, step, t.cancelled);
}
