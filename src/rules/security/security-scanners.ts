// SEC008: CI that builds the image runs a code scanner and a dependency/image scanner.
import { defineProjectRule, type ProjectRuleContext } from '../../lint/rule.js';
import { scannersRun } from '../../project/ci.js';
import { ciBuilds } from '../ci/_ci.js';

const WF = (steps: string): string => `on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n${steps}      - run: docker build -t app:\${{ github.sha }} .\n`;

export default defineProjectRule({
  level: 'project',
  code: 'SEC008',
  name: 'security-scanners',
  title: 'Run security scanners in CI',
  area: 'security',
  severity: 'warning',
  scope: ['P'],
  sources: [],
  why: `Two kinds of scanner catch different things: a code scanner (bandit, ruff's \`S\` rules, semgrep, CodeQL) finds
\`subprocess(shell=True)\` and hard-coded passwords in your code; a dependency or image scanner (pip-audit, safety,
trivy, grype, docker scout) finds known CVEs in what you install. pyship judges projects whose CI builds the image
and reports one finding per missing kind. Scanners run through pre-commit in CI, \`python -m bandit\`, \`uvx
pip-audit\`, and \`ruff check\` with \`S\` selected (on the command line or in \`[tool.ruff.lint]\`) count.`,
  examples: [
    { bad: { '.github/workflows/ci.yml': WF('      - run: pip-audit -r requirements.txt\n') }, good: { '.github/workflows/ci.yml': WF('      - run: pip-audit -r requirements.txt\n      - run: bandit -r src\n') } },
    { bad: { '.github/workflows/ci.yml': WF('') }, good: { '.github/workflows/ci.yml': WF('      - run: ruff check --select S .\n      - uses: aquasecurity/trivy-action@0.28.0\n') } },
  ],
  check({ project, report }: ProjectRuleContext) {
    const b = ciBuilds(project)[0];
    if (!b) return;
    const kinds = new Set(scannersRun(project).filter((s) => s.ci).map((s) => s.kind));
    if (!kinds.has('code')) report({ file: b.file, span: b.span, message: 'CI builds the image but runs no code scanner: add bandit, ruff with the `S` rules, or semgrep' });
    if (!kinds.has('deps')) report({ file: b.file, span: b.span, message: 'CI builds the image but runs no dependency or image scanner: add pip-audit, trivy, grype or docker scout' });
  },
});
