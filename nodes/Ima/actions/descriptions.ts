/**
 * Parameter building blocks several operations use, without display rules: each operation file
 * (`<op>.operation.ts`) picks the ones it needs and adds its own rules with n8n's
 * `updateDisplayOptions`, as n8n's OpenAI node does. Names and values are the public contract
 * (CONTRACT.md): saved workflows keep working.
 */
import type { INodeProperties } from 'n8n-workflow';

import { IMAGE_INPUT_TASK_TYPES, TASK_TYPE_LABELS, TASK_TYPES } from '../helpers/taskTypes';

export const taskTypeField: INodeProperties = {
	displayName: 'Task Type',
	name: 'taskType',
	type: 'options',
	noDataExpression: true,
	options: TASK_TYPES.map((value) => ({ name: TASK_TYPE_LABELS[value], value })),
	default: 'text_to_image',
	description: 'What to make, and from what. The models and their parameters depend on it.',
};

const REFERENCE = ['reference_image_to_video'];

/** Seedance 2.0 media (reference videos and audio, inputs/seedanceMedia.ts). */
const seedanceMediaProperties: INodeProperties[] = [
	{
		displayName: 'Reference Video and Audio Input',
		name: 'referenceMediaInput',
		type: 'options',
		options: [
			{ name: 'None', value: 'none', description: 'Reference images only' },
			{ name: 'Binary Data From Input Item', value: 'binary', description: 'Uploaded to IMA automatically' },
			{ name: 'URLs', value: 'url', description: 'Public http(s) URLs, passed as they are' },
		],
		default: 'none',
		description:
			'Reference videos (mp4, mov) and audio (mp3, wav) besides the images. Only Seedance 2.0 models (ima-pro, ima-pro-fast) take them: at most 3 videos of 2–15 s (15 s in all) and 3 audio files of 2–15 s (15 s in all).',
		displayOptions: { show: { taskType: REFERENCE } },
	},
	{
		displayName: 'Reference Video Properties',
		name: 'referenceVideoProperties',
		type: 'string',
		default: '',
		placeholder: 'e.g. video or clip1, clip2',
		description: 'Comma-separated names of the binary properties of the input item that hold the reference videos, in order',
		displayOptions: { show: { taskType: REFERENCE, referenceMediaInput: ['binary'] } },
	},
	{
		displayName: 'Reference Audio Properties',
		name: 'referenceAudioProperties',
		type: 'string',
		default: '',
		placeholder: 'e.g. voice',
		description: 'Comma-separated names of the binary properties of the input item that hold the reference audio files, in order',
		displayOptions: { show: { taskType: REFERENCE, referenceMediaInput: ['binary'] } },
	},
	{
		displayName: 'Video Cover Properties',
		name: 'referenceVideoCoverProperties',
		type: 'string',
		default: '',
		placeholder: 'e.g. cover1, cover2',
		description:
			"Optional: binary properties holding each video's first frame as an image (JPEG), one per video in order. The node does not decode video; a video without a cover is sent with an empty cover.",
		displayOptions: { show: { taskType: REFERENCE, referenceMediaInput: ['binary'] } },
	},
	{
		displayName: 'Reference Video URLs',
		name: 'referenceVideoUrls',
		type: 'string',
		default: '',
		placeholder: 'https://example.com/clip.mp4',
		description: 'Reference video URLs separated by commas or new lines, or an array from an expression',
		displayOptions: { show: { taskType: REFERENCE, referenceMediaInput: ['url'] } },
	},
	{
		displayName: 'Reference Audio URLs',
		name: 'referenceAudioUrls',
		type: 'string',
		default: '',
		placeholder: 'https://example.com/voice.mp3',
		description: 'Reference audio URLs separated by commas or new lines, or an array from an expression',
		displayOptions: { show: { taskType: REFERENCE, referenceMediaInput: ['url'] } },
	},
	{
		displayName: 'Video Cover URLs',
		name: 'referenceVideoCoverUrls',
		type: 'string',
		default: '',
		placeholder: 'https://example.com/clip-first-frame.jpg',
		description:
			"Optional: URLs of each video's first frame as an image (JPEG), one per video in order. The node does not decode video; a video without a cover is sent with an empty cover.",
		displayOptions: { show: { taskType: REFERENCE, referenceMediaInput: ['url'] } },
	},
];

