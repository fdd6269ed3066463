// The web app and server of real apps: for every corpus app, the framework, entry and server init detects (app
// objects, factories, the project's own start commands) against what MANIFEST.tsv says an engineer found; plus
// focused cases for each pattern (factories, subclasses, aiohttp, Pyramid, Channels, Procfile scripts and chains,
// Dockerfile/compose start scripts, config files, __main__ starters, servers installed outside the lock).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectApp } from '../../src/project/app.js';
import { loadProject } from '../../src/project/project.js';
import type { Project } from '../../src/project/model.js';
import { detectPython } from '../../src/project/python.js';
import { serverFacts } from '../../src/project/servers-evidence.js';
import { dependencyNames } from '../../src/init/deps.js';
import { chooseApp } from '../../src/init/entry.js';
import { bundledServer, chooseServer, evidenceWeb } from '../../src/init/serve.js';
import { buildSpec } from '../../src/init/spec.js';
import { InitError, type InitSpec } from '../../src/init/types.js';
import { serverConfig } from '../../src/templates/server.js';
import { dockerfile } from '../../src/templates/dockerfile.js';
import { checkFindings, init, projectDir } from './helpers.js';
import { APPS_DIR as APPS, appsPresent as present, manifest, skipNote } from '../corpus-apps.js';

skipNote('the corpus app/server comparison');

const LOCKS = ['uv.lock', 'poetry.lock', 'Pipfile.lock', 'pdm.lock', 'requirements.txt', 'environment.yml'];

/** What init decides for the web process, through the same functions buildSpec calls (the dependency layer aside). */
function webOf(p: Project): { framework?: string; entry?: string; server?: string; refused?: string } {
  const py = detectPython(p);
  const app = detectApp(p);
  const names = dependencyNames(py, { files: LOCKS.filter((f) => p.file(p.fromContext(f))), hashes: false }, p);
  const opts = { pyshipVersion: '0' };
  try {
    const ev = evidenceWeb(p, app, names, opts);
    const choice = ev?.choice ?? chooseApp(p, app, names, opts).choice;
    if (!choice) return { refused: 'no web app' };
    const a = choice.app;
    const iface = a.interface === 'asgi' ? 'asgi' : a.interface === 'aiohttp' ? 'aiohttp' : 'wsgi';
    const chosen = ev?.server ? undefined : chooseServer(iface, names, undefined, 'the app');
    const server = ev?.server ?? (chosen!.evidence.startsWith('default:') ? bundledServer(p, a, names)?.server : undefined) ?? chosen!.server;
    return { framework: a.framework, entry: `${a.module}:${a.attr}`, server };
  } catch (e) {
    if (e instanceof InitError) return { refused: e.message };
    throw e;
  }
}

