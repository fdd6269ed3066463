// What `pyship init` does with each file it would write, given what the project already has: write it, keep the
// project's own (and say what to merge), skip it (and why), or replace it when --force names it. Nothing the project
// has is changed or shadowed without --force: a compose file in any of its four names (or above, where `docker compose`
// finds it) is one slot, a kept Dockerfile takes no server config, and CI that already builds the image stays alone.
import { existsSync, lstatSync } from 'node:fs';
import { writeTarget, WriteRefused } from '../io/write.js';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { buildCommands } from '../project/ci.js';
import type { DependencyBot } from '../project/ci-model.js';
import { dependencyBots, botCovers } from '../project/dependency-bots.js';
import { parseDockerignore } from '../project/dockerignore.js';
import { loadProject } from '../project/project.js';
import type { Project } from '../project/model.js';
import { excludedNeeds, neededFiles } from './ignore-needs.js';
import type { GeneratedFile } from './types.js';
import type { InitSpec } from './types.js';
import { present, readRegularText } from '../io/regular.js';

export type WriteStatus = 'create' | 'overwrite' | 'exists' | 'unchanged' | 'skip';

export interface FileWrite extends GeneratedFile {
  status: WriteStatus;
  /** Absolute path written (or kept). */
  full: string;
  /** The path as the user reads it: relative to the directory init runs in, POSIX. */
  shown: string;
  /** The current text when the file exists. */
  current?: string;
  /** Why it is kept or skipped. */
  reason?: string;
  /** What the user may want to merge from the generated file into theirs. */
  merge?: string[];
  /** How a written file is written when that is not plain: through a symlink, over a read-only file. */
  how?: string;
}

/** --force names a file init does not write. */
export class ForceError extends Error {}

/** `true`: replace everything; a list: replace the files it names (paths or base names, any compose name for compose). */
export type Force = boolean | string[];

const posix = (p: string): string => p.split(sep).join('/');

/** The repository root: the nearest ancestor of `dir` with `.git`, else `cwd` when it holds `dir`, else `dir`. */
export function repositoryRoot(dir: string, cwd: string): string {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) break;
  }
  const rel = relative(resolve(cwd), resolve(dir));
  return rel.startsWith('..') || rel.startsWith(sep) ? resolve(dir) : resolve(cwd);
}

/** Compose's own order of preference among the names of its default file. */
export const COMPOSE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
const DEPENDABOT_NAMES = ['.github/dependabot.yml', '.github/dependabot.yaml'];
const RENOVATE_NAMES = ['renovate.json', 'renovate.json5', '.renovaterc', '.renovaterc.json', '.renovaterc.json5', '.github/renovate.json', '.github/renovate.json5', '.gitlab/renovate.json', '.gitlab/renovate.json5'];

export interface WriteContext {
  /** The project directory (absolute). */
  dir: string;
  /** The repository root (absolute), where CI and Dependabot go. */
  root: string;
  /** Where init runs: paths are shown relative to it. */
  cwd: string;
  force: Force;
  spec: InitSpec;
}

