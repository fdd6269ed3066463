// Where an app writes on disk at run time, read from its source (mkdir/makedirs, log file handlers, SQLite paths,
// MEDIA_ROOT, upload folders, Flask's instance folder, open(…, 'w')): a read-only root breaks every one of them, so
// compose and k8s must mount something writable there. Nothing is imported or run; names are resolved from the text.
import { evalPath, pathDirname, pathJoin, type PathScope } from './py/paths.js';
import { callArgs, kwarg, lineAt, logicalLine, positional } from './py/source.js';
import type { Project } from './model.js';

/** scratch: lost on restart is fine (logs, caches, pid files); data: must persist (SQLite, media, uploads). */
export type WriteKind = 'scratch' | 'data';

export interface AppWrite {
  /** Absolute image path of the directory written to; undefined when it cannot be resolved from the text. */
  dir?: string;
  kind: WriteKind;
  /** What is written there: `log file`, `SQLite database`, `media files`… */
  what: string;
  /** `path:line code` (root-relative path). */
  evidence: string;
}

export interface ImageLayout {
  /** The image's WORKDIR: relative paths in the code resolve against it. */
  workdir: string;
  /** Image path of a context-relative code file, or undefined when it is not in the image. */
  imagePath(ctxRel: string): string | undefined;
  /** The Django settings module the image runs with (its chain is read; other settings modules are not). */
  settings?: string;
}

const MAX_FILES = 1500;
const MAX_SIZE = 400_000;
/** Files the web process does not run: tests, tooling, migrations, management commands, docs. */
const NOT_RUN = /(^|\/)(tests?|testing|docs?|scripts?|tools|bin|migrations|alembic|node_modules|management\/commands|e2e|tests_e2e|fixtures|examples?)\/|(^|\/)(test_[^/]*|[^/]*_tests?|conftest|setup|noxfile|fabfile|manage)\.py$/;
/** Settings for development, tests and examples: not what the production image runs. */
const DEV_MODULE = /(^|[_.\-/])(dev|develop|development|local|test|tests|testing|ci|example|sample)([_.-][^/]*)?\.py$/;
const SCRATCH = /(^|[/_.-])(logs?|cache|caches|tmp|temp|run|pids?|sessions?|metrics)([/_.-]|$)|\.(log|pid)$/i;
const DB_FILE = /\.(db|sqlite3?)$/;

interface Source {
  path: string;
  ctxRel: string;
  text: string;
  image?: string;
}

