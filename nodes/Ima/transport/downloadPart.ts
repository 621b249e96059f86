/**
 * The pieces of a media download (download.ts): one HTTP answer ("part") with its inactivity
 * watchdog, what identifies the file on the server, the limits and their errors, and THE place a
 * media request goes out (`sendMediaRequest`, after the URL guard).
 */
import type { IDataObject } from 'n8n-workflow';

import { ImaRequestError } from './errors';
import { abortableSleep } from './retry';
import { headerValue, send } from './send';
import type { ImaTransport, Readable } from './transport';
import { checkFetchUrl, type FetchRule } from './urlGuard';

/** Below this average rate (bytes per second, over the stall timeout) a download counts as stalled. */
export const MIN_DOWNLOAD_RATE = 1024;
/** Resumes of one download after a cut (each new request after the body started is one). */
export const MAX_RESUMES = 3;
/** The longest a timer can wait. */
const MAX_TIMER_MS = 2 ** 31 - 1;
export const STEP = 'media download';

export interface Download {
	stream: Readable;
	contentType?: string;
	contentLength?: number;
}


export function formatLimit(bytes: number): string {
	if (bytes >= 1024 * 1024) return `${Number((bytes / (1024 * 1024)).toFixed(1))} MB`;
	return `${bytes} bytes`;
}

export function formatSeconds(ms: number): string {
	return `${Number((ms / 1000).toFixed(1))} s`;
}

/** A download that failed for good (not retried): a limit passed, or resumes that did not help. */
export const downloadError = (kind: 'limit' | 'network', message: string, description: string) =>
	new ImaRequestError(message, { kind, transient: false, maybeProcessed: false, step: STEP, description });

export function sizeError(maxBytes: number, announced?: number): ImaRequestError {
	const said = announced !== undefined ? `The storage announced ${formatLimit(announced)}. ` : '';
	const what = "The download was stopped. Raise the download size limit in the node's options, or fetch the file from its URL.";
	return downloadError('limit', `The media passed the size limit of ${formatLimit(maxBytes)}`, `${said}${what}`);
}

export function timeError(totalTimeoutMs: number): ImaRequestError {
	const what = "The download was stopped. Raise the download timeout in the node's options, or fetch the file from its URL.";
	return downloadError('limit', `The download took longer than ${formatSeconds(totalTimeoutMs)}`, what);
}

/**
 * THE place where a media request goes out (first request, resumes, restarts): every check of the
 * URL belongs here. `from` > 0 asks for the bytes from `from` on.
 */
export async function sendMediaRequest(t: ImaTransport, url: string, rule: FetchRule, timeoutMs: number, from?: number) {
	// The URL, and every redirect of it, is checked before it is requested (urlGuard.ts).
	checkFetchUrl(t, url, rule);
	const headers: IDataObject = { 'accept-encoding': 'identity' };
	if (from !== undefined && from > 0) headers.range = `bytes=${from}-`;
	return await send(
		t,
		{ method: 'GET', url, headers, timeoutMs: Math.max(1, timeoutMs), authenticated: false, encoding: 'stream', json: false, redirects: 'follow', checkUrl: (u) => checkFetchUrl(t, u, rule) },
		STEP,
	);
}

