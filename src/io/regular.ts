// The one way pyship opens a file from a tree it does not trust: regular files only (a link to /dev/zero or a FIFO
// would be read forever), never past a byte cap, and never a link that leaves the project (a committed
// `Dockerfile -> ~/.aws/credentials` must not be read, linted or printed).
import { closeSync, constants, existsSync, fstatSync, openSync, readlinkSync, readSync, realpathSync, statSync, lstatSync, type Stats } from 'node:fs';
import { dirname, join, relative, resolve, isAbsolute, sep } from 'node:path';

/**
 * Bytes read at most from one file. The largest of 643 real-world Dockerfiles (../shared/corpus/real-world) is 20 KB
 * and the largest lock file of the 29 corpus apps 620 KB; 2 MiB is 100 times the first and still bounds the work of a
 * hostile 50 MB "Dockerfile" (31 s and 2 GB before).
 */
export const MAX_BYTES = 2 * 1024 * 1024;

export type RefusalKind = 'missing' | 'directory' | 'special' | 'outside' | 'too-large' | 'unreadable';

export interface Refusal {
  kind: RefusalKind;
  /** Why, without the path: "a FIFO, not a regular file". */
  reason: string;
}

export type ReadBytes = { bytes: Buffer; refusal?: undefined } | { bytes?: undefined; refusal: Refusal };

export interface ReadOptions {
  /**
   * Directories the file must resolve into once every link is followed; undefined: anywhere (the user named the file
   * itself, e.g. `--config`). A path that is not a link anywhere is inside whenever its directory is, so a function
   * (finding the bounds walks up the tree) is only called for a path that goes through a link.
   */
  within?: readonly string[] | (() => readonly string[]);
  maxBytes?: number;
}

const SPECIAL: [keyof Stats, string][] = [
  ['isFIFO', 'a FIFO (named pipe)'],
  ['isCharacterDevice', 'a character device'],
  ['isBlockDevice', 'a block device'],
  ['isSocket', 'a socket'],
];

function kindOf(st: Stats): string | undefined {
  if (st.isFile()) return undefined;
  if (st.isDirectory()) return 'a directory';
  for (const [is, what] of SPECIAL) if ((st[is] as () => boolean).call(st)) return what;
  return 'not a regular file';
}

function realRoot(dir: string): string | undefined {
  try {
    return realpathSync.native(dir);
  } catch {
    return undefined;
  }
}

/** Whether `real` (a resolved path) lies in one of the (unresolved) directories `roots`. */
export function insideAny(real: string, roots: readonly string[]): boolean {
  return roots.some((r) => {
    const root = realRoot(resolve(r));
    if (root === undefined) return false;
    const rel = relative(root, real);
    return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
  });
}

/** Where the link at `path` points, as written in the link (the first hop), for messages. */
function linkText(path: string): string | undefined {
  try {
    return lstatSync(path).isSymbolicLink() ? readlinkSync(path) : undefined;
  } catch {
    return undefined;
  }
}

function errnoReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied (check its mode and owner)';
    case 'ELOOP':
      return 'a loop of symbolic links';
    case 'ENXIO':
      return 'a socket or a device with nothing behind it, not a regular file';
    default:
      return `cannot be read (${err.code ?? err.message})`;
  }
}

/** Read the bytes of the regular file at `path`, or say why not; never throws, never blocks on a pipe or device. */
export function readRegular(path: string, options: ReadOptions = {}): ReadBytes {
  const max = options.maxBytes ?? MAX_BYTES;
  const refuse = (kind: RefusalKind, reason: string): ReadBytes => ({ refusal: { kind, reason } });
  let real: string;
  try {
    real = realpathSync.native(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const link = linkText(path);
    if (code === 'ENOENT' || code === 'ENOTDIR') return refuse('missing', link === undefined ? 'no such file' : `a symbolic link to ${link}, which does not exist`);
    return refuse('unreadable', errnoReason(e));
  }
  const within = options.within;
  if (within && real !== resolve(path) && !insideAny(real, typeof within === 'function' ? within() : within)) {
    return refuse('outside', `a symbolic link to ${linkText(path) ?? real}, outside the project`);
  }
  let st: Stats;
  try {
    // stat before open: opening some devices has effects of its own (a watchdog, a tape rewinding)
    st = statSync(real);
  } catch (e) {
    return refuse('unreadable', errnoReason(e));
  }
  const special = kindOf(st);
  if (special === 'a directory') return refuse('directory', 'a directory');
  if (special !== undefined) return refuse('special', `${special}, not a regular file`);
  if (st.size > max) return refuse('too-large', tooLarge(st.size, true, max));
  let fd: number;
  try {
    // O_NONBLOCK: should the path be swapped for a FIFO after the stat, opening it still returns at once
    fd = openSync(real, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0) | (constants.O_NOFOLLOW ?? 0));
  } catch (e) {
    return refuse('unreadable', errnoReason(e));
  }
  try {
    const fst = fstatSync(fd);
    if (!fst.isFile() || fst.ino !== st.ino || fst.dev !== st.dev) return refuse('unreadable', 'it changed while pyship opened it');
    // the size a stat reports is not trusted (procfs says 0, a file may grow): read until EOF or one byte past the cap
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(Math.max(fst.size + 1, 64 * 1024), max + 1 - total, 1 << 20));
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      if (total > max) return refuse('too-large', tooLarge(total, false, max));
      chunks.push(n === buf.length ? buf : buf.subarray(0, n));
    }
    return { bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total) };
  } catch (e) {
    return refuse('unreadable', errnoReason(e));
  } finally {
    closeSync(fd);
  }
}

function tooLarge(size: number, exact: boolean, max: number): string {
  const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
  return `${exact ? mib(size) : `more than ${mib(max)}`}, past the ${mib(max)} pyship reads of a file (a Dockerfile is kilobytes: is this the right file?)`;
}

/** The text (UTF-8) of a regular file inside `within`, or undefined when there is none or it is refused. */
export function readRegularText(path: string, options: ReadOptions = {}): string | undefined {
  const r = readRegular(path, options);
  return r.bytes === undefined ? undefined : r.bytes.toString('utf8');
}

/**
 * The directories a file found at `dir` may link into: its project (the nearest ancestor with pyproject.toml or .git)
 * and the git repository around that. In CI both are the checkout, so a link leaving it is never followed.
 */
export function projectBounds(dir: string): string[] {
  const start = resolve(dir);
  let root = start;
  for (let d = start; ; d = dirname(d)) {
    if (existsSync(join(d, 'pyproject.toml')) || existsSync(join(d, '.git'))) {
      root = d;
      break;
    }
    if (dirname(d) === d) break;
  }
  for (let d = root; ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d === root ? [root] : [root, d];
    if (dirname(d) === d) return [root];
  }
}

/** Whether anything is at `path`, a dangling symlink included (existsSync follows links and says no). */
export function present(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
