/**
 * helpers/hosts.ts: where a URL the node fetches may point. Every IPv4 range (first address, last
 * address, the addresses just outside) with the exact words users read in the refusal, every
 * IPv4 notation WHATWG URL (n8n's HTTP client) reads as an address, IPv6 with IPv4 inside it, and
 * the local and metadata names. Table-driven; written for the survivors of the mutation tier
 * (docs/MUTATION.md).
 */
import type * as HostsModule from '../../nodes/Ima/helpers/hosts';

type Hosts = typeof HostsModule;

/**
 * The module loaded inside the test: its range table, its name lists and its small helpers are
 * made when it loads, which the mutation tier counts only for the test that loads it.
 */
function load(): Hosts {
	let m: Hosts | undefined;
	jest.isolateModules(() => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		m = require('../../nodes/Ima/helpers/hosts') as Hosts;
	});
	return m!;
}

/** What n8n's HTTP client reads as the host, or undefined when it refuses the URL. */
function whatwgHost(host: string): string | undefined {
	try {
		return new URL(`http://${host}/`).hostname;
	} catch {
		return undefined;
	}
}

describe('IPv4 ranges: first, last and the addresses just outside, in the words users read', () => {
	// [range, first, last, just outside (public), kind, words]
	test.each<[string, string, string, string[], string, string]>([
		['0.0.0.0/8', '0.0.0.0', '0.255.255.255', ['1.0.0.0'], 'unspecified', '"this network" address'],
		['10.0.0.0/8', '10.0.0.0', '10.255.255.255', ['9.255.255.255', '11.0.0.0'], 'private', 'private address'],
		['100.64.0.0/10', '100.64.0.0', '100.127.255.255', ['100.63.255.255', '100.128.0.0'], 'private', 'shared (carrier-grade NAT) address'],
		['127.0.0.0/8', '127.0.0.0', '127.255.255.255', ['126.255.255.255', '128.0.0.0'], 'loopback', 'loopback address'],
		['169.254.0.0/16', '169.254.0.0', '169.254.255.255', ['169.253.255.255', '169.255.0.0'], 'link-local', 'link-local address'],
		['172.16.0.0/12', '172.16.0.0', '172.31.255.255', ['172.15.255.255', '172.32.0.0'], 'private', 'private address'],
		['192.0.0.0/24', '192.0.0.0', '192.0.0.255', ['191.255.255.255', '192.0.1.0'], 'reserved', 'reserved (IETF) address'],
		['192.0.2.0/24', '192.0.2.0', '192.0.2.255', ['192.0.1.255', '192.0.3.0'], 'reserved', 'documentation address'],
		['192.88.99.0/24', '192.88.99.0', '192.88.99.255', ['192.88.98.255', '192.88.100.0'], 'reserved', 'reserved (6to4 relay) address'],
		['192.168.0.0/16', '192.168.0.0', '192.168.255.255', ['192.167.255.255', '192.169.0.0'], 'private', 'private address'],
		['198.18.0.0/15', '198.18.0.0', '198.19.255.255', ['198.17.255.255', '198.20.0.0'], 'reserved', 'benchmarking address'],
		['198.51.100.0/24', '198.51.100.0', '198.51.100.255', ['198.51.99.255', '198.51.101.0'], 'reserved', 'documentation address'],
		['203.0.113.0/24', '203.0.113.0', '203.0.113.255', ['203.0.112.255', '203.0.114.0'], 'reserved', 'documentation address'],
		['224.0.0.0/4', '224.0.0.0', '239.255.255.255', ['223.255.255.255'], 'reserved', 'multicast address'],
		['240.0.0.0/4', '240.0.0.0', '255.255.255.255', [], 'reserved', 'reserved address'],
	])('%s', (_range, first, last, outside, kind, words) => {
		const { classifyHost } = load();
		for (const address of [first, last]) {
			expect(classifyHost(address)).toEqual({ kind, what: `a ${words} (${address})` });
		}
		for (const address of outside) {
			expect(classifyHost(address)).toEqual({ kind: 'public', what: `a public address (${address})` });
		}
	});

	test.each<[string, string, string]>([
		// [cloud metadata address, a neighbour, the neighbour's words]
		['169.254.169.254', '169.254.169.255', 'a link-local address'],
		['169.254.170.2', '169.254.170.3', 'a link-local address'],
		['169.254.169.253', '169.254.169.252', 'a link-local address'],
		['100.100.100.200', '100.100.100.201', 'a shared (carrier-grade NAT) address'],
		['168.63.129.16', '168.63.129.17', 'a public address'],
		['192.0.0.192', '192.0.0.193', 'a reserved (IETF) address'],
	])('%s is a cloud metadata address (%s is not)', (address, neighbour, words) => {
		const { classifyHost } = load();
		expect(classifyHost(address)).toEqual({ kind: 'metadata', what: `a cloud metadata address (${address})` });
		expect(classifyHost(neighbour).what).toBe(`${words} (${neighbour})`);
	});
});

