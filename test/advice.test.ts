// What `check` tells real projects (issue 12, kind 9): each message says the true reason for the case at hand, and
// deliberate patterns (a `$?` retry loop, a development compose, a Dockerfile-specific .dockerignore) get no wrong advice.
import { describe, expect, it } from 'vitest';
import { dockerfileRules, projectRules } from '../src/rules/index.js';
import { lint, lintProject } from './helpers.js';

const rule = (code: string) => [...dockerfileRules, ...projectRules].filter((r) => r.code === code);
const messages = (text: string, code: string, files?: Record<string, string>) =>
  lint(text, rule(code) as typeof dockerfileRules, files).filter((f) => f.code === code).map((f) => f.message);

describe('OPS006 says why an init is needed', () => {
  it('a script that execs the server: reaping, not signals', () => {
    const [m] = messages('FROM python:3.13-slim-trixie\nCOPY boot.sh /boot.sh\nENTRYPOINT ["/boot.sh"]\n', 'OPS006',
      { 'boot.sh': '#!/bin/sh\nflask deploy\nexec uvicorn --host 0.0.0.0 app:app\n' });
    expect(m).toMatch(/`exec`s `uvicorn`, so `uvicorn` gets SIGTERM itself, but nothing reaps orphaned child processes/);
    expect(m).not.toMatch(/not forwarded|does not pass SIGTERM/);
    expect(m).toMatch(/ENTRYPOINT \["tini", "--", "\/boot.sh"\]/);
  });
  it('gunicorn as PID 1 (exec\'d or direct) reaps and handles SIGTERM itself: no init needed', () => {
    expect(messages('FROM python:3.13-slim-trixie\nCOPY boot.sh /boot.sh\nENTRYPOINT ["/boot.sh"]\n', 'OPS006',
      { 'boot.sh': '#!/bin/sh\nflask deploy\nexec gunicorn -b :5000 app:app\n' })).toEqual([]);
    expect(messages('FROM python:3.13-slim-trixie\nCMD exec gunicorn app:app\n', 'OPS006')).toEqual([]);
    expect(messages('FROM python:3.13-slim-trixie\nCOPY s.sh /s.sh\nENTRYPOINT ["/s.sh"]\n', 'OPS006',
      { 's.sh': '#!/bin/sh\nexec $(which gunicorn) -c /code/config/gunicorn/prod.py src.app:app\n' })).toEqual([]);
    expect(messages('FROM python:3.13-slim-trixie\nCMD ["gunicorn", "app:app"]\n', 'OPS006')).toEqual([]);
    expect(messages('FROM nginx:1.27\nCMD ["nginx", "-g", "daemon off;"]\n', 'OPS006')).toEqual([]);
    // one script exec'ing another that execs gunicorn (through a `$PREFIX` wrapper variable)
    expect(messages('FROM python:3.13-slim-trixie\nWORKDIR /srv\nCOPY . .\nCMD ["./entrypoint.sh"]\n', 'OPS006',
      { 'entrypoint.sh': '#!/bin/sh\n./checks.sh && exec ./webserver.sh\n', 'webserver.sh': '#!/bin/sh\necho start\nexec ${CMD_PREFIX} gunicorn app:app\n', 'checks.sh': '#!/bin/sh\ntrue\n' })).toEqual([]);
    expect(messages('FROM python:3.13-slim-trixie\nWORKDIR /srv\nCOPY . .\nCMD ["./entrypoint.sh"]\n', 'OPS006',
      { 'entrypoint.sh': '#!/bin/sh\n./checks.sh && exec ./webserver.sh\n', 'webserver.sh': '#!/bin/sh\necho start\nexec uvicorn app:app\n', 'checks.sh': '#!/bin/sh\ntrue\n' })).toHaveLength(1);
    // a shell that keeps PID 1 above gunicorn still needs one
    expect(messages('FROM python:3.13-slim-trixie\nCMD ["sh", "-c", "migrate && gunicorn app:app"]\n', 'OPS006')).toHaveLength(1);
  });
  it('a script that execs "$@": the CMD program gets the signals', () => {
    const [m] = messages('FROM python:3.13-slim-trixie\nCOPY e.sh /e.sh\nENTRYPOINT ["/e.sh"]\nCMD ["uvicorn", "app:app"]\n', 'OPS006',
      { 'e.sh': '#!/bin/sh\nset -eu\npython manage.py check\nexec "$@"\n' });
    expect(m).toMatch(/`exec`s `uvicorn`, so `uvicorn` gets SIGTERM itself/);
  });
  it('a script that does not exec: the shell keeps PID 1 and forwards nothing', () => {
    const [m] = messages('FROM python:3.13-slim-trixie\nCOPY run.sh /run.sh\nENTRYPOINT ["/run.sh"]\n', 'OPS006',
      { 'run.sh': '#!/bin/sh\nset -eu\npython manage.py migrate\ngunicorn app:app\n' });
    expect(m).toMatch(/does not `exec` the app, so the shell stays PID 1: it does not pass SIGTERM on/);
  });
  it('`sh -c "a && b"` keeps the shell as PID 1; a server as PID 1 handles SIGTERM itself', () => {
    expect(messages('FROM python:3.13-slim-trixie\nCMD ["sh", "-c", "kinto migrate && kinto start"]\n', 'OPS006')[0]).toMatch(/the shell does not pass SIGTERM on/);
    const [m] = messages('FROM python:3.13-slim-trixie\nCMD ["uvicorn", "app:app", "--host", "0.0.0.0"]\n', 'OPS006');
    expect(m).toMatch(/`uvicorn` handles SIGTERM itself, but nothing reaps orphaned child processes/);
    expect(messages('FROM python:3.13-slim-trixie\nCMD exec uvicorn app:app\n', 'OPS006')[0]).toMatch(/PID 1 is `uvicorn`/);
  });
});

