// Django in `pyship init`: the production settings module chosen by evidence (in its stated order), what the settings
// need at import, collectstatic/compilemessages as build steps (or the reason why not), and how the Dockerfile,
// compose.yaml and k8s render them.
import { describe, expect, it } from 'vitest';
import { buildSpec, orderBuildSteps } from '../../src/init/spec.js';
import { InitError, type InitOptions, type InitSpec } from '../../src/init/types.js';
import { detectApp } from '../../src/project/app.js';
import { chooseSettings, readSettings } from '../../src/project/django.js';
import { loadProject } from '../../src/project/project.js';
import { PathEval } from '../../src/project/py/paths.js';
import { statements } from '../../src/project/py/source.js';
import { compose } from '../../src/templates/compose.js';
import { dockerfile } from '../../src/templates/dockerfile.js';
import { k8sManifests } from '../../src/templates/k8s.js';
import { projectDir } from './helpers.js';

const manage = (settings?: string): string =>
  `import os\nimport sys\n\nif __name__ == "__main__":\n${settings ? `    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "${settings}")\n` : ''}    from django.core.management import execute_from_command_line\n    execute_from_command_line(sys.argv)\n`;
const wsgi = (settings?: string): string =>
  `import os\n\nfrom django.core.wsgi import get_wsgi_application\n\n${settings ? `os.environ.setdefault("DJANGO_SETTINGS_MODULE", "${settings}")\n` : ''}application = get_wsgi_application()\n`;
const SETTINGS = [
  'import os',
  'from pathlib import Path',
  '',
  'BASE_DIR = Path(__file__).resolve().parent.parent',
  'SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")',
  'INSTALLED_APPS = ["django.contrib.admin", "django.contrib.staticfiles"]',
  'MIDDLEWARE = [',
  '    "django.middleware.security.SecurityMiddleware",',
  '    "whitenoise.middleware.WhiteNoiseMiddleware",',
  ']',
  'STATIC_URL = "static/"',
  'STATIC_ROOT = BASE_DIR / "staticfiles"',
  '',
].join('\n');
const REQS = 'django==5.1.5\ngunicorn==23.0.0\nwhitenoise==6.8.2\n';

/** A Django project `proj` with manage.py at `base`, the given settings files (path under proj/ → text) and extras. */
function project(opts: { settings?: string; wsgiDefault?: string; files: Record<string, string>; base?: string }): Record<string, string> {
  const b = opts.base ? `${opts.base}/` : '';
  return {
    'requirements.txt': REQS,
    [`${b}manage.py`]: manage(opts.settings),
    [`${b}proj/__init__.py`]: '',
    [`${b}proj/wsgi.py`]: wsgi(opts.wsgiDefault ?? opts.settings),
    ...Object.fromEntries(Object.entries(opts.files).map(([k, v]) => [k.startsWith('/') ? k.slice(1) : `${b}${k}`, v])),
  };
}

const load = (files: Record<string, string>) => {
  const dir = projectDir(files);
  return loadProject(dir, dir);
};
const choose = (files: Record<string, string>) => {
  const p = load(files);
  return chooseSettings(p, detectApp(p).django!);
};
const facts = (files: Record<string, string>) => {
  const p = load(files);
  const d = detectApp(p).django!;
  return readSettings(p, d, chooseSettings(p, d)!);
};
const spec = (files: Record<string, string>, opts: Partial<InitOptions> = {}): InitSpec => buildSpec(load(files), { pyshipVersion: '0.0.0', ...opts });
const decision = (s: InitSpec, field: string) => s.decisions.find((d) => d.field === field);

