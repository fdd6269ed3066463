// Python source read as text, never imported or run: statements, lines, string literals and call arguments.
import { lineOf } from '../../dockerfile/lines.js';

/** 1-based line of an offset (the cached line index of dockerfile/lines.ts, not a count from the start per call). */
export function lineAt(text: string, offset: number): number {
  return lineOf(text, offset);
}

/** offset → 1-based line, by binary search over the line starts (dockerfile/lines.ts, built once per text). */
export function lineIndex(text: string): (offset: number) => number {
  return (offset) => lineOf(text, offset);
}

/**
 * The offset just after the string literal whose opening quote is at `i` (triple-quoted or not, escapes skipped); a
 * one-line string left open ends at its line break, any string at `limit`.
 */
export function stringEnd(text: string, i: number, limit = text.length): number {
  const c = text[i]!;
  const q = text.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
  let j = i + q.length;
  while (j < limit && !text.startsWith(q, j)) {
    if (text[j] === '\\') j++;
    else if (q.length === 1 && text[j] === '\n') return j;
    j++;
  }
  return Math.min(j + q.length, limit);
}

/** One logical statement: its first line (1-based), the indentation of that line, its text without comments. */
export interface Statement {
  line: number;
  indent: number;
  text: string;
}

/** Split Python source into logical statements. Bounded by the text's length; never throws. */
export function statements(src: string): Statement[] {
  const out: Statement[] = [];
  let buf = '';
  let depth = 0;
  let line = 1;
  let start = 1;
  let indent = 0;
  let atLineStart = true;
  let i = 0;
  const flush = (): void => {
    if (buf.trim() !== '') out.push({ line: start, indent, text: buf.trim() });
    buf = '';
  };
  while (i < src.length) {
    const c = src[i]!;
    if (atLineStart && depth === 0 && buf.trim() === '') {
      let j = i;
      while (j < src.length && (src[j] === ' ' || src[j] === '\t')) j++;
      indent = j - i;
      start = line;
      atLineStart = false;
      i = j;
      continue;
    }
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (c === '"' || c === "'") {
      // an unterminated one-line string ends at the line break (which still counts as one)
      const end = stringEnd(src, i);
      const lit = src.slice(i, end);
      buf += lit;
      for (let k = lit.indexOf('\n'); k >= 0; k = lit.indexOf('\n', k + 1)) line++;
      i = end;
      continue;
    }
    if (c === '\\' && src[i + 1] === '\n') {
      buf += ' ';
      line++;
      i += 2;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
    if (c === '\n') {
      line++;
      if (depth === 0) {
        flush();
        atLineStart = true;
      } else buf += ' ';
      i++;
      continue;
    }
    if (c === ';' && depth === 0) {
      flush();
      start = line;
      i++;
      continue;
    }
    buf += c;
    i++;
  }
  flush();
  return out;
}

/** From `text[start]`, the expression up to the end of its logical line (brackets and strings balanced), bounded. */
export function logicalLine(text: string, start: number, max = 2000): string {
  let depth = 0;
  let i = start;
  const end = Math.min(text.length, start + max);
  for (; i < end; i++) {
    const c = text[i]!;
    if (c === '#' && depth === 0) break;
    if (c === '"' || c === "'") i = stringEnd(text, i, end) - 1;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) {
      if (depth === 0) break;
      depth--;
    } else if ((c === '\n' || c === ',') && depth === 0) break;
  }
  return text.slice(start, i).trim();
}

const MAX_CALL = 20_000;

/**
 * The top-level arguments of the call whose `(` is at `open`: raw text of each, split on commas outside brackets and
 * strings, and the offset after the closing `)`. Undefined when the call does not close within a bounded length.
 */
export function callArgs(text: string, open: number): { args: string[]; end: number } | undefined {
  const args: string[] = [];
  let depth = 0;
  let cur = '';
  const limit = Math.min(text.length, open + MAX_CALL);
  for (let i = open; i < limit; i++) {
    const c = text[i]!;
    if (c === '#') {
      // a comment is no part of an argument
      const nl = text.indexOf('\n', i);
      i = (nl < 0 ? limit : nl) - 1;
      continue;
    }
    if (c === '"' || c === "'") {
      const e = stringEnd(text, i, limit);
      cur += text.slice(i, e);
      i = e - 1;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') {
      depth++;
      if (depth === 1) continue;
    } else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) {
        if (cur.trim()) args.push(cur.trim());
        return { args, end: i + 1 };
      }
    } else if (c === ',' && depth === 1) {
      args.push(cur.trim());
      cur = '';
      continue;
    }
    if (depth >= 1) cur += c;
  }
  return undefined;
}

/** The value of a plain string literal (`"x"`, `r'^x$'`, `u"x"`), or undefined (f-strings, names, calls…). */
export function literal(expr: string | undefined): string | undefined {
  if (!expr) return undefined;
  const m = /^[rRuU]?("""|'''|"|')([\s\S]*)\1$/.exec(expr.trim());
  if (!m || m[2]!.includes(m[1]!)) return undefined;
  return m[2]!;
}

/** `name=expr` among call arguments. */
export function kwarg(args: readonly string[], name: string): string | undefined {
  const re = new RegExp(`^${name}\\s*=(?!=)\\s*([\\s\\S]+)$`);
  for (const a of args) {
    const m = re.exec(a);
    if (m) return m[1]!.trim();
  }
  return undefined;
}

/** Positional arguments (those without `name=`). */
export const positional = (args: readonly string[]): string[] => args.filter((a) => !/^\*{0,2}[A-Za-z_]\w*\s*=(?!=)/.test(a) && !a.startsWith('*'));

