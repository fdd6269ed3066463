// Finds Dockerfiles under directories: names with Dockerfile/Containerfile as a word, honouring .gitignore.
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { readRegularText } from './regular.js';

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

/**
 * Walk the files below `root` in name order, skipping `skipDirs` and whatever .gitignore files (at any depth) ignore.
 * `visit` gets the absolute path and the path relative to `root` (POSIX) of every entry that is not a directory (links
 * to directories are not followed); it returns false to stop the walk.
 */
export function walkFiles(root: string, skipDirs: ReadonlySet<string>, visit: (abs: string, rel: string) => boolean | void): void {
  let stopped = false;
  const walk = (dir: string, rel: string, scopes: Scope[]): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    if (entries.some((e) => e.name === '.gitignore' && e.isFile())) {
      // unreadable (or past the byte cap): walk as if absent
      const text = readRegularText(join(dir, '.gitignore'), { within: [dir] });
      if (text !== undefined) scopes = [...scopes, { base: dir, ig: ignore().add(text) }];
    }
    const ignored = (path: string, isDir: boolean): boolean =>
      scopes.some((s) => {
        const r = relative(s.base, path).split(sep).join('/');
        return r !== '' && !r.startsWith('..') && s.ig.ignores(isDir ? r + '/' : r);
      });
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (stopped) return;
      const full = join(dir, e.name);
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (skipDirs.has(e.name) || ignored(full, true)) continue;
        walk(full, childRel, scopes);
      } else if (!ignored(full, false)) {
        // links, FIFOs, sockets and devices too: the reader follows a link or says why it won't, rather than a silent miss
        if (visit(full, childRel) === false) stopped = true;
      }
    }
  };
  walk(root, '', []);
}

/** Every Dockerfile below `root`, sorted, skipping VCS/venv/node_modules folders and what .gitignore files ignore. */
export function discoverDockerfiles(root: string): string[] {
  const found: string[] = [];
  walkFiles(root, ALWAYS_SKIP, (abs, rel) => {
    if (isDockerfileName(rel.slice(rel.lastIndexOf('/') + 1))) found.push(abs);
  });
  return found;
}
