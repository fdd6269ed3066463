// DBG003 (project part): the image records its git revision (LABEL/ARG in the Dockerfile, or --label/--build-arg).
import { defineProjectRule, type ProjectRuleContext } from '../../lint/rule.js';
import type { Project } from '../../project/project.js';
import { keyValues } from '../../dockerfile/parse.js';
import { buildCommands } from '../../project/ci.js';
import { buildName, dockerfileOf, type CtxDockerfile } from '../ci/_ci.js';

const REVISION = /COMMIT|REVISION|VCS[_-]?REF|SHA/i;

export default defineProjectRule({
  level: 'project',
  code: 'DBG003',
  name: 'record-revision',
  title: 'Record revision and branch',
  area: 'debug',
  severity: 'warning',
  scope: ['P', 'I'],
  sources: [],
  why: `When production misbehaves the first question is "which code is this?". An image that carries its commit
(\`org.opencontainers.image.revision\`, or an \`ARG GIT_COMMIT\` turned into a label or environment variable) answers it
from \`docker inspect\`; one without makes you guess from timestamps.

pyship looks for a \`LABEL\`/\`ARG\` in the Dockerfile whose name contains \`COMMIT\`, \`REVISION\`, \`VCS_REF\` or \`SHA\`, or
a build script/CI that passes one with \`--label\`/\`--build-arg\` (docker/metadata-action's labels count) or runs
\`pyship build\` (it labels the revision). The finding points at the builds of that Dockerfile, or at the Dockerfile
when nothing builds it. Dockerfile-only mode never reports it.`,
  examples: [
    {
      bad: { 'Dockerfile': 'FROM python:3.13-slim-trixie\nCMD ["python", "-m", "app"]\n' },
      good: { 'Dockerfile': 'FROM python:3.13-slim-trixie\nARG GIT_COMMIT=unknown\nLABEL org.opencontainers.image.revision=$GIT_COMMIT\nCMD ["python", "-m", "app"]\n' },
    },
    {
      bad: { 'Dockerfile': 'FROM python:3.13-slim-trixie\n', 'build.sh': '#!/bin/sh\ndocker build -t app .\n' },
      good: { 'Dockerfile': 'FROM python:3.13-slim-trixie\n', 'build.sh': '#!/bin/sh\ndocker build --label "org.opencontainers.image.revision=$(git rev-parse HEAD)" -t app .\n' },
    },
  ],
  check({ project, dockerfiles, report }: ProjectRuleContext<Project>) {
    const builds = buildCommands(project);
    if (builds.some((b) => b.tool === 'pyship' || b.labels.some((l) => REVISION.test(l.name)) || b.buildArgs.some((a) => REVISION.test(a.name)))) return;
    for (const d of dockerfiles as CtxDockerfile[]) {
      const df = d.dockerfile;
      const has = df.instructions.some((i) => (i.keyword === 'LABEL' || i.keyword === 'ARG') && keyValues(i, df.escape).some((kv) => REVISION.test(kv.key)));
      if (has) continue;
      const mine = builds.filter((b) => dockerfileOf(b, dockerfiles as CtxDockerfile[]) === d);
      if (mine.length === 0) {
        report({ file: d.path, span: { start: 0, end: 0 }, message: 'the image records no git revision: add `ARG GIT_COMMIT` + `LABEL org.opencontainers.image.revision=$GIT_COMMIT` (or build with `pyship build`)' });
        continue;
      }
      for (const b of mine) report({ file: b.file, span: b.span, message: `\`${buildName(b)}\` records no git revision: pass \`--label org.opencontainers.image.revision=$(git rev-parse HEAD)\`` });
    }
  },
});
