// @ts-check
'use strict';
/**
 * A clock the test controls, for tests that would otherwise race real time (a loaded machine
 * makes real time arbitrary: a task "still running at the first check" may already be done).
 *
 * `installTestClock()` replaces, until `uninstall()`:
 *  - `Date.now`: the node's deadlines and elapsed times, the in-process simulator's task progress
 *    and the `time` of its request records, the harness's durations;
 *  - n8n-workflow's `sleep` and `sleepWithAbort`: every wait of the node (polls, Retry-After,
 *    backoff, the status-check budget, the download watchdog) and of the harness's Wait stand-in.
 * Virtual time stands still until the test moves it, so nothing the test asserts on depends on
 * how fast the machine is. Real I/O still runs, in real time, and so do timers that are not
 * sleeps (socket timeouts, jest's test timeout): tests assert only on virtual time.
 *
 * Moving time:
 *  - `advance(ms)` wakes every sleep due by now + ms, in time order;
 *  - `{ auto: true }`: whenever no HTTP request of this process is open (http/https requests are
 *    counted from start to close) and nothing new happened for a few event-loop turns, time jumps
 *    to the earliest sleep, if it is at most `maxAutoStepMs` (default 60 s) away. Longer sleeps
 *    (the 30-minute download watchdog) wake only by `advance()`.
 *
 * Without install(), a TestClock is just a clock to hand to code that takes one (the simulator's
 * `clock` option): `now()`, `sleep(ms)`, `every(ms, fn)`, moved by `advance()`.
 *
 * What happened: `sleeps` lists every sleep asked for ({ms, at}), `pending()` those not woken yet,
 * `requests` the HTTP requests this process sent ({method, url, at, timeoutMs}: the socket timeout
 * the client asked for, which runs in real time), `sockets` the client sockets of those requests
 * still open (a test can compare their `bytesRead` with what a server in the process wrote, to move
 * time only once every byte sent has arrived).
 */
const http = require('http');
const https = require('https');

/** Event-loop turns without any activity before an automatic step. */
const QUIET_TURNS = 3;

/** @type {Set<TestClock>} clocks installed now (a test that timed out may leave one behind) */
const installed = new Set();

/**
 * Time never goes back in this process: after a clock is uninstalled, Date.now runs ahead of real
 * time by as much as the virtual time ran ahead (the node keeps timestamps across executions: the
 * status-check budget, the product-list cache).
 */
let lead = 0;
/** @type {(() => number) | undefined} the real Date.now */
let realNow;

/**
 * A new clock starts this far after any time the process has seen, so that what the node keeps
 * from earlier runs (the status-check budget's tokens, a 429's pause) has run out: every clocked
 * run starts alike.
 */
const START_GAP_MS = 3_600_000;

/**
 * @typedef {{ ms: number, at: number, wake: number, seq: number, resolve: () => void, reject?: (e: unknown) => void,
 *   signal?: AbortSignal, onAbort?: () => void }} Sleeper
 */

class TestClock {
	/** @param {{ start?: number, auto?: boolean, maxAutoStepMs?: number }} [options] */
	constructor(options = {}) {
		/** @type {number | undefined} */
		this._start = options.start;
		this.startTime = options.start ?? Date.now();
		this.time = this.startTime;
		this.auto = Boolean(options.auto);
		this.maxAutoStepMs = options.maxAutoStepMs ?? 60_000;
		/** @type {Array<{ms: number, at: number}>} every sleep asked for, in order */
		this.sleeps = [];
		/** @type {Array<{method: string, url: string, at: number, timeoutMs?: number}>} HTTP requests of this process, with the socket timeout asked for */
		this.requests = [];
		/** @type {Set<import('net').Socket>} client sockets of those requests, while open */
		this.sockets = new Set();
		/** @type {Sleeper[]} */
		this._pending = [];
		this._seq = 0;
		this._openRequests = 0;
		this._activity = 0;
		this._seenActivity = -1;
		this._quiet = 0;
		this._pumpArmed = false;
		/** @type {Array<() => void>} */
		this._watchers = [];
		this._installed = false;
		/** @type {Record<string, any>} */
		this._saved = {};
	}

	/** Virtual now (ms since the epoch). */
	now() {
		return this.time;
	}

	/** Virtual ms since the clock was installed. */
	elapsed() {
		return this.time - this.startTime;
	}

	/** Sleeps not woken yet, earliest first: [{ms, at, wake}]. */
	pending() {
		return this._pending.map(({ ms, at, wake }) => ({ ms, at, wake }));
	}

