'use strict';
/**
 * BENCH BASELINE: "the seed's algorithm", i.e. IMA's own Python client
 * (shared/ima-api/python-client-examples.md), ported as faithfully as an n8n node allows:
 *
 * - items are processed one after another; for each: get_products(category) → create_task()
 *   with the product's credit_rules[0] and every form_config default → poll(): task detail,
 *   check, time.sleep(interval), at a fixed interval until every media has resource_status 1
 *   (or a timeout) → the media downloaded whole into memory (one Buffer) and handed to n8n with
 *   prepareBinaryData(buffer);
 * - Upload Image: prepare_image_url(): the whole binary read into one Buffer
 *   (getBinaryDataBuffer, like `open(path).read()`), get_upload_token() with the same 11 signed
 *   query parameters, then requests.put(ful, data=bytes);
 * - editor methods: a naive node with no cache, every call fetches the product list.
 *
 * Only the algorithm is the seed's: HTTP goes through n8n's helpers (httpRequestWithAuthentication
 * for the API, so the Bearer header comes from the same imaApi credential; plain httpRequest for
 * the upload service, storage and CDN) and the parameter names are the real node's, so one
 * workflow JSON drives both. Not a product: no validation, no retries, no error mapping (the
 * Python client has none either). Used only by bench/.
 */
const crypto = require('node:crypto');
const { NodeOperationError } = require('n8n-workflow');

const HEADERS = {
	'Content-Type': 'application/json',
	'x-app-source': 'ima_skills',
	x_app_language: 'en',
};
const APP_ID = 'webAgent';
const APP_KEY = '32jdskjdk320eew';

/** Python's time.sleep: not abortable. */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function credentials(ctx) {
	const c = await ctx.getCredentials('imaApi');
	const strip = (u, d) => String(u || d).replace(/\/+$/, '');
	return {
		apiKey: String(c.apiKey || ''),
		baseUrl: strip(c.baseUrl, 'https://api.imastudio.com'),
		uploadBaseUrl: strip(c.uploadBaseUrl, 'https://imapi.liveme.com'),
	};
}

async function api(ctx, creds, method, path, { qs, body } = {}) {
	const options = { method, url: `${creds.baseUrl}${path}`, headers: { ...HEADERS }, json: true };
	if (qs) options.qs = qs;
	if (body) options.body = body;
	// requests.get/post + r.raise_for_status(): httpRequest throws on HTTP errors.
	return await ctx.helpers.httpRequestWithAuthentication.call(ctx, 'imaApi', options);
}

/** get_products(): the product tree flattened two levels deep, type "3" nodes only. */
async function getProducts(ctx, creds, category) {
	const r = await api(ctx, creds, 'GET', '/open/v1/product/list', { qs: { app: 'ima', platform: 'web', category } });
	const nodes = r.data;
	const versions = [];
	for (const node of nodes) {
		for (const child of node.children || []) {
			if (child.type === '3') versions.push(child);
			for (const gc of child.children || []) {
				if (gc.type === '3') versions.push(gc);
			}
		}
	}
	return versions;
}

const OVERRIDABLE = ['size', 'aspect_ratio', 'quality', 'seed', 'duration', 'resolution', 'shot_type', 'negative_prompt', 'prompt_extend'];

/** create_task(): returns the task id. */
async function createTask(ctx, creds, taskType, prompt, product, extra) {
	const rule = product.credit_rules[0];
	const formDefaults = {};
	for (const f of product.form_config || []) if (f.value !== null && f.value !== undefined) formDefaults[f.field] = f.value;
	const nested = {
		prompt,
		n: 1,
		input_images: [],
		cast: { points: rule.points, attribute_id: rule.attribute_id },
		...formDefaults,
	};
	for (const k of OVERRIDABLE) if (k in extra) nested[k] = extra[k];
	const inputImages = extra.input_images || [];
	nested.input_images = inputImages;
	const param = {
		attribute_id: rule.attribute_id,
		model_id: product.model_id,
		model_name: product.name,
		model_version: product.id,
		app: 'ima',
		platform: 'web',
		category: taskType,
		credit: rule.points,
		parameters: nested,
	};
	const body = { task_type: taskType, enable_multi_model: false, src_img_url: inputImages, parameters: [param] };
	const r = await api(ctx, creds, 'POST', '/open/v1/tasks/create', { body });
	return r.data.id;
}