describe('production settings by evidence', () => {
  const pkg = { 'proj/settings/__init__.py': '', 'proj/settings/base.py': SETTINGS, 'proj/settings/local.py': 'from .base import *\nDEBUG = True\n' };

  it('(1) a production module of the settings package beats manage.py and wsgi.py defaults', () => {
    const c = choose(project({ settings: 'proj.settings.local', files: { ...pkg, 'proj/settings/production.py': 'from .base import *\n' } }));
    expect(c).toMatchObject({ module: 'proj.settings.production', rule: 'production-module', file: 'proj/settings/production.py' });
    expect(choose(project({ settings: 'proj.settings.local', files: { ...pkg, 'proj/settings/prod.py': 'from .base import *\n' } }))?.module).toBe('proj.settings.prod');
  });

  it('(2) a wsgi.py default that differs from manage.py\'s, with its line', () => {
    const c = choose(project({ settings: 'proj.settings.local', wsgiDefault: 'proj.settings.live', files: { ...pkg, 'proj/settings/live.py': '' } }));
    expect(c).toMatchObject({ module: 'proj.settings.live', rule: 'wsgi-default' });
    expect(c!.evidence[0]).toBe('proj/wsgi.py:5 DJANGO_SETTINGS_MODULE defaults to proj.settings.live');
  });

  it('(3) deployment files: uwsgi.ini env, Procfile --settings, app-spec YAML key/value; dev and CI files do not count', () => {
    const live = { ...pkg, 'proj/settings/live.py': '' };
    expect(choose(project({ settings: 'proj.settings.local', files: { ...live, '/uwsgi.ini': '[uwsgi]\nmodule = proj.wsgi\nenv = DJANGO_SETTINGS_MODULE=proj.settings.live\n' } }))?.evidence[0])
      .toBe('uwsgi.ini:3 DJANGO_SETTINGS_MODULE=proj.settings.live');
    expect(choose(project({ settings: 'proj.settings.local', files: { ...live, '/Procfile': 'web: gunicorn proj.wsgi --settings=proj.settings.live\n' } }))?.module).toBe('proj.settings.live');
    const yaml = 'services:\n  - envs:\n      - key: DJANGO_SETTINGS_MODULE\n        scope: RUN_AND_BUILD_TIME\n        value: "proj.settings.live"\n';
    expect(choose(project({ files: { ...live, '/.do/deploy.template.yaml': yaml } }))).toMatchObject({ module: 'proj.settings.live', rule: 'deployment-config', evidence: ['.do/deploy.template.yaml:5 DJANGO_SETTINGS_MODULE=proj.settings.live'] });
    // a dev compose file, a devcontainer and CI name other modules: manage.py's default stands
    const noise = {
      ...live,
      '/docker-compose.dev.yml': 'services:\n  web:\n    environment:\n      - DJANGO_SETTINGS_MODULE=proj.settings.live\n',
      '/.devcontainer.json': '{"DJANGO_SETTINGS_MODULE": "proj.settings.live"}\n',
      '/.github/workflows/ci.yml': 'env:\n  DJANGO_SETTINGS_MODULE: proj.settings.live\n',
      '/pytest.ini': '[pytest]\nDJANGO_SETTINGS_MODULE = proj.settings.live\n',
    };
    expect(choose(project({ settings: 'proj.settings.local', files: noise }))).toMatchObject({ module: 'proj.settings.local', rule: 'manage-default' });
    // a value that names no module in the project is no evidence
    expect(choose(project({ settings: 'proj.settings.local', files: { ...pkg, '/uwsgi.ini': 'env = DJANGO_SETTINGS_MODULE=proj.settings.gone\n' } }))?.module).toBe('proj.settings.local');
  });

  it('(4) a settings __init__ that imports dev first and falls back to another module', () => {
    const init = '# dev settings when present\ntry:\n    from .dev import *\nexcept:\n    from .live import *\n';
    const c = choose(project({ settings: 'proj.settings', files: { ...pkg, 'proj/settings/__init__.py': init, 'proj/settings/dev.py': '', 'proj/settings/live.py': '' } }));
    expect(c).toMatchObject({ module: 'proj.settings.live', rule: 'init-fallback', evidence: ['proj/settings/__init__.py:5 imports .dev first and falls back to .live'] });
  });

  it('(5) manage.py\'s default; without one, the settings module beside the app; with nothing, an InitError', () => {
    expect(choose(project({ settings: 'proj.settings', files: { 'proj/settings.py': SETTINGS } }))).toMatchObject({ module: 'proj.settings', rule: 'manage-default', evidence: ['manage.py:5 DJANGO_SETTINGS_MODULE defaults to proj.settings'] });
    expect(choose(project({ files: { 'proj/settings.py': SETTINGS } }))).toMatchObject({ module: 'proj.settings', rule: 'only-module' });
    try {
      spec(project({ files: { 'proj/conf.py': SETTINGS } }));
      expect.unreachable('no settings');
    } catch (e) {
      expect(e).toBeInstanceOf(InitError);
      expect((e as InitError).message).toContain('manage.py names no DJANGO_SETTINGS_MODULE');
    }
  });

  it('the chosen module is the decision, the image ENV, and what migrations run with; the summary says why', () => {
    const s = spec(project({ settings: 'proj.settings.local', files: { ...pkg, 'proj/settings/production.py': 'from .base import *\n' } }));
    expect(decision(s, 'settings')).toMatchObject({ value: 'proj.settings.production', evidence: ['proj/settings/production.py a production module of the settings package proj.settings'] });
    expect(dockerfile(s)).toContain('DJANGO_SETTINGS_MODULE=proj.settings.production');
    expect(s.notes.join('\n')).toContain("Django settings: proj.settings.production, because the settings package has a production module (proj/settings/production.py a production module of the settings package proj.settings); the image sets DJANGO_SETTINGS_MODULE to it, over manage.py's default proj.settings.local");
    // the migrate one-off runs in the same image, so with the same ENV
    expect(compose(s)).toContain('command: ["python","manage.py","migrate","--noinput"]');
  });
});

