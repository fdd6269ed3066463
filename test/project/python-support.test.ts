// The table of published python image tags, and the reasoning from wheel tags and pins to the newest Python a
// project can run: each case is a small lock or pin that must bound (or not bound) the interpreter.
import { describe, expect, it } from 'vitest';
import { alpineFor, DEBIAN_RELEASES, debianFor, newestWith, noLongerBuilt, PYTHON_RELEASES, tagExists } from '../../src/project/python-releases.js';
import { knownCeiling, KNOWN_SUPPORT, lockCeilings, specifierTop, wheelsCeiling } from '../../src/project/wheel-support.js';
import { loadProject } from '../../src/project/project.js';
import { pythonSupport } from '../../src/project/python-support.js';
import { projectDir } from '../init/helpers.js';

describe('published python image tags', () => {
  it('knows that 3.7 was never built on trixie nor 3.12 on buster, and picks the newest release that has the version', () => {
    expect(tagExists('3.7', 'trixie')).toBe(false);
    expect(tagExists('3.7.17', 'bookworm')).toBe(true);
    expect(tagExists('3.12', 'buster')).toBe(false);
    expect(tagExists('3.8', 'stretch')).toBe(false);
    expect(debianFor('3.7')).toMatchObject({ codename: 'bookworm', why: expect.stringMatching(/no python:3\.7-slim-trixie .* stretch, buster, bullseye, bookworm/) });
    expect(debianFor('3.6')?.codename).toBe('bullseye');
    expect(debianFor('3.9')?.codename).toBe('trixie');
    expect(debianFor('3.15')?.codename).toBe('trixie');
    expect(debianFor('3.12', 'buster')?.codename).toBe('trixie');
    expect(debianFor('3.16')).toBeUndefined();
  });

  it('is consistent: Debian releases in order, each published while the Python minor was maintained', () => {
    const order = DEBIAN_RELEASES.map((d) => d.codename);
    for (const r of PYTHON_RELEASES) {
      expect(r.released < r.eol, r.minor).toBe(true);
      const idx = r.debian.map((c) => order.indexOf(c));
      expect(idx.every((i, k) => i >= 0 && (k === 0 || i > idx[k - 1]!)), `${r.minor}: ${r.debian.join(',')}`).toBe(true);
      // a Debian release gets images of the minors still maintained when it comes out (3.7 on bookworm: 17 days before its end)
      for (const c of r.debian.slice(1)) expect(DEBIAN_RELEASES.find((d) => d.codename === c)!.released < r.eol, `${r.minor} on ${c}`).toBe(true);
    }
    expect(PYTHON_RELEASES.map((r) => r.minor)).toEqual(['3.6', '3.7', '3.8', '3.9', '3.10', '3.11', '3.12', '3.13', '3.14', '3.15']);
  });

  it('says which minors are no longer built, and which releases carry a still-built Python', () => {
    expect(['2.7', '3.5', '3.9', '3.10'].map(noLongerBuilt)).toEqual([true, true, true, true]);
    expect(['3', '3.11', '3.15', '3.16'].map(noLongerBuilt)).toEqual([false, false, false, false]);
    expect(newestWith('buster')).toBe('3.11');
    expect(newestWith('bullseye')).toBe('3.13');
    expect(newestWith('stretch')).toBeUndefined();
    expect(newestWith('alpine3.22')).toBe('3.14');
    expect(alpineFor('3.12')).toBe('3.22');
    expect(alpineFor('3.15')).toBe('3.24');
  });
});

describe('wheel tags', () => {
  const whl = (tags: string) => `https://files.example/x-1.0-${tags}.whl`;
  it.each([
    ['cp312 and cp313 manylinux wheels', [whl('cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64'), whl('cp313-cp313-musllinux_1_2_aarch64')], '3.13'],
    ['a pure wheel beside them', [whl('cp313-cp313-manylinux_2_28_x86_64'), whl('py3-none-any')], undefined],
    ['a stable-ABI wheel', [whl('cp39-abi3-manylinux_2_17_x86_64')], undefined],
    ['Windows-only wheels', [whl('cp314-cp314-win_amd64')], undefined],
    ['free-threaded and PyPy wheels left out', [whl('cp312-cp312-manylinux_2_17_x86_64'), whl('cp313-cp313t-manylinux_2_17_x86_64'), whl('pp310-pypy310_pp73-manylinux_2_17_x86_64')], '3.12'],
    ['old cp37m tags', [whl('cp37-cp37m-manylinux1_x86_64')], '3.7'],
    ['an sdist only', ['x-1.0.tar.gz'], undefined],
  ])('%s', (_what, files, minor) => {
    expect(wheelsCeiling(files)).toBe(minor);
  });
});

