/** A clock and an abortable-style sleep the test controls: timers fire only when `run` advances time. */
export function virtualClock(start = 0) {
	let now = start;
	const timers: Array<{ at: number; seq: number; resolve: () => void }> = [];
	let seq = 0;
	const flush = async () => {
		for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
	};
	return {
		now: () => now,
		set: (t: number) => {
			now = t;
		},
		sleep: async (ms: number) =>
			await new Promise<void>((resolve) => {
				timers.push({ at: now + Math.max(0, ms), seq: seq++, resolve });
			}),
		/** Fires timers in time order until none is left at or before `until`. */
		async run(until = Number.POSITIVE_INFINITY) {
			for (;;) {
				await flush();
				if (!timers.length) return;
				timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
				if (timers[0].at > until) {
					now = Math.max(now, until);
					return;
				}
				const t = timers.shift()!;
				now = Math.max(now, t.at);
				t.resolve();
			}
		},
		get pending() {
			return timers.length;
		},
	};
}
