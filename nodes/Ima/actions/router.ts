/** Routes an execution to its operation. */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import * as checkTask from './checkTask.operation';
import * as createTask from './createTask.operation';
import * as generate from './generate.operation';
import * as listModels from './listModels.operation';
import * as uploadImage from './uploadImage.operation';
import * as waitForResult from './waitForResult.operation';

const operations: Record<string, { execute: (this: IExecuteFunctions) => Promise<INodeExecutionData[]> }> = {
	generate,
	createTask,
	waitForResult,
	uploadImage,
	listModels,
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = String(this.getNodeParameter('operation', 0));
	if (operation === 'checkTask') return await checkTask.execute.call(this);
	// An own property only: "constructor", "toString" or "__proto__" are not operations.
	const handler = Object.prototype.hasOwnProperty.call(operations, operation) ? operations[operation] : undefined;
	if (!handler || typeof handler.execute !== 'function') {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`, {
			description: `Parameter: operation. Allowed values: ${[...Object.keys(operations), 'checkTask'].join(', ')}`,
		});
	}
	return [await handler.execute.call(this)];
}
