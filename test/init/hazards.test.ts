// Hazards of the images init generates on real apps: static files that nothing serves (the project's uWSGI serving
// options carried over, or said), asset builds placed where the installed app does not look, an app that writes into
// its own installed package, and notes about a generated Dockerfile when the project's own is kept.
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/project/project.js';
import { locateProject } from '../../src/project/locate.js';
import type { LockRunner } from '../../src/init/lock.js';
import { buildSpec } from '../../src/init/spec.js';
import type { InitSpec } from '../../src/init/types.js';
import { uwsgiServing } from '../../src/init/uwsgi-serving.js';
import { dockerfile } from '../../src/templates/dockerfile.js';
import { serverConfig } from '../../src/templates/server.js';
import { envExample } from '../../src/init/environment.js';
import { checkFindings, gitCommit, init, projectDir } from './helpers.js';
import { APPS_DIR, appsPresent, skipNote } from '../corpus-apps.js';

skipNote('the corpus cases of the image hazards (static-map, assets, writes into the package, localhost hosts)');

const spec = (dir: string): InitSpec => buildSpec(loadProject(dir, dir), { pyshipVersion: '0.0.0' });
const decision = (s: InitSpec, field: string): string | undefined => s.decisions.find((d) => d.field === field)?.value;
const corpus = (name: string): string => {
  const dir = join(mkdtempSync(join(tmpdir(), 'pyship-hazards-')), name);
  cpSync(join(APPS_DIR, name), dir, { recursive: true });
  return dir;
};
/** The spec of a corpus app, at the project init finds in it (a subfolder of a monorepo). */
const corpusSpec = (name: string): InitSpec => {
  const dir = locateProject(join(APPS_DIR, name)).projectDir;
  return buildSpec(loadProject(dir, dir), { pyshipVersion: '0.0.0' });
};
const NO_LOCKER: LockRunner = { which: () => false, exec: () => ({ code: 127, stdout: '', stderr: 'not run' }), engine: () => 'no container engine here' };

/** A project's uwsgi.ini: serving options pyship carries over, and sockets, user and daemon options it never does. */
const INI = '[uwsgi]\nmodule = proj.wsgi:application\nsocket = :3031\nuid = www-data\ndaemonize = /var/log/u.log\nhttp = :8000\nstatic-map = /static=staticfiles\nroute = ^/static/ addheader:Cache-Control: max-age=3600\nstatic-expires-uri = ^/static/ 86400\n\nif-env = PREFIX\nstatic-map = /%(_)static=staticfiles\nharakiri = %(_)\nendif =\n\nif-env = TIMEOUT\nharakiri = %(_)\nendif =\n[other]\nstatic-map = /x=y\n';

const DJANGO = {
  'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
  'proj/__init__.py': '',
  'proj/wsgi.py': 'import os\nfrom django.core.wsgi import get_wsgi_application\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\napplication = get_wsgi_application()\n',
  'proj/settings.py': 'from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\nSECRET_KEY = "x"\nINSTALLED_APPS = ["django.contrib.staticfiles"]\nSTATIC_URL = "/static/"\nSTATIC_ROOT = BASE_DIR / "staticfiles"\n',
};

describe('uWSGI serving options carried over', () => {

  it('keeps static-map, static-* and route lines (and the if-block holding them), never sockets, user, daemon or http', () => {
    const s = uwsgiServing(INI, 'uwsgi.ini');
    expect(s.lines).toEqual([
      'static-map = /static=staticfiles', 'route = ^/static/ addheader:Cache-Control: max-age=3600', 'static-expires-uri = ^/static/ 86400',
      'if-env = PREFIX', 'static-map = /%(_)static=staticfiles', 'endif =',
    ]);
    expect(s.evidence[0]).toBe('uwsgi.ini:7 static-map = /static=staticfiles');
    expect(s.routes).toBe(true);
    expect(s.maps).toEqual([{ mount: '/static', dir: 'staticfiles', at: 'uwsgi.ini:7' }]);
  });

  it('pyship\'s uwsgi.pyship.ini carries them; the static files are served by them; PCRE comes with the routes', () => {
    const dir = projectDir({ ...DJANGO, 'requirements.txt': 'django==5.2.1\nuwsgi==2.0.30\n', 'uwsgi.ini': INI });
    const s = spec(dir);
    expect(s.serverConfig).toBe('uwsgi.pyship.ini');
    const [, text] = serverConfig(s)!;
    expect(text).toContain('static-map = /static=staticfiles\n');
    expect(text).not.toMatch(/^(socket|uid|daemonize|http) =/m);
    expect(decision(s, 'static-files')).toBe('collectstatic at build into /app/staticfiles; served by uWSGI static-map /static=staticfiles');
    expect(s.runtimePackages).toContain('libpcre2-8-0');
    expect(s.buildPackages).toContain('libpcre2-dev');
    expect(s.notes.join('\n')).toMatch(/uwsgi\.pyship\.ini carries over the serving options of uwsgi\.ini/);
  });

  it('Django with collectstatic, no whitenoise and gunicorn: the decision says nothing serves STATIC_URL', () => {
    const s = spec(projectDir({ ...DJANGO, 'requirements.txt': 'django==5.2.1\ngunicorn==23.0.0\n' }));
    expect(decision(s, 'static-files')).toBe('collectstatic at build into /app/staticfiles; no whitenoise, and gunicorn serves no files: nothing serves STATIC_URL: add whitenoise (two lines) or a web server');
  });

  it.skipIf(!appsPresent)('linkding: its static-map lines reach uwsgi.pyship.ini, which serves /static', () => {
    const s = corpusSpec('linkding');
    const [, text] = serverConfig(s)!;
    expect(text).toContain('static-map = /static=static\n');
    expect(text).toContain('static-map = /static=data/favicons\n');
    expect(text).not.toMatch(/^(uid|gid|stats|pidfile) =/m);
    expect(decision(s, 'static-files')).toMatch(/served by uWSGI static-map \/static=static$/);
  });

  it.skipIf(!appsPresent)('django-channels-chat: daphne serves no files, and the decision says so', () => {
    expect(decision(corpusSpec('django-channels-chat'), 'static-files')).toMatch(/no whitenoise, and daphne serves no files: nothing serves STATIC_URL/);
  });
});

