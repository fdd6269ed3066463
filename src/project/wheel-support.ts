// The newest Python a set of pins can install on: compiled packages ship wheels per CPython minor (cp312, cp313…), so
// the oldest "newest wheel" among them bounds the interpreter. Read from lock files that list wheel names (uv.lock,
// poetry.lock, pdm.lock), else from a small table of well-known compiled packages for plain version pins.
import { parse as parseToml } from 'smol-toml';

export interface PackageCeiling {
  name: string;
  version: string;
  /** Newest CPython minor it supports (`3.13`). */
  minor: string;
  /** `path:line what`. */
  evidence: string;
  /** `wheels`: the lock lists its wheel names; `table`: KNOWN_SUPPORT below. */
  from: 'wheels' | 'table';
}

const lineAt = (text: string, offset: number): number => (offset < 0 ? 1 : text.slice(0, offset).split('\n').length);

/** Tags of a wheel file name (`x-1.0-cp312-cp312-manylinux_2_17_x86_64.whl`), or undefined. */
export function wheelTags(file: string): { python: string[]; abi: string[]; platform: string[] } | undefined {
  const base = file.split(/[/#?]/).filter(Boolean).find((s) => s.endsWith('.whl')) ?? file;
  if (!base.endsWith('.whl')) return undefined;
  const parts = base.slice(0, -4).split('-');
  if (parts.length < 5) return undefined;
  const [py, abi, plat] = parts.slice(-3) as [string, string, string];
  return { python: py.split('.'), abi: abi.split('.'), platform: plat.split('.') };
}

/**
 * The newest CPython minor a release's wheels cover, or undefined when the wheels do not bound Python: a pure wheel
 * (`py3-none-any`), a stable-ABI wheel (`cp38-abi3`, good for every later minor), or no Linux wheel at all (a
 * Windows-only package, or an sdist the image builds). Free-threaded (`cp313t`) and PyPy wheels are left out.
 */
export function wheelsCeiling(files: string[]): string | undefined {
  let best = -1;
  let linux = false;
  for (const f of files) {
    const t = wheelTags(f);
    if (!t) continue;
    if (t.platform.includes('any') && t.abi.includes('none')) return undefined;
    if (!t.platform.some((p) => /linux/.test(p))) continue;
    linux = true;
    if (t.abi.includes('abi3') || (t.abi.includes('none') && t.python.some((p) => /^py3/.test(p)))) return undefined;
    for (const a of t.abi) {
      const m = /^cp3(\d+)m?$/.exec(a);
      if (m) best = Math.max(best, Number(m[1]));
    }
  }
  return linux && best >= 0 ? `3.${best}` : undefined;
}

/** `python_version < "3.11"` / `python_full_version < '3.11'`: the minor below which a dependency is needed, if the marker says so. */
function onlyBelow(marker: string | undefined): number | undefined {
  if (!marker || /\bor\b/.test(marker)) return undefined;
  const m = /python_(?:full_)?version\s*(<=?)\s*["']3\.(\d+)/.exec(marker);
  return m ? Number(m[2]) + (m[1] === '<=' ? 1 : 0) : undefined;
}

interface LockPackage {
  name: string;
  version: string;
  files: string[];
  /** Dependencies: name → extras asked for (uv records them on the edge). */
  deps: Map<string, string[]>;
  /** uv: optional-dependencies by extra. */
  extras: Map<string, string[]>;
  /** The project itself (uv: a virtual/editable source). */
  root: boolean;
  /** pdm `groups`, poetry 2 `groups`, poetry 1 `category`: undefined when the lock does not say. */
  groups: string[] | undefined;
  /** Markers of every edge that pulls the package in (and its own `markers`), undefined entries for unconditional ones. */
  markers: (string | undefined)[];
}

type Toml = Record<string, unknown>;
const asArr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asObj = (v: unknown): Toml | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Toml) : undefined);
const asStr = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const norm = (n: string): string => n.toLowerCase().replace(/[-_.]+/g, '-');
/** A regex source matching a normalized package name as any lock spells it (`pydantic-core`, `pydantic_core`); other characters escaped. */
export const nameSource = (n: string): string => n.split('-').map((x) => x.replace(/[^a-z0-9]/gi, (c) => `\\${c}`)).join('[-_.]');

/** Packages of a uv.lock / poetry.lock / pdm.lock with their wheel file names and the markers that pull them in. */
function lockPackages(text: string, kind: 'uv' | 'poetry' | 'pdm'): { packages: LockPackage[]; newestUpload: string | undefined } {
  const doc = parseToml(text) as Toml;
  const packages = new Map<string, LockPackage>();
  const edges = new Map<string, (string | undefined)[]>();
  const edge = (name: string, marker: string | undefined): void => void edges.set(norm(name), [...(edges.get(norm(name)) ?? []), marker]);
  let newestUpload: string | undefined;
  // poetry 1.1 kept the file list in [metadata.files]
  const legacy = asObj(asObj(doc.metadata)?.files) ?? {};
  for (const raw of asArr(doc.package)) {
    const pkg = asObj(raw);
    const name = asStr(pkg?.name);
    const version = asStr(pkg?.version);
    if (!pkg || !name || !version) continue;
    const files: string[] = [];
    const deps = new Map<string, string[]>();
    const extras = new Map<string, string[]>();
    const dep = (dn: string, marker: string | undefined, ex: string[] = []): void => {
      edge(dn, marker);
      deps.set(norm(dn), [...(deps.get(norm(dn)) ?? []), ...ex]);
    };
    if (kind === 'uv') {
      for (const w of asArr(pkg.wheels)) {
        const url = asStr(asObj(w)?.url) ?? asStr(asObj(w)?.filename);
        if (url) files.push(url);
        const up = asStr(asObj(w)?.['upload-time']);
        if (up && (!newestUpload || up > newestUpload)) newestUpload = up;
      }
      for (const d of asArr(pkg.dependencies)) {
        const dn = asStr(asObj(d)?.name);
        if (dn) dep(dn, asStr(asObj(d)?.marker), asArr(asObj(d)?.extra).filter((x): x is string => typeof x === 'string'));
      }
      for (const [extra, group] of Object.entries(asObj(pkg['optional-dependencies']) ?? {})) {
        extras.set(extra, asArr(group).map((d) => asStr(asObj(d)?.name)).filter((x): x is string => !!x).map(norm));
        for (const d of asArr(group)) if (asStr(asObj(d)?.name)) edge(asStr(asObj(d)?.name)!, asStr(asObj(d)?.marker));
      }
    } else {
      for (const f of [...asArr(pkg.files), ...asArr(legacy[name]), ...asArr(legacy[norm(name)])]) {
        const file = asStr(asObj(f)?.file) ?? asStr(asObj(f)?.url);
        if (file) files.push(file);
      }
      if (kind === 'poetry') {
        for (const [dn, spec] of Object.entries(asObj(pkg.dependencies) ?? {})) {
          const specs = Array.isArray(spec) ? spec : [spec];
          for (const s of specs) dep(dn, asStr(asObj(s)?.markers));
        }
      } else {
        for (const d of asArr(pkg.dependencies)) {
          const s = asStr(d);
          const m = s ? /^([A-Za-z0-9._-]+)[^;]*(?:;(.*))?$/.exec(s) : null;
          if (m) dep(m[1]!, m[2]?.trim());
        }
      }
    }
    const own = asStr(pkg.markers) ?? asStr(pkg.marker);
    const src = asObj(pkg.source);
    const groups = asArr(pkg.groups).filter((g): g is string => typeof g === 'string');
    const category = asStr(pkg.category);
    packages.set(norm(name), {
      name: norm(name), version, files, markers: own ? [own] : [], deps, extras, root: !!(src?.virtual || src?.editable),
      groups: groups.length > 0 ? groups : category ? [category] : undefined,
    });
  }
  for (const p of packages.values()) {
    const e = edges.get(p.name);
    // a top-level requirement has no edge in uv/pdm locks: unconditional unless its own marker says otherwise
    if (e) p.markers.push(...e);
  }
  return { packages: [...packages.values()], newestUpload };
}

/**
 * Packages the image installs: the lock's own groups when it records them (pdm, poetry 2: `groups`; poetry 1:
 * `category`), else what the project's main dependencies (uv: the project's own entry; poetry/pdm: `roots`, from
 * pyproject) pull in. Dev-only tools (a linter's compiled wheels) do not bound the runtime Python.
 */
function installed(packages: LockPackage[], roots: string[] | undefined): Set<string> {
  const byName = new Map(packages.map((p) => [p.name, p]));
  if (packages.some((p) => p.groups)) return new Set(packages.filter((p) => !p.groups || p.groups.some((g) => /^(default|main)$/.test(g))).map((p) => p.name));
  const start: [string, string[]][] = packages.some((p) => p.root)
    ? packages.filter((p) => p.root).flatMap((p) => [...p.deps])
    : (roots ?? []).map((r) => [norm(r), []]);
  if (start.length === 0) return new Set(byName.keys());
  const seen = new Set<string>();
  const queue = [...start];
  while (queue.length > 0) {
    const [name, extras] = queue.shift()!;
    const p = byName.get(name);
    if (!p) continue;
    const key = `${name}[${extras.join(',')}]`;
    if (seen.has(key)) continue;
    seen.add(key);
    seen.add(name);
    queue.push(...p.deps);
    for (const e of extras) for (const n of p.extras.get(e) ?? []) queue.push([n, []]);
  }
  return new Set([...seen].filter((k) => !k.includes('[')));
}

export interface LockCeiling {
  /** Per compiled package: the newest minor its locked wheels cover. */
  packages: PackageCeiling[];
  /** Every package name the lock lists wheels or files for (the table below is not consulted for these). */
  listed: Set<string>;
  /** The newest wheel upload time in the lock (uv.lock records it): the lock was resolved after this. */
  newestUpload: string | undefined;
  /** The newest `cpXY` any wheel in the lock is tagged for: the lock was resolved when that minor was about the newest. */
  newestTag: string | undefined;
}

/** Wheel-based ceilings of a lock file (uv.lock, poetry.lock, pdm.lock); undefined for other files or a lock that does not parse. */
export function lockCeilings(path: string, text: string, roots?: string[]): LockCeiling | undefined {
  const base = path.split('/').pop()!;
  const kind = base === 'uv.lock' ? 'uv' : base === 'poetry.lock' ? 'poetry' : base === 'pdm.lock' ? 'pdm' : undefined;
  if (!kind) return undefined;
  let parsed;
  try {
    parsed = lockPackages(text, kind);
  } catch {
    return undefined;
  }
  const out: PackageCeiling[] = [];
  const listed = new Set<string>();
  const runtime = installed(parsed.packages, roots);
  for (const p of parsed.packages) {
    if (p.files.length === 0) continue;
    listed.add(p.name);
    if (!runtime.has(p.name) || pureFallback(p.name, p.version)) continue;
    const minor = wheelsCeiling(p.files);
    if (!minor) continue;
    // needed only below 3.N on every path that pulls it in: it never bounds 3.N and later
    const below = p.markers.length > 0 ? p.markers.map(onlyBelow) : [undefined];
    if (below.every((b) => b !== undefined)) continue;
    const at = text.search(new RegExp(`name = "${nameSource(p.name)}"\\s*\\nversion = "`, 'i'));
    out.push({ name: p.name, version: p.version, minor, from: 'wheels', evidence: `${path}:${lineAt(text, at)} ${p.name} ${p.version} has wheels up to cp3${minor.split('.')[1]}` });
  }
  let newestTag = -1;
  for (const p of parsed.packages) {
    for (const f of p.files) for (const a of wheelTags(f)?.abi ?? []) newestTag = Math.max(newestTag, Number(/^cp3(\d+)m?$/.exec(a)?.[1] ?? -1));
  }
  return { packages: out, listed, newestUpload: parsed.newestUpload, newestTag: newestTag >= 0 ? `3.${newestTag}` : undefined };
}

/**
 * Packages whose C extension is optional: their setup.py installs pure Python when it cannot build the extension, so
 * missing wheels for a newer Python do not stop the install (MarkupSafe, SQLAlchemy, simplejson, wrapt, msgpack and
 * elastic-apm catch the build failure; PyYAML falls back without libyaml, but its sdists before 6.0.1 break under
 * Cython 3). `[name, from version]`.
 */
const PURE_FALLBACK: Record<string, string> = { markupsafe: '0', sqlalchemy: '0', simplejson: '0', wrapt: '0', msgpack: '0', 'elastic-apm': '0', pyyaml: '6.0.1' };

export function pureFallback(name: string, version: string): boolean {
  const from = PURE_FALLBACK[norm(name)];
  return from !== undefined && compareVersions(version, from) >= 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Well-known compiled packages, for pins without a wheel list (requirements files, Pipfile.lock, ranges)

/**
 * From which release each package supports a CPython minor: `[first version, minor]`, oldest first. Sources: the
 * package's PyPI release files (the first release with `cpXY` manylinux wheels) for the compiled ones; Django's FAQ
 * "What Python version can I use with Django?" (docs.djangoproject.com/en/stable/faq/install/) for Django, which is
 * pure Python but declares the minors each release supports; psycopg2 (an sdist on Linux) follows psycopg2-binary's
 * wheels, as its NEWS adds each minor in the same release. The last row of a package bounds only pins in its own
 * release series (`2.9.x` for psycopg2's 2.9.11 row): a later series may support a newer minor.
 */
export const KNOWN_SUPPORT: Record<string, readonly (readonly [string, string])[]> = {
  'psycopg2-binary': [['2.7', '3.6'], ['2.7.5', '3.7'], ['2.8.4', '3.8'], ['2.8.6', '3.9'], ['2.9.2', '3.10'], ['2.9.5', '3.11'], ['2.9.9', '3.12'], ['2.9.10', '3.13'], ['2.9.11', '3.14']],
  psycopg2: [['2.7', '3.7'], ['2.8.4', '3.8'], ['2.8.6', '3.9'], ['2.9.2', '3.10'], ['2.9.5', '3.11'], ['2.9.9', '3.12'], ['2.9.10', '3.13'], ['2.9.11', '3.14']],
  asyncpg: [['0.18', '3.7'], ['0.20.0', '3.8'], ['0.22.0', '3.9'], ['0.25.0', '3.10'], ['0.27.0', '3.11'], ['0.29.0', '3.12'], ['0.30.0', '3.13'], ['0.31.0', '3.14']],
  'pydantic-core': [['2.0.0', '3.11'], ['2.10.0', '3.12'], ['2.20.0', '3.13'], ['2.41.1', '3.14']],
  uvloop: [['0.14.0', '3.8'], ['0.15.0', '3.9'], ['0.16.0', '3.10'], ['0.17.0', '3.11'], ['0.19.0', '3.12'], ['0.21.0', '3.13'], ['0.22.0', '3.14']],
  httptools: [['0.1.1', '3.8'], ['0.2.0', '3.9'], ['0.3.0', '3.10'], ['0.5.0', '3.11'], ['0.6.1', '3.12'], ['0.6.2', '3.13'], ['0.7.0', '3.14']],
  greenlet: [['0.4.15', '3.8'], ['0.4.17', '3.9'], ['1.1.2', '3.10'], ['2.0.0', '3.11'], ['3.0.0', '3.12'], ['3.1.0', '3.13'], ['3.2.4', '3.14']],
  lxml: [['4.4.0', '3.8'], ['4.6.0', '3.9'], ['4.6.4', '3.10'], ['4.9.2', '3.11'], ['4.9.3', '3.12'], ['5.3.0', '3.13'], ['6.0.1', '3.14']],
  pillow: [['6.2.1', '3.8'], ['8.0.0', '3.9'], ['8.3.2', '3.10'], ['9.3.0', '3.11'], ['10.1.0', '3.12'], ['11.0.0', '3.13'], ['11.3.0', '3.14']],
  numpy: [['1.17.3', '3.8'], ['1.19.3', '3.9'], ['1.21.3', '3.10'], ['1.23.2', '3.11'], ['1.26.0', '3.12'], ['2.1.0', '3.13'], ['2.3.2', '3.14']],
  pyyaml: [['5.1.2', '3.8'], ['5.4', '3.9'], ['6.0', '3.10'], ['6.0.1', '3.12'], ['6.0.2', '3.13'], ['6.0.3', '3.14']],
  django: [
    ['1.11.17', '3.7'], ['2.0', '3.7'], ['2.2', '3.7'], ['2.2.8', '3.8'], ['2.2.17', '3.9'], ['3.0', '3.8'], ['3.0.11', '3.9'], ['3.1', '3.8'],
    ['3.1.3', '3.9'], ['3.2', '3.9'], ['3.2.9', '3.10'], ['4.0', '3.10'], ['4.1', '3.10'], ['4.1.3', '3.11'], ['4.2', '3.11'], ['4.2.8', '3.12'],
    ['5.0', '3.12'], ['5.1', '3.12'], ['5.1.3', '3.13'], ['5.2', '3.13'], ['5.2.8', '3.14'], ['6.0', '3.14'],
  ],
};

/** Compare release numbers (`2.9.10` > `2.9.9`); pre/post/local suffixes are ignored. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+]/).map((x) => parseInt(x, 10));
  const pb = b.split(/[.+]/).map((x) => parseInt(x, 10));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = Number.isNaN(pa[i] ?? 0) ? 0 : pa[i] ?? 0;
    const y = Number.isNaN(pb[i] ?? 0) ? 0 : pb[i] ?? 0;
    if (x !== y) return x - y;
  }
  return 0;
}

/**
 * The highest release a specifier admits, as `{ version, exclusive }` (`==2.9.3` → 2.9.3; `~=2.0.0` → below 2.1;
 * `^2.0.2` → below 3; `<0.30` → below 0.30), or undefined for an open range (`>=1`, `*`).
 */
export function specifierTop(spec: string): { version: string; exclusive: boolean } | undefined {
  let top: { version: string; exclusive: boolean } | undefined;
  const tighter = (v: string, exclusive: boolean): void => {
    const c = top ? compareVersions(v, top.version) : -1;
    if (!top || c < 0 || (c === 0 && exclusive)) top = { version: v, exclusive };
  };
  for (const raw of spec.replace(/\s+/g, '').split(',')) {
    const m = /^(===|==|~=|<=|<|\^|~)?v?(\d+(?:\.\d+)*)(\.\*)?/.exec(raw);
    if (!m) continue;
    const op = m[1] ?? '==';
    const parts = m[2]!.split('.').map(Number);
    const bump = (upto: number): string => [...parts.slice(0, upto - 1), (parts[upto - 1] ?? 0) + 1].join('.');
    if ((op === '==' || op === '===') && m[3]) tighter(bump(parts.length), true);
    else if (op === '==' || op === '===') tighter(m[2]!, false);
    else if (op === '<=') tighter(m[2]!, false);
    else if (op === '<') tighter(m[2]!, true);
    else if (op === '~=') tighter(bump(Math.max(1, parts.length - 1)), true);
    else if (op === '~') tighter(bump(Math.min(2, parts.length)), true);
    else if (op === '^') tighter(bump(Math.max(1, parts.findIndex((x) => x !== 0) + 1 || parts.length)), true);
  }
  return top;
}

/** The newest minor a known package supports for a specifier, or undefined (unknown package, open range, or the open-ended last row). */
export function knownCeiling(name: string, spec: string): string | undefined {
  const rows = KNOWN_SUPPORT[norm(name)];
  const top = specifierTop(spec);
  if (!rows || !top) return undefined;
  let idx = -1;
  rows.forEach(([v], i) => {
    const c = compareVersions(v, top.version);
    if (c < 0 || (c === 0 && !top.exclusive)) idx = i;
  });
  if (idx < 0) return undefined;
  // the last known row: a pin in that same release series is bounded by it; a later series may support newer minors
  if (idx === rows.length - 1) {
    const series = (v: string): string => v.split('.').slice(0, 2).join('.');
    // `<6.1` admits the 6.0 series; `<7` or `<6.1.2` says nothing about a series
    const [ma, mi, pa] = top.version.split('.').map(Number);
    const below = top.exclusive ? (mi !== undefined && mi > 0 && !pa ? `${ma}.${mi - 1}` : undefined) : series(top.version);
    if (below !== series(rows[idx]![0])) return undefined;
  }
  return rows[idx]![1];
}