/** Model, Prompt, the input images and Model Settings: what Generate and Create Task send. */
export const createFields: INodeProperties[] = [
	{
		displayName: 'Model',
		name: 'model',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: 'The model version to use. The list, prices and expected times come from IMA.',
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a model…',
				typeOptions: { searchListMethod: 'searchModels', searchable: true },
			},
			{
				displayName: 'ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. doubao-seedream-4-5-251128 or doubao-seedream-4.5',
				hint: 'A version ID, or a model ID (then its first version)',
			},
		],
	},
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder: 'e.g. a lighthouse on a cliff at sunset, cinematic light',
		description:
			'Describe what to make: subject, style, light, camera. For music: genre, mood, tempo, instruments. For speech: the text to speak.',
	},
	{
		displayName: 'Image Input',
		name: 'imageInput',
		type: 'options',
		options: [
			{ name: 'Binary Data From Input Item', value: 'binary', description: 'Uploaded to IMA automatically' },
			{ name: 'Image URLs', value: 'url', description: 'Public http(s) URLs, passed as they are' },
		],
		default: 'binary',
		description: 'Where the input images come from',
		displayOptions: { show: { taskType: [...IMAGE_INPUT_TASK_TYPES] } },
	},
	{
		displayName: 'Binary Properties',
		name: 'binaryProperties',
		type: 'string',
		default: 'data',
		placeholder: 'e.g. data or first, last',
		description:
			'Comma-separated names of the binary properties of the input item that hold the images, in order (First and Last Frame: first, then last)',
		displayOptions: { show: { taskType: [...IMAGE_INPUT_TASK_TYPES], imageInput: ['binary'] } },
	},
	{
		displayName: 'Image URLs',
		name: 'imageUrls',
		type: 'string',
		default: '',
		placeholder: 'https://example.com/first.jpg, https://example.com/last.jpg',
		description:
			'Image URLs separated by commas or new lines, or an array from an expression. First and Last Frame: first, then last.',
		displayOptions: { show: { taskType: [...IMAGE_INPUT_TASK_TYPES], imageInput: ['url'] } },
	},
	...seedanceMediaProperties,
	{
		displayName: 'Model Settings',
		name: 'modelSettings',
		type: 'resourceMapper',
		noDataExpression: true,
		default: { mappingMode: 'defineBelow', value: null },
		required: true,
		description: "The selected model's own parameters; unset ones take the model's defaults",
		typeOptions: {
			loadOptionsDependsOn: ['taskType', 'model.value'],
			resourceMapper: {
				resourceMapperMethod: 'getModelSettings',
				mode: 'add',
				valuesLabel: 'Model Settings',
				fieldWords: { singular: 'setting', plural: 'settings' },
				addAllFields: true,
				multiKeyMatch: false,
				supportAutoMap: false,
				noFieldsError: 'This model has no settings for this task type',
			},
		},
	},
];

/** The Task ID of Wait for Result and Check Task. */
export const taskIdField: INodeProperties = {
	displayName: 'Task ID',
	name: 'taskId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. {{ $json.taskId }}',
	description: 'The ID of an IMA task, usually from a Create Task step by expression',
};

