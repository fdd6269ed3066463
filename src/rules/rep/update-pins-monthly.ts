// REP006: lock files change at least every 60 days, or a dependency bot keeps them current.
import { defineProjectRule, type ProjectRuleContext } from '../../lint/rule.js';
import { botCovers, dependencyBots } from '../../project/dependency-bots.js';

const DAYS = 60;
const LOCK = /(^|\/)(uv\.lock|poetry\.lock|Pipfile\.lock|pdm\.lock|pylock(\.[^/]+)?\.toml|requirements[^/]*\.txt)$/;
const SKIP = /(^|\/)(tests?|testdata|fixtures|examples?|docs?|vendor|third_party)\//;
/** Files whose age this rule would judge from git history: without git, the run says that it could not. */
const LOCKISH = /(^|\/)(poetry\.lock|uv\.lock|pdm\.lock|Pipfile\.lock|requirements[^/]*\.txt)$/;

export default defineProjectRule({
  level: 'project',
  code: 'REP006',
  name: 'update-pins-monthly',
  title: 'Update pins monthly',
  area: 'rep',
  severity: 'warning',
  scope: ['P'],
  sources: [],
  why: `Pinning makes builds reproducible; it also freezes every security bug in the pinned versions. Pins have to
move on a schedule — monthly is the guide's rhythm — by hand or by a bot. pyship reads the lock file's last commit
from git history (\`uv.lock\`, \`poetry.lock\`, \`Pipfile.lock\`, \`pdm.lock\`, \`pylock.toml\`, requirements files with
\`==\` pins) and flags one unchanged for more than ${DAYS} days when no Dependabot/Renovate config updates its
directory. Without git, or for an untracked lock file, there is nothing to judge and no finding. (The examples below
cannot carry git history: the bad one is only flagged in a repository whose lock file is old.)`,
  examples: [
    {
      bad: { 'requirements.txt': 'flask==3.1.0\n' },
      good: { 'requirements.txt': 'flask==3.1.0\n', '.github/dependabot.yml': 'version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n    schedule: {interval: monthly}\n' },
    },
  ],
  check({ project, report, note }: ProjectRuleContext) {
    if (!project.hasGit) {
      if (project.find((p) => LOCKISH.test(p)).length > 0) note(`is not a git work tree (or git is missing): REP006 (lock files unchanged for ${DAYS} days) skipped`);
      return;
    }
    const bots = dependencyBots(project);
    const now = Date.now() / 1000;
    for (const path of project.find((p) => LOCK.test(p) && !SKIP.test(p))) {
      if (/requirements[^/]*\.txt$/.test(path) && !/^[A-Za-z0-9_.\[\]-]+\s*==/m.test(project.file(path)?.text ?? '')) continue;
      const t = project.lastCommitTime(path);
      if (t === undefined) continue;
      const age = Math.floor((now - t) / 86400);
      if (age <= DAYS) continue;
      const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
      if (bots.some((b) => botCovers(b, 'python', dir))) continue;
      report({ file: path, span: { start: 0, end: 0 }, message: `\`${path}\` last changed ${age} days ago and no Dependabot/Renovate updates it: update pins monthly (or add a bot)` });
    }
  },
});