/** poll(): detail, check, sleep(interval), until every media is done. */
async function poll(ctx, creds, taskId, intervalMs, timeoutMs) {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		const r = await api(ctx, creds, 'POST', '/open/v1/tasks/detail', { body: { task_id: taskId } });
		const task = r.data;
		const medias = task.medias || [];
		if (medias.length) {
			if (medias.some((m) => m.status === 'failed')) throw new Error(`Task failed: ${taskId}`);
			if (medias.some((m) => m.resource_status === 2)) throw new Error(`Task failed (resource_status=2): ${taskId}`);
			if (medias.every((m) => m.resource_status === 1)) return task;
		}
		await sleep(intervalMs);
	}
	throw new Error(`Task timed out: ${taskId}`);
}

const MIME = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp', mp4: 'video/mp4', mp3: 'audio/mpeg' };

/** The whole file into one Buffer. */
async function downloadWhole(ctx, url) {
	const res = await ctx.helpers.httpRequest({ method: 'GET', url, encoding: 'arraybuffer', json: false, returnFullResponse: true });
	const body = Buffer.isBuffer(res.body) ? res.body : Buffer.from(res.body);
	return { body, contentType: res.headers['content-type'] };
}

/** _gen_sign() + get_upload_token(): the 11 query parameters. */
async function getUploadToken(ctx, creds, suffix, contentType) {
	const nonce = crypto.randomUUID().replace(/-/g, '').slice(0, 21);
	const ts = String(Math.floor(Date.now() / 1000));
	const sign = crypto.createHash('sha1').update(`${APP_ID}|${APP_KEY}|${ts}|${nonce}`).digest('hex').toUpperCase();
	const r = await ctx.helpers.httpRequest({
		method: 'GET',
		url: `${creds.uploadBaseUrl}/api/rest/oss/getuploadtoken`,
		qs: {
			appUid: creds.apiKey,
			appId: APP_ID,
			appKey: APP_KEY,
			cmimToken: creds.apiKey,
			sign,
			timestamp: ts,
			nonce,
			fService: 'privite',
			fType: 'picture',
			fSuffix: suffix,
			fContentType: contentType,
		},
		json: true,
	});
	return r.data;
}

function readModelRef(ctx, i) {
	const v = ctx.getNodeParameter('model', i, '', { extractValue: true });
	return String(v && typeof v === 'object' ? v.value : v || '').trim();
}