/** The entries of the Options collections, by name; each operation lists the ones it has. */
export const OPTION = {
	allowedMediaHosts: {
		displayName: 'Allowed Private Media Hosts',
		name: 'allowedMediaHosts',
		type: 'string',
		default: '',
		placeholder: 'e.g. cdn.example.internal, 10.20.0.0/16',
		description:
			'Hosts on a private network that media may be downloaded from (and input URLs read from): host names, IP addresses, *.domain or CIDR ranges, separated by commas. By default the node fetches only from public hosts and the hosts of the credential\'s base URLs; loopback, private, link-local and cloud metadata addresses are refused. * allows any host.',
	},
	downloadCover: {
		displayName: 'Also Attach Video Cover',
		name: 'downloadCover',
		type: 'boolean',
		default: false,
		description: "Whether to also attach a video's cover image, in the output field name followed by Cover (e.g. dataCover)",
	},
	download: {
		displayName: 'Attach Media as Binary',
		name: 'download',
		type: 'boolean',
		default: true,
		description: 'Whether to download the media and attach it as binary data (off: output the URLs only). Default: on, except for a summary.',
	},
	downloadTimeout: {
		displayName: 'Download Timeout (Seconds)',
		name: 'downloadTimeout',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 86400 },
		default: 1800,
		description: 'The longest one media download may take in all, resumes included; a slower download fails with the task ID and the media URL',
	},
	maxCredits: {
		displayName: 'Max Credits per Run',
		name: 'maxCredits',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description:
			'The most credits this node may spend in one execution (all items, loop runs, retries and Waits together; the smallest value set in the execution applies); 0 = no limit. A task that would pass it is refused before its create call, so nothing is charged for it. Protects loops and AI Agents from burning the account.',
	},
	maxDownloadSize: {
		displayName: 'Max Download Size (MB)',
		name: 'maxDownloadSize',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 1048576 },
		default: 2048,
		description: 'The largest media file the node downloads; a larger one fails with the task ID and the media URL',
	},
	additionalParameters: {
		displayName: 'Additional Parameters (JSON)',
		name: 'additionalParameters',
		type: 'json',
		default: '{}',
		description:
			'Fields IMA takes before the model\'s form lists them, as a JSON object merged into the parameters sent, e.g. {"audio_params": {"emotion": "sad"}} for speech. They count for the price like any parameter. They can never set the prompt, n, cast or the images, nor a setting of the model\'s form (use Model Settings).',
	},
	concurrency: {
		displayName: 'Max Items at Once',
		name: 'concurrency',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 50 },
		default: 5,
		description:
			'How many input items upload, create their task or download their media at the same time; tasks already created are all waited for side by side. 1 processes the items strictly one after another.',
	},
	output: {
		displayName: 'Output Format',
		name: 'output',
		type: 'options',
		options: [
			{
				name: 'Automatic',
				value: 'auto',
				description: 'Media items in a workflow; a short summary when an AI Agent calls the node as a tool',
			},
			{
				name: 'Media Items',
				value: 'media',
				description: 'One item per media, with its URL, facts and (by default) the file as binary',
			},
			{
				name: 'Summary',
				value: 'summary',
				description: 'One short item per task: task ID, URLs, facts; files only if Attach Media as Binary is on',
			},
		],
		default: 'auto',
		description: 'The shape of the output. A summary keeps large videos out of a language model.',
	},
	modelSettingsJson: {
		displayName: 'Model Settings (JSON)',
		name: 'modelSettingsJson',
		type: 'json',
		default: '{}',
		description:
			'The model\'s settings as a JSON object, e.g. {"duration": 10, "aspect_ratio": "16:9"}: for a model chosen by expression or by an AI Agent (ID mode), where the Model Settings list cannot load. Checked at run time against that model\'s form (the error lists the allowed values) before anything is paid. A setting given here and in Model Settings takes the value given here; unset ones take the model\'s defaults.',
	},
	n: {
		displayName: 'Outputs per Task',
		name: 'n',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 4 },
		default: 1,
		description: 'How many media one task makes (each one is charged)',
	},
	pollInterval: {
		displayName: 'Poll Interval (Seconds)',
		name: 'pollInterval',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 3600, numberPrecision: 2 },
		default: 0,
		description:
			"The gap between status checks while the task can be done: 0 uses the default for the kind (image 3, video 8, music 5, speech 3), else 0.1 to 3600. Checks follow the model's expected time (IMA's EET tag, learned from finished tasks): few before it, this gap inside it, a gentle back-off after it that never exceeds a Poll Interval you set. All status checks of one credential share a budget per n8n process: 10 per second at first, growing up to 50 while IMA allows, halved on each rate limit.",
	},
	binaryPropertyName: {
		displayName: 'Put Output in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		description: 'The binary property the media is attached to',
	},
	requestTimeout: {
		displayName: 'Request Timeout (Seconds)',
		name: 'requestTimeout',
		type: 'number',
		typeOptions: { minValue: 0.1, maxValue: 3600, numberPrecision: 2 },
		default: 60,
		description:
			'How long one API call may take before it counts as failed. Also how long a media download may go without progress (under 1 KB/s) before it is cut and resumed from the last byte received (at most 3 times).',
	},
	uploadTimeout: {
		displayName: 'Upload Timeout (Seconds)',
		name: 'uploadTimeout',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 86400 },
		default: 300,
		description: 'How long the upload of one file (an input image or media, or Upload Image\'s file) to IMA\'s storage may take before it counts as failed',
	},
	timeout: {
		displayName: 'Timeout (Seconds)',
		name: 'timeout',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 86400, numberPrecision: 2 },
		default: 0,
		description:
			'How long to wait for the result (up to 86400). 0 uses the default for the kind: image 600, video 2400, music 480, speech 300. On timeout the error carries the task ID for Wait for Result.',
	},
} satisfies Record<string, INodeProperties>;

/** The options of every operation that creates a task (Generate, Create Task). */
export const CREATE_OPTIONS: INodeProperties[] = [OPTION.additionalParameters, OPTION.maxCredits, OPTION.concurrency, OPTION.modelSettingsJson, OPTION.n, OPTION.requestTimeout, OPTION.uploadTimeout];

/** The options of every operation that waits for media (Generate, Wait for Result, Check Task). */
export const WAIT_OPTIONS: INodeProperties[] = [
	OPTION.allowedMediaHosts,
	OPTION.downloadCover,
	OPTION.download,
	OPTION.downloadTimeout,
	OPTION.maxDownloadSize,
	OPTION.output,
	OPTION.pollInterval,
	OPTION.binaryPropertyName,
	OPTION.timeout,
];

/** An Options collection of the given entries, sorted by display name (n8n's lint rule). */
export function optionsCollection(entries: INodeProperties[]): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [...entries].sort((a, b) => a.displayName.localeCompare(b.displayName)),
	};
}
