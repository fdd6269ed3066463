// Issue 13, failure 6 and the "bad TOML/YAML/ignore syntax" errors: one broken line or file is reported where it is
// (file and line) and never disables the other rules or hides the other files' findings.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { badPattern, parseDockerignore } from '../../src/project/dockerignore.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'pyship.js');

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pyship-hostile-broken-'));
  dirs.push(dir);
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), c);
  }
  return dir;
}

interface JsonFinding { code: string; file: string; line: number; message: string }
function check(dir: string, args: string[] = []): { code: number | null; findings: JsonFinding[]; err: string } {
  const r = spawnSync(process.execPath, [BIN, 'check', '--format', 'json', ...args, '.'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  let findings: JsonFinding[] = [];
  try {
    findings = (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings;
  } catch {
    // left empty: the assertions below say what was missing
  }
  return { code: r.status, findings, err: r.stderr };
}

const DOCKERFILE = 'FROM python:3.13-slim-trixie\nCOPY . /app\nCMD ["python", "-m", "app"]\n';

describe('a .dockerignore line Docker refuses', () => {
  it.each(['[', 'a[b', '[^', '[]', 'src/[a-', 'trailing\\'])('%j is refused as Go\'s filepath.Match refuses it', (p) => {
    expect(badPattern(p)).toBeDefined();
  });

  it.each(['[a-z]*.py', '[^.]*', '\\[literal\\]', '**/__pycache__', '*.py[cod]', ']'])('%j is accepted', (p) => {
    expect(badPattern(p)).toBeUndefined();
  });

  it('is left out of matching and reported on its line; the other lines still match', () => {
    const di = parseDockerignore('.git\n[\n.env\n!\nnode_modules\n[z-a]\n');
    expect(di.problems.map((p) => p.line)).toEqual([2, 4, 6]);
    expect(di.ignores('.env')).toBe(true);
    expect(di.ignores('node_modules/x/y.js')).toBe(true);
    expect(di.ignores('app.py')).toBe(false);
    expect(di.decidedBy('.git')?.line).toBe(1);
  });

  it.each(['[', 'a[b', '[^'])('%j: SIZE002 and SEC009 keep working, DF026 names .dockerignore and the line', (bad) => {
    const dir = project({ Dockerfile: DOCKERFILE, '.env': 'SECRET_KEY=x\n', '.dockerignore': `.git\n${bad}\n__pycache__\n`, 'app.py': 'print(1)\n' });
    const r = check(dir);
    const all = JSON.stringify(r.findings) + r.err;
    expect(all).not.toMatch(/internal error|Invalid regular expression/);
    expect(r.findings).toContainEqual(expect.objectContaining({ code: 'DF026', file: '.dockerignore', line: 2, message: expect.stringContaining('syntax error in pattern') }));
    // the `.env` in the context: still found, by both rules
    expect(r.findings).toContainEqual(expect.objectContaining({ code: 'SEC009', message: expect.stringContaining('`.env` is sent in the build context') }));
    expect(r.findings).toContainEqual(expect.objectContaining({ code: 'SIZE002', message: expect.stringContaining('`.env`') }));
  }, 90_000);
});

describe('broken YAML/TOML project files are findings at their line; the others still count', () => {
  const files = {
    Dockerfile: DOCKERFILE,
    'compose.yaml': 'services:\n  web:\n    build: .\n   ports: ["8000:8000"]\n',
    '.github/workflows/ci.yml': 'on: push\njobs:\n  build:\n    steps: [\n',
    'pyproject.toml': '[project\nname = "x"\n',
    '.pre-commit-config.yaml': 'repos:\n  - repo: https://github.com/hadolint/hadolint\n   hooks: [\n',
    'uv.lock': 'version = 1\n[[package]]\nname = "flask"\nversion =\n',
    'Pipfile.lock': '{"default": {\n',
    'app.py': 'print(1)\n',
  };

  it('each broken file gets a DF026 finding naming it and the line; Dockerfile findings remain; no internal error', () => {
    const r = check(project(files));
    expect(r.code).toBe(1);
    expect(JSON.stringify(r.findings) + r.err).not.toMatch(/internal error/);
    const df026 = r.findings.filter((f) => f.code === 'DF026').map((f) => [f.file, f.line]);
    expect(df026).toEqual(expect.arrayContaining([
      ['compose.yaml', 4],
      ['.github/workflows/ci.yml', 5],
      ['pyproject.toml', 1],
      ['.pre-commit-config.yaml', 3],
      ['uv.lock', 4],
      ['Pipfile.lock', 2],
    ]));
    for (const f of r.findings.filter((x) => x.code === 'DF026')) expect(f.message).not.toMatch(/ at line \d+, column \d+|Invalid TOML document/);
    expect(r.findings.some((f) => f.file === 'Dockerfile' && f.code === 'SEC001')).toBe(true);
  }, 90_000);

  it('valid files are read as before: no DF026', () => {
    const r = check(project({
      Dockerfile: DOCKERFILE,
      '.dockerignore': '.git\n.env\n*.py[cod]\n\\[x\\]\n',
      '.pre-commit-config.yaml': 'repos:\n  - repo: https://github.com/hadolint/hadolint\n    rev: v2.12.0\n    hooks: [{ id: hadolint }]\n',
      'uv.lock': 'version = 1\n[[package]]\nname = "flask"\nversion = "3.1.0"\n',
      'Pipfile.lock': '{"default": {}}\n',
      'app.py': 'print(1)\n',
    }));
    expect(r.findings.filter((f) => f.code === 'DF026')).toEqual([]);
  }, 90_000);

  it('a broken pyship.toml is a config error (exit 2) naming the file and line', () => {
    const r = check(project({ Dockerfile: DOCKERFILE, 'pyship.toml': 'select = ["SEC"]\n[tool.pyship\n' }));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/pyship\.toml:2:\d+: invalid TOML/);
    expect(r.err).not.toMatch(/internal error/);
  }, 90_000);
});