describe('what the settings need at import', () => {
  it('finds variables read with no default, follows star imports, and skips guarded, defaulted and indented reads', () => {
    const base = [
      'import os',
      'import environ',
      'env = environ.Env()',
      'A = os.environ["NEED_SUBSCRIPT"]',
      'B = os.environ.get("NEED_SPLIT").split(",")',
      'C = int(os.getenv("NEED_INT"))',
      'D = env("NEED_ENV")',
      'E = env.db()',
      'F = env.bool("HAS_DEFAULT", False)',
      'G = env("HAS_KW_DEFAULT", default="x")',
      'H = os.environ.get("HAS_DEFAULT_2", "x").split(",")',
      'I = json.loads(os.getenv("HAS_OR") or "{}")',
      'J = os.environ["GUARDED"] if "GUARDED" in os.environ else "/data"',
      'if os.environ.get("OPTIONAL"):',
      '    K = os.environ.get("OPTIONAL").split(",")',
      'L = env.list(',
      '    "NEED_MULTILINE",',
      ')',
      '',
    ].join('\n');
    const prod = 'from .base import *  # noqa\n\nif not os.getenv("NEED_RAISE"):\n    raise ValueError("set it")\nSECRET_KEY = env("DJANGO_SECRET_KEY")\n';
    const f = facts(project({ settings: 'proj.settings.prod', files: { 'proj/settings/__init__.py': '', 'proj/settings/base.py': base, 'proj/settings/prod.py': prod } }));
    expect(f.files).toEqual(['proj/settings/prod.py', 'proj/settings/base.py']);
    expect(f.required.map((r) => `${r.name}=${r.dummy} ${r.at}`)).toEqual([
      'NEED_SUBSCRIPT=build-only-dummy proj/settings/base.py:4',
      'NEED_SPLIT=localhost proj/settings/base.py:5',
      'NEED_INT=0 proj/settings/base.py:6',
      'NEED_ENV=build-only-dummy proj/settings/base.py:7',
      'DATABASE_URL=sqlite:////tmp/build.sqlite3 proj/settings/base.py:8',
      'NEED_MULTILINE=localhost proj/settings/base.py:17',
      'NEED_RAISE=build-only-dummy proj/settings/prod.py:3',
      'DJANGO_SECRET_KEY=build-only-dummy proj/settings/prod.py:5',
    ]);
  });

  it('a SECRET_KEY read with an empty default gets the dummy too; a real default does not', () => {
    expect(facts(project({ settings: 'proj.settings', files: { 'proj/settings.py': SETTINGS } })).required.map((r) => r.name)).toEqual(['DJANGO_SECRET_KEY']);
    expect(facts(project({ settings: 'proj.settings', files: { 'proj/settings.py': SETTINGS.replace('"DJANGO_SECRET_KEY", ""', '"DJANGO_SECRET_KEY", "dev-only"') } })).required).toEqual([]);
  });
});