describe('OPS002 advises only what a start script needs and can take', () => {
  const df = 'FROM python:3.13-slim-trixie\nCOPY s.sh /s.sh\nENTRYPOINT ["/s.sh"]\n';
  it('a `$?` retry loop gets no `set -e`', () => {
    expect(messages(df, 'OPS002', { 's.sh': '#!/bin/sh\nsource venv/bin/activate\nwhile true; do\n    flask deploy\n    if [[ "$?" == "0" ]]; then\n        break\n    fi\n    sleep 5\ndone\nexec gunicorn -b :5000 app:app\n' })).toEqual([]);
    // with a variable it still needs `-u`, and is told to keep `-e` off
    const [m] = messages(df, 'OPS002', { 's.sh': '#!/bin/sh\nuntil false; do\n  flask deploy\n  [ "$?" = 0 ] && break\n  sleep "$DELAY"\ndone\nexec gunicorn app:app\n' });
    expect(m).toMatch(/has no `set -u`/);
    expect(m).toMatch(/start it with `set -u`.*leave `-e` off/);
  });
  it('`if cmd`, `cmd ||` and `until cmd` are handled failures: nothing for `-e` to catch', () => {
    expect(messages(df, 'OPS002', { 's.sh': '#!/bin/sh\nif ! python manage.py check; then exit 1; fi\nflask translate compile || echo none\nuntil nc -z db 5432; do sleep 1; done\nexec "$@"\n' })).toEqual([]);
  });
  it('a variable a condition tests bare is named for a default', () => {
    const [m] = messages(df, 'OPS002', { 's.sh': '#!/bin/sh\nif [ "$DATABASE" = "postgres" ]; then\n  while ! nc -z $SQL_HOST $SQL_PORT; do sleep 0.1; done\nfi\npython manage.py migrate\nexec "$@"\n' });
    expect(m).toMatch(/start it with `set -eu` \(and write `\$\{DATABASE:-\}` where it may be unset\)/);
  });
  it('a variable the image sets with ENV is not optional', () => {
    const [m] = messages(`${df}ENV DATABASE=postgres\n`, 'OPS002', { 's.sh': '#!/bin/sh\nif [ "$DATABASE" = "postgres" ]; then echo pg; fi\npython manage.py migrate\nexec "$@"\n' });
    expect(m).toMatch(/start it with `set -eu`$/);
  });
});

