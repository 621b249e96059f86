/**
 * JSON read as the server wrote it: an integer too large for a JavaScript number (above 2^53, say
 * a numeric task id) keeps every digit, as a string, instead of becoming another number. Node 20's
 * JSON.parse has no access to a number's source text, so such integers are put in quotes in the
 * raw text first (outside strings only), then the text is parsed as usual.
 */

/**
 * The JSON text with every integer literal that is not a safe JavaScript integer in quotes.
 * Everything else (strings, fractions, exponents, safe integers, text that is not JSON) is left
 * exactly as it was. Linear, no recursion.
 */
export function quoteBigIntegers(text: string): string {
	// Quick exit: no run of 16 digits anywhere, so no integer above 2^53 (16 digits) can exist.
	if (!/\d{16}/.test(text)) return text;
	let out = '';
	let from = 0;
	let inString = false;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (inString) {
			if (c === 0x5c) i++; // backslash: skip the escaped character
			else if (c === 0x22) inString = false;
			continue;
		}
		if (c === 0x22) {
			inString = true;
			continue;
		}
		const isMinus = c === 0x2d;
		if (!isMinus && !(c >= 0x30 && c <= 0x39)) continue;
		// A number token: -?digits[.digits][e[+-]digits]
		let j = i + (isMinus ? 1 : 0);
		while (j < text.length && text.charCodeAt(j) >= 0x30 && text.charCodeAt(j) <= 0x39) j++;
		let end = j;
		const next = text[end];
		const fraction = next === '.' || next === 'e' || next === 'E';
		if (fraction) {
			end++;
			while (end < text.length && /[0-9eE+\-.]/.test(text[end])) end++;
		}
		const literal = text.slice(i, end);
		if (!fraction && /^-?\d+$/.test(literal) && !Number.isSafeInteger(Number(literal))) {
			out += `${text.slice(from, i)}"${literal}"`;
			from = end;
		}
		i = end - 1;
	}
	return from === 0 ? text : out + text.slice(from);
}

/** JSON.parse of a server's text, large integers kept as their digits (see above). */
export function parseServerJson(text: string): unknown {
	return JSON.parse(quoteBigIntegers(text)) as unknown;
}
