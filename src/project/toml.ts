// TOML files read with positions: smol-toml gives no positions, so tables, keys and values are found in the text.
import { parse as parseToml, TomlError } from 'smol-toml';
import type { Span } from '../dockerfile/model.js';
import type { FileProblem } from './model.js';

export type Toml = Record<string, unknown>;

export function tomlParse(text: string, file: string): { data: Toml | undefined; problem: FileProblem | undefined } {
  try {
    return { data: parseToml(text) as Toml, problem: undefined };
  } catch (e) {
    let offset = 0;
    if (e instanceof TomlError && e.line > 0) {
      const lines = text.split('\n');
      for (let k = 0; k < e.line - 1 && k < lines.length; k++) offset += lines[k]!.length + 1;
      offset += Math.max(0, e.column - 1);
    }
    const msg = (e as Error).message.split('\n')[0]!.replace(/^Invalid TOML document:\s*/, '');
    return { data: undefined, problem: { file, span: { start: Math.min(offset, text.length), end: Math.min(offset, text.length) }, message: `invalid TOML: ${msg}` } };
  }
}

export const obj = (v: unknown): Toml | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Toml) : undefined);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** Offset range of the table `[name]` (header to next header), or of the whole text for the root table. */
function tableRange(text: string, name: string): Span | undefined {
  if (name === '') {
    const first = /^\s*\[/m.exec(text);
    return { start: 0, end: first ? first.index : text.length };
  }
  const esc = name.split('.').map((p) => p.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')).join('\\s*\\.\\s*');
  const m = new RegExp(`^[ \\t]*\\[[ \\t]*${esc}[ \\t]*\\][ \\t]*(#.*)?$`, 'm').exec(text);
  if (!m) return undefined;
  const start = m.index;
  const next = /^[ \t]*\[/m.exec(text.slice(start + m[0].length));
  return { start, end: next ? start + m[0].length + next.index : text.length };
}

/** Span of `key` (its line's key token) inside table `table`; dotted keys (`project.dependencies`) at the root too. */
export function keySpan(text: string, table: string, key: string): Span | undefined {
  const escKey = key.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
  const tryIn = (tbl: string, k: string): Span | undefined => {
    const r = tableRange(text, tbl);
    if (!r) return undefined;
    const re = new RegExp(`^[ \\t]*(["']?)${k}\\1[ \\t]*=`, 'm');
    const m = re.exec(text.slice(r.start, r.end));
    if (!m) return undefined;
    const start = r.start + m.index + (m[0].length - m[0].trimStart().length);
    return { start, end: start + m[0].trimStart().replace(/\s*=$/, '').length };
  };
  const direct = tryIn(table, escKey);
  if (direct) return direct;
  // dotted key in a parent table: [project] readme.file = / project.readme = at the root
  const parts = table.split('.');
  for (let k = parts.length - 1; k >= 0; k--) {
    const parent = parts.slice(0, k).join('.');
    const rest = [...parts.slice(k), key].map((p) => p.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')).join('\\s*\\.\\s*');
    const s = tryIn(parent, rest);
    if (s) return s;
  }
  return tableRange(text, table) ? { start: tableRange(text, table)!.start, end: tableRange(text, table)!.start } : undefined;
}

/** Span of a string value (`"flask>=2"`) at or after `from`, else `fallback`. */
export function valueSpan(text: string, value: string, from: number, fallback: Span): Span {
  for (const q of ['"', "'"]) {
    const i = text.indexOf(q + value + q, from);
    if (i >= 0) return { start: i + 1, end: i + 1 + value.length };
  }
  const i = text.indexOf(value, from);
  return i >= 0 ? { start: i, end: i + value.length } : fallback;
}
