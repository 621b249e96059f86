/**
 * The one redaction of the API key, for every string that leaves the node (see run/exit.ts).
 *
 * A server (or anything it controls) may echo the key in a form a plain search misses. The text is
 * read the way a person or a program could read it back:
 *
 * 1. escapes are decoded, up to four times over (so double encodings unwrap) and in any mix with
 *    plain characters: `%XX` (every byte, or some), `%uXXXX`, HTML entities (`&#105;`, `&#x69;`,
 *    `&sol;`…), JSON and JavaScript escapes (`\u0069`, `\x69`, `\/`, `\n`…);
 * 2. in every decoded layer, the key is searched in any letter case, also with white space removed
 *    (a key broken over lines), and so is every long piece of it: any run of at least `pieceLength`
 *    characters of the key (a cut-off prefix is still most of the key);
 * 3. runs of base64 (standard or URL-safe, broken by line breaks or spaces, at any alignment) and of
 *    hex (plain, or with `:`/`-`/space between bytes) are decoded, and their bytes searched the same
 *    way, also through one more layer of encoding (base64 of a URL-encoded key, say).
 *
 * Whatever is found is replaced, in the original text, by `[redacted]`. Pure: no I/O, no state but a
 * small cache of the last key's pieces.
 */

export const REDACTED = '[redacted]';

/** The shortest piece of the key that counts as a leak (a shorter key: the whole key). */
export const MIN_PIECE = 12;

/** The longest text searched whole; a longer one is searched in overlapping windows. */
const WINDOW = 4 * 1024 * 1024;

/** How many times escapes are decoded over (`%2569` → `%69` → `i`). */
const DECODE_PASSES = 4;

/** Layers of base64 / hex inside each other that are opened. */
const MAX_DEPTH = 2;

interface Needle {
	/** The key, its letter case folded (`fold`: lengths stay the same). */
	lower: string;
	/** Every distinct piece of `pieceLength` characters. */
	pieces: string[];
	pieceLength: number;
}

interface PreparedSecret {
	secret: string;
	/** The key as text (JavaScript characters). */
	text: Needle;
	/** The key as UTF-8 bytes, read as latin1 (for decoded base64 and hex). */
	bytes: Needle;
}

/**
 * Letter case folded for the search, every character kept in its place: toLowerCase changes the
 * length of one character only (U+0130, "İ"), which becomes "i" first. (Native toLowerCase: a
 * replace with a callback for every run of capitals took a third of the redaction's time.)
 */
const fold = (s: string) => (s.includes('\u0130') ? s.replace(/\u0130/g, 'i') : s).toLowerCase();

function needle(value: string): Needle {
	const lower = fold(value);
	const pieceLength = Math.min(lower.length, Math.max(MIN_PIECE, Math.ceil(lower.length / 2)));
	const pieces = new Set<string>();
	for (let i = 0; i + pieceLength <= lower.length; i++) pieces.add(lower.slice(i, i + pieceLength));
	return { lower, pieces: [...pieces], pieceLength };
}

let last: PreparedSecret | undefined;

function prepare(secret: string | undefined): PreparedSecret | undefined {
	if (typeof secret !== 'string' || secret.length < 4) return undefined;
	if (last?.secret === secret) return last;
	last = { secret, text: needle(secret), bytes: needle(Buffer.from(secret, 'utf8').toString('latin1')) };
	return last;
}

/** The length of the key piece that counts as a leak, for documentation and tests. */
export function pieceLengthOf(secret: string): number {
	return prepare(secret)?.text.pieceLength ?? 0;
}

// ─── a text with a map back to the original ─────────────────────────────────────────────────

/** `text[i]` came from `original.slice(start[i], end[i])`; no maps: the original itself. */
interface Mapped {
	text: string;
	start?: Int32Array;
	end?: Int32Array;
}

const startOf = (m: Mapped, i: number) => (m.start ? m.start[i] : i);
const endOf = (m: Mapped, i: number) => (m.end ? m.end[i] : i + 1);

