// Every image check's examples run as tests without an engine: each example image is built as a `docker save`
// archive in memory and read by the real reader; the bad one is flagged, the good one is clean.
import { describe, expect, it } from 'vitest';
import { isImageRule } from '../src/lint/rule.js';
import { everyRule } from '../src/rules/index.js';
import { auditExample } from './image/example.js';

const withImagePart = everyRule.filter((r) => r.checkImage).map((r) => ({ rule: r, examples: isImageRule(r) ? r.examples : r.imageExamples ?? [] }));

describe('image checks', () => {
  it('are the I-scope rules', () => {
    expect(withImagePart.length).toBeGreaterThan(15);
    for (const { rule } of withImagePart) expect(rule.scope, rule.code).toContain('I');
  });
});

for (const { rule, examples } of withImagePart) {
  describe(`${rule.code} ${rule.name} (image)`, () => {
    it('has image examples', () => expect(examples.length).toBeGreaterThan(0));
    examples.forEach((ex, i) => {
      it(`example ${i + 1}: bad image is flagged`, async () => {
        const r = await auditExample(rule, ex.bad, ex.settings);
        expect(r.findings.length, `expected ${rule.code} on ${JSON.stringify(ex.bad, null, 1)}`).toBeGreaterThan(0);
        for (const f of r.findings) {
          expect(f.code).toBe(rule.code);
          expect(f.span.end).toBeLessThanOrEqual(r.text.length);
          expect(f.message).not.toMatch(/internal error/);
        }
      });
      it(`example ${i + 1}: good image is clean`, async () => {
        const r = await auditExample(rule, ex.good, ex.settings);
        expect(r.findings.map((f) => f.message)).toEqual([]);
      });
    });
  });
}
