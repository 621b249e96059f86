// @ts-check
'use strict';

/**
 * Product lists of the simulator: loading the flat version lists from disk, building the tree
 * the API answers with, and the server-side rules of a create call (option checks, credit rule).
 */

const fs = require('node:fs');
const path = require('node:path');

/** @typedef {Record<string, any>} VersionNode a `type: "3"` node as in the fixtures */
/** @typedef {{points: number, origin_point?: number, attribute_id: number, attributes: Record<string, unknown>}} CreditRule */
/**
 * @typedef {object} Catalog
 * @property {any[]} tree the product-list `data` (groups and versions)
 * @property {string} treeJson `tree` serialised once
 * @property {VersionNode[]} versions every version, in depth-first tree order
 * @property {Map<string, VersionNode>} byId version id → node
 */

const DEFAULT_PRODUCTS_DIR = path.join(__dirname, 'products');

/**
 * Where some versions sit in the tree, whatever the category: `path` = nested sub-groups
 * (type "2") under the model's group, `top` = directly at the top level. Depth counts the
 * top-level node as 1, so a path of two sub-groups puts the version at depth 4, where a client
 * that flattens two levels (IMA's Python example) does not look.
 * @type {Record<string, {path?: string[], top?: boolean}>}
 */
const TREE_LAYOUT = {
	'gemini-3-pro-image-preview': { path: ['Nano Banana Pro', 'Preview'] }, // depth 4
	'doubao-seedance-1-5-pro-251215': { path: ['Seedance 1.x'] }, // depth 3
	'Pixverse V3.5': { path: ['Legacy', 'V3'] }, // depth 4
	'sora-2-pro': { top: true }, // depth 1
	'gensong-v1': { path: ['Songs'] }, // depth 3
};

/**
 * Builds the tree from a flat version list: one group node per `group_name` (in order of first
 * appearance), with the layout above applied.
 * @param {VersionNode[]} versions
 * @returns {any[]}
 */
function buildTree(versions) {
	/** @type {any[]} */
	const top = [];
	/** @type {Map<string, any>} */
	const groups = new Map();
	for (const v of versions) {
		const layout = TREE_LAYOUT[v.id] || {};
		if (layout.top) {
			top.push(v);
			continue;
		}
		const groupName = String(v.group_name || v.parent_id || v.name);
		let group = groups.get(groupName);
		if (!group) {
			group = { id: String(v.parent_id || groupName), type: '2', name: groupName, children: [] };
			groups.set(groupName, group);
			top.push(group);
		}
		let parent = group;
		for (const sub of layout.path || []) {
			let next = parent.children.find((/** @type {any} */ c) => c.type === '2' && c.name === sub);
			if (!next) {
				next = { id: `${parent.id}/${sub}`, type: '2', name: sub, parent_id: parent.id, children: [] };
				parent.children.push(next);
			}
			parent = next;
		}
		parent.children.push(v);
	}
	return top;
}

/**
 * Every `type: "3"` node of a tree, depth first, at any depth (iterative: a hostile tree nested
 * thousands deep does not overflow the stack).
 * @param {any[]} nodes
 * @param {VersionNode[]} [out]
 * @returns {VersionNode[]}
 */
function flattenTree(nodes, out = []) {
	/** @type {any[]} */
	const stack = Array.isArray(nodes) ? [...nodes].reverse() : [];
	while (stack.length) {
		const n = stack.pop();
		if (!n || typeof n !== 'object') continue;
		if (n.type === '3') out.push(n);
		if (Array.isArray(n.children)) for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
	}
	return out;
}

/**
 * The catalogue of a served tree, or null when `data` is not a normal tree (an array of objects).
 * @param {unknown} data
 * @returns {Catalog | null}
 */
function catalogOf(data) {
	if (!Array.isArray(data) || !data.every((n) => n && typeof n === 'object' && !Array.isArray(n))) return null;
	const versions = flattenTree(data);
	/** @type {Map<string, VersionNode>} */
	const byId = new Map();
	for (const v of versions) if (!byId.has(String(v.id))) byId.set(String(v.id), v);
	return { tree: data, treeJson: JSON.stringify(data), versions, byId };
}

/**
 * Loads every `products_<category>.json` of a directory. A file holding a flat list of versions
 * gets a tree built; a file that already is a tree (has `type: "2"` nodes) is used as it is.
 * @param {string} [dir]
 * @returns {Map<string, Catalog>}
 */
function loadCatalogs(dir = DEFAULT_PRODUCTS_DIR) {
	/** @type {Map<string, Catalog>} */
	const catalogs = new Map();
	for (const file of fs.readdirSync(dir).sort()) {
		const m = /^products_([a-z0-9_]+)\.json$/.exec(file);
		if (!m) continue;
		/** @type {any[]} */
		const data = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
		if (!Array.isArray(data)) throw new Error(`${file}: expected a JSON array`);
		const isTree = data.some((n) => n && (n.type === '2' || Array.isArray(n.children)));
		catalogs.set(m[1], /** @type {Catalog} */ (catalogOf(isTree ? data : buildTree(data))));
	}
	return catalogs;
}

// ---- server-side rules -----------------------------------------------------------------------

/**
 * IMA's normalisation: booleans to "true"/"false", anything else String(v).trim().toUpperCase().
 * @param {unknown} v
 * @returns {string}
 */
function norm(v) {
	if (typeof v === 'boolean') return v ? 'true' : 'false';
	return String(v).trim().toUpperCase();
}

/**
 * @param {Record<string, unknown>} params
 * @param {string} key
 */
function present(params, key) {
	return Object.prototype.hasOwnProperty.call(params, key) && params[key] !== undefined && params[key] !== null;
}

