// ShellCheck on the scripts an image runs: find the `shellcheck` binary once, run it on a script's text and turn its
// json1 comments into spans of that text. I/O lives here; rules call `shellcheck(text, shell)` and report.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Span } from '../dockerfile/model.js';

export type ShellCheckLevel = 'error' | 'warning' | 'info' | 'style';

/** One ShellCheck comment on a script: its code (`SC2086`), level, message, 1-based position and a span of the text. */
export interface ShellCheckComment {
  code: string;
  level: ShellCheckLevel;
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** Offsets into the text that was checked. */
  span: Span;
}

/** Dialects ShellCheck knows; other shells (zsh, fish) are not checked. */
export type ShellCheckShell = 'sh' | 'bash' | 'dash' | 'ksh';

/**
 * Codes never passed through: the script comes on stdin, so ShellCheck cannot follow `source`d files (SC1090/SC1091),
 * and the dialect is given, so a missing shebang (SC2148) is no news.
 */
const EXCLUDE = ['SC1090', 'SC1091', 'SC2148'];
const TIMEOUT_MS = 15_000;
const MAX_BUFFER = 16 * 1024 * 1024;
/** Scripts bigger than this are not checked (ShellCheck gets slow on huge generated scripts). */
const MAX_SCRIPT = 256 * 1024;

let binary: string | null | undefined;

function isExecutable(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Absolute path of `shellcheck` on PATH (looked up once per process), or undefined. */
export function shellcheckPath(): string | undefined {
  if (binary === undefined) {
    binary = null;
    const exts = process.platform === 'win32' ? (process.env.PATHEXT ?? '.EXE').split(';') : [''];
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      if (!dir) continue;
      const hit = exts.map((e) => join(dir, 'shellcheck' + e)).find(isExecutable);
      if (hit) {
        binary = hit;
        break;
      }
    }
  }
  return binary ?? undefined;
}

/** Is ShellCheck installed (on PATH)? Without it the ShellCheck part of OPS002 reports nothing. */
export function shellcheckAvailable(): boolean {
  return shellcheckPath() !== undefined;
}

/** For tests: forget the PATH lookup (and optionally pretend a binary path). */
export function resetShellcheck(path?: string | null): void {
  binary = path === undefined ? undefined : path;
  cache.clear();
}

/** The dialect to check a script in, from the shell that runs it (basename); undefined when ShellCheck can't. */
export function shellcheckShell(shell: string): ShellCheckShell | undefined {
  switch (shell) {
    case 'bash':
      return 'bash';
    case 'dash':
      return 'dash';
    case 'ksh':
    case 'mksh':
      return 'ksh';
    case 'sh':
    case 'ash':
    case 'busybox':
      return 'sh';
    default:
      return undefined;
  }
}

/** Start offset of every line of a text (lines split at `\n`; a `\r` stays part of its line, as ShellCheck sees it). */
function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) out.push(i + 1);
  return out;
}

/** Offset of a 1-based ShellCheck (line, column): columns count code points, a tab as one. Clamped to the text. */
function offsetOf(text: string, starts: number[], line: number, column: number): number {
  if (line < 1) return 0;
  if (line > starts.length) return text.length;
  const start = starts[line - 1]!;
  const end = line < starts.length ? starts[line]! - 1 : text.length;
  let off = start;
  for (let c = 1; c < column && off < end; c++) {
    const cp = text.codePointAt(off)!;
    off += cp > 0xffff ? 2 : 1;
  }
  return Math.min(off, end);
}

interface RawComment {
  code?: unknown;
  level?: unknown;
  message?: unknown;
  line?: unknown;
  column?: unknown;
  endLine?: unknown;
  endColumn?: unknown;
}

const LEVELS = new Set(['error', 'warning', 'info', 'style']);
const num = (v: unknown, d: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);

/** Parse ShellCheck's `--format=json1` output into comments with spans of `text`; malformed output gives []. */
export function parseShellcheckJson(json: string, text: string): ShellCheckComment[] {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return [];
  }
  const raw = (data as { comments?: unknown } | null)?.comments;
  if (!Array.isArray(raw)) return [];
  const starts = lineStarts(text);
  const out: ShellCheckComment[] = [];
  for (const c of raw as RawComment[]) {
    if (!c || typeof c !== 'object') continue;
    const n = typeof c.code === 'number' ? c.code : Number(String(c.code ?? '').replace(/^SC/i, ''));
    if (!Number.isInteger(n) || n < 0 || n > 9999) continue;
    const code = 'SC' + String(n).padStart(4, '0');
    const level = (typeof c.level === 'string' && LEVELS.has(c.level) ? c.level : 'warning') as ShellCheckLevel;
    const line = num(c.line, 1);
    const column = num(c.column, 1);
    const endLine = num(c.endLine, line);
    const endColumn = num(c.endColumn, column);
    const start = offsetOf(text, starts, line, column);
    const end = Math.max(start, offsetOf(text, starts, endLine, endColumn));
    out.push({ code, level, message: typeof c.message === 'string' ? c.message : code, line, column, endLine, endColumn, span: { start, end } });
  }
  return out.sort((a, b) => a.span.start - b.span.start || a.code.localeCompare(b.code));
}

const cache = new Map<string, readonly ShellCheckComment[]>();
const MAX_CACHE = 500;

/**
 * ShellCheck's comments on a script run by `shell` (a basename: sh, bash, dash, ash…), with spans of `text`. Empty when
 * ShellCheck is not installed, the shell is one it doesn't know, the script is huge, or ShellCheck fails or times
 * out. Memoized per (text, shell); `# shellcheck disable=…` directives in the script are honoured by ShellCheck.
 */
export function shellcheck(text: string, shell: string): readonly ShellCheckComment[] {
  const dialect = shellcheckShell(shell);
  const bin = shellcheckPath();
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
}
