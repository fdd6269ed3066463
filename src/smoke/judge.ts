// The runtime rules run over a filled record: what `pyship smoke` does once its containers are gone, and what the
// rule examples do without an engine. Findings and notes come in the order of the rules given.
import type { AnyRule, Finding } from '../lint/rule.js';
import type { RuntimeRecord, RuntimeSettings } from '../runtime/record.js';

export interface RuntimeJudgment {
  findings: Finding[];
  notes: string[];
}

export function judgeRuntime(rules: readonly AnyRule[], record: RuntimeRecord, settings: RuntimeSettings): RuntimeJudgment {
  const findings: Finding[] = [];
  const notes: string[] = [];
  for (const rule of rules) {
    rule.checkRuntime?.({
      record,
      settings,
      report: (message, severity) => void findings.push({
        code: rule.code, severity: severity ?? rule.severity, file: record.image, span: { start: 0, end: 0 }, message, fix: null,
      }),
      note: (text) => void notes.push(text),
    });
  }
  return { findings, notes };
}
