// CI002 (project part): CI builds the image but runs no Dockerfile linter.
import { defineProjectRule, type ProjectRuleContext } from '../../lint/rule.js';
import { lintersRun } from '../../project/ci.js';
import { buildName, ciBuilds } from './_ci.js';
import { formatBytes } from '../../image/facts.js';

const WF = (steps: string): string => `on: push\njobs:\n  image:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n${steps}      - run: docker build -t app:\${{ github.sha }} .\n`;

export default defineProjectRule({
  level: 'project',
  code: 'CI002',
  name: 'lint-in-ci',
  title: 'Lint and size-check',
  area: 'ci',
  severity: 'warning',
  scope: ['P', 'I'],
  sources: [],
  why: `A Dockerfile linter in CI keeps the practices in place after the first review: the next person to touch the
Dockerfile gets told about the \`pip install\` without \`--no-cache-dir\` before it ships. pyship flags CI that builds
the image but never runs a Dockerfile linter: \`pyship check\`, \`pyship build\` (it checks), hadolint (binary,
container, \`hadolint/hadolint-action\`, pre-commit hook run by CI) or \`docker build --check\`. Projects without CI
building the image are not judged. The image-size half of this practice is checked by \`pyship audit\`.`,
  examples: [
    { bad: { '.github/workflows/ci.yml': WF('') }, good: { '.github/workflows/ci.yml': WF('      - run: pyship check .\n') } },
    { bad: { '.github/workflows/ci.yml': WF('      - run: ruff check .\n') }, good: { '.github/workflows/ci.yml': WF('      - uses: hadolint/hadolint-action@v3.1.0\n') } },
  ],
  check({ project, report }: ProjectRuleContext) {
    const b = ciBuilds(project)[0];
    if (!b || lintersRun(project).some((l) => l.ci)) return;
    report({ file: b.file, span: b.span, message: `CI builds the image (\`${buildName(b)}\`) but never lints the Dockerfile: add \`pyship check\` (or hadolint) to CI` });
  },
  imageExamples: [
    {
      settings: { maxImageSize: 1_000_000 },
      bad: { history: [{ by: 'COPY . /app', files: [{ path: 'app/main.py', size: 100 }, { path: 'app/model.bin', size: 3_000_000 }] }] },
      good: { history: [{ by: 'COPY . /app', files: [{ path: 'app/main.py', size: 100 }] }] },
    },
  ],
  checkImage({ image, settings, report }) {
    if (settings.maxImageSize !== undefined && image.totalSize > settings.maxImageSize) {
      report({ at: 'image', message: `the image is ${formatBytes(image.totalSize)} (> max-image-size ${formatBytes(settings.maxImageSize)})` });
    }
  },
});