export function lengthOf(headers: unknown): number | undefined {
	const raw = headerValue(headers, 'content-length');
	const n = Number(raw);
	return raw !== undefined && raw !== '' && Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** `bytes S-E/T` (T may be `*`) → numbers; undefined when it cannot be read. */
export function parseContentRange(value: string | undefined): { start: number; end: number; total?: number } | undefined {
	const m = value ? /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i.exec(value.trim()) : null;
	if (!m) return undefined;
	const start = Number(m[1]);
	const end = Number(m[2]);
	const total = m[3] === '*' ? undefined : Number(m[3]);
	if (end < start || (total !== undefined && end >= total)) return undefined;
	return { start, end, total };
}

/** What identifies the file on the server: ETag, Last-Modified, size. */
export interface Identity {
	etag?: string;
	lastModified?: string;
	total?: number;
}

/** Why two answers are not the same file, or undefined when nothing says they differ. */
export function changedBetween(a: Identity, b: Identity): string | undefined {
	if (a.etag && b.etag && a.etag !== b.etag) return 'its ETag changed';
	if (a.lastModified && b.lastModified && a.lastModified !== b.lastModified) return 'its Last-Modified date changed';
	if (a.total !== undefined && b.total !== undefined && a.total !== b.total) return `its size changed from ${a.total} to ${b.total} bytes`;
	return undefined;
}

/** A reason to cut the current part and resume (not an error of the download yet). */
export class Cut extends Error {
	constructor(
		readonly reason: string,
		/** Wait before the next request (ms): a server error or a refused connection, not a stall. */
		readonly backoffMs = 0,
	) {
		super(reason);
		this.name = 'Cut';
	}
}

/** The file changed on the server after some of it was handed on: only a restart from 0 helps. */
export class Changed extends Error {
	constructor(readonly reason: string) {
		super(reason);
		this.name = 'Changed';
	}
}

type ReadableClass = { from(iterable: AsyncIterable<Buffer>, options?: { objectMode?: boolean }): Readable };

/**
 * The Readable class behind a body n8n's helper returned. Node code may not import 'stream'
 * (n8n's rules for community nodes), yet n8n's binary store needs a real Node.js Readable to
 * read several answers as one file: this is the class n8n itself made the body with.
 */
export function readableClassOf(body: unknown): ReadableClass | undefined {
	for (let p = body && typeof body === 'object' ? Object.getPrototypeOf(body) : null; p; p = Object.getPrototypeOf(p)) {
		const c = (p as { constructor?: { name?: string; from?: unknown } }).constructor;
		if (c && c.name === 'Readable' && typeof c.from === 'function') return c as unknown as ReadableClass;
	}
	return undefined;
}

export interface Limits {
	maxBytes: number;
	totalTimeoutMs: number;
	deadline: number;
	headerTimeoutMs: number;
	stallMs: number;
	/** Bytes that must arrive within each stall window. */
	windowBytes: number;
	/** Where the URL may point (urlGuard.ts). */
	rule: FetchRule;
}

/** One HTTP answer being read, with its inactivity watchdog. */
export class Part {
	closed = false;
	/** Bytes received from the network in this part (dropped ones included). */
	received = 0;
	/** Waiting for the network (not for the reader, which may hold the stream back). */
	waiting = false;
	windowStart = Date.now();
	windowBytes = 0;
	private sleeper?: AbortController;
	readonly iterator: AsyncIterator<unknown>;

	constructor(
		readonly body: Readable,
		/** Bytes at the start of this answer that were stored already (a 200 to a range request). */
		public skip: number,
		/** The last byte this answer covers (a 206 may cover less than asked), if known. */
		readonly lastByte: number | undefined,
	) {
		this.iterator = (body as unknown as AsyncIterable<unknown>)[Symbol.asyncIterator]();
		// However the answer ends (read to the end, cut, destroyed by its reader), the watch ends.
		body.once('close', () => this.detach());
	}

	progress(bytes: number, limits: Limits): void {
		this.received += bytes;
		if (this.received - this.windowBytes >= limits.windowBytes) {
			this.windowStart = Date.now();
			this.windowBytes = this.received;
		}
	}

	/** Why the watchdog cut this answer (the read then fails with whatever the HTTP layer says). */
	killedWith?: Error;

	/** Cuts the answer for `error`. */
	kill(error: Error): void {
		if (this.closed) return;
		this.killedWith = error;
		this.close(error);
	}

	/**
	 * From now on the watchdog alone bounds the body: n8n's redirect follower leaves the request
	 * timeout on the socket and destroys it after that long without a byte, even while the
	 * reader holds the stream back (it would cut a sound download, and say only "aborted").
	 */
	ownTimeouts(): void {
		const socket = (this.body as { socket?: { setTimeout?: (ms: number) => unknown } }).socket;
		if (socket && typeof socket.setTimeout === 'function') socket.setTimeout(0);
	}

	/** Stops watching; the body stays as it is. */
	detach(): void {
		this.closed = true;
		this.sleeper?.abort();
	}

	close(error?: Error): void {
		if (this.closed) return;
		this.closed = true;
		this.sleeper?.abort();
		if (!(this.body as { destroyed?: boolean }).destroyed) this.body.destroy(error);
	}

	/**
	 * Cuts the answer when it makes no progress for the stall timeout (or passes the deadline).
	 * Time the reader holds the stream back does not count. Before cutting, pending I/O gets one
	 * more turn: a busy event loop is not a stalled server.
	 */
	async watch(limits: Limits, stallError: () => Error): Promise<void> {
		while (!this.closed) {
			const now = Date.now();
			if (now >= limits.deadline) return this.kill(timeError(limits.totalTimeoutMs));
			const due = Math.min(this.windowStart + limits.stallMs, limits.deadline);
			if (now < due) {
				await this.sleep(Math.min(due - now, MAX_TIMER_MS));
				continue;
			}
			if (!this.waiting) {
				this.windowStart = now;
				this.windowBytes = this.received;
				continue;
			}
			await this.sleep(1);
			if (this.closed) return;
			if (Date.now() - this.windowStart < limits.stallMs && Date.now() < limits.deadline) continue;
			if (Date.now() >= limits.deadline) return this.kill(timeError(limits.totalTimeoutMs));
			return this.kill(stallError());
		}
	}

	private async sleep(ms: number): Promise<void> {
		this.sleeper = new AbortController();
		await abortableSleep(ms, this.sleeper.signal);
	}
}


/**
 * Today's bounds on an answer read as it is (no resume): destroys the stream with a clear error
 * when it passes `maxBytes` or the deadline.
 */
export function guard(stream: Readable, limits: Limits): void {
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
			if (received > limits.maxBytes) {
				fail(sizeError(limits.maxBytes));
				return false;
			}
			if (Date.now() > limits.deadline) {
				fail(timeError(limits.totalTimeoutMs));
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
	void abortableSleep(Math.min(Math.max(limits.deadline - Date.now(), 1), MAX_TIMER_MS), timer.signal).then(() => {
		if (!timer.signal.aborted) fail(timeError(limits.totalTimeoutMs));
	});
}
