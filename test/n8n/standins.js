// @ts-check
'use strict';
/**
 * Stand-ins on loopback for the outside services the templates use, so n8n's REAL nodes (Google
 * Sheets, Google Drive, Slack, Send Email) run unchanged in test:n8n and never reach the internet:
 *
 * - an HTTPS proxy on 127.0.0.1 that n8n is pointed at with HTTPS_PROXY (n8n routes its nodes'
 *   requests through it; NO_PROXY keeps loopback direct). It accepts CONNECT only to the hosts in
 *   HOSTS, terminates TLS there with a certificate of a throwaway test CA (NODE_EXTRA_CA_CERTS makes
 *   n8n's Node trust it) and answers as the service would; any other host is refused (403) and
 *   recorded in `refused`.
 * - Google Sheets (sheets.googleapis.com/v4): spreadsheets held in memory as grids of strings;
 *   sheet metadata, reading a range, values:batchUpdate, PUT values, :append.
 * - Google Drive (www.googleapis.com/drive/v3, /upload/drive/v3): multipart and resumable uploads,
 *   file metadata updates (PATCH), permissions (share).
 * - Slack Web API (slack.com/api): chat.postMessage.
 * - an SMTP server (plain, with AUTH PLAIN/LOGIN) that keeps each message and its attachments,
 *   for n8n's Send Email node with an SMTP credential pointing at it.
 *
 * The answers follow the services' documented shapes closely enough for n8n's nodes; they are a
 * reading of the public API docs, not of n8n's node code. The certificates come from `openssl`
 * (in every Debian/Ubuntu image and on GitHub's runners).
 *
 *   const s = await startStandins(dir);     // dir: where the CA and keys go
 *   s.env      → {HTTPS_PROXY, HTTP_PROXY, NO_PROXY, NODE_EXTRA_CA_CERTS} for n8n's processes
 *   s.sheets.create(id, title, rows)   s.sheets.rows(id, title)   s.drive.files   s.slack.messages
 *   s.smtp.port   s.smtp.messages     s.requests   s.refused   await s.close()
 */
const fs = require('fs');
const net = require('net');
const tls = require('tls');
const http = require('http');
const path = require('path');
const crypto = require('crypto');
const { execFileSync } = require('child_process');

const HOSTS = ['sheets.googleapis.com', 'www.googleapis.com', 'slack.com'];

/** A throwaway CA and one server certificate for HOSTS (openssl). */
function makeCertificates(dir) {
	fs.mkdirSync(dir, { recursive: true });
	const f = (n) => path.join(dir, n);
	const ossl = (args) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
	ossl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=n8n-nodes-ima test CA (throwaway)',
		'-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
	ossl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=stand-in services']);
	fs.writeFileSync(f('server.ext'), `subjectAltName=${HOSTS.map((h) => `DNS:${h}`).join(',')}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`);
	ossl(['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.pem'), '-days', '2', '-extfile', f('server.ext')]);
	return { caFile: f('ca.pem'), key: fs.readFileSync(f('server.key')), cert: fs.readFileSync(f('server.pem')) };
}

// ------------------------------------------------------------------ A1 ranges (Google Sheets)

const colIndex = (letters) => [...letters.toUpperCase()].reduce((n, c) => n * 26 + (c.charCodeAt(0) - 64), 0) - 1;
const colLetters = (i) => {
	let s = '';
	for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
	return s;
};

