/** Upload Image: a binary of the input item to a public IMA URL (two-step upload). */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { OPTION, optionsCollection } from './descriptions';
import { executionOptions, readUploadOptions } from '../run/options';
import { clientFor, runItems } from '../run/scheduler';
import { inspectBinary, uploadBinary } from '../inputs/images';

const properties: INodeProperties[] = [
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		description: 'The binary property of the input item that holds the file: an image (any size; images used as task inputs must be under 30 MB), or a video or audio file',
	},
	optionsCollection([OPTION.concurrency, OPTION.requestTimeout, OPTION.uploadTimeout]),
];

export const description = updateDisplayOptions({ show: { operation: ['uploadImage'] } }, properties);

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const client = await clientFor(this);
	const items = this.getInputData();
	return await runItems(this, {
		client,
		concurrency: executionOptions(this).concurrency,
		prepare: async (i) => {
			readUploadOptions(this, i); // a bad option fails its item before anything is sent
			const property = String(this.getNodeParameter('binaryPropertyName', i, 'data')).trim() || 'data';
			return await inspectBinary(this, i, property, 'binaryPropertyName', { use: 'upload' });
		},
		run: async (i, info) => {
			const url = await uploadBinary(this, client, i, info);
			return [
				{
					json: { url, fileName: info.fileName, mimeType: info.mimeType, fileSize: info.fileSize },
					binary: items[i].binary,
				},
			];
		},
	});
}
