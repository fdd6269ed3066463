// The environment variables an app reads while it imports and starts, and which of them it cannot start without
// (`os.environ['X']`, django-environ/starlette/decouple/everett readers without a default, pydantic-settings fields
// without one, a default that crashes): read from the source text of the modules the entry imports, nothing executed,
// so compose, CI's smoke test and k8s can provide them instead of shipping a container that crashes on import.
import type { Project } from './model.js';
import { importedFiles } from './py/modules.js';
import { callArgs, kwarg, positional, statements } from './py/source.js';

export interface EnvRead {
  name: string;
  /** Root-relative path and 1-based line of the first read that decided `required`. */
  file: string;
  line: number;
  required: boolean;
  /** Why it is required (or how it is read): `KeyError at import when unset`. */
  why: string;
  /** The name says it holds a secret (a key, password, token, DSN…): k8s takes it from a Secret. */
  secret: boolean;
  /** What the code converts it to, when a reader or annotation says so. */
  type?: 'int' | 'float' | 'bool' | 'list' | 'str';
  /** The statement that reads it names PostgreSQL (`.replace("://", "+asyncpg://")`): SQLite would not do. */
  postgres?: boolean;
}

export interface EnvFacts {
  /** One per name: required first, in the order found. */
  vars: EnvRead[];
  /** Root-relative files read, in import order. */
  files: string[];
  /** The import walk stopped at its bound. */
  truncated: boolean;
  /** Files the app opens at import (secrets, ini/YAML/JSON config, dotenv): the image or a mount must hold them. */
  configFiles: ConfigFileRead[];
}

export interface ConfigFileRead {
  file: string;
  line: number;
  /** The path as the code spells it (its string pieces): `data/secretkey.txt`. */
  path: string;
  /** Inside a try, or a dotenv loader: the app starts without it. */
  fallback: boolean;
}

