// The project around a Dockerfile, read from disk once: the build context, the project root, any file by path, git
// facts. Parsed facts (requirements, compose, workflows…) are memoized functions of a Project in src/project/*.ts.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, normalize, relative, resolve, sep } from 'node:path';
import type { ProjectFiles } from '../lint/rule.js';
import { parseDockerignore, type Dockerignore } from './dockerignore.js';
import { isDockerfileName, walkFiles } from '../io/discover.js';
import { present, readRegular } from '../io/regular.js';
import { parseDockerfile } from '../dockerfile/parse.js';
import type { Dockerfile } from '../dockerfile/model.js';

/** A text file of the project, addressed by its path relative to the project root (POSIX). */
export interface SourceFile {
  path: string;
  text: string;
}

export interface Project extends ProjectFiles {
  /** Absolute: the nearest ancestor of the context with pyproject.toml or .git (else the context itself). */
  root: string;
  /** Absolute build context directory. */
  contextDir: string;
  /** The context relative to the root, POSIX ('' when they are the same). */
  contextPath: string;
  /** The ignore file the build applies (`<Dockerfile>.dockerignore`, else the context's .dockerignore), parsed; undefined when there is none. */
  dockerignore: Dockerignore | undefined;
  /** Absolute path of the Dockerfile this context is loaded for, when known (it may sit outside the context's top). */
  dockerfile?: string;
  /**
   * Files that exist but were not read (a link out of the root, a FIFO or device, past the byte cap, no permission),
   * absolute path → why; shared with `repository()`. What is absent is not here.
   */
  skipped: ReadonlyMap<string, string>;
  /** A project file by root-relative path (text files up to 2 MB, regular files inside the root only). */
  file(path: string): SourceFile | undefined;
  /** The text of a file `find` listed: '' when it cannot be read (a link out of the project, a device, too large: see `skipped`). */
  textOf(path: string): string;
  /** Root-relative paths of every project file passing `test`, from one walk that skips .git, node_modules and venvs. */
  find(test: (path: string) => boolean): string[];
  /** Root-relative path of a context-relative path. */
  fromContext(path: string): string;
  /** Unix time (seconds) of the last commit touching a root-relative path; undefined without git or history. */
  lastCommitTime(path: string): number | undefined;
  /** Whether the root is a git work tree with git available. */
  hasGit: boolean;
  /**
   * Context-relative paths of the files `docker build` sends (not excluded by .dockerignore). Ignored directories are
   * not walked unless a `!` exception could re-include something inside, so a huge ignored node_modules costs nothing.
   */
  sentFiles(): string[];
  /**
   * The repository this project lives in (the nearest ancestor with `.git`; the project itself when that is its root
   * or there is none): monorepos keep compose files, manifests and CI at the top, above a service's pyproject.toml.
   */
  repository(): Project;
}

const SKIP_DIRS = new Set(['.git', 'node_modules', '.venv', 'venv', '.tox', '__pycache__', '.mypy_cache', '.pytest_cache', '.ruff_cache', 'site-packages', '.hg', '.svn']);
const MAX_WALK = 50_000;

export function findProjectRoot(start: string): string {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, 'pyproject.toml')) || existsSync(join(dir, '.git'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(start);
    dir = parent;
  }
}

const toPosix = (p: string): string => p.split(sep).join('/');


