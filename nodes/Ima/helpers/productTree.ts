/** Walking IMA's product tree: version nodes (type "3") at any depth. */
import type { ImaCreditRule, ImaProductNode, ModelVersion } from './types';

function isVersionNode(node: ImaProductNode): node is ModelVersion {
	return String(node.type) === '3';
}

/**
 * Collects every version node of the tree, depth first, in the order IMA lists them.
 * The seed client looked two levels deep and missed deeper models; this walks any depth.
 */
export function flattenProductTree(nodes: unknown): ModelVersion[] {
	const out: ModelVersion[] = [];
	const seen = new Set<unknown>();
	const walk = (list: unknown) => {
		if (!Array.isArray(list)) return;
		for (const node of list as ImaProductNode[]) {
			if (!node || typeof node !== 'object' || seen.has(node)) continue;
			seen.add(node);
			if (isVersionNode(node)) out.push(node);
			if (node.children) walk(node.children);
		}
	};
	walk(nodes);
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
