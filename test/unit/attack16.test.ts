/**
 * Issue 16 under attack (a review): inputs a hostile server or an odd but legitimate file can
 * bring, that the guards of issue 16 got wrong. Each test failed before its fix.
 */
import { redact, REDACTED } from '../../nodes/Ima/helpers/redact';

const KEY = 'ima_a1B2c3D4e5F6g7H8i9J0kLmNoPqRsTuV';

describe('redact: robust on large texts', () => {
	test('a text that carries the key many times is cleaned (no stack overflow from the number of places found)', () => {
		const text = `${KEY} `.repeat(20_000);
		const out = redact(text, KEY);
		expect(out).not.toContain(KEY.slice(4, 20));
		expect(out.split(REDACTED)).toHaveLength(20_001);
	});
});
