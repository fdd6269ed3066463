// SEC007: Dependabot (pip and docker ecosystems) or Renovate tells the project about security fixes.
import { defineProjectRule, type ProjectRuleContext } from '../../lint/rule.js';
import { botCovers, dependencyBots } from '../../project/dependency-bots.js';
import { detectPython } from '../../project/python.js';
import type { CtxDockerfile } from '../ci/_ci.js';

export default defineProjectRule({
  level: 'project',
  code: 'SEC007',
  name: 'dependency-updates',
  title: 'Get told about security fixes',
  area: 'security',
  severity: 'warning',
  scope: ['P'],
  sources: [],
  why: `Pinned dependencies and base images don't update themselves: a project learns about a vulnerable Django or a
patched base image only if something opens the pull request. Dependabot (\`.github/dependabot.yml\` with the \`pip\`
(or \`uv\`) **and** \`docker\` ecosystems) or Renovate (\`renovate.json\`, \`.renovaterc\`, \`.github/renovate.json\`…)
does. pyship flags a project with neither, and a Dependabot config missing one of the two ecosystems (\`conda\` counts
as Python; a repository without Python manifests needs only \`docker\`); a Renovate config counts unless its
\`enabledManagers\` leaves out Python or Docker.`,
  examples: [
    {
      bad: { 'requirements.txt': 'flask==3.1.0\n' },
      good: { 'requirements.txt': 'flask==3.1.0\n', '.github/dependabot.yml': 'version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n    schedule: {interval: monthly}\n  - package-ecosystem: docker\n    directory: /\n    schedule: {interval: monthly}\n' },
    },
    {
      bad: { '.github/dependabot.yml': 'version: 2\nupdates:\n  - package-ecosystem: github-actions\n    directory: /\n    schedule: {interval: monthly}\n' },
      good: { 'renovate.json': '{"extends": ["config:recommended"]}\n' },
    },
    {
      bad: { 'environment.yml': 'dependencies:\n  - python=3.12\n', '.github/dependabot.yml': 'version: 2\nupdates:\n  - package-ecosystem: docker\n    directory: /\n    schedule: {interval: monthly}\n' },
      good: { 'environment.yml': 'dependencies:\n  - python=3.12\n', '.github/dependabot.yml': 'version: 2\nupdates:\n  - package-ecosystem: conda\n    directory: /\n    schedule: {interval: monthly}\n  - package-ecosystem: docker\n    directory: /\n    schedule: {interval: monthly}\n' },
    },
  ],
  check({ project, dockerfiles, report }: ProjectRuleContext) {
    const bots = dependencyBots(project);
    if (bots.length === 0) {
      report({ file: (dockerfiles as CtxDockerfile[])[0]?.path ?? 'Dockerfile', span: { start: 0, end: 0 }, message: 'no Dependabot or Renovate config: add `.github/dependabot.yml` with the `pip` and `docker` ecosystems so security fixes reach you' });
      return;
    }
    // a repository with no Python manifests (a Node tool's image, say) has only the base image to keep current
    const kinds = detectPython(project).managers.length > 0 ? (['python', 'docker'] as const) : (['docker'] as const);
    const missing = kinds.filter((k) => !bots.some((b) => botCovers(b, k)));
    if (missing.length === 0) return;
    const bot = bots.find((b) => b.kind === 'dependabot') ?? bots[0]!;
    const names = missing.map((m) => (m === 'python' ? '`pip` (or `uv`)' : '`docker`')).join(' and ');
    report({ file: bot.file, span: { start: 0, end: 0 }, message: `${bot.kind === 'dependabot' ? 'Dependabot' : 'Renovate'} does not update ${names} dependencies: add ${missing.length > 1 ? 'those ecosystems' : 'that ecosystem'} so security fixes reach you` });
  },
});
