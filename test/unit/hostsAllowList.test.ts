/**
 * helpers/hosts.ts, the allow list (option Allowed Private Media Hosts): what a user may write,
 * the exact error for what cannot be read, and which hosts each rule lets through (a CIDR range
 * holds addresses, never names; a host rule matches its address in any notation). Table-driven;
 * written for the survivors of the mutation tier (docs/MUTATION.md).
 */
import type * as HostsModule from '../../nodes/Ima/helpers/hosts';

type Hosts = typeof HostsModule;

/** The module loaded inside the test (its helpers are made when it loads; see hostsClassify.test.ts). */
function load(): Hosts {
	let m: Hosts | undefined;
	jest.isolateModules(() => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		m = require('../../nodes/Ima/helpers/hosts') as Hosts;
	});
	return m!;
}

const HOST_ERROR = 'is not a host name, an IP address, *.domain or a CIDR range';
const CIDR_ERROR = 'is not a CIDR range such as 10.20.0.0/16';
const DOMAIN_ERROR = 'is not a domain such as *.cdn.example.internal';

describe('parseHostList: what a user may write', () => {
	test.each<[string, unknown]>([
		['unset', undefined],
		['null', null],
		['empty', ''],
		['separators only', ' , ;\n\t'],
		['an empty list', []],
	])('%s: no rule', (_name, value) => {
		expect(load().parseHostList(value)).toEqual([]);
	});

	test('commas, semicolons, spaces and new lines separate entries, any number of them', () => {
		expect(load().parseHostList('a.internal,, b.internal ;c.internal\n\n d.internal')).toEqual([
			{ type: 'host', host: 'a.internal' },
			{ type: 'host', host: 'b.internal' },
			{ type: 'host', host: 'c.internal' },
			{ type: 'host', host: 'd.internal' },
		]);
	});

	test('entries given as a list are trimmed', () => {
		expect(load().parseHostList([' 10.0.0.1 ', '\t*.cdn.internal\n', ' * '])).toEqual([
			{ type: 'host', host: '10.0.0.1' },
			{ type: 'suffix', suffix: 'cdn.internal' },
			{ type: 'any' },
		]);
	});

	test.each<[string, unknown]>([
		['10.0.0.1/32', { type: 'cidr4', base: 0x0a000001, bits: 32 }],
		['0.0.0.0/0', { type: 'cidr4', base: 0, bits: 0 }],
		['fd00::1/128', { type: 'cidr6', groups: [0xfd00, 0, 0, 0, 0, 0, 0, 1], bits: 128 }],
		['http://10.0.0.0/8', { type: 'host', host: '10.0.0.0' }], // a URL: its host, not a range
		['cdn.example.internal?from=http://x', { type: 'host', host: 'cdn.example.internal' }], // a query after the host is ignored
		['CDN.Example.Internal.:8443', { type: 'host', host: 'cdn.example.internal' }],
		['[FD00::1]', { type: 'host', host: 'fd00::1' }],
		// a bare IPv6 address is an IP address too (it was refused as "not an IP address")
		['fd00::1', { type: 'host', host: 'fd00::1' }],
		['FD00:0:0::1', { type: 'host', host: 'fd00::1' }],
		['::ffff:10.0.0.1', { type: 'host', host: '::ffff:a00:1' }],
	])('%s', (entry, rule) => {
		expect(load().parseHostList(entry)).toEqual([rule]);
	});

	const long = (c: string) => c.repeat(100);
	test.each<[string, string]>([
		['10.0.0.0/8x', `"10.0.0.0/8x" ${HOST_ERROR}`],
		['cdn.example.internal/http://evil', `"cdn.example.internal/http://evil" ${HOST_ERROR}`],
		['cdn.example.internal/path', `"cdn.example.internal/path" ${HOST_ERROR}`],
		['0x1.2.3.4/8', `"0x1.2.3.4/8" ${CIDR_ERROR}`], // a range's address is dotted decimal
		['1.2.3.0x4/24', `"1.2.3.0x4/24" ${CIDR_ERROR}`],
		['10.0.0.0/33', `"10.0.0.0/33" ${CIDR_ERROR}`],
		['fd00::/129', `"fd00::/129" ${CIDR_ERROR}`],
		['*.a/b', `"*.a/b" ${DOMAIN_ERROR}`],
		['fe80::1%eth0', `"fe80::1%eth0" ${HOST_ERROR}`], // a zone has no meaning in a URL
		// a long entry is shown by its first 80 characters
		[`${long('x')}/8`, `"${'x'.repeat(80)}" ${CIDR_ERROR}`],
		[`*.${long('y')}/p`, `"*.${'y'.repeat(78)}" ${DOMAIN_ERROR}`],
		[`${long('z')}/p`, `"${'z'.repeat(80)}" ${HOST_ERROR}`],
	])('%s is refused', (entry, message) => {
		const { parseHostList, HostListError } = load();
		let caught: unknown;
		try {
			parseHostList(entry);
		} catch (error) {
			caught = error;
		}
		expect(caught).toBeInstanceOf(HostListError);
		expect((caught as Error).message).toBe(message);
	});
});

