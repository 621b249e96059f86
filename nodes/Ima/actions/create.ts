/**
 * The money path: everything before the paid call (validation, price), and the one place that
 * sends it. Rules kept here, for every operation that creates a task:
 * - one create per item and execution: a retry (n8n's Retry On Fail) waits for the task the item
 *   already has, and refuses when an earlier create may have made one whose id is unknown;
 * - every ambiguous outcome (timeout, reset, 5xx after sending, a redirect, a cancel while the
 *   request was in flight) says the task may exist and was not sent again;
 * - a create IMA refused for its price (6006/6009/6010) reloads the product list and is sent once
 *   more with the fresh rule (a refused create made no task);
 * - Max Credits per Run is checked before each create, atomically across items, against what the
 *   node committed in the whole execution: kept with the execution (n8n's node context), so a long
 *   Wait, a restart or another queue worker resumes with it (helpers/durable.ts).
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { buildCreatePlan, type CreatePlan } from '../helpers/createBody';
import { SettingsError } from '../helpers/formFields';
import { shortHash } from '../helpers/durable';
import { decideCreate, fingerprint, ledgerFor, type NodeLedger } from '../helpers/ledger';
import { findModelVersion } from '../helpers/productTree';
import { isSeedanceMedia, MEDIA_LIMITS } from '../helpers/referenceMedia';
import { isTaskType, takesImages, TASK_TYPES } from '../helpers/taskTypes';
import type { ImaCreatedTask, ModelVersion } from '../helpers/types';
import type { ImaClient } from '../transport';
import { ImaRequestError } from '../transport';
import { createdLogLine } from './createdLog';
import { inputError, ItemError } from '../run/errors';
import { prepareImages, resolveImageUrls, type PreparedImages } from '../inputs/images';
import { executionMaxCredits, isToolCall, type RunOptions } from '../run/options';
import {
	prepareSeedanceMedia,
	seedanceBodyFields,
	uploadSeedanceMedia,
	verifySeedanceMedia,
	type PreparedSeedanceMedia,
	type ResolvedSeedanceMedia,
} from '../inputs/seedanceMedia';

export interface PreparedCreate {
	taskType: string;
	version: ModelVersion;
	plan: CreatePlan;
	images: PreparedImages;
	options: RunOptions;
	/** The inputs of the plan, to build it again from a reloaded product list. */
	prompt: string;
	settings: Record<string, unknown>;
	/** Seedance 2.0 media (ima-pro, ima-pro-fast): every input read and checked. */
	seedance?: PreparedSeedanceMedia;
}

/** Reads a resource mapper's values; tolerant of workflows saved without it. */
export function readModelSettings(ctx: IExecuteFunctions, itemIndex: number): Record<string, unknown> {
	let raw: unknown;
	try {
		raw = ctx.getNodeParameter('modelSettings', itemIndex, {});
	} catch {
		return {};
	}
	const value = raw && typeof raw === 'object' ? (raw as IDataObject).value : undefined;
	if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
	// Own keys only: a field named "constructor" must never read Object's.
	const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
	for (const key of Object.keys(value)) out[key] = (value as IDataObject)[key];
	return out;
}

export function readModelRef(ctx: IExecuteFunctions, itemIndex: number): string {
	const value = ctx.getNodeParameter('model', itemIndex, '', { extractValue: true }) as unknown;
	if (value && typeof value === 'object') return String((value as IDataObject).value ?? '').trim();
	return String(value ?? '').trim();
}

/** The prompt as text: a string or a number; an object or a list is refused, never "[object Object]". */
export function readPrompt(ctx: IExecuteFunctions, itemIndex: number): string {
	const raw = ctx.getNodeParameter('prompt', itemIndex, '') as unknown;
	if (raw === undefined || raw === null) return '';
	if (typeof raw === 'string') return raw;
	if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
	const what = Array.isArray(raw) ? 'a list' : typeof raw === 'object' ? 'an object' : `a ${typeof raw}`;
	throw inputError('prompt', `Prompt must be text, but its expression gave ${what}`, 'Map a text field, e.g. {{ $json.text }}, or use JSON.stringify() in the expression if you mean the JSON.');
}

export async function resolveModel(ctx: IExecuteFunctions, client: ImaClient, taskType: string, ref: string): Promise<ModelVersion> {
	if (!ref) throw inputError('model', 'Model is empty: pick a model from the list or enter its ID');
	const versions = await client.products(taskType);
	const version = findModelVersion(versions, ref);
	if (!version) {
		const known = versions.map((v) => `${v.id} (${v.name})`);
		throw inputError('model', `Model "${ref}" is not available for ${taskType}`, `Available models for ${taskType}: ${known.join(', ') || '(none)'}.`);
	}
	return version;
}

