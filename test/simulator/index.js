// @ts-check
'use strict';

const seedance = require('./seedance');
const eet = require('./eet');

/**
 * IMA API simulator: four real HTTP servers on loopback (the IMA open API, the upload-token
 * service, a storage/CDN host and a "foreign" host that redirects can point to), faithful to
 * /work/shared/ima-api/README.md.
 * See README.md beside this file for the API.
 */

const http = require('node:http');
const crypto = require('node:crypto');
const { loadCatalogs, catalogOf, ruleChargedFor, checkOptions, DEFAULT_PRODUCTS_DIR } = require('./products');
const { KIND_INFO, mediaBody, openEndedBody, coverBody, PNG } = require('./media');
const { serveFile, isBodyFault, checkBodyFault, BODY_FAULT_KINDS } = require('./ranges');

/** @typedef {import('./media').MediaKind} MediaKind */
/** @typedef {import('./media').MediaBody} MediaBody */
/** @typedef {import('./products').Catalog} Catalog */
/** @typedef {import('./products').CreditRule} CreditRule */

/**
 * @typedef {object} SimulatorOptions
 * @property {string} [apiKey] default 'ima_test_key_0123456789'
 * @property {number} [speed] simulated-time factor, default 100 (a 20 s task takes 200 ms)
 * @property {number} [balance] starting credit balance, default 1e9
 * @property {string} [host] default '127.0.0.1'
 * @property {boolean} [rangeRequests] the CDN answers Range requests with 206 (default true; false: always 200, whole file)
 * @property {string} [productsDir] directory of `products_<category>.json` files (default: ./products)
 * @property {number} [port] port of the API server (upload = port+1, cdn = port+2, foreign = port+3); default 0 = random ports
 * @property {number} [successCode] `code` of successful answers (product list, create, detail, upload token); default 0
 * @property {SimClock} [clock] where time comes from (default: the real clock; see SimClock)
 * @property {boolean} [eet] draw task durations inside each version's EET tag and serve the tags divided by `speed` (default true); false: kind-default durations and no EET tags served
 * @property {number} [seed] seed of the duration draw (default 1; `reset()` starts it again)
 * @property {Partial<Record<LimitRoute, RateLimit>>} [rateLimits] rate limits in force from the start and after every `reset()` (hidden from the client: it only sees 429s)
 */

/**
 * The simulator's time: task progress, request records, rate limits, upload-token times, the
 * asset check's delay, trickling media and trickling stalls. The real clock by default; a test may pass its own
 * (test/support/testClock.js: `new TestClock()`) and move time itself.
 * @typedef {object} SimClock
 * @property {() => number} now ms since the epoch
 * @property {(ms: number) => Promise<unknown>} sleep
 * @property {(ms: number, fn: () => void) => () => void} every calls `fn` every `ms` until the returned stop function is called
 */

/** @type {SimClock} */
const REAL_CLOCK = {
	now: () => Date.now(),
	sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
	every: (ms, fn) => {
		const timer = setInterval(fn, ms);
		return () => clearInterval(timer);
	},
};

/** @typedef {'productList' | 'create' | 'detail' | 'verify' | 'media' | 'uploadToken' | 'put'} FaultRoute */
/** @typedef {'productList' | 'create' | 'detail' | 'verify' | 'uploadToken' | 'media' | 'put' | 'files'} LimitRoute */
/**
 * @typedef {object} AssetVerdict
 * @property {string} [status] the `status` sent (default 'active'; 'active'/'success' pass)
 * @property {string} [reason] `error.message` of a refusal
 * @property {string} [code] `error.code` of a refusal (default 'ASSET_REJECTED')
 * @property {number} [delayMs] milliseconds before the answer (on the simulator's clock)
 */

/**
 * @typedef {object} FaultSpec
 * @property {FaultRoute} route
 *   (kinds 'stall' and 'lie' too, on route 'media': faults inside a body, see BodyFault in ranges.js)
 * @property {number} [times] how many requests it hits (default 1; Infinity allowed)
 * @property {'status' | 'reset' | 'hang' | 'business' | 'redirect' | 'tamper'} kind
 * @property {number} [status] HTTP status for kind 'status' (default 500); for 'redirect' 301|302|303|307|308 (default 302)
 * @property {'foreign' | 'same'} [to] kind 'redirect': to the foreign origin (default) or to the same origin under /moved
 * @property {number} [retryAfter] seconds, sent as a Retry-After header (kind 'status')
 * @property {number} [code] business code for kind 'business' (default 500)
 * @property {string} [message] message of the error envelope
 * @property {boolean} [afterProcessing] process the request first (create: task created and charged), then fault the answer
 * @property {(payload: any) => unknown} [tamper] kind 'tamper': the request is processed as usual, then its JSON answer (a copy) goes through this function; an object or array it returns is sent as JSON, a string as raw text
 */

/**
 * @typedef {object} TaskBehaviour
 * @property {number} [durationSec] simulated seconds until done (default image 20, video 60, music 30)
 * @property {number[]} [failMedia] media indexes ending with resource_status 2, status 'failed', error_msg
 * @property {number[]} [failedStatusMedia] media indexes ending with resource_status 1 but status 'failed', remark
 * @property {number[]} [deleteMedia] media indexes ending with resource_status 3
 * @property {'url' | 'watermark_url' | 'preview_url'} [urlField] which field carries the media URL (default 'url')
 * @property {number} [mediaBytes] exact size of each generated media file (streamed)
 * @property {boolean} [mediaPattern] image and video files padded with pseudo-random bytes (not zeros): every byte depends on its offset
 * @property {boolean} [neverFinish] the task stays processing forever
 * @property {'number' | 'string' | 'mixed'} [statusAs] how resource_status and status are spelled (default 'number')
 * @property {number[]} [mediaDurationsSec] simulated seconds until media i is done (others: durationSec)
 * @property {boolean} [mediaEndless] the CDN streams each media without end (header, then padding)
 * @property {{bytes?: number, everyMs?: number, total?: number}} [mediaTrickle] the CDN sends the header, then `bytes` every `everyMs` ms of the simulator's clock (up to `total` bytes)
 * @property {string} [mediaUrl] replaces the URL of every done media (any string, e.g. 'file:///etc/passwd')
 * @property {string} [coverUrl] replaces the cover URL of every done video media (any string)
 * @property {string} [id] the task's id instead of a generated one (any non-empty string: 1,000 characters, the API key…)
 * @property {boolean} [idAsNumber] the id (digits only) is written as a bare JSON number in the create and detail answers
 * @property {string} [forVersion] only for a create of this model version (others skip it; see eet.js takeBehaviour)
 */

/**
 * @typedef {object} RequestRecord
 * @property {'api' | 'upload' | 'cdn'} server
 * @property {string} route productList | create | detail | verify | uploadToken | media | put | files | unknown
 * @property {string} method
 * @property {string} path
 * @property {Record<string, string>} query
 * @property {Record<string, string | string[] | undefined>} headers lower-cased names
 * @property {any} [body] parsed JSON for API POSTs (the raw text if it is not JSON)
 * @property {number} time Unix ms
 * @property {true} [limited] answered 429 by a rate limit
 */

/**
 * @typedef {object} ForeignRecord
 * @property {string} method
 * @property {string} path
 * @property {Record<string, string>} query
 * @property {Record<string, string | string[] | undefined>} headers lower-cased names
 * @property {any} [body] parsed JSON, else the text (bodies over 1 MB: undefined; see size)
 * @property {number} size body bytes
 * @property {number} time Unix ms
 */

/** @typedef {{perSecond: number, burst?: number, retryAfter?: number}} RateLimit */

/**
 * A product list as served: the JSON text of `data`, and the catalogue creates are checked
 * against (null when `data` is not a normal tree; `raw` text is parsed on first need).
 * @typedef {{json: string, catalog: Catalog | null, raw?: boolean}} ServedList
 */

/**
 * @typedef {object} SimTask
 * @property {string} id
 * @property {string} bizId
 * @property {string} taskType
 * @property {MediaKind} kind
 * @property {string} prompt
 * @property {string} modelVersion
 * @property {string} modelId
 * @property {any} body the whole create body
 * @property {any} params `parameters[0]` of the create body
 * @property {number} n
 * @property {number} credit points of one media (the matched rule)
 * @property {number} attributeId
 * @property {CreditRule} rule
 * @property {number} charged credit × n
 * @property {number} createdAt Unix ms
 * @property {number} durationMs real milliseconds until done (the last media)
 * @property {number[]} mediaDurationsMs real milliseconds until each media is done
 * @property {number} polls detail calls answered for this task
 * @property {[number, number] | null} expectedSec the version's EET range (simulated seconds), null when it has none
 * @property {number} timeoutAt Unix ms
 * @property {TaskBehaviour} behaviour
 */

