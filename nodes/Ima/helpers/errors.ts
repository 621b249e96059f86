/** What IMA's error codes mean for a user, and which failures are safe to retry. */

export interface ImaErrorText {
	message: string;
	description: string;
}

/** Business codes arrive with HTTP 200 and a non-zero `code`. */
export function describeImaCode(code: number, imaMessage: string | undefined): ImaErrorText {
	const said = imaMessage ? ` IMA said: "${imaMessage}".` : '';
	switch (code) {
		case 401:
			return {
				message: 'IMA rejected the API key (code 401)',
				description: `The API key is invalid or was revoked. Check the API key in the IMA API credential, or create a new key in IMA Studio.${said}`,
			};
		case 4008:
			return {
				message: 'Not enough IMA credits (code 4008)',
				description: `Top up your IMA account, then run again. Nothing was generated and nothing was charged.${said}`,
			};
		case 4014:
			return {
				message: 'This model needs a higher IMA subscription (code 4014)',
				description: `Pick another model, or upgrade your IMA subscription to use this one.${said}`,
			};
		case 6006:
			return {
				message: 'IMA rejected the credit price sent for this model (code 6006)',
				description: `The price the node sent does not match IMA's price rule for these settings. IMA's product list may have changed since it was loaded: run again (the node reloads it). If it persists, report it to n8n-nodes-ima with the model and settings.${said}`,
			};
		case 6009:
			return {
				message: 'IMA does not sell this combination of settings (code 6009)',
				description: `No price rule matches the model settings. Change the settings (for example duration or resolution) to a combination the model offers; List Models shows the priced combinations.${said}`,
			};
		case 6010:
			return {
				message: 'IMA rejected the price rule id sent for this model (code 6010)',
				description: `The attribute_id the node sent does not match IMA's price rule. Run again so the product list is reloaded; if it persists, report it to n8n-nodes-ima with the model and settings.${said}`,
			};
		case 400:
			return {
				message: `IMA rejected a parameter (code 400)${imaMessage ? `: ${imaMessage}` : ''}`,
				description:
					'Check the field named in the message against the allowed values of the selected model and task type (List Models shows them).',
			};
		default:
			return {
				message: `IMA answered with error code ${code}${imaMessage ? `: ${imaMessage}` : ''}`,
				description: 'See the IMA API documentation for this code, or try again later.',
			};
	}
}

/** Network failures where the request provably never reached the server. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_INVALID_URL']);
/** Network failures after which the request may have been processed. */
const MAYBE_SENT = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ESOCKETTIMEDOUT', 'ERR_BAD_RESPONSE', 'EPROTO', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET']);

export type NetworkFailure = 'never-sent' | 'maybe-sent' | 'timeout' | 'cancelled' | 'unknown';

export function classifyNetworkError(error: { code?: string; message?: string; name?: string } | undefined): NetworkFailure {
	const code = String(error?.code ?? '');
	const message = String(error?.message ?? '');
	// Timeouts first: axios reports them as ECONNABORTED, which n8n words as "aborted".
	if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT' || /timeout of \d+ms exceeded|timed out/i.test(message)) {
		return 'timeout';
	}
	if (code === 'ERR_CANCELED' || error?.name === 'CanceledError' || error?.name === 'AbortError' || /^canceled$/i.test(message)) {
		return 'cancelled';
	}
	if (NEVER_SENT.has(code)) return 'never-sent';
	if (MAYBE_SENT.has(code) || /socket hang up|ECONNRESET/i.test(message)) return 'maybe-sent';
	return 'unknown';
}

/** Retry-After: seconds or an HTTP date → ms (bounded). */
export function parseRetryAfter(value: unknown, nowMs: number, maxMs = 120_000): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const s = String(Array.isArray(value) ? value[0] : value).trim();
	const secs = Number(s);
	let ms: number | undefined;
	if (Number.isFinite(secs)) ms = secs * 1000;
	else {
		const at = Date.parse(s);
		if (Number.isFinite(at)) ms = at - nowMs;
	}
	if (ms === undefined) return undefined;
	return Math.min(Math.max(0, ms), maxMs);
}

/** The one redaction of the API key (helpers/redact.ts), kept here under its old name. */
export { containsSecret, redact, redactValue } from './redact';
