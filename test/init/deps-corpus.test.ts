// The dependency decisions of `pyship init` on every real app of the corpus, against what an engineer wrote in
// MANIFEST.tsv: where the project is, which package manager, and whether a lock (or full pins) exists.
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { locateProject, projectManifests } from '../../src/project/locate.js';
import { loadProject } from '../../src/project/project.js';
import { detectPython } from '../../src/project/python.js';
import { chooseDeps } from '../../src/init/deps.js';
import { APPS_DIR as APPS, appsPresent as present, manifest, skipNote } from '../corpus-apps.js';

skipNote('the corpus dependency decisions');

type LockState = 'lock' | 'pinned' | 'unlocked';

/** MANIFEST's package_manager text → the tool it names first, and the lock state it describes. */
function expected(text: string): { tool: string; lock: LockState } {
  const tool = /^\s*(\w+)/.exec(text)![1]!.toLowerCase();
  const noLock = /\bno (\w+\.)?lock\b|\bno lock\b|without lock|\branges\b/i.test(text);
  const lock: LockState = noLock ? (/\bpinned\b/.test(text) ? 'pinned' : 'unlocked')
    : /\b(uv|poetry|pdm|Pipfile)\.lock\b/.test(text) ? 'lock' : 'pinned';
  return { tool, lock };
}

/**
 * Reviewed disagreements with MANIFEST, each with why pyship is right (or why MANIFEST's wording does not map):
 * app → what pyship decides, as `tool/lock`.
 */
const DISAGREE: Record<string, { got: string; why: string }> = {
  ihatemoney: {
    got: 'uv/lock',
    why: 'MANIFEST says "no lock", but uv.lock:1 is a uv lock (version = 1, revision = 2) and Makefile:1-4 run uv (`VIRTUALENV = uv venv`, `PIP := uv pip`)',
  },
};

describe.skipIf(!present)('corpus: package manager and lock', () => {
  const rows = manifest();

  it('finds the project, its manager and its lock state as MANIFEST says', () => {
    expect(rows.length).toBeGreaterThanOrEqual(29);
    const table: string[] = [];
    const disagreements: Record<string, string> = {};
    for (const row of rows) {
      const { name, subdir, package_manager: pm } = row;
      const dir = join(APPS, name!);
      const loc = locateProject(dir);
      const projectDir = relative(dir, loc.projectDir) || '.';
      // the subfolder MANIFEST names is where init goes when the repository root has no manifest of its own
      const sub = /^(\S+)/.exec(subdir!)![1]!;
      expect(projectDir, name).toBe(projectManifests(dir).length > 0 ? '.' : sub);
      const p = loadProject(loc.projectDir, loc.projectDir);
      const c = chooseDeps(p, detectPython(p), { pyshipVersion: '0.0.0' });
      const got: LockState = c.lockValue.startsWith('to lock') ? 'unlocked' : c.deps.files.some((f) => /(uv|poetry|pdm|Pipfile)\.lock$/.test(f)) ? 'lock' : 'pinned';
      const want = expected(pm!);
      const toolOk = want.tool === c.declared || want.tool === c.manager;
      table.push(`${name}\t${projectDir}\t${c.manager}${c.declared !== c.manager ? `(${c.declared})` : ''}\t${got}\t${c.lockValue}`);
      if (!toolOk || got !== want.lock) disagreements[name!] = `${c.declared}/${got}`;
    }
    console.log(`corpus dependency decisions:\n${table.join('\n')}`);
    expect(disagreements).toEqual(Object.fromEntries(Object.entries(DISAGREE).map(([k, v]) => [k, v.got])));
  });
});
