// DF026: project files pyship reads (requirements, pyproject, workflows, compose, manifests) that it cannot parse.
import { defineProjectRule } from '../../lint/rule.js';
import { ciProblems } from '../../project/ci-jobs.js';
import { pythonProblems } from '../../project/python.js';
import { runtimeProblems } from '../../project/runtime.js';
import { brokenFileProblems } from '../../project/broken-files.js';

export default defineProjectRule({
  code: 'DF026',
  name: 'project-file-error',
  title: 'Project files must parse',
  area: 'df',
  level: 'project',
  severity: 'error',
  scope: ['P'],
  sources: [],
  why: `pyship reads the files around the Dockerfile — requirements files, \`pyproject.toml\`, lock files, CI workflows,
compose files, Kubernetes manifests, \`.dockerignore\` files — to judge the project. A file it cannot parse is reported here with the position
of the error, instead of silently weakening every check that depends on it. The same file usually breaks the tool
that owns it too (pip, the CI runner, \`docker compose\`); a \`.dockerignore\` line Go's \`filepath.Match\` refuses
(\`[\`, \`a[b\`, a trailing \`\\\`) fails every build of its context with "syntax error in pattern", and pyship judges
the other lines as if it were gone.`,
  examples: [
    {
      bad: { 'pyproject.toml': '[project\nname = "x"\n' },
      good: { 'pyproject.toml': '[project]\nname = "x"\nversion = "1.0"\n' },
    },
    {
      bad: { '.github/workflows/docker.yml': 'on: push\njobs:\n  build:\n    steps: [\n' },
      good: { '.github/workflows/docker.yml': 'on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker build .\n' },
    },
    {
      bad: { '.dockerignore': '.git\n.env\n[\n' },
      good: { '.dockerignore': '.git\n.env\n\\[\n' },
    },
    {
      bad: { 'compose.yaml': 'services:\n  web:\n    build: .\n   ports: ["8000:8000"]\n' },
      good: { 'compose.yaml': 'services:\n  web:\n    build: .\n    ports: ["8000:8000"]\n' },
    },
  ],
  check({ project, report }) {
    for (const problem of [...pythonProblems(project), ...ciProblems(project), ...runtimeProblems(project), ...brokenFileProblems(project)]) {
      report({ file: problem.file, span: problem.span, message: problem.message });
    }
  },
});