describe('IPv4 in every notation WHATWG URL reads, and none it refuses', () => {
	test.each<[string, string]>([
		['127.0.0.1', '127.0.0.1'],
		['127.1', '127.0.0.1'],
		['127.0.1', '127.0.0.1'],
		['127.0.65535', '127.0.255.255'],
		['127.16777215', '127.255.255.255'],
		['2130706433', '127.0.0.1'],
		['0x7f000001', '127.0.0.1'],
		['0X7F.1', '127.0.0.1'],
		['0x7f.0x.0x.0x1', '127.0.0.1'],
		['0x00007f.0.0.1', '127.0.0.1'],
		['0177.0.0.1', '127.0.0.1'],
		['017700000001', '127.0.0.1'],
		['1.2.3.0x4', '1.2.3.4'],
		['0x', '0.0.0.0'],
		['00', '0.0.0.0'],
		['0', '0.0.0.0'],
		['4294967295', '255.255.255.255'],
		['0xffffffff', '255.255.255.255'],
		['1.2.3.4.', '1.2.3.4'],
	])('%s is %s', (host, dotted) => {
		const { parseIPv4, formatIPv4 } = load();
		expect(whatwgHost(host)).toBe(dotted); // the independent reading
		const ip = parseIPv4(host);
		expect(ip).toBeDefined();
		expect(formatIPv4(ip!)).toBe(dotted);
		expect(ip).toBe(parseIPv4(dotted));
	});

	test.each([
		'4294967296',
		'1.2.3.256',
		'127.16777216',
		'127.65535.1',
		'256.1',
		'1.2.3.4.5',
		'1.2.3.4.0',
		'0.0.0.0.0',
		'018',
		'09.1.1.1',
		'1..2',
		`0x${'f'.repeat(300)}`,
		'9'.repeat(400),
		'0x1g',
		'1230x5',
		'1.2.3.4..',
		'cdn.example.com',
	])('%s is no IPv4 address', (host) => {
		const { parseIPv4 } = load();
		expect(parseIPv4(host)).toBeUndefined();
		// WHATWG URL refuses it, or reads it as a name (the text itself)
		expect([undefined, host.toLowerCase()]).toContain(whatwgHost(host));
	});

	test.each<[string, string, string]>([
		// an address written otherwise is shown both ways
		['2130706433', 'loopback', 'a loopback address (2130706433 = 127.0.0.1)'],
		['0x7f.1', 'loopback', 'a loopback address (0x7f.1 = 127.0.0.1)'],
		['0251.0376.0251.0376', 'metadata', 'a cloud metadata address (0251.0376.0251.0376 = 169.254.169.254)'],
		['127.0.0.1', 'loopback', 'a loopback address (127.0.0.1)'],
		['127.0.0.1.', 'loopback', 'a loopback address (127.0.0.1)'],
		[' 10.0.0.1 ', 'private', 'a private address (10.0.0.1)'],
		['8.8.8.8', 'public', 'a public address (8.8.8.8)'],
	])('classifyHost(%j) → %s', (host, kind, what) => {
		expect(load().classifyHost(host)).toEqual({ kind, what });
	});
});

