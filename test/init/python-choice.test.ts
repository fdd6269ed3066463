// init's Python and base tag: an old project gets the tag that exists for its Python (3.7 → slim-bookworm), a lock
// from 2022 gets the Python of 2022, tool pins that still run on it, and an end-of-life note that says how far the
// pins reach.
import { describe, expect, it } from 'vitest';
import { buildSpec } from '../../src/init/spec.js';
import { DEFAULT_PYTHON, InitError, type InitOptions, type InitSpec } from '../../src/init/types.js';
import { toolVersionsFor } from '../../src/init/python-choice.js';
import { loadProject } from '../../src/project/project.js';
import { PYTHON_RELEASES, tagExists } from '../../src/project/python-releases.js';
import { dockerfile } from '../../src/templates/dockerfile.js';
import { gitCommit, projectDir } from './helpers.js';

const FLASK = 'from flask import Flask\n\napp = Flask(__name__)\n';

const spec = (files: Record<string, string>, opts: Partial<InitOptions> = {}, committed?: string): InitSpec => {
  const dir = projectDir(files);
  if (committed) gitCommit(dir, committed);
  return buildSpec(loadProject(dir, dir), { pyshipVersion: '0.0.0', ...opts });
};
const decision = (s: InitSpec, field: string) => s.decisions.find((d) => d.field === field)!;

describe('Python and base tag', () => {
  it('the default is a published Python, the one before the newest (whose wheels are not common yet)', () => {
    expect(PYTHON_RELEASES.map((r) => r.minor).slice(-2)).toEqual([DEFAULT_PYTHON, '3.15']);
  });

  it('a loose constraint and no pin or lock: the newest with broad wheel support, and says why', () => {
    const s = spec({ 'app.py': FLASK, 'pyproject.toml': '[project]\nname = "x"\nversion = "1"\nrequires-python = ">=3.10"\ndependencies = ["flask", "gunicorn"]\n' });
    expect(s.python.version).toBe(DEFAULT_PYTHON);
    expect(decision(s, 'python').evidence.join('\n')).toMatch(/no pin or lock tells which Python its dependencies ship wheels for: 3\.14, the newest with broad wheel support \(3\.15 is newer/);
    expect(spec({ 'app.py': FLASK, 'pyproject.toml': '[project]\nname = "x"\nversion = "1"\nrequires-python = ">=3.10"\ndependencies = ["flask", "gunicorn"]\n' }, { python: '3.15' }).python.version).toBe('3.15');
  });

  it('3.7 gets python:3.7-slim-bookworm (no trixie image was ever published for it), and says why', () => {
    const s = spec({ 'app.py': FLASK, 'requirements.txt': 'flask==1.1.4\ngunicorn==20.1.0\npsycopg2-binary==2.8.6\n', 'runtime.txt': 'python-3.7.17\n' });
    expect(s.python).toMatchObject({ version: '3.7', image: 'python:3.7-slim-bookworm', codename: 'bookworm' });
    expect(tagExists(s.python.version, s.python.codename)).toBe(true);
    expect(decision(s, 'base-image').evidence.join(' ')).toMatch(/no python:3\.7-slim-trixie image was ever published .* bookworm is the newest Debian release with Python 3\.7/);
    expect(s.notes.join('\n')).toMatch(/Python 3\.7 reached end of life on 2023-06-27: it gets no security fixes; the pins allow up to 3\.9, also past end of life: upgrade psycopg2-binary ==2\.8\.6 \(and what pins them\) to move to 3\.11 or newer/);
  });

  it('refuses a --debian that has no image for the version, naming the one that has', () => {
    let err: unknown;
    try {
      spec({ 'app.py': FLASK, 'requirements.txt': 'flask==1.1.4\ngunicorn==20.1.0\n' }, { python: '3.7', debian: 'trixie' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InitError);
    expect((err as InitError).message).toMatch(/python:3\.7-slim-trixie does not exist: Python 3\.7 images were published for stretch, buster, bullseye, bookworm/);
    expect((err as InitError).hint).toBe('pass --debian bookworm or a newer --python');
  });

  it('a lock last changed in 2022 (pydantic 1, asyncpg 0.26) gets the Python of 2022, with its evidence', () => {
    const s = spec({ 'app.py': FLASK, 'requirements.txt': 'flask==2.2.2\ngunicorn==20.1.0\npydantic==1.10.2\nasyncpg==0.26.0\n' }, {}, '2022-09-01T12:00:00Z');
    expect(s.python.version).toBe('3.10');
    expect(s.python.image).toBe('python:3.10-slim-trixie');
    expect(decision(s, 'python').evidence).toContain('requirements.txt:4 asyncpg==0.26.0: newest supported Python 3.10');
    expect(s.notes.join('\n')).toMatch(/Python 3\.10 reached end of life on 2026-10-31: it gets no security fixes; the pins support at most 3\.10: upgrade asyncpg ==0\.26\.0/);
  });

  it('loose pins: the newest Python released before the lock was last changed', () => {
    const s = spec({ 'app.py': FLASK, 'requirements.txt': 'flask==3.0.0\ngunicorn==21.2.0\n' }, {}, '2024-01-15T12:00:00Z');
    expect(s.python.version).toBe('3.12');
    expect(decision(s, 'python').evidence.join('\n')).toMatch(/requirements\.txt: last changed 2024-01-15 \(git log\); Python 3\.\d+ came out after, so the locked versions were resolved for 3\.12 at most/);
    expect(s.notes.join('\n')).toMatch(/the image uses Python 3\.12, the newest released before the lock was last changed \(2024-01-15\)/);
  });

  it('an end-of-life pin whose pins allow newer: the note names the version to pass', () => {
    const s = spec({ 'app.py': FLASK, 'requirements.txt': 'flask==3.1.0\ngunicorn==23.0.0\npsycopg2-binary==2.9.9\n', '.python-version': '3.9\n' });
    expect(s.python.image).toBe('python:3.9-slim-trixie');
    expect(s.notes.join('\n')).toMatch(/Python 3\.9 reached end of life on 2025-10-31: it gets no security fixes; the pins allow 3\.12: pass --python 3\.12/);
  });

  it('tool pins that still run on an old Python, and the poetry flags that version has', () => {
    expect(toolVersionsFor('3.7').tools).toEqual({ poetry: '1.5.1', pipenv: '2023.10.3' });
    expect(toolVersionsFor('3.8').tools).toEqual({ poetry: '1.8.5' });
    expect(toolVersionsFor('3.12').tools).toEqual({});
    const pyproject = '[tool.poetry]\nname = "old"\nversion = "0.1.0"\n\n[tool.poetry.dependencies]\npython = "^3.7"\nflask = "1.1.4"\ngunicorn = "20.1.0"\n';
    const lock = '[[package]]\nname = "flask"\nversion = "1.1.4"\ndescription = ""\noptional = false\npython-versions = ">=3.7"\n\n[metadata]\nlock-version = "1.1"\npython-versions = "^3.7"\ncontent-hash = "0"\n';
    const s = spec({ 'app.py': FLASK, 'pyproject.toml': pyproject, 'poetry.lock': lock }, { python: '3.7' });
    expect(s.tools).toEqual({ poetry: '1.5.1' });
    expect(decision(s, 'tools')).toMatchObject({ value: 'poetry 1.5.1', evidence: ["Python 3.7: poetry's current release does not run on it"] });
    const text = dockerfile(s);
    expect(text).toContain('ARG PYTHON_IMAGE=python:3.7-slim-bookworm');
    expect(text).toContain('pip install "poetry==1.5.1"');
    expect(text).toContain('poetry install --only main --no-root\n');
  });
});
