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
import type { IDataObject } from 'n8n-workflow';

import { parseRetryAfter } from '../helpers/errors';
import type { ImaTransport, Readable } from './request';
import { abortableSleep, ImaRequestError } from './request';
import { checkFetchUrl, type FetchRule } from './urlGuard';
import type { HostRule } from '../helpers/hosts';

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
/** Below this average rate (bytes per second, over the stall timeout) a download counts as stalled. */
export const MIN_DOWNLOAD_RATE = 1024;
/** Resumes of one download after a cut (each new request after the body started is one). */
export const MAX_RESUMES = 3;
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
 * THE place where a media request goes out (first request, resumes, restarts): every check of the
 * URL belongs here. `from` > 0 asks for the bytes from `from` on.
 */
async function sendMediaRequest(t: ImaTransport, url: string, rule: FetchRule, timeoutMs: number, from?: number) {
	// The URL, and every redirect of it, is checked before it is requested (urlGuard.ts).
	checkFetchUrl(t, url, rule);
	const headers: IDataObject = { 'accept-encoding': 'identity' };
	if (from !== undefined && from > 0) headers.range = `bytes=${from}-`;
	return await t.send(
		{ method: 'GET', url, headers, timeoutMs: Math.max(1, timeoutMs), authenticated: false, encoding: 'stream', json: false, redirects: 'follow', checkUrl: (u) => checkFetchUrl(t, u, rule) },
		STEP,
	);
}

function header(headers: unknown, name: string): string | undefined {
	if (!headers || typeof headers !== 'object') return undefined;
	const h = headers as Record<string, unknown>;
	const key = Object.keys(h).find((k) => k.toLowerCase() === name);
	const v = key === undefined ? undefined : h[key];
	const one = Array.isArray(v) ? v[0] : v;
	return one === undefined || one === null ? undefined : String(one).trim();
}

