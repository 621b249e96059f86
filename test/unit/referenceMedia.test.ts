import type { MediaInfo } from '../../nodes/Ima/helpers/mediaProbe';
import { countIssues, isSeedanceMedia, mediaIssues, type ProbedMedia, srcFields } from '../../nodes/Ima/helpers/referenceMedia';

const MB = 1024 * 1024;
const img = (width: number, height: number, sizeBytes = 100_000, label = 'image "a.png"'): ProbedMedia => ({ kind: 'image', label, sizeBytes, info: { kind: 'image', format: 'png', width, height } });
const vid = (duration: number, o: Partial<{ width: number; height: number; fps: number; size: number; label: string }> = {}): ProbedMedia => ({
	kind: 'video',
	label: o.label ?? 'video "v.mp4"',
	sizeBytes: o.size ?? MB,
	info: { kind: 'video', format: 'mp4', duration, width: o.width ?? 1280, height: o.height ?? 720, fps: o.fps ?? 30 },
});
const aud = (duration: number, size = MB, label = 'audio "a.mp3"'): ProbedMedia => ({ kind: 'audio', label, sizeBytes: size, info: { kind: 'audio', format: 'mp3', duration } });

describe('Seedance 2.0 media: which models and task types', () => {
	test.each([
		['ima-pro', 'reference_image_to_video', true],
		['ima-pro-fast', 'image_to_video', true],
		[' IMA-PRO ', 'first_last_frame_to_video', true],
		['ima-pro', 'text_to_video', false],
		['kling-v2', 'reference_image_to_video', false],
		[undefined, 'reference_image_to_video', false],
	] as const)('%s in %s → %s', (model, taskType, expected) => {
		expect(isSeedanceMedia(model, taskType)).toBe(expected);
	});
});

describe('limits: every message names the file, the limit and the value', () => {
	test.each<[string, string, ProbedMedia[], RegExp | null]>([
		['a good set', 'reference_image_to_video', [img(1024, 1024), vid(5), aud(5)], null],
		['boundaries pass', 'reference_image_to_video', [img(300, 750), img(6000, 2400), vid(2, { width: 640, height: 640, fps: 24 }), vid(13, { fps: 60 }), aud(2), aud(13)], null],
		['image 30 MB', 'reference_image_to_video', [img(1000, 1000, 30 * MB)], /image "a.png" is 30 MB; images must be under 30 MB/],
		['image too small', 'image_to_video', [img(299, 500)], /image "a.png" is 299 px wide; images need 300–6000 px a side/],
		['image too large', 'image_to_video', [img(1000, 6001)], /is 6001 px high; images need 300–6000/],
		['image aspect', 'image_to_video', [img(3000, 1000)], /aspect ratio of 3 \(3000×1000\); it must be 0.4–2.5/],
		['video too long', 'reference_image_to_video', [vid(15.5)], /video "v.mp4" is 15.5 s long; each video must be 2–15 s/],
		['video too short', 'reference_image_to_video', [vid(1.9)], /is 1.9 s long; each video must be 2–15 s/],
		['videos too long in all', 'reference_image_to_video', [vid(8), vid(8, { label: 'video 2' })], /reference videos are 16 s long in all; at most 15 s in all/],
		['video too big', 'reference_image_to_video', [vid(5, { size: 51 * MB })], /is 51 MB; videos may be at most 50 MB/],
		['video pixels', 'reference_image_to_video', [vid(5, { width: 600, height: 600 })], /has 360,000 pixels per frame \(600×600\); videos need 409,600–92,740,800/],
		['video side', 'reference_image_to_video', [vid(5, { width: 2000, height: 299 })], /is 299 px high; videos need 300–6000 px a side/],
		['video fps', 'reference_image_to_video', [vid(5, { fps: 23.976 })], /runs at 23.976 fps; videos need 24–60 fps/],
		['video 120 fps', 'reference_image_to_video', [vid(5, { fps: 120 })], /runs at 120 fps/],
		['audio too long', 'reference_image_to_video', [aud(16)], /audio "a.mp3" is 16 s long; each audio file must be 2–15 s/],
		['audio in all', 'reference_image_to_video', [aud(10), aud(6, MB, 'audio 2')], /audio files are 16 s long in all; at most 15 s in all/],
		['audio too big', 'reference_image_to_video', [aud(5, 16 * MB)], /is 16 MB; audio files may be at most 15 MB/],
		['everything too big', 'reference_image_to_video', [vid(4, { size: 40 * MB }), vid(4, { size: 20 * MB, label: 'v2' }), aud(4, 5 * MB)], /All inputs together are 65 MB; at most 64 MB in all/],
		['too many images', 'reference_image_to_video', Array.from({ length: 10 }, () => img(500, 500)), /Too many reference images: 10; Seedance 2.0 takes at most 9/],
		['too many videos', 'reference_image_to_video', Array.from({ length: 4 }, () => vid(3)), /Too many reference videos: 4; Seedance 2.0 takes at most 3/],
		['too many audio', 'reference_image_to_video', Array.from({ length: 4 }, () => aud(3)), /Too many reference audio files: 4; Seedance 2.0 takes at most 3/],
		['video in image_to_video', 'image_to_video', [img(500, 500), vid(3)], /Only Reference Image to Video takes reference videos and audio/],
		['a video that is an image', 'reference_image_to_video', [{ kind: 'video', label: 'reference video 1 "x.mp4"', sizeBytes: 10, info: { kind: 'image', format: 'png', width: 500, height: 500 } as MediaInfo }], /reference video 1 "x.mp4" is a png image, not a video \(mp4 or mov\)/],
	])('%s', (_n, taskType, media, expected) => {
		const issues = mediaIssues(taskType, media);
		if (expected === null) expect(issues).toEqual([]);
		else expect(issues.join('\n')).toMatch(expected);
	});

	test('every problem is listed, not just the first', () => {
		expect(mediaIssues('reference_image_to_video', [vid(20, { fps: 10 }), aud(1)])).toHaveLength(4);
	});

	test('counts alone, before any file is read', () => {
		expect(countIssues('reference_image_to_video', { images: 0, videos: 0, audio: 0 })).toEqual(['Reference Image to Video needs at least one reference image, video or audio file']);
		expect(countIssues('reference_image_to_video', { images: 0, videos: 1, audio: 0 })).toEqual([]);
		expect(countIssues('first_last_frame_to_video', { images: 2, videos: 0, audio: 1 })[0]).toMatch(/Only Reference Image to Video/);
	});
});

describe('src_* fields as IMA sends them', () => {
	test('whole seconds (cut), covers, empty lists left out', () => {
		const out = srcFields([
			{ ...img(1024, 768), url: 'https://cdn/i.png' },
			{ ...vid(5.97, { width: 1920, height: 1080 }), url: 'https://cdn/v.mp4', cover: 'https://cdn/c.jpg' },
			{ ...vid(3.2), url: 'https://cdn/w.mov' },
			{ ...aud(7.9), url: 'https://cdn/a.wav' },
		]);
		expect(out).toEqual({
			src_image: [{ url: 'https://cdn/i.png', width: 1024, height: 768 }],
			src_video: [
				{ url: 'https://cdn/v.mp4', duration: 5, width: 1920, height: 1080, cover: 'https://cdn/c.jpg' },
				{ url: 'https://cdn/w.mov', duration: 3, width: 1280, height: 720, cover: '' },
			],
			src_audio: [{ url: 'https://cdn/a.wav', duration: 7 }],
		});
		expect(srcFields([{ ...img(500, 500), url: 'u' }])).toEqual({ src_image: [{ url: 'u', width: 500, height: 500 }] });
	});
});
