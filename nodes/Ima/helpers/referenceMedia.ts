/**
 * Seedance 2.0 media (`ima-pro`, `ima-pro-fast`): the limits IMA's runtime checks before it
 * uploads or creates anything (`capabilities/video/reference_media.py`), and the `src_image` /
 * `src_video` / `src_audio` fields of the create body. Pure: the caller probes the files.
 */
import type { MediaInfo } from './mediaProbe';

export const SEEDANCE_MODEL_IDS: readonly string[] = ['ima-pro', 'ima-pro-fast'];
export const SEEDANCE_MEDIA_TASK_TYPES: readonly string[] = ['image_to_video', 'first_last_frame_to_video', 'reference_image_to_video'];

/** True when IMA's runtime takes the Seedance 2.0 media path for this model and task type. */
export function isSeedanceMedia(modelId: string | undefined, taskType: string): boolean {
	return !!modelId && SEEDANCE_MODEL_IDS.includes(modelId.trim().toLowerCase()) && SEEDANCE_MEDIA_TASK_TYPES.includes(taskType);
}

const MB = 1024 * 1024;
export const MEDIA_LIMITS = {
	maxImages: 9,
	maxVideos: 3,
	maxAudio: 3,
	imageMaxBytes: 30 * MB, // exclusive: "under 30 MB"
	videoMaxBytes: 50 * MB,
	audioMaxBytes: 15 * MB,
	totalMaxBytes: 64 * MB,
	imageMinSide: 300,
	imageMaxSide: 6000,
	minAspect: 0.4,
	maxAspect: 2.5,
	videoMinSeconds: 2,
	videoMaxSeconds: 15,
	videoMaxTotalSeconds: 15,
	videoMinSide: 300,
	videoMaxSide: 6000,
	videoMinPixels: 409_600,
	videoMaxPixels: 92_740_800,
	videoMinFps: 24,
	videoMaxFps: 60,
	audioMinSeconds: 2,
	audioMaxSeconds: 15,
	audioMaxTotalSeconds: 15,
} as const;

export type ReferenceKind = 'image' | 'video' | 'audio';

/** One input, as given and as probed. */
export interface ProbedMedia {
	kind: ReferenceKind;
	/** How the user knows it, e.g. `reference video 1 "clip.mp4" (binary property "video")`. */
	label: string;
	/** Bytes, when known (a URL without Content-Length read only in part: unknown). */
	sizeBytes?: number;
	info: MediaInfo;
}

export function formatBytes(n: number): string {
	if (n >= MB) return `${Number((n / MB).toFixed(1))} MB`;
	if (n >= 1024) return `${Number((n / 1024).toFixed(1))} KB`;
	return `${n} bytes`;
}

const secs = (s: number) => `${Number(s.toFixed(2))} s`;

/** Counts alone: checked before any file is read. */
export function countIssues(taskType: string, counts: { images: number; videos: number; audio: number }): string[] {
	const L = MEDIA_LIMITS;
	const issues: string[] = [];
	if ((counts.videos || counts.audio) && taskType !== 'reference_image_to_video') {
		issues.push(`Only Reference Image to Video takes reference videos and audio; ${taskType} got ${counts.videos} video(s) and ${counts.audio} audio file(s)`);
	}
	if (counts.images > L.maxImages) issues.push(`Too many reference images: ${counts.images}; Seedance 2.0 takes at most ${L.maxImages}`);
	if (counts.videos > L.maxVideos) issues.push(`Too many reference videos: ${counts.videos}; Seedance 2.0 takes at most ${L.maxVideos}`);
	if (counts.audio > L.maxAudio) issues.push(`Too many reference audio files: ${counts.audio}; Seedance 2.0 takes at most ${L.maxAudio}`);
	if (taskType === 'reference_image_to_video' && !(counts.images || counts.videos || counts.audio)) {
		issues.push('Reference Image to Video needs at least one reference image, video or audio file');
	}
	return issues;
}

