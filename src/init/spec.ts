// `pyship init`, step 1: the project's facts (src/project/) and the user's options → one InitSpec that every template
// reads. Nothing here guesses silently: an ambiguity is an InitError naming the files and the flag that settles it.
import { detectApp } from '../project/app.js';
import type { AppCandidate } from '../project/app-object.js';
import { detectPython } from '../project/python.js';
import type { Project } from '../project/model.js';
import { dependencyNames, chooseDeps } from './deps.js';
import { gitRoot } from '../project/locate.js';
import { relative, sep } from 'node:path';
import { chooseApp, procfileCelery } from './entry.js';
import { celeryHealthcheck } from '../templates/compose.js';
import { bundledServer, chooseServer, evidenceWeb, extraInstalls, noteFor } from './serve.js';
import { chooseHealth } from './health.js';
import { constantView, routeTable } from '../project/routes.js';
import { projectPort } from '../project/port.js';
import { choosePython } from './python-choice.js';
import { libsFor } from './syslibs.js';
import { placeSteps } from './steps.js';
import { Decisions } from './decisions.js';
import { configFilesNote, environmentDecision, environmentNote, localHostsNote, moduleFile, readEnvironment } from './environment.js';
import { chooseDjango } from './django.js';
import { manageDirOf } from '../project/django.js';
import { InitError, type InitOptions, type InitSpec } from './types.js';
import type { BuildStep, ExtraInstall, ReleaseStep, Role, Server, UwsgiServing } from '../templates/spec.js';
import { chooseMounts } from './mounts.js';
import { keepInstalled } from './run-from-source.js';
import { uwsgiServing } from './uwsgi-serving.js';

const base = (p: string): string => p.split('/').pop()!;

/** `file:line what is there` of the line that makes the app (the file alone when the line is unknown). */
const madeAt = (p: Project, a: AppCandidate): string => {
  const text = a.line ? p.file(p.fromContext(a.file))?.text.split('\n')[a.line - 1]?.trim() : undefined;
  return text ? `${a.file}:${a.line} ${text.length > 80 ? `${text.slice(0, 77)}...` : text}` : a.file;
};

/** In place, stable: collectstatic gathers what the other steps build (assets, catalogues), so it runs last. */
export function orderBuildSteps(steps: BuildStep[]): BuildStep[] {
  return steps.sort((a, b) => Number(a.name === 'collectstatic') - Number(b.name === 'collectstatic'));
}

