// The application inside a Python project: what to start and how. Django projects (manage.py + settings), app objects
// (`app = Flask(...)`, `create_app()` factories, FastAPI/Starlette, Celery), `[project.scripts]`, Procfile lines (routes
// are routes.ts's). Read from source text with light patterns: nothing is imported or executed. Used by `pyship init`.
import { parseShell, type ShCommand } from '../dockerfile/shell.js';
import { pyprojects } from './python.js';
import type { Pyproject } from './pyproject.js';
import { projectFact, type Project } from './model.js';
import { appObjects } from './factories.js';
import type { AppCandidate } from './app-object.js';

export interface DjangoApp {
  /** Root-relative path of manage.py. */
  manage: string;
  /** DJANGO_SETTINGS_MODULE default named in manage.py ('' when it names none). */
  settings: string;
  wsgi?: AppCandidate;
  asgi?: AppCandidate;
}

export interface ProcfileLine {
  name: string;
  command: string;
  line: number;
}

export interface AppFacts {
  django?: DjangoApp;
  /** Web and worker app objects found in the code, the most likely first. */
  candidates: AppCandidate[];
  /** `[project.scripts]` of the root pyproject.toml: name → `module:function`. */
  scripts: { name: string; target: string }[];
  /** Procfile process types (web, worker, release…). */
  procfile: ProcfileLine[];
  /** The root pyproject.toml describes an installable project ([project] + a build system, or setup.py). */
  installable: boolean;
  /** Python packages live under `src/`. */
  srcLayout: boolean;
  /** Directories that hold a virtualenv (pyvenv.cfg): never an app's home. */
  venvDirs: string[];
}

const SKIP = /(^|\/)(tests?|testing|docs?|examples?|samples?|migrations|node_modules|site-packages|dist-packages|build|dist|\.[^/]+)\//;
const MAX_PY_FILES = 3000;
const MAX_DEPTH = 4;

const depth = (p: string): number => p.split('/').length - 1;

/** `src/pkg/main.py` → { importRoot: 'src', module: 'pkg.main' }; `app.py` → { '', 'app' }. */
export function moduleOf(file: string, importRoots: readonly string[]): { importRoot: string; module: string } {
  const noExt = file.replace(/\.py$/, '').replace(/\/__init__$/, '');
  const root = [...importRoots].sort((a, b) => b.length - a.length).find((r) => r !== '' && noExt.startsWith(`${r}/`)) ?? '';
  const rel = root ? noExt.slice(root.length + 1) : noExt;
  return { importRoot: root, module: rel.split('/').join('.') };
}


/** Parse a Procfile: `name: command` lines. */
export function parseProcfile(text: string): ProcfileLine[] {
  const out: ProcfileLine[] = [];
  text.split('\n').forEach((raw, i) => {
    const m = /^([A-Za-z0-9_-]+)\s*:\s*(.+?)\s*$/.exec(raw);
    if (m && !raw.startsWith('#')) out.push({ name: m[1]!, command: m[2]!, line: i + 1 });
  });
  return out;
}

function installable(p: Project, pp: Pyproject | undefined): boolean {
  const tool = (pp?.data?.tool ?? {}) as Record<string, Record<string, unknown> | undefined>;
  // the project says it is no package (uv `package = false`, poetry `package-mode = false`)
  if (tool.poetry?.['package-mode'] === false || pp?.uv?.package === false) return false;
  if (p.file('setup.py')) return true;
  // a setup.cfg that only configures tools (flake8, isort, mypy) describes no package
  if (/^\[(metadata|options)\]/m.test(p.file('setup.cfg')?.text ?? '')) return true;
  if (!pp?.data) return false;
  // a [project] table (or poetry's) with a build backend: `pip install .` builds it
  return (pp.data.project !== undefined || pp.poetry !== undefined) && pp.buildSystem !== undefined;
}

function scriptsOf(pp: Pyproject | undefined): { name: string; target: string }[] {
  if (!pp) return [];
  return Object.entries({ ...(pp.poetry?.scripts ?? {}), ...pp.scripts })
    .filter(([, target]) => /^[\w.]+:[\w.]+$/.test(target))
    .map(([name, target]) => ({ name, target }));
}

