// Where the Python project is when `pyship init` runs at a repository root that holds it in a subfolder (app/,
// services/web/, examples/tutorial/): a bounded walk for the directories with a dependency manifest.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** Files that make a directory a Python project whose dependencies can be installed. */
const MANIFESTS = ['pyproject.toml', 'setup.py', 'setup.cfg', 'Pipfile', 'Pipfile.lock', 'uv.lock', 'poetry.lock', 'pdm.lock', 'environment.yml', 'environment.yaml', 'requirements.txt', 'requirements.in'];
/** Requirements files for development, tests, docs or linting: alone they do not make a directory the project. */
const DEV_REQS = /^(dev|test|tests|docs|doc|lint|ci)[\w-]*\.txt$|^requirements[-_.](dev|test|tests|docs|doc|lint|ci)[\w-]*\.txt$/i;
/** Directories that never hold the application: tests, docs, environments, build output, vendored code. */
const SKIP = /^(\.|__pycache__$|node_modules$|venv$|env$|site-packages$|tests?$|docs?$|build$|dist$|htmlcov$|vendor$|third_party$|static$|media$|migrations$|templates$|locale$)/i;
const MAX_DEPTH = 3;
const MAX_DIRS = 2000;

export interface ProjectLocation {
  /** Absolute: the Python project (the build context, where init writes its files). */
  projectDir: string;
  /** Absolute: the nearest ancestor (or self) of the directory init ran on with `.git`, else that directory. */
  repoRoot: string;
  /** The manifests that identify the project, relative to the directory init ran on (POSIX). */
  evidence: string[];
}

const posix = (p: string): string => p.split(sep).join('/');

function entries(dir: string): { files: string[]; dirs: string[] } {
  try {
    const all = readdirSync(dir, { withFileTypes: true });
    return { files: all.filter((e) => e.isFile()).map((e) => e.name), dirs: all.filter((e) => e.isDirectory()).map((e) => e.name).sort() };
  } catch {
    return { files: [], dirs: [] };
  }
}

/** The manifests of a directory that make it a project (a lone dev requirements file does not). */
export function projectManifests(dir: string): string[] {
  const { files, dirs } = entries(dir);
  const found = files.filter((f) => MANIFESTS.includes(f) || (/^requirements[\w.-]*\.txt$/i.test(f) && !DEV_REQS.test(f))).sort();
  if (dirs.includes('requirements') && entries(join(dir, 'requirements')).files.some((f) => f.endsWith('.txt'))) found.push('requirements/');
  return found;
}

/** The nearest directory at or above `dir` with `.git` (a directory or a worktree's file), else undefined. */
export function gitRoot(dir: string): string | undefined {
  let d = resolve(dir);
  for (;;) {
    if (existsSync(join(d, '.git'))) return d;
    const parent = dirname(d);
    if (parent === d) return undefined;
    d = parent;
  }
}

/**
 * The projects below `dir` (breadth first, at most MAX_DEPTH levels, not inside another project), as directories
 * relative to `dir` with their manifests; a directory with only dev requirements files is looked through.
 */
export function findProjects(dir: string): { dir: string; manifests: string[] }[] {
  const out: { dir: string; manifests: string[] }[] = [];
  let level = [resolve(dir)];
  let seen = 0;
  for (let depth = 1; depth <= MAX_DEPTH && level.length > 0; depth++) {
    const next: string[] = [];
    for (const d of level) {
      for (const name of entries(d).dirs) {
        if (SKIP.test(name) || ++seen > MAX_DIRS) continue;
        const sub = join(d, name);
        const manifests = projectManifests(sub);
        if (manifests.length > 0) out.push({ dir: posix(relative(dir, sub)), manifests });
        else next.push(sub);
      }
    }
    level = next;
  }
  return out;
}

export class AmbiguousProjectError extends Error {
  constructor(readonly dir: string, readonly candidates: string[]) {
    super(`${dir} has no dependency manifest, and several subfolders are Python projects: ${candidates.join(', ')}`);
  }
}

/**
 * The project init should package when run on `dir`: `dir` itself when it has a manifest (or nothing is found below),
 * else the one subfolder project. Several subfolder projects: AmbiguousProjectError (the directory argument settles it).
 */
export function locateProject(dir: string): ProjectLocation {
  const abs = resolve(dir);
  const repoRoot = gitRoot(abs) ?? abs;
  const own = projectManifests(abs);
  if (own.length > 0) return { projectDir: abs, repoRoot, evidence: own };
  const found = findProjects(abs);
  if (found.length === 0) return { projectDir: abs, repoRoot, evidence: [] };
  if (found.length > 1) throw new AmbiguousProjectError(abs, found.map((f) => f.dir));
  const only = found[0]!;
  return { projectDir: join(abs, only.dir), repoRoot, evidence: only.manifests.map((m) => `${only.dir}/${m}`) };
}
