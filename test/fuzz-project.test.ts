// Property-based fuzzing of `check` and `check --unsafe-fixes` on real temp projects: a Dockerfile beside mutated
// .dockerignore, requirements, compose and pyproject files, through checkFiles as the CLI runs it. No crash or hang,
// a user error names its file, findings stay inside their file, and --fix writes only the Dockerfile, keeps its line
// endings and BOM, leaves no temp file, and is idempotent on disk. Seeded and bounded: see fuzz-harness.ts.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkFiles } from '../src/lint/files.js';
import { ConfigError } from '../src/lint/config.js';
import { InputError } from '../src/io/read.js';
import { dockerfileArb, projectFilesArb, type Case } from './fuzz-arbitraries.js';
import { assertFindingsSane, bounded, fuzzFile, params, renderAll, withInput } from './fuzz-harness.js';
import { registry } from '../src/rules/index.js';

type Files = Record<string, string>;

const snapshot = (dir: string): Map<string, Buffer> => new Map(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f))]));

/** Run check (or check --unsafe-fixes) on the project; a user error must name the file it is about. */
function run(dir: string, fix: boolean): ReturnType<typeof checkFiles> | undefined {
  try {
    return checkFiles({ ruleSet: registry, paths: [dir], cwd: dir, cli: {}, ...(fix ? { fix: 'unsafe' as const } : {}) });
  } catch (e) {
    if (!(e instanceof ConfigError || e instanceof InputError)) throw e;
    expect(e.message, 'a user error names its file').toMatch(/pyproject\.toml|pyship\.toml|Dockerfile|\.dockerignore|compose\.ya?ml|requirements/);
    return undefined;
  }
}

function projectCase(c: Case, files: Files): void {
  const dir = mkdtempSync(join(tmpdir(), 'pyship-fuzz-'));
  try {
    writeFileSync(join(dir, 'Dockerfile'), c.text);
    for (const [p, text] of Object.entries(files)) writeFileSync(join(dir, p), text);
    const before = snapshot(dir);
    bounded(c.label, c.text, () => {
      const checked = run(dir, false);
      for (const r of checked?.results ?? []) {
        assertFindingsSane(r.text, r.findings);
        renderAll(r.file, r.text, r.findings);
      }
      expect(snapshot(dir), 'check alone changes no file').toEqual(before);

      if (run(dir, true) === undefined) return;
      const after = snapshot(dir);
      expect([...after.keys()], 'files after --fix (no temp file left, none removed)').toEqual([...before.keys()]);
      for (const [f, bytes] of before) if (f !== 'Dockerfile') expect(after.get(f)!.equals(bytes), `${f} is not touched by --fix`).toBe(true);
      const old = before.get('Dockerfile')!.toString('utf8');
      const now = after.get('Dockerfile')!.toString('utf8');
      if (now !== old) {
        expect(now.startsWith('\ufeff'), 'the BOM is kept (or not added)').toBe(old.startsWith('\ufeff'));
        if (old.includes('\n') && !/(^|[^\r])\n/.test(old)) expect(/(^|[^\r])\n/.test(now), 'a CRLF file stays CRLF').toBe(false);
        if (!old.includes('\r')) expect(now.includes('\r'), 'an LF file stays LF').toBe(false);
      }
      run(dir, true);
      expect(readFileSync(join(dir, 'Dockerfile'), 'utf8'), '--fix on the fixed file changes nothing').toBe(now);
    });
  } catch (e) {
    throw withInput(e, c.text, files);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

fuzzFile('fuzz-project.test.ts');

describe('fuzz: projects on disk', () => {
  it('check and --unsafe-fixes survive mutated project files, write only the Dockerfile, keep its endings and BOM', () => {
    fc.assert(fc.property(dockerfileArb, projectFilesArb, (c, files) => projectCase(c, files)), params(80));
  });
});
