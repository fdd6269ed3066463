// SIZE002: copying the whole build context needs a .dockerignore (Dockerfile part: project mode only).
import { defineRule } from '../../lint/rule.js';
import { copyOperands } from '../../dockerfile/query.js';

/** A source that names the whole build context: `.`, `./`, `./.`, `/` (BuildKit roots sources at the context). */
function wholeContext(src: string): boolean {
  const s = src.replace(/\/+$/, '').replace(/^(\.\/)+/, '');
  return s === '' || s === '.';
}

function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i >= 0 ? p.slice(i + 1) : p;
}

export default defineRule({
  code: 'SIZE002',
  name: 'dockerignore',
  title: '.dockerignore',
  area: 'size',
  severity: 'warning',
  scope: ['D', 'P', 'I'],
  sources: [],
  why: `\`COPY . .\` sends the whole build context to the builder and into the image: \`.git\`, local virtualenvs,
\`__pycache__\`, test caches, \`node_modules\`, build output — and secrets such as \`.env\`. The image grows, every edit
to an unrelated file busts the layer cache, and whatever is in the working tree ships to production.

pyship only reports this in project mode, where it can see that the context has no \`.dockerignore\` (nor a
Dockerfile-specific \`<Dockerfile>.dockerignore\`). On stdin or with \`--no-project\` it never guesses about files it
cannot see. Copying named files and directories (\`COPY src/ ./src/\`) is not affected.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY . .\nCMD ["python", "app.py"]\n',
      good: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY app.py .\nCMD ["python", "app.py"]\n',
      files: { 'app.py': 'print(1)\n' },
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nCOPY --chown=app:app ./ /app/\nCMD ["python", "/app/app.py"]\n',
      good: 'FROM python:3.13-slim-trixie AS build\nCOPY --from=ghcr.io/astral-sh/uv:0.8.0 / /uv/\nCOPY src/ /app/src/\nCMD ["python", "-m", "src"]\n',
      files: { 'app.py': 'print(1)\n', 'src/__main__.py': 'print(1)\n' },
    },
  ],
  check({ dockerfile: df, mode, project, report }) {
    if (mode !== 'project' || !project) return;
    const name = basename(df.path);
    if (project.exists('.dockerignore') || (name !== '' && (project.exists(`${name}.dockerignore`) || project.exists(`${df.path}.dockerignore`)))) return;
    for (const instr of df.instructions) {
      if (instr.keyword !== 'COPY' && instr.keyword !== 'ADD') continue;
      const ops = copyOperands(df, instr);
      if (!ops || ops.from !== undefined) continue;
      const src = ops.sources.find((s) => s.value !== undefined && wholeContext(s.value));
      if (!src) continue;
      report({
        span: src.span,
        message: `\`${instr.keyword} ${src.raw}\` copies the whole build context and the project has no \`.dockerignore\`: \`.git\`, \`.venv\`, caches and \`.env\` files end up in the image`,
      });
      return; // one finding: the missing file is one problem
    }
  },
});
