// Startup steps (src/project/steps.ts) and asset builds (src/project/assets.ts), one source per case, and where init
// places them (src/init/steps.ts).
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/project/project.js';
import { classifyCommand, detectSteps } from '../../src/project/steps.js';
import { detectAssets } from '../../src/project/assets.js';
import { projectDir } from '../init/helpers.js';

const steps = (files: Record<string, string>): string[] => {
  const dir = projectDir(files);
  return detectSteps(loadProject(dir, dir)).map((s) => `${s.kind}${s.destructive ? '!' : ''} ${s.when}${s.commented ? '#' : ''} ${s.name} @ ${s.at}`);
};

describe('classifyCommand', () => {
  it.each([
    ['python manage.py migrate --noinput', 'migration manage.py migrate'],
    ['python -m django migrate', 'migration django migrate'],
    ['./manage.py migrate', 'migration manage.py migrate'],
    ['poetry run alembic upgrade head', 'migration alembic upgrade'],
    ['flask --app app:create_app db upgrade', 'migration flask db upgrade'],
    ['aerich upgrade', 'migration aerich upgrade'],
    ['litestar database upgrade --no-prompt', 'migration litestar database upgrade'],
    ['kinto migrate --ini config.ini', 'migration kinto migrate'],
    ['pybabel compile -d app/translations', 'translations pybabel compile'],
    ['flask translate compile', 'translations flask translate compile'],
    ['python init_db.py', 'setup python init_db.py'],
    ['python manage.py create_db', 'setup manage.py create_db'],
    ['flask --app flaskr init-db', 'setup flask init-db'],
  ])('%s', (cmd, want) => {
    const c = classifyCommand(cmd.split(' '));
    expect(`${c?.kind} ${c?.name}`).toBe(want);
  });
  it.each(['python manage.py migrate --check', 'alembic upgrade head --sql', 'gunicorn app:app', 'flask run', 'python manage.py collectstatic'])('%s is no startup step', (cmd) => {
    expect(classifyCommand(cmd.split(' '))).toBeUndefined();
  });
  it('a custom CLI command is a migration when its body calls upgrade()', () => {
    expect(classifyCommand(['flask', 'deploy'], new Map([['deploy', 'app.py:9']]))?.name).toBe('flask deploy (calls upgrade() at app.py:9)');
  });
});