/** Every limit of every file and of the set; an empty list when all pass. */
export function mediaIssues(taskType: string, media: ProbedMedia[]): string[] {
	const L = MEDIA_LIMITS;
	const of = (k: ReferenceKind) => media.filter((m) => m.kind === k);
	const issues = countIssues(taskType, { images: of('image').length, videos: of('video').length, audio: of('audio').length });

	for (const m of media) {
		const { info, label } = m;
		const size = m.sizeBytes;
		if (info.kind !== m.kind) {
			const what = info.kind === 'image' ? `a ${info.format} image` : info.kind === 'video' ? `an ${info.format} video` : `an ${info.format} audio file`;
			issues.push(`${label} is ${what}, not ${m.kind === 'image' ? 'an image' : m.kind === 'video' ? 'a video (mp4 or mov)' : 'an audio file (mp3 or wav)'}`);
			continue;
		}
		if (info.kind === 'image') {
			if (size !== undefined && size >= L.imageMaxBytes) issues.push(`${label} is ${formatBytes(size)}; images must be under ${formatBytes(L.imageMaxBytes)}`);
			sideIssues(issues, label, 'image', info.width, info.height, L.imageMinSide, L.imageMaxSide);
			aspectIssue(issues, label, info.width, info.height);
		} else if (info.kind === 'video') {
			if (size !== undefined && size > L.videoMaxBytes) issues.push(`${label} is ${formatBytes(size)}; videos may be at most ${formatBytes(L.videoMaxBytes)}`);
			if (info.duration < L.videoMinSeconds || info.duration > L.videoMaxSeconds) {
				issues.push(`${label} is ${secs(info.duration)} long; each video must be ${L.videoMinSeconds}–${L.videoMaxSeconds} s`);
			}
			sideIssues(issues, label, 'video', info.width, info.height, L.videoMinSide, L.videoMaxSide);
			aspectIssue(issues, label, info.width, info.height);
			const pixels = info.width * info.height;
			if (pixels && (pixels < L.videoMinPixels || pixels > L.videoMaxPixels)) {
				issues.push(`${label} has ${pixels.toLocaleString('en-US')} pixels per frame (${info.width}×${info.height}); videos need ${L.videoMinPixels.toLocaleString('en-US')}–${L.videoMaxPixels.toLocaleString('en-US')}`);
			}
			// As IMA's runtime: a frame rate that could not be read (0) is not held against the file.
			if (info.fps && (info.fps < L.videoMinFps || info.fps > L.videoMaxFps)) {
				issues.push(`${label} runs at ${Number(info.fps.toFixed(3))} fps; videos need ${L.videoMinFps}–${L.videoMaxFps} fps`);
			}
		} else {
			if (size !== undefined && size > L.audioMaxBytes) issues.push(`${label} is ${formatBytes(size)}; audio files may be at most ${formatBytes(L.audioMaxBytes)}`);
			if (info.duration < L.audioMinSeconds || info.duration > L.audioMaxSeconds) {
				issues.push(`${label} is ${secs(info.duration)} long; each audio file must be ${L.audioMinSeconds}–${L.audioMaxSeconds} s`);
			}
		}
	}

	const total = (k: 'video' | 'audio') =>
		media.filter((m) => m.kind === k && m.info.kind === k).reduce((sum, m) => sum + (m.info as { duration: number }).duration, 0);
	const videoSeconds = total('video');
	if (videoSeconds > L.videoMaxTotalSeconds) issues.push(`The reference videos are ${secs(videoSeconds)} long in all; at most ${L.videoMaxTotalSeconds} s in all`);
	const audioSeconds = total('audio');
	if (audioSeconds > L.audioMaxTotalSeconds) issues.push(`The reference audio files are ${secs(audioSeconds)} long in all; at most ${L.audioMaxTotalSeconds} s in all`);
	const bytes = media.reduce((sum, m) => sum + (m.sizeBytes ?? 0), 0);
	if (bytes > L.totalMaxBytes) issues.push(`All inputs together are ${formatBytes(bytes)}; at most ${formatBytes(L.totalMaxBytes)} in all`);
	return issues;
}

function sideIssues(issues: string[], label: string, what: string, width: number, height: number, min: number, max: number): void {
	if (width < min || width > max) issues.push(`${label} is ${width} px wide; ${what}s need ${min}–${max} px a side`);
	if (height < min || height > max) issues.push(`${label} is ${height} px high; ${what}s need ${min}–${max} px a side`);
}

function aspectIssue(issues: string[], label: string, width: number, height: number): void {
	if (!(width > 0 && height > 0)) return;
	const ratio = width / height;
	if (ratio < MEDIA_LIMITS.minAspect || ratio > MEDIA_LIMITS.maxAspect) {
		issues.push(`${label} has an aspect ratio of ${Number(ratio.toFixed(4))} (${width}×${height}); it must be ${MEDIA_LIMITS.minAspect}–${MEDIA_LIMITS.maxAspect}`);
	}
}

export interface SrcImage {
	url: string;
	width: number;
	height: number;
}
export interface SrcVideo {
	url: string;
	duration: number;
	width: number;
	height: number;
	cover: string;
}
export interface SrcAudio {
	url: string;
	duration: number;
}

/**
 * The top-level `src_*` fields as IMA's runtime builds them: durations in whole seconds (cut,
 * as Python's `int(float(d))`), a video's cover URL ("" when none). Empty lists are left out.
 */
export function srcFields(media: Array<ProbedMedia & { url: string; cover?: string }>): {
	src_image?: SrcImage[];
	src_video?: SrcVideo[];
	src_audio?: SrcAudio[];
} {
	const out: { src_image?: SrcImage[]; src_video?: SrcVideo[]; src_audio?: SrcAudio[] } = {};
	const images: SrcImage[] = [];
	const videos: SrcVideo[] = [];
	const audio: SrcAudio[] = [];
	for (const m of media) {
		const info = m.info;
		if (m.kind === 'image' && info.kind === 'image') images.push({ url: m.url, width: info.width, height: info.height });
		else if (m.kind === 'video' && info.kind === 'video') {
			videos.push({ url: m.url, duration: Math.trunc(info.duration), width: info.width, height: info.height, cover: m.cover ?? '' });
		} else if (m.kind === 'audio' && info.kind === 'audio') audio.push({ url: m.url, duration: Math.trunc(info.duration) });
	}
	if (images.length) out.src_image = images;
	if (videos.length) out.src_video = videos;
	if (audio.length) out.src_audio = audio;
	return out;
}