/** 'Products'!A2:C5, Products!A:Z, Products!3:3, 'Products', Products!C7 → {sheet, r0, r1, c0, c1} (inclusive, Infinity = open). */
function parseRange(a1) {
	let sheet = a1;
	let cells = '';
	const m = /^(?:'((?:[^']|'')+)'|([^!]+))(?:!(.*))?$/.exec(a1);
	if (m) {
		sheet = m[1] !== undefined ? m[1].replace(/''/g, "'") : m[2];
		cells = m[3] || '';
	}
	const r = { sheet, r0: 0, r1: Infinity, c0: 0, c1: Infinity };
	if (!cells) return r;
	const [from, to = from] = cells.split(':');
	const part = (p) => {
		const x = /^([A-Za-z]*)(\d*)$/.exec(p) || [];
		return { c: x[1] ? colIndex(x[1]) : undefined, r: x[2] ? Number(x[2]) - 1 : undefined };
	};
	const a = part(from);
	const b = part(to);
	if (a.c !== undefined) r.c0 = a.c;
	if (a.r !== undefined) r.r0 = a.r;
	if (b.c !== undefined) r.c1 = b.c;
	else if (a.c !== undefined && to === from && a.r !== undefined) r.c1 = a.c;
	if (b.r !== undefined) r.r1 = b.r;
	else if (a.r !== undefined && to === from && a.c !== undefined) r.r1 = a.r;
	return r;
}

// ------------------------------------------------------------------ the stand-ins

function sheetsStandin() {
	/** @type {Map<string, {sheets: {sheetId: number, title: string, rows: string[][]}[]}>} */
	const docs = new Map();
	const find = (id, title) => {
		const doc = docs.get(id);
		return doc && doc.sheets.find((s) => s.title === title);
	};
	const write = (id, a1, values) => {
		const r = parseRange(a1);
		const sheet = find(id, r.sheet);
		if (!sheet) return false;
		values.forEach((row, i) => {
			const y = r.r0 + i;
			while (sheet.rows.length <= y) sheet.rows.push([]);
			row.forEach((v, j) => {
				const x = r.c0 + j;
				while (sheet.rows[y].length <= x) sheet.rows[y].push('');
				sheet.rows[y][x] = v === null || v === undefined ? '' : String(v);
			});
		});
		return true;
	};
	const api = {
		docs,
		create(id, title, rows) {
			docs.set(id, { sheets: [{ sheetId: 0, title, rows: rows.map((r) => r.map(String)) }] });
		},
		rows: (id, title) => (find(id, title) || { rows: [] }).rows,
		/** @returns {[number, any] | undefined} */
		handle(method, url, body) {
			const m = /^\/v4\/spreadsheets\/([^/:?]+)(.*)$/.exec(url.pathname);
			if (!m) return undefined;
			const id = decodeURIComponent(m[1]);
			const rest = m[2];
			const doc = docs.get(id);
			if (!doc) return [404, { error: { code: 404, message: 'Requested entity was not found.', status: 'NOT_FOUND' } }];
			if (method === 'GET' && rest === '') {
				return [200, { spreadsheetId: id, sheets: doc.sheets.map((s) => ({ properties: { sheetId: s.sheetId, title: s.title, index: 0, sheetType: 'GRID', gridProperties: { rowCount: Math.max(1000, s.rows.length), columnCount: 26 } } })) }];
			}
			if (method === 'POST' && rest === '/values:batchUpdate') {
				let cells = 0;
				for (const d of body.data || []) {
					if (!write(id, d.range, d.values || [])) return [400, { error: { code: 400, message: `Unable to parse range: ${d.range}`, status: 'INVALID_ARGUMENT' } }];
					cells += (d.values || []).flat().length;
				}
				return [200, { spreadsheetId: id, totalUpdatedCells: cells, responses: (body.data || []).map((d) => ({ spreadsheetId: id, updatedRange: d.range })) }];
			}
			if (method === 'POST' && rest === ':batchUpdate') return [200, { spreadsheetId: id, replies: (body.requests || []).map(() => ({})) }];
			const v = /^\/values\/([^:]+)(:append|:clear)?$/.exec(rest);
			if (v) {
				const a1 = decodeURIComponent(v[1]);
				const r = parseRange(a1);
				const sheet = find(id, r.sheet);
				if (!sheet) return [400, { error: { code: 400, message: `Unable to parse range: ${a1}`, status: 'INVALID_ARGUMENT' } }];
				if (method === 'GET') {
					const rows = sheet.rows.slice(r.r0, r.r1 === Infinity ? undefined : r.r1 + 1).map((row) => {
						const cut = row.slice(r.c0, r.c1 === Infinity ? undefined : r.c1 + 1);
						while (cut.length && cut[cut.length - 1] === '') cut.pop();
						return cut;
					});
					while (rows.length && rows[rows.length - 1].length === 0) rows.pop();
					const c1 = r.c1 === Infinity ? 25 : r.c1;
					return [200, { range: `${sheet.title}!${colLetters(r.c0)}${r.r0 + 1}:${colLetters(c1)}${r.r0 + Math.max(rows.length, 1)}`, majorDimension: 'ROWS', ...(rows.length ? { values: rows } : {}) }];
				}
				if (method === 'PUT' || (method === 'POST' && v[2] === ':append')) {
					let target = a1;
					if (v[2] === ':append') target = `${sheet.title}!A${sheet.rows.length + 1}`;
					write(id, target, body.values || []);
					return [200, { spreadsheetId: id, updatedRange: target, updatedRows: (body.values || []).length }];
				}
				if (method === 'POST' && v[2] === ':clear') return [200, { spreadsheetId: id, clearedRange: a1 }];
			}
			return undefined;
		},
	};
	return api;
}

