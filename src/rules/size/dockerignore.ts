// SIZE002: copying the whole build context needs a .dockerignore that leaves out local clutter and secrets but keeps
// what the build needs (project mode only).
import { defineRule, type ImageAnchor, type ImageSettings } from '../../lint/rule.js';
import { copyOperands } from '../../dockerfile/query.js';
import { mounts } from '../../dockerfile/arguments.js';
import type { Dockerfile, Span } from '../../dockerfile/model.js';
import type { Project } from '../../project/model.js';
import { parseDockerignore, type Dockerignore } from '../../project/dockerignore.js';
import { parsePyproject } from '../../project/pyproject.js';
import type { ImageFacts } from '../../image/facts.js';
import { absPath, baseName, inSitePackages } from '../../image/filesystem.js';
import { historyInstruction } from '../../image/history.js';
import { dirnamePosix } from '../../dockerfile/paths.js';

/**
 * Is this `__pycache__` what `python -m compileall` makes with the image's own Python (not a cache from another
 * machine)? Every entry is a `.pyc` with one of the image's tags whose `.py` is beside the directory, and every `.py`
 * module there has one. Leaked caches carry another Python's tag, or cover only the modules that happened to be
 * imported, or outlive their sources.
 */
function compiledInImage(image: ImageFacts, pycache: string): boolean {
  const parent = dirnamePosix(pycache);
  const at = (name: string): string => (parent === '' ? name : `${parent}/${name}`);
  const compiled = new Set<string>();
  for (const k of image.children.get(pycache) ?? []) {
    const m = /^(.+)\.(cpython-\d+)(?:\.opt-[12])?\.pyc$/.exec(baseName(k));
    if (image.files.get(k)?.entry.type !== 'file' || !m || !image.pythonTags.has(m[2]!)) return false;
    const src = image.files.get(at(`${m[1]}.py`));
    if (!src || src.entry.type === 'dir') return false;
    compiled.add(m[1]!);
  }
  if (compiled.size === 0) return false;
  for (const k of image.children.get(parent) ?? []) {
    const b = baseName(k);
    if (b.endsWith('.py') && image.files.get(k)?.entry.type !== 'dir' && !compiled.has(b.slice(0, -3))) return false;
  }
  return true;
}

/**
 * Does the .dockerignore keep the contents of this image `__pycache__` out of the build context, wherever the context
 * maps to it? A COPY maps some context directory onto some image directory, and Python writes caches as
 * `<dir>/__pycache__/<module>.pyc`, so each tail of an image path down to `__pycache__/<file>` is tried both at the
 * context root and below another directory; all must be ignored.
 */
