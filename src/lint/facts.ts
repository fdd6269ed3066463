// What the engine itself learns checking a file (it could not be read whole; suppressions that suppressed nothing) is
// a fact, not a finding: the rules that judge it (DF022, DF023) report it, so config severity and ignore apply as to any rule.
import type { Span } from '../dockerfile/model.js';
import type { Finding, Report, Rule, Severity } from './rule.js';

type SeverityOf = (code: string, fallback: Severity) => Severity;

/** Findings of the `judges` (enabled rules that have the hook) on a file the engine could not read whole. */
export function judgeUnread(judges: readonly Rule[], problem: { message: string; offset: number }, file: string, severityOf?: SeverityOf): Finding[] {
  return collect(judges, file, severityOf, (rule, report) => rule.checkUnread?.({ facts: problem, report }));
}

/** Findings of the `judges` (enabled rules that have the hook) on the suppressions that suppressed nothing. */
export function judgeSuppressions(judges: readonly Rule[], unused: readonly { span: Span; message: string }[], file: string, severityOf?: SeverityOf): Finding[] {
  return collect(judges, file, severityOf, (rule, report) => rule.checkSuppressions?.({ facts: unused, report }));
}

function collect(judges: readonly Rule[], file: string, severityOf: SeverityOf | undefined, run: (rule: Rule, report: (r: Report) => void) => void): Finding[] {
  const findings: Finding[] = [];
  for (const rule of judges) {
    const severity = severityOf?.(rule.code, rule.severity) ?? rule.severity;
    run(rule, (r) => findings.push({
      code: rule.code,
      severity: r.severity ? (severityOf?.(rule.code, r.severity) ?? r.severity) : severity,
      file,
      span: r.span,
      message: r.message,
      fix: null,
    }));
  }
  return findings;
}
