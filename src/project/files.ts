// Project mode's view of the build context on disk, as the pure rules see it (exists/read, POSIX paths).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, normalize } from 'node:path';
import type { ProjectFiles } from '../lint/rule.js';

const MAX_READ = 2 * 1024 * 1024;

export function diskProject(contextDir: string): ProjectFiles {
  const resolve = (p: string): string | undefined => {
    const clean = normalize(p.replace(/^\/+/, ''));
    if (clean.startsWith('..')) return undefined;
    return join(contextDir, clean);
  };
  const cache = new Map<string, string | undefined>();
  return {
    exists: (p) => {
      const full = resolve(p);
      return full !== undefined && existsSync(full);
    },
    read: (p) => {
      const full = resolve(p);
      if (full === undefined) return undefined;
      if (cache.has(full)) return cache.get(full);
      let text: string | undefined;
      try {
        if (statSync(full).size <= MAX_READ) text = readFileSync(full, 'utf8');
      } catch {
        text = undefined;
      }
      cache.set(full, text);
      return text;
    },
  };
}
