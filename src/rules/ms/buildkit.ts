// MS004: a Dockerfile using BuildKit features is not built with BuildKit disabled or by docker-compose v1.
import { defineProjectRule, type ProjectRuleContext } from '../../lint/rule.js';
import type { Dockerfile } from '../../dockerfile/model.js';
import { buildCommands } from '../../project/ci.js';
import { buildName, dockerfileOf, type CtxDockerfile } from '../ci/_ci.js';

function buildkitFeature(df: Dockerfile): string | undefined {
  for (const i of df.instructions) {
    if (i.keyword === 'RUN' && i.flags.some((f) => f.name === 'mount')) return '`RUN --mount`';
    if (i.heredocs.length > 0) return 'heredocs';
    if ((i.keyword === 'COPY' || i.keyword === 'ADD') && i.flags.some((f) => f.name === 'link' || f.name === 'chmod')) return `\`${i.keyword} --${i.flags.find((f) => f.name === 'link' || f.name === 'chmod')!.name}\``;
  }
  return undefined;
}

const DF = 'FROM python:3.13-slim-trixie\nCOPY requirements.txt .\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n';

export default defineProjectRule({
  level: 'project',
  code: 'MS004',
  name: 'buildkit',
  title: 'BuildKit',
  area: 'ms',
  severity: 'info',
  scope: ['P'],
  sources: [],
  why: `Cache and secret mounts, heredocs and \`COPY --link\`/\`--chmod\` need BuildKit. The legacy builder rejects them
(\`the --mount option requires BuildKit\`), so a build script with \`DOCKER_BUILDKIT=0\`, or \`docker-compose\` v1 (which
uses the legacy builder unless \`COMPOSE_DOCKER_CLI_BUILD=1\`), breaks or silently loses the cache. pyship flags such
builds of a Dockerfile that uses those features; a \`# syntax=\` directive pinned to a moving major is fine.`,
  examples: [
    {
      bad: { 'Dockerfile': DF, 'build.sh': '#!/bin/sh\nDOCKER_BUILDKIT=0 docker build -t app .\n' },
      good: { 'Dockerfile': DF, 'build.sh': '#!/bin/sh\ndocker build -t app .\n' },
    },
    {
      bad: { 'Dockerfile': DF, 'Makefile': 'build:\n\tdocker-compose build\n' },
      good: { 'Dockerfile': DF, 'Makefile': 'build:\n\tdocker compose build\n' },
    },
  ],
  check({ project, dockerfiles, report }: ProjectRuleContext) {
    for (const b of buildCommands(project)) {
      const v1 = b.tool === 'compose-v1' && !(b.job.env.COMPOSE_DOCKER_CLI_BUILD === '1' && b.job.env.DOCKER_BUILDKIT === '1');
      if (!b.buildkitDisabled && !v1) continue;
      const targets = b.tool === 'compose-v1' ? (dockerfiles as CtxDockerfile[]) : [dockerfileOf(b, dockerfiles as CtxDockerfile[])].filter((d) => d !== undefined);
      for (const d of targets) {
        const feature = buildkitFeature(d.dockerfile);
        if (!feature) continue;
        report({ file: b.file, span: b.span, message: `${v1 ? '`docker-compose` v1 builds with the legacy builder' : `\`${buildName(b)}\` runs with \`DOCKER_BUILDKIT=0\``}, but \`${d.path}\` uses ${feature}, which needs BuildKit: use \`docker compose\` / BuildKit` });
        break;
      }
    }
  },
});
