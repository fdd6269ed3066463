// `pyship init`, step 1: the project's facts (src/project/) and the user's options → one InitSpec that every template
// reads. Nothing here guesses silently: an ambiguity is an InitError naming the files and the flag that settles it.
import { detectApp, type AppCandidate } from '../project/app.js';
import { detectPython } from '../project/python.js';
import type { Project } from '../project/project.js';
import { dependencyNames, planDeps } from './deps.js';
import { gitRoot } from '../project/locate.js';
import { relative, sep } from 'node:path';
import { chooseApp, chooseServer, healthArgv, celeryHealthcheck, procfileCelery, procfileWeb } from './entry.js';
import { choosePython } from './python-choice.js';
import { libsFor } from './syslibs.js';
import { Decisions } from './decisions.js';
import { configFilesNote, environmentDecision, environmentNote, moduleFile, planEnvironment } from './environment.js';
import { InitError, type InitOptions, type InitSpec, type Role, type Server } from './types.js';

export * from './types.js';
export { pythonFromConstraint } from './python-version.js';
export { SYSTEM_LIBS } from './syslibs.js';
export { celeryHealthcheck } from './entry.js';

const base = (p: string): string => p.split('/').pop()!;

/** Build the spec, or throw InitError. `p` is the project at the build context (the directory init writes to). */
export function buildSpec(p: Project, opts: InitOptions): InitSpec {
  const py = detectPython(p);
  const app = detectApp(p);
  const d = new Decisions();
  const notes: string[] = [];
  // the repository root (CI belongs there) and the project directory within it
  const repoRoot = opts.repoRoot ?? gitRoot(p.root) ?? p.root;
  const projectDir = relative(repoRoot, p.root).split(sep).join('/');
  if (opts.projectDirEvidence || projectDir) {
    d.decide('project-dir', projectDir || '.', ...(opts.projectDirEvidence?.map((e) => `${e}: the only Python project below ${base(repoRoot)}`) ?? [`${projectDir}: where pyship init ran, inside the repository at ${repoRoot}`]));
  }
  const dc = planDeps(p, py, opts, opts.lockOutcome);
  const { manager, deps } = dc;
  notes.push(...dc.notes);
  d.decide('package-manager', manager === dc.declared ? manager : `${manager} (the project declares ${dc.declared})`, ...dc.managerEvidence);
  d.decide('lock', dc.lockValue, ...dc.lockEvidence);

  // Python and the base image (src/init/python-choice.ts: the project's pin, else what the pins and the lock date allow)
  const chosen = choosePython(p, py, manager, opts);
  const { version, source, image, codename } = chosen;
  notes.push(...chosen.notes);
  d.decide('python', version, ...chosen.evidence);
  d.decide('base-image', manager === 'conda' ? `mambaorg/micromamba (build), debian:${codename}-slim (run)` : image, ...chosen.imageEvidence);
  const tool = chosen.tools[manager as keyof typeof chosen.tools];
  if (tool) d.decide('tools', `${manager} ${tool}`, `Python ${version}: ${manager}'s current release does not run on it`);
  const lock = dc.lock && !opts.lockOutcome ? { ...dc.lock, image } : undefined;

  const names = dependencyNames(py, deps, p);
  const proc = procfileWeb(p, app, names, opts);
  const procWorker = procfileCelery(p, app);
  if (procWorker && !procWorker.app) {
    notes.push(`Procfile line ${procWorker.line.line} runs the Celery app ${procWorker.value}, and pyship found no Celery(...) object there: compose.yaml has no worker service; add one by hand`);
  }
  const { choice, script } = proc ? { choice: proc.choice, script: proc.script } : chooseApp(p, app, names, opts, procWorker?.app);
  if (proc) {
    const what = proc.script ? `[project.scripts] ${proc.script.name}, serving HTTP` : `${proc.server} serving ${proc.choice!.app.module}:${proc.choice!.app.attr}`;
    d.decide('entry', what, `Procfile:${proc.line.line} web: ${proc.line.command}`);
    if (proc.dropped.length > 0) notes.push(`Procfile web options not carried over (the generated server config sets workers, logs and timeouts): ${proc.dropped.join(' ')}`);
  }
  if (procWorker?.app) d.decide('worker', `celery ${procWorker.app.module}:${procWorker.app.attr}`, `Procfile:${procWorker.line.line} ${procWorker.line.name}: ${procWorker.line.command}`);
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
    d.decide('framework', named ? a.framework : iface.toUpperCase(), a.file);
    d.decide('entry', `${a.module}:${a.attr} (${iface.toUpperCase()})`, ...(d.get('entry')?.evidence ?? [opts.entry ? '--entry' : a.file]));
    d.decide('server', `${server}${server === 'gunicorn' && iface === 'asgi' ? ' with uvicorn workers' : ''}`, opts.server ? '--server' : proc?.server ? `Procfile:${proc.line.line}` : 'dependencies');
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
    d.decide('framework', 'celery', a.file);
    d.decide('entry', `celery worker ${a.module}:${a.attr}; no HTTP: a broker ping as the health check`, opts.entry ? '--entry' : a.file);
    command = ['celery', '--app', `${a.module}:${a.attr}`, 'worker', '--loglevel', 'INFO'];
    celery = a;
  } else if (script) {
    role = 'script';
    d.decide('entry', `[project.scripts] ${script.name} = ${script.target}${scriptServes ? `, serving HTTP on $PORT (default ${port})` : ', no HTTP (pass --port if it serves)'}`, opts.entry ? '--entry' : 'pyproject.toml [project.scripts]');
    command = [script.name];
    if (!app.installable) throw new InitError(`[project.scripts] ${script.name} needs the project installed, but pyproject.toml has no [build-system]`, 'add a [build-system] table (e.g. hatchling), or pass --entry MODULE:ATTR');
  }
  // a workspace member's code is copied, not installed: installing it needs the whole workspace in the image
  const installProject = app.installable && !deps.workspace && (role === 'script' || importRoot === 'src' || manager === 'uv');
  if (installProject) importRoot = '';

  let healthcheck: string[] | undefined;
  if (role === 'web' || (role === 'script' && scriptServes)) healthcheck = healthArgv(healthPath, port);
  else if (role === 'worker' && celery) healthcheck = celeryHealthcheck(celery);
  const webLike = role === 'web' || (role === 'script' && scriptServes);

  const libs = libsFor(names, codename);
  d.decide('system-packages', libs.runtime.length > 0 ? `${libs.runtime.join(', ')} at run time${libs.build.length > 0 ? `; ${libs.build.join(', ')} to build` : ''}` : 'none', libs.runtime.length > 0 ? 'dependencies that link to them' : 'default: no dependency links to a system library');
  if (webLike) {
    d.decide('port', String(port), opts.port ? '--port' : 'default: 8000');
    d.decide('health-check', healthPath, opts.healthPath ? '--health-path' : app.healthPaths.length > 0 ? 'a health-like route in the code' : 'default: no health route found');
  }
  if (django) d.decide('settings', django.settings, app.django!.manage);
  // a [project.scripts] entry starts from its module
  const startFile = choice?.app.file ?? (script ? moduleFile(p, script.target.split(':')[0]!, ['', 'src']) : undefined);
  const environment = startFile ? planEnvironment(p, startFile, [choice?.app.importRoot ?? '', django?.manageDir ?? ''], django?.settings) : undefined;
  if (environment) {
    const e = environmentDecision(environment);
    d.decide('environment', e.value, ...e.evidence);
    const note = environmentNote(environment, p.read('.env.example'));
    if (note) notes.push(note);
    const files = configFilesNote(environment);
    if (files) notes.push(files);
  }
  const name = (py.pyprojects.find((x) => x.path === 'pyproject.toml')?.name ?? base(p.contextDir)).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '') || 'app';
  return {
    name, image: opts.image ?? name, manager, python: { version, source, image, codename }, tools: tool ? { [manager]: tool } : undefined, deps, role, app: choice?.app, server, command,
    port: webLike ? port : 0, healthPath, healthcheck, importRoot, installProject,
    runtimePackages: libs.runtime, buildPackages: libs.build, django, celery: role === 'web' ? celery : undefined,
    broker: celery ? (names.has('redis') ? 'redis' : 'rabbitmq') : undefined,
    syntax: opts.syntax ?? true, compile: opts.compile ?? true, debugTools: opts.debugTools ?? false,
    ci: opts.ci ?? 'github', k8s: opts.k8s ?? false, compose: opts.compose ?? true, pyshipVersion: opts.pyshipVersion,
    decisions: d.list, buildSteps: [], releaseSteps: [], notes, serverConfig, repoRoot, projectDir, lock, environment,
  };
}

