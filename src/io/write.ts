// Atomic file writes (--fix, init): write a temp file beside the target, keep its mode and owner (0644 for a new
// file), rename it over the target. A reader sees the old file or the new one, never half of one. A symlink is
// written through to its target (the link stays a link) when the target is inside the project; read-only files are
// refused unless the caller was told to write them; every failure is a WriteError that names the file and what to do.
import {
  accessSync, chmodSync, closeSync, constants, fchownSync, fsyncSync, lstatSync, openSync, readlinkSync, realpathSync,
  readdirSync, renameSync, statSync, unlinkSync, writeSync, type Stats,
} from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { InputError } from './read.js';
import { announceTemp, clearTemp } from './temp-guard.js';

/** A file could not be written (or was refused): the message names it and says what to do. Exit 2, never a crash. */
export class WriteError extends InputError {}

/** Refused before anything was written; `reason` reads after "not written: " / "not fixed: ". */
export class WriteRefused extends WriteError {
  constructor(readonly shown: string, readonly reason: string) {
    super(`${shown}: not written: ${reason}`);
  }
}

export interface WriteOptions {
  /** The project: a path that resolves (through links) outside it is refused. */
  within?: string;
  /** Write a read-only file (no write bit for its owner) anyway; its mode is kept. */
  writeReadOnly?: boolean;
  /** How the user may override a read-only refusal, e.g. "pass --force-write". */
  readOnlyHint?: string;
  /** The path as the user reads it, for messages (default: the path). */
  shown?: string;
}

/** Where a write to `path` lands: the path itself, or a symlink's target. */
export interface WriteTarget {
  /** The file written (a link's resolved target). */
  file: string;
  /** The link's target as it reads, when `path` is a symlink. */
  link?: string;
  /** The existing file's stats (of the target, for a link). */
  stats?: Stats;
}

/**
 * Resolves where a write to `path` would land, or throws WriteRefused: a dangling link, a link (or a directory on
 * the way) that leaves `within`, or something that is not a regular file.
 */
export function writeTarget(path: string, within?: string, shown = path): WriteTarget {
  let lst: Stats | undefined;
  try {
    lst = lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw failure(shown, path, e);
  }
  const link = lst?.isSymbolicLink() ? readlinkSync(path) : undefined;
  let file = resolve(path);
  let stats: Stats | undefined;
  if (lst) {
    try {
      file = realpathSync(path);
      stats = statSync(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' && link !== undefined) {
        throw new WriteRefused(shown, `it is a symlink to ${link}, which does not exist; remove the link or create its target`);
      }
      throw failure(shown, path, e);
    }
    if (!stats.isFile()) throw new WriteRefused(shown, link !== undefined ? `it is a symlink to ${link}, which is not a regular file` : 'it is not a regular file');
  }
  if (within !== undefined) {
    const root = realOrSelf(within);
    const real = lst ? file : join(realOrSelf(dirname(file)), basename(file));
    const rel = relative(root, real);
    if (rel.startsWith(`..${sep}`) || rel === '..' || resolve(root, rel) !== real) {
      throw new WriteRefused(shown, `${link !== undefined ? `it is a symlink to ${link}` : `it resolves to ${real}`}, outside the project (${within}); pyship writes only inside it`);
    }
  }
  return { file, ...(link !== undefined ? { link } : {}), ...(stats ? { stats } : {}) };
}

/** The real path of `p`, or of its nearest existing ancestor joined with the rest (a directory init will create). */
function realOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    const parent = dirname(p);
    return parent === p ? p : join(realOrSelf(parent), basename(p));
  }
}

export function writeAtomic(path: string, text: string, options: WriteOptions = {}): void {
  const shown = options.shown ?? path;
  const { file, stats } = writeTarget(path, options.within, shown);
  if (stats && (stats.mode & 0o200) === 0 && !options.writeReadOnly) {
    const mode = (stats.mode & 0o777).toString(8).padStart(4, '0');
    throw new WriteRefused(shown, `it is read-only (mode ${mode}); make it writable (chmod u+w ${shown})${options.readOnlyHint ? ` or ${options.readOnlyHint}` : ''}`);
  }
  // the rename below needs only the directory's permission: a file this user may not write is not replaced
  if (stats && !options.writeReadOnly) {
    try {
      accessSync(file, constants.W_OK);
    } catch (e) {
      throw failure(shown, file, e);
    }
  }
  const mode = stats ? stats.mode & 0o7777 : 0o644;
  removeStaleTemps(file);
  const tmp = join(dirname(file), `.${basename(file)}.pyship-${process.pid}-${Date.now()}.tmp`);
  let fd: number | undefined;
  announceTemp(tmp);
  try {
    fd = openSync(tmp, 'wx', mode);
    writeSync(fd, text);
    fsyncSync(fd);
    // as root (a container fixing a mounted checkout), the new file would otherwise belong to root
    if (stats && process.getuid?.() === 0 && (stats.uid !== 0 || stats.gid !== 0)) fchownSync(fd, stats.uid, stats.gid);
    closeSync(fd);
    fd = undefined;
    chmodSync(tmp, mode);
    renameSync(tmp, file);
    clearTemp();
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      // never created
    }
    clearTemp();
    throw failure(shown, file, e);
  }
}

/**
 * A signal ends pyship at once (no JS handler runs inside its synchronous work), so one killed between creating its
 * temp file and the rename leaves that temp file beside the target, the target itself old and whole. The next write of
 * the same file removes the temp files of pyship processes that are gone.
 */
function removeStaleTemps(file: string): void {
  const prefix = `.${basename(file)}.pyship-`;
  let names: string[];
  try {
    names = readdirSync(dirname(file)).filter((n) => n.startsWith(prefix) && n.endsWith('.tmp'));
  } catch {
    return;
  }
  for (const n of names) {
    const pid = Number(/^(\d+)-\d+\.tmp$/.exec(n.slice(prefix.length))?.[1]);
    if (!Number.isInteger(pid) || pid === process.pid || alive(pid)) continue;
    try {
      unlinkSync(join(dirname(file), n));
    } catch {
      // another run removed it, or it is not ours to remove
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A failed write (or mkdir) as a message that names the file, says it is unchanged, and says what to do. */
export function failure(shown: string, file: string, e: unknown): WriteError {
  if (e instanceof WriteError) return e;
  const err = e as NodeJS.ErrnoException;
  const dir = dirname(file);
  const why = ((): string => {
    switch (err.code) {
      case 'EACCES':
      case 'EPERM':
        return `permission denied (pyship writes a temporary file in ${dir} and renames it over the file, so both need to be writable by you); run as their owner or make them writable`;
      case 'EROFS':
        return `${dir} is on a read-only file system; mount it read-write, or run with --diff and apply the patch where it is writable`;
      case 'ENOSPC':
      case 'EDQUOT':
        return `no space left on the device holding ${dir} (or the disk quota is used up); free some space and run again`;
      case 'ENOTDIR':
      case 'EEXIST':
        return `a part of ${dir} is a file, not a directory; move it away and run again`;
      case 'EISDIR':
        return 'it is a directory';
      case 'ENAMETOOLONG':
        return 'the path is too long';
      default:
        return `${err.code ?? 'error'}: ${err.message}`;
    }
  })();
  return new WriteError(`${shown}: cannot write it: ${why} (nothing was changed)`);
}
