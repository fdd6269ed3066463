import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/project/project.js';
import {
  detectPython, pythonProblems,
} from '../../src/project/python.js';
import { parseCondaEnv } from '../../src/project/conda.js';
import { parsePipfile, parsePyproject } from '../../src/project/pyproject.js';
import { parseRequirements, requirementsTree } from '../../src/project/requirements.js';
import { parseSpec } from '../../src/project/requirement-spec.js';

function project(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'pyship-python-'));
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), c);
  }
  return loadProject(dir, dir);
}

describe('parseSpec', () => {
  it('names, extras, specifiers, markers, URLs', () => {
    expect(parseSpec('Flask[async]>=2,<3 ; python_version >= "3.8"')).toMatchObject({
      name: 'flask', extras: ['async'], specifier: '>=2,<3', markers: 'python_version >= "3.8"', kind: 'unpinned', pinned: false,
    });
    expect(parseSpec('Django==5.1.4')).toMatchObject({ name: 'django', specifier: '==5.1.4', pinned: true });
    expect(parseSpec('django==5.*')).toMatchObject({ pinned: false, kind: 'unpinned' });
    expect(parseSpec('pkg===1.0')).toMatchObject({ pinned: true });
    expect(parseSpec('app @ git+https://github.com/o/app.git@v1')).toMatchObject({ name: 'app', url: 'git+https://github.com/o/app.git@v1', kind: 'pinned' });
    expect(parseSpec('git+https://github.com/o/app.git#egg=app')).toMatchObject({ name: 'app', kind: 'vcs' });
    expect(parseSpec('./wheels/app-1.0-py3-none-any.whl')).toMatchObject({ path: './wheels/app-1.0-py3-none-any.whl', kind: 'skip' });
  });
});

describe('parseRequirements', () => {
  const text = '# top\nflask>=3  # web\n\ngunicorn==23.0.0 \\\n    --hash=sha256:abc \\\n    --hash sha256:def\n-r base.txt\n--constraint=c.txt\n-e git+https://x/y.git#egg=y\n--index-url https://pypi.org/simple\nrequests[socks]==2.32.3; python_version<"3.13"\n';
  const f = parseRequirements(text, 'req/requirements.txt');
  it('requirements with positions, hashes, continuations and comments', () => {
    const [flask, gunicorn, editable, requests] = f.requirements;
    expect(flask).toMatchObject({ name: 'flask', line: 2, specifier: '>=3', pinned: false, hashes: [] });
    expect(text.slice(flask!.span.start, flask!.span.end)).toBe('flask>=3');
    expect(gunicorn).toMatchObject({ name: 'gunicorn', line: 4, pinned: true, hashes: ['sha256:abc', 'sha256:def'] });
    expect(text.slice(gunicorn!.span.start, gunicorn!.span.end)).toBe('gunicorn==23.0.0 \\\n    --hash=sha256:abc \\\n    --hash sha256:def');
    expect(editable).toMatchObject({ editable: true, kind: 'vcs', name: 'y' });
    expect(requests).toMatchObject({ name: 'requests', extras: ['socks'], pinned: true, markers: 'python_version<"3.13"' });
  });
  it('options and includes resolved against the file directory', () => {
    expect(f.includes).toEqual([
      expect.objectContaining({ kind: 'requirement', target: 'base.txt', path: 'req/base.txt', line: 7 }),
      expect.objectContaining({ kind: 'constraint', target: 'c.txt', path: 'req/c.txt', line: 8 }),
    ]);
    expect(f.entries.find((e) => e.type === 'option' && e.option === 'index-url')).toMatchObject({ value: 'https://pypi.org/simple', line: 10 });
    expect(f.problems).toEqual([]);
  });
  it('malformed lines are problems with positions, never throws', () => {
    const bad = parseRequirements('flask>=>3\n--bogus\n-r\n', 'r.txt');
    expect(bad.problems.map((p) => p.message)).toEqual([
      expect.stringContaining('malformed version specifier'),
      expect.stringContaining('unknown option'),
      expect.stringContaining('needs a value'),
    ]);
    expect(bad.problems[1]!.span).toEqual({ start: 10, end: 17 });
  });
});