/** Build the spec, or throw InitError. `p` is the project at the build context (the directory init writes to). */
export function buildSpec(p: Project, opts: InitOptions): InitSpec {
  const py = detectPython(p);
  const app = detectApp(p);
  const d = new Decisions();
  const notes: string[] = [];
  // notes about the generated Dockerfile alone (also in notes): the command leaves them out when it keeps the project's
  const imageNotes: string[] = [];
  const imageNote = (t: string): void => void (notes.push(t), imageNotes.push(t));
  // the repository root (CI belongs there) and the project directory within it
  const repoRoot = opts.repoRoot ?? gitRoot(p.root) ?? p.root;
  const projectDir = relative(repoRoot, p.root).split(sep).join('/');
  if (opts.projectDirEvidence || projectDir) {
    d.decide('project-dir', projectDir || '.', ...(opts.projectDirEvidence?.map((e) => `${e}: the only Python project below ${base(repoRoot)}`) ?? [`${projectDir}: where pyship init ran, inside the repository at ${repoRoot}`]));
  }
  const dc = chooseDeps(p, py, opts, opts.lockOutcome);
  const { manager, deps } = dc;
  notes.push(...dc.notes);
  d.decide('package-manager', manager === dc.declared ? manager : `${manager} (the project declares ${dc.declared})`, ...dc.managerEvidence);
  d.decide('lock', dc.lockValue, ...dc.lockEvidence);

  // Python and the base image (src/init/python-choice.ts: the project's pin, else what the pins and the lock date allow)
  const chosen = choosePython(p, py, manager, opts);
  const { version, source, image, codename } = chosen;
  notes.push(...chosen.notes);
  imageNotes.push(...chosen.imageNotes);
  d.decide('python', version, ...chosen.evidence);
  d.decide('base-image', manager === 'conda' ? `mambaorg/micromamba (build), debian:${codename}-slim (run)` : image, ...chosen.imageEvidence);
  const tool = chosen.tools[manager as keyof typeof chosen.tools];
  if (tool) d.decide('tools', `${manager} ${tool}`, `Python ${version}: ${manager}'s current release does not run on it`);
  const lock = dc.lock && !opts.lockOutcome ? { ...dc.lock, image } : undefined;

  const names = dependencyNames(py, deps, p);
  const found = evidenceWeb(p, app, names, opts);
  notes.push(...(found?.notes ?? []));
  const proc = found?.server || found?.script ? found : undefined;
  const procWorker = procfileCelery(p, app);
  if (procWorker && !procWorker.app) {
    notes.push(`Procfile line ${procWorker.line.line} runs the Celery app ${procWorker.value}, and pyship found no Celery(...) object there: compose.yaml has no worker service; add one by hand`);
  }
  const { choice, script } = proc?.choice || proc?.script ? { choice: proc.choice, script: proc.script } : chooseApp(p, app, names, opts, procWorker?.app);
  if (proc?.script) d.decide('entry', `[project.scripts] ${proc.script.name}, serving HTTP`, proc.evidence);
  else if (proc?.choice) d.decide('entry', `${proc.server} serving ${proc.choice.app.module}:${proc.choice.app.attr}`, proc.evidence);
  if (proc && proc.dropped.length > 0) imageNote(`${proc.line ? 'Procfile web' : `${proc.evidence.split(' ')[0]}:`} options not carried over (the generated server config sets workers, logs and timeouts): ${proc.dropped.join(' ')}`);
  if (procWorker?.app) d.decide('worker', `celery ${procWorker.app.module}:${procWorker.app.attr}`, `Procfile:${procWorker.line.line} ${procWorker.line.name}: ${procWorker.line.command}`);
  let role: Role = choice?.role ?? 'script';
  let server: Server | undefined;
  let command: string[] = [];
  let serverConfig: string | undefined;
  let uwsgiServe: UwsgiServing | undefined;
  // a script serves HTTP when --port says so, or when it is the Procfile's web process
  const scriptServes = opts.port !== undefined || proc?.script !== undefined;
  let extras: ExtraInstall[] = [];
  if (opts.port !== undefined && (opts.port < 1024 || opts.port > 65535)) throw new InitError(`--port ${opts.port}: use a port from 1024 to 65535 (ports below 1024 need root or a capability)`);
  const portPick = opts.port !== undefined ? { port: opts.port, evidence: ['--port'], notes: [] } : projectPort(p);
  const port = portPick.port;
  // the routes tell the health path; without one, a web app (or the Procfile's web process) any answer, a script a TCP connect
  const health = chooseHealth(routeTable(p), port, {
    forced: opts.healthPath, http: choice?.role === 'web' || proc?.script !== undefined,
    constant: (r) => constantView(p.file(p.fromContext(r.file))?.text ?? '', r.line),
  });
  const healthPath = health.path;
  let importRoot = choice?.app.importRoot ?? '';
  let django: InitSpec['django'];
  let celery: AppCandidate | undefined;

  if (choice && role === 'web') {
    const a = choice.app;
    const iface = a.interface === 'asgi' ? 'asgi' : a.interface === 'aiohttp' ? 'aiohttp' : 'wsgi';
    const IFACE = iface === 'aiohttp' ? 'aiohttp' : iface.toUpperCase();
    // an --entry whose file names no framework: say what is known (its interface), not a guessed framework
    const named = a.framework === 'django' || app.candidates.some((c) => c.file === a.file && c.attr.replace(/\(\)$/, '') === a.attr.replace(/\(\)$/, ''))
      || new RegExp(`\\b${{ flask: 'Flask', quart: 'Quart', fastapi: 'FastAPI', starlette: 'Starlette', litestar: 'Litestar', falcon: 'falcon', celery: 'Celery', django: 'get_', aiohttp: 'web', pyramid: 'make_wsgi_app', channels: 'ProtocolTypeRouter' }[a.framework]}`).test(p.file(p.fromContext(a.file))?.text ?? '');
    const what = a.framework === 'django' ? 'Django' : named ? `the ${a.framework} app ${a.module}:${a.attr}` : `the ${IFACE} app ${a.module}:${a.attr}`;
    let chosen = opts.server || !proc?.server ? chooseServer(iface, names, opts.server, what) : { server: proc.server, evidence: proc.serverEvidence ?? proc.evidence };
    const bundled = chosen.evidence.startsWith('default:') ? bundledServer(p, a, names) : undefined;
    if (bundled) chosen = bundled;
    const serverNames = bundled ? new Set([...names, bundled.server]) : names;
    server = chosen.server;
    // uvicorn and daphne serve ASGI only, uWSGI and waitress WSGI only; hypercorn and granian serve both, but are no default for a WSGI app
    const forced = opts.server !== undefined || proc?.server !== undefined;
    if (iface === 'aiohttp' && server !== 'gunicorn' && server !== 'aiohttp') {
      throw new InitError(`${what} is an aiohttp app; ${server} serves ${server === 'uwsgi' || server === 'waitress' ? 'WSGI' : 'ASGI'}`, 'pass --server aiohttp (its own server) or --server gunicorn (aiohttp.GunicornWebWorker)');
    }
    if (iface !== 'aiohttp' && server === 'aiohttp') throw new InitError(`${what} is a ${IFACE} app; --server aiohttp serves aiohttp apps only`, `pass --server ${iface === 'wsgi' ? 'gunicorn' : 'uvicorn'}`);
    if (iface === 'wsgi' && (server === 'uvicorn' || server === 'daphne' || ((server === 'hypercorn' || server === 'granian') && !forced))) {
      throw new InitError(`${what} is a WSGI app; ${server} serves ASGI`, 'pass --server gunicorn (and add it to the dependencies)');
    }
    if (a.attr.endsWith('()') && (server === 'uwsgi' || server === 'daphne')) {
      throw new InitError(`${what} is an app factory, and ${server} cannot call one`,
        `add a module that calls it (e.g. wsgi.py: \`app = ${a.attr.slice(0, -2)}()\`) and pass --entry wsgi:app, or pass --server ${server === 'uwsgi' ? 'gunicorn' : 'uvicorn'}`);
    }
    if (iface === 'asgi' && (server === 'uwsgi' || server === 'waitress')) {
      throw new InitError(`${what} is an ASGI app; ${server === 'uwsgi' ? 'uWSGI' : 'waitress'} serves WSGI`, 'pass --server uvicorn (or gunicorn with uvicorn workers), and add it to the dependencies');
    }
    d.decide('framework', named ? a.framework : IFACE, madeAt(p, a));
    d.decide('entry', `${a.module}:${a.attr} (${IFACE})`, ...(d.get('entry')?.evidence ?? [opts.entry ? '--entry' : a.file]));
    const worker = server === 'gunicorn' && iface === 'asgi' ? ' with uvicorn workers' : server === 'gunicorn' && iface === 'aiohttp' ? ' with aiohttp.GunicornWebWorker' : '';
    extras = opts.server ? [] : extraInstalls(p, server, serverNames, server === 'gunicorn' && iface === 'asgi');
    for (const x of extras) notes.push(noteFor(x));
    if ('note' in chosen && chosen.note && extras.length > 0) notes.push(`${chosen.note}: it runs under ${server}, the usual production server for it`);
    d.decide('server', `${server}${worker}${extras.some((x) => x.name === server) ? ` (installed beside the lock: ${server}==${extras.find((x) => x.name === server)!.version})` : ''}`,
      chosen.evidence, ...extras.flatMap((x) => x.evidence), ...(proc?.steps ?? []).map((x) => `${x.evidence} runs before the server: ${x.command}`));
    const serve = { gunicorn: 'gunicorn.conf.py', uvicorn: 'serve.py', uwsgi: 'uwsgi.ini', hypercorn: 'hypercorn.conf.py', daphne: 'serve.py', granian: 'serve.py', waitress: 'serve.py', aiohttp: 'serve.py' } as const;
    serverConfig = serve[server];
    // the project's own file of that name (its uwsgi.ini, with its sockets and user) stays, and is not what the image runs
    const theirs = p.file(p.fromContext(serverConfig));
    if (theirs && !/Written by pyship init/.test(theirs.text)) {
      const own = serverConfig.replace(/^(\w+)(\.conf)?\.(py|ini)$/, (_m, n: string, c: string | undefined, ext: string) => `${n}.pyship${c ?? ''}.${ext}`);
      const serving = server === 'uwsgi' ? uwsgiServing(theirs.text, serverConfig) : undefined;
      if (serving && serving.lines.length > 0) {
        uwsgiServe = serving;
        imageNote(`${own} carries over the serving options of ${serverConfig} (${serving.evidence.length}: ${[...new Set(serving.evidence.map((e) => e.split(' ')[1]))].join(', ')}), not its sockets, user or daemon options`);
      }
      imageNote(`${serverConfig} is the project's own: pyship's ${server} settings go in ${own}, which the image runs; merge what you need from ${serverConfig}`);
      serverConfig = own;
    }
    const target = `${a.module}:${a.attr}`;
    command = server === 'gunicorn' ? ['gunicorn', '--config', serverConfig, target]
      : server === 'uwsgi' ? ['uwsgi', '--ini', serverConfig]
        : server === 'hypercorn' ? ['hypercorn', '--config', `file:${serverConfig}`, target]
          : ['python', serverConfig];
    if (a.framework === 'django' && app.django) {
      const manageDir = manageDirOf(app.django);
      // the settings module and the build steps are chosen once installProject is known (chooseDjango, below)
      django = { settings: app.django.settings, manageDir, manage: app.django.manage };
      importRoot = manageDir;
      notes.push(`Django: ${health.mode === 'route' ? `the HEALTHCHECK requests http://127.0.0.1:$PORT${healthPath}: keep "127.0.0.1" and "localhost" in ALLOWED_HOSTS and exempt that path from SECURE_SSL_REDIRECT; ` : ''}run migrations as a one-off job (\`docker run IMAGE python ${app.django.manage} migrate\`), never at startup`);
    }
    celery = procWorker ? procWorker.app : app.candidates.find((c) => c.interface === 'celery');
    notes.push(...health.notes);
  } else if (choice && role === 'worker') {
    const a = choice.app;
    d.decide('framework', 'celery', madeAt(p, a));
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
  // an app that writes into its own package runs from source: site-packages is not the app user's to write
  const installProject = app.installable && !deps.workspace && (role === 'script' || importRoot === 'src' || manager === 'uv')
    && keepInstalled(p, { version, settings: django?.settings, fromSource: importRoot, canRunFromSource: role === 'web' && !script && !proc?.script }, d);
  if (installProject) importRoot = '';
  else if (app.installable && d.get('install-project')) notes.push(`the app writes into its own package (${d.get('install-project')!.evidence[0]!.split(' ')[0]}): the image runs it from its source in /app${importRoot ? `/${importRoot}` : ''}, owned by the app user, instead of installing it into site-packages, which that user cannot write`);
  const buildSteps: BuildStep[] = [];
  const releaseSteps: ReleaseStep[] = [];
  const extraBuildPackages: string[] = [];
  if (django && app.django) {
    const dj = chooseDjango(p, app.django, d, { installProject, manager, server, uwsgiServing: uwsgiServe });
    django = { settings: dj.settings, manageDir: dj.manageDir, manage: dj.manage, secretKeyEnv: dj.secretKeyEnv, allowedHostsEnv: dj.allowedHostsEnv };
    // collectstatic comes after any asset build that fills the static directories
    buildSteps.push(...dj.buildSteps);
    extraBuildPackages.push(...dj.buildPackages);
    notes.push(...dj.notes);
  }

  let healthcheck: string[] | undefined;
  if (role === 'web' || (role === 'script' && scriptServes)) healthcheck = health.argv;
  else if (role === 'worker' && celery) healthcheck = celeryHealthcheck(celery);
  const webLike = role === 'web' || (role === 'script' && scriptServes);

  const libs = libsFor(names, codename);
  // uWSGI runs `route` options only when built with PCRE: its headers to build, its library to run
  if (uwsgiServe?.routes) {
    for (const [list, pkg] of [[libs.runtime, 'libpcre2-8-0'], [libs.build, 'libpcre2-dev']] as const) if (!list.includes(pkg)) list.push(pkg);
  }
  d.decide('system-packages', libs.runtime.length > 0 ? `${libs.runtime.join(', ')} at run time${libs.build.length > 0 ? `; ${libs.build.join(', ')} to build` : ''}` : 'none', libs.runtime.length > 0 ? 'dependencies that link to them' : 'default: no dependency links to a system library', ...(uwsgiServe?.routes ? [`${uwsgiServe.evidence.find((e) => / (final-|error-|response-)?route/.test(e))} needs uWSGI built with PCRE: libpcre2`] : []));
  if (webLike) {
    d.decide('port', String(port), ...portPick.evidence);
    d.decide('health-check', health.value, ...health.evidence);
    notes.push(...portPick.notes);
  }
  // a [project.scripts] entry starts from its module
  const startFile = choice?.app.file ?? (script ? moduleFile(p, script.target.split(':')[0]!, ['', 'src']) : undefined);
  const environment = startFile ? readEnvironment(p, startFile, [choice?.app.importRoot ?? '', django?.manageDir ?? ''], django?.settings) : undefined;
  if (environment) {
    const e = environmentDecision(environment);
    d.decide('environment', e.value, ...e.evidence);
    const note = environmentNote(environment, p.read('.env.example'));
    if (note) notes.push(note);
    const local = localHostsNote(environment);
    if (local) notes.push(local);
    const files = configFilesNote(environment);
    if (files) notes.push(files);
  }
  const buildPackages = [...libs.build, ...extraBuildPackages.filter((x) => !libs.build.includes(x))];
  const name = (py.pyprojects.find((x) => x.path === 'pyproject.toml')?.name ?? base(p.contextDir)).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '') || 'app';
  const spec: InitSpec = {
    name, image: opts.image ?? name, manager, python: { version, source, image, codename }, tools: tool ? { [manager]: tool } : undefined, deps, role, app: choice?.app, server, command,
    port: webLike ? port : 0, healthPath, healthMode: health.mode, healthcheck, importRoot, installProject,
    runtimePackages: libs.runtime, buildPackages, django, celery: role === 'web' ? celery : undefined,
    broker: celery ? (names.has('redis') ? 'redis' : 'rabbitmq') : undefined,
    syntax: opts.syntax ?? true, compile: opts.compile ?? true, debugTools: opts.debugTools ?? false,
    ci: opts.ci ?? 'github', k8s: opts.k8s ?? false, compose: opts.compose ?? true, pyshipVersion: opts.pyshipVersion,
    appModule: choice?.module,
    decisions: d.list, buildSteps, releaseSteps, notes, imageNotes, serverConfig, uwsgiServing: uwsgiServe, repoRoot, projectDir, lock, extraInstalls: extras, startSteps: proc?.steps ?? [], environment,
  };
  placeSteps(p, spec, d);
  orderBuildSteps(spec.buildSteps);
  // Django decides its static files above; other web apps serve theirs from their own folders, or from the assets stage
  if (!django && webLike) {
    const outputs = spec.assets?.outputs ?? [];
    const leftOut = /assets: [^;]*left out/.test(d.get('build-steps')?.value ?? '');
    d.decide('static-files', outputs.length > 0
      ? `built in the assets stage into ${outputs.join(', ')}; the app serves them`
      : leftOut ? 'not built: the asset build is left out (see build-steps); the app serves only the static files it ships'
        : 'nothing to collect: the app serves the static files it ships (no collect or build step)',
    ...(outputs.length > 0 ? [`${spec.assets!.dir ? `${spec.assets!.dir}/` : ''}package.json: ${spec.assets!.build}`] : ['default: not Django, and no asset build pyship can place']));
  }
  spec.mounts = chooseMounts(p, spec, d);
  return spec;
}