describe('detectSteps, per source', () => {
  it('a Procfile web chain and a release: line', () => {
    expect(steps({
      Procfile: 'release: python manage.py migrate\nweb: flask db upgrade; flask translate compile; gunicorn x:app\n#release: alembic upgrade head\n',
    })).toEqual([
      'migration release manage.py migrate @ Procfile:1',
      'migration start flask db upgrade @ Procfile:2',
      'translations start flask translate compile @ Procfile:2',
      'migration release# alembic upgrade @ Procfile:3',
    ]);
  });
  it("a monorepo's Procfile at the repository root, above the service", () => {
    const dir = projectDir({ '.git/HEAD': 'ref: refs/heads/main\n', Procfile: 'release: python manage.py migrate\nweb: gunicorn config.wsgi\n', 'backend/manage.py': '' });
    const p = loadProject(`${dir}/backend`, `${dir}/backend`);
    expect(detectSteps(p).map((s) => `${s.when} ${s.name} @ ${s.at}`)).toEqual(['release manage.py migrate @ ../Procfile:1']);
  });
  it('a script the Procfile runs, and one that script runs (with a retry loop)', () => {
    expect(steps({
      Procfile: 'web: bash Procfile.sh\n',
      'Procfile.sh': '#!/bin/bash\n./checks.sh && exec gunicorn x:app\n',
      'checks.sh': '#!/bin/sh\nwhile true; do\n  python manage.py migrate\n  if [ "$?" = "0" ]; then break; fi\n  sleep 5\ndone\n',
    })).toEqual(['migration start manage.py migrate @ checks.sh:3']);
  });
  it('a Dockerfile RUN and the entrypoint script its ENTRYPOINT names', () => {
    expect(steps({
      Dockerfile: 'FROM python:3.13-slim\nCOPY . .\nRUN pybabel compile -d t\nENTRYPOINT ["/docker-entrypoint.sh"]\nCMD ["gunicorn", "x:app"]\n',
      'docker/docker-entrypoint.sh': '#!/bin/sh\nset -e\nalembic upgrade head\nexec "$@"\n',
    })).toEqual(['translations build pybabel compile @ Dockerfile:3', 'migration start alembic upgrade @ docker/docker-entrypoint.sh:3']);
  });
  it('compose commands: a web start chain and a one-off migrator service', () => {
    expect(steps({
      'docker-compose.yml': 'services:\n  web:\n    command: sh -c "aerich upgrade && uvicorn app:app"\n  migrator:\n    command: ["litestar", "database", "upgrade", "--no-prompt"]\n',
    })).toEqual(['migration start aerich upgrade @ docker-compose.yml:3', 'migration release litestar database upgrade @ docker-compose.yml:5']);
  });
  it('Makefile recipes, and a Procfile `make` target followed into them', () => {
    expect(steps({
      Procfile: 'web: make run\n',
      Makefile: 'run:\n\tpython -m manage migrate\n\tgunicorn x.wsgi\n\nreset:\n\t@python -m manage flush --no-input\n',
    })).toEqual(['migration start manage.py migrate @ Makefile:2', 'setup! task manage flush @ Makefile:6']);
  });
  it('a task runner script of functions runs them on demand, not at start', () => {
    expect(steps({
      Procfile: 'web: ./run web\n',
      run: '#!/usr/bin/env bash\nweb() {\n  gunicorn x:app\n}\nmigrate() {\n  flask db upgrade\n}\nreset() {\n  flask db reset\n}\n"${@}"\n',
    })).toEqual(['migration task flask db upgrade @ run:6', 'setup! task flask db reset @ run:9']);
  });
  it('pyproject scripts and click commands named like schema creators, and init_db.py files', () => {
    expect(steps({
      'pyproject.toml': '[tool.poetry.scripts]\ninit_db = "blog:init_db"\nserve = "blog:main"\n',
      'blog/db.py': 'import click\n\n@click.command("init-db")\ndef init_db_command():\n    pass\n',
      'init_db.py': 'print("drop")\n',
    })).toEqual(['setup! task init_db (tool.poetry.scripts) @ pyproject.toml:2', 'setup! task python init_db.py @ init_db.py:1', 'setup! task flask init-db (a CLI command) @ blog/db.py:3']);
  });
  it('a flask CLI command that calls upgrade(), and an app that migrates itself at start', () => {
    expect(steps({
      'boot.sh': '#!/bin/sh\nflask deploy\nexec gunicorn app:app\n',
      'app.py': 'from flask_migrate import upgrade\n\n@app.cli.command()\ndef deploy():\n    upgrade()\n',
      'pkg/run.py': 'from flask_migrate import upgrade\n\ndef setup_database(app):\n    def _old():\n        return False\n\n    with app.app_context():\n        upgrade(path)\n',
    })).toEqual(['migration task flask deploy (calls upgrade() at app.py:5) @ boot.sh:2', 'migration start upgrade() in setup_database(), run by the app itself @ pkg/run.py:8']);
  });
  it('migrations the project has but runs by hand: alembic.ini, Flask-Migrate, [tool.aerich], Django migration modules', () => {
    expect(steps({
      'src/alembic.ini': '[alembic]\nscript_location = migrations\n',
      'migrations/alembic.ini': '[alembic]\n',
      'pyproject.toml': '[project]\nname = "x"\n\n[tool.aerich]\ntortoise_orm = "app.db.TORTOISE_ORM"\n',
      'manage.py': 'import django\n',
      'shop/migrations/0001_initial.py': '',
    })).toEqual([
      'migration task manage.py migrate @ shop/migrations/0001_initial.py:1',
      'migration task flask db upgrade @ migrations/alembic.ini:1',
      'migration task alembic upgrade @ src/alembic.ini:2',
      'migration task aerich upgrade @ pyproject.toml:4',
    ]);
  });
  it('message catalogs without their .mo: compilemessages for Django, pybabel compile for Babel', () => {
    expect(steps({
      'locale/de/LC_MESSAGES/django.po': '',
      'app/translations/fr/LC_MESSAGES/messages.po': '',
      'app/translations/de/LC_MESSAGES/messages.po': '',
      'app/translations/de/LC_MESSAGES/messages.mo': '',
    })).toEqual(['translations task compilemessages @ locale/de/LC_MESSAGES/django.po:1 (no .mo beside it)', 'translations task pybabel compile @ app/translations/fr/LC_MESSAGES/messages.po:1 (no .mo beside it)']);
    expect(steps({ 'locale/de/LC_MESSAGES/django.po': '', 'locale/de/LC_MESSAGES/django.mo': '' })).toEqual([]);
  });
  it('Babel compiled by a package build hook', () => {
    expect(steps({ 'hatch_build.py': 'from babel_utils import compile_catalogs\n\nclass Hook:\n    def initialize(self):\n        compile_catalogs()\n' }))
      .toEqual(['translations build Babel catalogs compiled by the package build hook @ hatch_build.py:1']);
  });
});

