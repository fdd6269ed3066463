// Every rule's documented examples run as tests: bad is flagged, good is clean, and the fix turns bad into good.
import { describe, expect, it } from 'vitest';
import { dockerfileRules, projectRules } from '../src/rules/index.js';
import { fix, lint, lintProject } from './helpers.js';

for (const rule of dockerfileRules) {
  describe(`${rule.code} ${rule.name}`, () => {
    it('has examples', () => expect(rule.examples.length).toBeGreaterThan(0));
    rule.examples.forEach((ex, i) => {
      it(`example ${i + 1}: bad is flagged`, () => {
        const found = lint(ex.bad, [rule], ex.files).filter((f) => f.code === rule.code);
        expect(found.length, `expected ${rule.code} on:\n${ex.bad}`).toBeGreaterThan(0);
        for (const f of found) {
          expect(f.span.start).toBeGreaterThanOrEqual(0);
          expect(f.span.end).toBeLessThanOrEqual(ex.bad.length);
          expect(f.message).not.toMatch(/internal error/);
        }
      });
      it(`example ${i + 1}: good is clean`, () => {
        const found = lint(ex.good, [rule], ex.files).filter((f) => f.code === rule.code);
        expect(found.map((f) => f.message), `expected no ${rule.code} on:\n${ex.good}`).toEqual([]);
      });
    });
    if (rule.fix) {
      it('its fix turns a bad example into the good one', () => {
        let fixedAny = false;
        for (const ex of rule.examples) {
          const hasFix = lint(ex.bad, [rule], ex.files).some((f) => f.code === rule.code && f.fix);
          if (!hasFix) continue;
          fixedAny = true;
          expect(fix(ex.bad, [rule], ex.files)).toBe(ex.fixed ?? ex.good);
        }
        expect(fixedAny, `${rule.code} declares fix '${rule.fix}' but no example produces one`).toBe(true);
      });
    }
  });
}

const withProjectPart = [
  ...projectRules.map((r) => ({ rule: r, examples: r.examples })),
  ...dockerfileRules.filter((r) => r.checkProject).map((r) => ({ rule: r, examples: r.projectExamples ?? [] })),
];

for (const { rule, examples } of withProjectPart) {
  describe(`${rule.code} ${rule.name} (project)`, () => {
    it('has project examples', () => expect(examples.length).toBeGreaterThan(0));
    examples.forEach((ex, i) => {
      it(`example ${i + 1}: bad project is flagged`, () => {
        const found = lintProject(ex.bad, [rule]).filter((f) => f.code === rule.code);
        expect(found.length, `expected ${rule.code} on ${JSON.stringify(ex.bad, null, 1)}`).toBeGreaterThan(0);
        for (const f of found) expect(f.message).not.toMatch(/internal error/);
      });
      it(`example ${i + 1}: good project is clean`, () => {
        const found = lintProject(ex.good, [rule]).filter((f) => f.code === rule.code);
        expect(found.map((f) => `${f.file}: ${f.message}`)).toEqual([]);
      });
    });
  });
}