function driveStandin() {
	/** @type {Map<string, {id: string, name: string, mimeType: string, bytes: Buffer, parents: string[], permissions: any[], sha256: string}>} */
	const files = new Map();
	/** @type {Map<string, {metadata: any, mimeType: string, chunks: Buffer[], received: number}>} */
	const uploads = new Map();
	const newId = () => `drv${crypto.randomBytes(9).toString('hex')}`;
	const save = (metadata, mimeType, bytes) => {
		const id = newId();
		const f = { id, name: metadata.name || 'Untitled', mimeType: mimeType || metadata.mimeType || 'application/octet-stream', bytes, parents: metadata.parents || [], permissions: [], sha256: crypto.createHash('sha256').update(bytes).digest('hex') };
		files.set(id, f);
		return f;
	};
	const view = (f, fields) =>
		fields === '*' || (fields && fields.includes('webViewLink'))
			? { kind: 'drive#file', id: f.id, name: f.name, mimeType: f.mimeType, parents: f.parents, size: String(f.bytes.length), webViewLink: `https://drive.google.com/file/d/${f.id}/view?usp=drivesdk` }
			: { kind: 'drive#file', id: f.id, name: f.name, mimeType: f.mimeType };
	return {
		files,
		/** @returns {[number, any, Record<string, string>?] | undefined} */
		handle(method, url, body, raw, headers) {
			const p = url.pathname;
			if (p === '/upload/drive/v3/files' && method === 'POST') {
				const type = url.searchParams.get('uploadType');
				if (type === 'resumable') {
					const uploadId = crypto.randomBytes(8).toString('hex');
					uploads.set(uploadId, { metadata: body || {}, mimeType: String(headers['x-upload-content-type'] || ''), chunks: [], received: 0 });
					return [200, {}, { location: `https://www.googleapis.com/upload/drive/v3/files?uploadType=resumable&upload_id=${uploadId}` }];
				}
				if (type === 'multipart') {
					const boundary = (/boundary=("?)([^";]+)\1/.exec(String(headers['content-type'])) || [])[2];
					const parts = splitMultipart(raw, boundary);
					const meta = parts[0] ? JSON.parse(parts[0].body.toString('utf8')) : {};
					const file = parts[1] || { headers: {}, body: Buffer.alloc(0) };
					return [200, view(save(meta, file.headers['content-type'], file.body))];
				}
			}
			if (p === '/upload/drive/v3/files' && method === 'PUT') {
				const up = uploads.get(url.searchParams.get('upload_id') || '');
				if (!up) return [404, { error: { code: 404, message: 'upload not found' } }];
				up.chunks.push(raw);
				up.received += raw.length;
				const total = Number((/\/(\d+)$/.exec(String(headers['content-range'] || '')) || [])[1]);
				if (Number.isFinite(total) && up.received < total) return [308, {}, { range: `bytes=0-${up.received - 1}` }];
				uploads.delete(url.searchParams.get('upload_id') || '');
				return [200, view(save(up.metadata, up.mimeType, Buffer.concat(up.chunks)))];
			}
			const m = /^\/drive\/v3\/files\/([^/]+)(\/permissions)?$/.exec(p);
			if (m) {
				const f = files.get(decodeURIComponent(m[1]));
				if (!f) return [404, { error: { code: 404, message: `File not found: ${m[1]}.` } }];
				if (m[2] && method === 'POST') {
					const perm = { kind: 'drive#permission', id: crypto.randomBytes(6).toString('hex'), type: body.type, role: body.role, allowFileDiscovery: false };
					f.permissions.push(perm);
					return [200, perm];
				}
				if (method === 'PATCH') {
					if (body && body.name) f.name = body.name;
					const add = url.searchParams.get('addParents');
					if (add) f.parents = [...new Set([...f.parents, ...add.split(',')])];
					return [200, view(f, url.searchParams.get('fields'))];
				}
				if (method === 'GET') return [200, view(f, url.searchParams.get('fields'))];
			}
			return undefined;
		},
	};
}

