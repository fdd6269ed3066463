// `pyship init` on every fixture project (test/init/fixtures/): each generated file equals its reviewed golden copy
// (test/init/__golden__/<fixture>/<path>; rewrite with `npx vitest run test/init -u` and review the diff), the
// summary too, and `pyship check` finds nothing in the result.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { InitFlags } from '../../src/commands/init.js';
import { checkFindings, FIXTURES, fixtureRepo, init, listFiles, type InitRun } from './helpers.js';

interface Case {
  fixture: string;
  flags?: InitFlags;
  /** What the summary must say was detected (a few lines, checked beside the golden summary). */
  detects: string[];
  /**
   * Findings `pyship check` still reports on the generated files, as `file:line CODE`, because a template or a rule
   * is wrong (not the fixture): each is a known issue to fix there, after which this list must be emptied.
   */
  known?: string[];
}

const CASES: Case[] = [
  // pip: requirements.txt pinned with hashes, no pip-tools source
  // startup steps: a Procfile release: migration, a Makefile pybabel compile, a rollup build, a data-dropping init_db.py
  {
    fixture: 'flask-steps', flags: { k8s: true },
    detects: ['migrations: flask db upgrade: compose one-off `migrate`', 'the Procfile:1 release: line runs it', 'manual, never automated (they drop or recreate data): python init_db.py',
      'build-steps: assets: npm ci && npm run build in a node:22-slim stage, web/static/dist copied into the image; translations: pybabel compile -d notes/translations as a RUN in the runtime stage'],
  },
  { fixture: 'pip-flask', detects: ['package-manager: pip', 'lock: requirements.txt, with hashes', 'python: 3.14  (requirements.txt: last changed 2026-08-09 (git log)', 'framework: flask  (app.py:', 'entry: app:app (WSGI)', 'server: gunicorn'] },
  {
    fixture: 'pip-django-psycopg2', flags: { k8s: true },
    detects: ['python: 3.13  (.python-version', 'framework: django', 'entry: shop.wsgi:application', 'system-packages: libpq5 at run time; gcc, libc6-dev, libpq-dev to build'],
  },
  {
    fixture: 'procfile-django',
    detects: ['python: 3.12  (runtime.txt', '(Procfile:1 web: gunicorn config.wsgi', 'entry: config.wsgi:application (WSGI)', 'server: gunicorn  (Procfile:1)', 'worker: celery config.celery:app  (Procfile:2', 'system-packages: libpq5 at run time'],
  },
  {
    fixture: 'pip-script-http', flags: { port: '8080', healthPath: '/health' },
    detects: ['entry: [project.scripts] statusd = statusd.server:main, serving HTTP on $PORT (default 8080)'],
  },
  // pip-tools: requirements.in compiled to requirements.txt with --hash lines
  {
    fixture: 'piptools-fastapi', flags: { compile: false },
    detects: ['package-manager: pip-tools', 'lock: requirements.txt, with hashes', 'framework: fastapi  (app/main.py:', 'entry: app.main:app (ASGI)', 'server: uvicorn'],
    // src/templates/dockerfile.ts writes `# pyship: ignore=OPS009  (built with --no-compile)`: the reason needs `--`
  },
  { fixture: 'piptools-celery', flags: { ci: 'gitlab' }, detects: ['framework: celery  (jobs/app.py:', 'entry: celery worker jobs.app:app; no HTTP'] },
  { fixture: 'venv-decoy', detects: ['package-manager: pip-tools', 'framework: flask  (app.py:', 'entry: app:app (WSGI)'] },
  // poetry
  {
    fixture: 'poetry-django', flags: { k8s: true },
    detects: ['package-manager: poetry', 'lock: pyproject.toml, poetry.lock', 'python: 3.12  (pyproject.toml', 'framework: django', 'entry: blog.wsgi:application', 'system-packages: libxml2, libxslt1.1 at run time'],
  },
  { fixture: 'poetry-fastapi-gunicorn', detects: ['python: 3.13  (pyproject.toml', 'framework: fastapi  (main.py:', 'entry: main:app (ASGI)', 'server: gunicorn with uvicorn workers'] },
  { fixture: 'poetry-flask-celery', detects: ['framework: flask  (mailroom/__init__.py:', 'entry: mailroom:create_app() (WSGI)', 'server: gunicorn'] },
  // pipenv
  {
    fixture: 'pipenv-flask-uwsgi',
    detects: ['package-manager: pipenv', 'lock: Pipfile, Pipfile.lock', 'python: 3.12  (Pipfile', 'server: uwsgi', 'system-packages: libxml2 at run time; gcc, libc6-dev, libxml2-dev to build'],
  },
  { fixture: 'pipenv-starlette', flags: { debugTools: true }, detects: ['python: 3.13  (Pipfile', 'framework: starlette  (api.py:', 'entry: api:app (ASGI)', 'server: uvicorn'] },
  // uv
  { fixture: 'uv-fastapi-src', detects: ['package-manager: uv', 'lock: pyproject.toml, uv.lock', 'python: 3.13  (.python-version', 'framework: fastapi  (src/inventory/api.py:', 'entry: inventory.api:app (ASGI)'] },
  {
    fixture: 'uv-script', flags: { compile: false },
    detects: ['entry: [project.scripts] feedsync = feedsync.cli:main, no HTTP'],
    // the malformed ignore (DF023) does not cover the build stage, where `uv sync` runs with UV_COMPILE_BYTECODE=0
  },
  { fixture: 'uv-django-daphne', flags: { k8s: true }, detects: ['framework: django  (chat/asgi.py:', 'entry: chat.asgi:application (ASGI)', 'server: daphne'] },
  // pdm
  { fixture: 'pdm-starlette-hypercorn', flags: { ci: 'gitlab' }, detects: ['package-manager: pdm', 'lock: pyproject.toml, pdm.lock', 'python: 3.14  (pyproject.toml requires-python', 'server: hypercorn'] },
  { fixture: 'pdm-script', detects: ['python: 3.13  (pyproject.toml', 'entry: [project.scripts] mailer = mailer.main:run, no HTTP'] },
  // conda: SEC007 wants a pip/uv Dependabot ecosystem that cannot update environment.yml
  {
    fixture: 'conda-flask', flags: { syntax: false },
    detects: ['package-manager: conda', 'lock: environment.yml', 'python: 3.11  (environment.yml', 'framework: flask  (app.py:', 'entry: app:app (WSGI)'],
  },
  {
    fixture: 'conda-celery',
    detects: ['python: 3.12  (environment.yml', 'framework: celery  (reports/worker.py:', 'entry: celery worker reports.worker:celery_app; no HTTP'],
  },
];

