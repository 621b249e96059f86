/**
 * The example/template linter (scripts/lint-examples.js): the shipped examples pass, and each
 * rule catches what it is for.
 */
import * as fs from 'fs';
import * as path from 'path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { lintWorkflow } = require('../../scripts/lint-examples.js') as { lintWorkflow: (wf: unknown, o?: { template?: boolean }) => string[] };

const EXAMPLES = path.join(__dirname, '../../examples');
const load = (rel: string) => JSON.parse(fs.readFileSync(path.join(EXAMPLES, rel), 'utf8'));
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

describe('lint-examples', () => {
	const templates = fs.readdirSync(path.join(EXAMPLES, 'templates')).filter((f) => f.endsWith('.json'));

	test('there are four templates (MCP, sheet → Drive, form → email, schedule → agent → Slack)', () => {
		expect(templates.sort()).toEqual(['daily-agent-image-to-slack.json', 'form-to-video-by-email.json', 'mcp-server-ima-tool.json', 'sheet-rows-to-product-images.json']);
	});

	test.each(templates)('templates/%s passes', (f) => {
		expect(lintWorkflow(load(`templates/${f}`), { template: true })).toEqual([]);
	});

	const base = () => load('templates/sheet-rows-to-product-images.json');
	test.each([
		['a secret in a parameter', (wf: any) => (wf.nodes[4].parameters.options.apiKey = 'ima_abcdefghijklmnopqrstu'), /secret/],
		['an OpenAI-style key in a text', (wf: any) => (wf.nodes[4].parameters.prompt = 'use sk-abcdefghijklmnop1234 please'), /looks like a secret/],
		['a credential without a name', (wf: any) => (wf.nodes[4].credentials.imaApi = { id: 'x' }), /has no name/],
		['an unknown operation', (wf: any) => (wf.nodes[4].parameters.operation = 'makeStuff'), /unknown IMA operation/],
		['an unknown task type', (wf: any) => (wf.nodes[4].parameters.taskType = 'text_to_hologram'), /unknown task type/],
		['a model that is not a resource locator', (wf: any) => (wf.nodes[4].parameters.model = 'doubao-seedream-4.5'), /resource locator/],
		['a connection to a missing node', (wf: any) => (wf.connections['Read product rows'].main[0][0].node = 'Nope'), /unknown node "Nope"/],
		['a node left unconnected', (wf: any) => delete wf.connections['Share: anyone with the link'], /is not connected/],
		['two nodes with one name', (wf: any) => (wf.nodes[3].name = wf.nodes[2].name), /two nodes named/],
		['no setup sticky note', (wf: any) => (wf.nodes = wf.nodes.filter((n: any) => n.type !== 'n8n-nodes-base.stickyNote')), /setup steps/],
		['pinned data', (wf: any) => (wf.pinData = { 'Read product rows': [{ json: {} }] }), /pinned data/],
		['no trigger', (wf: any) => (wf.nodes[1].type = 'n8n-nodes-base.noOp'), /no trigger/],
	])('catches %s', (_name, spoil, expected) => {
		const wf = clone(base());
		spoil(wf);
		expect(lintWorkflow(wf, { template: true }).join('\n')).toMatch(expected);
	});

	test('a form trigger without a webhookId is caught', () => {
		const wf = load('templates/form-to-video-by-email.json');
		delete wf.nodes[1].webhookId;
		expect(lintWorkflow(wf, { template: true }).join('\n')).toMatch(/needs a webhookId/);
	});
});
