// The project around a Dockerfile, read from disk once: the build context, the project root, any file by path, git
// facts, and the tools its scripts are checked with. What a Project is (and its memoized facts) is in model.ts.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, normalize, relative, resolve, sep } from 'node:path';
import type { Project, SourceFile } from './model.js';
import { MAX_WALK, parseDockerignore, sentFilesIn, type Dockerignore } from './dockerignore.js';
import { walkFiles } from '../io/discover.js';
import { present, readRegular } from '../io/regular.js';
import { shellcheckRunner, type ShellCheckRunner } from './shellcheck.js';

const SKIP_DIRS = new Set(['.git', 'node_modules', '.venv', 'venv', '.tox', '__pycache__', '.mypy_cache', '.pytest_cache', '.ruff_cache', 'site-packages', '.hg', '.svn']);

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


/**
 * Load the project around a build context. `skipped` collects files that exist but were not read (shared with the
 * repository's project); `shellcheck` is the ShellCheck runner its scripts are checked with (shared likewise).
 */
export function loadProject(
  contextDir: string, rootDir?: string, dockerfile?: string, skipped = new Map<string, string>(), shellcheck: ShellCheckRunner = shellcheckRunner(),
): Project {
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
        repo = found === undefined || found === root ? project : loadProject(found, found, undefined, skipped, shellcheck);
      }
      return repo;
    },
    open: (dir) => loadProject(dir, dir, undefined, new Map(), shellcheck),
    shellcheck,
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
