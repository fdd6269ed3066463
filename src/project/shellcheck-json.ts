// ShellCheck's json1 output as comments with spans of the script: pure, so rules and project facts read results
// without reaching the process that makes them (shellcheck.ts runs it).
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
