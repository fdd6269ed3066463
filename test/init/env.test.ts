// The environment an app needs to start (src/project/env.ts, src/init/environment.ts): one case per way real apps read
// it, the import walk and its bounds, and what init writes from it (compose, .env.example, CI, k8s) without a value.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFilesOf, envReadsOf } from '../../src/project/env.js';
import { statements } from '../../src/project/py/source.js';
import { readEnvironment } from '../../src/init/environment.js';
import { smokeValue, smokeFlags } from '../../src/templates/smoke-env.js';
import { loadProject } from '../../src/project/project.js';
import { checkFindings, gitCommit, init, listFiles, projectDir } from './helpers.js';

const required = (src: string, opts: { djangoSettings?: boolean } = {}): string[] => envReadsOf('m.py', src, opts).filter((r) => r.required).map((r) => r.name);
const optional = (src: string): string[] => envReadsOf('m.py', src).filter((r) => !r.required).map((r) => r.name);

describe('env reads, one pattern each', () => {
  it('os.environ["X"] at import is required; in a function, guarded, in try, or assigned to, it is not', () => {
    expect(required('import os\nSECRET_KEY = os.environ["SECRET_KEY"]\n')).toEqual(['SECRET_KEY']);
    expect(required('import os\ndef f():\n    return os.environ["A"]\n')).toEqual([]);
    expect(required('import os\nif "A" in os.environ:\n    url = os.environ["A"]\n')).toEqual([]);
    expect(required('import os\ntry:\n    a = os.environ["A"]\nexcept KeyError:\n    a = 1\n')).toEqual([]);
    expect(required('import os\nos.environ["A"] = "1"\n')).toEqual([]);
    expect(required('import os\nX = os.environ["A"] if "A" in os.environ else None\n')).toEqual([]);
    expect(required('from os import environ\nX = environ["A"]\n')).toEqual(['A']);
    expect(required('import os\nif __name__ == "__main__":\n    port = int(os.environ["APP_PORT"])\n')).toEqual([]);
  });

  it('a Flask config class body runs at import', () => {
    const src = 'import os\nclass Config:\n    A = os.environ.get("A")\nclass ProductionConfig(Config):\n    SERVER_NAME = os.environ[\'SERVER_NAME\']  # domain\n';
    const reads = envReadsOf('config.py', src);
    expect(reads.filter((r) => r.required).map((r) => `${r.name}:${r.line}`)).toEqual(['SERVER_NAME:5']);
  });

  it('get() with no default is optional, unless a method is called on it or it is a database URL', () => {
    expect(required('import os\nA = os.environ.get("A")\nB = os.getenv("B", "x")\n')).toEqual([]);
    expect(required("import os\nALLOWED_HOSTS = os.environ.get('DJANGO_ALLOWED_HOSTS').split(' ')\n")).toEqual(['DJANGO_ALLOWED_HOSTS']);
    expect(required("import os\nH = os.environ.get('H', 'a b').split(' ')\n")).toEqual([]);
    expect(required('import os\nDB = {"default": os.environ.get("DATABASE_URL")}\n')).toEqual(['DATABASE_URL']);
    expect(required('import os\nURL = os.environ.get("DATABASE_URL", "").replace("a", "b")\n')).toEqual(['DATABASE_URL']);
    expect(required('import os\nURL = os.environ.get("DATABASE_URL") or "sqlite://"\n')).toEqual([]);
    expect(required('import os\nif os.getenv("DATABASE_URL"):\n    pass\n')).toEqual([]);
  });

  it('a Django SECRET_KEY that is None or empty when unset is required (Django refuses to start)', () => {
    expect(required('import os\nSECRET_KEY = os.environ.get("SECRET_KEY")\n', { djangoSettings: true })).toEqual(['SECRET_KEY']);
    expect(required('import os\nSECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")\n', { djangoSettings: true })).toEqual(['DJANGO_SECRET_KEY']);
    expect(required('import os\nSECRET_KEY = os.environ.get("SECRET_KEY") or None\n', { djangoSettings: true })).toEqual(['SECRET_KEY']);
    expect(required('import os\nSECRET_KEY = os.getenv("DJANGO_SECRET_KEY", "dev-only")\n', { djangoSettings: true })).toEqual([]);
    expect(required('import os\nSECRET_KEY = os.environ.get("SECRET_KEY")\n')).toEqual([]);
  });

  it('raise unless set', () => {
    expect(required('import os\nURL = os.getenv("ENGINE_URL")\nif not URL:\n    raise EnvironmentError("ENGINE_URL is not set")\n')).toEqual(['ENGINE_URL']);
    expect(required('import os\nif not os.environ.get("TOKEN"): raise RuntimeError("no token")\n')).toEqual(['TOKEN']);
    expect(required('import os\nURL = os.getenv("ENGINE_URL")\nif not URL:\n    URL = "http://x"\n')).toEqual([]);
  });

  it('django-environ: env("X") and env.<type>("X") without a default; Env(X=(type, default)) declares one', () => {
    const src = [
      'import environ',
      'env = environ.Env(DEBUG=(bool, False))',
      'SECRET_KEY = env("SECRET_KEY")',
      'DEBUG = env("DEBUG")',
      'HOSTS = env.list("ALLOWED_HOSTS", default=["x"])',
      'ORIGINS = env.list("CORS_ORIGINS")',
      'SSL = env.bool("SSL", True)',
      'MAIL = env(',
      '    "EMAIL_BACKEND",',
      '    default="django.core.mail.backends.smtp.EmailBackend",',
      ')',
      'X = env("X", str)',
    ].join('\n');
    expect(required(src)).toEqual(['SECRET_KEY', 'CORS_ORIGINS', 'X']);
    expect(envReadsOf('m.py', src).find((r) => r.name === 'CORS_ORIGINS')?.type).toBe('list');
  });

  it('starlette Config and python-decouple: a call without a default', () => {
    const starlette = 'from starlette.config import Config\nconfig = Config(".env")\nSECRET_KEY = config("SECRET_KEY")\nDEBUG = config("DEBUG", cast=bool, default=False)\nN = config("N", int)\n';
    expect(required(starlette)).toEqual(['SECRET_KEY', 'N']);
    const decouple = 'from decouple import config\nA = config("A")\nB = config("B", "x")\nC = config("C", default=1, cast=int)\n';
    expect(required(decouple)).toEqual(['A']);
  });

  it('everett ConfigManager: a key without a default (upper-cased)', () => {
    expect(required('from everett.manager import ConfigManager\nconfig = ConfigManager.basic_config()\nDSN = config("sentry_dsn")\nP = config("port", default="8000")\n')).toEqual(['SENTRY_DSN']);
  });

  it('a method named config on some object is no reader', () => {
    expect(required('class A:\n    def f(self):\n        return self.config("statsd_host")\nx = app_config("basedir")\n')).toEqual([]);
  });

  it('pydantic-settings: fields without a default, with the env_prefix; a reader as a field value is judged as a reader', () => {
    const src = [
      'from pydantic_settings import BaseSettings, SettingsConfigDict',
      'from pydantic import Field',
      'class Settings(BaseSettings):',
      '    api_username: str',
      '    api_algorithm: str = "HS256"',
      '    expire_minutes: int',
      '    token: str = Field(...)',
      '    name: str = Field("x")',
      '    model_config = SettingsConfigDict(env_prefix="APP_", env_file=".env")',
      '    def thing(self) -> str:',
      '        return "x"',
    ].join('\n');
    expect(required(src)).toEqual(['APP_API_USERNAME', 'APP_EXPIRE_MINUTES', 'APP_TOKEN']);
    expect(optional(src)).toEqual(['APP_API_ALGORITHM', 'APP_NAME']);
    expect(envReadsOf('m.py', src).find((r) => r.name === 'APP_EXPIRE_MINUTES')?.type).toBe('int');
    const mixed = 'from starlette.config import Config\nfrom pydantic_settings import BaseSettings\nconfig = Config(".env")\nclass Crypt(BaseSettings):\n    SECRET_KEY: str = config("SECRET_KEY")\n    ALG: str = config("ALG", default="HS256")\n';
    expect(required(mixed)).toEqual(['SECRET_KEY']);
  });

  it('names say which are secrets', () => {
    const reads = envReadsOf('m.py', 'import os\nA = os.environ["API_TOKEN"]\nB = os.environ["DB_PASSWORD"]\nC = os.environ["ALLOWED_HOSTS"]\nD = os.environ["DATABASE_URL"]\n');
    expect(reads.map((r) => `${r.name}:${r.secret}`)).toEqual(['API_TOKEN:true', 'DB_PASSWORD:true', 'ALLOWED_HOSTS:false', 'DATABASE_URL:true']);
  });

  it('files opened at import: a secret file in try falls back, an ini does not; in a function or a docstring they are not', () => {
    const src = [
      'import os, json, logging.config',
      '"""Mentions open() in prose."""',
      'try:',
      '    with open(os.path.join(BASE_DIR, "data", "secretkey.txt")) as f:',
      '        SECRET_KEY = f.read()',
      'except OSError:',
      '    SECRET_KEY = "x"',
      'logging.config.fileConfig("config/app.ini")',
      'def later():',
      '    return open("late.json")',
    ].join('\n');
    expect(configFilesOf('s.py', src).map((f) => `${f.line} ${f.path} ${f.fallback}`)).toEqual(['4 data/secretkey.txt true', '8 config/app.ini false']);
  });

  it('logical lines: brackets, continuations and strings join physical lines; comments go', () => {
    const lines = statements('a = f(\n  "x",  # c\n  1)\nb = """\nA = os.environ["NOT_CODE"]\n"""\nc = 1 + \\\n  2\n');
    expect(lines.map((l) => `${l.line}:${l.text.replace(/\s+/g, ' ')}`)).toEqual(['1:a = f( "x", 1)', '4:b = """ A = os.environ["NOT_CODE"] """', '7:c = 1 + 2']);
  });
});

