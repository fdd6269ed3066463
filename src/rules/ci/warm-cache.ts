// CI005: CI builds warm the build cache (--cache-from/--cache-to), per-branch builds also from the production tag.
import { defineProjectRule, type ProjectRuleContext } from '../../lint/rule.js';
import { buildName, ciBuilds } from './_ci.js';

const WF = (step: string): string => `on: push\njobs:\n  image:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n${step}`;
/** Default-branch / production tags a per-branch build should also read its cache from. */
const PRODUCTION = /:(production|prod|main|master|latest|cache|buildcache)\b|[:-](production|main|master)\b/;

export default defineProjectRule({
  level: 'project',
  code: 'CI005',
  name: 'warm-cache',
  title: 'Warm the build cache',
  area: 'ci',
  severity: 'info',
  scope: ['P'],
  sources: [],
  why: `CI runners are fresh machines: without \`--cache-from\` (or BuildKit's \`--cache-to\`/\`--cache-from\` with
\`type=gha\` or \`type=registry\`) every build reinstalls every dependency from scratch. A per-branch build should also
read the production tag's cache, so a new branch starts warm.

pyship judges each build in CI on an ephemeral runner (GitHub-hosted, GitLab without runner tags). Builds with
\`--no-cache\` (the SEC006 weekly rebuild), compose/bake builds (their cache settings live in their files) and
\`pyship build\` (it warms the cache itself) are exempt. A per-branch build (tagged with the branch) whose registry
cache comes from no production/default-branch tag (\`:production\`, \`:main\`, \`:master\`, \`:latest\`, a \`:cache\` ref)
is flagged too; \`type=gha\` caches fall back to the default branch's by themselves. The configured
A tag named by \`[tool.pyship] production-tag\` counts too, besides \`production\` and the default-branch names.`,
  examples: [
    {
      bad: { '.github/workflows/ci.yml': WF('      - run: docker build -t ghcr.io/acme/app:${{ github.sha }} .\n') },
      good: { '.github/workflows/ci.yml': WF('      - uses: docker/build-push-action@v6\n        with:\n          tags: ghcr.io/acme/app:${{ github.sha }}\n          cache-from: type=gha\n          cache-to: type=gha,mode=max\n') },
    },
    {
      bad: { '.github/workflows/ci.yml': WF('      - run: docker buildx build --cache-from type=registry,ref=ghcr.io/acme/app:${{ github.ref_name }} -t ghcr.io/acme/app:${{ github.ref_name }} .\n') },
      good: { '.github/workflows/ci.yml': WF('      - run: docker buildx build --cache-from ghcr.io/acme/app:${{ github.ref_name }} --cache-from ghcr.io/acme/app:production -t ghcr.io/acme/app:${{ github.ref_name }} .\n      - run: docker build --pull --no-cache -t app:fresh .\n') },
    },
  ],
  check({ project, report, settings }: ProjectRuleContext) {
    const configured = settings['production-tag'];
    const prodTag = typeof configured === 'string' && configured !== '' ? configured : undefined;
    for (const b of ciBuilds(project)) {
      if (!b.job.ephemeral || b.noCache || b.fresh || b.tool === 'pyship' || b.tool === 'compose' || b.tool === 'compose-v1' || b.tool === 'bake') continue;
      if (b.cacheFrom.length === 0 && b.cacheTo.length === 0) {
        report({ file: b.file, span: b.span, message: `\`${buildName(b)}\` on a fresh CI runner has no build cache: add \`--cache-from\`/\`--cache-to\` (\`type=gha\` or \`type=registry\`)` });
        continue;
      }
      if (!b.tags.some((t) => t.usesBranch) || b.cacheFrom.length === 0) continue;
      if (b.cacheFrom.some((c) => c.type !== 'registry' || PRODUCTION.test(c.ref ?? c.raw) || (prodTag !== undefined && (c.ref ?? c.raw).endsWith(`:${prodTag}`)))) continue;
      const c = b.cacheFrom[0]!;
      report({ file: b.file, span: c.span, message: `per-branch \`${buildName(b)}\` reads its cache only from branch tags: also use the production tag as cache (\`--cache-from IMAGE:production\`) so new branches start warm` });
    }
  },
});
