// REP004: every Python package the build installs is pinned — by `==`, a lock file, or a fully pinned requirements file.
import { dirnamePosix, joinRelative, imagePath } from '../../dockerfile/paths.js';
import { defineRule } from '../../lint/rule.js';
import type { Dockerfile, Instruction, Span } from '../../dockerfile/model.js';
import { runScript, stageCommands, type ShCommand, type ShellScript, type ShWord } from '../../dockerfile/shell.js';
import { flagValue, hasFlag, positionals, pythonInstall, type PipCall, type PyInstall } from '../../dockerfile/commands.js';
import { chainInstructions, copyOperands, pathWithin, shellWordValue } from '../../dockerfile/query.js';
import { mounts } from '../../dockerfile/arguments.js';
import { referencedVars } from '../../dockerfile/words.js';
import { requirementKind, requirementName } from '../../project/requirement-spec.js';
import { requirementsTree, type RequirementLine } from '../../project/requirements.js';
import type { Project, ProjectFiles } from '../../project/model.js';

const ARCHIVE = /\.(whl|tar\.gz|tgz|tar\.bz2|tar\.xz|zip|egg)$/i;

const reqName = requirementName;

const joinPath = joinRelative;
const dirname = dirnamePosix;

function basename(p: string): string {
  const t = p.replace(/\/+$/, '');
  return t.slice(t.lastIndexOf('/') + 1);
}

function globRe(glob: string): RegExp {
  const wild = (escaped: string) => escaped.replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  try {
    return new RegExp(`^${wild(glob.replace(/[.+^${}()|\\]/g, '\\$&')).replace(/\[!/g, '[^')}$`);
  } catch {
    // an unterminated `[` (a pattern Docker refuses): match it literally rather than crash the rule
    return new RegExp(`^${wild(glob.replace(/[.+^${}()|[\]\\]/g, '\\$&'))}$`);
  }
}

