/**
 * Where a URL the node fetches may point: the host of a URL, read as n8n's HTTP client reads it
 * (WHATWG URL: `http://2130706433/`, `http://0x7f.1/` and `http://0177.0.0.1/` are all 127.0.0.1),
 * classified as public or not (loopback, private, link-local, cloud metadata, reserved, local
 * names), and matched against an allow list. Pure: no DNS (node code may not import `dns`), so a
 * public name that resolves to a private address is not seen here.
 */

export type HostKind = 'public' | 'loopback' | 'private' | 'link-local' | 'metadata' | 'unspecified' | 'reserved' | 'local-name';

export interface HostVerdict {
	kind: HostKind;
	/** In words, for errors: "a loopback address (127.0.0.2)". */
	what: string;
}

// ─── IPv4 ───────────────────────────────────────────────────────────────────────────────────

/**
 * An IPv4 address in any notation WHATWG URL (and inet_aton) accepts: 1 to 4 parts, each decimal,
 * octal (leading 0) or hex (0x); the last part fills the remaining bytes. Undefined otherwise.
 */
export function parseIPv4(host: string): number | undefined {
	const parts = host.split('.');
	if (parts.length && parts[parts.length - 1] === '') parts.pop(); // a trailing dot
	if (parts.length < 1 || parts.length > 4) return undefined;
	const nums: number[] = [];
	for (const p of parts) {
		let n: number;
		if (/^0[xX][0-9a-fA-F]*$/.test(p)) n = p.length === 2 ? 0 : parseInt(p.slice(2), 16);
		else if (/^0[0-7]+$/.test(p)) n = parseInt(p.slice(1), 8);
		else if (/^(0|[1-9][0-9]*)$/.test(p)) n = parseInt(p, 10);
		else return undefined;
		if (!Number.isFinite(n)) return undefined;
		nums.push(n);
	}
	const last = nums.pop()!;
	if (nums.some((n) => n > 255)) return undefined;
	if (last >= 256 ** (4 - nums.length)) return undefined;
	let value = last;
	nums.forEach((n, i) => {
		value += n * 256 ** (3 - i);
	});
	return value;
}

