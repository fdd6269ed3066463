// SIZE002: copying the whole build context needs a .dockerignore that leaves out local clutter and secrets but keeps
// what the build needs (project mode only).
import { defineRule, type ProjectFiles } from '../../lint/rule.js';
import { copyOperands } from '../../dockerfile/query.js';
import { mounts } from '../../dockerfile/parse.js';
import type { Dockerfile, Span } from '../../dockerfile/model.js';
import type { Project } from '../../project/project.js';
import { parseDockerignore, type Dockerignore } from '../../project/dockerignore.js';
import { parsePyproject } from '../../project/python.js';

/** A source that names the whole build context: `.`, `./`, `./.`, `/` (BuildKit roots sources at the context). */
function wholeContext(src: string): boolean {
  const s = src.replace(/\/+$/, '').replace(/^(\.\/)+/, '');
  return s === '' || s === '.';
}

function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i >= 0 ? p.slice(i + 1) : p;
}

/**
 * What the .dockerignore should leave out: a label, the context paths that stand for it (any one not ignored is a
 * miss), and whether to ask for it only when it exists in the context.
 */
const SHOULD_EXCLUDE: { label: string; probes: string[]; always: boolean }[] = [
  { label: '.git', probes: ['.git'], always: false },
  { label: '.venv', probes: ['.venv'], always: true },
  { label: 'venv', probes: ['venv'], always: false },
  { label: '**/__pycache__', probes: ['__pycache__', 'app/__pycache__/mod.cpython-313.pyc'], always: true },
  { label: '.env', probes: ['.env'], always: true },
  { label: 'node_modules', probes: ['node_modules'], always: false },
  { label: '.pytest_cache', probes: ['.pytest_cache'], always: false },
  { label: '.mypy_cache', probes: ['.mypy_cache'], always: false },
  { label: 'dist', probes: ['dist'], always: false },
  { label: 'build', probes: ['build'], always: false },
];

const LOCKS = ['uv.lock', 'poetry.lock', 'pdm.lock', 'Pipfile.lock'];

/** The ignore file BuildKit uses for this Dockerfile (context-relative path) and its parsed patterns. */
function ignoreFile(df: Dockerfile, project: ProjectFiles): { path: string; di: Dockerignore } | undefined {
  const name = basename(df.path);
  for (const path of name ? [`${df.path}.dockerignore`, `${name}.dockerignore`] : []) {
    const text = project.read(path);
    if (text !== undefined) return { path, di: parseDockerignore(text) };
  }
  const own = (project as Partial<Project>).dockerignore;
  if (own) return { path: '.dockerignore', di: own };
  const text = project.read('.dockerignore');
  return text === undefined ? undefined : { path: '.dockerignore', di: parseDockerignore(text) };
}

const clean = (p: string): string => p.replace(/^(\.\/)+/, '').replace(/^\/+/, '').replace(/\/+$/, '');

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
    {
      // a .dockerignore that leaves clutter in: `__pycache__` without `**/` only matches at the context root
      bad: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY . .\nCMD ["python", "app.py"]\n',
      good: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY app.py .\nCMD ["python", "app.py"]\n',
      files: { 'app.py': 'print(1)\n', '.dockerignore': '.git\n.venv\n__pycache__\n.env\n', 'node_modules/x/index.js': '' },
    },
    {
      // excludes what the build needs: the README pyproject names, the lock file
      bad: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY pyproject.toml uv.lock README.md ./\nRUN uv sync --locked\n',
      good: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY app.py ./\nCMD ["python", "app.py"]\n',
      files: {
        'pyproject.toml': '[project]\nname = "app"\nversion = "1"\nreadme = "README.md"\n', 'uv.lock': 'version = 1\n', 'README.md': '# app\n', 'app.py': 'print(1)\n',
        '.dockerignore': '*.md\n*.lock\n',
      },
    },
  ],
  check({ dockerfile: df, mode, project, report }) {
    if (mode !== 'project' || !project) return;
    const name = basename(df.path);
    const ignore = ignoreFile(df, project);
    if (ignore) checkContent(df, project, ignore, report);
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

/** The .dockerignore's contents: clutter it should leave out, files the build needs that it must not. */
function checkContent(df: Dockerfile, project: ProjectFiles, ignore: { path: string; di: Dockerignore }, report: (r: { span: Span; message: string; file?: string }) => void): void {
  const { di } = ignore;
  const file = typeof (project as Partial<Project>).fromContext === 'function' ? (project as Project).fromContext(ignore.path) : ignore.path;
  // what the Dockerfile takes from the context
  let whole = false;
  const named = new Set<string>();
  for (const instr of df.instructions) {
    if (instr.keyword === 'COPY' || instr.keyword === 'ADD') {
      const ops = copyOperands(df, instr);
      if (!ops || ops.from !== undefined) continue;
      for (const src of ops.sources) {
        if (src.value === undefined || /^[a-z][a-z0-9+.-]*:\/\//i.test(src.value)) continue;
        if (wholeContext(src.value)) whole = true;
        else if (!/[*?[]/.test(src.value)) named.add(clean(src.value));
      }
    } else if (instr.keyword === 'RUN') {
      for (const m of mounts(instr)) {
        if (m.type !== 'bind' || m.from !== undefined) continue;
        const src = m.source ?? '.';
        if (src.includes('$')) continue;
        if (wholeContext(src)) whole = true;
        else named.add(clean(src));
      }
    }
  }
  // 1. clutter and secrets that a whole-context COPY would send
  if (whole) {
    const missing: string[] = [];
    for (const item of SHOULD_EXCLUDE) {
      // .git is there whenever the context is the repository's root
      const always = item.always || (item.label === '.git' && (project as Partial<Project>).contextPath === '' && (project as Project).hasGit);
      if (!always && !item.probes.some((p) => project.exists(p))) continue;
      if (item.probes.some((p) => !di.ignores(p))) missing.push(item.label);
    }
    if (missing.length > 0) {
      report({
        file,
        span: { start: 0, end: 0 },
        message: `\`${ignore.path}\` does not exclude ${missing.map((m) => `\`${m}\``).join(', ')}: \`COPY .\` sends ${missing.length === 1 ? 'it' : 'them'} into the image (local state, caches, secrets); add ${missing.length === 1 ? 'the pattern' : 'these patterns'}`,
      });
    }
  }
  // 2. files the build needs that the .dockerignore leaves out
  const needed = new Map<string, string>();
  for (const n of named) needed.set(n, `the Dockerfile copies \`${n}\` by name`);
  if (whole || named.has('pyproject.toml')) {
    const text = project.read('pyproject.toml');
    const readme = text === undefined ? undefined : parsePyproject(text, 'pyproject.toml').readme?.file;
    if (readme && !needed.has(clean(readme))) needed.set(clean(readme), `\`pyproject.toml\` names it as the \`readme\`: building the project fails without it`);
  }
  if (whole) for (const lock of LOCKS) if (!needed.has(lock)) needed.set(lock, 'the lock file pins what the image installs');
  for (const [path, why] of needed) {
    if (!project.exists(path) || !di.ignores(path)) continue;
    if (di.mayReinclude(path) && named.has(path) && !project.read(path)) continue; // a directory with exceptions inside
    const entry = di.decidedBy(path);
    report({
      file,
      span: entry ? entry.span : { start: 0, end: 0 },
      message: `\`${entry ? entry.pattern : path}\` excludes \`${path}\` from the build context, but ${why}; remove the pattern or add \`!${path}\``,
    });
  }
}