describe('assets inside the installed package', () => {
  const FILES = {
    'pyproject.toml': '[project]\nname = "pkg"\nversion = "1.0"\ndependencies = ["flask==3.1.0", "gunicorn==23.0.0"]\n\n[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n',
    'requirements.txt': 'flask==3.1.0\ngunicorn==23.0.0\n',
    'src/pkg/__init__.py': 'from flask import Flask\n\napp = Flask(__name__)\n',
    'package.json': '{"name": "web", "scripts": {"build": "vite build"}, "devDependencies": {"vite": "^5.0.0"}}\n',
    'package-lock.json': '{"lockfileVersion": 3}\n',
    'vite.config.js': 'export default { build: { outDir: "src/pkg/static/dist" } };\n',
  };

  it('are copied into the build stage before the install, from an assets stage defined before it', () => {
    const s = spec(projectDir(FILES));
    expect(s.installProject).toBe(true);
    expect(s.assets?.intoBuild).toBe(true);
    const text = dockerfile(s);
    const assets = text.indexOf('AS assets');
    const build = text.indexOf('AS build');
    const copy = text.indexOf('COPY --from=assets /app/src/pkg/static/dist src/pkg/static/dist');
    const install = text.indexOf('pip install --no-deps');
    expect(assets).toBeGreaterThan(0);
    expect(assets).toBeLessThan(build);
    expect(copy).toBeGreaterThan(build);
    expect(copy).toBeLessThan(install);
    // nothing copied to /app in the runtime stage, where the installed app does not look
    expect(text).not.toContain('COPY --from=assets --chown=app:app');
    expect(decision(s, 'build-steps')).toMatch(/copied into the build stage before the project is installed/);
  });

  it('output outside any package still goes to /app in the runtime stage', () => {
    const s = spec(projectDir({ ...FILES, 'vite.config.js': 'export default { build: { outDir: "public/dist" } };\n' }));
    expect(s.assets?.intoBuild).toBeUndefined();
    expect(dockerfile(s)).toContain('COPY --from=assets --chown=app:app /app/public/dist /app/public/dist');
  });

  it.skipIf(!appsPresent)('litestar-fullstack: the Vite output is in place before `uv sync --no-editable`', () => {
    const text = dockerfile(corpusSpec('litestar-fullstack'));
    const copy = text.indexOf('COPY --from=assets /app/src/py/app/server/static/web src/py/app/server/static/web');
    expect(copy).toBeGreaterThan(text.indexOf('AS build'));
    expect(copy).toBeLessThan(text.indexOf('uv sync --locked --no-dev --no-editable'));
  });
});

describe('an app that writes into its own package runs from source', () => {
  const FILES = {
    'pyproject.toml': '[project]\nname = "blog"\nversion = "1.0"\ndependencies = ["flask==3.1.0", "gunicorn==23.0.0"]\n\n[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n',
    'requirements.txt': 'flask==3.1.0\ngunicorn==23.0.0\n',
    'src/blog/__init__.py': 'from pathlib import Path\nfrom flask import Flask\n\napp = Flask(__name__)\napp.config.update({"DATABASE": Path(app.root_path) / "blog.db"})\n',
  };

  it('is not installed: its source is in /app (the app user\'s), imported through PYTHONPATH, and a decision says why', () => {
    const s = spec(projectDir(FILES));
    expect(s.installProject).toBe(false);
    expect(s.importRoot).toBe('src');
    expect(decision(s, 'install-project')).toMatch(/^no: the code runs from \/app\/src/);
    expect(s.decisions.find((d) => d.field === 'install-project')!.evidence[0]).toMatch(/^src\/blog\/__init__\.py:5 .*site-packages\/blog: inside the installed package/);
    const text = dockerfile(s);
    expect(text).not.toContain('pip install --no-deps');
    expect(text).toContain('COPY --from=build --chown=app:app /app /app');
    expect(text).toContain('PYTHONPATH=/app/src');
  });

  it('without the write, the same project is installed', () => {
    const s = spec(projectDir({ ...FILES, 'src/blog/__init__.py': 'from flask import Flask\n\napp = Flask(__name__)\n' }));
    expect(s.installProject).toBe(true);
    expect(decision(s, 'install-project')).toBeUndefined();
  });

  it.skipIf(!appsPresent)('quart-blog: blog.db beside the package, so the image runs the source', () => {
    const s = corpusSpec('quart-blog');
    expect(s.installProject).toBe(false);
    expect(s.command).toEqual(['hypercorn', '--config', 'file:hypercorn.conf.py', 'blog:app']);
    expect(dockerfile(s)).toContain('PYTHONPATH=/app/src');
  });
});

