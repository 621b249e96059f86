// @ts-check
'use strict';

/**
 * How the simulated CDN answers a GET of a media: byte ranges (`Range: bytes=N-`, `N-M`, `-S` → 206 with
 * Content-Range, or 416), validators (ETag, Last-Modified) and the faults that strike inside a
 * body: `stall` (the body stops mid-way: it hangs, or trickles below a rate) and `lie` (a range
 * answer whose Content-Range or validators are not the truth). Written from HTTP's own rules for
 * range requests (RFC 9110, section 14), not from the node's download code.
 */

const crypto = require('node:crypto');
const { Readable } = require('node:stream');

/** @typedef {import('./media').MediaBody} MediaBody */

/**
 * @typedef {object} BodyFault
 * @property {'stall' | 'lie'} kind
 * @property {number} [afterBytes] stall: body bytes of this answer sent before it stalls (default: half of them; 64 KiB when the length is unknown)
 * @property {'hang' | 'trickle'} [mode] stall: send nothing more (default), or trickle
 * @property {{bytes?: number, everyMs?: number}} [trickle] stall mode 'trickle': `bytes` (default 10) every `everyMs` ms of the simulator's clock (default 100): 100 B/s
 * @property {'start' | 'total' | 'missing' | 'etag'} [lie] lie: what the answer gets wrong (below)
 */

/** @typedef {{afterBytes: number, mode: 'hang' | 'trickle', bytes: number, everyMs: number, hung?: boolean}} Stall */

const BODY_FAULT_KINDS = new Set(['stall', 'lie']);
const LIES = new Set(['start', 'total', 'missing', 'etag']);
/** How far a lying Content-Range start is moved (bytes). */
const LIE_SHIFT = 4096;
/** Last-Modified of every served file: a fixed time, an hour before the module loaded. */
const LAST_MODIFIED_MS = Math.floor(Date.now() / 1000) * 1000 - 3600_000;

/**
 * @param {{kind?: string}} spec
 * @returns {boolean} whether the fault strikes inside a body (served here)
 */
function isBodyFault(spec) {
	return BODY_FAULT_KINDS.has(String(spec && spec.kind));
}

/**
 * Throws on a malformed body fault (called by `sim.fault`).
 * @param {{route?: string} & Partial<BodyFault>} spec
 */
function checkBodyFault(spec) {
	if (spec.route !== 'media') throw new Error(`fault: kind ${spec.kind} applies to route 'media' only, not ${spec.route}`);
	if (spec.kind === 'stall') {
		if (spec.afterBytes !== undefined && !(Number.isFinite(spec.afterBytes) && spec.afterBytes >= 0)) throw new Error('fault: afterBytes must be a number >= 0');
		if (spec.mode !== undefined && spec.mode !== 'hang' && spec.mode !== 'trickle') throw new Error(`fault: stall mode must be 'hang' or 'trickle', not ${spec.mode}`);
	}
	if (spec.kind === 'lie' && !LIES.has(String(spec.lie))) throw new Error(`fault: lie must be 'start', 'total', 'missing' or 'etag', not ${spec.lie}`);
}

/**
 * The one range of a `Range` header, as RFC 9110 reads it: `null` when the header is absent or
 * is to be ignored (not `bytes=`, several ranges, not a valid range), `'unsatisfiable'` when it
 * starts past the end.
 * @param {string | string[] | undefined} value
 * @param {number} length
 * @returns {{start: number, end: number} | 'unsatisfiable' | null}
 */
function parseRange(value, length) {
	if (typeof value !== 'string') return null;
	const m = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
	if (!m || (m[1] === '' && m[2] === '')) return null;
	if (m[1] === '') {
		const suffix = Number(m[2]);
		if (suffix === 0 || length === 0) return 'unsatisfiable';
		return { start: Math.max(0, length - suffix), end: length - 1 };
	}
	const start = Number(m[1]);
	const end = m[2] === '' ? Infinity : Number(m[2]);
	if (end < start) return null;
	if (start >= length) return 'unsatisfiable';
	return { start, end: Math.min(end, length - 1) };
}

/**
 * ETag and Last-Modified of a file: the same for every answer of the same path and size.
 * @param {string} path
 * @param {number | undefined} length
 * @param {boolean} [changed] as if the file had been replaced
 */
function validators(path, length, changed = false) {
	const hash = crypto.createHash('sha1').update(`${path}|${length}`).digest('hex').slice(0, 20);
	return {
		etag: `"${hash}${changed ? '-2' : ''}"`,
		lastModified: new Date(LAST_MODIFIED_MS + (changed ? 3600_000 : 0)).toUTCString(),
	};
}

/**
 * @param {number} ms
 * @param {import('node:http').ServerResponse} res
 * @param {((ms: number) => Promise<unknown>) | undefined} sleep the simulator's clock (default: a real timer)
 * @returns {Promise<void>} after `ms`, or at once when the answer closes
 */
