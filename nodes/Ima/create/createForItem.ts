/**
 * The one paid call of an item, in named steps, for every operation that creates a task. Rules:
 * - one create per item and execution: a retry (n8n's Retry On Fail) waits for the task the item
 *   already has, and refuses when an earlier create may have made one whose id is unknown
 *   (`decideFromLedger`);
 * - Max Credits per Run is checked before each create, atomically across items, against what the
 *   node committed in the whole execution (`reserveBudget`): kept with the execution (n8n's node
 *   context), so a long Wait, a restart or another queue worker resumes with it (helpers/durable.ts);
 * - every ambiguous outcome (timeout, reset, 5xx after sending, a redirect, a cancel while the
 *   request was in flight) says the task may exist and was not sent again (`recordFailure`,
 *   create/outcome.ts);
 * - a create IMA refused for its price (6006/6009/6010) reloads the product list and is sent once
 *   more with the fresh rule (a refused create made no task: `reloadPrice`).
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { CreatePlan } from '../helpers/createBody';
import { shortHash } from '../helpers/durable';
import { decideCreate, fingerprint, type CreateAttempt } from '../helpers/ledger';
import { settle } from '../helpers/pool';
import { findModelVersion } from '../helpers/productTree';
import { takesImages } from '../helpers/taskTypes';
import type { ImaCreatedTask, ModelVersion } from '../helpers/types';
import { resolveImageUrls } from '../inputs/images';
import { seedanceBodyFields, uploadSeedanceMedia, verifySeedanceMedia, type ResolvedSeedanceMedia } from '../inputs/seedanceMedia';
import { inputError, ItemError } from '../run/errors';
import { ImaRequestError, type ImaClient } from '../transport';
import { createdLogLine } from './createdLog';
import { createMadeNoTask, explainCreateFailure, isPriceRefusal, MAY_EXIST, usableTaskId } from './outcome';
import { planFor, type PreparedCreate } from './prepare';
import { inputItem, itemKey, type CreateScope } from './scope';

export interface CreatedTask {
	id: string;
	/** IMA's deadline (ms), when known. */
	timeoutAt?: number;
	/** When IMA created the task (as IMA sent it), when known. */
	createdAt?: number;
	/** When the create that made it was sent (this machine's clock; not for a reused task). */
	sentAt?: number;
	/** The plan of the create that made the task (after a price reload, the fresh one). */
	plan: CreatePlan;
	version: ModelVersion;
	/** True when an earlier try of this item made the task (Retry On Fail): nothing was sent now. */
	reused: boolean;
}

/** One item's create: where it is recorded, and the ledger's copy in the stored execution. */
interface CreateCall {
	ctx: IExecuteFunctions;
	client: ImaClient;
	scope: CreateScope;
	itemIndex: number;
	key: string;
	item?: object;
	preparedHash: string;
	/** Writes the item's attempts into the stored execution (helpers/durable.ts). */
	mirror: () => void;
}

/** The input URLs of the create: given, or uploaded (once, even when the create is sent again). */
interface Inputs {
	urls: string[];
	media?: ResolvedSeedanceMedia;
}

/** Credits in words, for errors. */
const credits = (n: number) => `${n} credit${n === 1 ? '' : 's'}`;

/**
 * Creates the task of one item, at most once per execution (see the file header). Uploads happen
 * here, after the budget check and before the create.
 */
export async function createForItem(ctx: IExecuteFunctions, client: ImaClient, scope: CreateScope, itemIndex: number, prepared: PreparedCreate): Promise<CreatedTask> {
	const key = itemKey(scope, itemIndex);
	const item = inputItem(ctx, itemIndex, scope);
	const preparedHash = shortHash(fingerprint(prepared.plan.body));
	const mirror = () => scope.ledger.mirror(scope.runIndex, itemIndex, key, (id) => client.clean(id) === id, [preparedHash], item);
	const call: CreateCall = { ctx, client, scope, itemIndex, key, item, preparedHash, mirror };
	const earlier = decideFromLedger(call, prepared);
	if (earlier) return earlier;
	let { plan, version } = prepared;
	let inputs: Inputs | undefined;
	for (let reloaded = false; ; reloaded = true) { // sent again only after a price reload, once
		reserveBudget(call, plan, prepared);
		inputs ??= await uploadInputs(call, plan, prepared);
		const sent = await send(call, plan, version, prepared, inputs);
		if (!('failure' in sent)) return sent;
		if (reloaded || !isPriceRefusal(sent.failure)) throw explainCreateFailure(sent.failure, reloaded);
		({ version, plan } = await reloadPrice(call, prepared, version, sent.failure.info.imaCode));
	}
}

