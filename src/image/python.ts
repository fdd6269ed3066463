// The Python inside an image: its interpreters' bytecode tags, the distributions installed in its site-packages, and
// how much of that code ships compiled.
import { dirnamePosix } from '../dockerfile/paths.js';
import { absPath, baseName, inSitePackages, resolveBinary } from './filesystem.js';
import type { ImageData } from './model.js';

export interface Distribution {
  name: string;
  version: string;
  /** The site-packages directory (absolute, e.g. `/opt/venv/lib/python3.13/site-packages`). */
  location: string;
}

/** `.py` files in site-packages and how many of them have a `.pyc`. */
export interface Bytecode {
  py: number;
  compiled: number;
  share: number | undefined;
}

/**
 * The bytecode cache tags (`cpython-313`) of the CPython interpreters in the image: each standard library
 * (`lib/python3.13/os.py`, or only its `__pycache__/os.cpython-313.pyc`; free-threaded `python3.13t` has the same tag)
 * and the versioned binary `python3`/`python` resolve to (`/usr/local/bin/python3 -> python3.13`).
 */
export function pythonTags(img: ImageData): Set<string> {
  const tags = new Set<string>();
  const STDLIB = /(?:^|\/)lib\/python3\.(\d+)t?\/(?:os\.py|__pycache__\/os\.cpython-3(\d+)\.pyc)$/;
  for (const [p, f] of img.files) {
    if (f.entry.type === 'dir' || !p.endsWith('os.py') && !p.endsWith('.pyc')) continue;
    const m = STDLIB.exec(p);
    if (m && (m[2] === undefined || m[2] === m[1])) tags.add(`cpython-3${m[1]}`);
  }
  for (const c of ['python3', 'python']) {
    const m = /^python3\.(\d+)t?$/.exec(baseName(resolveBinary(img, c) ?? ''));
    if (m) tags.add(`cpython-3${m[1]}`);
  }
  return tags;
}

/** `{name}-{version}.dist-info` / `.egg-info` (egg names may carry `-pyX.Y`). */
export function parseDistDir(name: string): { name: string; version: string } | undefined {
  const m = /^(.+?)-(\d[^-]*?)(?:-py\d+(?:\.\d+)?)?\.(dist|egg)-info$/.exec(name);
  return m ? { name: m[1]!, version: m[2]! } : undefined;
}

export const normalizeDist = (n: string): string => n.toLowerCase().replace(/[-_.]+/g, '-');

/** The distributions installed in the image's site-/dist-packages directories, by location then name. */
export function listDistributions(img: ImageData): Distribution[] {
  const out: Distribution[] = [];
  const seen = new Set<string>();
  const add = (p: string): void => {
    const parent = dirnamePosix(p);
    if (!/(site|dist)-packages$/.test(parent)) return;
    const d = parseDistDir(baseName(p));
    if (!d) return;
    const key = `${parent}\0${normalizeDist(d.name)}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ name: d.name, version: d.version, location: absPath(parent) });
  };
  for (const [p, f] of img.files) {
    if (p.endsWith('-info') && (f.entry.type === 'dir' || p.endsWith('.egg-info'))) add(p);
  }
  // dist-info directories may appear only implicitly (files under them, no directory entry)
  for (const [p] of img.children) if (p.endsWith('.dist-info') && !img.files.has(p)) add(p);
  return out.sort((a, b) => a.location.localeCompare(b.location) || normalizeDist(a.name).localeCompare(normalizeDist(b.name)));
}

/** How many `.py` files in site-packages have a `.pyc` (beside them or in `__pycache__`, any interpreter tag). */
export function countBytecode(img: ImageData): Bytecode {
  const bytecode: Bytecode = { py: 0, compiled: 0, share: undefined };
  const compiled = new Set<string>();
  for (const p of img.files.keys()) {
    if (!p.endsWith('.pyc') || !inSitePackages(p)) continue;
    const d = dirnamePosix(p);
    const stem = baseName(p).replace(/\.(cpython|pypy)[^.]*(\.opt-\d)?\.pyc$/, '').replace(/\.pyc$/, '');
    compiled.add(d.endsWith('/__pycache__') ? `${dirnamePosix(d)}/${stem}` : `${d}/${stem}`);
  }
  for (const [p, f] of img.files) {
    if (!p.endsWith('.py') || f.entry.type !== 'file' || !inSitePackages(p)) continue;
    bytecode.py++;
    if (compiled.has(p.slice(0, -3))) bytecode.compiled++;
  }
  if (bytecode.py > 0) bytecode.share = bytecode.compiled / bytecode.py;
  return bytecode;
}
