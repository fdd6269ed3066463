// `npm run bench` (a row), or alone: `node bench/linear.mjs [N]`. Issue 13: check and --fix --unsafe-fixes of a
// generated N-line and 2N-line Dockerfile (real corpus files plus the once-quadratic shapes, bench/hostile-dockerfile.mjs)
// through the CLI; prints wall time, peak RSS and the 2N/N time ratio (about 2.0 means linear, 4.0 quadratic).
// Goals for N = 20,000 on the 2-core machine: check < 2 s and < 300 MB, fix < 5 s.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostileDockerfile } from './hostile-dockerfile.mjs';

const ROOT = join(import.meta.dirname, '..');
const N = Number(process.argv[2] ?? process.env.BENCH_LINEAR_LINES ?? 20_000);
const RUNS = Number(process.env.BENCH_LINEAR_RUNS ?? 3);
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function run(args) {
  const cli = [join(ROOT, 'bin', 'pyship.js'), ...args];
  const t0 = process.hrtime.bigint();
  const r = timeBin
    ? spawnSync(timeBin, ['-f', '%M', process.execPath, ...cli], { cwd: ROOT, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 })
    : spawnSync(process.execPath, cli, { cwd: ROOT, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const rssKb = timeBin ? Number((r.stderr.trim().split('\n').pop() ?? '').trim()) : NaN;
  return { wall, rssKb, status: r.status };
}

const work = mkdtempSync(join(tmpdir(), 'pyship-bench-linear-'));
try {
  const rows = [];
  for (const lines of [N, 2 * N]) {
    const text = hostileDockerfile(lines);
    const file = join(work, `Dockerfile.${lines}`);
    const check = [];
    const fix = [];
    for (let i = 0; i < RUNS; i++) {
      writeFileSync(file, text);
      check.push(run(['check', '--no-project', '--format', 'json', file]));
      fix.push(run(['check', '--no-project', '--format', 'json', '--fix', '--unsafe-fixes', file]));
    }
    rows.push({ lines, bytes: text.length, check, fix });
  }
  const f0 = (x) => (Number.isFinite(x) ? x.toFixed(0) : '-');
  const mb = (runs) => f0(Math.max(...runs.map((r) => r.rssKb)) / 1024);
  console.log(`\nlarge Dockerfiles (generated: corpus + many ENV/ARG/stages/RUN/LABEL, one huge RUN; median of ${RUNS}):`);
  console.log('| lines | KB | check ms | check peak RSS MB | fix ms | fix peak RSS MB |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.lines} | ${f0(r.bytes / 1024)} | ${f0(median(r.check.map((x) => x.wall)))} | ${mb(r.check)} | ${f0(median(r.fix.map((x) => x.wall)))} | ${mb(r.fix)} |`);
  const ratio = (key) => median(rows[1][key].map((x) => x.wall)) / median(rows[0][key].map((x) => x.wall));
  console.log(`time ratio ${2 * N} / ${N} lines: check ${ratio('check').toFixed(2)}, fix ${ratio('fix').toFixed(2)}  (2.0 is linear; startup makes it lower)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
