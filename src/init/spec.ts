// `pyship init`, step 1: the project's facts (src/project/) and the user's options → one InitSpec that every template
// reads. Nothing here guesses silently: an ambiguity is an InitError naming the files and the flag that settles it.
import { celeryWorkerApp, detectApp, parseServerCommand, splitCommand, type AppCandidate, type AppFacts, type ProcfileLine } from '../project/app.js';
import { detectPython, LOCK_FILES, lockPins, requirementsTree, type PackageManager, type PythonFacts } from '../project/python.js';
import type { Project } from '../project/project.js';

export type Server = 'gunicorn' | 'uvicorn' | 'uwsgi' | 'hypercorn' | 'daphne';
export const SERVERS: readonly Server[] = ['gunicorn', 'uvicorn', 'uwsgi', 'hypercorn', 'daphne'];
export const MANAGERS: readonly PackageManager[] = ['pip', 'pip-tools', 'poetry', 'pipenv', 'uv', 'pdm', 'conda'];
export type Debian = 'bookworm' | 'trixie';

/** Python versions pyship init knows images for; the last is the default (the newest stable with broad wheel support). */
export const PYTHON_VERSIONS = ['3.10', '3.11', '3.12', '3.13', '3.14', '3.15'] as const;
/** The newest stable release (3.15.0: October 2026). */
export const DEFAULT_PYTHON = '3.15';
export const END_OF_LIFE: Record<string, string> = { '3.8': '2024-10', '3.9': '2025-10', '3.10': '2026-10' };

/** Tool versions the generated Dockerfiles pin (Dependabot's docker ecosystem keeps the uv image current). */
export const TOOLS = { uv: '0.8.14', poetry: '2.1.3', pdm: '2.22.0', pipenv: '2024.4.0', micromamba: '2.0.5' } as const;

export class InitError extends Error {
  constructor(message: string, readonly hint?: string, readonly choices?: { flag: string; values: string[] }) {
    super(message);
  }
}

export interface InitOptions {
  packageManager?: PackageManager;
  python?: string;
  debian?: Debian;
  /** Replaces the whole base image reference (e.g. a mirror): `registry/python:3.13-slim-trixie`. */
  baseImage?: string;
  /** `sha256:…` of the base image, added as `@digest` (resolved by the command for --pin-digest). */
  digest?: string;
  /** `module:attr` of the web app (or the Celery app for a worker), or a `[project.scripts]` name. */
  entry?: string;
  server?: Server;
  port?: number;
  healthPath?: string;
  requirements?: string;
  syntax?: boolean;
  compile?: boolean;
  debugTools?: boolean;
  ci?: 'github' | 'gitlab' | 'none';
  k8s?: boolean;
  compose?: boolean;
  image?: string;
  /** pyship version the CI files run (`npx pyship@VERSION`). */
  pyshipVersion: string;
}

export interface DepsPlan {
  /** Context-relative files the dependency layer needs, copied before the code. */
  files: string[];
  /** pip / pip-tools: the requirements file to install; conda: the environment file. */
  main?: string;
  /** Every requirement pinned with --hash (pip installs with --require-hashes). */
  hashes: boolean;
}

export type Role = 'web' | 'worker' | 'script';

