#!/usr/bin/env node
'use strict';
/**
 * prepublishOnly: lets `npm publish` through only inside the tag's GitHub Actions run
 * (.github/workflows/publish.yml), where npm publishes with trusted publishing and provenance.
 * n8n verifies only packages published that way, so a publish from a laptop is refused and this
 * says how to release instead.
 *
 * Two locks, because the project's .npmrc sets ignore-scripts=true (for installs), which also
 * skips this script on a plain `npm publish`:
 *  - .npmrc sets provenance=true: npm itself refuses to publish where it cannot produce
 *    provenance (anywhere but a CI with an OIDC identity), before anything is uploaded;
 *  - this script, whenever scripts run (the publish workflow passes --ignore-scripts=false).
 *
 * Passes when: GITHUB_ACTIONS=true, the job may request an OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL,
 * from `permissions: id-token: write`), the run is for a tag (GITHUB_REF_TYPE=tag) named
 * v<package.json version>, and GITHUB_REPOSITORY is the repository package.json names (npm
 * rejects a provenance whose repository differs from package.json's repository.url).
 */
const path = require('path');

const pkg = require(path.join(__dirname, '..', 'package.json'));
const env = process.env;

function problems() {
	const out = [];
	if (env.GITHUB_ACTIONS !== 'true') return ['this is not a GitHub Actions run'];
	if (!env.ACTIONS_ID_TOKEN_REQUEST_URL) out.push('the job has no OIDC token (it needs `permissions: id-token: write`)');
	if (env.GITHUB_REF_TYPE !== 'tag' || env.GITHUB_REF_NAME !== `v${pkg.version}`) {
		out.push(`the run is for ${env.GITHUB_REF_TYPE || '?'} "${env.GITHUB_REF_NAME || '?'}", not the tag v${pkg.version}`);
	}
	const m = /github\.com[/:]([^/]+\/[^/.]+?)(?:\.git)?$/.exec(String(pkg.repository && pkg.repository.url));
	if (!m || !env.GITHUB_REPOSITORY || m[1].toLowerCase() !== env.GITHUB_REPOSITORY.toLowerCase()) {
		out.push(`package.json's repository.url (${pkg.repository && pkg.repository.url}) is not this repository (${env.GITHUB_REPOSITORY || '?'})`);
	}
	return out;
}

const found = problems();
if (found.length === 0) {
	console.log(`release guard: publishing ${pkg.name}@${pkg.version} from ${env.GITHUB_REPOSITORY} (${env.GITHUB_REF_NAME}) with provenance`);
	process.exit(0);
}
console.error(`
${pkg.name} is published only by its GitHub Actions workflow (.github/workflows/publish.yml),
with npm trusted publishing and provenance: n8n verifies (and n8n Cloud installs) nothing else.
Refused here because ${found.join('; ')}.

To release ${pkg.name}:
  1. set "version" in package.json (npm version <x.y.z> --no-git-tag-version) and add the
     CHANGELOG.md section for it;
  2. run npm test, commit, and push to the default branch;
  3. tag that commit and push the tag:  git tag v<x.y.z> && git push origin v<x.y.z>
The Publish workflow checks that the tag matches package.json, runs lint, build, tests and the
verification scan, then publishes. See README.md, "Releasing".
`);
process.exit(1);