const uvPkg = (name: string, version: string, wheels: string[], extra = ''): string =>
  `[[package]]\nname = "${name}"\nversion = "${version}"\nsource = { registry = "https://pypi.org/simple" }\n${extra}wheels = [\n${wheels.map((t) => `    { url = "https://files.example/${name.replace(/-/g, '_')}-${version}-${t}.whl", hash = "sha256:00", size = 1, upload-time = "2025-10-05T10:00:00Z" },`).join('\n')}\n]\n\n`;
const LINUX = (py: number) => `cp3${py}-cp3${py}-manylinux_2_17_x86_64`;

describe('lock ceilings', () => {
  const UV = 'version = 1\nrequires-python = ">=3.11"\n\n'
    + '[[package]]\nname = "app"\nversion = "0.1.0"\nsource = { editable = "." }\ndependencies = [\n    { name = "fastapi", extra = ["standard"] },\n    { name = "tomli", marker = "python_full_version < \'3.11\'" },\n]\n\n[package.dev-dependencies]\ndev = [\n    { name = "ruff" },\n]\n\n'
    + '[[package]]\nname = "fastapi"\nversion = "0.115.0"\nsource = { registry = "https://pypi.org/simple" }\ndependencies = [\n    { name = "pydantic-core" },\n]\nwheels = [\n    { url = "https://files.example/fastapi-0.115.0-py3-none-any.whl", hash = "sha256:00" },\n]\n\n[package.optional-dependencies]\nstandard = [\n    { name = "uvloop" },\n]\n\n'
    + uvPkg('pydantic-core', '2.33.2', [LINUX(12), LINUX(13)])
    + uvPkg('uvloop', '0.21.0', [LINUX(12), LINUX(13)])
    + uvPkg('markupsafe', '2.1.5', [LINUX(12)])
    + uvPkg('tomli', '2.0.1', [LINUX(10)])
    + uvPkg('ruff', '0.1.0', [LINUX(11)])
    + uvPkg('later', '1.0', [LINUX(14)]);

  it('bounds Python by the oldest newest-wheel among the compiled packages the image installs', () => {
    const lc = lockCeilings('uv.lock', UV)!;
    expect(lc.packages.map((p) => `${p.name} ${p.minor}`).sort()).toEqual(['pydantic-core 3.13', 'uvloop 3.13']);
    expect(lc.packages.find((p) => p.name === 'pydantic-core')!.evidence).toMatch(/^uv\.lock:\d+ pydantic-core 2\.33\.2 has wheels up to cp313$/);
    // ruff is dev-only, tomli only below 3.11, markupsafe installs pure Python when it cannot build, `later` is not installed
    expect(lc.newestUpload).toBe('2025-10-05T10:00:00Z');
    expect(lc.newestTag).toBe('3.14');
  });

  it('reads poetry.lock (files per package, or poetry 1.1 [metadata.files]) from the pyproject main dependencies', () => {
    const pkg = (name: string, version: string, deps = '') => `[[package]]\nname = "${name}"\nversion = "${version}"\ndescription = ""\noptional = false\npython-versions = ">=3.7"\n${deps}\n`;
    const lock = pkg('psycopg2-binary', '2.9.5') + pkg('black', '23.7.0')
      + '[metadata]\nlock-version = "1.1"\n\n[metadata.files]\npsycopg2-binary = [\n    {file = "psycopg2_binary-2.9.5-cp311-cp311-manylinux_2_17_x86_64.whl", hash = "sha256:00"},\n    {file = "psycopg2-binary-2.9.5.tar.gz", hash = "sha256:00"},\n]\nblack = [\n    {file = "black-23.7.0-cp310-cp310-manylinux_2_17_x86_64.whl", hash = "sha256:00"},\n]\n';
    const lc = lockCeilings('poetry.lock', lock, ['psycopg2-binary'])!;
    expect(lc.packages.map((p) => `${p.name} ${p.minor}`)).toEqual(['psycopg2-binary 3.11']);
    expect(lockCeilings('poetry.lock', lock)!.packages.map((p) => p.name).sort()).toEqual(['black', 'psycopg2-binary']);
  });

  it('reads pdm.lock groups', () => {
    const lock = '[metadata]\ngroups = ["default", "dev"]\n\n[[package]]\nname = "pendulum"\nversion = "3.0.0"\ngroups = ["default"]\nfiles = [\n    {file = "pendulum-3.0.0-cp312-cp312-manylinux_2_17_x86_64.whl", hash = "sha256:00"},\n]\n\n[[package]]\nname = "mypy"\nversion = "1.0"\ngroups = ["dev"]\nfiles = [\n    {file = "mypy-1.0-cp311-cp311-manylinux_2_17_x86_64.whl", hash = "sha256:00"},\n]\n';
    expect(lockCeilings('pdm.lock', lock)!.packages.map((p) => `${p.name} ${p.minor}`)).toEqual(['pendulum 3.12']);
  });

  it('survives odd package names without a crash', () => {
    const lock = uvPkg('a(b', '1.0', [LINUX(12)]) + uvPkg('c+d', '1.0', [LINUX(13)]);
    expect(lockCeilings('uv.lock', lock)!.packages.map((p) => p.evidence)).toEqual(['uv.lock:2 a(b 1.0 has wheels up to cp312', 'uv.lock:10 c+d 1.0 has wheels up to cp313']);
    const dir = projectDir({ 'Pipfile.lock': '{"default": {"x(y": {"version": "==1.0"}, "django": {"version": "==2.0.12"}}}', Pipfile: '[packages]\ndjango = "*"\n' });
    expect(pythonSupport(loadProject(dir, dir)).ceiling?.minor).toBe('3.7');
  });

  it('returns nothing for a lock that does not parse', () => {
    expect(lockCeilings('uv.lock', '[[package]\nname=')).toBeUndefined();
    expect(lockCeilings('Pipfile.lock', '{}')).toBeUndefined();
  });
});

