// The YAML library, loaded on first use (most runs parse no YAML, and loading it costs start-up time), and the node
// helpers every YAML reader of the project shares (CI workflows, Dependabot, compose files, Kubernetes manifests).
import { createRequire } from 'node:module';
import type { Document, Node as YamlNode, Pair, YAMLMap } from 'yaml';
import type { Span } from '../dockerfile/model.js';
import type { FileProblem } from './model.js';

type YamlModule = typeof import('yaml');
let mod: YamlModule | undefined;

export function yaml(): YamlModule {
  return (mod ??= createRequire(import.meta.url)('yaml') as YamlModule);
}

/** A node's span in its file (`fallback` when it has no range). */
export function rangeSpan(n: YamlNode | null | undefined, fallback: Span = { start: 0, end: 0 }): Span {
  const r = n?.range;
  return r ? { start: r[0], end: r[1] } : fallback;
}

/** A document's syntax errors as problems of `file` (compose files, manifests, heroku.yml). */
export function yamlProblems(file: string, doc: Document): FileProblem[] {
  return doc.errors.map((e) => ({ file, span: { start: e.pos[0], end: e.pos[1] }, message: `${file}: invalid YAML: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}` }));
}

/** A scalar's plain value (string, number, boolean) as a string; undefined for anything else. */
export function str(n: unknown): string | undefined {
  if (yaml().isScalar(n) && n.value !== null && n.value !== undefined && typeof n.value !== 'object') return String(n.value);
  return undefined;
}

/** The value of `key` in a map as written (no merge keys or aliases followed). */
export function get(map: unknown, key: string): YamlNode | undefined {
  if (!yaml().isMap(map)) return undefined;
  for (const it of map.items) if (str(it.key) === key) return (it.value ?? undefined) as YamlNode | undefined;
  return undefined;
}

export function has(map: unknown, key: string): boolean {
  return yaml().isMap(map) && map.items.some((it) => str(it.key) === key);
}

/** A map's pairs as written, in order: key text, key node, value node. */
export function pairs(map: unknown): [string, YamlNode | undefined, YamlNode | undefined][] {
  if (!yaml().isMap(map)) return [];
  return map.items.flatMap((it) => {
    const k = str(it.key);
    return k === undefined ? [] : [[k, it.key as YamlNode, (it.value ?? undefined) as YamlNode | undefined] as [string, YamlNode | undefined, YamlNode | undefined]];
  });
}

/** A map of scalars (an `env:` block) as strings. */
export function envOf(map: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, , v] of pairs(map)) {
    const s = str(v);
    if (s !== undefined) out[k] = s;
  }
  return out;
}

/**
 * The text a scalar holds and, for each of its characters, the offset in the file. Block scalars are rebuilt from
 * the source lines (indentation removed), so shell spans map back exactly; folded newlines become spaces.
 */
