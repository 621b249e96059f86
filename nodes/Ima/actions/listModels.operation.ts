/** List Models: one item per model version of a task type, with parameters and prices. */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { describeRule } from '../helpers/credit';
import { modelFields } from '../helpers/formFields';
import { expectedTime, groupName } from '../helpers/productTree';
import type { ModelVersion } from '../helpers/types';
import { isTaskType, TASK_TYPES } from '../helpers/taskTypes';
import { taskTypeField } from './descriptions';
import { inputError } from '../run/errors';
import { clientFor, runItems } from '../run/scheduler';

/** How List Models orders its items; `default` keeps IMA's order (what saved workflows got). */
export const SORT_ORDERS = ['default', 'nameAsc', 'nameDesc', 'priceAsc', 'priceDesc'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

// List Models loads nothing while editing, so its task type may be an expression (one list per item).
const properties: INodeProperties[] = [
	{ ...taskTypeField, noDataExpression: false },
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Sort By',
				name: 'sortBy',
				type: 'options',
				options: [
					{ name: "IMA's Order", value: 'default', description: 'The order IMA lists the models in' },
					{ name: 'Name (A to Z)', value: 'nameAsc' },
					{ name: 'Name (Z to A)', value: 'nameDesc' },
					{ name: 'Price: Cheapest First', value: 'priceAsc', description: "By each model's lowest price (its cheapest settings), in credits" },
					{ name: 'Price: Most Expensive First', value: 'priceDesc', description: "By each model's lowest price (its cheapest settings), in credits" },
				],
				default: 'default',
				description: 'The order of the output items. Models without a price come last either way; equal ones keep IMA\'s order.',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { operation: ['listModels'] } }, properties);

export function modelSummary(version: ModelVersion, taskType: string): IDataObject {
	return {
		id: version.id,
		modelId: version.model_id,
		name: version.name,
		group: groupName(version),
		description: version.description ?? '',
		taskType,
		expectedTime: expectedTime(version) ?? null,
		parameters: modelFields(version, taskType).map((f) => {
			const p: IDataObject = { name: f.id, label: f.label, type: f.kind };
			if (f.description) p.description = f.description;
			if (f.options) p.options = f.options.map((o) => o.value);
			if (f.default !== undefined) p.default = f.default;
			if (f.virtual) p.sentAs = f.target;
			for (const key of ['min', 'max', 'maxLength'] as const) if (f[key] !== undefined) p[key] = f[key];
			return p;
		}),
		...priceRange(version),
		prices: (version.credit_rules ?? []).map((r) => {
			const attributes = { ...(r.attributes ?? {}) } as IDataObject;
			const isDefault = attributes.default === 'enabled';
			delete attributes.default;
			return { credits: r.points, attributeId: r.attribute_id, attributes, default: isDefault, summary: describeRule(r) };
		}),
	};
}

/** The lowest and highest credits of a model's price rules (null when it has none). */
function priceRange(version: ModelVersion): { minCredits: number | null; maxCredits: number | null } {
	const points = (version.credit_rules ?? []).map((r) => Number(r.points)).filter((n) => Number.isFinite(n));
	return points.length ? { minCredits: Math.min(...points), maxCredits: Math.max(...points) } : { minCredits: null, maxCredits: null };
}

/**
 * Orders model summaries (modelSummary's items). Pure and stable: equal keys keep IMA's order;
 * models without a price come last in both price orders.
 */
export function sortModels(models: IDataObject[], sortBy: SortOrder): IDataObject[] {
	if (sortBy === 'default') return models;
	const indexed = models.map((m, i) => ({ m, i }));
	const name = (m: IDataObject) => String(m.name ?? m.id ?? '');
	const price = (m: IDataObject) => (typeof m.minCredits === 'number' ? m.minCredits : undefined);
	indexed.sort((a, b) => {
		let d = 0;
		if (sortBy === 'nameAsc' || sortBy === 'nameDesc') {
			d = name(a.m).localeCompare(name(b.m), 'en', { sensitivity: 'base', numeric: true });
			if (sortBy === 'nameDesc') d = -d;
		} else {
			const pa = price(a.m);
			const pb = price(b.m);
			if (pa === undefined || pb === undefined) d = pa === undefined ? (pb === undefined ? 0 : 1) : -1;
			else d = sortBy === 'priceAsc' ? pa - pb : pb - pa;
		}
		return d || a.i - b.i;
	});
	return indexed.map((x) => x.m);
}

/** Options › Sort By of an item, checked (an expression may give anything). */
function readSortBy(ctx: IExecuteFunctions, i: number): SortOrder {
	const raw = ctx.getNodeParameter('options.sortBy', i, 'default') as unknown;
	if (typeof raw === 'string' && (SORT_ORDERS as readonly string[]).includes(raw)) return raw as SortOrder;
	throw inputError('options.sortBy', `Sort By "${String(raw).slice(0, 40)}" is not known`, `Allowed values: ${SORT_ORDERS.join(', ')}.`);
}

/** Whether the saved Task Type is an expression (then each item may ask for another list). */
export function taskTypeIsExpression(ctx: IExecuteFunctions): boolean {
	const raw = (ctx.getNode().parameters ?? {}).taskType;
	return typeof raw === 'string' && raw.startsWith('=');
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const client = await clientFor(this);
	const perItem = taskTypeIsExpression(this);
	return await runItems(this, {
		client,
		concurrency: 1,
		prepare: async (i) => {
			if (!perItem && i > 0) return undefined; // a fixed task type: one list per execution
			const taskType = String(this.getNodeParameter('taskType', i, 'text_to_image'));
			if (!isTaskType(taskType)) {
				throw inputError('taskType', `Task Type "${taskType.slice(0, 60)}" is not known`, `Allowed values: ${TASK_TYPES.join(', ')}.`);
			}
			return { taskType, sortBy: readSortBy(this, i) };
		},
		run: async (_i, req) =>
			req === undefined ? [] : sortModels((await client.products(req.taskType)).map((v) => modelSummary(v, req.taskType)), req.sortBy).map((json) => ({ json })),
	});
}