describe('the import walk', () => {
  it('follows the project\'s own imports from the entry (absolute, relative, star, from_object, submodules) and stops at its bound', () => {
    const dir = projectDir({
      'app/__init__.py': 'from flask import Flask\nfrom .views import bp\ndef create_app():\n    app = Flask(__name__)\n    app.config.from_object("app.config.Production")\n    return app\n',
      'app/views.py': 'from app.core import helpers\n',
      'app/core/__init__.py': '',
      'app/core/helpers.py': 'import os\nTOKEN = os.environ["HELPER_TOKEN"]\n',
      'app/config.py': 'import os\nclass Production:\n    SERVER_NAME = os.environ["SERVER_NAME"]\n',
      'scripts/seed.py': 'import os\nX = os.environ["ONLY_IN_A_SCRIPT"]\n',
      'tests/test_app.py': 'import os\nY = os.environ["ONLY_IN_TESTS"]\n',
    });
    const plan = readEnvironment(loadProject(dir, dir), 'app/__init__.py', [''])!;
    expect(plan.required.map((v) => `${v.name} ${v.file}:${v.line}`).sort()).toEqual(['HELPER_TOKEN app/core/helpers.py:2', 'SERVER_NAME app/config.py:3']);
  });

  it('a Django settings package: production imports base', () => {
    const dir = projectDir({
      'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings.dev")\n',
      'site/__init__.py': '',
      'site/wsgi.py': 'from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n',
      'site/settings/__init__.py': '',
      'site/settings/base.py': 'import environ\nenv = environ.Env()\nREDIS_URL = env("REDIS_URL")\n',
      'site/settings/production.py': 'from .base import *\nfrom .base import env\nSECRET_KEY = env("DJANGO_SECRET_KEY")\n',
    });
    const plan = readEnvironment(loadProject(dir, dir), 'site/wsgi.py', [''], 'site.settings.production')!;
    expect(plan.required.map((v) => v.name)).toEqual(['DJANGO_SECRET_KEY', 'REDIS_URL']);
  });

  it('what the image sets itself (PORT, DJANGO_SETTINGS_MODULE) is not asked of the user', () => {
    const dir = projectDir({ 'app.py': 'import os\nPORT = int(os.environ["PORT"])\nKEY = os.environ["API_KEY"]\n' });
    const plan = readEnvironment(loadProject(dir, dir), 'app.py', [''])!;
    expect(plan.required.map((v) => v.name)).toEqual(['API_KEY']);
    expect(plan.optional.map((v) => `${v.name}: ${v.why}`)).toEqual(['PORT: KeyError at import when unset; the image sets it']);
  });

  it('an import cycle or a huge package ends', () => {
    const files: Record<string, string> = { 'a.py': 'import b\n', 'b.py': 'import a\nimport os\nX = os.environ["X"]\n' };
    for (let i = 0; i < 200; i++) files[`pkg/m${i}.py`] = `from pkg import m${i + 1}\n`;
    files['c.py'] = 'from pkg import m0\n';
    const dir = projectDir(files);
    const p = loadProject(dir, dir);
    expect(readEnvironment(p, 'a.py', [''])!.required.map((v) => v.name)).toEqual(['X']);
    expect(readEnvironment(p, 'c.py', [''])!.scanned).toMatch(/stopped at the bound/);
  });
});