const isGlob = (s: string): boolean => /[*?[]/.test(s);

/** Names pinned by a constraints file (and what it includes), or undefined when part of it cannot be read. */
function readConstraints(project: ProjectFiles, path: string, out: Set<string>): boolean {
  const tree = requirementsTree((p) => project.read(p), path, 'constraints');
  if (tree.unresolved.length > 0) return false;
  for (const { file } of tree.files) for (const r of file.requirements) if (!r.dynamic && r.kind === 'pinned' && r.name) out.add(r.name);
  return true;
}

/** Stage instructions up to `instr` (the FROM chain, ancestors first). */
function before(df: Dockerfile, instr: Instruction): Instruction[] {
  const stage = df.stages[instr.stage];
  if (!stage) return [];
  const all = chainInstructions(df, stage);
  const i = all.findIndex((x) => x === instr || x.onbuild === instr);
  return i < 0 ? all : all.slice(0, i);
}

interface Source {
  /** Context-relative path ('' for the context root), or undefined when it comes from elsewhere (another stage, a URL). */
  ctx: string | undefined;
  value: string;
  /** Absolute destination in the image. */
  dest: string | undefined;
  /** The destination names a directory (ends in /, several sources, or a directory source). */
  destDir: boolean;
}

function isUrl(s: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(s) || /^git@/.test(s);
}

/** The sources a COPY/ADD or a RUN bind mount brings in, or 'unknown' when they cannot be resolved. */
function sourcesOf(df: Dockerfile, instr: Instruction): Source[] | 'unknown' {
  if (instr.keyword === 'COPY' || instr.keyword === 'ADD') {
    const ops = copyOperands(df, instr);
    if (!ops) return [];
    const out: Source[] = [];
    const destDir = ops.dest !== undefined && (ops.dest.endsWith('/') || ops.dest === '.' || ops.sources.length > 1);
    for (const s of ops.sources) {
      if (s.value === undefined) return 'unknown';
      if (instr.keyword === 'ADD' && (isUrl(s.value) || ARCHIVE.test(s.value) || /\.(tar|txz|tbz2?)$/i.test(s.value))) return 'unknown';
      const external = ops.from !== undefined || isUrl(s.value);
      out.push({ ctx: external ? undefined : joinPath('', s.value), value: s.value, dest: ops.destPath, destDir });
    }
    return out;
  }
  if (instr.keyword === 'RUN') {
    const out: Source[] = [];
    for (const m of mounts(instr)) {
      if (m.type !== 'bind') continue;
      const src = m.source ?? '.';
      if (src.includes('$')) return 'unknown';
      const dest = m.target === undefined ? undefined : imagePath(instr.state.workdir, m.target);
      out.push({ ctx: m.from !== undefined ? undefined : joinPath('', src), value: src, dest, destDir: false });
    }
    return out;
  }
  return [];
}

/** Known file names without an extension, so `COPY Pipfile .` is not taken for a directory. */
const EXTENSIONLESS_FILES = /^(Pipfile|Makefile|Dockerfile|Procfile|LICENSE|LICENCE|README|VERSION|NOTICE|AUTHORS|CHANGELOG|Containerfile|Justfile|Gemfile)$/i;

function maybeDir(value: string): boolean {
  const b = basename(value);
  return value === '.' || value === './' || value.endsWith('/') || b === '' || b === '*' || (!b.includes('.') && !EXTENSIONLESS_FILES.test(b));
}

type Presence = 'present' | 'absent' | 'unknown';

/** Where a copied file or directory lands: the directory holding a copied file, or the directory a directory fills. */
function landingDir(s: Source, file: boolean): string | undefined {
  if (s.dest === undefined) return undefined;
  if (!file) return s.dest;
  return s.destDir || basename(s.dest) !== basename(s.value) ? s.dest : dirname(s.dest) || '/';
}

/** Is a context file there and sent to the builder (not left out by .dockerignore)? */
function sent(project: Project, path: string): boolean {
  return project.exists(path) && !project.dockerignore?.ignores(path);
}

/**
 * Did the build bring a file named `file` (a lock file) into the stage before `instr`? `absent` only when a project
 * manifest (`manifest`, e.g. pyproject.toml) was visibly copied and nothing that lands next to it can hold the lock.
 */
function filePresence(df: Dockerfile, instr: Instruction, file: string, manifest: string, mode: string, project: Project | undefined): Presence {
  const inProject = mode === 'project' && project !== undefined;
  const all: Source[] = [];
  let unknown = false;
  for (const i of [...before(df, instr), instr]) {
    const target = i.onbuild ?? i;
    if (target.keyword === 'RUN' && target !== instr) {
      // files fetched or unpacked during the build: cannot tell what they hold
      for (const cmd of runScript(target)?.commands ?? []) {
        if ((cmd.name === 'git' && ['clone', 'pull', 'checkout', 'fetch'].includes(cmd.argv[1]?.value ?? '')) || cmd.name === 'tar' || cmd.name === 'unzip') unknown = true;
      }
      continue;
    }
    const sources = sourcesOf(df, target);
    if (sources === 'unknown') unknown = true;
    else all.push(...sources);
  }
  // where the manifest landed
  const manifestDirs = new Set<string | undefined>();
  for (const s of all) {
    const b = basename(s.value);
    if (b === manifest) manifestDirs.add(landingDir(s, true));
    else if (inProject && s.ctx !== undefined && !isGlob(b) && project!.exists(joinPath(s.ctx, manifest))) manifestDirs.add(landingDir(s, false));
  }
  for (const s of all) {
    const b = basename(s.value);
    if (b === file) return 'present';
    if (isGlob(b) && b !== '*') {
      if (globRe(b).test(file) && (!inProject || s.ctx === undefined || project!.exists(joinPath(dirname(s.ctx), file)))) return 'present';
      continue;
    }
    const dir = b === '*' || maybeDir(s.value);
    if (inProject && s.ctx !== undefined) {
      const ctxDir = b === '*' ? dirname(s.ctx) : s.ctx;
      if (sent(project!, joinPath(ctxDir, file))) return 'present';
      continue;
    }
    if (!dir) continue;
    // a directory from elsewhere (or, in Dockerfile-only mode, from the context) may hold the lock if it lands next to the manifest
    const land = landingDir(s, false);
    if (land === undefined || manifestDirs.has(undefined) || manifestDirs.has(land)) unknown = true;
  }
  if (unknown || manifestDirs.size === 0) return 'unknown';
  return 'absent';
}

/** The context path that ends up at `image` (an absolute path in the image) before `instr`, if any. */
function contextPathOf(df: Dockerfile, instr: Instruction, image: string, project: ProjectFiles): string | undefined {
  const list = [...before(df, instr), instr].reverse();
  for (const i of list) {
    const target = i.onbuild ?? i;
    if (target.keyword === 'RUN' && target !== instr) continue;
    const sources = sourcesOf(df, target);
    if (sources === 'unknown') return undefined;
    for (const s of sources) {
      if (s.dest === undefined) continue;
      if (s.ctx === undefined) {
        // from another stage or a URL: the file may come from there
        if (pathWithin(image, s.dest) || s.dest === dirname(image)) return undefined;
        continue;
      }
      const candidates: string[] = [];
      const b = basename(s.value);
      if (isGlob(b)) {
        if (dirname(image) === s.dest && globRe(b).test(basename(image))) candidates.push(joinPath(dirname(s.ctx), basename(image)));
      } else {
        if (image === s.dest && !s.destDir) candidates.push(s.ctx);
        if (image === `${s.dest === '/' ? '' : s.dest}/${b}`) candidates.push(s.ctx);
        if (pathWithin(image, s.dest) && image !== s.dest) candidates.push(joinPath(s.ctx, image.slice(s.dest.length + (s.dest === '/' ? 0 : 1))));
      }
      for (const c of candidates) if (project.read(c) !== undefined) return c;
    }
  }
  return undefined;
}

/** The directory a command runs in: WORKDIR, or the last `cd` before it in the same RUN. */
function runDir(instr: Instruction, script: ShellScript, cmd: ShCommand): string | undefined {
  let dir = instr.state.workdir ?? '/';
  for (const c of script.commands) {
    if (c.span.start >= cmd.span.start) break;
    if (c.name !== 'cd' || c.depth > cmd.depth) continue;
    const arg = c.argv[1];
    if (!arg) continue;
    const v = shellWordValue(instr, arg);
    if (v === undefined || v.startsWith('-') || v.startsWith('~')) return undefined;
    dir = imagePath(dir, v) ?? dir;
  }
  return dir;
}

function envOf(instr: Instruction, cmd: ShCommand, name: string): string | undefined {
  const a = cmd.assignments.find((x) => x.name === name);
  if (a) return a.value;
  return instr.state.env.get(name) ?? instr.state.args.get(name) ?? undefined;
}

const truthy = (v: string | undefined): boolean => v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());

