// What the servers the image starts run with: gunicorn / uWSGI settings from the CLI, environment and config files.
import { memo3 } from './memo.js';
import { normalizePosix } from './paths.js';
import type { Dockerfile, Instruction, Span, Stage } from './model.js';
import type { ShCommand } from './shell.js';
import { pythonModule } from './commands.js';
import { endState } from './stages.js';
import { expandWord } from './words.js';
import { runTarget, serverOf, startCommand, type Server } from './query.js';
import { imageFile, mayBeCopied, type ContextReader } from './image-files.js';
import { startScripts, type StartScript } from './scripts.js';

/** Settings a server runs with, as far as the Dockerfile (and, in project mode, the copied config) shows. */
export interface ServerSettings {
  /** Setting → value as written (gunicorn names: workers, threads, worker_class, worker_tmp_dir, bind…; uWSGI option names). */
  values: Map<string, string>;
  /** Settings whose value is a Python expression or set more than once in a config file (not a literal). */
  expressions: Set<string>;
  /** A config file, variable or word the rule cannot read may set more: never conclude that a setting is missing. */
  unknown: boolean;
  /** Config files that were read (image paths). */
  files: string[];
}

/** Split like Python's shlex (what gunicorn does with GUNICORN_CMD_ARGS): whitespace, quotes, backslashes. */
function shlexSplit(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "'" || c === '"') {
      const end = s.indexOf(c, i + 1);
      cur += s.slice(i + 1, end < 0 ? s.length : end);
      has = true;
      i = end < 0 ? s.length : end;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) out.push(cur);
  return out;
}

/** Stands for the value of a variable the image doesn't define (a run-time `$PORT`): the option it belongs to is known, its value isn't. */
const UNKNOWN_VALUE = '\u0000';

/**
 * argv of a server command after its program word, with variables expanded from `env` (unknown ones become
 * UNKNOWN_VALUE); undefined when the words themselves can't be known (`"$@"`).
 */