	/** HTTP requests of this process started and not yet closed. */
	openRequests() {
		return this._openRequests;
	}

	/**
	 * A virtual sleep (what n8n-workflow's sleep and sleepWithAbort become).
	 * @param {number} ms @param {AbortSignal} [signal] @param {boolean} [rejectOnAbort]
	 */
	sleep(ms, signal, rejectOnAbort = false) {
		return new Promise((resolve, reject) => {
			if (rejectOnAbort && signal?.aborted) {
				reject(this._cancelled());
				return;
			}
			const d = Math.max(0, Number(ms) || 0);
			this.sleeps.push({ ms: d, at: this.time });
			/** @type {Sleeper} */
			const s = { ms: d, at: this.time, wake: this.time + d, seq: ++this._seq, resolve: () => resolve(undefined) };
			if (rejectOnAbort && signal) {
				s.signal = signal;
				s.reject = reject;
				s.onAbort = () => {
					this._remove(s);
					reject(this._cancelled());
				};
				signal.addEventListener('abort', s.onAbort, { once: true });
			}
			this._pending.push(s);
			this._pending.sort((a, b) => a.wake - b.wake || a.seq - b.seq);
			this._touch();
		});
	}

	/**
	 * Calls `fn` every `ms` of virtual time until the returned stop function is called (a timer
	 * for code given the clock, such as the simulator's trickling media).
	 * @param {number} ms @param {() => void} fn
	 */
	every(ms, fn) {
		let on = true;
		void (async () => {
			while (on) {
				await this.sleep(ms);
				if (on) fn();
			}
		})();
		return () => {
			on = false;
		};
	}

	/**
	 * Moves time forward by `ms`, waking every sleep due by then in time order (each at its own
	 * time). Returns how many woke.
	 * @param {number} ms
	 */
	advance(ms) {
		const target = this.time + Math.max(0, ms);
		let woken = 0;
		for (;;) {
			const next = this._pending[0];
			if (!next || next.wake > target) break;
			this.time = Math.max(this.time, next.wake);
			this._wake(next);
			woken++;
		}
		this.time = target;
		this._touch();
		return woken;
	}

	/** Moves time to the earliest pending sleep and wakes it (and any due at the same time). */
	advanceToNext() {
		const next = this._pending[0];
		if (!next) throw new Error('test clock: no sleep is pending');
		return this.advance(next.wake - this.time);
	}

	/**
	 * Resolves once a pending sleep matches `predicate` (default: any), or rejects if `orSettled`
	 * settles first (the run ended without ever sleeping like that).
	 * @param {(s: {ms: number, at: number, wake: number}) => boolean} [predicate]
	 * @param {Promise<unknown>} [orSettled]
	 */
	async whenSleeping(predicate = () => true, orSettled) {
		/** @type {() => boolean} */
		const found = () => this.pending().some(predicate);
		if (found()) return;
		await new Promise((resolve, reject) => {
			const watcher = () => {
				if (!found()) return;
				this._watchers = this._watchers.filter((w) => w !== watcher);
				resolve(undefined);
			};
			this._watchers.push(watcher);
			orSettled?.then(
				(v) => reject(new Error(`test clock: the run ended before the expected sleep (${JSON.stringify(v && /** @type {any} */ (v).status)})`)),
				(e) => reject(e),
			);
		});
	}

