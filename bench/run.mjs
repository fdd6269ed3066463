// `npm run bench`: pyship against its peers on the same inputs, one process per tool, run side by side.
// Prints files, wall time (startup included), in-process time, crashes, rule counts, ratios; and pyship's
// single-file cold start and peak RSS. Speed is measured here, never in tests.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const ROOT = join(import.meta.dirname, '..');
const CORPUS = join(ROOT, '..', 'shared', 'corpus', 'real-world');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const require = createRequire(import.meta.url);

if (!existsSync(CORPUS)) {
  console.error(`bench needs ${CORPUS}`);
  process.exit(2);
}
const files = readdirSync(CORPUS).filter((f) => f !== 'MANIFEST.tsv').sort().map((f) => join(CORPUS, f));

function timed(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  let stats = {};
  const last = r.stderr.trim().split('\n').pop() ?? '';
  try {
    stats = JSON.parse(last);
  } catch {
    // the CLI itself prints no stats
  }
  return { wall, status: r.status, stats, stderr: r.stderr };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function bench(label, cmd, args) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(timed(cmd, args));
  return { label, wall: median(runs.map((r) => r.wall)), inProcess: median(runs.map((r) => r.stats.inProcessMs ?? NaN)), stats: runs[0].stats, status: runs[0].status };
}

// interleave the tools so machine noise hits both alike
const { dockerfileRules, everyRule, projectRules, imageRules } = await import('../dist/rules/index.js');
const dflRules = Object.keys(require('dockerfilelint/lib/reference.js')).length;
const results = { pyshipCli: [], pyshipLib: [], dfl: [] };
for (let i = 0; i < RUNS; i++) {
  results.dfl.push(timed(process.execPath, [join(ROOT, 'bench', 'dockerfilelint-runner.cjs'), ...files]));
  results.pyshipLib.push(timed(process.execPath, [join(ROOT, 'bench', 'pyship-runner.mjs'), ...files]));
  results.pyshipCli.push(timed(process.execPath, [join(ROOT, 'bin', 'pyship.js'), 'check', '--no-project', '--format', 'json', CORPUS]));
}
const summary = (runs) => ({ wall: median(runs.map((r) => r.wall)), inProcess: median(runs.map((r) => r.stats.inProcessMs ?? NaN)), stats: runs[0].stats });
const dfl = summary(results.dfl);
const lib = summary(results.pyshipLib);
const cli = summary(results.pyshipCli);

const cold = [];
for (let i = 0; i < Math.max(RUNS, 7); i++) {
  cold.push(timed(process.execPath, [join(ROOT, 'bin', 'pyship.js'), 'check', '--no-project', '--format', 'json', join(ROOT, 'examples', 'naive', 'Dockerfile')]).wall);
}

const f1 = (x) => (Number.isFinite(x) ? x.toFixed(0) : '-');
console.log(`\nCorpus: ${files.length} real-world Dockerfiles, median of ${RUNS} runs each, tools interleaved (2-core machine)\n`);
console.log('| tool | files | rules | wall ms | in-process ms | crashes | peak RSS MB |');
console.log('|---|---|---|---|---|---|---|');
console.log(`| dockerfilelint 1.8.0 (library, one process) | ${dfl.stats.files} | ${dflRules} | ${f1(dfl.wall)} | ${f1(dfl.inProcess)} | ${dfl.stats.crashes} | ${(dfl.stats.maxRssKb / 1024).toFixed(0)} |`);
console.log(`| pyship (library, one process) | ${lib.stats.files} | ${dockerfileRules.length} | ${f1(lib.wall)} | ${f1(lib.inProcess)} | ${lib.stats.crashes} | ${(lib.stats.maxRssKb / 1024).toFixed(0)} |`);
console.log(`| pyship check CLI (directory discovery, JSON report) | ${files.length} | ${dockerfileRules.length} | ${f1(cli.wall)} | - | - | - |`);
console.log('');
console.log(`wall ratio pyship CLI / dockerfilelint: ${(cli.wall / dfl.wall).toFixed(2)}  (goal <= 1.00)`);
console.log(`wall ratio pyship lib / dockerfilelint: ${(lib.wall / dfl.wall).toFixed(2)}`);
console.log(`rule ratio pyship / dockerfilelint: ${(dockerfileRules.length / dflRules).toFixed(2)} on this Dockerfile-only run; ${((dockerfileRules.length + projectRules.length) / dflRules).toFixed(2)} counting pyship's ${projectRules.length} project rules, which run in project mode (${everyRule.length} rules in all, with ${imageRules.length} image-only ones for pyship audit)  (goal >= 3.00)`);
console.log(`single-file cold start (pyship check, one file, median of ${cold.length}): ${f1(median(cold))} ms  (goal <= 300)`);
console.log(`peak RSS over the corpus: ${(lib.stats.maxRssKb / 1024).toFixed(0)} MB  (goal <= 200)`);

