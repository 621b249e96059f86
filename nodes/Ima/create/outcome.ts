/**
 * What a create's answer means for the user's money: a task id that can be used, a failure that
 * provably made no task ("no task": its credits are released and it may be sent again), and any
 * other failure ("may exist": never sent again for that item, and said so in the error).
 */
import { ImaRequestError } from '../transport';
import { ItemError } from '../run/errors';

const PRICE_CODES = new Set([6006, 6009, 6010]);

/**
 * IMA refused the price (codes 6006, 6009, 6010: its product list changed since it was loaded),
 * as IMA refuses: in its envelope with HTTP 200. A price code behind an HTTP error proves no
 * refusal (a task may exist), so it never leads to a second create.
 */
export function isPriceRefusal(e: unknown): e is ImaRequestError {
	return e instanceof ImaRequestError && e.info.kind === 'business' && e.info.imaCode !== undefined && PRICE_CODES.has(e.info.imaCode) && createMadeNoTask(e);
}

/** IMA's documented refusals of a create (the API README's table): they made no task. */
const REFUSAL_CODES = new Set([400, 401, 4008, 4014, 6006, 6009, 6010]);

/**
 * Whether a failed create provably made no task: it never left (connection refused, DNS), IMA
 * rate-limited it (HTTP 429), or IMA refused it with one of its documented codes. Anything else —
 * an unknown code, an HTTP error, a timeout, a reset, a redirect, a cancel in flight — may have
 * made (and charged) a task, so the node never sends it again for that item.
 */
export function createMadeNoTask(e: ImaRequestError): boolean {
	const info = e.info;
	if (info.kind === 'cancelled') return false;
	if (info.kind === 'network') return !info.maybeProcessed;
	// IMA's own refusal: a documented code in its envelope, with HTTP 200 as IMA sends business
	// errors (401 may also come as HTTP 401). A gateway's 4xx/5xx around it proves nothing.
	const http = info.httpStatus ?? 200;
	if (info.kind === 'business' && info.imaCode !== undefined && REFUSAL_CODES.has(info.imaCode) && (http < 300 || info.imaCode === 401)) return true;
	return info.kind === 'http' && info.httpStatus === 429;
}

/**
 * The longest task id the node keeps (IMA's are about 40 characters): anything up to this is
 * kept whole, in the output and in errors, rather than refused after IMA charged for the task.
 */
export const MAX_TASK_ID_CHARS = 4096;

/**
 * A task id IMA can be asked about, exactly as IMA wrote it: a non-blank text (an integer above
 * 2^53 arrives as its digits, see helpers/rawJson.ts) or a safe integer.
 */
export function usableTaskId(id: unknown): string | undefined {
	if (typeof id === 'number' && Number.isSafeInteger(id)) return String(id);
	if (typeof id === 'string' && id.trim() !== '' && id.length <= MAX_TASK_ID_CHARS) return id;
	return undefined;
}

export const MAY_EXIST =
	'IMA may have received the request and created (and charged) the task even though no answer arrived. The node did not send it again, so nothing is paid twice. Check your IMA task history before running this item again.';

/** What a failed create means for the user's money. */
export function explainCreateFailure(failure: unknown, reloaded = false): unknown {
	if (!(failure instanceof ImaRequestError)) return failure;
	const info = failure.info;
	if (info.kind === 'cancelled') {
		return new ItemError('The execution was cancelled while the create request was in flight: the task may have been created on IMA', {
			charge: 'maybe',
			description: `${MAY_EXIST} The task keeps running on IMA if it was made.`,
		});
	}
	if (createMadeNoTask(failure)) {
		return new ItemError(failure.message, {
			api: true,
			charge: 'none',
			imaCode: info.imaCode,
			httpCode: info.httpStatus,
			description: [
				info.description,
				reloaded && info.imaCode !== undefined && PRICE_CODES.has(info.imaCode)
					? 'The node reloaded IMA\'s product list and sent the create once more with the fresh price; IMA refused it again.'
					: undefined,
				'No task was made.',
			]
				.filter(Boolean)
				.join(' '),
		});
	}
	return new ItemError(`${failure.message}: the task may have been created on IMA`, {
		api: true,
		charge: 'maybe',
		httpCode: info.httpStatus,
		description: [info.description, MAY_EXIST].filter(Boolean).join(' '),
	});
}
