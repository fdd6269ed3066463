// `npm run bench` (last step), or alone: `npm run bench:install`. pyship as users install it: npm pack, npm install -g
// of the tarball into a clean prefix, then the single-file cold start through the installed bin (goal <= 300 ms):
// `pyship check <Dockerfile>` in project mode on a one-service project, in Dockerfile-only mode, and through the
// pre-commit hook's entry. Median of BENCH_COLD_RUNS (default 15) runs each, interleaved. Prints the tarball's size too.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 15);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const work = mkdtempSync(join(tmpdir(), 'pyship-bench-install-'));
try {
  const npmEnv = { ...process.env, npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  const pack = spawnSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8', env: npmEnv });
  if (pack.status !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
  const info = JSON.parse(pack.stdout)[0];
  const prefix = join(work, 'prefix');
  const install = spawnSync('npm', ['install', '-g', '--prefix', prefix, join(work, info.filename)], { encoding: 'utf8', env: npmEnv, timeout: 600_000 });
  if (install.status !== 0) throw new Error(`npm install -g failed: ${install.stderr}`);

  // a one-service project of its own (inside the pyship repository the project would be the whole repository)
  const project = join(work, 'app');
  cpSync(join(ROOT, 'examples', 'naive'), project, { recursive: true });
  writeFileSync(join(project, 'pyproject.toml'), '[project]\nname = "app"\nversion = "1.0"\n');
  const bin = (name) => join(prefix, 'bin', name);
  const cases = {
    'pyship check Dockerfile (project mode)': [bin('pyship'), ['check', 'Dockerfile']],
    'pyship check --no-project Dockerfile': [bin('pyship'), ['check', '--no-project', 'Dockerfile']],
    'pyship-pre-commit check Dockerfile (the hook entry)': [bin('pyship-pre-commit'), ['check', 'Dockerfile']],
    'pyship --version': [bin('pyship'), ['--version']],
    'node -e 0 (the floor: Node.js alone)': [process.execPath, ['-e', '0']],
  };
  // CPU time (user + sys, from GNU time when present) moves less than wall time on a busy machine
  const timeBin = spawnSync('/usr/bin/time', ['-f', '%U', 'true'], { encoding: 'utf8' }).status === 0 ? '/usr/bin/time' : undefined;
  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  const cpu = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  const load = loadavg()[0];
  for (let i = 0; i < RUNS + 1; i++) {
    for (const [label, [cmd, args]] of Object.entries(cases)) {
      const t0 = process.hrtime.bigint();
      const r = timeBin
        ? spawnSync(timeBin, ['-f', 'pyship-bench-cpu %U %S', cmd, ...args], { cwd: project, encoding: 'utf8' })
        : spawnSync(cmd, args, { cwd: project, encoding: 'utf8' });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (r.status !== 0 && r.status !== 1) throw new Error(`${label}: exit ${r.status}: ${r.stderr}`);
      const m = /pyship-bench-cpu ([\d.]+) ([\d.]+)/.exec(r.stderr);
      if (i > 0) {
        // the first round warms the file cache
        times[label].push(ms);
        if (m) cpu[label].push((Number(m[1]) + Number(m[2])) * 1000);
      }
    }
  }
  console.log(`\nnpm package ${info.filename}: ${info.size} bytes packed, ${info.unpackedSize} unpacked, ${info.entryCount} files`);
  console.log(`single-file cold start through the installed bin (npm install -g of the tarball), median of ${RUNS}, load average ${load.toFixed(1)} on ${availableParallelism()} cores:`);
  for (const [label, xs] of Object.entries(times)) {
    const goal = label.includes('Dockerfile') ? '  (goal <= 300)' : '';
    const c = cpu[label].length ? `, CPU ${median(cpu[label]).toFixed(0)} ms` : '';
    console.log(`  ${label}: ${median(xs).toFixed(0)} ms wall (min ${Math.min(...xs).toFixed(0)})${c}${goal}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
