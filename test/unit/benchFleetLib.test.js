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
