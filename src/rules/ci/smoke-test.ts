// CI001: every CI job that builds and pushes the image runs it first.
import { defineProjectRule, type ProjectRuleContext } from '../../lint/rule.js';
import { runCommands } from '../../project/ci.js';
import { TOOL_IMAGE } from '../../project/docker-cli.js';
import { buildName, ciBuilds } from './_ci.js';

const WF = (steps: string): string => `on: push\njobs:\n  image:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n${steps}`;

export default defineProjectRule({
  level: 'project',
  code: 'CI001',
  name: 'smoke-test',
  title: 'Smoke-test the image in CI',
  area: 'ci',
  severity: 'warning',
  scope: ['P'],
  sources: [],
  why: `An image that builds is not an image that starts: a missing system library, a wrong \`CMD\`, a module that only
imports on the developer's machine all pass \`docker build\` and fail in production. Running the freshly built image
once before pushing it — even just \`docker run --rm IMAGE python -c "import app"\` — catches them while the old
image is still the one deployed.

pyship judges each CI job that builds **and pushes** the image: it needs a \`docker run\` of an image (not a tool
such as hadolint or a database service), \`pyship smoke\`, \`container-structure-test\` or \`pyship build\` (which
smokes by default) after its first build. Projects without CI building the image are not judged.`,
  examples: [
    {
      bad: { '.github/workflows/image.yml': WF('      - run: |\n          docker build -t ghcr.io/acme/app:${{ github.sha }} .\n          docker push ghcr.io/acme/app:${{ github.sha }}\n') },
      good: { '.github/workflows/image.yml': WF('      - run: |\n          docker build -t ghcr.io/acme/app:${{ github.sha }} .\n          docker run --rm ghcr.io/acme/app:${{ github.sha }} python -c "import app"\n          docker push ghcr.io/acme/app:${{ github.sha }}\n') },
    },
    {
      bad: { '.github/workflows/image.yml': WF('      - run: docker run --rm -i hadolint/hadolint < Dockerfile\n      - uses: docker/build-push-action@v6\n        with:\n          push: true\n          tags: ghcr.io/acme/app:${{ github.sha }}\n') },
      good: { '.github/workflows/image.yml': WF('      - uses: docker/build-push-action@v6\n        with:\n          load: true\n          tags: app:test\n      - run: pyship smoke app:test\n      - uses: docker/build-push-action@v6\n        with:\n          push: true\n          tags: ghcr.io/acme/app:${{ github.sha }}\n') },
    },
  ],
  check({ project, report }: ProjectRuleContext) {
    const builds = ciBuilds(project);
    const runs = runCommands(project).filter((r) => r.ci && !(r.image && TOOL_IMAGE.test(r.image)));
    const done = new Set<unknown>();
    for (const b of builds) {
      if (!b.push || done.has(b.job)) continue;
      const first = Math.min(...builds.filter((x) => x.job === b.job).map((x) => x.order));
      if (runs.some((r) => r.job === b.job && r.order > first) || b.tool === 'pyship') continue;
      done.add(b.job);
      report({ file: b.file, span: b.span, message: `CI job \`${b.job.id}\` pushes the image from \`${buildName(b)}\` without running it first: add a smoke test (\`docker run --rm IMAGE python -c "import app"\` or \`pyship smoke\`) before the push` });
    }
  },
});
