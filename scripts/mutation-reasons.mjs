/**
 * Why each mutant left alive by the last full-tier run of `npm run mutate` is left, by code
 * region (file, lines, optionally mutators and `match`, a text the mutated code contains). Read by scripts/mutation-summary.mjs (--alive) for
 * docs/MUTATION.md. The first matching entry wins. Line numbers are those of the commit named in
 * docs/MUTATION.md's table; when a file changes, its entries must be read again.
 */
const EQUIV = 'Equivalent:';
const LOAD = 'Made when the module loads (see "Two traps" above): Stryker counts it as covered by whichever test loaded the module first, so the tests that check it never ran on it.';
export const REASONS = [
	// helpers/ledger.ts
	{ file: 'helpers/ledger.ts', from: 77, to: 77, reason: `${EQUIV} attaching to the store the ledger already lives in re-reads its own state; readMoney then mergeMoney of a state this code wrote gives the same state back (same items, counts, limit).` },
	{ file: 'helpers/ledger.ts', from: 159, to: 159, mutators: ['LogicalOperator'], reason: `${EQUIV} only a created try carries a task id (create.ts sets both together), so "created || has an id" picks the same tries as "created && has an id".` },
	{ file: 'helpers/ledger.ts', from: 189, to: 191, reason: `${EQUIV} the scope is typed object | string | undefined (createScope gives the cancel signal or the execution id); a truthy scope that is not an object is a string.` },
	// helpers/credit.ts
	{ file: 'helpers/credit.ts', from: 15, to: 15, reason: `${EQUIV} the fallback for a missing "default" attribute only has to differ from "enabled"; any other text reads "not the default rule" the same.` },
	// helpers/createBody.ts
	{ file: 'helpers/createBody.ts', from: 127, to: 127, reason: `${EQUIV} for null, JSON.stringify(null) and String(null) are both "null".` },
	{ file: 'helpers/createBody.ts', from: 135, to: 136, mutators: ['StringLiteral'], reason: `${EQUIV} the text fallback of a missing price only has to be no number: "Stryker was here!" gives NaN as "" does; and typeof x === "" is never true, which sends every number through String() and Number(), where it comes back the same (see the next row).` },
	{ file: 'helpers/createBody.ts', from: 135, to: 136, mutators: ['ConditionalExpression', 'StringLiteral'], reason: `${EQUIV} a number sent through String() and Number() comes back the same (JavaScript prints the shortest text that reads back exactly; -0 becomes 0, which sends and compares the same), so skipping the typeof shortcut changes nothing; "→ true" is killed by the text prices.` },
	{ file: 'helpers/createBody.ts', from: 151, to: 151, mutators: ['ConditionalExpression'], reason: `${EQUIV} for an absent value, normalizeRuleValue(undefined) is "UNDEFINED", which differs from every rule value IMA has (a rule whose value is the text "undefined" is the only exception).` },
	// helpers/durable.ts
	{ file: 'helpers/durable.ts', from: 57, to: 57, reason: `${EQUIV} b > 0 → b >= 0 only changes the b = 0 case, which returns b, i.e. 0, either way.` },
	{ file: 'helpers/durable.ts', from: 67, to: 67, reason: `${EQUIV} Number.isFinite is false for anything but a number (no coercion), and v >= 0 returns 0 for 0 as the fallback does.` },
	{ file: 'helpers/durable.ts', from: 74, to: 82, mutators: ['ConditionalExpression'], reason: `${EQUIV} a typeof guard on JSON read back from n8n's database: a string or a number has no v, run, items or u/h/t fields, so the next check drops it just the same.` },
	// create/scope.ts
	{ file: 'create/scope.ts', from: 46, to: 46, mutators: ['StringLiteral'], reason: `${EQUIV} the text stands in for a node without an id in the ledger's key; any text does, as long as it is the same for the same node (it is: a constant).` },
	{ file: 'create/scope.ts', from: 39, to: 39, mutators: ['ConditionalExpression'], reason: `${EQUIV} the call runs inside quiet(), so a context without getContext throws a TypeError that quiet() turns into undefined, as the typeof guard does.` },
	// create/outcome.ts
	{ file: 'create/outcome.ts', from: 77, to: 77, mutators: ['ConditionalExpression'], match: 'imaCode', reason: `${EQUIV} PRICE_CODES.has(undefined) is false, so dropping the "code is defined" check changes nothing.` },
	{ file: 'create/outcome.ts', from: 17, to: 17, mutators: ['ConditionalExpression'], match: 'imaCode', reason: `${EQUIV} PRICE_CODES.has(undefined) is false, so dropping the "code is defined" check changes nothing.` },
	{ file: 'create/outcome.ts', from: 36, to: 36, mutators: ['ConditionalExpression'], match: 'imaCode', reason: `${EQUIV} REFUSAL_CODES.has(undefined) is false, so dropping the "code is defined" check changes nothing.` },
	{ file: 'create/outcome.ts', from: 31, to: 31, reason: `${EQUIV} a cancelled error has no refusal code and no HTTP 429 (cancelledError sets neither), so the checks after this one return false for it too; the explicit test keeps the rule readable.` },
	{ file: 'create/outcome.ts', from: 51, to: 51, mutators: ['ConditionalExpression'], reason: `${EQUIV} Number.isSafeInteger is false for anything but a number (no coercion), so the typeof check only saves a call.` },
	// transport/retry.ts
	{ file: 'transport/retry.ts', from: 27, to: 27, mutators: ['EqualityOperator'], reason: `${EQUIV} the loop ends at the break on i === maxAttempts - 1 before the condition is read again; maxAttempts is at least 1 (the transport's own setting).` },
	{ file: 'transport/retry.ts', from: 70, to: 70, reason: `${EQUIV} removing the listener only frees it early: it is registered with once: true, and done() resolving twice does nothing.` },
	{ file: 'transport/retry.ts', from: 73, to: 73, mutators: ['ObjectLiteral', 'BooleanLiteral'], reason: `${EQUIV} done() removes the listener itself, so once: true only repeats it.` },
	// create/createForItem.ts
	{ file: 'create/createForItem.ts', from: 136, to: 136, mutators: ['ArrayDeclaration'], reason: `${EQUIV} the URLs of a task type without input images are never sent: sendCreate puts them in the body only for task types that take images.` },
	{ file: 'create/createForItem.ts', from: 141, to: 141, reason: `${EQUIV} with Seedance 2.0 media the body is built from the media themselves (seedanceBodyFields), never from these URLs.` },
	{ file: 'create/createForItem.ts', from: 194, to: 194, mutators: ['EqualityOperator'], reason: 'Not tested, wording only: an unusable task id whose JSON text is exactly 200 characters would be shown as its 200 characters followed by "… (200 characters)". Nothing is sent or charged differently.' },
	{ file: 'create/createForItem.ts', from: 78, to: 78, mutators: ['ArrayDeclaration'], reason: `${EQUIV} mirror() runs only after an attempt is recorded, and the item's first attempt always sends the prepared plan (a price reload comes after it), so the prepared body's hash is already among the attempts' hashes it stores.` },
	{ file: 'create/createForItem.ts', from: 167, to: 167, mutators: ['ConditionalExpression'], reason: `${EQUIV} the only ItemError here comes from recordCreated (no usable id), which has already recorded "maybe"; passed on through recordFailure it is recorded "maybe" again, is no price refusal, and explainCreateFailure hands it back as it is.` },
	{ file: 'create/createForItem.ts', from: 180, to: 180, mutators: ['ConditionalExpression'], reason: `${EQUIV} the plan already sends src_img_url and input_images as [] for every task type (as IMA's own client does), and a task type without images has no uploaded URLs: setting them to [] again changes nothing.` },
	// transport/retry.ts (module load)
	{ file: 'transport/retry.ts', from: 18, to: 18, mutators: ['ArrowFunction'], reason: `${LOAD} Checked by hand: with backoffMs giving undefined, 9 tests of test/unit/moneyTransport.test.ts (backoff 1 s, 2 s, 4 s, capped at 30 s) fail.` },
	// transport/api.ts (createTask)
	{ file: 'transport/api.ts', from: 110, to: 110, mutators: ['StringLiteral'], reason: `${EQUIV} the step name of resendIfUnsent only names errors that are not already ImaRequestErrors; callApi gives every failure of the create as an ImaRequestError with its own step "create".` },
	{ file: 'transport/api.ts', from: 112, to: 112, mutators: ['ConditionalExpression'], reason: `${EQUIV} a truthy answer that is not an object (text, a number) has no id, so the id check refuses it just the same.` },
	// run/scheduler.ts
	{ file: 'run/scheduler.ts', from: 37, to: 37, reason: `${LOAD.replace('$', '')} Checked by hand: with UNLIMITED = {}, 4 tests of test/engine/options6.test.ts and money.test.ts (Concurrency 1) fail.` },
	{ file: 'run/scheduler.ts', from: 151, to: 151, mutators: ['ConditionalExpression'], reason: `${EQUIV} a rejected result has no value, so "true && r.value" is false for it just as the status check is.` },
	{ file: 'run/scheduler.ts', from: 154, to: 154, reason: `${EQUIV} the results that reach this line are rejected ones and not-started ones (fulfilled with nothing); a rejected item that never started is one whose prepare failed, which without Continue On Fail (the only case with this error) fails the run before any item runs.` },
	{ file: 'run/scheduler.ts', from: 157, to: 157, reason: `${EQUIV} the results that reach this line are items that never started (an item that started either has a value or was rejected, both handled above); a not-started item whose prepare failed cannot occur without Continue On Fail (see the row above).` },
	// helpers/contentCheck.ts
	{ file: 'helpers/contentCheck.ts', from: 61, to: 61, mutators: ['ConditionalExpression'], match: "brand === ''", reason: `${EQUIV} a file without ftyp always has the brand '' (line 59), and a file with ftyp fails the next check (s(4, 8) !== 'ftyp'), so "brand is ''" adds nothing to it.` },
	{ file: 'helpers/contentCheck.ts', from: 64, to: 64, mutators: ['ConditionalExpression'], match: 'b.length >= 12', reason: `${EQUIV} a file shorter than 12 bytes gives s(8, 12) fewer than 4 characters, never "AVI ", so the length check only saves the comparisons.` },
	{ file: 'helpers/contentCheck.ts', from: 65, to: 66, mutators: ['ConditionalExpression'], match: 'b.length >= 4', reason: `${EQUIV} a file shorter than 4 bytes gives s(0, 4) fewer than 4 characters, never "OggS" or "fLaC", so the length check only saves the comparison.` },
	{ file: 'helpers/contentCheck.ts', from: 67, to: 67, mutators: ['ConditionalExpression'], match: 'b.length >= 2', reason: `${EQUIV} in a file of 0 or 1 byte, b[1] is undefined and undefined & 0xf6 is 0, never 0xf0, so the length check only saves the comparisons.` },
	{ file: 'helpers/contentCheck.ts', from: 79, to: 79, mutators: ['Regex'], match: '^\\uFEFF|^\\xEF', reason: `${EQUIV} for the "\\uFEFF" branch: the text is read as latin1, whose characters are all below U+0100, so it never holds U+FEFF. Not tested, wording only, for the "\\xEF\\xBB\\xBF" branch: without its anchor, a UTF-8 byte-order mark after leading white space (no writer puts one there) would be dropped too and such a page called an HTML page instead of text; the file is refused either way.` },
	{ file: 'helpers/contentCheck.ts', from: 82, to: 82, mutators: ['MethodExpression'], match: "text.startsWith('<?xml')", reason: `${EQUIV} "<?xml" starts with "<", so the second check (text.startsWith('<')) takes every such text whatever the first one says.` },
	{ file: 'helpers/contentCheck.ts', from: 154, to: 154, mutators: ['Regex'], reason: `${EQUIV} the chunk type is always exactly 4 characters (bytes 4 to 8 of an 8-byte chunk header), so /^[A-Za-z]{4}/ and /[A-Za-z]{4}$/ accept the same types as /^[A-Za-z]{4}$/.` },
	{ file: 'helpers/contentCheck.ts', from: 163, to: 163, reason: `${EQUIV} for a segment length of exactly 2 the mutant asks to skip 0 bytes, which the walker takes at the next byte without consuming it; a segment is always followed by more reading (a marker search), so the walk is the same.` },
	{ file: 'helpers/contentCheck.ts', from: 170, to: 170, mutators: ['BooleanLiteral'], reason: `${EQUIV} the walker tests for the key ('seekFF' in need), not its value, so { seekFF: false } asks for the same thing.` },
	{ file: 'helpers/contentCheck.ts', from: 180, to: 180, mutators: ['BooleanLiteral'], reason: `${EQUIV} the walker tests for the key ('seekFF' in need), not its value, so { seekFF: false } asks for the same thing.` },
	{ file: 'helpers/contentCheck.ts', from: 241, to: 241, mutators: ['ConditionalExpression', 'EqualityOperator'], reason: `${EQUIV} for a directory right after the header (offset 8) the mutant asks to skip 0 bytes, which the walker takes at the next byte without consuming it, before the directory's entry count is read.` },
	{ file: 'helpers/contentCheck.ts', from: 285, to: 285, mutators: ['ArrayDeclaration'], reason: `${EQUIV} the head is read only while nothing is sniffed: after this line identify() either throws (the check is over; the caller pushes nothing more) or sets sniffed, and from then on push and finish never read the head.` },
	{ file: 'helpers/contentCheck.ts', from: 300, to: 300, mutators: ['ConditionalExpression'], match: "sniffed.kind !== 'image'", reason: `${EQUIV} EITHER_KIND holds only audio and video containers (mp4, mov, m4a, webm, ogg): an image's format is never in it, so "the content is no image" adds nothing to EITHER_KIND.has(format).` },
	{ file: 'helpers/contentCheck.ts', from: 300, to: 300, mutators: ['StringLiteral'], match: "'image'", reason: `${EQUIV} (the second 'image', in sniffed.kind !== 'image'; the first one is killed by the image label with MP4 content) EITHER_KIND holds only audio and video containers: an image's format is never in it, so the kind check adds nothing.` },
	{ file: 'helpers/contentCheck.ts', from: 312, to: 312, reason: `${EQUIV} feed() runs only for an image (identify() throws for any other content under an image label, and video or audio labels never feed), so the probe exists; and a probe that is done ignores further chunks (its push returns at once).` },
	{ file: 'helpers/contentCheck.ts', from: 317, to: 317, mutators: ['OptionalChaining'], reason: `${EQUIV} feed() runs only for an image, for which identify() made the walker together with the probe, so it is never undefined there.` },
	{ file: 'helpers/contentCheck.ts', from: 325, to: 325, mutators: ['ConditionalExpression'], reason: `${EQUIV} for a video or audio file there is no probe and no walker (identify() makes them for images only), so feeding it does nothing.` },
	{ file: 'helpers/contentCheck.ts', from: 337, to: 337, mutators: ['ConditionalExpression'], match: "info.kind !== 'image'", reason: `${EQUIV} the probe reads the file with the same sniffing (sniffFormat) that made it an image here, so its answer is always of kind image.` },
	// helpers/rawJson.ts
	{ file: 'helpers/rawJson.ts', from: 15, to: 15, reason: `${EQUIV} a speed-only shortcut: an integer beyond 2^53 has at least 16 digits, so a text without a run of 16 digits comes back unchanged from the loop too.` },
	{ file: 'helpers/rawJson.ts', from: 19, to: 19, mutators: ['EqualityOperator'], reason: `${EQUIV} one more turn at i = text.length reads charCodeAt → NaN, which is no quote, minus or digit, and is skipped.` },
	{ file: 'helpers/rawJson.ts', from: 34, to: 34, reason: `${EQUIV} past the end charCodeAt gives NaN, which is no digit, so the digit test ends the loop at the same place.` },
	{ file: 'helpers/rawJson.ts', from: 39, to: 39, mutators: ['UpdateOperator'], reason: `${EQUIV} starting one character back puts the fraction loop on the digit (or minus sign) before the "." or "e", which it also takes, so it ends at the same place.` },
	{ file: 'helpers/rawJson.ts', from: 40, to: 40, mutators: ['EqualityOperator'], reason: `${EQUIV} at end = text.length the test reads text[end] = undefined, matched as the text "undefined" (it holds an "e"): end goes one past the end, and slice() and the loop stop there the same.` },
	{ file: 'helpers/rawJson.ts', from: 43, to: 43, mutators: ['Regex'], reason: `${EQUIV} a literal that is no fraction is always -?digits or a lone "-" (no digits), and both anchored and unanchored patterns refuse the lone "-" alike.` },
	{ file: 'helpers/rawJson.ts', from: 49, to: 49, mutators: ['ConditionalExpression'], reason: `${EQUIV} from is still 0 only when nothing was quoted, and then out is '' and out + text.slice(0) is the text itself.` },
];
