// Runs rules over one parsed Dockerfile: the only place that turns rule reports into findings.
import type { Dockerfile } from '../dockerfile/model.js';
import type { Project } from '../project/model.js';
import { SUBCODE, type Finding, type Mode, type ProjectRule, type Rule, type RuleContext, type Severity } from './rule.js';

export interface RunOptions {
  file?: string;
  mode: Mode;
  project?: Project;
  /** Which codes run; default: every rule that is not opt-in. */
  enabled?: (code: string) => boolean;
  /** Severity after config overrides. */
  severityOf?: (code: string, fallback: Severity) => Severity;
}

/** Run each enabled rule's pure check() and collect findings sorted by position. A crashing rule is a finding, not a crash. */
export function runRules(df: Dockerfile, rules: readonly Rule[], options: RunOptions): Finding[] {
  const findings: Finding[] = [];
  const file = options.file ?? df.path;
  // one context per file; `report` reads the current rule (rules run one after another, synchronously)
  let rule: Rule = rules[0]!;
  let severity: Severity = 'error';
  // this rule's findings so far by span start: the duplicate check must not compare each report with all of them
  // (one map for the file, emptied between rules: most rules report nothing)
  const seen = new Map<number, Finding[]>();
  const ctx: RuleContext = {
    dockerfile: df,
    mode: options.mode,
    project: options.mode === 'project' ? options.project : undefined,
    report(r) {
      // the same span and message twice from one rule is one finding
      const same = seen.get(r.span.start);
      if (same?.some((f) => f.span.end === r.span.end && f.message === r.message && f.projectPath === r.file)) return;
      const code = r.code && SUBCODE.test(r.code) ? r.code : rule.code;
      if (code !== rule.code && options.enabled && !options.enabled(code)) return;
      const finding: Finding = {
        code,
        // a report's own severity (ShellCheck's level, a worse secret) is the default that config can still override
        severity: r.severity ? (options.severityOf ? options.severityOf(code, r.severity) : r.severity) : severity,
        file,
        span: r.span,
        message: r.message,
        fix: r.fix && rule.fix && !r.file ? { safety: r.fix.safety ?? rule.fix, description: r.fix.description, edits: r.fix.edits } : null,
        ...(r.file ? { projectPath: r.file } : {}),
      };
      findings.push(finding);
      if (same) same.push(finding);
      else seen.set(r.span.start, [finding]);
    },
  };
  for (const r of rules) {
    if (options.enabled ? !options.enabled(r.code) : r.optIn) continue;
    rule = r;
    severity = options.severityOf ? options.severityOf(r.code, r.severity) : r.severity;
    if (seen.size > 0) seen.clear();
    try {
      r.check(ctx);
    } catch (e) {
      findings.push({
        code: r.code,
        severity: 'error',
        file,
        span: { start: df.bodyStart, end: df.bodyStart },
        message: `internal error in rule ${r.code} (${r.name}): ${(e as Error).message}; please report it`,
        fix: null,
      });
    }
  }
  return findings.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end || a.code.localeCompare(b.code));
}

/** A Dockerfile as project rules see it: root-relative path, model, and the project of its build context. */
export interface ProjectDockerfile {
  path: string;
  dockerfile: Dockerfile;
  context: Project;
}

/** Run project-level rules once over a project; findings carry `projectPath` (root-relative), notes go to `note`. */
export function runProjectRules(
  project: Project,
  dockerfiles: ProjectDockerfile[],
  rules: readonly (ProjectRule | Rule)[],
  severityOf?: (code: string, fallback: Severity) => Severity,
  settings: Readonly<Record<string, unknown>> = {},
  note: (message: string) => void = () => {},
): Finding[] {
  const findings: Finding[] = [];
  // by span start, for the duplicate check (comparing each report with every finding so far was quadratic)
  const byStart = new Map<number, Finding[]>();
  for (const rule of rules) {
    const severity = severityOf ? severityOf(rule.code, rule.severity) : rule.severity;
    // a project rule's check, or a Dockerfile rule's project part
    const check = 'level' in rule ? rule.check : rule.checkProject;
    if (!check) continue;
    try {
      check.call(rule, {
        project,
        dockerfiles,
        settings,
        note,
        report(r) {
          const same = byStart.get(r.span.start);
          if (same?.some((f) => (f.code === rule.code || f.code === r.code) && f.projectPath === r.file && f.message === r.message)) return;
          const code = r.code && SUBCODE.test(r.code) ? r.code : rule.code;
          const finding: Finding = {
            code,
            severity: r.severity ? (severityOf ? severityOf(code, r.severity) : r.severity) : severity,
            file: r.file,
            span: r.span,
            message: r.message,
            fix: null,
            projectPath: r.file,
          };
          findings.push(finding);
          if (same) same.push(finding);
          else byStart.set(r.span.start, [finding]);
        },
      });
    } catch (e) {
      findings.push({
        code: rule.code, severity: 'error', file: '.', span: { start: 0, end: 0 }, projectPath: '.',
        message: `internal error in rule ${rule.code} (${rule.name}): ${(e as Error).message}; please report it`, fix: null,
      });
    }
  }
  return findings;
}