/**
 * What this item's earlier tries decide: its task when one was made (reused, nothing is sent), a
 * refusal when one may have been made, else nothing (send). No try of this item in this process:
 * what the stored execution says (resumed, or retried from n8n's executions list) decides, for
 * the same create body only.
 */
function decideFromLedger({ scope, key, item, itemIndex, preparedHash }: CreateCall, prepared: PreparedCreate): CreatedTask | undefined {
	const { ledger } = scope;
	const decision = ledger.attempts(key).length ? decideCreate(ledger.attempts(key, item)) : ledger.storedDecision(scope.runIndex, itemIndex, preparedHash);
	if (decision.action === 'reuse') {
		if (!ledger.attempts(key).length) ledger.record(key, { ...decision.attempt, item });
		scope.stats?.touched.add(itemIndex);
		return { id: decision.attempt.taskId, timeoutAt: decision.attempt.timeoutAt, plan: prepared.plan, version: prepared.version, reused: true };
	}
	if (decision.action === 'refuse') {
		throw new ItemError('An earlier try of this item may already have created a task on IMA: the node does not send the create again', {
			charge: 'maybe',
			description:
				"n8n ran the node again (Retry On Fail, or a retry of the execution) after a create whose answer was lost, so IMA may have made (and charged) that task. The node never pays twice for one item in one execution. Check your IMA task history before running this item again; IMA's API cannot look a task up without its ID.",
		});
	}
	return undefined;
}

/** Max Credits per Run: the task's credits are reserved, or the item fails before its create. */
function reserveBudget({ scope }: CreateCall, plan: CreatePlan, prepared: PreparedCreate): void {
	const { ledger } = scope;
	const max = ledger.noteLimit(scope.maxCredits ?? prepared.options.maxCredits);
	if (ledger.reserve(plan.totalCredits, max)) return;
	throw new ItemError(
		`Max Credits per Run (${max}) would be passed: this task costs ${credits(plan.totalCredits)} and this node has already committed ${credits(ledger.committed)} in this execution`,
		{
			parameter: 'options.maxCredits',
			charge: 'none',
			description: `Parameter: options.maxCredits. The task was refused before its create call: nothing was sent to IMA and nothing was charged for this item. Raise Max Credits per Run (0 = no limit) or make fewer or cheaper tasks.`,
		},
	);
}

/** Uploads the item's binaries (after the budget check); a failed upload releases the reserved credits. */
async function uploadInputs({ ctx, client, itemIndex, scope }: CreateCall, plan: CreatePlan, { seedance, taskType, images }: PreparedCreate): Promise<Inputs> {
	const r = await settle(async (): Promise<Inputs> => {
		if (!seedance) return { urls: takesImages(taskType) ? await resolveImageUrls(ctx, client, itemIndex, images) : [] };
		// Seedance 2.0: images, videos, audio and covers uploaded, then every input URL passes
		// IMA's asset check before the create (a refusal: nothing charged).
		const media = await uploadSeedanceMedia(ctx, client, itemIndex, seedance);
		await verifySeedanceMedia(client, media);
		return { urls: media.inputs.map((m) => m.url), media };
	});
	if (r.status === 'fulfilled') return r.value;
	scope.ledger.release(plan.totalCredits);
	throw r.reason;
}

/**
 * Sends the create once, its attempt recorded first ("sending": a lost answer is never sent
 * again); gives the task, or the failure once its meaning is recorded.
 */
async function send(call: CreateCall, plan: CreatePlan, version: ModelVersion, prepared: PreparedCreate, inputs: Inputs): Promise<CreatedTask | { failure: unknown }> {
	const { client, scope, itemIndex } = call;
	const attempt = scope.ledger.record(call.key, { outcome: 'sending', credits: plan.totalCredits, bodyHash: fingerprint(plan.body), item: call.item });
	call.mirror();
	if (client.cancelled) {
		attempt.outcome = 'refused';
		scope.ledger.release(plan.totalCredits);
		call.mirror();
		throw new ItemError('The execution was cancelled before the create request was sent', { charge: 'none', description: 'Nothing was sent to IMA and nothing was charged.' });
	}
	scope.stats?.touched.add(itemIndex);
	// No task of this create can be older than this (the schedule of its checks counts from here).
	const sentAt = Date.now();
	const r = await settle(async () => recordCreated(call, attempt, await sendCreate(client, plan, prepared.taskType, inputs.urls, inputs.media), { plan, version, sentAt }));
	if (r.status === 'fulfilled') return r.value;
	if (r.reason instanceof ItemError) throw r.reason;
	recordFailure(call, attempt, plan.totalCredits, r.reason);
	return { failure: r.reason };
}

