/** The searchable model list of the Model parameter. */
import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { describeModel } from '../helpers/productTree';
import { ImaClient } from '../transport';

export async function searchModels(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const taskType = String(this.getNodeParameter('taskType', 'text_to_image') ?? 'text_to_image');
	const client = await ImaClient.forContext(this, { maxAttempts: 3 });
	const versions = await client.products(taskType);
	const q = (filter ?? '').trim().toLowerCase();
	const results = versions
		.filter((v) => !q || [v.id, v.model_id, v.name, v.group_name ?? ''].some((s) => String(s).toLowerCase().includes(q)))
		.map((v) => ({ name: describeModel(v), value: v.id, description: v.description ?? undefined }));
	return { results };
}
