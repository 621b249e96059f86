/** File names and MIME types of IMA media. */
import type { MediaKind } from './taskTypes';

const MIME_BY_EXT: Record<string, string> = {
	png: 'image/png',
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	webp: 'image/webp',
	gif: 'image/gif',
	bmp: 'image/bmp',
	tif: 'image/tiff',
	tiff: 'image/tiff',
	mp4: 'video/mp4',
	mov: 'video/quicktime',
	webm: 'video/webm',
	mp3: 'audio/mpeg',
	wav: 'audio/wav',
	m4a: 'audio/mp4',
	aac: 'audio/aac',
	ogg: 'audio/ogg',
	flac: 'audio/flac',
};

const EXT_BY_MIME: Record<string, string> = {
	'image/png': 'png',
	'image/jpeg': 'jpg',
	'image/jpg': 'jpg',
	'image/webp': 'webp',
	'image/gif': 'gif',
	'image/bmp': 'bmp',
	'image/tiff': 'tiff',
	'video/mp4': 'mp4',
	'video/quicktime': 'mov',
	'video/webm': 'webm',
	'audio/mpeg': 'mp3',
	'audio/mp3': 'mp3',
	'audio/wav': 'wav',
	'audio/x-wav': 'wav',
	'audio/wave': 'wav',
	'audio/mp4': 'm4a',
	'audio/aac': 'aac',
	'audio/ogg': 'ogg',
	'audio/flac': 'flac',
};

const DEFAULT_EXT: Record<MediaKind, string> = { image: 'png', video: 'mp4', music: 'mp3', speech: 'mp3' };

export function extensionFromUrl(url: string): string | undefined {
	try {
		const path = new URL(url).pathname;
		const m = /\.([a-z0-9]{2,5})$/i.exec(path);
		return m ? m[1].toLowerCase() : undefined;
	} catch {
		return undefined;
	}
}

export function mimeFromExtension(ext: string | undefined): string | undefined {
	return ext ? MIME_BY_EXT[ext.toLowerCase().replace(/^\./, '')] : undefined;
}

export function extensionFromMime(mime: string | undefined): string | undefined {
	if (!mime) return undefined;
	return EXT_BY_MIME[mime.split(';')[0].trim().toLowerCase()];
}

/**
 * The MIME type and extension of a downloaded media: a specific Content-Type wins, then IMA's
 * `format`, then the URL's extension, then the kind's default (png, mp4, mp3; speech mp3).
 */
export function mediaFileType(opts: {
	kind: MediaKind;
	contentType?: string;
	format?: string;
	url?: string;
}): { mimeType: string; extension: string } {
	const fromHeader = extensionFromMime(opts.contentType);
	if (fromHeader) return { mimeType: mimeFromExtension(fromHeader) ?? opts.contentType!.split(';')[0].trim(), extension: fromHeader };
	const candidates = [opts.format?.toLowerCase().replace(/^\./, ''), opts.url ? extensionFromUrl(opts.url) : undefined];
	for (const ext of candidates) {
		const mime = mimeFromExtension(ext);
		if (ext && mime) return { mimeType: mime, extension: ext === 'jpeg' ? 'jpg' : ext };
	}
	const ext = DEFAULT_EXT[opts.kind];
	return { mimeType: MIME_BY_EXT[ext], extension: ext };
}

/** "task_12-0.png": the task id made safe for a file name, the output index, the extension. */
export function mediaFileName(taskId: string, index: number, extension: string, suffix = ''): string {
	const safe = String(taskId).replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'ima';
	return `${safe}-${index}${suffix}.${extension}`;
}