export function loadProject(contextDir: string, rootDir?: string, dockerfile?: string, skipped = new Map<string, string>()): Project {
  const context = resolve(contextDir);
  const root = rootDir ? resolve(rootDir) : findProjectRoot(context);
  const contextPath = toPosix(relative(root, context));
  const cache = new Map<string, SourceFile | undefined>();
  const inside = (base: string, p: string): string | undefined => {
    const full = join(base, normalize(p.replace(/^\/+/, '')));
    const rel = relative(base, full);
    return rel.startsWith('..') ? undefined : full;
  };
  // a link may point anywhere in the root (and beside the Dockerfile or context for their ignore files), never out
  const readAbs = (full: string, within: string[] = [root]): string | undefined => {
    const r = readRegular(full, { within });
    if (r.refusal) {
      // rules probe many names: one that cannot even be looked at (its directory is not searchable) is no news
      if (r.refusal.kind !== 'missing' && r.refusal.kind !== 'directory' && present(full)) skipped.set(full, r.refusal.reason);
      return undefined;
    }
    if (r.bytes.subarray(0, 8192).includes(0)) return undefined;
    return r.bytes.toString('utf8');
  };
  const file = (path: string): SourceFile | undefined => {
    const clean = toPosix(normalize(path)).replace(/^\.\//, '');
    if (cache.has(clean)) return cache.get(clean);
    const full = inside(root, clean);
    const text = full === undefined ? undefined : readAbs(full);
    const sf = text === undefined ? undefined : { path: clean, text };
    cache.set(clean, sf);
    return sf;
  };
  const fromContext = (p: string): string => toPosix(normalize(join(contextPath, p.replace(/^\/+/, '')))).replace(/^\.\//, '');
  let dockerignore: Dockerignore | undefined | null = null;
  let walked: string[] | undefined;
  let sent: string[] | undefined;
  let repo: Project | undefined;
  let git: boolean | undefined;
  const commitTimes = new Map<string, number | undefined>();
  const project: Project = {
    root,
    contextDir: context,
    dockerfile: dockerfile === undefined ? undefined : resolve(dockerfile),
    contextPath,
    skipped,
    get dockerignore() {
      if (dockerignore === null) {
        // BuildKit reads `<Dockerfile>.dockerignore` beside the Dockerfile before the context's own
        const text = (dockerfile !== undefined ? readAbs(`${dockerfile}.dockerignore`, [root, dirname(resolve(dockerfile))]) : undefined)
          ?? readAbs(join(context, '.dockerignore'), [root, context]);
        dockerignore = text === undefined ? undefined : parseDockerignore(text);
      }
      return dockerignore;
    },
    exists(p) {
      const full = inside(context, p);
      return full !== undefined && existsSync(full);
    },
    read(p) {
      return file(fromContext(p))?.text;
    },
    file,
    textOf: (path) => file(path)?.text ?? '',
    fromContext,
    find(test) {
      if (!walked) {
        const files: string[] = [];
        // the project's own files: what .gitignore leaves out (build output, caches, generated trees) is not looked at
        walkFiles(root, SKIP_DIRS, (_abs, rel) => {
          files.push(rel);
          return files.length < MAX_WALK;
        });
        walked = files.sort();
      }
      return walked.filter(test);
    },
    get hasGit() {
      if (git === undefined) {
        try {
          git = execFileSync('git', ['-C', root, 'rev-parse', '--is-inside-work-tree'], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 })
            .toString().trim() === 'true';
        } catch {
          git = false;
        }
      }
      return git;
    },
    sentFiles() {
      if (!sent) sent = sentFilesIn(context, project.dockerignore);
      return sent;
    },
    repository() {
      if (!repo) {
        let dir = root;
        let found: string | undefined;
        for (;;) {
          if (existsSync(join(dir, '.git'))) {
            found = dir;
            break;
          }
          const parent = dirname(dir);
          if (parent === dir) break;
          dir = parent;
        }
        repo = found === undefined || found === root ? project : loadProject(found, found, undefined, skipped);
      }
      return repo;
    },
    lastCommitTime(path) {
      if (!project.hasGit) return undefined;
      if (commitTimes.has(path)) return commitTimes.get(path);
      let t: number | undefined;
      try {
        const out = execFileSync('git', ['-C', root, 'log', '-1', '--format=%ct', '--', path], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 10000 }).toString().trim();
        t = out ? Number(out) : undefined;
      } catch {
        t = undefined;
      }
      commitTimes.set(path, t);
      return t;
    },
  };
  return project;
}

/**
 * Context-relative paths of the files `docker build` sends from the context directory `context` (absolute) with this
 * .dockerignore. Ignored directories are not walked unless a `!` exception could re-include something inside.
 */
export function sentFilesIn(context: string, di: Dockerignore | undefined): string[] {
  const sent: string[] = [];
  const stack = [''];
  while (stack.length > 0 && sent.length < MAX_WALK) {
    const rel = stack.pop()!;
    let entries;
    try {
      entries = readdirSync(join(context, rel), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (di && di.ignores(p) && !di.mayReinclude(p)) continue;
        stack.push(p);
      } else if (!di || !di.ignores(p)) sent.push(p);
    }
  }
  return sent.sort();
}

/** Memoize a fact computed from a project (each fact module parses its files once per run). */
export function projectFact<T>(compute: (p: Project) => T): (p: Project) => T {
  const cache = new WeakMap<Project, T>();
  return (p) => {
    if (!cache.has(p)) cache.set(p, compute(p));
    return cache.get(p)!;
  };
}

/** A Dockerfile of the project: its text, and its parse made once, when first asked for (undefined if it does not parse). */
export interface ProjectDockerfile {
  path: string;
  text: string;
  parsed(): Dockerfile | undefined;
}

/**
 * The project's Dockerfiles (the names `isDockerfileName` knows: `Dockerfile`, `Dockerfile.prod`, `api.Dockerfile`,
 * `Containerfile`…, never a `*.dockerignore` or a doc) up to 4 folders deep, outside node_modules, in `find` order;
 * each reader applies its own depth and count. One list and one parse per project, however many readers ask.
 */
export const projectDockerfiles = projectFact((p: Project): ProjectDockerfile[] =>
  p.find((f) => isDockerfileName(f.slice(f.lastIndexOf('/') + 1)) && f.split('/').length <= 5 && !/(^|\/)node_modules\//.test(f))
    .map((path) => {
      const text = p.file(path)?.text ?? '';
      let df: Dockerfile | undefined | null = null;
      const parsed = (): Dockerfile | undefined => {
        if (df === null) {
          try {
            df = parseDockerfile(text);
          } catch {
            df = undefined;
          }
        }
        return df;
      };
      return { path, text, parsed };
    }));
