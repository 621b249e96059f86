/** What Model Settings shows of each field: IMA's label, description, range and the sent field. */
import { fieldDisplayName, toField } from '../../nodes/Ima/helpers/settingsFields';
import { modelFields, type UserField } from '../../nodes/Ima/helpers/formFields';
import { Ima } from '../../nodes/Ima/Ima.node';
import { model } from './fixtures';

const field = (over: Partial<UserField>): UserField => ({ id: 'x', label: 'x', kind: 'string', target: 'x', virtual: false, ...over });

describe('fieldDisplayName', () => {
	test.each([
		[field({}), 'x'],
		[field({ label: 'Speaker', id: 'speaker', description: '发音人 ID' }), 'Speaker (speaker) — 发音人 ID'],
		[field({ label: 'model', id: 'model', description: 'model' }), 'model'],
		[field({ label: 'Duration', id: 'duration', kind: 'number', min: 1, max: 15 }), 'Duration (duration) — 1–15'],
		[field({ label: 'text', id: 'text', description: '待合成文本', maxLength: 10000 }), 'text — 待合成文本; up to 10000 characters'],
		[field({ label: 'Aspect Ratio', id: 'aspect_ratio', virtual: true, target: 'size' }), 'Aspect Ratio (aspect_ratio) — sent as size'],
		[field({ label: 'L', id: 'l', description: 'a'.repeat(150) }), `L (l) — ${'a'.repeat(99)}…`],
		[field({ label: 'L', id: 'l', description: '  two\n lines ' }), 'L (l) — two lines'],
	])('%j → %s', (f, expected) => {
		expect(fieldDisplayName(f)).toBe(expected);
	});

	test("seed-tts-2.0's fields carry IMA's descriptions", () => {
		const fields = modelFields(model('text_to_speech', 'seed-tts-2.0'), 'text_to_speech').map(toField);
		expect(fields.map((f) => f.displayName)).toEqual(['model — seed-tts-2', 'speaker — 发音人 ID', 'ssml — SSML 文本', 'text — 待合成文本; up to 10000 characters']);
	});
});

describe('the node subtitle shows the task type label', () => {
	const subtitle = String(new Ima().description.subtitle);
	// eslint-disable-next-line @typescript-eslint/no-implied-eval
	const evaluate = (parameter: Record<string, string>) => new Function('$parameter', `return (${subtitle.replace(/^=\{\{/, '').replace(/\}\}$/, '')});`)(parameter) as string;
	test.each([
		[{ operation: 'generate', taskType: 'text_to_speech' }, 'Generate: Text to Speech'],
		[{ operation: 'createTask', taskType: 'first_last_frame_to_video' }, 'Create Task: First and Last Frame to Video'],
		[{ operation: 'listModels', taskType: 'text_to_music' }, 'List Models: Text to Music'],
		[{ operation: 'listModels', taskType: '={{ $json.kind }}' }, 'List Models: ={{ $json.kind }}'],
		[{ operation: 'waitForResult', taskType: 'text_to_image' }, 'Wait for Result'],
		[{ operation: 'uploadImage' }, 'Upload Image'],
	])('%j → %s', (parameter, expected) => {
		expect(evaluate(parameter)).toBe(expected);
	});
});