function serverArgs(cmd: ShCommand, program: string, env: ReadonlyMap<string, string>): string[] | undefined {
  const mod = pythonModule(cmd);
  let from = 1;
  if (mod === program) from = cmd.argv.findIndex((w, i) => i > 0 && (w.value === program || w.value === '-m' + program)) + 1;
  const out: string[] = [];
  for (const w of cmd.argv.slice(from)) {
    if (!w.dynamic) {
      out.push(w.value);
      continue;
    }
    if (/\$[@*#?!0-9]|\$\{[@*#?!0-9]/.test(w.raw)) return undefined;
    if (w.raw.includes('$(') || w.raw.includes('`')) {
      out.push(UNKNOWN_VALUE);
      continue;
    }
    const e = expandWord(w.raw, (n) => {
      const v = env.get(n);
      return v === undefined || v.includes('$?') ? UNKNOWN_VALUE : v;
    }, '\\');
    // unquoted expansions are split on whitespace by the shell
    if (/^[^'"]*$/.test(w.raw)) out.push(...e.value.split(/\s+/).filter((x) => x !== ''));
    else out.push(e.value);
  }
  return out;
}

const GUNICORN_SHORT: Record<string, string> = {
  c: 'config', b: 'bind', w: 'workers', k: 'worker_class', t: 'timeout', u: 'user', g: 'group', p: 'pidfile', n: 'proc_name',
  e: 'raw_env', m: 'umask', D: 'daemon', R: 'enable_stdio_inheritance',
};
const GUNICORN_LONG_ALIASES: Record<string, string> = {
  'worker-class': 'worker_class', 'access-logfile': 'accesslog', 'error-logfile': 'errorlog', 'log-file': 'errorlog',
  'log-level': 'loglevel', preload: 'preload_app', env: 'raw_env', pid: 'pidfile', name: 'proc_name', paste: 'paste', paster: 'paste',
};
const GUNICORN_BOOLEAN = new Set([
  'reload', 'preload_app', 'daemon', 'capture_output', 'enable_stdio_inheritance', 'check_config', 'print_config', 'spew',
  'no_sendfile', 'reuse_port', 'strip_header_spaces', 'do_handshake_on_connect', 'initgroups', 'proxy_protocol', 'log_syslog',
  'disable_redirect_access_to_syslog', 'suppress_ragged_eofs', 'no_control_socket', 'help', 'version',
]);

/** Parse gunicorn CLI words into settings (later words win; several --bind add up); false when a word may hide options. */
function parseGunicornArgs(args: string[], into: Map<string, string>): boolean {
  let known = true;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith(UNKNOWN_VALUE) || (a.startsWith('-') && a.slice(0, a.includes('=') ? a.indexOf('=') : a.length).includes(UNKNOWN_VALUE))) {
      known = false;
      continue;
    }
    let key: string | undefined;
    let value: string | undefined;
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const long = eq < 0 ? a.slice(2) : a.slice(2, eq);
      key = GUNICORN_LONG_ALIASES[long] ?? long.replace(/-/g, '_');
      if (eq >= 0) value = a.slice(eq + 1);
    } else if (/^-[A-Za-z]/.test(a)) {
      key = GUNICORN_SHORT[a[1]!];
      if (!key) continue;
      if (a.length > 2) value = a.slice(2).replace(/^=/, '');
    } else continue;
    if (value === undefined) {
      if (GUNICORN_BOOLEAN.has(key)) value = 'True';
      else value = args[++i] ?? '';
    }
    into.set(key, key === 'bind' && into.has('bind') ? into.get('bind') + ' ' + value : value);
  }
  return known;
}

/** Top-level-ish assignments of a Python config file (`workers = 4`): literals unquoted, anything else verbatim. */
function parsePythonConfig(text: string, into: Map<string, string>, expressions: Set<string>): boolean {
  if (/^\s*from\s+\S+\s+import\s+\*|\bexec\(|\bglobals\(\)|\blocals\(\)|\bsetattr\(|\bvars\(\)/m.test(text)) return false;
  const seen = new Set<string>();
  for (const m of text.matchAll(/^[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*(?:=|\+=)[ \t]*([^\n#]*)/gm)) {
    const key = m[1]!;
    const raw = m[2]!.trim();
    const lit = /^(?:"([^"\\]*)"|'([^'\\]*)'|(-?\d+)|(True|False|None))$/.exec(raw);
    into.set(key, lit ? (lit[1] ?? lit[2] ?? lit[3] ?? lit[4])! : raw);
    if (!lit || seen.has(key) || m[0].startsWith(' ') || m[0].startsWith('\t') || m[0].includes('+=')) expressions.add(key);
    else expressions.delete(key);
    seen.add(key);
  }
  return true;
}

export interface ServerContext {
  /** Environment at run time (the final stage's ENV, plus what a start script exports). */
  env: ReadonlyMap<string, string>;
  /** The process's working directory, when known (undefined after a `cd` in a script). */
  cwd: string | undefined;
  project?: ContextReader;
}

/** Read a config file the server will load from the image, or decide it's unknown / absent. */
function serverConfig(df: Dockerfile, stage: Stage, path: string, ctx: ServerContext, explicit: boolean):
  { status: 'found'; text: string; path: string } | { status: 'absent' } | { status: 'unknown' } {
  let abs: string | undefined;
  if (path.startsWith('/')) abs = normalizePosix(path);
  else if (ctx.cwd !== undefined) abs = normalizePosix(ctx.cwd + '/' + path);
  if (abs === undefined) return { status: 'unknown' };
  const file = imageFile(df, stage, abs, ctx.project);
  if (file) return { status: 'found', text: file.text, path: abs };
  if (explicit) return { status: 'unknown' };
  return mayBeCopied(df, stage, abs, ctx.project !== undefined) ? { status: 'unknown' } : { status: 'absent' };
}

/**
 * What a gunicorn command runs with: its CLI, `GUNICORN_CMD_ARGS`, `WEB_CONCURRENCY` and the config file (`-c FILE`, or
 * `./gunicorn.conf.py` which gunicorn loads from its working directory). In Dockerfile-only mode a config file that a
 * COPY may bring in makes the result `unknown`; a `COPY <<EOF` config or (project mode) a copied context file is read.
 */
export function gunicornSettings(df: Dockerfile, stage: Stage, cmd: ShCommand, ctx: ServerContext): ServerSettings {
  const values = new Map<string, string>();
  const expressions = new Set<string>();
  const files: string[] = [];
  let unknown = false;
  const cli = new Map<string, string>();
  const args = serverArgs(cmd, 'gunicorn', ctx.env);
  if (args === undefined || !parseGunicornArgs(args, cli)) unknown = true;
  const envArgs = new Map<string, string>();
  const cmdArgs = ctx.env.get('GUNICORN_CMD_ARGS');
  if (cmdArgs !== undefined) parseGunicornArgs(shlexSplit(cmdArgs), envArgs);
  const wc = ctx.env.get('WEB_CONCURRENCY');
  if (wc !== undefined) values.set('workers', wc);
  if (cmdArgs?.includes('$?') || wc?.includes('$?')) unknown = true;
  const configArg = cli.get('config') ?? envArgs.get('config');
  // `-c python:config.gunicorn` imports a module: the file `config/gunicorn.py` under the working directory (which the
  // image puts on the path, e.g. `PYTHONPATH=.`); one that is not there may be installed, so it stays unknown
  const module = configArg?.startsWith('python:') ? configArg.slice('python:'.length) : undefined;
  const configPath = module !== undefined && /^[A-Za-z_][\w.]*$/.test(module) ? `${module.replace(/\./g, '/')}.py` : configArg;
  if (configPath !== undefined && (configPath.startsWith('python:') || !configPath.endsWith('.py'))) unknown = true;
  else {
    const conf = serverConfig(df, stage, configPath ?? 'gunicorn.conf.py', ctx, configPath !== undefined);
    if (conf.status === 'unknown') unknown = true;
    else if (conf.status === 'found') {
      files.push(conf.path);
      if (!parsePythonConfig(conf.text, values, expressions)) unknown = true;
    }
  }
  for (const [k, v] of envArgs) {
    values.set(k, v);
    expressions.delete(k);
  }
  for (const [k, v] of cli) {
    values.set(k, v);
    expressions.delete(k);
  }
  return { values, expressions, unknown, files };
}

const UWSGI_SHORT: Record<string, string> = {
  p: 'processes', w: 'module', s: 'socket', M: 'master', T: 'enable-threads', b: 'buffer-size', H: 'home', L: 'disable-logging',
  x: 'xmlconfig', y: 'yaml', j: 'json', d: 'daemonize', t: 'harakiri', l: 'listen', z: 'socket-timeout', R: 'max-requests',
  i: 'ini',
};
const UWSGI_BOOLEAN = new Set([
  'master', 'lazy-apps', 'lazy', 'need-app', 'strict', 'single-interpreter', 'die-on-term', 'enable-threads', 'vacuum',
  'thunder-lock', 'no-orphans', 'harakiri-verbose', 'honour-stdin', 'auto-procname', 'log-master', 'disable-logging',
  'memory-report', 'catch-exceptions', 'no-default-app', 'manage-script-name', 'enable-proxy-protocol', 'log-4xx', 'log-5xx',
  'reload-on-exception', 'skip-atexit', 'py-call-osafterfork', 'close-on-exec', 'lazy-apps', 'cheap', 'idle', 'uwsgi-sock',
  'http-keepalive', 'http-auto-chunked', 'so-keepalive', 'log-x-forwarded-for', 'offload-threads-sticky', 'py-tracebacker',
]);
const UWSGI_CONFIG = new Set(['ini', 'yaml', 'yml', 'json', 'js', 'xml', 'xmlconfig', 'include', 'emperor', 'inherit', 'sqlite3', 'ldap']);

/** An ini file's options for one section (`[uwsgi]` unless `file.ini:section`). */
function parseIni(text: string, section: string, into: Map<string, string>): boolean {
  let current = '';
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t === '' || t.startsWith('#') || t.startsWith(';')) continue;
    const sec = /^\[([^\]]+)\]$/.exec(t);
    if (sec) {
      current = sec[1]!.trim();
      continue;
    }
    if (current !== section) continue;
    const m = /^([A-Za-z0-9_-]+)\s*=\s*(.*)$/.exec(t);
    if (!m) continue;
    const key = m[1]!.replace(/_/g, '-');
    if (UWSGI_CONFIG.has(key) || key.startsWith('if-') || key.startsWith('for')) return false;
    into.set(key, m[2]!.trim());
  }
  return true;
}

/**
 * What a uWSGI command runs with: its CLI options, `UWSGI_*` environment variables and (read when visible) the ini file
 * given with `--ini` or as a positional `*.ini`. Other config formats and emperor mode make the result `unknown`.
 */
export function uwsgiSettings(df: Dockerfile, stage: Stage, cmd: ShCommand, ctx: ServerContext): ServerSettings {
  const values = new Map<string, string>();
  const files: string[] = [];
  let unknown = false;
  const configs: string[] = [];
  for (const [k, v] of ctx.env) {
    if (!k.startsWith('UWSGI_')) continue;
    const key = k.slice(6).toLowerCase().replace(/_/g, '-');
    if (v.includes('$?')) unknown = true;
    if (UWSGI_CONFIG.has(key)) {
      if (key === 'ini') configs.push(v);
      else unknown = true;
    } else values.set(key, v);
  }
  const cli = new Map<string, string>();
  const args = serverArgs(cmd, 'uwsgi', ctx.env);
  if (args === undefined) unknown = true;
  for (let i = 0; args && i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith(UNKNOWN_VALUE) || (a.startsWith('-') && a.slice(0, a.includes('=') ? a.indexOf('=') : a.length).includes(UNKNOWN_VALUE))) {
      unknown = true;
      continue;
    }
    let key: string | undefined;
    let value: string | undefined;
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      key = (eq < 0 ? a.slice(2) : a.slice(2, eq)).replace(/_/g, '-');
      if (eq >= 0) value = a.slice(eq + 1);
    } else if (/^-[A-Za-z]/.test(a)) {
      key = UWSGI_SHORT[a[1]!];
      if (!key) continue;
      if (a.length > 2) value = a.slice(2);
    } else {
      if (/\.(ini|ya?ml|json|js|xml)(:[\w-]+)?$/.test(a)) {
        if (/\.ini(:[\w-]+)?$/.test(a)) configs.push(a);
        else unknown = true;
      }
      continue;
    }
    if (value === undefined) {
      const next = args[i + 1];
      if (UWSGI_BOOLEAN.has(key) || next === undefined || next.startsWith('-')) value = 'true';
      else value = args[++i]!;
    }
    if (key === 'ini') configs.push(value);
    else if (UWSGI_CONFIG.has(key)) unknown = true;
    else cli.set(key, value);
  }
  for (const c of configs) {
    const m = /^(.*?)(?::([\w-]+))?$/.exec(c)!;
    if (/^[a-z]+:\/\//.test(c) || c.includes('$') || c.includes(UNKNOWN_VALUE)) {
      unknown = true;
      continue;
    }
    const conf = serverConfig(df, stage, m[1]!, ctx, true);
    if (conf.status !== 'found') {
      unknown = true;
      continue;
    }
    files.push(conf.path);
    if (!parseIni(conf.text, m[2] ?? 'uwsgi', values)) unknown = true;
  }
  for (const [k, v] of cli) values.set(k, v);
  return { values, expressions: new Set(), unknown, files };
}

/** A server the image starts, from ENTRYPOINT/CMD or a start script they run, with the environment it sees. */
export interface StartedServer {
  server: Server;
  cmd: ShCommand;
  /** The ENTRYPOINT/CMD that starts it, directly or through `script`. */
  instr: Instruction;
  script?: StartScript;
  /** Where to report it in the Dockerfile (the command, or the script's COPY source for a context file). */
  span: Span;
  /** "CMD" / "`/entrypoint.sh` line 3", for messages. */
  where: string;
  ctx: ServerContext;
}

const SERVER_ENV = /^(GUNICORN_CMD_ARGS|WEB_CONCURRENCY|UWSGI_\w+|PORT)$/;

/**
 * The servers the stage's image starts (see serverOf), with the run-time environment and working directory each sees.
 * Commands in start scripts see the script's literal `export`s; a `cd` makes the directory unknown, and a dynamic
 * assignment of a server variable or a sourced file hides the variable's value (the key maps to `$?`).
 */
function startedServersUncached(df: Dockerfile, stage: Stage, project?: ContextReader): StartedServer[] {
  const out: StartedServer[] = [];
  const last = stage.instructions[stage.instructions.length - 1]!;
  const end = endState(last, df);
  const base = new Map(end.env);
  const withAssignments = (env: Map<string, string>, cmd: ShCommand): Map<string, string> => {
    const e = new Map(env);
    for (const a of cmd.assignments) e.set(a.name, a.value);
    return e;
  };
  for (const { instr, cmd: raw } of startCommand(df, stage).commands) {
    const cmd = runTarget(raw);
    const server = cmd && serverOf(cmd);
    if (!cmd || !server) continue;
    out.push({ server, cmd, instr, span: cmd.span, where: instr.keyword, ctx: { env: withAssignments(base, cmd), cwd: end.workdir ?? '/', project } });
  }
  for (const script of startScripts(df, stage, project)) {
    if (!script.script) continue;
    const env = new Map(base);
    let cwd: string | undefined = end.workdir ?? '/';
    const cmds = [...script.script.commands].sort((a, b) => a.span.start - b.span.start);
    for (const cmd of cmds) {
      if (cmd.name === 'cd' || cmd.name === 'pushd' || cmd.name === 'popd') cwd = undefined;
      if ((cmd.name === '.' || cmd.name === 'source') && !/(^|\/)bin\/activate$/.test(cmd.argv[1]?.value ?? '')) {
        for (const k of [...env.keys()]) if (SERVER_ENV.test(k)) env.set(k, '$?');
        env.set('GUNICORN_CMD_ARGS', '$?');
        env.set('WEB_CONCURRENCY', '$?');
        env.set('UWSGI_INI', '$?');
      }
      const assigns = cmd.name === 'export' || cmd.name === 'declare' || cmd.name === ''
        ? [...cmd.assignments, ...cmd.argv.slice(1).filter((w) => /^[A-Za-z_]\w*=/.test(w.value)).map((w) => ({
          name: w.value.slice(0, w.value.indexOf('=')), value: w.dynamic ? '$?' : w.value.slice(w.value.indexOf('=') + 1),
        }))]
        : [];
      for (const a of assigns) env.set(a.name, a.value);
      const target = runTarget(cmd);
      const server = target && serverOf(target);
      if (!target || !server) continue;
      out.push({
        server, cmd: target, instr: script.runBy, script, span: script.spanOf(cmd.span), where: script.describe(cmd.span),
        ctx: { env: withAssignments(env, cmd), cwd, project },
      });
    }
  }
  return out;
}

/** Memoized: see startedServersUncached. */
export function startedServers(df: Dockerfile, stage: Stage, project?: ContextReader): StartedServer[] {
  return startedServersMemo(stage, project, df);
}
const startedServersMemo = memo3((stage: Stage, project: ContextReader | undefined, df: Dockerfile) => startedServersUncached(df, stage, project));
