// `pyship init` beside what the project already has: nothing changed or shadowed without --force (one compose slot,
// a kept Dockerfile takes no server config, CI that builds the image and the project's Dependabot stay), --force FILE,
// a `file:<path>` decision per file, and CI/Dependabot at the repository root for a project in a subfolder.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/commands/io.js';
import { runCli } from '../helpers.js';
import { init, listFiles, projectDir } from './helpers.js';

const FLASK = 'from flask import Flask\n\napp = Flask(__name__)\n';
const BASE = { 'app.py': FLASK, 'requirements.txt': 'flask==3.1.0\ngunicorn==23.0.0\n' };
const OLD_COMPOSE = 'services:\n  web:\n    build: .\n';
const BUILD_WORKFLOW = 'name: ci\non: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: docker build -t app .\n';
const DEPENDABOT_PIP = 'version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n    schedule:\n      interval: weekly\n';

const snapshot = (dir: string): Record<string, string> => Object.fromEntries(listFiles(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
const json = async (dir: string, flags = {}): Promise<{ decisions: { field: string; value: string; evidence: string[] }[]; files: { path: string; action: string; reason?: string; merge?: string[] }[] }> =>
  JSON.parse((await init(dir, { dryRun: true, format: 'json', ...flags })).out);

describe('compose: one slot, whatever its name', () => {
  for (const name of ['docker-compose.yml', 'docker-compose.yaml', 'compose.yml']) {
    it(`keeps ${name} and writes no compose.yaml beside it; --force replaces it in place`, async () => {
      const dir = projectDir({ ...BASE, [name]: OLD_COMPOSE });
      const run = await init(dir);
      expect(run.code, run.err).toBe(0);
      expect(existsSync(join(dir, 'compose.yaml'))).toBe(false);
      expect(readFileSync(join(dir, name), 'utf8')).toBe(OLD_COMPOSE);
      expect(run.err).toMatch(new RegExp(`kept +${name.replace('.', '\\.')} \\(exists; --force ${name.replace('.', '\\.')} to replace\\)`));
      expect(run.err).toContain('to merge: ');
      // `docker compose up` would build and run the project's own service, not pyship's hardened one: not suggested
      expect(run.err).not.toContain('docker compose up --build');
      // --force with any of the names replaces the one the project has
      const forced = await init(dir, { force: ['compose.yaml'] });
      expect(forced.code, forced.err).toBe(0);
      expect(existsSync(join(dir, 'compose.yaml'))).toBe(name === 'compose.yaml');
      expect(readFileSync(join(dir, name), 'utf8')).toContain('read_only: true');
      expect(forced.err).toContain('docker compose up --build run it locally, hardened');
    });
  }

  it('skips compose.yaml below a compose file that `docker compose` finds from the project directory', async () => {
    const root = projectDir({ '.git/HEAD': 'ref: refs/heads/main\n', 'docker-compose.yml': OLD_COMPOSE });
    const dir = join(root, 'svc');
    mkdirSync(dir);
    for (const [f, t] of Object.entries(BASE)) await import('node:fs').then((fs) => fs.writeFileSync(join(dir, f), t));
    const report = await json(dir);
    const c = report.files.find((f) => f.path === 'compose.yaml');
    expect(c?.action).toBe('skip');
    expect(c?.reason).toContain('../docker-compose.yml');
    expect(report.decisions.find((d) => d.field === 'file:compose.yaml')?.value).toBe('skip');
  });
});

describe('a kept Dockerfile', () => {
  it('gets no server config or compose (only the generated Dockerfile would use them), and says why; --force Dockerfile writes all', async () => {
    const dir = projectDir({ ...BASE, Dockerfile: 'FROM python:3.12\nCOPY . /app\nCMD ["python", "app.py"]\n' });
    const before = snapshot(dir);
    const run = await init(dir);
    expect(run.code, run.err).toBe(0);
    expect(run.err).toMatch(/skipped +gunicorn\.conf\.py: made for the generated Dockerfile \(its CMD reads it\), and the project's Dockerfile is kept/);
    expect(run.err).toMatch(/skipped +compose\.yaml: made for the generated Dockerfile/);
    expect(existsSync(join(dir, 'gunicorn.conf.py'))).toBe(false);
    expect(existsSync(join(dir, 'compose.yaml'))).toBe(false);
    for (const [f, t] of Object.entries(before)) expect(readFileSync(join(dir, f), 'utf8'), f).toBe(t);
    const forced = await init(dir, { force: ['Dockerfile'] });
    expect(forced.code, forced.err).toBe(0);
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toContain('CMD ["gunicorn"');
    expect(existsSync(join(dir, 'gunicorn.conf.py'))).toBe(true);
    expect(existsSync(join(dir, 'compose.yaml'))).toBe(true);
  });

  it('gets no .dockerignore that would drop a file it copies', async () => {
    const dir = projectDir({ ...BASE, Dockerfile: 'FROM python:3.12\nCOPY .env.production app.py /app/\nCMD ["gunicorn", "app:app"]\n' });
    const report = await json(dir);
    const di = report.files.find((f) => f.path === '.dockerignore');
    expect(di?.action).toBe('skip');
    expect(di?.reason).toContain('.env.production');
  });
});

describe('CI and Dependabot', () => {
  it('keeps a workflow that builds the image, naming it, and --force docker.yml adds ours', async () => {
    const dir = projectDir({ ...BASE, '.github/workflows/ci.yml': BUILD_WORKFLOW });
    const report = await json(dir);
    const wf = report.files.find((f) => f.path === '.github/workflows/docker.yml');
    expect(wf?.action).toBe('skip');
    expect(wf?.reason).toBe('.github/workflows/ci.yml:8 already builds the image (--force docker.yml writes this workflow too)');
    expect(wf?.merge?.[0]).toContain('pyship check');
    const forced = await json(dir, { force: ['docker.yml'] });
    expect(forced.files.find((f) => f.path === '.github/workflows/docker.yml')?.action).toBe('write');
  });

  it('keeps the project\'s dependabot.yml, says what it lacks, and replaces it only when --force names it', async () => {
    const dir = projectDir({ ...BASE, Dockerfile: 'FROM python:3.12\n', '.github/dependabot.yml': DEPENDABOT_PIP });
    const run = await init(dir, { force: ['Dockerfile'] });
    expect(run.code, run.err).toBe(0);
    expect(readFileSync(join(dir, '.github/dependabot.yml'), 'utf8')).toBe(DEPENDABOT_PIP);
    expect(run.err).toContain('to merge: dependabot.yml lacks the docker ecosystem (the base image in the Dockerfile)');
    expect(run.err).toContain('to merge: dependabot.yml lacks the github-actions ecosystem');
    expect(run.err).not.toContain('lacks the pip ecosystem');
    const forced = await init(dir, { force: ['dependabot.yml'] });
    expect(forced.err).toMatch(/replaced +\.github\/dependabot\.yml/);
    expect(readFileSync(join(dir, '.github/dependabot.yml'), 'utf8')).toContain('package-ecosystem: docker');
  });

  it('writes no Dependabot beside a Renovate configuration', async () => {
    const dir = projectDir({ ...BASE, 'renovate.json': '{}\n' });
    const report = await json(dir);
    expect(report.files.find((f) => f.path === '.github/dependabot.yml')).toMatchObject({ action: 'skip', reason: expect.stringContaining('Renovate (renovate.json)') });
  });

  it('writes CI and Dependabot at the repository root, pointed at the project in a subfolder', async () => {
    const root = projectDir({ '.git/HEAD': 'ref: refs/heads/main\n', ...Object.fromEntries(Object.entries(BASE).map(([f, t]) => [`services/web/${f}`, t])) });
    const dir = join(root, 'services/web');
    const run = await init(dir);
    expect(run.code, run.err).toBe(0);
    expect(existsSync(join(dir, '.github'))).toBe(false);
    const wf = readFileSync(join(root, '.github/workflows/docker.yml'), 'utf8');
    expect(wf).toContain('defaults:\n  run:\n    working-directory: services/web\n');
    expect(wf).toContain('    paths: ["services/web/**", ".github/workflows/docker.yml"]');
    const bot = readFileSync(join(root, '.github/dependabot.yml'), 'utf8');
    expect(bot).toMatch(/package-ecosystem: pip\n    directory: \/services\/web\n/);
    expect(bot).toMatch(/package-ecosystem: docker\n    directory: \/services\/web\n/);
    expect(bot).toMatch(/package-ecosystem: github-actions\n    directory: \/\n/);
    expect(run.err).toMatch(/wrote +\.\.\/\.\.\/\.github\/workflows\/docker\.yml/);
    const gl = projectDir({ '.git/HEAD': 'x\n', ...Object.fromEntries(Object.entries(BASE).map(([f, t]) => [`api/${f}`, t])) });
    expect((await init(join(gl, 'api'), { ci: 'gitlab' })).code).toBe(0);
    const pipeline = readFileSync(join(gl, '.gitlab-ci.yml'), 'utf8');
    expect(pipeline).toContain('    - changes: ["api/**/*", .gitlab-ci.yml]');
    expect(pipeline).toContain('  script:\n    - cd api\n');
    expect(pipeline).toContain('junit: api/pyship.xml');
    expect(existsSync(join(gl, 'renovate.json'))).toBe(true);
  });
});

describe('--force', () => {
  it('replaces everything it would write; a name replaces only that file', async () => {
    const dir = projectDir({ ...BASE, Dockerfile: 'FROM python:3.12\nCMD ["gunicorn", "app:app"]\n', '.dockerignore': '.git\n' });
    const named = await json(dir, { force: ['.dockerignore'] });
    expect(named.files.find((f) => f.path === '.dockerignore')?.action).toBe('replace');
    expect(named.files.find((f) => f.path === 'Dockerfile')?.action).toBe('keep');
    expect(named.decisions.find((d) => d.field === 'file:Dockerfile')).toMatchObject({ value: 'keep (exists)' });
    const all = await json(dir, { force: true });
    expect(all.files.filter((f) => f.action === 'replace').map((f) => f.path)).toEqual(['Dockerfile', '.dockerignore']);
    for (const f of all.files) expect(all.decisions.find((d) => d.field === `file:${f.path}`), f.path).toBeDefined();
  });

  it('never writes over a directory in the way, even with --force', async () => {
    const dir = projectDir({ ...BASE, 'Dockerfile/README': 'not a file\n' });
    const run = await init(dir, { force: true });
    expect(run.code, run.err).toBe(0);
    expect(run.err).toContain('skipped   Dockerfile: something that is not a readable file is there');
    expect(readFileSync(join(dir, 'Dockerfile/README'), 'utf8')).toBe('not a file\n');
  });

  it('refuses a name init does not write, and the CLI takes `--force DIR` as the directory', async () => {
    const dir = projectDir(BASE);
    await expect(init(dir, { force: ['setup.py'] })).rejects.toBeInstanceOf(UsageError);
    const cli = await runCli(['init', '--no-input', '--dry-run', '--force', 'Dockerfile,pyship.toml', '--force', dir], dir);
    expect(cli.code, cli.err).toBe(0);
    const bad = await runCli(['init', '--no-input', '--dry-run', '--force', 'nosuch.txt', dir], dir);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--force nosuch.txt: init writes no such file');
  });
});
