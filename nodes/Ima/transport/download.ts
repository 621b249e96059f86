/**
 * Media downloads, streamed, and resumed when they stall. No credentials: storage and CDN hosts
 * never see the key, so n8n may follow redirects here. Bounded in size and in total time.
 *
 * A download is one or more HTTP answers ("parts") read into ONE stream, which n8n stores as it
 * arrives (prepareBinaryData). A part that makes no progress - less than MIN_DOWNLOAD_RATE on
 * average over the stall timeout (Request Timeout) - or whose connection breaks is cut, and the
 * download is resumed from the last byte received with `Range: bytes=N-`, at most MAX_RESUMES
 * times. A resumed answer is checked before a byte of it is used:
 * - 206 whose Content-Range starts at N and whose total (and ETag / Last-Modified) are the first
 *   answer's: its bytes follow on;
 * - 200 (the server ignores ranges) of the same file: read again from byte 0, the first N bytes
 *   dropped (they were stored already);
 * - 206 whose Content-Range does not start at N or cannot be read: the server's ranges are not
 *   trusted any more; the next resume asks for the whole file (above);
 * - another ETag, Last-Modified or total size (Content-Range's or Content-Length): the file
 *   changed, so the bytes stored so far are of an older file. `downloadMedia` then stores the file again from byte 0 (a restart); a plain
 *   `openDownload` stream fails with a clear error.
 * Every request after the first answer's body started counts as one resume.
 */
import type { HostRule } from '../helpers/hosts';
import { settle } from '../helpers/pool';
import { checkFetchUrl } from './urlGuard';
import { MIN_DOWNLOAD_RATE, type Download, type Limits } from './downloadPart';
import { MediaDownload } from './mediaDownload';
import type { ImaTransport } from './transport';

export interface DownloadOptions {
	/** The most bytes the media may have (default 4 GiB). */
	maxBytes?: number;
	/** The most time the whole download may take, body and resumes included (ms; default 1 hour). */
	totalTimeoutMs?: number;
	/** How long a request may wait for the answer's headers (ms; default: the transport's Request Timeout). */
	timeoutMs?: number;
	/**
	 * How long the body may make no progress (less than MIN_DOWNLOAD_RATE on average) before it is
	 * cut and resumed (ms; default: the transport's Request Timeout).
	 */
	stallTimeoutMs?: number;
	/** Private hosts the user allows media from (options.allowedMediaHosts; see urlGuard.ts). */
	allowedHosts?: HostRule[];
	/** For errors: "media URL" (default), "input URL". */
	what?: string;
}

export const DEFAULT_MAX_DOWNLOAD_BYTES = 4 * 1024 ** 3;
export const DEFAULT_DOWNLOAD_TIMEOUT_MS = 60 * 60 * 1000;

function limitsOf(t: ImaTransport, options: DownloadOptions | number): Limits {
	const opts: DownloadOptions = typeof options === 'number' ? { timeoutMs: options } : options;
	const maxBytes = opts.maxBytes && opts.maxBytes > 0 ? opts.maxBytes : DEFAULT_MAX_DOWNLOAD_BYTES;
	const totalTimeoutMs = opts.totalTimeoutMs && opts.totalTimeoutMs > 0 ? opts.totalTimeoutMs : DEFAULT_DOWNLOAD_TIMEOUT_MS;
	const requestTimeoutMs = t.requestTimeoutMs > 0 ? t.requestTimeoutMs : 60_000;
	const headerTimeoutMs = opts.timeoutMs && opts.timeoutMs > 0 ? opts.timeoutMs : requestTimeoutMs;
	const stallMs = opts.stallTimeoutMs && opts.stallTimeoutMs > 0 ? opts.stallTimeoutMs : requestTimeoutMs;
	return {
		maxBytes,
		totalTimeoutMs,
		deadline: Date.now() + totalTimeoutMs,
		headerTimeoutMs,
		stallMs,
		windowBytes: Math.max(1, Math.ceil((MIN_DOWNLOAD_RATE * stallMs) / 1000)),
		rule: { allowedHosts: opts.allowedHosts, what: opts.what },
	};
}

/**
 * Opens a media download as a stream (no credentials). Retries transient failures before the
 * body starts, within the total time; resumes a body that stalls or breaks (see above). The
 * stream fails with a clear ImaRequestError when the body passes `maxBytes`, the download passes
 * `totalTimeoutMs`, the resumes run out, or the file changes on the server meanwhile.
 */
export async function openDownload(t: ImaTransport, url: string, options: DownloadOptions | number = {}): Promise<Download> {
	const limits = limitsOf(t, options);
	checkFetchUrl(t, url, limits.rule);
	return await new MediaDownload(t, url, limits).open();
}

/**
 * Downloads a media into `store` (n8n's prepareBinaryData), resuming as `openDownload` does; when
 * the file changes on the server during the download, stores it again from byte 0 (that restart
 * is one of the resumes). Returns what `store` returns.
 */
export async function downloadMedia<T>(t: ImaTransport, url: string, options: DownloadOptions, store: (download: Download) => Promise<T>): Promise<T> {
	const limits = limitsOf(t, options);
	checkFetchUrl(t, url, limits.rule);
	const download = new MediaDownload(t, url, limits);
	for (;;) {
		const opened = await download.open();
		const r = await settle(async () => await store(opened));
		if (r.status === 'fulfilled') return r.value;
		download.close();
		if (download.restartNeeded === undefined || t.cancelled) throw r.reason;
	}
}