describe('throwaway values for the smoke test', () => {
  const v = (name: string, extra: object = {}) => ({ name, file: 'm.py', line: 1, required: true, why: '', secret: /KEY|TOKEN/.test(name), ...extra });
  it('by what the name and the reader say', () => {
    expect(smokeValue(v('SECRET_KEY'))).toBe('ci-smoke-not-secret');
    expect(smokeValue(v('DJANGO_ALLOWED_HOSTS'))).toBe('*');
    expect(smokeValue(v('DATABASE_URL'))).toBe('sqlite:////tmp/ci-smoke.sqlite3');
    expect(smokeValue(v('REDIS_URL'))).toBe('redis://localhost:6379/0');
    expect(smokeValue(v('DATABASE_URL', { postgres: true }))).toBe('postgresql://ci-smoke:ci-smoke@localhost:5432/ci-smoke');
    expect(envReadsOf('m.py', 'import os\nURL = os.environ.get("DATABASE_URL", "").replace("://", "+asyncpg://", 1)\n')[0]?.postgres).toBe(true);
    expect(smokeValue(v('DJANGO_ADMIN_URL'))).toBe('admin/');
    expect(smokeValue(v('EXPIRE', { type: 'int' }))).toBe('60');
    expect(smokeValue(v('SERVER_NAME'))).toBe('localhost');
    expect(smokeValue(v('FEATURE', { type: 'bool' }))).toBe('false');
    expect(smokeFlags({ required: [v('DJANGO_ALLOWED_HOSTS'), v('SECRET_KEY')], optional: [], scanned: '' })).toBe(' --smoke-env "DJANGO_ALLOWED_HOSTS=*" --smoke-env SECRET_KEY=ci-smoke-not-secret');
  });
});

