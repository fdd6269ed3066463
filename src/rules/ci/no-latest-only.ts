// CI004: don't push only `latest` (or no tag).
import { defineProjectRule, type ProjectRuleContext } from '../../lint/rule.js';
import { buildName, buildsWhenCi } from './_ci.js';

const WF = (run: string): string => `on: push\njobs:\n  image:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: |\n          ${run.split('\n').join('\n          ')}\n`;

export default defineProjectRule({
  level: 'project',
  code: 'CI004',
  name: 'no-latest-only',
  title: "Don't rely on `latest`",
  area: 'ci',
  severity: 'warning',
  scope: ['P'],
  sources: [],
  why: `\`latest\` is just the default tag, not "the newest" or "the production" image: whoever pushes last wins, and
\`docker pull app\` on two hosts minutes apart can give two different images. Pushing only \`:latest\` (or no tag,
which is \`:latest\`) leaves nothing to roll back to and nothing that says what runs where. Push per-branch and
per-commit tags and name production explicitly (\`:production\`). \`FROM …:latest\` in a Dockerfile is REP001.

pyship judges builds that push (\`--push\`, \`push: true\`, a later \`docker push\`) in CI and in the build scripts of
projects whose CI builds the image; a tag with a variable other than the literal \`:latest\` is taken as intended.`,
  examples: [
    { bad: { '.github/workflows/ci.yml': WF('docker build -t ghcr.io/acme/app .\ndocker push ghcr.io/acme/app') }, good: { '.github/workflows/ci.yml': WF('docker build -t ghcr.io/acme/app:${{ github.sha }} -t ghcr.io/acme/app:latest .\ndocker push --all-tags ghcr.io/acme/app') } },
    { bad: { '.github/workflows/ci.yml': WF('docker buildx build --push -t "$REGISTRY/app:latest" .') }, good: { '.github/workflows/ci.yml': WF('docker buildx build --push -t "$REGISTRY/app:$GITHUB_SHA" .') } },
  ],
  check({ project, report }: ProjectRuleContext) {
    for (const b of buildsWhenCi(project)) {
      if (!b.push || !b.tagsKnown) continue;
      if (b.tags.length > 0 && !b.tags.every((t) => t.tag === 'latest')) continue;
      const t = b.tags[0];
      report({
        file: b.file, span: t?.span ?? b.span,
        message: t ? `\`${buildName(b)}\` pushes only \`:latest\`: push per-branch and per-commit tags and name production explicitly` : `\`${buildName(b)}\` pushes the image without a tag (\`:latest\`): tag by branch and commit`,
      });
    }
  },
});