/** Validation and the create body for one item; no paid call happens here. */
export async function prepareCreate(ctx: IExecuteFunctions, client: ImaClient, itemIndex: number, options: RunOptions): Promise<PreparedCreate> {
	const taskType = String(ctx.getNodeParameter('taskType', itemIndex, 'text_to_image'));
	if (!isTaskType(taskType)) {
		throw inputError('taskType', `Task Type "${taskType.slice(0, 60)}" is not known`, `Allowed values: ${TASK_TYPES.join(', ')}.`);
	}
	const prompt = readPrompt(ctx, itemIndex);
	const ref = readModelRef(ctx, itemIndex);
	const version = await resolveModel(ctx, client, taskType, ref);
	const images = takesImages(taskType) ? await prepareImages(ctx, itemIndex, taskType) : { sources: [] };
	// Model Settings (JSON) wins over the Model Settings list for a setting given in both.
	const settings = { ...readModelSettings(ctx, itemIndex), ...options.modelSettingsJson };
	let plan: CreatePlan;
	try {
		plan = planFor(version, taskType, prompt, settings, options, images);
	} catch (error) {
		throw fromJsonSettings(error, options.modelSettingsJson);
	}
	// Seedance 2.0 media: every input is read and every limit checked here, before any upload.
	const seedance = takesImages(taskType)
		? await prepareSeedanceMedia(ctx, client, itemIndex, taskType, String(version.model_id ?? ''), version.name, images, options.allowedMediaHosts)
		: undefined;
	return { taskType, version, plan, images, options, prompt, settings, seedance };
}

/** A settings error about a key given in Model Settings (JSON) names that option. */
export function fromJsonSettings(error: unknown, json: Record<string, unknown>): unknown {
	if (!(error instanceof SettingsError)) return error;
	const keys = error.parameter.split(/,\s*/);
	if (!keys.some((k) => Object.prototype.hasOwnProperty.call(json, k))) return error;
	return new SettingsError(`options.modelSettingsJson (${error.parameter})`, error.message.replace(/^Model Settings → /, 'Model Settings (JSON) → '));
}

function planFor(version: ModelVersion, taskType: string, prompt: string, settings: Record<string, unknown>, options: RunOptions, images: PreparedImages): CreatePlan {
	// Seedance 2.0 in Reference Image to Video may take videos or audio only (0 to 9 images);
	// prepareSeedanceMedia checks the counts of every kind.
	const seedanceReference = taskType === 'reference_image_to_video' && isSeedanceMedia(String(version.model_id ?? ''), taskType);
	return buildCreatePlan({
		imageRange: seedanceReference ? [0, MEDIA_LIMITS.maxImages] : undefined,
		version,
		taskType,
		prompt,
		settings,
		n: options.n,
		additional: options.additionalParameters,
		// Placeholders stand in for binaries until they are uploaded (after validation).
		images: images.sources.map((s) => (s.kind === 'url' ? s.url : `binary:${s.property}`)),
	});
}

/** Which execution and which node a create belongs to, for the money memory. */
export interface CreateScope {
	ledger: NodeLedger;
	runIndex: number;
	/** Max Credits per Run in force: the smallest limit any item of any run set so far (0 = none). */
	maxCredits?: number;
	/** What this run of the node did, for its execution hint. */
	stats?: RunStats;
	/** Run as an AI Agent tool (see itemKey). */
	tool?: boolean;
}

export interface RunStats {
	/** Tasks created by this run (a task reused by a retry is not counted again). */
	created: number;
	/** Credits the node had committed in the execution when this run began. */
	committedBefore: number;
	/** Items that sent a create or reused a task in this run. */
	touched: Set<number>;
}

/**
 * The node's execution context, which n8n stores with the execution (undefined where the context
 * has none: then the money memory is this process's only).
 */
