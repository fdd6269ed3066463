// Helpers of the `pyship init` tests: a fixture copied into a git repository whose one commit is old enough for
// REP006 to judge the lock files, init run in-process, and pyship check's findings with their lines.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInit, type InitDeps, type InitFlags } from '../../src/commands/init.js';
import type { Io } from '../../src/commands/io.js';
import { checkFiles } from '../../src/lint/files.js';
import { registry } from '../../src/rules/index.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** Every file under `dir` (POSIX, relative), `.git` left out. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === '.git') continue;
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out.push(relative(dir, full).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * Commit everything in `dir` as one commit on a fixed date, old enough for REP006 to judge the lock files' age: fixed,
 * so init's choice of "the newest Python released before the lock changed" does not move with the calendar.
 */
export function gitCommit(dir: string, when = '2026-08-09T12:00:00Z'): void {
  const env = { ...process.env, GIT_AUTHOR_DATE: when, GIT_COMMITTER_DATE: when };
  const git = (...args: string[]): void => void execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', '-c', 'init.defaultBranch=main', ...args], { cwd: dir, env, stdio: 'ignore' });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'fixture');
}

/**
 * A copy of fixture `name` in a fresh temporary directory named like the fixture (projects without a pyproject name
 * are named after their directory), committed to git.
 */
export function fixtureRepo(name: string, git = true): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'pyship-init-')), name);
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  if (git) gitCommit(dir);
  return dir;
}

/** A project in a fresh temporary directory from in-memory files (path → text). */
export function projectDir(files: Record<string, string>, name = 'proj'): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'pyship-init-')), name);
  mkdirSync(dir, { recursive: true });
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return dir;
}

export interface InitRun {
  code: number;
  out: string;
  err: string;
}

/** `pyship init` in-process in `dir` (io.cwd = dir, so the summary says "."). */
export async function init(dir: string, flags: InitFlags = {}, deps: InitDeps = {}): Promise<InitRun> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), cwd: dir, color: false };
  const code = await runInit(undefined, { input: false, ...flags }, io, deps);
  return { code, out, err };
}

/** `pyship check DIR` (project mode, default configuration): its findings as `file:line CODE message` lines. */
export function checkFindings(dir: string): string[] {
  const result = checkFiles({ ruleSet: registry, paths: [dir], cwd: dir, cli: {} });
  const lines: string[] = [];
  for (const r of result.results) {
    for (const f of r.findings) {
      // `file` is the path from `dir`; `projectPath` is relative to the Dockerfile's own project, which may be a subfolder
      const file = f.file || f.projectPath || r.file;
      const full = join(dir, file);
      const text = file === r.file ? r.text : existsSync(full) && statSync(full).isFile() ? readFileSync(full, 'utf8') : '';
      const line = text.slice(0, f.span.start).split('\n').length;
      lines.push(`${file}:${line} ${f.code} ${f.message}`);
    }
  }
  return lines;
}
