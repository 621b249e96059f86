'use strict';
/** Smoke test of the fleet benchmark's own helpers (bench/fleet-lib.js); the benchmark itself is not a test. */
const L = require('../../bench/fleet-lib');

describe('bench/fleet-lib', () => {
	test('maxInWindow: most timestamps in any half-open 1 s window', () => {
		expect(L.maxInWindow([], 1000)).toEqual({ count: 0, start: undefined });
		expect(L.maxInWindow([0, 999, 1000, 1001, 1999], 1000)).toEqual({ count: 3, start: 999 });
		// 20 at once, then one every 100 ms: burst 20 + rate 10 in the first second
		const times = [...Array(20).fill(5000), ...Array.from({ length: 30 }, (_, i) => 5100 + i * 100)];
		expect(L.maxInWindow(times, 1000).count).toBe(29);
	});

	test('meanRate over the first-to-last span', () => {
		expect(L.meanRate([])).toBe(0);
		expect(L.meanRate([7])).toBe(1);
		expect(L.meanRate([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000])).toBeCloseTo(10);
	});

	test('median, spread and per-task check gaps', () => {
		expect(L.median([3, 1, 2])).toBe(2);
		expect(L.median([4, 1, 2, 3])).toBe(2.5);
		expect(L.spread([5, 1, 3])).toEqual({ median: 3, min: 1, max: 5 });
		const gaps = L.checkGaps([
			{ taskId: 'a', time: 0 },
			{ taskId: 'b', time: 5 },
			{ taskId: 'a', time: 8000 },
			{ taskId: 'b', time: 10005 },
		]);
		expect(gaps.sort((x, y) => x - y)).toEqual([8000, 10000]);
	});

	test('the budget in force over a window, and windows over it', () => {
		const history = [
			{ at: 0, perSecond: 10 },
			{ at: 5000, perSecond: 11 },
			{ at: 9000, perSecond: 5 },
		];
		expect(L.maxBudgetIn(history, 1000, 2000)).toBe(10);
		expect(L.maxBudgetIn(history, 4500, 5500)).toBe(11);
		expect(L.maxBudgetIn(history, 9500, 10500)).toBe(5);
		expect(L.maxBudgetIn(history, 8500, 9500)).toBe(11);
		const ok = Array.from({ length: 10 }, (_, i) => 1000 + i * 100);
		expect(L.windowsOverBudget(ok, history)).toMatchObject({ windows: 10, over: 0, maxCount: 10 });
		const late = [...Array(6).fill(9600)];
		const r = L.windowsOverBudget(late, history);
		expect(r.over).toBe(1); // the window from the first of the six
		expect(r.worst).toMatchObject({ count: 6, allowed: 5, excess: 1 });
	});

	test('perSecond: checks in each whole second', () => {
		expect(L.perSecond([1000, 1500, 2999, 3000, 9999], 1000, 3)).toEqual([2, 1, 1]);
	});

	test('the fleet section of BENCHMARKS.md is kept, replaced or appended', () => {
		const sec = (body) => `${L.FLEET_START}\n${body}\n${L.FLEET_END}`;
		const md = `# Benchmarks\n\ntext\n\n${sec('old $& fleet')}\n`;
		expect(L.fleetSection(md)).toBe(sec('old $& fleet'));
		expect(L.fleetSection('# none')).toBe('');
		expect(L.withFleetSection('# new run\n', L.fleetSection(md))).toBe(`# new run\n\n${sec('old $& fleet')}\n`);
		expect(L.withFleetSection(md, sec('new'))).toBe(`# Benchmarks\n\ntext\n\n${sec('new')}\n`);
		expect(L.withFleetSection('# x\n', '')).toBe('# x\n');
	});
});
