// Every runtime rule's examples run as tests without an engine: a record that must be flagged, one that must pass.
import { describe, expect, it } from 'vitest';
import { everyRule, runtimeRules, runtimeTable } from '../src/rules/index.js';
import { DEFAULT_RUNTIME_SETTINGS, figuresOf, runtimeRecord } from '../src/runtime/record.js';
import { judgeRuntime } from '../src/smoke/judge.js';
import type { AnyRule, RuntimeRuleExample } from '../src/lint/rule.js';

const runtime = everyRule.filter((r) => r.checkRuntime);

function judge(rule: AnyRule, facts: RuntimeRuleExample['bad'], ex: RuntimeRuleExample) {
  const record = runtimeRecord('app:example', facts);
  const settings = { ...DEFAULT_RUNTIME_SETTINGS, ...ex.settings };
  return { record, settings, ...judgeRuntime([rule], record, settings) };
}

describe('runtime rules', () => {
  it('every rule seen in a running container judges one', () => {
    expect(everyRule.filter((r) => r.scope.includes('R') && !r.checkRuntime).map((r) => r.code)).toEqual([]);
  });
  it('smoke runs each of them once, and its table shows each', () => {
    const codes = runtime.map((r) => r.code).sort();
    expect(runtimeRules.map((r) => r.code).sort()).toEqual(codes);
    expect(runtimeTable.map((r) => r.code).sort()).toEqual(codes);
  });
});

for (const rule of runtime) {
  describe(`${rule.code} ${rule.name} (running container)`, () => {
    const examples = rule.runtimeExamples ?? [];
    it('has runtime examples and summary rows', () => {
      expect(examples.length).toBeGreaterThan(0);
      expect(rule.runtimeRows).toBeDefined();
    });
    examples.forEach((ex, i) => {
      it(`example ${i + 1}: bad record is flagged`, () => {
        const { findings } = judge(rule, ex.bad, ex);
        expect(findings.length, `expected ${rule.code} on ${JSON.stringify(ex.bad)}`).toBeGreaterThan(0);
        for (const f of findings) {
          expect(f).toMatchObject({ code: rule.code, file: 'app:example', span: { start: 0, end: 0 }, fix: null });
          expect(f.message.trim()).not.toBe('');
        }
      });
      it(`example ${i + 1}: good record is clean`, () => {
        expect(judge(rule, ex.good, ex).findings.map((f) => f.message)).toEqual([]);
      });
      it(`example ${i + 1}: the summary rows read both records`, () => {
        for (const [facts, failed] of [[ex.bad, true], [ex.good, false]] as const) {
          const { record, settings } = judge(rule, facts, ex);
          const rows = rule.runtimeRows!({ figures: figuresOf(record), settings, failed });
          expect(rows.length).toBeGreaterThan(0);
          for (const row of rows) expect(row.label.trim() && row.value.trim()).toBeTruthy();
        }
      });
    });
  });
}
