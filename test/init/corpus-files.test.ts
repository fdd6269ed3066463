// `pyship init` on the real apps of ../shared/corpus/apps, each copied into a temporary repository: no file that
// existed is changed and no compose file is shadowed (without --force, and with --force naming the Dockerfile), and
// the places each app writes to at run time agree with what MANIFEST.tsv `notes` says, except where reviewed below.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMPOSE_NAMES } from '../../src/init/existing.js';
import { imagePathOf } from '../../src/init/mounts.js';
import { buildSpec } from '../../src/init/spec.js';
import { loadProject } from '../../src/project/project.js';
import { buildContexts } from '../../src/project/contexts.js';
import { appWrites } from '../../src/project/writes.js';
import { init, listFiles } from './helpers.js';
import { APPS_DIR as CORPUS, appsPresent as present, manifest, skipNote } from '../corpus-apps.js';

skipNote('the init corpus tests (existing files, writable paths)');

interface App {
  name: string;
  /** The project directory inside the app's tree ('' = its root). */
  sub: string;
  notes: string;
}

function apps(): App[] {
  return manifest().map((r) => {
    // the app's folder when its dependency manifest is there (else the manifest is at the top: fastapi-boilerplate)
    const first = r.subdir!.split(/\s/)[0]!;
    const hasManifest = ['requirements.txt', 'pyproject.toml', 'Pipfile', 'environment.yml', 'setup.py', 'requirements'].some((m) => existsSync(join(CORPUS, r.name, first, m)));
    const sub = first === '.' || !hasManifest ? '' : first;
    return { name: r.name, sub, notes: r.notes! };
  });
}

/** A copy of the app in a temporary directory with `.git` at its top: the repository root. */
function repoCopy(app: App): { root: string; dir: string } {
  const root = join(mkdtempSync(join(tmpdir(), 'pyship-corpus-')), app.name);
  cpSync(join(CORPUS, app.name), root, { recursive: true });
  mkdirSync(join(root, '.git'));
  return { root, dir: join(root, app.sub) };
}

const bytes = (root: string): Map<string, Buffer> => new Map(listFiles(root).map((f) => [f, readFileSync(join(root, f))]));

/** Compose files `docker compose` could pick from `dir`: its own, else the nearest directory above up to `root`. */
function composeSeen(root: string, dir: string): string[] {
  for (let d = dir; ; d = dirname(d)) {
    const names = COMPOSE_NAMES.filter((n) => existsSync(join(d, n)));
    if (names.length > 0) return names.map((n) => relative(root, join(d, n)) || n);
    if (d === root || dirname(d) === d) return [];
  }
}

/** Where the app writes per MANIFEST notes, and where pyship agrees, differs on purpose, or goes further (reviewed). */
const WRITES: Record<string, { expect: string[]; why?: string }> = {
  babybuddy: { expect: ['/app/data', '/app/media'] },
  'channels-multichat': { expect: ['/app'] },
  'django-on-docker': { expect: ['/app', '/app/mediafiles'] },
  'flask-tutorial-flaskr': { expect: ['/app/instance', '/opt/venv/var/flaskr-instance'] },
  flasky: { expect: ['/app'] },
  linkding: { expect: ['/app/data'] },
  'python-getting-started': { expect: ['/app'] },
  'quart-blog': { expect: ['site-packages/blog', '/app/src/blog'] },
  shynet: { expect: ['/var/local/shynet/db'] },
  'flask-on-docker': { expect: ['(unresolved)'], why: 'MEDIA_FOLDER is f"{os.getenv(\'APP_FOLDER\')}/project/media": the folder comes from an env var the project\'s Dockerfile sets' },
  ihatemoney: { expect: [], why: 'the notes\' /etc/ihatemoney is written by the project\'s conf/entrypoint.sh, not the app; its default database is under /tmp' },
  kinto: { expect: [], why: 'PROMETHEUS_MULTIPROC_DIR is read from the environment with no default, and /tmp/metrics is under the /tmp tmpfs' },
  graditude: { expect: ['/app/graditude/media'], why: 'celerybeat.pid in the notes is written by `celery beat`, which pyship does not run; MEDIA_ROOT is found beyond the notes' },
  'fastapi-boilerplate': { expect: ['/app/logs'], why: 'not in the notes: src/app/core/logger.py creates logs/ beside the package (app/logs in /app/src, or in site-packages when installed) and logs there' },
  'django-channels-chat': { expect: ['/app/run/media_root'], why: 'not in the notes: MEDIA_ROOT in chat/settings.py' },
  'djangoproject.com': { expect: ['/media'], why: 'MEDIA_ROOT is DATA_DIR / "media…", DATA_DIR the parent of the repository (/ in the image) unless DJANGOPROJECT_DATA_DIR is set' },
};

/** The apps whose own Dockerfile is no production image (reviewed: no server, a dev server, a wiping or compose-bound entrypoint). */
const BESIDE = new Set(['channels-multichat', 'django-on-docker', 'djangoproject.com', 'fastapi-tdd-docker', 'flask-on-docker', 'fastapi-boilerplate', 'uv-docker-example']);

