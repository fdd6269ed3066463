// One Dockerfile text → findings: parse, run the enabled rules, honour inline suppressions, report dead ones.
import { parseDockerfile } from '../dockerfile/parse.js';
import type { Dockerfile } from '../dockerfile/model.js';
import { allRules, everyRule, rulesByCode } from '../rules/index.js';
import { applySuppressions, parseSuppressions, unusedSuppressions } from './ignore.js';
import type { Project } from '../project/model.js';
import { SUBCODE, type Finding, type Mode, type Rule, type Severity } from './rule.js';
import { runRules } from './run.js';

/** Code of the rule that reports malformed and unused suppression comments (like Ruff's RUF100). */
export const SUPPRESSION_CODE = 'DF023';

/** hadolint ids that pyship rules cover, so `# hadolint ignore=DL3008` keeps working. */
export const HADOLINT_MAP: ReadonlyMap<string, string> = (() => {
  const map = new Map<string, string>();
  for (const rule of everyRule) {
    for (const s of rule.sources) if (s.startsWith('hadolint:')) map.set(s.slice('hadolint:'.length), rule.code);
  }
  return map;
})();

export interface CheckTextOptions {
  path: string;
  mode: Mode;
  project?: Project;
  /** Enabled codes; default every rule that is not opt-in. */
  enabled?: ReadonlySet<string>;
  /** Whether a passed-through tool code (SC2086) is on; default: yes. */
  subcodeEnabled?: (code: string) => boolean;
  severityOf?: (code: string, fallback: Severity) => Severity;
  rules?: readonly Rule[];
}

export interface CheckTextResult {
  dockerfile: Dockerfile;
  findings: Finding[];
}

const KNOWN = new Set(everyRule.map((r) => r.code));

export function checkText(text: string, options: CheckTextOptions): CheckTextResult {
  const df = parseDockerfile(text, { path: options.path });
  const rules = options.rules ?? allRules;
  const enabledSet = options.enabled ?? new Set(rules.filter((r) => !r.optIn).map((r) => r.code));
  const findings = runRules(df, rules, {
    file: options.path,
    mode: options.mode,
    project: options.project,
    enabled: (code) => enabledSet.has(code) || (SUBCODE.test(code) && (options.subcodeEnabled?.(code) ?? true)),
    severityOf: options.severityOf,
  });
  const { suppressions } = parseSuppressions(df, HADOLINT_MAP);
  const kept = applySuppressions(findings, suppressions);
  if (enabledSet.has(SUPPRESSION_CODE)) {
    const rule = rulesByCode.get(SUPPRESSION_CODE);
    const severity = rule ? (options.severityOf?.(SUPPRESSION_CODE, rule.severity) ?? rule.severity) : 'info';
    for (const u of unusedSuppressions(suppressions, enabledSet, KNOWN)) {
      kept.push({
        code: SUPPRESSION_CODE,
        severity,
        file: options.path,
        span: u.span,
        message: u.message,
        fix: null,
      });
    }
    kept.sort((a, b) => a.span.start - b.span.start || a.code.localeCompare(b.code));
  }
  return { dockerfile: df, findings: kept };
}
