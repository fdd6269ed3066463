// SIZE006's test-directory part: the app's own tests (below the WORKDIR) are reported; the test directories that come
// inside installed wheels (h11/tests, django/test, pip/_vendor/colorama/tests) are not, unless they add up to a lot
// (numpy, pandas, scipy), and then the message names the distributions that ship them.
import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { readImage } from '../../src/image/read.js';
import { auditImage, type AuditOptions } from '../../src/audit/audit.js';
import { APP_TESTS_MIN_BYTES, SITE_TESTS_MIN_BYTES } from '../../src/rules/size/no-build-artefacts.js';
import { dockerSave, type ImageSpec, type TarSpec } from './archive.js';
import { goodImage, NOW } from './fixtures.js';

const SP = 'opt/venv/lib/python3.13/site-packages';

const size006 = async (spec: ImageSpec, opts: AuditOptions = {}): Promise<string[]> => {
  const img = await readImage({ kind: 'stream', stream: Readable.from([dockerSave(spec)]), ref: 'test/image:1' });
  return auditImage(img, { now: NOW, enabled: new Set(['SIZE006']), ...opts }).findings.map((f) => f.message);
};

/** goodImage() with one more `COPY /opt/venv /opt/venv` layer holding the given files. */
function withVenv(files: TarSpec[], app: TarSpec[] = []): ImageSpec {
  const spec = goodImage();
  spec.layers.push([...files, ...app]);
  spec.history!.push({ created_by: 'COPY /opt/venv /opt/venv # buildkit', created: '2026-06-14T12:00:00Z' });
  return spec;
}

const dist = (name: string, version: string, topLevel?: string): TarSpec[] => [
  { path: `${SP}/${name}-${version}.dist-info`, type: 'dir' },
  { path: `${SP}/${name}-${version}.dist-info/METADATA`, size: 100 },
  ...(topLevel !== undefined ? [{ path: `${SP}/${name}-${version}.dist-info/top_level.txt`, data: topLevel }] : []),
];

/** What FastAPI + uvicorn + Django (and pip's vendored colorama) put in a venv, at their measured sizes. */
const WEB_STACK: TarSpec[] = [
  ...dist('h11', '0.14.0'), { path: `${SP}/h11/__init__.py`, size: 1000 }, { path: `${SP}/h11/tests/test_io.py`, size: 217_000 },
  ...dist('Django', '4.2.28'), { path: `${SP}/django/__init__.py`, size: 1000 },
  { path: `${SP}/django/test/__init__.py`, size: 1000 }, { path: `${SP}/django/test/testcases.py`, size: 470_000 },
  ...dist('ephem', '4.2'), { path: `${SP}/ephem/tests/test_bodies.py`, size: 294_000 },
  ...dist('pip', '25.1.1'), { path: `${SP}/pip/_vendor/colorama/tests/ansi_test.py`, size: 3_000 },
];

describe('SIZE006: test directories', () => {
  it('says nothing about the test directories of a web stack\'s wheels', async () => {
    expect(await size006(withVenv(WEB_STACK))).toEqual([]);
  });

  it('reports tests/ inside distributions above the threshold, naming the three that ship the most', async () => {
    const big: TarSpec[] = [
      ...WEB_STACK,
      ...dist('numpy', '2.2.0'), { path: `${SP}/numpy/core/tests/test_multiarray.py`, size: 3_000_000 },
      { path: `${SP}/numpy/linalg/tests/test_linalg.py`, size: 1_000_000 },
      ...dist('pandas', '2.2.3'), { path: `${SP}/pandas/tests/frame/test_api.py`, size: 5_000_000 },
      // sklearn is scikit-learn's: top_level.txt says so
      ...dist('scikit_learn', '1.6.0', 'sklearn\n'), { path: `${SP}/sklearn/tests/test_base.py`, size: 500_000 },
    ];
    const msgs = await size006(withVenv(big));
    expect(msgs).toHaveLength(1);
    // django/test is an API module (django.test), never counted; h11, ephem and colorama tests are
    expect(msgs[0]).toMatch(/^7 tests\/ directories \(10\.0 MB\) ship inside the installed distributions, most in pandas 5\.0 MB, numpy 4\.0 MB, scikit_learn 500\.0 kB: /);
    expect(msgs[0]).toMatch(/a slimmer dependency avoids them; deleting them in the build stage \(find \/opt\/venv\/lib\/python3\.13\/site-packages -depth -type d -name tests -exec rm -rf \{\} \+\) is at your own risk/);
    expect(msgs[0]).not.toMatch(/django/i);
    // the threshold is an option; at the default the web stack alone stays far below it
    expect(SITE_TESTS_MIN_BYTES).toBe(5_000_000);
    expect(await size006(withVenv(WEB_STACK), { siteTestsMinBytes: 500_000 })).toEqual([
      expect.stringMatching(/^3 tests\/ directories \(514\.0 kB\) ship inside the installed distributions, most in ephem 294\.0 kB, h11 217\.0 kB, pip 3\.0 kB:/),
    ]);
  });

  it('names a top-level module no distribution claims by itself', async () => {
    const msgs = await size006(withVenv([{ path: `${SP}/tests/test_everything.py`, size: 6_000_000 }]));
    expect(msgs).toEqual([expect.stringMatching(/^1 tests\/ directory \(6\.0 MB\) ship inside the installed distributions, most in tests 6\.0 MB:/)]);
  });

  it('reports the app\'s own test directories below the WORKDIR, also next to a quiet venv', async () => {
    const app: TarSpec[] = [
      { path: 'app/tests/test_api.py', size: 120_000 },
      { path: 'app/tests/__pycache__/test_api.cpython-313.pyc', size: 30_000 },
      { path: 'app/pkg/test/test_models.py', size: 10_000 },
    ];
    const msgs = await size006(withVenv(WEB_STACK, app));
    expect(msgs).toEqual([
      expect.stringMatching(/^2 test directories of the app \(160\.0 kB\) under \/app, largest \/app\/tests 150\.0 kB, \/app\/pkg\/test 10\.0 kB: leave them out of the runtime image/),
    ]);
    // small ones stay quiet, as before
    expect(APP_TESTS_MIN_BYTES).toBe(100_000);
    expect(await size006(withVenv(WEB_STACK, [{ path: 'app/tests/test_api.py', size: 5_000 }]))).toEqual([]);
  });

  it('counts a venv inside the WORKDIR (/app/.venv) as installed distributions, not as the app', async () => {
    const spec = goodImage();
    spec.layers.push([{ path: 'app/.venv/lib/python3.13/site-packages/h11/tests/test_io.py', size: 217_000 }]);
    spec.history!.push({ created_by: 'COPY /app/.venv /app/.venv # buildkit', created: '2026-06-14T12:00:00Z' });
    expect(await size006(spec)).toEqual([]);
  });
});
