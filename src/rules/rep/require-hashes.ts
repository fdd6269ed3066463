// REP005: pinned requirements installed by a Dockerfile carry `--hash` entries (pip's hash-checking mode).
import { defineProjectRule } from '../../lint/rule.js';
import { requirementsTree } from '../../project/requirements.js';
import { installedRequirementFiles } from './pin-python-deps.js';

const DOCKERFILE = 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n';

export default defineProjectRule({
  level: 'project',
  code: 'REP005',
  name: 'require-hashes',
  title: 'Hashes',
  area: 'rep',
  severity: 'info',
  scope: ['P'],
  sources: [],
  why: `A version pin says *which* release to install, not *what* it contains: a release re-uploaded to a mirror, a
compromised index or a typo-squatted proxy can serve different bytes under the same version. With a \`--hash\` on
every line pip runs in hash-checking mode and refuses any file whose digest differs — and it also refuses
unpinned transitive dependencies, so the lock is complete by construction.

pyship reports requirements files that a Dockerfile installs (\`pip install -r\`, \`uv pip install -r\`,
\`uv pip sync\`) and that pin packages with \`==\` but carry no \`--hash\`. Generate them with
\`pip-compile --generate-hashes\` or \`uv pip compile --generate-hashes\` (\`uv export\` writes them by default).
Unpinned lines are REP004's concern. Lock-file installers (\`uv sync\`, \`poetry install\`, \`pdm install\`) check
hashes from their lock files and are not reported.`,
  examples: [
    {
      bad: { Dockerfile: DOCKERFILE, 'requirements.txt': 'flask==3.1.0\ngunicorn==23.0.0\n' },
      good: {
        Dockerfile: DOCKERFILE,
        'requirements.txt': 'flask==3.1.0 \\\n    --hash=sha256:d667207822eb83f1c4b50949b1623c8fc8d51f2341d65f72e1a1815397551138\ngunicorn==23.0.0 \\\n    --hash=sha256:ec400d38950de4dfd418cff8328b2c8faed0edb0d517d3394e457c317908ca4d\n',
      },
    },
    {
      // the pins come through -r; the installed file only includes them
      bad: { Dockerfile: DOCKERFILE.replace('COPY requirements.txt .', 'COPY requirements.txt requirements-base.txt ./'), 'requirements.txt': '-r requirements-base.txt\n', 'requirements-base.txt': 'django==5.1.4\n' },
      // not installed by any Dockerfile: nothing to say
      good: { Dockerfile: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY app.py .\n', 'requirements.txt': 'flask==3.1.0\n', 'app.py': 'print(1)\n' },
    },
  ],
  check({ dockerfiles, report }) {
    const seen = new Set<string>();
    for (const { dockerfile, context } of dockerfiles) {
      for (const inst of installedRequirementFiles(dockerfile, context)) {
        const tree = requirementsTree((p) => context.read(p), inst.path);
        for (const { file, role } of tree.files) {
          if (role !== 'requirements') continue;
          const rootPath = context.fromContext(file.path);
          if (seen.has(rootPath)) continue;
          seen.add(rootPath);
          const pinned = file.requirements.filter((r) => r.kind === 'pinned' && !r.editable && !r.dynamic && r.url === undefined);
          const missing = pinned.filter((r) => r.hashes.length === 0);
          if (missing.length === 0) continue;
          const firstEnd = file.text.indexOf('\n');
          const span = { start: 0, end: firstEnd < 0 ? file.text.length : firstEnd };
          const partial = missing.length < pinned.length;
          report({
            file: rootPath,
            span,
            message: partial
              ? `\`${rootPath}\`: ${missing.length} of ${pinned.length} pinned requirements have no \`--hash\` (first \`${missing[0]!.spec}\`): once one line has a hash pip requires them all and the install fails; regenerate with \`pip-compile --generate-hashes\``
              : `\`${rootPath}\` pins ${pinned.length} ${pinned.length === 1 ? 'package' : 'packages'} without \`--hash\` entries: a re-uploaded or tampered release installs unnoticed; generate hashes (\`pip-compile --generate-hashes\`, \`uv pip compile --generate-hashes\`) so pip checks every download`,
          });
        }
      }
    }
  },
});
