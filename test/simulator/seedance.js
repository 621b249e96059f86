// @ts-check
/**
 * Seedance 2.0 media (`ima-pro`, `ima-pro-fast`) as the simulated server checks it: the
 * `src_image` / `src_video` / `src_audio` fields, their limits, and the asset check
 * (`POST /open/v1/assets/verify`) that must have passed for every input URL before the create.
 * See README "Seedance 2.0 media and the asset check".
 */
'use strict';

const SEEDANCE_MODEL_IDS = new Set(['ima-pro', 'ima-pro-fast']);
const SEEDANCE_TASK_TYPES = new Set(['image_to_video', 'first_last_frame_to_video', 'reference_image_to_video']);

const L = {
	maxImages: 9, maxVideos: 3, maxAudio: 3,
	minSide: 300, maxSide: 6000, minAspect: 0.4, maxAspect: 2.5,
	videoMin: 2, videoMax: 15, videoTotal: 15, minPixels: 409600, maxPixels: 92740800,
	audioMin: 2, audioMax: 15, audioTotal: 15,
};

/** @param {unknown} v */
const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
/** @param {unknown} v */
const isUrl = (v) => typeof v === 'string' && /^https?:\/\/[^\s]+$/i.test(v);
/** @param {unknown} v */
const isCount = (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/**
 * @param {string} modelId
 * @param {string} taskType
 */
function isSeedance(modelId, taskType) {
	return SEEDANCE_MODEL_IDS.has(modelId) && SEEDANCE_TASK_TYPES.has(taskType);
}

/**
 * Checks a Seedance create body. Returns an error message (answered as code 400) or null.
 * @param {any} body
 * @param {any} nested parameters[0].parameters
 * @param {string} taskType
 * @param {Set<string>} verified URLs whose asset check passed
 * @returns {string | null}
 */
function checkSeedanceCreate(body, nested, taskType, verified) {
	/** @type {Array<[string, unknown]>} */
	const lists = [['src_image', body.src_image], ['src_video', body.src_video], ['src_audio', body.src_audio]];
	for (const [name, value] of lists) {
		if (value !== undefined && value !== null && !Array.isArray(value)) return `invalid parameter ${name}: must be a list`;
	}
	const images = Array.isArray(body.src_image) ? body.src_image : [];
	const videos = Array.isArray(body.src_video) ? body.src_video : [];
	const audio = Array.isArray(body.src_audio) ? body.src_audio : [];
	if ((videos.length || audio.length) && taskType !== 'reference_image_to_video') {
		return `invalid parameter src_video/src_audio: only reference_image_to_video takes reference videos and audio (${taskType})`;
	}
	if (images.length > L.maxImages) return `invalid parameter src_image: at most ${L.maxImages} images, got ${images.length}`;
	if (videos.length > L.maxVideos) return `invalid parameter src_video: at most ${L.maxVideos} videos, got ${videos.length}`;
	if (audio.length > L.maxAudio) return `invalid parameter src_audio: at most ${L.maxAudio} audio files, got ${audio.length}`;
	if (taskType === 'image_to_video' && images.length !== 1) return `invalid parameter src_image: image_to_video describes exactly 1 image, got ${images.length}`;
	if (taskType === 'first_last_frame_to_video' && images.length !== 2) return `invalid parameter src_image: first_last_frame_to_video describes exactly 2 images, got ${images.length}`;
	if (taskType === 'reference_image_to_video' && !(images.length || videos.length || audio.length)) {
		return 'invalid parameter src_image: reference_image_to_video needs at least one image, video or audio';
	}

	for (const [i, m] of images.entries()) {
		if (!isObject(m) || !isUrl(m.url) || !isCount(m.width) || !isCount(m.height)) return `invalid parameter src_image[${i}]: must be {url, width, height} with an http(s) URL and whole numbers`;
		const e = sideError(`src_image[${i}]`, m.width, m.height);
		if (e) return e;
	}
	let videoSeconds = 0;
	for (const [i, m] of videos.entries()) {
		if (!isObject(m) || !isUrl(m.url) || !isCount(m.duration) || !isCount(m.width) || !isCount(m.height) || typeof m.cover !== 'string') {
			return `invalid parameter src_video[${i}]: must be {url, duration, width, height, cover} with an http(s) URL, whole numbers and a cover string`;
		}
		if (m.cover !== '' && !isUrl(m.cover)) return `invalid parameter src_video[${i}].cover: must be an http(s) URL or ""`;
		if (m.duration < L.videoMin || m.duration > L.videoMax) return `invalid parameter src_video[${i}].duration: ${m.duration}; each video must be ${L.videoMin}-${L.videoMax} s`;
		videoSeconds += m.duration;
		const e = sideError(`src_video[${i}]`, m.width, m.height);
		if (e) return e;
		const pixels = m.width * m.height;
		if (pixels < L.minPixels || pixels > L.maxPixels) return `invalid parameter src_video[${i}]: ${pixels} pixels; must be ${L.minPixels}-${L.maxPixels}`;
	}
	if (videoSeconds > L.videoTotal) return `invalid parameter src_video: ${videoSeconds} s in all; at most ${L.videoTotal} s`;
	let audioSeconds = 0;
	for (const [i, m] of audio.entries()) {
		if (!isObject(m) || !isUrl(m.url) || !isCount(m.duration)) return `invalid parameter src_audio[${i}]: must be {url, duration} with an http(s) URL and a whole number`;
		if (m.duration < L.audioMin || m.duration > L.audioMax) return `invalid parameter src_audio[${i}].duration: ${m.duration}; each audio file must be ${L.audioMin}-${L.audioMax} s`;
		audioSeconds += m.duration;
	}
	if (audioSeconds > L.audioTotal) return `invalid parameter src_audio: ${audioSeconds} s in all; at most ${L.audioTotal} s`;

	// The URLs as IMA's runtime sends them: nested input_images = every input (images, then
	// videos, then audio); src_img_url = the image URLs, or every input when there is no image.
	const all = [...images, ...videos, ...audio].map((m) => m.url);
	const inputs = nested.input_images;
	if (!Array.isArray(inputs) || inputs.length !== all.length || inputs.some((u, i) => u !== all[i])) {
		return 'invalid parameter input_images: must list the URLs of src_image, src_video and src_audio, in that order';
	}
	const expected = images.length ? images.map((m) => m.url) : all;
	const src = body.src_img_url;
	if (!Array.isArray(src) || src.length !== expected.length || src.some((u, i) => u !== expected[i])) {
		return 'invalid parameter src_img_url: must list the src_image URLs (every input URL when there is no image)';
	}
	const unverified = all.find((u) => !verified.has(u));
	if (unverified !== undefined) {
		return `asset not verified: ${unverified} did not pass POST /open/v1/assets/verify before the create (mandatory for Seedance 2.0)`;
	}
	return null;
}

/**
 * @param {string} what
 * @param {number} width
 * @param {number} height
 */
function sideError(what, width, height) {
	if (width < L.minSide || width > L.maxSide || height < L.minSide || height > L.maxSide) {
		return `invalid parameter ${what}: ${width}x${height}; each side must be ${L.minSide}-${L.maxSide} px`;
	}
	const ratio = width / height;
	if (ratio < L.minAspect || ratio > L.maxAspect) return `invalid parameter ${what}: aspect ratio ${ratio.toFixed(4)}; must be ${L.minAspect}-${L.maxAspect}`;
	return null;
}

/** @param {string} url */
function assetType(url) {
	const ext = (/\.([a-z0-9]+)(?:[?#]|$)/i.exec(url) || [])[1] || '';
	if (/^(mp4|mov)$/i.test(ext)) return 'video';
	if (/^(mp3|wav)$/i.test(ext)) return 'audio';
	return 'image';
}

module.exports = { isSeedance, checkSeedanceCreate, assetType, SEEDANCE_MODEL_IDS, SEEDANCE_TASK_TYPES };
