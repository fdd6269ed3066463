// The CLI as users meet it: exit codes, formats, config, stdin, --fix/--diff, bad input, --help texts.
import { writeFileSync, readFileSync, statSync, chmodSync, readdirSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runCli, tempFiles } from './helpers.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'pyship.js');

const run = runCli;
const tmp = (files: Record<string, string>): string => tempFiles(files, 'pyship-cli-');

const GOOD = `FROM python:3.13-slim-trixie
ENV PYTHONFAULTHANDLER=1
RUN useradd --create-home --uid 10001 app
USER app
CMD ["python", "-c", "print(1)"]
`;

describe('pyship check', () => {
  it('exit 1 with findings at or above fail-on, 0 below it', async () => {
    const dir = tmp({ Dockerfile: 'FROM python:3.13-slim-trixie\nCMD ["python", "-c", "print(1)"]\n' });
    expect((await run(['check', 'Dockerfile'], dir)).code).toBe(1);
    expect((await run(['check', 'Dockerfile', '--select', 'SEC001', '--ignore', 'SEC001'], dir)).code).toBe(0);
  });

  it('json output has the stable version-1 shape with 1-based positions', async () => {
    const dir = tmp({ Dockerfile: 'FROM python:3.13-slim-trixie\nCMD ["python", "-c", "print(1)"]\n' });
    const { out } = (await run(['check', 'Dockerfile', '--format', 'json', '--select', 'SEC001'], dir));
    const json = JSON.parse(out);
    expect(json.version).toBe(1);
    expect(json.findings[0]).toEqual({
      code: 'SEC001', severity: 'error', file: 'Dockerfile', line: 1, column: 1, endLine: 1, endColumn: 29,
      message: expect.stringContaining('USER'), fix: 'unsafe',
    });
    expect(json.summary).toEqual({ files: 1, errors: 1, warnings: 0, infos: 0 });
  });

  it('finds Dockerfiles by name in directories, skipping .git, node_modules, .venv and .gitignored paths', async () => {
    const dir = tmp({
      'Dockerfile': GOOD, 'Dockerfile.prod': GOOD, 'docker/api.Dockerfile': GOOD, 'x__Dockerfile': GOOD,
      'backend.dockerfile': GOOD, 'Containerfile': GOOD, 'Dockerfile-dev': GOOD,
      'node_modules/pkg/Dockerfile': GOOD, '.venv/Dockerfile': GOOD, 'ignored/Dockerfile': GOOD, '.gitignore': 'ignored/\n',
      'Dockerfile.md': '# docs', 'NotADockerfileReally.txt': 'x',
    });
    const { out } = (await run(['check', '.', '--format', 'json', '--select', 'SEC001'], dir));
    const files = JSON.parse(out).summary.files;
    expect(files).toBe(7);
  });

  it('reads stdin with "-" in Dockerfile-only mode', async () => {
    const r = spawnSync(process.execPath, [BIN, 'check', '-', '--stdin-filename', 'web/Dockerfile', '--format', 'json', '--select', 'SEC001'], {
      input: 'FROM python:3.13-slim-trixie\n', encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).findings[0].file).toBe('web/Dockerfile');
  });

  it('config: [tool.pyship] in the nearest pyproject.toml; unknown keys are errors with exit 2', async () => {
    const dir = tmp({ 'Dockerfile': 'FROM python:3.13-slim-trixie\n', 'pyproject.toml': '[tool.pyship]\nignore = ["SEC001"]\n' });
    expect(JSON.parse((await run(['check', '--format', 'json', '--select', 'SEC'], dir)).out).findings.filter((f: { code: string }) => f.code === 'SEC001')).toEqual([]);
    const bad = tmp({ 'Dockerfile': GOOD, 'pyproject.toml': '[tool.pyship]\nignroe = ["SEC001"]\n' });
    const r = (await run(['check'], bad));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/ignroe/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('project rules see [tool.pyship] settings: production-tag counts as the cache source for CI005', async () => {
    const wf = 'on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker build --cache-from app:${{ github.ref_name }} --cache-from app:stable -t app:${{ github.ref_name }} .\n';
    const files = (tag: string) => ({
      'Dockerfile': 'FROM python:3.13-slim-trixie\n',
      'pyproject.toml': `[project]\nname = "x"\nversion = "1"\n[tool.pyship]\nproduction-tag = "${tag}"\n`,
      '.github/workflows/ci.yml': wf,
    });
    const codes = async (dir: string) => JSON.parse((await run(['check', '--format', 'json', '--select', 'CI005'], dir)).out).findings.map((f: { code: string }) => f.code);
    expect(await codes(tmp(files('stable')))).toEqual([]);
    expect(await codes(tmp(files('other')))).toEqual(['CI005']);
  });

  it('monorepo: a backend with its own pyproject.toml sees the repository\'s Dependabot config (project rules judge the repo)', async () => {
    const dir = tmp({
      'backend/pyproject.toml': '[project]\nname = "api"\nversion = "1"\n',
      'backend/Dockerfile': 'FROM python:3.13-slim-trixie\n',
      '.github/dependabot.yml': 'version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /backend\n    schedule: { interval: monthly }\n  - package-ecosystem: docker\n    directory: /backend\n    schedule: { interval: monthly }\n',
    });
    mkdirSync(join(dir, '.git'));
    const codes = async () => JSON.parse((await run(['check', 'backend', '--format', 'json', '--select', 'SEC007'], dir)).out).findings.map((f: { code: string }) => f.code);
    expect(await codes()).toEqual([]);
    writeFileSync(join(dir, '.github', 'dependabot.yml'), 'version: 2\nupdates: []\n');
    expect(await codes()).toEqual(['SEC007']);
  });

  it('monorepo: compose at the repository top with init: true counts for backend/Dockerfile (OPS006)', async () => {
    const dir = tmp({
      'backend/pyproject.toml': '[project]\nname = "api"\nversion = "1"\n',
      'backend/Dockerfile': 'FROM python:3.13-slim-trixie\nCMD ["python", "-m", "http.server", "8000"]\n',
      'compose.yaml': 'services:\n  api:\n    build: ./backend\n    init: true\n',
    });
    mkdirSync(join(dir, '.git'));
    const codes = async () => JSON.parse((await run(['check', 'backend', '--format', 'json', '--select', 'OPS006'], dir)).out).findings.map((f: { code: string }) => f.code);
    expect(await codes()).toEqual([]);
    writeFileSync(join(dir, 'compose.yaml'), 'services:\n  api:\n    build: ./backend\n');
    expect(await codes()).toEqual(['OPS006']);
  });

  it('unknown codes on the command line are usage errors', async () => {
    const dir = tmp({ Dockerfile: GOOD });
    const r = (await run(['check', '--select', 'NOPE999'], dir));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/NOPE999/);
  });

  it('missing path: exit 2 with a clear message', async () => {
    const r = (await run(['check', 'nope/Dockerfile'], tmp({})));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no such file/);
  });

  it('--fix writes atomically, keeps the mode, and the fixed file has no fixable finding left', async () => {
    const dir = tmp({ Dockerfile: 'FROM python:3.13-slim-trixie\nRUN pip install flask==3.1.0\nCMD ["python", "app.py"]\n' });
    chmodSync(join(dir, 'Dockerfile'), 0o640);
    (await run(['check', 'Dockerfile', '--unsafe-fixes'], dir));
    const after = readFileSync(join(dir, 'Dockerfile'), 'utf8');
    expect(after).not.toBe('');
    expect(statSync(join(dir, 'Dockerfile')).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir).filter((f) => f.includes('pyship-'))).toEqual([]);
    const again = JSON.parse((await run(['check', 'Dockerfile', '--format', 'json', '--no-project'], dir)).out);
    expect(again.findings.filter((f: { fix: string | null }) => f.fix !== null)).toEqual([]);
  });

  it('--diff prints a unified diff and writes nothing', async () => {
    const text = 'FROM python:3.13-slim-trixie\nCMD ["python", "app.py"]\n';
    const dir = tmp({ Dockerfile: text });
    const r = (await run(['check', 'Dockerfile', '--diff', '--unsafe-fixes'], dir));
    expect(r.out).toMatch(/^--- Dockerfile/m);
    expect(r.out).toMatch(/^\+USER app/m);
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe(text);
  });

  it('bad input never crashes: empty, binary, invalid UTF-8, huge, unterminated constructs, unknown instruction', async () => {
    const big = 'FROM python:3.13-slim-trixie\n' + 'RUN echo hello world\n'.repeat(500_000);
    const dir = tmp({
      'empty/Dockerfile': '',
      'binary/Dockerfile': '\u0000\u0001\u0002FROM',
      'heredoc/Dockerfile': 'FROM python:3.13-slim-trixie\nRUN <<EOF\necho never closed\n',
      'json/Dockerfile': 'FROM python:3.13-slim-trixie\nCMD ["python", "app.py"\n',
      'cont/Dockerfile': 'FROM python:3.13-slim-trixie\nRUN echo a \\',
      'unknown/Dockerfile': 'FROM python:3.13-slim-trixie\nFORM x\n',
      'big/Dockerfile': big,
    });
    mkdirSync(join(dir, 'utf8'));
    writeFileSync(join(dir, 'utf8', 'Dockerfile'), Buffer.from([0x46, 0x52, 0x4f, 0x4d, 0x20, 0xff, 0xfe, 0x0a]));
    for (const sub of ['empty', 'binary', 'heredoc', 'json', 'cont', 'unknown', 'utf8', 'big']) {
      const r = (await run(['check', `${sub}/Dockerfile`, '--format', 'json'], dir));
      expect(r.err, sub).not.toMatch(/internal error/);
      expect([0, 1], sub).toContain(r.code);
      const json = JSON.parse(r.out);
      if (sub !== 'big' && sub !== 'cont') expect(json.findings.some((f: { code: string }) => f.code === 'DF022'), sub).toBe(true);
    }
  });

  it('--help of every command explains itself', async () => {
    for (const cmd of [[], ['check'], ['explain'], ['rules']]) {
      const r = (await run([...cmd, '--help'], tmp({})));
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/Usage: pyship/);
    }
    expect((await run(['check', '--help'], tmp({}))).out).toMatch(/Exit codes/);
  });
});

describe('output to a pipe that closes early (`pyship rules | head -1`)', () => {
  it('exits quietly, without an EPIPE stack trace', async () => {
    const child = spawn(process.execPath, [BIN, 'rules'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((res) => child.on('close', res));
    expect(err).not.toMatch(/EPIPE|at /);
    expect(code).toBe(0);
  });
});

describe('pyship explain / rules', () => {
  it('explain prints the rule doc; unknown code exits 2', async () => {
    const r = (await run(['explain', 'sec001'], tmp({})));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^# SEC001: Don't run as root/);
    expect((await run(['explain', 'XYZ123'], tmp({}))).code).toBe(2);
  });

  it('rules lists every rule, as text or json', async () => {
    const r = (await run(['rules', '--format', 'json'], tmp({})));
    const list = JSON.parse(r.out);
    expect(list.length).toBeGreaterThan(0);
    expect(list[0]).toHaveProperty('code');
  });
});
