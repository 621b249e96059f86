// @ts-check
'use strict';
/**
 * Engine test harness: runs an n8n workflow JSON (as exported from the editor) in n8n-core's
 * real `WorkflowExecute`, with the nodes of a built community-node package, a credentials
 * helper that applies the credential type's `authenticate` block, real lifecycle hooks and
 * either inline or filesystem binary data.
 *
 * Plain CommonJS on purpose: used by jest tests, examples/ and bench/ without a build step.
 * Pinned to n8n-core / n8n-workflow 2.11.1 (the last line that runs on Node 20).
 * See test/harness/README.md.
 */

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { AsyncLocalStorage } = require('node:async_hooks');

// ---------------------------------------------------------------------------------------------
// Environment: must be in place BEFORE n8n-core is required / its DI services are created,
// otherwise n8n-core writes its config (and encryption key) into ~/.n8n.
// ---------------------------------------------------------------------------------------------
/**
 * A process that dies without its 'exit' event (a jest worker killed at a timeout, a mutation
 * run's bail) leaves its folder behind, with the binary data of its runs (a resume test stores
 * 300 MB): the folders of processes that are gone are removed when a harness starts.
 */
function sweepDeadHarnesses() {
	for (const name of fs.readdirSync(os.tmpdir())) {
		const pid = Number(/^n8n-harness-(\d+)-/.exec(name)?.[1]);
		if (!pid || pid === process.pid) continue;
		try {
			process.kill(pid, 0); // alive (or not ours to signal: EPERM below)
			continue;
		} catch (error) {
			if (/** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM') continue;
		}
		fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
	}
}
try {
	sweepDeadHarnesses();
} catch {
	/* a folder another harness removes at the same time */
}
const HARNESS_TMP = fs.mkdtempSync(path.join(os.tmpdir(), `n8n-harness-${process.pid}-`));
const USER_FOLDER = path.join(HARNESS_TMP, 'user');
const BINARY_DATA_DIR = path.join(HARNESS_TMP, 'binaryData');
fs.mkdirSync(USER_FOLDER, { recursive: true });
process.env.N8N_USER_FOLDER = USER_FOLDER;
process.env.N8N_ENCRYPTION_KEY = process.env.N8N_ENCRYPTION_KEY || 'n8n-harness-throwaway-encryption-key';
process.env.N8N_BINARY_DATA_STORAGE_PATH = BINARY_DATA_DIR;
// n8n's Logger prints `info` by default; only errors unless the caller asks for more.
process.env.N8N_LOG_LEVEL = process.env.N8N_LOG_LEVEL || 'error';
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
process.env.N8N_VERSION_NOTIFICATIONS_ENABLED = 'false';
// The settings file is created in a fresh temp folder; don't warn about its permissions.
process.env.N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS = process.env.N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS || 'false';

// Resolve n8n-workflow and @n8n/di through n8n-core so all three are the copies n8n-core uses.
const CORE_DIR = path.dirname(require.resolve('n8n-core/package.json'));
/** @param {string} id */
const requireFromCore = (id) => require(require.resolve(id, { paths: [CORE_DIR] }));

/** @type {typeof import('n8n-core')} */
const core = require('n8n-core');
/** @type {typeof import('n8n-workflow')} */
const wf = requireFromCore('n8n-workflow');
/** @type {typeof import('@n8n/di')} */
const di = requireFromCore('@n8n/di');

const {
	WorkflowExecute,
	ExecutionLifecycleHooks,
	ExternalSecretsProxy,
	PackageDirectoryLoader,
	BinaryDataService,
	Credentials,
	InstanceSettings,
} = core;
const { Container } = di;
const { Workflow, NodeHelpers, ICredentialsHelper, NodeOperationError, isExpression } = wf;

/**
 * @typedef {import('n8n-workflow').INodeType} INodeType
 * @typedef {import('n8n-workflow').IVersionedNodeType} IVersionedNodeType
 * @typedef {import('n8n-workflow').INodeTypes} INodeTypes
 * @typedef {import('n8n-workflow').ICredentialType} ICredentialType
 * @typedef {import('n8n-workflow').ICredentialDataDecryptedObject} ICredentialDataDecryptedObject
 * @typedef {import('n8n-workflow').INodeExecutionData} INodeExecutionData
 * @typedef {import('n8n-workflow').IBinaryData} IBinaryData
 * @typedef {import('n8n-workflow').IRun} IRun
 * @typedef {import('n8n-workflow').IRunData} IRunData
 * @typedef {import('n8n-workflow').INode} INode
 * @typedef {import('n8n-workflow').IHttpRequestOptions} IHttpRequestOptions
 * @typedef {import('n8n-workflow').IWorkflowExecuteAdditionalData} IWorkflowExecuteAdditionalData
 * @typedef {import('n8n-workflow').IExecuteFunctions} IExecuteFunctions
 * @typedef {import('n8n-workflow').ITriggerFunctions} ITriggerFunctions
 * @typedef {import('n8n-workflow').IDataObject} IDataObject
 * @typedef {'default' | 'filesystem'} BinaryDataMode
 */

const DEFAULT_PACKAGE_DIR = path.resolve(__dirname, '../..');
const DEFAULT_TIMEOUT_MS = 120000;
const BASE_URL = 'http://localhost:5678';

// ---------------------------------------------------------------------------------------------
// Stand-ins for the n8n-nodes-base nodes that example workflows use. They are NOT the real
// nodes (n8n-nodes-base is not installed): they only mimic the behaviour the examples rely on,
// under the real type names and versions so exported workflows run unchanged.
// ---------------------------------------------------------------------------------------------

/** STAND-IN for n8n-nodes-base.manualTrigger v1: emits one empty item, like the real one. */
const manualTriggerStandIn = {
	description: {
		displayName: 'When clicking ‘Execute workflow’ (harness stand-in)',
		name: 'manualTrigger',
		group: ['trigger'],
		version: 1,
		description: 'Harness stand-in for n8n-nodes-base.manualTrigger',
		eventTriggerDescription: '',
		maxNodes: 1,
		defaults: { name: 'When clicking ‘Execute workflow’' },
		inputs: [],
		outputs: ['main'],
		properties: [],
	},
	/** @this {ITriggerFunctions} */
	async trigger() {
		const manualTriggerFunction = async () => {
			this.emit([this.helpers.returnJsonArray([{}])]);
		};
		return { manualTriggerFunction };
	},
};

/** STAND-IN for n8n-nodes-base.noOp v1: items in → items out. */
const noOpStandIn = {
	description: {
		displayName: 'No Operation, do nothing (harness stand-in)',
		name: 'noOp',
		group: ['organization'],
		version: 1,
		description: 'Harness stand-in for n8n-nodes-base.noOp',
		defaults: { name: 'No Operation, do nothing' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [],
	},
	/** @this {IExecuteFunctions} */
	async execute() {
		return [this.getInputData()];
	},
};

const UNIT_MS = /** @type {Record<string, number>} */ ({ seconds: 1000, minutes: 60000, hours: 3600000, days: 86400000 });
const WAIT_STANDIN_MAX_MS = 50;

/**
 * STAND-IN for n8n-nodes-base.wait (v1, 1.1): passes items through after sleeping
 * min(amount × unit, 50 ms). The real Wait node really pauses the execution (in-process for
 * intervals under ~65 s, otherwise by putting the execution into the `waiting` state; webhook/
 * form/specific-time resumes always wait). This stand-in never enters `waiting`.
 */
const waitStandIn = {
	description: {
		displayName: 'Wait (harness stand-in)',
		name: 'wait',
		group: ['organization'],
		version: [1, 1.1],
		description: 'Harness stand-in for n8n-nodes-base.wait (sleeps at most 50 ms)',
		defaults: { name: 'Wait' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [
			{ displayName: 'Resume', name: 'resume', type: 'string', default: 'timeInterval' },
			{ displayName: 'Amount', name: 'amount', type: 'number', default: 1 },
			{ displayName: 'Unit', name: 'unit', type: 'string', default: 'seconds' },
		],
	},
	/** @this {IExecuteFunctions} */
	async execute() {
		const amount = Number(this.getNodeParameter('amount', 0, 1)) || 0;
		const unit = String(this.getNodeParameter('unit', 0, 'seconds'));
		const ms = Math.min(amount * (UNIT_MS[unit] ?? 1000), WAIT_STANDIN_MAX_MS);
		// n8n-workflow's own sleep (a test clock replaces it: test/support/testClock.js); ends early on cancel.
		await wf.sleepWithAbort(Math.max(ms, 0), this.getExecutionCancelSignal()).catch(() => undefined);
		return [this.getInputData()];
	},
};

/** @param {unknown} value @param {string} type */
function convertSetValue(value, type) {
	switch (type) {
		case 'number':
			return typeof value === 'number' ? value : Number(value);
		case 'boolean':
			return typeof value === 'boolean' ? value : String(value).toLowerCase() === 'true';
		case 'array':
		case 'object':
			return typeof value === 'string' ? JSON.parse(value) : value;
		case 'string':
			return value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
		default:
			return value;
	}
}

/** @param {Record<string, any>} target @param {string} dotted @param {unknown} value */
function setByPath(target, dotted, value) {
	const keys = dotted.split('.');
	let obj = target;
	for (const key of keys.slice(0, -1)) {
		if (typeof obj[key] !== 'object' || obj[key] === null) obj[key] = {};
		obj = obj[key];
	}
	obj[keys[keys.length - 1]] = value;
}

/**
 * STAND-IN for n8n-nodes-base.set ("Edit Fields") v3.x, mode `manual` only: for each item,
 * evaluates `assignments.assignments[]` ({name, value, type}; values may be expressions, resolved
 * per item by `getNodeParameter`) and outputs them; input fields are kept only with
 * `includeOtherFields: true` (v3.3+ default false), binary is kept only then too. Dotted names
 * create nested fields unless `options.dotNotation === false`.
 */
const setStandIn = {
	description: {
		displayName: 'Edit Fields (Set) (harness stand-in)',
		name: 'set',
		group: ['input'],
		version: [3, 3.1, 3.2, 3.3, 3.4],
		description: 'Harness stand-in for n8n-nodes-base.set (manual mode only)',
		defaults: { name: 'Edit Fields' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [
			{ displayName: 'Mode', name: 'mode', type: 'string', default: 'manual' },
			{ displayName: 'Assignments', name: 'assignments', type: 'assignmentCollection', default: {} },
			{ displayName: 'Include Other Input Fields', name: 'includeOtherFields', type: 'boolean', default: false },
			{ displayName: 'Options', name: 'options', type: 'json', default: {} },
		],
	},
	/** @this {IExecuteFunctions} */
	async execute() {
		const items = this.getInputData();
		/** @type {INodeExecutionData[]} */
		const out = [];
		for (let i = 0; i < items.length; i++) {
			const mode = this.getNodeParameter('mode', i, 'manual');
			if (mode !== 'manual') {
				throw new NodeOperationError(this.getNode(), `Set stand-in supports mode "manual" only, got "${mode}"`, { itemIndex: i });
			}
			const assignments = /** @type {Array<{name: string, value: unknown, type?: string}>} */ (
				this.getNodeParameter('assignments.assignments', i, [])
			);
			const includeOther = Boolean(this.getNodeParameter('includeOtherFields', i, false));
			const options = /** @type {IDataObject} */ (this.getNodeParameter('options', i, {}) || {});
			/** @type {IDataObject} */
			const json = includeOther ? JSON.parse(JSON.stringify(items[i].json)) : {};
			for (const a of assignments) {
				const v = convertSetValue(a.value, a.type ?? 'string');
				if (options.dotNotation === false) json[a.name] = /** @type {any} */ (v);
				else setByPath(json, a.name, v);
			}
			/** @type {INodeExecutionData} */
			const item = { json, pairedItem: { item: i } };
			if (includeOther && items[i].binary) item.binary = items[i].binary;
			out.push(item);
		}
		return [out];
	},
};

/** STAND-IN for n8n-nodes-base.stickyNote: canvas annotation, never executed. */
const stickyNoteStandIn = {
	description: {
		displayName: 'Sticky Note (harness stand-in)',
		name: 'stickyNote',
		group: ['input'],
		version: 1,
		description: 'Harness stand-in for n8n-nodes-base.stickyNote',
		defaults: { name: 'Sticky Note' },
		inputs: [],
		outputs: [],
		properties: [
			{ displayName: 'Content', name: 'content', type: 'string', default: '' },
			{ displayName: 'Height', name: 'height', type: 'number', default: 160 },
			{ displayName: 'Width', name: 'width', type: 'number', default: 240 },
			{ displayName: 'Color', name: 'color', type: 'number', default: 1 },
		],
	},
};

/** The stand-ins by full type name. @type {Record<string, INodeType>} */
const STAND_INS = /** @type {any} */ ({
	'n8n-nodes-base.manualTrigger': manualTriggerStandIn,
	'n8n-nodes-base.noOp': noOpStandIn,
	'n8n-nodes-base.wait': waitStandIn,
	'n8n-nodes-base.set': setStandIn,
	'n8n-nodes-base.stickyNote': stickyNoteStandIn,
});

// ---------------------------------------------------------------------------------------------
// Node types registry
// ---------------------------------------------------------------------------------------------

/** Per-run sink for the original error objects thrown by node `execute()` methods. */
const errorSink = new AsyncLocalStorage();
/** @type {WeakMap<object, INodeType>} */
const wrappedTypes = new WeakMap();

/**
 * The engine keeps only a spread copy of a thrown error (`{...e, message, stack}`), losing the
 * class. Wrap `execute` to remember the original object for the run that is executing.
 * @param {INodeType} nodeType
 * @returns {INodeType}
 */
function wrapForErrorCapture(nodeType) {
	if (typeof nodeType.execute !== 'function') return nodeType;
	const cached = wrappedTypes.get(nodeType);
	if (cached) return cached;
	const original = nodeType.execute;
	/** @type {INodeType} */
	const wrapped = Object.create(nodeType);
	wrapped.execute = /** @this {IExecuteFunctions} */ async function (...args) {
		try {
			return await original.apply(this, /** @type {any} */ (args));
		} catch (error) {
			const sink = errorSink.getStore();
			if (sink) sink.set(this.getNode().name, error);
			throw error;
		}
	};
	wrappedTypes.set(nodeType, wrapped);
	return wrapped;
}

/**
 * Builds an `INodeTypes` registry from full type names (`<package>.<node name>`).
 * @param {Record<string, INodeType | IVersionedNodeType>} [extraTypes]
 * @param {{ standIns?: boolean }} [options] standIns (default true): include the n8n-nodes-base stand-ins
 * @returns {INodeTypes & { types: Record<string, INodeType | IVersionedNodeType> }}
 */
function createNodeTypes(extraTypes = {}, { standIns = true } = {}) {
	/** @type {Record<string, INodeType | IVersionedNodeType>} */
	const types = { ...(standIns ? STAND_INS : {}), ...extraTypes };
	// n8n gives every node with `usableAsTool` a tool variant "<type>Tool" that runs the same
	// execute() when an AI Agent calls it. Registered here the same way (the agent itself is not).
	for (const [name, t] of Object.entries(types)) {
		const description = /** @type {any} */ (t).description;
		if (description?.usableAsTool && !types[`${name}Tool`]) {
			types[`${name}Tool`] = Object.assign(Object.create(t), {
				description: { ...description, name: `${description.name}Tool`, displayName: `${description.displayName} Tool` },
			});
		}
	}
	return {
		types,
		getByName(nodeType) {
			const t = types[nodeType];
			if (!t) throw unknownNodeTypeError(nodeType, types);
			return t;
		},
		getByNameAndVersion(nodeType, version) {
			const t = types[nodeType];
			if (!t) throw unknownNodeTypeError(nodeType, types);
			return wrapForErrorCapture(NodeHelpers.getVersionedNodeType(t, version));
		},
		getKnownTypes() {
			return {};
		},
	};
}

/** @param {string} name @param {Record<string, unknown>} types */
function unknownNodeTypeError(name, types) {
	return new Error(
		`harness: unknown node type "${name}". Known types: ${Object.keys(types).sort().join(', ')}. ` +
			'Community nodes are "<package.json name>.<description.name>".',
	);
}

/**
 * @typedef {object} LoadedPackage
 * @property {string} packageName
 * @property {string} packageDir
 * @property {Record<string, INodeType | IVersionedNodeType>} nodeTypes by full name `<package>.<node>`
 * @property {Record<string, ICredentialType>} credentialTypes by credential type name
 */

/** @type {Map<string, Promise<LoadedPackage>>} */
const packageCache = new Map();

/**
 * Loads a built community-node package with n8n-core's PackageDirectoryLoader (cached per dir).
 * @param {string} [packageDir]
 * @returns {Promise<LoadedPackage>}
 */
function loadPackageNodeTypes(packageDir = DEFAULT_PACKAGE_DIR) {
	const dir = path.resolve(packageDir);
	let p = packageCache.get(dir);
	if (!p) {
		p = (async () => {
			ensureContainer();
			const loader = new PackageDirectoryLoader(dir);
			try {
				await loader.loadAll();
			} catch (error) {
				const e = /** @type {Error} */ (error);
				e.message = `harness: could not load community package at ${dir} (is it built? \`npm run build\`): ${e.message}`;
				throw e;
			}
			/** @type {Record<string, INodeType | IVersionedNodeType>} */
			const nodeTypes = {};
			for (const [name, data] of Object.entries(loader.nodeTypes)) {
				nodeTypes[`${loader.packageName}.${name}`] = data.type;
			}
			/** @type {Record<string, ICredentialType>} */
			const credentialTypes = {};
			for (const [name, data] of Object.entries(loader.credentialTypes)) credentialTypes[name] = data.type;
			return { packageName: loader.packageName, packageDir: dir, nodeTypes, credentialTypes };
		})();
		p.catch(() => packageCache.delete(dir));
		packageCache.set(dir, p);
	}
	return p;
}

// ---------------------------------------------------------------------------------------------
// Credentials helper
// ---------------------------------------------------------------------------------------------

/**
 * Deep-resolves `={{ ... }}` strings (keys and values) with `$credentials` available.
 * @param {unknown} value @param {(s: string) => unknown} resolve
 * @returns {unknown}
 */
function resolveDeep(value, resolve) {
	if (typeof value === 'string') return isExpression(value) ? resolve(value) : value;
	if (Array.isArray(value)) return value.map((v) => resolveDeep(v, resolve));
	if (value && typeof value === 'object') {
		/** @type {Record<string, unknown>} */
		const out = {};
		for (const [k, v] of Object.entries(value)) out[String(resolveDeep(k, resolve))] = resolveDeep(v, resolve);
		return out;
	}
	return value;
}

/**
 * ICredentialsHelper for tests: credential values come from memory, keyed by credential TYPE
 * name; any node credential id/name resolves to them. `authenticate` applies the credential
 * type's generic block (headers, qs, body, auth; expressions resolved with `$credentials`) or
 * calls its `authenticate` function, like n8n's CLI CredentialsHelper.
 */
class HarnessCredentialsHelper extends ICredentialsHelper {
	/**
	 * @param {Record<string, ICredentialType>} credentialTypes
	 * @param {Record<string, ICredentialDataDecryptedObject>} values
	 */
	constructor(credentialTypes, values) {
		super();
		this.credentialTypes = credentialTypes;
		/** @type {Record<string, ICredentialDataDecryptedObject>} */
		this.values = JSON.parse(JSON.stringify(values || {}));
		/** Every authenticate() call: {type, node, options (after auth)} — handy in tests. */
		/** @type {Array<{type: string, nodeName?: string, requestOptions: IHttpRequestOptions}>} */
		this.authenticated = [];
	}

	/** @param {string} name @returns {ICredentialType} */
	getType(name) {
		const t = this.credentialTypes[name];
		if (!t) {
			throw new Error(
				`harness: unknown credential type "${name}". Known: ${Object.keys(this.credentialTypes).join(', ') || '(none)'}`,
			);
		}
		return t;
	}

	/** @param {string} name @returns {string[]} */
	getParentTypes(name) {
		const t = this.credentialTypes[name];
		/** @type {string[]} */
		const out = [];
		for (const parent of t?.extends ?? []) out.push(parent, ...this.getParentTypes(parent));
		return out;
	}

	/** @param {string} type */
	getCredentialsProperties(type) {
		const t = this.getType(type);
		if (!t.extends) return t.properties;
		/** @type {import('n8n-workflow').INodeProperties[]} */
		const combined = [];
		for (const parent of t.extends) {
			if (this.credentialTypes[parent]) NodeHelpers.mergeNodeProperties(combined, this.getCredentialsProperties(parent));
		}
		NodeHelpers.mergeNodeProperties(combined, t.properties);
		return combined;
	}

	/** @param {import('n8n-workflow').INodeCredentialsDetails} nodeCredentials @param {string} type */
	rawValues(nodeCredentials, type) {
		const data = this.values[type];
		if (!data) {
			// ApplicationError: lands in the result (status 'error') without n8n's ErrorReporter logging it.
			throw new wf.ApplicationError(
				`harness: no credential values for type "${type}" (node credential "${nodeCredentials?.name ?? ''}", ` +
					`id ${nodeCredentials?.id ?? 'none'}). Pass runWorkflow({ credentials: { ${type}: {...} } }).`,
				{ level: 'warning' },
			);
		}
		return JSON.parse(JSON.stringify(data));
	}

	/**
	 * @param {IWorkflowExecuteAdditionalData} _additionalData
	 * @param {import('n8n-workflow').INodeCredentialsDetails} nodeCredentials
	 * @param {string} type
	 * @param {import('n8n-workflow').WorkflowExecuteMode} mode
	 * @param {import('n8n-workflow').IExecuteData} [_executeData]
	 * @param {boolean} [raw]
	 * @param {import('n8n-workflow').ICredentialsExpressionResolveValues} [expressionResolveValues]
	 */
	async getDecrypted(_additionalData, nodeCredentials, type, mode, _executeData, raw, expressionResolveValues) {
		const data = this.rawValues(nodeCredentials, type);
		if (raw) return data;
		// Defaults for properties the caller did not give (like n8n's applyDefaultsAndOverwrites).
		const withDefaults = /** @type {ICredentialDataDecryptedObject} */ (
			NodeHelpers.getNodeParameters(this.getCredentialsProperties(type), data, true, false, null, null) ?? {}
		);
		const decrypted = /** @type {ICredentialDataDecryptedObject} */ ({ ...data, ...withDefaults });
		const hasExpression = Object.values(decrypted).some((v) => isExpression(v));
		if (hasExpression && expressionResolveValues) {
			const mockNode = { name: '', typeVersion: 1, type: 'mock', position: [0, 0], parameters: {} };
			return /** @type {ICredentialDataDecryptedObject} */ (
				expressionResolveValues.workflow.expression.getComplexParameterValue(
					/** @type {any} */ (mockNode),
					/** @type {any} */ (decrypted),
					mode,
					{},
					undefined,
					undefined,
					decrypted,
				)
			);
		}
		return decrypted;
	}

	/** @param {import('n8n-workflow').INodeCredentialsDetails} nodeCredentials @param {string} type */
	async getCredentials(nodeCredentials, type) {
		const credentials = new Credentials({ id: nodeCredentials?.id ?? null, name: nodeCredentials?.name ?? '' }, type);
		credentials.setData(this.rawValues(nodeCredentials, type));
		return credentials;
	}

	/** @param {unknown} _nodeCredentials @param {string} type @param {ICredentialDataDecryptedObject} data */
	async updateCredentials(_nodeCredentials, type, data) {
		this.values[type] = JSON.parse(JSON.stringify(data));
	}

	/** @param {unknown} nodeCredentials @param {string} type @param {ICredentialDataDecryptedObject} data */
	async updateCredentialsOauthTokenData(nodeCredentials, type, data) {
		await this.updateCredentials(nodeCredentials, type, { ...(this.values[type] ?? {}), ...data });
	}

	/**
	 * Like n8n: runs the type's `preAuthentication` when its expirable hidden property is empty
	 * or the credentials expired (401), stores the result and returns it.
	 * @param {import('n8n-workflow').IHttpRequestHelper} helpers
	 * @param {ICredentialDataDecryptedObject} credentials
	 * @param {string} typeName
	 * @param {INode} _node
	 * @param {boolean} credentialsExpired
	 */
	async preAuthentication(helpers, credentials, typeName, _node, credentialsExpired) {
		const t = this.getType(typeName);
		if (typeof t.preAuthentication !== 'function') return undefined;
		const expirable = t.properties.find((p) => p.type === 'hidden' && p.typeOptions?.expirable === true);
		if (!expirable) return undefined;
		if (credentials[expirable.name] !== '' && credentials[expirable.name] !== undefined && !credentialsExpired) {
			return undefined;
		}
		const output = await t.preAuthentication.call(helpers, credentials);
		if (!output || output[expirable.name] === undefined) return undefined;
		this.values[typeName] = /** @type {ICredentialDataDecryptedObject} */ ({ ...(this.values[typeName] ?? {}), ...output });
		return /** @type {ICredentialDataDecryptedObject} */ (Object.assign(credentials, output));
	}

	/**
	 * @param {ICredentialDataDecryptedObject} credentials
	 * @param {string} typeName
	 * @param {IHttpRequestOptions | import('n8n-workflow').IRequestOptionsSimplified} incoming
	 * @param {import('n8n-workflow').Workflow} workflow
	 * @param {INode} node
	 * @returns {Promise<IHttpRequestOptions>}
	 */
	async authenticate(credentials, typeName, incoming, workflow, node) {
		/** @type {any} */
		let requestOptions = incoming;
		const t = this.getType(typeName);
		const auth = t.authenticate;
		if (typeof auth === 'function') {
			requestOptions = await auth.call(t, credentials, requestOptions);
		} else if (auth && typeof auth === 'object' && auth.type === 'generic') {
			/** @param {string} expr */
			const resolve = (expr) => {
				const v = workflow.expression.getSimpleParameterValue(node, expr, 'internal', { $credentials: credentials }, undefined, '');
				return v === undefined || v === null || v === '' ? '' : typeof v === 'object' ? v : String(v);
			};
			if (requestOptions.headers === undefined) requestOptions.headers = {};
			for (const [outerKey, outerValue] of Object.entries(auth.properties)) {
				const resolved = /** @type {Record<string, unknown>} */ (resolveDeep(outerValue, resolve));
				const current = requestOptions[outerKey];
				requestOptions[outerKey] =
					current && typeof current === 'object' && !Buffer.isBuffer(current) ? { ...current, ...resolved } : { ...resolved };
			}
		}
		this.authenticated.push({ type: typeName, nodeName: node?.name, requestOptions });
		return requestOptions;
	}
}

// ---------------------------------------------------------------------------------------------
// DI container / binary data
// ---------------------------------------------------------------------------------------------

let containerReady = false;
function ensureContainer() {
	if (containerReady) return;
	// Creating InstanceSettings writes <N8N_USER_FOLDER>/.n8n/config (our temp folder).
	Container.get(InstanceSettings);
	// n8n-core's SSHClientsManager (created with the first trigger/execute context) starts a
	// 60 s setInterval that keeps the process alive after the tests/demo are done: unref it.
	try {
		const { SSHClientsManager } = requireFromCore('n8n-core/dist/execution-engine/ssh-clients-manager');
		const manager = /** @type {any} */ (Container.get(SSHClientsManager));
		manager.cleanupTimer?.unref?.();
	} catch {
		/* internal path moved in another n8n-core version: nothing to unref */
	}
	containerReady = true;
}

/** @type {BinaryDataMode | undefined} */
let currentBinaryMode;
let activeRuns = 0;

/**
 * The BinaryDataService is a process-wide DI singleton whose mode is read at `init()`:
 * re-init with another mode between runs. Runs that overlap must use the same mode.
 * @param {BinaryDataMode} mode
 */
async function configureBinaryMode(mode) {
	if (mode !== 'default' && mode !== 'filesystem') {
		throw new Error(`harness: binaryDataMode must be 'default' or 'filesystem', got ${JSON.stringify(mode)}`);
	}
	if (currentBinaryMode === mode) return;
	if (activeRuns > 0) {
		throw new Error(
			`harness: cannot switch binaryDataMode to '${mode}' while ${activeRuns} run(s) in '${currentBinaryMode}' mode are active ` +
				'(BinaryDataService is a process-wide singleton). Run them one after another.',
		);
	}
	const service = Container.get(BinaryDataService);
	const config = /** @type {any} */ (service).config;
	config.mode = mode;
	config.localStoragePath = BINARY_DATA_DIR;
	// mode 'default' → no manager for it → prepareBinaryData keeps base64 inline.
	// mode 'filesystem' → 'filesystem-v2' manager writes under BINARY_DATA_DIR, items get `id`s.
	// init() always registers the filesystem manager, so ids from earlier runs stay readable.
	await service.init();
	currentBinaryMode = mode;
}

/**
 * Returns the bytes of an IBinaryData from an output item, inline (base64) or stored (id).
 * @param {IBinaryData} binary
 * @returns {Promise<Buffer>}
 */
async function readBinary(binary) {
	if (!binary) throw new Error('harness: readBinary() needs an IBinaryData');
	if (binary.id) return await Container.get(BinaryDataService).getAsBuffer(binary);
	return Buffer.from(binary.data, wf.BINARY_ENCODING);
}

/**
 * Path on disk of a stored binary (filesystem mode), or undefined for inline binaries.
 * @param {IBinaryData} binary
 */
function binaryPath(binary) {
	return binary?.id ? Container.get(BinaryDataService).getPath(binary.id) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/** @param {unknown} value @param {WeakSet<object>} [seen] @param {number} [depth] @returns {unknown} */
function toPlain(value, seen = new WeakSet(), depth = 0) {
	if (value === null || typeof value !== 'object') return typeof value === 'function' ? undefined : value;
	if (Buffer.isBuffer(value)) return `<Buffer ${value.length} bytes>`;
	if (seen.has(value) || depth > 6) return '[Circular]';
	seen.add(value);
	if (Array.isArray(value)) return value.map((v) => toPlain(v, seen, depth + 1));
	/** @type {Record<string, unknown>} */
	const out = {};
	for (const [k, v] of Object.entries(value)) {
		const p = toPlain(v, seen, depth + 1);
		if (p !== undefined) out[k] = p;
	}
	seen.delete(value);
	return out;
}

/**
 * Plain, JSON-safe copy of an error (thrown object or the engine's copy).
 * @param {any} error
 */
function serializeError(error) {
	if (!error) return undefined;
	/** @type {Record<string, unknown>} */
	const out = {
		name: error.name ?? error.constructor?.name,
		message: error.message,
		description: error.description ?? undefined,
		context: toPlain(error.context) ?? undefined,
		httpCode: error.httpCode ?? undefined,
		level: error.level ?? undefined,
		functionality: error.functionality ?? undefined,
		nodeName: error.node?.name ?? undefined,
		timestamp: error.timestamp ?? undefined,
		cause: error.cause ? { name: error.cause.name, message: error.cause.message, ...(/** @type {object} */ (toPlain(error.cause)) || {}) } : undefined,
		stack: error.stack,
	};
	for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
	return /** @type {Record<string, unknown>} */ (JSON.parse(JSON.stringify(out)));
}

// ---------------------------------------------------------------------------------------------
// runWorkflow
// ---------------------------------------------------------------------------------------------

let executionCounter = 0;

/** @param {unknown[] | undefined} items */
function normalizePinItems(items) {
	return (items ?? []).map((item) =>
		item && typeof item === 'object' && 'json' in item ? item : { json: /** @type {IDataObject} */ (item) },
	);
}

/**
 * @typedef {object} RunWorkflowOptions
 * @property {{name?: string, id?: string, nodes: Array<Record<string, any>>, connections: Record<string, any>, pinData?: Record<string, unknown[]>, settings?: Record<string, any>, staticData?: IDataObject}} workflow
 *   workflow JSON as exported from the editor (or JSON.parse'd from a file)
 * @property {Record<string, ICredentialDataDecryptedObject>} [credentials] values by credential TYPE name
 * @property {string} [packageDir] built community package (default: the repo root)
 * @property {BinaryDataMode} [binaryDataMode] 'default' (inline base64) | 'filesystem' (on disk)
 * @property {Record<string, unknown[]>} [pinData] overrides workflow.pinData
 * @property {number} [cancelAfterMs] call `.cancel()` on the execution after this many ms
 * @property {Promise<unknown>} [cancelWhen] call `.cancel()` on the execution when this resolves
 * @property {number} [timeoutMs] safety timeout (default 120000): cancels and rejects
 * @property {Record<string, INodeType | IVersionedNodeType>} [extraNodeTypes] more node types by full name
 * @property {string} [destinationNode] run only up to (and including) this node
 * @property {import('n8n-workflow').IRunExecutionData} [resumeData] continue a stored execution in a
 *   NEW WorkflowExecute (`processRunExecutionData`), as n8n does after a long Wait or for a retry;
 *   pass the stored data through JSON first, as the database does (see test/harness/durable.js)
 * @property {string} [executionId] the execution's id (a resume keeps the id of the execution)
 * @property {import('n8n-workflow').WorkflowExecuteMode} [mode] default 'manual'
 */

/**
 * @typedef {object} RunWorkflowResult
 * @property {'success' | 'error' | 'canceled' | 'waiting'} status
 * @property {any} error the error thrown by the failing node (original object) or the engine's copy
 * @property {Record<string, unknown> | undefined} errorJson plain serialized copy of `error`
 * @property {string | undefined} errorNode name of the node that failed
 * @property {Record<string, INodeExecutionData[]>} outputs last run, main output 0, per node
 * @property {Record<string, INodeExecutionData[][]>} outputsAll last run, all main outputs, per node
 * @property {IRunData} runData raw resultData.runData
 * @property {IRun | undefined} run the full IRun from WorkflowExecute
 * @property {string[]} nodeExecutionOrder node names in the order nodeExecuteAfter fired
 * @property {number} durationMs
 * @property {number | undefined} cancelLatencyMs ms between `.cancel()` and the run settling
 * @property {string} executionId
 * @property {HarnessCredentialsHelper} credentialsHelper (its `.authenticated` lists auth'd requests)
 * @property {(binary: IBinaryData) => Promise<Buffer>} readBinary
 */

/**
 * Runs an n8n workflow JSON (as exported from the n8n editor) in n8n-core's WorkflowExecute.
 * @param {RunWorkflowOptions} options
 * @returns {Promise<RunWorkflowResult>}
 */
async function runWorkflow(options) {
	const {
		workflow: workflowJson,
		credentials = {},
		packageDir = DEFAULT_PACKAGE_DIR,
		binaryDataMode = 'default',
		cancelAfterMs,
		cancelWhen,
		timeoutMs = DEFAULT_TIMEOUT_MS,
		extraNodeTypes = {},
		destinationNode,
		resumeData,
		mode = 'manual',
	} = options;
	if (!workflowJson || !Array.isArray(workflowJson.nodes)) throw new Error('harness: workflow.nodes[] is required');

	ensureContainer();
	const pkg = packageDir ? await loadPackageNodeTypes(packageDir) : undefined;
	const nodeTypes = createNodeTypes({ ...(pkg?.nodeTypes ?? {}), ...extraNodeTypes });
	const nodes = /** @type {INode[]} */ (JSON.parse(JSON.stringify(workflowJson.nodes)));
	for (const node of nodes) {
		if (!nodeTypes.types[node.type]) throw unknownNodeTypeError(node.type, nodeTypes.types);
	}

	await configureBinaryMode(binaryDataMode);
	activeRuns++;
	try {
		const rawPin = options.pinData ?? workflowJson.pinData;
		/** @type {import('n8n-workflow').IPinData | undefined} */
		const pinData = rawPin
			? Object.fromEntries(Object.entries(rawPin).map(([k, v]) => [k, /** @type {any} */ (normalizePinItems(v))]))
			: undefined;

		const executionId = options.executionId ?? `harness-${process.pid}-${++executionCounter}`;
		const workflowId = workflowJson.id ? String(workflowJson.id) : 'harness-workflow';
		const settings = { executionOrder: /** @type {'v1'} */ ('v1'), ...(workflowJson.settings ?? {}) };
		const workflow = new Workflow({
			id: workflowId,
			name: workflowJson.name ?? 'harness workflow',
			nodes,
			connections: JSON.parse(JSON.stringify(workflowJson.connections ?? {})),
			nodeTypes,
			active: false,
			settings,
			staticData: workflowJson.staticData,
			pinData,
		});

		const credentialTypes = { ...(pkg?.credentialTypes ?? {}) };
		const credentialsHelper = new HarnessCredentialsHelper(credentialTypes, credentials);

		const workflowData = /** @type {import('n8n-workflow').IWorkflowBase} */ ({
			id: workflowId,
			name: workflow.name ?? '',
			active: false,
			activeVersionId: null,
			isArchived: false,
			nodes,
			connections: workflow.connectionsBySourceNode,
			settings,
			pinData,
			createdAt: new Date(),
			updatedAt: new Date(),
		});
		const hooks = new ExecutionLifecycleHooks(mode, executionId, workflowData);
		/** @type {string[]} */
		const nodeExecutionOrder = [];
		hooks.addHandler('nodeExecuteAfter', (nodeName) => {
			nodeExecutionOrder.push(nodeName);
		});

		const additionalData = /** @type {IWorkflowExecuteAdditionalData} */ (
			/** @type {unknown} */ ({
				hooks,
				credentialsHelper,
				executionId,
				currentNodeExecutionIndex: 0,
				restApiUrl: `${BASE_URL}/rest`,
				instanceBaseUrl: `${BASE_URL}/`,
				formWaitingBaseUrl: `${BASE_URL}/form-waiting`,
				webhookBaseUrl: `${BASE_URL}/webhook`,
				webhookWaitingBaseUrl: `${BASE_URL}/webhook-waiting`,
				webhookTestBaseUrl: `${BASE_URL}/webhook-test`,
				variables: {},
				userId: undefined,
				currentNodeParameters: undefined,
				executionTimeoutTimestamp: undefined,
				externalSecretsProxy: new ExternalSecretsProxy(),
				logAiEvent: () => {},
				setExecutionStatus: () => {},
				sendDataToUI: () => {},
				executeWorkflow: async () => {
					throw new Error('harness: sub-workflow execution (Execute Workflow node) is not supported');
				},
				getRunExecutionData: async () => undefined,
				startRunnerTask: async () => {
					throw new Error('harness: task runners (Code node) are not supported');
				},
			})
		);

		const workflowExecute = resumeData ? new WorkflowExecute(additionalData, mode, resumeData) : new WorkflowExecute(additionalData, mode);
		/** @type {Map<string, unknown>} */
		const thrownByNode = new Map();
		const startedAt = Date.now();
		/** @type {number | undefined} */
		let cancelRequestedAt;
		/** @type {IRun | undefined} */
		let run;
		/** @type {any} */
		let setupError;

		/** @type {ReturnType<import('n8n-core').WorkflowExecute['run']> | undefined} */
		let execution;
		try {
			execution = errorSink.run(thrownByNode, () =>
				resumeData
					? workflowExecute.processRunExecutionData(workflow)
					: workflowExecute.run({
							workflow,
							pinData,
							destinationNode: destinationNode ? { nodeName: destinationNode, mode: 'inclusive' } : undefined,
						}),
			);
		} catch (error) {
			// e.g. WorkflowHasIssuesError (thrown synchronously before the run starts): add the details.
			setupError = error;
			const issues = workflowExecute.checkReadyForExecution(workflow, {
				pinDataNodeNames: Object.keys(pinData ?? {}),
			});
			if (issues) setupError.issues = issues;
			if (issues) setupError.description = `Workflow issues: ${JSON.stringify(issues)}`;
		}

		if (execution) {
			const exec = execution;
			/** @type {NodeJS.Timeout | undefined} */
			let cancelTimer;
			/** @type {NodeJS.Timeout | undefined} */
			let timeoutTimer;
			if (cancelAfterMs !== undefined) {
				cancelTimer = setTimeout(() => {
					cancelRequestedAt = Date.now();
					exec.cancel();
				}, cancelAfterMs);
			}
			let settled = false;
			if (cancelWhen) {
				void Promise.resolve(cancelWhen).then(() => {
					if (settled) return;
					cancelRequestedAt = Date.now();
					exec.cancel();
				});
			}
			const timeout = new Promise((_resolve, reject) => {
				timeoutTimer = setTimeout(() => {
					exec.cancel();
					reject(new Error(`harness: workflow did not finish within ${timeoutMs} ms (execution canceled)`));
				}, timeoutMs);
			});
			try {
				run = /** @type {IRun} */ (await Promise.race([exec, timeout]));
			} finally {
				settled = true;
				clearTimeout(cancelTimer);
				clearTimeout(timeoutTimer);
			}
		}
		const finishedAt = Date.now();

		const runData = run?.data?.resultData?.runData ?? {};
		/** @type {Record<string, INodeExecutionData[]>} */
		const outputs = {};
		/** @type {Record<string, INodeExecutionData[][]>} */
		const outputsAll = {};
		for (const [nodeName, tasks] of Object.entries(runData)) {
			const last = tasks[tasks.length - 1];
			const main = /** @type {INodeExecutionData[][]} */ ((last?.data?.main ?? []).map((o) => o ?? []));
			outputsAll[nodeName] = main;
			outputs[nodeName] = main[0] ?? [];
		}

		const engineError = run?.data?.resultData?.error;
		const errorNode = engineError ? run?.data?.resultData?.lastNodeExecuted : undefined;
		const original = errorNode ? thrownByNode.get(errorNode) : undefined;
		const error = setupError ?? original ?? engineError;

		/** @type {RunWorkflowResult['status']} */
		let status;
		if (cancelRequestedAt !== undefined || run?.status === 'canceled') status = 'canceled';
		else if (setupError || engineError || run?.status === 'error' || run?.status === 'crashed') status = 'error';
		else if (run?.status === 'waiting') status = 'waiting';
		else status = 'success';

		return {
			status,
			error,
			errorJson: serializeError(error),
			errorNode: setupError ? undefined : errorNode,
			outputs,
			outputsAll,
			runData,
			run,
			nodeExecutionOrder,
			durationMs: finishedAt - startedAt,
			cancelLatencyMs: cancelRequestedAt !== undefined ? finishedAt - cancelRequestedAt : undefined,
			executionId,
			credentialsHelper,
			readBinary,
		};
	} finally {
		activeRuns--;
	}
}

// ---------------------------------------------------------------------------------------------
// Cleanup
// ---------------------------------------------------------------------------------------------

let stopped = false;
/** Removes the harness temp folder (user folder + stored binaries). Safe to call twice. */

/**
 * Calls one of a node's editor methods (listSearch / loadOptions / resourceMapping) the way the
 * n8n editor does: in n8n-core's LoadOptionsContext, with the node's current parameters and the
 * harness credentials helper.
 * @param {{ kind: 'listSearch' | 'loadOptions' | 'resourceMapping', method: string, nodeType?: string,
 *   parameters: Record<string, unknown>, credentials?: Record<string, Record<string, unknown>>,
 *   packageDir?: string, filter?: string, path?: string }} options
 */
async function callNodeMethod(options) {
	ensureContainer();
	const pkg = await loadPackageNodeTypes(options.packageDir ?? DEFAULT_PACKAGE_DIR);
	const nodeTypes = createNodeTypes(pkg.nodeTypes);
	const type = options.nodeType ?? Object.keys(pkg.nodeTypes)[0];
	const firstCred = Object.keys(pkg.credentialTypes)[0];
	const node = /** @type {INode} */ (/** @type {unknown} */ ({
		id: 'method-node', name: 'Node', type, typeVersion: 1, position: [0, 0],
		parameters: JSON.parse(JSON.stringify(options.parameters)),
		credentials: firstCred ? { [firstCred]: { id: 'cred', name: 'credential' } } : undefined,
	}));
	const workflow = new Workflow({ id: 'methods', nodes: [node], connections: {}, nodeTypes, active: false });
	const credentialsHelper = new HarnessCredentialsHelper({ ...pkg.credentialTypes }, options.credentials ?? {});
	const additionalData = /** @type {IWorkflowExecuteAdditionalData} */ (/** @type {unknown} */ ({
		credentialsHelper, currentNodeParameters: node.parameters, restApiUrl: `${BASE_URL}/rest`, instanceBaseUrl: `${BASE_URL}/`,
		webhookBaseUrl: `${BASE_URL}/webhook`, webhookWaitingBaseUrl: `${BASE_URL}/webhook-waiting`, webhookTestBaseUrl: `${BASE_URL}/webhook-test`,
		formWaitingBaseUrl: `${BASE_URL}/form-waiting`, variables: {}, externalSecretsProxy: new ExternalSecretsProxy(), logAiEvent: () => {},
	}));
	const ctx = new core.LoadOptionsContext(workflow, node, additionalData, options.path ?? 'parameters');
	const nodeType = /** @type {any} */ (nodeTypes.getByNameAndVersion(type, 1));
	const fn = nodeType?.methods?.[options.kind]?.[options.method];
	if (typeof fn !== 'function') throw new Error(`harness: ${type} has no methods.${options.kind}.${options.method}`);
	return await fn.call(ctx, options.filter);
}

function stopHarness() {
	if (stopped) return;
	stopped = true;
	try {
		fs.rmSync(HARNESS_TMP, { recursive: true, force: true });
	} catch {
		/* ignore */
	}
}
process.once('exit', stopHarness);

/** @returns {{ root: string, userFolder: string, binaryDataDir: string }} */
function harnessPaths() {
	return { root: HARNESS_TMP, userFolder: USER_FOLDER, binaryDataDir: BINARY_DATA_DIR };
}

module.exports = {
	callNodeMethod,
	runWorkflow,
	loadPackageNodeTypes,
	createNodeTypes,
	readBinary,
	binaryPath,
	serializeError,
	stopHarness,
	harnessPaths,
	HarnessCredentialsHelper,
	STAND_INS,
	DEFAULT_PACKAGE_DIR,
	// same module instances n8n-core uses (handy for tests: errors, sleep, Container)
	n8nWorkflow: wf,
	n8nCore: core,
	Container,
};