describe('well-known compiled packages', () => {
  it.each([
    ['psycopg2-binary', '==2.9.6', '3.11'],
    ['psycopg2', '==2.7.3', '3.7'],
    ['django', '~=2.0.0', '3.7'],
    ['django', '==5.2.15', '3.14'],
    ['django', '>=6.0,<6.1', '3.14'],
    ['greenlet', '^2.0.2', '3.11'],
    ['asyncpg', '==0.26.0', '3.10'],
    ['asyncpg', '==0.31.0', '3.14'],
    ['asyncpg', '==0.32.0', undefined],
    ['asyncpg', '>=0.29', undefined],
    ['pillow', '==7.2.0', '3.8'],
    ['Pillow', '==8.0.1', '3.9'],
    ['django', '==3.0.5', '3.8'],
    ['django', '==3.0.14', '3.9'],
    ['requests', '==2.0.0', undefined],
  ])('%s%s supports up to %s', (name, spec, minor) => {
    expect(knownCeiling(name, spec)).toBe(minor);
  });

  it('rows go up in version, and in Python except where an older series got a later minor in a patch (Django 2.2.17)', () => {
    for (const [name, rows] of Object.entries(KNOWN_SUPPORT)) {
      for (let i = 1; i < rows.length; i++) {
        expect(knownCeiling(name, `==${rows[i]![0]}`) ?? rows[i]![1], `${name} ${rows[i]![0]}`).toBe(rows[i]![1]);
        if (name !== 'django') expect(Number(rows[i]![1].split('.')[1]) > Number(rows[i - 1]![1].split('.')[1]), `${name} ${rows[i]![0]}`).toBe(true);
      }
    }
  });

  it.each([
    ['==2.9.3', { version: '2.9.3', exclusive: false }], ['~=2.0.0', { version: '2.1', exclusive: true }], ['~=2.0', { version: '3', exclusive: true }],
    ['^0.29', { version: '0.30', exclusive: true }], ['>=1,<2', { version: '2', exclusive: true }], ['==4.2.*', { version: '4.3', exclusive: true }], ['>=1', undefined],
  ])('specifierTop(%s)', (spec, top) => {
    expect(specifierTop(spec)).toEqual(top);
  });
});

describe('project evidence', () => {
  it('reads Dockerfile FROM lines (ARG defaults), CI matrices and classifiers, and requirement pins', () => {
    const dir = projectDir({
      'requirements.txt': 'django==4.2.3\npsycopg2-binary==2.9.6\nflask==3.1.0\n',
      Dockerfile: 'ARG PY=3.11.4\nFROM python:${PY}-slim-buster AS build\nFROM python:alpine3.14\n',
      '.github/workflows/ci.yml': 'jobs:\n  test:\n    strategy:\n      matrix:\n        python-version: ["3.10", "3.11"]\n',
      'setup.py': 'classifiers=["Programming Language :: Python :: 3.9"]\n',
    });
    const s = pythonSupport(loadProject(dir, dir));
    expect(s.ceiling).toEqual({ minor: '3.11', evidence: ['requirements.txt:1 django==4.2.3: newest supported Python 3.11', 'requirements.txt:2 psycopg2-binary==2.9.6: newest supported Python 3.11'] });
    expect(s.shipped).toEqual([{ minor: '3.11', evidence: 'Dockerfile:2 FROM python:${PY}-slim-buster' }]);
    expect(s.tested.map((t) => t.minor).sort()).toEqual(['3.10', '3.11', '3.9']);
    expect(s.lockDate).toBeUndefined();
  });

  it('a source build the project\'s own Dockerfile compiles on a newer Python is not bounded by the table', () => {
    const dir = projectDir({ 'requirements.txt': 'psycopg2==2.8.5\n', Dockerfile: 'FROM python:3.9-slim-buster\n' });
    expect(pythonSupport(loadProject(dir, dir)).ceiling).toEqual({ minor: '3.9', evidence: ['requirements.txt:1 psycopg2==2.8.5: newest supported Python 3.8, but Dockerfile:1 FROM python:3.9-slim-buster builds it from source on 3.9'] });
  });
});
