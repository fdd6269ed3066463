// Python modules read as text: what a file imports, which project file a module is, and string constants' values.
import type { Project } from '../model.js';
import { literal, statements } from './source.js';

/** What a name imported into a file refers to: `from M import a as b` → b: { module: M, name: a }; `import M as N`. */
export interface Imported {
  /** Dotted module, or a relative one resolved against the file (`./x` style is kept as a leading-dot module). */
  module: string;
  /** The imported attribute; undefined for `import M`. */
  name?: string;
}

const importsCache = new Map<string, Map<string, Imported>>();

/** Imports of a file, by local name (memoized by text: resolving names asks for the same files again and again). */
export function importsOf(text: string): Map<string, Imported> {
  const hit = importsCache.get(text);
  if (hit) return hit;
  if (importsCache.size > 5000) importsCache.clear();
  const out = new Map<string, Imported>();
  importsCache.set(text, out);
  for (const m of text.matchAll(/^[ \t]*from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]+)/gm)) {
    for (const part of m[2]!.replace(/[()\\]/g, ' ').split(',')) {
      const w = part.trim().split(/\s+as\s+/);
      if (!w[0] || w[0] === '*') continue;
      out.set((w[1] ?? w[0]).trim(), { module: m[1]!, name: w[0].trim() });
    }
  }
  for (const m of text.matchAll(/^[ \t]*import[ \t]+([^\n#]+)/gm)) {
    for (const part of m[1]!.split(',')) {
      const w = part.trim().split(/\s+as\s+/);
      if (!w[0]) continue;
      // `import a.b` binds `a`; `import a.b as c` binds c to a.b
      if (w[1]) out.set(w[1].trim(), { module: w[0].trim() });
      else out.set(w[0].split('.')[0]!, { module: w[0].split('.')[0]! });
    }
  }
  return out;
}

/** Python files of a project, and the file of a dotted module as any import root would find it. */
export class PyIndex {
  private byModule = new Map<string, string[]>();
  constructor(readonly p: Project, readonly files: readonly string[]) {
    for (const f of files) {
      const parts = f.replace(/\.py$/, '').replace(/\/__init__$/, '').split('/');
      for (let i = 0; i < parts.length; i++) {
        const key = parts.slice(i).join('.');
        const list = this.byModule.get(key) ?? [];
        list.push(f);
        this.byModule.set(key, list);
      }
    }
  }
  text(file: string): string {
    return this.p.file(file)?.text ?? '';
  }
  /** The file of a dotted module (the shortest path when several roots could hold it); `from` resolves leading dots. */
  fileOf(module: string, from?: string): string | undefined {
    if (module.startsWith('.') && from) {
      const dots = /^\.+/.exec(module)![0].length;
      const dir = from.split('/').slice(0, -dots);
      const rest = module.slice(dots).split('.').filter(Boolean);
      const base = [...dir, ...rest].join('/');
      return [`${base}.py`, `${base}/__init__.py`].find((f) => this.files.includes(f));
    }
    const hits = this.byModule.get(module);
    if (!hits) return undefined;
    return [...hits].sort((a, b) => a.length - b.length)[0];
  }
  /** `from M import name`: the file of the submodule M.name when name is a module rather than an attribute. */
  submodule(module: string, name: string, from?: string): string | undefined {
    return this.fileOf(module.endsWith('.') ? `${module}${name}` : `${module}.${name}`, from);
  }
}

/** Top-level (or class-level) `NAME = "literal"` / `NAME: str = "literal"` in a text. */
export function constantsIn(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/^[ \t]*([A-Za-z_]\w*)[ \t]*(?::[ \t]*[\w.[\], |]+)?[ \t]*=[ \t]*([rRuU]?(?:"[^"\n]*"|'[^'\n]*'))[ \t]*(?:#.*)?$/gm)) {
    if (!out.has(m[1]!)) out.set(m[1]!, literal(m[2]!)!);
  }
  return out;
}

/**
 * The string value of an expression as far as literals show it: `"x"`, `f"{settings.API_V1_STR}/x"`, `PREFIX + "/x"`,
 * a name bound to a literal in the file or imported from a module that binds one, or `obj.ATTR` where ATTR is a
 * literal class or module attribute somewhere in the project with one value. Undefined when any part is unknown.
 */
export class ConstEval {
  private attrs?: Map<string, Set<string>>;
  constructor(private readonly idx: PyIndex) {}

  private attrValues(name: string): Set<string> | undefined {
    if (!this.attrs) {
      this.attrs = new Map();
      for (const f of this.idx.files) {
        for (const [k, v] of constantsIn(this.idx.text(f))) {
          const s = this.attrs.get(k) ?? new Set();
          s.add(v);
          this.attrs.set(k, s);
        }
      }
    }
    return this.attrs.get(name);
  }

  value(expr: string, file: string, depth = 0): string | undefined {
    const e = expr.trim();
    if (depth > 4) return undefined;
    const lit = literal(e);
    if (lit !== undefined) return lit;
    const f = /^[fF][rR]?("|')(.*)\1$/.exec(e) ?? /^[rR][fF]("|')(.*)\1$/.exec(e);
    if (f) {
      let ok = true;
      const out = f[2]!.replace(/\{([^{}]+)\}/g, (_, inner: string) => {
        const v = this.value(inner, file, depth + 1);
        if (v === undefined) ok = false;
        return v ?? '';
      });
      return ok ? out : undefined;
    }
    if (/^[^"'()]+\+[^"'()]+$|^(?:[^+]+\+)+[^+]+$/.test(e) && e.includes('+')) {
      const parts = e.split('+').map((x) => this.value(x, file, depth + 1));
      return parts.every((x) => x !== undefined) ? parts.join('') : undefined;
    }
    const name = /^[A-Za-z_]\w*$/.exec(e)?.[0];
    const text = this.idx.text(file);
    if (name) {
      const local = constantsIn(text).get(name);
      if (local !== undefined) return local;
      const imp = importsOf(text).get(name);
      if (imp?.name) {
        const target = this.idx.fileOf(imp.module, file);
        if (target && target !== file) return this.value(imp.name, target, depth + 1);
      }
      return undefined;
    }
    const attr = /^[A-Za-z_][\w.]*(?:\(\))?\.([A-Za-z_]\w*)$/.exec(e);
    if (attr) {
      const values = this.attrValues(attr[1]!);
      return values?.size === 1 ? [...values][0] : undefined;
    }
    return undefined;
  }
}

/** Root-relative file of module `mod` under one of `roots`, trying `a/b.py` then `a/b/__init__.py`. */
function resolveModule(p: Project, mod: string, roots: readonly string[]): string | undefined {
  const rel = mod.split('.').join('/');
  for (const r of roots) {
    const base = r ? `${r}/${rel}` : rel;
    for (const f of [`${base}.py`, `${base}/__init__.py`]) if (p.file(f)) return f;
  }
  return undefined;
}

/** The project's own modules a file imports (absolute and relative, module-level or inside functions). */
export function importedFiles(p: Project, file: string, text: string, roots: readonly string[]): string[] {
  const out: string[] = [];
  const pkgDir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
  const push = (mod: string, names: string[]): void => {
    const f = resolveModule(p, mod, roots);
    if (f) out.push(f);
    // `from pkg import module`: the names may be submodules
    for (const n of names) {
      const sub = resolveModule(p, `${mod}.${n}`, roots);
      if (sub) out.push(sub);
    }
    // importing a.b.c runs a/__init__.py and a/b/__init__.py first
    const parts = mod.split('.');
    for (let k = 1; k < parts.length; k++) {
      const pkg = resolveModule(p, parts.slice(0, k).join('.'), roots);
      if (pkg) out.push(pkg);
    }
  };
  for (const l of statements(text)) {
    const from = /^from\s+(\.*)([\w.]*)\s+import\s+\(?\s*([^)]*)\)?/.exec(l.text);
    if (from) {
      const names = from[3]!.split(',').map((s) => s.trim().split(/\s+/)[0]!).filter((s) => /^\w+$/.test(s));
      if (from[1]) {
        // relative: one dot is this file's package, each further dot one level up
        let dir = pkgDir;
        for (let k = 1; k < from[1].length; k++) dir = dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/')) : '';
        const rel = [dir, from[2]!.split('.').join('/')].filter(Boolean).join('/');
        for (const f of [`${rel}.py`, `${rel}/__init__.py`]) if (from[2] && p.file(f)) out.push(f);
        for (const n of names) {
          const sub = [rel, n].filter(Boolean).join('/');
          for (const f of [`${sub}.py`, `${sub}/__init__.py`]) if (p.file(f)) out.push(f);
        }
      } else push(from[2]!, names);
      continue;
    }
    // Flask's `app.config.from_object("pkg.config.Config")` imports the module named in the string
    for (const m of l.text.matchAll(/\bfrom_object\(\s*["']([\w.]+)\.\w+["']/g)) push(m[1]!, []);
    const imp = /^import\s+(.+)$/.exec(l.text);
    if (imp) for (const part of imp[1]!.split(',')) push(part.trim().split(/\s+/)[0]!, []);
  }
  return out;
}
