// Runs rules over one parsed Dockerfile: the only place that turns rule reports into findings.
import type { Dockerfile } from '../dockerfile/model.js';
import type { Finding, Mode, ProjectFiles, Rule, Severity } from './rule.js';

export interface RunOptions {
  file?: string;
  mode: Mode;
  project?: ProjectFiles;
  /** Which codes run; default: every rule that is not opt-in. */
  enabled?: (code: string) => boolean;
  /** Severity after config overrides. */
  severityOf?: (code: string, fallback: Severity) => Severity;
}

/** Run each enabled rule's pure check() and collect findings sorted by position. A crashing rule is a finding, not a crash. */
export function runRules(df: Dockerfile, rules: readonly Rule[], options: RunOptions): Finding[] {
  const findings: Finding[] = [];
  const file = options.file ?? df.path;
  for (const rule of rules) {
    if (options.enabled ? !options.enabled(rule.code) : rule.optIn) continue;
    const base = options.severityOf ? options.severityOf(rule.code, rule.severity) : rule.severity;
    const seen = new Set<string>();
    try {
      rule.check({
        dockerfile: df,
        mode: options.mode,
        project: options.mode === 'project' ? options.project : undefined,
        report(r) {
          const key = `${r.span.start}:${r.span.end}:${r.message}`;
          if (seen.has(key)) return;
          seen.add(key);
          findings.push({
            code: rule.code,
            severity: r.severity && !options.severityOf ? r.severity : base,
            file,
            span: r.span,
            message: r.message,
            fix: r.fix && rule.fix ? { safety: r.fix.safety ?? rule.fix, description: r.fix.description, edits: r.fix.edits } : null,
          });
        },
      });
    } catch (e) {
      findings.push({
        code: rule.code,
        severity: 'error',
        file,
        span: { start: df.bodyStart, end: df.bodyStart },
        message: `internal error in rule ${rule.code} (${rule.name}): ${(e as Error).message}; please report it`,
        fix: null,
      });
    }
  }
  return findings.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end || a.code.localeCompare(b.code));
}
