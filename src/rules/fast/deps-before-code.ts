// FAST004: the dependency install must come before the source tree is copied, or every code change reinstalls everything.
import { defineRule } from '../../lint/rule.js';
import type { Dockerfile, Instruction, Span, Stage } from '../../dockerfile/model.js';
import { memo } from '../../dockerfile/memo.js';
import { runScript, type ShCommand } from '../../dockerfile/shell.js';
import { hasFlag, pythonInstall } from '../../dockerfile/commands.js';
import { copyOperands, pathWithin } from '../../dockerfile/query.js';
import { imagePath } from '../../dockerfile/paths.js';
import { lineOf } from '../../dockerfile/lines.js';

type Kind = 'deps' | 'deps+project' | 'project';

const ARCHIVE = /\.(whl|tar\.gz|tgz|tar\.bz2|zip|egg)$/i;
/** File names without an extension, so `COPY Pipfile .` is not taken for a directory. */
const EXTENSIONLESS_FILES = /^(Pipfile|Makefile|Dockerfile|Procfile|LICENSE|LICENCE|README|VERSION|NOTICE|AUTHORS|CHANGELOG|Containerfile|Justfile|Gemfile|Jenkinsfile|Vagrantfile|CODEOWNERS|Caddyfile|crontab|entrypoint|docker-entrypoint|start|run|manage|wait-for-it|wait-for|healthcheck|supervisord|gunicorn|uwsgi|celery|cmd|boot|init|setup|install|build)$/i;
/** Destinations that receive configuration or executables, not a source tree. */
const SYSTEM_DEST = /^\/(etc|bin|sbin|usr\/(local\/)?s?bin)(\/|$)|^\/(docker-)?entrypoint/;
/** Directories that hold dependency manifests only. */
const MANIFEST_DIR = /^(requirements?|reqs?|deps|dependencies|constraints?|locks?|lockfiles?|wheels?|wheelhouse|pip|conda|envs?|environments?|pipenv|poetry)$/i;

function basename(p: string): string {
  const t = p.replace(/\/+$/, '');
  return t.slice(t.lastIndexOf('/') + 1);
}

/** A local project directory given to pip: `.`, `./`, `.[dev]`, `/app`, `./src/pkg` (not wheels, archives, globs, URLs). */
function projectPath(v: string): boolean {
  if (/:\/\//.test(v) || /^(git|hg|svn|bzr)\+/.test(v) || ARCHIVE.test(v) || /[*?]/.test(v) || v.includes('$')) return false;
  return /^(\.|\.\.|\/|~)/.test(v.replace(/\[[^\]]*\]$/, '')) || v.includes('/');
}

/** What a command installs: dependencies, dependencies and the project, the project alone, or nothing we judge. */
function installKind(cmd: ShCommand): Kind | undefined {
  const inst = pythonInstall(cmd);
  if (!inst) return undefined;
  switch (inst.tool) {
    case 'pip': case 'uv-pip': {
      const pip = inst.pip!;
      if (hasFlag(cmd, '--help', '-h', '--dry-run')) return undefined;
      if (inst.subcommand === 'sync') return 'deps';
      const project = [...pip.packages, ...pip.editables].some((w) => projectPath(w.value));
      // -r files, uv's --requirements, pip's dependency groups (--group, from pyproject.toml)
      if (pip.requirementFiles.length > 0 || cmd.argv.some((w) => w.value === '--requirements' || w.value === '--group' || w.value.startsWith('--group='))) return project ? 'deps+project' : 'deps';
      if (!project) return undefined;
      return hasFlag(cmd, '--no-deps') ? 'project' : 'deps+project';
    }
    case 'poetry':
      if (inst.subcommand !== 'install') return undefined;
      if (hasFlag(cmd, '--only-root')) return 'project';
      return hasFlag(cmd, '--no-root') ? 'deps' : 'deps+project';
    case 'uv':
      if (inst.subcommand !== 'sync') return undefined;
      if (hasFlag(cmd, '--no-deps')) return 'project';
      return hasFlag(cmd, '--no-install-project', '--no-install-workspace') ? 'deps' : 'deps+project';
    case 'pdm':
      if (inst.subcommand === 'add') return undefined;
      return hasFlag(cmd, '--no-self') ? 'deps' : 'deps+project';
    case 'pipenv':
      if (inst.subcommand === 'sync') return 'deps';
      // `pipenv install NAME` adds a package; bare `pipenv install` installs the Pipfile
      return cmd.argv.slice(inst.argsFrom).some((w) => !w.value.startsWith('-')) ? undefined : 'deps';
    case 'conda':
      if (inst.subcommand.startsWith('env ')) return 'deps';
      return hasFlag(cmd, '--file', '-f') ? 'deps' : undefined;
    default:
      return undefined;
  }
}

