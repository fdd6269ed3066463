// Property-based fuzzing of `--fix`: over mutated real Dockerfiles and grammar ones, fixing (safe, and safe + unsafe,
// every rule, as test/helpers.ts fixes) never crashes or hangs, is idempotent, and its output re-parses with no new
// parse errors and no lost instructions. Seeded and bounded: see fuzz-harness.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FixSafety } from '../src/lint/rule.js';
import { dockerfileRules } from '../src/rules/index.js';
import { corpusPresent, dockerfileArb, grammarArb, mutatedCorpusArb, projectFilesArb, type Case } from './fuzz-arbitraries.js';
import { assertFindingsSane, bounded, fuzzFile, instructionKinds, params, parseErrors, withInput } from './fuzz-harness.js';
import { fix, lint } from './helpers.js';

const ALL: FixSafety[] = ['safe', 'unsafe'];

function fixCase(c: Case, allow: FixSafety[], files?: Record<string, string>): void {
  bounded(c.label, c.text, () => {
    try {
      const fixed = fix(c.text, dockerfileRules, files, allow);
      if (fixed === c.text) return;
      expect(fix(fixed, dockerfileRules, files, allow), 'fixing the fixed text changes it again').toBe(fixed);
      expect(parseErrors(fixed), 'parse errors after fixing').toBeLessThanOrEqual(parseErrors(c.text));
      const before = instructionKinds(c.text);
      const after = instructionKinds(fixed);
      for (const [k, n] of before) expect(after.get(k) ?? 0, `${k} instructions after fixing`).toBeGreaterThanOrEqual(n);
      expect(after.get('FROM') ?? 0, 'stages after fixing').toBe(before.get('FROM') ?? 0);
      assertFindingsSane(fixed, lint(fixed, dockerfileRules, files));
      if (c.text.startsWith('\ufeff')) expect(fixed.startsWith('\ufeff'), 'the BOM is kept').toBe(true);
    } catch (e) {
      throw withInput(e, c.text, files);
    }
  });
}

fuzzFile('fuzz-fix.test.ts');

describe('fuzz: --fix', () => {
  it.skipIf(!corpusPresent)('on mutated real Dockerfiles (safe and unsafe fixes): idempotent, re-parses, loses nothing', () => {
    fc.assert(fc.property(mutatedCorpusArb, (c) => fixCase(c, ALL)), params(200));
  });

  it('on grammar Dockerfiles (safe and unsafe fixes): idempotent, re-parses, loses nothing', () => {
    fc.assert(fc.property(grammarArb, (c) => fixCase(c, ALL)), params(200));
  });

  it('safe fixes alone: idempotent, re-parses, loses nothing', () => {
    fc.assert(fc.property(dockerfileArb, (c) => fixCase(c, ['safe'])), params(100));
  });

  it('in project mode with mutated project files: idempotent, re-parses, loses nothing', () => {
    fc.assert(fc.property(dockerfileArb, projectFilesArb, (c, files) => fixCase(c, ALL, files)), params(100));
  });
});