describe('requirementsTree', () => {
  it('follows -r and -c, protects against cycles, bounds depth, reports missing', () => {
    const files: Record<string, string> = {
      'a.txt': '-r b.txt\n-c c.txt\nflask\n',
      'b.txt': '-r a.txt\nrequests\n-r missing.txt\n',
      'c.txt': '-r d.txt\nflask==3.1.0\n',
      'd.txt': 'requests==2.32.3\n',
    };
    const t = requirementsTree((p) => files[p], 'a.txt');
    expect(t.files.map((f) => `${f.file.path}:${f.role}`)).toEqual(['a.txt:requirements', 'b.txt:requirements', 'c.txt:constraints', 'd.txt:constraints']);
    expect(t.cycles).toEqual([expect.objectContaining({ from: 'b.txt', target: 'a.txt' })]);
    expect(t.unresolved).toEqual([expect.objectContaining({ from: 'b.txt', target: 'missing.txt', reason: 'missing' })]);
    const deep: Record<string, string> = {};
    for (let k = 0; k < 10; k++) deep[`${k}.txt`] = `-r ${k + 1}.txt\n`;
    expect(requirementsTree((p) => deep[p], '0.txt').unresolved[0]).toMatchObject({ reason: 'depth' });
  });
});

describe('pyproject.toml', () => {
  const text = '[project]\nname = "app"\nrequires-python = ">=3.12"\nreadme = "README.md"\ndependencies = [\n  "django>=5",\n  "gunicorn==23.0.0",\n]\n[project.optional-dependencies]\nredis = ["redis>=5"]\n[project.scripts]\napp = "app.cli:main"\n[tool.uv]\ndev-dependencies = ["pytest"]\n[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n';
  it('PEP 621 with positions', () => {
    const pp = parsePyproject(text, 'pyproject.toml');
    expect(pp.name).toBe('app');
    expect(text.slice(pp.requiresPython!.span.start, pp.requiresPython!.span.end)).toBe('>=3.12');
    expect(pp.readme!.file).toBe('README.md');
    expect(text.slice(pp.readme!.span.start, pp.readme!.span.end)).toBe('README.md');
    expect(pp.dependencies.map((d) => [d.name, d.pinned, text.slice(d.span.start, d.span.end)])).toEqual([['django', false, 'django>=5'], ['gunicorn', true, 'gunicorn==23.0.0']]);
    expect(pp.optionalDependencies.redis![0]!.name).toBe('redis');
    expect(pp.scripts).toEqual({ app: 'app.cli:main' });
    expect(pp.uv!.devDependencies[0]!.name).toBe('pytest');
    expect(pp.buildSystem).toEqual({ requires: ['hatchling'], backend: 'hatchling.build' });
  });
  it('readme table and poetry', () => {
    const t = '[tool.poetry]\nname = "x"\npackages = [{ include = "app" }]\n[tool.poetry.dependencies]\npython = "^3.11"\nfastapi = "^0.115"\nuvicorn = { version = "0.32.0", extras = ["standard"] }\n[tool.poetry.scripts]\nserve = "app:main"\n[project]\nreadme = { file = "docs/README.rst", content-type = "text/x-rst" }\n';
    const pp = parsePyproject(t, 'pyproject.toml');
    expect(pp.readme!.file).toBe('docs/README.rst');
    expect(pp.poetry!.python).toBe('^3.11');
    expect(pp.poetry!.packages).toEqual(['app']);
    expect(pp.poetry!.scripts).toEqual({ serve: 'app:main' });
    expect(pp.poetry!.dependencies.map((d) => [d.name, d.pinned, d.extras])).toEqual([['fastapi', false, []], ['uvicorn', true, ['standard']]]);
    expect(t.slice(pp.poetry!.dependencies[0]!.span.start, pp.poetry!.dependencies[0]!.span.end)).toBe('fastapi');
  });
  it('malformed TOML is a problem with a position', () => {
    const pp = parsePyproject('[project]\nname = "x"\ndependencies = [\n', 'pyproject.toml');
    expect(pp.data).toBeUndefined();
    expect(pp.problem).toMatchObject({ file: 'pyproject.toml', message: expect.stringContaining('invalid TOML') });
  });
});

