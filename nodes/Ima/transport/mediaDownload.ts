/**
 * One media download: the first answer, then resumes from the last byte received, checked
 * before a byte of them is used (see download.ts). Also the async iterator behind the stream
 * handed to n8n.
 */
import { parseRetryAfter } from '../helpers/errors';
import { Changed, changedBetween, Cut, downloadError, formatLimit, formatSeconds, guard, lengthOf, MAX_RESUMES, MIN_DOWNLOAD_RATE, parseContentRange, Part, readableClassOf, sendMediaRequest, sizeError, STEP, timeError, type Download, type Identity, type Limits } from './downloadPart';
import { ImaRequestError } from './errors';
import { abortableSleep, backoffMs, isTransientStatus } from './retry';
import { headerValue } from './send';
import type { ImaTransport, Readable } from './transport';

/**
 * One media download: the first answer, then resumes. Also the async iterator behind the stream
 * handed to n8n (Readable.from pulls chunks with `next()`; destroying the stream calls `return()`).
 */
export class MediaDownload implements AsyncIterator<Buffer> {
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
			const retryAfterMs = parseRetryAfter(headerValue(headers, 'retry-after'), Date.now());
			const transient = isTransientStatus(status);
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
		const found: Identity = { etag: headerValue(headers, 'etag'), lastModified: headerValue(headers, 'last-modified') };
		let skip = 0;
		let lastByte: number | undefined;
		if (status === 206) {
			// (another total is a changed file, below: stored again from byte 0)
			const range = parseContentRange(headerValue(headers, 'content-range'));
			if (!range || range.start !== asked) {
				drop();
				this.rangesTrusted = false;
				const said = headerValue(headers, 'content-range');
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
			this.contentType = headerValue(headers, 'content-type');
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
		return backoffMs(this.t.retryBaseMs, Math.max(0, this.resumes - 1));
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
			const result = await this.read(part);
			if (!result) continue;
			if (result.done) {
				const end = this.ended(part);
				if (end === 'done') return { done: true, value: undefined };
				counted = end === 'cut';
				continue;
			}
			const chunk = this.accept(part, result.value);
			if (chunk) return { done: false, value: chunk };
		}
	}

	/** The part's next chunk; undefined when the read failed (the part is closed, and why is noted as the cut). */
	private async read(part: Part): Promise<IteratorResult<unknown> | undefined> {
		let result: IteratorResult<unknown> | undefined;
		let failure: unknown;
		part.waiting = true;
		try {
			result = await part.iterator.next();
		} catch (error) {
			failure = error;
		}
		part.waiting = false;
		if (result) return result;
		const cause = part.killedWith ?? failure;
		// n8n 2.x's HTTP layer ends a body that stays silent for the request's timeout itself
		// (before the watchdog does): after that long without progress it is a stall all the same.
		const silent = Date.now() - part.windowStart >= this.limits.stallMs * 0.9;
		part.close();
		this.part = undefined;
		if (this.closed) return undefined;
		if (this.t.cancelled) throw this.t.cancelledError(STEP);
		if (cause instanceof ImaRequestError) throw this.fail(cause); // a limit (total time)
		// (no network codes in the text: n8n replaces a message that contains one)
		if (cause instanceof Cut) this.lastCut = cause;
		else this.lastCut = silent ? this.stallCut() : new Cut('the connection broke', this.backoffMs());
		return undefined;
	}

	/** A part ended: the whole file (`done`), the rest of a short 206 to ask for (`rest`), or an early end (`cut`). */
	private ended(part: Part): 'done' | 'rest' | 'cut' {
		part.close();
		this.part = undefined;
		const total = this.identity?.total;
		if (total === undefined || this.offset >= total) {
			this.close();
			return 'done';
		}
		// A 206 may cover less than asked: ask for the rest (no cut). Otherwise the answer ended early.
		if (part.lastByte !== undefined && this.offset === part.lastByte + 1 && part.received > 0) {
			this.lastCut = undefined;
			return 'rest';
		}
		this.lastCut = new Cut(`the answer ended after ${this.offset} of ${total} bytes`);
		return 'cut';
	}

	/** A chunk as it goes to the reader (bytes stored already dropped), within the limits; undefined: nothing to hand on. */
	private accept(part: Part, value: unknown): Buffer | undefined {
		let chunk = Buffer.isBuffer(value) ? value : Buffer.from(value as string);
		part.progress(chunk.length, this.limits);
		if (part.skip > 0) {
			if (chunk.length <= part.skip) {
				part.skip -= chunk.length;
				return undefined;
			}
			chunk = chunk.subarray(part.skip);
			part.skip = 0;
		}
		if (chunk.length === 0) return undefined;
		this.offset += chunk.length;
		if (this.offset > this.limits.maxBytes) throw this.fail(sizeError(this.limits.maxBytes));
		if (Date.now() > this.limits.deadline) throw this.fail(timeError(this.limits.totalTimeoutMs));
		return chunk;
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
		return downloadError(
			'network',
			`The media download did not recover after ${MAX_RESUMES} resumes: ${reason} (${this.progressText()})`,
			`The node resumed the download from the last byte received ${MAX_RESUMES} times. A download that makes no progress (under ${MIN_DOWNLOAD_RATE / 1024} KB/s) for the Request Timeout is cut and resumed.`,
		);
	}

	private changedError(reason: string): ImaRequestError {
		this.close();
		return downloadError('network', `The media changed on the server during the download (${reason})`, 'The bytes received so far belong to an older file. Download it again.');
	}
}