const NAMED: Record<string, string> = {
	amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", plus: '+', sol: '/', bsol: '\\', equals: '=', lowbar: '_',
	period: '.', colon: ':', semi: ';', comma: ',', num: '#', percnt: '%', excl: '!', quest: '?', commat: '@',
	dollar: '$', lpar: '(', rpar: ')', ast: '*', hyphen: '-', dash: '-', lsqb: '[', rsqb: ']', lbrack: '[', rbrack: ']',
	lcub: '{', rcub: '}', lbrace: '{', rbrace: '}', verbar: '|', vert: '|', grave: '`', hat: '^', tilde: '~',
	nbsp: ' ', newline: '\n', tab: '\t', space: ' ',
};

const HEX = /^[0-9a-fA-F]+$/;
const isHex = (s: string) => s.length > 0 && HEX.test(s);

/**
 * One escape at `i`: the character it stands for and how many characters it takes, or undefined.
 */
function escapeAt(s: string, i: number): [string, number] | undefined {
	const c = s[i];
	if (c === '%') {
		if (s[i + 1] === 'u' || s[i + 1] === 'U') {
			const h = s.slice(i + 2, i + 6);
			if (h.length === 4 && isHex(h)) return [String.fromCharCode(parseInt(h, 16)), 6];
		}
		const h = s.slice(i + 1, i + 3);
		if (h.length === 2 && isHex(h)) return [String.fromCharCode(parseInt(h, 16)), 3];
		return undefined;
	}
	if (c === '\\') {
		const n = s[i + 1];
		if (n === 'u' || n === 'U') {
			if (s[i + 2] === '{') {
				// A few hex digits: look a few characters ahead only (a search to the end of the
				// text for every "\u{" would make a text of many of them quadratic).
				const ahead = s.slice(i + 3, i + 11).indexOf('}');
				const close = ahead >= 0 ? i + 3 + ahead : -1;
				const h = close > 0 ? s.slice(i + 3, close) : '';
				if (close > 0 && isHex(h)) {
					const code = parseInt(h, 16);
					if (code <= 0x10ffff) return [String.fromCodePoint(code), close - i + 1];
				}
				return undefined;
			}
			const h = s.slice(i + 2, i + 6);
			if (h.length === 4 && isHex(h)) return [String.fromCharCode(parseInt(h, 16)), 6];
			return undefined;
		}
		if (n === 'x' || n === 'X') {
			const h = s.slice(i + 2, i + 4);
			if (h.length === 2 && isHex(h)) return [String.fromCharCode(parseInt(h, 16)), 4];
			return undefined;
		}
		const simple: Record<string, string> = { '/': '/', '\\': '\\', '"': '"', "'": "'", n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '+': '+', '=': '=' };
		if (n !== undefined && Object.prototype.hasOwnProperty.call(simple, n)) return [simple[n], 2];
		return undefined;
	}
	if (c === '&') {
		const m = /^&(?:#(?:[xX]([0-9a-fA-F]{1,6})|([0-9]{1,7}))|([a-zA-Z]{2,10}));?/.exec(s.slice(i, i + 14));
		if (!m) return undefined;
		if (m[3] !== undefined) {
			if (!m[0].endsWith(';')) return undefined;
			const name = m[3].toLowerCase();
			return Object.prototype.hasOwnProperty.call(NAMED, name) ? [NAMED[name], m[0].length] : undefined;
		}
		const code = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2], 10);
		if (!(code >= 0 && code <= 0x10ffff)) return undefined;
		return [String.fromCodePoint(code), m[0].length];
	}
	return undefined;
}

/** One decoding pass; undefined when there was nothing to decode. */
function decodeOnce(m: Mapped): Mapped | undefined {
	const s = m.text;
	if (!/[%\\&]/.test(s)) return undefined;
	const parts: string[] = [];
	// A decoded text is never longer than its source (a code point above U+FFFF is two
	// characters, but its escape is longer still).
	const start = new Int32Array(s.length);
	const end = new Int32Array(s.length);
	let n = 0;
	let plainFrom = 0;
	let changed = false;
	const flush = (to: number) => {
		if (to > plainFrom) parts.push(s.slice(plainFrom, to));
		for (let k = plainFrom; k < to; k++) {
			start[n] = startOf(m, k);
			end[n] = endOf(m, k);
			n++;
		}
	};
	for (let i = 0; i < s.length; ) {
		const c = s[i];
		const e = c === '%' || c === '\\' || c === '&' ? escapeAt(s, i) : undefined;
		if (!e) {
			i++;
			continue;
		}
		flush(i);
		const [ch, len] = e;
		parts.push(ch);
		for (let k = 0; k < ch.length; k++) {
			start[n] = startOf(m, i);
			end[n] = endOf(m, i + len - 1);
			n++;
		}
		i += len;
		plainFrom = i;
		changed = true;
	}
	if (!changed) return undefined;
	flush(s.length);
	return { text: parts.join(''), start: start.subarray(0, n), end: end.subarray(0, n) };
}

