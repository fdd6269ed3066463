// The application inside a Python project: what to start and how. Django projects (manage.py + settings), app objects
// (`app = Flask(...)`, `create_app()` factories, FastAPI/Starlette, Celery), `[project.scripts]`, Procfile lines, health
// routes. Read from source text with light patterns: nothing is imported or executed. Used by `pyship init`.
import { pyprojects, type Pyproject } from './python.js';
import { projectFact, type Project } from './project.js';

export type AppInterface = 'wsgi' | 'asgi' | 'celery';

/** An app object the server can load: `module:attr` (with `()` for a factory). */
export interface AppCandidate {
  interface: AppInterface;
  framework: 'flask' | 'fastapi' | 'starlette' | 'celery' | 'django' | 'quart' | 'falcon' | 'litestar';
  /** Importable module, e.g. `app`, `myproj.main` (relative to `importRoot`). */
  module: string;
  /** Attribute, e.g. `app`, or `create_app()` for a factory. */
  attr: string;
  /** Root-relative path of the file that defines it. */
  file: string;
  /** The directory Python imports `module` from: '' (project root) or e.g. `src`, `backend`. */
  importRoot: string;
}

export interface DjangoApp {
  /** Root-relative path of manage.py. */
  manage: string;
  /** DJANGO_SETTINGS_MODULE default named in manage.py. */
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
  /** Route paths that look like health checks (`/health`, `/healthz/`…), most specific first. */
  healthPaths: string[];
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

const APP_PATTERNS: { framework: AppCandidate['framework']; iface: AppInterface; re: RegExp }[] = [
  { framework: 'flask', iface: 'wsgi', re: /^([A-Za-z_]\w*)\s*(?::\s*[\w.]+\s*)?=\s*(?:flask\.)?Flask\(/gm },
  { framework: 'quart', iface: 'asgi', re: /^([A-Za-z_]\w*)\s*(?::\s*[\w.]+\s*)?=\s*(?:quart\.)?Quart\(/gm },
  { framework: 'fastapi', iface: 'asgi', re: /^([A-Za-z_]\w*)\s*(?::\s*[\w.]+\s*)?=\s*(?:fastapi\.)?FastAPI\(/gm },
  { framework: 'starlette', iface: 'asgi', re: /^([A-Za-z_]\w*)\s*(?::\s*[\w.]+\s*)?=\s*(?:starlette\.applications\.|applications\.)?Starlette\(/gm },
  { framework: 'litestar', iface: 'asgi', re: /^([A-Za-z_]\w*)\s*(?::\s*[\w.]+\s*)?=\s*(?:litestar\.)?Litestar\(/gm },
  { framework: 'falcon', iface: 'wsgi', re: /^([A-Za-z_]\w*)\s*(?::\s*[\w.]+\s*)?=\s*falcon\.(?:App|API)\(/gm },
  { framework: 'celery', iface: 'celery', re: /^([A-Za-z_]\w*)\s*(?::\s*[\w.]+\s*)?=\s*(?:celery\.)?Celery\(/gm },
];
const FACTORY = /^def (create_app|make_app)\(\s*\)?/m;
/** A health-like path as a route's first argument: `@app.get("/health")`, `path("healthz/", …)`, `Route("/ping", …)`. */
const HEALTH = /(?:\.(?:get|route|api_route|head)|\b(?:path|re_path|Route|add_url_rule))\(\s*r?["']\^?(\/?(?:health|healthz|healthcheck|health-check|livez|readyz|ping|status)\/?)\$?["']/g;

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
  if (p.file('setup.py') || p.file('setup.cfg')) return true;
  if (!pp?.data) return false;
  const tool = (pp.data.tool ?? {}) as Record<string, Record<string, unknown> | undefined>;
  if (tool.poetry?.['package-mode'] === false || pp.uv?.package === false) return false;
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
  const pyFiles = p.find((f) => f.endsWith('.py') && depth(f) <= MAX_DEPTH && !SKIP.test(f) && !inVenv(f) && !/(^|\/)(test_[^/]*|[^/]*_test|conftest|setup|noxfile|fabfile|tasks_test)\.py$/.test(f))
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
    if (!m) continue;
    const dir = manage.includes('/') ? manage.slice(0, manage.lastIndexOf('/')) : '';
    roots.add(dir);
    const settings = m[1]!;
    const pkg = settings.split('.')[0]!;
    const base = dir ? `${dir}/` : '';
    const find = (name: 'wsgi' | 'asgi', call: string, attr: string): AppCandidate | undefined => {
      const prefer = `${base}${pkg}/${name}.py`;
      const files = [prefer, ...pyFiles.filter((f) => f !== prefer && f.startsWith(base) && f.endsWith(`/${name}.py`))];
      for (const f of files) {
        const t = p.file(f)?.text;
        if (!t || !t.includes(call)) continue;
        const a = new RegExp(`^(\\w+)\\s*=\\s*${call}\\(`, 'm').exec(t)?.[1] ?? attr;
        return { interface: name, framework: 'django', ...moduleOf(f, [dir]), attr: a, file: f };
      }
      return undefined;
    };
    django = { manage, settings, wsgi: find('wsgi', 'get_wsgi_application', 'application'), asgi: find('asgi', 'get_asgi_application', 'application') };
    break;
  }

  const candidates: AppCandidate[] = [];
  const health = new Map<string, number>();
  for (const f of pyFiles) {
    const text = p.file(f)?.text;
    if (!text) continue;
    for (const pat of APP_PATTERNS) {
      pat.re.lastIndex = 0;
      for (const m of text.matchAll(pat.re)) {
        candidates.push({ interface: pat.iface, framework: pat.framework, ...moduleOf(f, [...roots]), attr: m[1]!, file: f });
      }
    }
    const factory = FACTORY.exec(text);
    if (factory && /\bFlask\(|\bQuart\(/.test(text) && !candidates.some((c) => c.file === f && (c.framework === 'flask' || c.framework === 'quart'))) {
      candidates.push({ interface: /\bQuart\(/.test(text) ? 'asgi' : 'wsgi', framework: /\bQuart\(/.test(text) ? 'quart' : 'flask', ...moduleOf(f, [...roots]), attr: `${factory[1]}()`, file: f });
    }
    if (/@\w+\.(get|route|api_route)\(|\bpath\(|\bRoute\(|add_url_rule/.test(text)) {
      for (const m of text.matchAll(HEALTH)) {
        const path = m[1]!.startsWith('/') ? m[1]! : `/${m[1]!}`;
        health.set(path, (health.get(path) ?? 0) + 1);
      }
    }
  }
  // the most likely app first: shallow files, conventional names (app.py, main.py, wsgi.py, asgi.py)
  const score = (c: AppCandidate): number =>
    depth(c.file) * 10 - (/(^|\/)(app|main|wsgi|asgi|application|server|api)\.py$/.test(c.file) ? 5 : 0) - (/(^|\/)__init__\.py$/.test(c.file) ? 2 : 0) + (c.attr.endsWith('()') ? 1 : 0);
  candidates.sort((a, b) => score(a) - score(b) || a.file.localeCompare(b.file));
  const rootPp = pyprojects(p).find((x) => x.path === 'pyproject.toml');
  const procfile = p.file('Procfile');
  const order = ['/health', '/healthz', '/health/', '/healthz/', '/healthcheck', '/livez', '/readyz', '/ping', '/status'];
  const healthPaths = [...health.keys()].sort((a, b) => (order.indexOf(a) + 99) % 99 - (order.indexOf(b) + 99) % 99 || a.localeCompare(b));
  return {
    django, candidates, scripts: scriptsOf(rootPp), procfile: procfile ? parseProcfile(procfile.text) : [], healthPaths,
    installable: installable(p, rootPp), srcLayout, venvDirs,
  };
});
