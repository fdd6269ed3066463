// One Dockerfile text → findings: parse, run the enabled rules, honour inline suppressions, hand dead ones to their judge.
import { parseDockerfile } from '../dockerfile/parse.js';
import type { Dockerfile } from '../dockerfile/model.js';
import { applySuppressions, parseSuppressions, unusedSuppressions } from './ignore.js';
import type { Project } from '../project/model.js';
import { SUBCODE, type Finding, type Mode, type Rule, type Severity } from './rule.js';
import type { RuleSet } from './rule-set.js';
import { runRules } from './run.js';
import { judgeSuppressions } from './facts.js';

export interface CheckTextOptions {
  path: string;
  mode: Mode;
  project?: Project;
  /** Enabled codes; default every rule that is not opt-in. */
  enabled?: ReadonlySet<string>;
  /** Whether a passed-through tool code (SC2086) is on; default: yes. */
  subcodeEnabled?: (code: string) => boolean;
  severityOf?: (code: string, fallback: Severity) => Severity;
  /** The rules of the run: every code a suppression may name, and the Dockerfile rules that run (unless `rules`). */
  ruleSet: RuleSet;
  /** Run only these (a rule's examples); default: the set's Dockerfile rules. */
  rules?: readonly Rule[];
}

export interface CheckTextResult {
  dockerfile: Dockerfile;
  findings: Finding[];
}

export function checkText(text: string, options: CheckTextOptions): CheckTextResult {
  const df = parseDockerfile(text, { path: options.path });
  const rules = options.rules ?? options.ruleSet.dockerfile;
  const enabledSet = options.enabled ?? new Set(rules.filter((r) => !r.optIn).map((r) => r.code));
  const findings = runRules(df, rules, {
    file: options.path,
    mode: options.mode,
    project: options.project,
    enabled: (code) => enabledSet.has(code) || (SUBCODE.test(code) && (options.subcodeEnabled?.(code) ?? true)),
    severityOf: options.severityOf,
  });
  const { suppressions } = parseSuppressions(df, options.ruleSet.hadolint);
  const kept = applySuppressions(findings, suppressions);
  // the rule that reports dead suppressions (DF023, like Ruff's RUF100) judges them once every other rule has run
  const judges = rules.filter((r) => r.checkSuppressions && enabledSet.has(r.code));
  if (judges.length > 0) {
    kept.push(...judgeSuppressions(judges, unusedSuppressions(suppressions, enabledSet, options.ruleSet.known), options.path, options.severityOf));
    kept.sort((a, b) => a.span.start - b.span.start || a.code.localeCompare(b.code));
  }
  return { dockerfile: df, findings: kept };
}