/**
 * @typedef {object} StoredUpload
 * @property {string} key
 * @property {string} contentType
 * @property {number} size
 * @property {string} sha256 hex
 * @property {Buffer | null} data the bytes, kept only under 50 MB
 * @property {number} time
 */

/** @typedef {{status: number, payload: object | string, headers?: Record<string, string>}} ApiAnswer */

const DEFAULT_API_KEY = 'ima_test_key_0123456789';
const UPLOAD_APP_ID = 'webAgent';
const UPLOAD_APP_KEY = '32jdskjdk320eew';
const UPLOAD_PARAMS = [
	'appUid',
	'appId',
	'appKey',
	'cmimToken',
	'sign',
	'timestamp',
	'nonce',
	'fService',
	'fType',
	'fSuffix',
	'fContentType',
];
const KEEP_UPLOAD_LIMIT = 50 * 1024 * 1024;
/** @type {Record<MediaKind, number>} simulated seconds */
const DEFAULT_DURATION = { image: 20, video: 60, audio: 30 };
/** @type {Record<MediaKind, number>} simulated seconds (IMA's own client's poll limits) */
const TIMEOUT = { image: 600, video: 2400, audio: 480 };
/** Speech is audio too, but quicker: IMA polls it every 3 s up to 5 min (simulated seconds). */
const SPEECH_DURATION = 10;
const SPEECH_TIMEOUT = 300;
const IMAGE_TASK_TYPES = new Set([
	'image_to_image',
	'image_to_video',
	'first_last_frame_to_video',
	'reference_image_to_video',
]);
const FAULT_ROUTES = new Set(['productList', 'create', 'detail', 'verify', 'media', 'uploadToken', 'put']);
const FAULT_KINDS = new Set(['status', 'reset', 'hang', 'business', 'redirect', 'tamper']);
/** Routes whose JSON answer a 'tamper' fault may rewrite. */
const TAMPER_ROUTES = new Set(['productList', 'create', 'detail', 'verify', 'uploadToken']);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const LIMIT_ROUTES = new Set(['productList', 'create', 'detail', 'verify', 'uploadToken', 'media', 'put', 'files']);
// Faults inside a body (stall, lie), served by ranges.js.
for (const kind of BODY_FAULT_KINDS) FAULT_KINDS.add(kind);
const MOVED_PREFIX = '/moved';
const FOREIGN_BODY_LIMIT = 1024 * 1024;
const FAIL_MESSAGE = 'Content moderation rejected the prompt';
const FAILED_STATUS_REMARK = 'Generation failed: the model returned no result';

/**
 * @param {unknown} v
 * @returns {v is Record<string, any>}
 */