/**
 * The image init wrote runs: beside a project Dockerfile that is no production image it is Dockerfile.pyship, which
 * the compose and CI init wrote build; and the ignore file BuildKit reads for it sends every file its CMD names.
 */
function pyshipImage(app: App, root: string, dir: string, added: string[], before: Map<string, Buffer>): void {
  const rel = (f: string): string => relative(root, join(dir, f));
  const beside = added.includes(rel('Dockerfile.pyship'));
  expect(beside, `${app.name}: Dockerfile.pyship`).toBe(BESIDE.has(app.name));
  const name = beside ? 'Dockerfile.pyship' : 'Dockerfile';
  if (beside) {
    expect(before.has(rel('Dockerfile'))).toBe(true);
    expect(added).toContain(rel('Dockerfile.pyship.dockerignore'));
    if (added.includes(rel('compose.yaml'))) expect(readFileSync(join(dir, 'compose.yaml'), 'utf8')).toContain('dockerfile: Dockerfile.pyship');
    const ci = join(root, '.github/workflows/docker.yml');
    if (added.includes('.github/workflows/docker.yml')) expect(readFileSync(ci, 'utf8')).toContain('build --file Dockerfile.pyship');
  } else if (!added.includes(rel('Dockerfile'))) return; // the project's production Dockerfile, kept as it is
  const text = readFileSync(join(dir, name), 'utf8');
  const cmd = /^CMD (\[.*\])$/m.exec(text);
  const p = loadProject(dir, dir);
  const ctx = buildContexts(p, name, '');
  const read = cmd ? (JSON.parse(cmd[1]!) as string[]).filter((w) => added.includes(rel(w))) : [];
  for (const c of ctx) for (const f of read) expect(c.ignore?.ignores(f) ?? false, `${app.name}: ${c.ignoreFile} leaves out ${f}, which ${name}'s CMD reads`).toBe(false);
}

describe.skipIf(!present)('init on the corpus apps', () => {
  const list = present ? apps() : [];

  it('reads the manifest', () => {
    expect(list.length).toBeGreaterThanOrEqual(29);
  });

  describe.each(list)('$name', (app) => {
    for (const force of [undefined, ['Dockerfile']]) {
      it(`changes no file the project had, and shadows no compose file${force ? ' (--force Dockerfile)' : ''}`, { timeout: 60_000 }, async () => {
        const { root, dir } = repoCopy(app);
        const before = bytes(root);
        const composeBefore = composeSeen(root, dir);
        const run = await init(dir, force ? { force } : {});
        expect([0, 2], run.err).toContain(run.code);
        const changed = [...before].filter(([f, b]) => !existsSync(join(root, f)) || !readFileSync(join(root, f)).equals(b)).map(([f]) => f);
        expect(changed, run.err).toEqual(force && run.code === 0 && before.has(relative(root, join(dir, 'Dockerfile'))) ? [relative(root, join(dir, 'Dockerfile'))] : []);
        // the same compose file(s) answer `docker compose` run in the project directory, or, where there was none, compose.yaml
        const after = composeSeen(root, dir);
        expect(after, run.err).toEqual(composeBefore.length > 0 || after.length === 0 ? composeBefore : [relative(root, join(dir, 'compose.yaml'))]);
        // nothing lands in a subfolder's .github, where GitHub never reads it
        const added = listFiles(root).filter((f) => !before.has(f));
        if (app.sub) expect(added.filter((f) => f.startsWith(`${app.sub}/.github/`))).toEqual([]);
        if (!force && run.code === 0) pyshipImage(app, root, dir, added, before);
      });
    }

    it('finds where the app writes', () => {
      const dir = join(CORPUS, app.name, app.sub);
      const p = loadProject(dir, dir);
      let layout = { installProject: false, python: { version: '3.13' }, settings: undefined as string | undefined };
      try {
        const spec = buildSpec(p, { pyshipVersion: '0.0.0' });
        layout = { installProject: spec.installProject, python: spec.python, settings: spec.django?.settings };
      } catch {
        // refused by init (another kind of issue 12): the code is read with the default layout
      }
      const found = appWrites(p, { workdir: '/app', imagePath: imagePathOf(layout as never), settings: layout.settings }).map((w) => w.dir ?? '(unresolved)');
      const want = WRITES[app.name];
      if (!want) {
        expect(found, `${app.name}: ${app.notes}`).toEqual([]);
        return;
      }
      // either layout may apply (installed or not): each found dir is one we expect, or inside one
      expect(found.length, `${app.name}: ${app.notes}`).toBeGreaterThanOrEqual(Math.min(1, want.expect.length));
      for (const f of found) expect(want.expect.some((w) => f === w || f.endsWith(w) || f.startsWith(`${w}/`)), `${app.name}: found ${f}; notes: ${app.notes}`).toBe(true);
    });
  });
});
