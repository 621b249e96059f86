/**
 * Media downloads, streamed. No credentials: storage and CDN hosts never see the key, so n8n may
 * follow redirects here. Bounded in size and in total time.
 */
import type { IDataObject } from 'n8n-workflow';

import { parseRetryAfter } from '../helpers/errors';
import type { ImaTransport, Readable } from './request';
import { abortableSleep, ImaRequestError } from './request';
import { checkFetchUrl } from './urlGuard';
import type { HostRule } from '../helpers/hosts';

export interface DownloadOptions {
	/** The most bytes the media may have (default 4 GiB). */
	maxBytes?: number;
	/** The most time the whole download may take, body included (ms; default 1 hour). */
	totalTimeoutMs?: number;
	/** Socket timeout of the request: how long it may stay silent (ms; default 5 minutes). */
	timeoutMs?: number;
	/** Private hosts the user allows media from (options.allowedMediaHosts; see urlGuard.ts). */
	allowedHosts?: HostRule[];
	/** For errors: "media URL" (default), "input URL". */
	what?: string;
}

export const DEFAULT_MAX_DOWNLOAD_BYTES = 4 * 1024 ** 3;
export const DEFAULT_DOWNLOAD_TIMEOUT_MS = 60 * 60 * 1000;
const DEFAULT_SOCKET_TIMEOUT_MS = 300_000;
/** The longest a timer can wait. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const STEP = 'media download';

export interface Download {
	stream: Readable;
	contentType?: string;
	contentLength?: number;
}

function formatLimit(bytes: number): string {
	if (bytes >= 1024 * 1024) return `${Number((bytes / (1024 * 1024)).toFixed(1))} MB`;
	return `${bytes} bytes`;
}

function formatSeconds(ms: number): string {
	return `${Number((ms / 1000).toFixed(1))} s`;
}

function sizeError(maxBytes: number, announced?: number): ImaRequestError {
	return new ImaRequestError(`The media passed the size limit of ${formatLimit(maxBytes)}`, {
		kind: 'limit',
		transient: false,
		maybeProcessed: false,
		step: STEP,
		description: `${announced !== undefined ? `The storage announced ${formatLimit(announced)}. ` : ''}The download was stopped. Raise the download size limit in the node's options, or fetch the file from its URL.`,
	});
}

function timeError(totalTimeoutMs: number): ImaRequestError {
	return new ImaRequestError(`The download took longer than ${formatSeconds(totalTimeoutMs)}`, {
		kind: 'limit',
		transient: false,
		maybeProcessed: false,
		step: STEP,
		description: "The download was stopped. Raise the download timeout in the node's options, or fetch the file from its URL.",
	});
}

/**
 * Watches the body as it arrives (every chunk the response pushes, whoever reads it): destroys
 * the stream with a clear error when it passes `maxBytes` or the deadline. A body that trickles
 * is caught on its next chunk; one that stalls completely by the timer (and by the socket
 * timeout of the request).
 */
function guard(stream: Readable, maxBytes: number, deadline: number, totalTimeoutMs: number): void {
	let received = 0;
	let finished = false;
	const timer = new AbortController();
	const fail = (error: ImaRequestError) => {
		if (finished) return;
		finished = true;
		timer.abort();
		stream.destroy(error);
	};
	const push = stream.push;
	stream.push = function guardedPush(this: Readable, chunk: unknown, encoding?: BufferEncoding): boolean {
		if (!finished && chunk !== null && chunk !== undefined) {
			received += typeof chunk === 'string' ? Buffer.byteLength(chunk, encoding) : (chunk as { length?: number }).length ?? 0;
			if (received > maxBytes) {
				fail(sizeError(maxBytes));
				return false;
			}
			if (Date.now() > deadline) {
				fail(timeError(totalTimeoutMs));
				return false;
			}
		}
		return push.call(this, chunk, encoding);
	} as Readable['push'];
	const done = () => {
		finished = true;
		timer.abort();
	};
	stream.once('end', done);
	stream.once('close', done);
	stream.once('error', done);
	void abortableSleep(Math.min(Math.max(deadline - Date.now(), 1), MAX_TIMER_MS), timer.signal).then(() => {
		if (!timer.signal.aborted) fail(timeError(totalTimeoutMs));
	});
}

/**
 * Opens a media download as a stream (no credentials). Retries transient failures before the
 * body starts, within the total time. The stream fails with a clear ImaRequestError (kind
 * `limit`) when the body passes `maxBytes` or the download passes `totalTimeoutMs`.
 */
export async function openDownload(t: ImaTransport, url: string, options: DownloadOptions | number = {}): Promise<Download> {
	const opts: DownloadOptions = typeof options === 'number' ? { timeoutMs: options } : options;
	const maxBytes = opts.maxBytes && opts.maxBytes > 0 ? opts.maxBytes : DEFAULT_MAX_DOWNLOAD_BYTES;
	const totalTimeoutMs = opts.totalTimeoutMs && opts.totalTimeoutMs > 0 ? opts.totalTimeoutMs : DEFAULT_DOWNLOAD_TIMEOUT_MS;
	const socketTimeoutMs = opts.timeoutMs && opts.timeoutMs > 0 ? opts.timeoutMs : DEFAULT_SOCKET_TIMEOUT_MS;
	// The URL, and every redirect of it, is checked before it is requested (urlGuard.ts).
	const rule = { allowedHosts: opts.allowedHosts, what: opts.what };
	checkFetchUrl(t, url, rule);
	const deadline = Date.now() + totalTimeoutMs;
	return await t.withRetries(STEP, async () => {
		const left = deadline - Date.now();
		if (left <= 0) throw timeError(totalTimeoutMs);
		const res = await t.send(
			{ method: 'GET', url, timeoutMs: Math.max(1, Math.min(socketTimeoutMs, left)), authenticated: false, encoding: 'stream', json: false, redirects: 'follow', checkUrl: (u) => checkFetchUrl(t, u, rule) },
			STEP,
		);
		const status = Number(res.statusCode);
		const stream = res.body as Readable;
		const headers = (res.headers ?? {}) as IDataObject;
		if (status < 200 || status >= 300) {
			stream?.resume?.();
			const transient = status === 429 || status >= 500 || status === 408;
			throw new ImaRequestError(
				status === 404 || status === 410
					? `The media is gone from IMA's storage (HTTP ${status})`
					: `Downloading the media failed with HTTP ${status}`,
				{
					kind: 'http', transient, maybeProcessed: false, httpStatus: status, step: STEP,
					retryAfterMs: parseRetryAfter(headers['retry-after'], Date.now()),
				},
			);
		}
		const len = Number(headers['content-length']);
		const contentLength = headers['content-length'] !== undefined && Number.isFinite(len) ? len : undefined;
		if (contentLength !== undefined && contentLength > maxBytes) {
			stream?.destroy?.();
			throw sizeError(maxBytes, contentLength);
		}
		guard(stream, maxBytes, deadline, totalTimeoutMs);
		return {
			stream,
			contentType: typeof headers['content-type'] === 'string' ? headers['content-type'] : undefined,
			contentLength,
		};
	});
}