function isObject(v) {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * @param {string} taskType
 * @returns {MediaKind}
 */
function kindOf(taskType) {
	if (taskType.endsWith('_video')) return 'video';
	if (taskType.endsWith('_music') || taskType.endsWith('_speech')) return 'audio';
	return 'image';
}

/**
 * @param {unknown} v
 * @returns {boolean}
 */
function isHttpUrl(v) {
	if (typeof v !== 'string') return false;
	try {
		const u = new URL(v);
		return (u.protocol === 'http:' || u.protocol === 'https:') && !!u.hostname;
	} catch {
		return false;
	}
}

/**
 * n: absent → 1; an integer (or a string of digits, as IMA's client sends form defaults) 1..4.
 * @param {unknown} v
 * @returns {number | null}
 */
function parseN(v) {
	if (v === undefined || v === null) return 1;
	/** @type {number} */
	let n;
	if (typeof v === 'number') n = v;
	else if (typeof v === 'string' && /^\s*\d+\s*$/.test(v)) n = Number(v);
	else return null;
	return Number.isInteger(n) && n >= 1 && n <= 4 ? n : null;
}

/**
 * @param {unknown} v
 * @returns {string}
 */
function show(v) {
	const s = typeof v === 'string' ? `"${v}"` : JSON.stringify(v);
	return s === undefined ? 'undefined' : s.length > 80 ? s.slice(0, 77) + '...' : s;
}

/**
 * @param {http.ServerResponse} res
 * @param {number} status
 * @param {object | string} payload an object, or JSON text
 * @param {Record<string, string>} [headers]
 */
function sendJson(res, status, payload, headers = {}) {
	const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
	res.writeHead(status, {
		'content-type': 'application/json; charset=utf-8',
		'content-length': String(Buffer.byteLength(text)),
		...headers,
	});
	res.end(text);
}

/**
 * @param {http.IncomingMessage} req
 * @returns {Promise<Buffer>}
 */
function readBody(req) {
	return new Promise((resolve, reject) => {
		/** @type {Buffer[]} */
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => resolve(Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

/**
 * Reads and discards the request body.
 * @param {http.IncomingMessage} req
 * @returns {Promise<void>}
 */
function drain(req) {
	return new Promise((resolve) => {
		if (req.readableEnded) return resolve();
		req.on('end', () => resolve());
		req.on('error', () => resolve());
		req.on('close', () => resolve());
		req.resume();
	});
}

/**
 * @param {string} code
 * @param {string} message
 */
function ossError(code, message) {
	return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>\n`;
}

/**
 * @param {string} s
 * @returns {string}
 */
function safeDecode(s) {
	try {
		return decodeURIComponent(s);
	} catch {
		return s;
	}
}

/**
 * Answers nothing: the connection is reset (RST where the platform allows it).
 * @param {http.IncomingMessage} req
 */
function resetSocket(req) {
	const socket = /** @type {import('node:net').Socket & {resetAndDestroy?: () => void}} */ (req.socket);
	if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
	else socket.destroy();
}

class Simulator {
	/**
	 * @param {SimulatorOptions} [options]
	 */
	constructor(options = {}) {
		this.apiKey = options.apiKey || DEFAULT_API_KEY;
		this.speed = options.speed && options.speed > 0 ? options.speed : 100;
		this.host = options.host || '127.0.0.1';
		this.productsDir = options.productsDir || DEFAULT_PRODUCTS_DIR;
		/** @private */
		this._port = options.port || 0;
		/** @private */
		this._initialBalance = options.balance === undefined ? 1e9 : options.balance;
		/** @private */
		this._initialSuccessCode = options.successCode === undefined ? 0 : options.successCode;
		/** `code` of successful answers (product list, create, detail, upload token) */
		this.successCode = this._initialSuccessCode;
		/** @private */
		this._initialClock = options.clock || REAL_CLOCK;
		/** where time comes from (`setClock`) */
		this.clock = this._initialClock;
		/** durations drawn inside EET tags, tags served divided by speed (false: no EET tags, kind defaults) */
		this.eet = options.eet !== false;
		/** @private */
		this._seed = options.seed === undefined ? 1 : options.seed;
		/** @private */
		this._rng = eet.createRng(this._seed);
		/** @private @type {WeakMap<object, string>} product-list JSON with EET tags scaled, per catalogue */
		this._scaled = new WeakMap();
		/** @private */
		this._initialLimits = options.rateLimits || {};
		this.baseUrl = '';
		this.uploadBaseUrl = '';
		this.cdnBaseUrl = '';
		/** a different origin (its own port) that redirect faults can point to */
		this.foreignBaseUrl = '';
		/** @type {RequestRecord[]} every request on the API, upload and CDN servers (faulted and rate-limited ones too) */
		this.requests = [];
		/** @type {ForeignRecord[]} every request the foreign server received */
		this.foreignRequests = [];
		/** @type {Map<string, SimTask>} */
		this.tasks = new Map();
		/** @type {Map<string, StoredUpload>} files received by presigned PUTs, by key */
		this.uploads = new Map();
		this.creditsCharged = 0;
		this.balance = this._initialBalance;
		/** @private @type {Map<string, Catalog>} the catalogue as loaded (never mutated) */
		this._catalogs = loadCatalogs(this.productsDir);
		/** @private @type {Map<string, ServedList>} product lists replaced by setProductList / patchVersion */
		this._served = new Map();
		/** @private @type {Map<string, RateLimit & {buckets: Map<string, {tokens: number, last: number}>}>} */
		this._limits = new Map();
		/** @private @type {Set<import('node:stream').Readable>} open media streams (endless, trickling) */
		this._streams = new Set();
		/** the CDN serves Range requests (206); `setRangeRequests`, `reset()` restores the start option */
		this.rangeRequests = options.rangeRequests !== false;
		/** @private */
		this._initialRangeRequests = this.rangeRequests;
		/** @private @type {Map<string, {spec: FaultSpec, left: number}[]>} */
		this._faults = new Map();
		/** @private @type {TaskBehaviour[]} */
		this._behaviours = [];
		/** @private @type {Set<string>} */
		this._subscriptions = new Set();
		/** @private @type {Map<string, {signature: string, expires: number, contentType: string}>} */
		this._uploadSlots = new Map();
		/** @private @type {Set<import('node:net').Socket>} */
		this._sockets = new Set();
		/** @private @type {http.Server[]} */
		this._servers = [];
		/** @private */
		this._counter = 0;
		/** @private @type {Map<string, {data: Buffer, contentType: string}>} files served by hostFile */
		this._hosted = new Map();
		/** URLs whose asset check (POST /open/v1/assets/verify) passed */
		this.verifiedAssets = new Set();
		/** @private @type {Map<string, AssetVerdict>} verdicts by URL ('*' = every other URL) */
		this._verdicts = new Map();
		/** @private @type {Promise<void> | null} */
		this._closing = null;
		this._applyInitialLimits();
	}

	/** @private */
	_applyInitialLimits() {
		for (const [route, limit] of Object.entries(this._initialLimits)) if (limit) this.setRateLimit(/** @type {LimitRoute} */ (route), limit);
	}

	// ---- public API -----------------------------------------------------------------------

	/**
	 * Starts the four servers.
	 * @returns {Promise<this>}
	 */
	async start() {
		const handlers = [
			(/** @type {http.IncomingMessage} */ q, /** @type {http.ServerResponse} */ s) => this._onApi(q, s),
			(/** @type {http.IncomingMessage} */ q, /** @type {http.ServerResponse} */ s) => this._onUpload(q, s),
			(/** @type {http.IncomingMessage} */ q, /** @type {http.ServerResponse} */ s) => this._onCdn(q, s),
			(/** @type {http.IncomingMessage} */ q, /** @type {http.ServerResponse} */ s) => this._onForeign(q, s),
		];
		const urls = [];
		for (let i = 0; i < handlers.length; i++) {
			const handler = handlers[i];
			const server = http.createServer((req, res) => {
				handler(req, res).catch((err) => {
					if (!res.headersSent) sendJson(res, 500, { code: 500, message: `simulator error: ${err && err.message}`, data: null });
					else res.destroy();
				});
			});
			server.on('connection', (socket) => {
				this._sockets.add(socket);
				socket.on('close', () => this._sockets.delete(socket));
			});
			this._servers.push(server);
			const port = this._port ? this._port + i : 0;
			await new Promise((resolve, reject) => {
				server.once('error', reject);
				server.listen(port, this.host, () => {
					server.off('error', reject);
					resolve(undefined);
				});
			});
			const addr = /** @type {import('node:net').AddressInfo} */ (server.address());
			const host = this.host.includes(':') ? `[${this.host}]` : this.host;
			urls.push(`http://${host}:${addr.port}`);
		}
		[this.baseUrl, this.uploadBaseUrl, this.cdnBaseUrl, this.foreignBaseUrl] = urls;
		return this;
	}

	/**
	 * Stops the servers; open, keep-alive and hung connections and open media streams (endless,
	 * trickling) are destroyed. Idempotent.
	 * @returns {Promise<void>}
	 */
	close() {
		if (!this._closing) {
			for (const stream of this._streams) stream.destroy();
			this._streams.clear();
			const closed = this._servers.map(
				(server) => new Promise((resolve) => server.close(() => resolve(undefined))),
			);
			for (const socket of this._sockets) socket.destroy();
			this._sockets.clear();
			this._closing = Promise.all(closed).then(() => undefined);
		}
		return this._closing;
	}

	/**
	 * Clears requests (foreign ones too), tasks, uploads, faults, queued behaviours, subscriptions,
	 * rate limits and credits charged; restores the balance, the success code and the catalogue.
	 */
	reset() {
		this.requests.length = 0;
		this.foreignRequests.length = 0;
		this._served.clear();
		this._limits.clear();
		this.successCode = this._initialSuccessCode;
		this.tasks.clear();
		this.uploads.clear();
		this._uploadSlots.clear();
		this._faults.clear();
		this.rangeRequests = this._initialRangeRequests;
		this._behaviours.length = 0;
		this._subscriptions.clear();
		this.verifiedAssets.clear();
		this._verdicts.clear();
		this._hosted.clear();
		this.creditsCharged = 0;
		this.balance = this._initialBalance;
		this.clock = this._initialClock;
		this._rng = eet.createRng(this._seed);
		this._applyInitialLimits();
	}

	/** Connections open to the four servers now (`close()` destroys them at once). */
	get openConnections() {
		return this._sockets.size;
	}

	/**
	 * Takes time from `clock` from now on (until `reset()`): see SimClock.
	 * @param {SimClock} clock
	 */
	setClock(clock) {
		this.clock = clock;
	}

	/**
	 * How the asset check answers for `url` ('*': every URL without its own verdict) until
	 * `reset()`: `{status: 'rejected', reason: 'why'}` refuses it, `{delayMs}` answers late.
	 * Without a verdict a URL passes (`status: 'active'`) at once.
	 * @param {string} url
	 * @param {AssetVerdict} verdict
	 */
	assetVerdict(url, verdict) {
		this._verdicts.set(url, { ...verdict });
	}

	/**
	 * Serves `data` at `${cdnBaseUrl}/files/hosted/<name>` (GET, with Content-Length) until
	 * `reset()`: a public file for tests that pass media by URL. Returns the URL.
	 * @param {string} name
	 * @param {Buffer} data
	 * @param {string} contentType
	 */
	hostFile(name, data, contentType) {
		const key = `hosted/${name}`;
		this._hosted.set(key, { data, contentType });
		return `${this.cdnBaseUrl}/files/${key.split('/').map(encodeURIComponent).join('/')}`;
	}

	/** The `requests` records of `POST /open/v1/assets/verify`. */
	verifiesReceived() {
		return this.requests.filter((r) => r.server === 'api' && r.route === 'verify');
	}

	/**
	 * Queues a fault on a route; faults of one route are consumed in order.
	 * @param {FaultSpec} spec
	 */
	fault(spec) {
		if (spec && isBodyFault(spec)) checkBodyFault(spec);
		if (!spec || !FAULT_ROUTES.has(spec.route)) throw new Error(`fault: unknown route ${spec && spec.route}`);
		if (!FAULT_KINDS.has(spec.kind)) throw new Error(`fault: unknown kind ${spec.kind}`);
		if (spec.kind === 'tamper') {
			if (!TAMPER_ROUTES.has(spec.route)) throw new Error(`fault: tamper works on ${[...TAMPER_ROUTES].join(', ')}, not ${spec.route}`);
			if (typeof spec.tamper !== 'function') throw new Error('fault: tamper needs a tamper function');
		}
		if (spec.kind === 'redirect') {
			if (spec.status !== undefined && !REDIRECT_STATUSES.has(spec.status)) throw new Error(`fault: redirect status must be 301, 302, 303, 307 or 308, not ${spec.status}`);
			if (spec.to !== undefined && spec.to !== 'foreign' && spec.to !== 'same') throw new Error(`fault: redirect to must be 'foreign' or 'same', not ${spec.to}`);
		}
		const times = spec.times === undefined ? 1 : spec.times;
		if (!(times >= 1)) throw new Error('fault: times must be >= 1');
		const queue = this._faults.get(spec.route) || [];
		queue.push({ spec: { ...spec }, left: times });
		this._faults.set(spec.route, queue);
	}

	/**
	 * Queues a behaviour for the next successful create (FIFO).
	 * @param {TaskBehaviour} behaviour
	 */
	queueTask(behaviour) {
		const b = { ...(behaviour || {}) };
		if (b.id !== undefined && (typeof b.id !== 'string' || b.id === '')) throw new Error('queueTask: id must be a non-empty string');
		if (b.idAsNumber && !/^\d+$/.test(String(b.id))) throw new Error('queueTask: idAsNumber needs an id of digits');
		this._behaviours.push(b);
	}

	/** @param {number} n */
	setBalance(n) {
		this.balance = n;
	}

	/**
	 * Whether the CDN answers Range requests with 206 from now on (false: 200 with the whole file,
	 * `Accept-Ranges: none`); `reset()` restores the start option.
	 * @param {boolean} on
	 */
	setRangeRequests(on) {
		this.rangeRequests = on !== false;
	}

	/**
	 * The `code` of successful answers from now on (0 or 200; `reset()` restores the start option).
	 * @param {number} code
	 */
	setSuccessCode(code) {
		this.successCode = code;
	}

	/**
	 * Serves `data` as the product list of a category (a new category too): any JSON value,
	 * answered as `{code: <success>, message: 'success', data}`, or `{raw: '<json text>'}`
	 * inserted verbatim as `data` (nothing parses or walks it unless a create needs it). Creates
	 * of the category are checked against it when it is a normal tree (an array of objects),
	 * otherwise answered 400. `reset()` restores the original catalogue.
	 * @param {string} category
	 * @param {unknown} data
	 */
	setProductList(category, data) {
		if (isObject(data) && Object.keys(data).length === 1 && typeof data.raw === 'string') {
			this._served.set(category, { json: data.raw, catalog: null, raw: true });
			return;
		}
		const text = JSON.stringify(data);
		const json = text === undefined ? 'null' : text;
		this._served.set(category, { json, catalog: catalogOf(JSON.parse(json)) });
	}

	/**
	 * Changes one served version in place (e.g. a rule's points), as IMA does between a client's
	 * product-list read and its create: the next answers serve the changed version and creates are
	 * checked against it. `reset()` restores the original.
	 * @param {string} category
	 * @param {string} versionId
	 * @param {(version: Record<string, any>) => void} mutate
	 */
	patchVersion(category, versionId, mutate) {
		const list = this._list(category);
		if (!list) throw new Error(`patchVersion: unknown category ${category}`);
		const current = this._catalogFor(category, list);
		if (!current) throw new Error(`patchVersion: the product list of ${category} is not a tree`);
		const catalog = /** @type {Catalog} */ (catalogOf(JSON.parse(current.treeJson)));
		const version = catalog.byId.get(String(versionId));
		if (!version) throw new Error(`patchVersion: no version ${versionId} in ${category}`);
		mutate(version);
		const changed = /** @type {Catalog} */ (catalogOf(catalog.tree));
		this._served.set(category, { json: changed.treeJson, catalog: changed });
	}

	/**
	 * Rate-limits a route: a token bucket per API key (Bearer key, else `appUid`; '' when none)
	 * holding `burst` requests (default `perSecond`, at least 1) and refilled at `perSecond`; a
	 * request over the limit is answered HTTP 429 with `Retry-After: <retryAfter>` (default 1) and
	 * `{code: 429, message: 'rate limited'}`. `null` removes the limit; `reset()` removes all.
	 * @param {LimitRoute} route
	 * @param {RateLimit | null} limit
	 */
	setRateLimit(route, limit) {
		if (!LIMIT_ROUTES.has(route)) throw new Error(`setRateLimit: unknown route ${route}`);
		if (limit === null || limit === undefined) {
			this._limits.delete(route);
			return;
		}
		if (!(limit.perSecond > 0)) throw new Error('setRateLimit: perSecond must be > 0');
		const burst = Math.max(1, limit.burst === undefined ? limit.perSecond : limit.burst);
		this._limits.set(route, { ...limit, burst, buckets: new Map() });
	}

	/**
	 * Creates for this model version id (or model_id) answer code 4014 from now on.
	 * @param {string} modelVersionOrModelId
	 */
	requireSubscription(modelVersionOrModelId) {
		this._subscriptions.add(String(modelVersionOrModelId));
	}

	/** @returns {number} streamed media bodies still being sent (endless, trickling, mediaBytes) */
	get openMediaStreams() {
		return this._streams.size;
	}

	/** @returns {RequestRecord[]} the records of the create calls received (faulted ones too) */
	createsReceived() {
		return this.requests.filter((r) => r.server === 'api' && r.route === 'create');
	}

	/**
	 * The flat list of version nodes of a category, depth-first over the tree (copies).
	 * @param {string} category
	 * @returns {Record<string, any>[]}
	 */
	products(category) {
		const list = this._list(category);
		if (!list) throw new Error(`unknown category ${category}`);
		const catalog = this._catalogFor(category, list);
		return catalog ? JSON.parse(JSON.stringify(catalog.versions)) : [];
	}

	/** @returns {string[]} the categories the product list serves */
	categories() {
		return [...new Set([...this._catalogs.keys(), ...this._served.keys()])];
	}

	// ---- plumbing -------------------------------------------------------------------------

	/**
	 * The product list served for a category, or undefined.
	 * @private
	 * @param {string} category
	 * @returns {ServedList | undefined}
	 */
	_list(category) {
		const replaced = this._served.get(category);
		if (replaced) return replaced;
		const catalog = this._catalogs.get(category);
		return catalog ? { json: catalog.treeJson, catalog } : undefined;
	}

	/**
	 * The catalogue of a served list; raw text is parsed once, on first need (a parse error or a
	 * stack overflow on hostile text means "not a tree").
	 * @private
	 * @param {string} category
	 * @param {ServedList} list
	 * @returns {Catalog | null}
	 */
	_catalogFor(category, list) {
		if (list.raw) {
			/** @type {Catalog | null} */
			let catalog = null;
			try {
				catalog = catalogOf(JSON.parse(list.json));
			} catch {
				catalog = null;
			}
			this._served.set(category, { json: list.json, catalog });
			return catalog;
		}
		return list.catalog;
	}

	/**
	 * Whether a request goes over its route's rate limit (one token taken when it does not).
	 * @private
	 * @param {string} route
	 * @param {http.IncomingMessage} req
	 * @param {URL} url
	 * @returns {RateLimit | null} the limit it went over
	 */
	_overLimit(route, req, url) {
		const limit = this._limits.get(route);
		if (!limit) return null;
		const bearer = /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization || '').trim());
		const key = bearer ? bearer[1].trim() : url.searchParams.get('appUid') || '';
		const now = this.clock.now();
		const burst = /** @type {number} */ (limit.burst);
		const bucket = limit.buckets.get(key) || { tokens: burst, last: now };
		bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.last) / 1000) * limit.perSecond);
		bucket.last = now;
		limit.buckets.set(key, bucket);
		if (bucket.tokens >= 1) {
			bucket.tokens -= 1;
			return null;
		}
		return limit;
	}

	/**
	 * Answers 429 when the request is over its route's limit (and marks its record).
	 * @private
	 * @param {string} route
	 * @param {http.IncomingMessage} req
	 * @param {http.ServerResponse} res
	 * @param {URL} url
	 * @param {RequestRecord} rec
	 * @returns {boolean} true when answered
	 */
	_limit(route, req, res, url, rec) {
		const limit = this._overLimit(route, req, url);
		if (!limit) return false;
		rec.limited = true;
		const retryAfter = limit.retryAfter === undefined ? 1 : limit.retryAfter;
		sendJson(res, 429, { code: 429, message: 'rate limited', data: null }, { 'retry-after': String(retryAfter) });
		return true;
	}

	/**
	 * @private
	 * @param {FaultRoute | string} route
	 * @returns {FaultSpec | undefined}
	 */
	_takeFault(route) {
		const queue = this._faults.get(route);
		if (!queue || queue.length === 0) return undefined;
		const head = queue[0];
		head.left -= 1;
		if (head.left <= 0) queue.shift();
		return head.spec;
	}

	/**
	 * @private
	 * @param {FaultSpec} spec
	 * @param {http.IncomingMessage} req
	 * @param {http.ServerResponse} res
	 * @param {string} origin base URL of the server that got the request (for same-origin redirects)
	 */
	_applyFault(spec, req, res, origin) {
		if (spec.kind === 'reset') return resetSocket(req);
		if (spec.kind === 'redirect') {
			const url = new URL(req.url || '/', 'http://sim');
			const base = spec.to === 'same' ? origin + MOVED_PREFIX : this.foreignBaseUrl;
			const status = spec.status || 302;
			const location = base + unmoved(url.pathname) + url.search;
			return sendJson(res, status, { code: status, message: spec.message || `moved to ${location}`, data: null }, { location });
		}
		if (spec.kind === 'hang') return; // the socket stays open until close()
		if (spec.kind === 'business') {
			return sendJson(res, 200, { code: spec.code === undefined ? 500 : spec.code, message: spec.message || 'simulated business error', data: null });
		}
		const status = spec.status || 500;
		/** @type {Record<string, string>} */
		const headers = {};
		if (spec.retryAfter !== undefined) headers['retry-after'] = String(spec.retryAfter);
		// `code`: an envelope code behind the HTTP error (a gateway that passes IMA's body on with its own status).
		sendJson(res, status, { code: spec.code === undefined ? status : spec.code, message: spec.message || http.STATUS_CODES[status] || 'error', data: null }, headers);
	}

	/**
	 * @private
	 * @param {'api' | 'upload' | 'cdn'} server
	 * @param {string} route
	 * @param {http.IncomingMessage} req
	 * @param {URL} url
	 * @param {any} [body]
	 * @returns {RequestRecord}
	 */
	_record(server, route, req, url, body) {
		// path: as requested (a redirected request shows its /moved prefix); route: as served
		/** @type {RequestRecord} */
		const rec = {
			server,
			route,
			method: req.method || '',
			path: url.pathname,
			query: Object.fromEntries(url.searchParams),
			headers: { ...req.headers },
			time: this.clock.now(),
		};
		if (body !== undefined) rec.body = body;
		this.requests.push(rec);
		return rec;
	}

	// ---- API server -----------------------------------------------------------------------

	/**
	 * @private
	 * @param {http.IncomingMessage} req
	 * @param {http.ServerResponse} res
	 */
	async _onApi(req, res) {
		const url = new URL(req.url || '/', 'http://sim');
		const method = req.method || 'GET';
		const pathname = unmoved(url.pathname);
		let route = 'unknown';
		if (pathname === '/open/v1/product/list' && method === 'GET') route = 'productList';
		else if (pathname === '/open/v1/tasks/create' && method === 'POST') route = 'create';
		else if (pathname === '/open/v1/tasks/detail' && method === 'POST') route = 'detail';
		else if (pathname === '/open/v1/assets/verify' && method === 'POST') route = 'verify';

		/** @type {any} */
		let body;
		let badJson = false;
		if (method !== 'GET' && method !== 'HEAD') {
			const raw = (await readBody(req)).toString('utf8');
			if (raw.length === 0) body = null;
			else {
				try {
					body = JSON.parse(raw);
				} catch {
					body = raw;
					badJson = true;
				}
			}
		}
		const rec = this._record('api', route, req, url, body);
		if (this._limit(route, req, res, url, rec)) return;

		const fault = route === 'unknown' ? undefined : this._takeFault(route);
		if (fault && !fault.afterProcessing && fault.kind !== 'tamper') return this._applyFault(fault, req, res, this.baseUrl);

		/** @type {ApiAnswer} */
		let answer;
		const auth = /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization || '').trim());
		if (!auth || auth[1].trim() !== this.apiKey) {
			answer = { status: 401, payload: { code: 401, message: 'Invalid or revoked API key', data: null } };
		} else if (route === 'productList') {
			answer = this._productList(url);
		} else if (route === 'create') {
			answer = { status: 200, payload: badJson ? envelope(400, 'invalid JSON body') : this._create(body) };
		} else if (route === 'detail') {
			answer = { status: 200, payload: badJson ? envelope(400, 'invalid JSON body') : this._detail(body) };
		} else if (route === 'verify') {
			answer = { status: 200, payload: badJson ? envelope(400, 'invalid JSON body') : await this._verify(body) };
		} else {
			answer = { status: 404, payload: envelope(404, `no route ${method} ${url.pathname}`) };
		}

		if (fault && fault.kind === 'tamper') return sendJson(res, answer.status, tampered(fault, answer.payload), answer.headers);
		if (fault) return this._applyFault(fault, req, res, this.baseUrl);
		sendJson(res, answer.status, answer.payload, answer.headers);
	}

	/**
	 * @private
	 * @param {URL} url
	 * @returns {ApiAnswer}
	 */
	_productList(url) {
		const list = this._list(url.searchParams.get('category') || '');
		if (!list) return { status: 200, payload: envelope(400, 'unknown category') };
		return { status: 200, payload: `{"code":${JSON.stringify(this.successCode)},"message":"success","data":${this._servedJson(list)}}` };
	}

	/**
	 * The `data` text of a served list: EET tags divided by the speed factor, or left out with
	 * `eet: false` (raw text and lists that are not trees verbatim).
	 * @private
	 * @param {ServedList} list
	 * @returns {string}
	 */
	_servedJson(list) {
		if (list.raw || !list.catalog || (this.eet && this.speed === 1)) return list.json;
		let text = this._scaled.get(list.catalog);
		if (text === undefined) {
			text = this.eet ? eet.scaleEetJson(list.json, this.speed) : eet.stripEetJson(list.json);
			this._scaled.set(list.catalog, text);
		}
		return text;
	}

	/**
	 * Validates a create body as IMA does; on success charges and creates the task.
	 * @private
	 * @param {any} body
	 * @returns {object} the envelope
	 */
	_create(body) {
		/** @param {string} msg */
		const bad = (msg) => envelope(400, msg);
		if (!isObject(body)) return bad('invalid JSON body');
		const taskType = body.task_type;
		const list = typeof taskType === 'string' ? this._list(taskType) : undefined;
		if (!list) return bad(`invalid parameter task_type: unknown task type ${show(taskType)}`);
		const catalog = this._catalogFor(taskType, list);
		if (!catalog) return bad(`invalid parameter task_type: the product list of ${taskType} is not a tree of models; nothing can be created`);
		if (body.enable_multi_model !== undefined && body.enable_multi_model !== false) {
			return bad('invalid parameter enable_multi_model: must be false');
		}
		if (!Array.isArray(body.parameters) || body.parameters.length !== 1 || !isObject(body.parameters[0])) {
			return bad('invalid parameter parameters: must be an array of exactly one parameter object');
		}
		const param = body.parameters[0];
		const nested = param.parameters;
		if (!isObject(nested)) {
			return bad('invalid parameter parameters[0].parameters: required (prompt, n, input_images, cast and the model fields)');
		}
		if (typeof nested.prompt !== 'string' || nested.prompt.trim() === '') {
			return bad('invalid parameter prompt: parameters[0].parameters.prompt is required and must not be empty (the prompt is nested, not top-level)');
		}
		const version = typeof param.model_version === 'string' ? catalog.byId.get(param.model_version) : undefined;
		if (!version) return bad(`invalid parameter model_version: ${show(param.model_version)} is not a model version of ${taskType}`);
		if (param.model_id !== version.model_id) {
			return bad(`invalid parameter model_id: ${show(param.model_id)} does not match model_version ${show(version.id)} (expected ${show(version.model_id)})`);
		}
		if (param.model_name !== version.name) {
			return bad(`invalid parameter model_name: ${show(param.model_name)} does not match model_version ${show(version.id)} (expected ${show(version.name)})`);
		}
		if (param.category !== taskType) return bad(`invalid parameter category: ${show(param.category)} must equal task_type ${show(taskType)}`);
		if (param.app !== 'ima' && param.app !== 'webAgent') return bad(`invalid parameter app: ${show(param.app)} (expected "ima")`);
		if (param.platform !== 'web') return bad(`invalid parameter platform: ${show(param.platform)} (expected "web")`);

		const n = parseN(nested.n);
		if (n === null) return bad(`invalid parameter n: ${show(nested.n)}; must be an integer from 1 to 4`);

		if (seedance.isSeedance(String(version.model_id), taskType)) {
			const error = seedance.checkSeedanceCreate(body, nested, taskType, this.verifiedAssets);
			if (error) return bad(error);
		} else if (['src_image', 'src_video', 'src_audio'].some((k) => body[k] !== undefined && body[k] !== null)) {
			return bad(`invalid parameter src_image/src_video/src_audio: only Seedance 2.0 (ima-pro, ima-pro-fast) in image_to_video, first_last_frame_to_video and reference_image_to_video takes them`);
		} else if (IMAGE_TASK_TYPES.has(taskType)) {
			const src = body.src_img_url;
			if (!Array.isArray(src) || src.length === 0) {
				return bad(`invalid parameter src_img_url: ${taskType} needs the input image URL(s) in src_img_url and parameters[0].parameters.input_images`);
			}
			if (taskType === 'first_last_frame_to_video' && src.length !== 2) {
				return bad(`invalid parameter src_img_url: first_last_frame_to_video takes exactly 2 images (first frame, last frame), got ${src.length}`);
			}
			const notUrl = src.find((u) => !isHttpUrl(u));
			if (notUrl !== undefined) {
				return bad(`invalid parameter src_img_url: only public http(s) URLs are accepted (upload the file first), got ${show(notUrl)}`);
			}
			const inputs = nested.input_images;
			if (!Array.isArray(inputs) || inputs.length !== src.length || inputs.some((u, i) => u !== src[i])) {
				return bad('invalid parameter input_images: parameters[0].parameters.input_images must list the same URLs as src_img_url');
			}
		} else if (body.src_img_url !== undefined && body.src_img_url !== null && !(Array.isArray(body.src_img_url) && body.src_img_url.length === 0)) {
			return bad(`invalid parameter src_img_url: must be empty for ${taskType}`);
		}

		const rule = ruleChargedFor(version.credit_rules, nested);
		const optionError = checkOptions(version, taskType, nested, rule);
		if (optionError) return bad(optionError);
		if (!rule) return envelope(6009, 'no credit rule matches the parameters');
		const cast = isObject(nested.cast) ? nested.cast : {};
		if (typeof param.credit !== 'number' || param.credit !== rule.points) {
			return envelope(6006, `credit ${show(param.credit)} does not match the points of the matched rule (${rule.points}, attribute_id ${rule.attribute_id})`);
		}
		if (typeof cast.points !== 'number' || cast.points !== rule.points) {
			return envelope(6006, `cast.points ${show(cast.points)} does not match the points of the matched rule (${rule.points})`);
		}
		if (param.attribute_id !== rule.attribute_id) {
			return envelope(6010, `attribute_id ${show(param.attribute_id)} does not match the matched rule (attribute_id ${rule.attribute_id})`);
		}
		if (cast.attribute_id !== rule.attribute_id) {
			return envelope(6010, `cast.attribute_id ${show(cast.attribute_id)} does not match the matched rule (attribute_id ${rule.attribute_id})`);
		}
		if (this._subscriptions.has(String(version.id)) || this._subscriptions.has(String(version.model_id))) {
			return envelope(4014, `${version.name} requires a subscription tier`);
		}
		const cost = rule.points * n;
		if (cost > this.balance) return envelope(4008, `insufficient points: this task costs ${cost}, the balance is ${this.balance}`);

		// ---- accepted: charge and create ----
		this.balance -= cost;
		this.creditsCharged += cost;
		const now = this.clock.now();
		const kind = kindOf(taskType);
		const behaviour = eet.takeBehaviour(this._behaviours, String(version.id)) || {};
		const speech = taskType === 'text_to_speech';
		const drawn = behaviour.durationSec === undefined && this.eet ? eet.drawDuration(version, this._rng) : null;
		const durationSec = behaviour.durationSec !== undefined ? behaviour.durationSec : drawn !== null ? drawn : speech ? SPEECH_DURATION : DEFAULT_DURATION[kind];
		const own = Array.isArray(behaviour.mediaDurationsSec) ? behaviour.mediaDurationsSec : [];
		const mediaDurationsMs = Array.from({ length: n }, (_, i) => {
			const sec = typeof own[i] === 'number' && own[i] >= 0 ? own[i] : durationSec;
			return Math.max(0, (sec * 1000) / this.speed);
		});
		this._counter += 1;
		const id = behaviour.id !== undefined ? behaviour.id : `task_${this._counter}_${crypto.randomBytes(6).toString('hex')}`;
		/** @type {SimTask} */
		const task = {
			id,
			bizId: `biz_${crypto.randomBytes(8).toString('hex')}`,
			taskType,
			kind,
			prompt: nested.prompt,
			modelVersion: String(version.id),
			modelId: String(version.model_id),
			body: JSON.parse(JSON.stringify(body)),
			params: JSON.parse(JSON.stringify(param)),
			n,
			credit: rule.points,
			attributeId: rule.attribute_id,
			rule: JSON.parse(JSON.stringify(rule)),
			charged: cost,
			createdAt: now,
			durationMs: Math.max(...mediaDurationsMs),
			mediaDurationsMs,
			polls: 0,
			expectedSec: eet.eetOf(version),
			timeoutAt: Math.round(now + ((speech ? SPEECH_TIMEOUT : TIMEOUT[kind]) * 1000) / this.speed),
			behaviour,
		};
		this.tasks.set(id, task);
		return withNumericId(task, envelope(this.successCode, 'success', {
			id,
			biz_id: task.bizId,
			task_type: taskType,
			medias: [],
			generate_count: n,
			created_at: now,
			timeout_at: task.timeoutAt,
		}));
	}

	/**
	 * The asset check: `{url}` → `data.result {id, status, asset_type, error}`.
	 * @private
	 * @param {any} body
	 * @returns {Promise<object>} the envelope
	 */
	async _verify(body) {
		const url = isObject(body) ? body.url : undefined;
		if (!isHttpUrl(url)) return envelope(400, `invalid parameter url: ${show(url)} is not an http(s) URL`);
		const verdict = this._verdicts.get(url) || this._verdicts.get('*') || {};
		if (verdict.delayMs && verdict.delayMs > 0) await this.clock.sleep(verdict.delayMs);
		const status = verdict.status === undefined ? 'active' : verdict.status;
		const passed = ['active', 'success'].includes(String(status).trim().toLowerCase());
		if (passed) this.verifiedAssets.add(url);
		this._counter += 1;
		return envelope(this.successCode, 'success', {
			result: {
				id: `asset_${this._counter}`,
				status,
				asset_type: seedance.assetType(url),
				error: passed ? null : { code: verdict.code || 'ASSET_REJECTED', message: verdict.reason === undefined ? 'the asset was rejected' : verdict.reason },
			},
		});
	}

	/**
	 * @private
	 * @param {any} body
	 * @returns {object} the envelope
	 */
	_detail(body) {
		const taskId = isObject(body) ? body.task_id : undefined;
		if (typeof taskId !== 'string' || taskId === '') return envelope(400, 'invalid parameter task_id: required');
		const task = this.tasks.get(taskId);
		if (!task) return envelope(404, 'task not found');
		const now = this.clock.now();
		task.polls += 1;
		const medias = [];
		for (let i = 0; i < task.n; i++) medias.push(spell(this._mediaView(task, i, now), task.behaviour.statusAs, task.polls));
		return withNumericId(task, envelope(this.successCode, 'success', { id: task.id, task_type: task.taskType, prompt: task.prompt, medias }));
	}

	/**
	 * @private
	 * @param {SimTask} task
	 * @param {number} index
	 * @param {number} now
	 * @returns {'pending' | 'processing' | 'success' | 'failed' | 'failedStatus' | 'deleted'}
	 */
	_phase(task, index, now) {
		const elapsed = now - task.createdAt;
		const b = task.behaviour;
		const duration = task.mediaDurationsMs[index] === undefined ? task.durationMs : task.mediaDurationsMs[index];
		if (b.neverFinish || elapsed < duration) {
			return elapsed < duration * 0.1 ? 'pending' : 'processing';
		}
		if ((b.failMedia || []).includes(index)) return 'failed';
		if ((b.failedStatusMedia || []).includes(index)) return 'failedStatus';
		if ((b.deleteMedia || []).includes(index)) return 'deleted';
		return 'success';
	}

	/**
	 * @private
	 * @param {SimTask} task
	 * @param {number} index
	 * @param {number} now
	 * @returns {Record<string, unknown>}
	 */
	_mediaView(task, index, now) {
		const info = KIND_INFO[task.kind];
		const phase = this._phase(task, index, now);
		if (phase === 'pending') return { resource_status: null, status: 'pending', url: '', format: info.format };
		if (phase === 'processing') return { resource_status: 0, status: 'processing', url: '', format: info.format };
		if (phase === 'failed') return { resource_status: 2, status: 'failed', url: '', format: info.format, error_msg: FAIL_MESSAGE };
		if (phase === 'failedStatus') return { resource_status: 1, status: 'failed', url: '', format: info.format, remark: FAILED_STATUS_REMARK };

		const base = `${this.cdnBaseUrl}/media/${encodeURIComponent(task.id)}/${index}`;
		const link = typeof task.behaviour.mediaUrl === 'string' ? task.behaviour.mediaUrl : `${base}.${info.ext}`;
		/** @type {Record<string, unknown>} */
		const m = { resource_status: phase === 'deleted' ? 3 : 1, status: 'success' };
		const field = task.behaviour.urlField || 'url';
		if (field === 'url') m.url = link;
		else if (field === 'watermark_url') Object.assign(m, { url: '', watermark_url: link });
		else Object.assign(m, { url: '', watermark_url: '', preview_url: link });
		m.format = info.format;
		const nested = isObject(task.params.parameters) ? task.params.parameters : {};
		const seconds = nested.duration !== undefined && nested.duration !== null ? parseInt(String(nested.duration), 10) : NaN;
		if (task.kind === 'image') {
			m.width = 1024;
			m.height = 1024;
		} else if (task.kind === 'video') {
			m.cover = typeof task.behaviour.coverUrl === 'string' ? task.behaviour.coverUrl : `${base}_cover.jpeg`;
			m.duration_str = `${Number.isFinite(seconds) ? seconds : 5}s`;
		} else {
			m.duration_str = `${Number.isFinite(seconds) ? seconds : 60}s`;
		}
		return m;
	}

	// ---- foreign server (redirect target) --------------------------------------------------

	/**
	 * Another origin: records every request and answers anything. API paths (`/open/...`,
	 * `/api/...`) get HTTP 200 `{code: 0, message: 'ok', data: {id: 'foreign-task', ...}}`, other
	 * paths a small PNG.
	 * @private
	 * @param {http.IncomingMessage} req
	 * @param {http.ServerResponse} res
	 */
	async _onForeign(req, res) {
		const url = new URL(req.url || '/', 'http://sim');
		let size = 0;
		/** @type {Buffer[]} */
		const chunks = [];
		await new Promise((resolve) => {
			req.on('data', (/** @type {Buffer} */ c) => {
				size += c.length;
				if (size <= FOREIGN_BODY_LIMIT) chunks.push(c);
			});
			req.on('end', resolve);
			req.on('error', resolve);
			req.on('close', resolve);
		});
		/** @type {ForeignRecord} */
		const rec = {
			method: req.method || '',
			path: url.pathname,
			query: Object.fromEntries(url.searchParams),
			headers: { ...req.headers },
			size,
			time: this.clock.now(),
		};
		if (size > 0 && size <= FOREIGN_BODY_LIMIT) {
			const text = Buffer.concat(chunks).toString('utf8');
			try {
				rec.body = JSON.parse(text);
			} catch {
				rec.body = text;
			}
		}
		this.foreignRequests.push(rec);
		if (url.pathname.startsWith('/open/') || url.pathname.startsWith('/api/')) {
			const now = this.clock.now();
			return sendJson(res, 200, envelope(0, 'ok', {
				id: 'foreign-task',
				biz_id: 'foreign-biz',
				task_type: 'text_to_image',
				prompt: 'foreign',
				medias: [],
				generate_count: 1,
				created_at: now,
				timeout_at: now + 600_000,
			}));
		}
		res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(PNG.length) });
		res.end(req.method === 'HEAD' ? undefined : PNG);
	}

	// ---- upload-token server --------------------------------------------------------------

	/**
	 * @private
	 * @param {http.IncomingMessage} req
	 * @param {http.ServerResponse} res
	 */
	async _onUpload(req, res) {
		const url = new URL(req.url || '/', 'http://sim');
		const method = req.method || 'GET';
		const route = unmoved(url.pathname) === '/api/rest/oss/getuploadtoken' && method === 'GET' ? 'uploadToken' : 'unknown';
		await drain(req);
		const rec = this._record('upload', route, req, url);
		if (route === 'unknown') return sendJson(res, 404, envelope(404, `no route ${method} ${url.pathname}`));
		if (this._limit(route, req, res, url, rec)) return;
		const fault = this._takeFault(route);
		if (fault && !fault.afterProcessing && fault.kind !== 'tamper') return this._applyFault(fault, req, res, this.uploadBaseUrl);
		const answer = this._uploadToken(url.searchParams);
		if (fault && fault.kind === 'tamper') return sendJson(res, answer.status, tampered(fault, answer.payload));
		if (fault) return this._applyFault(fault, req, res, this.uploadBaseUrl);
		sendJson(res, answer.status, answer.payload);
	}

	/**
	 * @private
	 * @param {URLSearchParams} q
	 * @returns {ApiAnswer}
	 */
	_uploadToken(q) {
		/** @param {string} msg */
		const bad = (msg) => ({ status: 200, payload: envelope(400, msg) });
		const keys = [...q.keys()];
		const missing = UPLOAD_PARAMS.filter((k) => !keys.includes(k));
		const extra = keys.filter((k) => !UPLOAD_PARAMS.includes(k));
		const repeated = UPLOAD_PARAMS.filter((k) => q.getAll(k).length > 1);
		if (missing.length || extra.length || repeated.length) {
			const parts = [];
			if (missing.length) parts.push(`missing: ${missing.join(', ')}`);
			if (extra.length) parts.push(`unexpected: ${extra.join(', ')}`);
			if (repeated.length) parts.push(`repeated: ${repeated.join(', ')}`);
			return bad(`getuploadtoken takes exactly 11 query parameters (${UPLOAD_PARAMS.join(', ')}); ${parts.join('; ')}`);
		}
		/** @param {string} k */
		const get = (k) => q.get(k) || '';
		if (get('appUid') !== this.apiKey || get('cmimToken') !== this.apiKey) {
			return { status: 401, payload: envelope(401, 'Invalid or revoked API key (appUid and cmimToken must be the IMA API key)') };
		}
		if (get('appId') !== UPLOAD_APP_ID) return bad(`invalid parameter appId: expected ${UPLOAD_APP_ID}`);
		if (get('appKey') !== UPLOAD_APP_KEY) return bad('invalid parameter appKey');
		const expectedSign = crypto
			.createHash('sha1')
			.update(`${get('appId')}|${get('appKey')}|${get('timestamp')}|${get('nonce')}`)
			.digest('hex')
			.toUpperCase();
		if (get('sign') !== expectedSign) return bad('bad sign');
		const ts = get('timestamp');
		const nowSec = Math.floor(this.clock.now() / 1000);
		if (!/^\d+$/.test(ts) || Math.abs(Number(ts) - nowSec) > 300) {
			return bad('invalid parameter timestamp: Unix seconds within 300 s of now');
		}
		if (!/^[0-9a-f]{21}$/i.test(get('nonce'))) return bad('invalid parameter nonce: 21 hex characters');
		if (get('fService') !== 'privite') return bad('invalid parameter fService: expected "privite"');
		/** @type {Record<string, string>} */
		const prefixes = { picture: 'image/', video: 'video/', audio: 'audio/' };
		const fType = get('fType');
		if (!prefixes[fType]) return bad('invalid parameter fType: picture, video or audio');
		const contentType = get('fContentType').trim();
		if (!contentType.toLowerCase().startsWith(prefixes[fType]) || contentType.length <= prefixes[fType].length) {
			return bad(`invalid parameter fContentType: ${show(contentType)} does not match fType ${fType} (${prefixes[fType]}*)`);
		}
		const suffix = get('fSuffix');
		if (!/^[a-z0-9]{1,8}$/i.test(suffix)) return bad('invalid parameter fSuffix: a file extension such as jpeg, png, mp4, mp3');

		const d = new Date(this.clock.now());
		const pad = (/** @type {number} */ v) => String(v).padStart(2, '0');
		const uid = crypto.createHash('sha1').update(this.apiKey).digest('hex').slice(0, 10);
		const key = `webAgent/privite/${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${nowSec}_${uid}_${crypto.randomUUID().replace(/-/g, '')}.${suffix.toLowerCase()}`;
		const signature = crypto.randomBytes(16).toString('hex');
		const fulExpire = nowSec + 3600;
		const fdlExpire = nowSec + 365 * 24 * 3600;
		this._uploadSlots.set(key, { signature, expires: fulExpire, contentType });
		return {
			status: 200,
			payload: envelope(this.successCode, 'success', {
				ful: `${this.cdnBaseUrl}/put/${key}?Expires=${fulExpire}&OSSAccessKeyId=STS.simulator&Signature=${signature}`,
				fdl: `${this.cdnBaseUrl}/files/${key}`,
				ful_expire: fulExpire,
				fdl_expire: fdlExpire,
				fdl_key: key,
			}),
		};
	}

	// ---- storage / CDN server -------------------------------------------------------------

	/**
	 * @private
	 * @param {http.IncomingMessage} req
	 * @param {http.ServerResponse} res
	 */
	async _onCdn(req, res) {
		const url = new URL(req.url || '/', 'http://sim');
		const method = req.method || 'GET';
		const read = method === 'GET' || method === 'HEAD';
		const pathname = unmoved(url.pathname);
		let route = 'unknown';
		if (read && pathname.startsWith('/media/')) route = 'media';
		else if (method === 'PUT' && pathname.startsWith('/put/')) route = 'put';
		else if (read && pathname.startsWith('/files/')) route = 'files';
		const rec = this._record('cdn', route, req, url);

		if (route !== 'unknown' && this._limit(route, req, res, url, rec)) return void drain(req);
		if (route === 'put') return this._put(req, res, url, pathname);
		await drain(req);
		if (route === 'unknown') return sendJson(res, 404, envelope(404, `no route ${method} ${url.pathname}`));
		if (route === 'media') {
			const fault = this._takeFault('media');
			if (fault && !isBodyFault(fault)) return this._applyFault(fault, req, res, this.cdnBaseUrl);
			const body = this._findMedia(pathname);
			if (!body) return sendJson(res, 404, envelope(404, 'media not found'));
			return serveFile(req, res, body, { ranges: this.rangeRequests, fault, record: rec, open: this._streams, path: pathname, sleep: (ms) => this.clock.sleep(ms) });
		}
		const hosted = this._hosted.get(safeDecode(pathname.slice('/files/'.length)));
		if (hosted) return serveBody(req, res, { contentType: hosted.contentType, length: hosted.data.length, open: () => hosted.data });
		const stored = this.uploads.get(safeDecode(pathname.slice('/files/'.length)));
		if (!stored) return sendJson(res, 404, envelope(404, 'file not found'));
		if (!stored.data) return sendJson(res, 404, envelope(404, 'file not kept: the simulator keeps the bytes of uploads under 50 MB only'));
		const data = stored.data;
		return serveBody(req, res, { contentType: stored.contentType, length: data.length, open: () => data });
	}

	/**
	 * @private
	 * @param {string} pathname
	 * @returns {MediaBody | null}
	 */
	_findMedia(pathname) {
		const m = /^\/media\/([^/]+)\/(\d+)(_cover)?\.([a-z0-9]+)$/.exec(pathname);
		if (!m) return null;
		const task = this.tasks.get(safeDecode(m[1]));
		if (!task) return null;
		const index = Number(m[2]);
		if (index >= task.n || this._phase(task, index, this.clock.now()) !== 'success') return null;
		if (m[3]) return task.kind === 'video' && m[4] === 'jpeg' ? coverBody() : null;
		if (m[4] !== KIND_INFO[task.kind].ext) return null;
		const b = task.behaviour;
		if (b.mediaTrickle) {
			const trickle = { ...b.mediaTrickle };
			if (trickle.total === undefined && typeof b.mediaBytes === 'number') trickle.total = b.mediaBytes;
			return openEndedBody(task.kind, { trickle, every: (ms, fn) => this.clock.every(ms, fn) });
		}
		if (b.mediaEndless) return openEndedBody(task.kind, { endless: true });
		return mediaBody(task.kind, b.mediaBytes, b.mediaPattern === true);
	}

	/**
	 * The presigned PUT: no Authorization header, no API key anywhere; the signed key,
	 * signature and Content-Type. The body is streamed (size, sha256; bytes kept under 50 MB).
	 * @private
	 * @param {http.IncomingMessage} req
	 * @param {http.ServerResponse} res
	 * @param {URL} url
	 * @param {string} pathname the path without a /moved prefix
	 */
	async _put(req, res, url, pathname) {
		const fault = this._takeFault('put');
		if (fault && !fault.afterProcessing) {
			if (fault.kind === 'status' || fault.kind === 'business' || fault.kind === 'redirect') await drain(req);
			return this._applyFault(fault, req, res, this.cdnBaseUrl);
		}
		/** @param {number} status @param {string} code @param {string} message */
		const refuse = async (status, code, message) => {
			await drain(req);
			if (fault) return this._applyFault(fault, req, res, this.cdnBaseUrl);
			const text = ossError(code, message);
			res.writeHead(status, { 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(text)) });
			res.end(text);
		};
		if (req.headers.authorization !== undefined) {
			return refuse(403, 'AccessDenied', 'The presigned URL must not be sent an Authorization header');
		}
		const rawUrl = req.url || '';
		const inHeaders = req.rawHeaders.some((h) => h.includes(this.apiKey));
		if (rawUrl.includes(this.apiKey) || safeDecode(rawUrl).includes(this.apiKey) || inHeaders) {
			return refuse(403, 'AccessDenied', 'The IMA API key must never be sent to the storage host');
		}
		const key = safeDecode(pathname.slice('/put/'.length));
		const slot = this._uploadSlots.get(key);
		if (!slot || url.searchParams.get('Signature') !== slot.signature) {
			return refuse(403, 'SignatureDoesNotMatch', 'The request signature does not match (use the ful URL exactly as returned)');
		}
		if (Math.floor(this.clock.now() / 1000) > slot.expires) return refuse(403, 'AccessDenied', 'Request has expired');
		const sentType = String(req.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
		if (sentType !== slot.contentType.toLowerCase()) {
			return refuse(403, 'SignatureDoesNotMatch', `Content-Type ${JSON.stringify(sentType)} differs from the signed one (${slot.contentType})`);
		}

		const sha256 = crypto.createHash('sha256');
		const md5 = crypto.createHash('md5');
		/** @type {Buffer[] | null} */
		let chunks = [];
		let size = 0;
		await new Promise((resolve, reject) => {
			req.on('data', (/** @type {Buffer} */ c) => {
				size += c.length;
				sha256.update(c);
				md5.update(c);
				if (chunks && size < KEEP_UPLOAD_LIMIT) chunks.push(c);
				else chunks = null;
			});
			req.on('end', resolve);
			req.on('error', reject);
		});
		this.uploads.set(key, {
			key,
			contentType: slot.contentType,
			size,
			sha256: sha256.digest('hex'),
			data: chunks ? Buffer.concat(chunks) : null,
			time: this.clock.now(),
		});
		if (fault) return this._applyFault(fault, req, res, this.cdnBaseUrl);
		res.writeHead(200, {
			etag: `"${md5.digest('hex').toUpperCase()}"`,
			'x-oss-request-id': crypto.randomBytes(12).toString('hex').toUpperCase(),
			'content-length': '0',
		});
		res.end();
	}
}

