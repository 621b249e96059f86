/**
 * create/outcome.ts: what a failed create means for the money. "No task" releases the item's
 * credits and lets a price refusal be sent once more; anything else is "may exist" and is never
 * sent again. Table-driven; written for the survivors of the full mutation tier (docs/MUTATION.md).
 */
import type { ItemError } from '../../nodes/Ima/run/errors';
import type { ImaErrorInfo } from '../../nodes/Ima/transport';

type Outcome = typeof import('../../nodes/Ima/create/outcome');
type Transport = typeof import('../../nodes/Ima/transport');
type Errors = typeof import('../../nodes/Ima/run/errors');

/**
 * The module loaded inside the test: its code lists (PRICE_CODES, REFUSAL_CODES) are made at load,
 * which the mutation tier counts only for the test that loads it.
 */
let classes: { transport: Transport; errors: Errors };
function load(): Outcome {
	let m: Outcome | undefined;
	jest.isolateModules(() => {
		/* eslint-disable @typescript-eslint/no-require-imports */
		m = require('../../nodes/Ima/create/outcome') as Outcome;
		// the error classes of this load (instanceof)
		classes = { transport: require('../../nodes/Ima/transport') as Transport, errors: require('../../nodes/Ima/run/errors') as Errors };
		/* eslint-enable @typescript-eslint/no-require-imports */
	});
	return m!;
}

const err = (info: Partial<ImaErrorInfo>, message = 'Create failed') =>
	new classes.transport.ImaRequestError(message, { kind: 'business', transient: false, maybeProcessed: false, step: 'create', ...info } as ImaErrorInfo);

describe('createMadeNoTask: only proof of no task counts', () => {
	test.each<[string, Partial<ImaErrorInfo>, boolean]>([
		// IMA's documented refusals, in its envelope with HTTP 200
		['400 in the envelope', { imaCode: 400, httpStatus: 200 }, true],
		['401 in the envelope', { imaCode: 401, httpStatus: 200 }, true],
		['401 as HTTP 401', { imaCode: 401, httpStatus: 401 }, true],
		['4008 (not enough credits)', { imaCode: 4008, httpStatus: 200 }, true],
		['4014', { imaCode: 4014, httpStatus: 200 }, true],
		['6006', { imaCode: 6006, httpStatus: 200 }, true],
		['6009', { imaCode: 6009, httpStatus: 200 }, true],
		['6010', { imaCode: 6010, httpStatus: 200 }, true],
		['a refusal code with no HTTP status noted (HTTP 200)', { imaCode: 4008 }, true],
		['a refusal code on HTTP 299', { imaCode: 4008, httpStatus: 299 }, true],
		// anything else may have made a task
		['a refusal code behind HTTP 300', { imaCode: 4008, httpStatus: 300 }, false],
		['a price code behind a gateway 403', { imaCode: 6006, httpStatus: 403 }, false],
		['400 behind HTTP 400', { imaCode: 400, httpStatus: 400 }, false],
		['an undocumented code', { imaCode: 5000, httpStatus: 200 }, false],
		['an unknown code on HTTP 429', { imaCode: 9999, httpStatus: 429 }, false],
		['a business error without a code', { httpStatus: 200 }, false],
		['HTTP 429 (rate limited before IMA took it)', { kind: 'http', httpStatus: 429 }, true],
		['HTTP 502', { kind: 'http', httpStatus: 502 }, false],
		['HTTP 401 with a refusal code read from its body (a gateway)', { kind: 'http', httpStatus: 401, imaCode: 401 }, false],
		['an HTTP error with a refusal code on HTTP 200', { kind: 'http', httpStatus: 200, imaCode: 4008 }, false],
		['a connection that never opened', { kind: 'network', maybeProcessed: false }, true],
		['a connection that broke after sending', { kind: 'network', maybeProcessed: true }, false],
		['a cancel in flight', { kind: 'cancelled', maybeProcessed: true }, false],
		['a cancel in flight, even marked unprocessed', { kind: 'cancelled', maybeProcessed: false }, false],
		['a redirect the node refused', { kind: 'refused', httpStatus: 302 }, false],
		['an answer the node could not read', { kind: 'invalid-response', httpStatus: 200 }, false],
	])('%s → %s', (_name, info, noTask) => {
		expect(load().createMadeNoTask(err(info))).toBe(noTask);
	});
});

describe('isPriceRefusal: reload the price and send once more only on IMA\'s own price refusal', () => {
	test.each<[string, Partial<ImaErrorInfo>, boolean]>([
		['6006 on HTTP 200', { imaCode: 6006, httpStatus: 200 }, true],
		['6009 on HTTP 200', { imaCode: 6009, httpStatus: 200 }, true],
		['6010 on HTTP 200', { imaCode: 6010, httpStatus: 200 }, true],
		['4008 (a refusal, not a price)', { imaCode: 4008, httpStatus: 200 }, false],
		['6006 behind HTTP 502', { imaCode: 6006, httpStatus: 502 }, false],
		['6006 read from a 429 (kind http)', { kind: 'http', imaCode: 6006, httpStatus: 429 }, false],
		['no code', { httpStatus: 200 }, false],
	])('%s → %s', (_name, info, price) => {
		expect(load().isPriceRefusal(err(info))).toBe(price);
	});

	test('not an IMA request error → no', () => {
		expect(load().isPriceRefusal(new Error('6006'))).toBe(false);
	});
});