describe('detectAssets', () => {
  const assets = (files: Record<string, string>) => {
    const dir = projectDir(files);
    return detectAssets(loadProject(dir, dir));
  };
  it('npm + rollup: the lock-exact install, the build, the output from rollup.config, the Node major from .nvmrc', () => {
    const [a] = assets({
      'package.json': '{\n  "scripts": {\n    "build": "npm run js && postcss -o app/static/theme.css styles/theme.css",\n    "js": "rollup -c"\n  },\n  "devDependencies": {"rollup": "4"}\n}\n',
      'package-lock.json': '{}',
      'rollup.config.mjs': "export default { output: { file: 'app/static/bundle.js' } };\n",
      '.nvmrc': 'v20.11.0\n',
    });
    expect(a).toMatchObject({ dir: '', manager: 'npm', lock: 'package-lock.json', install: 'npm ci', build: 'npm run build', node: { major: '20' } });
    expect(a!.outputs.map((o) => o.path)).toEqual(['app/static']);
  });
  it('yarn + vite in a subfolder: outDir resolved against the package folder, Node from engines', () => {
    const [a] = assets({
      'frontend/package.json': '{"scripts": {"build": "tsc && vite build"}, "engines": {"node": ">=22"}, "devDependencies": {"vite": "6"}}',
      'frontend/yarn.lock': '',
      'frontend/vite.config.ts': 'export default { build: { outDir: path.resolve(__dirname, "../app/static/web") } }\n',
    });
    expect(a).toMatchObject({ dir: 'frontend', manager: 'yarn', install: 'yarn install --frozen-lockfile', build: 'yarn build', node: { major: '22' } });
    expect(a!.outputs.map((o) => o.path)).toEqual(['app/static/web']);
  });
  it('webpack output.path and a tailwind -o output, outputs inside another output counted once', () => {
    const [a] = assets({
      'package.json': '{"scripts": {"build": "webpack --mode production && tailwindcss -i src/app.css -o static/dist/css/app.css"}, "devDependencies": {"webpack": "5", "tailwindcss": "4"}}',
      'webpack.config.js': "const path = require('path');\nmodule.exports = { output: { path: path.resolve(__dirname, 'static/dist'), filename: 'app.js' } };\n",
    });
    expect(a!.outputs).toEqual([{ path: 'static/dist', evidence: "webpack.config.js:2 path: static/dist" }]);
    expect(a!.lock).toBeUndefined();
    expect(a!.install).toBe('npm install');
  });
  it('esbuild flags, pnpm, and the default Node LTS', () => {
    const [a] = assets({ 'package.json': '{"scripts": {"build": "esbuild src/app.js --bundle --outdir=static/js"}}', 'pnpm-lock.yaml': '' });
    expect(a).toMatchObject({ manager: 'pnpm', build: 'pnpm run build', node: { evidence: expect.stringMatching(/^default/) } });
    expect(a!.outputs.map((o) => o.path)).toEqual(['static/js']);
  });
  it('bundlers without a build script, packages served from node_modules, and a package.json with neither', () => {
    expect(assets({ 'package.json': '{"devDependencies": {"gulp": "5"}}' })[0]).toMatchObject({ build: undefined, bundlers: ['gulp'] });
    expect(assets({ 'package.json': '{"dependencies": {"bootstrap": "5"}}' })[0]).toMatchObject({ build: undefined, bundlers: [] });
    expect(assets({ 'package.json': '{"name": "docs", "devDependencies": {"prettier": "3"}}' })).toEqual([]);
  });
});

describe('bad input', () => {
  it('malformed files are skipped, never a crash', () => {
    const files = {
      'package.json': '{"scripts": {"build": ',
      'docker-compose.yml': 'services:\n  web: [\n',
      Dockerfile: 'FROM\nRUN "unterminated\nCMD ["a",\n',
      Procfile: 'web: sh -c "unterminated\nrelease: $(\n',
      Makefile: 'run:\n\tif then fi ((\n',
      'pyproject.toml': '[tool.poetry.scripts\ninit_db = \n',
      'boot.sh': 'while true; do\n  flask db upgrade\n',
    };
    expect(() => steps(files)).not.toThrow();
    const dir = projectDir(files);
    expect(detectAssets(loadProject(dir, dir))).toEqual([]);
  });
  it('scripts that run each other in a loop are followed a bounded number of times', () => {
    expect(steps({ Procfile: 'web: ./a.sh\n', 'a.sh': './b.sh\nalembic upgrade head\n', 'b.sh': './a.sh\n' }))
      .toEqual(['migration start alembic upgrade @ a.sh:2']);
  });
});