/** What init does with every generated file. Throws ForceError when --force names a file init does not write. */
export function decideWrites(files: GeneratedFile[], input: WriteContext): FileWrite[] {
  const { dir, root, cwd, force, spec } = input;
  const sub = posix(relative(root, dir));
  const repo = lazy(() => loadProject(root, root));
  // paths as the user reads them: from where init runs when that is in the repository (or holds it), else from the project
  const within = (a: string, b: string): boolean => !relative(b, a).startsWith('..');
  const base = within(resolve(cwd), root) || within(root, resolve(cwd)) ? resolve(cwd) : dir;
  const show = (full: string): string => posix(relative(base, full)) || '.';
  const names = (f: GeneratedFile): string[] => {
    const rel = f.root ? f.path : posix(join(sub, f.path));
    const base = f.path.split('/').pop()!;
    const aliases = f.path === 'compose.yaml' ? COMPOSE_NAMES : f.path === '.github/dependabot.yml' ? DEPENDABOT_NAMES.map((n) => n.slice('.github/'.length)) : [];
    return [f.path, rel, base, ...aliases];
  };
  if (Array.isArray(force)) {
    const known = new Set(files.flatMap(names));
    const unknown = force.filter((n) => !known.has(n.replace(/^\.\//, '')));
    if (unknown.length > 0) throw new ForceError(`--force ${unknown.join(',')}: init writes no such file (it writes ${files.map((f) => f.path).join(', ')})`);
  }
  const forced = (f: GeneratedFile): boolean => force === true || (Array.isArray(force) && force.some((n) => names(f).includes(n.replace(/^\.\//, ''))));
  const writes: FileWrite[] = [];
  const dfName = spec.dockerfile ?? 'Dockerfile';
  const dockerfile = files.find((f) => f.path === dfName);
  const dfFull = join(dir, dfName);
  // a dangling link counts as the project's Dockerfile, kept even with --force (see throughLinks)
  const keptDockerfile = dockerfile && present(dfFull) && (!forced(dockerfile) || refusal(dfFull, root) !== undefined) && readText(dfFull) !== dockerfile.text;

  for (const f of files) {
    let full = resolve(f.root ? root : dir, f.path);
    const decide = (status: WriteStatus, extra: Partial<FileWrite> = {}): FileWrite => {
      const current = readText(full);
      return { ...f, status, full, shown: show(full), ...(current !== undefined ? { current } : {}), ...extra };
    };
    const force1 = forced(f);
    // the project's Dockerfile is no production image: kept as it is, and pyship's written beside it
    if (f === dockerfile && spec.beside) {
      const kept = join(dir, spec.beside.path);
      writes.push({ path: spec.beside.path, text: readText(kept) ?? '', what: 'the project\'s Dockerfile', status: 'exists', full: kept, shown: show(kept), current: readText(kept),
        reason: `the project's Dockerfile, kept: it is no production image (${spec.beside.why.join('; ')}); pyship's image is ${f.path} beside it (--force Dockerfile replaces it instead)` });
      if (!existsSync(full)) {
        writes.push(decide('create', { reason: `the project's ${spec.beside.path} is no production image: pyship's goes beside it and shadows nothing; build it with \`pyship build --file ${f.path}\`` }));
        continue;
      }
    }
    // compose: one slot, whatever the name; a file above (up to the root) is what `docker compose` finds from here
    if (f.path === 'compose.yaml') {
      const here = COMPOSE_NAMES.find((n) => existsSync(join(dir, n)));
      if (here) {
        full = join(dir, here);
        const merge = composeMerge(dir, here);
        writes.push(existing(decide, f, full, force1, `the project's compose file: \`docker compose\` reads it${here !== 'compose.yaml' ? ', and a compose.yaml beside it would take its place' : ''}`, merge));
        continue;
      }
      const above = composeAbove(dir, root);
      if (above && !force1) {
        writes.push(decide('skip', { reason: `\`docker compose\` run here uses ${show(above)}; a compose.yaml here would take its place (--force compose.yaml writes it)` }));
        continue;
      }
    }
    if (f.path === '.github/dependabot.yml') {
      const other = DEPENDABOT_NAMES.find((n) => existsSync(join(root, n)));
      if (other) {
        full = join(root, other);
        writes.push(existing(decide, f, full, force1, 'the project\'s Dependabot configuration', dependabotMerge(repo(), spec, sub)));
        continue;
      }
      const renovate = RENOVATE_NAMES.find((n) => existsSync(join(root, n)));
      if (renovate && !force1) {
        writes.push(decide('skip', { reason: `Renovate (${show(join(root, renovate))}) already opens update PRs: a second bot would open the same ones` }));
        continue;
      }
    }
    if (f.path === 'renovate.json') {
      const other = RENOVATE_NAMES.find((n) => existsSync(join(root, n)));
      if (other) {
        full = join(root, other);
        writes.push(existing(decide, f, full, force1, 'the project\'s Renovate configuration'));
        continue;
      }
    }
    if (f.path === '.dockerignore' && existsSync(full) && !force1 && !keptDockerfile && dockerfile) {
      const current = readText(full);
      const dropped = current === undefined || current === f.text ? [] : excludedNeeds(current, neededFiles(spec, files));
      if (dropped.length > 0) {
        const own = `${dfName}.dockerignore`;
        const what = dropped.map((n) => `${n.path} (${n.why}${n.pattern ? `; excluded by \`${n.pattern}\`` : ''})`).join(', ');
        writes.push(decide('exists', { reason: `the project's own; the generated ${dfName} builds with ${own} instead, since this one leaves out files it needs` }));
        full = join(dir, own);
        const g = { ...f, path: own, what: `${f.what}; BuildKit reads it for ${dfName} instead of .dockerignore` };
        const decideOwn = (status: WriteStatus, extra: Partial<FileWrite> = {}): FileWrite => {
          const cur = readText(full);
          return { ...g, status, full, shown: show(full), ...(cur !== undefined ? { current: cur } : {}), ...extra };
        };
        writes.push(existsSync(full)
          ? existing(decideOwn, g, full, false, 'the project\'s own ignore file for this Dockerfile')
          : decideOwn('create', { reason: `the kept .dockerignore leaves out ${what}: ${own} is the ignore file BuildKit reads for ${dfName} instead` }));
        continue;
      }
    }
    if (present(full)) {
      const merge = f.path === '.gitlab-ci.yml'
        ? ['the generated pipeline also lints with pyship check, smoke-tests and scans the image, and rebuilds on a schedule: `pyship init --dry-run --force .gitlab-ci.yml` shows it']
        : f.forDockerfile === 'its CMD reads it' && !keptDockerfile
          ? [`the generated Dockerfile's CMD reads this ${f.path}: it must bind 0.0.0.0:$PORT and log to stdout (\`pyship init --dry-run --force ${f.path}\` shows the generated one)`]
          : undefined;
      writes.push(existing(decide, f, full, force1, f.path === 'Dockerfile' ? 'the project\'s Dockerfile: the generated files that only it would use are skipped' : 'the project\'s own', merge));
      continue;
    }
    if (force1) {
      writes.push(decide('create'));
      continue;
    }
    if (f.forDockerfile && keptDockerfile) {
      writes.push(decide('skip', { reason: `made for the generated Dockerfile (${f.forDockerfile}), and the project's Dockerfile is kept (--force Dockerfile replaces it and writes this)` }));
      continue;
    }
    if (f.path === '.github/workflows/docker.yml' && !spec.beside) {
      const builds = ciBuilds(repo(), sub);
      if (builds) {
        writes.push(decide('skip', {
          reason: `${builds} already builds the image (--force docker.yml writes this workflow too)`,
          merge: ['the generated workflow also lints with pyship check, audits, smoke-tests and scans the image, and rebuilds weekly from a fresh base: `pyship init --dry-run --force docker.yml` shows it'],
        }));
        continue;
      }
    }
    if (f.path === '.dockerignore' && keptDockerfile) {
      const dropped = droppedCopies(dir, f.text);
      if (dropped.length > 0) {
        writes.push(decide('skip', { reason: `the kept Dockerfile copies ${dropped.join(', ')}, which it would leave out of the build context` }));
        continue;
      }
      writes.push(decide('create', { merge: ['the kept Dockerfile builds with it too: what it lists (VCS data, venvs, .env files, build output) no longer reaches that build; no file the Dockerfile names is listed'] }));
      continue;
    }
    writes.push(decide('create'));
  }
  return writes.map((p) => throughLinks(p, root));
}

const LINK_KEPT = 'init writes neither through the link nor over it, with or without --force';


function isLink(full: string): boolean {
  try {
    return lstatSync(full).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Why nothing may be written at `full` (a dangling symlink, one that leaves the repository), else undefined. */
function refusal(full: string, root?: string): string | undefined {
  try {
    writeTarget(full, root);
    return undefined;
  } catch (e) {
    return e instanceof WriteRefused ? e.reason : undefined;
  }
}

/**
 * A file init would write where a symlink is: written at the link's target when that is inside the repository (the
 * link stays, and the summary says so); a dangling link or one that leaves the repository is skipped, with or
 * without --force, since writing over it would drop the user's link and writing through it would create or change a
 * file outside what init was asked to write. A read-only file replaced by --force keeps its mode, and says so.
 */
function throughLinks(p: FileWrite, root: string): FileWrite {
  if (p.status !== 'create' && p.status !== 'overwrite') return p;
  let st;
  try {
    st = lstatSync(p.full);
  } catch {
    return p;
  }
  const why = refusal(p.full, root);
  if (why !== undefined) {
    const { current: _current, ...rest } = p;
    return { ...rest, status: 'skip', reason: `${why} (${LINK_KEPT})` };
  }
  const how: string[] = [];
  if (st.isSymbolicLink()) how.push(`through the symlink, at ${writeTarget(p.full, root).link}; the link is kept`);
  const mode = statMode(p.full);
  if (mode !== undefined && (mode & 0o200) === 0) how.push(`read-only (mode ${(mode & 0o777).toString(8).padStart(4, '0')}): replaced because --force names it, mode kept`);
  return how.length > 0 ? { ...p, how: how.join('; ') } : p;
}

function statMode(full: string): number | undefined {
  try {
    return writeTarget(full).stats?.mode;
  } catch {
    return undefined;
  }
}

/**
 * The text of a file, or undefined when there is none (or it is no regular file, or cannot be read). A link out of the
 * project is read here so that `throughLinks` can say what it is; it is never written, and its text never shown.
 */
function readText(full: string): string | undefined {
  return readRegularText(full);
}

function existing(decide: (s: WriteStatus, extra?: Partial<FileWrite>) => FileWrite, f: GeneratedFile, full: string, force: boolean, reason: string, merge?: string[]): FileWrite {
  const current = readText(full);
  // a directory or an unreadable file in the way: never written over, even with --force
  if (current === undefined) {
    const why = isLink(full) ? refusal(full) : undefined;
    return decide('skip', { reason: why ? `${why} (${LINK_KEPT})` : 'something that is not a readable file is there' });
  }
  if (current === f.text) return decide('unchanged');
  if (force) return decide('overwrite');
  return decide('exists', { reason, ...(merge && merge.length > 0 ? { merge } : {}) });
}

function lazy<T>(f: () => T): () => T {
  let v: T | undefined;
  return () => (v ??= f());
}

/** A compose file in a directory above `dir`, up to the root: the one `docker compose` run in `dir` would use. */
function composeAbove(dir: string, root: string): string | undefined {
  const rel = relative(root, dir);
  if (!rel || rel.startsWith('..')) return undefined;
  for (let d = dirname(dir); ; d = dirname(d)) {
    const n = COMPOSE_NAMES.find((x) => existsSync(join(d, x)));
    if (n) return join(d, n);
    if (d === root || dirname(d) === d) return undefined;
  }
}

function composeMerge(dir: string, name: string): string[] {
  const text = readText(join(dir, name)) ?? '';
  const lacks = [
    ['read_only', 'a read-only root (read_only: true with its tmpfs and volumes)'],
    ['cap_drop', 'cap_drop: [ALL]'],
    ['no-new-privileges', 'no-new-privileges'],
    ['healthcheck', 'a health check'],
    ['init:', 'init: true'],
  ].filter(([k]) => !text.includes(k!)).map(([, what]) => what!);
  const out = lacks.length > 0 ? [`${name} lacks ${lacks.join(', ')}: see the generated service with \`pyship init --dry-run --force compose.yaml\``] : [];
  const override = ['compose.override.yaml', 'compose.override.yml', 'docker-compose.override.yaml', 'docker-compose.override.yml'].find((n) => existsSync(join(dir, n)));
  if (override) out.push(`\`docker compose\` also merges ${override} into it`);
  return out;
}

const ECOSYSTEM_OF: Record<InitSpec['manager'], string> = { pip: 'pip', 'pip-tools': 'pip', poetry: 'pip', pipenv: 'pip', pdm: 'pip', uv: 'uv', conda: 'conda' };

/** What an existing Dependabot configuration does not update that the generated one would. */
function dependabotMerge(repo: Project, spec: InitSpec, sub: string): string[] {
  const bot = dependencyBots(repo).find((b): b is DependencyBot => b.kind === 'dependabot');
  if (!bot) return [];
  const name = bot.file.split('/').pop();
  const at = sub ? ` for /${sub}` : '';
  const out: string[] = [];
  if (!botCovers(bot, 'docker', sub || undefined)) out.push(`${name} lacks the docker ecosystem${at} (the base image in the Dockerfile)`);
  if (spec.manager !== 'conda' && !botCovers(bot, 'python', sub || undefined)) out.push(`${name} lacks the ${ECOSYSTEM_OF[spec.manager]} ecosystem${at} (the locked Python dependencies)`);
  if (spec.ci === 'github' && !bot.updates.some((u) => u.ecosystem.value === 'github-actions')) out.push(`${name} lacks the github-actions ecosystem (the actions the workflows use)`);
  return out;
}

/** `file:line` of a CI job that builds this project's image (a build whose context or Dockerfile is in `sub`). */
function ciBuilds(repo: Project, sub: string): string | undefined {
  const inSub = (p: string | undefined): boolean => p !== undefined && (sub === '' || posix(p).replace(/^\.\//, '') === sub || posix(p).replace(/^\.\//, '').startsWith(`${sub}/`));
  for (const b of buildCommands(repo)) {
    if (!b.ci || !/^\.github\/workflows\//.test(b.file)) continue;
    const here = sub === '' || inSub(b.context) || inSub(b.dockerfile) || b.job.span !== undefined && (repo.file(b.file)?.text.slice(b.job.span.start, b.job.span.end).includes(`${sub}/`) ?? false);
    if (!here) continue;
    const text = repo.file(b.file)?.text ?? '';
    return `${b.file}:${text.slice(0, b.span.start).split('\n').length}`;
  }
  return undefined;
}

/** Sources of the kept Dockerfile's COPY/ADD (from the context) that the generated .dockerignore would exclude. */
function droppedCopies(dir: string, ignoreText: string): string[] {
  const di = parseDockerignore(ignoreText);
  const text = (readText(join(dir, 'Dockerfile')) ?? '').replace(/\\\r?\n/g, ' ');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:COPY|ADD)\s+(.+)$/gim)) {
    if (/--from=/.test(m[1]!)) continue;
    const args = m[1]!.replace(/--\S+/g, '').trim();
    const words = args.startsWith('[') ? (() => { try { return JSON.parse(args) as string[]; } catch { return []; } })() : args.split(/\s+/);
    for (const src of words.slice(0, -1)) {
      const clean = src === '.' ? '' : src.replace(/^\.\//, '').replace(/\/$/, '');
      if (clean && !/[*?[]/.test(clean) && di.ignores(clean)) out.push(src);
    }
  }
  return [...new Set(out)];
}