/**
 * The path without the /moved prefix of same-origin redirects: `/moved/open/v1/x` → `/open/v1/x`.
 * @param {string} pathname
 * @returns {string}
 */
function unmoved(pathname) {
	return pathname.startsWith(MOVED_PREFIX + '/') ? pathname.slice(MOVED_PREFIX.length) : pathname;
}

/** @type {Record<string, string>} */
const ODD_STATUS = { pending: 'PENDING', processing: 'PROCESSING', success: 'Success', completed: 'Completed', failed: 'FAILED' };
const MIXED_PENDING = [null, '', '0', 0];

/**
 * Spells a media's resource_status and status as a task's `statusAs` asks. 'string':
 * resource_status as text ("" while pending or processing, "1", "2", "3") and status in odd case
 * ("PENDING", "PROCESSING", "Success", "FAILED"). 'mixed': a media not done yet alternates null,
 * "", "0" and 0 from one poll to the next; done (and failed, deleted) alternates text and number.
 * @param {Record<string, unknown>} media
 * @param {'number' | 'string' | 'mixed' | undefined} statusAs
 * @param {number} poll 1 for the first detail call of the task
 * @returns {Record<string, unknown>}
 */
function spell(media, statusAs, poll) {
	const rs = media.resource_status;
	if (statusAs === 'string') {
		media.resource_status = rs === null || rs === 0 ? '' : String(rs);
		media.status = ODD_STATUS[String(media.status)] || media.status;
	} else if (statusAs === 'mixed') {
		if (rs === null || rs === 0) media.resource_status = MIXED_PENDING[(poll - 1) % MIXED_PENDING.length];
		else media.resource_status = poll % 2 === 1 ? String(rs) : rs;
	}
	return media;
}

