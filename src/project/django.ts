// What a Django project says about production, read as text: which settings module production uses (by evidence, in a
// stated order), what those settings need to import at build time, and how they serve static files and translations.
// `pyship init` turns these facts into the settings module of the image and its collectstatic/compilemessages steps.
import type { DjangoApp } from './app.js';
import type { Project } from './model.js';
import { PathEval } from './py/paths.js';
import { callArgs, kwarg, lineAt, literal, positional, statements, type Statement } from './py/source.js';

/** The settings module production uses, with the evidence that chose it. */
export interface SettingsChoice {
  module: string;
  /** Root-relative file of the module. */
  file: string;
  /** Which rule of the order chose it (for the summary). */
  rule: 'production-module' | 'wsgi-default' | 'deployment-config' | 'init-fallback' | 'manage-default' | 'only-module';
  evidence: string[];
}

/** An environment variable the settings read at import with no default (the import fails without it). */
export interface RequiredEnv {
  name: string;
  /** A harmless value of the right shape for a build step. */
  dummy: string;
  at: string;
}

export interface SettingsFacts {
  /** Root-relative settings files in the order Python runs them (star imports inlined). */
  files: string[];
  staticfiles?: string;
  whitenoise?: string;
  staticRoot?: { expr: string; at: string; path?: string };
  /** STATICFILES_STORAGE / STORAGES["staticfiles"] backend. */
  storage?: { backend: string; at: string };
  required: RequiredEnv[];
  /** A statement that talks to a database or the network at import. */
  connects?: string;
  /** The variable SECRET_KEY is read from, if any (compose.yaml passes it under that name). */
  secretKeyEnv?: string;
  /** The variable ALLOWED_HOSTS is read from, and the separator its value is split on. */
  allowedHostsEnv?: { name: string; sep: string };
}

const MAX_SETTINGS_FILES = 12;
const MAX_CONFIG_FILES = 400;
const DEVISH = /^(dev|devel|develop|development|local|test|tests|testing|ci|debug)$/i;
const PRODISH = /^(production|prod)$/i;
const depth = (p: string): number => p.split('/').length - 1;

/** Where `python manage.py` runs from: '' or the directory of manage.py. */
export const manageDirOf = (d: DjangoApp): string => (d.manage.includes('/') ? d.manage.slice(0, d.manage.lastIndexOf('/')) : '');

/** Root-relative file of a dotted module imported from `base` (`a.b` → `a/b.py` or `a/b/__init__.py`). */
export function moduleFile(p: Project, base: string, mod: string): string | undefined {
  const stem = `${base ? `${base}/` : ''}${mod.split('.').join('/')}`;
  return [`${stem}.py`, `${stem}/__init__.py`].find((f) => p.file(f) !== undefined);
}

/** `os.environ.setdefault("DJANGO_SETTINGS_MODULE", "x")` (or `os.environ["…"] = "x"`) in a file: the value and line. */
function settingsDefault(text: string): { module: string; line: number } | undefined {
  const m = /DJANGO_SETTINGS_MODULE["']\s*(?:,|\]\s*=)\s*["']([\w.]+)["']/.exec(text);
  return m ? { module: m[1]!, line: lineAt(text, m.index) } : undefined;
}