describe('hostAllowed: which hosts a rule lets through', () => {
	test.each<[string, string, boolean]>([
		// IPv4 ranges, at their edges; /0 is every address
		['0.0.0.0/0', '8.8.8.8', true],
		['0.0.0.0/0', '10.0.0.1', true],
		['10.0.0.1/32', '10.0.0.1', true],
		['10.0.0.1/32', '10.0.0.2', false],
		['10.20.0.0/16', '10.20.255.255', true],
		['10.20.0.0/16', '10.19.255.255', false],
		// a range holds addresses, never names (nor IPv6 addresses)
		['0.0.0.0/0', 'cdn.example.com', false],
		['0.0.0.0/8', 'cdn.example.com', false],
		['0.0.0.0/8', '0.1.2.3', true],
		['0.0.0.0/0', 'fd00::1', false],
		// IPv6 ranges, also on a boundary inside a group
		['fd00::/8', 'fd12:3456:789a::1', true],
		['fd00::/8', '2606::1', false],
		['fd00::/8', 'fe00::1', false],
		['fd00::/8', 'cdn.example.com', false],
		['fd00::/8', '10.0.0.1', false],
		['fd00:1234::/32', 'fd00:1234:ffff::1', true],
		['fd00:1234::/32', 'fd00:1235::1', false],
		['fd00:1200::/24', 'fd00:12ff::1', true],
		['fd00:1200::/24', 'fd00:1300::1', false],
		['fd00::1/128', 'fd00::1', true],
		['fd00::1/128', 'fd00::2', false],
		['::/0', '2606::1', true],
		['::/0', 'cdn.example.com', false],
		['::/0', '10.0.0.1', false],
		// a host rule: the name, or the address in any notation
		['cdn.example.internal', '10.0.0.1', false],
		['cdn.example.internal', 'fd00::2', false],
		['10.0.0.1', '10.0.0.2', false],
		['10.0.0.1', '0xa000001', true],
		['fd00::1', 'FD00:0:0:0:0:0:0:1', true],
		['fd00::1', '[fd00:0::1]', true],
		['fd00::1', 'fd00:0::2', false],
		['fd00::1', 'cdn.example.internal', false],
		['http://10.0.0.0/8', '10.1.2.3', false],
		['http://10.0.0.0/8', '10.0.0.0', true],
		['cdn.example.internal?from=http://x', 'cdn.example.internal', true],
		// *.domain: the domain and every name under it
		['*.cdn.internal', 'cdn.internal', true],
		['*.cdn.internal', 'a.b.cdn.internal', true],
		['*.cdn.internal', 'xcdn.internal', false],
	])('%s lets %s through: %s', (list, host, allowed) => {
		const { hostAllowed, parseHostList } = load();
		expect(hostAllowed(host, parseHostList(list))).toBe(allowed);
	});
});