describe('STATIC_ROOT where the image has it', () => {
  const at = (lines: string[], expr: string, file = '/app/proj/settings.py'): string | undefined => {
    const pe = new PathEval();
    for (const l of lines) {
      const m = /^(\w+)\s*=\s*(.+)$/.exec(l)!;
      pe.assign(m[1]!, m[2]!, file);
    }
    return pe.path(expr, file);
  };
  it.each([
    [['BASE_DIR = Path(__file__).resolve().parent.parent'], 'BASE_DIR / "staticfiles"', '/app/staticfiles'],
    [['BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))'], 'os.path.join(BASE_DIR, "static")', '/app/static'],
    [['ROOT_DIR = environ.Path(__file__) - 3'], 'str(ROOT_DIR("staticfiles"))', '/app/staticfiles'],
    [['ROOT = Path(__file__).parents[2]'], 'ROOT / "static"', '/app/static'],
    [[], '"/public_collected"', '/public_collected'],
    [[], '"compiledstatic/"', '/app/compiledstatic'],
    [['P = os.path.dirname(__file__)'], 'join(P, "run", "static_root")', '/app/proj/run/static_root'],
    [['BASE_DIR = Path(__file__).resolve().parent.parent', 'DATA_DIR = (Path(os.environ[k]) if k in os.environ else BASE_DIR.parent)'], 'DATA_DIR / "static"', '/static'],
    [['BASE_DIR = Path(__file__).resolve().parent.parent'], 'os.environ.get("STATIC_ROOT", BASE_DIR / "static")', '/app/static'],
    [[], 'os.environ["STATIC_ROOT"]', undefined],
    [[], 'settings_helper()', undefined],
  ])('%j: %s → %s', (lines, expr, want) => {
    expect(at(lines, expr, '/app/proj/settings.py'.replace('proj/settings.py', lines.some((l) => l.includes('parents[2]') || l.includes('- 3')) ? 'proj/settings/base.py' : 'proj/settings.py'))).toBe(want);
  });

  it('statements join brackets and continuations, skip comments and strings, keep first lines', () => {
    const st = statements('"""doc\nstring"""\nA = [  # c\n  "x",\n]\nB = 1 \\\n  + 2\n# only a comment\n  C = "#not a comment"\n');
    expect(st.map((s) => [s.line, s.indent, s.text])).toEqual([[1, 0, '"""doc\nstring"""'], [3, 0, 'A = [     "x", ]'], [6, 0, 'B = 1    + 2'], [9, 2, 'C = "#not a comment"']]);
  });
});

