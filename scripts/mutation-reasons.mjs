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
	// helpers/hosts.ts
	{ file: 'helpers/hosts.ts', from: 26, to: 26, mutators: ['ConditionalExpression'], match: 'parts.length < 1', reason: `${EQUIV} a host with no part leaves nums empty; its pop() gives undefined, which passes the range checks and is returned as is: undefined, "no IPv4 address", as the check returns.` },
	{ file: 'helpers/hosts.ts', from: 30, to: 30, mutators: ['MethodExpression'], match: 'p.slice(2)', reason: `${EQUIV} parseInt(text, 16) skips a leading 0x or 0X itself, so parsing the part with its prefix gives the same number.` },
	{ file: 'helpers/hosts.ts', from: 31, to: 31, mutators: ['MethodExpression'], match: 'p.slice(1)', reason: `${EQUIV} a leading 0 adds nothing to an octal number: parseInt("0177", 8) is parseInt("177", 8).` },
	{ file: 'helpers/hosts.ts', from: 34, to: 34, mutators: ['ConditionalExpression'], reason: `${EQUIV} a part is never NaN (every branch's pattern has a digit, and "0x" alone is 0), and an infinite part (hundreds of digits) fails the "> 255" or ">= 256 ** k" check that follows.` },
	{ file: 'helpers/hosts.ts', from: 86, to: 86, mutators: ['EqualityOperator'], reason: `${EQUIV} a zone at the very start ("%eth0") leaves no address either way: cut, nothing is left; kept, its "%" is refused by the hex-digit check.` },
	{ file: 'helpers/hosts.ts', from: 87, to: 87, reason: `${EQUIV} without a colon there is at most one group (and an embedded IPv4's two), never the 8 groups the count check asks for, so the host is refused there all the same.` },
	{ file: 'helpers/hosts.ts', from: 99, to: 99, reason: `${EQUIV} every group is checked against /^[0-9a-fA-F]{1,4}$/ a few lines on, so a character other than a hex digit or a colon is refused there all the same.` },
	{ file: 'helpers/hosts.ts', from: 108, to: 108, mutators: ['ConditionalExpression'], reason: `${EQUIV} without "::" the count check has already asked for exactly 8 groups, so the filler new Array(8 - known) is empty either way.` },
	{ file: 'helpers/hosts.ts', from: 148, to: 148, mutators: ['StringLiteral'], match: "'localhost'", reason: `${EQUIV} "localhost" and *.localhost are answered as loopback names before this list is read; an empty suffix instead matches nothing (the host is not empty and has no trailing dot there).` },
	{ file: 'helpers/hosts.ts', from: 191, to: 191, mutators: ['BlockStatement'], reason: `${EQUIV} the function ends after the catch, so an empty catch returns undefined as "return undefined" does.` },
	{ file: 'helpers/hosts.ts', from: 203, to: 203, mutators: ['Regex'], reason: `${EQUIV} splitting on each separator instead of each run of them only adds empty entries, which filter(Boolean) drops.` },
	{ file: 'helpers/hosts.ts', from: 240, to: 240, mutators: ['ConditionalExpression', 'EqualityOperator'], match: 'i < 8', reason: `${EQUIV} a range has at most 128 bits (parseHostList refuses more), so the bits run out by the 8th group: the group bound is never what ends the loop.` },
	{ file: 'helpers/hosts.ts', from: 240, to: 240, mutators: ['EqualityOperator'], match: 'bits > 0', reason: `${EQUIV} with bits at 0 one more pass compares a group under the mask of 0 bits (0), which always matches; then bits is negative and the loop ends.` },
	{ file: 'helpers/hosts.ts', from: 252, to: 252, mutators: ['ConditionalExpression'], reason: `${EQUIV} an IPv4 address has no colon, so parseIPv6 gives undefined for it anyway.` },
	{ file: 'helpers/hosts.ts', from: 266, to: 266, mutators: ['BooleanLiteral'], reason: `${EQUIV} not reachable: every rule comes from parseHostList, which makes only the five types, and each returns inside the switch.` },
	// transport/urlGuard.ts
	{ file: 'transport/urlGuard.ts', from: 59, to: 59, mutators: ['ArrayDeclaration'], reason: `${EQUIV} a text in the rule list is no rule: hostAllowed finds no case of its switch for it and returns false, as for an empty list.` },
];