function lengthOf(headers: unknown): number | undefined {
	const raw = header(headers, 'content-length');
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
interface Identity {
	etag?: string;
	lastModified?: string;
	total?: number;
}

/** Why two answers are not the same file, or undefined when nothing says they differ. */
function changedBetween(a: Identity, b: Identity): string | undefined {
	if (a.etag && b.etag && a.etag !== b.etag) return 'its ETag changed';
	if (a.lastModified && b.lastModified && a.lastModified !== b.lastModified) return 'its Last-Modified date changed';
	if (a.total !== undefined && b.total !== undefined && a.total !== b.total) return `its size changed from ${a.total} to ${b.total} bytes`;
	return undefined;
}

/** A reason to cut the current part and resume (not an error of the download yet). */
class Cut extends Error {
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
class Changed extends Error {
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
function readableClassOf(body: unknown): ReadableClass | undefined {
	for (let p = body && typeof body === 'object' ? Object.getPrototypeOf(body) : null; p; p = Object.getPrototypeOf(p)) {
		const c = (p as { constructor?: { name?: string; from?: unknown } }).constructor;
		if (c && c.name === 'Readable' && typeof c.from === 'function') return c as unknown as ReadableClass;
	}
	return undefined;
}

interface Limits {
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
class Part {
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
 * One media download: the first answer, then resumes. Also the async iterator behind the stream
 * handed to n8n (Readable.from pulls chunks with `next()`; destroying the stream calls `return()`).
 */
class MediaDownload implements AsyncIterator<Buffer> {
	/** Bytes handed on to the reader (stored). */
	offset = 0;
	resumes = 0;
	/** The file changed after bytes were handed on: the reader must start again (downloadMedia). */
	restartNeeded?: string;
	private identity?: Identity;
	private contentType?: string;
	private rangesTrusted = true;
	private part?: Part;
	private closed = false;
	private lastCut?: Cut;
	private opened = false;

	constructor(
		readonly t: ImaTransport,
		readonly url: string,
		readonly limits: Limits,
	) {}

	[Symbol.asyncIterator](): AsyncIterator<Buffer> {
		return this;
	}

	/**
	 * The first answer (or, after a change of the file, the first of a restart): retried like any
	 * read before its body starts. Throws on a refused URL, an HTTP error, a size over the limit.
	 */
	async open(): Promise<Download> {
		if (this.restartNeeded !== undefined) {
			// A restart: from byte 0, one more resume.
			this.lastCut = new Cut(`the file changed on the server (${this.restartNeeded})`);
			this.restartNeeded = undefined;
			this.offset = 0;
			this.identity = undefined;
			this.rangesTrusted = true;
			this.closed = false;
			await this.resume();
		} else {
			const { t, url, limits } = this;
			await t.withRetries(STEP, async () => {
				const left = limits.deadline - Date.now();
				if (left <= 0) throw timeError(limits.totalTimeoutMs);
				const res = await sendMediaRequest(t, url, limits.rule, Math.min(limits.headerTimeoutMs, left));
				const cut = this.tryStartPart(res.statusCode, res.headers, res.body as Readable);
				// A 206 nobody asked for, with a Content-Range that does not start at 0: try again.
				if (cut) throw new ImaRequestError(`The media server sent an unusable answer: ${cut.reason}`, { kind: 'invalid-response', transient: true, maybeProcessed: false, step: STEP });
			});
		}
		this.opened = true;
		const part = this.part!;
		const Readable = readableClassOf(part.body);
		let stream: Readable;
		if (Readable) {
			part.ownTimeouts();
			stream = Readable.from(this, { objectMode: false });
		} else {
			// No Readable class to build one stream on: the answer as it is, bounded, never resumed.
			part.detach();
			this.part = undefined;
			stream = part.body;
			guard(stream, this.limits);
		}
		return { stream, contentType: this.contentType, contentLength: this.identity?.total };
	}

	/** Checks an answer and makes it the current part (or throws a Cut, a Changed or a fatal error). */
	private startPart(statusCode: unknown, headers: unknown, body: Readable): void {
		const status = Number(statusCode);
		const asked = this.offset;
		const drop = () => {
			(body as { resume?: () => void })?.resume?.();
			(body as { destroy?: () => void })?.destroy?.();
		};
		if (status < 200 || status >= 300) {
			drop();
			const retryAfterMs = parseRetryAfter(header(headers, 'retry-after'), Date.now());
			const transient = status === 429 || status >= 500 || status === 408;
			if (status === 416 && this.opened) {
				this.rangesTrusted = false;
				throw new Cut(`HTTP 416 to a range request for byte ${asked}`);
			}
			const error = new ImaRequestError(
				status === 404 || status === 410 ? `The media is gone from IMA's storage (HTTP ${status})` : `Downloading the media failed with HTTP ${status}`,
				{ kind: 'http', transient, maybeProcessed: false, httpStatus: status, step: STEP, retryAfterMs },
			);
			if (transient && this.opened) throw new Cut(`HTTP ${status}`, Math.max(retryAfterMs ?? 0, this.backoffMs()));
			throw error;
		}
		const found: Identity = { etag: header(headers, 'etag'), lastModified: header(headers, 'last-modified') };
		let skip = 0;
		let lastByte: number | undefined;
		if (status === 206) {
			// (another total is a changed file, below: stored again from byte 0)
			const range = parseContentRange(header(headers, 'content-range'));
			if (!range || range.start !== asked) {
				drop();
				this.rangesTrusted = false;
				const said = header(headers, 'content-range');
				throw new Cut(`the server answered the request for byte ${asked} with ${said ? `Content-Range "${said.slice(0, 60)}"` : 'no Content-Range'}`);
			}
			found.total = range.total;
			lastByte = range.end;
		} else {
			const length = lengthOf(headers);
			found.total = length;
			skip = asked;
		}
		if (this.identity) {
			const changed = changedBetween(this.identity, found);
			if (changed && this.offset > 0) {
				drop();
				throw new Changed(changed);
			}
		}
		if (!this.identity || this.offset === 0) {
			this.identity = { ...found };
			this.contentType = header(headers, 'content-type');
		}
		const total = this.identity.total;
		if (total !== undefined && total > this.limits.maxBytes) {
			drop();
			throw sizeError(this.limits.maxBytes, total);
		}
		const part = new Part(body, skip, lastByte);
		this.part = part;
		void part.watch(this.limits, () => this.stallCut());
	}

	private stallCut(): Cut {
		return new Cut(`no progress (under ${MIN_DOWNLOAD_RATE / 1024} KB/s) for ${formatSeconds(this.limits.stallMs)}`);
	}

	private backoffMs(): number {
		return Math.min(30_000, this.t.retryBaseMs * 2 ** Math.max(0, this.resumes - 1));
	}

	/**
	 * Opens the next part after a cut: one request per resume, until one answer is usable.
	 * `counted` false: the rest of a 206 that covered less than asked (not a cut).
	 */
	private async resume(counted = true): Promise<void> {
		const { t, url, limits } = this;
		for (let free = !counted; ; free = false) {
			if (t.cancelled) throw t.cancelledError(STEP);
			if (!free) {
				if (this.resumes >= MAX_RESUMES) throw this.exhausted();
				this.resumes++;
			}
			const wait = Math.min(this.lastCut?.backoffMs ?? 0, limits.deadline - Date.now());
			if (wait > 0) await this.pause(wait);
			if (t.cancelled) throw t.cancelledError(STEP);
			if (this.closed) return;
			const left = limits.deadline - Date.now();
			if (left <= 0) throw timeError(limits.totalTimeoutMs);
			let failure: unknown;
			try {
				const res = await sendMediaRequest(t, url, limits.rule, Math.min(limits.headerTimeoutMs, left), this.rangesTrusted ? this.offset : undefined);
				if (this.closed) {
					(res.body as { destroy?: () => void })?.destroy?.();
					return;
				}
				const cut = this.tryStartPart(res.statusCode, res.headers, res.body as Readable);
				if (!cut) return this.part?.ownTimeouts();
				this.lastCut = cut;
				continue;
			} catch (error) {
				failure = error;
			}
			if (failure instanceof Changed) {
				this.restartNeeded = failure.reason;
				throw this.changedError(failure.reason);
			}
			if (!(failure instanceof ImaRequestError) || failure.info.kind !== 'network' || t.cancelled) throw failure;
			// "The media download request timed out" → "the media download request timed out"
			const reason = failure.message.charAt(0).toLowerCase() + failure.message.slice(1);
			this.lastCut = new Cut(reason, /timed out/.test(reason) ? 0 : this.backoffMs());
		}
	}

	private stopper = new AbortController();

	/** Waits `ms`, or less when the execution is cancelled or the reader goes away. */
	private async pause(ms: number): Promise<void> {
		const signal = this.t.signal;
		const stop = () => this.stopper.abort();
		signal?.addEventListener('abort', stop, { once: true });
		try {
			await abortableSleep(ms, this.stopper.signal);
		} finally {
			signal?.removeEventListener('abort', stop);
		}
	}

	/** startPart, with a Cut returned rather than thrown. */
	private tryStartPart(statusCode: unknown, headers: unknown, body: Readable): Cut | undefined {
		let failure: unknown;
		try {
			this.startPart(statusCode, headers, body);
			return undefined;
		} catch (error) {
			failure = error;
		}
		if (failure instanceof Cut) return failure;
		throw failure;
	}

	async next(): Promise<IteratorResult<Buffer>> {
		let counted = true;
		for (;;) {
			if (this.closed) return { done: true, value: undefined };
			if (!this.part) await this.resume(counted);
			counted = true;
			const part = this.part;
			if (!part) return { done: true, value: undefined };
			let result: IteratorResult<unknown> | undefined;
			let failure: unknown;
			part.waiting = true;
			try {
				result = await part.iterator.next();
			} catch (error) {
				failure = error;
			}
			part.waiting = false;
			if (!result) {
				const cause = part.killedWith ?? failure;
				// n8n 2.x's HTTP layer ends a body that stays silent for the request's timeout itself
				// (before the watchdog does): after that long without progress it is a stall all the same.
				const silent = Date.now() - part.windowStart >= this.limits.stallMs * 0.9;
				part.close();
				this.part = undefined;
				if (this.closed) return { done: true, value: undefined };
				if (this.t.cancelled) throw this.t.cancelledError(STEP);
				if (cause instanceof ImaRequestError) throw this.fail(cause); // a limit (total time)
				// (no network codes in the text: n8n replaces a message that contains one)
				if (cause instanceof Cut) this.lastCut = cause;
				else this.lastCut = silent ? this.stallCut() : new Cut('the connection broke', this.backoffMs());
				continue;
			}
			if (result.done) {
				part.close();
				this.part = undefined;
				const total = this.identity?.total;
				if (total !== undefined && this.offset < total) {
					// A 206 may cover less than asked: ask for the rest (no cut). Otherwise the answer ended early.
					if (part.lastByte !== undefined && this.offset === part.lastByte + 1 && part.received > 0) {
						counted = false;
						this.lastCut = undefined;
					} else {
						this.lastCut = new Cut(`the answer ended after ${this.offset} of ${total} bytes`);
					}
					continue;
				}
				this.close();
				return { done: true, value: undefined };
			}
			const value = result.value;
			let chunk = Buffer.isBuffer(value) ? value : Buffer.from(value as string);
			part.progress(chunk.length, this.limits);
			if (part.skip > 0) {
				if (chunk.length <= part.skip) {
					part.skip -= chunk.length;
					continue;
				}
				chunk = chunk.subarray(part.skip);
				part.skip = 0;
			}
			if (chunk.length === 0) continue;
			this.offset += chunk.length;
			if (this.offset > this.limits.maxBytes) throw this.fail(sizeError(this.limits.maxBytes));
			if (Date.now() > this.limits.deadline) throw this.fail(timeError(this.limits.totalTimeoutMs));
			return { done: false, value: chunk };
		}
	}

	/** The reader stopped (finished, failed or went away): nothing more is fetched. */
	async return(): Promise<IteratorResult<Buffer>> {
		this.close();
		return { done: true, value: undefined };
	}

	close(): void {
		this.closed = true;
		this.stopper.abort();
		this.stopper = new AbortController();
		this.part?.close();
		this.part = undefined;
	}

	private fail(error: ImaRequestError): ImaRequestError {
		this.close();
		return error;
	}

	private progressText(): string {
		const total = this.identity?.total;
		return `${formatLimit(this.offset)}${total !== undefined ? ` of ${formatLimit(total)}` : ''} received`;
	}

	private exhausted(): ImaRequestError {
		this.close();
		const reason = this.lastCut?.reason ?? 'the download was cut';
		return new ImaRequestError(`The media download did not recover after ${MAX_RESUMES} resumes: ${reason} (${this.progressText()})`, {
			kind: 'network',
			transient: false,
			maybeProcessed: false,
			step: STEP,
			description: `The node resumed the download from the last byte received ${MAX_RESUMES} times. A download that makes no progress (under ${MIN_DOWNLOAD_RATE / 1024} KB/s) for the Request Timeout is cut and resumed.`,
		});
	}

	private changedError(reason: string): ImaRequestError {
		this.close();
		return new ImaRequestError(`The media changed on the server during the download (${reason})`, {
			kind: 'network',
			transient: false,
			maybeProcessed: false,
			step: STEP,
			description: 'The bytes received so far belong to an older file. Download it again.',
		});
	}
}

/**
 * Today's bounds on an answer read as it is (no resume): destroys the stream with a clear error
 * when it passes `maxBytes` or the deadline.
 */
function guard(stream: Readable, limits: Limits): void {
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
		let failure: unknown;
		try {
			return await store(opened);
		} catch (error) {
			failure = error;
		}
		download.close();
		if (download.restartNeeded === undefined || t.cancelled) throw failure;
	}
}