class ImaBaseline {
	constructor() {
		this.description = {
			displayName: 'IMA (seed baseline, bench only)',
			name: 'imaBaseline',
			group: ['transform'],
			version: 1,
			description: "IMA's Python client algorithm as an n8n node, for bench/ only",
			defaults: { name: 'IMA baseline' },
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: 'imaApi', required: true }],
			properties: [
				{
					displayName: 'Operation',
					name: 'operation',
					type: 'options',
					options: [
						{ name: 'Generate', value: 'generate' },
						{ name: 'Upload Image', value: 'uploadImage' },
					],
					default: 'generate',
				},
				{ displayName: 'Task Type', name: 'taskType', type: 'string', default: 'text_to_image' },
				{
					displayName: 'Model',
					name: 'model',
					type: 'resourceLocator',
					default: { mode: 'list', value: '' },
					modes: [
						{ displayName: 'From List', name: 'list', type: 'list', typeOptions: { searchListMethod: 'searchModels', searchable: true } },
						{ displayName: 'ID', name: 'id', type: 'string' },
					],
				},
				{ displayName: 'Prompt', name: 'prompt', type: 'string', default: '' },
				{
					displayName: 'Model Settings',
					name: 'modelSettings',
					type: 'resourceMapper',
					default: { mappingMode: 'defineBelow', value: null },
					typeOptions: {
						loadOptionsDependsOn: ['taskType', 'model.value'],
						resourceMapper: { resourceMapperMethod: 'getModelSettings', mode: 'add', addAllFields: true, multiKeyMatch: false, supportAutoMap: false },
					},
				},
				{ displayName: 'Input Binary Field', name: 'binaryPropertyName', type: 'string', default: 'data' },
				{
					displayName: 'Options',
					name: 'options',
					type: 'collection',
					default: {},
					options: [
						{ displayName: 'Poll Interval', name: 'pollInterval', type: 'number', default: 0 },
						{ displayName: 'Timeout', name: 'timeout', type: 'number', default: 0 },
						{ displayName: 'Put Output in Field', name: 'binaryPropertyName', type: 'string', default: 'data' },
					],
				},
			],
		};

		this.methods = {
			listSearch: {
				/** Naive: fetches the product list on every call. */
				async searchModels(filter) {
					const creds = await credentials(this);
					const taskType = String(this.getNodeParameter('taskType', 'text_to_image') || 'text_to_image');
					const q = String(filter || '').trim().toLowerCase();
					const results = (await getProducts(this, creds, taskType))
						.filter((p) => !q || [p.id, p.model_id, p.name].some((s) => String(s).toLowerCase().includes(q)))
						.map((p) => ({ name: p.name, value: p.id }));
					return { results };
				},
			},
			resourceMapping: {
				/** Naive: fetches the product list on every call. */
				async getModelSettings() {
					const creds = await credentials(this);
					const taskType = String(this.getNodeParameter('taskType', 'text_to_image') || 'text_to_image');
					const ref = this.getNodeParameter('model', '', { extractValue: true });
					const id = String(ref && typeof ref === 'object' ? ref.value : ref || '');
					const product = (await getProducts(this, creds, taskType)).find((p) => p.id === id || p.model_id === id);
					if (!product) return { fields: [] };
					return {
						fields: (product.form_config || []).map((f) => ({
							id: f.field,
							displayName: f.label || f.field,
							required: false,
							defaultMatch: false,
							display: true,
							type: 'string',
							defaultValue: f.value ?? null,
						})),
					};
				},
			},
		};
	}

	async execute() {
		const items = this.getInputData();
		const creds = await credentials(this);
		const out = [];
		for (let i = 0; i < items.length; i++) {
			const operation = this.getNodeParameter('operation', i);
			if (operation === 'uploadImage') {
				// prepare_image_url(): read the whole file, then upload it.
				const prop = String(this.getNodeParameter('binaryPropertyName', i, 'data'));
				const binary = this.helpers.assertBinaryData(i, prop);
				const bytes = await this.helpers.getBinaryDataBuffer(i, prop);
				const contentType = binary.mimeType || 'image/jpeg';
				const suffix = (binary.fileName && binary.fileName.includes('.') ? binary.fileName.split('.').pop() : 'jpeg').toLowerCase();
				const token = await getUploadToken(this, creds, suffix, contentType);
				// upload_to_oss(): requests.put(ful, data=image_bytes, headers={"Content-Type": ...})
				await this.helpers.httpRequest({ method: 'PUT', url: token.ful, body: bytes, headers: { 'Content-Type': contentType }, json: false });
				out.push({
					json: { url: token.fdl, fileName: binary.fileName, mimeType: contentType, fileSize: bytes.length },
					binary: items[i].binary,
					pairedItem: { item: i },
				});
				continue;
			}
			if (operation !== 'generate') throw new NodeOperationError(this.getNode(), `baseline: operation ${operation} is not ported`);
			const taskType = String(this.getNodeParameter('taskType', i));
			const prompt = String(this.getNodeParameter('prompt', i, ''));
			const ref = readModelRef(this, i);
			const ms = this.getNodeParameter('modelSettings', i, {});
			const extra = (ms && typeof ms === 'object' && ms.value) || {};
			const options = this.getNodeParameter('options', i, {});
			const video = taskType.endsWith('_video');
			// The Python usage: poll(task_id) (interval 3, timeout 300); video poll(interval=8, timeout=600).
			const intervalMs = (Number(options.pollInterval) > 0 ? Number(options.pollInterval) : video ? 8 : 3) * 1000;
			const timeoutMs = (Number(options.timeout) > 0 ? Number(options.timeout) : video ? 600 : 300) * 1000;
			const prop = String(options.binaryPropertyName || 'data');

			const products = await getProducts(this, creds, taskType);
			const product = products.find((p) => p.id === ref) || products.find((p) => p.model_id === ref);
			if (!product) throw new NodeOperationError(this.getNode(), `baseline: model ${ref} not in the product list`, { itemIndex: i });
			const taskId = await createTask(this, creds, taskType, prompt, product, extra);
			const task = await poll(this, creds, taskId, intervalMs, timeoutMs);
			for (const [index, m] of task.medias.entries()) {
				const { body, contentType } = await downloadWhole(this, m.url);
				const ext = String(m.format || 'bin').toLowerCase();
				const mimeType = MIME[ext] || String(contentType || 'application/octet-stream').split(';')[0];
				const data = await this.helpers.prepareBinaryData(body, `${taskId}-${index}.${ext}`, mimeType);
				out.push({
					json: { taskId, taskType, model: product.model_id, modelVersion: product.id, index, url: m.url, format: m.format },
					binary: { [prop]: data },
					pairedItem: { item: i },
				});
			}
		}
		return [out];
	}
}

module.exports = { ImaBaseline };
