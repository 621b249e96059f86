/**
 * The "IMA task created" log line names where the create ran: the execution, or (n8n's MCP Server
 * Trigger in regular mode runs the tool before it creates the execution) that there is none yet,
 * the workflow and the time — never "execution ?".
 */
import { createForItem } from '../../nodes/Ima/create/createForItem';
import type { PreparedCreate } from '../../nodes/Ima/create/prepare';
import { createdLogLine, runLabel } from '../../nodes/Ima/create/createdLog';
import type { RunOptions } from '../../nodes/Ima/run/options';
import { buildCreatePlan } from '../../nodes/Ima/helpers/createBody';
import { NodeLedger } from '../../nodes/Ima/helpers/ledger';
import { model } from './fixtures';

const NOW = new Date('2026-09-30T12:00:00.000Z');
const node = { name: 'IMA Generate Image', type: 'n8n-nodes-ima.imaTool', typeVersion: 1, parameters: {}, id: 'n1', position: [0, 0] };
const workflow = { id: 'wfMcp0001', name: 'IMA as an MCP tool', active: true };

describe('runLabel', () => {
	test.each([
		['an execution id', { getExecutionId: () => '42', getWorkflow: () => workflow }, 'execution 42'],
		['a numeric id', { getExecutionId: () => 7 as unknown as string, getWorkflow: () => workflow }, 'execution 7'],
		[
			'no id yet (MCP Server Trigger, regular mode)',
			{ getExecutionId: () => undefined as unknown as string, getWorkflow: () => workflow },
			'no execution yet: n8n records this call as an execution of workflow wfMcp0001 "IMA as an MCP tool" after it answers; 2026-09-30T12:00:00.000Z',
		],
		['an empty id', { getExecutionId: () => '', getWorkflow: () => workflow }, 'no execution yet: n8n records this call as an execution of workflow wfMcp0001 "IMA as an MCP tool" after it answers; 2026-09-30T12:00:00.000Z'],
		[
			'getExecutionId throws, no workflow',
			{
				getExecutionId: () => {
					throw new Error('no');
				},
			},
			'no execution yet: n8n records this call as an execution of workflow ? after it answers; 2026-09-30T12:00:00.000Z',
		],
		['an old context without getExecutionId', { getWorkflow: () => ({ id: 'w2' }) }, 'no execution yet: n8n records this call as an execution of workflow w2 after it answers; 2026-09-30T12:00:00.000Z'],
	])('%s', (_name, ctx, expected) => {
		expect(runLabel({ getNode: () => node, ...ctx } as never, NOW)).toBe(expected);
	});

	test('the whole line keeps the format other tools parse when the execution is known', () => {
		expect(createdLogLine({ getNode: () => node, getExecutionId: () => '26' } as never, 'task_1', 0, NOW)).toBe('IMA task created: task_1 (execution 26, node "IMA Generate Image", item 0)');
	});
});

describe('the line the create path logs', () => {
	const version = model('text_to_image', 'doubao-seedream-4-5-251128');
	const prepared: PreparedCreate = {
		taskType: 'text_to_image',
		version,
		plan: buildCreatePlan({ version, taskType: 'text_to_image', prompt: 'a cat', settings: {}, n: 1, images: [] }),
		images: { sources: [] },
		options: { maxCredits: 0, n: 1 } as RunOptions,
		prompt: 'a cat',
		settings: {},
	};
	const client = { cancelled: false, clean: (t: string) => t, createTask: async () => ({ id: 'task_9' }), products: async () => [] };

	async function logged(getExecutionId: () => string | undefined): Promise<string[]> {
		const lines: string[] = [];
		const ctx = {
			getInputData: () => [{ json: { prompt: 'a cat' } }],
			getNode: () => node,
			getExecutionId,
			getWorkflow: () => workflow,
			logger: { info: (m: string) => lines.push(m), warn: () => undefined, error: () => undefined, debug: () => undefined },
		};
		await createForItem(ctx as never, client as never, { ledger: new NodeLedger(), runIndex: 0 }, 0, prepared);
		return lines;
	}

	test('a tool call before n8n has an execution (MCP Server Trigger): no "execution ?", the workflow named', async () => {
		const lines = await logged(() => undefined);
		expect(lines).toHaveLength(1);
		expect(lines[0]).toMatch(/^IMA task created: task_9 \(no execution yet: n8n records this call as an execution of workflow wfMcp0001 "IMA as an MCP tool" after it answers; \d{4}-\d\d-\d\dT[^,]+Z, node "IMA Generate Image", item 0\)$/);
		expect(lines[0]).not.toContain('execution ?');
	});

	test('inside an execution: its id', async () => {
		expect(await logged(() => '31')).toEqual(['IMA task created: task_9 (execution 31, node "IMA Generate Image", item 0)']);
	});
});