describe('IPv6: the groups, as WHATWG URL reads them', () => {
	test.each<[string, number[]]>([
		['::', [0, 0, 0, 0, 0, 0, 0, 0]],
		['::1', [0, 0, 0, 0, 0, 0, 0, 1]],
		['1:2:3:4:5:6::7', [1, 2, 3, 4, 5, 6, 0, 7]],
		['::1:2:3:4:5:6:7', [0, 1, 2, 3, 4, 5, 6, 7]],
		['1:2:3:4:5:6:7::', [1, 2, 3, 4, 5, 6, 7, 0]],
		['FE80::ABCD', [0xfe80, 0, 0, 0, 0, 0, 0, 0xabcd]],
		['::1.2.3.4', [0, 0, 0, 0, 0, 0, 0x0102, 0x0304]],
		['::ffff:10.0.0.1', [0, 0, 0, 0, 0, 0xffff, 0x0a00, 0x0001]],
		['::ffff:192.168.10.20', [0, 0, 0, 0, 0, 0xffff, 0xc0a8, 0x0a14]],
		['::ffff:255.255.255.255', [0, 0, 0, 0, 0, 0xffff, 0xffff, 0xffff]],
		['1:2:3:4:5:6:1.2.3.4', [1, 2, 3, 4, 5, 6, 0x0102, 0x0304]],
	])('%s', (host, groups) => {
		const { parseIPv6 } = load();
		expect(parseIPv6(host)).toEqual(groups);
		expect(parseIPv6(`[${host}]`)).toEqual(groups);
		const read = whatwgHost(`[${host}]`);
		expect(read).toBeDefined();
		expect(parseIPv6(read!)).toEqual(groups); // the independent reading (its own notation)
	});

	test.each([
		'1:2:3:4:5:6:7:8::',
		'1:2:3:4:5:6:7',
		'1:2:3:4:5:6:7:8:9',
		'1::2::3',
		'12345::',
		'g::1',
		':1',
		'::1.2.3',
		'::a1.2.3.4',
		'::1.2.3.4x',
		'::1.2.3.4.5',
		'::1.2.3.256',
		'::1.2.3.1000',
	])('%s is no IPv6 address', (host) => {
		const { parseIPv6 } = load();
		expect(parseIPv6(host)).toBeUndefined();
		expect(whatwgHost(`[${host}]`)).toBeUndefined();
	});

	test.each(['1::1]', '[1::1', '1.2.3.4', 'cdn.example.com'])('%s (half a bracket, no colon) is no IPv6 address', (host) => {
		expect(load().parseIPv6(host)).toBeUndefined();
	});

	test('a zone is dropped', () => {
		expect(load().parseIPv6('fe80::1%eth0')).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 1]);
	});
});