export interface InitSpec {
  name: string;
  image: string;
  manager: PackageManager;
  python: { version: string; source: string; image: string; codename: Debian };
  deps: DepsPlan;
  role: Role;
  /** The app object served (web) or the Celery app (worker). */
  app?: AppCandidate;
  server?: Server;
  /** What the container runs (CMD, exec form). */
  command: string[];
  port: number;
  healthPath: string;
  /** HEALTHCHECK CMD argv (exec form), if any. */
  healthcheck?: string[];
  /** Context-relative directory Python imports the app from ('' = /app), added to PYTHONPATH when not ''. */
  importRoot: string;
  /** `pip install .` the project itself (a package with a build backend). */
  installProject: boolean;
  runtimePackages: string[];
  buildPackages: string[];
  django?: { settings: string; manageDir: string };
  /** A Celery app beside the web app: compose gets a worker service. */
  celery?: AppCandidate;
  /** The broker a Celery worker needs (redis when the redis client is a dependency, else RabbitMQ, Celery's default). */
  broker?: 'redis' | 'rabbitmq';
  syntax: boolean;
  compile: boolean;
  debugTools: boolean;
  ci: 'github' | 'gitlab' | 'none';
  k8s: boolean;
  compose: boolean;
  pyshipVersion: string;
  /** "what was detected" lines for the summary. */
  detected: string[];
  /** Things the user should know (EOL Python, ALLOWED_HOSTS…). */
  notes: string[];
  /** Files the generated ones read: the server config file name (gunicorn.conf.py…), if any. */
  serverConfig?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// System libraries: runtime libraries of packages that link to them, and what building them from source needs.

interface SysDeps { runtime: Partial<Record<Debian, string[]>> & { all?: string[] }; build: string[]; sourceOnly?: boolean }

export const SYSTEM_LIBS: Record<string, SysDeps> = {
  psycopg2: { runtime: { all: ['libpq5'] }, build: ['gcc', 'libc6-dev', 'libpq-dev'], sourceOnly: true },
  psycopg: { runtime: { all: ['libpq5'] }, build: [] },
  'psycopg-c': { runtime: { all: ['libpq5'] }, build: ['gcc', 'libc6-dev', 'libpq-dev'], sourceOnly: true },
  mysqlclient: { runtime: { all: ['libmariadb3'] }, build: ['gcc', 'libc6-dev', 'libmariadb-dev', 'pkg-config'], sourceOnly: true },
  lxml: { runtime: { all: ['libxml2', 'libxslt1.1'] }, build: [] },
  'python-ldap': { runtime: { bookworm: ['libldap-2.5-0', 'libsasl2-2'], trixie: ['libldap2', 'libsasl2-2'] }, build: ['gcc', 'libc6-dev', 'libldap2-dev', 'libsasl2-dev'], sourceOnly: true },
  uwsgi: { runtime: { all: ['libxml2'] }, build: ['gcc', 'libc6-dev', 'libxml2-dev'], sourceOnly: true },
  'mod-wsgi': { runtime: { all: ['apache2'] }, build: ['gcc', 'libc6-dev', 'apache2-dev'], sourceOnly: true },
  weasyprint: { runtime: { all: ['libpango-1.0-0', 'libpangoft2-1.0-0', 'libharfbuzz-subset0'] }, build: [] },
  cairosvg: { runtime: { all: ['libcairo2'] }, build: [] },
  pycairo: { runtime: { all: ['libcairo2'] }, build: ['gcc', 'libc6-dev', 'libcairo2-dev', 'pkg-config'], sourceOnly: true },
  'python-magic': { runtime: { all: ['libmagic1'] }, build: [] },
  pyodbc: { runtime: { all: ['unixodbc'] }, build: [] },
  gdal: { runtime: { bookworm: ['libgdal32'], trixie: ['libgdal36'] }, build: ['gcc', 'g++', 'libgdal-dev'], sourceOnly: true },
  'pygraphviz': { runtime: { all: ['libgraphviz-dev'] }, build: ['gcc', 'libc6-dev', 'libgraphviz-dev'], sourceOnly: true },
};

function libsFor(names: Set<string>, codename: Debian): { runtime: string[]; build: string[] } {
  const runtime = new Set<string>();
  const build = new Set<string>();
  for (const [pkg, deps] of Object.entries(SYSTEM_LIBS)) {
    if (!names.has(pkg)) continue;
    for (const r of [...(deps.runtime.all ?? []), ...(deps.runtime[codename] ?? [])]) runtime.add(r);
    for (const b of deps.build) build.add(b);
  }
  return { runtime: [...runtime].sort(), build: [...build].sort() };
}

// ---------------------------------------------------------------------------------------------------------------

const base = (p: string): string => p.split('/').pop()!;

function chooseManager(py: PythonFacts, forced: PackageManager | undefined): PackageManager {
  if (forced) return forced;
  const lockTools = [...new Set(py.lockFiles.map((f) => LOCK_FILES[base(f)]!))];
  const reqs = py.requirements.filter((r) => !r.path.includes('/') || /^requirements\//.test(r.path));
  if (lockTools.length > 1) {
    throw new InitError(`several lock files: ${py.lockFiles.join(', ')}`,
      'keep the one your team uses (delete the others), or pass --package-manager', { flag: '--package-manager', values: lockTools });
  }
  const missing = py.ambiguities.filter((a) => /no (poetry|pdm|uv)\.lock|without Pipfile\.lock/.test(a));
  if (lockTools.length === 0 && missing.length > 0) {
    const tool = /poetry/.test(missing[0]!) ? 'poetry lock' : /pdm/.test(missing[0]!) ? 'pdm lock' : /uv/.test(missing[0]!) ? 'uv lock' : 'pipenv lock';
    throw new InitError(`${missing[0]}: the image would install whatever versions resolve on build day`,
      `run \`${tool}\` and commit the lock file${reqs.some((r) => r.path.endsWith('.txt')) ? ', or pass --package-manager pip to install from the requirements file' : ''}`);
  }
  if (lockTools.length === 1) {
    const tool = lockTools[0]!;
    if (reqs.some((r) => r.path.endsWith('.txt')) && !py.requirements.every((r) => /export|generated by|poetry export|uv export|pdm export/i.test(r.text.slice(0, 400)))) {
      throw new InitError(`both ${py.lockFiles[0]} and ${reqs.find((r) => r.path.endsWith('.txt'))!.path} define the dependencies`,
        `pass --package-manager ${tool} (install from the lock file) or --package-manager pip (from the requirements file)`,
        { flag: '--package-manager', values: [tool, 'pip'] });
    }
    return tool;
  }
  if (py.condaEnvs.length > 0) return 'conda';
  if (py.managers.includes('pip-tools')) return 'pip-tools';
  if (reqs.some((r) => r.path.endsWith('.txt'))) return 'pip';
  if (py.pyprojects.some((pp) => pp.dependencies.length > 0)) {
    throw new InitError('pyproject.toml lists dependencies but nothing locks their versions',
      'lock them (`uv lock`, or `pip-compile --generate-hashes -o requirements.txt pyproject.toml`) and run pyship init again');
  }
  throw new InitError('no dependency manifest found (requirements.txt, pyproject.toml, Pipfile, environment.yml)',
    'add one, or run pyship init in the directory of the Python project');
}

function requirementsFile(p: Project, py: PythonFacts, forced: string | undefined): string {
  if (forced) {
    if (!p.file(forced)) throw new InitError(`--requirements ${forced}: no such file`);
    return forced;
  }
  const txt = py.requirements.map((r) => r.path).filter((f) => f.endsWith('.txt') && !/(^|\/)(dev|test|tests|docs|lint|ci)[\w-]*\.txt$|-(dev|test|tests|docs|lint)\.txt$/.test(f));
  for (const prefer of ['requirements.txt', 'requirements/production.txt', 'requirements/prod.txt', 'requirements/base.txt', 'requirements/main.txt']) {
    if (txt.includes(prefer)) return prefer;
  }
  const top = txt.filter((f) => !f.includes('/') || f.startsWith('requirements/'));
  if (top.length === 1) return top[0]!;
  if (top.length === 0) throw new InitError('pip project without a requirements file to install', 'pass --requirements FILE');
  throw new InitError(`several requirements files: ${top.join(', ')}`, 'pass --requirements FILE (the one production installs)', { flag: '--requirements', values: top });
}

function depsPlan(p: Project, py: PythonFacts, manager: PackageManager, opts: InitOptions): DepsPlan {
  const need = (files: string[]): string[] => {
    for (const f of files) if (!p.file(p.fromContext(f))) throw new InitError(`${manager} project without ${f}`, `create it (or pass --package-manager)`);
    return files;
  };
  switch (manager) {
    case 'pip':
    case 'pip-tools': {
      const main = requirementsFile(p, py, opts.requirements);
      const tree = requirementsTree((f) => p.file(p.fromContext(f))?.text, main);
      const files = [...new Set(tree.files.map((f) => f.file.path))];
      const reqs = tree.files.flatMap((f) => f.file.requirements);
      const hashes = reqs.length > 0 && reqs.every((r) => r.hashes.length > 0);
      return { files: files.length > 0 ? files : [main], main, hashes };
    }
    case 'poetry': return { files: need(['pyproject.toml', 'poetry.lock']), hashes: true };
    case 'uv': return { files: need(['pyproject.toml', 'uv.lock']), hashes: true };
    case 'pdm': return { files: need(['pyproject.toml', 'pdm.lock']), hashes: true };
    case 'pipenv': return { files: need(['Pipfile', 'Pipfile.lock']), hashes: true };
    case 'conda': {
      const lock = p.find((f) => f === 'conda-lock.yml')[0];
      const env = lock ?? py.condaEnvs.map((e) => e.path).sort((a, b) => a.length - b.length)[0];
      if (!env) throw new InitError('conda project without environment.yml or conda-lock.yml');
      return { files: [env], main: env, hashes: lock !== undefined };
    }
  }
}

/** `>=3.10,<3.13` / `^3.11` / `3.12.4` / `~=3.11` → the newest known minor the constraint allows. */
export function pythonFromConstraint(value: string): string | undefined {
  const v = value.trim().replace(/^python-?/, '');
  const exact = /^(\d+)\.(\d+)(?:\.[\d*]+)?(?:[a-z]+\d*)?$/.exec(v);
  if (exact) return `${exact[1]}.${exact[2]}`;
  const minors = [8, 9, ...PYTHON_VERSIONS.map((x) => Number(x.split('.')[1]))].filter((m, i, a) => a.indexOf(m) === i);
  const allowed = minors.filter((minor) => v.split(/\s*,\s*|\s+/).filter(Boolean).every((c) => satisfies(minor, c)));
  const known = allowed.filter((m) => PYTHON_VERSIONS.includes(`3.${m}` as (typeof PYTHON_VERSIONS)[number]));
  const pick = known.length > 0 ? known : allowed;
  return pick.length > 0 ? `3.${Math.max(...pick)}` : undefined;
}

function satisfies(minor: number, c: string): boolean {
  const m = /^(===|>=|<=|==|!=|~=|>|<|\^|~)?\s*(\d+)(?:\.(\d+|\*))?(?:\.(\d+|\*))?/.exec(c);
  if (!m) return true;
  const op = m[1] ?? '==';
  const major = Number(m[2]);
  // another major: `<4`, `<4.0` allow every 3.x, `>=4` none
  if (major !== 3) return major > 3 ? op === '<' || op === '<=' || op === '!=' : op === '>' || op === '>=' || op === '!=';
  const mm = m[3] === undefined || m[3] === '*' ? undefined : Number(m[3]);
  const patch = m[4] !== undefined && m[4] !== '*' ? Number(m[4]) : 0;
  if (mm === undefined) return op !== '!=' && op !== '<';
  switch (op) {
    case '>=': return minor >= mm;
    case '>': return patch > 0 ? minor >= mm : minor > mm;
    case '<': return minor < mm || (minor === mm && patch > 0);
    case '<=': return minor <= mm;
    // `!=3.13` and `!=3.13.*` rule the minor out; `!=3.13.1` only one release of it
    case '!=': return (m[4] !== undefined && m[4] !== '*') || minor !== mm;
    case '~=': return m[4] !== undefined ? minor === mm : minor >= mm;
    case '^': return minor >= mm;
    case '~': return minor === mm;
    default: return minor === mm;
  }
}

/** Every declared dependency name (normalized), for server and library detection. */
function dependencyNames(py: PythonFacts, deps: DepsPlan, p: Project): Set<string> {
  const names = new Set<string>();
  const add = (n: string | undefined): void => void (n && names.add(n));
  for (const r of py.requirements) for (const q of r.requirements) add(q.name);
  for (const pp of py.pyprojects) {
    for (const d of [...pp.dependencies, ...Object.values(pp.optionalDependencies).flat(), ...(pp.poetry?.dependencies ?? [])]) add(d.name);
  }
  for (const pf of py.pipfiles) for (const d of pf.packages) add(d.name);
  for (const e of py.condaEnvs) {
    for (const d of e.dependencies) add(d.name);
    for (const d of e.pip) add(d.name);
  }
  // lock files name the transitive ones too (uvicorn under fastapi[standard], psycopg2 under a Django extra…)
  for (const f of deps.files) for (const n of lockPins(p, p.fromContext(f))?.keys() ?? []) names.add(n);
  return names;
}

function chooseServer(kind: 'wsgi' | 'asgi', names: Set<string>, forced: Server | undefined, what: string): Server {
  if (forced) return forced;
  const has = (n: string): boolean => names.has(n);
  const order: Server[] = kind === 'wsgi'
    ? ['gunicorn', 'uwsgi']
    : has('gunicorn') && has('uvicorn') ? ['gunicorn'] : ['uvicorn', 'hypercorn', 'daphne'];
  const found = order.find((s) => has(s) || (s === 'uwsgi' && has('pyuwsgi')));
  if (found) return found;
  const add = kind === 'wsgi' ? 'gunicorn' : 'uvicorn';
  throw new InitError(`${what} needs a production ${kind.toUpperCase()} server, and none is among the dependencies`,
    `add ${add} to the dependencies and lock them again (or pass --server if it is installed another way)`);
}

interface Choice { app: AppCandidate; role: Role }

function chooseApp(p: Project, app: AppFacts, names: Set<string>, opts: InitOptions, procCelery?: AppCandidate): { choice?: Choice; script?: { name: string; target: string } } {
  const web = app.candidates.filter((c) => c.interface !== 'celery');
  const celery = procCelery ? [procCelery] : app.candidates.filter((c) => c.interface === 'celery');
  if (opts.entry) {
    const script = app.scripts.find((s) => s.name === opts.entry);
    if (script) return { script };
    const m = /^([\w.]+):([\w.]+(?:\(\))?)$/.exec(opts.entry);
    if (!m) throw new InitError(`--entry ${opts.entry}: expected module:attribute (e.g. app.main:app) or a [project.scripts] name`);
    const known = app.candidates.find((c) => c.module === m[1] && c.attr === m[2]);
    if (known) return { choice: { app: known, role: known.interface === 'celery' ? 'worker' : 'web' } };
    const django = app.django && [app.django.wsgi, app.django.asgi].find((c) => c?.module === m[1]);
    if (django) return { choice: { app: { ...django, attr: m[2]! }, role: 'web' } };
    const asgi = /fastapi|starlette|quart|litestar|channels/.test([...names].join(' ')) && !names.has('flask') && !names.has('django');
    const manageDir = app.django?.manage.includes('/') ? app.django.manage.slice(0, app.django.manage.lastIndexOf('/')) : undefined;
    const roots = ['', ...(manageDir ? [manageDir] : []), ...(app.srcLayout ? ['src'] : [])];
    const target = resolveTarget(p, app, roots, m[1]!, m[2]!, asgi ? 'asgi' : 'wsgi');
    if (!target) {
      const rel = m[1]!.split('.').join('/');
      throw new InitError(`--entry ${opts.entry}: the project has no ${rel}.py or ${rel}/__init__.py${app.srcLayout ? ' (nor under src/)' : ''}`,
        'name the module as Python imports it from the project directory, e.g. --entry app.main:app');
    }
    return { choice: { app: target, role: target.interface === 'celery' ? 'worker' : 'web' } };
  }
  if (app.django) {
    const d = app.django;
    const asgiServer = (names.has('channels') || (!names.has('gunicorn') && !names.has('uwsgi') && (names.has('uvicorn') || names.has('daphne') || names.has('hypercorn'))));
    const pick = (asgiServer ? d.asgi ?? d.wsgi : d.wsgi ?? d.asgi);
    if (!pick) throw new InitError(`${d.manage} names ${d.settings}, but there is no wsgi.py or asgi.py with get_wsgi_application()/get_asgi_application()`, 'pass --entry MODULE:application');
    return { choice: { app: pick, role: 'web' } };
  }
  if (web.length === 1) return { choice: { app: web[0]!, role: 'web' } };
  if (web.length > 1) {
    const values = web.map((c) => `${c.module}:${c.attr}`);
    throw new InitError(`several app objects could be the web app: ${values.slice(0, 6).join(', ')}`, 'pass --entry MODULE:ATTR', { flag: '--entry', values });
  }
  if (celery.length === 1) return { choice: { app: celery[0]!, role: 'worker' } };
  if (celery.length > 1) {
    const values = celery.map((c) => `${c.module}:${c.attr}`);
    throw new InitError(`several Celery apps: ${values.join(', ')}`, 'pass --entry MODULE:ATTR', { flag: '--entry', values });
  }
  if (app.scripts.length === 1) return { script: app.scripts[0]! };
  if (app.scripts.length > 1) {
    const values = app.scripts.map((s) => s.name);
    throw new InitError(`several [project.scripts]: ${values.join(', ')}`, 'pass --entry NAME', { flag: '--entry', values });
  }
  throw new InitError('found no app to start: no Django manage.py, no Flask/FastAPI/Starlette/Celery app object, no [project.scripts]',
    'pass --entry MODULE:ATTR (the WSGI/ASGI app) or --entry NAME (a [project.scripts] entry)');
}

// ---------------------------------------------------------------------------------------------------------------
// Procfile: a `web:` line that starts a known server decides the server and the app; anything else is the user's to
// name with --entry (its command is never copied into a shell-form CMD). A `worker: celery -A X worker` line names
// the Celery app of compose's worker service.

interface ProcfileWeb {
  line: ProcfileLine;
  choice?: Choice;
  server?: Server;
  script?: { name: string; target: string };
  /** Options of the Procfile command the generated config replaces. */
  dropped: string[];
}

const fileOfModule = (p: Project, root: string, module: string): string | undefined => {
  const rel = module.split('.').join('/');
  const prefix = root ? `${root}/` : '';
  return [`${prefix}${rel}.py`, `${prefix}${rel}/__init__.py`].find((f) => p.file(p.fromContext(f)) !== undefined);
};

/** An app candidate for `module:attr` as a command imports it from `roots` (the detected one when it matches). */
function resolveTarget(p: Project, app: AppFacts, roots: string[], module: string, attr: string, iface: AppCandidate['interface']): AppCandidate | undefined {
  const known = [...app.candidates, ...(app.django ? [app.django.wsgi, app.django.asgi] : [])].filter((c): c is AppCandidate => c !== undefined);
  for (const root of roots) {
    const file = fileOfModule(p, root, module);
    if (!file || app.venvDirs.some((d) => d === '' || file.startsWith(`${d}/`))) continue;
    const hit = known.find((c) => c.file === file && (c.attr === attr || c.attr === `${attr}()` || `${c.attr}()` === attr));
    if (hit) return { ...hit, module, attr: hit.attr.endsWith('()') || attr.endsWith('()') ? hit.attr.replace(/(\(\))?$/, '()') : hit.attr, importRoot: root };
    // not among the detected apps: the file's text tells the framework (and so the interface) when it can
    const text = p.file(p.fromContext(file))?.text ?? '';
    const seen: [RegExp, AppCandidate['framework'], AppCandidate['interface']][] = [
      [/\bCelery\(/, 'celery', 'celery'], [/get_wsgi_application/, 'django', 'wsgi'], [/get_asgi_application/, 'django', 'asgi'],
      [/\bFastAPI\(/, 'fastapi', 'asgi'], [/\bStarlette\(/, 'starlette', 'asgi'], [/\bQuart\(/, 'quart', 'asgi'], [/\bFlask\(/, 'flask', 'wsgi'],
    ];
    const hint = seen.find(([re, , i]) => re.test(text) && (iface === 'celery') === (i === 'celery'));
    const framework = hint?.[1] ?? (iface === 'celery' ? 'celery' : iface === 'asgi' ? 'fastapi' : 'flask');
    return { interface: hint?.[2] ?? iface, framework, module, attr, file, importRoot: root };
  }
  return undefined;
}

/** uwsgi started with an ini file: its `module =` (or `wsgi-file` + `callable`). */
function uwsgiIniTarget(p: Project, ini: string): { module: string; attr: string } | undefined {
  const text = p.file(p.fromContext(ini.replace(/^\.\//, '')))?.text;
  if (!text) return undefined;
  const get = (k: string): string | undefined => new RegExp(`^\\s*${k}\\s*=\\s*(\\S+)\\s*$`, 'm').exec(text)?.[1];
  const module = get('module') ?? get('wsgi');
  const callable = get('callable');
  if (module) {
    const [m, a] = module.split(':');
    return { module: m!, attr: a ?? callable ?? 'application' };
  }
  const file = get('wsgi-file');
  if (file && /\.py$/.test(file) && !file.startsWith('/')) return { module: file.replace(/^\.\//, '').replace(/\.py$/, '').split('/').join('.'), attr: callable ?? 'application' };
  return undefined;
}

function procfileWeb(p: Project, app: AppFacts, names: Set<string>, opts: InitOptions): ProcfileWeb | undefined {
  const line = app.procfile.find((l) => l.name === 'web');
  if (!line || opts.entry) return undefined;
  const where = `Procfile line ${line.line}: web: \`${line.command}\``;
  const entries = [
    ...[app.django?.wsgi, app.django?.asgi].filter((c): c is AppCandidate => c !== undefined).map((c) => `${c.module}:${c.attr}`),
    ...app.candidates.filter((c) => c.interface !== 'celery').map((c) => `${c.module}:${c.attr}`),
    ...app.scripts.map((x) => x.name),
  ];
  const choices = entries.length > 0 ? { flag: '--entry', values: entries } : undefined;
  const cmd = parseServerCommand(line.command);
  if (!cmd) {
    const argv = splitCommand(line.command);
    const script = argv?.length === 1 ? app.scripts.find((x) => x.name === argv[0]) : undefined;
    if (script) return { line, script, dropped: [] };
    throw new InitError(`${where} does not start a server pyship init knows (gunicorn, uvicorn, uwsgi, hypercorn, daphne)`,
      'pass --entry MODULE:ATTR (the WSGI/ASGI app, with --server) or --entry NAME (a [project.scripts] entry); pyship never copies a Procfile command into the image, which runs the app in exec form without a shell', choices);
  }
  let module = cmd.module;
  let attr = cmd.attr;
  if (!module && cmd.ini) ({ module, attr } = uwsgiIniTarget(p, cmd.ini) ?? {});
  if (!module || !attr) {
    throw new InitError(`${where} starts ${cmd.server} without naming the app as MODULE:ATTR`, 'pass --entry MODULE:ATTR', choices);
  }
  const iface = cmd.server === 'uvicorn' || cmd.server === 'hypercorn' || cmd.server === 'daphne' || cmd.asgiWorker ? 'asgi' : 'wsgi';
  const manageDir = app.django?.manage.includes('/') ? app.django.manage.slice(0, app.django.manage.lastIndexOf('/')) : undefined;
  const roots = cmd.importRoot !== undefined ? [cmd.importRoot] : ['', ...(manageDir ? [manageDir] : []), ...(app.srcLayout ? ['src'] : [])];
  const target = resolveTarget(p, app, roots, module, attr, iface);
  if (!target) {
    throw new InitError(`${where} serves ${module}:${attr}, but there is no ${module.split('.').join('/')}.py in the project${cmd.importRoot ? ` under ${cmd.importRoot}/` : ''}`,
      'fix the Procfile, or pass --entry MODULE:ATTR', choices);
  }
  const server: Server = opts.server ?? cmd.server;
  if (!opts.server) {
    const has = names.has(server) || (server === 'uwsgi' && names.has('pyuwsgi'));
    if (!has) throw new InitError(`${where} starts ${server}, which is not among the dependencies`, `add ${server} to the dependencies and lock them again (or pass --server if it is installed another way)`);
    if (cmd.asgiWorker && !names.has('uvicorn') && !names.has('uvicorn-worker')) {
      throw new InitError(`${where} runs uvicorn workers under gunicorn, but uvicorn is not among the dependencies`, 'add uvicorn to the dependencies and lock them again');
    }
  }
  return { line, server, choice: { app: target, role: 'web' }, dropped: cmd.dropped };
}

/** The Celery app a Procfile `celery … worker` line runs: resolved as Celery resolves `-A` (X.app, X.celery, X.celery:app). */
function procfileCelery(p: Project, app: AppFacts): { line: ProcfileLine; value: string; app?: AppCandidate } | undefined {
  const lines = app.procfile.filter((l) => l.name !== 'web' && celeryWorkerApp(l.command) !== undefined);
  const line = lines.find((l) => l.name === 'worker') ?? lines[0];
  if (!line) return undefined;
  const value = celeryWorkerApp(line.command)!;
  const celeries = app.candidates.filter((c) => c.interface === 'celery');
  if (value.includes(':')) {
    const [module, attr] = value.split(':') as [string, string];
    return { line, value, app: celeries.find((c) => c.module === module && c.attr === attr) ?? resolveTarget(p, app, ['', ...(app.srcLayout ? ['src'] : [])], module, attr, 'celery') };
  }
  const found = celeries.find((c) => c.module === value && (c.attr === 'app' || c.attr === 'celery'))
    ?? celeries.find((c) => c.module === `${value}.celery` && (c.attr === 'app' || c.attr === 'celery'))
    ?? (celeries.filter((c) => c.module === value).length === 1 ? celeries.find((c) => c.module === value) : undefined);
  return { line, value, app: found };
}

/**
 * A Celery worker's health: it answers a ping through its broker (this worker only, by its default node name). One
 * line on failure instead of a traceback; 2 s for the answer, so an early probe does not hold the start.
 */
export function celeryHealthcheck(c: AppCandidate): string[] {
  const attr = c.attr.replace(/\(\)$/, '');
  return ['python', '-c', [
    'import socket, sys',
    `from ${c.module} import ${attr} as app`,
    'node = "celery@" + socket.gethostname()',
    'try:',
    '    answered = app.control.ping(destination=[node], timeout=2)',
    'except Exception as e:',
    '    sys.exit(f"celery ping through the broker failed: {e}")',
    'sys.exit(0 if answered else f"no answer from {node}")',
  ].join('\n')];
}

const healthArgv = (path: string, port: number): string[] => ['python', '-c',
  `import os, urllib.request; urllib.request.urlopen("http://127.0.0.1:%s${path}" % os.environ.get("PORT", "${port}"), timeout=4)`];

/** Build the spec, or throw InitError. `p` is the project at the build context (the directory init writes to). */
export function buildSpec(p: Project, opts: InitOptions): InitSpec {
  const py = detectPython(p);
  const app = detectApp(p);
  const detected: string[] = [];
  const notes: string[] = [];
  const manager = chooseManager(py, opts.packageManager);
  const deps = depsPlan(p, py, manager, opts);
  detected.push(`package manager: ${manager} (${deps.files.join(', ')}${deps.hashes && (manager === 'pip' || manager === 'pip-tools') ? ', with hashes' : ''})`);

  // Python
  let version: string | undefined = opts.python;
  let source = '--python';
  if (!version && py.pythonVersion) {
    version = pythonFromConstraint(py.pythonVersion.value);
    source = py.pythonVersion.source;
    if (!version) throw new InitError(`${py.pythonVersion.source} asks for Python ${py.pythonVersion.value}, which no known version satisfies`, 'pass --python 3.X');
  }
  if (!version) {
    version = DEFAULT_PYTHON;
    source = 'default: no .python-version, requires-python or runtime.txt';
    notes.push(`the project names no Python version: the image uses ${DEFAULT_PYTHON}, the newest stable; pin the one you test with in .python-version (or requires-python) and run pyship init again`);
  }
  if (!/^3\.\d+$/.test(version)) {
    const v = pythonFromConstraint(version);
    if (!v) throw new InitError(`--python ${version}: expected a version like 3.13`);
    version = v;
  }
  if (END_OF_LIFE[version]) notes.push(`Python ${version} reached end of life in ${END_OF_LIFE[version]}: it gets no security fixes; move to ${DEFAULT_PYTHON}`);
  // micromamba's images (the conda build stage) are published for bookworm
  const codename: Debian = opts.debian ?? (manager === 'conda' ? 'bookworm' : 'trixie');
  let image = opts.baseImage ?? `python:${version}-slim-${codename}`;
  if (opts.digest) image = `${image.replace(/@sha256:[0-9a-f]+$/, '')}@${opts.digest}`;
  detected.push(manager === 'conda'
    ? `python: ${version} (${source}), from the conda environment; images mambaorg/micromamba (build) and debian:${codename}-slim (run)`
    : `python: ${version} (${source}) → ${image}`);

  const names = dependencyNames(py, deps, p);
  const proc = procfileWeb(p, app, names, opts);
  const procWorker = procfileCelery(p, app);
  if (procWorker && !procWorker.app) {
    notes.push(`Procfile line ${procWorker.line.line} runs the Celery app ${procWorker.value}, and pyship found no Celery(...) object there: compose.yaml has no worker service; add one by hand`);
  }
  const { choice, script } = proc ? { choice: proc.choice, script: proc.script } : chooseApp(p, app, names, opts, procWorker?.app);
  if (proc) {
    const what = proc.script ? `[project.scripts] ${proc.script.name}, serving HTTP` : `${proc.server} serving ${proc.choice!.app.module}:${proc.choice!.app.attr}`;
    detected.push(`Procfile line ${proc.line.line} decides: web: \`${proc.line.command}\` → ${what}`);
    if (proc.dropped.length > 0) notes.push(`Procfile web options not carried over (the generated server config sets workers, logs and timeouts): ${proc.dropped.join(' ')}`);
  }
  if (procWorker?.app) detected.push(`Procfile line ${procWorker.line.line} decides the Celery app: ${procWorker.app.module}:${procWorker.app.attr}`);
  let role: Role = choice?.role ?? 'script';
  let server: Server | undefined;
  let command: string[] = [];
  let serverConfig: string | undefined;
  const port = opts.port ?? 8000;
  // a script serves HTTP when --port says so, or when it is the Procfile's web process
  const scriptServes = opts.port !== undefined || proc?.script !== undefined;
  if (port < 1024 || port > 65535) throw new InitError(`--port ${port}: use a port from 1024 to 65535 (ports below 1024 need root or a capability)`);
  let healthPath = opts.healthPath ?? app.healthPaths[0] ?? '/';
  if (!healthPath.startsWith('/')) healthPath = `/${healthPath}`;
  let importRoot = choice?.app.importRoot ?? '';
  let django: InitSpec['django'];
  let celery: AppCandidate | undefined;

  if (choice && role === 'web') {
    const a = choice.app;
    const iface = a.interface === 'asgi' ? 'asgi' : 'wsgi';
    // an --entry whose file names no framework: say what is known (its interface), not a guessed framework
    const named = a.framework === 'django' || app.candidates.some((c) => c.file === a.file && c.attr.replace(/\(\)$/, '') === a.attr.replace(/\(\)$/, ''))
      || new RegExp(`\\b${{ flask: 'Flask', quart: 'Quart', fastapi: 'FastAPI', starlette: 'Starlette', litestar: 'Litestar', falcon: 'falcon', celery: 'Celery', django: 'get_' }[a.framework]}`).test(p.file(p.fromContext(a.file))?.text ?? '');
    const what = a.framework === 'django' ? 'Django' : named ? `the ${a.framework} app ${a.module}:${a.attr}` : `the ${iface.toUpperCase()} app ${a.module}:${a.attr}`;
    server = proc?.server ?? chooseServer(iface, names, opts.server, what);
    // uvicorn and daphne serve ASGI only, uWSGI WSGI only; hypercorn serves both, but is no default for a WSGI app
    const forced = opts.server !== undefined || proc?.server !== undefined;
    if (iface === 'wsgi' && (server === 'uvicorn' || server === 'daphne' || (server === 'hypercorn' && !forced))) {
      throw new InitError(`${what} is a WSGI app; ${server} serves ASGI`, 'pass --server gunicorn (and add it to the dependencies)');
    }
    if (a.attr.endsWith('()') && (server === 'uwsgi' || server === 'daphne')) {
      throw new InitError(`${what} is an app factory, and ${server} cannot call one`,
        `add a module that calls it (e.g. wsgi.py: \`app = ${a.attr.slice(0, -2)}()\`) and pass --entry wsgi:app, or pass --server ${server === 'uwsgi' ? 'gunicorn' : 'uvicorn'}`);
    }
    if (iface === 'asgi' && server === 'uwsgi') {
      throw new InitError(`${what} is an ASGI app; uWSGI serves WSGI`, 'pass --server uvicorn (or gunicorn with uvicorn workers), and add it to the dependencies');
    }
    detected.push(`app: ${named ? `${a.framework} ` : ''}${a.module}:${a.attr} (${a.file}), ${iface.toUpperCase()}`);
    detected.push(`server: ${server}${server === 'gunicorn' && iface === 'asgi' ? ' with uvicorn workers' : ''}`);
    serverConfig = { gunicorn: 'gunicorn.conf.py', uvicorn: 'serve.py', uwsgi: 'uwsgi.ini', hypercorn: 'hypercorn.conf.py', daphne: 'serve.py' }[server];
    const target = `${a.module}:${a.attr}`;
    command = {
      gunicorn: ['gunicorn', '--config', 'gunicorn.conf.py', target],
      uvicorn: ['python', 'serve.py'],
      uwsgi: ['uwsgi', '--ini', 'uwsgi.ini'],
      hypercorn: ['hypercorn', '--config', 'file:hypercorn.conf.py', target],
      daphne: ['python', 'serve.py'],
    }[server];
    if (a.framework === 'django' && app.django) {
      const manageDir = app.django.manage.includes('/') ? app.django.manage.slice(0, app.django.manage.lastIndexOf('/')) : '';
      django = { settings: app.django.settings, manageDir };
      importRoot = manageDir;
      notes.push(`Django: the HEALTHCHECK requests http://127.0.0.1:$PORT${healthPath}: keep "127.0.0.1" and "localhost" in ALLOWED_HOSTS and exempt that path from SECURE_SSL_REDIRECT; run migrations as a one-off job (\`docker run IMAGE python manage.py migrate\`), never at startup`);
    }
    celery = procWorker ? procWorker.app : app.candidates.find((c) => c.interface === 'celery');
    if (!opts.healthPath && app.healthPaths.length === 0) notes.push(`no health route found: the HEALTHCHECK requests ${healthPath}; add a cheap /health route and pass --health-path /health`);
  } else if (choice && role === 'worker') {
    const a = choice.app;
    detected.push(`app: Celery worker ${a.module}:${a.attr} (${a.file}); no HTTP: a worker command and a broker ping as the health check`);
    command = ['celery', '--app', `${a.module}:${a.attr}`, 'worker', '--loglevel', 'INFO'];
    celery = a;
  } else if (script) {
    role = 'script';
    detected.push(`app: [project.scripts] ${script.name} = ${script.target}${scriptServes ? `, serving HTTP on $PORT (default ${port})` : ', no HTTP (pass --port if it serves)'}`);
    command = [script.name];
    if (!app.installable) throw new InitError(`[project.scripts] ${script.name} needs the project installed, but pyproject.toml has no [build-system]`, 'add a [build-system] table (e.g. hatchling), or pass --entry MODULE:ATTR');
  }
  const installProject = app.installable && (role === 'script' || importRoot === 'src' || manager === 'uv');
  if (installProject) importRoot = '';

  let healthcheck: string[] | undefined;
  if (role === 'web' || (role === 'script' && scriptServes)) healthcheck = healthArgv(healthPath, port);
  else if (role === 'worker' && celery) healthcheck = celeryHealthcheck(celery);
  const webLike = role === 'web' || (role === 'script' && scriptServes);

  const libs = libsFor(names, codename);
  if (libs.runtime.length > 0) detected.push(`system libraries: ${libs.runtime.join(', ')} at run time${libs.build.length > 0 ? `; ${libs.build.join(', ')} to build` : ''}`);
  const name = (py.pyprojects.find((x) => x.path === 'pyproject.toml')?.name ?? base(p.contextDir)).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '') || 'app';
  return {
    name, image: opts.image ?? name, manager, python: { version, source, image, codename }, deps, role, app: choice?.app, server, command,
    port: webLike ? port : 0, healthPath, healthcheck, importRoot, installProject,
    runtimePackages: libs.runtime, buildPackages: libs.build, django, celery: role === 'web' ? celery : undefined,
    broker: celery ? (names.has('redis') ? 'redis' : 'rabbitmq') : undefined,
    syntax: opts.syntax ?? true, compile: opts.compile ?? true, debugTools: opts.debugTools ?? false,
    ci: opts.ci ?? 'github', k8s: opts.k8s ?? false, compose: opts.compose ?? true, pyshipVersion: opts.pyshipVersion,
    detected, notes, serverConfig,
  };
}
