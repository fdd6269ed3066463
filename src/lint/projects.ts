// Which project and build context each Dockerfile of a run belongs to, each project loaded once per run.
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { findProjectRoot, loadProject } from '../project/project.js';
import type { Project } from '../project/model.js';
import { contextOf } from '../project/contexts.js';
import { display } from './targets.js';

export const toPosix = (p: string): string => p.split(sep).join('/');

/** The nearest ancestor of a project root that holds `.git` (the repository), else the project root itself. */
export function repositoryRoot(projectRoot: string): string {
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
export function rootWithin(contextDir: string, base: string | undefined): string {
  const root = findProjectRoot(contextDir);
  if (base === undefined) return root;
  const found = root !== resolve(contextDir) || existsSync(join(root, 'pyproject.toml')) || existsSync(join(root, '.git'));
  if (found) return root;
  const rel = relative(base, resolve(contextDir));
  return rel.startsWith('..') ? root : base;
}

export class RunProjects {
  private readonly cache = new Map<string, Project>();

  /** The project of a build context (`root`: its root when known; `dockerfile`: the one compose or CI builds there). */
  of(contextDir: string, root?: string, dockerfile?: string): Project {
    const key = `${contextDir}\0${root ?? ''}\0${dockerfile ?? ''}`;
    let p = this.cache.get(key);
    if (!p) this.cache.set(key, (p = loadProject(contextDir, root, dockerfile)));
    return p;
  }

  /**
   * The context compose or CI really build a Dockerfile with (`context: .` + `dockerfile: docker/Dockerfile`), so COPY
   * sources and start scripts are read from where Docker reads them; else the Dockerfile's directory.
   */
  contextFor(dockerfile: string, dir: string, base: string | undefined): { dir: string; dockerfile?: string } {
    const repoDir = repositoryRoot(rootWithin(dir, base));
    const ctx = contextOf(this.of(repoDir, repoDir), toPosix(relative(repoDir, dockerfile)));
    return ctx === undefined ? { dir } : { dir: join(repoDir, ctx), dockerfile };
  }

  /** A note for each project file the run's projects did not read (and why), once each. */
  skippedNotes(cwd: string): string[] {
    const notes: string[] = [];
    const seen = new Set<string>();
    for (const p of this.cache.values()) {
      for (const [abs, reason] of p.skipped) if (!seen.has(abs) && seen.add(abs)) notes.push(`note: ${display(cwd, abs)}: ${reason}: not read`);
    }
    return notes;
  }
}