function slackStandin() {
	/** @type {any[]} */
	const messages = [];
	return {
		messages,
		/** @returns {[number, any] | undefined} */
		handle(method, url, body, raw, headers) {
			if (method === 'POST' && url.pathname === '/api/chat.postMessage') {
				if (!/^Bearer \S+/.test(String(headers.authorization || ''))) return [200, { ok: false, error: 'not_authed' }];
				const ts = `${Math.floor(Date.now() / 1000)}.${String(messages.length + 1).padStart(6, '0')}`;
				const channel = String(body.channel || '');
				messages.push({ channel, text: body.text, blocks: body.blocks, ts });
				return [200, { ok: true, channel: channel.startsWith('#') ? 'C0STANDIN1' : channel, ts, message: { type: 'message', text: body.text, ts, bot_id: 'B0STANDIN' } }];
			}
			return undefined;
		},
	};
}

/** Splits a multipart body into parts {headers (lower-cased), body}. */
function splitMultipart(raw, boundary) {
	if (!boundary) return [];
	const parts = [];
	const delim = Buffer.from(`--${boundary}`);
	let pos = raw.indexOf(delim);
	while (pos !== -1) {
		const start = pos + delim.length;
		if (raw.slice(start, start + 2).toString() === '--') break;
		const next = raw.indexOf(delim, start);
		if (next === -1) break;
		const chunk = raw.slice(start + 2, next - 2); // after CRLF, before CRLF
		const sep = chunk.indexOf('\r\n\r\n');
		const head = chunk.slice(0, sep).toString('utf8');
		const headers = {};
		for (const line of head.split(/\r\n(?![ \t])/)) {
			const i = line.indexOf(':');
			if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).replace(/\r\n[ \t]+/g, ' ').trim();
		}
		parts.push({ headers, body: chunk.slice(sep + 4) });
		pos = next;
	}
	return parts;
}

