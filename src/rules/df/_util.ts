// Helpers private to the DF rules: whole-instruction fix edits, variable references with offsets, edit distance.
import type { Dockerfile, Instruction } from '../../dockerfile/model.js';
import type { Lookup } from '../../dockerfile/words.js';
import type { Edit } from '../../lint/rule.js';
import { instructionEdit } from '../../dockerfile/query.js';

/**
 * One edit that rewrites the whole (top-level) instruction with `local` edits applied. Undefined when an edit falls
 * outside it, or when it spans lines in a file with a non-default escape (its text alone would not re-parse the same).
 */
export function rewriteInstruction(df: Dockerfile, instr: Instruction, local: readonly Edit[]): Edit | undefined {
  const top = df.instructions[instr.index] ?? instr;
  if (df.escape !== '\\' && df.text.slice(top.span.start, top.span.end).includes('\n')) return undefined;
  if (local.some((e) => e.start < top.span.start || e.end > top.span.end)) return undefined;
  return instructionEdit(df, top, local);
}

/** Variables an instruction can see: ENV then ARG in effect before it. */
export function stateLookup(instr: Instruction): Lookup {
  return (n) => instr.state.env.get(n) ?? instr.state.args.get(n) ?? undefined;
}

export interface VarRef {
  name: string;
  /** Offsets into the scanned string: `$NAME` / `${NAME…}` whole. */
  start: number;
  end: number;
  /** `:-`, `-`, `:+`, `+`, `:?`, `?` for `${NAME:-x}` forms; undefined for `$NAME` / `${NAME}`. */
  modifier: string | undefined;
}

/** `$NAME` / `${NAME…}` references BuildKit's lexer would expand in an instruction argument (not in '…', not escaped). */
export function varRefs(raw: string, escape = '\\'): VarRef[] {
  const out: VarRef[] = [];
  let inDouble = false;
  let i = 0;
  while (i < raw.length) {
    const ch = raw[i]!;
    if (ch === escape) {
      i += 2;
      continue;
    }
    if (ch === "'" && !inDouble) {
      const close = raw.indexOf("'", i + 1);
      i = close < 0 ? raw.length : close + 1;
      continue;
    }
    if (ch === '"') {
      inDouble = !inDouble;
      i++;
      continue;
    }
    if (ch !== '$') {
      i++;
      continue;
    }
    if (raw[i + 1] === '{') {
      let depth = 1;
      let k = i + 2;
      for (; k < raw.length; k++) {
        if (raw[k] === '{') depth++;
        else if (raw[k] === '}' && --depth === 0) break;
      }
      const body = raw.slice(i + 2, k);
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(:?[-+?])?/.exec(body);
      if (m) out.push({ name: m[1]!, start: i, end: Math.min(k + 1, raw.length), modifier: m[2] });
      i = k + 1;
      continue;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(raw.slice(i + 1));
    if (m) {
      out.push({ name: m[0], start: i, end: i + 1 + m[0].length, modifier: undefined });
      i += 1 + m[0].length;
    } else i++;
  }
  return out;
}

/** Edit distance with adjacent transpositions counted as one edit (optimal string alignment); small strings only. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    const prev = rows[i - 1]!;
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      cur[j] = d;
    }
    rows.push(cur);
  }
  return rows[a.length]![b.length]!;
}

/** The closest candidate that looks like a typo of `name` (same letters in another case, or 1–2 edits away), if any. */
export function closeMatch(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    if (c === name) continue;
    if (c.toLowerCase() === name.toLowerCase()) return c;
    const n = Math.min(c.length, name.length);
    const limit = n >= 8 ? 2 : n >= 4 ? 1 : 0;
    // the distance is at least the difference in length: skip the table when that alone is too far
    if (Math.abs(c.length - name.length) > limit) continue;
    const d = editDistance(c, name);
    if (d <= limit && d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

/** Build arguments BuildKit predefines (platform args in the global scope, proxies everywhere). */
export const PREDEFINED_ARGS: ReadonlySet<string> = new Set([
  'TARGETPLATFORM', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT', 'BUILDPLATFORM', 'BUILDOS', 'BUILDARCH', 'BUILDVARIANT',
  'TARGETSTAGE',
  'HTTP_PROXY', 'HTTPS_PROXY', 'FTP_PROXY', 'NO_PROXY', 'ALL_PROXY',
  'http_proxy', 'https_proxy', 'ftp_proxy', 'no_proxy', 'all_proxy',
  'SOURCE_DATE_EPOCH',
]);

export function isPredefinedArg(name: string): boolean {
  return PREDEFINED_ARGS.has(name) || name.startsWith('BUILDKIT_');
}

/** Is the instruction text a single line (no continuation, no heredoc)? */
export function singleLine(df: Dockerfile, instr: Instruction): boolean {
  const top = df.instructions[instr.index] ?? instr;
  return !df.text.slice(top.span.start, top.span.end).includes('\n');
}