/** Does any RUN among these install dependencies? */
function installsDeps(instrs: Instruction[]): boolean {
  return instrs.some((i) => i.keyword === 'RUN' && (runScript(i)?.commands ?? []).some((c) => {
    const k = installKind(c);
    return k === 'deps' || k === 'deps+project';
  }));
}

/**
 * Per stage index: whether its FROM chain installs dependencies. One pass in stage order (a FROM names only earlier
 * stages), instead of walking each stage's whole chain: a chain of thousands of stages made that quadratic.
 */
const chainInstallsDeps = memo((df: Dockerfile): boolean[] => {
  const out: boolean[] = [];
  for (const s of df.stages) out.push(installsDeps(s.instructions) || (s.base.stage !== undefined && s.base.stage < s.index && out[s.base.stage]!));
  return out;
});

/** Each word a RUN of the stage passes to chmod, with the index of the last such RUN: once per stage, not per COPY. */
function chmodTargets(stage: Stage): Map<string, number> {
  const out = new Map<string, number>();
  for (const i of stage.instructions) {
    if (i.keyword !== 'RUN') continue;
    for (const c of runScript(i)?.commands ?? []) if (c.name === 'chmod') for (const w of c.argv) out.set(w.value, i.index);
  }
  return out;
}

interface TreeCopy {
  instr: Instruction;
  span: Span;
  label: string;
  /** Source basenames and destination, to see whether an install names them. */
  names: string[];
  dest: string | undefined;
  whole: boolean;
}

