// Conda environment.yml: its packages (pip ones included) with spans.
import { yaml } from './yaml.js';
import type { Span } from '../dockerfile/model.js';
import type { FileProblem } from './model.js';
import { normalizeName, parseSpec } from './requirement-spec.js';
import type { DeclaredDep } from './pyproject.js';

export interface CondaEnv {
  path: string;
  name: string | undefined;
  /** Conda packages (`python=3.11`, `numpy`) with spans. */
  dependencies: { spec: string; name: string; span: Span }[];
  /** The `pip:` sub-list. */
  pip: DeclaredDep[];
  python: string | undefined;
  problems: FileProblem[];
}

export function parseCondaEnv(text: string, path: string): CondaEnv {
  const out: CondaEnv = { path, name: undefined, dependencies: [], pip: [], python: undefined, problems: [] };
  let doc;
  try {
    doc = yaml().parseDocument(text, { lineCounter: new (yaml().LineCounter)(), prettyErrors: false, uniqueKeys: false });
  } catch (e) {
    out.problems.push({ file: path, span: { start: 0, end: 0 }, message: `invalid YAML: ${(e as Error).message}` });
    return out;
  }
  for (const err of doc.errors) {
    const at = err.pos?.[0] ?? 0;
    out.problems.push({ file: path, span: { start: at, end: err.pos?.[1] ?? at }, message: `invalid YAML: ${err.message.split('\n')[0]}` });
  }
  if (!yaml().isMap(doc.contents)) return out;
  const name = doc.contents.get('name');
  out.name = typeof name === 'string' ? name : undefined;
  const deps = doc.contents.get('dependencies', true);
  if (!yaml().isSeq(deps)) return out;
  for (const item of deps.items) {
    if (yaml().isScalar(item) && typeof item.value === 'string') {
      const spec = item.value.trim();
      const span = { start: item.range?.[0] ?? 0, end: item.range?.[1] ?? 0 };
      const bare = spec.includes('::') ? spec.slice(spec.indexOf('::') + 2) : spec;
      const m = /^([A-Za-z0-9._-]+)\s*(.*)$/.exec(bare);
      const dname = normalizeName(m ? m[1]! : bare);
      out.dependencies.push({ spec, name: dname, span });
      if (dname === 'python' && m && m[2]) out.python = m[2].replace(/^=+/, '').trim();
    } else if (yaml().isMap(item)) {
      const pip = item.get('pip', true);
      if (yaml().isSeq(pip)) {
        for (const p of pip.items) {
          if (!yaml().isScalar(p) || typeof p.value !== 'string') continue;
          out.pip.push({ ...parseSpec(p.value), spec: p.value, span: { start: p.range?.[0] ?? 0, end: p.range?.[1] ?? 0 }, group: 'pip' });
        }
      }
    }
  }
  return out;
}