/** Every run-time write the code shows, deduplicated by directory (unresolved ones listed each). */
export function appWrites(p: Project, layout: ImageLayout): AppWrite[] {
  const prefix = p.contextPath ? `${p.contextPath}/` : '';
  const settingsFile = layout.settings ? `${layout.settings.replace(/\./g, '/')}.py` : undefined;
  const paths = p.find((f) => f.endsWith('.py') && f.startsWith(prefix)).slice(0, MAX_FILES * 4);
  const sources = new Map<string, Source>();
  const load = (path: string): Source | undefined => {
    if (sources.has(path)) return sources.get(path);
    const f = p.file(path);
    const ctxRel = path.slice(prefix.length);
    const s = f && f.text.length <= MAX_SIZE ? { path, ctxRel, text: f.text, image: layout.imagePath(ctxRel) } : undefined;
    if (s) sources.set(path, s);
    return s;
  };
  const scanned = paths.filter((f) => {
    const rel = f.slice(prefix.length);
    if (NOT_RUN.test(rel)) return false;
    // the settings the image runs with (and what they import) are read, other settings modules are not
    const chain = settingsFile ? settingsChain(p, prefix, settingsFile, load) : undefined;
    if (chain?.has(f)) return true;
    if (DEV_MODULE.test(rel)) return false;
    if (chain && /(^|\/)settings(\/|\.py$)/.test(rel)) return false;
    return true;
  }).slice(0, MAX_FILES);
  const out: AppWrite[] = [];
  const seen = new Set<string>();
  const memo: Memo = new Map();
  for (const path of scanned) {
    const src = load(path);
    if (!src || !/mkdir|makedirs|Handler|sqlite|MEDIA_|UPLOAD|instance_path|open\s*\(|\.db\b|FileBasedCache|SESSION_FILE|CACHE_DIR/.test(src.text)) continue;
    const scope = makeScope(p, prefix, src, layout, load, memo);
    for (const w of sinks(src, scope, layout)) {
      const key = w.dir ? `${w.dir}\0${w.kind}` : `\0${w.evidence}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(w);
    }
  }
  return out;
}

/** Root-relative files of a Django settings module and the modules it star-imports (`from .base import *`). */
const chains = new WeakMap<Project, Map<string, Set<string>>>();

function settingsChain(p: Project, prefix: string, settingsFile: string, load: (path: string) => Source | undefined): Set<string> {
  const memo = chains.get(p) ?? new Map<string, Set<string>>();
  chains.set(p, memo);
  const known = memo.get(settingsFile);
  if (known) return known;
  const chain = new Set<string>();
  memo.set(settingsFile, chain);
  const pkg = settingsFile.replace(/\.py$/, '/__init__.py');
  const start = p.find((f) => f.startsWith(prefix) && [settingsFile, pkg].some((s) => f === `${prefix}${s}` || f.endsWith(`/${s}`)))[0];
  const stack = start ? [start] : [];
  while (stack.length > 0 && chain.size < 20) {
    const f = stack.pop()!;
    if (chain.has(f)) continue;
    chain.add(f);
    const src = load(f);
    if (!src) continue;
    for (const m of src.text.matchAll(/^[ \t]*from\s+([.\w]+)\s+import\s+\*/gm)) {
      const target = moduleFile(p, prefix, f, m[1]!);
      if (target) stack.push(target);
    }
  }
  return chain;
}

/** The file of a module imported from `from` (`.base`, `..conf`, `config.settings.base`), if it is in the project. */
function moduleFile(p: Project, prefix: string, from: string, mod: string): string | undefined {
  const dots = /^\.*/.exec(mod)![0].length;
  const rest = mod.slice(dots).split('.').filter(Boolean).join('/');
  const bases: string[] = [];
  if (dots > 0) {
    let dir = pathDirname(from);
    for (let k = 1; k < dots; k++) dir = pathDirname(dir);
    bases.push(dir === '.' ? '' : dir);
  } else {
    // absolute: from the context, src/, or any ancestor of the importing file
    bases.push(prefix.replace(/\/$/, ''), `${prefix}src`);
    for (let dir = pathDirname(from); dir !== '.' && dir !== '/' && bases.length < 8; dir = pathDirname(dir)) bases.push(dir);
  }
  for (const b of bases) {
    const stem = [b, rest].filter(Boolean).join('/');
    for (const cand of [`${stem}.py`, `${stem}/__init__.py`]) if (p.file(cand)) return cand;
  }
  return undefined;
}

const snippet = (text: string, i: number): string => {
  const s = text.lastIndexOf('\n', i) + 1;
  const e = text.indexOf('\n', i);
  return text.slice(s, e < 0 ? undefined : e).trim().slice(0, 100);
};

/** Values of module-level names already looked up (`file\0NAME`), for one appWrites run. */
type Memo = Map<string, string | undefined>;

function makeScope(p: Project, prefix: string, src: Source, layout: ImageLayout, load: (path: string) => Source | undefined, memo: Memo, depth = 0, visiting = new Set<string>()): PathScope {
  const settingsFile = layout.settings ? `${layout.settings.replace(/\./g, '/')}.py` : undefined;
  const lookup = (s: Source, name: string, d: number): string | undefined => {
    const key = `${s.path}\0${name}`;
    if (memo.has(key)) return memo.get(key);
    if (d > 6 || visiting.has(key)) return undefined;
    visiting.add(key);
    try {
      const v = find(s, name, d);
      memo.set(key, v);
      return v;
    } finally {
      visiting.delete(key);
    }
  };
  const find = (s: Source, name: string, d: number): string | undefined => {
    const scope = makeScope(p, prefix, s, layout, load, memo, d + 1, visiting);
    // the last module-level assignment wins; indented ones (in an if/else) only when there is none
    const re = new RegExp(`^([ \\t]*)${name.replace(/\./g, '\\.')}\\s*(?::[^=\\n]+)?=(?!=)[ \\t]*`, 'gm');
    let top: string | undefined;
    let nested: string | undefined;
    for (const m of s.text.matchAll(re)) {
      const v = evalPath(logicalLine(s.text, m.index! + m[0].length), scope);
      if (v === undefined) continue;
      if (m[1] === '') top = v;
      else nested ??= v;
    }
    if (top ?? nested) return top ?? nested;
    // imported names: `from x import NAME`, then star imports
    for (const m of s.text.matchAll(/^[ \t]*from\s+([.\w]+)\s+import\s+(\*|[^\n(]+|\([^)]*\))/gm)) {
      const names = m[2]!.replace(/[()]/g, '').split(',').map((x) => x.trim().split(/\s+as\s+/));
      const hit = m[2] === '*' ? name : names.find((n) => (n[1] ?? n[0]) === name)?.[0];
      if (!hit) continue;
      const f = moduleFile(p, prefix, s.path, m[1]!);
      const target = f ? load(f) : undefined;
      const v = target ? lookup(target, hit, d + 1) : undefined;
      if (v !== undefined) return v;
    }
    return undefined;
  };
  return {
    file: src.image,
    name(name) {
      if (depth > 6) return undefined;
      const flask = /^(\w+)\.(root_path|instance_path)$/.exec(name);
      if (flask && src.image) {
        const root = pathDirname(src.image);
        if (flask[2] === 'root_path') return root;
        const explicit = /\b(?:Flask|Quart)\s*\([^)]*instance_path\s*=\s*([^,)]+)/.exec(src.text);
        if (explicit) return evalPath(explicit[1]!, this);
        const site = /^(.*)\/lib\/python[\d.]+\/site-packages\/([^/]+)/.exec(src.image);
        // Flask: an installed package's instance folder is <prefix>/var/<name>-instance, else beside the package
        if (site) return `${site[1]}/var/${site[2]!.replace(/\.py$/, '')}-instance`;
        return pathJoin(src.ctxRel.endsWith('__init__.py') ? pathDirname(root) : root, 'instance');
      }
      const s = /^settings\.(\w+)$/.exec(name);
      if (s) {
        if (!settingsFile) return undefined;
        const f = p.find((x) => x.startsWith(prefix) && x.endsWith(settingsFile))[0];
        const target = f ? load(f) : undefined;
        return target ? lookup(target, s[1]!, depth) : undefined;
      }
      if (!/^\w+$/.test(name)) return undefined;
      return lookup(src, name, depth);
    },
  };
}

/** Only names that look like configuration (UPPER_CASE, settings., config[…]) make an unresolved write worth reporting. */
const CONFIG_LIKE = /\b[A-Z][A-Z0-9_]{2,}\b|\bsettings\.|\bconfig\b|\benviron\b|\bgetenv\b|['"]/;

function sinks(src: Source, scope: PathScope, layout: ImageLayout): AppWrite[] {
  const { text } = src;
  const out: AppWrite[] = [];
  const abs = (v: string): string => (v.startsWith('/') ? pathJoin(v) : pathJoin(layout.workdir, v));
  const add = (i: number, expr: string | undefined, how: 'dir' | 'file', kind: WriteKind | undefined, what: string, reportUnresolved = true): void => {
    if (expr === undefined) return;
    const v = evalPath(expr, scope);
    const evidence = `${src.path}:${lineAt(text, i)} ${snippet(text, i)}`;
    if (v === undefined || v.includes('://')) {
      // a name read from the environment without a default: the operator chooses the path (and whether there is one)
      const envOnly = /^\w+$/.test(expr) && new RegExp(`^${expr}\\s*=\\s*(os\\.)?(getenv|environ\\.get)\\(\\s*['"]\\w+['"]\\s*\\)\\s*$`, 'm').test(text);
      if (reportUnresolved && !envOnly && CONFIG_LIKE.test(expr)) out.push({ kind: kind ?? 'data', what, evidence });
      return;
    }
    if (v === '' || v === ':memory:') return;
    const dir = abs(how === 'file' ? pathDirname(v) : v);
    // /tmp and /dev/shm are writable in every container pyship runs (a tmpfs)
    if (/^\/(tmp|dev\/shm|dev|proc)(\/|$)/.test(dir)) return;
    out.push({ dir, kind: kind ?? (SCRATCH.test(v) ? 'scratch' : 'data'), what, evidence });
  };
  const firstArg = (open: number, kw?: string): string | undefined => {
    const a = callArgs(text, open);
    return a ? (kw && kwarg(a.args, kw)) || positional(a.args)[0] : undefined;
  };
  for (const m of text.matchAll(/\bos\.(mkdir|makedirs)\s*\(/g)) add(m.index!, firstArg(m.index! + m[0].length - 1), 'dir', undefined, 'a directory it creates');
  for (const m of text.matchAll(/\.mkdir\s*\(/g)) {
    const recv = receiver(text, m.index!);
    if (recv) add(m.index!, recv, 'dir', undefined, 'a directory it creates', false);
  }
  for (const m of text.matchAll(/\b(?:Rotating|TimedRotating|Watched)?FileHandler\s*\(/g)) {
    add(m.index!, firstArg(m.index! + m[0].length - 1, 'filename'), 'file', 'scratch', 'log file');
  }
  if (/FileHandler/.test(text)) {
    for (const m of text.matchAll(/['"]filename['"]\s*:\s*/g)) add(m.index!, logicalLine(text, m.index! + m[0].length), 'file', 'scratch', 'log file');
  }
  for (const m of text.matchAll(/\bbasicConfig\s*\(/g)) {
    const a = callArgs(text, m.index! + m[0].length - 1);
    const filename = a && kwarg(a.args, 'filename');
    if (filename) add(m.index!, filename, 'file', 'scratch', 'log file');
  }
  for (const m of text.matchAll(/(?<![\w.])open\s*\(/g)) {
    const a = callArgs(text, m.index! + m[0].length - 1);
    const pos = a ? positional(a.args) : [];
    const mode = a ? evalPath(kwarg(a.args, 'mode') ?? pos[1] ?? "'r'", scope) : undefined;
    if (pos[0] && mode && /[wax+]/.test(mode)) add(m.index!, pos[0], 'file', undefined, 'a file it writes', false);
  }
  // SQLite URLs: sqlite:///relative, sqlite:////absolute, 'sqlite:///' + expr, f'sqlite:///{expr}'
  for (const m of text.matchAll(/(?<!\w)([fF]?)(['"])sqlite(?:\+\w+)?:\/\/\/((?:(?!\2)[^\n])*)\2(\s*\+\s*)?/g)) {
    const [, f, q, rest, plus] = m as unknown as [string, string, string, string, string | undefined];
    // a file name, not a prefix being compared (`url.startswith("sqlite:////tmp")`)
    if (rest === ':memory:' || (!rest.includes('{') && rest !== '' && !/\/?[^/]*\.[^/]*$/.test(rest))) continue;
    if (rest) add(m.index!, `${f}${q}${rest}${q}`, 'file', 'data', 'SQLite database');
    else if (plus) add(m.index!, logicalLine(text, m.index! + m[0].length), 'file', 'data', 'SQLite database');
  }
  // Django: DATABASES = {... "ENGINE": "...sqlite3", "NAME": expr}
  for (const m of text.matchAll(/['"]ENGINE['"]\s*:[^\n]*sqlite3/g)) {
    // the NAME of the same dict: the next one after ENGINE, else the last one before it
    const after = /['"]NAME['"]\s*:\s*/.exec(text.slice(m.index!, m.index! + 400).split('}')[0]!);
    const before = [...text.slice(Math.max(0, m.index! - 300), m.index!).split('{').pop()!.matchAll(/['"]NAME['"]\s*:\s*/g)].pop();
    const at = after ? m.index! + after.index + after[0].length : before ? m.index! - (text.slice(Math.max(0, m.index! - 300), m.index!).split('{').pop()!.length) + before.index! + before[0].length : undefined;
    if (at !== undefined) add(at, logicalLine(text, at), 'file', 'data', 'SQLite database');
  }
  // file-based caches and sessions: scratch
  for (const m of text.matchAll(/FileBasedCache/g)) {
    const loc = /['"]LOCATION['"]\s*:\s*/.exec(text.slice(m.index!, m.index! + 300).split('}')[0]!);
    if (loc) add(m.index! + loc.index + loc[0].length, logicalLine(text, m.index! + loc.index + loc[0].length), 'dir', 'scratch', 'file cache');
  }
  for (const m of text.matchAll(/\b(?:SESSION_FILE_PATH|CACHE_DIR|SESSION_FILE_DIR)['"]?\s*[\]]?\s*(?::|=(?!=))\s*/g)) {
    add(m.index!, logicalLine(text, m.index! + m[0].length), 'dir', 'scratch', 'file cache');
  }
  for (const m of text.matchAll(/^[ \t]*MEDIA_ROOT\s*(?::[^=\n]+)?=(?!=)\s*/gm)) add(m.index!, logicalLine(text, m.index! + m[0].length), 'dir', 'data', 'media files');
  for (const m of text.matchAll(/\b(?:UPLOAD_FOLDER|UPLOAD_DIR|UPLOADS_DIR|UPLOAD_PATH|UPLOADS_FOLDER|MEDIA_FOLDER|MEDIA_DIR)['"]?\s*[\]]?\s*(?::|=(?!=))\s*/g)) {
    add(m.index!, logicalLine(text, m.index! + m[0].length), 'dir', 'data', 'uploads');
  }
  // a config key naming a database file: DATABASE=os.path.join(app.instance_path, "x.sqlite"), "DATABASE": Path(…) / "blog.db"
  for (const m of text.matchAll(/\b(?:DATABASE|DATABASE_PATH|DB_PATH|DB_FILE|SQLITE_PATH|DATABASE_FILE)['"]?\s*(?::|=(?!=))\s*/g)) {
    const expr = logicalLine(text, m.index! + m[0].length);
    const v = evalPath(expr, scope);
    if (v && DB_FILE.test(v) && !v.includes('://')) add(m.index!, expr, 'file', 'data', 'SQLite database');
  }
  return out;
}

/** The receiver expression of a method call whose `.` is at `dot`: `Path(x)`, `(BASE / "logs")`, `LOG_DIR`. */
function receiver(text: string, dot: number): string | undefined {
  let i = dot - 1;
  const stop = Math.max(0, dot - 300);
  while (i >= stop) {
    const c = text[i]!;
    if (c === ')' || c === ']') {
      const open = c === ')' ? '(' : '[';
      let depth = 0;
      for (; i >= stop; i--) {
        if (text[i] === c) depth++;
        else if (text[i] === open && --depth === 0) break;
      }
      i--;
    } else if (/[\w.]/.test(c)) i--;
    else break;
  }
  const r = text.slice(i + 1, dot).trim();
  return r || undefined;
}
