// The project's CI as jobs: every workflow, build script and Makefile target read once, and each job's effective
// sequence with the scripts and targets it runs inlined.
import { projectFact, type Project } from './model.js';
import type { CiCommand, CiEntry, CiJob, CiProblem, CiStep, Workflow } from './ci-model.js';
import { githubWorkflow, gitlabPipeline, isBuildScriptPath, makefileJobs, scriptJob } from './ci-readers.js';
import { dependencyBotProblems } from './dependency-bots.js';

export interface CiFacts {
  workflows: Workflow[];
  /** Build scripts and Makefile targets. */
  scripts: CiJob[];
  problems: CiProblem[];
}

export const ciFacts = projectFact((project: Project): CiFacts => {
  const problems: CiProblem[] = [];
  const workflows: Workflow[] = [];
  for (const p of project.find((x) => /^\.github\/workflows\/[^/]+\.ya?ml$/.test(x))) {
    const f = project.file(p);
    if (!f) continue;
    const wf = githubWorkflow(p, f.text, problems);
    if (wf) workflows.push(wf);
  }
  const gl = project.file('.gitlab-ci.yml');
  if (gl) {
    const wf = gitlabPipeline(gl.path, gl.text, problems);
    if (wf) workflows.push(wf);
  }
  const scripts: CiJob[] = [];
  for (const p of project.find(isBuildScriptPath)) {
    const job = scriptJob(project, p);
    if (job) scripts.push(job);
  }
  for (const name of ['Makefile', 'makefile', 'GNUmakefile']) {
    const f = project.file(name);
    if (f) scripts.push(...makefileJobs(name, f.text));
  }
  return { workflows, scripts, problems };
});

/** Malformed CI / Dependabot YAML, for DF026. */
export function ciProblems(project: Project): CiProblem[] {
  return [...ciFacts(project).problems, ...dependencyBotProblems(project)];
}

/** Does the project have CI (a GitHub Actions workflow or .gitlab-ci.yml)? */
export function hasCi(project: Project): boolean {
  return ciFacts(project).workflows.length > 0;
}

/** The scripts/Makefile targets a command runs: `./build.sh`, `bash scripts/x.sh`, `make image`. */
function invoked(c: CiCommand, scripts: CiJob[]): CiJob[] {
  const argv = c.cmd.argv.map((w) => w.value);
  if (argv.length === 0) return [];
  if (c.cmd.name === 'make' || c.cmd.name === 'gmake') {
    const targets = argv.slice(1).filter((a, i, all) => !a.startsWith('-') && !a.includes('=') && !/^-[CfIo]$/.test(all[i - 1] ?? ''));
    const mk = scripts.filter((s) => s.kind === 'makefile');
    if (targets.length === 0) return mk.slice(0, 1);
    return mk.filter((s) => targets.includes(s.id));
  }
  let prog = argv[0]!;
  if (/^(ba|da|z|k)?sh$/.test(c.cmd.name) && argv[1] && !argv[1].startsWith('-')) prog = argv[1];
  const clean = prog.replace(/^\.\//, '').replace(/^\$\{?(GITHUB_WORKSPACE|CI_PROJECT_DIR)\}?\//, '');
  return scripts.filter((s) => s.kind === 'script' && s.file === clean);
}

/**
 * Every job with its effective sequence: CI jobs (with the commands of the scripts and Makefile targets they run
 * inlined) and each build script / Makefile target on its own.
 */
export const jobSequences = projectFact((project: Project): { job: CiJob; ci: boolean; entries: CiEntry[] }[] => {
  const { workflows, scripts } = ciFacts(project);
  const out: { job: CiJob; ci: boolean; entries: CiEntry[] }[] = [];
  const expand = (job: CiJob, into: CiEntry[], depth: number, seen: Set<CiJob>): void => {
    seen.add(job);
    const byStep = new Map<CiStep, CiCommand[]>();
    for (const c of job.commands) if (c.step) byStep.set(c.step, [...(byStep.get(c.step) ?? []), c]);
    const emit = (c: CiCommand): void => {
      into.push({ file: c.file, order: into.length, command: c });
      if (depth < 3) for (const s of invoked(c, scripts)) if (!seen.has(s)) expand(s, into, depth + 1, seen);
    };
    if (job.kind === 'github') {
      for (const step of job.steps) {
        if (step.uses) into.push({ file: job.file, order: into.length, step });
        for (const c of byStep.get(step) ?? []) emit(c);
      }
    } else for (const c of job.commands) emit(c);
  };
  for (const wf of workflows) {
    for (const job of wf.jobs) {
      const entries: CiEntry[] = [];
      expand(job, entries, 0, new Set());
      out.push({ job, ci: true, entries });
    }
  }
  for (const s of scripts) {
    const entries: CiEntry[] = [];
    expand(s, entries, 1, new Set());
    out.push({ job: s, ci: false, entries });
  }
  return out;
});