describe('IPv6 ranges and the IPv4 address inside IPv6, in the words users read', () => {
	test.each<[string, string, string]>([
		['::', 'unspecified', 'the unspecified address ([::])'],
		['::1', 'loopback', 'the loopback address ([::1])'],
		['[::1]', 'loopback', 'the loopback address ([::1])'],
		// IPv4-compatible (::a.b.c.d): the IPv4 address decides
		['::2', 'unspecified', 'a "this network" address (0.0.0.2 inside [::2])'],
		['::a00:1', 'private', 'a private address (10.0.0.1 inside [::a00:1])'],
		// IPv4-mapped
		['::ffff:7f00:1', 'loopback', 'a loopback address (127.0.0.1 mapped in [::ffff:7f00:1])'],
		['::ffff:127.0.0.1', 'loopback', 'a loopback address (127.0.0.1 mapped in [::ffff:127.0.0.1])'],
		['::ffff:a9fe:a9fe', 'metadata', 'a cloud metadata address (169.254.169.254 mapped in [::ffff:a9fe:a9fe])'],
		['::ffff:808:808', 'public', 'a public address (8.8.8.8 mapped in [::ffff:808:808])'],
		// IPv4-translated (::ffff:0:a.b.c.d) and NAT64 (64:ff9b::/96, 64:ff9b:1::/48)
		['::ffff:0:a00:1', 'private', 'a private address (10.0.0.1 translated in [::ffff:0:a00:1])'],
		['64:ff9b::a00:1', 'private', 'a private address (10.0.0.1 translated in [64:ff9b::a00:1])'],
		['64:ff9b:1::a00:1', 'private', 'a private address (10.0.0.1 translated in [64:ff9b:1::a00:1])'],
		['64:ff9b:1:ffff::7f00:1', 'loopback', 'a loopback address (127.0.0.1 translated in [64:ff9b:1:ffff::7f00:1])'],
		// 6to4 (2002:AABB:CCDD::)
		['2002:a00:1::', 'private', 'a private address (10.0.0.1 inside 6to4 [2002:a00:1::])'],
		['2002:808:808::1', 'public', 'a public address (8.8.8.8 inside 6to4 [2002:808:808::1])'],
		// the AWS metadata address, and its neighbours in fd00::/8
		['fd00:ec2::254', 'metadata', 'a cloud metadata address ([fd00:ec2::254])'],
		['fd00:ec2::1', 'private', 'a unique-local (private) address ([fd00:ec2::1])'],
		['fd00:ec2:1::254', 'private', 'a unique-local (private) address ([fd00:ec2:1::254])'],
		['fd00::254', 'private', 'a unique-local (private) address ([fd00::254])'],
		['fd12:ec2::254', 'private', 'a unique-local (private) address ([fd12:ec2::254])'],
		['fd12::254', 'private', 'a unique-local (private) address ([fd12::254])'],
		// fc00::/7, fe80::/10, fec0::/10, ff00::/8, 2001:db8::/32, 100::/64
		['fc00::1', 'private', 'a unique-local (private) address ([fc00::1])'],
		['fdff:ffff::1', 'private', 'a unique-local (private) address ([fdff:ffff::1])'],
		['fe80::1', 'link-local', 'a link-local address ([fe80::1])'],
		['febf:ffff::1', 'link-local', 'a link-local address ([febf:ffff::1])'],
		['fec0::1', 'private', 'a site-local (private) address ([fec0::1])'],
		['feff::1', 'private', 'a site-local (private) address ([feff::1])'],
		['ff02::1', 'reserved', 'a multicast address ([ff02::1])'],
		['ff00::', 'reserved', 'a multicast address ([ff00::])'],
		['2001:db8::1', 'reserved', 'a documentation address ([2001:db8::1])'],
		['2001:db8:ffff::1', 'reserved', 'a documentation address ([2001:db8:ffff::1])'],
		['100::1', 'reserved', 'a discard address ([100::1])'],
		['100::ffff:ffff:ffff:ffff', 'reserved', 'a discard address ([100::ffff:ffff:ffff:ffff])'],
		// just outside them: public
		['fbff::1', 'public', 'a public address ([fbff::1])'],
		['2001:db9::1', 'public', 'a public address ([2001:db9::1])'],
		['2606:db8::1', 'public', 'a public address ([2606:db8::1])'],
		['2001:4860:4860::8888', 'public', 'a public address ([2001:4860:4860::8888])'],
		['2606::1', 'public', 'a public address ([2606::1])'],
		['2606:4700::1111', 'public', 'a public address ([2606:4700::1111])'],
		// an IPv4-like tail outside the embedding prefixes is no IPv4 address
		['2606:4700::ffff:a00:1', 'public', 'a public address ([2606:4700::ffff:a00:1])'],
		['2606:ff9b::a00:1', 'public', 'a public address ([2606:ff9b::a00:1])'],
		['64:ff9b:0:1::a00:1', 'public', 'a public address ([64:ff9b:0:1::a00:1])'],
		// Outside the forms above the rest of the IETF-reserved ::/8 and 100::/8 is classed public:
		// nothing routes there, so the connection fails without reaching a private host.
		['::ffff:1:a00:1', 'public', 'a public address ([::ffff:1:a00:1])'],
		['64:1::a00:1', 'public', 'a public address ([64:1::a00:1])'],
		['100:0:1::1', 'public', 'a public address ([100:0:1::1])'],
		['100:0:0:1::1', 'public', 'a public address ([100:0:0:1::1])'],
	])('%s → %s', (host, kind, what) => {
		expect(load().classifyHost(host)).toEqual({ kind, what });
	});

	test('a URL host in brackets is classified as its address (WHATWG form)', () => {
		const { classifyHost } = load();
		expect(classifyHost(whatwgHost('[::ffff:127.0.0.1]')!)).toEqual({ kind: 'loopback', what: 'a loopback address (127.0.0.1 mapped in [::ffff:7f00:1])' });
		expect(classifyHost(whatwgHost('[0:0:0:0:0:0:0:1]')!)).toEqual({ kind: 'loopback', what: 'the loopback address ([::1])' });
	});
});

