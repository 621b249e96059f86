/**
 * A loopback proxy in front of the simulator's API, for faults the simulator does not have yet:
 * redirects (to the same origin or to a "foreign" server that records what reached it) and
 * rewriting of answers (success code 200, hostile product lists, odd media URLs).
 */
import * as http from 'http';
import type { AddressInfo } from 'net';

export type Route = 'productList' | 'create' | 'detail' | 'other';

export interface Recorded {
	method: string;
	url: string;
	headers: http.IncomingHttpHeaders;
	body: string;
}

export interface ProxyRule {
	route: Route;
	/** Answer with a redirect instead of forwarding. */
	redirect?: { status: number; to: 'foreign' | 'same' };
	/** Rewrite the upstream JSON answer. */
	rewrite?: (body: any) => any;
	/** Answer with this raw text (HTTP 200) instead of forwarding. */
	raw?: string;
	times?: number;
}

function routeOf(path: string): Route {
	if (path.startsWith('/open/v1/product/list')) return 'productList';
	if (path.startsWith('/open/v1/tasks/create')) return 'create';
	if (path.startsWith('/open/v1/tasks/detail')) return 'detail';
	return 'other';
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const c of req) chunks.push(c as Buffer);
	return Buffer.concat(chunks);
}

async function listen(server: http.Server): Promise<string> {
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export interface Proxy {
	baseUrl: string;
	foreignBaseUrl: string;
	/** Requests that reached the foreign server. */
	foreignRequests: Recorded[];
	/** Requests that reached the proxy (before any rule). */
	requests: Array<Recorded & { route: Route }>;
	rule(rule: ProxyRule): void;
	reset(): void;
	close(): Promise<void>;
}

export async function startProxy(upstreamBaseUrl: string): Promise<Proxy> {
	let rules: ProxyRule[] = [];
	const foreignRequests: Recorded[] = [];
	const requests: Array<Recorded & { route: Route }> = [];
	let baseUrl = '';
	let foreignBaseUrl = '';

	const take = (route: Route) => {
		const i = rules.findIndex((r) => r.route === route);
		if (i < 0) return undefined;
		const r = rules[i];
		r.times = (r.times ?? 1) - 1;
		if (r.times <= 0) rules.splice(i, 1);
		return r;
	};

	const server = http.createServer(async (req, res) => {
		const body = await readBody(req);
		let path = req.url ?? '/';
		// "same-origin" redirect targets: /moved/<original path>
		const moved = path.startsWith('/moved/');
		if (moved) path = path.slice('/moved'.length);
		const route = routeOf(path);
		requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: body.toString('utf8'), route });
		const rule = moved ? undefined : take(route);
		if (rule?.redirect) {
			const target = rule.redirect.to === 'foreign' ? `${foreignBaseUrl}${path}` : `${baseUrl}/moved${path}`;
			res.writeHead(rule.redirect.status, { Location: target, 'Content-Type': 'application/json' });
			res.end('{}');
			return;
		}
		if (rule?.raw !== undefined) {
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end(rule.raw);
			return;
		}
		const headers = { ...req.headers };
		delete headers.host;
		const up = await fetch(`${upstreamBaseUrl}${path}`, {
			method: req.method,
			headers: headers as Record<string, string>,
			body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
		});
		let text = await up.text();
		if (rule?.rewrite) text = JSON.stringify(rule.rewrite(JSON.parse(text)));
		const outHeaders: Record<string, string> = { 'Content-Type': up.headers.get('content-type') ?? 'application/json' };
		const retryAfter = up.headers.get('retry-after');
		if (retryAfter) outHeaders['Retry-After'] = retryAfter;
		res.writeHead(up.status, outHeaders);
		res.end(text);
	});
	const foreign = http.createServer(async (req, res) => {
		const body = await readBody(req);
		foreignRequests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: body.toString('utf8') });
		res.writeHead(200, { 'Content-Type': 'application/json' });
		res.end(JSON.stringify({ code: 0, message: 'ok', data: [] }));
	});
	baseUrl = await listen(server);
	foreignBaseUrl = await listen(foreign);
	return {
		baseUrl,
		foreignBaseUrl,
		foreignRequests,
		requests,
		rule: (r) => rules.push(r),
		reset: () => {
			rules = [];
			foreignRequests.length = 0;
			requests.length = 0;
		},
		close: async () => {
			server.closeAllConnections?.();
			foreign.closeAllConnections?.();
			await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => foreign.close(r))]);
		},
	};
}
