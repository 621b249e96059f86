/**
 * ARCHITECTURE.md cannot go stale: every path it names exists, every `name()` it names is a
 * function or method defined in a file named in the same table row, list item or paragraph (or,
 * when none is named there, anywhere in nodes/ and credentials/), every other `Identifier` occurs
 * in such a file, and every room of the layer diagram is a folder or file of nodes/Ima/.
 */
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const read = (rel) => fs.readFileSync(path.join(ROOT, rel), 'utf8');

/** Every file below `dir` (relative to the root), with one of the extensions. */
function filesUnder(dir, exts) {
	const out = [];
	for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
		const rel = path.posix.join(dir, entry.name);
		if (entry.isDirectory()) out.push(...filesUnder(rel, exts));
		else if (exts.some((e) => entry.name.endsWith(e))) out.push(rel);
	}
	return out;
}

const CODE = [...filesUnder('nodes', ['.ts']), ...filesUnder('credentials', ['.ts'])];
const escape = (s) => s.replace(/[$]/g, '\\$');

/** Whether `text` defines `name` as a function, a method, an arrow function or a class. */
function defines(text, name) {
	const n = escape(name);
	const mods = '(?:(?:export|public|private|protected|static|async|get|set|readonly)\\s+)*';
	return [
		new RegExp(`function\\s*\\*?\\s+${n}\\b`),
		new RegExp(`(?:const|let|var)\\s+${n}\\s*=`),
		new RegExp(`class\\s+${n}\\b`),
		// A method: its name, its parameters (no statement inside them), then its body.
		new RegExp(`^\\s*${mods}${n}\\s*(?:<[^>\\n]*>)?\\([^;{}]*?\\)[^;{}\\n]*\\{\\s*$`, 'm'),
	].some((re) => re.test(text));
}

/** The table rows, list items and paragraphs of a Markdown text, fenced blocks left out. */
function units(markdown) {
	const out = [];
	let current = [];
	let fenced = false;
	const flush = () => {
		if (current.length) out.push(current.join('\n'));
		current = [];
	};
	for (const line of markdown.split('\n')) {
		if (line.startsWith('```')) {
			flush();
			fenced = !fenced;
			continue;
		}
		if (fenced) continue;
		if (!line.trim() || line.startsWith('|') || /^(\d+\.|-) /.test(line) || line.startsWith('#')) flush();
		if (line.trim()) current.push(line);
		if (line.startsWith('|') || line.startsWith('#')) flush();
	}
	flush();
	return out;
}

const isPath = (t) => t.includes('/') || /\.(ts|js|mjs|json|md)$/.test(t);

/** What ARCHITECTURE.md (or `markdown`) names that the repository does not have. */
function problems(markdown) {
	const found = [];
	let checked = 0;
	for (const unit of units(markdown)) {
		const tokens = [...unit.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]).filter((t) => !/[<\s]/.test(t));
		const paths = tokens.filter(isPath);
		const dirs = paths.filter((p) => p.endsWith('/'));
		const files = [];
		for (const p of paths) {
			checked++;
			const full = p.includes('/') && !p.endsWith('/') ? [p] : p.endsWith('/') ? [] : dirs.map((d) => d + p);
			const where = p.includes('/') ? [p] : full.length ? full : [p, ...CODE.filter((f) => f.endsWith(`/${p}`))];
			const existing = where.filter((f) => fs.existsSync(path.join(ROOT, f)));
			if (!existing.length) found.push(`path ${p}`);
			else if (!p.endsWith('/')) files.push(...existing);
		}
		const texts = (files.length ? files : CODE).filter((f) => /\.(ts|js)$/.test(f)).map(read);
		for (const t of tokens) {
			const fn = /^([A-Za-z_$][\w$]*)\(\)$/.exec(t);
			const id = /^[A-Za-z_$][\w$]*$/.test(t) ? t : undefined;
			if (!fn && !id) continue;
			checked++;
			if (fn && !texts.some((text) => defines(text, fn[1]))) found.push(`function ${t} (${files.join(', ') || 'nodes/'})`);
			if (id && !texts.some((text) => new RegExp(`\\b${escape(id)}\\b`).test(text))) found.push(`name ${t} (${files.join(', ') || 'nodes/'})`);
		}
	}
	// The layer diagram's rooms: `name["folder/: …"]` or `name["file.ts: …"]`.
	const mermaid = /```mermaid\n([\s\S]*?)```/.exec(markdown)?.[1] ?? '';
	for (const m of mermaid.matchAll(/\["([^":]+):/g)) {
		checked++;
		if (!fs.existsSync(path.join(ROOT, 'nodes/Ima', m[1]))) found.push(`room ${m[1]}`);
	}
	return { found, checked };
}

const doc = read('ARCHITECTURE.md');

test('every path, function and name ARCHITECTURE.md gives exists where it says', () => {
	const { found, checked } = problems(doc);
	expect(found).toEqual([]);
	expect(checked).toBeGreaterThan(150);
});

test('the check finds a stale path, function, name and room', () => {
	const stale = [
		'```mermaid\nflowchart TD\n  a["gone/: a room"] --> b["run/: items"]\n```',
		'- `decideFromLedger()` and `noSuchStep()` in `nodes/Ima/create/createForItem.ts`; `NoSuchClass`',
		'- `nodes/Ima/actions/create.ts`, and `prepare.ts` in `nodes/Ima/run/`',
	].join('\n');
	expect(problems(stale).found).toEqual([
		'function noSuchStep() (nodes/Ima/create/createForItem.ts)',
		'name NoSuchClass (nodes/Ima/create/createForItem.ts)',
		'path nodes/Ima/actions/create.ts',
		'path prepare.ts',
		'room gone/',
	]);
});

test('ARCHITECTURE.md stays a short read (at most 120 lines)', () => {
	expect(doc.split('\n').length).toBeLessThanOrEqual(120);
});
