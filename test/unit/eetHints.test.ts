/** What Wait for Result and Check Task read from their input item to size their checks. */
import { creationTime, nextCheckIn, taskHint } from '../../nodes/Ima/actions/results';
import type { RunOptions } from '../../nodes/Ima/actions/options';
import { clearLearned } from '../../nodes/Ima/helpers/checkSchedule';

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
