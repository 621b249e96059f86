// @ts-check
'use strict';

/**
 * Regenerates the synthesized product lists of the IMA simulator.
 *
 *   node test/simulator/products/generate.js
 *
 * Inputs (verbatim copies of the shared fixtures, real IMA answers flattened to version nodes):
 *   products_text_to_image.json, products_text_to_video.json
 * Outputs (flat lists of version nodes, same node shape as the fixtures):
 *   products_image_to_image.json, products_image_to_video.json,
 *   products_first_last_frame_to_video.json, products_reference_image_to_video.json,
 *   products_text_to_music.json
 *
 * The simulator builds the product TREE from these flat lists at start-up (see index.js).
 * The output is deterministic: running this script twice produces identical files.
 */

const fs = require('node:fs');
const path = require('node:path');

const DIR = __dirname;

/** @typedef {Record<string, any>} VersionNode */

/** @type {Record<string, string>} */
const CATEGORY_NAMES = {
	text_to_image: '文生图',
	image_to_image: '图生图',
	text_to_video: '文生视频',
	image_to_video: '图生视频',
	first_last_frame_to_video: '首尾帧生视频',
	reference_image_to_video: '参考图生视频',
	text_to_music: '文生音乐',
};

/**
 * @param {string} file
 * @returns {VersionNode[]}
 */
function load(file) {
	return JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8'));
}

/**
 * @param {string} file
 * @param {unknown} data
 */
function save(file, data) {
	fs.writeFileSync(path.join(DIR, file), JSON.stringify(data, null, 2) + '\n');
	console.log('wrote', file);
}

/**
 * Copies a version node into another category: only category_code/category_name change
 * (plus the per-category tweaks passed in `tweak`). Key order is kept as in the fixtures.
 * @param {VersionNode} node
 * @param {string} category
 * @param {(n: VersionNode) => void} [tweak]
 * @returns {VersionNode}
 */
function derive(node, category, tweak) {
	/** @type {VersionNode} */
	const copy = JSON.parse(JSON.stringify(node));
	copy.category_code = category;
	if ('category_name' in copy) copy.category_name = CATEGORY_NAMES[category];
	if (tweak) tweak(copy);
	return copy;
}

/**
 * @param {VersionNode} node
 * @param {string} field
 * @returns {Record<string, any>}
 */
function field(node, field) {
	const f = (node.form_config || []).find((/** @type {any} */ x) => x.field === field);
	if (!f) throw new Error(`${node.id} has no form field ${field}`);
	return f;
}

const t2i = load('products_text_to_image.json');
const t2v = load('products_text_to_video.json');

/**
 * @param {VersionNode[]} list
 * @param {string} category
 */
const supporting = (list, category) => list.filter((n) => (n.model_types || []).includes(category));

// ---- image_to_image: every text_to_image model that lists image_to_image -------------------
// SeeDream 4.5 keeps its size options (2k, 4k, 2048x2048, ...): no "adaptive" for image_to_image.
const i2i = supporting(t2i, 'image_to_image').map((n) => derive(n, 'image_to_image'));

// ---- image_to_video: text_to_video models + Midjourney (its model_types list image_to_video) --
const i2v = [
	...supporting(t2v, 'image_to_video').map((n) =>
		derive(n, 'image_to_video', (c) => {
			if (c.id === 'MiniMax-Hailuo-02') {
				// 512P is sold (credit rules) and only disabled for text_to_video and
				// first_last_frame_to_video, so the image_to_video list offers it.
				const res = field(c, 'resolution');
				res.options = [{ label: '512P', value: '512P' }, ...res.options];
			}
		}),
	),
	...supporting(t2i, 'image_to_video').map((n) => derive(n, 'image_to_video')),
];

// ---- first_last_frame_to_video -------------------------------------------------------------
const flf = supporting(t2v, 'first_last_frame_to_video').map((n) => derive(n, 'first_last_frame_to_video'));

// ---- reference_image_to_video --------------------------------------------------------------
const r2v = supporting(t2v, 'reference_image_to_video').map((n) =>
	derive(n, 'reference_image_to_video', (c) => {
		if (c.id === 'veo-3.1-generate-preview') {
			// Veo's disabled_conditions forbid duration 4/6, 9:16 and 720p here: the options stay
			// listed (a client must honour disabled_conditions), the defaults are valid ones.
			field(c, 'duration').value = 8;
			field(c, 'resolution').value = '1080p';
		}
	}),
);

