// MS003: CI caches every stage of a multi-stage build, not only the final image.
import { defineProjectRule, type ProjectRuleContext } from '../../lint/rule.js';
import { buildName, ciBuilds, dockerfileOf, type CtxDockerfile } from '../ci/_ci.js';

const DF = 'FROM python:3.13-slim-trixie AS build\nRUN python -m venv /venv\nFROM python:3.13-slim-trixie\nCOPY --from=build /venv /venv\n';
const WF = (run: string): string => `on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ${run}\n`;

export default defineProjectRule({
  level: 'project',
  code: 'MS003',
  name: 'cache-every-stage',
  title: 'Cache every stage',
  area: 'ms',
  severity: 'info',
  scope: ['P'],
  sources: [],
  why: `A registry cache of the final image holds only the final stage's layers: the build stage, where the slow
compiles and installs happen, is rebuilt from scratch on every CI run. Export every stage with
\`--cache-to type=registry,ref=…,mode=max\` (or push a \`--target build\` image and use it as \`--cache-from\`).
pyship judges CI builds of multi-stage Dockerfiles: \`--cache-to\` with \`type=registry\` or \`type=inline\` without
\`mode=max\`, and \`--cache-from\` registry refs with no \`--cache-to\` when no build in the job targets a stage or
names a \`build\` cache tag.`,
  examples: [
    {
      bad: { 'Dockerfile': DF, '.github/workflows/ci.yml': WF('docker buildx build --cache-to type=registry,ref=ghcr.io/acme/app:cache --cache-from ghcr.io/acme/app:cache -t ghcr.io/acme/app:${{ github.sha }} .') },
      good: { 'Dockerfile': DF, '.github/workflows/ci.yml': WF('docker buildx build --cache-to type=registry,ref=ghcr.io/acme/app:cache,mode=max --cache-from ghcr.io/acme/app:cache -t ghcr.io/acme/app:${{ github.sha }} .') },
    },
    {
      bad: { 'Dockerfile': DF, '.github/workflows/ci.yml': WF('docker build --cache-from ghcr.io/acme/app:main --build-arg BUILDKIT_INLINE_CACHE=1 -t ghcr.io/acme/app:main .') },
      good: { 'Dockerfile': 'FROM python:3.13-slim-trixie\n', '.github/workflows/ci.yml': WF('docker build --cache-from ghcr.io/acme/app:main --build-arg BUILDKIT_INLINE_CACHE=1 -t ghcr.io/acme/app:main .') },
    },
  ],
  check({ project, dockerfiles, report }: ProjectRuleContext) {
    const builds = ciBuilds(project);
    for (const b of builds) {
      const d = dockerfileOf(b, dockerfiles as CtxDockerfile[]);
      if (!d || d.dockerfile.stages.length < 2 || b.target) continue;
      const minTo = b.cacheTo.find((c) => (c.type === 'registry' || c.type === 'inline') && c.mode !== 'max');
      if (minTo) {
        report({ file: b.file, span: minTo.span, message: `\`--cache-to ${minTo.type === 'inline' ? 'type=inline' : 'type=registry'}\` without \`mode=max\` caches only the final stage of the multi-stage build: add \`mode=max\`` });
        continue;
      }
      if (b.cacheTo.length > 0) continue;
      const from = b.cacheFrom.filter((c) => c.type === 'registry');
      if (from.length === 0 || from.some((c) => /build/i.test(c.ref ?? c.raw))) continue;
      if (builds.some((x) => x.job === b.job && x.target)) continue;
      report({ file: b.file, span: from[0]!.span, message: `\`${buildName(b)}\` caches only from the final image of a multi-stage build: the build stage is rebuilt every time; use \`--cache-to type=registry,…,mode=max\` or also push a \`--target\` build-stage image` });
    }
  },
});
