/**
 * transport/urlGuard.ts: the check before the node requests a URL it did not build (a media URL
 * IMA returned, a redirect of it, the presigned PUT of an upload, a Seedance input URL). What is
 * refused, with the exact words and step users read, and what passes: the credential's own hosts,
 * the allow list, the PUT to any host. Table-driven; written for the survivors of the mutation
 * tier (docs/MUTATION.md).
 */
import { parseHostList } from '../../nodes/Ima/helpers/hosts';
import { ImaRequestError } from '../../nodes/Ima/transport/errors';
import { ImaTransport, type ImaCredentials } from '../../nodes/Ima/transport/transport';
import { checkFetchUrl, credentialHosts, type FetchRule } from '../../nodes/Ima/transport/urlGuard';

const KEY = 'ima_Sec/Ret+Key=Abc0123456789XYZ';
const CREDENTIALS: ImaCredentials = { apiKey: KEY, baseUrl: 'https://API.ima.test.', uploadBaseUrl: 'http://10.9.8.7:9000' };
const transport = (credentials: Partial<ImaCredentials> = {}) => new ImaTransport({} as never, { ...CREDENTIALS, ...credentials });

function refusal(url: string, rule?: FetchRule, t = transport()): ImaRequestError {
	let caught: unknown;
	try {
		checkFetchUrl(t, url, rule);
	} catch (error) {
		caught = error;
	}
	expect(caught).toBeInstanceOf(ImaRequestError);
	return caught as ImaRequestError;
}

const NOT_OPENED = 'IMA answered with an address the node will not open. Nothing was requested; report it to IMA with the task ID.';
const privateHelp = (href: string) =>
	`Nothing was requested from ${href}. A server could use such an address to read your network or your cloud's metadata through n8n. If your media really comes from a private host (a self-hosted CDN or proxy), add it to the option Allowed Private Media Hosts; the hosts of the IMA API credential's base URLs are always allowed.`;

describe('credentialHosts: the hosts of the credential base URLs', () => {
	test.each<[string, Partial<ImaCredentials>, string[]]>([
		['both, normalised', {}, ['api.ima.test', '10.9.8.7']],
		['a base URL that is no URL gives no host', { baseUrl: 'not a url' }, ['10.9.8.7']],
		['neither is a URL', { baseUrl: '', uploadBaseUrl: 'api.ima.test' }, []],
	])('%s', (_name, credentials, hosts) => {
		expect(credentialHosts(transport(credentials))).toEqual(hosts);
	});
});

describe('checkFetchUrl: what is refused, in the words users read', () => {
	test.each<[string, string, FetchRule | undefined, string, string, string]>([
		// [case, url, rule, message, step, description]
		['not http(s)', 'ftp://cdn.example.com/a.png', undefined, 'The media URL is a ftp: URL; the node downloads only http(s) URLs', 'media download', NOT_OPENED],
		['not a URL', 'not a url', undefined, 'The media URL is not a valid URL; the node downloads only http(s) URLs', 'media download', NOT_OPENED],
		['a long scheme is cut', `${'abcdefghijklmnopqrstuvwxyz'.repeat(2)}://cdn.example.com/`, undefined, 'The media URL is a abcdefghijklmnopqrst URL; the node downloads only http(s) URLs', 'media download', NOT_OPENED],
		['an upload URL that is not http(s)', 'ftp://storage.example.com/put', { keyOnly: true, what: 'upload URL', step: 'upload' }, 'The upload URL is a ftp: URL; the node uploads only http(s) URLs', 'upload', NOT_OPENED],
		['the key in the query', `https://cdn.example.com/a.png?k=${KEY}`, undefined, 'The media URL carries the API key; the node did not request it', 'media download', `Requesting https://cdn.example.com/a.png?k=${KEY} would send the API key to cdn.example.com. Nothing was requested; report it to IMA with the task ID.`],
		// the raw text holds the key, although the parsed URL resolves it away
		['the key in a segment the URL drops', `https://cdn.example.com:8443/${KEY}/..`, undefined, 'The media URL carries the API key; the node did not request it', 'media download', 'Requesting https://cdn.example.com:8443/ima_Sec/ would send the API key to cdn.example.com:8443. Nothing was requested; report it to IMA with the task ID.'],
		['the key in an upload URL', `https://storage.example.com/put?sig=${encodeURIComponent(KEY)}`, { keyOnly: true, what: 'upload URL', step: 'upload' }, 'The upload URL carries the API key; the node did not request it', 'upload', `Requesting https://storage.example.com/put?sig=${encodeURIComponent(KEY)} would send the API key to storage.example.com. Nothing was requested; report it to IMA with the task ID.`],
		['a private host', 'http://10.0.0.5/a.png', undefined, 'The media URL points to a private address (10.0.0.5); the node fetches media only from public hosts', 'media download', privateHelp('http://10.0.0.5/a.png')],
		['a metadata address in another notation', 'http://0xa9fea9fe/latest', { what: 'input URL', step: 'input check' }, 'The input URL points to a cloud metadata address (169.254.169.254); the node fetches media only from public hosts', 'input check', privateHelp('http://169.254.169.254/latest')],
		['a host beside an allowed one', 'http://10.0.0.6/a.png', { allowedHosts: parseHostList('10.0.0.5') }, 'The media URL points to a private address (10.0.0.6); the node fetches media only from public hosts', 'media download', privateHelp('http://10.0.0.6/a.png')],
	])('%s', (_name, url, rule, message, step, description) => {
		const error = refusal(url, rule);
		expect(error.message).toBe(message);
		expect(error.info).toEqual({
			kind: 'refused',
			transient: false,
			maybeProcessed: false,
			step,
			description,
			...(message.includes('only from public hosts') ? { allowable: true } : {}),
		});
	});

	test('a credential whose base URL is no URL still refuses private hosts (and allows its other host)', () => {
		const t = transport({ baseUrl: 'not a url' });
		expect(refusal('http://192.168.1.1/a.png', undefined, t).message).toBe('The media URL points to a private address (192.168.1.1); the node fetches media only from public hosts');
		expect(() => checkFetchUrl(t, 'http://10.9.8.7:9000/a.png')).not.toThrow();
	});
});

describe('checkFetchUrl: what passes', () => {
	test.each<[string, string, FetchRule | undefined]>([
		['a public host', 'https://cdn.example.com/a.png', undefined],
		["the credential's base URL host, any port", 'https://api.ima.test:1234/a.png', undefined],
		["the credential's upload host", 'http://10.9.8.7/a.png', undefined],
		['a host of the allow list', 'http://10.0.0.5/a.png', { allowedHosts: parseHostList('10.0.0.0/8') }],
		['an IPv6 host of the allow list', 'http://[fd00::1]/a.png', { allowedHosts: parseHostList('fd00::1') }],
		['the presigned PUT: only the scheme and the key are checked', 'http://10.0.0.5/put?sig=abc', { keyOnly: true, what: 'upload URL', step: 'upload' }],
	])('%s', (_name, url, rule) => {
		expect(() => checkFetchUrl(transport(), url, rule)).not.toThrow();
	});
});