/** The paid call itself, with the uploaded image URLs in place. */
async function sendCreate(client: ImaClient, plan: CreatePlan, taskType: string, imageUrls: string[], media?: ResolvedSeedanceMedia): Promise<ImaCreatedTask> {
	const body = JSON.parse(JSON.stringify(plan.body)) as CreatePlan['body'] & Record<string, unknown>;
	if (media) {
		const f = seedanceBodyFields(media);
		body.src_img_url = f.src_img_url;
		body.parameters[0].parameters.input_images = f.input_images;
		Object.assign(body, f.fields);
	} else if (takesImages(taskType)) {
		body.src_img_url = imageUrls;
		body.parameters[0].parameters.input_images = imageUrls;
	}
	return await client.createTask(body as unknown as IDataObject);
}

/** IMA's answer to a create: the task is recorded and logged, or (no usable id) it may exist. */
function recordCreated(call: CreateCall, attempt: CreateAttempt, task: ImaCreatedTask, made: { plan: CreatePlan; version: ModelVersion; sentAt: number }): CreatedTask {
	const taskId = usableTaskId(task.id);
	if (!taskId) {
		attempt.outcome = 'maybe';
		call.mirror();
		const raw = JSON.stringify(task.id) ?? String(task.id);
		const shown = raw.length > 200 ? `${raw.slice(0, 200)}… (${raw.length} characters)` : raw;
		throw new ItemError(`IMA accepted the create but sent no usable task id (${shown}): the task may have been created on IMA`, { api: true, charge: 'maybe', description: MAY_EXIST });
	}
	attempt.outcome = 'created';
	attempt.taskId = taskId;
	const timeoutAt = Number(task.timeout_at);
	if (Number.isFinite(timeoutAt) && timeoutAt > 0) attempt.timeoutAt = timeoutAt;
	call.mirror();
	if (call.scope.stats) call.scope.stats.created++;
	const createdAt = Number(task.created_at);
	// The task id outlives a killed worker in n8n's log (never the key).
	// A log line leaves the node: the one redaction (helpers/redact.ts) applies to it.
	call.ctx.logger?.info(call.client.clean(createdLogLine(call.ctx, taskId, call.itemIndex)));
	return { id: taskId, timeoutAt: attempt.timeoutAt, createdAt: Number.isFinite(createdAt) && createdAt > 0 ? createdAt : undefined, ...made, reused: false };
}

/** A failed create: provably no task (its credits are released) or a task that may exist. */
function recordFailure(call: CreateCall, attempt: CreateAttempt, reserved: number, failure: unknown): void {
	const noTask = failure instanceof ImaRequestError && createMadeNoTask(failure);
	attempt.outcome = noTask ? 'refused' : 'maybe';
	if (noTask) call.scope.ledger.release(reserved);
	call.mirror();
}

/**
 * IMA's price list changed since it was loaded: it is reloaded and the plan made again, for one
 * more send (safe: a refused create made no task). Bad settings against the fresh list fail as
 * input errors.
 */
async function reloadPrice({ client }: CreateCall, prepared: PreparedCreate, version: ModelVersion, imaCode?: number): Promise<{ version: ModelVersion; plan: CreatePlan }> {
	let versions: ModelVersion[] | undefined;
	let reloadFailure: unknown;
	try {
		versions = await client.products(prepared.taskType, { reload: true });
	} catch (error) {
		reloadFailure = error;
	}
	if (!versions) {
		const why = reloadFailure instanceof Error ? reloadFailure.message : String(reloadFailure);
		throw new ItemError(`IMA refused the price (code ${imaCode}), and reloading its product list failed: ${why}`, {
			api: true,
			charge: 'none',
			imaCode,
			description: 'No task was made and nothing was charged. Run the item again when IMA answers.',
		});
	}
	const fresh = findModelVersion(versions, version.id);
	if (!fresh) {
		throw inputError('model', `Model "${version.id}" is no longer offered for ${prepared.taskType} (IMA refused its price with code ${imaCode}, and the reloaded model list no longer has it)`);
	}
	return { version: fresh, plan: planFor(fresh, prepared.taskType, prepared.prompt, prepared.settings, prepared.options, prepared.images) };
}
