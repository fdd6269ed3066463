// Checks files on disk (or stdin): gathers them, reads each with its configuration and project, lints, fixes, then
// runs the project rules once per repository. Each of those jobs lives in its own module; this one runs them in order.
import { dirname, relative, resolve } from 'node:path';
import { readTarget } from './read-target.js';
import type { Dockerfile } from '../dockerfile/model.js';
import { checkText } from './check.js';
import { effectiveSeverity, subcodeIgnored, resolveEnabled, validateSelectors, type CliOverrides, type Config } from './config.js';
import { ConfigLookup } from './config-lookup.js';
import { judgeUnread } from './facts.js';
import { fixTarget, type FixLog, type FixRequest } from './fix-target.js';
import { runProjectPass, type RepositoryRun } from './project-pass.js';
import { repositoryRoot, rootWithin, RunProjects, toPosix } from './projects.js';
import { RunResults, type FileResult } from './results.js';
import type { Finding, Severity } from './rule.js';
import type { RuleSet } from './rule-set.js';
import { display, gatherTargets, type Target } from './targets.js';
import type { Project } from '../project/model.js';

export interface CheckFilesOptions extends FixRequest {
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
}

export interface CheckFilesResult extends FixLog {
  results: FileResult[];
  /** The strictest fail-on among the configs used (CLI wins). */
  failOn: Config['failOn'];
  /** Files that could not be checked (a DF022 finding on each says why): the run ends with exit 2. */
  unread: string[];
}

export function checkFiles(options: CheckFilesOptions): CheckFilesResult {
  const { ruleSet, cwd } = options;
  for (const [name, codes] of [['--select', options.cli.select], ['--ignore', options.cli.ignore], ['--extend-select', options.cli.extendSelect]] as const) {
    if (codes) validateSelectors(codes, ruleSet.known, name);
  }
  const targets = gatherTargets(options.paths, cwd, options.stdinFilename);
  const configs = new ConfigLookup(cwd, options.configFile, options.cli, ruleSet.known);
  const projects = new RunProjects();
  const results = new RunResults(cwd);
  const repositories = new Map<string, RepositoryRun>();
  const log: FixLog = { diffs: [], fixedFiles: [], notes: [], unwritten: [] };
  const unread: string[] = [];
  const fixing = Boolean(options.fix || options.diff);

  const env: TargetEnv = { ruleSet, options, configs, projects, log, fixing, bounds: new Map(), enabled: new Map() };
  for (const t of targets) record(t, checkTarget(t, env));
  runProjectPass(repositories.values(), ruleSet, (root, f) => results.addElsewhere(root, f), (root, message) => {
    log.notes.push(`note: ${display(cwd, root.root)} ${message}`);
  });
  log.notes.push(...projects.skippedNotes(cwd));
  return { results: results.sorted(), failOn: configs.failOn, ...log, unread };

  function record(t: Target, c: Checked): void {
    if (c.skip !== undefined) {
      log.notes.push(c.skip);
      return;
    }
    if (c.unread) unread.push(t.display);
    results.addChecked(t.display, t.path, c.text, c.findings, c.project);
    const project = c.project;
    if (project) {
      // project rules judge the repository: in a monorepo (backend/pyproject.toml, CI in .github/ at the top) they
      // must see the repository's CI, Dependabot and compose files, and run once for all its services
      const repo = repositoryRoot(project.root);
      const entry = repositories.get(repo) ?? { root: projects.of(repo, repo), config: configs.at(project.root), dockerfiles: [] };
      repositories.set(repo, entry);
      if (c.parsed && t.path) entry.dockerfiles.push({ path: toPosix(relative(repo, t.path)), dockerfile: c.parsed, context: project });
    }
  }
}

/** What one target's check needs of the run. */
interface TargetEnv {
  ruleSet: RuleSet;
  options: CheckFilesOptions;
  configs: ConfigLookup;
  projects: RunProjects;
  log: FixLog;
  fixing: boolean;
  /** Where the targets of each directory may link to (read-target's bounds), found once per run. */
  bounds: Map<string, string[]>;
  /** The codes on under each configuration without per-file ignores. */
  enabled: Map<Config, ReadonlySet<string>>;
}

/** The codes on for a file: a configuration without per-file ignores has one answer for all its files. */
function enabledFor(env: TargetEnv, config: Config, path: string): ReadonlySet<string> {
  if (config.perFileIgnores.length > 0) return resolveEnabled(config, env.ruleSet.every, path);
  let on = env.enabled.get(config);
  if (!on) env.enabled.set(config, (on = resolveEnabled(config, env.ruleSet.every, path)));
  return on;
}

/** One target checked (and fixed), before it is filed with the run's results. */
type Checked =
  | { skip: string; unread?: undefined; text?: undefined; findings?: undefined; project?: undefined; parsed?: undefined }
  | { skip?: undefined; unread?: boolean; text: string; findings: Finding[]; project?: Project; parsed?: Dockerfile };

const dirOf = (t: Target, options: CheckFilesOptions): string =>
  t.path ? dirname(t.path) : options.stdinFilename ? resolve(options.cwd, dirname(options.stdinFilename)) : options.cwd;

function checkTarget(t: Target, env: TargetEnv): Checked {
  const { ruleSet, options, configs, projects, log, fixing, bounds } = env;
  const { cwd } = options;
  const dir = dirOf(t, options);
  const config = configs.at(dir);
  const got = readTarget(t.path, t.display, t.base, bounds);
  if (got.skip !== undefined) return { skip: got.skip };
  if (got.refused !== undefined && fixing) log.notes.push(`${t.display}: not fixed: ${got.refused}`);
  const read = got.read;
  const enabled = enabledFor(env, config, t.path ?? resolve(cwd, options.stdinFilename ?? 'Dockerfile'));
  const severityOf = (code: string, fallback: Severity): Severity => effectiveSeverity(config, code, fallback);
  const mode = !options.noProject && t.path ? 'project' : 'dockerfile';
  const built = mode === 'project' && !options.context && t.path ? projects.contextFor(t.path, dir, t.base) : { dir };
  const contextDir = options.context ? resolve(cwd, options.context) : built.dir;
  const project = mode === 'project' ? projects.of(contextDir, t.base !== undefined ? rootWithin(contextDir, t.base) : undefined, built.dockerfile) : undefined;
  let parsed: Dockerfile | undefined;
  const lint = (text: string): Finding[] => {
    const r = checkText(text, {
      path: t.display,
      mode,
      project,
      enabled,
      subcodeEnabled: (code) => !subcodeIgnored(config, code),
      severityOf,
      ruleSet,
    });
    parsed = r.dockerfile;
    return r.findings;
  };
  let text = read.text;
  let findings: Finding[] = [];
  // a file not read at all has no text to lint; one read in part (not UTF-8) is linted and judged both
  if (!(read.problem && read.text === '')) {
    findings = lint(text);
    if (fixing) ({ text, findings } = fixTarget(t, read, findings, lint, options, () => outer(repositoryRoot(rootWithin(dir, t.base)), t.base), log));
  }
  if (read.problem) {
    const judges = ruleSet.dockerfile.filter((r) => r.checkUnread && enabled.has(r.code));
    findings.unshift(...judgeUnread(judges, read.problem, t.display, severityOf));
  }
  return { unread: got.unread, text, findings, ...(project ? { project, parsed } : {}) };
}

/** Of a directory and (maybe) one of its ancestors or descendants, the outer one. */
const outer = (a: string, b: string | undefined): string => (b === undefined || relative(b, a).startsWith('..') ? a : b);
