/**
 * Virtual time for tests of plain-promise code (the item scheduler): jest's fake timers, moved to
 * the next timer whenever everything else waits. A `setTimeout(r, 5)` then means "5 ms after now"
 * on a clock the test controls, so timers order the work exactly, however loaded the machine.
 * (Only for code that waits on nothing but timers and promises: no sockets, no files.)
 */
export function useVirtualTime(): void {
	let running = false;
	beforeEach(() => {
		jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
		running = true;
		void (async () => {
			while (running) {
				// setImmediate runs once every pending promise callback has: only timers are left.
				await new Promise((r) => setImmediate(r));
				if (running && jest.getTimerCount() > 0) jest.advanceTimersToNextTimer();
			}
		})();
	});
	afterEach(() => {
		running = false;
		jest.useRealTimers();
	});
}
