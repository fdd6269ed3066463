// .dockerignore with Docker's own matching (a port of moby's matcher), plus which line decided, for messages and fixes.
import { createRequire } from 'node:module';
import type { Ignore } from '@balena/dockerignore';

// a CommonJS module whose typings declare an ES default export: load it as what it is
const createIgnore = createRequire(import.meta.url)('@balena/dockerignore') as (options?: { ignorecase?: boolean }) => Ignore;
import type { Span } from '../dockerfile/model.js';

export interface DockerignoreEntry {
  /** The pattern as written, without a leading `!`. */
  pattern: string;
  negated: boolean;
  /** 1-based line in .dockerignore. */
  line: number;
  span: Span;
}

export interface Dockerignore {
  text: string;
  entries: DockerignoreEntry[];
  /** Is this context path (POSIX, relative to the context) left out of the build context? */
  ignores(path: string): boolean;
  /** The last entry that matches the path (the one that decides), if any. */
  decidedBy(path: string): DockerignoreEntry | undefined;
  /** Could a `!` exception re-include something below this ignored directory? (Docker then still walks it.) */
  mayReinclude(dir: string): boolean;
}

function clean(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/^\/+/, '').replace(/\/+$/, '');
}

export function parseDockerignore(text: string): Dockerignore {
  const entries: DockerignoreEntry[] = [];
  let offset = 0;
  text.split('\n').forEach((raw, i) => {
    const start = offset;
    offset += raw.length + 1;
    const line = raw.replace(/\r$/, '');
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const negated = trimmed.startsWith('!');
    const pattern = (negated ? trimmed.slice(1) : trimmed).trim();
    if (pattern === '') return;
    const lead = line.indexOf(trimmed);
    entries.push({ pattern, negated, line: i + 1, span: { start: start + lead, end: start + lead + trimmed.length } });
  });
  const all = createIgnore().add(entries.map((e) => (e.negated ? '!' : '') + e.pattern));
  const single = entries.map((e) => createIgnore().add(e.pattern));
  const cache = new Map<string, boolean>();
  return {
    text,
    entries,
    ignores(path) {
      const p = clean(path);
      if (p === '' || p === '.') return false;
      let hit = cache.get(p);
      if (hit === undefined) {
        hit = all.ignores(p);
        cache.set(p, hit);
      }
      return hit;
    },
    decidedBy(path) {
      const p = clean(path);
      for (let k = entries.length - 1; k >= 0; k--) if (single[k]!.ignores(p)) return entries[k];
      return undefined;
    },
    mayReinclude(dir) {
      const d = clean(dir);
      return entries.some((e) => e.negated && (e.pattern.includes('*') || clean(e.pattern).startsWith(d + '/') || clean(e.pattern) === d));
    },
  };
}