describe('explainCreateFailure: the error the user reads, and what it says of the money', () => {
	// load().explainCreateFailure(err(…)): the callee is evaluated before its argument, so err()
	// builds the error with the classes of that load.
	const { MAY_EXIST } = load();

	test('MAY_EXIST tells the user to check the task history before running again', () => {
		expect(MAY_EXIST).toMatch(/^IMA may have received the request and created \(and charged\) the task/);
		expect(MAY_EXIST).toMatch(/Check your IMA task history before running this item again\.$/);
	});

	test('a refusal: charge none, the codes kept, "No task was made." alone when IMA gave no description', () => {
		const e = load().explainCreateFailure(err({ imaCode: 4008, httpStatus: 200 }, 'Not enough credits')) as ItemError;
		expect(e).toBeInstanceOf(classes.errors.ItemError);
		expect(e.message).toBe('Not enough credits');
		expect(e.details).toMatchObject({ charge: 'none', api: true, imaCode: 4008, httpCode: 200 });
		expect(e.details.description).toBe('No task was made.');
	});

	test('a refusal with a description: it comes first', () => {
		const e = load().explainCreateFailure(err({ imaCode: 4008, httpStatus: 200, description: 'Top up.' })) as ItemError;
		expect(e.details.description).toBe('Top up. No task was made.');
	});

	test.each<[string, Partial<ImaErrorInfo>, boolean | undefined, boolean]>([
		['a price refusal after the reload', { imaCode: 6006, httpStatus: 200 }, true, true],
		['a price refusal, no reload (the default)', { imaCode: 6006, httpStatus: 200 }, undefined, false],
		['a price refusal, reloaded = false', { imaCode: 6010, httpStatus: 200 }, false, false],
		['another refusal after a reload', { imaCode: 4008, httpStatus: 200 }, true, false],
		['a connection that never opened, after a reload', { kind: 'network', maybeProcessed: false }, true, false],
	])('%s: the reload sentence %s', (_name, info, reloaded, said) => {
		const e = (reloaded === undefined ? load().explainCreateFailure(err(info)) : load().explainCreateFailure(err(info), reloaded)) as ItemError;
		expect(e.details.charge).toBe('none');
		const sentence = "The node reloaded IMA's product list and sent the create once more with the fresh price; IMA refused it again.";
		expect(e.details.description).toBe(said ? `${sentence} No task was made.` : 'No task was made.');
	});

	test('may exist: charge maybe, the message says so, MAY_EXIST alone when there is no description', () => {
		const e = load().explainCreateFailure(err({ kind: 'http', httpStatus: 502 }, 'HTTP 502')) as ItemError;
		expect(e.message).toBe('HTTP 502: the task may have been created on IMA');
		expect(e.details).toMatchObject({ charge: 'maybe', api: true, httpCode: 502 });
		expect(e.details.description).toBe(MAY_EXIST);
	});

	test('may exist with a description: description, one space, MAY_EXIST', () => {
		const e = load().explainCreateFailure(err({ kind: 'network', maybeProcessed: true, description: 'The connection broke.' })) as ItemError;
		expect(e.details.description).toBe(`The connection broke. ${MAY_EXIST}`);
	});

	test('a cancel in flight: may exist, and the task keeps running', () => {
		const e = load().explainCreateFailure(err({ kind: 'cancelled', maybeProcessed: true })) as ItemError;
		expect(e.message).toBe('The execution was cancelled while the create request was in flight: the task may have been created on IMA');
		expect(e.details.charge).toBe('maybe');
		expect(e.details.description).toBe(`${MAY_EXIST} The task keeps running on IMA if it was made.`);
	});

	test('anything that is not an IMA request error is handed back as it is', () => {
		const other = new Error('x');
		expect(load().explainCreateFailure(other)).toBe(other);
	});
});

describe('usableTaskId', () => {
	test.each<[unknown, string | undefined]>([
		['task_1', 'task_1'],
		[' task ', ' task '],
		[12345, '12345'],
		[0, '0'],
		['123', '123'],
		[2 ** 53 + 2, undefined],
		[1.5, undefined],
		['', undefined],
		['   ', undefined],
		['x'.repeat(4096), 'x'.repeat(4096)],
		['x'.repeat(4097), undefined],
		[null, undefined],
		[{ id: 1 }, undefined],
	])('%p → %p', (id, out) => {
		expect(load().usableTaskId(id)).toBe(out);
	});
});
