/**
 * Every model version the simulator serves, in every category, runs with its defaults: the
 * simulator (its own reading of IMA's rules) accepts the create and charges its rule. This is
 * how Midjourney in text_to_image was found failing on every run (its price rules are on a field
 * its form hides; IMA's runtime sends the rule's attributes).
 */
import { IMAGE_INPUT_TASK_TYPES, TASK_TYPES } from '../../nodes/Ima/helpers/taskTypes';
import { linear, model, run, settings, useSimulator, type Sim } from './setup';

const env = useSimulator();
let sim: Sim;
beforeEach(() => {
	sim = env.sim;
});

const URLS: Record<string, string> = {
	first_last_frame_to_video: 'https://x.example/first.png, https://x.example/last.png',
};

test('every version of every category creates with its defaults and is charged its rule', async () => {
	const failures: string[] = [];
	let count = 0;
	for (const taskType of TASK_TYPES) {
		if (!sim.categories().includes(taskType)) continue;
		for (const version of sim.products(taskType)) {
			sim.reset();
			const images = (IMAGE_INPUT_TASK_TYPES as readonly string[]).includes(taskType);
			const result = await run(
				sim,
				linear({
					parameters: {
						operation: 'createTask',
						taskType,
						model: model(version.id),
						prompt: 'a calm lake at dawn',
						modelSettings: settings({}),
						...(images ? { imageInput: 'url', imageUrls: URLS[taskType] ?? 'https://x.example/a.png' } : {}),
					},
				}),
			);
			count++;
			const task = [...sim.tasks.values()][0];
			if (result.status !== 'success' || !task) {
				failures.push(`${taskType} ${version.id}: ${result.error?.message ?? 'no task'}`);
				continue;
			}
			const out = result.outputs.IMA[0].json;
			if (out.credits !== task.credit * task.n || sim.creditsCharged !== task.credit * task.n || task.rule.points !== task.credit) {
				failures.push(`${taskType} ${version.id}: node says ${out.credits}, charged ${sim.creditsCharged}, rule ${task.rule.points}`);
			}
		}
	}
	expect(failures).toEqual([]);
	expect(count).toBeGreaterThan(40);
});
