// Paths in an image's final filesystem: following symlinks the way the kernel does, finding a command the way exec
// does, and the small path helpers the image rules share.
import { dirnamePosix } from '../dockerfile/paths.js';
import type { ImageData } from './model.js';

/** The last part of a path in the image (`usr/bin/gcc` → `gcc`). */
export const baseName = (p: string): string => p.slice(p.lastIndexOf('/') + 1);
/** A path of the image's file index (no leading slash) as a reader writes it. */
export const absPath = (p: string): string => '/' + p;

const SITE = /(^|\/)(site|dist)-packages\//;
/** Is the path inside a site-/dist-packages directory (installed distributions, not the app's own files)? */
export const inSitePackages = (p: string): boolean => SITE.test(p);

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** `NAME=value` lines as a map (entries without a name are dropped). */
export function envMap(env: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of env) {
    const i = e.indexOf('=');
    if (i > 0) m.set(e.slice(0, i), e.slice(i + 1));
  }
  return m;
}

/** Resolve a command name the way exec does: absolute path, else each `$PATH` directory; follows symlinks. */
export function resolveBinary(img: ImageData, cmd: string): string | undefined {
  const path = envMap(img.config.env).get('PATH') ?? DEFAULT_PATH;
  const candidates = cmd.includes('/') ? [cmd.startsWith('/') ? cmd : `${img.config.workingDir || '/'}/${cmd}`] : path.split(':').filter(Boolean).map((d) => `${d}/${cmd}`);
  for (const c of candidates) {
    const hit = lookup(img, c);
    if (hit) return hit;
  }
  return undefined;
}

/** A path in the final filesystem, following symlinks (also in parent directories: /bin → usr/bin). */
export function lookup(img: ImageData, p: string, depth = 0): string | undefined {
  if (depth > 16) return undefined;
  const parts = p.split('/').filter((x) => x !== '' && x !== '.');
  let cur = '';
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part === '..') {
      cur = dirnamePosix(cur);
      continue;
    }
    const next = cur ? `${cur}/${part}` : part;
    const f = img.files.get(next);
    if (!f) {
      // a directory may exist only implicitly (children without a directory entry)
      if (i < parts.length - 1 && img.children.has(next)) {
        cur = next;
        continue;
      }
      return undefined;
    }
    if (f.entry.type === 'symlink') {
      const target = f.entry.linkname.startsWith('/') ? f.entry.linkname : `${cur}/${f.entry.linkname}`;
      return lookup(img, [target, ...parts.slice(i + 1)].join('/'), depth + 1);
    }
    cur = next;
  }
  return cur === '' ? undefined : cur;
}
