// What the image starts: the app (Django, app objects, Procfile lines, --entry, [project.scripts]) and its server.
import { celeryWorkerApp, type AppFacts, type ProcfileLine } from '../project/app.js';
import type { AppCandidate } from '../project/app-object.js';
import type { Project } from '../project/model.js';
import { InitError, type InitOptions } from './types.js';
import type { Role } from '../templates/spec.js';

export interface Choice {
  app: AppCandidate;
  role: Role;
  /** A module the app needs and the project lacks (Channels 2's asgi.py), written by init beside the others. */
  module?: { path: string; text: string; why: string };
}

/** Channels 2's documented asgi.py: Django set up first, then the project's router (ASGI_APPLICATION). */
const channelsAsgi = (settings: string): string => `"""ASGI entry point for Channels (written by pyship init): Django is set up before the routing is imported."""
import os

import django
from channels.routing import get_default_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "${settings}")
django.setup()
application = get_default_application()
`;

export function chooseApp(p: Project, app: AppFacts, names: Set<string>, opts: InitOptions, procCelery?: AppCandidate): { choice?: Choice; script?: { name: string; target: string } } {
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
    // Channels without an asgi.py that sets Django up (Channels 2): its router cannot be imported on its own
    const router = app.candidates.find((c) => c.framework === 'channels');
    if (names.has('channels') && !d.asgi && router) {
      const dir = d.manage.includes('/') ? d.manage.slice(0, d.manage.lastIndexOf('/')) : '';
      const pkg = d.settings.split('.')[0]!;
      const path = `${dir ? `${dir}/` : ''}${pkg}/asgi.py`;
      return {
        choice: {
          app: { interface: 'asgi', framework: 'django', module: `${pkg}.asgi`, attr: 'application', file: path, importRoot: dir },
          role: 'web',
          module: { path, text: channelsAsgi(d.settings), why: `${router.file} defines the Channels app ${router.module}:${router.attr}, which a server cannot import before Django is set up: Channels' asgi.py does that` },
        },
      };
    }
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
  throw new InitError('found no app to start: no Django manage.py, no app object or factory of a known framework (Flask, FastAPI, Starlette, Quart, Litestar, Falcon, aiohttp, Pyramid, Celery), no start command naming one, no [project.scripts]',
    'pass --entry MODULE:ATTR (the WSGI/ASGI app) or --entry NAME (a [project.scripts] entry)');
}

// ---------------------------------------------------------------------------------------------------------------
// A command's `module:attr` resolved in the project (serve.ts reads the commands), and a `worker: celery -A X worker`
// line naming the Celery app of compose's worker service.

const fileOfModule = (p: Project, root: string, module: string): string | undefined => {
  const rel = module.split('.').join('/');
  const prefix = root ? `${root}/` : '';
  return [`${prefix}${rel}.py`, `${prefix}${rel}/__init__.py`].find((f) => p.file(p.fromContext(f)) !== undefined);
};

/** An app candidate for `module:attr` as a command imports it from `roots` (the detected one when it matches). */
export function resolveTarget(p: Project, app: AppFacts, roots: string[], module: string, attr: string, iface: AppCandidate['interface']): AppCandidate | undefined {
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
export function uwsgiIniTarget(p: Project, ini: string): { module: string; attr: string } | undefined {
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

/** The Celery app a Procfile `celery … worker` line runs: resolved as Celery resolves `-A` (X.app, X.celery, X.celery:app). */
export function procfileCelery(p: Project, app: AppFacts): { line: ProcfileLine; value: string; app?: AppCandidate } | undefined {
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

