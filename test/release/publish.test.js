/**
 * Releases come only from .github/workflows/publish.yml. These tests run the real npm CLI in this
 * checkout, as a maintainer's laptop would, against a fake registry on loopback that records what
 * reaches it: a plain `npm publish` must be refused before anything is uploaded, and the workflows
 * must pass actionlint. (The real publish can only run in GitHub Actions.)
 */
const { execFile } = require('child_process');
const http = require('http');
const path = require('path');
const fs = require('fs');
const os = require('os');

const ROOT = path.resolve(__dirname, '..', '..');
const pkg = require(path.join(ROOT, 'package.json'));

/** The environment of a shell on a laptop: no CI, no GitHub Actions, no npm run variables. */
function laptopEnv(extra = {}) {
	const env = {};
	for (const [k, v] of Object.entries(process.env)) {
		if (/^(GITHUB_|ACTIONS_|RUNNER_|npm_)/i.test(k) || k === 'CI') continue;
		env[k] = v;
	}
	return { ...env, ...extra };
}

function run(cmd, args, env) {
	return new Promise((resolve) => {
		execFile(cmd, args, { cwd: ROOT, env, timeout: 120_000, maxBuffer: 10 * 1024 * 1024 }, (error, stdout, stderr) => {
			resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out: `${stdout}\n${stderr}` });
		});
	});
}

describe('releasing', () => {
	let server;
	let registry;
	const requests = [];
	beforeAll(async () => {
		server = http.createServer((req, res) => {
			requests.push(`${req.method} ${req.url}`);
			req.resume();
			res.writeHead(404, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ error: 'not found' }));
		});
		await new Promise((r) => server.listen(0, '127.0.0.1', r));
		registry = `http://127.0.0.1:${server.address().port}/`;
	});
	afterAll(() => new Promise((r) => server.close(r)));
	beforeEach(() => {
		requests.length = 0;
	});

	const publishArgs = () => ['publish', `--registry=${registry}`, `--${registry.replace(/^http:/, '')}:_authToken=fake-laptop-token`];

	test('a plain `npm publish` from a laptop is refused by npm before any upload (provenance=true in .npmrc)', async () => {
		const res = await run('npm', publishArgs(), laptopEnv());
		expect(res.code).not.toBe(0);
		expect(res.out).toMatch(/provenance generation not supported/i);
		expect(requests.filter((r) => !r.startsWith('GET'))).toEqual([]);
	});

	test('with scripts on, prepublishOnly refuses first and says how to release', async () => {
		const res = await run('npm', [...publishArgs(), '--ignore-scripts=false'], laptopEnv());
		expect(res.code).not.toBe(0);
		expect(res.out).toContain('published only by its GitHub Actions workflow');
		expect(res.out).toContain(`git tag v<x.y.z> && git push origin v<x.y.z>`);
		expect(requests).toEqual([]);
	});

	test('the guard lets the tag\'s Actions run through, and nothing else', async () => {
		const guard = path.join(ROOT, 'scripts', 'release-guard.js');
		const repo = /github\.com\/([^/]+\/[^/.]+)/.exec(pkg.repository.url)[1];
		const actions = {
			GITHUB_ACTIONS: 'true',
			ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:9/token',
			GITHUB_REF_TYPE: 'tag',
			GITHUB_REF_NAME: `v${pkg.version}`,
			GITHUB_REPOSITORY: repo,
		};
		expect((await run(process.execPath, [guard], laptopEnv(actions))).code).toBe(0);
		const refused = [
			[{ ACTIONS_ID_TOKEN_REQUEST_URL: '' }, 'no OIDC token'],
			[{ GITHUB_REF_NAME: 'v0.0.1' }, `not the tag v${pkg.version}`],
			[{ GITHUB_REF_TYPE: 'branch', GITHUB_REF_NAME: 'main' }, `not the tag v${pkg.version}`],
			[{ GITHUB_REPOSITORY: 'someone/fork' }, 'is not this repository'],
			[{ GITHUB_ACTIONS: '' }, 'not a GitHub Actions run'],
		];
		for (const [change, why] of refused) {
			const res = await run(process.execPath, [guard], laptopEnv({ ...actions, ...change }));
			expect({ change, code: res.code, why: res.out.includes(why) }).toEqual({ change, code: 1, why: true });
		}
	});

	test('the publish workflow publishes with provenance on a v* tag, after lint, build, tests and the scan', () => {
		const wf = fs.readFileSync(path.join(ROOT, '.github', 'workflows', 'publish.yml'), 'utf8');
		expect(wf).toMatch(/tags:\s*\n\s*- 'v\*'/);
		expect(wf).toMatch(/id-token: write/);
		expect(wf).toMatch(/node-version: 24/);
		const order = ['npm ci', 'npm run lint', 'npm run build', 'npx jest', 'npm run scan', 'npm publish --provenance --access public --ignore-scripts=false'].map((s) => wf.indexOf(s));
		expect(order.every((i) => i >= 0)).toBe(true);
		expect([...order].sort((a, b) => a - b)).toEqual(order);
		const ci = fs.readFileSync(path.join(ROOT, '.github', 'workflows', 'ci.yml'), 'utf8');
		expect(ci).toMatch(/node: \[20, 22, 24\]/);
		expect(ci).toMatch(/bash \.ci\/run/);
	});

	test('actionlint finds the problems it is there for (a broken workflow fails the lint)', async () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ima-actionlint-'));
		try {
			fs.mkdirSync(path.join(dir, '.github', 'workflows'), { recursive: true });
			fs.writeFileSync(
				path.join(dir, '.github', 'workflows', 'broken.yml'),
				[
					'on:',
					'  push:',
					"    tagz: ['v*']",
					'jobs:',
					'  publish:',
					'    runs-on: ubuntu-latest',
					'    permissions:',
					'      id-token: writ',
					'    steps:',
					'      - run: echo "${{ github.event.pull_request.title }}"',
					'',
				].join('\n'),
			);
			const res = await run(process.execPath, [path.join(ROOT, 'scripts', 'lint-workflows.js'), dir], laptopEnv());
			expect(res.code).toBe(1);
			expect(res.out).toContain('unexpected key "tagz"');
			expect(res.out).toContain('"writ" is invalid for permission of scope "id-token"');
			expect(res.out).toContain('potentially untrusted');
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});
});
