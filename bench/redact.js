'use strict';
/**
 * How long the one redaction of the API key (nodes/Ima/helpers/redact.ts) takes on large texts a
 * node output or a server's answer may hold. `npm run build && node bench/redact.js`: prints one
 * line per case (the median of 3 runs, in ms, and ms per MB). Not part of `npm test`.
 */
const crypto = require('node:crypto');
const os = require('node:os');
const { redact, redactValue } = require('../dist/nodes/Ima/helpers/redact');

const KEY = `ima_${crypto.randomBytes(24).toString('base64url')}`;
const MB = 1024 * 1024;
const sentence = 'The quick brown fox jumps over the lazy dog, 42 times. ';
const text = (bytes) => sentence.repeat(Math.ceil(bytes / sentence.length)).slice(0, bytes);

const cases = [
	['English text, 1 MB', () => text(MB)],
	['English text, 10 MB', () => text(10 * MB)],
	['base64 of random bytes, 4 MB', () => crypto.randomBytes((4 * MB * 3) / 4).toString('base64')],
	['hex of random bytes, 4 MB', () => crypto.randomBytes(2 * MB).toString('hex')],
	['"\\u{" repeated, 1 MB', () => '\\u{'.repeat(MB / 3)],
	['the key repeated, 1 MB', () => `${KEY} `.repeat(Math.ceil(MB / (KEY.length + 1)))],
	['500 items of 10 KB json (redactValue)', () => Array.from({ length: 500 }, (_, i) => ({ id: i, text: text(9 * 1024), nested: { list: [text(512), { deeper: text(512) }] } }))],
];

function median(xs) {
	const s = [...xs].sort((a, b) => a - b);
	return s[Math.floor(s.length / 2)];
}

console.log(`redaction bench: Node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, load ${os.loadavg().map((x) => x.toFixed(2)).join(' / ')}`);
for (const [name, make] of cases) {
	const input = make();
	const size = typeof input === 'string' ? input.length : JSON.stringify(input).length;
	const times = [];
	for (let i = 0; i < 3; i++) {
		const start = process.hrtime.bigint();
		if (typeof input === 'string') redact(input, KEY);
		else redactValue(input, KEY);
		times.push(Number(process.hrtime.bigint() - start) / 1e6);
	}
	const ms = median(times);
	console.log(`${name.padEnd(40)} ${String(Math.round(ms)).padStart(6)} ms  ${(ms / (size / MB)).toFixed(0).padStart(6)} ms/MB`);
}
