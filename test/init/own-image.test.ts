// A project Dockerfile that is no production image (no server, a development server, an entrypoint that wipes data
// or waits for a compose-only host) is kept, and pyship's image is written beside it as Dockerfile.pyship with its own
// ignore file, compose and CI pointing at it; a production one is kept as before. A kept .dockerignore that leaves out
// a file the generated Dockerfile needs gets a `<Dockerfile>.dockerignore` instead, and `pyship check` judges with it.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { judgeImage } from '../../src/init/own-image.js';
import { buildContexts } from '../../src/project/contexts.js';
import { loadProject } from '../../src/project/project.js';
import { checkFindings, init, listFiles, projectDir } from './helpers.js';

const FLASK = 'from flask import Flask\n\napp = Flask(__name__)\n';
const BASE = { 'app.py': FLASK, 'requirements.txt': 'flask==3.1.0\ngunicorn==23.0.0\n' };
const ENTRY = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCOPY entrypoint.sh .\nENTRYPOINT ["/app/entrypoint.sh"]\n';

const verdict = (files: Record<string, string>): ReturnType<typeof judgeImage> => {
  const dir = projectDir({ ...BASE, ...files });
  return judgeImage(loadProject(dir, dir), 'Dockerfile');
};

describe('is the project Dockerfile a production image?', () => {
  const notProd: [string, Record<string, string>, RegExp][] = [
    ['no CMD and no ENTRYPOINT', { Dockerfile: 'FROM python:3.12\nCOPY . /app\nRUN pip install -r /app/requirements.txt\n' }, /^Dockerfile:1 no CMD or ENTRYPOINT/],
    ['no CMD in a final stage built on an earlier one, from ghcr.io/astral-sh/uv', { Dockerfile: 'FROM ghcr.io/astral-sh/uv:python3.12-bookworm-slim AS base\nWORKDIR /app\nFROM base\nCOPY . .\n' }, /^Dockerfile:3 no CMD or ENTRYPOINT/],
    ['an ENTRYPOINT script that only execs its arguments, and no CMD', { Dockerfile: ENTRY, 'entrypoint.sh': '#!/bin/sh\necho start\nexec "$@"\n' }, /^Dockerfile:6 the ENTRYPOINT starts no server and there is no CMD/],
    ['manage.py runserver', { Dockerfile: 'FROM python:3.12\nCOPY . .\nCMD ["python", "manage.py", "runserver", "0.0.0.0:8000"]\n' }, /^Dockerfile:3 starts a development server/],
    ['flask run', { Dockerfile: 'FROM python:3.12\nCOPY . .\nCMD flask run --host 0.0.0.0\n' }, /^Dockerfile:3 starts a development server: CMD flask run/],
    ['gunicorn --reload', { Dockerfile: 'FROM python:3.12\nCOPY . .\nCMD ["gunicorn", "--reload", "app:app"]\n' }, /starts a development server/],
    ['uvicorn … --reload', { Dockerfile: 'FROM python:3.12\nCOPY . .\nCMD ["uvicorn", "app:app", "--host", "0.0.0.0", "--reload"]\n' }, /^Dockerfile:3 starts a development server/],
    ['fastapi dev under uv run', { Dockerfile: 'FROM python:3.12\nCOPY . .\nCMD ["uv", "run", "fastapi", "dev", "app.py"]\n' }, /^Dockerfile:3 starts a development server/],
    ['an entrypoint script with manage.py flush', { Dockerfile: `${ENTRY}CMD ["gunicorn", "app:app"]\n`, 'entrypoint.sh': '#!/bin/sh\npython manage.py flush --no-input\nexec "$@"\n' }, /^entrypoint\.sh:2 python manage\.py flush --no-input: empties the database/],
    ['an entrypoint script with create_db', { Dockerfile: `${ENTRY}CMD ["gunicorn", "app:app"]\n`, 'entrypoint.sh': '#!/bin/sh\npython manage.py create_db\nexec "$@"\n' }, /^entrypoint\.sh:2 python manage\.py create_db: drops and recreates/],
    ['an entrypoint script with drop_all', { Dockerfile: `${ENTRY}CMD ["gunicorn", "app:app"]\n`, 'entrypoint.sh': '#!/bin/sh\nflask shell -c "db.drop_all()"\nexec "$@"\n' }, /^entrypoint\.sh:2 .*drop_all.*: drops and recreates/],
    ['an entrypoint that waits for a compose-only host', { Dockerfile: `${ENTRY}CMD ["gunicorn", "app:app"]\n`, 'entrypoint.sh': '#!/bin/sh\nwhile ! nc -z web-db 5432; do\n  sleep 0.1\ndone\nexec "$@"\n' }, /^entrypoint\.sh:2 waits for `web-db`, a host only the compose network resolves/],
    ['an entrypoint script that starts a development server itself', { Dockerfile: ENTRY, 'entrypoint.sh': '#!/bin/sh\nexec python manage.py runserver 0.0.0.0:8000\n' }, /^entrypoint\.sh:2 starts a development server/],
  ];
  it.each(notProd)('not production: %s', (_name, files, why) => {
    const v = verdict(files);
    expect(v?.production).toBe(false);
    expect(v?.why.some((w) => why.test(w)), v?.why.join('\n')).toBe(true);
  });

  const prod: [string, Record<string, string>][] = [
    ['CMD gunicorn', { Dockerfile: 'FROM python:3.12\nCOPY . .\nCMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]\n' }],
    ['an ENTRYPOINT script that migrates, waits on $DB_HOST and execs the CMD server', { Dockerfile: `${ENTRY}CMD ["gunicorn", "app:app"]\n`, 'entrypoint.sh': '#!/bin/sh\nwhile ! nc -z "$DB_HOST" 5432; do sleep 1; done\npython manage.py migrate\nexec "$@"\n' }],
    ['an ENTRYPOINT script that starts gunicorn itself', { Dockerfile: ENTRY, 'entrypoint.sh': '#!/bin/sh\nexec gunicorn app:app\n' }],
    ['a CMD pyship cannot judge (python app.py)', { Dockerfile: 'FROM python:3.12\nCOPY . .\nCMD ["python", "app.py"]\n' }],
    ['an ENTRYPOINT script that builds the gunicorn command in a string and evals it', { Dockerfile: ENTRY, 'entrypoint.sh': '#!/bin/sh\ncmd="exec gunicorn app:app -b 0.0.0.0:$PORT $@"\neval "$cmd"\n' }],
    ['an ENTRYPOINT script that runs another script', { Dockerfile: ENTRY, 'entrypoint.sh': '#!/bin/sh\n./start-server.sh\n' }],
    ['no CMD on a base image that starts a server itself', { Dockerfile: 'FROM tiangolo/uvicorn-gunicorn-fastapi:python3.11\nCOPY ./app /app/app\n' }],
    ['an ENTRYPOINT script that is not in the context', { Dockerfile: 'FROM python:3.12\nENTRYPOINT ["/usr/local/bin/start"]\n' }],
  ];
  it.each(prod)('production (kept as today): %s', (_name, files) => {
    expect(verdict(files)).toEqual({ production: true, why: [] });
  });

  it('has no verdict without a Dockerfile', () => {
    expect(verdict({})).toBeUndefined();
  });
});