// Issue 3: a large project context. 100,000 files, 90% of them under node_modules/ and .venv/ that .dockerignore
// excludes: discovery, the project walk and the context walk must not pay for the ignored trees.
const BIG = join(ROOT, '.bench-tmp', 'big-context');
if (!existsSync(join(BIG, '.done'))) {
  rmSync(BIG, { recursive: true, force: true });
  const write = (rel, text) => {
    const full = join(BIG, rel);
    mkdirSync(join(full, '..'), { recursive: true });
    writeFileSync(full, text);
  };
  const tree = (prefix, count, ext) => {
    for (let i = 0; i < count; i++) write(`${prefix}/pkg${Math.floor(i / 100)}/mod${Math.floor(i / 10) % 10}/f${i}.${ext}`, 'x = 1\n');
  };
  write('pyproject.toml', '[project]\nname = "big"\nversion = "1.0"\ndependencies = ["flask==3.1.0"]\n');
  write('.dockerignore', '.git\n.venv\nvenv\n__pycache__\n*.pyc\n.env\nnode_modules\n.pytest_cache\n.mypy_cache\ndist\nbuild\n');
  write('Dockerfile', 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY pyproject.toml ./\nRUN pip install --no-cache-dir flask==3.1.0\nCOPY src ./src\nUSER 10001\nCMD ["python", "-m", "src"]\n');
  tree('src', 10_000, 'py');
  tree('node_modules', 45_000, 'js');
  tree('.venv/lib/python3.13/site-packages', 45_000, 'py');
  write('.done', '');
}
const bigRuns = [];
for (let i = 0; i < Math.max(3, Math.min(RUNS, 5)); i++) bigRuns.push(timed(process.execPath, [join(ROOT, 'bin', 'pyship.js'), 'check', '--format', 'json', BIG]));
const bigWall = median(bigRuns.map((r) => r.wall));
console.log(`\nlarge context (100,000 files, 90% under ignored node_modules/ and .venv/), pyship check in project mode: ${f1(bigWall)} ms  (goal <= 1500)`);

// ---------------------------------------------------------------------------------------------------------------
// Issue 4: `pyship audit` of python:3.13-trixie (~660 MB) through the engine's `docker save` stream.
// Goal: <= 5 s wall and <= 300 MB peak RSS. `docker save` alone is measured too: it is the floor the audit cannot
// beat (the audit parses while the engine writes). Runs only when an engine answers `docker info`.
{
  const docker = process.env.PYSHIP_DOCKER || 'docker';
  const AUDIT_IMAGE = 'python:3.13-trixie';
  const engineUp = spawnSync(docker, ['info', '--format', '{{.ServerVersion}}'], { timeout: 15_000, stdio: 'ignore' }).status === 0;
  const imagePresent = engineUp && spawnSync(docker, ['image', 'inspect', AUDIT_IMAGE], { timeout: 15_000, stdio: 'ignore' }).status === 0;
  if (!engineUp) console.log('\naudit benchmark skipped: no container engine answers `docker info`');
  else if (!imagePresent) console.log(`\naudit benchmark skipped: ${AUDIT_IMAGE} is not present (bash ../shared/tools/offline-docker/setup.sh)`);
  else {
    const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
    const runAuditOnce = () => {
      const t0 = process.hrtime.bigint();
      const args = [join(ROOT, 'bin', 'pyship.js'), 'audit', AUDIT_IMAGE, '--format', 'json'];
      const r = timeBin
        ? spawnSync(timeBin, ['-f', '%M', process.execPath, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
        : spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      const wall = Number(process.hrtime.bigint() - t0) / 1e6;
      const rssKb = timeBin ? Number((r.stderr.trim().split('\n').pop() ?? '').trim()) : NaN;
      return { wall, rssKb, status: r.status };
    };
    const saveOnce = () => {
      const t0 = process.hrtime.bigint();
      // stdout to /dev/null as a descriptor: `docker save -o FILE` would write a temp file next to FILE and rename it
      spawnSync(docker, ['save', AUDIT_IMAGE], { timeout: 120_000, stdio: ['ignore', 'ignore', 'ignore'] });
      return Number(process.hrtime.bigint() - t0) / 1e6;
    };
    const n = Math.max(3, Math.min(RUNS, 5));
    const audits = [];
    const saves = [];
    for (let i = 0; i < n; i++) {
      audits.push(runAuditOnce());
      saves.push(saveOnce());
    }
    const wall = median(audits.map((a) => a.wall));
    const rss = Math.max(...audits.map((a) => a.rssKb));
    console.log(`\naudit of ${AUDIT_IMAGE} (docker save stream, median of ${n}): ${f1(wall)} ms wall  (goal <= 5000); peak RSS ${Number.isFinite(rss) ? (rss / 1024).toFixed(0) : '-'} MB  (goal <= 300); exit ${audits[0].status}`);
    console.log(`  docker save ${AUDIT_IMAGE} alone (the floor, median of ${n}): ${f1(median(saves))} ms; pyship's share: ${f1(wall - median(saves))} ms`);
  }
}

// Issue 4: a full `pyship smoke` of the good test image (hardened run, every runtime check). Goal: <= 30 s.
{
  const docker = process.env.PYSHIP_DOCKER || 'docker';
  const engineUp = spawnSync(docker, ['info', '--format', '{{.ServerVersion}}'], { timeout: 15_000, stdio: 'ignore' }).status === 0;
  if (!engineUp) console.log('\nsmoke benchmark skipped: no container engine answers `docker info`');
  else {
    const tag = 'pyship-bench-smoke-good:latest';
    const built = spawnSync(docker, ['build', '-q', '--label', 'dev.pyship.managed=bench', '-t', tag, join(ROOT, 'test', 'smoke', 'images', 'good')], { timeout: 600_000, encoding: 'utf8' });
    if (built.status !== 0) console.log(`\nsmoke benchmark skipped: the good test image did not build (${(built.stderr || '').trim().split('\n').pop()})`);
    else {
      const runs = [];
      for (let i = 0; i < 3; i++) runs.push(timed(process.execPath, [join(ROOT, 'bin', 'pyship.js'), 'smoke', tag, '--format', 'json']));
      console.log(`\nfull pyship smoke of the good test image (median of 3): ${f1(median(runs.map((r) => r.wall)))} ms  (goal <= 30000); exit ${runs[0].status}`);
      spawnSync(docker, ['rmi', '-f', tag], { stdio: 'ignore' });
    }
  }
}

// Issue 5: pyship init's Dockerfile against the naive and docker-init-style ones (bench/init.mjs).
{
  const { benchInit } = await import('./init.mjs');
  await benchInit();
}

// Issue 6: pyship as users install it (npm pack, npm install -g into a clean prefix): the tarball's size and the
// single-file cold start through the installed bin.
await import('./installed.mjs');

// Issue 13: check and --fix of a generated N-line and 2N-line Dockerfile; the time ratio shows linearity.
await import('./linear.mjs');

// Issue 15: audit against docker save of the same image: first read, re-read, an app image on a read base.
await import('./audit.mjs');

// Issue 15: the warm re-check of a 60-line Dockerfile in a running process (bench/warm.mjs).
await import('./warm.mjs');
