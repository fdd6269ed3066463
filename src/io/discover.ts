// Finds Dockerfiles under directories: names with Dockerfile/Containerfile as a word, honouring .gitignore.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';

const ALWAYS_SKIP = new Set(['.git', 'node_modules', '.venv', '.hg', '.svn', '__pycache__', '.tox', '.mypy_cache', '.pytest_cache']);
/** Extensions of files that mention Dockerfile in their name but are not one (docs, templates, ignore files). */
const NOT_DOCKERFILE = /\.(md|rst|txt|json|ya?ml|toml|sh|py|j2|jinja2?|tpl|tmpl|template|orig|bak|swp|dockerignore|lock|sample|example)$/i;

/** `Dockerfile`, `Dockerfile.prod`, `Dockerfile-dev`, `api.Dockerfile`, `backend.dockerfile`, `x__Dockerfile`, `Containerfile`. */
export function isDockerfileName(name: string): boolean {
  if (NOT_DOCKERFILE.test(name)) return false;
  return name.split(/[^A-Za-z0-9]+/).some((t) => /^(dockerfile|containerfile)$/i.test(t));
}

interface Scope {
  base: string;
  ig: Ignore;
}

/** Every Dockerfile below `root`, sorted, skipping VCS/venv/node_modules folders and what .gitignore files ignore. */
export function discoverDockerfiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string, scopes: Scope[]): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    const gi = join(dir, '.gitignore');
    if (existsSync(gi)) {
      try {
        scopes = [...scopes, { base: dir, ig: ignore().add(readFileSync(gi, 'utf8')) }];
      } catch {
        // unreadable .gitignore: lint as if absent
      }
    }
    const ignored = (path: string, isDir: boolean): boolean =>
      scopes.some((s) => {
        const rel = relative(s.base, path).split(sep).join('/');
        return rel !== '' && !rel.startsWith('..') && s.ig.ignores(isDir ? rel + '/' : rel);
      });
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const full = join(dir, e.name);
      if (e.isDirectory()) {
        if (ALWAYS_SKIP.has(e.name) || ignored(full, true)) continue;
        walk(full, scopes);
      } else if ((e.isFile() || e.isSymbolicLink()) && isDockerfileName(e.name) && !ignored(full, false)) {
        found.push(full);
      }
    }
  };
  walk(root, []);
  return found;
}
