// The files a check was asked about: paths and directories on the command line (or stdin) → the Dockerfiles to check.
import { lstatSync, statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { discoverDockerfiles } from '../io/discover.js';
import { InputError } from '../io/read.js';

export interface Target {
  path: string | undefined; // undefined: stdin
  display: string;
  /** The directory the user named, when the Dockerfile was found in it: the project's bound when it has no .git. */
  base?: string;
}

/** A path as the user reads it: relative to where pyship ran when inside it, POSIX separators. */
export function display(cwd: string, p: string): string {
  const rel = relative(cwd, p);
  return (rel === '' || rel.startsWith('..') ? p : rel).split(sep).join('/');
}

function lstatExists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ENOENT' && (e as NodeJS.ErrnoException).code !== 'ENOTDIR';
  }
}

export function gatherTargets(paths: string[], cwd: string, stdinFilename?: string): Target[] {
  const targets: Target[] = [];
  const list = paths.length > 0 ? paths : ['.'];
  for (const p of list) {
    if (p === '-') {
      targets.push({ path: undefined, display: stdinFilename ?? '-' });
      continue;
    }
    const abs = resolve(cwd, p);
    let st;
    try {
      st = statSync(abs);
    } catch {
      // a dangling link or a path pyship may not see is the reader's to report, on that file; only a typo ends the run
      if (!lstatExists(abs)) throw new InputError(`${p}: no such file or directory`);
    }
    if (st?.isDirectory()) {
      const found = discoverDockerfiles(abs);
      for (const f of found) targets.push({ path: f, display: display(cwd, f), base: abs });
    } else targets.push({ path: abs, display: display(cwd, abs) });
  }
  return targets;
}
