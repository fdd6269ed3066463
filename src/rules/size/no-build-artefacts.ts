// SIZE006: ship no build artefacts (an image-only check, run by `pyship audit`).
import { defineImageRule } from '../../lint/rule.js';
import { formatBytes, type ImageFacts } from '../../image/facts.js';
import { absPath, baseName } from '../../image/filesystem.js';
import { normalizeDist, parseDistDir } from '../../image/python.js';
import { dirnamePosix } from '../../dockerfile/paths.js';

const KB = 1000;
const MB = 1000 * 1000;

/** The app's own test directories (below the WORKDIR, outside site-packages) are reported from this total. */
export const APP_TESTS_MIN_BYTES = 100 * KB;
/**
 * `tests` directories inside installed distributions come with the wheels; they are reported only above this total
 * across the image's site-/dist-packages (setting `siteTestsMinBytes`). Measured: FastAPI + uvicorn + Django install
 * 0.2 MB of them (h11/tests), all 72 distributions of a web-stack wheelhouse together 3.3 MB (setuptools' own 1.8 MB);
 * numpy alone ships 13.8 MB, scikit-learn 11 MB, scipy 27 MB, pandas 32 MB.
 */
export const SITE_TESTS_MIN_BYTES = 5 * MB;

/** A path in a site-/dist-packages directory: [, the directory, the path inside it]. */
const SITE_SPLIT = /^((?:.*?\/)?(?:site|dist)-packages)\/(.+)$/;

/**
 * The distribution that installed a top-level name of a site-packages directory: the one whose `top_level.txt` lists
 * it, else the one whose normalized name is the module's (`django` → Django, `_pytest` → pytest); else the name itself.
 */
function distributionOwners(image: ImageFacts): (location: string, top: string) => string {
  const byName = new Map<string, string>();
  for (const d of image.distributions) byName.set(`${d.location.slice(1)}\0${normalizeDist(d.name)}`, d.name);
  const byTop = new Map<string, string>();
  for (const [p, buf] of image.contents) {
    if (baseName(p) !== 'top_level.txt') continue;
    const info = dirnamePosix(p);
    const d = parseDistDir(baseName(info));
    if (!d) continue;
    for (const line of buf.toString('utf8').split('\n')) {
      const name = line.trim().split('/')[0];
      if (name) byTop.set(`${dirnamePosix(info)}\0${name}`, d.name);
    }
  }
  return (location, top) => byTop.get(`${location}\0${top}`)
    ?? byName.get(`${location}\0${normalizeDist(top)}`)
    ?? byName.get(`${location}\0${normalizeDist(top.replace(/^_+/, ''))}`)
    ?? top;
}

