// `npm run bench` (a row), or alone: `node bench/warm.mjs [N]`. Issue 15 goal 3: the warm re-check an editor server
// makes on every keystroke: the engine loaded once, then the same real 60-line Dockerfile (ihatemoney's, which is in
// both corpora) checked N times in the process. Prints the median ms per check (goal <= 5) of the text (checkText, as
// an editor holding the buffer and the project would), Dockerfile-only and in project mode with the project loaded
// once; and of the file (checkFiles, as `pyship check` runs it: config lookup, reading and, in project mode, the
// project loaded again each time, with its git and ShellCheck processes).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const N = Number(process.argv[2] ?? process.env.BENCH_WARM_RUNS ?? 200);
const APP = join(ROOT, '..', 'shared', 'corpus', 'apps', 'ihatemoney');
const FILE = join(APP, 'Dockerfile');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const { checkFiles } = await import('../dist/lint/files.js');
const { checkText } = await import('../dist/lint/check.js');
const { registry } = await import('../dist/rules/index.js');
const { RunProjects } = await import('../dist/lint/projects.js');

/** Median ms of `check` over N runs, after N/4 (at least 10) untimed runs that let V8 optimise. */
function perCheck(check) {
  for (let i = 0; i < Math.max(10, N / 4); i++) check();
  const ms = [];
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    check();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

const text = readFileSync(FILE, 'utf8');
const lines = text.split('\n').length - 1;
const findings = (noProject) => checkFiles({ ruleSet: registry, paths: [FILE], cwd: APP, noProject, cli: {} }).results[0].findings.length;
const projects = new RunProjects();
const context = projects.contextFor(FILE, APP, undefined);
const project = projects.of(context.dir, undefined, context.dockerfile);
const rows = [
  ['text, Dockerfile-only (checkText)', () => checkText(text, { path: 'Dockerfile', mode: 'dockerfile', ruleSet: registry })],
  ['text, project mode, project loaded once (checkText)', () => checkText(text, { path: 'Dockerfile', mode: 'project', project, ruleSet: registry })],
  [`file, Dockerfile-only (checkFiles --no-project, ${findings(true)} findings)`, () => checkFiles({ ruleSet: registry, paths: [FILE], cwd: APP, noProject: true, cli: {} })],
  [`file, project mode, project loaded each time (checkFiles, ${findings(false)} findings)`, () => checkFiles({ ruleSet: registry, paths: [FILE], cwd: APP, cli: {} })],
];
console.log(`\nwarm re-check of ${lines}-line apps/ihatemoney/Dockerfile in one process, median of ${N} (goal <= 5 ms):`);
for (const [label, check] of rows) console.log(`  ${label}: ${perCheck(check).toFixed(2)} ms`);
