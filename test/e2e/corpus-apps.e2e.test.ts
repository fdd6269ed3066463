// e2e: `pyship init` with no app flags on the real corpus apps (../shared/corpus/apps) whose packages the offline
// wheelhouse can serve, then `pyship check` of what it wrote, `pyship build` (which audits and smoke-tests the image)
// and `pyship smoke`: zero findings. Each app is a copy, changed only where this environment needs it, and each change
// is listed in CHANGES below (pins the wheelhouse lacks → its versions; the Python of the only stand-in that has them;
// --no-syntax because the offline engine cannot pull the dockerfile frontend). The other 27 apps need packages the
// wheelhouse does not hold (uv/poetry/pdm/conda downloads, aiohttp, channels, Django 5/6, Flask-SQLAlchemy, asyncpg…):
// their packaging is tested statically in test/init/corpus-apps.test.ts.
//
// Runs when PYSHIP_E2E=1 (and then fails if no engine answers or a stand-in is missing), or when an engine, BuildKit
// and python:3.13-slim-trixie are here; otherwise skipped with a note.
import { spawnSync, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auditAndSmoke, type VerifyResult } from '../../src/build/verify.js';
import { runBuild } from '../../src/commands/build.js';
import { runCheck } from '../../src/commands/check.js';
import { runInit } from '../../src/commands/init.js';
import { captureIo } from '../build/helpers.js';
import { runSmoke } from '../../src/commands/smoke.js';
import { createEngine } from '../../src/engine/engine.js';
import { PYSHIP_LABEL } from '../../src/engine/types.js';

const APPS = join(import.meta.dirname, '..', '..', '..', 'shared', 'corpus', 'apps');
const e2e = process.env.PYSHIP_E2E === '1';
const docker = process.env.PYSHIP_DOCKER || 'docker';
const STAND_IN = 'python:3.13-slim-trixie';
const sh = (args: string[], timeout = 60_000) => spawnSync(docker, args, { encoding: 'utf8', timeout });
const engineUp = sh(['info', '--format', '{{.ServerVersion}}'], 15_000).status === 0;
const standIn = engineUp && sh(['image', 'inspect', STAND_IN], 30_000).status === 0;
const buildkit = engineUp && createEngine().buildkit();
const corpus = existsSync(APPS);
const enabled = e2e || (corpus && standIn && buildkit);
if (!enabled) {
  console.warn(!corpus ? `note: ${APPS} is absent: the corpus e2e of init is skipped`
    : `note: the corpus e2e of init is skipped: it needs an engine, BuildKit (source <(bash ../shared/tools/offline-docker/setup.sh --env)) and ${STAND_IN} (PYSHIP_E2E=1 makes it fail instead)`);
}

interface App {
  name: string;
  /** Where init puts the packaging (the project it finds below the repository root). */
  project: string;
  /** What this test changes in the copy, and why: each is printed with the result. */
  changes: { file: string; from: RegExp; to: string; why: string }[];
  /** Values for the variables the app needs at import, for its smoke test (as the generated CI passes them). */
  env: string[];
  /** `--force FILE`: the app's own files pyship's packaging replaces. */
  force?: string[];
  /** The Dockerfile init writes when not `Dockerfile`: Dockerfile.pyship beside the app's own, which is no production image. */
  dockerfile?: string;
}

const WHEELHOUSE = 'the pins the offline wheelhouse lacks → its versions (python:3.13-slim-trixie)';
const APPS_E2E: App[] = [
  // flask + nothing else: init locks it with pip in the stand-in and installs gunicorn beside the lock
  { name: 'flask-tutorial-flaskr', project: 'examples/tutorial', changes: [], env: [] },
  {
    // its Dockerfile starts no server and its entrypoint flushes the database: init keeps it and writes Dockerfile.pyship
    name: 'django-on-docker', project: 'app', dockerfile: 'Dockerfile.pyship',
    changes: [
      { file: 'app/requirements.txt', from: /^Django==4\.2\.3$/m, to: 'Django==4.2.28', why: WHEELHOUSE },
      { file: 'app/requirements.txt', from: /^gunicorn==21\.2\.0$/m, to: 'gunicorn==23.0.0', why: WHEELHOUSE },
      { file: 'app/requirements.txt', from: /^psycopg2-binary==2\.9\.6$/m, to: 'psycopg2==2.9.10', why: `${WHEELHOUSE}; psycopg2-binary is not there, psycopg2 (built against libpq5) is` },
    ],
    // settings.py:16 ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS").split(" ") fails at import when unset
    env: ['DJANGO_ALLOWED_HOSTS=localhost 127.0.0.1', 'SECRET_KEY=e2e-not-secret'],
  },
];

const RUN = `${process.pid}-${Date.now().toString(36)}`;
const LABEL = `${PYSHIP_LABEL}=e2e-corpus-${RUN}`;
const images = new Set<string>();
const dirs: string[] = [];
const results: string[] = [];