const v4 = (a: number, b: number, c: number, d: number) => ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
const inV4 = (ip: number, base: number, bits: number) => bits === 0 || ip >>> (32 - bits) === base >>> (32 - bits);
export const formatIPv4 = (ip: number) => [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join('.');

/** Addresses that cloud platforms serve instance metadata (and credentials) on. */
const V4_METADATA = [v4(169, 254, 169, 254), v4(169, 254, 170, 2), v4(169, 254, 169, 253), v4(100, 100, 100, 200), v4(168, 63, 129, 16), v4(192, 0, 0, 192)];

const V4_RANGES: Array<[number, number, HostKind, string]> = [
	[v4(0, 0, 0, 0), 8, 'unspecified', '"this network" address'],
	[v4(10, 0, 0, 0), 8, 'private', 'private address'],
	[v4(100, 64, 0, 0), 10, 'private', 'shared (carrier-grade NAT) address'],
	[v4(127, 0, 0, 0), 8, 'loopback', 'loopback address'],
	[v4(169, 254, 0, 0), 16, 'link-local', 'link-local address'],
	[v4(172, 16, 0, 0), 12, 'private', 'private address'],
	[v4(192, 0, 0, 0), 24, 'reserved', 'reserved (IETF) address'],
	[v4(192, 0, 2, 0), 24, 'reserved', 'documentation address'],
	[v4(192, 88, 99, 0), 24, 'reserved', 'reserved (6to4 relay) address'],
	[v4(192, 168, 0, 0), 16, 'private', 'private address'],
	[v4(198, 18, 0, 0), 15, 'reserved', 'benchmarking address'],
	[v4(198, 51, 100, 0), 24, 'reserved', 'documentation address'],
	[v4(203, 0, 113, 0), 24, 'reserved', 'documentation address'],
	[v4(224, 0, 0, 0), 4, 'reserved', 'multicast address'],
	[v4(240, 0, 0, 0), 4, 'reserved', 'reserved address'],
];

function classifyV4(ip: number, shown: string): HostVerdict {
	if (V4_METADATA.includes(ip)) return { kind: 'metadata', what: `a cloud metadata address (${shown})` };
	for (const [base, bits, kind, words] of V4_RANGES) {
		if (inV4(ip, base, bits)) return { kind, what: `a ${words} (${shown})` };
	}
	return { kind: 'public', what: `a public address (${shown})` };
}

// ─── IPv6 ───────────────────────────────────────────────────────────────────────────────────

/** An IPv6 address (brackets, a zone and an embedded dotted IPv4 allowed) as 8 groups. */
export function parseIPv6(host: string): number[] | undefined {
	let h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
	const zone = h.indexOf('%');
	if (zone >= 0) h = h.slice(0, zone);
	if (!h.includes(':')) return undefined;
	let tail: number[] = [];
	const lastColon = h.lastIndexOf(':');
	const lastPart = h.slice(lastColon + 1);
	if (lastPart.includes('.')) {
		if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(lastPart)) return undefined;
		const bytes = lastPart.split('.').map(Number);
		if (bytes.some((x) => x > 255)) return undefined;
		tail = [(bytes[0] << 8) + bytes[1], (bytes[2] << 8) + bytes[3]];
		h = h.slice(0, lastColon + 1);
		if (!h.endsWith('::')) h = h.slice(0, -1);
	}
	if (!/^[0-9a-fA-F:]*$/.test(h)) return undefined;
	const halves = h.split('::');
	if (halves.length > 2) return undefined;
	const groups = (s: string) => (s === '' ? [] : s.split(':'));
	const head = groups(halves[0]);
	const rest = halves.length === 2 ? groups(halves[1]) : [];
	if ([...head, ...rest].some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
	const known = head.length + rest.length + tail.length;
	if (halves.length === 1 ? known !== 8 : known > 7) return undefined;
	const zeros: number[] = halves.length === 2 ? new Array(8 - known).fill(0) : [];
	return [...head.map((g) => parseInt(g, 16)), ...zeros, ...rest.map((g) => parseInt(g, 16)), ...tail];
}

const embeddedV4 = (g: number[], at: number) => ((g[at] << 16) >>> 0) + g[at + 1];

function classifyV6(g: number[], shown: string): HostVerdict {
	const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
	if (g.every((x) => x === 0)) return { kind: 'unspecified', what: `the unspecified address (${shown})` };
	if (zeroUpTo(7) && g[7] === 1) return { kind: 'loopback', what: `the loopback address (${shown})` };
	// IPv4 inside IPv6: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d), NAT64 (64:ff9b::/96,
	// 64:ff9b:1::/48), 6to4 (2002:AABB:CCDD::): the IPv4 address decides.
	const inner = (ip: number, how: string) => {
		const v = classifyV4(ip, `${formatIPv4(ip)} ${how} ${shown}`);
		return v;
	};
	if (zeroUpTo(5) && g[5] === 0xffff) return inner(embeddedV4(g, 6), 'mapped in');
	if (zeroUpTo(4) && g[4] === 0xffff && g[5] === 0) return inner(embeddedV4(g, 6), 'translated in');
	if (zeroUpTo(6)) return inner(embeddedV4(g, 6), 'inside');
	if (g[0] === 0x64 && g[1] === 0xff9b && (g.slice(2, 6).every((x) => x === 0) || g[2] === 1)) return inner(embeddedV4(g, 6), 'translated in');
	if (g[0] === 0x2002) return inner(embeddedV4(g, 1), 'inside 6to4');
	if (g[0] === 0xfd00 && g[1] === 0x0ec2 && g.slice(2, 7).every((x) => x === 0) && g[7] === 0x254) {
		return { kind: 'metadata', what: `a cloud metadata address (${shown})` };
	}
	if ((g[0] & 0xfe00) === 0xfc00) return { kind: 'private', what: `a unique-local (private) address (${shown})` };
	if ((g[0] & 0xffc0) === 0xfe80) return { kind: 'link-local', what: `a link-local address (${shown})` };
	if ((g[0] & 0xffc0) === 0xfec0) return { kind: 'private', what: `a site-local (private) address (${shown})` };
	if ((g[0] & 0xff00) === 0xff00) return { kind: 'reserved', what: `a multicast address (${shown})` };
	if (g[0] === 0x2001 && g[1] === 0x0db8) return { kind: 'reserved', what: `a documentation address (${shown})` };
	if (g[0] === 0x0100 && g[1] === 0 && g[2] === 0 && g[3] === 0) return { kind: 'reserved', what: `a discard address (${shown})` };
	return { kind: 'public', what: `a public address (${shown})` };
}

// ─── names ──────────────────────────────────────────────────────────────────────────────────

const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal', 'metadata.azure.com']);
/**
 * Names that only a local or private resolver answers (RFC 6761, 6762, 8375, ICANN's .internal;
 * `svc`: Kubernetes' cluster names, `kubernetes.default.svc` is the cluster's API).
 */
const LOCAL_SUFFIXES = ['localhost', 'local', 'internal', 'localdomain', 'home.arpa', 'lan', 'intranet', 'corp', 'private', 'svc'];

/** A host name or address, lower-cased, without brackets or a trailing dot. */
export function normalizeHost(host: string): string {
	let h = String(host ?? '').trim().toLowerCase();
	if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
	while (h.endsWith('.')) h = h.slice(0, -1);
	return h;
}

/** What a host (as in a URL's `hostname`) is. */
export function classifyHost(hostname: string): HostVerdict {
	const h = normalizeHost(hostname);
	if (!h) return { kind: 'local-name', what: 'an empty host name' };
	const ip4 = parseIPv4(h);
	if (ip4 !== undefined) return classifyV4(ip4, formatIPv4(ip4) === h ? h : `${h} = ${formatIPv4(ip4)}`);
	const ip6 = parseIPv6(h);
	if (ip6) return classifyV6(ip6, `[${h}]`);
	if (h === 'localhost' || h.endsWith('.localhost')) return { kind: 'loopback', what: `a loopback name (${h})` };
	if (METADATA_NAMES.has(h)) return { kind: 'metadata', what: `a cloud metadata name (${h})` };
	if (LOCAL_SUFFIXES.some((s) => h === s || h.endsWith(`.${s}`))) return { kind: 'local-name', what: `a local network name (${h})` };
	if (!h.includes('.')) return { kind: 'local-name', what: `a single-label name that only a local resolver answers (${h})` };
	return { kind: 'public', what: `a public name (${h})` };
}

// ─── the allow list ─────────────────────────────────────────────────────────────────────────

export type HostRule =
	| { type: 'any' }
	| { type: 'host'; host: string }
	| { type: 'suffix'; suffix: string }
	| { type: 'cidr4'; base: number; bits: number }
	| { type: 'cidr6'; groups: number[]; bits: number };

export class HostListError extends Error {}

/** The hostname of a host, host:port or URL as WHATWG URL reads it (so 0x7f.1 = 127.0.0.1). */
function canonicalHost(entry: string): string | undefined {
	const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(entry) ? entry : `http://${entry}`;
	try {
		const u = new URL(withScheme);
		if (u.pathname !== '/' && /^[a-z][a-z0-9+.-]*:\/\//i.test(entry) === false) return undefined;
		return normalizeHost(u.hostname);
	} catch {
		return undefined;
	}
}

/**
 * The allow list a user writes: host names, IP addresses (any notation), `host:port` or URLs (the
 * host counts), `*.example.internal` (the domain and every name under it), CIDR ranges
 * (`10.20.0.0/16`, `fd00::/8`) and `*` (any host), separated by commas, spaces or new lines.
 * Throws HostListError naming the first entry it cannot read.
 */
export function parseHostList(value: unknown): HostRule[] {
	const entries = (Array.isArray(value) ? value.map(String) : String(value ?? '').split(/[\s,;]+/)).map((s) => s.trim()).filter(Boolean);
	const rules: HostRule[] = [];
	for (const entry of entries) {
		if (entry === '*') {
			rules.push({ type: 'any' });
			continue;
		}
		const cidr = /^([^/]+)\/(\d{1,3})$/.exec(entry);
		if (cidr) {
			const bits = Number(cidr[2]);
			const ip4 = /^\d{1,3}(\.\d{1,3}){3}$/.test(cidr[1]) ? parseIPv4(cidr[1]) : undefined;
			if (ip4 !== undefined && bits <= 32) {
				rules.push({ type: 'cidr4', base: ip4, bits });
				continue;
			}
			const ip6 = parseIPv6(cidr[1]);
			if (ip6 && bits <= 128) {
				rules.push({ type: 'cidr6', groups: ip6, bits });
				continue;
			}
			throw new HostListError(`"${entry.slice(0, 80)}" is not a CIDR range such as 10.20.0.0/16`);
		}
		if (entry.startsWith('*.')) {
			const suffix = canonicalHost(entry.slice(2));
			if (!suffix || /[/?#@\s*]/.test(suffix)) throw new HostListError(`"${entry.slice(0, 80)}" is not a domain such as *.cdn.example.internal`);
			rules.push({ type: 'suffix', suffix });
			continue;
		}
		// a bare IPv6 address (fd00::1) is read as a URL writes it, in brackets
		const host = canonicalHost(!entry.startsWith('[') && parseIPv6(entry) ? `[${entry}]` : entry);
		if (!host || /[/?#@\s]/.test(host)) throw new HostListError(`"${entry.slice(0, 80)}" is not a host name, an IP address, *.domain or a CIDR range`);
		rules.push({ type: 'host', host });
	}
	return rules;
}

function inV6(g: number[], base: number[], bits: number): boolean {
	for (let i = 0; i < 8 && bits > 0; i++, bits -= 16) {
		const take = Math.min(16, bits);
		const mask = (0xffff << (16 - take)) & 0xffff;
		if ((g[i] & mask) !== (base[i] & mask)) return false;
	}
	return true;
}

/** Whether a URL's hostname is allowed by any rule. */
export function hostAllowed(hostname: string, rules: HostRule[]): boolean {
	const h = normalizeHost(hostname);
	const ip4 = parseIPv4(h);
	const ip6 = ip4 === undefined ? parseIPv6(h) : undefined;
	return rules.some((r) => {
		switch (r.type) {
			case 'any':
				return true;
			case 'host':
				return r.host === h || (ip4 !== undefined && parseIPv4(r.host) === ip4) || (!!ip6 && !!parseIPv6(r.host) && parseIPv6(r.host)!.every((x, i) => x === ip6[i]));
			case 'suffix':
				return h === r.suffix || h.endsWith(`.${r.suffix}`);
			case 'cidr4':
				return ip4 !== undefined && inV4(ip4, r.base, r.bits);
			case 'cidr6':
				return !!ip6 && inV6(ip6, r.groups, r.bits);
		}
		return false;
	});
}