function ignoredByContext(image: ImageFacts, pycache: string, di: NonNullable<ImageSettings['dockerignore']>): boolean {
  const kids = [...(image.children.get(pycache) ?? [])];
  const last = pycache.split('/').length - 1;
  for (const p of kids.length > 0 ? kids : [pycache]) {
    const parts = p.split('/');
    for (let i = 0; i <= last; i++) {
      const tail = parts.slice(i).join('/');
      if (!di.ignores(tail) || !di.ignores(`any-context-dir/${tail}`)) return false;
    }
  }
  return true;
}

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
function ignoreFile(df: Dockerfile, project: Project): { path: string; di: Dockerignore } | undefined {
  const name = basename(df.path);
  for (const path of name ? [`${df.path}.dockerignore`, `${name}.dockerignore`] : []) {
    const text = project.read(path);
    if (text !== undefined) return { path, di: parseDockerignore(text) };
  }
  const own = project.dockerignore;
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
  imageExamples: [
    {
      bad: { history: [{ by: 'COPY . /app', files: [{ path: 'app/main.py', size: 100 }, { path: 'app/.git', type: 'dir' }, { path: 'app/.git/HEAD', data: 'ref: refs/heads/main\n' }, { path: 'app/.git/config', size: 100 }] }] },
      good: { history: [{ by: 'COPY . /app', files: [{ path: 'app/main.py', size: 100 }] }] },
    },
    {
      bad: { history: [{ by: 'COPY . /app', files: [{ path: 'app/main.py', size: 100 }, { path: 'app/__pycache__', type: 'dir' }, { path: 'app/__pycache__/main.cpython-312.pyc', size: 100 }] }] },
      good: {
        history: [
          { by: 'ADD file:4a1b in /', files: [{ path: 'usr/bin/python3.13', size: 5000, mode: 0o755 }, { path: 'usr/bin/python3', type: 'symlink', linkname: 'python3.13' }] },
          { by: 'COPY /app /app # buildkit', files: [{ path: 'app/main.py', size: 100 }, { path: 'app/__pycache__', type: 'dir' }, { path: 'app/__pycache__/main.cpython-313.pyc', size: 100 }] },
        ],
      },
    },
    {
      bad: { history: [{ by: 'COPY . /app', files: [{ path: 'app/main.py', size: 100 }, { path: 'app/.venv/pyvenv.cfg', data: 'home = /Users/dev/.pyenv/versions/3.13.1/bin\n' }] }] },
      good: {
        history: [
          { by: 'ADD file:4a1b in /', files: [{ path: 'usr/bin/python3', size: 5000, mode: 0o755 }] },
          { by: 'RUN /bin/sh -c python3 -m venv /opt/venv', files: [{ path: 'opt/venv/pyvenv.cfg', data: 'home = /usr/bin\n' }] },
        ],
      },
    },
  ],
  checkImage({ image, settings, report }) {
    const isCopyLayer = (l: number): boolean => {
      const ins = historyInstruction(image.layers[l]?.history?.createdBy ?? '');
      return ins === 'COPY' || ins === 'ADD';
    };
    const gitDirs: string[] = [];
    const pycacheDirs: string[] = [];
    const venvs: string[] = [];
    for (const [p, f] of image.files) {
      if (!image.own(f.layer) || inSitePackages(p)) continue;
      const b = baseName(p);
      if (b === '.git' && (image.children.get(p)?.has(`${p}/HEAD`) || f.entry.type === 'file')) gitDirs.push(p);
      else if (b === '__pycache__' && f.entry.type === 'dir' && isCopyLayer(f.layer)) pycacheDirs.push(p);
      else if (b === 'pyvenv.cfg') {
        const home = /^\s*home\s*=\s*(.+?)\s*$/m.exec(image.contents.get(p)?.toString('utf8') ?? '')?.[1];
        if (home && !['python3', 'python'].some((c) => image.lookup(`${home}/${c}`) !== undefined)) venvs.push(`${absPath(dirnamePosix(p))} (home = ${home}, not in the image)`);
      }
    }
    // __pycache__ in a COPY layer is a leak unless the image's own Python compiled it (`COPY --from=build` after the
    // build stage ran compileall: the history shows only `COPY /app /app`), or the project's .dockerignore keeps it
    // out of the build context
    const leaked = pycacheDirs.filter((p) => !compiledInImage(image, p) && !(settings.dockerignore && ignoredByContext(image, p, settings.dockerignore)));
    const firstLayer = (paths: string[]): ImageAnchor => ({ layer: image.files.get(paths[0]!.split(' ')[0]!.replace(/^\//, ''))?.layer ?? 0 });
    if (gitDirs.length > 0) report({ at: firstLayer(gitDirs), message: `.git directory in the image: ${gitDirs.slice(0, 3).map(absPath).join(', ')}${gitDirs.length > 3 ? ` and ${gitDirs.length - 3} more` : ''}: exclude .git in .dockerignore` });
    if (leaked.length > 0) report({ at: firstLayer(leaked), message: `__pycache__ copied from the build context: ${leaked.slice(0, 3).map(absPath).join(', ')}${leaked.length > 3 ? ` and ${leaked.length - 3} more` : ''}: exclude __pycache__ and *.pyc in .dockerignore` });
    if (venvs.length > 0) report({ at: 'image', message: `virtualenv copied from the host: ${venvs.slice(0, 3).join(', ')}: exclude .venv/venv in .dockerignore and install in the image` });
  },
});

/** The .dockerignore's contents: clutter it should leave out, files the build needs that it must not. */
function checkContent(df: Dockerfile, project: Project, ignore: { path: string; di: Dockerignore }, report: (r: { span: Span; message: string; file?: string }) => void): void {
  const { di } = ignore;
  const file = project.fromContext(ignore.path);
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
      const always = item.always || (item.label === '.git' && project.contextPath === '' && project.hasGit);
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
