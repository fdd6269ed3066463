// The layout the code promises (issue 14), checked on the source so a change that breaks it fails here: the folders of
// src/ import each other without a loop (every arrow runs down), rules reach no process, every rule code is named only
// under src/rules, rule contexts are typed (no casts to Project), and modules stay small.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

const files = sources(SRC);
const text = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));
const rel = (f: string): string => relative(SRC, f);

/** Relative imports of a file, resolved to .ts paths; `values` leaves out `import type` / `export type`. */
function importsOf(file: string, values: boolean): string[] {
  const out: string[] = [];
  const re = values
    ? /(?:^|\n)\s*(?:import|export)(?!\s+type\b)[^'";]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g
    : /(?:^|\n)\s*(?:import|export)[^'";]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of text.get(file)!.matchAll(re)) {
    const spec = m[1] ?? m[2]!;
    out.push(spec.startsWith('.') ? resolve(dirname(file), spec).replace(/\.js$/, '.ts') : spec);
  }
  return out;
}

/** The room a file belongs to: its top-level folder under src/, or the file itself at src/'s top. */
const room = (f: string): string => rel(f).split('/').length > 1 ? rel(f).split('/')[0]! : rel(f);

describe('architecture', () => {
  it('the folders of src/ import each other without a loop (type imports included)', () => {
    const edges = new Map<string, Set<string>>();
    for (const f of files) {
      for (const i of importsOf(f, false)) {
        if (!text.has(i) || room(i) === room(f)) continue;
        if (!edges.has(room(f))) edges.set(room(f), new Set());
        edges.get(room(f))!.add(room(i));
      }
    }
    const loops: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (r: string, path: string[]): void => {
      if (state.get(r) === 'done') return;
      if (state.get(r) === 'open') {
        loops.push([...path.slice(path.indexOf(r)), r].join(' -> '));
        return;
      }
      state.set(r, 'open');
      for (const n of edges.get(r) ?? []) visit(n, [...path, r]);
      state.set(r, 'done');
    };
    for (const r of edges.keys()) visit(r, []);
    expect(loops).toEqual([]);
  });

  it('no rule reaches a process through its imports (rules are pure)', () => {
    const spawners = new Set(files.filter((f) => importsOf(f, true).some((i) => /^(node:)?child_process$/.test(i))));
    const reached: string[] = [];
    for (const start of files.filter((f) => rel(f).startsWith('rules/'))) {
      const seen = new Set<string>();
      const stack = [start];
      while (stack.length > 0) {
        const f = stack.pop()!;
        if (seen.has(f)) continue;
        seen.add(f);
        if (spawners.has(f)) reached.push(`${rel(start)} -> ${rel(f)}`);
        for (const i of importsOf(f, true)) if (text.has(i)) stack.push(i);
      }
    }
    expect(reached).toEqual([]);
  });

  it('rule codes are named only under src/rules (every check is a rule)', () => {
    const named = files.filter((f) => !rel(f).startsWith('rules/'))
      .flatMap((f) => (text.get(f)!.match(/'(SEC|CI|DBG|OPS|REP|FAST|SIZE|APP|MS|DF)\d{3}'/g) ?? []).map((c) => `${rel(f)}: ${c}`));
    expect(named).toEqual([]);
  });

  it('rule contexts are typed: no casts to Project, no ProjectRuleContext<any>', () => {
    const casts = files.flatMap((f) => (text.get(f)!.match(/\bas (Partial<)?Project\b|ProjectRuleContext<any>/g) ?? []).map((c) => `${rel(f)}: ${c}`));
    expect(casts).toEqual([]);
  });

  it('modules stay small (no file over 600 lines)', () => {
    const large = files.map((f) => [rel(f), text.get(f)!.split('\n').length] as const).filter(([, n]) => n > 600);
    expect(large).toEqual([]);
  });
});