export default defineRule({
  code: 'FAST004',
  name: 'deps-before-code',
  title: 'Install dependencies before copying code',
  area: 'fast',
  severity: 'error',
  scope: ['D'],
  sources: [],
  why: `Docker reuses a cached layer only if nothing before it changed. \`COPY . .\` followed by
\`pip install -r requirements.txt\` means every edit to any source file invalidates the install: each build
downloads and installs every dependency again, turning a seconds-long rebuild into minutes. Copy only the
dependency manifests (\`requirements.txt\`, \`pyproject.toml\` with its lock file), install, and copy the code after.

Flagged: a \`COPY\`/\`ADD\` of the source tree (\`.\` or a directory, other than one holding only dependency manifests such
as \`requirements/\`) before a dependency install in the same stage: \`pip install -r\`, \`pip install .\`/\`-e .\`,
\`poetry install\`, \`uv sync\`, \`pipenv install\`/\`sync\`, \`pdm install\`/\`sync\`, \`conda env create/update\`. Installing tools
or named packages (\`pip install poetry==2.1.3\`) is not a dependency install, and installing the project after its
dependencies were installed in an earlier step is right: \`pip install --no-deps .\`, \`uv sync --no-install-project\`
then \`uv sync\`, \`poetry install --no-root\` then \`poetry install\`. A copied directory the install names
(\`pip install ./libs/shared\`) is a dependency, not the source tree.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir -r requirements.txt\n',
      good: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY pyproject.toml uv.lock ./\nCOPY src ./src\nRUN uv sync --locked\n',
      good: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY pyproject.toml uv.lock ./\nRUN uv sync --locked --no-install-project\nCOPY src ./src\nRUN uv sync --locked\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY . .\nRUN pip install poetry==2.1.3 && poetry install --only main\n',
      good: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY requirements/ requirements/\nRUN pip install -r requirements/prod.txt\nCOPY . .\nRUN pip install --no-deps . && pip install gunicorn==23.0.0\n',
    },
  ],
  check({ dockerfile: df, mode, project, report }) {
    const inProject = mode === 'project' && project !== undefined;
    const isWhole = (v: string): boolean => {
      return v === '.' || v === './' || v === '*' || v === './*' || v === '/' ;
    };
    /** A source that copies a directory of code: `.`, `src/`, `app` (a name without an extension). */
    const isTree = (v: string, dest: string | undefined, rawDest: string | undefined): boolean => {
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v) || /^git@/.test(v)) return false;
      if (isWhole(v)) return true;
      const b = basename(v);
      if (/[*?[]/.test(b) || MANIFEST_DIR.test(b)) return false;
      if (inProject) {
        const ctx = v.replace(/^\.\//, '').replace(/\/+$/, '');
        if (project!.read(ctx) !== undefined) return false;
        if (project!.exists(ctx)) return true;
      }
      if (v.endsWith('/')) return true;
      if (b.includes('.') || EXTENSIONLESS_FILES.test(b)) return false;
      // a name without an extension is taken for a directory when it is copied under its own name (COPY src ./src)
      // or into the WORKDIR (COPY app .); scripts usually land elsewhere (COPY start-worker /start-worker.sh)
      const d = (rawDest ?? '').replace(/\/+$/, '');
      return d === '.' || d === '' || (dest !== undefined && basename(dest) === b);
    };
    for (const stage of df.stages) {
      // dependencies installed by the stages this one is built FROM
      const parent = stage.base.stage;
      let depsEarlier = parent !== undefined && chainInstallsDeps(df)[parent] === true;
      const chmodded = chmodTargets(stage);
      const trees: TreeCopy[] = [];
      const done = new Set<Instruction>();
      for (const instr of stage.instructions) {
        if (instr.keyword === 'COPY' || instr.keyword === 'ADD') {
          const ops = copyOperands(df, instr);
          // dependencies installed in another stage and copied in count as an earlier install step
          if (ops?.fromStage && trees.length === 0 && chainInstallsDeps(df)[ops.fromStage.index]) depsEarlier = true;
          if (!ops || ops.from !== undefined || ops.sources.length === 0 || ops.sources.some((s) => s.value === undefined)) continue;
          if (ops.destPath !== undefined && SYSTEM_DEST.test(ops.destPath)) continue;
          // a destination made executable later is a script, not a directory of code
          const laterChmod = ops.destPath !== undefined && (chmodded.get(ops.destPath) ?? -1) > instr.index;
          const tree = laterChmod ? [] : ops.sources.filter((s) => isTree(s.value!, ops.destPath, ops.dest));
          if (tree.length === 0) continue;
          const whole = tree.some((s) => isWhole(s.value!));
          trees.push({
            instr,
            span: { start: tree[0]!.span.start, end: tree[tree.length - 1]!.span.end },
            label: `${instr.keyword} ${tree.map((s) => s.value).join(' ')}`,
            names: tree.map((s) => basename(s.value!)).filter((b) => b !== '' && b !== '.' && b !== '*'),
            dest: ops.destPath,
            whole,
          });
          continue;
        }
        if (instr.keyword !== 'RUN') continue;
        const script = runScript(instr);
        if (!script) continue;
        // a copied directory whose scripts a build step runs (COPY build_helpers/* /tmp/ + RUN /tmp/install_ta-lib.sh) is a build input
        for (const cmd of script.commands) {
          const progs = [cmd.argv[0]?.value ?? ''];
          if (/^(sh|bash|dash|ash|python[\d.]*|perl)$/.test(cmd.name) && cmd.argv[1]) progs.push(cmd.argv[1].value);
          for (const t of trees) {
            if (t.whole || done.has(t.instr) || t.dest === undefined || installKind(cmd) !== undefined) continue;
            const full = progs.map((p) => imagePath(instr.state.workdir, p)).filter((p): p is string => p !== undefined);
            if (full.some((p) => p !== t.dest && pathWithin(p, t.dest!))) done.add(t.instr);
          }
        }
        for (const cmd of script.commands) {
          const kind = installKind(cmd);
          if (kind === undefined || kind === 'project') continue;
          const text = df.text.slice(cmd.span.start, cmd.span.end);
          if (!depsEarlier) {
            for (const t of trees) {
              if (done.has(t.instr)) continue;
              done.add(t.instr);
              // a directory the install names is a dependency it needs (pip install ./libs/shared), not the source tree
              if (!t.whole && (t.names.some((n) => text.includes(n)) || (t.dest !== undefined && t.dest !== '/' && text.includes(t.dest)))) continue;
              const what = df.text.slice(cmd.argv[0]!.span.start, Math.min(cmd.span.end, cmd.argv[0]!.span.start + 60)).split('\n')[0]!.replace(/\s*\\$/, '');
              const advice = kind === 'deps'
                ? 'copy only the dependency files first, install, then copy the code'
                : 'install the dependencies in an earlier step (requirements first, `uv sync --no-install-project`, `poetry install --no-root`), then copy the code and install the project';
              report({
                span: t.span,
                message: `\`${t.label}\` copies the source tree before the dependency install \`${what}\` (line ${lineOf(df.text, cmd.span.start)}): every code change reinstalls all dependencies; ${advice}`,
              });
            }
          }
        }
        // dependencies installed before any source copy make later project installs fine
        if (trees.length === 0 && script.commands.some((c) => { const k = installKind(c); return k === 'deps' || k === 'deps+project'; })) depsEarlier = true;
      }
    }
  },
});