describe('Pipfile and environment.yml', () => {
  it('Pipfile packages and python version', () => {
    const pf = parsePipfile('[packages]\ndjango = "==4.2"\ngunicorn = "*"\n[requires]\npython_version = "3.11"\n', 'Pipfile');
    expect(pf.packages.map((d) => [d.name, d.pinned])).toEqual([['django', true], ['gunicorn', false]]);
    expect(pf.python).toBe('3.11');
  });
  it('conda env with pip section; malformed YAML', () => {
    const text = 'name: app\ndependencies:\n  - python=3.11\n  - numpy\n  - pip:\n    - flask==3.1.0\n';
    const env = parseCondaEnv(text, 'environment.yml');
    expect(env.python).toBe('3.11');
    expect(env.dependencies.map((d) => d.name)).toEqual(['python', 'numpy']);
    expect(env.pip[0]).toMatchObject({ name: 'flask', pinned: true });
    expect(text.slice(env.pip[0]!.span.start, env.pip[0]!.span.end)).toBe('flask==3.1.0');
    expect(parseCondaEnv('dependencies: [a\n', 'environment.yml').problems.length).toBeGreaterThan(0);
  });
});

describe('detectPython', () => {
  it('uv project with lock, version file, framework and server', () => {
    const p = project({
      'pyproject.toml': '[project]\nname = "x"\nrequires-python = ">=3.12"\ndependencies = ["fastapi[standard]>=0.115", "celery"]\n',
      'uv.lock': 'version = 1\n',
      '.python-version': '3.13\n',
    });
    const f = detectPython(p);
    expect(f.managers).toEqual(['uv']);
    expect(f.lockFiles).toEqual(['uv.lock']);
    expect(f.pythonVersion).toEqual({ value: '3.13', source: '.python-version' });
    expect(f.frameworks).toEqual(['fastapi', 'celery']);
    expect(f.servers).toEqual(['uvicorn']);
    expect(f.ambiguities).toEqual([]);
  });
  it('ambiguity: several lock files, poetry manifest without lock', () => {
    const p = project({
      'pyproject.toml': '[tool.poetry]\nname = "x"\n[tool.poetry.dependencies]\npython = "^3.11"\ndjango = "^5"\n',
      'Pipfile': '[packages]\nflask = "*"\n',
      'Pipfile.lock': '{}',
      'uv.lock': '',
    });
    const f = detectPython(p);
    expect(f.managers.slice(0, 3)).toEqual(['uv', 'pipenv', 'poetry']);
    expect(f.ambiguities).toEqual([
      'pyproject.toml declares poetry dependencies but there is no poetry.lock',
      'several lock files: Pipfile.lock, uv.lock',
    ]);
    expect(f.pythonVersion).toEqual({ value: '^3.11', source: 'pyproject.toml' });
  });
  it('pip-tools from .in files; problems collected without throwing', () => {
    const p = project({
      'requirements/main.in': 'django\n',
      'requirements/main.txt': 'django==5.1.4 \\\n    --hash=sha256:abc\n',
      'requirements.txt': '-r requirements/main.txt\nflask>=>2\n',
      'environment.yml': 'dependencies: [a\n',
      'pyproject.toml': 'x = \n',
    });
    const f = detectPython(p);
    expect(f.managers).toEqual(['conda', 'pip-tools', 'pip']);
    expect(f.frameworks).toEqual(['django', 'flask']);
    const probs = pythonProblems(p);
    expect(probs.map((x) => x.file).sort()).toEqual(['environment.yml', 'pyproject.toml', 'requirements.txt']);
  });
});

describe('rules on python facts', async () => {
  const { lintProject } = await import('../helpers.js');
  const { rules } = await import('../../src/rules/rep/index.js');
  const rep004 = rules.filter((r) => r.code === 'REP004');
  it('REP004 points at the requirements line, in the included file too', () => {
    const found = lintProject({
      Dockerfile: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY requirements/ ./requirements/\nRUN pip install -r requirements/prod.txt\n',
      'requirements/prod.txt': '-r base.txt\ngunicorn==23.0.0\n',
      'requirements/base.txt': '# base\ndjango>=5,<6\nrequests==2.32.3\ngit+https://github.com/o/lib.git#egg=lib\n',
    }, rep004);
    expect(found.map((f) => [f.projectPath, f.span.start, f.message.slice(0, 30)])).toEqual([
      ['requirements/base.txt', 7, '`django>=5,<6` is not pinned a'],
      ['requirements/base.txt', 37, '`git+https://github.com/o/lib.'],
    ]);
  });
});