describe('SEC009 judges the context each build really sends', () => {
  const base = {
    'docker/Dockerfile': 'FROM python:3.13-slim-trixie\nCOPY . /app\n',
    'compose.yaml': 'services:\n  web:\n    build:\n      context: .\n      dockerfile: docker/Dockerfile\n',
    '.env': 'SECRET_KEY=x\n',
  };
  it('a .dockerignore beside the Dockerfile protects nothing when the context is the root', () => {
    const found = lintProject({ ...base, 'docker/.dockerignore': '.env\n' }, rule('SEC009')).filter((f) => f.code === 'SEC009');
    expect(found.map((f) => f.message)).toEqual([
      '`.env` is sent in the build context `.` (compose.yaml service `web`): a credential file can end up in the image (`COPY . .`); create `.dockerignore` and list it there',
    ]);
  });
  it('the root .dockerignore that applies gets the finding', () => {
    const found = lintProject({ ...base, '.dockerignore': '.git\n' }, rule('SEC009')).filter((f) => f.code === 'SEC009');
    expect(found.map((f) => [f.file.replace(/.*pyship-project-[^/]+\//, ''), f.message])).toEqual([
      ['.dockerignore', '`.env` is sent in the build context `.` (compose.yaml service `web`): a credential file can end up in the image (`COPY . .`); add it to `.dockerignore`, the ignore file this build applies'],
    ]);
  });
  it('`<Dockerfile>.dockerignore` wins over the context\'s .dockerignore', () => {
    const found = lintProject({ ...base, '.dockerignore': '.env\n', 'docker/Dockerfile.dockerignore': '.git\n' }, rule('SEC009')).filter((f) => f.code === 'SEC009');
    expect(found.map((f) => f.file.replace(/.*pyship-project-[^/]+\//, ''))).toEqual(['docker/Dockerfile.dockerignore']);
    expect(lintProject({ ...base, '.dockerignore': '.git\n', 'docker/Dockerfile.dockerignore': '.env\n' }, rule('SEC009')).filter((f) => f.code === 'SEC009')).toEqual([]);
  });
  it('a compose dockerfile path with a variable from .env still names the Dockerfile', () => {
    const found = lintProject({
      'dockerfiles/python313/Dockerfile': 'FROM python:3.13-slim-trixie\nCOPY . /app\n',
      'docker-compose.yml': 'services:\n  api:\n    build:\n      context: ./\n      dockerfile: ./dockerfiles/python${PYTHON_VERSION}/Dockerfile\n',
      '.env': 'PYTHON_VERSION=313\nAPI_PASSWORD=x\n',
      '.dockerignore': '.git\n',
    }, rule('SEC009')).filter((f) => f.code === 'SEC009');
    expect(found.map((f) => f.message)).toEqual([expect.stringContaining('`.env` is sent in the build context `.` (docker-compose.yml service `api`)')]);
  });
});

describe('gunicorn settings from the config an entrypoint script passes', () => {
  const df = 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY . .\nENTRYPOINT ["/app/start.sh"]\n';
  const script = { 'start.sh': '#!/bin/sh\nset -eu\nexec gunicorn --config gunicorn.conf.py app:app\n' };
  it('bind, worker_tmp_dir and workers are read from it', () => {
    const files = { ...script, 'gunicorn.conf.py': 'bind = "127.0.0.1:8000"\nworkers = 1\n' };
    expect(messages(df, 'OPS001', files)[0]).toMatch(/listens on `127.0.0.1:8000` \(`bind` in `\/app\/gunicorn.conf.py`\)/);
    expect(messages(df, 'APP006', files)).toHaveLength(1);
    expect(messages(df, 'APP004', files)[0]).toMatch(/one sync worker/);
    const good = { ...script, 'gunicorn.conf.py': 'bind = "0.0.0.0:8000"\nworkers = 2\nthreads = 4\nworker_class = "gthread"\nworker_tmp_dir = "/dev/shm"\n' };
    for (const code of ['OPS001', 'APP006', 'APP004']) expect(messages(df, code, good)).toEqual([]);
  });
  it('`-c python:config.gunicorn` is the module under the working directory', () => {
    const text = 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY . .\nENV PYTHONPATH=.\nCMD ["gunicorn", "-c", "python:config.gunicorn", "app:app"]\n';
    expect(messages(text, 'APP006', { 'config/gunicorn.py': 'bind = "0.0.0.0:8000"\n' })).toHaveLength(1);
    expect(messages(text, 'APP006', { 'config/gunicorn.py': 'bind = "0.0.0.0:8000"\nworker_tmp_dir = "/dev/shm"\n' })).toEqual([]);
    // not in the project (an installed package?): unknown, so silent
    expect(messages(text, 'APP006', { 'app.py': 'app = None\n' })).toEqual([]);
  });
});

describe('project mode reads the context compose really builds with', () => {
  it('OPS006: `exec "$@"` where every compose service that builds the image starts gunicorn needs no init', () => {
    const files = {
      'Dockerfile': 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY . .\nENTRYPOINT ["/app/entrypoint.sh"]\n',
      'entrypoint.sh': '#!/bin/sh\nset -eu\npython manage.py check\nexec "$@"\n',
      'docker-compose.prod.yml': 'services:\n  web:\n    build: .\n    command: gunicorn app.wsgi --bind 0.0.0.0:8000\n',
    };
    expect(lintProject(files, rule('OPS006'))).toEqual([]);
    // `command: /start`, a script of the image that runs gunicorn without exec: its shell keeps PID 1
    const start = { ...files, 'start': '#!/bin/bash\nset -eu\npython manage.py collectstatic --noinput\ngunicorn app.wsgi\n', 'Dockerfile': files.Dockerfile + 'COPY start /start\n', 'docker-compose.prod.yml': 'services:\n  web:\n    build: .\n    command: /start\n' };
    expect(lintProject(start, rule('OPS006'))[0]!.message).toMatch(/`exec`s `\/start`, a shell script that runs the server without `exec`: that shell stays PID 1, does not pass SIGTERM on/);
    const dev = { ...files, 'docker-compose.prod.yml': 'services:\n  web:\n    build: .\n    command: python manage.py runserver 0.0.0.0:8000\n' };
    expect(lintProject(dev, rule('OPS006'))).toHaveLength(1);
  });
  it('a start script COPY\'d from the repository root is read for a Dockerfile in docker/', () => {
    const files = {
      'docker/Dockerfile': 'FROM python:3.13-slim-trixie\nCOPY bin/start.sh /start.sh\nENTRYPOINT ["/start.sh"]\n',
      'compose.yaml': 'services:\n  web:\n    build:\n      context: .\n      dockerfile: docker/Dockerfile\n',
      'bin/start.sh': '#!/bin/sh\nset -eu\npython manage.py migrate\nuvicorn --host 0.0.0.0 app:app\n',
    };
    const [f] = lintProject(files, rule('OPS006'));
    expect(f!.message).toMatch(/the script does not `exec` the app, so the shell stays PID 1/);
    // without compose naming the root, the script is not in the Dockerfile's directory: pyship can only hedge
    const { 'compose.yaml': _, ...alone } = files;
    expect(lintProject(alone, rule('OPS006'))[0]!.message).toMatch(/unless the script `exec`s the app/);
  });
});

describe('other advice on real projects', () => {
  it('OPS008 invents no /health route and suggests Python only where the image has it', () => {
    const [m] = messages('FROM python:3.13-slim-trixie\nEXPOSE 8000\nCMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]\n', 'OPS008');
    expect(m).not.toMatch(/\/health/);
    expect(m).toMatch(/any answer below 500/);
    expect(messages('FROM node:20\nEXPOSE 3000\nCMD ["node", "server.js"]\n', 'OPS008')[0]).toMatch(/add a `HEALTHCHECK` that probes the service/);
    expect(messages('FROM python:3.13-slim-trixie\nEXPOSE 8000\nHEALTHCHECK CMD python -c "print(1)"\nCMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]\n', 'OPS008')).toEqual([]);
  });
  it('DBG003 tells an action to use its `labels:` input, and skips test builds beside a pushing one', () => {
    const wf = 'on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: docker build -t test .\n      - uses: docker/build-push-action@v6\n        with:\n          push: true\n          tags: ghcr.io/acme/app:latest\n';
    const found = lintProject({ 'Dockerfile': 'FROM python:3.13-slim-trixie\n', '.github/workflows/ci.yml': wf }, rule('DBG003'));
    expect(found.map((f) => f.message)).toEqual(['`docker/build-push-action` records no git revision: add `labels: org.opencontainers.image.revision=${{ github.sha }}` to its `with:` (or the labels of docker/metadata-action)']);
  });
  it('APP009 leaves a compose service that mounts the working tree alone', () => {
    const compose = (vol: string) => `services:\n  web:\n    build: .\n    command: uvicorn main:app --host 0.0.0.0 --reload\n    volumes:\n      - ${vol}\n`;
    expect(lintProject({ 'docker-compose.yaml': compose('./:/app/'), 'main.py': 'app = None\n' }, rule('APP009'))).toEqual([]);
    expect(lintProject({ 'docker-compose.yaml': compose('data:/data'), 'main.py': 'app = None\n' }, rule('APP009'))).toHaveLength(1);
  });
  it('DBG001 does not claim logs are invisible when a stream handler also gets them', () => {
    const py = 'import logging\nfrom logging.handlers import RotatingFileHandler\nlogging.basicConfig(level=logging.INFO)\nh = RotatingFileHandler("logs/app.log")\nlogging.getLogger("").addHandler(h)\n';
    const [f] = lintProject({ 'app/logger.py': py }, rule('DBG001'));
    expect(f!.message).toMatch(/already reach `docker logs`/);
    expect(f!.message).not.toMatch(/invisible/);
  });
});
