// The rules a check is handed (the engine imports no registry: commands and tests pass theirs), and what the engine
// reads from them once: which codes exist, which rules run per Dockerfile and per project, hadolint's ids.
import { isImageRule, isProjectRule, type AnyRule, type ProjectRule, type Rule } from './rule.js';

export interface RuleSet {
  /** Every rule, whatever it reads, sorted by code: what config, selectors and suppressions may name. */
  readonly every: readonly AnyRule[];
  /** Rules that judge one Dockerfile (run per file). */
  readonly dockerfile: readonly Rule[];
  /** Rules that judge the project around the Dockerfiles (run once per project, in project mode). */
  readonly project: readonly ProjectRule[];
  /** Every code. */
  readonly known: ReadonlySet<string>;
  /** hadolint id → the pyship code that covers it, so `# hadolint ignore=DL3008` keeps working. */
  readonly hadolint: ReadonlyMap<string, string>;
}

export function ruleSet(every: readonly AnyRule[]): RuleSet {
  const hadolint = new Map<string, string>();
  for (const rule of every) {
    for (const s of rule.sources) if (s.startsWith('hadolint:')) hadolint.set(s.slice('hadolint:'.length), rule.code);
  }
  return {
    every,
    dockerfile: every.filter((r): r is Rule => !isProjectRule(r) && !isImageRule(r)),
    project: every.filter(isProjectRule),
    known: new Set(every.map((r) => r.code)),
    hadolint,
  };
}
