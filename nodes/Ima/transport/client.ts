/** ImaClient: the transport plus the IMA calls the operations use. */
import type { IDataObject } from 'n8n-workflow';

import type { ImaCreatedTask, ImaTaskDetail, ModelVersion } from '../helpers/types';
import * as api from './api';
import * as download from './download';
import type { Download } from './downloadPart';
import { getImaCredentials, ImaTransport, type ClientOptions, type ImaContext, type Readable } from './transport';
import * as upload from './upload';

export class ImaClient extends ImaTransport {
	static async forContext(ctx: ImaContext, options: ClientOptions = {}): Promise<ImaClient> {
		return new ImaClient(ctx, await getImaCredentials(ctx), options);
	}

	/** The product list of a task type, flattened to version nodes (cached briefly; `reload` drops the cache). */
	async products(taskType: string, options: api.ProductsOptions = {}): Promise<ModelVersion[]> {
		return await api.products(this, taskType, options);
	}

	/** The paid call: sent again only when it provably never reached IMA; redirects never followed. */
	async createTask(body: IDataObject): Promise<ImaCreatedTask> {
		return await api.createTask(this, body);
	}

	/** One read of a task's detail (the polling loop retries). */
	async taskDetail(taskId: string): Promise<ImaTaskDetail> {
		return await api.taskDetail(this, taskId);
	}

	/** IMA's asset check of one input URL (Seedance 2.0); a refusal is a verdict, not an error. */
	async verifyAsset(url: string): Promise<api.AssetVerdict> {
		return await api.verifyAsset(this, url);
	}

	async uploadToken(contentType: string, suffix: string): Promise<{ ful: string; fdl: string }> {
		return await upload.uploadToken(this, contentType, suffix);
	}

	async putFile(ful: string, open: () => Promise<Buffer | Readable>, contentType: string, size?: number): Promise<void> {
		await upload.putFile(this, ful, open, contentType, size);
	}

	/** A media download as a stream, bounded by `maxBytes` and `totalTimeoutMs`, resumed when it stalls (a number = header timeout). */
	async openDownload(url: string, options?: download.DownloadOptions | number): Promise<Download> {
		return await download.openDownload(this, url, options);
	}

	/** A media download stored by `store` (prepareBinaryData); resumed when it stalls, stored again if the file changes meanwhile. */
	async downloadMedia<T>(url: string, options: download.DownloadOptions, store: (download: Download) => Promise<T>): Promise<T> {
		return await download.downloadMedia(this, url, options, store);
	}
}