/**
 * @param {number} code
 * @param {string} message
 * @param {unknown} [data]
 */
function envelope(code, message, data = null) {
	return { code, message, data };
}

/**
 * A task's answer with its id as a bare JSON number when the task asks for it (`idAsNumber`):
 * the JSON text, written so that no JSON.stringify of a number can round the digits.
 * @param {SimTask} task
 * @param {{code: number, message: string, data: any}} answer
 * @returns {object | string}
 */
function withNumericId(task, answer) {
	if (!task.behaviour.idAsNumber) return answer;
	const text = JSON.stringify(answer);
	return text.replace(`"id":${JSON.stringify(task.id)}`, `"id":${task.id}`);
}

/**
 * The answer of a 'tamper' fault: the function gets a copy of the JSON payload (a raw JSON text
 * is parsed first); an object or array it returns is sent as JSON, a string as raw text.
 * @param {FaultSpec} fault
 * @param {object | string} payload
 * @returns {object | string}
 */
function tampered(fault, payload) {
	const copy = typeof payload === 'string' ? JSON.parse(payload) : JSON.parse(JSON.stringify(payload));
	const out = /** @type {(p: any) => unknown} */ (fault.tamper)(copy);
	if (typeof out === 'string') return out;
	return /** @type {object} */ (out === undefined ? copy : out);
}