describe('names', () => {
	test.each<[string, string, string]>([
		['localhost', 'loopback', 'a loopback name (localhost)'],
		['LOCALHOST.', 'loopback', 'a loopback name (localhost)'],
		['api.localhost', 'loopback', 'a loopback name (api.localhost)'],
		['metadata.google.internal', 'metadata', 'a cloud metadata name (metadata.google.internal)'],
		['METADATA.GOOGLE.INTERNAL.', 'metadata', 'a cloud metadata name (metadata.google.internal)'],
		['metadata.goog', 'metadata', 'a cloud metadata name (metadata.goog)'],
		['metadata', 'metadata', 'a cloud metadata name (metadata)'],
		['instance-data', 'metadata', 'a cloud metadata name (instance-data)'],
		['instance-data.ec2.internal', 'metadata', 'a cloud metadata name (instance-data.ec2.internal)'],
		['metadata.azure.com', 'metadata', 'a cloud metadata name (metadata.azure.com)'],
		['kubernetes.default.svc', 'local-name', 'a local network name (kubernetes.default.svc)'],
		['nas', 'local-name', 'a single-label name that only a local resolver answers (nas)'],
		['mylan', 'local-name', 'a single-label name that only a local resolver answers (mylan)'],
		['cdn.imastudio.com', 'public', 'a public name (cdn.imastudio.com)'],
		['printer.local.example.com', 'public', 'a public name (printer.local.example.com)'],
		['lan.example.com', 'public', 'a public name (lan.example.com)'],
		['notlocal', 'local-name', 'a single-label name that only a local resolver answers (notlocal)'],
		['www.notlocal.com', 'public', 'a public name (www.notlocal.com)'],
		['127.0.0.1.nip.io', 'public', 'a public name (127.0.0.1.nip.io)'], // DNS is not read (the documented edge)
	])('%s → %s', (host, kind, what) => {
		expect(load().classifyHost(host)).toEqual({ kind, what });
	});

	test.each(['local', 'internal', 'localdomain', 'home.arpa', 'lan', 'intranet', 'corp', 'private', 'svc'])('.%s: the name itself and every name under it are local', (suffix) => {
		const { classifyHost } = load();
		for (const host of [suffix, `router.${suffix}`, `a.b.${suffix}`]) {
			expect(classifyHost(host)).toEqual({ kind: 'local-name', what: `a local network name (${host})` });
		}
		expect(classifyHost(`${suffix}.example.com`).kind).toBe('public');
	});

	test.each<[unknown, string]>([
		['', 'an empty host name'],
		['.', 'an empty host name'],
		['[]', 'an empty host name'],
		['   ', 'an empty host name'],
		[undefined, 'an empty host name'],
		// half a bracket is no address, and no public name either
		['[::1', 'a single-label name that only a local resolver answers ([::1)'],
		['::1]', 'a single-label name that only a local resolver answers (::1])'],
	])('classifyHost(%j) → local-name: %s', (host, what) => {
		expect(load().classifyHost(host as string)).toEqual({ kind: 'local-name', what });
	});
});
