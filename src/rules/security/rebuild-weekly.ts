// SEC006 (project part): a scheduled CI job rebuilds the image with --pull --no-cache (or pyship build --fresh).
import { defineProjectRule, type ProjectRuleContext } from '../../lint/rule.js';
import { buildCommands } from '../../project/ci.js';
import { anchor, buildName, type CtxDockerfile } from '../ci/_ci.js';

const WEEKLY = 'on:\n  schedule:\n    - cron: "0 4 * * 1"\njobs:\n  rebuild:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n';

export default defineProjectRule({
  level: 'project',
  code: 'SEC006',
  name: 'rebuild-weekly',
  title: 'Rebuild without cache weekly',
  area: 'security',
  severity: 'warning',
  scope: ['P', 'I'],
  sources: [],
  why: `Security fixes reach an image only when it is rebuilt from a fresh base and fresh packages. The build cache
keeps the \`apt-get upgrade\` layer from the day it was first built, and a pinned base tag is re-pulled only with
\`--pull\`; so an image rebuilt on every commit can still carry months-old OpenSSL. A scheduled CI job that rebuilds
with \`--pull --no-cache\` (\`pyship build --fresh\`) once a week keeps it current.

Stated unconditionally: a project without CI is told too, since nothing else rebuilds it. A scheduled build with
only one of \`--pull\`/\`--no-cache\` is flagged at that build. The image half (an image older than 7 days) is
\`pyship audit\`'s.`,
  examples: [
    {
      bad: { '.github/workflows/ci.yml': 'on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker build --pull --no-cache -t app:${{ github.sha }} .\n' },
      good: { '.github/workflows/weekly.yml': WEEKLY + '      - run: docker build --pull --no-cache -t app:${{ github.sha }} .\n' },
    },
    {
      bad: { '.github/workflows/weekly.yml': WEEKLY + '      - run: docker build --no-cache -t app:weekly .\n' },
      good: { '.github/workflows/weekly.yml': WEEKLY + '      - uses: docker/build-push-action@v6\n        with:\n          pull: true\n          no-cache: true\n          tags: app:${{ github.sha }}\n' },
    },
    {
      bad: { 'Makefile': 'image:\n\tdocker build -t app .\n' },
      good: { '.gitlab-ci.yml': 'weekly:\n  only: [schedules]\n  script:\n    - pyship build --fresh .\n' },
    },
  ],
  check({ project, dockerfiles, report }: ProjectRuleContext) {
    const scheduled = buildCommands(project).filter((b) => b.ci && b.job.scheduled);
    if (scheduled.some((b) => b.fresh || (b.pull && b.noCache))) return;
    const partial = scheduled.find((b) => b.pull || b.noCache);
    if (partial) {
      const missing = partial.pull ? '--no-cache' : '--pull';
      report({ file: partial.file, span: partial.span, message: `the scheduled \`${buildName(partial)}\` lacks \`${missing}\`: rebuild with \`--pull --no-cache\` so base-image and package fixes land` });
      return;
    }
    const at = scheduled[0] ? { file: scheduled[0].file, span: scheduled[0].span } : anchor(project, dockerfiles as CtxDockerfile[]);
    report({ ...at, message: 'no scheduled CI job rebuilds the image with `--pull --no-cache` (or `pyship build --fresh`): add a weekly one so security fixes land' });
  },
  imageExamples: [
    {
      bad: { ageDays: 30, history: [{ by: 'COPY . /app', files: [{ path: 'app/main.py', size: 100 }] }] },
      good: { ageDays: 2, history: [{ by: 'COPY . /app', files: [{ path: 'app/main.py', size: 100 }] }] },
    },
  ],
  checkImage({ image, settings, report }) {
    if (image.ageDays === undefined) return;
    const limit = settings.staleDays ?? 7;
    if (image.ageDays > limit) report({ at: 'image', message: `stale image: created ${image.ageDays.toFixed(1)} days ago (${image.created}; > ${limit} days): rebuild weekly with --pull --no-cache (pyship build --fresh)` });
  },
});
