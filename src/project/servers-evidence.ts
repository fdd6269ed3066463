// How the project itself starts its web server, from its own files, most trusted first: the Procfile `web:` line (and
// the script it runs), the scripts and commands of its Dockerfiles and compose files, server config files,
// `if __name__ == "__main__"` starters, `[tool.fastapi]`; and servers its Dockerfiles pip-install outside the lock.
import { pipInstall } from '../dockerfile/commands.js';
import { finalEnv, finalStage, runTarget, startCommand } from '../dockerfile/query.js';
import { runScript, parseShell, type ShCommand } from '../dockerfile/shell.js';
import { lineOf } from '../dockerfile/lines.js';
import { parseServerArgv, type ServerCommand } from './app.js';
import { composeServices, isDevCompose } from './runtime.js';
import { pyprojects } from './python.js';
import { projectDockerfiles, projectFact, type Project } from './model.js';

/** Servers a command may start: the ones pyship init configures, plus development servers. */
export type StartServer = 'gunicorn' | 'uvicorn' | 'uwsgi' | 'hypercorn' | 'daphne' | 'granian' | 'waitress' | 'aiohttp' | 'dev';

/** A step a command runs before the server (`migrate && gunicorn …`): another helper decides where it goes. */
export interface StartStep { command: string; evidence: string }

export interface ServerEvidence {
  server: StartServer;
  source: 'procfile' | 'script' | 'dockerfile' | 'compose' | 'config' | 'main' | 'fastapi';
  /** `path:line`. */
  where: string;
  /** The command (or setting) as written. */
  command: string;
  /** The app as the command names it (attr with `()` for a factory). */
  module?: string;
  attr?: string;
  /** A file the command serves (`fastapi run svc/main.py`): the app is the one defined there. */
  appFile?: string;
  importRoot?: string;
  asgiWorker: boolean;
  /** gunicorn `-k aiohttp.GunicornWebWorker`. */
  aiohttpWorker: boolean;
  ini?: string;
  config?: string;
  /** A development setup: `--reload`, a dev server, a dev/local Dockerfile or compose file. */
  dev: boolean;
  dropped: string[];
  /** Other commands of the same chain or script, before the server. */
  steps: StartStep[];
}

/** A server package a Dockerfile installs outside the lock (`pip install gunicorn`). */
export interface ServerInstall { name: string; version?: string; evidence: string }

export interface ServerFacts { web: ServerEvidence[]; installs: ServerInstall[] }

const RANK: Record<ServerEvidence['source'], number> = { procfile: 0, script: 1, dockerfile: 2, compose: 3, config: 4, main: 5, fastapi: 6 };
const MAX_SCRIPT_DEPTH = 3;
const MAX_FILES = 40;
const DEV_FILE = /(^|[./_-])(dev|development|local|test|tests|debug)([./_-]|$)/i;
/** Wrappers that start the real command: tracing agents, `exec`. */
const WRAPPERS: Record<string, number> = { 'opentelemetry-instrument': 1, 'ddtrace-run': 1, 'newrelic-admin': 2, exec: 1 };
/** Commands that are no startup step worth reporting. */
const TRIVIAL = new Set(['echo', 'printf', 'set', 'export', 'cd', 'true', ':', 'sleep', '[', 'test', 'exit', 'shift', 'trap', 'umask', 'source', '.', 'mkdir', 'chown', 'chmod', 'cat', 'grep', 'sed', 'exec', 'local', 'declare', 'readonly', 'unset']);
export const SERVER_PACKAGES = new Set(['gunicorn', 'uvicorn', 'uwsgi', 'pyuwsgi', 'hypercorn', 'daphne', 'granian', 'waitress']);

const words = (cmd: ShCommand): string[] => cmd.argv.map((w) => w.value);

