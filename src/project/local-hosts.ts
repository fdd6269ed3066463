// Settings written for a developer's machine: a database, cache or broker at localhost (in a container, the container
// itself) with no environment variable to point it elsewhere, and ALLOWED_HOSTS opened only when a platform variable
// (Heroku's DYNO) is set. Read from the modules the entry imports and the config files they name; never a value that
// could be a secret (URLs are shown as host:port only).
import { statements as logicalLines } from './py/source.js';
import type { Project } from './model.js';

export interface LocalService {
  /** database, cache, broker… */
  what: string;
  /** `localhost:5432`. */
  host: string;
  /** Root-relative file and 1-based line. */
  file: string;
  line: number;
}

export interface HostGate {
  /** The variable that opens ALLOWED_HOSTS, and a value that does (`1` when any value will). */
  name: string;
  value: string;
  file: string;
  line: number;
  /** The ALLOWED_HOSTS when it is not set. */
  otherwise: string;
}

/** A setting left as a developer's machine wants it, which a production container gets wrong. */
export interface DevSetting {
  file: string;
  line: number;
  /** What goes wrong, one clause. */
  what: string;
}

export interface LocalHostFacts {
  services: LocalService[];
  gates: HostGate[];
  settings: DevSetting[];
}

/** Top-level settings of a Django settings module that only suit a developer's machine. */
function devSettings(file: string, src: string): DevSetting[] {
  if (!/^\s*(ALLOWED_HOSTS|SECRET_KEY|INSTALLED_APPS)\s*=/m.test(src)) return [];
  const out: DevSetting[] = [];
  for (const l of logicalLines(src)) {
    // a random fallback is as bad in a module-level try/except as at the top
    if (/^SECRET_KEY\b/.test(l.text) && /get_random_secret_key\(|secrets\.token_\w+\(|os\.urandom\(/.test(l.text)) {
      out.push({ file, line: l.line, what: 'SECRET_KEY falls back to a random value made by each process: sessions and signed cookies break across workers and restarts; give it a fixed value (its variable or file) in the container' });
      continue;
    }
    if (l.indent > 0) continue;
    if (/^ALLOWED_HOSTS\s*=\s*\[\s*\]$/.test(l.text)) out.push({ file, line: l.line, what: 'ALLOWED_HOSTS is empty: with DEBUG off, Django answers 400 Bad Request to every host but localhost; list the real hosts (read them from the environment)' });
    else if (/^DEBUG\s*=\s*True$/.test(l.text)) out.push({ file, line: l.line, what: 'DEBUG = True: every visitor gets tracebacks and settings; read it from the environment, off by default' });
  }
  return out;
}

const LOCAL = /^(localhost|127\.0\.0\.1|::1|\[::1\])$/;
/** Well-known ports of the services an app connects to. */
const PORTS: Record<string, string> = { 5432: 'database', 3306: 'database', 1433: 'database', 27017: 'database', 6379: 'cache/broker', 11211: 'cache', 5672: 'broker', 9200: 'search engine' };
const SCHEMES: [RegExp, string, number][] = [
  [/^postgres(ql)?(\+\w+)?$/, 'database', 5432], [/^(mysql|mariadb)(\+\w+)?$/, 'database', 3306], [/^mongodb(\+srv)?$/, 'database', 27017],
  [/^rediss?$/, 'cache/broker', 6379], [/^amqps?$/, 'broker', 5672], [/^memcached?$/, 'cache', 11211],
];
const ENGINE_PORTS: [RegExp, number][] = [[/postgres|postgis/, 5432], [/mysql/, 3306], [/oracle/, 1521], [/mssql|sql_server/, 1433]];
/**
 * A line that reads the environment, a settings reader or a config mapping (`get_env("X", default)`,
 * `SECRETS.get("url", default)`) can be pointed elsewhere at run time: its localhost is only a default.
 */
const READS_ENV = /\bos\.environ|\b\w*(?:env|Env|ENV)\w*(?:\.\w+)?\(|\bconfig\(|\bSettings\b|\bField\(|\.get\(\s*["']/;
const MAX_FILES = 40;
const MAX_CONFIG = 8;
const MAX_SIZE = 200_000;

/** Host-and-port pieces of the string literals of a Python line: URLs, "host:port", ("host", port) tuples. */
function localsInPython(text: string): { what: string; host: string }[] {
  const out: { what: string; host: string }[] = [];
  for (const m of text.matchAll(/["']([a-z][\w+.-]*):\/\/(?:[^@"'/\s]*@)?([\w.-]+|\[[:\d]+\])(?::(\d+))?[^"']*["']/gi)) {
    const kind = SCHEMES.find(([re]) => re.test(m[1]!.toLowerCase()));
    if (kind && LOCAL.test(m[2]!)) out.push({ what: kind[1], host: `${m[2]}:${m[3] ?? kind[2]}` });
  }
  for (const m of text.matchAll(/["'](localhost|127\.0\.0\.1):(\d+)(?:\/\d*)?["']/g)) if (PORTS[m[2]!]) out.push({ what: PORTS[m[2]!]!, host: `${m[1]}:${m[2]}` });
  for (const m of text.matchAll(/\(\s*["'](localhost|127\.0\.0\.1)["']\s*,\s*(\d+)\s*\)/g)) if (PORTS[m[2]!]) out.push({ what: PORTS[m[2]!]!, host: `${m[1]}:${m[2]}` });
  return out;
}

/** Django DATABASES entries of a server engine whose HOST is empty, missing or local (a literal, not read from env). */
function djangoDatabases(file: string, src: string): LocalService[] {
  const out: LocalService[] = [];
  for (const l of logicalLines(src)) {
    if (!/^DATABASES\s*=\s*\{/.test(l.text) || READS_ENV.test(l.text)) continue;
    // one entry per ENGINE: the HOST that follows it, up to the next ENGINE
    const engines = [...l.text.matchAll(/["']ENGINE["']\s*:\s*["']([\w.]+)["']/g)];
    engines.forEach((e, i) => {
      const port = ENGINE_PORTS.find(([re]) => re.test(e[1]!))?.[1];
      if (!port) return;
      const body = l.text.slice(e.index!, engines[i + 1]?.index ?? l.text.length);
      const host = /["']HOST["']\s*:\s*["']([^"']*)["']/.exec(body);
      const hostExpr = /["']HOST["']\s*:/.test(body);
      if (hostExpr && !host) return;
      const name = host?.[1] ?? '';
      if (name !== '' && !LOCAL.test(name)) return;
      const portLit = /["']PORT["']\s*:\s*["']?(\d+)/.exec(body)?.[1];
      out.push({ what: 'database', host: `${name || 'localhost'}:${portLit ?? port}`, file, line: l.line });
    });
  }
  return out;
}

/** `host: localhost` in a YAML/INI block about a service (postgres:, redis:, database:…), with its port. */
function localsInConfig(file: string, text: string): LocalService[] {
  const out: LocalService[] = [];
  const stack: { indent: number; key: string }[] = [];
  const lines = text.split('\n').slice(0, 2000);
  lines.forEach((raw, i) => {
    if (/^\s*([#;]|$)/.test(raw)) return;
    const indent = raw.length - raw.trimStart().length;
    const section = /^\s*\[([^\]]+)\]\s*$/.exec(raw);
    if (section) {
      stack.length = 0;
      stack.push({ indent: -1, key: section[1]! });
      return;
    }
    const kv = /^\s*([\w.-]+)\s*[:=]\s*(.*?)\s*$/.exec(raw);
    if (!kv) return;
    while (stack.length > 0 && stack[stack.length - 1]!.indent >= indent) stack.pop();
    const [, key, value] = kv as unknown as [string, string, string];
    if (value === '') {
      stack.push({ indent, key });
      return;
    }
    const parent = stack.map((s) => s.key).join('.').toLowerCase();
    const val = value.replace(/^["']|["']$/g, '');
    if (!/^(host|hostname|server)$/i.test(key) || !LOCAL.test(val)) return;
    const kind = /postgres|pg|mysql|maria|database|\bdb\b|mongo|sql/.test(parent) ? 'database' : /redis|cache|memcache/.test(parent) ? 'cache' : /rabbit|amqp|broker|queue|celery/.test(parent) ? 'broker' : undefined;
    if (!kind) return;
    // the port beside it, in the same block
    let port: string | undefined;
    for (let j = i - 8; j <= i + 8; j++) {
      const m = /^\s*port\s*[:=]\s*["']?(\d+)/i.exec(lines[j] ?? '');
      if (m && (lines[j]!.length - lines[j]!.trimStart().length) === indent) port = m[1];
    }
    const dflt = /postgres|pg/.test(parent) ? '5432' : /mysql|maria/.test(parent) ? '3306' : /redis/.test(parent) ? '6379' : /mongo/.test(parent) ? '27017' : /rabbit|amqp/.test(parent) ? '5672' : undefined;
    const p = port ?? dflt;
    out.push({ what: kind, host: p ? `${val}:${p}` : val, file, line: i + 1 });
  });
  return out;
}

/** What opens a gate: the variable an `if` tests (directly, or through a name assigned from the environment). */
function gateVar(cond: string, src: string): { name: string; value: string } | undefined {
  const direct = (text: string): { name: string; value: string } | undefined => {
    const inEnv = /["'](\w+)["']\s+in\s+os\.environ/.exec(text);
    if (inEnv) return { name: inEnv[1]!, value: '1' };
    const eq = /(?:os\.environ\.get|os\.getenv)\(\s*["'](\w+)["'][^)]*\)\s*==\s*["']([^"']+)["']/.exec(text);
    if (eq) return { name: eq[1]!, value: eq[2]! };
    const get = /(?:os\.environ\.get|os\.getenv|env\.bool|env)\(\s*["'](\w+)["']/.exec(text);
    if (get) return { name: get[1]!, value: /bool/.test(text) ? 'true' : '1' };
    return undefined;
  };
  const d = direct(cond);
  if (d) return d;
  const name = /^(?:if|elif)\s+(?:not\s+)?(\w+)\s*:/.exec(cond)?.[1];
  if (!name || /^not\s/.test(cond.replace(/^(if|elif)\s+/, ''))) return undefined;
  const assigned = new RegExp(`^${name}\\s*=\\s*(.+)$`, 'm').exec(src);
  return assigned ? direct(assigned[1]!) : undefined;
}

const LOCAL_HOSTS = /^\s*\[?\s*((["'](\.?localhost|127\.0\.0\.1|\[::1\]|::1|0\.0\.0\.0|\[::\])["'])\s*,?\s*)+\]?\s*$/;

/** ALLOWED_HOSTS opened (to `*` or real hosts) only inside an `if` on an environment variable, localhost-only else. */
function hostGates(file: string, src: string): HostGate[] {
  const lines = logicalLines(src);
  const assigns = lines.map((l, i) => ({ l, i, value: /^ALLOWED_HOSTS\s*=\s*(.+)$/.exec(l.text)?.[1] })).filter((a) => a.value !== undefined);
  const local = assigns.find((a) => LOCAL_HOSTS.test(a.value!));
  if (!local) return [];
  const out: HostGate[] = [];
  for (const a of assigns) {
    if (a === local || LOCAL_HOSTS.test(a.value!) || a.l.indent === 0) continue;
    // the `if` that holds it: the nearest line above with less indentation
    let j = a.i - 1;
    while (j >= 0 && lines[j]!.indent >= a.l.indent) j--;
    const cond = j >= 0 ? lines[j]!.text : '';
    if (!/^(if|elif)\b/.test(cond)) continue;
    const v = gateVar(cond, src);
    if (v) out.push({ ...v, file, line: a.l.line, otherwise: local.value!.trim() });
  }
  return out;
}

/** Config files (YAML, INI, TOML) a module names, found in the project by their path's tail. */
function namedConfigs(p: Project, text: string): string[] {
  const names = [...new Set([...text.matchAll(/["']([\w./-]*\.(?:ya?ml|ini|cfg|toml))["']/g)].map((m) => m[1]!.replace(/^\.?\//, '')))];
  const out: string[] = [];
  for (const n of names) {
    const tail = n.split('/').pop()!;
    const hits = p.find((f) => (f === n || f.endsWith(`/${n}`) || f.split('/').pop() === tail) && !/(^|\/)(tests?|\.github|node_modules)\//.test(f) && !/test/.test(f.split('/').pop()!));
    out.push(...hits.slice(0, 2));
  }
  return out;
}

/**
 * The localhost services and the ALLOWED_HOSTS gates of the modules the entry imports (`files`, root-relative) and of
 * the config files they name.
 */
export function detectLocalHosts(p: Project, files: readonly string[]): LocalHostFacts {
  const services: LocalService[] = [];
  const gates: HostGate[] = [];
  const settings: DevSetting[] = [];
  const configs = new Set<string>();
  for (const f of files.slice(0, MAX_FILES)) {
    const src = p.file(f)?.text;
    if (!src || src.length > MAX_SIZE) continue;
    services.push(...djangoDatabases(f, src));
    for (const l of logicalLines(src)) {
      if (READS_ENV.test(l.text) || /^(def|async\s+def|class|import|from)\b/.test(l.text)) continue;
      for (const s of localsInPython(l.text)) services.push({ ...s, file: f, line: l.line });
    }
    gates.push(...hostGates(f, src));
    settings.push(...devSettings(f, src));
    for (const c of namedConfigs(p, src)) configs.add(c);
  }
  for (const c of [...configs].slice(0, MAX_CONFIG)) {
    const text = p.file(c)?.text;
    if (text && text.length <= MAX_SIZE) services.push(...localsInConfig(c, text));
  }
  // one per host and file
  const seen = new Set<string>();
  return { services: services.filter((s) => !seen.has(`${s.file}|${s.host}`) && seen.add(`${s.file}|${s.host}`)), gates, settings };
}
