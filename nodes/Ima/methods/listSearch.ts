/** The searchable model list of the Model parameter. */
import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { cleanLoadOptions } from '../run/exit';
import { describeModel } from '../helpers/productTree';
import { ImaClient } from '../transport';

export async function searchModels(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	return await cleanLoadOptions(this, async () => await search(this, filter));
}

async function search(ctx: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const taskType = String(ctx.getNodeParameter('taskType', 'text_to_image') ?? 'text_to_image');
	const client = await ImaClient.forContext(ctx, { maxAttempts: 3 });
	const versions = await client.products(taskType);
	const q = (filter ?? '').trim().toLowerCase();
	const results = versions
		.filter((v) => !q || [v.id, v.model_id, v.name, v.group_name ?? ''].some((s) => String(s).toLowerCase().includes(q)))
		.map((v) => ({ name: describeModel(v), value: v.id, description: v.description ?? undefined }));
	return { results };
}
