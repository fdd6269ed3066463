// The Python version and base tag init chooses for every corpus app (../shared/corpus/apps), against MANIFEST.tsv's
// "Newest: X" (read at test time): the newest minor the pins allow must agree, or the disagreement is listed in
// KNOWN with its reason; every tag emitted is one that was published.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/project/project.js';
import { detectPython } from '../../src/project/python.js';
import { choosePython } from '../../src/init/python-choice.js';
import { tagExists } from '../../src/project/python-releases.js';
import { APPS_DIR as APPS, appsPresent as present, manifest, skipNote } from '../corpus-apps.js';

skipNote('the corpus Python test');

const MANIFEST_FILE = /(^|\/)(requirements[\w.-]*\.txt|requirements|pyproject\.toml|Pipfile|setup\.py|environment\.ya?ml)$/;

/** The app's directory: MANIFEST's subdir when it holds the manifests, else the tree's root. */
function appDir(name: string, subdir: string): string {
  const root = join(APPS, name);
  const sub = subdir.split(/\s/)[0]!;
  if (sub !== '.' && existsSync(join(root, sub)) && readdirSync(join(root, sub)).some((f) => MANIFEST_FILE.test(f))) return join(root, sub);
  return root;
}

/**
 * Apps whose newest minor differs from MANIFEST's, and why (reviewed; see the report of issue 12 kind 5).
 */
const KNOWN: Record<string, string> = {
  // MANIFEST says 3.13 from pydantic-core/uvloop/httptools, but pdm.lock also pins pendulum 3.0.0, whose wheels stop
  // at cp312 (its sdist needs a Rust toolchain): MANIFEST is wrong here
  'bonbast-api': 'pdm.lock:465 pendulum 3.0.0 has wheels up to cp312',
  // MANIFEST says "uv.lock carries cp314 wheels" (other packages do), but fastapi[standard] pulls pydantic-core 2.33.2,
  // uvloop 0.21.0 and httptools 0.6.4, whose wheels stop at cp313: MANIFEST is wrong here
  'uv-docker-example': 'uv.lock:345 pydantic-core 2.33.2 has wheels up to cp313',
  // MANIFEST counts the project's own Dockerfile pre-installing PyYAML 5.4.1 with Cython<3; the generated image
  // installs the lock as it is, and PyYAML 5.4.1's sdist does not build under Cython 3: 3.9 is its newest wheel
  shynet: 'poetry.lock:1373 pyyaml 5.4.1 has wheels up to cp39',
  // the lock's newest wheels are cp311 (resolved in 2023): init prefers the newest Python released before the lock
  // (the brief's rule for loose constraints); MANIFEST gives the newest the pure-Python runtime group could run on
  'starlette-snippet': 'poetry.lock: newest wheels tagged cp311',
};

describe.skipIf(!present)('corpus apps: Python and base tag', () => {
  it('agrees with MANIFEST on the newest Python, and emits only published tags', () => {
    const rows: string[] = [];
    const disagree: string[] = [];
    for (const f of manifest()) {
      const name = f.name;
      const dir = appDir(name, f.subdir!);
      expect(statSync(dir).isDirectory()).toBe(true);
      const project = loadProject(dir, dir);
      const py = detectPython(project);
      const manager = py.managers[0] ?? 'pip';
      const c = choosePython(project, py, manager, {}, '2026-12-07');
      if (manager !== 'conda') expect(tagExists(c.version, c.codename), `${name}: ${c.image}`).toBe(true);
      const m = /Newest(?: allowed)?: (3\.\d+)/.exec(f.python!);
      const want = m?.[1];
      rows.push(`${name}\tchosen ${c.version} ${c.image}\tnewest ${c.newest}\tMANIFEST ${want ?? '?'}\t${c.evidence.join(' | ')}\t${c.notes.join(' | ')}`);
      if (want && want !== c.newest && !KNOWN[name]) disagree.push(`${name}: newest ${c.newest}, MANIFEST ${want}: ${c.evidence.join(' | ')}`);
      // a listed disagreement whose evidence no longer shows is stale: the list must shrink when pyship changes
      if (KNOWN[name] && want === c.newest) disagree.push(`${name}: agrees with MANIFEST now; remove it from KNOWN`);
      if (KNOWN[name] && /:\d+ /.test(KNOWN[name]) && !c.evidence.some((e) => e.startsWith(KNOWN[name]!.split(' ')[0]!))) disagree.push(`${name}: evidence ${KNOWN[name]} not found`);
    }
    expect(disagree, rows.join('\n')).toEqual([]);
  });
});