/** The same text without white space, with its map; undefined when it has none. */
function withoutSpace(m: Mapped): Mapped | undefined {
	const s = m.text;
	if (!/\s/.test(s)) return undefined;
	const parts: string[] = [];
	const start = new Int32Array(s.length);
	const end = new Int32Array(s.length);
	let n = 0;
	for (const run of s.matchAll(/\S+/g)) {
		parts.push(run[0]);
		for (let k = run.index!; k < run.index! + run[0].length; k++) {
			start[n] = startOf(m, k);
			end[n] = endOf(m, k);
			n++;
		}
	}
	return { text: parts.join(''), start: start.subarray(0, n), end: end.subarray(0, n) };
}

// ─── searching ──────────────────────────────────────────────────────────────────────────────

type Span = [number, number];

/**
 * Where pieces of the key occur in `haystack` (already lower-cased): [from, to) index ranges,
 * each a maximal run that matches the key somewhere.
 */
function findPieces(haystack: string, n: Needle): Span[] {
	const out: Span[] = [];
	if (haystack.length < n.pieceLength || !n.pieces.length) return out;
	const hits: number[] = [];
	for (const piece of n.pieces) {
		for (let at = haystack.indexOf(piece); at >= 0; at = haystack.indexOf(piece, at + 1)) hits.push(at);
	}
	if (!hits.length) return out;
	hits.sort((a, b) => a - b);
	for (const at of hits) {
		// Every hit extends to the longest stretch that matches the key at some offset.
		let best = n.pieceLength;
		for (let k = n.lower.indexOf(haystack.slice(at, at + n.pieceLength)); k >= 0; k = n.lower.indexOf(haystack.slice(at, at + n.pieceLength), k + 1)) {
			let len = n.pieceLength;
			while (at + len < haystack.length && k + len < n.lower.length && haystack[at + len] === n.lower[k + len]) len++;
			if (len > best) best = len;
		}
		out.push([at, at + best]);
	}
	return out;
}

/** Maps index spans of a mapped text back to the original. */
function toOriginal(m: Mapped, spans: Span[]): Span[] {
	return spans.map(([a, b]) => [startOf(m, a), endOf(m, b - 1)]);
}

const BASE64_RUN = /[A-Za-z0-9+/_\-=\s]{12,}/g;
const HEX_RUN = /[0-9a-fA-F](?:[0-9a-fA-F]|[\s:-](?=[0-9a-fA-F]))+/g;

