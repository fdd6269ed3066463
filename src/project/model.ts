// What a project is to the facts and rules that read it: the Project interface and memoized facts of one. Nothing here
// reads the disk or runs a process (project.ts's loadProject builds a Project), so rules can import it and stay pure.
import type { Dockerignore } from './dockerignore.js';
import type { ShellCheckComment } from './shellcheck-json.js';
import { isDockerfileName } from '../io/discover.js';
import { parseDockerfile } from '../dockerfile/parse.js';
import type { Dockerfile, Span } from '../dockerfile/model.js';

/** A parse problem in a project file (reported under DF026). */
export interface FileProblem {
  file: string;
  span: Span;
  message: string;
}

/** Facts about files around the Dockerfile: what a Dockerfile's build context holds (a Project in project mode). */
export interface ProjectFiles {
  /** Does a path (relative to the build context, POSIX separators) exist in the context? */
  exists(path: string): boolean;
  /** Text of a context file, or undefined when absent or unreadable. */
  read(path: string): string | undefined;
}

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
  /**
   * Another directory as a project of its own (context and root `dir`, absolute), loaded as this one was: for facts
   * that look past the project (a compose file in the parent directory that builds it).
   */
  open(dir: string): Project;
  /**
   * ShellCheck's comments on a script run by `shell` (a basename: sh, bash, dash, ash…), with spans of `text`; empty
   * when ShellCheck is not installed or cannot check that shell. The loader's tool answers, memoized per script.
   */
  shellcheck(text: string, shell: string): readonly ShellCheckComment[];
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