/** MANIFEST's view: the framework's first word, the first `module:attr`, the server the project uses (or names). */
function manifestOf(row: Record<string, string>): { dir: string; framework: string; entry: string; server: string } {
  const framework = row.framework!.split(/\s/)[0]!.toLowerCase();
  const entry = /([A-Za-z_][\w.]*:[A-Za-z_]\w*(?:\(\))?)/.exec(row.app_entry!)?.[1] ?? '';
  const s = row.server!;
  const named = ['granian', 'waitress', 'uwsgi', 'gunicorn', 'uvicorn', 'hypercorn', 'daphne'];
  const server = s.startsWith('none')
    ? (/natural production server is `?(\w+)|standard production server is (\w+)/.exec(s)?.slice(1).find(Boolean) ?? (/run_app/.test(s) ? 'aiohttp' : 'none'))
    : named.map((n) => [n, s.indexOf(n)] as const).filter(([, i]) => i >= 0).sort((a, b) => a[1] - b[1])[0]?.[0] ?? s.split(/\s/)[0]!;
  // the project directory: where `run from X` points, or the nearest directory above it with a dependency manifest
  const hasManifest = (d: string): boolean => existsSync(join(APPS, row.name!, d))
    && readdirSync(join(APPS, row.name!, d)).some((f) => /^(requirements[\w.-]*\.txt|pyproject\.toml|Pipfile|environment\.ya?ml|setup\.py)$/.test(f));
  // `run from X` / `from X`, else the repository subfolder the app lives in, when it holds the manifest
  let dir = [...row.app_entry!.matchAll(/\bfrom ([\w.-]+(?:\/[\w.-]+)*)\/?/g)].map((x) => x[1]!).find((d) => existsSync(join(APPS, row.name!, d))) ?? '';
  while (dir !== '' && !hasManifest(dir)) dir = dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/')) : '';
  const sub = row.subdir!.split(' ')[0]!;
  if (dir === '' && !hasManifest('') && sub !== '.' && hasManifest(sub)) dir = sub;
  return { dir, framework, entry, server };
}

describe.skipIf(!present)('corpus apps: framework, entry and server against MANIFEST.tsv', () => {
  it('detects every app, and the table of agreements is the reviewed one', async () => {
    const lines: string[] = [];
    let agree = 0;
    let fields = 0;
    let refused = 0;
    const rows = manifest();
    for (const row of rows) {
      const m = manifestOf(row);
      const got = webOf(loadProject(join(APPS, row.name!, m.dir), join(APPS, row.name!, m.dir)));
      if (got.refused) {
        refused++;
        lines.push(`${row.name} (${m.dir || '.'}): REFUSED ${got.refused}`);
        fields += 3;
        continue;
      }
      const same = {
        framework: got.framework === m.framework || (got.framework === 'channels' && m.framework === 'django'),
        entry: got.entry === m.entry,
        // MANIFEST "none": the project has no production server, any production server is init's to choose
        server: got.server === m.server || m.server === 'none',
      };
      fields += 3;
      agree += Object.values(same).filter(Boolean).length;
      const mark = (k: keyof typeof same, v: string | undefined, want: string): string => (same[k] ? `${v}` : `${v} (MANIFEST: ${want})`);
      lines.push(`${row.name} (${m.dir || '.'}): ${mark('framework', got.framework, m.framework)} | ${mark('entry', got.entry, m.entry)} | ${mark('server', got.server, m.server)}`);
    }
    expect(rows.length).toBe(29);
    lines.push('', `agree on ${agree} of ${fields} fields; refused ${refused}`);
    await expect(`${lines.join('\n')}\n`).toMatchFileSnapshot('__snapshots__/apps-entry.txt');
    expect(refused).toBeLessThanOrEqual(1);
    expect(agree / fields).toBeGreaterThanOrEqual(0.9);
  });
});

const spec = (files: Record<string, string>, opts: Partial<Parameters<typeof buildSpec>[1]> = {}): InitSpec => {
  const dir = projectDir(files);
  return buildSpec(loadProject(dir, dir), { pyshipVersion: '0.0.0', ...opts });
};
const apps = (files: Record<string, string>): string[] => {
  const dir = projectDir(files);
  return detectApp(loadProject(dir, dir)).candidates.map((c) => `${c.framework} ${c.importRoot ? `${c.importRoot}|` : ''}${c.module}:${c.attr}`);
};
const evidence = (files: Record<string, string>) => {
  const dir = projectDir(files);
  return serverFacts(loadProject(dir, dir));
};

describe('app objects made by factories', () => {
  const FASTAPI_FACTORY = 'from fastapi import FastAPI\n\n\ndef create_app() -> FastAPI:\n    app = FastAPI()\n    return app\n';
  it('resolves `app = factory()` in the same module, and drops the factory it calls', () => {
    expect(apps({ 'svc/__init__.py': '', 'svc/main.py': `${FASTAPI_FACTORY}\n\napp = create_app()\n` })).toEqual(['fastapi svc.main:app']);
  });
  it('resolves an imported factory with arguments and annotations that hold parentheses', () => {
    expect(apps({
      'pkg/__init__.py': '',
      'pkg/setup.py': 'from fastapi import FastAPI\n\n\ndef create_application(\n    router,\n    settings: (\n        A\n        | B\n    ),\n    **kwargs,\n) -> FastAPI:\n    application = FastAPI(**kwargs)\n    return application\n',
      'pkg/main.py': 'from .setup import create_application\n\napp = create_application(router=None, settings=None)\n',
    })).toEqual(['fastapi pkg.main:app']);
  });
  it('takes `application = get_app()` whose factory returns a subclass of a framework app', () => {
    expect(apps({
      'antenna/__init__.py': '',
      'antenna/app.py': 'import falcon\n\n\nclass MyApp(falcon.App):\n    pass\n\n\ndef get_app(config=None):\n    app = MyApp()\n    return app\n',
      'antenna/wsgi.py': 'from antenna.app import get_app\n\napplication = get_app()\n',
    })).toEqual(['falcon antenna.wsgi:application']);
  });
  it('keeps a factory nobody calls (`module:factory()`) when it needs no arguments, not one that does', () => {
    expect(apps({ 'main.py': FASTAPI_FACTORY })).toEqual(['fastapi main:create_app()']);
    expect(apps({ 'main.py': FASTAPI_FACTORY.replace('create_app()', 'create_app(settings)') })).toEqual([]);
  });
  it('takes an async aiohttp factory, not the dev wrapper around it nor main()', () => {
    expect(apps({
      'polls/__init__.py': '',
      'polls/main.py': 'from aiohttp import web\n\n\nasync def init_app(argv=None):\n    app = web.Application()\n    return app\n\n\nasync def get_app():\n    app = await init_app()\n    return app\n\n\ndef main(argv):\n    app = init_app(argv)\n    web.run_app(app)\n',
    })).toEqual(['aiohttp polls.main:init_app()']);
  });
  it('takes a Pyramid app made by the PasteDeploy `main`, and the Celery app (not the Flask app) a Celery factory returns', () => {
    expect(apps({
      'kinto/__init__.py': 'from pyramid.config import Configurator\n\n\ndef main(global_config, **settings):\n    config = Configurator(settings=settings)\n    app = config.make_wsgi_app()\n    return wrap(app, settings)\n',
      'app.py': 'from kinto import main\n\napplication = main({}, **{})\n',
    })).toEqual(['pyramid app:application']);
    expect(apps({
      'hello/__init__.py': '',
      'hello/app.py': 'from celery import Celery\nfrom flask import Flask\n\n\ndef create_celery_app(app=None):\n    app = app or create_app()\n    celery = Celery(app.import_name)\n    return celery\n\n\ndef create_app(settings_override=None):\n    app = Flask(__name__)\n    return app\n\n\ncelery_app = create_celery_app()\n',
    })).toEqual(['celery hello.app:celery_app', 'flask hello.app:create_app()']);
  });
  it('imports a package from above its topmost imported package, and ignores the app alembic builds to migrate', () => {
    expect(apps({ 'src/py/app/__init__.py': '', 'src/py/app/asgi.py': 'from litestar import Litestar\n\n\ndef create_app() -> Litestar:\n    return Litestar()\n' }))
      .toEqual(['litestar src/py|app.asgi:create_app()']);
    expect(apps({ 'hello/__init__.py': '', 'hello/app.py': 'from flask import Flask\n\n\ndef create_app():\n    app = Flask(__name__)\n    return app\n', 'db/env.py': 'from alembic import context\nfrom hello.app import create_app\n\napp = create_app()\n' }))
      .toEqual(['flask hello.app:create_app()']);
  });
});

describe('servers from the project\'s own evidence', () => {
  const FLASK = 'from flask import Flask\n\napp = Flask(__name__)\n';
  it('follows `web: bash Procfile.sh` into the script, and keeps the steps before the server', () => {
    const s = spec({ 'app.py': FLASK, 'requirements.txt': 'flask==3.1.0\ngunicorn==23.0.0\n', Procfile: 'web: bash Procfile.sh\n', 'Procfile.sh': '#!/bin/bash\n\npython manage.py migrate\n\ngunicorn app:app --timeout 30 --log-file -\n' });
    expect(s).toMatchObject({ server: 'gunicorn', app: { module: 'app', attr: 'app' }, startSteps: [{ command: 'python manage.py migrate', evidence: 'Procfile.sh:3' }] });
  });
  it('follows a Dockerfile ENTRYPOINT script, through a case dispatch, to the script that starts the server', () => {
    const e = evidence({
      'docker/Dockerfile': 'FROM python:3.13-slim\nWORKDIR /app\nCOPY . /app\nENTRYPOINT ["/app/bin/entrypoint.sh"]\n',
      'bin/entrypoint.sh': '#!/bin/bash\ncase $1 in\nweb)\n    exec /app/bin/run_web.sh "$@"\n    ;;\nesac\n',
      'bin/run_web.sh': '#!/bin/bash\nexec ${CMD_PREFIX} gunicorn --workers=2 --bind 0.0.0.0:"${PORT}" app.wsgi:application\n',
    });
    expect(e.web[0]).toMatchObject({ server: 'gunicorn', source: 'script', module: 'app.wsgi', attr: 'application', where: 'bin/run_web.sh:2' });
  });
  it('reads a Dockerfile CMD (`$(which gunicorn) -c`, `fastapi run FILE`, `litestar run` with LITESTAR_APP) and ranks dev setups last', () => {
    expect(evidence({ 'start.sh': '#!/bin/bash\nexec $(which gunicorn) -c /code/config/prod.py src.app:app\n', Dockerfile: 'FROM python:3.13-slim\nCOPY . /code\nENTRYPOINT ["/code/start.sh"]\n' }).web[0])
      .toMatchObject({ server: 'gunicorn', module: 'src.app', attr: 'app', config: '/code/config/prod.py' });
    expect(evidence({ Dockerfile: 'FROM python:3.13-slim\nENTRYPOINT ["fastapi", "run", "--workers", "2", "svc/main.py", "--port", "5001"]\n' }).web[0])
      .toMatchObject({ server: 'uvicorn', appFile: 'svc/main.py', dev: false });
    expect(evidence({ 'Dockerfile.dev': 'FROM python:3.13-slim\nCMD ["uvicorn", "main:app", "--reload"]\n', Dockerfile: 'FROM python:3.13-slim\nENV LITESTAR_APP=app.asgi:create_app\nCMD ["litestar", "run", "--host", "0.0.0.0"]\n' }).web.map((x) => [x.where, x.dev]))
      .toEqual([['Dockerfile:3', false], ['Dockerfile.dev:2', true]]);
  });
  it('reads compose commands, uWSGI ini files, PasteDeploy [server:main], __main__ starters and [tool.fastapi]', () => {
    const e = evidence({
      'docker-compose.prod.yml': 'services:\n  web:\n    build: .\n    command: gunicorn hello.wsgi:application --bind 0.0.0.0:8000\n',
      'uwsgi.ini': '[uwsgi]\nmodule = bookmarks.wsgi:application\nprocesses = 2\n',
      'config/app.tpl': '[app:main]\nuse = egg:kinto\n\n[server:main]\nuse = egg:waitress#main\nhost = 0.0.0.0\n',
      'run.py': 'import uvicorn\n\nif __name__ == "__main__":\n    uvicorn.run("api.main:app", host="0.0.0.0")\n',
      'pyproject.toml': '[project]\nname = "x"\nversion = "1"\n\n[tool.fastapi]\nentrypoint = "api.main:app"\n',
    });
    expect(e.web.map((x) => `${x.source} ${x.server} ${x.module ?? ''}:${x.attr ?? ''} ${x.where}`)).toEqual([
      'compose gunicorn hello.wsgi:application docker-compose.prod.yml:4',
      'config waitress : config/app.tpl:5',
      'config uwsgi bookmarks.wsgi:application uwsgi.ini:1',
      'main uvicorn api.main:app run.py:4',
      'fastapi uvicorn api.main:app pyproject.toml:6',
    ]);
  });
  it('installs a server the project\'s Dockerfile pip-installs outside its lock, pinned to its version', () => {
    const s = spec({ 'app.py': FLASK, 'requirements.txt': 'flask==3.1.0\n', Dockerfile: 'FROM python:3.13-slim\nRUN pip install --no-cache-dir "gunicorn==22.0.0" && pip install -r requirements.txt\n' });
    expect(s).toMatchObject({ server: 'gunicorn', extraInstalls: [{ name: 'gunicorn', version: '22.0.0', evidence: ['Dockerfile:2 gunicorn==22.0.0'] }] });
    expect(s.notes.join('\n')).toContain('installs gunicorn==22.0.0 beside the lock (as Dockerfile:2 gunicorn==22.0.0 does)');
    expect(dockerfile(s)).toContain('pip install "gunicorn==22.0.0"');
  });
  it('copies a top-level app module beside an installed project (the package does not hold it)', () => {
    const s = spec({ 'app.py': FLASK, 'requirements.txt': 'flask==3.1.0\ngunicorn==23.0.0\n' });
    expect(dockerfile({ ...s, installProject: true })).toContain('COPY --chown=app:app gunicorn.conf.py app.py /app/');
    expect(dockerfile({ ...s, installProject: true, app: { ...s.app!, file: 'pkg/app.py' } })).toContain('COPY --chown=app:app gunicorn.conf.py /app/\n');
  });
  it('passes over a start command whose server cannot serve the app (a dev `uvicorn.run` beside a Flask app)', () => {
    const s = spec({ 'app.py': FLASK, 'run.py': 'import uvicorn\n\nif __name__ == "__main__":\n    uvicorn.run("app:app")\n', 'requirements.txt': 'flask==3.1.0\ngunicorn==23.0.0\n' });
    expect(s).toMatchObject({ server: 'gunicorn', app: { module: 'app', attr: 'app' } });
  });
  it('runs its own server config, under another name, when the project has a file of that name', () => {
    const s = spec({ 'app.py': FLASK, 'requirements.txt': 'flask==3.1.0\nuwsgi==2.0.28\n', 'uwsgi.ini': '[uwsgi]\nmodule = app:app\nuid = www-data\n' });
    expect(s).toMatchObject({ server: 'uwsgi', serverConfig: 'uwsgi.pyship.ini', command: ['uwsgi', '--ini', 'uwsgi.pyship.ini'] });
    expect(s.notes).toContain('uwsgi.ini is the project\'s own: pyship\'s uwsgi settings go in uwsgi.pyship.ini, which the image runs; merge what you need from uwsgi.ini');
    expect(spec({ 'app.py': FLASK, 'requirements.txt': 'flask==3.1.0\ngunicorn==23.0.0\n', 'gunicorn.conf.py': 'bind = "0.0.0.0:80"\n' }).command).toEqual(['gunicorn', '--config', 'gunicorn.pyship.conf.py', 'app:app']);
  });
  it('says which wrapper and options of the project\'s command are not carried over', () => {
    const s = spec({ 'app.py': FLASK, 'requirements.txt': 'flask==3.1.0\ngunicorn==23.0.0\n', Procfile: 'web: opentelemetry-instrument gunicorn app:app --worker-class gevent --timeout 240\n' });
    expect(s.notes).toContain('Procfile web options not carried over (the generated server config sets workers, logs and timeouts): opentelemetry-instrument --worker-class gevent --timeout 240');
  });
  it('passes over a Procfile `make run` that runs a development server, with a note', () => {
    const s = spec({ 'app.py': FLASK, 'requirements.txt': 'flask==3.1.0\ngunicorn==23.0.0\n', Procfile: 'web: make run\n', Makefile: 'run:\n\tflask run --host 0.0.0.0\n' });
    expect(s.server).toBe('gunicorn');
    expect(s.notes).toContain('Procfile line 1: web: `make run` runs a development server (Makefile:2: flask run --host 0.0.0.0); the image runs a production server instead (below)');
  });
});

describe('frameworks beyond the first four', () => {
  const AIOHTTP = 'from aiohttp import web\n\n\nasync def init_app(argv=None):\n    app = web.Application()\n    return app\n';
  it('serves an aiohttp app with its own server, or gunicorn\'s aiohttp worker when gunicorn is a dependency', () => {
    const own = spec({ 'polls/__init__.py': '', 'polls/main.py': AIOHTTP, 'requirements.txt': 'aiohttp==3.11.11\n' });
    expect(own).toMatchObject({ server: 'aiohttp', command: ['python', 'serve.py'], extraInstalls: [] });
    expect(serverConfig(own)![1]).toContain('from polls.main import init_app');
    expect(serverConfig(own)![1]).toContain('web.run_app(init_app(), host="0.0.0.0"');
    const g = spec({ 'polls/__init__.py': '', 'polls/main.py': AIOHTTP, 'requirements.txt': 'aiohttp==3.11.11\ngunicorn==23.0.0\n' });
    expect(g.server).toBe('gunicorn');
    expect(serverConfig(g)![1]).toContain('worker_class = "aiohttp.GunicornWebWorker"');
  });
  it('serves a Pyramid app with waitress when the project does, through a serve.py', () => {
    const s = spec({
      'kinto/__init__.py': 'from pyramid.config import Configurator\n\n\ndef main(global_config, **settings):\n    config = Configurator(settings=settings)\n    return config.make_wsgi_app()\n',
      'app.py': 'from kinto import main\n\napplication = main({})\n', 'requirements.txt': 'pyramid==2.0.2\nwaitress==3.0.2\n',
    });
    expect(s).toMatchObject({ server: 'waitress', app: { framework: 'pyramid', module: 'app', attr: 'application' }, command: ['python', 'serve.py'] });
    expect(serverConfig(s)![1]).toContain('from app import application');
  });
  it('serves a Litestar factory with granian when litestar-granian is there', () => {
    const s = spec({ 'app/__init__.py': '', 'app/asgi.py': 'from litestar import Litestar\n\n\ndef create_app() -> Litestar:\n    return Litestar()\n', 'requirements.txt': 'litestar==2.15.0\nlitestar-granian==0.13.0\ngranian==2.5.4\n', Dockerfile: 'FROM python:3.13-slim\nENV LITESTAR_APP=app.asgi:create_app\nCMD ["litestar", "run", "--host", "0.0.0.0", "--port", "8000"]\n' });
    expect(s).toMatchObject({ server: 'granian', app: { module: 'app.asgi', attr: 'create_app()' } });
    expect(serverConfig(s)![1]).toMatch(/Granian\(\n {8}"app\.asgi:create_app",[\s\S]*interface=Interfaces\.ASGI,[\s\S]*factory=True,/);
  });
  it('serves Quart with hypercorn and Channels 2 with daphne, the servers they depend on, with nothing installed beside them', () => {
    const q = spec({ 'blog/__init__.py': 'from quart import Quart\n\napp = Quart(__name__)\n', 'requirements.txt': 'quart==0.20.0\n' });
    expect(q).toMatchObject({ server: 'hypercorn', extraInstalls: [] });
    expect(q.decisions.find((d) => d.field === 'server')?.evidence).toEqual(['quart depends on hypercorn (it is installed with quart)']);
    const django = { 'manage.py': 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chat.settings")\n', 'chat/__init__.py': '', 'chat/settings.py': '', 'chat/asgi.py': 'import django\nfrom channels.routing import get_default_application\n\ndjango.setup()\napplication = get_default_application()\n' };
    expect(spec({ ...django, 'requirements.txt': 'Django~=2.0.0\nchannels~=2.0\n' })).toMatchObject({ server: 'daphne', app: { module: 'chat.asgi' }, extraInstalls: [] });
    expect(spec({ ...django, 'requirements.txt': 'Django==5.1.0\nchannels==4.2.0\n' })).toMatchObject({ server: 'uvicorn', extraInstalls: [{ name: 'uvicorn' }] });
  });

  it('writes Channels 2\'s asgi.py when the router has none that sets Django up, and serves it', () => {
    const s = spec({ 'manage.py': 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chat.settings")\n', 'chat/__init__.py': '', 'chat/settings.py': '', 'chat/wsgi.py': 'from django.core.wsgi import get_wsgi_application\n\napplication = get_wsgi_application()\n', 'chat/routing.py': 'from channels.routing import ProtocolTypeRouter\n\napplication = ProtocolTypeRouter({})\n', 'requirements.txt': 'django==4.2.0\nchannels==4.2.0\ndaphne==4.2.1\n' });
    expect(s.app).toMatchObject({ module: 'chat.asgi', attr: 'application', interface: 'asgi' });
    expect(s.server).toBe('daphne');
    expect(s.appModule?.path).toBe('chat/asgi.py');
    expect(s.appModule?.text).toContain('os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chat.settings")\ndjango.setup()\napplication = get_default_application()\n');
    expect(s.appModule?.why).toMatch(/^chat\/routing.py defines the Channels app chat.routing:application/);
  });
  it('writes files pyship check passes for each new server, and for a server installed beside the lock', async () => {
    const cases: Record<string, string>[] = [
      { 'polls/__init__.py': '', 'polls/main.py': AIOHTTP, 'requirements.txt': 'aiohttp==3.11.11\n' },
      { 'app.py': 'from flask import Flask\n\napp = Flask(__name__)\n', 'requirements.txt': 'flask==3.1.0\n' },
      { 'app.py': 'from flask import Flask\n\napp = Flask(__name__)\n', 'requirements.txt': 'flask==3.1.0\nwaitress==3.0.2\n' },
      { 'main.py': 'from fastapi import FastAPI\n\napp = FastAPI()\n', 'requirements.txt': 'fastapi==0.115.6\ngranian==2.5.4\n' },
    ];
    for (const files of cases) {
      const dir = projectDir(files);
      const run = await init(dir);
      expect(run.code, run.err).toBe(0);
      // the files init wrote (the test's own requirements.txt carries no hashes)
      expect(checkFindings(dir).filter((f) => !f.startsWith('requirements.txt:'))).toEqual([]);
    }
  });
});
