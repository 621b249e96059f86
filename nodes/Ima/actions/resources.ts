/**
 * Resources (node version 1.1): what the node makes or works on, for n8n's node creator, where
 * each resource + operation is an action ("Generate a video", "Upload an image"…).
 *
 * Only the editor reads `resource`: the node runs by `operation` alone, whose values are the same
 * in every version and unique across resources. Version 1 (every workflow saved by 0.2.0 and
 * before) has no resource and its flat Operation list, so n8n resolves a saved node exactly as it
 * did: a saved `operation: "uploadImage"` stays Upload Image.
 */
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { TASK_TYPE_LABELS, TASK_TYPES, type TaskType } from '../helpers/taskTypes';
import { taskTypeField } from './descriptions';

/** The node versions: 1 without resources, 1.1 with them. */
export const V1 = { show: { '@version': [1] } };
export const V1_1 = [1.1];

/** The media kinds a user makes; their task types, in TASK_TYPES order. */
const KINDS = {
	image: { label: 'an image', task: 'an image task' },
	video: { label: 'a video', task: 'a video task' },
	music: { label: 'music', task: 'a music task' },
	speech: { label: 'speech', task: 'a speech task' },
} as const;
type Kind = keyof typeof KINDS;

const kindOf = (t: TaskType): Kind =>
	t.endsWith('_image') ? 'image' : t.endsWith('_video') ? 'video' : t.endsWith('_speech') ? 'speech' : 'music';
const taskTypesOf = (kind: Kind) => TASK_TYPES.filter((t) => kindOf(t) === kind);

const GENERATE = 'Create a task, wait for it, output the media. For long videos, or in queue mode, use Create Task and a Wait / Check Task loop.';
const CREATE = 'Start a task and output its ID at once';
const CHECK_TASK = { name: 'Check Task', value: 'checkTask', action: 'Check a task once', description: 'One status check: media on Done, or the item on Running (loop it through a Wait node)' };
const WAIT_FOR_RESULT = { name: 'Wait for Result', value: 'waitForResult', action: 'Wait for a task result', description: 'Wait for a task ID and output its media' };

function operationProperty(resource: string, options: INodePropertyOptions[], dflt: string): INodeProperties {
	return {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { '@version': V1_1, resource: [resource] } },
		options,
		default: dflt,
	};
}

function mediaOperations(kind: Kind, extra: INodePropertyOptions[] = []): INodeProperties {
	const k = KINDS[kind];
	return operationProperty(
		kind,
		[
			{ name: 'Create Task', value: 'createTask', action: `Create ${k.task}`, description: CREATE },
			{ name: 'Generate', value: 'generate', action: `Generate ${k.label}`, description: GENERATE },
			...extra,
		],
		'generate',
	);
}

/** One Operation list per resource (version 1.1). Values as in version 1: the contract. */
export const resourceOperations: INodeProperties[] = [
	mediaOperations('image', [
		{ name: 'Upload Image', value: 'uploadImage', action: 'Upload an image', description: 'Turn a binary image into a public IMA URL (for image inputs)' },
	]),
	operationProperty('model', [{ name: 'List Models', value: 'listModels', action: 'List models', description: 'One item per model version of a task type, with parameters and prices' }], 'listModels'),
	mediaOperations('music'),
	mediaOperations('speech'),
	operationProperty('task', [CHECK_TASK, WAIT_FOR_RESULT], 'waitForResult'),
	mediaOperations('video'),
];

/** Version 1: every operation in one flat list (every workflow saved by 0.2.0 and before). */
export const operationV1: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: V1,
	options: [
		{ ...CHECK_TASK },
		{ name: 'Create Task', value: 'createTask', action: 'Create a task', description: CREATE },
		{
			name: 'Generate',
			value: 'generate',
			action: 'Generate media',
			description: 'Create a task, wait for it, output the media. For videos longer than your execution limit, or in queue mode, use Create Task and a Wait / Check Task loop.',
		},
		{ name: 'List Models', value: 'listModels', action: 'List models', description: 'One item per model version, with parameters and prices' },
		{ name: 'Upload Image', value: 'uploadImage', action: 'Upload an image', description: 'Turn a binary image into a public IMA URL' },
		{ ...WAIT_FOR_RESULT },
	],
	default: 'generate',
};

/** Task Type of Generate and Create Task in version 1.1: the task types of the resource's kind. */
export const taskTypeByKind: INodeProperties[] = (Object.keys(KINDS) as Kind[]).map((kind) => ({
	...taskTypeField,
	options: taskTypesOf(kind).map((value) => ({ name: TASK_TYPE_LABELS[value], value })),
	default: taskTypesOf(kind)[0],
	displayOptions: { show: { resource: [kind], operation: ['generate', 'createTask'] } },
}));

/** Task Type of Generate and Create Task in version 1: every task type (version 1.1: by kind). */
export const taskTypeFieldV1: INodeProperties = { ...taskTypeField, displayOptions: V1 };