/**
 * Sends a body; a streamed body is destroyed when the response closes (the client went away or
 * the simulator closed), and is kept in `open` meanwhile so `close()` can destroy it too.
 * @param {http.IncomingMessage} req
 * @param {http.ServerResponse} res
 * @param {MediaBody} body
 * @param {Set<import('node:stream').Readable>} [open]
 */
function serveBody(req, res, body, open) {
	/** @type {Record<string, string>} */
	const headers = { 'content-type': body.contentType, 'cache-control': 'public, max-age=31536000' };
	if (body.length !== undefined) headers['content-length'] = String(body.length);
	res.writeHead(200, headers);
	if (req.method === 'HEAD') return void res.end();
	const content = body.open();
	if (Buffer.isBuffer(content)) return void res.end(content);
	if (open) open.add(content);
	const done = () => {
		if (open) open.delete(content);
		content.destroy();
	};
	res.on('close', done);
	content.on('close', () => open && open.delete(content));
	content.on('error', () => res.destroy());
	content.pipe(res);
}

/**
 * Starts a simulator (four HTTP servers on loopback, random ports by default).
 * @param {SimulatorOptions} [options]
 * @returns {Promise<Simulator>}
 */
async function startSimulator(options = {}) {
	const sim = new Simulator(options);
	try {
		await sim.start();
	} catch (err) {
		await sim.close();
		throw err;
	}
	return sim;
}

module.exports = { startSimulator, Simulator, DEFAULT_API_KEY, UPLOAD_APP_ID, UPLOAD_APP_KEY };
