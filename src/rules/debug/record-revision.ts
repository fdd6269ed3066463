// DBG003 (project part): the image records its git revision (LABEL/ARG in the Dockerfile, or --label/--build-arg).
import { defineProjectRule, type ProjectRuleContext } from '../../lint/rule.js';
import { keyValues } from '../../dockerfile/arguments.js';
import { buildCommands } from '../../project/ci.js';
import type { BuildCommand } from '../../project/ci-model.js';
import { buildName, dockerfileOf, type CtxDockerfile } from '../ci/_ci.js';

/** Labels that record the git revision an image was built from (OCI's, and older conventions). */
const REVISION_LABELS = ['org.opencontainers.image.revision', 'git-commit', 'vcs-ref', 'org.label-schema.vcs-ref'];

const REVISION = /COMMIT|REVISION|VCS[_-]?REF|SHA/i;

/** How to add the revision label to this kind of build: a flag on a command line, an input of an action, a compose key. */
function howToLabel(b: BuildCommand): string {
  if (b.tool === 'action') return 'add `labels: org.opencontainers.image.revision=${{ github.sha }}` to its `with:` (or the labels of docker/metadata-action)';
  if (b.tool === 'bake') return 'add `org.opencontainers.image.revision` to the target\'s `labels` in the bake file';
  if (b.tool === 'compose' || b.tool === 'compose-v1') return 'add `org.opencontainers.image.revision: ${GIT_COMMIT}` under the service\'s `build: labels:` (with `GIT_COMMIT=$(git rev-parse HEAD)`)';
  return 'pass `--label org.opencontainers.image.revision=$(git rev-parse HEAD)`';
}

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
when nothing builds it; when some of its builds push the image, only those (a CI test build beside them does not
publish anything). The advice fits the build: a \`--label\` flag for \`docker build\`, a \`labels:\` input for
\`docker/build-push-action\`, \`build: labels:\` for compose. Dockerfile-only mode never reports it.`,
  examples: [
    {
      bad: { 'Dockerfile': 'FROM python:3.13-slim-trixie\nCMD ["python", "-m", "app"]\n' },
      good: { 'Dockerfile': 'FROM python:3.13-slim-trixie\nARG GIT_COMMIT=unknown\nLABEL org.opencontainers.image.revision=$GIT_COMMIT\nCMD ["python", "-m", "app"]\n' },
    },
    {
      bad: { 'Dockerfile': 'FROM python:3.13-slim-trixie\n', 'build.sh': '#!/bin/sh\ndocker build -t app .\n' },
      good: { 'Dockerfile': 'FROM python:3.13-slim-trixie\n', 'build.sh': '#!/bin/sh\ndocker build --label "org.opencontainers.image.revision=$(git rev-parse HEAD)" -t app .\n' },
    },
    {
      // an action takes the label as an input, not as a `--label` flag
      bad: { 'Dockerfile': 'FROM python:3.13-slim-trixie\n', '.github/workflows/ci.yml': 'on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: docker/build-push-action@v6\n        with:\n          push: true\n          tags: ghcr.io/acme/app:latest\n' },
      good: { 'Dockerfile': 'FROM python:3.13-slim-trixie\n', '.github/workflows/ci.yml': 'on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: docker/build-push-action@v6\n        with:\n          push: true\n          tags: ghcr.io/acme/app:latest\n          labels: org.opencontainers.image.revision=${{ github.sha }}\n' },
    },
  ],
  check({ project, dockerfiles, report }: ProjectRuleContext) {
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
      // the builds that publish the image are where its revision matters: a CI test build or a local `docker build -q`
      // next to them is not (when none publishes, each build is all there is)
      const pushed = mine.filter((b) => b.push);
      for (const b of pushed.length > 0 ? pushed : mine) report({ file: b.file, span: b.span, message: `\`${buildName(b)}\` records no git revision: ${howToLabel(b)}` });
    }
  },
  imageExamples: [
    {
      bad: { history: [{ by: 'COPY . /app', files: [{ path: 'app/main.py', size: 100 }] }] },
      good: { config: { labels: { 'org.opencontainers.image.revision': '8f3c2a1' } }, history: [{ by: 'COPY . /app', files: [{ path: 'app/main.py', size: 100 }] }] },
    },
  ],
  checkImage({ image, report }) {
    if (!REVISION_LABELS.some((l) => (image.config.labels[l] ?? '') !== '')) {
      report({ at: 'labels', message: `no revision label (${REVISION_LABELS.join(', ')}): build with pyship build, or --label org.opencontainers.image.revision=$(git rev-parse HEAD)` });
    }
  },
});
