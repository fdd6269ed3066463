// Where an app writes at run time (src/project/writes.ts), read from its source, and what init does about it
// (src/init/mounts.ts): a tmpfs or a named volume at each path, owned by the app user, or read-only off with the reason.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSpec } from '../../src/init/spec.js';
import { loadProject } from '../../src/project/project.js';
import { appWrites } from '../../src/project/writes.js';
import { checkFindings, init, projectDir } from './helpers.js';

const REQS = { 'requirements.txt': 'flask==3.1.0\ngunicorn==23.0.0\n' };
const FLASK = 'from flask import Flask\n\napp = Flask(__name__)\n';
const layout = { workdir: '/app', imagePath: (r: string) => `/app/${r}` };
const writes = (files: Record<string, string>, settings?: string) => {
  const dir = projectDir(files);
  return appWrites(loadProject(dir, dir), { ...layout, settings }).map((w) => ({ dir: w.dir, kind: w.kind, what: w.what, at: w.evidence.split(' ')[0] }));
};

describe('writes found in the source', () => {
  it('mkdir and makedirs, relative to the WORKDIR or to the file', () => {
    expect(writes({ 'app.py': 'import os\nos.mkdir("logs")\n' })).toEqual([{ dir: '/app/logs', kind: 'scratch', what: 'a directory it creates', at: 'app.py:2' }]);
    expect(writes({ 'pkg/core/log.py': 'import os\nLOG_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "logs")\nif not os.path.exists(LOG_DIR):\n    os.makedirs(LOG_DIR)\n' }))
      .toEqual([{ dir: '/app/pkg/logs', kind: 'scratch', what: 'a directory it creates', at: 'pkg/core/log.py:4' }]);
    expect(writes({ 'app.py': 'from pathlib import Path\nBASE = Path(__file__).resolve().parent\n(BASE / "uploads").mkdir(exist_ok=True)\nPath("cache").mkdir()\n' }).map((w) => [w.dir, w.kind]))
      .toEqual([['/app/uploads', 'data'], ['/app/cache', 'scratch']]);
  });

  it('log file handlers and dictConfig filenames', () => {
    expect(writes({ 'app.py': 'import logging.handlers\nh = logging.handlers.RotatingFileHandler("var/log/app.log", maxBytes=1)\n' }))
      .toEqual([{ dir: '/app/var/log', kind: 'scratch', what: 'log file', at: 'app.py:2' }]);
    expect(writes({ 'conf/settings.py': 'import os\nBASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))\nLOGGING = {"handlers": {"f": {"class": "logging.FileHandler", "filename": os.path.join(BASE_DIR, "logs", "debug.log")}}}\n' }))
      .toEqual([{ dir: '/app/logs', kind: 'scratch', what: 'log file', at: 'conf/settings.py:3' }]);
  });

  it('SQLite: Django DATABASES, sqlite:/// URLs (relative, absolute, concatenated, f-strings), config keys', () => {
    const django = 'from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\nDATABASES = {\n    "default": {\n        "ENGINE": "django.db.backends.sqlite3",\n        "NAME": BASE_DIR / "data" / "db.sqlite3",\n    }\n}\n';
    expect(writes({ 'proj/settings.py': django })).toEqual([{ dir: '/app/data', kind: 'data', what: 'SQLite database', at: 'proj/settings.py:6' }]);
    expect(writes({ 'db.py': 'URL = "sqlite:///./state/app.db"\n' }).map((w) => w.dir)).toEqual(['/app/state']);
    expect(writes({ 'db.py': 'URL = "sqlite:////var/lib/app/app.db"\n' }).map((w) => w.dir)).toEqual(['/var/lib/app']);
    expect(writes({ 'config.py': "import os\nbasedir = os.path.abspath(os.path.dirname(__file__))\nURI = os.environ.get('DB') or \\\n    'sqlite:///' + os.path.join(basedir, 'data', 'dev.sqlite')\n" }).map((w) => w.dir)).toEqual(['/app/data']);
    expect(writes({ 'db.py': 'from pathlib import Path\nROOT = Path(__file__).parent\nURL = f"sqlite:///{ROOT / \'db\' / \'x.db\'}"\n' }).map((w) => w.dir)).toEqual(['/app/db']);
    // in memory, in /tmp, or a prefix being compared: nothing to mount
    expect(writes({ 'db.py': 'A = "sqlite://"\nB = "sqlite:///:memory:"\nC = "sqlite:////tmp/x.db"\nif url.startswith("sqlite:////tmp"):\n    pass\n' })).toEqual([]);
    expect(writes({ 'blog/__init__.py': 'from pathlib import Path\nfrom quart import Quart\napp = Quart(__name__)\napp.config.update({"DATABASE": Path(app.root_path) / "blog.db"})\n' }).map((w) => w.dir)).toEqual(['/app/blog']);
  });

  it('MEDIA_ROOT, upload folders and the Flask instance folder', () => {
    expect(writes({ 'proj/settings.py': 'import os\nBASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))\nMEDIA_ROOT = os.path.join(BASE_DIR, "media")\n' }))
      .toEqual([{ dir: '/app/media', kind: 'data', what: 'media files', at: 'proj/settings.py:3' }]);
    expect(writes({ 'app.py': `${FLASK}app.config["UPLOAD_FOLDER"] = "uploads"\n` }).map((w) => [w.dir, w.what])).toEqual([['/app/uploads', 'uploads']]);
    expect(writes({ 'flaskr/__init__.py': `import os\n${FLASK}os.makedirs(app.instance_path, exist_ok=True)\n` }).map((w) => w.dir)).toEqual(['/app/instance']);
    // file caches and file sessions are scratch
    expect(writes({ 'proj/settings.py': 'CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": "var/cache"}}\nSESSION_FILE_PATH = "var/sessions"\n' }).map((w) => [w.dir, w.kind, w.what]))
      .toEqual([['/app/var/cache', 'scratch', 'file cache'], ['/app/var/sessions', 'scratch', 'file cache']]);
    // django-environ Path arithmetic
    expect(writes({ 'config/settings/base.py': 'import environ\nROOT_DIR = environ.Path(__file__) - 3\nAPPS_DIR = ROOT_DIR.path("proj")\nMEDIA_ROOT = str(APPS_DIR("media"))\n' }).map((w) => w.dir)).toEqual(['/app/proj/media']);
  });

  it('env defaults, settings.NAME through the settings chain; only the production settings; not tests or tooling', () => {
    expect(writes({ 'proj/settings.py': 'import os\nMEDIA_ROOT = os.environ.get("MEDIA_ROOT", "/srv/media")\n' }).map((w) => w.dir)).toEqual(['/srv/media']);
    const files = {
      'proj/settings/base.py': 'import os\nBASE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))\nICONS = os.path.join(BASE_DIR, "data", "icons")\n',
      'proj/settings/prod.py': 'from .base import *\n',
      'proj/settings/dev.py': 'from .base import *\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "dev.db"}}\n',
      'proj/icons.py': 'from pathlib import Path\nfrom django.conf import settings\n\ndef load():\n    Path(settings.ICONS).mkdir(parents=True, exist_ok=True)\n',
      'tests/test_x.py': 'import os\nos.makedirs("junk")\n',
      'scripts/release.py': 'open("CHANGELOG.md", "w")\n',
    };
    expect(writes(files, 'proj.settings.prod').map((w) => [w.dir, w.at])).toEqual([['/app/data/icons', 'proj/icons.py:5']]);
  });

  it('reports a configured path it cannot resolve, but not a plain parameter or an env var the operator sets', () => {
    expect(writes({ 'app.py': 'import os\nos.makedirs(os.environ["DATA_DIR"])\n' })).toEqual([{ dir: undefined, kind: 'data', what: 'a directory it creates', at: 'app.py:2' }]);
    expect(writes({ 'app.py': 'import os\n\ndef save(folder):\n    os.makedirs(folder)\n    open(folder + "/x", "w")\n' })).toEqual([]);
    expect(writes({ 'app.py': 'import os\nDIR = os.getenv("METRICS_DIR")\nif DIR:\n    os.makedirs(DIR, exist_ok=True)\n' })).toEqual([]);
  });
});