interface JsonReport { findings: { code: string; severity: string; message: string; file?: string }[] }
const list = (r: JsonReport): string => r.findings.map((f) => `${f.code} ${f.severity}: ${f.message}`).join('\n');

describe.runIf(enabled)('pyship init on real corpus apps → check → build → audit → smoke (offline engine)', () => {
  const engine = createEngine();

  afterAll(() => {
    engine.cleanup();
    for (const image of images) {
      const refs = sh(['image', 'ls', '--filter', `reference=${image}`, '--format', '{{.Repository}}:{{.Tag}}']).stdout?.split('\n').filter(Boolean) ?? [];
      if (refs.length) sh(['image', 'rm', '--force', ...refs], 120_000);
    }
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    if (results.length > 0) console.log(['pyship init e2e on corpus apps:', ...results].join('\n'));
  }, 300_000);

  for (const app of APPS_E2E) {
    it(`${app.name}: init with no app flags, check, build (audit + smoke), smoke: zero findings`, async () => {
      expect(corpus && standIn && buildkit, `needs ${APPS}, an engine, BuildKit and ${STAND_IN}`).toBe(true);
      const root = join(mkdtempSync(join(tmpdir(), 'pyship-e2e-corpus-')), app.name);
      dirs.push(root);
      cpSync(join(APPS, app.name), root, { recursive: true });
      for (const c of app.changes) {
        const f = join(root, c.file);
        const text = readFileSync(f, 'utf8');
        expect(text, `${c.file}: ${c.from}`).toMatch(c.from);
        writeFileSync(f, text.replace(c.from, c.to));
      }
      const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      git('init', '-q', '-b', 'main');
      git('add', '.');
      git('-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', '-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'app');

      // pyship init at the repository root, as a new user runs it: only what this engine needs (no frontend pulls,
      // the Python of the one stand-in)
      const initIo = captureIo(root);
      const initCode = await runInit(undefined, { syntax: false, input: false, python: '3.13', ...(app.force ? { force: app.force } : {}) }, initIo, { engine });
      expect(initCode, initIo.stderr()).toBe(0);
      const dir = join(root, app.project);
      expect(existsSync(join(dir, app.dockerfile ?? 'Dockerfile')), initIo.stderr()).toBe(true);
      if (app.dockerfile) expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe(readFileSync(join(APPS, app.name, app.project, 'Dockerfile'), 'utf8'));

      // pyship check: nothing in the files init wrote
      const checkIo = captureIo(dir);
      runCheck([dir], { format: 'json' }, checkIo);
      const written = new Set([...initIo.stderr().matchAll(/^ {2}wrote +(\S+)/gm)].map((m) => m[1]!));
      const checked = JSON.parse(checkIo.stdout()) as JsonReport;
      const ours = checked.findings.filter((f) => f.file === undefined || [...written].some((w) => f.file!.endsWith(w)));
      expect(list({ findings: ours }), checkIo.stderr()).toBe('');

      // pyship build: builds, then audits and smoke-tests the image (with the app's required variables)
      const image = `pyship-e2e-corpus-${app.name}`;
      images.add(image);
      let verified: VerifyResult | undefined;
      const buildIo = captureIo(dir);
      const buildCode = await runBuild(undefined, { image, label: [LABEL], smokeEnv: app.env, ...(app.dockerfile ? { file: app.dockerfile } : {}) }, buildIo, {
        engine,
        verify: async (e, img, opts) => (verified = await auditAndSmoke(e, img, opts)),
      });
      expect.soft((verified?.findings ?? []).map((f) => `${f.code} ${f.severity}: ${f.message}`).join('\n'), 'findings of pyship build').toBe('');
      expect(verified?.problems, buildIo.stderr().slice(-3000)).toEqual([]);
      expect(buildCode, buildIo.stderr().slice(-6000)).toBe(0);

      // pyship smoke on its own
      const smokeIo = captureIo(dir);
      const smokeCode = runSmoke(`${image}:main`, { format: 'json', env: app.env }, smokeIo, () => engine);
      const summary = smokeIo.stderr();
      expect.soft(list(JSON.parse(smokeIo.stdout()) as JsonReport), `findings of pyship smoke:\n${summary}`).toBe('');
      expect(smokeCode, summary).toBe(0);
      expect(summary).toMatch(/OPS008 +healthy/);
      const size = (JSON.parse(sh(['image', 'inspect', `${image}:main`]).stdout) as { Size: number }[])[0]!.Size;
      results.push(`  ${app.name}: ${(size / 1e6).toFixed(0)} MB${app.force ? `; --force ${app.force.join(',')}` : ''}${app.dockerfile ? `; built from ${app.dockerfile}` : ''}; ${app.changes.length === 0 ? 'no change to the app' : `changed in the copy: ${app.changes.map((c) => `${c.file} ${c.to} (${c.why})`).join('; ')}`}`);
    }, 900_000);
  }
});