export function executionStore(ctx: IExecuteFunctions): Record<string, unknown> | undefined {
	try {
		const store = typeof ctx.getContext === 'function' ? (ctx.getContext('node') as unknown) : undefined;
		return store && typeof store === 'object' && !Array.isArray(store) ? (store as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}

/** The memory of this node in this execution (see helpers/ledger.ts). */
export function createScope(ctx: IExecuteFunctions): CreateScope {
	const signal = typeof ctx.getExecutionCancelSignal === 'function' ? ctx.getExecutionCancelSignal() : undefined;
	let executionId: string | undefined;
	try {
		executionId = ctx.getExecutionId();
	} catch {
		executionId = undefined;
	}
	const node = ctx.getNode();
	const ledger = ledgerFor(signal ?? executionId, `${node.id ?? ''}|${node.name}`);
	ledger.attach(executionStore(ctx));
	let runIndex = 0;
	try {
		runIndex = Number(ctx.getWorkflowDataProxy(0).$runIndex) || 0;
	} catch {
		runIndex = 0;
	}
	const maxCredits = ledger.noteLimit(executionMaxCredits(ctx));
	return { ledger, runIndex, maxCredits, stats: runStats(ledger, runIndex), tool: isToolCall(ctx) };
}

/** The stats of the latest run of each node in this process (see runStats). */
const latestRun = new WeakMap<NodeLedger, { runIndex: number; stats: RunStats }>();

/**
 * What a run of the node did so far. n8n's Retry On Fail runs the node again under the same run
 * index (also with Continue On Fail, when the first output item is an error item): the tries of
 * one run add up, so the run's hint counts the task its first try made.
 */
function runStats(ledger: NodeLedger, runIndex: number): RunStats {
	const latest = latestRun.get(ledger);
	if (latest && latest.runIndex === runIndex) return latest.stats;
	const stats: RunStats = { created: 0, committedBefore: ledger.committed, touched: new Set() };
	latestRun.set(ledger, { runIndex, stats });
	return stats;
}

/**
 * The ledger key of an item in this run of the node. As an AI Agent tool, n8n's Retry On Fail
 * runs the tool again under a new run index: there the key is the item index alone, and the
 * arguments object tells a retry from a new call (see inputItem).
 */
export function itemKey(scope: CreateScope, itemIndex: number): string {
	return `${scope.tool ? 'tool' : scope.runIndex}|${itemIndex}`;
}

/**
 * The input item object itself (the same object when n8n retries the node). As a tool: the
 * arguments object of the call (n8n wraps the same one again for each retry of a call; every new
 * call of the agent brings a new one).
 */
export function inputItem(ctx: IExecuteFunctions, itemIndex: number, scope?: CreateScope): object | undefined {
	const item = ctx.getInputData()[itemIndex] as unknown;
	if (!item || typeof item !== 'object') return undefined;
	const json = (item as { json?: unknown }).json;
	return scope?.tool && json && typeof json === 'object' ? json : item;
}

/** Every task this item's creates made in this execution (earlier tries included). */
export function itemTaskIds(ctx: IExecuteFunctions, scope: CreateScope, itemIndex: number): string[] {
	return scope.ledger.taskIds(itemKey(scope, itemIndex), inputItem(ctx, itemIndex, scope));
}

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

const PRICE_CODES = new Set([6006, 6009, 6010]);

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

/** Credits in words, for errors. */
const credits = (n: number) => `${n} credit${n === 1 ? '' : 's'}`;

/**
 * Creates the task of one item, at most once per execution (see the file header). Uploads happen
 * here, after the budget check and before the create.
 */
export async function createForItem(
	ctx: IExecuteFunctions,
	client: ImaClient,
	scope: CreateScope,
	itemIndex: number,
	prepared: PreparedCreate,
): Promise<CreatedTask> {
	const { ledger } = scope;
	const key = itemKey(scope, itemIndex);
	const item = inputItem(ctx, itemIndex, scope);
	const preparedHash = shortHash(fingerprint(prepared.plan.body));
	// No try of this item in this process: what the stored execution says (resumed, or retried
	// from n8n's executions list) decides, for the same create body only.
	const decision = ledger.attempts(key).length ? decideCreate(ledger.attempts(key, item)) : ledger.storedDecision(scope.runIndex, itemIndex, preparedHash);
	const mirror = () => ledger.mirror(scope.runIndex, itemIndex, key, (id) => client.clean(id) === id, [preparedHash], item);
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

	let plan = prepared.plan;
	let version = prepared.version;
	let reloaded = false;
	let urls: string[] | undefined;
	let media: ResolvedSeedanceMedia | undefined;
	for (;;) {
		const max = ledger.noteLimit(scope.maxCredits ?? prepared.options.maxCredits);
		if (!ledger.reserve(plan.totalCredits, max)) {
			throw new ItemError(
				`Max Credits per Run (${max}) would be passed: this task costs ${credits(plan.totalCredits)} and this node has already committed ${credits(ledger.committed)} in this execution`,
				{
					parameter: 'options.maxCredits',
					charge: 'none',
					description: `Parameter: options.maxCredits. The task was refused before its create call: nothing was sent to IMA and nothing was charged for this item. Raise Max Credits per Run (0 = no limit) or make fewer or cheaper tasks.`,
				},
			);
		}
		if (urls === undefined) {
			let uploadFailure: unknown;
			try {
				if (prepared.seedance) {
					// Seedance 2.0: images, videos, audio and covers uploaded, then every input URL
					// passes IMA's asset check before the create (a refusal: nothing charged).
					media = await uploadSeedanceMedia(ctx, client, itemIndex, prepared.seedance);
					await verifySeedanceMedia(client, media);
					urls = media.inputs.map((m) => m.url);
				} else {
					urls = takesImages(prepared.taskType) ? await resolveImageUrls(ctx, client, itemIndex, prepared.images) : [];
				}
			} catch (error) {
				uploadFailure = error;
			}
			if (uploadFailure !== undefined) {
				ledger.release(plan.totalCredits);
				throw uploadFailure;
			}
		}
		const bodyHash = fingerprint(plan.body);
		const attempt = ledger.record(key, { outcome: 'sending', credits: plan.totalCredits, bodyHash, item });
		mirror();
		if (client.cancelled) {
			attempt.outcome = 'refused';
			ledger.release(plan.totalCredits);
			mirror();
			throw new ItemError('The execution was cancelled before the create request was sent', {
				charge: 'none',
				description: 'Nothing was sent to IMA and nothing was charged.',
			});
		}
		let failure: unknown;
		scope.stats?.touched.add(itemIndex);
		// No task of this create can be older than this (the schedule of its checks counts from here).
		const sentAt = Date.now();
		try {
			const task = await sendCreate(client, plan, prepared.taskType, urls ?? [], media);
			const taskId = usableTaskId(task.id);
			if (!taskId) {
				attempt.outcome = 'maybe';
				mirror();
				const raw = JSON.stringify(task.id) ?? String(task.id);
				const shown = raw.length > 200 ? `${raw.slice(0, 200)}… (${raw.length} characters)` : raw;
				throw new ItemError(`IMA accepted the create but sent no usable task id (${shown}): the task may have been created on IMA`, {
					api: true,
					charge: 'maybe',
					description: MAY_EXIST,
				});
			}
			attempt.outcome = 'created';
			attempt.taskId = taskId;
			const timeoutAt = Number(task.timeout_at);
			if (Number.isFinite(timeoutAt) && timeoutAt > 0) attempt.timeoutAt = timeoutAt;
			mirror();
			if (scope.stats) scope.stats.created++;
			const createdAt = Number(task.created_at);
			// The task id outlives a killed worker in n8n's log (never the key).
			// A log line leaves the node: the one redaction (helpers/redact.ts) applies to it.
			ctx.logger?.info(client.clean(createdLogLine(ctx, attempt.taskId, itemIndex)));
			return { id: attempt.taskId, timeoutAt: attempt.timeoutAt, createdAt: Number.isFinite(createdAt) && createdAt > 0 ? createdAt : undefined, sentAt, plan, version, reused: false };
		} catch (error) {
			failure = error;
		}
		if (failure instanceof ItemError) throw failure;
		const e = failure instanceof ImaRequestError ? failure : undefined;
		const noTask = e !== undefined && createMadeNoTask(e);
		if (noTask) {
			attempt.outcome = 'refused';
			ledger.release(plan.totalCredits);
		} else {
			attempt.outcome = 'maybe';
		}
		mirror();
		if (e && e.info.kind === 'business' && e.info.imaCode !== undefined && PRICE_CODES.has(e.info.imaCode) && !reloaded) {
			// IMA's price list changed since it was loaded: reload it and send once more (safe: a
			// refused create made no task). Bad settings against the fresh list fail as input errors.
			reloaded = true;
			let versions: ModelVersion[] | undefined;
			let reloadFailure: unknown;
			try {
				versions = await client.products(prepared.taskType, { reload: true });
			} catch (error) {
				reloadFailure = error;
			}
			if (!versions) {
				const why = reloadFailure instanceof Error ? reloadFailure.message : String(reloadFailure);
				throw new ItemError(`IMA refused the price (code ${e.info.imaCode}), and reloading its product list failed: ${why}`, {
					api: true,
					charge: 'none',
					imaCode: e.info.imaCode,
					description: 'No task was made and nothing was charged. Run the item again when IMA answers.',
				});
			}
			const fresh = findModelVersion(versions, version.id);
			if (!fresh) {
				throw inputError('model', `Model "${version.id}" is no longer offered for ${prepared.taskType} (IMA refused its price with code ${e.info.imaCode}, and the reloaded model list no longer has it)`);
			}
			version = fresh;
			plan = planFor(version, prepared.taskType, prepared.prompt, prepared.settings, prepared.options, prepared.images);
			continue;
		}
		throw explainCreateFailure(failure, reloaded);
	}
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

const MAY_EXIST =
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