describe('pyship init with an app that needs its environment', () => {
  const app = {
    'requirements.txt': 'flask==3.1.0 \\\n    --hash=sha256:0000000000000000000000000000000000000000000000000000000000000000\ngunicorn==23.0.0 \\\n    --hash=sha256:1111111111111111111111111111111111111111111111111111111111111111\n',
    'app.py': 'import os\nfrom flask import Flask\napp = Flask(__name__)\napp.config["SECRET_KEY"] = os.environ["SECRET_KEY"]\nHOSTS = os.environ.get("TRUSTED_HOSTS").split(",")\n\n@app.get("/health")\ndef health():\n    return "ok"\n',
    // a committed .env with a real-looking value: it must appear nowhere pyship writes or prints
    '.env': 'SECRET_KEY=sk-live-do-not-leak-4242\nTRUSTED_HOSTS=example.com\n',
  };

  it('compose requires them, .env.example names them empty, CI passes throwaway values, k8s reads the Secret; no value leaks', async () => {
    const dir = projectDir(app, 'needsenv');
    gitCommit(dir);
    const before = listFiles(dir);
    const r = await init(dir, { k8s: true });
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain('the app needs these to start: SECRET_KEY (app.py:4), TRUSTED_HOSTS (app.py:5)');
    expect(r.err).toMatch(/environment: requires SECRET_KEY, TRUSTED_HOSTS; 0 optional {2}\(app\.py:4 SECRET_KEY: KeyError at import when unset; app\.py:5 TRUSTED_HOSTS: AttributeError/);
    const compose = readFileSync(join(dir, 'compose.yaml'), 'utf8');
    expect(compose).toContain('SECRET_KEY: ${SECRET_KEY:?set SECRET_KEY in .env}');
    expect(compose).toContain('TRUSTED_HOSTS: ${TRUSTED_HOSTS:?set TRUSTED_HOSTS in .env}');
    const example = readFileSync(join(dir, '.env.example'), 'utf8');
    expect(example).toMatch(/^# required, a secret: app\.py:4 \(KeyError at import when unset\)\nSECRET_KEY=$/m);
    expect(example).toMatch(/^TRUSTED_HOSTS=$/m);
    const ci = readFileSync(join(dir, '.github/workflows/docker.yml'), 'utf8');
    expect(ci).toContain('--smoke-env SECRET_KEY=ci-smoke-not-secret --smoke-env "TRUSTED_HOSTS=*"');
    const k8s = readFileSync(join(dir, 'k8s/deployment.yaml'), 'utf8');
    expect(k8s).toContain('envFrom:\n            - secretRef:\n                name: needsenv-env');
    expect(k8s).toContain('- name: TRUSTED_HOSTS\n              value: ""');
    expect(readFileSync(join(dir, '.dockerignore'), 'utf8')).toMatch(/^\.env$/m);
    for (const f of listFiles(dir).filter((x) => !before.includes(x))) {
      expect(readFileSync(join(dir, f), 'utf8'), f).not.toContain('sk-live-do-not-leak-4242');
    }
    expect(r.out + r.err).not.toContain('sk-live-do-not-leak-4242');
    expect(checkFindings(dir)).toEqual([]);
  });

  it('keeps the project\'s own .env.example', async () => {
    const dir = projectDir({ ...app, '.env.example': 'SECRET_KEY=\n' }, 'hasexample');
    gitCommit(dir);
    const r = await init(dir, {});
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(join(dir, '.env.example'), 'utf8')).toBe('SECRET_KEY=\n');
    expect(r.err).not.toContain('.env.example  the variables');
    expect(r.err).toContain('requires them from .env (your .env.example does not mention TRUSTED_HOSTS)');
    expect(existsSync(join(dir, 'compose.yaml'))).toBe(true);
  });
});