export default defineImageRule({
  code: 'SIZE006',
  name: 'no-build-artefacts',
  title: 'Ship no build artefacts',
  area: 'size',
  level: 'image',
  severity: 'info',
  scope: ['I'],
  sources: [],
  why: `C and Cython sources next to the compiled extensions built from them, setuptools \`build/\` directories, source
maps and the app's test directories copied into the runtime image make it larger and serve no purpose at run time.
\`pyship audit\` reads the image's own layers and reports them with the layer that added them. Copy only the installed
result (the venv) and the code that runs from the build stage.

Test directories: the app's (\`test/\` or \`tests/\` below the image's WORKDIR, outside site-packages, e.g. from
\`COPY . .\`) are reported from 100 kB in total. Those that come inside installed distributions are the packages' own
files: a web stack has little of them (FastAPI, uvicorn and Django install 0.2 MB, \`h11/tests\`), so they are reported
only when the \`tests/\` directories in site-/dist-packages add up to more than 5 MB (numpy ships about 14 MB, pandas
about 30 MB), naming the three distributions that ship the most. A \`test/\` directory inside a package is never
counted: it is often part of the package's API (\`django.test\`). The remedy there is a slimmer dependency; deleting
the directories in the build stage is possible but at your own risk, since a package may import from them.`,
  examples: [
    {
      bad: {
        history: [{
          by: 'COPY /build /usr/local # buildkit',
          files: [
            { path: 'usr/local/lib/python3.13/site-packages/speedups/_speedups.c', size: 4000 },
            { path: 'usr/local/lib/python3.13/site-packages/speedups/_speedups.cpython-313-x86_64-linux-gnu.so', size: 4000 },
          ],
        }],
      },
      good: {
        history: [{
          by: 'COPY /opt/venv /opt/venv # buildkit',
          files: [{ path: 'opt/venv/lib/python3.13/site-packages/speedups/_speedups.cpython-313-x86_64-linux-gnu.so', size: 4000 }],
        }],
      },
    },
    {
      bad: { config: { workingDir: '/app' }, history: [{ by: 'COPY . /app', files: [{ path: 'app/main.py', size: 1000 }, { path: 'app/tests/test_main.py', size: 60_000 }, { path: 'app/tests/data.json', size: 90_000 }] }] },
      good: { config: { workingDir: '/app' }, history: [{ by: 'COPY src/ /app', files: [{ path: 'app/main.py', size: 1000 }] }] },
    },
  ],
  checkImage({ image, settings, report }) {
    const soDirs = new Set<string>();
    for (const [p, f] of image.files) if (image.own(f.layer) && /\.so(\.\d+)*$/.test(p) && f.entry.type === 'file') soDirs.add(dirnamePosix(p));
    const sources: string[] = [];
    let sourceBytes = 0;
    const maps: string[] = [];
    let mapBytes = 0;
    const buildDirs: string[] = [];
    /** Test directory → bytes and the layer of its first file; app and installed distributions apart. */
    const appTests = new Map<string, { bytes: number; layer: number }>();
    const siteTests = new Map<string, { bytes: number; layer: number; location: string; top: string }>();
    const workingDir = image.config.workingDir;
    const workdir = workingDir === '' ? undefined : workingDir.replace(/^\/+|\/+$/g, '');
    for (const [p, f] of image.files) {
      if (!image.own(f.layer)) continue;
      if (f.entry.type === 'file') {
        if (/\.(c|pyx|cpp)$/.test(p) && soDirs.has(dirnamePosix(p))) {
          sources.push(p);
          sourceBytes += f.entry.size;
        } else if (p.endsWith('.js.map') && !p.startsWith('usr/share/')) {
          maps.push(p);
          mapBytes += f.entry.size;
        }
        const site = SITE_SPLIT.exec(p);
        if (site) {
          // a distribution's test suite: `tests` only, since a `test` package is often API (django.test)
          const t = /^((?:[^/]+\/)*?tests)\//.exec(site[2]!);
          if (t) {
            const key = `${site[1]}/${t[1]}`;
            const e = siteTests.get(key) ?? { bytes: 0, layer: f.layer, location: site[1]!, top: t[1]!.split('/')[0]! };
            e.bytes += f.entry.size;
            siteTests.set(key, e);
          }
        } else if (workdir !== undefined && (workdir === '' || p.startsWith(workdir + '/'))) {
          const rest = workdir === '' ? p : p.slice(workdir.length + 1);
          const t = /^((?:[^/]+\/)*?tests?)\//.exec(rest);
          if (t) {
            const key = workdir === '' ? t[1]! : `${workdir}/${t[1]}`;
            const e = appTests.get(key) ?? { bytes: 0, layer: f.layer };
            e.bytes += f.entry.size;
            appTests.set(key, e);
          }
        }
      } else if (f.entry.type === 'dir' && baseName(p) === 'build' && [...(image.children.get(p) ?? [])].some((c) => /^(lib|temp|bdist)\./.test(baseName(c)))) {
        buildDirs.push(p);
      }
    }
    if (sources.length > 0) report({ at: 'image', message: `${sources.length} C/Cython sources (${formatBytes(sourceBytes)}) next to compiled extensions, e.g. ${absPath(sources[0]!)}: build in a separate stage and copy only the installed environment` });
    if (buildDirs.length > 0) report({ at: 'image', message: `setuptools build directories in the image: ${buildDirs.slice(0, 3).map(absPath).join(', ')}` });
    if (maps.length > 0) report({ at: 'image', message: `${maps.length} JavaScript source maps (${formatBytes(mapBytes)}), e.g. ${absPath(maps[0]!)}` });
    const sum = (m: Map<string, { bytes: number }>): number => [...m.values()].reduce((a, b) => a + b.bytes, 0);
    const appBytes = sum(appTests);
    if (appTests.size > 0 && appBytes >= APP_TESTS_MIN_BYTES) {
      const top = [...appTests].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 3);
      report({ at: { layer: top[0]![1].layer }, message: `${appTests.size} test director${appTests.size === 1 ? 'y' : 'ies'} of the app (${formatBytes(appBytes)}) under ${workingDir}, largest ${top.map(([p, e]) => `${absPath(p)} ${formatBytes(e.bytes)}`).join(', ')}: leave them out of the runtime image (.dockerignore them, or COPY only the code that runs)` });
    }
    const siteBytes = sum(siteTests);
    if (siteTests.size > 0 && siteBytes > (settings.siteTestsMinBytes ?? SITE_TESTS_MIN_BYTES)) {
      const owner = distributionOwners(image);
      const byDist = new Map<string, { bytes: number; layer: number }>();
      const byLocation = new Map<string, number>();
      for (const e of siteTests.values()) {
        const name = owner(e.location, e.top);
        const d = byDist.get(name) ?? { bytes: 0, layer: e.layer };
        d.bytes += e.bytes;
        byDist.set(name, d);
        byLocation.set(e.location, (byLocation.get(e.location) ?? 0) + e.bytes);
      }
      const top = [...byDist].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 3);
      const where = [...byLocation].sort((a, b) => b[1] - a[1])[0]![0];
      report({ at: { layer: top[0]![1].layer }, message: `${siteTests.size} tests/ director${siteTests.size === 1 ? 'y' : 'ies'} (${formatBytes(siteBytes)}) ship inside the installed distributions, most in ${top.map(([n, d]) => `${n} ${formatBytes(d.bytes)}`).join(', ')}: a slimmer dependency avoids them; deleting them in the build stage (find ${absPath(where)} -depth -type d -name tests -exec rm -rf {} +) is at your own risk, as a package may import from them` });
    }
  },
});
