// Where `pyship init` places a project's startup steps (src/init/steps.ts): migrations as a one-off (compose, k8s Job)
// that runs where the tool needs it, never at start; data-dropping setup listed, never run; build steps in the image.
import { describe, expect, it } from 'vitest';
import { buildSpec } from '../../src/init/spec.js';
import type { InitSpec } from '../../src/init/types.js';
import { loadProject } from '../../src/project/project.js';
import { compose } from '../../src/templates/compose.js';
import { dockerfile } from '../../src/templates/dockerfile.js';
import { k8sManifests } from '../../src/templates/k8s.js';
import { projectDir } from './helpers.js';

const FASTAPI = 'from fastapi import FastAPI\n\napp = FastAPI()\n';
const REQS = 'fastapi==0.115.0\nuvicorn==0.34.0\nalembic==1.14.0\n';

const spec = (files: Record<string, string>, k8s = false): InitSpec => {
  const dir = projectDir(files);
  return buildSpec(loadProject(dir, dir), { pyshipVersion: '0.0.0', k8s });
};
const decision = (s: InitSpec, field: string): string => s.decisions.find((d) => d.field === field)?.value ?? '';

describe('init places startup steps', () => {
  it('alembic.ini in a subfolder: the one-off runs there (compose working_dir, k8s workingDir); the entrypoint migration is not carried over', () => {
    const s = spec({
      'app/main.py': FASTAPI, 'requirements.txt': REQS,
      'src/alembic.ini': '[alembic]\nscript_location = migrations\n',
      'entrypoint.sh': '#!/bin/sh\ncd src && alembic upgrade head\nexec uvicorn app.main:app\n',
      'docker/Dockerfile': 'FROM python:3.13-slim\nCOPY entrypoint.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\n',
    }, true);
    expect(s.releaseSteps).toEqual([expect.objectContaining({ name: 'migrate', run: ['alembic', 'upgrade', 'head'], cwd: 'src' })]);
    expect(compose(s)).toContain('    command: ["alembic","upgrade","head"]\n    working_dir: /app/src\n    profiles: [tools]\n');
    expect(k8sManifests(s).find(([p]) => p === 'k8s/migrate-job.yaml')?.[1]).toContain('          workingDir: /app/src\n');
    expect(decision(s, 'migrations')).toContain('the project ran it at container start (entrypoint.sh:2): not carried over');
    expect(dockerfile(s)).not.toMatch(/alembic/);
  });

  it("a framework CLI's migration gets the app it would have found from the project's environment", () => {
    const s = spec({
      'app/main.py': 'from litestar import Litestar\n\napp = Litestar([])\n', 'requirements.txt': 'litestar==2.14.0\nuvicorn==0.34.0\n',
      'docker-compose.yml': 'services:\n  migrator:\n    command: litestar database upgrade --no-prompt\n',
    });
    expect(s.releaseSteps).toEqual([expect.objectContaining({ run: ['litestar', 'database', 'upgrade', '--no-prompt'], env: { LITESTAR_APP: 'app.main:app' } })]);
  });

  it("a Makefile's variables are dropped from the one-off's command", () => {
    const s = spec({
      'app/main.py': FASTAPI, 'requirements.txt': REQS,
      Makefile: 'migrate:\n\t$(VENV)/bin/kinto migrate --ini $(SERVER_CONFIG)\n',
    });
    expect(s.releaseSteps[0]!.run).toEqual(['kinto', 'migrate']);
  });

  it('a migration that reads a variable runs in a shell, and compose does not substitute it from the host', () => {
    const s = spec({
      'app/main.py': FASTAPI, 'requirements.txt': REQS,
      Dockerfile: 'FROM python:3.13-slim\nCMD kinto migrate --ini $KINTO_INI && kinto start --ini $KINTO_INI\n',
    });
    expect(s.releaseSteps[0]!.run).toEqual(['sh', '-c', 'kinto migrate --ini $KINTO_INI']);
    expect(compose(s)).toContain('command: ["sh","-c","kinto migrate --ini $$KINTO_INI"]');
    expect(decision(s, 'migrations')).toContain('it reads $KINTO_INI: set it for the one-off');
  });

  it('an app that migrates itself is said, and schema creators are listed as manual, never placed', () => {
    const s = spec({
      'app/main.py': FASTAPI, 'requirements.txt': REQS,
      'app/db.py': 'from alembic import command\n\ndef migrate_on_start(cfg):\n    command.upgrade(cfg, "head")\n',
      'init_db.py': '',
    });
    expect(s.releaseSteps).toEqual([]);
    expect(decision(s, 'migrations')).toMatch(/the app migrates itself \(app\/db\.py:4\).*manual, never automated \(they drop or recreate data\): python init_db\.py/);
    expect(s.notes.some((n) => n.includes('python init_db.py at init_db.py:1'))).toBe(true);
    expect(compose(s)).not.toContain('migrate:');
  });

  it('a migration at image build is not carried over; one setup command is listed once however it is spelled', () => {
    const s = spec({
      'app/main.py': FASTAPI, 'requirements.txt': REQS,
      'docker/Dockerfile': 'FROM python:3.13-slim\nCOPY . .\nRUN alembic upgrade head\nCMD ["./entrypoint.sh"]\n',
      'docker/entrypoint.sh': '#!/bin/sh\npython manage.py create_db\nexec uvicorn app.main:app\n',
      'manage.py': 'from flask.cli import FlaskGroup\ncli = FlaskGroup()\n\n@cli.command("create_db")\ndef create_db():\n    pass\n',
    });
    expect(decision(s, 'migrations')).toContain('the project ran it at image build (docker/Dockerfile:3): not carried over');
    expect(decision(s, 'migrations')).toMatch(/manual, never automated \(they drop or recreate data\): manage\.py create_db$/);
  });

  it('`flask translate compile` that shells out to pybabel: the image runs pybabel, without importing the app', () => {
    const s = spec({
      'app/main.py': FASTAPI, 'requirements.txt': 'fastapi==0.115.0\nuvicorn==0.34.0\nflask-babel==4.0.0\n',
      'boot.sh': '#!/bin/sh\nflask translate compile\nexec uvicorn app.main:app\n',
      'app/cli.py': 'import os\n\n@translate.command()\ndef compile():\n    if os.system("pybabel compile -d app/translations"):\n        raise RuntimeError("compile command failed")\n',
    });
    expect(s.buildSteps).toEqual([expect.objectContaining({ name: 'translations', run: ['pybabel', 'compile', '-d', 'app/translations'] })]);
    expect(s.decisions.find((d) => d.field === 'build-steps')?.evidence).toEqual(['boot.sh:2 flask translate compile', 'app/cli.py:5 pybabel compile -d app/translations']);
  });

  it('no migration tool: no one-off, and the decision says none was found', () => {
    const s = spec({ 'app/main.py': FASTAPI, 'requirements.txt': 'fastapi==0.115.0\nuvicorn==0.34.0\n' });
    expect(s.releaseSteps).toEqual([]);
    expect(decision(s, 'migrations')).toBe('none found');
    expect(decision(s, 'build-steps')).toBe('none');
  });

  it('an asset build whose output is unknown is left out with the reason; a build step keeps its env to its own RUN', () => {
    const s = spec({
      'app/main.py': FASTAPI, 'requirements.txt': 'fastapi==0.115.0\nuvicorn==0.34.0\nflask-babel==4.0.0\n',
      'package.json': '{"scripts": {"build": "node build.js"}}', 'package-lock.json': '{}',
      'start.sh': '#!/bin/sh\nflask translate compile && exec uvicorn app.main:app\n',
    });
    expect(s.assets).toBeUndefined();
    expect(decision(s, 'build-steps')).toContain('assets: npm run build in .: left out, pyship cannot tell where it writes its output');
    expect(dockerfile(s)).toContain('\nUSER app\n# translations: the variables before the command are set for this RUN only, never kept in the image\nRUN FLASK_APP=app.main:app \\\n    flask translate compile\n');
    expect(dockerfile(s)).not.toContain('ENV FLASK_APP');
  });
});
