/** The two-step upload: a presigned URL from the upload service, then a PUT of the bytes. */
import type { IDataObject } from 'n8n-workflow';

import { uploadTokenQuery } from '../helpers/signing';
import { settle } from '../helpers/pool';
import { unwrap } from './envelope';
import { ImaRequestError } from './errors';
import { isTransientStatus } from './retry';
import { send } from './send';
import type { ImaTransport, Readable } from './transport';
import { checkFetchUrl } from './urlGuard';

/** Runs one step of the two-step upload; its errors say which step failed. */
async function uploadStep<T>(label: string, run: () => Promise<T>): Promise<T> {
	const r = await settle(run);
	if (r.status === 'fulfilled') return r.value;
	if (r.reason instanceof ImaRequestError && r.reason.info.kind !== 'cancelled') {
		throw new ImaRequestError(`Upload step ${label} failed: ${r.reason.message}`, r.reason.info);
	}
	throw r.reason;
}

/**
 * Step 1 of an upload: a presigned PUT URL (`ful`) and the public URL (`fdl`). The key goes to
 * the upload service only, as appUid/cmimToken; the sign is fresh for every attempt. n8n never
 * follows a redirect of this call (the key is in the query); this layer follows one only within
 * the upload service's origin.
 */
export async function uploadToken(t: ImaTransport, contentType: string, suffix: string): Promise<{ ful: string; fdl: string }> {
	const step = 'upload token';
	return await uploadStep('1 of 2 (upload token from the upload service)', async () => await t.withRetries(step, async () => {
		const res = await send(
			t,
			{
				method: 'GET',
				url: `${t.credentials.uploadBaseUrl}/api/rest/oss/getuploadtoken`,
				qs: uploadTokenQuery({ apiKey: t.credentials.apiKey, suffix, contentType, nowMs: Date.now() }),
				headers: { Accept: 'application/json' },
				timeoutMs: t.requestTimeoutMs,
				authenticated: false,
				redirects: 'same-origin',
				originOf: t.credentials.uploadBaseUrl,
			},
			step,
		);
		const data = unwrap<{ ful?: string; fdl?: string }>(res, step);
		if (!data?.ful || !data?.fdl || typeof data.ful !== 'string' || typeof data.fdl !== 'string') {
			throw new ImaRequestError('The upload service answered without an upload URL', {
				kind: 'invalid-response', transient: false, maybeProcessed: false, step,
			});
		}
		return { ful: data.ful, fdl: data.fdl };
	}));
}

/**
 * Step 2 of an upload: the raw bytes to the presigned URL, with no Authorization header and
 * no key anywhere. `open` is called again for a retry, so a stream is never reused.
 */
export async function putFile(t: ImaTransport, ful: string, open: () => Promise<Buffer | Readable>, contentType: string, size?: number): Promise<void> {
	const step = 'upload (PUT to storage)';
	await uploadStep('2 of 2 (PUT of the file to the presigned storage URL)', async () => {
		// The upload service chose this URL; it must not carry the key (urlGuard.ts).
		checkFetchUrl(t, ful, { keyOnly: true, what: 'upload URL', step });
		await t.withRetries(step, async () => {
			const headers: IDataObject = { 'Content-Type': contentType };
			if (size !== undefined) headers['Content-Length'] = size;
			const res = await send(
				t,
				{
					method: 'PUT',
					url: ful,
					body: await open(),
					headers,
					timeoutMs: t.uploadTimeoutMs,
					authenticated: false,
					json: false,
					// n8n's redirect follower buffers the whole request body to re-send it; presigned
					// storage URLs never redirect, so a 3xx is reported below as a refusal.
					redirects: 'manual',
				},
				step,
			);
			const status = Number(res.statusCode);
			if (status < 200 || status >= 300) {
				const transient = isTransientStatus(status);
				const body = Buffer.isBuffer(res.body) ? res.body.toString('utf8') : typeof res.body === 'string' ? res.body : '';
				const code = /<Code>([^<]{1,80})<\/Code>/.exec(body)?.[1];
				throw new ImaRequestError(`the storage refused the file (HTTP ${status}${code ? ` ${code}` : ''})`, {
					kind: 'http', transient, maybeProcessed: false, httpStatus: status, step,
					description: transient ? 'The storage was busy; the upload was retried and still failed. Try again later.' : 'The presigned upload URL was refused. Nothing was charged; run the node again to get a fresh upload URL.',
				});
			}
		});
	});
}
