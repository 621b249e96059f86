/**
 * The real product lists IMA returned, as version nodes: verbatim copies of
 * ../shared/ima-api/fixtures kept in the repo (test/simulator/products), so tests need nothing
 * outside the checkout.
 */
import { readFileSync } from 'fs';
import { join } from 'path';

import type { ModelVersion } from '../../nodes/Ima/helpers/types';

export const FIXTURE_DIR = join(__dirname, '..', 'simulator', 'products');

export type FixtureCategory = 'text_to_image' | 'text_to_video' | 'text_to_speech' | 'text_to_music';

export function loadFixture(taskType: FixtureCategory): ModelVersion[] {
	return JSON.parse(readFileSync(join(FIXTURE_DIR, `products_${taskType}.json`), 'utf8')) as ModelVersion[];
}

export const FIXTURES: Array<{ taskType: 'text_to_image' | 'text_to_video'; models: ModelVersion[] }> = [
	{ taskType: 'text_to_image', models: loadFixture('text_to_image') },
	{ taskType: 'text_to_video', models: loadFixture('text_to_video') },
];

export function model(taskType: FixtureCategory, id: string): ModelVersion {
	const found = loadFixture(taskType).find((m) => m.id === id);
	if (!found) throw new Error(`fixture model ${id} not found`);
	return found;
}
