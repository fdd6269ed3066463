// CI003: CI and build scripts tag the image by branch and commit, not with one fixed tag.
import { defineProjectRule, type ProjectRuleContext } from '../../lint/rule.js';
import { buildName, buildsWhenCi } from './_ci.js';

const WF = (run: string): string => `on: push\njobs:\n  image:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: ${run}\n`;

export default defineProjectRule({
  level: 'project',
  code: 'CI003',
  name: 'tag-branch-commit',
  title: 'Tag by branch and commit',
  area: 'ci',
  severity: 'warning',
  scope: ['P', 'I'],
  sources: [],
  why: `A fixed tag (\`app:latest\`, \`app:prod\`) is overwritten by every build: you can't tell which commit is running,
roll back to the previous image, or warm the next build's cache from the same branch. Tag each build with the
commit (\`$GITHUB_SHA\`, \`\${{ github.sha }}\`, \`$CI_COMMIT_SHA\`, \`$(git rev-parse --short HEAD)\`) and the branch
(\`\${{ github.ref_name }}\`, \`$CI_COMMIT_REF_SLUG\`).

pyship judges builds in CI and in the build scripts of projects whose CI builds the image; a build counts as fixed
only when every tag is literal text — any variable (\`$TAG\`, \`\${{ steps.meta.outputs.tags }}\`) is taken as
intended. Builds whose tags come from a compose or bake file, and \`pyship build\` (it tags by branch and commit),
are not judged.`,
  examples: [
    { bad: { '.github/workflows/ci.yml': WF('docker build -t ghcr.io/acme/app:latest .') }, good: { '.github/workflows/ci.yml': WF('docker build -t ghcr.io/acme/app:${{ github.ref_name }} -t ghcr.io/acme/app:${{ github.sha }} .') } },
    {
      bad: { '.github/workflows/ci.yml': WF('./build.sh'), 'build.sh': '#!/bin/sh\nset -eu\ndocker build -t app:prod .\n' },
      good: { '.github/workflows/ci.yml': WF('./build.sh'), 'build.sh': '#!/bin/sh\nset -eu\ndocker build -t "app:$(git rev-parse --short HEAD)" .\n' },
    },
  ],
  check({ project, report }: ProjectRuleContext) {
    for (const b of buildsWhenCi(project)) {
      if (!b.tagsKnown || b.tags.length === 0 || b.tags.some((t) => t.dynamic)) continue;
      const t = b.tags[0]!;
      report({ file: b.file, span: t.span, message: `\`${buildName(b)}\` tags only fixed tags (\`${b.tags.map((x) => x.raw).join('`, `')}\`): tag by branch and commit (\`$GITHUB_SHA\`, \`$(git rev-parse --short HEAD)\`)` });
    }
  },
});
