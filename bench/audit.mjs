// `npm run bench` (a row), or alone: `node bench/audit.mjs`. Issue 15: `pyship audit` against `docker save` of the
// same image: a first read (layer cache cleared), a re-read (its layers cached), and an app image built on the base
// after the base was read; once with the engine's local store allowed, once through `docker save` only
// (PYSHIP_NO_STORE=1: an engine elsewhere, or a store this user cannot read). Goals: first read <= 1.0x docker save,
// re-read and app-on-read-base <= 0.35x docker save of the base; peak RSS <= 300 MB.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const IMAGE = 'python:3.13-trixie';
const APP = 'pyship-bench-audit-app:latest';
const RUNS = Math.max(3, Math.min(Number(process.env.BENCH_RUNS ?? 5), 7));
const docker = process.env.PYSHIP_DOCKER || 'docker';
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function audit(image, env) {
  const args = [join(ROOT, 'bin', 'pyship.js'), 'audit', image, '--format', 'json'];
  const t0 = process.hrtime.bigint();
  const r = timeBin
    ? spawnSync(timeBin, ['-f', '%M', process.execPath, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 })
    : spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  return { wall, rssKb: timeBin ? Number((r.stderr.trim().split('\n').pop() ?? '').trim()) : NaN, status: r.status };
}

function save() {
  const t0 = process.hrtime.bigint();
  // stdout to /dev/null as a descriptor: `docker save -o FILE` would write a temp file next to FILE and rename it
  spawnSync(docker, ['save', IMAGE], { timeout: 300_000, stdio: ['ignore', 'ignore', 'ignore'] });
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const engineUp = spawnSync(docker, ['info', '--format', '{{.ServerVersion}}'], { timeout: 15_000, stdio: 'ignore' }).status === 0;
const present = engineUp && spawnSync(docker, ['image', 'inspect', IMAGE], { timeout: 15_000, stdio: 'ignore' }).status === 0;
if (!engineUp) console.log('\naudit cache benchmark skipped: no container engine answers `docker info`');
else if (!present) console.log(`\naudit cache benchmark skipped: ${IMAGE} is not present (bash ../shared/tools/offline-docker/setup.sh)`);
else {
  const ctx = mkdtempSync(join(tmpdir(), 'pyship-bench-audit-'));
  writeFileSync(join(ctx, 'Dockerfile'), `FROM ${IMAGE}\nRUN echo x > /x\n`);
  const built = spawnSync(docker, ['build', '-q', '--label', 'dev.pyship.managed=bench', '-t', APP, ctx], { timeout: 600_000, encoding: 'utf8' });
  if (built.status !== 0) console.log(`\naudit cache benchmark skipped: the app image did not build (${(built.stderr || '').trim().split('\n').pop()})`);
  else {
    const modes = { store: {}, 'save only': { PYSHIP_NO_STORE: '1' } };
    const runs = { save: [], ...Object.fromEntries(Object.keys(modes).map((m) => [m, { first: [], reread: [], app: [] }])) };
    // interleaved, so machine noise hits every figure alike; each round starts from an empty cache
    for (let i = 0; i < RUNS; i++) {
      runs.save.push(save());
      for (const [mode, env] of Object.entries(modes)) {
        const cache = mkdtempSync(join(tmpdir(), 'pyship-bench-audit-cache-'));
        const e = { ...env, PYSHIP_CACHE_DIR: cache };
        runs[mode].first.push(audit(IMAGE, e));
        runs[mode].reread.push(audit(IMAGE, e));
        runs[mode].app.push(audit(APP, e));
        rmSync(cache, { recursive: true, force: true });
      }
    }
    const saveMs = median(runs.save);
    const GOALS = { first: 1.0, reread: 0.35, app: 0.35 };
    const LABELS = { first: 'first read (cache cleared)', reread: 're-read (layers cached)', app: 'app image on the read base' };
    console.log(`\naudit of ${IMAGE} against docker save of it (median of ${RUNS}, interleaved): docker save ${saveMs.toFixed(0)} ms`);
    console.log('| read | way | wall ms | / docker save | goal | peak RSS MB |');
    console.log('|---|---|---|---|---|---|');
    for (const mode of Object.keys(modes)) {
      for (const kind of ['first', 'reread', 'app']) {
        const rs = runs[mode][kind];
        const wall = median(rs.map((r) => r.wall));
        const rss = Math.max(...rs.map((r) => r.rssKb));
        console.log(`| ${LABELS[kind]} | ${mode} | ${wall.toFixed(0)} | ${(wall / saveMs).toFixed(2)} | <= ${GOALS[kind].toFixed(2)} | ${Number.isFinite(rss) ? (rss / 1024).toFixed(0) : '-'} |`);
      }
    }
    spawnSync(docker, ['rmi', '-f', APP], { stdio: 'ignore' });
  }
  rmSync(ctx, { recursive: true, force: true });
}
