/** Runs `fn` over `items` with at most `limit` at once; results keep the input order. */
export async function mapWithConcurrency<T, R>(
	items: readonly T[],
	limit: number,
	fn: (item: T, index: number) => Promise<R>,
): Promise<Array<PromiseSettledResult<R>>> {
	const results: Array<PromiseSettledResult<R>> = new Array(items.length);
	const width = Math.max(1, Math.min(Math.floor(limit) || 1, items.length || 1));
	let next = 0;
	const worker = async () => {
		for (;;) {
			const index = next++;
			if (index >= items.length) return;
			results[index] = await settle(async () => await fn(items[index], index));
		}
	};
	await Promise.all(Array.from({ length: width }, worker));
	return results;
}

/** A counting semaphore: `run(fn)` runs `fn` once fewer than `limit` others are running. */
export function createLimiter(limit: number): <R>(fn: () => Promise<R>) => Promise<R> {
	const width = Math.max(1, Math.floor(limit) || 1);
	let active = 0;
	const waiting: Array<() => void> = [];
	return async <R>(fn: () => Promise<R>): Promise<R> => {
		if (active >= width) await new Promise<void>((resolve) => waiting.push(resolve));
		else active++;
		try {
			return await fn();
		} finally {
			const next = waiting.shift();
			if (next) next();
			else active--;
		}
	};
}

/** What `run` gave or threw, as Promise.allSettled reports it: to decide outside a catch what a failure means. */
export async function settle<T>(run: () => Promise<T>): Promise<PromiseSettledResult<T>> {
	try {
		return { status: 'fulfilled', value: await run() };
	} catch (reason) {
		return { status: 'rejected', reason };
	}
}
