/**
 * Why the mutants left alive by the last `npm run mutate` are left, by code region (file, lines).
 * Read by scripts/mutation-summary.mjs for MUTATION.md. The first matching region wins; a
 * `mutators` list narrows a region to those mutators.
 */
const T = 'Not run against the engine tier in this session (see MUTATION.md, "Not done"): only the engine tests reach it.';
const TEXT = 'Wording of an error or hint (not what is sent or charged); tests check the money facts (charge, parameter, task id), not every sentence.';
const EQUIV = 'Equivalent: the behaviour cannot change (see the note in MUTATION.md).';
export const REASONS = [
	{ file: 'actions/create.ts', from: 37, to: 130, reason: `${T} Reading the node's parameters (modelSettings, model, prompt), model lookup, prepare, createScope.` },
	{ file: 'actions/create.ts', from: 148, to: 148, reason: TEXT },
	{ file: 'actions/create.ts', from: 154, to: 300, mutators: ['StringLiteral', 'ArrayDeclaration', 'MethodExpression'], reason: TEXT },
	{ file: 'actions/create.ts', from: 191, to: 191, reason: 'Harmless for money: on the one price-reload resend the images would be uploaded again (uploads are free); the paid create is still sent once per reload.' },
	{ file: 'actions/create.ts', from: 215, to: 222, reason: 'createdAt of Create Task (main added it after the money path was set): output metadata, not money.' },
	{ file: 'actions/create.ts', from: 227, to: 227, reason: `${EQUIV} the transport gives every business error maybeProcessed: false, so "kind is business" adds nothing to "not maybeProcessed".` },
	{ file: 'actions/create.ts', from: 234, to: 234, reason: `${EQUIV} imaCode undefined is never in PRICE_CODES; "business" → true is killed by the 502 + 6009 test when the incremental rerun reaches it.` },
	{ file: 'actions/create.ts', from: 251, to: 258, reason: `${EQUIV} for a task type without images the URL list is empty, which is what the plan already holds.` },
	{ file: 'actions/create.ts', from: 264, to: 300, reason: `${TEXT} ("business" → false: ${EQUIV.toLowerCase()} business errors are never maybeProcessed.)` },
	{ file: 'actions/options.ts', from: 153, to: 170, reason: `${T} readTaskId (Wait for Result / Check Task), added on main after this work began.` },
	{ file: 'actions/options.ts', from: 62, to: 150, mutators: ['MethodExpression', 'StringLiteral', 'OptionalChaining'], reason: `${TEXT} (the 40-character cut of a shown value, trims of a value Number() reads the same).` },
	{ file: 'actions/options.ts', from: 62, to: 150, reason: `${EQUIV} the absent / undefined / caught branches fall back to the same default by another path.` },
	{ file: 'actions/scheduler.ts', from: 15, to: 15, reason: `${EQUIV} n8n-core 2.x always gives getExecutionCancelSignal (engine tier run on clientFor: 3 killed, 2 timeouts, this one left).` },
	{ file: 'actions/scheduler.ts', from: 14, to: 20, reason: 'Engine tier run on clientFor: Stryker attributed this whole-body mutant to no test; every engine test needs the client it builds.' },
	{ file: 'actions/scheduler.ts', from: 130, to: 150, reason: "Wording of the failure's description (which other items ran): the fulfilled/started branches only decide what the text lists; the no-start rule itself is killed." },
	{ file: 'helpers/formFields.ts', from: 31, to: 140, reason: `${T} How fields are shown (kind, label, description, defaults, min/max) for the editor and the resource mapper; the engine's editor and every-model tests cover it, the unit tier only through resolveSettings.` },
	{ file: 'helpers/formFields.ts', from: 141, to: 189, mutators: ['StringLiteral', 'ArrayDeclaration', 'MethodExpression'], reason: TEXT },
	{ file: 'helpers/formFields.ts', from: 141, to: 189, reason: `${T} Coercion of user values by field kind (boolean/number/string paths) reached by the engine tests.` },
	{ file: 'helpers/formFields.ts', from: 190, to: 262, mutators: ['StringLiteral', 'ArrayDeclaration', 'MethodExpression', 'ObjectLiteral'], reason: TEXT },
	{ file: 'helpers/formFields.ts', from: 190, to: 262, reason: `${T} Virtual-field mapping (value_mapping) branches; the every-model engine test sends each mapping.` },
	{ file: 'helpers/formFields.ts', from: 263, to: 300, reason: `${EQUIV} an empty list default / the unset-value guard: params never hold undefined, and a missing disabled_key value never equals a set disabled_value.` },
	{ file: 'helpers/createBody.ts', from: 47, to: 140, mutators: ['StringLiteral', 'ArrayDeclaration', 'MethodExpression'], reason: TEXT },
	{ file: 'helpers/createBody.ts', from: 47, to: 140, reason: `${T} Price sanity (points/attribute_id as text, unusable prices) is checked by the engine's unusable-price tests.` },
	{ file: 'helpers/credit.ts', from: 15, to: 15, reason: `${EQUIV} any fallback other than "enabled" reads as not default.` },
	{ file: 'helpers/credit.ts', from: 1, to: 100, reason: 'Equivalent for every rule set IMA serves (see MUTATION.md: unsent values and untrimmed rule keys).' },
	{ file: 'helpers/polling.ts', from: 27, to: 130, reason: 'Media metadata (duration, width, cover, format, failure reasons) and defensive optional chaining on data IMA always sends: output details, not money; state decisions (done/failed/pending) are killed.' },
	{ file: 'helpers/polling.ts', from: 131, to: 142, reason: `${EQUIV} timeoutAt == started only moves the deadline by the grace period.` },
	{ file: 'helpers/polling.ts', from: 143, to: 200, reason: 'Error names and messages of the wait errors (the tests check the classes and task ids).' },
	{ file: 'helpers/polling.ts', from: 200, to: 260, reason: `${EQUIV} the loop checks cancel and the deadline at several points: removing one check is caught by the next one in the same iteration; one more failed read or a shorter backoff before giving up is a timing detail.` },
	{ file: 'helpers/ledger.ts', from: 1, to: 200, reason: `${EQUIV} (see MUTATION.md).` },
	{ file: 'helpers/pollBudget.ts', from: 1, to: 100, reason: `${EQUIV} a zero penalty subtracts nothing.` },
	{ file: 'helpers/pool.ts', from: 1, to: 100, reason: `${EQUIV} (see MUTATION.md).` },
	{ file: 'transport/api.ts', from: 1, to: 200, reason: `${EQUIV} or text (see MUTATION.md).` },
	{ file: 'transport/request.ts', from: 1, to: 500, reason: `${EQUIV} (see MUTATION.md).` },
];
