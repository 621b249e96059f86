/** Task types (IMA "categories") and what they produce. */

export const TASK_TYPES = [
	'text_to_image',
	'image_to_image',
	'text_to_video',
	'image_to_video',
	'first_last_frame_to_video',
	'reference_image_to_video',
	'text_to_music',
	'text_to_speech',
] as const;

export type TaskType = (typeof TASK_TYPES)[number];

export type MediaKind = 'image' | 'video' | 'music' | 'speech';

export const TASK_TYPE_LABELS: Record<TaskType, string> = {
	text_to_image: 'Text to Image',
	image_to_image: 'Image to Image',
	text_to_video: 'Text to Video',
	image_to_video: 'Image to Video',
	first_last_frame_to_video: 'First and Last Frame to Video',
	reference_image_to_video: 'Reference Image to Video',
	text_to_music: 'Text to Music',
	text_to_speech: 'Text to Speech',
};

/** Image task types take input images; `first_last_frame_to_video` takes exactly two. */
export const IMAGE_INPUT_TASK_TYPES: readonly TaskType[] = [
	'image_to_image',
	'image_to_video',
	'first_last_frame_to_video',
	'reference_image_to_video',
];

export function isTaskType(value: unknown): value is TaskType {
	return typeof value === 'string' && (TASK_TYPES as readonly string[]).includes(value);
}

export function takesImages(taskType: string): boolean {
	return (IMAGE_INPUT_TASK_TYPES as readonly string[]).includes(taskType);
}

export function mediaKindOf(taskType: string): MediaKind {
	if (taskType.endsWith('_image')) return 'image';
	if (taskType.endsWith('_video')) return 'video';
	if (taskType.endsWith('_speech')) return 'speech';
	return 'music';
}

/** Defaults from the contract (seconds). */
export const DEFAULT_POLL_INTERVAL: Record<MediaKind, number> = { image: 3, video: 8, music: 5, speech: 3 };
export const DEFAULT_TIMEOUT: Record<MediaKind, number> = { image: 600, video: 2400, music: 480, speech: 300 };

/** How many input images a task type takes: [min, max]. */
export function imageCountRange(taskType: string): [number, number] {
	switch (taskType) {
		case 'first_last_frame_to_video':
			return [2, 2];
		case 'image_to_video':
			return [1, 1];
		case 'image_to_image':
		case 'reference_image_to_video':
			return [1, 10];
		default:
			return [0, 0];
	}
}