export const detectApp = projectFact((p: Project): AppFacts => {
  const venvDirs = p.find((f) => f.endsWith('pyvenv.cfg')).map((f) => f.slice(0, -'pyvenv.cfg'.length).replace(/\/$/, ''));
  const inVenv = (f: string): boolean => venvDirs.some((d) => d === '' || f.startsWith(`${d}/`));
  const pyFiles = p.find((f) => f.endsWith('.py') && depth(f) <= MAX_DEPTH && !SKIP.test(f) && !inVenv(f) && !/(^|\/)(test_[^/]*|[^/]*_test|conftest|tasks_test)\.py$|^(setup|noxfile|fabfile)\.py$/.test(f))
    .slice(0, MAX_PY_FILES);
  const srcLayout = pyFiles.some((f) => f.startsWith('src/'));
  const roots = new Set<string>(['']);
  if (srcLayout) roots.add('src');

  // Django: manage.py at the root or one level down
  let django: DjangoApp | undefined;
  const manages = p.find((f) => /(^|\/)manage\.py$/.test(f) && depth(f) <= 1 && !inVenv(f)).sort((a, b) => depth(a) - depth(b));
  for (const manage of manages) {
    const text = p.file(manage)?.text ?? '';
    const m = /DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']/.exec(text);
    // a manage.py with no default leaves DJANGO_SETTINGS_MODULE to the deployment (src/project/django.ts finds it)
    if (!m && !/execute_from_command_line/.test(text)) continue;
    const dir = manage.includes('/') ? manage.slice(0, manage.lastIndexOf('/')) : '';
    roots.add(dir);
    const settings = m?.[1] ?? '';
    const pkg = settings.split('.')[0]!;
    const base = dir ? `${dir}/` : '';
    const find = (name: 'wsgi' | 'asgi', call: string, attr: string): AppCandidate | undefined => {
      const prefer = `${base}${pkg}/${name}.py`;
      const files = [...(pkg ? [prefer] : []), ...pyFiles.filter((f) => f !== prefer && f.startsWith(base) && f.endsWith(`/${name}.py`))];
      for (const f of files) {
        const t = p.file(f)?.text;
        if (!t || !t.includes(call)) continue;
        // `application = ProtocolTypeRouter({"http": django_asgi_app, …})` (Channels) wraps the plain Django app: serve the wrapper
        const a = /^application\s*(?::[^=]+)?=/m.test(t) ? 'application' : new RegExp(`^(\\w+)\\s*=\\s*${call}\\(`, 'm').exec(t)?.[1] ?? attr;
        const at = new RegExp(`^${a}\\s*(?::[^=]+)?=`, 'm').exec(t);
        return { interface: name, framework: 'django', ...moduleOf(f, [dir]), attr: a, file: f, ...(at ? { line: t.slice(0, at.index).split('\n').length } : {}) };
      }
      return undefined;
    };
    // Channels 2's asgi.py: `django.setup()` then `get_default_application()`
    django = { manage, settings, wsgi: find('wsgi', 'get_wsgi_application', 'application'), asgi: find('asgi', 'get_asgi_application', 'application') ?? find('asgi', 'get_default_application', 'application') };
    break;
  }

  let imported: Set<string> | undefined;
  const importedNames = (): Set<string> => (imported ??= new Set(p.find((f) => f.endsWith('.py') && depth(f) <= MAX_DEPTH && !inVenv(f)).slice(0, MAX_PY_FILES)
    .flatMap((f) => [...(p.file(f)?.text ?? '').matchAll(/^\s*(?:from|import)\s+([A-Za-z_]\w*)\./gm)].map((m) => m[1]!))));
  // a file inside a package imports from the directory above its topmost package (`src/py/app/x.py` → `src/py`)
  const pkgRoot = (f: string): string | undefined => {
    let dir = f.includes('/') ? f.slice(0, f.lastIndexOf('/')) : '';
    // a namespace directory the code imports by its own name (`from src.schema import x`): imported from above it
    const top = f.split('/')[0]!;
    if (dir !== '' && !p.file(`${dir}/__init__.py`) && new RegExp(`^\\s*(?:from|import)\\s+${top}\\.`, 'm').test(p.file(f)?.text ?? '')) return '';
    if (dir === '' || !p.file(`${dir}/__init__.py`)) return undefined;
    const chain = [dir];
    while (dir.includes('/') && p.file(`${dir.slice(0, dir.lastIndexOf('/'))}/__init__.py`)) chain.unshift(dir = dir.slice(0, dir.lastIndexOf('/')));
    // the innermost package the code imports by name (`from app.core import x` under src/__init__.py): its parent
    const topPkg = [...chain].reverse().find((d) => importedNames().has(d.split('/').pop()!)) ?? chain[0]!;
    return topPkg.includes('/') ? topPkg.slice(0, topPkg.lastIndexOf('/')) : '';
  };
  const sources = pyFiles.filter((f) => !/^from alembic import context/m.test(p.file(f)?.text ?? '')); // alembic's env.py builds the app to migrate, not to serve
  const candidates: AppCandidate[] = appObjects(p, sources.map((f) => {
    const pr = pkgRoot(f);
    return { path: f, ...(pr === undefined ? moduleOf(f, [...roots]) : pr === '' ? moduleOf(f, ['']) : moduleOf(f, [pr])) };
  })).candidates;
  // the most likely app first: shallow files, conventional names (app.py, main.py, wsgi.py, asgi.py)
  const score = (c: AppCandidate): number =>
    depth(c.file) * 10 - (/(^|\/)(app|main|wsgi|asgi|application|server|api)\.py$/.test(c.file) ? 5 : 0) - (/(^|\/)__init__\.py$/.test(c.file) ? 2 : 0) + (c.attr.endsWith('()') ? 1 : 0);
  candidates.sort((a, b) => score(a) - score(b) || a.file.localeCompare(b.file));
  const rootPp = pyprojects(p).find((x) => x.path === 'pyproject.toml');
  const procfile = p.file('Procfile');
  return {
    django, candidates, scripts: scriptsOf(rootPp), procfile: procfile ? parseProcfile(procfile.text) : [],
    installable: installable(p, rootPp), srcLayout, venvDirs,
  };
});