	/** Replaces Date.now and n8n-workflow's sleeps; counts HTTP requests. Returns the clock. */
	install() {
		if (this._installed) return this;
		if (installed.size) throw new Error('test clock: another clock is installed (uninstall it first)');
		this._installed = true;
		installed.add(this);
		if (!realNow) realNow = Date.now;
		if (this._start === undefined) {
			this.startTime = realNow() + lead + START_GAP_MS;
			this.time = this.startTime;
		}
		/** @type {any} n8n-workflow's module that the package's `sleep` and `sleepWithAbort` come from */
		// eslint-disable-next-line @typescript-eslint/no-var-requires
		const utils = require('n8n-workflow/dist/cjs/utils.js');
		this._saved = { sleep: utils.sleep, sleepWithAbort: utils.sleepWithAbort, utils, httpRequest: http.request, httpsRequest: https.request, httpGet: http.get, httpsGet: https.get };
		Date.now = () => this.time;
		utils.sleep = (/** @type {number} */ ms) => this.sleep(ms);
		utils.sleepWithAbort = (/** @type {number} */ ms, /** @type {AbortSignal | undefined} */ signal) => this.sleep(ms, signal, true);
		const clock = this;
		/** @param {any} original */
		const counted = (original) =>
			/** @this {any} */
			function countedRequest(/** @type {any[]} */ ...args) {
				const req = original.apply(this, args);
				/** @type {{method: string, url: string, at: number, timeoutMs?: number}} */
				const entry = { method: req.method, url: `${req.protocol}//${req.host}${req.path}`, at: clock.time };
				clock.requests.push(entry);
				const setTimeoutOf = req.setTimeout;
				// The socket timeout a client asks for (axios: n8n's `timeout` option); it runs in real time.
				req.setTimeout = function recordedSetTimeout(/** @type {number} */ ms, /** @type {any[]} */ ...rest) {
					if (ms > 0) entry.timeoutMs = ms;
					return setTimeoutOf.call(this, ms, ...rest);
				};
				req.once('socket', (/** @type {import('net').Socket} */ socket) => {
					if (clock.sockets.has(socket) || socket.destroyed) return;
					clock.sockets.add(socket);
					socket.once('close', () => clock.sockets.delete(socket));
				});
				clock._openRequests++;
				clock._touch();
				let closed = false;
				req.once('close', () => {
					if (closed) return;
					closed = true;
					clock._openRequests--;
					clock._touch();
				});
				return req;
			};
		/** @type {any} */ (http).request = counted(this._saved.httpRequest);
		/** @type {any} */ (https).request = counted(this._saved.httpsRequest);
		/** @type {any} */ (http).get = counted(this._saved.httpGet);
		/** @type {any} */ (https).get = counted(this._saved.httpsGet);
		this._touch();
		return this;
	}

	/**
	 * Puts everything back, except that Date.now keeps running from the virtual time reached (see
	 * `lead`). Sleeps still pending stay pending (their run is over or canceled).
	 */
	uninstall() {
		if (!this._installed) return;
		this._installed = false;
		installed.delete(this);
		this.auto = false;
		const s = this._saved;
		const real = /** @type {() => number} */ (realNow);
		lead = Math.max(lead, this.time - real());
		Date.now = lead > 0 ? () => real() + lead : real;
		s.utils.sleep = s.sleep;
		s.utils.sleepWithAbort = s.sleepWithAbort;
		/** @type {any} */ (http).request = s.httpRequest;
		/** @type {any} */ (https).request = s.httpsRequest;
		/** @type {any} */ (http).get = s.httpGet;
		/** @type {any} */ (https).get = s.httpsGet;
	}

	// ---------------------------------------------------------------- internals

	_cancelled() {
		// eslint-disable-next-line @typescript-eslint/no-var-requires
		const { ManualExecutionCancelledError } = require('n8n-workflow');
		return new ManualExecutionCancelledError('');
	}

	/** @param {Sleeper} s */
	_remove(s) {
		this._pending = this._pending.filter((p) => p !== s);
		this._touch();
	}

	/** @param {Sleeper} s */
	_wake(s) {
		this._pending = this._pending.filter((p) => p !== s);
		if (s.signal && s.onAbort) s.signal.removeEventListener('abort', s.onAbort);
		s.resolve();
	}

	/** Something happened: tell the watchers, and (auto) look for a step on a later turn. */
	_touch() {
		this._activity++;
		for (const w of [...this._watchers]) w();
		this._arm();
	}

	_arm() {
		if (!this.auto || !this._installed || this._pumpArmed) return;
		this._pumpArmed = true;
		setImmediate(() => this._pump());
	}

	_pump() {
		this._pumpArmed = false;
		if (!this.auto || !this._installed) return;
		const next = this._pending[0];
		// Nothing to step to, or a request is open: the next activity re-arms the pump.
		if (!next || this._openRequests > 0 || next.wake - this.time > this.maxAutoStepMs) return;
		if (this._activity !== this._seenActivity) {
			this._seenActivity = this._activity;
			this._quiet = 0;
			this._arm();
			return;
		}
		if (++this._quiet < QUIET_TURNS) {
			this._arm();
			return;
		}
		this._quiet = 0;
		this.advance(next.wake - this.time);
	}
}

/**
 * Installs a test clock (see the file's comment) and returns it; call `uninstall()` when done.
 * @param {{ start?: number, auto?: boolean, maxAutoStepMs?: number }} [options]
 */
function installTestClock(options) {
	return new TestClock(options).install();
}

/** Uninstalls every installed clock (for an afterEach: a timed-out test never reaches its own cleanup). */
function uninstallAllClocks() {
	for (const c of [...installed]) c.uninstall();
}

module.exports = { TestClock, installTestClock, uninstallAllClocks };