/** The attachments of a MIME message (nested multiparts too): {fileName, contentType, bytes}. */
function mimeAttachments(text) {
	const raw = Buffer.from(text, 'latin1');
	const sep = raw.indexOf('\r\n\r\n');
	const headers = {};
	for (const line of raw.slice(0, sep).toString('latin1').split(/\r\n(?![ \t])/)) {
		const i = line.indexOf(':');
		if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).replace(/\r\n[ \t]+/g, ' ').trim();
	}
	const walk = (hdrs, body, out) => {
		const type = String(hdrs['content-type'] || 'text/plain');
		const boundary = (/boundary=("?)([^";]+)\1/i.exec(type) || [])[2];
		if (/^multipart\//i.test(type) && boundary) {
			for (const part of splitMultipart(body, boundary)) walk(part.headers, part.body, out);
			return out;
		}
		const disposition = String(hdrs['content-disposition'] || '');
		const name = (/filename\*?=("?)([^";]+)\1/i.exec(disposition) || /name=("?)([^";]+)\1/i.exec(type) || [])[2];
		const encoding = String(hdrs['content-transfer-encoding'] || '').toLowerCase();
		const bytes =
			encoding === 'base64'
				? Buffer.from(body.toString('latin1').replace(/\s+/g, ''), 'base64')
				: encoding === 'quoted-printable'
					? Buffer.from(body.toString('latin1').replace(/=\r\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex) => String.fromCharCode(parseInt(hex, 16))), 'latin1')
					: body;
		if (/attachment/i.test(disposition) || name) out.push({ fileName: name, contentType: type.split(';')[0], bytes });
		else out.push({ text: bytes.toString('utf8'), contentType: type.split(';')[0] });
		return out;
	};
	const parts = walk(headers, raw.slice(sep + 4), []);
	return { headers, attachments: parts.filter((p) => p.bytes), texts: parts.filter((p) => p.text !== undefined).map((p) => p.text) };
}

/** A small SMTP server: EHLO/HELO, AUTH PLAIN/LOGIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT. */
async function startSmtp() {
	/** @type {any[]} */
	const messages = [];
	const server = net.createServer((socket) => {
		let buf = '';
		let inData = false;
		let authLogin = 0;
		let env = { from: '', to: /** @type {string[]} */ ([]), user: '' };
		const say = (line) => socket.write(`${line}\r\n`);
		say('220 stand-in ESMTP ready');
		socket.on('data', (d) => {
			buf += d.toString('latin1');
			for (;;) {
				if (inData) {
					const end = buf.indexOf('\r\n.\r\n');
					if (end === -1) return;
					const data = buf.slice(0, end).replace(/\r\n\.\./g, '\r\n.');
					buf = buf.slice(end + 5);
					inData = false;
					const parsed = mimeAttachments(data);
					messages.push({ ...env, raw: data, headers: parsed.headers, attachments: parsed.attachments, texts: parsed.texts });
					env = { from: '', to: [], user: env.user };
					say('250 2.0.0 queued');
					continue;
				}
				const nl = buf.indexOf('\r\n');
				if (nl === -1) return;
				const line = buf.slice(0, nl);
				buf = buf.slice(nl + 2);
				if (authLogin === 1) {
					env.user = Buffer.from(line, 'base64').toString();
					authLogin = 2;
					say('334 UGFzc3dvcmQ6');
					continue;
				}
				if (authLogin === 2) {
					authLogin = 0;
					say('235 2.7.0 Authentication successful');
					continue;
				}
				const cmd = line.slice(0, 4).toUpperCase();
				if (cmd === 'EHLO') socket.write('250-stand-in\r\n250-SIZE 104857600\r\n250-8BITMIME\r\n250-AUTH PLAIN LOGIN\r\n250 SMTPUTF8\r\n');
				else if (cmd === 'HELO') say('250 stand-in');
				else if (cmd === 'AUTH') {
					const [, mech, arg] = line.split(' ');
					if (/^PLAIN$/i.test(mech)) {
						env.user = Buffer.from(arg || '', 'base64').toString().split('\0')[1] || '';
						say('235 2.7.0 Authentication successful');
					} else {
						authLogin = 1;
						say('334 VXNlcm5hbWU6');
					}
				} else if (cmd === 'MAIL') {
					env.from = (/<([^>]*)>/.exec(line) || [])[1] || '';
					say('250 2.1.0 OK');
				} else if (cmd === 'RCPT') {
					env.to.push((/<([^>]*)>/.exec(line) || [])[1] || '');
					say('250 2.1.5 OK');
				} else if (cmd === 'DATA') {
					inData = true;
					say('354 End data with <CR><LF>.<CR><LF>');
				} else if (cmd === 'RSET' || cmd === 'NOOP') say('250 OK');
				else if (cmd === 'QUIT') {
					say('221 Bye');
					socket.end();
				} else say('502 5.5.2 Command not recognized');
			}
		});
		socket.on('error', () => undefined);
	});
	await new Promise((r) => server.listen(0, '127.0.0.1', () => r(undefined)));
	const port = /** @type {import('net').AddressInfo} */ (server.address()).port;
	return { port, messages, close: () => new Promise((r) => server.close(() => r(undefined))) };
}

