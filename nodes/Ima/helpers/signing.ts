/** The upload service's signed query (two-step upload: token, then a raw PUT). */
import { createHash, randomBytes } from 'crypto';

/** A public client id of IMA's web uploader, not a secret (see the API README). */
export const UPLOAD_APP_ID = 'webAgent';
export const UPLOAD_APP_KEY = '32jdskjdk320eew';

export function uploadSign(appId: string, appKey: string, timestamp: string, nonce: string): string {
	return createHash('sha1').update(`${appId}|${appKey}|${timestamp}|${nonce}`).digest('hex').toUpperCase();
}

/** 21 hex characters, fresh for every request. */
export function newNonce(): string {
	return randomBytes(11).toString('hex').slice(0, 21);
}

export type UploadFileType = 'picture' | 'video' | 'audio';

export function uploadFileType(mimeType: string): UploadFileType {
	const m = mimeType.toLowerCase();
	if (m.startsWith('video/')) return 'video';
	if (m.startsWith('audio/')) return 'audio';
	return 'picture';
}

/** Exactly the 11 query parameters of `GET /api/rest/oss/getuploadtoken`. */
export function uploadTokenQuery(opts: {
	apiKey: string;
	suffix: string;
	contentType: string;
	nowMs: number;
	nonce?: string;
}): Record<string, string> {
	const timestamp = String(Math.floor(opts.nowMs / 1000));
	const nonce = opts.nonce ?? newNonce();
	return {
		appUid: opts.apiKey,
		appId: UPLOAD_APP_ID,
		appKey: UPLOAD_APP_KEY,
		cmimToken: opts.apiKey,
		sign: uploadSign(UPLOAD_APP_ID, UPLOAD_APP_KEY, timestamp, nonce),
		timestamp,
		nonce,
		fService: 'privite',
		fType: uploadFileType(opts.contentType),
		fSuffix: opts.suffix,
		fContentType: opts.contentType,
	};
}