/**
 * Whether a rule is the fallback one (`attributes: {default: "enabled"}`).
 * @param {unknown} rule
 * @returns {boolean}
 */
function isDefaultRule(rule) {
	const attrs = rule && typeof rule === 'object' ? /** @type {any} */ (rule).attributes : undefined;
	return !!attrs && typeof attrs === 'object' && Object.prototype.hasOwnProperty.call(attrs, 'default');
}

/**
 * The conditions of a rule: its attributes without `default`.
 * @param {CreditRule} rule
 * @returns {[string, unknown][]}
 */
function conditionsOf(rule) {
	const attrs = rule && rule.attributes && typeof rule.attributes === 'object' ? rule.attributes : {};
	return Object.entries(attrs).filter(([key]) => key !== 'default');
}

/**
 * The credit rule the SERVER charges for the nested parameters that were sent, read from the API
 * README alone ("Rule attributes are sent"): the server does not guess. It takes the first rule
 * without `default` whose every condition is met by a sent parameter (both sides normalised with
 * `norm`; an absent or null parameter meets nothing); failing that, the `{default: "enabled"}`
 * rule; failing that, nothing, and the create is refused with 6009. The "most matches, else
 * credit_rules[0]" fallback of the README belongs to IMA's client, which then sends the chosen
 * rule's attributes: a client that does not is refused here.
 * @param {CreditRule[]} rules
 * @param {Record<string, unknown>} sent
 * @returns {CreditRule | null}
 */
function ruleChargedFor(rules, sent) {
	if (!Array.isArray(rules)) return null;
	const usable = rules.filter((r) => r && typeof r === 'object');
	const meets = (/** @type {[string, unknown]} */ [key, wanted]) => present(sent, key) && norm(sent[key]) === norm(wanted);
	const exact = usable.find((r) => !isDefaultRule(r) && conditionsOf(r).every(meets));
	if (exact) return exact;
	return usable.find(isDefaultRule) || null;
}

/**
 * Checks every nested parameter that is a `tags` form field of the model (the sent field: for
 * virtual fields the field itself, e.g. SeeDream `size`, Kling `mode`): its value must be one of
 * the field's option values (for a virtual field also a target value of its value_mapping), and
 * not disabled for the category by `disabled_conditions` (`enum_value` equal to the value, or
 * "*" for the whole field). Keys that are not form fields are ignored. A field that carries a
 * condition of the charged rule with exactly the rule's value is not checked. The UI fields of a
 * virtual field or group (`ui_params`) are never accepted as parameters: IMA's runtime
 * writes the chosen rule's attributes into the parameters even where the form disables the
 * field (Midjourney's `resolution` in text_to_image), and the server sells that combination.
 * @param {VersionNode} version
 * @param {string} category
 * @param {Record<string, unknown>} params
 * @param {CreditRule | null} [charged] the rule `ruleChargedFor` picked for these parameters
 * @returns {string | null} an error message naming the field and its allowed values, or null
 */
function checkOptions(version, category, params, charged = null) {
	// Virtual fields and groups: their UI fields (e.g. quality + channels) are the client's; the
	// server only knows the field they are sent as (audio_setting).
	const formFields = new Set((version.form_config || []).map((/** @type {any} */ f) => f && f.field));
	for (const f of version.form_config || []) {
		if (!f || !f.is_ui_virtual || !Array.isArray(f.ui_params)) continue;
		for (const ui of f.ui_params) {
			if (ui && typeof ui.field === 'string' && !formFields.has(ui.field) && present(params, ui.field)) {
				return `invalid parameter ${ui.field}: a UI field of ${f.field}; send ${f.field} (one of the value_mapping target values)`;
			}
		}
	}
	const fromRule = new Map(charged ? conditionsOf(charged).map(([k, v]) => [k, norm(v)]) : []);
	for (const f of version.form_config || []) {
		if (!f || f.type !== 'tags' || typeof f.field !== 'string') continue;
		if (!present(params, f.field)) continue;
		const sent = params[f.field];
		if (fromRule.get(f.field) === norm(sent)) continue;
		const disabled = (f.disabled_conditions || []).filter(
			(/** @type {any} */ d) => d && d.category === category,
		);
		if (disabled.some((/** @type {any} */ d) => d.enum_value === '*')) {
			return `invalid parameter ${f.field}: the field is not available for ${category} (do not send it)`;
		}
		/** @type {unknown[]} */
		const values = (f.options || []).map((/** @type {any} */ o) => o && o.value);
		if (f.is_ui_virtual && f.value_mapping && Array.isArray(f.value_mapping.mapping_rules)) {
			for (const r of f.value_mapping.mapping_rules) {
				if (r && r.target_value !== undefined && !values.some((v) => norm(v) === norm(r.target_value))) {
					values.push(r.target_value);
				}
			}
		}
		const disabledValues = new Set(disabled.map((/** @type {any} */ d) => norm(d.enum_value)));
		const allowed = values.filter((v) => !disabledValues.has(norm(v)));
		if (!allowed.some((v) => norm(v) === norm(sent))) {
			const shown = typeof sent === 'string' ? `"${sent}"` : JSON.stringify(sent);
			const why = disabledValues.has(norm(sent)) ? ` (not available for ${category})` : '';
			return `invalid parameter ${f.field}: ${shown}${why}; allowed values: ${allowed.map(String).join(', ')}`;
		}
	}
	return null;
}

module.exports = {
	DEFAULT_PRODUCTS_DIR,
	TREE_LAYOUT,
	buildTree,
	flattenTree,
	catalogOf,
	loadCatalogs,
	norm,
	ruleChargedFor,
	isDefaultRule,
	conditionsOf,
	checkOptions,
};
