// Checks files on disk (or stdin): finds them, loads the nearest config for each, lints, fixes atomically.
import { existsSync, lstatSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { discoverDockerfiles } from '../io/discover.js';
import { InputError } from '../io/read.js';
import { readTarget } from './read-target.js';
import { writeAtomic, WriteError, WriteRefused } from '../io/write.js';
import { onDisk } from '../io/eol.js';
import { findProjectRoot, loadProject, type Project } from '../project/project.js';
import { contextOf } from '../project/contexts.js';
import { runProjectRules, type ProjectDockerfile } from './run.js';
import type { Dockerfile } from '../dockerfile/model.js';
import type { RuleSet } from './rule-set.js';
import { checkText } from './check.js';
import {
  ConfigError, effectiveSeverity, findConfig, subcodeIgnored, loadConfig, mergeCli, resolveEnabled, validateSelectors,
  type CliOverrides, type Config,
} from './config.js';
import { fixUntilStable } from './fix.js';
import { SUBCODE, type Finding, type FixSafety } from './rule.js';
import type { FileResult } from '../report/types.js';

export const PARSE_CODE = 'DF022';

/** Files whose age REP006 judges from git history. */
const LOCKISH = /(^|\/)(poetry\.lock|uv\.lock|pdm\.lock|Pipfile\.lock|requirements[^/]*\.txt)$/;

export interface CheckFilesOptions {
  /** The rules of the run (the registry, from the command). */
  ruleSet: RuleSet;
  paths: string[];
  cwd: string;
  stdinFilename?: string;
  /** Build context for every Dockerfile (default: each Dockerfile's directory). */
  context?: string;
  configFile?: string;
  noProject?: boolean;
  cli: CliOverrides;
  fix?: 'safe' | 'unsafe';
  diff?: boolean;
  /** --force-write: fix read-only files too. */
  forceWrite?: boolean;
}

export interface CheckFilesResult {
  results: FileResult[];
  /** The strictest fail-on among the configs used (CLI wins). */
  failOn: Config['failOn'];
  diffs: string[];
  fixedFiles: string[];
  notes: string[];
  /** Files that could not be checked (a DF022 finding on each says why): the run ends with exit 2. */
  unread: string[];
  /** Files whose fixes the system refused to write (permissions, read-only or full file system). */
  unwritten: string[];
}

interface Target {
  path: string | undefined; // undefined: stdin
  display: string;
  /** The directory the user named, when the Dockerfile was found in it: the project's bound when it has no .git. */
  base?: string;
}

const toPosix = (p: string): string => p.split(sep).join('/');

/** The nearest ancestor of a project root that holds `.git` (the repository), else the project root itself. */
function repositoryRoot(projectRoot: string): string {
  let dir = projectRoot;
  for (;;) {
    if (existsSync(join(dir, '.git'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return projectRoot;
    dir = parent;
  }
}

/**
 * The project root of a context: the nearest pyproject.toml or .git above it; when there is none, the directory the
 * user named (a checkout without .git still keeps its compose files and CI at its top), not the Dockerfile's own.
 */
function rootWithin(contextDir: string, base: string | undefined): string {
  const root = findProjectRoot(contextDir);
  if (base === undefined) return root;
  const found = root !== resolve(contextDir) || existsSync(join(root, 'pyproject.toml')) || existsSync(join(root, '.git'));
  if (found) return root;
  const rel = relative(base, resolve(contextDir));
  return rel.startsWith('..') ? root : base;
}

function lstatExists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ENOENT' && (e as NodeJS.ErrnoException).code !== 'ENOTDIR';
  }
}

/** Of a directory and (maybe) one of its ancestors or descendants, the outer one. */
const outer = (a: string, b: string | undefined): string => (b === undefined || relative(b, a).startsWith('..') ? a : b);

function display(cwd: string, p: string): string {
  const rel = relative(cwd, p);
  return (rel === '' || rel.startsWith('..') ? p : rel).split(sep).join('/');
}

export function gatherTargets(paths: string[], cwd: string, stdinFilename?: string): Target[] {
  const targets: Target[] = [];
  const list = paths.length > 0 ? paths : ['.'];
  for (const p of list) {
    if (p === '-') {
      targets.push({ path: undefined, display: stdinFilename ?? '-' });
      continue;
    }
    const abs = resolve(cwd, p);
    let st;
    try {
      st = statSync(abs);
    } catch {
      // a dangling link or a path pyship may not see is the reader's to report, on that file; only a typo ends the run
      if (!lstatExists(abs)) throw new InputError(`${p}: no such file or directory`);
    }
    if (st?.isDirectory()) {
      const found = discoverDockerfiles(abs);
      for (const f of found) targets.push({ path: f, display: display(cwd, f), base: abs });
    } else targets.push({ path: abs, display: display(cwd, abs) });
  }
  return targets;
}

export function checkFiles(options: CheckFilesOptions): CheckFilesResult {
  const { every: everyRule, known: KNOWN } = options.ruleSet;
  for (const [name, codes] of [['--select', options.cli.select], ['--ignore', options.cli.ignore], ['--extend-select', options.cli.extendSelect]] as const) {
    if (codes) validateSelectors(codes, KNOWN, name);
  }
  const targets = gatherTargets(options.paths, options.cwd, options.stdinFilename);
  const configCache = new Map<string, Config>();
  const fileForDir = new Map<string, string | undefined>();
  const configFor = (dir: string): Config => {
    let file: string | undefined;
    if (options.configFile) file = resolve(options.cwd, options.configFile);
    else {
      if (!fileForDir.has(dir)) fileForDir.set(dir, findConfig(dir));
      file = fileForDir.get(dir);
    }
    const key = file ?? '';
    let cfg = configCache.get(key);
    if (!cfg) {
      cfg = mergeCli(loadConfig(file, KNOWN), options.cli);
      if (!file) cfg = { ...cfg, baseDir: options.cwd };
      configCache.set(key, cfg);
    }
    return cfg;
  };
  const results: FileResult[] = [];
  const byAbs = new Map<string, FileResult>();
  const projectCache = new Map<string, Project>();
  const projectFor = (contextDir: string, root?: string, dockerfile?: string): Project => {
    const key = `${contextDir}\0${root ?? ''}\0${dockerfile ?? ''}`;
    let p = projectCache.get(key);
    if (!p) projectCache.set(key, (p = loadProject(contextDir, root, dockerfile)));
    return p;
  };
  // the context compose or CI really build a Dockerfile with (`context: .` + `dockerfile: docker/Dockerfile`), so COPY
  // sources and start scripts are read from where Docker reads them; else the Dockerfile's directory
  const contextFor = (dockerfile: string, dir: string, base: string | undefined): { dir: string; dockerfile?: string } => {
    const repoDir = repositoryRoot(rootWithin(dir, base));
    const ctx = contextOf(projectFor(repoDir, repoDir), toPosix(relative(repoDir, dockerfile)));
    return ctx === undefined ? { dir } : { dir: join(repoDir, ctx), dockerfile };
  };
  const projects = new Map<string, { root: Project; config: Config; dockerfiles: ProjectDockerfile[] }>();
  const diffs: string[] = [];
  const fixedFiles: string[] = [];
  const notes: string[] = [];
  const unread: string[] = [];
  const unwritten: string[] = [];
  let failOn: Config['failOn'] | undefined = options.cli.failOn;
  for (const t of targets) {
    const dir = t.path ? dirname(t.path) : options.stdinFilename ? resolve(options.cwd, dirname(options.stdinFilename)) : options.cwd;
    const config = configFor(dir);
    if (!options.cli.failOn) failOn = strictest(failOn, config.failOn);
    const got = readTarget(t.path, t.display, t.base);
    if (got.skip !== undefined) {
      notes.push(got.skip);
      continue;
    }
    if (got.unread) unread.push(t.display);
    if (got.refused !== undefined && (options.fix || options.diff)) notes.push(`${t.display}: not fixed: ${got.refused}`);
    const read = got.read;
    const filePathForConfig = t.path ?? resolve(options.cwd, options.stdinFilename ?? 'Dockerfile');
    const enabled = resolveEnabled(config, everyRule, filePathForConfig);
    const mode = !options.noProject && t.path ? 'project' : 'dockerfile';
    const built = mode === 'project' && !options.context && t.path ? contextFor(t.path, dir, t.base) : { dir };
    const contextDir = options.context ? resolve(options.cwd, options.context) : built.dir;
    const project = mode === 'project' ? projectFor(contextDir, t.base !== undefined ? rootWithin(contextDir, t.base) : undefined, built.dockerfile) : undefined;
    let parsed: Dockerfile | undefined;
    const lintAll = (text: string): Finding[] => {
      const r = checkText(text, {
        path: t.display,
        mode,
        project,
        enabled,
        subcodeEnabled: (code) => !subcodeIgnored(config, code),
        severityOf: (code, fallback) => effectiveSeverity(config, code, fallback),
        ruleSet: options.ruleSet,
      });
      parsed = r.dockerfile;
      return r.findings;
    };
    let text = read.text;
    let findings: Finding[];
    if (read.problem && read.text === '') {
      findings = [];
    } else {
      findings = lintAll(text);
      if (options.fix || options.diff) {
        const allow = new Set<FixSafety>(options.fix === 'unsafe' ? ['safe', 'unsafe'] : ['safe']);
        if (read.lossy) {
          notes.push(`${t.display}: not fixed: the file is not valid UTF-8`);
        } else {
          // findings in other files have no fix, so they don't take part; the findings of the text are reused
          const fixed = fixUntilStable(text, lintAll, allow, undefined, findings);
          if (fixed.text !== text) {
            if (options.diff) diffs.push(createTwoFilesPatch(t.display, t.display, onDisk(read, text), onDisk(read, fixed.text), '', '', { context: 3 }));
            else if (t.path) {
              // fixes work on LF text: the file gets its BOM and line endings back; a link is fixed at its target
              try {
                writeAtomic(t.path, onDisk(read, fixed.text), {
                  within: outer(repositoryRoot(rootWithin(dir, t.base)), t.base), shown: t.display,
                  writeReadOnly: options.forceWrite, readOnlyHint: 'pass --force-write to fix it anyway (its mode is kept)',
                });
                fixedFiles.push(t.display);
                text = fixed.text;
                findings = fixed.findings ?? lintAll(text);
              } catch (e) {
                if (e instanceof WriteRefused) notes.push(`${t.display}: not fixed: ${e.reason}`);
                else if (e instanceof WriteError) {
                  // the system refused the write: say so, check the other files, exit 2 at the end
                  notes.push(`pyship: ${e.message}`);
                  unwritten.push(t.display);
                } else throw e;
              }
            } else {
              // stdin: print the fixed text instead of writing
              diffs.push(onDisk(read, fixed.text));
            }
          }
        }
      }
    }
    if (read.problem) {
      findings.unshift({
        code: PARSE_CODE,
        severity: 'error',
        file: t.display,
        span: { start: read.problem.offset, end: read.problem.offset },
        message: read.problem.message,
        fix: null,
      });
    }
    const own = findings.filter((f) => f.projectPath === undefined);
    const result: FileResult = { file: t.display, text, findings: own };
    results.push(result);
    if (t.path) byAbs.set(t.path, result);
    if (project) {
      for (const f of findings) if (f.projectPath !== undefined) addElsewhere(project, f);
      // project rules judge the repository: in a monorepo (backend/pyproject.toml, CI in .github/ at the top) they
      // must see the repository's CI, Dependabot and compose files, and run once for all its services
      const repo = repositoryRoot(project.root);
      const entry = projects.get(repo) ?? { root: projectFor(repo, repo), config: configFor(project.root), dockerfiles: [] };
      projects.set(repo, entry);
      if (parsed && t.path) entry.dockerfiles.push({ path: toPosix(relative(repo, t.path)), dockerfile: parsed, context: project });
    }
  }
  // project rules: once per project root, over the Dockerfiles checked in it
  for (const { root, config, dockerfiles } of projects.values()) {
    const enabledHere = resolveEnabled(config, everyRule);
    const rules = [...options.ruleSet.project, ...options.ruleSet.dockerfile.filter((r) => r.checkProject)].filter((r) => enabledHere.has(r.code));
    if (enabledHere.has('REP006') && !root.hasGit && root.find((p) => LOCKISH.test(p)).length > 0) {
      notes.push(`note: ${display(options.cwd, root.root)} is not a git work tree (or git is missing): REP006 (lock files unchanged for 60 days) skipped`);
    }
    if (!options.cli.failOn) failOn = strictest(failOn, config.failOn);
    for (const f of runProjectRules(root, dockerfiles, rules, (code, fallback) => effectiveSeverity(config, code, fallback), config.extra)) {
      const abs = join(root.root, f.projectPath!);
      const on = SUBCODE.test(f.code) ? !subcodeIgnored(config, f.code) : resolveEnabled(config, everyRule, abs).has(f.code);
      if (!on) continue;
      addElsewhere(root, f);
    }
  }
  const seen = new Set<string>();
  for (const p of projectCache.values()) {
    for (const [abs, reason] of p.skipped) if (!seen.has(abs) && seen.add(abs)) notes.push(`note: ${display(options.cwd, abs)}: ${reason}: not read`);
  }
  for (const r of byAbs.values()) r.findings.sort((a, b) => a.span.start - b.span.start || a.code.localeCompare(b.code));
  return { results, failOn: failOn ?? 'warning', diffs, fixedFiles, notes, unread, unwritten };

  function addElsewhere(project: Project, f: Finding): void {
    const abs = join(project.root, f.projectPath!);
    let r = byAbs.get(abs);
    if (!r) {
      const src = project.file(f.projectPath!);
      r = { file: display(options.cwd, abs), text: src?.text ?? '', findings: [] };
      byAbs.set(abs, r);
      results.push(r);
    }
    const finding = { ...f, file: r.file };
    if (!r.findings.some((x) => x.code === finding.code && x.span.start === finding.span.start && x.message === finding.message)) r.findings.push(finding);
  }
}

function strictest(a: Config['failOn'] | undefined, b: Config['failOn']): Config['failOn'] {
  const rank = { error: 2, warning: 1, info: 0 } as const;
  if (!a) return b;
  return rank[a] <= rank[b] ? a : b;
}

export { ConfigError, InputError };
