// SIZE002's __pycache__ part: a cache the image's own Python compiled (COPY --from a build stage that ran compileall,
// which the history shows only as `COPY /app /app`) is bytecode, not a leak; a cache from another machine is.
import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { readImage, type ImageData } from '../../src/image/read.js';
import { auditImage, type AuditOptions } from '../../src/audit/audit.js';
import { pythonTags } from '../../src/image/python.js';
import { parseDockerignore } from '../../src/project/dockerignore.js';
import { dockerSave, type ImageSpec, type TarSpec } from './archive.js';
import { baseHistory, baseLayers, goodImage, NOW } from './fixtures.js';

const read = (spec: ImageSpec): Promise<ImageData> => readImage({ kind: 'stream', stream: Readable.from([dockerSave(spec)]), ref: 'test/image:1' });
const size002 = async (spec: ImageSpec, opts: AuditOptions = {}): Promise<string[]> =>
  auditImage(await read(spec), { now: NOW, enabled: new Set(['SIZE002']), ...opts }).findings.map((f) => f.message);

/** The fixtures' python base with a versioned interpreter and its standard library (as Debian and python:3.13 have). */
const PY313: TarSpec[] = [
  { path: 'usr/bin/python3.13', size: 5000, mode: 0o755 },
  { path: 'usr/bin/python3', type: 'symlink', linkname: 'python3.13' },
  { path: 'usr/lib/python3.13/os.py', size: 100 },
  { path: 'usr/lib/python3.13/__pycache__/os.cpython-313.pyc', size: 100 },
];

/** goodImage() on a Python 3.13 base, with /app (the given files) from a `COPY --from=build` layer. */
function withApp(app: TarSpec[], python: TarSpec[] = PY313): ImageSpec {
  const spec = goodImage();
  spec.layers[1] = [...baseLayers[1]!.filter((e) => e.path !== 'usr/bin/python3'), ...python];
  spec.layers[spec.layers.length - 1] = [{ path: 'app', type: 'dir', uid: 10001 }, ...app];
  spec.history = spec.history!.map((h) => (h.created_by.startsWith('COPY --chown=app:app . /app') ? { ...h, created_by: 'COPY /app /app # buildkit' } : h));
  return spec;
}

/** What `python3.13 -m compileall -q /app` leaves: every module with its .pyc (one also optimised). */
const compiled = (tag = 'cpython-313'): TarSpec[] => [
  { path: 'app/app.py', size: 100 },
  { path: 'app/__pycache__', type: 'dir' },
  { path: `app/__pycache__/app.${tag}.pyc`, size: 150 },
  { path: 'app/pkg/__init__.py', size: 10 },
  { path: 'app/pkg/util.py', size: 100 },
  { path: 'app/pkg/__pycache__', type: 'dir' },
  { path: `app/pkg/__pycache__/__init__.${tag}.pyc`, size: 50 },
  { path: `app/pkg/__pycache__/util.${tag}.pyc`, size: 150 },
  { path: `app/pkg/__pycache__/util.${tag}.opt-1.pyc`, size: 150 },
];

describe('SIZE002: __pycache__ in the image', () => {
  it('knows the image\'s CPython tags from its standard library and its interpreter', async () => {
    expect(pythonTags(await read(withApp([])))).toEqual(new Set(['cpython-313']));
    // the official images' layout: /usr/local, and the interpreter alone is enough
    const local = await read(withApp([], [
      { path: 'usr/local/bin/python3.12', size: 5000, mode: 0o755 },
      { path: 'usr/local/bin/python3', type: 'symlink', linkname: 'python3.12' },
      { path: 'usr/local/bin/python', type: 'symlink', linkname: 'python3' },
    ]));
    expect(pythonTags(local)).toEqual(new Set(['cpython-312']));
    // an unversioned binary and no standard library: no proof of any tag
    expect(pythonTags(await read(goodImage()))).toEqual(new Set());
  });

  it('a compileall-complete cache with the image\'s own tag is bytecode, not a leak', async () => {
    expect(await size002(withApp(compiled()))).toEqual([]);
  });

  it('reports a cache with another Python\'s tag', async () => {
    expect(await size002(withApp(compiled('cpython-312')))).toEqual([
      '__pycache__ copied from the build context: /app/__pycache__, /app/pkg/__pycache__: exclude __pycache__ and *.pyc in .dockerignore',
    ]);
    // the same tag, but the image's Python is unknown: nothing proves the image compiled it
    const unknown = withApp(compiled());
    unknown.layers[1] = baseLayers[1]!;
    expect(await size002(unknown)).toHaveLength(1);
  });

  it('reports a partial cache (only the imported modules) and .pyc files without their .py', async () => {
    const partial = compiled().filter((e) => !e.path.startsWith('app/pkg/__pycache__/util.'));
    expect(await size002(withApp(partial))).toEqual([expect.stringMatching(/: \/app\/pkg\/__pycache__: exclude/)]);
    const orphan = compiled().filter((e) => e.path !== 'app/app.py');
    expect(await size002(withApp(orphan))).toEqual([expect.stringMatching(/: \/app\/__pycache__: exclude/)]);
    const mixed = [...compiled(), { path: 'app/pkg/__pycache__/util.cpython-311.pyc', size: 150 }];
    expect(await size002(withApp(mixed))).toEqual([expect.stringMatching(/: \/app\/pkg\/__pycache__: exclude/)]);
  });

  it('trusts the project\'s .dockerignore when it keeps __pycache__ / *.pyc out of the context', async () => {
    const other = withApp(compiled('cpython-312'));
    for (const text of ['**/__pycache__\n', '**/*.py[cod]\n', '.git\n**/__pycache__\n**/*.pyc\n']) {
      expect(await size002(other, { dockerignore: parseDockerignore(text) }), text).toEqual([]);
    }
    // root-only patterns and re-included directories leave nested caches possible
    expect(await size002(other, { dockerignore: parseDockerignore('__pycache__\n*.pyc\n') })).toHaveLength(1);
    expect(await size002(other, { dockerignore: parseDockerignore('**/__pycache__\n!pkg/__pycache__\n') })).toEqual([
      expect.stringMatching(/: \/app\/pkg\/__pycache__: exclude/),
    ]);
    expect(await size002(other, { dockerignore: parseDockerignore('.git\n') })).toHaveLength(1);
  });

  it('still reports the leak of a single-stage COPY . . without .dockerignore', async () => {
    const spec = withApp([
      { path: 'app/x.py', size: 10 },
      { path: 'app/__pycache__', type: 'dir' },
      { path: 'app/__pycache__/x.cpython-312.pyc', size: 100 },
    ]);
    spec.history = [...baseHistory, ...spec.history!.slice(baseHistory.length).map((h) => (h.created_by === 'COPY /app /app # buildkit' ? { ...h, created_by: 'COPY . . # buildkit' } : h))];
    expect(await size002(spec)).toEqual([expect.stringMatching(/^__pycache__ copied from the build context: \/app\/__pycache__:/)]);
  });
});
