/**
 * The check before the node requests a URL it did not build itself: a media or cover URL IMA
 * returned (and every redirect of it), the presigned PUT URL of an upload, and a user's input URL
 * that the node reads the header of (Seedance 2.0). Nothing is requested when:
 * - the scheme is not http(s);
 * - the URL carries the API key in any form the redaction reads (helpers/redact.ts): the key
 *   would go to whatever host the URL names;
 * - (not for the PUT) its host is not public — loopback, private, link-local, cloud metadata,
 *   reserved, a local name (helpers/hosts.ts) — unless it is a host of the credential's own base
 *   URLs or in the user's allow list (options.allowedMediaHosts).
 */
import { classifyHost, hostAllowed, normalizeHost, type HostRule } from '../helpers/hosts';
import { containsSecret } from '../helpers/redact';
import { refusedError } from './errors';
import { urlOf } from './send';
import type { ImaTransport } from './transport';

export interface FetchRule {
	/** The user's allow list (options.allowedMediaHosts), parsed. */
	allowedHosts?: HostRule[];
	/** Only the scheme and the key are checked: the presigned PUT the credential's upload service gave. */
	keyOnly?: boolean;
	/** For errors: "media URL" (default), "upload URL", "input URL". */
	what?: string;
	step?: string;
}

/** The hosts of the credential's base URLs (the simulator, a proxy, a self-hosted gateway). */
export function credentialHosts(t: ImaTransport): string[] {
	const out: string[] = [];
	for (const base of [t.credentials.baseUrl, t.credentials.uploadBaseUrl]) {
		const host = urlOf(base)?.hostname; // not a URL: no host to allow
		if (host !== undefined) out.push(normalizeHost(host));
	}
	return out;
}

/** Throws an ImaRequestError (kind `refused`) when `url` may not be requested. */
export function checkFetchUrl(t: ImaTransport, url: string, rule: FetchRule = {}): void {
	const what = rule.what ?? 'media URL';
	const step = rule.step ?? 'media download';
	const key = t.credentials.apiKey;
	const parsed = urlOf(url);
	if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
		const shown = parsed ? `a ${parsed.protocol.slice(0, 20)} URL` : 'not a valid URL';
		throw refusedError(
			`The ${what} is ${shown}; the node ${rule.keyOnly ? 'uploads' : 'downloads'} only http(s) URLs`,
			step,
			{ description: 'IMA answered with an address the node will not open. Nothing was requested; report it to IMA with the task ID.' },
		);
	}
	if (containsSecret(url, key) || containsSecret(parsed.href, key)) {
		throw refusedError(`The ${what} carries the API key; the node did not request it`, step, {
			description: `Requesting ${parsed.href} would send the API key to ${parsed.host}. Nothing was requested; report it to IMA with the task ID.`,
		});
	}
	if (rule.keyOnly) return;
	const host = normalizeHost(parsed.hostname);
	if (credentialHosts(t).includes(host) || hostAllowed(host, rule.allowedHosts ?? [])) return;
	const verdict = classifyHost(host);
	if (verdict.kind === 'public') return;
	throw refusedError(
		`The ${what} points to ${verdict.what}; the node fetches media only from public hosts`,
		step,
		{ description: `Nothing was requested from ${parsed.href}. A server could use such an address to read your network or your cloud's metadata through n8n. If your media really comes from a private host (a self-hosted CDN or proxy), add it to the option Allowed Private Media Hosts; the hosts of the IMA API credential's base URLs are always allowed.`, allowable: true },
	);
}
