/**
 * The one place that talks HTTP to IMA (a barrel): `request` (sending, envelope, retries,
 * redirect policy, redaction), `api` (product list and cache, create, task detail), `upload`,
 * `download`, and `client` (ImaClient, what the operations use).
 */
export {
	abortableSleep,
	API_HEADERS,
	CREDENTIAL_TYPE,
	DEFAULT_BASE_URL,
	DEFAULT_UPLOAD_BASE_URL,
	getImaCredentials,
	ImaRequestError,
	ImaTransport,
	isSuccessCode,
	MAX_REDIRECTS,
	originOf,
} from './request';
export type { ClientOptions, ImaContext, ImaCredentials, ImaErrorInfo, Readable, RedirectPolicy, SendRequest } from './request';
export { clearProductCache, VERIFY_TIMEOUT_MS } from './api';
export type { AssetVerdict, ProductsOptions } from './api';
export { DEFAULT_DOWNLOAD_TIMEOUT_MS, DEFAULT_MAX_DOWNLOAD_BYTES, MAX_RESUMES, MIN_DOWNLOAD_RATE, parseContentRange } from './download';
export type { Download, DownloadOptions } from './download';
export { ImaClient } from './client';
