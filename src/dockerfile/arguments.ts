// An instruction's arguments read as data: the KEY=value pairs of ENV/ARG/LABEL and the options of RUN --mount.
import { memo2 } from './memo.js';
import type { Flag, Instruction, KeyValue, Mount } from './model.js';
import { expandWord, splitWords, unquote, type Lookup } from './words.js';

/** Parse the options of a --mount flag value: type=cache,target=/root/.cache,id=pip. */
export function parseMount(flag: Flag): Mount {
  const options: Record<string, string> = {};
  for (const part of (flag.value ?? '').split(',')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    options[k] = eq < 0 ? 'true' : part.slice(eq + 1).trim();
  }
  const alias = (k: string, ...names: string[]): string | undefined => {
    for (const n of [k, ...names]) if (options[n] !== undefined) return options[n];
    return undefined;
  };
  return {
    type: options.type ?? 'bind',
    target: alias('target', 'dst', 'destination'),
    source: alias('source', 'src'),
    from: options.from,
    id: options.id,
    options,
    span: flag.span,
  };
}

export function mounts(instr: Instruction): Mount[] {
  return instr.flags.filter((f) => f.name === 'mount').map(parseMount);
}

/** The KEY=value pairs of ENV, ARG and LABEL (as written, unless `lookup` expands them: those are shared by the rules that ask). */
export function keyValues(instr: Instruction, escape: string, lookup?: Lookup): KeyValue[] {
  return lookup ? pairsOf(instr, escape, lookup) : writtenPairs(instr, escape);
}

const writtenPairs = memo2((instr: Instruction, escape: string): KeyValue[] => pairsOf(instr, escape, undefined));

function pairsOf(instr: Instruction, escape: string, lookup: Lookup | undefined): KeyValue[] {
  const args = instr.args;
  const off = instr.argOffset;
  const raws = splitWords(args, escape);
  if (raws.length === 0) return [];
  const value = (raw: string): string => (lookup ? expandWord(raw, lookup, escape).value : unquote(raw, escape));
  if (instr.keyword !== 'ARG' && !raws[0]!.raw.includes('=')) {
    // legacy `ENV KEY value…`
    const m = /[\t\v\f\r ]+/.exec(args);
    const key = m ? args.slice(0, m.index) : args;
    const vStart = m ? m.index + m[0].length : args.length;
    const rawValue = args.slice(vStart);
    return [{
      key,
      value: value(rawValue),
      rawValue,
      span: { start: off(0), end: off(args.length - 1) + 1 },
      keySpan: { start: off(0), end: off(key.length - 1) + 1 },
      valueSpan: rawValue ? { start: off(vStart), end: off(args.length - 1) + 1 } : undefined,
      legacy: true,
    }];
  }
  return raws.map((w) => {
    const eq = w.raw.indexOf('=');
    const key = eq < 0 ? w.raw : w.raw.slice(0, eq);
    const rawValue = eq < 0 ? undefined : w.raw.slice(eq + 1);
    return {
      key: unquote(key, escape),
      value: rawValue === undefined ? undefined : value(rawValue),
      rawValue,
      span: { start: off(w.start), end: off(w.end - 1) + 1 },
      keySpan: { start: off(w.start), end: off(w.start + key.length - 1) + 1 },
      valueSpan: rawValue === undefined ? undefined : { start: off(w.start + eq + 1), end: off(w.end - 1) + 1 },
      legacy: false,
    };
  });
}
