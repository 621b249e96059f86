/**
 * The codex (nodes/Ima/Ima.node.json) against n8n's rules for community nodes, including the ones
 * @n8n/eslint-plugin-community-nodes is adding after the 0.32 this project pins
 * (no-ai-codex-category, no-codex-subcategories, valid-codex-categories): n8n reserves the "AI"
 * category and codex subcategories for its own AI nodes, because its node creator hides "AI"
 * sub-nodes from the main search. Findability itself is proven in a real n8n by the editor check
 * (test/n8n/editor.js: the node creator's search for each term below lists the node).
 */
const path = require('path');

const codex = require(path.join(__dirname, '..', '..', 'nodes', 'Ima', 'Ima.node.json'));

// n8n's known codex categories (the list its community-node lint and review accept).
const KNOWN_CATEGORIES = ['Analytics', 'Communication', 'Core Nodes', 'Data & Storage', 'Developer Tools', 'Development', 'ECM', 'Finance & Accounting', 'HITL', 'Marketing & Content', 'Miscellaneous', 'Productivity', 'Sales', 'Utility'];
// What users type to find the node. The node creator's search matches the display name ("IMA")
// and the codex aliases (fuzzy, case-insensitive).
const SEARCH_TERMS = ['IMA', 'video', 'image', 'music', 'speech'];

test('no "AI" category, no subcategories, only categories n8n knows', () => {
	expect(codex.node).toBe('n8n-nodes-ima.ima');
	expect(codex.categories).not.toContain('AI');
	expect(codex.subcategories).toBeUndefined();
	expect(codex.categories.length).toBeGreaterThan(0);
	for (const c of codex.categories) expect(KNOWN_CATEGORIES).toContain(c);
});

test('every search term matches the display name or an alias', () => {
	const names = ['IMA', ...codex.alias].map((s) => s.toLowerCase());
	for (const term of SEARCH_TERMS) expect({ term, found: names.some((n) => n.includes(term.toLowerCase())) }).toEqual({ term, found: true });
});

test('documentation links point at the repository package.json names', () => {
	const pkg = require(path.join(__dirname, '..', '..', 'package.json'));
	const repo = pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
	for (const r of [...codex.resources.primaryDocumentation, ...codex.resources.credentialDocumentation]) expect(r.url.startsWith(repo)).toBe(true);
	expect(pkg.homepage.startsWith(repo)).toBe(true);
});