function list(names: string[]): string {
  const shown = names.slice(0, 4).map((n) => `\`${n}\``).join(', ');
  return names.length > 4 ? `${shown} and ${names.length - 4} more` : shown;
}

/** pip / uv pip options that take a value and that pipCall does not know: their value is not a package. */
const EXTRA_VALUE_FLAGS = new Set([
  '--use-feature', '--use-deprecated', '--index-strategy', '--resolution', '--prerelease', '--link-mode', '--exclude-newer',
  '--torch-backend', '--extra', '--override', '--overrides', '--index', '--default-index', '--upgrade-package', '-P', '--reinstall-package',
  '--no-build-isolation-package', '--config-setting', '--build-constraint', '-b', '--target-version', '--python-platform',
  '--python-preference', '--requirements',
]);

const BOOTSTRAP = new Set(['pip', 'setuptools', 'wheel']);

/**
 * The requirements files a Dockerfile installs with `pip install -r` / `uv pip install -r` / `uv pip sync` (project
 * mode): context-relative paths of the files COPY'd or bind-mounted to where the command reads them, with the RUN and
 * whether the command turns on hash checking (`--require-hashes`).
 */
export function installedRequirementFiles(df: Dockerfile, project: ProjectFiles): { path: string; instr: Instruction; requireHashes: boolean }[] {
  const out: { path: string; instr: Instruction; requireHashes: boolean }[] = [];
  for (const { instr, cmd, script } of stageCommands(df)) {
    const inst = pythonInstall(cmd);
    if (!inst || (inst.tool !== 'pip' && inst.tool !== 'uv-pip') || !inst.pip) continue;
    if (hasFlag(cmd, '--dry-run', '--help', '-h')) continue;
    const dir = runDir(instr, script, cmd);
    if (dir === undefined) continue;
    const words = [...inst.pip.requirementFiles];
    for (const w of inst.pip.packages) {
      const k = cmd.argv.indexOf(w);
      const prev = k > 0 ? cmd.argv[k - 1]!.value : '';
      if (prev === '--requirements' || inst.subcommand === 'sync') words.push(w);
    }
    const requireHashes = hasFlag(cmd, '--require-hashes') || truthy(envOf(instr, cmd, 'PIP_REQUIRE_HASHES')) || truthy(envOf(instr, cmd, 'UV_REQUIRE_HASHES'));
    for (const w of words) {
      const v = shellWordValue(instr, w);
      if (v === undefined || v === '-' || v.startsWith('/dev/')) continue;
      const img = imagePath(dir, v);
      const ctx = img === undefined ? undefined : contextPathOf(df, instr, img, project);
      if (ctx !== undefined && !out.some((o) => o.path === ctx)) out.push({ path: ctx, instr, requireHashes });
    }
  }
  return out;
}

