// ShellCheck on the scripts an image runs: find the `shellcheck` binary, run it on a script's text and turn its json1
// comments into spans of that text. The loader hands a runner to each Project (Project.shellcheck), so rules read
// results and never reach the process.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { parseShellcheckJson, shellcheckShell, type ShellCheckComment } from './shellcheck-json.js';

/**
 * Codes never passed through: the script comes on stdin, so ShellCheck cannot follow `source`d files (SC1090/SC1091),
 * and the dialect is given, so a missing shebang (SC2148) is no news.
 */
const EXCLUDE = ['SC1090', 'SC1091', 'SC2148'];
const TIMEOUT_MS = 15_000;
const MAX_BUFFER = 16 * 1024 * 1024;
/** Scripts bigger than this are not checked (ShellCheck gets slow on huge generated scripts). */
const MAX_SCRIPT = 256 * 1024;

function isExecutable(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Absolute path of `shellcheck` on PATH, or undefined. */
export function findShellcheck(): string | undefined {
  const exts = process.platform === 'win32' ? (process.env.PATHEXT ?? '.EXE').split(';') : [''];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const hit = exts.map((e) => join(dir, 'shellcheck' + e)).find(isExecutable);
    if (hit) return hit;
  }
  return undefined;
}

/** Runs ShellCheck on scripts: one PATH lookup (on first use) and one memo per runner. */
export type ShellCheckRunner = (text: string, shell: string) => readonly ShellCheckComment[];

const MAX_CACHE = 500;

/**
 * A runner giving ShellCheck's comments on a script run by `shell` (a basename: sh, bash, dash, ash…), with spans of
 * `text`. Empty when ShellCheck is not installed, the shell is one it doesn't know, the script is huge, or ShellCheck
 * fails or times out. Memoized per (text, shell); `# shellcheck disable=…` directives in the script are honoured by
 * ShellCheck. `binary` defaults to the `shellcheck` on PATH, looked up when first needed.
 */
export function shellcheckRunner(binary?: string): ShellCheckRunner {
  let bin: string | null | undefined = binary;
  const cache = new Map<string, readonly ShellCheckComment[]>();
  return (text, shell) => {
    const dialect = shellcheckShell(shell);
    if (bin === undefined) bin = findShellcheck() ?? null;
    if (!dialect || !bin || text.length > MAX_SCRIPT || text.trim() === '') return [];
    const key = `${dialect}\0${text}`;
    const hit = cache.get(key);
    if (hit) return hit;
    let result: readonly ShellCheckComment[] = [];
    try {
      const r = spawnSync(bin, ['--format=json1', `--shell=${dialect}`, `--exclude=${EXCLUDE.join(',')}`, '-'], {
        input: text,
        encoding: 'utf8',
        timeout: TIMEOUT_MS,
        maxBuffer: MAX_BUFFER,
        stdio: ['pipe', 'pipe', 'ignore'],
      });
      // exit 0: clean, 1: comments; anything else (bad options, crash, timeout) gives nothing
      if (!r.error && (r.status === 0 || r.status === 1)) result = Object.freeze(parseShellcheckJson(r.stdout, text));
    } catch {
      result = [];
    }
    if (cache.size >= MAX_CACHE) cache.delete(cache.keys().next().value!);
    cache.set(key, result);
    return result;
  };
}

/** Is ShellCheck installed (on PATH)? Without it the ShellCheck part of OPS002 reports nothing. */
export function shellcheckAvailable(): boolean {
  return findShellcheck() !== undefined;
}

let shared: ShellCheckRunner | undefined;

/** ShellCheck on one script outside a project run (a Project has its own runner): one runner for the process. */
export function shellcheck(text: string, shell: string): readonly ShellCheckComment[] {
  shared ??= shellcheckRunner();
  return shared(text, shell);
}
