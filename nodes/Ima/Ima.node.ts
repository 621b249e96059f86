import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import * as checkTask from './actions/checkTask.operation';
import * as createTask from './actions/createTask.operation';
import { cleanExecute } from './run/exit';
import * as generate from './actions/generate.operation';
import * as listModels from './actions/listModels.operation';
import { operationV1, resourceOperations, taskTypeByKind } from './actions/resources';
import { router } from './actions/router';
import * as uploadImage from './actions/uploadImage.operation';
import * as waitForResult from './actions/waitForResult.operation';
import { TASK_TYPE_LABELS } from './helpers/taskTypes';
import { listSearch, resourceMapping } from './methods';

/**
 * What an AI Agent reads about the "IMA Tool" (the node connected to an agent's Tool input).
 * n8n builds the tool from this node: its name from the node's name, its arguments from the
 * $fromAI() expressions, its description from `toolDescription` when `descriptionType` is
 * "manual". n8n adds those two parameters itself with the node's one-line description as the
 * default; defining them here (shown only in the tool) makes this text the default instead.
 * (`usableAsTool` stays `true`, the contract's form: the editor's node list shows the node's own
 * one-line description for the tool entry.)
 */
const TOOL_DESCRIPTION =
	'Creates media with IMA Studio AI models and returns its URLs: images, videos, music or speech, ' +
	'of the task type this tool is set to. Pass `prompt`: a detailed description of what to create ' +
	'(for speech, the text to say); other arguments, if any, are described with them. The answer is ' +
	'JSON: status, message, urls (the media), taskId, credits spent. Videos can take minutes; an ' +
	'error names what to change, and its taskId if a task was already created.';

export class Ima implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'IMA',
		name: 'ima',
		icon: { light: 'file:ima.svg', dark: 'file:ima.dark.svg' },
		group: ['transform'],
		// 1.1 adds Resource (for the node creator's actions); 1 is every workflow saved before it.
		version: [1, 1.1],
		defaultVersion: 1.1,
		// The operation, and for the operations with a task type its label (not its key).
		subtitle: `={{ {generate: "Generate", createTask: "Create Task", checkTask: "Check Task", waitForResult: "Wait for Result", uploadImage: "Upload Image", listModels: "List Models"}[$parameter["operation"]] + ($parameter["taskType"] && ["generate","createTask","listModels"].includes($parameter["operation"]) ? ": " + (${JSON.stringify(TASK_TYPE_LABELS)}[$parameter["taskType"]] || $parameter["taskType"]) : "") }}`,
		description: 'Generate images, video, music and speech with IMA Studio AI models',
		defaults: { name: 'IMA' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		// Check Task has two outputs (Done, Running); every other operation one.
		outputs: `={{ $parameter["operation"] === "checkTask" ? [{ "type": "${NodeConnectionTypes.Main}", "displayName": "Done" }, { "type": "${NodeConnectionTypes.Main}", "displayName": "Running" }] : ["${NodeConnectionTypes.Main}"] }}`,
		credentials: [{ name: 'imaApi', required: true }],
		properties: [
			{
				displayName: 'Tool Description',
				name: 'descriptionType',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { '@tool': [true] } },
				options: [
					{ name: 'Set Automatically', value: 'auto', description: "The node's one-line description" },
					{ name: 'Set Manually', value: 'manual', description: 'The description below (prefilled for IMA)' },
				],
				default: 'manual',
			},
			{
				displayName: 'Description',
				name: 'toolDescription',
				type: 'string',
				typeOptions: { rows: 4 },
				displayOptions: { show: { '@tool': [true], descriptionType: ['manual'] } },
				default: TOOL_DESCRIPTION,
				description: 'What the AI Agent reads about this tool: what it does and what to pass',
			},
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { '@version': [1.1] } },
				options: [
					{ name: 'Image', value: 'image', description: 'Make or edit images; upload an input image' },
					{ name: 'Model', value: 'model', description: "IMA's models of a task type, with their prices" },
					{ name: 'Music', value: 'music', description: 'Make music from a description' },
					{ name: 'Speech', value: 'speech', description: 'Turn text into speech' },
					{ name: 'Task', value: 'task', description: 'Check or wait for a task created earlier' },
					{ name: 'Video', value: 'video', description: 'Make videos from text or images' },
				],
				default: 'image',
			},
			...resourceOperations,
			// Version 1: one flat list (the resource of 1.1 is only the editor's grouping).
			operationV1,
			...taskTypeByKind,
			// Each operation owns its parameters and their display rules (actions/<op>.operation.ts).
			...generate.description,
			...createTask.description,
			...checkTask.description,
			...waitForResult.description,
			...uploadImage.description,
			...listModels.description,
		],
	};

	methods = { listSearch, resourceMapping };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		// Every item and every error leaves through the one redaction of the API key (run/exit.ts).
		return await cleanExecute(this, async () => await router.call(this));
	}
}