// ---------------------------------------------------------------------------------------------------------------
// Procfile commands: which server a `web:` line starts and which app it loads, which Celery app a `worker:` runs.

export type ProcServer = 'gunicorn' | 'uvicorn' | 'uwsgi' | 'hypercorn' | 'daphne';

/** What a Procfile `web:` command starts, as far as a plain argv shows it. */
export interface ServerCommand {
  server: ProcServer;
  /** The app as the command names it: `module` and `attr` (attr with `()` for a factory); undefined when not named. */
  module?: string;
  attr?: string;
  /** `gunicorn --chdir DIR`, `--pythonpath DIR`, `uvicorn --app-dir DIR`: where the module is imported from. */
  importRoot?: string;
  /** gunicorn `-k uvicorn.workers.UvicornWorker` (or uvicorn_worker): an ASGI app under gunicorn. */
  asgiWorker: boolean;
  /** gunicorn `-c FILE` / `-c python:module`: the project's own settings. */
  config?: string;
  /** uwsgi reads its app from this ini file. */
  ini?: string;
  /** Options other than binding, port and the app itself (`--workers 3`): the generated config decides those. */
  dropped: string[];
}

/**
 * The words of a simple command line (a Procfile entry), as the shell splits them; undefined when it needs a shell:
 * several commands, pipes, redirects, `$(…)`, control structures or a parse error. `exec` is dropped; `VAR=x` prefixes
 * stay as leading words (the caller refuses them). Parameter expansions such as `$PORT` are kept as written.
 */