describe.each(CASES)('pyship init $fixture', (c) => {
  let dir: string;
  let before: string[];
  let run: InitRun;
  let generated: string[];

  beforeAll(async () => {
    dir = fixtureRepo(c.fixture);
    before = listFiles(dir);
    run = await init(dir, c.flags ?? {});
    generated = listFiles(dir).filter((f) => !before.includes(f));
  });

  it('writes the files and reports what it detected', () => {
    expect(run.code, run.err).toBe(0);
    expect(generated.length).toBeGreaterThan(3);
    for (const d of c.detects) expect(run.err).toContain(d);
  });

  it('leaves the project\'s own files as they were', () => {
    for (const f of before) {
      expect(readFileSync(join(dir, f), 'utf8'), f).toBe(readFileSync(join(FIXTURES, c.fixture, f), 'utf8'));
    }
  });

  it('generates the golden files', async () => {
    await expect(`${generated.join('\n')}\n`).toMatchFileSnapshot(`__golden__/${c.fixture}/_files.txt`);
    for (const f of generated) {
      await expect(readFileSync(join(dir, f), 'utf8')).toMatchFileSnapshot(`__golden__/${c.fixture}/${f}`);
      // written files are ordinary, non-executable files
      expect((statSync(join(dir, f)).mode & 0o777).toString(8), f).toMatch(/^6[0-4][0-4]$/);
    }
    await expect(run.err).toMatchFileSnapshot(`__golden__/${c.fixture}/_summary.txt`);
  });

  it(c.known ? 'pyship check finds only the known template issues' : 'pyship check finds nothing', () => {
    const findings = checkFindings(dir);
    const found = findings.map((f) => f.split(' ').slice(0, 2).join(' '));
    expect(found, `pyship check ${c.fixture}:\n${findings.join('\n')}`).toEqual(c.known ?? []);
  });
});