function unwrap(argv: string[]): string[] {
  // `$(which gunicorn)` is gunicorn; a leading bare `${PREFIX}` is an optional wrapper, usually empty
  let a = argv.map((x) => /^(?:\$\(|`)\s*(?:which|command -v)\s+([\w.-]+)\s*(?:\)|`)$/.exec(x)?.[1] ?? x);
  while (a.length > 1 && /^\$\{?\w+\}?$/.test(a[0]!)) a = a.slice(1);
  for (let guard = 0; guard < 4 && a.length > 0; guard++) {
    const n = WRAPPERS[a[0]!.split('/').pop()!];
    if (n === undefined) break;
    a = a.slice(n);
  }
  return a;
}

/** `python -m x` / `x` → [module or program name, the rest]. */
function program(a: string[]): [string, string[]] | undefined {
  if (a.length === 0) return undefined;
  const first = a[0]!.split('/').pop()!;
  if (/^python(\d+(\.\d+)?)?$/.test(first)) {
    const m = a.indexOf('-m');
    if (m > 0 && a[m + 1]) return [a[m + 1]!, a.slice(m + 2)];
    return [a[1] ?? '', a.slice(2)];
  }
  return [first, a.slice(1)];
}

type Found = Omit<ServerEvidence, 'source' | 'where' | 'steps'>;

const blank = (server: StartServer, command: string, dev: boolean): Found => ({ server, command, asgiWorker: false, aiohttpWorker: false, dev, dropped: [] });
const PY_TARGET = /^([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*):([A-Za-z_]\w*(?:\(\))?)$/;

/** What server a command starts (known production servers, aiohttp, fastapi/litestar CLIs, dev servers). */
export function commandServer(argv: string[], env: ReadonlyMap<string, string> = new Map()): Found | undefined {
  const a = unwrap(argv);
  const text = argv.join(' ');
  const reload = a.includes('--reload') || a.some((x) => x.startsWith('--reload='));
  const known: ServerCommand | undefined = parseServerArgv(a);
  // a tracing wrapper (`opentelemetry-instrument gunicorn …`) is not carried over: say so with the options
  const wrappers = argv.slice(0, argv.length - a.length).filter((x) => x !== 'exec' && !x.startsWith('$'));
  if (known) {
    const f: Found = { ...blank(known.server, text, reload), module: known.module, attr: known.attr, importRoot: known.importRoot, asgiWorker: known.asgiWorker, ini: known.ini, config: known.config, dropped: [...wrappers, ...known.dropped] };
    const k = a.indexOf('-k') >= 0 ? a[a.indexOf('-k') + 1] : a.find((x) => x.startsWith('--worker-class='))?.slice(15) ?? (a.indexOf('--worker-class') >= 0 ? a[a.indexOf('--worker-class') + 1] : undefined);
    if (known.server === 'gunicorn' && k && /aiohttp/i.test(k)) f.aiohttpWorker = true;
    return f;
  }
  const prog = program(a);
  if (!prog) return undefined;
  const [name, rest] = prog;
  const target = rest.find((x) => PY_TARGET.test(x));
  const withTarget = (f: Found, factory = false): Found => {
    const m = target ? PY_TARGET.exec(target) : undefined;
    if (m) {
      f.module = m[1];
      f.attr = factory && !m[2]!.endsWith('()') ? `${m[2]}()` : m[2];
    }
    return f;
  };
  switch (name) {
    case 'waitress-serve': case 'waitress': return withTarget(blank('waitress', text, false), rest.includes('--call'));
    case 'granian': return withTarget(blank('granian', text, reload), rest.includes('--factory'));
    case 'aiohttp.web': return withTarget(blank('aiohttp', text, false));
    case 'fastapi': {
      if (rest[0] !== 'run' && rest[0] !== 'dev') return undefined;
      const f = blank('uvicorn', text, rest[0] === 'dev' || reload);
      let path: string | undefined;
      for (let i = 1; i < rest.length; i++) {
        if (/^(--host|--port|--workers|--app|--root-path|--entrypoint|-e)$/.test(rest[i]!)) i++;
        else if (!rest[i]!.startsWith('-')) path ??= rest[i];
      }
      const app = rest.indexOf('--app') >= 0 ? rest[rest.indexOf('--app') + 1] : undefined;
      if (path) f.appFile = path.replace(/^\.\//, '').replace(/\/$/, '');
      if (app) f.attr = app;
      return f;
    }
    case 'litestar': {
      // `litestar [--app X] run …`: the first word that is no option value is the command (`workers run` is the SAQ worker)
      const sub = rest.filter((x, i) => !x.startsWith('-') && !/^--(app|app-dir)$/.test(rest[i - 1] ?? ''))[0];
      if (sub !== 'run') return undefined;
      const app = rest.indexOf('--app') >= 0 ? rest[rest.indexOf('--app') + 1] : env.get('LITESTAR_APP');
      // the server is litestar's: granian with the litestar-granian plugin, else uvicorn (settled by the caller)
      const f = blank('uvicorn', text, reload);
      f.command = `litestar ${rest.join(' ')}`;
      const m = app ? /^([\w.]+):([\w]+(?:\(\))?)$/.exec(app) : undefined;
      if (m) {
        f.module = m[1];
        f.attr = m[2];
      }
      return { ...f, dropped: ['litestar-run'] };
    }
    case 'flask': return rest.includes('run') ? blank('dev', text, true) : undefined;
    case 'make': return undefined;
    default:
      if (a.some((x) => x === 'runserver') && a.some((x) => /(^|\/)manage(\.py)?$/.test(x) || x === 'django-admin')) return blank('dev', text, true);
      return undefined;
  }
}

/** The project file a script reference names: a path as written, or (an image path) the file whose tail matches. */
function projectFile(p: Project, ref: string, base: string): string | undefined {
  const clean = ref.replace(/^\.\//, '');
  const direct = [base ? `${base}/${clean}` : clean, clean].find((f) => !f.startsWith('/') && p.file(f));
  if (direct) return direct;
  const parts = clean.split('/').filter((x) => x !== '' && x !== '.');
  // an image path (`/app/bin/run_web.sh`): the longest tail that names exactly one project file
  for (let k = Math.min(parts.length, 3); k >= 1; k--) {
    const tail = parts.slice(-k).join('/');
    const hits = p.find((f) => f === tail || f.endsWith(`/${tail}`)).filter((f) => !/(^|\/)(node_modules|tests?)\//.test(f));
    if (hits.length === 1) return hits[0];
    if (hits.length > 1) {
      const prod = hits.filter((f) => /prod/i.test(f));
      if (prod.length === 1) return prod[0];
      return undefined;
    }
  }
  return undefined;
}

/** A command that runs a script of the project: `bash x.sh`, `./x.sh`, `/app/bin/run.sh`, `make target`. */
function scriptOf(argv: string[]): string | undefined {
  const a = unwrap(argv);
  if (a.length === 0) return undefined;
  const name = a[0]!.split('/').pop()!;
  if (/^(ba|da|z)?sh$/.test(name)) return a.slice(1).find((x) => !x.startsWith('-'));
  if (a[0]!.includes('/') || /\.(sh|bash)$/.test(a[0]!)) return a[0];
  return undefined;
}

interface Walk { p: Project; out: ServerEvidence[]; seen: Set<string> }

/** The server commands of a shell text (a Procfile line, a script, a RUN-less CMD string), following scripts it runs. */
function scanShell(w: Walk, text: string, file: string, lineBase: number, source: ServerEvidence['source'], dev: boolean, depth: number, env: ReadonlyMap<string, string>): void {
  let script;
  try {
    script = parseShell(text);
  } catch {
    return;
  }
  const steps: StartStep[] = [];
  const base = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
  for (const raw of script.commands) {
    if (raw.substitution) continue;
    const cmd = runTarget(raw) ?? raw;
    const argv = words(cmd);
    const line = lineBase + lineOf(text, raw.span.start) - 1;
    const where = `${file}:${line}`;
    const found = commandServer(argv, env);
    if (found) {
      w.out.push({ ...found, source, where, dev: dev || found.dev, steps: [...steps] });
      continue;
    }
    const ref = scriptOf(argv);
    const target = ref && !ref.includes('$') ? projectFile(w.p, ref, base) : undefined;
    if (target && depth < MAX_SCRIPT_DEPTH && !w.seen.has(target)) {
      w.seen.add(target);
      scanShell(w, w.p.textOf(target), target, 1, source === 'procfile' ? 'procfile' : 'script', dev, depth + 1, env);
      continue;
    }
    if (argv[0] === 'make' && argv[1] && depth < MAX_SCRIPT_DEPTH) {
      const mk = w.p.file(base ? `${base}/Makefile` : 'Makefile');
      const rule = mk && new RegExp(`^${argv[1].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*:[^\\n]*\\n((?:\\t[^\\n]*\\n?)+)`, 'm').exec(mk.text);
      if (rule) scanShell(w, rule[1]!.replace(/^\t@?/gm, ''), mk.path, lineOf(mk.text, rule.index) + 1, source, dev, depth + 1, env);
      continue;
    }
    if (raw.depth === 0 && argv.length > 0 && !TRIVIAL.has(cmd.name) && cmd.name !== '') {
      steps.push({ command: text.slice(raw.span.start, raw.span.end), evidence: where });
    }
  }
}

function fromDockerfiles(w: Walk, installs: ServerInstall[]): void {
  const shallow = projectDockerfiles(w.p).filter((d) => d.path.split('/').length <= 4 && !/(^|\/)tests?\//.test(d.path)).slice(0, MAX_FILES);
  for (const { path, text, parsed } of shallow) {
    if (!text) continue;
    const df = parsed();
    if (!df) continue;
    const stage = finalStage(df);
    if (!stage) continue;
    const dev = DEV_FILE.test(path.split('/').pop()!);
    const env = finalEnv(df, stage);
    for (const instr of df.instructions) {
      if (instr.keyword !== 'RUN') continue;
      for (const c of runScript(instr)?.commands ?? []) {
        const pip = pipInstall(c);
        for (const pkg of pip?.packages ?? []) {
          const m = /^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?(?:==([\w.]+))?$/.exec(pkg.value);
          const name = m?.[1]?.toLowerCase();
          if (name && SERVER_PACKAGES.has(name)) installs.push({ name: name === 'pyuwsgi' ? 'uwsgi' : name, version: m![2], evidence: `${path}:${lineOf(text, instr.span.start)} ${pkg.value}` });
        }
      }
    }
    for (const { instr, cmd } of startCommand(df, stage).commands) {
      const where = `${path}:${lineOf(text, instr.span.start)}`;
      const target = runTarget(cmd) ?? cmd;
      const argv = words(target);
      const found = commandServer(argv, env);
      if (found) {
        w.out.push({ ...found, source: 'dockerfile', where, dev: dev || found.dev, steps: [] });
        continue;
      }
      const ref = scriptOf(argv);
      const file = ref && !ref.includes('$') ? projectFile(w.p, ref, path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '') : undefined;
      if (file && !w.seen.has(file)) {
        w.seen.add(file);
        scanShell(w, w.p.textOf(file), file, 1, 'script', dev, 1, env);
      }
    }
  }
}

function fromCompose(w: Walk): void {
  for (const s of composeServices(w.p)) {
    if (!s.build || !s.command) continue;
    const text = w.p.file(s.file)?.text ?? '';
    const v = s.command.value;
    const cmd = Array.isArray(v) ? v.map((x) => (/^[\w@%+=:,./-]+$/.test(x) ? x : `'${x.replace(/'/g, `'\\''`)}'`)).join(' ') : v;
    const before = w.out.length;
    scanShell(w, cmd, s.file, lineOf(text, s.command.span.start), 'compose', isDevCompose(s.file), 1, new Map());
    for (const e of w.out.slice(before)) e.where = `${s.file}:${lineOf(text, s.command.span.start)}`;
  }
}

/** Config files that name a server: gunicorn's, uWSGI ini files with an app, PasteDeploy `[server:main]`. */
function fromConfigs(w: Walk): void {
  const files = w.p.find((f) => f.split('/').length <= 4 && !/(^|\/)(node_modules|tests?|docs?)\//.test(f)
    && /(^|\/)(gunicorn[\w.-]*\.py|[\w.-]*\.ini|[\w.-]*\.tpl|(prod|production)\.py)$/.test(f)).slice(0, MAX_FILES * 4);
  for (const f of files) {
    const text = w.p.file(f)?.text;
    if (!text) continue;
    if (/\.py$/.test(f)) {
      // a gunicorn config: its settings (bind, workers, worker_class) at top level
      if (!/(^|\/)gunicorn/.test(f) && !/(^|\/)gunicorn\//.test(f)) continue;
      if (!/^(bind|workers|worker_class|wsgi_app)\s*=/m.test(text)) continue;
      const app = /^wsgi_app\s*=\s*["']([\w.]+:[\w]+)["']/m.exec(text);
      const e: ServerEvidence = { ...blank('gunicorn', `gunicorn --config ${f}`, false), source: 'config', where: `${f}:1`, config: f, steps: [] };
      if (/^worker_class\s*=.*uvicorn/im.test(text)) e.asgiWorker = true;
      if (app) [e.module, e.attr] = app[1]!.split(':') as [string, string];
      w.out.push(e);
      continue;
    }
    const uw = /^\[uwsgi\][^[]*?^\s*(?:module|wsgi)\s*=\s*([\w.]+)(?::(\w+))?/ms.exec(text);
    if (uw) {
      w.out.push({ ...blank('uwsgi', `uwsgi --ini ${f}`, false), source: 'config', where: `${f}:${lineOf(text, uw.index)}`, ini: f, module: uw[1], attr: uw[2] ?? 'application', steps: [] });
    }
    const paste = /^\[server:main\][^[]*?^\s*use\s*=\s*egg:(waitress|gunicorn|uvicorn)#main/ms.exec(text);
    if (paste) {
      const line = lineOf(text, paste.index + paste[0].length);
      w.out.push({ ...blank(paste[1] as StartServer, `[server:main] use = egg:${paste[1]}#main`, false), source: 'config', where: `${f}:${line}`, steps: [] });
    }
  }
}

/** `if __name__ == "__main__"` starters and helpers they call: `uvicorn.run(...)`, `web.run_app(...)`, `app.run()`. */
function fromMain(w: Walk): void {
  const files = w.p.find((f) => f.endsWith('.py') && f.split('/').length <= 5 && !/(^|\/)(node_modules|tests?|docs?|\.venv|venv)\//.test(f)).slice(0, 3000);
  for (const f of files) {
    const text = w.p.file(f)?.text;
    if (!text || !/\b(uvicorn\.run|run_app|hypercorn|waitress\.serve|\.run)\(/.test(text)) continue;
    const main = /^if\s+__name__\s*==\s*["']__main__["']/m.test(text) || /(^|\/)__main__\.py$/.test(f);
    const uv = /\buvicorn\.run\(\s*(?:["']([\w.]+):(\w+)["']|(\w+))/.exec(text);
    if (uv) {
      const e: ServerEvidence = { ...blank('uvicorn', uv[0], /reload\s*=\s*True/.test(text)), source: 'main', where: `${f}:${lineOf(text, uv.index)}`, steps: [] };
      if (uv[1]) [e.module, e.attr] = [uv[1], uv[2]!];
      else e.appFile = f;
      w.out.push(e);
      continue;
    }
    const aio = /\bweb\.run_app\(/.exec(text);
    if (aio) {
      w.out.push({ ...blank('aiohttp', 'web.run_app(...)', false), source: 'main', where: `${f}:${lineOf(text, aio.index)}`, appFile: f, steps: [] });
      continue;
    }
    const dev = main ? /^\s+(\w+)\.run\(/m.exec(text.slice(text.search(/^if\s+__name__|$/m))) ?? /^\s+(\w+)\.run\(/m.exec(text) : undefined;
    if (dev) w.out.push({ ...blank('dev', dev[0].trim(), true), source: 'main', where: `${f}:${lineOf(text, text.indexOf(dev[0]))}`, appFile: f, steps: [] });
  }
}

function fromFastapiTable(w: Walk): void {
  for (const pp of pyprojects(w.p)) {
    const tool = (pp.data?.tool ?? {}) as Record<string, Record<string, unknown> | undefined>;
    const ep = tool.fastapi?.entrypoint;
    if (typeof ep !== 'string') continue;
    const m = PY_TARGET.exec(ep);
    const text = w.p.file(pp.path)?.text ?? '';
    const i = text.indexOf('entrypoint');
    w.out.push({ ...blank('uvicorn', `[tool.fastapi] entrypoint = "${ep}"`, false), source: 'fastapi', where: `${pp.path}:${lineOf(text, Math.max(0, i))}`, module: m?.[1], attr: m?.[2], steps: [] });
  }
}

/** Every way the project starts a web server, most trusted first (development setups after the rest). */
export const serverFacts = projectFact((p: Project): ServerFacts => {
  const w: Walk = { p, out: [], seen: new Set() };
  const installs: ServerInstall[] = [];
  const procfile = p.file('Procfile');
  if (procfile) {
    procfile.text.split('\n').forEach((raw, i) => {
      const m = /^web\s*:\s*(.+?)\s*$/.exec(raw);
      if (m) scanShell(w, m[1]!, 'Procfile', i + 1, 'procfile', false, 0, new Map());
    });
  }
  fromDockerfiles(w, installs);
  fromCompose(w);
  fromConfigs(w);
  fromMain(w);
  fromFastapiTable(w);
  const web = w.out.map((e, i) => ({ e, i }))
    .sort((a, b) => Number(a.e.dev) - Number(b.e.dev) || RANK[a.e.source] - RANK[b.e.source] || a.i - b.i)
    .map((x) => x.e);
  return { web, installs };
});