describe('compose, k8s and the Dockerfile mount where the app writes', () => {
  it('a tmpfs owned by the app user for logs, a named volume for data, the directories created in the Dockerfile', async () => {
    const dir = projectDir({ ...REQS, 'app.py': `import os\nimport logging\n${FLASK}os.makedirs("logs", exist_ok=True)\nlogging.FileHandler("logs/app.log")\napp.config["UPLOAD_FOLDER"] = "/srv/uploads"\n` });
    const run = await init(dir, { k8s: true });
    expect(run.code, run.err).toBe(0);
    expect(run.err).toContain('compose-mounts: read-only root; tmpfs /tmp; tmpfs /app/logs (owned by the app user); volume uploads at /srv/uploads  (app.py:6 os.makedirs("logs", exist_ok=True) (a directory it creates → /app/logs)');
    const compose = readFileSync(join(dir, 'compose.yaml'), 'utf8');
    expect(compose).toContain('    read_only: true\n    tmpfs: ["/tmp","/app/logs:uid=10001,gid=10001,mode=0700"]\n    volumes: ["uploads:/srv/uploads"]\n');
    expect(compose).toContain('\nvolumes:\n  uploads: {}\n');
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toContain('RUN install -d -o app -g app /app/logs /srv/uploads\n');
    const k8s = readFileSync(join(dir, 'k8s/deployment.yaml'), 'utf8');
    expect(k8s).toContain('            readOnlyRootFilesystem: true');
    expect(k8s).toContain('            - name: uploads\n              mountPath: /srv/uploads');
    expect(k8s).toContain('        - name: scratch-1\n          emptyDir: { medium: Memory }');
    // findings about the generated files only (the project's own requirements.txt and app.py have theirs)
    expect(checkFindings(dir).filter((f) => !/^(requirements\.txt|app\.py):/.test(f)).join('\n')).toBe('');
  });

  it('leaves read-only off, and says why, when the app writes into a directory that holds code', async () => {
    const dir = projectDir({ ...REQS, 'app.py': `${FLASK}DB = "sqlite:///app.db"\n` });
    const spec = buildSpec(loadProject(dir, dir), { pyshipVersion: '0.0.0' });
    expect(spec.mounts).toEqual({ readOnly: false, mounts: [], why: 'app.py:4 writes SQLite database into /app, which holds code (a volume there would hide it): point it at a directory of its own to keep the root read-only' });
    expect(spec.decisions.find((d) => d.field === 'compose-mounts')).toEqual({ field: 'compose-mounts', value: 'read-only off; tmpfs /tmp', evidence: ['app.py:4 DB = "sqlite:///app.db" (SQLite database → /app)'] });
    expect((await init(dir)).code).toBe(0);
    const compose = readFileSync(join(dir, 'compose.yaml'), 'utf8');
    expect(compose).not.toContain('read_only: true');
    expect(compose).toContain('    # not read_only: app.py:4 writes SQLite database into /app');
    // findings about the generated files only (the project's own requirements.txt and app.py have theirs)
    expect(checkFindings(dir).filter((f) => !/^(requirements\.txt|app\.py):/.test(f)).join('\n')).toBe('');
  });

  it('keeps today\'s compose when the code writes nowhere', () => {
    const dir = projectDir({ ...REQS, 'app.py': FLASK });
    const spec = buildSpec(loadProject(dir, dir), { pyshipVersion: '0.0.0' });
    expect(spec.mounts).toEqual({ readOnly: true, mounts: [] });
    expect(spec.decisions.find((d) => d.field === 'compose-mounts')?.evidence[0]).toMatch(/^default: the code shows no write/);
  });
});
