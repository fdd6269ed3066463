// pyproject.toml (PEP 621, poetry, uv, pdm) and Pipfile: the declared dependencies, Python requirement and tool tables
// of the TOML manifests, with spans.
import type { Span } from '../dockerfile/model.js';
import type { FileProblem } from './model.js';
import { keySpan, obj, str, strs, tomlParse, valueSpan, type Toml } from './toml.js';
import { normalizeName, parseSpec, type ParsedSpec } from './requirement-spec.js';

/** A dependency declared in a manifest, with its position. */
export interface DeclaredDep extends ParsedSpec {
  /** The string as written (for poetry/Pipfile tables: `name` plus the version or table). */
  spec: string;
  span: Span;
  /** `main`, an extra's or group's name, `dev`. */
  group: string;
}

export interface Pyproject {
  path: string;
  text: string;
  data: Toml | undefined;
  name: string | undefined;
  requiresPython: { value: string; span: Span } | undefined;
  dependencies: DeclaredDep[];
  optionalDependencies: Record<string, DeclaredDep[]>;
  /** `[dependency-groups]` (PEP 735). */
  dependencyGroups: Record<string, DeclaredDep[]>;
  /** The README file `readme` names (string, or table with `file`). */
  readme: { file: string | undefined; span: Span } | undefined;
  scripts: Record<string, string>;
  poetry: { dependencies: DeclaredDep[]; groups: Record<string, DeclaredDep[]>; python: string | undefined; packages: string[]; scripts: Record<string, string>; readme: string[] } | undefined;
  uv: { present: true; devDependencies: DeclaredDep[]; workspaceMembers: string[]; package: boolean | undefined } | undefined;
  pdm: { present: true; devDependencies: Record<string, DeclaredDep[]> } | undefined;
  buildSystem: { requires: string[]; backend: string | undefined } | undefined;
  problem: FileProblem | undefined;
}

function declared(text: string, specs: string[], group: string, from: Span | undefined): DeclaredDep[] {
  const start = from?.start ?? 0;
  let cursor = start;
  return specs.map((s) => {
    const span = valueSpan(text, s, cursor, from ?? { start: 0, end: 0 });
    if (span.start >= cursor) cursor = span.end;
    return { ...parseSpec(s), spec: s, span, group };
  });
}

/** poetry / Pipfile style tables: `name = "^1.2"` or `name = { version = "…", extras = […] }`. */
function tableDeps(text: string, table: string, deps: Toml | undefined, group: string, skip: string[] = []): DeclaredDep[] {
  if (!deps) return [];
  const out: DeclaredDep[] = [];
  for (const [name, v] of Object.entries(deps)) {
    if (skip.includes(name.toLowerCase())) continue;
    const ks = keySpan(text, table, name) ?? { start: 0, end: 0 };
    const version = typeof v === 'string' ? v : str(obj(v)?.version);
    const t = obj(v);
    const url = t ? str(t.git) ?? str(t.url) ?? str(t.path) : undefined;
    const exact = version !== undefined && (/^==?\s*\d[^,*<>!~^]*$/.test(version.trim()) || /^\d[\w.]*$/.test(version.trim()));
    const any = version === undefined || version.trim() === '*' || version.trim() === '';
    out.push({
      name: normalizeName(name),
      extras: strs(t?.extras),
      specifier: version ?? '',
      markers: str(t?.markers),
      url: t && (t.git || t.url) ? url : undefined,
      path: t && t.path ? str(t.path) : undefined,
      kind: t && t.path ? 'skip' : t && t.git ? (t.rev || t.tag || t.ref ? 'pinned' : 'vcs') : exact ? 'pinned' : any || version !== undefined ? 'unpinned' : 'unpinned',
      pinned: exact,
      spec: typeof v === 'string' ? `${name} ${v}` : name,
      span: ks,
      group,
    });
  }
  return out;
}

