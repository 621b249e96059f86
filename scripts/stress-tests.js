#!/usr/bin/env node
'use strict';
/**
 * Runs the jest suite N times beside a CPU and disk hog, and reports every failure: a test that
 * depends on how fast the machine is shows up here (issue 18: tests that never race the clock).
 *
 *   node scripts/stress-tests.js                 10 runs, 1 CPU hog, 1 disk hog
 *   node scripts/stress-tests.js --runs 3 --cpu 2 --disk 2
 *   node scripts/stress-tests.js --no-build -- test/engine    (jest arguments after --)
 *
 * The hogs are plain Node child processes: a CPU hog spins; a disk hog writes 64 MB files with
 * fsync and deletes them, without end. They stop when the runs end (or on Ctrl-C), and quit by
 * themselves if this script dies. `dist/` is
 * built once first (the engine tests load it) unless --no-build. Each run's output goes to
 * test-output/stress/run-<i>.log; a summary (runs, failures, failed tests, times) is printed and
 * written to test-output/stress/summary.json. Exit code 1 if any run failed.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn, spawnSync } = require('child_process');

const REPO = path.resolve(__dirname, '..');
const OUT = path.join(REPO, 'test-output', 'stress');

function parseArgs(argv) {
	const opts = { runs: 10, cpu: 1, disk: 1, build: true, jestArgs: [] };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a === '--') {
			opts.jestArgs = argv.slice(i + 1);
			break;
		}
		if (a === '--no-build') opts.build = false;
		else if (['--runs', '--cpu', '--disk'].includes(a)) opts[a.slice(2)] = Math.max(0, Number(argv[++i]) || 0);
		else throw new Error(`unknown argument ${a} (see the comment at the top of ${path.relative(REPO, __filename)})`);
	}
	return opts;
}

// The hogs never yield to their event loop, so they handle no signal: SIGTERM ends them (its
// default action), and each one also quits by itself once this script is gone.
const ALIVE = 'const alive = () => { try { process.kill(Number(process.argv[1]), 0); return true; } catch { return false; } };';
const CPU_HOG = `${ALIVE} for (let i = 1; ; i++) { Math.sqrt(Math.random()); if (i % 5e7 === 0 && !alive()) process.exit(0); }`;
const DISK_HOG = `${ALIVE}
const fs = require('fs');
const file = process.argv[2];
const chunk = Buffer.alloc(1024 * 1024, 7);
while (alive()) {
	const fd = fs.openSync(file, 'w');
	for (let i = 0; i < 64; i++) fs.writeSync(fd, chunk);
	fs.fsyncSync(fd);
	fs.closeSync(fd);
	fs.rmSync(file, { force: true });
}`;

function startHogs(cpu, disk) {
	const hogs = [];
	const parent = String(process.pid);
	for (let i = 0; i < cpu; i++) hogs.push({ child: spawn(process.execPath, ['-e', CPU_HOG, parent], { stdio: 'ignore' }) });
	for (let i = 0; i < disk; i++) {
		const file = path.join(os.tmpdir(), `ima-stress-disk-${process.pid}-${i}.bin`);
		hogs.push({ child: spawn(process.execPath, ['-e', DISK_HOG, parent, file], { stdio: 'ignore' }), file });
	}
	return hogs;
}

function stopHogs(hogs) {
	for (const { child, file } of hogs) {
		if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
		if (file) fs.rmSync(file, { force: true });
	}
}

/** One jest run: its exit code, time, and the failed tests named in its output. */
function runJest(i, jestArgs) {
	return new Promise((resolve) => {
		const log = path.join(OUT, `run-${i}.log`);
		const out = fs.createWriteStream(log);
		const started = Date.now();
		const child = spawn(process.execPath, [require.resolve('jest/bin/jest', { paths: [REPO] }), '--ci', ...jestArgs], {
			cwd: REPO,
			env: { ...process.env, FORCE_COLOR: '0' },
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let text = '';
		const take = (d) => {
			out.write(d);
			text += d;
		};
		child.stdout.on('data', take);
		child.stderr.on('data', take);
		child.on('close', (code) => {
			out.end();
			const seconds = (Date.now() - started) / 1000;
			const failed = [...new Set([...text.matchAll(/^\s*● (.+)$/gm)].map((m) => m[1].trim()).filter((t) => !/^Console$/.test(t)))];
			const summary = /^Tests:\s+(.+)$/m.exec(text);
			resolve({ run: i, code, seconds, tests: summary ? summary[1].trim() : '(no summary)', failed, log: path.relative(REPO, log) });
		});
	});
}

async function main() {
	const opts = parseArgs(process.argv.slice(2));
	fs.mkdirSync(OUT, { recursive: true });
	if (opts.build) {
		console.log('[stress] npm run build');
		const b = spawnSync('npm', ['run', 'build'], { cwd: REPO, stdio: 'inherit' });
		if (b.status !== 0) process.exit(b.status || 1);
	}
	console.log(`[stress] ${opts.runs} jest runs beside ${opts.cpu} CPU hog(s) and ${opts.disk} disk hog(s); ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
	const hogs = startHogs(opts.cpu, opts.disk);
	const stop = () => {
		stopHogs(hogs);
		process.exit(130);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
	const results = [];
	try {
		for (let i = 1; i <= opts.runs; i++) {
			const r = await runJest(i, opts.jestArgs);
			results.push({ ...r, load: os.loadavg()[0] });
			console.log(`[stress] run ${i}/${opts.runs}: ${r.code === 0 ? 'passed' : 'FAILED'} in ${r.seconds.toFixed(1)} s (${r.tests}; load ${os.loadavg()[0].toFixed(1)})${r.failed.length ? `\n  ${r.failed.join('\n  ')}` : ''}`);
		}
	} finally {
		stopHogs(hogs);
	}
	const failures = results.filter((r) => r.code !== 0);
	const times = results.map((r) => r.seconds).sort((a, b) => a - b);
	const summary = {
		date: new Date().toISOString(),
		command: `node scripts/stress-tests.js ${process.argv.slice(2).join(' ')}`.trim(),
		cores: os.cpus().length,
		hogs: { cpu: opts.cpu, disk: opts.disk },
		runs: results.length,
		failedRuns: failures.length,
		seconds: { min: times[0], median: times[Math.floor(times.length / 2)], max: times[times.length - 1] },
		results,
	};
	fs.writeFileSync(path.join(OUT, 'summary.json'), JSON.stringify(summary, null, 2));
	console.log(`[stress] ${results.length} runs, ${failures.length} failed; jest took ${times[0]?.toFixed(1)}–${times[times.length - 1]?.toFixed(1)} s (median ${summary.seconds.median?.toFixed(1)} s). Logs: ${path.relative(REPO, OUT)}/`);
	for (const f of failures) console.log(`  run ${f.run}: ${f.failed.join('; ') || f.tests} (${f.log})`);
	process.exitCode = failures.length ? 1 : 0;
}

main().catch((e) => {
	console.error('[stress]', e);
	process.exit(1);
});