function pause(ms, res, sleep) {
	return new Promise((resolve) => {
		/** @type {NodeJS.Timeout | undefined} */
		let timer;
		const done = () => {
			clearTimeout(timer);
			res.off('close', done);
			resolve();
		};
		res.once('close', done);
		if (sleep) sleep(ms).then(done, done);
		else timer = setTimeout(done, ms);
	});
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {Buffer} chunk
 * @returns {Promise<void>} once the chunk is handed to the socket (back-pressure) or the answer closed
 */
function write(res, chunk) {
	return new Promise((resolve) => {
		if (res.write(chunk)) return resolve();
		const done = () => {
			res.off('drain', done);
			res.off('close', done);
			resolve();
		};
		res.once('drain', done);
		res.once('close', done);
	});
}

/**
 * Sends the bytes [from, to] of `content` (the whole file) as the body, stalling as `stall` says.
 * @param {Readable} content
 * @param {import('node:http').ServerResponse} res
 * @param {number} from
 * @param {number} to inclusive; Infinity for an open-ended body
 * @param {Stall | undefined} stall
 * @param {Record<string, unknown> | undefined} record
 * @param {((ms: number) => Promise<unknown>) | undefined} sleep
 */
async function pump(content, res, from, to, stall, record, sleep) {
	let pos = 0; // position in the file of the next byte of `content`
	let sent = 0; // body bytes sent
	for await (const raw of content) {
		if (res.destroyed) return;
		let chunk = /** @type {Buffer} */ (raw);
		const chunkStart = pos;
		pos += chunk.length;
		if (pos <= from) continue;
		if (chunkStart < from) chunk = chunk.subarray(from - chunkStart);
		const first = Math.max(chunkStart, from);
		if (first + chunk.length - 1 > to) chunk = chunk.subarray(0, to - first + 1);
		while (chunk.length > 0) {
			if (res.destroyed) return;
			let piece = chunk;
			if (stall && sent >= stall.afterBytes) {
				if (record && record.stalledAfter === undefined) record.stalledAfter = sent;
				if (stall.mode === 'hang') {
					stall.hung = true; // leaving the loop destroys the body (an AbortError): not a failure of the answer
					return; // nothing more; the socket stays open until the client goes
				}
				await pause(stall.everyMs, res, sleep);
				piece = chunk.subarray(0, stall.bytes);
			} else if (stall) piece = chunk.subarray(0, stall.afterBytes - sent);
			await write(res, piece);
			sent += piece.length;
			chunk = chunk.subarray(piece.length);
		}
		if (pos > to) break;
	}
	if (!res.destroyed) res.end();
}

/**
 * Answers a GET (or HEAD) of a file: 200 with the whole body, or 206 / 416 to a Range request
 * when `ranges` is on and the length is known; with a body fault applied. Adds to `record` the
 * `status` sent, the `contentRange` header if any and `stalledAfter` (body bytes sent before a
 * stall). A streamed body is kept in `open` until the answer closes.
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {MediaBody} body
 * @param {{ranges?: boolean, fault?: Partial<BodyFault>, record?: Record<string, unknown>, open?: Set<Readable>, path: string, sleep?: (ms: number) => Promise<unknown>}} options
 */
function serveFile(req, res, body, options) {
	const { fault, record } = options;
	const ranges = options.ranges !== false && body.length !== undefined;
	const lie = fault && fault.kind === 'lie' ? fault.lie : undefined;
	const { etag, lastModified } = validators(options.path, body.length, lie === 'etag');
	/** @type {Record<string, string>} */
	const headers = {
		'content-type': body.contentType,
		'cache-control': 'public, max-age=31536000',
		etag,
		'last-modified': lastModified,
		'accept-ranges': ranges ? 'bytes' : 'none',
	};
	const length = body.length;
	let status = 200;
	let from = 0;
	let to = length === undefined ? Infinity : length - 1;
	const range = ranges && length !== undefined ? parseRange(req.headers.range, length) : null;
	if (range === 'unsatisfiable' && length !== undefined) {
		headers['content-range'] = `bytes */${length}`;
		if (record) Object.assign(record, { status: 416, contentRange: headers['content-range'] });
		res.writeHead(416, { ...headers, 'content-length': '0' });
		return void res.end();
	}
	if (range && length !== undefined) {
		status = 206;
		from = range.start;
		to = range.end;
		let said = `bytes ${from}-${to}/${length}`;
		if (lie === 'start') {
			// claims (and sends) another start than the one asked for
			from = from >= LIE_SHIFT ? from - LIE_SHIFT : Math.min(from + LIE_SHIFT, to);
			said = `bytes ${from}-${to}/${length}`;
		} else if (lie === 'total') said = `bytes ${from}-${to}/${length + 1000}`;
		if (lie !== 'missing') headers['content-range'] = said;
	}
	if (length !== undefined) headers['content-length'] = String(to - from + 1);
	if (record) {
		record.status = status;
		if (headers['content-range']) record.contentRange = headers['content-range'];
	}
	res.writeHead(status, headers);
	if (req.method === 'HEAD') return void res.end();
	const opened = body.open();
	const content = Buffer.isBuffer(opened) ? Readable.from([opened], { objectMode: false }) : opened;
	/** @type {Stall | undefined} */
	let stall;
	if (fault && fault.kind === 'stall') {
		const count = to === Infinity ? undefined : to - from + 1;
		const t = fault.trickle || {};
		stall = {
			afterBytes: fault.afterBytes !== undefined ? Math.floor(fault.afterBytes) : count !== undefined ? Math.floor(count / 2) : 64 * 1024,
			mode: fault.mode === 'trickle' ? 'trickle' : 'hang',
			bytes: Math.max(1, Math.floor(t.bytes || 10)),
			everyMs: Math.max(1, t.everyMs === undefined ? 100 : t.everyMs),
		};
	}
	const open = options.open;
	if (open) open.add(content);
	res.on('close', () => {
		if (open) open.delete(content);
		content.destroy();
	});
	// (a body left before its end - a range, a stall - is destroyed with an AbortError: not a failure of the answer)
	const broken = () => {
		if (!res.writableEnded && !(stall && stall.hung)) res.destroy();
	};
	content.on('error', broken);
	pump(content, res, from, to, stall, record, options.sleep).catch(broken);
}

module.exports = { serveFile, parseRange, validators, isBodyFault, checkBodyFault, BODY_FAULT_KINDS, LIE_SHIFT };
