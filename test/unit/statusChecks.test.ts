/**
 * Status checks of Wait for Result and Check Task: what they read from their input item to size
 * their checks, and a single read that waits out 429s.
 */
import { creationTime, nextCheckIn, taskHint } from '../../nodes/Ima/results/expected';
import { readTaskOnce } from '../../nodes/Ima/results/wait';
import type { RunOptions } from '../../nodes/Ima/run/options';
import { clearLearned } from '../../nodes/Ima/helpers/checkSchedule';
import { clearBudgets } from '../../nodes/Ima/helpers/pollBudget';
import { ImaClient } from '../../nodes/Ima/transport';
import type { TestClock } from '../support/testClock';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { installTestClock, uninstallAllClocks } = require('../support/testClock');

const options = (pollInterval = 0) => ({ pollInterval }) as RunOptions;
const client = { credentials: { baseUrl: 'https://api.example', apiKey: 'k', uploadBaseUrl: 'https://up.example' } } as any;

beforeEach(() => clearLearned());

describe('taskHint: the item of the same task only', () => {
	const created = { taskId: 't1', taskType: 'text_to_video', model: 'kling', modelVersion: 'kling-v2-6', createdAt: 1_700_000_000_000, expectedSeconds: { min: 150, max: 210 } };

	test("Create Task's output item", () => {
		expect(taskHint(created, 't1')).toEqual({ taskType: 'text_to_video', modelVersion: 'kling-v2-6', createdAt: 1_700_000_000_000, expected: { startMs: 150_000, endMs: 210_000 } });
	});

	test('an item about another task (or none) says nothing', () => {
		expect(taskHint(created, 't2')).toBeUndefined();
		expect(taskHint({}, 't1')).toBeUndefined();
		expect(taskHint(undefined, 't1')).toBeUndefined();
	});

	test.each([
		['an unknown task type', { taskType: 'text_to_hologram' }, 'taskType', undefined],
		['a blank version', { modelVersion: '  ' }, 'modelVersion', undefined],
		['seconds for createdAt', { createdAt: 1_700_000_000 }, 'createdAt', 1_700_000_000_000],
		['createdAt as text', { createdAt: '1700000000000' }, 'createdAt', 1_700_000_000_000],
		['a nonsense createdAt', { createdAt: 'yesterday' }, 'createdAt', undefined],
		['expectedSeconds upside down', { expectedSeconds: { min: 210, max: 150 } }, 'expected', undefined],
		['expectedSeconds of a week', { expectedSeconds: { min: 1, max: 604_800 } }, 'expected', undefined],
		['expectedSeconds as text', { expectedSeconds: '150~210s' }, 'expected', undefined],
	])('%s', (_what, patch, key, value) => {
		const hint = taskHint({ ...created, ...patch }, 't1') as Record<string, unknown>;
		expect(hint[key as string]).toEqual(value);
	});

	test('creationTime: ms, seconds, or nothing', () => {
		expect(creationTime(1_700_000_000)).toBe(1_700_000_000_000);
		expect(creationTime(1_700_000_000_123)).toBe(1_700_000_000_123);
		expect(creationTime(0)).toBeUndefined();
		expect(creationTime(-5)).toBeUndefined();
		expect(creationTime(null)).toBeUndefined();
	});
});

describe("nextCheckIn: Check Task's hint for the Wait node", () => {
	const created = 1_000_000;
	const hint = { taskType: 'text_to_video', modelVersion: 'kling-v2-6', createdAt: created, expected: { startMs: 150_000, endMs: 210_000 } };

	test('from the expected-time schedule: the next planned check', () => {
		expect(nextCheckIn(client, undefined, hint, options(), created + 10_000)).toBe(65);
		expect(nextCheckIn(client, undefined, hint, options(), created + 40_000)).toBe(35);
		expect(nextCheckIn(client, undefined, hint, options(), created + 160_000)).toBe(6);
		expect(nextCheckIn(client, undefined, hint, options(5), created + 160_000)).toBe(5);
	});

	test('without what the item says: the poll interval (the user one, else the kind default)', () => {
		expect(nextCheckIn(client, { id: 't', task_type: 'text_to_video' }, undefined, options(), created)).toBe(8);
		expect(nextCheckIn(client, { id: 't', task_type: 'text_to_image' }, undefined, options(), created)).toBe(3);
		expect(nextCheckIn(client, { id: 't' }, undefined, options(12.5), created)).toBe(12.5);
		expect(nextCheckIn(client, undefined, { ...hint, expected: undefined }, options(), created + 10_000)).toBe(8);
	});
});

describe("Check Task's one read: a 429 never fails it", () => {
	// On a clock the test controls (test/support/testClock.js): the budget's pauses, the read's
	// backoff and its Timeout run on virtual time, which steps to each wait in turn.
	let clock: TestClock;
	beforeEach(() => {
		clearBudgets();
		clock = installTestClock({ auto: true });
	});
	afterEach(() => {
		uninstallAllClocks();
		clearBudgets();
	});

	function fakeClient(answers: Array<{ statusCode: number; body: unknown; headers?: Record<string, string> }>) {
		const sent: number[] = [];
		const ctx: any = {
			helpers: {
				async httpRequestWithAuthentication(_type: string, opts: any) {
					sent.push(Date.now() - clock.startTime);
					expect(opts.url).toBe('https://api.example/open/v1/tasks/detail');
					const a = answers.shift()!;
					return { statusCode: a.statusCode, headers: a.headers ?? {}, body: a.body };
				},
			},
		};
		const client = new ImaClient(ctx, { apiKey: 'k', baseUrl: 'https://api.example', uploadBaseUrl: 'https://up.example' }, { retryBaseMs: 1, maxAttempts: 4 });
		return { client, sent };
	}
	const limited = { statusCode: 429, headers: { 'retry-after': '0' }, body: { code: 429, message: 'rate limited', data: null } };
	const running = { statusCode: 200, body: { code: 0, message: 'ok', data: { id: 't1', task_type: 'text_to_image', medias: [{ resource_status: 0 }] } } };

	test('nine 429s in a row (more than the 4 attempts of a read), then the answer', async () => {
		const { client, sent } = fakeClient([...Array(9).fill(limited), running]);
		const detail = await readTaskOnce(client, 't1', options());
		expect(detail.id).toBe('t1');
		expect(sent).toHaveLength(10);
	});

	test('other failures still end the read after its attempts, with the task id', async () => {
		const broken = { statusCode: 503, body: 'busy' };
		const { client, sent } = fakeClient([broken, broken, broken, broken, running]);
		await expect(readTaskOnce(client, 't1', options())).rejects.toThrow(/t1|503/);
		expect(sent).toHaveLength(4);
	});

	test('429s stop being waited out once the Timeout has passed', async () => {
		const { client, sent } = fakeClient(Array(1000).fill(limited));
		await expect(readTaskOnce(client, 't1', { pollInterval: 0, timeout: 0.05 } as RunOptions)).rejects.toThrow(/429/);
		// The attempts of one read (4), then no more: 996 answers were never asked for.
		expect(sent).toHaveLength(4);
	});
});