describe('hard-coded hosts reach the environment decision and .env.example', () => {
  it.skipIf(!appsPresent)('aiohttp-demos-polls: the database at localhost, in the decision and a note', () => {
    const s = corpusSpec('aiohttp-demos-polls');
    expect(decision(s, 'environment')).toContain('the app connects to localhost:5432 for its database (config/polls.yaml:5): in a container that is the container itself');
    expect(s.notes.some((n) => n.startsWith("settings made for a developer's machine: the app connects to localhost:5432"))).toBe(true);
  });

  it.skipIf(!appsPresent)('python-getting-started: DYNO opens ALLOWED_HOSTS, and .env.example lists it with that value', () => {
    const s = corpusSpec('python-getting-started');
    expect(decision(s, 'environment')).toMatch(/ALLOWED_HOSTS is opened only when DYNO is set \(gettingstarted\/settings\.py:59\)/);
    expect(envExample(s.environment!)).toMatch(/\n# DYNO=1\n$/);
  });
});

describe('notes about the generated Dockerfile when the project\'s is kept', () => {
  it('are marked where they are made: another Python than the project\'s Dockerfile, Procfile options, pyship\'s uWSGI config beside the project\'s', () => {
    const flask = projectDir({ 'app.py': 'from flask import Flask\n\napp = Flask(__name__)\n', 'requirements.txt': 'flask==3.1.0\ngunicorn==23.0.0\n', Procfile: 'web: gunicorn --timeout 60 app:app\n', Dockerfile: 'FROM python:3.12-slim\nCMD ["gunicorn", "app:app"]\n' });
    const f = spec(flask);
    expect(f.imageNotes).toEqual([
      expect.stringMatching(/^the project's own Dockerfile builds on Python 3\.12 \(Dockerfile:1 .*\); the generated one uses 3\.\d+: test the app on it, or pass --python 3\.12$/),
      'Procfile web options not carried over (the generated server config sets workers, logs and timeouts): --timeout 60',
    ]);
    for (const n of f.imageNotes) expect(f.notes).toContain(n);
    const django = spec(projectDir({ ...DJANGO, 'requirements.txt': 'django==5.2.1\nuwsgi==2.0.30\n', 'uwsgi.ini': INI }));
    expect(django.imageNotes).toEqual([
      expect.stringMatching(/^uwsgi\.pyship\.ini carries over the serving options of uwsgi\.ini \(/),
      'uwsgi.ini is the project\'s own: pyship\'s uwsgi settings go in uwsgi.pyship.ini, which the image runs; merge what you need from uwsgi.ini',
    ]);
    // the notes about the app itself are not the generated image's
    expect(django.notes.filter((n) => !django.imageNotes.includes(n)).some((n) => /^Django: /.test(n))).toBe(true);
  });

  it('init says nothing of Procfile options the generated config replaces when the Dockerfile is kept', async () => {
    const base = { 'app.py': 'from flask import Flask\n\napp = Flask(__name__)\n', 'requirements.txt': 'flask==3.1.0\ngunicorn==23.0.0\n', Procfile: 'web: gunicorn --timeout 60 app:app\n' };
    const fresh = projectDir(base);
    const kept = projectDir({ ...base, Dockerfile: 'FROM python:3.13-slim\nCOPY . /app\nCMD ["gunicorn", "--timeout", "60", "app:app"]\n' });
    for (const d of [fresh, kept]) gitCommit(d);
    const notesOf = async (d: string): Promise<string[]> => JSON.parse((await init(d, { dryRun: true, format: 'json' })).out).notes;
    expect((await notesOf(fresh)).some((n) => /options not carried over/.test(n))).toBe(true);
    expect((await notesOf(kept)).some((n) => /options not carried over|the generated one uses/.test(n))).toBe(false);
  });
});

describe.skipIf(!appsPresent)('the generated files pass pyship check', () => {
  it.each(['linkding', 'quart-blog'])('%s', async (name) => {
    const dir = corpus(name);
    gitCommit(dir);
    const run = await init(dir, {}, { lockRunner: NO_LOCKER });
    expect(run.code, run.err).toBe(0);
    const mine = checkFindings(dir).filter((f) => /(^|\/)(Dockerfile|uwsgi\.pyship\.ini|compose\.yaml|hypercorn\.conf\.py|\.env\.example):/.test(f));
    expect(mine).toEqual([]);
  });
});