export function splitCommand(command: string): string[] | undefined {
  let script;
  try {
    script = parseShell(command);
  } catch {
    return undefined;
  }
  if (script.errors.length > 0 || script.hasPipe || script.statements !== 1 || script.commands.length !== 1) return undefined;
  const [cmd] = script.commands as [ShCommand];
  if (cmd.depth > 0 || cmd.substitution || cmd.background || cmd.redirects.length > 0) return undefined;
  if (cmd.wrappers.some((w) => w !== 'exec') || cmd.argv.some((w) => /\$\(|`/.test(w.raw))) return undefined;
  return [...cmd.assignments.map((a) => `${a.name}=${a.value}`), ...cmd.argv.map((w) => w.value)];
}

/** Options without a value, per server; every other option takes one (`--opt value` or `--opt=value`). */
const NO_VALUE: Record<Exclude<ProcServer, 'uwsgi'>, Set<string>> = {
  gunicorn: new Set(['--reload', '--spew', '--check-config', '--print-config', '--preload', '--no-sendfile', '--reuse-port', '-D', '--daemon',
    '--initgroups', '--capture-output', '--enable-stdio-inheritance', '--proxy-protocol', '--suppress-ragged-eofs', '--do-handshake-on-connect',
    '--strip-header-spaces', '--disable-redirect-access-to-syslog', '--log-syslog', '-R', '-v', '--version', '-h', '--help']),
  uvicorn: new Set(['--reload', '--factory', '--use-colors', '--no-use-colors', '--proxy-headers', '--no-proxy-headers', '--server-header',
    '--no-server-header', '--date-header', '--no-date-header', '--access-log', '--no-access-log', '--version', '--help']),
  hypercorn: new Set(['--debug', '--reload', '--help', '-h', '--version']),
  daphne: new Set(['--proxy-headers', '--no-server-name', '-h', '--help', '--version']),
};
/** Options that only say where to listen: the generated config binds 0.0.0.0:$PORT itself. */
const LISTEN = new Set(['-b', '--bind', '--host', '--port', '-p', '--http', '--http-socket', '--insecure-bind']);
const PY_TARGET = /^([A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*)(?::([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*(?:\(\))?))?$/;

function serverOf(argv: string[]): { server: ProcServer; args: string[] } | undefined {
  let a = argv[0] === 'exec' ? argv.slice(1) : argv;
  if (a[0] && /^python(\d+(\.\d+)?)?$/.test(a[0].split('/').pop()!) && a[1] === '-m') a = a.slice(2);
  const name = a[0]?.split('/').pop();
  const server = name === 'pyuwsgi' ? 'uwsgi' : name;
  if (server === 'gunicorn' || server === 'uvicorn' || server === 'uwsgi' || server === 'hypercorn' || server === 'daphne') return { server, args: a.slice(1) };
  return undefined;
}

/**
 * Read a Procfile-style command that starts a known server: `gunicorn myproj.wsgi --bind 0.0.0.0:$PORT`,
 * `python -m uvicorn app.main:app --host 0.0.0.0 --port $PORT`, `uwsgi --module app:app --http :$PORT`…
 * Undefined when the command starts anything else (or needs a shell).
 */
export function parseServerCommand(command: string): ServerCommand | undefined {
  const argv = splitCommand(command);
  return argv ? parseServerArgv(argv) : undefined;
}

/** parseServerCommand on words already split (a command of a script or a Dockerfile). */
export function parseServerArgv(argv: string[]): ServerCommand | undefined {
  if (argv.length === 0) return undefined;
  const s = serverOf(argv);
  if (!s) return undefined;
  const out: ServerCommand = { server: s.server, asgiWorker: false, dropped: [] };
  const setTarget = (t: string, defaultAttr: string | undefined): void => {
    const m = PY_TARGET.exec(t);
    if (!m) return;
    out.module = m[1]!;
    out.attr = m[2] ?? defaultAttr;
  };
  if (s.server === 'uwsgi') {
    let wsgiFile: string | undefined;
    let callable: string | undefined;
    let explicitAttr = false;
    for (let i = 0; i < s.args.length; i++) {
      const tok = s.args[i]!;
      const eq = tok.indexOf('=');
      const opt = tok.startsWith('-') ? (eq > 0 ? tok.slice(0, eq) : tok) : undefined;
      const value = (): string | undefined => (eq > 0 ? tok.slice(eq + 1) : s.args[i + 1]?.startsWith('-') ? undefined : (i++, s.args[i]));
      if (opt === undefined) {
        if (/\.ini$/.test(tok)) out.ini = tok;
        continue;
      }
      if (opt === '--module' || opt === '-w' || opt === '--wsgi') {
        const v = value() ?? '';
        explicitAttr = v.includes(':');
        setTarget(v, 'application');
      }
      else if (opt === '--wsgi-file' || opt === '--file') wsgiFile = value();
      else if (opt === '--callable') callable = value();
      else if (opt === '--ini') out.ini = value();
      else if (opt === '--chdir' || opt === '--pythonpath') out.importRoot = value()?.replace(/^\.\/|\/$/g, '');
      else if (LISTEN.has(opt) || opt === '--http-socket' || opt === '--socket' || opt === '-s') value();
      else if (eq < 0 && s.args[i + 1] !== undefined && !s.args[i + 1]!.startsWith('-') && !/\.ini$/.test(s.args[i + 1]!)) out.dropped.push(`${tok} ${s.args[++i]}`);
      else out.dropped.push(tok);
    }
    if (!out.module && wsgiFile && /\.py$/.test(wsgiFile) && !wsgiFile.startsWith('/')) {
      setTarget(wsgiFile.replace(/^\.\//, '').replace(/\.py$/, '').split('/').join('.'), callable ?? 'application');
    } else if (out.module && callable && !explicitAttr) out.attr = callable;
    return out;
  }
  const noValue = NO_VALUE[s.server];
  const positionals: string[] = [];
  let factory = false;
  for (let i = 0; i < s.args.length; i++) {
    const tok = s.args[i]!;
    if (tok === '--') {
      positionals.push(...s.args.slice(i + 1));
      break;
    }
    if (!tok.startsWith('-') || tok === '-') {
      positionals.push(tok);
      continue;
    }
    const eq = tok.indexOf('=');
    const opt = eq > 0 ? tok.slice(0, eq) : tok;
    // short options glued to their value: -b0.0.0.0:8000, -w4, -kgevent
    const glued = !tok.startsWith('--') && tok.length > 2 && eq < 0 ? { opt: tok.slice(0, 2), value: tok.slice(2) } : undefined;
    const name = glued?.opt ?? opt;
    let value: string | undefined;
    if (glued) value = glued.value;
    else if (eq > 0) value = tok.slice(eq + 1);
    else if (!noValue.has(name)) value = s.args[++i];
    if (name === '--factory') factory = true;
    else if ((name === '-k' || name === '--worker-class') && value && /uvicorn/i.test(value)) out.asgiWorker = true;
    else if ((name === '-c' || name === '--config') && value) out.config = value;
    else if ((name === '--chdir' || name === '--pythonpath' || name === '--app-dir') && value) out.importRoot = value.replace(/^\.\/|\/$/g, '').replace(/^\.$/, '');
    const kept = (name === '-k' || name === '--worker-class') && value !== undefined && /uvicorn/i.test(value);
    if (!kept && !LISTEN.has(name) && name !== '--factory' && name !== '--chdir' && name !== '--pythonpath' && name !== '--app-dir') {
      out.dropped.push(value !== undefined && !glued && eq < 0 ? `${tok} ${value}` : tok);
    }
  }
  const target = positionals.find((x) => PY_TARGET.test(x));
  if (target) setTarget(target, s.server === 'gunicorn' ? 'application' : s.server === 'hypercorn' ? 'app' : undefined);
  if (factory && out.attr && !out.attr.endsWith('()')) out.attr = `${out.attr}()`;
  if (out.module && out.attr === undefined) out.module = undefined;
  return out;
}

/** The `-A`/`--app` of a `celery … worker` command (`proj`, `proj.celery:app`), or undefined. */
export function celeryWorkerApp(command: string): string | undefined {
  const argv = splitCommand(command);
  if (!argv) return undefined;
  let a = argv[0] === 'exec' ? argv.slice(1) : argv;
  if (a[0] && /^python(\d+(\.\d+)?)?$/.test(a[0].split('/').pop()!) && a[1] === '-m') a = a.slice(2);
  if (a[0]?.split('/').pop() !== 'celery') return undefined;
  let app: string | undefined;
  const positionals: string[] = [];
  for (let i = 1; i < a.length; i++) {
    const tok = a[i]!;
    if (tok === '-A' || tok === '--app') app = a[++i];
    else if (tok.startsWith('--app=')) app = tok.slice(6);
    else if (/^-A./.test(tok)) app = tok.slice(2).replace(/^=/, '');
    else if (!tok.startsWith('-')) positionals.push(tok);
    else if (/^-(l|c|Q|n|P|b|-loglevel|-concurrency|-queues|-hostname|-pool|-broker|-workdir)$/.test(tok)) i++;
  }
  return app && positionals[0] === 'worker' && PY_TARGET.test(app) ? app : undefined;
}
