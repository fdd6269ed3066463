// Reads one Dockerfile `check` was asked about, so that a file pyship must not or cannot read becomes a finding on that
// file (or a note), never an error that ends the run and hides the findings of every other file.
import { dirname, relative, resolve, isAbsolute, sep } from 'node:path';
import { ReadRefused, readStdin, readText, type ReadText } from '../io/read.js';
import { projectBounds } from '../io/regular.js';

export type TargetRead =
  /**
   * Read, or refused (`refused` says why; the text is empty and `problem` makes it a DF022 finding). `unread`: the
   * system kept pyship from reading it (permissions, a dangling link, a device named on the command line): exit 2.
   * A link out of the project or a file past the cap is a finding on what the file is, like a binary file: no exit 2.
   */
  | { read: ReadText; unread?: boolean; refused?: string; skip?: undefined }
  /** Not a Dockerfile at all (a FIFO or socket found by walking a directory): a note, and nothing to check. */
  | { skip: string; read?: undefined };

const inside = (dir: string, p: string): boolean => {
  const rel = relative(dir, p);
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
};

/**
 * The directories a target may link into. Found by walking a directory the user named: that directory (and projects
 * below it). Named itself: its directory and its project (the nearest pyproject.toml or .git, and that repository).
 */
export function targetBounds(path: string, base: string | undefined): string[] {
  const dir = dirname(path);
  if (base === undefined) return [dir, ...projectBounds(dir)];
  const named = resolve(base);
  return [named, ...projectBounds(dir).filter((b) => inside(named, b))];
}

/**
 * Read a target (`path` undefined: stdin). `display` names it in messages; `base` is the directory it was found in.
 * `bounds`: the run's bounds by directory and base, so the files of one directory walk up to their project once.
 */
export function readTarget(path: string | undefined, display: string, base: string | undefined, bounds?: Map<string, string[]>): TargetRead {
  if (path === undefined) return { read: readStdin() };
  const within = (): string[] => {
    if (!bounds) return targetBounds(path, base);
    const key = `${dirname(path)}\0${base ?? ''}`;
    let b = bounds.get(key);
    if (!b) bounds.set(key, (b = targetBounds(path, base)));
    return b;
  };
  try {
    return { read: readText(path, { within }) };
  } catch (e) {
    if (!(e instanceof ReadRefused)) throw e;
    const reason = e.reason;
    // what a walk meets that is no file (a FIFO named Dockerfile.pipe, a link to a directory) is not a Dockerfile
    if (base !== undefined && (e.kind === 'special' || e.kind === 'directory')) return { skip: `note: ${display}: ${reason}: skipped` };
    const hint = e.kind === 'outside' ? ': pyship does not follow it (name the target itself to check it)' : '';
    const unread = e.kind !== 'outside' && e.kind !== 'too-large';
    return { read: { text: '', problem: { message: `not checked: ${reason}${hint}`, offset: 0 }, lossy: true }, unread, refused: reason };
  }
}