/** Base64 or hex runs of a mapped text whose decoded bytes carry the key. */
function encodedRuns(m: Mapped, secret: PreparedSecret, depth: number): Span[] {
	const out: Span[] = [];
	const minBase64 = Math.ceil((secret.bytes.pieceLength * 4) / 3);
	const check = (run: RegExpExecArray, strip: RegExp, keep: RegExp, decode: (compact: string) => Array<{ bytes: Buffer; charsPerByte: number; offset: number }>) => {
		// The run without separators, each character mapped to its place in `m`.
		let compact = run[0];
		let idx: Int32Array;
		if (!strip.test(compact)) {
			idx = new Int32Array(compact.length);
			for (let k = 0; k < compact.length; k++) idx[k] = run.index + k;
		} else {
			const parts: string[] = [];
			idx = new Int32Array(compact.length);
			let n = 0;
			for (const piece of compact.matchAll(keep)) {
				parts.push(piece[0]);
				for (let k = 0; k < piece[0].length; k++) idx[n++] = run.index + piece.index! + k;
			}
			compact = parts.join('');
			idx = idx.subarray(0, n);
		}
		for (const { bytes, charsPerByte, offset } of decode(compact)) {
			const decoded = bytes.toString('latin1');
			const found = findInBytes(decoded, secret, depth + 1);
			for (const [a, b] of found) {
				// The characters that encode bytes [a, b): base64 groups of 4 for 3 bytes, hex pairs.
				const from = offset + (charsPerByte === 2 ? a * 2 : Math.floor(a / 3) * 4);
				const to = Math.min(compact.length, offset + (charsPerByte === 2 ? b * 2 : Math.ceil(b / 3) * 4));
				if (to > from) out.push([idx[from], idx[to - 1] + 1]);
			}
		}
	};
	for (const run of m.text.matchAll(BASE64_RUN)) {
		if (run[0].replace(/\s/g, '').length < minBase64) continue;
		check(run as RegExpExecArray, /\s/, /\S+/g, (compact) => {
			const tries: Array<{ bytes: Buffer; charsPerByte: number; offset: number }> = [];
			// '=' ends a base64 text: each part between them is read on its own.
			let base = 0;
			for (const part of compact.split('=')) {
				if (part.length >= minBase64) {
					for (let offset = 0; offset < 4; offset++) {
						const usable = part.slice(offset, offset + Math.floor((part.length - offset) / 4) * 4);
						if (usable.length >= minBase64) tries.push({ bytes: Buffer.from(usable, 'base64'), charsPerByte: 4 / 3, offset: base + offset });
					}
				}
				base += part.length + 1;
			}
			return tries;
		});
	}
	for (const run of m.text.matchAll(HEX_RUN)) {
		if (run[0].length < secret.bytes.pieceLength * 2) continue;
		check(run as RegExpExecArray, /[\s:-]/, /[^\s:-]+/g, (compact) => {
			const tries: Array<{ bytes: Buffer; charsPerByte: number; offset: number }> = [];
			for (let offset = 0; offset < 2; offset++) {
				const usable = compact.slice(offset, offset + Math.floor((compact.length - offset) / 2) * 2);
				if (usable.length >= secret.bytes.pieceLength * 2) tries.push({ bytes: Buffer.from(usable, 'hex'), charsPerByte: 2, offset });
			}
			return tries;
		});
	}
	return out;
}

/** Stretches of bytes (read as latin1) that are printable ASCII text or white space. */
const PRINTABLE_RUN = /[\t\n\v\f\r\x20-\x7e\xa0]+/g;

/**
 * Where the key is in decoded bytes (read as latin1). The key's bytes as they are are searched in
 * all of them; its escaped and encoded forms (%XX, entities, hex, base64…) are printable ASCII
 * text at least a piece of the key long, so only such stretches are decoded further. (Binary
 * bytes, such as the base64 of an image, were otherwise decoded over and over for nothing: most of
 * the redaction's time on a large text.)
 */
function findInBytes(decoded: string, secret: PreparedSecret, depth: number): Span[] {
	const spans = findPieces(fold(decoded), secret.bytes);
	for (const run of decoded.matchAll(PRINTABLE_RUN)) {
		if (run[0].length < secret.bytes.pieceLength) continue;
		const from = run.index!;
		for (const [a, b] of findSecretIn(run[0], secret, depth, 'bytes')) spans.push([a + from, b + from]);
	}
	return spans;
}

/** Adds `more` to `spans` one by one (a spread of many thousands would overflow the stack). */
function append(spans: Span[], more: Span[]): void {
	for (const span of more) spans.push(span);
}

/** Every span of `text` that carries the key (in any of the forms above). */
function findSecretIn(text: string, secret: PreparedSecret, depth: number, as: 'text' | 'bytes'): Span[] {
	const n = as === 'text' ? secret.text : secret.bytes;
	const spans: Span[] = [];
	let layer: Mapped | undefined = { text };
	for (let pass = 0; layer && pass <= DECODE_PASSES; pass++) {
		append(spans, toOriginal(layer, findPieces(fold(layer.text), n)));
		const compact = withoutSpace(layer);
		if (compact) append(spans, toOriginal(compact, findPieces(fold(compact.text), n)));
		if (depth < MAX_DEPTH) append(spans, toOriginal(layer, encodedRuns(layer, secret, depth)));
		layer = decodeOnce(layer);
	}
	return spans;
}

