// Test helpers: lint a Dockerfile text with chosen rules, in Dockerfile-only or project mode with in-memory files.
import { checkText } from '../src/lint/check.js';
import { fixUntilStable } from '../src/lint/fix.js';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { checkFiles } from '../src/lint/files.js';
import { main } from '../src/cli.js';
import type { Io } from '../src/commands/io.js';
import { isDockerfileName } from '../src/io/discover.js';
import type { AnyRule, Finding, FixSafety, Rule } from '../src/lint/rule.js';
import { loadProject } from '../src/project/project.js';
import type { Project } from '../src/project/model.js';
import { registry } from '../src/rules/index.js';

const projects = new WeakMap<Record<string, string>, Project>();

/**
 * A real Project holding these files (context-relative path → content) as its context and root: written to a temporary
 * directory once per files object and loaded by the loader every run uses, so rule examples see what a run sees.
 */
export function memoryProject(files: Record<string, string>): Project {
  let project = projects.get(files);
  if (!project) {
    const dir = mkdtempSync(join(tmpdir(), 'pyship-files-'));
    for (const [p, c] of Object.entries(files)) {
      const full = join(dir, p.replace(/^\.\//, ''));
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, c);
    }
    project = loadProject(dir, dir);
    projects.set(files, project);
  }
  return project;
}

export function lint(text: string, rules: readonly Rule[], files?: Record<string, string>): Finding[] {
  return checkText(text, {
    ruleSet: registry,
    path: 'Dockerfile',
    mode: files ? 'project' : 'dockerfile',
    project: files ? memoryProject(files) : undefined,
    rules,
    enabled: new Set(rules.map((r) => r.code)),
  }).findings;
}

export function fix(text: string, rules: readonly Rule[], files?: Record<string, string>, allow: FixSafety[] = ['safe', 'unsafe']): string {
  return fixUntilStable(text, (t) => lint(t, rules, files), new Set(allow)).text;
}

/** Lint a project given as files (root-relative path → text): Dockerfile rules on every Dockerfile, then project rules. */
export function lintProject(files: Record<string, string>, rules: readonly AnyRule[]): Finding[] {
  const dir = mkdtempSync(join(tmpdir(), 'pyship-project-'));
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), c);
  }
  writeFileSync(join(dir, 'pyproject.toml'), files['pyproject.toml'] ?? '[project]\nname = "example"\nversion = "0"\n');
  const codes = rules.map((r) => r.code);
  // REP006 judges lock files by their git history: give its examples a commit dated 120 days back
  if (codes.includes('REP006')) {
    const when = new Date(Date.now() - 120 * 86_400_000).toISOString();
    const env = { ...process.env, GIT_AUTHOR_DATE: when, GIT_COMMITTER_DATE: when };
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, env, stdio: 'ignore' });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-q', '-m', 'fixture');
  }
  const cfg = join(dir, '.pyship-test.toml');
  writeFileSync(cfg, `select = ${JSON.stringify(codes)}\nextend-select = ${JSON.stringify(codes)}\n`);
  // project rules run for projects that have a Dockerfile checked: give examples without one a plain Dockerfile
  let targets = Object.keys(files).filter((p) => isDockerfileName(p.split('/').pop()!)).map((p) => join(dir, p));
  if (targets.length === 0) {
    writeFileSync(join(dir, 'Dockerfile'), 'FROM python:3.13-slim-trixie\n');
    targets = [join(dir, 'Dockerfile')];
  }
  const result = checkFiles({ ruleSet: registry, paths: targets, cwd: dir, configFile: cfg, cli: {} });
  return result.results.flatMap((r) => r.findings).filter((f) => codes.includes(f.code));
}

/** Run the CLI in-process with captured output. */
export async function runCli(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), cwd, color: false };
  const code = await main(args, io);
  return { code, out, err };
}

/** A temporary directory holding these files (path → content). */
export function tempFiles(files: Record<string, string>, prefix = 'pyship-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), c);
  }
  return dir;
}