export default defineRule({
  code: 'REP004',
  name: 'pin-python-deps',
  title: 'Pin Python dependencies',
  area: 'rep',
  severity: 'error',
  scope: ['D', 'P'],
  sources: ['hadolint:DL3013'],
  why: `An unpinned install (\`pip install flask\`, \`flask>=2\` in requirements.txt, \`poetry install\` without
\`poetry.lock\`) resolves to whatever is newest on the day of the build. The same commit then builds different
images, and a dependency's new release can break production without any change of yours — often found only
after deploying. Pin everything the image installs: application dependencies through a lock file (uv, poetry,
pdm, pip-tools), and tools (\`pip install poetry==2.1.3\`) with \`==\`.

pyship checks \`pip\`/\`uv pip\`/\`pipx\`/\`uv tool\`/\`conda\` installs of named packages (\`==\`/\`===\` pins; VCS URLs must
name a ref, \`git+https://…@v1.2\`; local paths, wheels and archive URLs count as pinned); \`poetry install\`,
\`pdm install\` and \`uv sync\` with no lock file copied or bind-mounted before them; \`uv sync\` without
\`--locked\`/\`--frozen\` (it re-locks silently when the lock is stale); \`pipenv install\` without \`--deploy\`. Upgrading
\`pip\`, \`setuptools\` or \`wheel\` without a version is flagged too, at the same severity: the guide pins
everything, and a new pip release has broken builds before. Named installs with \`--no-index\` (from a local
wheelhouse) or a \`-c\` constraints file are not flagged unless, in project mode, the constraints leave them unpinned.

Requirements files are read in project mode only (following \`-r\` includes and \`-c\` constraints): in
Dockerfile-only mode pyship cannot see them and says nothing. hadolint's DL3013 accepts \`>=\` ranges; pyship does not.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nRUN pip install --no-cache-dir flask gunicorn==23.0.0\n',
      good: 'FROM python:3.13-slim-trixie\nRUN pip install --no-cache-dir flask==3.1.0 gunicorn==23.0.0 ./wheels/app-1.0-py3-none-any.whl\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY pyproject.toml ./\nRUN pip install poetry==2.1.3 && poetry install --no-root\n',
      good: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY pyproject.toml poetry.lock ./\nRUN pip install poetry==2.1.3 && poetry install --no-root\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nRUN --mount=type=bind,source=uv.lock,target=uv.lock --mount=type=bind,source=pyproject.toml,target=pyproject.toml uv sync --no-install-project\n',
      good: 'FROM python:3.13-slim-trixie\nRUN --mount=type=bind,source=uv.lock,target=uv.lock --mount=type=bind,source=pyproject.toml,target=pyproject.toml uv sync --locked --no-install-project\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n',
      good: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY requirements.txt constraints.txt ./\nRUN pip install -r requirements.txt -c constraints.txt\n',
      files: { 'requirements.txt': 'flask>=3\n# web server\ngunicorn==23.0.0 \\\n    --hash=sha256:abc\n', 'constraints.txt': 'flask==3.1.0\n' },
    },
  ],
  check({ dockerfile: df, mode, project, report }) {
    const inProject = mode === 'project' && project !== undefined;
    for (const { instr, cmd, script } of stageCommands(df)) {
      const inst = pythonInstall(cmd);
      if (!inst) continue;
      switch (inst.tool) {
        case 'pip': case 'uv-pip':
          checkPip(inst, inst.pip!, instr, script);
          break;
        case 'pipx': case 'uv':
          if (inst.tool === 'uv' && inst.subcommand === 'sync') checkUvSync(inst, instr);
          else checkTool(inst, instr);
          break;
        case 'poetry':
          if (inst.subcommand === 'install') checkLock(inst, instr, 'poetry.lock');
          break;
        case 'pdm':
          if (inst.subcommand === 'install') checkLock(inst, instr, 'pdm.lock');
          break;
        case 'pipenv':
          if (inst.subcommand === 'install' && !hasFlag(cmd, '--deploy', '--ignore-pipfile') && !truthy(envOf(instr, cmd, 'PIPENV_IGNORE_PIPFILE'))) {
            report({ span: head(inst), message: '`pipenv install` without `--deploy`: it re-locks when Pipfile.lock is stale instead of failing; use `pipenv install --deploy` or `pipenv sync`' });
          }
          break;
        case 'conda':
          if (inst.subcommand === 'install' || inst.subcommand === 'create') checkConda(inst, instr);
          break;
      }
    }

    function head(inst: PyInstall): Span {
      return { start: inst.cmd.argv[0]!.span.start, end: inst.cmd.argv[inst.argsFrom - 1]!.span.end };
    }

    function expanded(instr: Instruction, w: ShWord): string[] | undefined {
      if (!w.dynamic) return [w.value];
      // an ARG with an empty default is meant to be given with --build-arg (pulpcore${PULPCORE_VERSION})
      if (referencedVars(w.raw).some((n) => (instr.state.env.get(n) ?? instr.state.args.get(n)) === '')) return undefined;
      const v = shellWordValue(instr, w);
      if (v === undefined) return w.value.includes('==') ? [w.value] : undefined;
      // only unquoted expansions are split into several words
      return /["']/.test(w.raw) ? [v] : v.split(/\s+/).filter(Boolean);
    }

    function checkPip(inst: PyInstall, pip: PipCall, instr: Instruction, script: ShellScript): void {
      const cmd = inst.cmd;
      if (hasFlag(cmd, '--dry-run', '--help', '-h')) return;
      const noIndex = hasFlag(cmd, '--no-index') || truthy(envOf(instr, cmd, 'PIP_NO_INDEX'));
      const constraintEnv = envOf(instr, cmd, inst.tool === 'uv-pip' ? 'UV_CONSTRAINT' : 'PIP_CONSTRAINT');
      const dir = runDir(instr, script, cmd);
      // names pinned by -c files (project mode), or undefined when constraints exist but cannot be read
      let constrained: Set<string> | undefined = new Set();
      const constraintPaths = pip.constraintFiles.map((w) => shellWordValue(instr, w));
      if (constraintEnv) constraintPaths.push(...constraintEnv.split(/\s+/).filter(Boolean));
      if (constraintPaths.length > 0) {
        if (!inProject || dir === undefined) constrained = undefined;
        else {
          for (const p of constraintPaths) {
            const img = p === undefined ? undefined : imagePath(dir, p);
            const ctx = img === undefined ? undefined : contextPathOf(df, instr, img, project!);
            if (ctx === undefined || !readConstraints(project!, ctx, constrained!)) {
              constrained = undefined;
              break;
            }
          }
        }
      }
      // named packages and URLs on the command line
      const bad: { word: ShWord; spec: string }[] = [];
      // `uv pip sync FILE…` and uv's `--requirements FILE` name requirement files
      const reqFiles = [...pip.requirementFiles];
      const named: ShWord[] = [];
      for (const w of pip.packages) {
        const k = cmd.argv.indexOf(w);
        const prev = k > 0 ? cmd.argv[k - 1]!.value : '';
        if (prev === '--requirements' || inst.subcommand === 'sync') reqFiles.push(w);
        else if (!EXTRA_VALUE_FLAGS.has(prev)) named.push(w);
      }
      for (const w of [...named, ...pip.editables]) {
        const specs = expanded(instr, w);
        if (!specs) continue;
        const editable = pip.editables.includes(w);
        for (const spec of specs) {
          const kind = requirementKind(spec);
          if (kind === 'vcs') bad.push({ word: w, spec });
          else if (editable) continue; // -e takes a path or a VCS URL, never a name
          else if (kind === 'unpinned' && !noIndex && constrained !== undefined && !constrained.has(reqName(spec))) bad.push({ word: w, spec });
        }
      }
      if (bad.length > 0) {
        const names = bad.map((b) => b.spec);
        const onlyBootstrap = bad.every((b) => BOOTSTRAP.has(reqName(b.spec)));
        const vcs = bad.filter((b) => requirementKind(b.spec) === 'vcs');
        const what = vcs.length === bad.length
          ? `${list(names)} ${names.length === 1 ? 'names' : 'name'} no ref: the default branch is installed; add \`@<tag or commit>\``
          : onlyBootstrap
            ? `${list(names)} ${names.length === 1 ? 'is' : 'are'} not pinned: each build gets whatever release is newest; pin ${names.length === 1 ? 'it' : 'them'} (\`${reqName(bad[0]!.spec)}==<version>\`) or drop the upgrade`
            : `${list(names)} ${names.length === 1 ? 'is' : 'are'} not pinned: each build installs whatever is newest; pin with \`==\` or install from a lock file`;
        report({ span: bad[0]!.word.span, message: `\`${inst.tool === 'uv-pip' ? 'uv pip' : 'pip'} ${inst.subcommand}\`: ${what}` });
      }
      // requirements files (project mode)
      if (!inProject || dir === undefined) return;
      for (const w of reqFiles) {
        const v = shellWordValue(instr, w);
        if (v === undefined || v === '-' || v.startsWith('/dev/')) continue;
        const img = imagePath(dir, v);
        if (img === undefined) continue;
        const ctx = contextPathOf(df, instr, img, project!);
        if (ctx === undefined) continue;
        const tree = requirementsTree((p) => project!.read(p), ctx);
        if (tree.unresolved.length > 0 || constrained === undefined) continue;
        const pinnedHere = new Set<string>();
        for (const { file, role } of tree.files) {
          if (role === 'constraints') for (const r of file.requirements) if (!r.dynamic && r.kind === 'pinned' && r.name) pinnedHere.add(r.name);
        }
        const left: { file: string; line: RequirementLine }[] = [];
        for (const { file, role } of tree.files) {
          if (role !== 'requirements') continue;
          for (const r of file.requirements) {
            if (r.dynamic || (r.kind !== 'unpinned' && r.kind !== 'vcs')) continue;
            const name = r.name ?? reqName(r.spec);
            if (constrained.has(name) || pinnedHere.has(name) || (noIndex && r.kind === 'unpinned')) continue;
            left.push({ file: file.path, line: r });
          }
        }
        // the finding is on the requirements line, in the requirements file (root-relative path)
        for (const { file, line } of left) {
          report({
            file: project!.fromContext(file),
            span: line.span,
            message: line.kind === 'vcs'
              ? `\`${line.spec}\` names no ref: the default branch is installed on every build; add \`@<tag or commit>\``
              : `\`${line.spec}\` is not pinned and no constraints file pins it: each image build resolves it anew; lock the requirements (pip-compile, \`uv pip compile\`) and install the lock`,
          });
        }
      }
    }

    function checkTool(inst: PyInstall, instr: Instruction): void {
      const cmd = inst.cmd;
      const valueFlags = inst.tool === 'pipx'
        ? new Set(['--python', '--suffix', '--pip-args', '--index-url', '-i', '--spec', '--preinstall'])
        : new Set(['--from', '--with', '-w', '--python', '-p', '--index-url', '-i', '--extra-index-url', '--with-requirements', '--constraints', '-c', '--overrides', '--with-editable', '--index', '--default-index', '--cache-dir', '-f', '--find-links', '--build-constraints', '-b']);
      if (hasFlag(cmd, '--help', '-h')) return;
      const from = inst.tool === 'uv' ? flagValue(cmd, '--from') : flagValue(cmd, '--spec');
      const bad: ShWord[] = [];
      const specs: string[] = [];
      const words = positionals(cmd, inst.argsFrom, valueFlags);
      if (from !== undefined) {
        if (from.includes('$')) return;
        const kind = requirementKind(from);
        if (kind === 'unpinned' || kind === 'vcs') {
          const w = cmd.argv.find((x) => x.value === from || x.value.endsWith('=' + from));
          if (w) {
            bad.push(w);
            specs.push(from);
          }
        }
      } else {
        for (const w of words) {
          for (const spec of expanded(instr, w) ?? []) {
            // uv tool install ruff@0.6.9
            const at = /^([A-Za-z0-9._-]+(?:\[[^\]]*\])?)@([^/:]+)$/.exec(spec);
            if (at && at[2] !== 'latest' && inst.tool === 'uv') continue;
            const kind = requirementKind(spec);
            if (kind === 'unpinned' || kind === 'vcs') {
              bad.push(w);
              specs.push(spec);
            }
          }
        }
      }
      if (bad.length === 0) return;
      const tool = inst.tool === 'uv' ? 'uv tool install' : 'pipx install';
      report({ span: bad[0]!.span, message: `\`${tool}\`: ${list(specs)} ${specs.length === 1 ? 'is' : 'are'} not pinned: each build gets the newest release; pin with \`==\`` });
    }

    function lockMessage(inst: PyInstall, lock: string): string {
      const name = inst.tool === 'uv' ? 'uv sync' : `${inst.tool} install`;
      return `\`${name}\` with no \`${lock}\` copied or bind-mounted before it: it resolves the dependencies anew on every build; commit the lock file and copy it with \`pyproject.toml\``;
    }

    function checkLock(inst: PyInstall, instr: Instruction, lock: string): boolean {
      if (hasFlag(inst.cmd, '--help', '-h')) return false;
      const p = filePresence(df, instr, lock, 'pyproject.toml', mode, project);
      if (p !== 'absent') return false;
      report({ span: head(inst), message: lockMessage(inst, lock) });
      return true;
    }

    function checkUvSync(inst: PyInstall, instr: Instruction): void {
      const cmd = inst.cmd;
      if (hasFlag(cmd, '--locked', '--frozen', '--help', '-h')) return;
      if (truthy(envOf(instr, cmd, 'UV_LOCKED')) || truthy(envOf(instr, cmd, 'UV_FROZEN'))) return;
      if (checkLock(inst, instr, 'uv.lock')) return;
      report({ span: head(inst), message: '`uv sync` without `--locked` (or `--frozen`): when `uv.lock` is stale uv re-resolves and installs newer versions silently; `--locked` fails the build instead' });
    }

    function checkConda(inst: PyInstall, instr: Instruction): void {
      const cmd = inst.cmd;
      if (hasFlag(cmd, '--file', '-f', '--help', '-h', '--clone')) return;
      const valueFlags = new Set(['-n', '--name', '-p', '--prefix', '-c', '--channel', '--solver', '-r', '--root-prefix', '--repodata-fn', '--platform', '--subdir']);
      const bad: ShWord[] = [];
      const specs: string[] = [];
      for (const w of positionals(cmd, inst.argsFrom, valueFlags)) {
        for (const spec of expanded(instr, w) ?? []) {
          const s = spec.includes('::') ? spec.slice(spec.indexOf('::') + 2) : spec;
          if (/[/\\]/.test(s) || /\.(tar\.bz2|conda)$/.test(s) || s.startsWith('-')) continue;
          if (/^[A-Za-z0-9._-]+(\[[^\]]*\])?\s*={1,2}\s*[^=<>*\s]/.test(s) || !/^[A-Za-z0-9]/.test(s)) continue;
          bad.push(w);
          specs.push(spec);
        }
      }
      if (bad.length === 0) return;
      report({ span: bad[0]!.span, message: `\`${cmd.name} ${inst.subcommand}\`: ${list(specs)} ${specs.length === 1 ? 'is' : 'are'} not pinned: each build gets the newest; pin with \`=<version>\` or install from a lock file (conda-lock)` });
    }
  },
});