export function scalarText(source: string, node: YamlNode): { text: string; offsets: number[] } | undefined {
  if (!yaml().isScalar(node) || !node.range) return undefined;
  const value = str(node);
  if (value === undefined) return undefined;
  const [start, end] = node.range;
  const type = node.type;
  if (type === 'BLOCK_LITERAL' || type === 'BLOCK_FOLDED') {
    const nl = source.indexOf('\n', start);
    if (nl < 0 || nl >= end) return { text: '', offsets: [] };
    const header = source.slice(start, nl);
    const explicit = /^[|>][+-]?(\d)|^[|>](\d)/.exec(header);
    let pos = nl + 1;
    const lines: { at: number; text: string }[] = [];
    while (pos < end) {
      let eol = source.indexOf('\n', pos);
      if (eol < 0 || eol > end) eol = end;
      lines.push({ at: pos, text: source.slice(pos, eol) });
      pos = eol + 1;
    }
    let indent = -1;
    for (const l of lines) {
      if (l.text.trim() !== '') {
        indent = l.text.length - l.text.replace(/^ +/, '').length;
        break;
      }
    }
    if (indent < 0) return { text: '', offsets: [] };
    if (explicit) {
      // an explicit indentation indicator counts from the parent's indentation (the key's column: `  - run: |2`)
      const lineStart = source.lastIndexOf('\n', start - 1) + 1;
      const parent = /^[ ]*(?:-[ ]+)*/.exec(source.slice(lineStart, start))![0].length;
      indent = parent + Number(explicit[1] ?? explicit[2]);
    }
    let text = '';
    const offsets: number[] = [];
    const folded = type === 'BLOCK_FOLDED';
    lines.forEach((l, i) => {
      const body = l.text.length > indent ? l.text.slice(indent) : l.text.trim() === '' ? '' : l.text.trimStart();
      const bodyAt = l.at + (l.text.length - body.length);
      for (let k = 0; k < body.length; k++) {
        if (body[k] === '\r' && k === body.length - 1) continue;
        text += body[k];
        offsets.push(bodyAt + k);
      }
      if (i < lines.length - 1) {
        const next = lines[i + 1]!.text;
        const joins = folded && body.trim() !== '' && !/^\s/.test(body) && next.trim() !== '' && !/^\s/.test(next.slice(indent));
        text += joins ? ' ' : '\n';
        offsets.push(l.at + l.text.length);
      }
    });
    return { text, offsets };
  }
  const raw = source.slice(start, end);
  const body = type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE' ? raw.slice(1, -1) : raw;
  const at = type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE' ? start + 1 : start;
  if (body === value) return { text: value, offsets: Array.from({ length: value.length }, (_, i) => at + i) };
  // escapes or folding: keep the value, map every character to the scalar's start
  return { text: value, offsets: Array.from({ length: value.length }, () => start) };
}

/** `map` with `<<` merge keys resolved (later own keys win): key → [keyNode, valueNode]. */
export function mergedEntries(doc: Document, map: unknown, depth = 0): Map<string, { key: YamlNode; value: YamlNode | null }> {
  const out = new Map<string, { key: YamlNode; value: YamlNode | null }>();
  if (!yaml().isMap(map) || depth > 10) return out;
  const merged: Map<string, { key: YamlNode; value: YamlNode | null }>[] = [];
  for (const pair of (map as YAMLMap).items as Pair<YamlNode, YamlNode | null>[]) {
    const k = !yaml().isScalar(pair.key) ? undefined : typeof pair.key.value === 'symbol' ? pair.key.source : String(pair.key.value);
    if (k === undefined) continue;
    if (k === '<<') {
      const srcs = yaml().isSeq(pair.value) ? pair.value.items : [pair.value];
      for (const s of srcs) merged.push(mergedEntries(doc, resolveAlias(doc, s as YamlNode | null), depth + 1));
      continue;
    }
    out.set(k, { key: pair.key, value: resolveAlias(doc, pair.value) });
  }
  for (const m of merged) for (const [k, v] of m) if (!out.has(k)) out.set(k, v);
  return out;
}

/** The node an alias `*name` stands for (its anchor's), else the node itself. */
export function resolveAlias(doc: Document, n: YamlNode | null | undefined): YamlNode | null {
  if (!n) return null;
  if (yaml().isAlias(n)) return (n.resolve(doc) as YamlNode | undefined) ?? null;
  return n;
}

/** Any scalar's value as a string (unlike `str`, whatever its type); undefined for null and non-scalars. */
export function scalarString(n: YamlNode | null | undefined): string | undefined {
  if (!yaml().isScalar(n) || n.value === null || n.value === undefined) return undefined;
  return String(n.value);
}

/** A sequence of scalars, or one scalar, as strings (aliases followed). */
export function stringList(doc: Document, n: YamlNode | null | undefined): string[] | undefined {
  if (yaml().isSeq(n)) return n.items.map((i) => scalarString(resolveAlias(doc, i as YamlNode)) ?? '');
  const s = scalarString(n);
  return s === undefined ? undefined : [s];
}

/** A boolean scalar (`true`/`false` in any case), else undefined. */
export function yamlBool(n: YamlNode | null | undefined): boolean | undefined {
  if (!yaml().isScalar(n)) return undefined;
  if (typeof n.value === 'boolean') return n.value;
  if (typeof n.value === 'string' && /^(true|false)$/i.test(n.value)) return n.value.toLowerCase() === 'true';
  return undefined;
}