export function parsePyproject(text: string, path: string): Pyproject {
  const { data, problem } = tomlParse(text, path);
  const out: Pyproject = {
    path, text, data, name: undefined, requiresPython: undefined, dependencies: [], optionalDependencies: {}, dependencyGroups: {},
    readme: undefined, scripts: {}, poetry: undefined, uv: undefined, pdm: undefined, buildSystem: undefined, problem,
  };
  if (!data) return out;
  const project = obj(data.project);
  const tool = obj(data.tool);
  const dummy = { start: 0, end: 0 };
  if (project) {
    out.name = str(project.name);
    const rp = str(project['requires-python']);
    if (rp !== undefined) {
      const ks = keySpan(text, 'project', 'requires-python') ?? dummy;
      out.requiresPython = { value: rp, span: valueSpan(text, rp, ks.start, ks) };
    }
    out.dependencies = declared(text, strs(project.dependencies), 'main', keySpan(text, 'project', 'dependencies'));
    const opt = obj(project['optional-dependencies']);
    for (const [g, list] of Object.entries(opt ?? {})) {
      out.optionalDependencies[g] = declared(text, strs(list), g, keySpan(text, 'project.optional-dependencies', g) ?? keySpan(text, 'project', 'optional-dependencies'));
    }
    const readme = project.readme;
    if (readme !== undefined) {
      const ks = keySpan(text, 'project', 'readme') ?? keySpan(text, 'project.readme', 'file') ?? dummy;
      const file = typeof readme === 'string' ? readme : str(obj(readme)?.file);
      out.readme = { file, span: file ? valueSpan(text, file, ks.start, ks) : ks };
    }
    for (const [k, v] of Object.entries(obj(project.scripts) ?? {})) if (typeof v === 'string') out.scripts[k] = v;
  }
  for (const [g, list] of Object.entries(obj(data['dependency-groups']) ?? {})) {
    out.dependencyGroups[g] = declared(text, strs(list), g, keySpan(text, 'dependency-groups', g));
  }
  const poetry = obj(tool?.poetry);
  if (poetry) {
    const deps = obj(poetry.dependencies);
    const groups: Record<string, DeclaredDep[]> = {};
    for (const [g, gv] of Object.entries(obj(poetry.group) ?? {})) groups[g] = tableDeps(text, `tool.poetry.group.${g}.dependencies`, obj(obj(gv)?.dependencies), g);
    const dev = obj(poetry['dev-dependencies']);
    if (dev) groups.dev = [...(groups.dev ?? []), ...tableDeps(text, 'tool.poetry.dev-dependencies', dev, 'dev')];
    const py = deps?.python;
    const readme = poetry.readme;
    out.poetry = {
      dependencies: tableDeps(text, 'tool.poetry.dependencies', deps, 'main', ['python']),
      groups,
      python: typeof py === 'string' ? py : str(obj(py)?.version),
      packages: (Array.isArray(poetry.packages) ? poetry.packages : []).map((p) => str(obj(p)?.include)).filter((x): x is string => x !== undefined),
      scripts: Object.fromEntries(Object.entries(obj(poetry.scripts) ?? {}).filter(([, v]) => typeof v === 'string')) as Record<string, string>,
      readme: typeof readme === 'string' ? [readme] : strs(readme),
    };
    if (!out.readme && out.poetry.readme.length > 0) {
      const ks = keySpan(text, 'tool.poetry', 'readme') ?? dummy;
      out.readme = { file: out.poetry.readme[0], span: valueSpan(text, out.poetry.readme[0]!, ks.start, ks) };
    }
    if (!out.name) out.name = str(poetry.name);
  }
  const uv = obj(tool?.uv);
  if (uv) {
    out.uv = {
      present: true,
      devDependencies: declared(text, strs(uv['dev-dependencies']), 'dev', keySpan(text, 'tool.uv', 'dev-dependencies')),
      workspaceMembers: strs(obj(uv.workspace)?.members),
      package: typeof uv.package === 'boolean' ? uv.package : undefined,
    };
  }
  const pdm = obj(tool?.pdm);
  if (pdm) {
    const dev: Record<string, DeclaredDep[]> = {};
    for (const [g, list] of Object.entries(obj(pdm['dev-dependencies']) ?? {})) dev[g] = declared(text, strs(list), g, keySpan(text, 'tool.pdm.dev-dependencies', g));
    out.pdm = { present: true, devDependencies: dev };
  }
  const bs = obj(data['build-system']);
  if (bs) out.buildSystem = { requires: strs(bs.requires), backend: str(bs['build-backend']) };
  return out;
}

export interface Pipfile {
  path: string;
  packages: DeclaredDep[];
  devPackages: DeclaredDep[];
  python: string | undefined;
  problem: FileProblem | undefined;
}

export function parsePipfile(text: string, path: string): Pipfile {
  const { data, problem } = tomlParse(text, path);
  const requires = obj(data?.requires);
  return {
    path,
    packages: tableDeps(text, 'packages', obj(data?.packages), 'main'),
    devPackages: tableDeps(text, 'dev-packages', obj(data?.['dev-packages']), 'dev'),
    python: str(requires?.python_full_version) ?? str(requires?.python_version),
    problem,
  };
}
