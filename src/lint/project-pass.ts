// Project rules (and Dockerfile rules' project parts) run once per repository, over the Dockerfiles checked in it,
// with the configuration of the project they were found in.
import { join } from 'node:path';
import type { Project } from '../project/model.js';
import { effectiveSeverity, resolveEnabled, subcodeIgnored, type Config } from './config.js';
import { runProjectRules, type ProjectDockerfile } from './run.js';
import { SUBCODE, type Finding } from './rule.js';
import type { RuleSet } from './rule-set.js';

/** A repository of the run: its project, the configuration its rules run with, the Dockerfiles checked in it. */
export interface RepositoryRun {
  root: Project;
  config: Config;
  dockerfiles: ProjectDockerfile[];
}

/** Run the project rules of each repository; `found` receives each enabled finding, `note` what a rule could not judge. */
export function runProjectPass(
  repositories: Iterable<RepositoryRun>, ruleSet: RuleSet, found: (root: Project, f: Finding) => void, note: (root: Project, message: string) => void,
): void {
  const judges = [...ruleSet.project, ...ruleSet.dockerfile.filter((r) => r.checkProject)];
  for (const { root, config, dockerfiles } of repositories) {
    const enabledHere = resolveEnabled(config, ruleSet.every);
    const rules = judges.filter((r) => enabledHere.has(r.code));
    const severityOf = (code: string, fallback: Finding['severity']) => effectiveSeverity(config, code, fallback);
    for (const f of runProjectRules(root, dockerfiles, rules, severityOf, config.extra, (m) => note(root, m))) {
      // per-file ignores apply where the finding is
      const abs = join(root.root, f.projectPath!);
      const on = SUBCODE.test(f.code) ? !subcodeIgnored(config, f.code) : resolveEnabled(config, ruleSet.every, abs).has(f.code);
      if (on) found(root, f);
    }
  }
}
