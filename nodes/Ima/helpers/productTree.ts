/** Walking IMA's product tree: version nodes (type "3") at any depth. */
import type { ImaCreditRule, ImaProductNode, ModelVersion } from './types';

function isVersionNode(node: ImaProductNode): node is ModelVersion {
	return String(node.type) === '3';
}

/** A product list the node cannot use (not a list, nested absurdly deep, too large). */
export class ProductListError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'ProductListError';
	}
}

/** IMA's trees are 2–4 levels deep; anything past this is refused, not walked. */
export const MAX_PRODUCT_DEPTH = 32;
/** Nodes walked at most in one list. */
export const MAX_PRODUCT_NODES = 100_000;

const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

const kindOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/**
 * Collects every version node of the tree, depth first, in the order IMA lists them.
 * The seed client looked two levels deep and missed deeper models; this walks any depth up to
 * MAX_PRODUCT_DEPTH, without recursion (a hostile tree cannot overflow the stack). Version nodes
 * without a string `id` and `model_id` are skipped; list fields that are not lists are emptied.
 * Throws ProductListError when `nodes` is not a list or the tree is too deep or too large.
 */
export function flattenProductTree(nodes: unknown): ModelVersion[] {
	if (!Array.isArray(nodes)) throw new ProductListError(`its data is not a list (got ${kindOf(nodes)})`);
	const out: ModelVersion[] = [];
	const seen = new Set<unknown>();
	const stack: Array<{ list: unknown[]; next: number }> = [{ list: nodes, next: 0 }];
	let walked = 0;
	while (stack.length) {
		const top = stack[stack.length - 1];
		if (top.next >= top.list.length) {
			stack.pop();
			continue;
		}
		const node = top.list[top.next++] as ImaProductNode;
		if (!node || typeof node !== 'object' || Array.isArray(node) || seen.has(node)) continue;
		seen.add(node);
		if (++walked > MAX_PRODUCT_NODES) throw new ProductListError(`it has more than ${MAX_PRODUCT_NODES} entries`);
		if (isVersionNode(node) && isNonEmptyString(node.id) && isNonEmptyString(node.model_id)) {
			for (const field of ['credit_rules', 'form_config', 'tags'] as const) {
				if (node[field] !== undefined && node[field] !== null && !Array.isArray(node[field])) node[field] = [];
			}
			out.push(node);
		}
		const children = (node as { children?: unknown }).children;
		if (Array.isArray(children) && children.length) {
			if (stack.length >= MAX_PRODUCT_DEPTH) {
				throw new ProductListError(`it is nested deeper than ${MAX_PRODUCT_DEPTH} levels`);
			}
			stack.push({ list: children, next: 0 });
		}
	}
	return out;
}

/**
 * Finds a model version by its version id (`id`, sent as `model_version`), or by `model_id`
 * (then the first version of that model in the list). Case and surrounding spaces are ignored
 * only when no exact match exists.
 */
export function findModelVersion(versions: ModelVersion[], idOrModelId: string): ModelVersion | undefined {
	const wanted = String(idOrModelId ?? '').trim();
	if (!wanted) return undefined;
	const exact =
		versions.find((v) => v.id === wanted) ?? versions.find((v) => v.model_id === wanted);
	if (exact) return exact;
	const lower = wanted.toLowerCase();
	return (
		versions.find((v) => v.id.toLowerCase() === lower) ??
		versions.find((v) => v.model_id.toLowerCase() === lower)
	);
}

export function tagValue(version: ImaProductNode, tagType: string): string | undefined {
	return (version.tags ?? []).find((t) => t.tag_type === tagType)?.tag_value;
}

/** The expected generation time IMA shows, e.g. "20~35s". */
export function expectedTime(version: ImaProductNode): string | undefined {
	return tagValue(version, 'EET');
}

export function groupName(version: ImaProductNode): string {
	return String(version.group_name ?? version.parent_id ?? '');
}

/** "5", "4–13": the price range in credits from the rules (falls back to the `point` tag). */
export function priceRange(version: ImaProductNode): string | undefined {
	const points = (version.credit_rules ?? [])
		.map((r: ImaCreditRule) => Number(r.points))
		.filter((p) => Number.isFinite(p));
	if (points.length) {
		const min = Math.min(...points);
		const max = Math.max(...points);
		return min === max ? `${min}` : `${min}–${max}`;
	}
	return tagValue(version, 'point');
}

/** One line for the model list: "SeeDream 4.5 · SeeDream · 5 credits · 20~40s". */
export function describeModel(version: ModelVersion): string {
	const parts = [version.name];
	const group = groupName(version);
	if (group && group !== version.name) parts.push(group);
	const price = priceRange(version);
	if (price) parts.push(`${price} credits`);
	const eet = expectedTime(version);
	if (eet) parts.push(eet);
	return parts.join(' · ');
}
