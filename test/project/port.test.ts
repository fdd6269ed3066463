// The port from the project's evidence: what wins, its file:line, a privileged port moved to 8000, the default.
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/project/project.js';
import type { Project } from '../../src/project/model.js';
import { projectPort } from '../../src/project/port.js';
import { join } from 'node:path';
import { tempFiles } from '../helpers.js';

const project = (files: Record<string, string>): Project => {
  const dir = tempFiles({ 'pyproject.toml': '[project]\nname = "x"\nversion = "0"\n', ...files }, 'pyship-port-');
  return loadProject(dir, dir);
};

describe('port', () => {
  it('an existing Dockerfile: ENV PORT (continued lines) and EXPOSE $PORT', () => {
    const c = projectPort(project({ 'docker/Dockerfile': 'FROM python:3.11-slim\nENV PYTHONUNBUFFERED=1 \\\n    PORT=8888 \\\n    X=1\nEXPOSE $PORT\nCMD ["gunicorn", "app:app"]\n' }));
    expect(c.port).toBe(8888);
    expect(c.evidence[0]).toBe('docker/Dockerfile:2 ENV PORT=8888');
    expect(c.evidence[1]).toBe('docker/Dockerfile:5 EXPOSE $PORT');
  });

  it('a frontend Dockerfile does not count; the production start script beats the local one', () => {
    const c = projectPort(project({
      'frontend/Dockerfile': 'FROM node:20\nEXPOSE 3000\n',
      'docker/production/start': '#!/bin/bash\nexec gunicorn config.wsgi --bind 0.0.0.0:5000\n',
      'docker/local/start': '#!/bin/bash\nexec python manage.py runserver 0.0.0.0:8000\n',
    }));
    expect(c.port).toBe(5000);
    expect(c.evidence[0]).toBe('docker/production/start:2 --bind 0.0.0.0:5000');
  });

  it('gunicorn config binds and env defaults', () => {
    expect(projectPort(project({ 'gunicorn.conf.py': 'import os\nbind = ["[::]:{}".format(os.environ.get("PORT", 5006))]\n' }))).toMatchObject({ port: 5006, evidence: ['gunicorn.conf.py:2 environ.get("PORT", 5006)'] });
    expect(projectPort(project({ 'etc/gunicorn.py': 'bind = "0.0.0.0:8001"\n' })).port).toBe(8001);
  });

  it('compose: the container side of ports of the service that builds the project, not the database', () => {
    const c = projectPort(project({ 'docker-compose.yml': 'services:\n  web:\n    build: .\n    ports:\n      - "${WEB_PORT:-127.0.0.1:8004}:${PORT:-5001}"\n  db:\n    image: postgres\n    ports: ["5432:5432"]\n' }));
    expect(c).toMatchObject({ port: 5001 });
    expect(c.evidence[0]).toMatch(/^docker-compose\.yml:5 ports: /);
  });

  it('Procfile, run(port=), config files, the framework default', () => {
    expect(projectPort(project({ Procfile: 'web: gunicorn app:app -b 0.0.0.0:7000\n' })).port).toBe(7000);
    expect(projectPort(project({ 'main.py': 'import uvicorn\nif __name__ == "__main__":\n    uvicorn.run("main:app", host="0.0.0.0", port=8081)\n' })).evidence[0]).toMatch(/^main\.py:3 /);
    expect(projectPort(project({ 'config/polls.yaml': 'postgres:\n  port: 5432\nhost: 127.0.0.1\nport: 8080\n' })).port).toBe(8080);
    expect(projectPort(project({ 'blog/__init__.py': 'from quart import Quart\napp = Quart(__name__)\n\ndef run():\n    app.run()\n' }))).toMatchObject({ port: 5000 });
    expect(projectPort(project({ 'README.md': 'Run it:\n\n    flask --app shop run --debug\n', 'shop/__init__.py': 'from flask import Flask\n' })).port).toBe(5000);
  });

  it('a service in a subfolder: the compose file above it (no git metadata) counts, cited by its path from the project', () => {
    const dir = tempFiles({
      'docker-compose.prod.yml': 'services:\n  web:\n    build: ./services/web\n    command: gunicorn --bind 0.0.0.0:5000 manage:app\n  nginx:\n    build: ./services/nginx\n    ports: ["1337:80"]\n',
      'services/web/requirements.txt': 'flask==3.1.0\n',
      'services/web/manage.py': 'from project import app\n',
    }, 'pyship-port-mono-');
    const c = projectPort(loadProject(join(dir, 'services', 'web')));
    expect(c).toMatchObject({ port: 5000, evidence: ['../../docker-compose.prod.yml:4 command: --bind 0.0.0.0:5000'], notes: [] });
    // a compose file above that builds something else is not this project's
    const stray = tempFiles({ 'compose.yaml': 'services:\n  other:\n    build: ./other\n    ports: ["9000:9000"]\n', 'web/app.py': 'from flask import Flask\n' }, 'pyship-port-stray-');
    expect(projectPort(loadProject(join(stray, 'web'))).port).toBe(8000);
  });

  it('a port below 1024 becomes 8000 with a note (non-root cannot bind it); nothing named: 8000 by default', () => {
    const c = projectPort(project({ Dockerfile: 'FROM python:3.12\nENV PORT 80\nEXPOSE $PORT\nCMD uvicorn main:app --host 0.0.0.0 --port $PORT\n' }));
    expect(c.port).toBe(8000);
    expect(c.evidence).toEqual(['Dockerfile:2 ENV PORT=80', 'default: 8000, since port 80 needs root']);
    expect(c.notes.join('\n')).toMatch(/cannot bind a port below 1024.*-p 80:8000/);
    expect(projectPort(project({ 'app.py': 'from flask import Flask\napp = Flask(__name__)\n' }))).toEqual({ port: 8000, evidence: ['default: the project names no port'], notes: [] });
  });
});