/** DJANGO_SETTINGS_MODULE values a deployment file sets: `env = X=v`, `ENV X=v`, `X: v`, `--settings=v`, YAML key/value. */
function deploymentValues(text: string): { module: string; line: number }[] {
  const out: { module: string; line: number }[] = [];
  const res = [
    /DJANGO_SETTINGS_MODULE["']?\s*[=:]\s*["']?([A-Za-z_][\w.]*)/g,
    /\bENV\s+DJANGO_SETTINGS_MODULE\s+["']?([A-Za-z_][\w.]*)/g,
    /--settings[= ]["']?([A-Za-z_][\w.]*)/g,
    // app specs and k8s env lists: `- key: DJANGO_SETTINGS_MODULE` … `value: x` a few lines below
    /(?:key|name):\s*["']?DJANGO_SETTINGS_MODULE["']?\s*\n(?:[^\n]*\n){0,3}?\s*value:\s*["']?([A-Za-z_][\w.]*)/g,
  ];
  for (const re of res) for (const m of text.matchAll(re)) out.push({ module: m[1]!, line: lineAt(text, m.index! + m[0].lastIndexOf(m[1]!)) });
  return out;
}

/** Files that describe how the project is deployed (not how it is tested or developed). */
const DEPLOY_FILE = /(^|\/)(Procfile[^/]*|[^/]*\.ini|[^/]*\.ya?ml|[^/]*\.json|Dockerfile[^/]*|[^/]*\.dockerfile|[^/]*\.env|\.env[^/]*|[^/]*\.template|[^/]*\.sh|gunicorn[^/]*\.py|[^/]*\.toml|\.django)$/;
const NOT_DEPLOY = /(^|\/)(\.github|\.circleci|\.gitlab-ci\.yml|\.devcontainer[^/]*|\.vscode|\.idea|tests?|docs?|node_modules|pytest\.ini|tox\.ini|setup\.cfg|pyproject\.toml|package(-lock)?\.json|[^/]*lock[^/]*)(\/|$)/;
const DEV_PATH = /(^|[/._-])(local|dev|devel|development|test|tests|testing|ci)([/._-]|$)/i;

/**
 * Production settings by evidence, in this order: (1) a settings package's `production`/`prod` module; (2) a
 * `DJANGO_SETTINGS_MODULE` default in wsgi.py/asgi.py that differs from manage.py's; (3) the value a deployment file
 * sets (uwsgi.ini, gunicorn config, Procfile, compose, Dockerfile, app specs, env templates), production-named first;
 * (4) a settings `__init__` that imports a dev module and falls back to another; (5) manage.py's default, or the one
 * settings module there is.
 */
export function chooseSettings(p: Project, d: DjangoApp): SettingsChoice | undefined {
  const base = manageDirOf(d);
  const manageText = p.file(d.manage)?.text ?? '';
  const manageDefault = d.settings ? { module: d.settings, line: settingsDefault(manageText)?.line } : undefined;
  const appPkg = (d.wsgi ?? d.asgi)?.module.split('.').slice(0, -1).join('.');
  // the settings package: manage.py's module when it is a package, or its parent package; else `<app package>.settings`
  let pkg: string | undefined;
  if (d.settings) {
    const f = moduleFile(p, base, d.settings);
    pkg = f?.endsWith('/__init__.py') ? d.settings : d.settings.split('.').slice(0, -1).join('.');
  } else if (appPkg !== undefined) pkg = `${appPkg ? `${appPkg}.` : ''}settings`;
  const pkgInit = pkg ? `${base ? `${base}/` : ''}${pkg.split('.').join('/')}/__init__.py` : undefined;
  const isPackage = pkgInit !== undefined && p.file(pkgInit) !== undefined;

  // (1) production modules of the settings package
  if (isPackage) {
    for (const name of ['production', 'prod']) {
      const f = moduleFile(p, base, `${pkg}.${name}`);
      if (f) return { module: `${pkg}.${name}`, file: f, rule: 'production-module', evidence: [`${f} a production module of the settings package ${pkg}`] };
    }
  }
  // (2) wsgi.py / asgi.py defaults that differ from manage.py's
  for (const c of [d.wsgi, d.asgi]) {
    if (!c) continue;
    const def = settingsDefault(p.file(c.file)?.text ?? '');
    if (def && def.module !== d.settings && !DEVISH.test(def.module.split('.').pop()!)) {
      const f = moduleFile(p, base, def.module);
      if (f) return { module: def.module, file: f, rule: 'wsgi-default', evidence: [`${c.file}:${def.line} DJANGO_SETTINGS_MODULE defaults to ${def.module}`, ...(manageDefault ? [`${d.manage}:${manageDefault.line} (manage.py's default: ${manageDefault.module})`] : [])] };
    }
  }
  // (3) deployment files
  const configs = p.find((f) => depth(f) <= 3 && DEPLOY_FILE.test(f) && !NOT_DEPLOY.test(f) && !DEV_PATH.test(f)).sort().slice(0, MAX_CONFIG_FILES);
  const found: { module: string; file: string; at: string }[] = [];
  for (const cf of configs) {
    const text = p.file(cf)?.text;
    if (!text || !text.includes('DJANGO_SETTINGS_MODULE') && !text.includes('--settings')) continue;
    for (const v of deploymentValues(text)) {
      if (DEVISH.test(v.module.split('.').pop()!)) continue;
      const f = moduleFile(p, base, v.module);
      if (f && !found.some((x) => x.at === `${cf}:${v.line}`)) found.push({ module: v.module, file: f, at: `${cf}:${v.line}` });
    }
  }
  if (found.length > 0) {
    const best = found.find((x) => PRODISH.test(x.module.split('.').pop()!)) ?? found[0]!;
    const also = found.filter((x) => x !== best).map((x) => `${x.at} (also sets ${x.module})`);
    return { module: best.module, file: best.file, rule: 'deployment-config', evidence: [`${best.at} DJANGO_SETTINGS_MODULE=${best.module}`, ...also] };
  }
  // (4) an __init__ that tries a dev module first and falls back to another
  if (isPackage) {
    const text = p.textOf(pkgInit!);
    const m = /try:\s*\n\s*from\s+\.(\w+)\s+import\s+\*[\s\S]*?except[^\n]*:\s*\n\s*from\s+\.(\w+)\s+import\s+\*/.exec(text);
    if (m && DEVISH.test(m[1]!)) {
      const f = moduleFile(p, base, `${pkg}.${m[2]}`);
      if (f) return { module: `${pkg}.${m[2]}`, file: f, rule: 'init-fallback', evidence: [`${pkgInit}:${lineAt(text, m.index + m[0].lastIndexOf('from'))} imports .${m[1]} first and falls back to .${m[2]}`] };
    }
  }
  // (5) manage.py's default; without one, the settings module beside the app
  if (manageDefault) {
    const f = moduleFile(p, base, manageDefault.module);
    if (f) return { module: manageDefault.module, file: f, rule: 'manage-default', evidence: [`${d.manage}:${manageDefault.line} DJANGO_SETTINGS_MODULE defaults to ${manageDefault.module}`] };
  }
  if (pkg) {
    const f = moduleFile(p, base, pkg);
    if (f) return { module: pkg, file: f, rule: 'only-module', evidence: [`${f} the settings module beside ${(d.wsgi ?? d.asgi)?.file ?? d.manage}`] };
  }
  return undefined;
}

const DJANGO_ENV_CALL = /\b(os\.environ\.get|os\.getenv|environ\.get)\(/g;

function dummyFor(name: string, how: string): string {
  if (/db|database/i.test(how) || /DATABASE_URL$|_DB_URL$/.test(name)) return 'sqlite:////tmp/build.sqlite3';
  if (/cache/i.test(how) || /(^|_)(REDIS|BROKER|CACHE)(_|$)/.test(name) && /_URL$|_LOCATION$/.test(name)) return 'redis://localhost:6379/0';
  if (/int|float/.test(how)) return '0';
  if (/bool/.test(how)) return 'false';
  if (/list|tuple|split/.test(how) || /HOSTS|ORIGINS/.test(name)) return 'localhost';
  if (/json/.test(how)) return '{}';
  if (/_URL$|_URI$/.test(name)) return 'http://localhost/';
  return 'build-only-dummy';
}

/** The settings files Python runs for `choice`, in order: the chosen module with its star imports inlined. */
function settingsStatements(p: Project, base: string, file: string, seen: Set<string>): { file: string; st: Statement }[] {
  if (seen.has(file) || seen.size >= MAX_SETTINGS_FILES) return [];
  seen.add(file);
  const text = p.file(file)?.text ?? '';
  const out: { file: string; st: Statement }[] = [];
  const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
  for (const st of statements(text)) {
    const m = /^from\s+(\.*)([\w.]*)\s+import\s+\*/.exec(st.text);
    if (m) {
      let target: string | undefined;
      if (m[1]) {
        // `from .base import *`: relative to this file's package, one directory up per extra dot
        const up = dir.split('/').filter(Boolean).slice(0, Math.max(0, dir.split('/').filter(Boolean).length - (m[1].length - 1))).join('/');
        const stem = [up, ...m[2]!.split('.').filter(Boolean)].filter(Boolean).join('/');
        target = m[2] ? [`${stem}.py`, `${stem}/__init__.py`].find((f) => p.file(f) !== undefined) : undefined;
      } else target = moduleFile(p, base, m[2]!);
      if (target) {
        out.push(...settingsStatements(p, base, target, seen));
        continue;
      }
    }
    out.push({ file, st });
  }
  return out;
}

/** What the chosen settings do at import and how they serve static files. */
export function readSettings(p: Project, d: DjangoApp, choice: SettingsChoice): SettingsFacts {
  const base = manageDirOf(d);
  const seen = new Set<string>();
  // the parent packages' __init__ run first (linkding-style settings packages import there)
  const parts = choice.module.split('.');
  const inits: { file: string; st: Statement }[] = [];
  for (let i = 1; i < parts.length; i++) {
    const f = `${base ? `${base}/` : ''}${parts.slice(0, i).join('/')}/__init__.py`;
    if (f !== choice.file && p.file(f)) for (const st of statements(p.textOf(f))) if (!/^from\s+\.\w*\s+import\s+\*/.test(st.text)) inits.push({ file: f, st });
  }
  const own = settingsStatements(p, base, choice.file, seen);
  const all = [...inits, ...own];
  const facts: SettingsFacts = { files: [...seen], required: [] };
  const at = (x: { file: string; st: Statement }, needle?: string): string => {
    if (!needle) return `${x.file}:${x.st.line}`;
    const text = p.file(x.file)?.text ?? '';
    const lines = text.split('\n');
    const i = lines.findIndex((l, k) => k + 1 >= x.st.line && l.includes(needle) && !l.trimStart().startsWith('#'));
    return `${x.file}:${i >= 0 ? i + 1 : x.st.line}`;
  };
  const pe = new PathEval();
  const envNames = new Set<string>();
  const chainText = all.map((x) => x.st.text).join('\n');
  for (const m of chainText.matchAll(/^(\w+)\s*=\s*(?:environ\.)?Env\(/gm)) envNames.add(m[1]!);
  if (/from\s+decouple\s+import\s+[^\n]*\bconfig\b/.test(chainText)) envNames.add('config');
  // variables the settings test (`"X" in os.environ`, `if os.getenv("X"):`) are optional: a dummy would flip the test
  const guarded = new Set([...chainText.matchAll(/["'](\w+)["']\s+(?:not\s+)?in\s+os\.environ/g)].map((m) => m[1]!));
  for (const { st } of all) {
    const cond = /^(?:if|elif|while)\s+([\s\S]*?):/.exec(st.text)?.[1];
    if (cond && !/^not\s+os\.(?:getenv|environ\.get)\(/.test(cond)) for (const m of cond.matchAll(/\(\s*["']([A-Z][A-Z0-9_]*)["']/g)) guarded.add(m[1]!);
  }
  const need = (name: string, how: string, where: string): void => {
    if (!facts.required.some((r) => r.name === name)) facts.required.push({ name, dummy: dummyFor(name, how), at: where });
  };

  for (let k = 0; k < all.length; k++) {
    const x = all[k]!;
    const s = x.st.text;
    if (!facts.staticfiles && /["']django\.contrib\.staticfiles["']/.test(s)) facts.staticfiles = at(x, 'django.contrib.staticfiles');
    if (!facts.whitenoise && /["']whitenoise\.middleware\.WhiteNoiseMiddleware["']/.test(s)) facts.whitenoise = at(x, 'whitenoise.middleware');
    const storage = /^STATICFILES_STORAGE\s*=\s*["']([\w.]+)["']/.exec(s)
      ?? /["']staticfiles["']\s*:\s*\{[^}]*?["']BACKEND["']\s*:\s*["']([\w.]+)["']/.exec(s)
      ?? /^STORAGES\[\s*["']staticfiles["']\s*\](?:\[\s*["']BACKEND["']\s*\])?\s*=\s*[^\n]*?["']([\w.]+(?:Storage|storage)\w*)["']/.exec(s);
    if (storage && x.st.indent === 0) facts.storage = { backend: storage[1]!, at: at(x, storage[1]) };
    const asg = /^([A-Za-z_]\w*)\s*(?::[^=]+)?=(?!=)\s*([\s\S]+)$/.exec(s);
    if (asg && x.st.indent === 0) {
      const abs = `/app/${x.file}`;
      if (asg[1] === 'STATIC_ROOT') facts.staticRoot = { expr: asg[2]!.trim(), at: at(x), path: pe.path(asg[2]!, abs) };
      else pe.assign(asg[1]!, asg[2]!, abs);
    } else if (asg && asg[1] === 'STATIC_ROOT' && !facts.staticRoot) {
      facts.staticRoot = { expr: asg[2]!.trim(), at: at(x), path: pe.path(asg[2]!, `/app/${x.file}`) };
    }
    // from here: what the import needs. Reads inside branches count too (pyship cannot tell which branch runs, and a
    // needless dummy in a build-only RUN costs nothing); connections count only at the top level.
    if (!facts.connects && x.st.indent === 0 && /\b(?:psycopg2?|psycopg|pymysql|MySQLdb|sqlite3)\.connect\(|\b(?:requests|httpx)\.(?:get|post|head)\(|\burlopen\(|\.objects\.|\bsocket\.create_connection\(/.test(s)) facts.connects = at(x);
    // `if not os.getenv("X"): raise …` / `if "X" not in os.environ: raise …`
    const raiseIf = /^if\s+(?:not\s+os\.(?:getenv|environ\.get)\(\s*["'](\w+)["']\s*\)|["'](\w+)["']\s+not\s+in\s+os\.environ)\s*:\s*(raise\b)?/.exec(s);
    if (raiseIf && (raiseIf[3] || /^raise\b/.test(all[k + 1]?.st.text ?? ''))) need(raiseIf[1] ?? raiseIf[2]!, '', at(x));
    for (const m of s.matchAll(/os\.environ\[\s*["'](\w+)["']\s*\](?!\s*=[^=])/g)) if (!guarded.has(m[1]!)) need(m[1]!, '', at(x, m[1]));
    for (const m of s.matchAll(DJANGO_ENV_CALL)) {
      const c = callArgs(s, m.index! + m[0].length - 1);
      const args = positional(c?.args ?? []);
      const end = c?.end ?? s.length;
      const name = literal(args[0] ?? '');
      if (!name || args.length > 1 || kwarg(c?.args ?? [], 'default') !== undefined || guarded.has(name)) continue;
      const before = s.slice(0, m.index);
      const after = s.slice(end);
      const wrapped = /\b(int|float|json\.loads|Path)\(\s*$/.exec(before);
      const used = /^\s*(\.(\w+)|\[)/.exec(after);
      if (/^\s*or\b/.test(after)) continue;
      if (wrapped || used) need(name, wrapped?.[1] ?? used?.[2] ?? '', at(x, name));
    }
    for (const envName of envNames) {
      const re = new RegExp(`\\b${envName}(?:\\.(\\w+))?\\(`, 'g');
      for (const m of s.matchAll(re)) {
        if (m.index! > 0 && /[\w.]/.test(s[m.index! - 1]!)) continue;
        const method = m[1];
        if (method && /^(read_env|ENVIRON|NOTSET|smart_cast|parse_value|escape_proxy)$/.test(method)) continue;
        const all = callArgs(s, m.index! + m[0].length - 1)?.args ?? [];
        const args = positional(all);
        const kwargs = { default: kwarg(all, 'default'), cast: kwarg(all, 'cast') };
        const implicit = { db: 'DATABASE_URL', db_url: 'DATABASE_URL', cache: 'CACHE_URL', cache_url: 'CACHE_URL', email_url: 'EMAIL_URL', search_url: 'SEARCH_URL' }[method ?? ''];
        const name = args.length === 0 ? implicit : literal(args[0]!);
        if (!name) continue;
        const hasDefault = kwargs.default !== undefined || (method !== undefined && args.length >= 2) || (envName === 'config' && args.length >= 2);
        if (!hasDefault && !guarded.has(name)) need(name, `${method ?? ''} ${kwargs.cast ?? ''}`, at(x, name));
      }
    }
    // SECRET_KEY from the environment with an empty default still stops Django: give it the dummy as well
    const read = /(?:os\.environ\.get|os\.getenv|os\.environ\[|\benv(?:\.\w+)?|\bconfig)\(?\s*["']([A-Z][A-Z0-9_]*)["']/.exec(s)?.[1];
    if (read && x.st.indent === 0 && /^SECRET_KEY\s*=/.test(s)) facts.secretKeyEnv = read;
    if (read && x.st.indent === 0 && /^ALLOWED_HOSTS\s*=/.test(s)) facts.allowedHostsEnv = { name: read, sep: /\.split\(\s*["'] ["']\s*\)|\.split\(\s*\)/.test(s) ? ' ' : ',' };
    if (/^SECRET_KEY\s*=/.test(s)) {
      for (const m of s.matchAll(/["']([A-Z][A-Z0-9_]*)["']\s*(?:,\s*(?:default\s*=\s*)?(["']{2}|None))?\s*\)/g)) need(m[1]!, '', at(x, m[1]));
    }
  }
  return facts;
}

/** `.po` catalogues the project ships (`…/locale/<lang>/LC_MESSAGES/*.po`), root-relative. */
export function localeCatalogues(p: Project): string[] {
  return p.find((f) => /(^|\/)locale\/[^/]+\/LC_MESSAGES\/[^/]+\.po$/.test(f) && depth(f) <= 8).sort();
}