const json = async (dir: string, flags = {}): Promise<{ decisions: { field: string; value: string; evidence: string[] }[]; files: { path: string; action: string }[]; notes: string[] }> =>
  JSON.parse((await init(dir, { format: 'json', ...flags })).out);

describe('beside a Dockerfile that is no production image', () => {
  const DEV = 'FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["flask", "run", "--host", "0.0.0.0"]\n';

  it('keeps it, writes Dockerfile.pyship with its own ignore file, the server config, compose, k8s and CI for it', async () => {
    const dir = projectDir({ ...BASE, Dockerfile: DEV, '.dockerignore': '.git\n', '.git/HEAD': 'ref: refs/heads/main\n' });
    const report = await json(dir, { k8s: true });
    const action = (p: string): string | undefined => report.files.find((f) => f.path === p)?.action;
    expect(action('Dockerfile')).toBe('keep');
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe(DEV);
    expect(readFileSync(join(dir, '.dockerignore'), 'utf8')).toBe('.git\n');
    for (const f of ['Dockerfile.pyship', 'Dockerfile.pyship.dockerignore', 'gunicorn.conf.py', 'compose.yaml', 'k8s/deployment.yaml', '.github/workflows/docker.yml']) {
      expect(action(f), f).toBe('write');
      expect(existsSync(join(dir, f)), f).toBe(true);
    }
    expect(readFileSync(join(dir, 'Dockerfile.pyship'), 'utf8')).toContain('gunicorn.conf.py');
    expect(readFileSync(join(dir, 'compose.yaml'), 'utf8')).toMatch(/build:\n\s+context: \.\n\s+dockerfile: Dockerfile\.pyship\n/);
    const ci = readFileSync(join(dir, '.github/workflows/docker.yml'), 'utf8');
    expect(ci.match(/ build --file Dockerfile\.pyship /g)).toHaveLength(3);
    expect(ci).toContain('check --format github Dockerfile.pyship');
    const kept = report.decisions.find((d) => d.field === 'file:Dockerfile');
    expect(kept?.value).toBe('keep (exists)');
    expect(kept?.evidence[0]).toMatch(/no production image \(Dockerfile:5 starts a development server: CMD \["flask", "run"/);
    expect(report.decisions.find((d) => d.field === 'file:Dockerfile.pyship')).toMatchObject({ value: 'write', evidence: [expect.stringContaining('pyship build --file Dockerfile.pyship')] });
    // what init wrote passes pyship check (the kept Dockerfile is the project's own)
    const written = new Set(report.files.filter((f) => f.action === 'write').map((f) => f.path));
    expect(checkFindings(dir).filter((f) => written.has(f.split(':')[0]!))).toEqual([]);
    // check judges Dockerfile.pyship's build with Dockerfile.pyship.dockerignore, not the project's .dockerignore
    const ctx = buildContexts(loadProject(dir, dir), 'Dockerfile.pyship');
    expect(ctx.map((c) => c.ignoreFile)).toEqual(['Dockerfile.pyship.dockerignore']);
  });

  it('writes Dockerfile.pyship under GitLab CI too, and notes a production-looking Dockerfile.prod to compare with', async () => {
    const dir = projectDir({ ...BASE, Dockerfile: DEV, 'Dockerfile.prod': 'FROM python:3.12\nCOPY . .\nCMD ["gunicorn", "app:app"]\n' });
    const report = await json(dir, { ci: 'gitlab' });
    expect(report.notes.some((n) => /^the project also has Dockerfile\.prod: compare with it/.test(n))).toBe(true);
    const ci = readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8');
    expect(ci).toContain('build --file Dockerfile.pyship --image');
    expect(ci).toContain('check --format junit Dockerfile.pyship');
  });

  it('leaves a compose file the project has alone, and --force Dockerfile replaces the Dockerfile as before', async () => {
    const dir = projectDir({ ...BASE, Dockerfile: DEV, 'docker-compose.yml': 'services:\n  web:\n    build: .\n' });
    const report = await json(dir);
    expect(report.files.find((f) => f.path === 'docker-compose.yml')?.action).toBe('keep');
    expect(existsSync(join(dir, 'compose.yaml'))).toBe(false);
    const forced = await json(dir, { force: ['Dockerfile'] });
    expect(forced.files.find((f) => f.path === 'Dockerfile')?.action).toBe('replace');
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toContain('CMD ["gunicorn"');
  });

  it('keeps a production Dockerfile as today: no Dockerfile.pyship, no server config', async () => {
    const dir = projectDir({ ...BASE, Dockerfile: 'FROM python:3.12\nCOPY . .\nCMD ["gunicorn", "app:app"]\n' });
    const report = await json(dir);
    expect(report.files.map((f) => f.path)).not.toContain('Dockerfile.pyship');
    expect(report.files.find((f) => f.path === 'gunicorn.conf.py')?.action).toBe('skip');
    expect(listFiles(dir).filter((f) => f.startsWith('Dockerfile'))).toEqual(['Dockerfile']);
  });
});

describe('a kept .dockerignore that leaves out what the generated Dockerfile needs', () => {
  const ALLOW = '*\n!app.py\n!requirements.txt\n';

  it('gets Dockerfile.dockerignore, which says why and which pyship check then judges the build with', async () => {
    const dir = projectDir({ ...BASE, '.dockerignore': ALLOW });
    const report = await json(dir);
    expect(report.files.find((f) => f.path === '.dockerignore')?.action).toBe('keep');
    expect(readFileSync(join(dir, '.dockerignore'), 'utf8')).toBe(ALLOW);
    expect(report.files.find((f) => f.path === 'Dockerfile.dockerignore')?.action).toBe('write');
    const d = report.decisions.find((x) => x.field === 'file:Dockerfile.dockerignore');
    expect(d?.evidence[0]).toMatch(/the kept \.dockerignore leaves out gunicorn\.conf\.py \(the generated CMD reads it; excluded by `\* \(line 1\)`\)/);
    const ctx = buildContexts(loadProject(dir, dir), 'Dockerfile');
    expect(ctx.map((c) => c.ignoreFile)).toEqual(['Dockerfile.dockerignore']);
    expect(ctx[0]!.ignore?.ignores('gunicorn.conf.py')).toBe(false);
    expect(loadProject(dir, dir).dockerignore?.ignores('gunicorn.conf.py')).toBe(true); // without a Dockerfile: the context's
    const written = new Set(report.files.filter((f) => f.action === 'write').map((f) => f.path));
    expect(checkFindings(dir).filter((f) => written.has(f.split(':')[0]!))).toEqual([]);
  });

  it('without the own ignore file, the build would read the kept one, which drops the server config', async () => {
    const dir = projectDir({ ...BASE, '.dockerignore': ALLOW });
    await init(dir);
    rmSync(join(dir, 'Dockerfile.dockerignore'));
    const ctx = buildContexts(loadProject(dir, dir), 'Dockerfile');
    expect(ctx.map((c) => c.ignoreFile)).toEqual(['.dockerignore']);
    expect(ctx[0]!.ignore?.ignores('gunicorn.conf.py')).toBe(true);
  });

  it('a .dockerignore that drops nothing needed is kept, and no Dockerfile.dockerignore is written', async () => {
    const dir = projectDir({ ...BASE, '.dockerignore': '.git\n.venv\n**/__pycache__\n.env\n' });
    const report = await json(dir);
    expect(report.files.find((f) => f.path === '.dockerignore')?.action).toBe('keep');
    expect(report.files.map((f) => f.path)).not.toContain('Dockerfile.dockerignore');
  });
});