/** Starts every stand-in. @param {string} dir a folder for the throwaway CA and keys */
async function startStandins(dir) {
	const { caFile, key, cert } = makeCertificates(dir);
	const sheets = sheetsStandin();
	const drive = driveStandin();
	const slack = slackStandin();
	/** @type {{host: string, method: string, path: string, status: number}[]} */
	const requests = [];
	/** @type {string[]} */
	const refused = [];
	const services = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			const raw = Buffer.concat(chunks);
			const host = String(req.headers.host || '').split(':')[0];
			const url = new URL(req.url || '/', `https://${host}`);
			let body = {};
			const type = String(req.headers['content-type'] || '');
			if (/json/.test(type) && raw.length) {
				try {
					body = JSON.parse(raw.toString('utf8'));
				} catch {
					body = {};
				}
			} else if (/x-www-form-urlencoded/.test(type)) body = Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
			let answer;
			try {
				if (host === 'sheets.googleapis.com') answer = sheets.handle(req.method, url, body);
				else if (host === 'www.googleapis.com') answer = drive.handle(req.method, url, body, raw, req.headers);
				else if (host === 'slack.com') answer = slack.handle(req.method, url, body, raw, req.headers);
				// Google: a Bearer token on every call, except the PUTs to a resumable upload session
				// (its upload_id is the credential).
				const session = req.method === 'PUT' && url.searchParams.has('upload_id');
				if (answer && host !== 'slack.com' && !session && !/^Bearer \S+/.test(String(req.headers.authorization || ''))) answer = [401, { error: { code: 401, message: 'Request is missing required authentication credential.', status: 'UNAUTHENTICATED' } }];
			} catch (e) {
				answer = [500, { error: { code: 500, message: `stand-in: ${e && e.message}` } }];
			}
			const [status, json, headers = {}] = answer || [404, { error: { code: 404, message: `stand-in: no ${req.method} ${url.pathname} on ${host}` } }];
			requests.push({ host, method: String(req.method), path: url.pathname + url.search, status });
			res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
			res.end(JSON.stringify(json));
		});
	});
	const proxy = http.createServer((req, res) => {
		// A plain-HTTP request through the proxy: nothing here is served over plain HTTP.
		refused.push(String(req.headers.host || req.url));
		res.writeHead(403).end('stand-in proxy: refused');
	});
	proxy.on('connect', (req, socket, head) => {
		const host = String(req.url || '').split(':')[0];
		if (!HOSTS.includes(host)) {
			refused.push(host);
			socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
			return;
		}
		socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
		if (head && head.length) socket.unshift(head);
		const secure = new tls.TLSSocket(socket, { isServer: true, key, cert });
		secure.on('error', () => undefined);
		services.emit('connection', secure);
	});
	await new Promise((r) => proxy.listen(0, '127.0.0.1', () => r(undefined)));
	const proxyUrl = `http://127.0.0.1:${/** @type {import('net').AddressInfo} */ (proxy.address()).port}`;
	const smtp = await startSmtp();
	return {
		proxyUrl,
		caFile,
		env: { HTTPS_PROXY: proxyUrl, HTTP_PROXY: proxyUrl, https_proxy: proxyUrl, http_proxy: proxyUrl, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost', NODE_EXTRA_CA_CERTS: caFile },
		sheets,
		drive,
		slack,
		smtp,
		requests,
		refused,
		async close() {
			proxy.closeAllConnections && proxy.closeAllConnections();
			services.closeAllConnections && services.closeAllConnections();
			await new Promise((r) => proxy.close(() => r(undefined)));
			await smtp.close();
		},
	};
}

module.exports = { startStandins, parseRange, splitMultipart, mimeAttachments, HOSTS };