function merge(spans: Span[]): Span[] {
	const sorted = spans.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0] || y[1] - x[1]);
	const out: Span[] = [];
	for (const s of sorted) {
		const top = out[out.length - 1];
		if (top && s[0] <= top[1]) top[1] = Math.max(top[1], s[1]);
		else out.push([s[0], s[1]]);
	}
	return out;
}

/** Where the key occurs in `text` (merged, in order). */
export function secretSpans(text: string, secret: string | undefined): Array<[number, number]> {
	const prepared = prepare(secret);
	if (!prepared || typeof text !== 'string' || !text) return [];
	if (text.length <= WINDOW) return merge(findSecretIn(text, prepared, 0, 'text'));
	// A very long text: overlapping windows, so that no encoded key is cut by a window edge.
	const overlap = Math.min(WINDOW / 2, 64 * 1024);
	const spans: Span[] = [];
	for (let from = 0; from < text.length; from += WINDOW - overlap) {
		for (const [a, b] of findSecretIn(text.slice(from, from + WINDOW), prepared, 0, 'text')) spans.push([a + from, b + from]);
		if (from + WINDOW >= text.length) break;
	}
	return merge(spans);
}

/** Whether `text` carries the key in any form read here. */
export function containsSecret(text: string, secret: string | undefined): boolean {
	return secretSpans(text, secret).length > 0;
}

/** `text` with every form of the key replaced by `[redacted]`. */
export function redact(text: string, secret: string | undefined): string {
	if (typeof text !== 'string' || !text) return text;
	const spans = secretSpans(text, secret);
	if (!spans.length) return text;
	let out = '';
	let at = 0;
	for (const [a, b] of spans) {
		out += text.slice(at, a) + REDACTED;
		at = b;
	}
	return out + text.slice(at);
}

// ─── values: any depth, keys too ────────────────────────────────────────────────────────────

const isPlainObject = (v: object) => {
	const proto = Object.getPrototypeOf(v) as unknown;
	return proto === Object.prototype || proto === null;
};

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
	Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * A copy of a JSON-like value with the key removed from every string in it, object keys included,
 * at any depth (walked without recursion; shared and circular references are kept as they were).
 * Arrays and plain objects are copied; other objects (a Date, a Buffer) are kept as they are.
 * Two keys that become the same after redaction are both kept (`[redacted]`, `[redacted] (2)`…).
 */
export function redactValue<T>(value: T, secret: string | undefined): T {
	if (!prepare(secret)) return value;
	const clean = (s: string) => redact(s, secret);
	if (typeof value === 'string') return clean(value) as unknown as T;
	if (!value || typeof value !== 'object') return value;
	const copies = new Map<object, unknown>();
	const work: Array<() => void> = [];
	const copyOf = (v: unknown): unknown => {
		if (typeof v === 'string') return clean(v);
		if (!v || typeof v !== 'object') return v;
		if (copies.has(v)) return copies.get(v);
		if (Array.isArray(v)) {
			const out: unknown[] = new Array(v.length);
			copies.set(v, out);
			work.push(() => {
				for (let i = 0; i < v.length; i++) out[i] = copyOf(v[i]);
			});
			return out;
		}
		if (!isPlainObject(v)) return v;
		const out: Record<string, unknown> = Object.getPrototypeOf(v) === null ? (Object.create(null) as Record<string, unknown>) : {};
		copies.set(v, out);
		work.push(() => {
			for (const key of Object.keys(v)) {
				let name = clean(key);
				if (name !== key || Object.prototype.hasOwnProperty.call(out, name)) {
					for (let n = 2; Object.prototype.hasOwnProperty.call(out, name); n++) name = `${clean(key)} (${n})`;
				}
				setOwn(out, name, copyOf((v as Record<string, unknown>)[key]));
			}
		});
		return out;
	};
	const root = copyOf(value);
	while (work.length) work.pop()!();
	return root as T;
}