const OPENS = /\b(?:open|read_text|read_bytes|fileConfig|load_dotenv|read_env|safe_load_file)\(|\.open\(\)|\bconfig(?:parser)?\.read\(/;

/** Files opened at import time (not inside a function), with the string pieces of their path. */
export function configFilesOf(path: string, src: string): ConfigFileRead[] {
  const out: ConfigFileRead[] = [];
  const stack: { indent: number; head: string }[] = [];
  for (const { line, indent, text } of statements(src).slice(0, MAX_LINES)) {
    while (stack.length > 0 && stack[stack.length - 1]!.indent >= indent) stack.pop();
    if (/^(async\s+def|def|class|if|elif|else|for|while|try|except|finally|with)\b/.test(text)) stack.push({ indent, head: text });
    // the call itself, not words inside a string (a docstring that mentions open())
    const code = text.replace(/("{3}|'{3})[\s\S]*?\1/g, '""').replace(/(["'])(?:\\.|(?!\1).)*\1/g, '""');
    if (stack.some((b) => /^(async\s+)?def\b/.test(b.head)) || !OPENS.test(code) || /^(import|from)\s/.test(text)) continue;
    const pieces = [...text.matchAll(/["']([\w./-]*\.(?:txt|json|ya?ml|ini|cfg|conf|toml|env|key|pem)|\.env|[\w-]+)["']/g)].map((m) => m[1]!);
    const named = pieces.filter((x) => /\.\w+$/.test(x) || /^[\w-]+$/.test(x) && pieces.some((y) => /\.\w+$/.test(y)));
    const shown = named.length > 0 ? named.join('/') : text.slice(0, 60);
    const fallback = stack.some((b) => /^(try|except)\b/.test(b.head)) || /load_dotenv|read_env/.test(text);
    out.push({ file: path, line, path: shown, fallback });
  }
  return out;
}

const MAX_FILES = 80;
const MAX_HOPS = 5;
const MAX_LINES = 5000;
const SECRET = /SECRET|PASSWORD|PASSWD|TOKEN|KEY|DSN|CREDENTIAL|SALT|PRIVATE|(?:^|_)(?:DATABASE|DB)_UR[LI]$|^DATABASE_URL$/;
const DB_URL = /(?:^|_)(?:DATABASE|DB)_(?:URL|URI|DSN)$|^DATABASE_URL$|DATABASE_URI$/;
const TEST_PATH = /(^|\/)(tests?|testing|conftest\.py|test_[^/]*\.py|[^/]*_test\.py)(\/|$)/;

/** The arguments of the call whose `(` is just before `open`, and the text after its `)`. */
function argsAfter(text: string, open: number): { args: string[]; after: string } {
  const c = callArgs(text, open - 1);
  return c ? { args: c.args, after: text.slice(c.end) } : { args: [], after: '' };
}

const STR = /^[rbuf]?(["'])([A-Za-z_][A-Za-z0-9_]*)\1$/;
const nameOf = (arg: string | undefined): string | undefined => (arg ? STR.exec(arg)?.[2] : undefined);
/** A default that is no value: None, '' or "". */
const emptyDefault = (d: string | undefined): boolean => d === undefined || /^(None|""|''|\[\]|\{\})$/.test(d.trim());

/** The `default=` keyword of a call, or its positional argument number `pos` (0-based) when that is the default. */
function defaultOf(args: string[], pos: number | undefined): string | undefined {
  return kwarg(args, 'default') ?? (pos === undefined ? undefined : positional(args)[pos]);
}

type ReaderKind = 'environ' | 'django-environ' | 'starlette' | 'decouple' | 'everett';
/** Where the default goes as a positional argument (undefined: only `default=`), per reader. */
const DEFAULT_POS: Record<ReaderKind, number | undefined> = { environ: 1, 'django-environ': undefined, starlette: 2, decouple: 1, everett: undefined };
const TYPED = /^(str|bool|int|float|list|tuple|dict|json|url|db|db_url|cache|cache_url|email|email_url|search_url|path|decimal)$/;

/** Names bound to a configuration reader in this file: `env = environ.Env()`, `config = Config(".env")`. */
function readersOf(text: string): Map<string, ReaderKind> {
  const readers = new Map<string, ReaderKind>();
  for (const m of text.matchAll(/^[ \t]*(\w+)\s*=\s*(environ\.Env|Env|Config|ConfigManager(?:\.basic_config)?|AutoConfig)\(/gm)) {
    const ctor = m[2]!;
    const kind: ReaderKind | undefined = /Env$/.test(ctor) ? (/\benviron\b/.test(text) ? 'django-environ' : undefined)
      : ctor === 'Config' ? (/starlette\.config|starlette import config/.test(text) ? 'starlette' : undefined)
      : ctor.startsWith('ConfigManager') ? 'everett' : 'decouple';
    if (kind) readers.set(m[1]!, kind);
  }
  if (/^from\s+decouple\s+import\s+.*\bconfig\b/m.test(text)) readers.set('config', 'decouple');
  return readers;
}

/** `environ.Env(DEBUG=(bool, False))` declares a default for DEBUG: those names are not required. */
function envSchemaDefaults(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/\bEnv\(([^)]*(?:\([^)]*\)[^)]*)*)\)/g)) {
    for (const k of m[1]!.matchAll(/(\w+)\s*=\s*\(\s*\w+\s*,/g)) out.add(k[1]!);
  }
  return out;
}

interface Block {
  indent: number;
  head: string;
}

/** Every env read of one file (module-level and class-body reads are "at import"; reads in functions are not). */
export function envReadsOf(path: string, src: string, opts: { djangoSettings?: boolean; imported?: Map<string, ReaderKind> } = {}): EnvRead[] {
  const reads: EnvRead[] = [];
  const lines = statements(src).slice(0, MAX_LINES);
  const readers = readersOf(src);
  // `from .base import env`: a reader bound in another module of the project
  for (const [name, kind] of opts.imported ?? []) {
    if (!readers.has(name) && new RegExp(`^\\s*from\\s+\\S+\\s+import\\s+[^\\n]*\\b${name}\\b`, 'm').test(src)) readers.set(name, kind);
  }
  const schema = envSchemaDefaults(src);
  const fromOs = /^from\s+os\s+import\s+.*\b(environ|getenv)\b/m.test(src);
  const stack: Block[] = [];
  /** Names assigned from a read without a default, and where: `X = os.getenv("X")` then `if not X: raise`. */
  const pending = new Map<string, { read: EnvRead }>();
  let settingsClass: { indent: number; prefix: string } | undefined;
  const add = (r: Omit<EnvRead, 'file' | 'secret'>): EnvRead => {
    const read = { ...r, file: path, secret: SECRET.test(r.name) };
    reads.push(read);
    return read;
  };
  for (let li = 0; li < lines.length; li++) {
    const { line, indent, text } = lines[li]!;
    while (stack.length > 0 && stack[stack.length - 1]!.indent >= indent) stack.pop();
    if (settingsClass && indent <= settingsClass.indent) settingsClass = undefined;
    // a function body, or `if __name__ == "__main__":` (a server imports the module; that block never runs)
    const inDef = stack.some((b) => /^(async\s+)?def\b|^if\s+__name__\s*==/.test(b.head));
    const guards = stack.filter((b) => /^(if|elif|while|try|except|with)\b/.test(b.head)).map((b) => b.head);
    const inTry = stack.some((b) => /^(try|except)\b/.test(b.head));
    const head = /^(async\s+def|def|class|if|elif|else|for|while|try|except|finally|with|async\s+with|async\s+for)\b/.test(text);
    if (head) stack.push({ indent, head: text });

    // pydantic-settings: fields of a BaseSettings class without a default are required
    const cls = /^class\s+\w+\s*\(([^)]*)\)\s*:/.exec(text);
    if (cls && /\bBaseSettings\b/.test(cls[1]!)) {
      let prefix = '';
      for (let k = li + 1; k < lines.length && lines[k]!.indent > indent; k++) {
        const m = /env_prefix\s*=\s*["']([^"']*)["']/.exec(lines[k]!.text);
        if (m) prefix = m[1]!;
      }
      settingsClass = { indent, prefix };
      continue;
    }
    if (settingsClass && !inDef && stack.filter((b) => /^class\b/.test(b.head)).length <= 1) {
      const f = /^([a-z_A-Z]\w*)\s*:\s*([^=]+?)\s*(?:=\s*(.+))?$/.exec(text);
      const readsEnv = f?.[3] !== undefined && /\b(os\.environ|os\.getenv|getenv|environ)\b|\w+(\.\w+)?\(\s*["'][A-Za-z_]\w*["']/.test(f[3]) && !/^Field\(/.test(f[3]);
      if (f && !readsEnv && f[1] !== 'model_config' && !/ClassVar/.test(f[2]!)) {
        const value = f[3];
        const required = value === undefined || /^Field\(\s*(\.\.\.|\))/.test(value) || (/^Field\(/.test(value) && !/default(_factory)?\s*=/.test(value) && !/^Field\(\s*[^\s.)]/.test(value));
        const ann = f[2]!;
        const type = /\bint\b/.test(ann) ? 'int' : /\bfloat\b/.test(ann) ? 'float' : /\bbool\b/.test(ann) ? 'bool' : /\b(list|List|set|Set)\b/.test(ann) ? 'list' : 'str';
        add({ name: `${settingsClass.prefix}${f[1]!}`.toUpperCase(), line, required, why: required ? 'a pydantic-settings field without a default (ValidationError when unset)' : 'a pydantic-settings field with a default', type });
        continue;
      }
    }

    // `if not X: raise …` (on one line or the next) after `X = os.getenv("X")`
    const ifNot = /^if\s+(?:not\s+(\w+)|(\w+)\s+is\s+None|(\w+)\s*==\s*(?:""|''))\s*:\s*(.*)$/.exec(text);
    if (ifNot) {
      const v = ifNot[1] ?? ifNot[2] ?? ifNot[3]!;
      const p = pending.get(v);
      const raises = /^raise\b/.test(ifNot[4]!) || (ifNot[4] === '' && /^raise\b/.test(lines[li + 1]?.text ?? '') && (lines[li + 1]?.indent ?? 0) > indent);
      if (p && raises && !inDef) {
        p.read.required = true;
        p.read.why = `raises at import when unset (line ${line})`;
      }
    }
    const direct = /^if\s+not\s+(?:os\.)?(?:environ\.get|getenv)\(\s*["'](\w+)["']\s*\)\s*:\s*(.*)$/.exec(text);
    if (direct && !inDef && (/^raise\b/.test(direct[2]!) || (direct[2] === '' && /^raise\b/.test(lines[li + 1]?.text ?? '')))) {
      add({ name: direct[1]!, line, required: true, why: 'raises at import when unset' });
      continue;
    }

    // guarded: inside `if "X" in os.environ:` (or any condition naming it), a try, or `… if "X" in os.environ else …`
    const guarded = (name: string): boolean => inTry || guards.some((g) => new RegExp(`["']${name}["']|\\b${name}\\b`).test(g))
      || new RegExp(`["']${name}["']\\s+(not\\s+)?in\\s+(os\\.)?environ\\b|\\bif\\s+[^:]*?(environ\\.get|getenv)\\(\\s*["']${name}["']`).test(text);
    const assigned = /^([A-Z_a-z]\w*)\s*(?::[^=]+)?=[^=]/.exec(text)?.[1];
    const fallback = (after: string): boolean => /^\s*or\s+(?!None\b)\S/.test(after);
    const crashes = (after: string): string | undefined => (/^\s*\.\s*(split|strip|lower|upper|replace|startswith|endswith|encode|format|rstrip|lstrip)\s*\(/.test(after) ? 'AttributeError at import when unset (a method called on None)' : undefined);
    // a read in a condition (`if os.getenv("X"):`) tests whether it is set: never a requirement
    const atStart = !inDef && !/^(if|elif|while|assert)\b/.test(text);
    const judge = (name: string, hasDefault: boolean, dflt: string | undefined, after: string, how: string): void => {
      let required = false;
      let why = `${how}${hasDefault ? ' with a default' : ''}${inDef ? ' at run time' : ''}`;
      const noValue = !hasDefault || emptyDefault(dflt);
      if (atStart && !guarded(name)) {
        if (how === 'subscript') {
          required = true;
          why = 'KeyError at import when unset';
        } else if (how !== 'get' && !hasDefault) {
          required = true;
          why = `${how}() without a default raises at import when unset`;
        } else if (!hasDefault && crashes(after)) {
          required = true;
          why = crashes(after)!;
        } else if (noValue && !fallback(after) && opts.djangoSettings && assigned === 'SECRET_KEY') {
          required = true;
          why = 'Django refuses to start with an empty SECRET_KEY';
        } else if (noValue && !fallback(after) && DB_URL.test(name)) {
          required = true;
          why = 'a database URL with no default: no database without it';
        }
      }
      const type = /\bint\(/.test(text.slice(0, text.indexOf(name))) ? 'int' as const : undefined;
      const read = add({ name, line, required, why, type, ...(/postgres|asyncpg|psycopg/i.test(text) ? { postgres: true } : {}) });
      if (assigned && noValue && !required && !fallback(after) && !inDef) pending.set(assigned, { read });
    };

    // os.environ["X"] (not an assignment to it), os.environ.get("X"[, d]), os.getenv("X"[, d])
    const osRe = fromOs ? /(?<![\w.])(?:os\.)?(environ\s*\[|environ\.get\(|getenv\()/g : /\bos\.(environ\s*\[|environ\.get\(|getenv\()/g;
    for (const m of text.matchAll(osRe)) {
      const open = m.index! + m[0].length;
      if (m[1]!.startsWith('environ') && m[1]!.endsWith('[')) {
        const close = text.indexOf(']', open);
        const name = nameOf(text.slice(open, close).trim());
        if (!name || close < 0) continue;
        const after = text.slice(close + 1);
        if (/^\s*=[^=]/.test(after)) continue;
        judge(name, false, undefined, after, 'subscript');
        continue;
      }
      const { args, after } = argsAfter(text, open);
      const name = nameOf(args[0]);
      if (!name) continue;
      const d = defaultOf(args, 1);
      judge(name, d !== undefined, d, after, 'get');
    }
    // configuration readers bound in this file
    for (const [reader, kind] of readers) {
      for (const m of text.matchAll(new RegExp(`(?<![\\w.])${reader}(?:\\.(\\w+))?\\(`, 'g'))) {
        const method = m[1];
        if (method && !TYPED.test(method)) continue;
        const { args, after } = argsAfter(text, m.index! + m[0].length);
        let name = nameOf(args[0]);
        if (!name) continue;
        if (kind === 'everett') name = name.toUpperCase();
        // django-environ's typed readers take the default second: env.bool("DEBUG", False)
        const pos = kind === 'django-environ' ? (method ? 1 : 2) : DEFAULT_POS[kind];
        const d = defaultOf(args, pos);
        const hasDefault = d !== undefined || (kind === 'django-environ' && schema.has(name));
        const type = method && /^(int|float|bool|list|str)$/.test(method) ? method as EnvRead['type'] : method === 'tuple' ? 'list' : undefined;
        const before = reads.length;
        judge(name, hasDefault, d, after, `${reader}${method ? `.${method}` : ''}`);
        if (type && reads.length > before) reads[reads.length - 1]!.type = type;
      }
    }
  }
  return reads;
}

/**
 * The env reads of the modules `starts` import, following the project's own imports up to MAX_HOPS deep and MAX_FILES
 * files. `roots`: the directories modules are imported from ('' first). `djangoSettings`: root-relative settings files.
 */
export function detectEnv(p: Project, starts: readonly string[], roots: readonly string[], djangoSettings: readonly string[] = []): EnvFacts {
  const seen = new Set<string>();
  const files: string[] = [];
  let queue = starts.filter((s) => p.file(s)).map((f) => f);
  let truncated = false;
  for (let hop = 0; hop <= MAX_HOPS && queue.length > 0; hop++) {
    const next: string[] = [];
    for (const f of queue) {
      if (seen.has(f) || TEST_PATH.test(f)) continue;
      if (files.length >= MAX_FILES) {
        truncated = true;
        break;
      }
      seen.add(f);
      files.push(f);
      next.push(...importedFiles(p, f, p.textOf(f), roots));
    }
    queue = next;
    if (hop === MAX_HOPS && next.some((f) => !seen.has(f))) truncated = true;
  }
  const settingsChain = new Set(djangoSettings);
  const byName = new Map<string, EnvRead>();
  const imported = new Map<string, ReaderKind>();
  for (const f of files) for (const [k, v] of readersOf(p.textOf(f))) imported.set(k, v);
  for (const f of files) {
    const djangoish = settingsChain.has(f) || (settingsChain.size > 0 && /(^|\/)settings(\/|\.py$)/.test(f));
    for (const r of envReadsOf(f, p.textOf(f), { djangoSettings: djangoish, imported })) {
      const had = byName.get(r.name);
      if (!had || (r.required && !had.required)) byName.set(r.name, had && !r.type ? { ...r, type: had.type } : r);
      else if (!had.type && r.type) had.type = r.type;
    }
  }
  const vars = [...byName.values()];
  vars.sort((a, b) => Number(b.required) - Number(a.required));
  const configFiles = files.flatMap((f) => configFilesOf(f, p.textOf(f)));
  return { vars, files, truncated, configFiles };
}