// ---- text_to_music: invented, plausible models ---------------------------------------------
/**
 * @param {string} tagValue EET
 * @param {string} points
 */
const tags = (tagValue, points) => [
	{ tag_type: 'EET', tag_value: tagValue },
	{ tag_type: 'point', tag_value: points },
];

const music = [
	{
		id: 'sonic-v5',
		parent_id: 'Suno',
		type: '3',
		name: 'Suno V5',
		icon: 'https://ima.esxscloud.com/ima/images2/suno-2.png',
		model_id: 'sonic',
		tags: [{ tag_type: 'feature', tag_value: 'Vocals' }, ...tags('40~90s', '8~10')],
		model_types: ['text_to_music'],
		description: 'Full songs with vocals and lyrics from a short description',
		category_code: 'text_to_music',
		category_name: CATEGORY_NAMES.text_to_music,
		form_config: [
			{
				type: 'tags',
				field: 'vocal_gender',
				label: 'Vocal',
				description: 'Preferred singing voice',
				value: 'auto',
				options: [
					{ label: 'Auto', value: 'auto' },
					{ label: 'Male', value: 'male' },
					{ label: 'Female', value: 'female' },
				],
				level: 1,
			},
			{
				type: 'toggle',
				field: 'make_instrumental',
				label: 'Instrumental',
				description: 'Generate music without vocals',
				value: false,
				level: 1,
			},
			{
				type: 'textarea',
				field: 'lyrics',
				label: 'Lyrics',
				description: 'Custom lyrics; leave empty to let the model write them',
				value: null,
				config: { maximum: 3000 },
				level: 2,
			},
		],
		credit_rules: [
			{ origin_point: 8, points: 8, attribute_id: 5101, attributes: { make_instrumental: true } },
			{ origin_point: 10, points: 10, attribute_id: 5100, attributes: { default: 'enabled' } },
		],
		group_name: 'Suno',
	},
	{
		id: 'genbgm-v1',
		parent_id: 'GenMusic',
		type: '3',
		name: 'GenBGM',
		icon: 'https://ima.esxscloud.com/ima/images2/genbgm-2.png',
		model_id: 'genbgm',
		tags: [{ tag_type: 'feature', tag_value: 'Loopable' }, ...tags('20~40s', '3~12')],
		model_types: ['text_to_music'],
		description: 'Background music for videos, podcasts and games',
		category_code: 'text_to_music',
		category_name: CATEGORY_NAMES.text_to_music,
		form_config: [
			{
				type: 'tags',
				field: 'duration',
				label: 'Duration',
				description: 'Length of the track in seconds',
				value: 30,
				options: [
					{ label: '30s', value: 30 },
					{ label: '60s', value: 60 },
					{ label: '120s', value: 120 },
					{ label: '180s', value: 180 },
				],
				config: { minimum: 30, maximum: 180 },
				level: 1,
			},
			{
				type: 'tags',
				field: 'genre',
				label: 'Genre',
				description: 'Musical style of the track',
				value: 'ambient',
				options: [
					{ label: 'Ambient', value: 'ambient' },
					{ label: 'Cinematic', value: 'cinematic' },
					{ label: 'Electronic', value: 'electronic' },
					{ label: 'Lo-fi', value: 'lofi' },
					{ label: 'Corporate', value: 'corporate' },
				],
				level: 1,
			},
			{
				type: 'toggle',
				field: 'loopable',
				label: 'Seamless loop',
				description: 'Make the end flow back into the start',
				value: false,
				level: 2,
			},
		],
		credit_rules: [
			{ origin_point: 3, points: 3, attribute_id: 5110, attributes: { duration: 30 } },
			{ origin_point: 5, points: 5, attribute_id: 5111, attributes: { duration: 60 } },
			{ origin_point: 9, points: 9, attribute_id: 5112, attributes: { duration: 120 } },
			{ origin_point: 12, points: 12, attribute_id: 5113, attributes: { duration: 180 } },
		],
		group_name: 'GenMusic',
	},
	{
		id: 'gensong-v1',
		parent_id: 'GenMusic',
		type: '3',
		name: 'GenSong',
		icon: 'https://ima.esxscloud.com/ima/images2/gensong-2.png',
		model_id: 'gensong',
		tags: [{ tag_type: 'feature', tag_value: 'NEW' }, ...tags('60~120s', '6~20')],
		model_types: ['text_to_music'],
		description: 'Songs with optional vocals; 240 s tracks always have vocals',
		category_code: 'text_to_music',
		category_name: CATEGORY_NAMES.text_to_music,
		form_config: [
			{
				type: 'tags',
				field: 'duration',
				label: 'Duration',
				description: 'Length of the song in seconds',
				value: 120,
				options: [
					{ label: '60s', value: 60 },
					{ label: '120s', value: 120 },
					{ label: '240s', value: 240 },
				],
				level: 1,
			},
			{
				type: 'toggle',
				field: 'with_vocals',
				label: 'Vocals',
				description: 'Sing the lyrics',
				value: true,
				level: 1,
			},
			{
				type: 'textarea',
				field: 'lyrics',
				label: 'Lyrics',
				description: 'Optional lyrics',
				value: null,
				config: { maximum: 2000 },
				level: 2,
			},
		],
		credit_rules: [
			{ origin_point: 6, points: 6, attribute_id: 5120, attributes: { duration: 60, with_vocals: false } },
			{ origin_point: 8, points: 8, attribute_id: 5121, attributes: { duration: 60, with_vocals: true } },
			{ origin_point: 10, points: 10, attribute_id: 5122, attributes: { duration: 120, with_vocals: false } },
			{ origin_point: 14, points: 14, attribute_id: 5123, attributes: { duration: 120, with_vocals: true } },
			// 240 s without vocals is not sold: {duration: 240, with_vocals: false} answers 6009.
			{ origin_point: 20, points: 20, attribute_id: 5124, attributes: { duration: 240, with_vocals: true } },
		],
		group_name: 'GenMusic',
	},
	{
		// A virtual group, shaped as IMA's runtime reads them (capabilities/audio/params.py,
		// shared/catalog.py _build_virtual_groups): two UI fields (quality, channels) sent together
		// as one field (audio_setting); high quality in mono is not offered.
		id: 'genbgm-studio-v1',
		parent_id: 'GenMusic',
		type: '3',
		name: 'GenBGM Studio',
		icon: 'https://ima.esxscloud.com/ima/images2/genbgm-2.png',
		model_id: 'genbgm-studio',
		tags: [{ tag_type: 'EET', tag_value: '30~60s' }, { tag_type: 'point', tag_value: '4-6' }],
		model_types: ['text_to_music'],
		description: 'Background music with a choice of sound quality and channels',
		category_code: 'text_to_music',
		category_name: CATEGORY_NAMES.text_to_music,
		form_config: [
			{
				type: 'tags',
				field: 'audio_setting',
				label: 'Audio',
				description: 'Sound quality and channels',
				value: 'standard_stereo',
				is_ui_virtual: true,
				ui_params: [
					{ field: 'quality', label: 'Quality', type: 'tags', value: 'standard', options: [{ label: 'Standard', value: 'standard' }, { label: 'High', value: 'high' }] },
					{ field: 'channels', label: 'Channels', type: 'tags', value: 'stereo', options: [{ label: 'Mono', value: 'mono' }, { label: 'Stereo', value: 'stereo' }] },
				],
				options: [
					{ label: 'standard_mono', value: 'standard_mono' },
					{ label: 'standard_stereo', value: 'standard_stereo' },
					{ label: 'high_stereo', value: 'high_stereo' },
				],
				value_mapping: {
					type: 'simple',
					source_params: ['quality', 'channels'],
					target_param: 'audio_setting',
					mapping_rules: [
						{ source_values: { quality: 'standard', channels: 'mono' }, target_value: 'standard_mono' },
						{ source_values: { quality: 'standard', channels: 'stereo' }, target_value: 'standard_stereo' },
						{ source_values: { quality: 'high', channels: 'stereo' }, target_value: 'high_stereo' },
					],
				},
				level: 1,
			},
		],
		credit_rules: [
			{ origin_point: 6, points: 6, attribute_id: 5131, attributes: { audio_setting: 'high_stereo' } },
			{ origin_point: 4, points: 4, attribute_id: 5130, attributes: { default: 'enabled' } },
		],
		group_name: 'GenMusic',
	},
];

save('products_image_to_image.json', i2i);
save('products_image_to_video.json', i2v);
save('products_first_last_frame_to_video.json', flf);
save('products_reference_image_to_video.json', r2v);
save('products_text_to_music.json', music);