describe('collectstatic and compilemessages as build steps', () => {
  it('whitenoise + STATIC_ROOT: collectstatic in the final stage as the app user, the dummies in that RUN only', () => {
    const s = spec(project({ settings: 'proj.settings', files: { 'proj/settings.py': SETTINGS.replace('SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")', 'SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]\nHOSTS = os.environ.get("HOSTS").split(",")') } }));
    expect(decision(s, 'static-files')?.value).toBe('collectstatic at build into /app/staticfiles; served by whitenoise');
    expect(decision(s, 'build-steps')?.value).toBe('collectstatic: a RUN in the runtime stage, as the app user');
    const df = dockerfile(s);
    const lines = df.split('\n');
    const run = lines.findIndex((l) => l.startsWith('RUN DJANGO_SECRET_KEY=build-only-dummy'));
    expect(lines.slice(run, run + 3)).toEqual(['RUN DJANGO_SECRET_KEY=build-only-dummy \\', '    HOSTS=localhost \\', '    python manage.py collectstatic --noinput']);
    expect(run).toBeGreaterThan(lines.indexOf('USER app'));
    expect(run).toBeGreaterThan(lines.findIndex((l) => l.startsWith('COPY --from=build --chown=app:app /app /app')));
    // never in an ENV
    expect(lines.filter((l) => /^ENV|^ {4}\w+=/.test(l) && /SECRET|HOSTS=/.test(l) && !l.includes('collectstatic'))).toEqual(['    HOSTS=localhost \\']);
    expect(df).not.toMatch(/ENV[^\n]*SECRET/);
  });

  it('collectstatic runs after the build steps added before it (asset builds fill the static directories)', () => {
    const files = project({ settings: 'proj.settings', files: { 'proj/settings.py': SETTINGS } });
    const s = spec(files);
    // what another part of init would add: a step that builds assets, pushed after the Django steps
    s.buildSteps.push({ name: 'assets', run: ['npm', 'run', 'build'], evidence: ['package.json'] }, { name: 'compile', run: ['make'], evidence: ['Makefile'] });
    expect(orderBuildSteps(s.buildSteps).map((b) => b.name)).toEqual(['assets', 'compile', 'collectstatic']);
    const df = dockerfile(s);
    expect(df.indexOf('RUN npm run build')).toBeLessThan(df.indexOf('collectstatic --noinput'));
  });

  it('an absolute STATIC_ROOT outside /app is created for the app user before USER app', () => {
    const s = spec(project({ settings: 'proj.settings', files: { 'proj/settings.py': SETTINGS.replace('BASE_DIR / "staticfiles"', '"/public_collected"') } }));
    const lines = dockerfile(s).split('\n');
    const mk = lines.indexOf('RUN install -d -o app -g app /public_collected');
    expect(mk).toBeGreaterThan(0);
    expect(mk).toBeLessThan(lines.indexOf('USER app'));
  });

  it.each([
    ['no STATIC_ROOT', SETTINGS.replace('STATIC_ROOT = BASE_DIR / "staticfiles"\n', ''), 'not collected: STATIC_ROOT is not set'],
    ['staticfiles not installed', SETTINGS.replace(', "django.contrib.staticfiles"', ''), 'none: django.contrib.staticfiles is not installed'],
    ['a remote storage', `${SETTINGS}STORAGES = {"staticfiles": {"BACKEND": "storages.backends.s3boto3.S3StaticStorage"}}\n`, 'not collected at build: the static storage storages.backends.s3boto3.S3StaticStorage uploads them'],
    ['a database connection at import', `${SETTINGS}import psycopg2\nCONN = psycopg2.connect("dbname=x")\n`, 'not collected at build: the settings connect to a service at import'],
    ['an unknown STATIC_ROOT', SETTINGS.replace('BASE_DIR / "staticfiles"', 'os.environ["STATIC_DIR"]'), 'not collected at build: STATIC_ROOT = os.environ["STATIC_DIR"] is not a path pyship can place in the image'],
  ])('%s: no collectstatic, and a decision that says why', (_, settings, want) => {
    const s = spec(project({ settings: 'proj.settings', files: { 'proj/settings.py': settings } }));
    expect(decision(s, 'static-files')?.value).toContain(want);
    expect(s.buildSteps.map((b) => b.name)).toEqual([]);
    expect(dockerfile(s)).not.toContain('collectstatic');
  });

  it('without whitenoise the files are still collected, with a note that nothing serves them', () => {
    const s = spec(project({ settings: 'proj.settings', files: { 'proj/settings.py': SETTINGS.replace('    "whitenoise.middleware.WhiteNoiseMiddleware",\n', '') } }));
    expect(decision(s, 'static-files')?.value).toBe('collectstatic at build into /app/staticfiles; no whitenoise, and gunicorn serves no files: nothing serves STATIC_URL: add whitenoise (two lines) or a web server');
    expect(s.notes.join('\n')).toContain('nothing in the image serves them at STATIC_URL (no WhiteNoiseMiddleware, and gunicorn serves no files)');
  });

  it('.po catalogues: compilemessages in the build stage with gettext, which stays out of the final image', () => {
    for (const compile of [true, false]) {
      const s = spec(project({ settings: 'proj.settings', files: { 'proj/settings.py': SETTINGS, 'locale/fr/LC_MESSAGES/django.po': 'msgid ""\nmsgstr ""\n' } }), { compile });
      const df = dockerfile(s);
      const [build, final] = df.split('\nFROM ${PYTHON_IMAGE}\n');
      expect(build).toMatch(/apt-get install -y --no-install-recommends gettext/);
      expect(build).toContain('COPY . .\n# compilemessages\nRUN /opt/venv/bin/python -m django compilemessages\n');
      expect(final).not.toContain('gettext');
      // the compiled catalogues come from the build stage, also with --no-compile
      expect(final).toContain('COPY --from=build --chown=app:app /app /app');
      // in the order they run: collectstatic last, after whatever other steps produce
      expect(decision(s, 'build-steps')?.value).toBe('compilemessages: a RUN in the build stage (gettext stays out of the final image); collectstatic: a RUN in the runtime stage, as the app user');
    }
  });

  it('compose.yaml passes SECRET_KEY and ALLOWED_HOSTS under the names the settings read, hosts split as they split them', () => {
    const settings = SETTINGS.replace('os.environ.get("DJANGO_SECRET_KEY", "")', 'os.environ.get("SECRET_KEY")') + 'ALLOWED_HOSTS = os.environ.get("HOSTS").split(" ")\n';
    const c = compose(spec(project({ settings: 'proj.settings', files: { 'proj/settings.py': settings } })));
    // SECRET_KEY is None when unset, and Django refuses an empty one: compose requires it from .env (src/init/environment.ts)
    expect(c).toContain('SECRET_KEY: ${SECRET_KEY:?set SECRET_KEY in .env}');
    expect(c).toContain('HOSTS: "localhost 127.0.0.1"');
    expect(c).not.toContain('DJANGO_SECRET_KEY');
  });

  it('manage.py in a subdirectory: collectstatic and the migrate one-off (compose, k8s Job) run it by its path', () => {
    const s = spec(project({ base: 'app', settings: 'proj.settings', files: { 'proj/settings.py': SETTINGS } }), { k8s: true });
    expect(dockerfile(s)).toContain('    python app/manage.py collectstatic --noinput');
    expect(compose(s)).toContain('command: ["python","app/manage.py","migrate","--noinput"]');
    const job = k8sManifests(s).find(([f]) => f === 'k8s/migrate-job.yaml')![1];
    expect(job).toContain('command: ["tini","--","python","app/manage.py","migrate","--noinput"]');
    expect(decision(s, 'migrations')?.value).toBe('python app/manage.py migrate --noinput: compose one-off `migrate` (`docker compose run --rm migrate`), k8s Job k8s/migrate-job.yaml, never at container start');
  });
});

describe('bad input', () => {
  it('unterminated strings, stray brackets and binary-ish text neither crash nor hang, and keep line numbers', () => {
    const st = statements('A = "open\nB = (1,\nC = 2\n');
    expect(st[0]).toMatchObject({ line: 1, text: 'A = "open' });
    expect(st[1]!.line).toBe(2);
    expect(statements(')))]]}\n\u0000\u0001 = \'\'\'never closed\n')).toHaveLength(2);
    expect(new PathEval().path('os.path.join(', '/app/x.py')).toBeUndefined();
    expect(new PathEval().path('', '/app/x.py')).toBeUndefined();
  });
});
