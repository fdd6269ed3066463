// FAST005: RUN steps that download Python packages keep the tool's cache in a BuildKit cache mount.
import { defineRule } from '../../lint/rule.js';
import type { Dockerfile, Instruction } from '../../dockerfile/model.js';
import type { ShCommand } from '../../dockerfile/shell.js';
import { runScript, stageCommands } from '../../dockerfile/shell.js';
import { flagValue, hasFlag, pythonInstall, type PyInstall, type PyTool } from '../../dockerfile/commands.js';
import { mounts } from '../../dockerfile/arguments.js';
import { chainInstructions, pathWithin } from '../../dockerfile/query.js';
import { imagePath } from '../../dockerfile/paths.js';
import { expandWord } from '../../dockerfile/words.js';

interface CacheSpec {
  /** What a mount's target or id must mention. */
  keys: string[];
  /** Directory under ~/.cache. */
  dir: string;
  env: string;
}

const CACHES: Partial<Record<PyTool, CacheSpec>> = {
  pip: { keys: ['pip'], dir: 'pip', env: 'PIP_CACHE_DIR' },
  pipx: { keys: ['pip'], dir: 'pip', env: 'PIP_CACHE_DIR' },
  'uv-pip': { keys: ['uv'], dir: 'uv', env: 'UV_CACHE_DIR' },
  uv: { keys: ['uv'], dir: 'uv', env: 'UV_CACHE_DIR' },
  poetry: { keys: ['poetry'], dir: 'pypoetry', env: 'POETRY_CACHE_DIR' },
  pipenv: { keys: ['pipenv', 'pip'], dir: 'pipenv', env: 'PIPENV_CACHE_DIR' },
  pdm: { keys: ['pdm'], dir: 'pdm', env: 'PDM_CACHE_DIR' },
};

const ARCHIVE = /\.(whl|tar\.gz|tgz|tar\.bz2|zip)$/i;

function lookupOf(instr: Instruction, cmd: ShCommand): (n: string) => string | undefined {
  return (n) => cmd.assignments.find((a) => a.name === n)?.value ?? instr.state.env.get(n) ?? instr.state.args.get(n) ?? undefined;
}

function home(instr: Instruction, lookup: (n: string) => string | undefined): string {
  const h = lookup('HOME');
  if (h) return h;
  const user = instr.state.user?.split(':')[0];
  return !user || user === 'root' || user === '0' ? '/root' : `/home/${user}`;
}

/** Does the command download packages at all? */
function downloads(inst: PyInstall, lookup: (n: string) => string | undefined): boolean {
  const cmd = inst.cmd;
  if (hasFlag(cmd, '--help', '-h', '--dry-run')) return false;
  if (inst.pip) {
    if (hasFlag(cmd, '--no-index', '--offline') || lookup('PIP_NO_INDEX') || lookup('UV_OFFLINE')) return false;
    const local = [...inst.pip.packages, ...inst.pip.editables];
    const onlyLocal = inst.pip.requirementFiles.length === 0 && local.length > 0 && local.every((w) => ARCHIVE.test(w.value) || /^[./~]/.test(w.value) || /[*?]/.test(w.value));
    if (onlyLocal && hasFlag(cmd, '--no-deps')) return false;
    return true;
  }
  if (inst.tool === 'uv' && (hasFlag(cmd, '--offline') || lookup('UV_OFFLINE'))) return false;
  if (inst.tool === 'poetry' && hasFlag(cmd, '--only-root')) return false;
  return true;
}

const DEPS_ONLY: Partial<Record<PyTool, string>> = { uv: '--no-install-project', poetry: '--no-root', pdm: '--no-self' };

/** `uv sync` after `uv sync --no-install-project` (likewise poetry, pdm) in the same image: the dependencies are there already. */
function projectAfterDeps(df: Dockerfile, instr: Instruction, inst: PyInstall): boolean {
  const flag = DEPS_ONLY[inst.tool];
  if (!flag || hasFlag(inst.cmd, flag)) return false;
  const stage = df.stages[instr.stage];
  if (!stage) return false;
  for (const i of chainInstructions(df, stage)) {
    if (i === instr || i.onbuild === instr) break;
    if (i.keyword !== 'RUN') continue;
    for (const c of runScript(i)?.commands ?? []) {
      const other = pythonInstall(c);
      if (other && other.tool === inst.tool && other.subcommand === inst.subcommand && hasFlag(c, flag)) return true;
    }
  }
  return false;
}

export default defineRule({
  code: 'FAST005',
  name: 'cache-mounts',
  title: 'Use cache mounts for package downloads',
  area: 'fast',
  severity: 'info',
  scope: ['D'],
  fix: 'unsafe',
  sources: [],
  why: `When a dependency changes, the install step reruns and, without a cache, downloads every package again.
A BuildKit cache mount (\`RUN --mount=type=cache,target=/root/.cache/pip pip install …\`) keeps pip's, uv's or
poetry's download cache between builds without putting it in the image, so a rebuild fetches only what changed.
It also keeps the cache out of the layer (SIZE005).

Flagged: a RUN whose pip, \`uv pip\`, \`uv sync\`, \`uv tool\`, pipx, poetry, pipenv or pdm install downloads packages
and has no cache mount for that tool's cache (a mount of \`~/.cache\`, of the tool's directory, of the directory its
\`*_CACHE_DIR\` variable or \`--cache-dir\` names, or one whose id names the tool). \`pip install --no-cache-dir\` still
downloads everything, so it is still flagged; with a cache mount, drop \`--no-cache-dir\`, which would make pip
ignore the cache. Installs with \`--no-index\`/\`--offline\`, or of local wheels with \`--no-deps\`, download nothing, and
neither does installing the project after its dependencies (\`uv sync\` after \`uv sync --no-install-project\`,
\`poetry install\` after \`poetry install --no-root\`).
The fix adds the mount for root's cache; it needs BuildKit (the default builder since Docker 23), hence unsafe.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n',
      good: 'FROM python:3.13-slim-trixie\nCOPY requirements.txt .\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nENV UV_CACHE_DIR=/opt/uv-cache\nRUN --mount=type=cache,target=/root/.cache/pip uv sync --locked\n',
      good: 'FROM python:3.13-slim-trixie\nENV UV_CACHE_DIR=/opt/uv-cache\nRUN --mount=type=cache,target=/opt/uv-cache uv sync --locked\nRUN --mount=type=cache,target=/root/.cache pip install poetry==2.1.3 && poetry install --no-root\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nRUN pip install --no-cache-dir -r requirements.txt\n',
      good: 'FROM python:3.13-slim-trixie\nRUN --mount=type=cache,id=pip,target=/var/cache/pip-downloads,sharing=locked PIP_CACHE_DIR=/var/cache/pip-downloads pip install -r requirements.txt\nRUN pip install --no-index --find-links=/wheels -r requirements.txt\n',
    },
  ],
  check({ dockerfile: df, report }) {
    const seen = new Set<string>();
    const fixed = new Set<Instruction>();
    for (const { instr, cmd } of stageCommands(df)) {
      const inst = pythonInstall(cmd);
      if (!inst) continue;
      const spec = CACHES[inst.tool];
      if (!spec) continue;
      const key = `${instr.index}:${spec.dir}`;
      if (seen.has(key)) continue;
      const lookup = lookupOf(instr, cmd);
      if (!downloads(inst, lookup) || projectAfterDeps(df, instr, inst)) continue;
      const h = home(instr, lookup);
      const norm = (p: string): string | undefined => {
        const e = expandWord(p.replace(/^~(?=\/|$)/, h), (n) => (n === 'HOME' ? h : lookup(n)), df.escape);
        return e.unresolved.length > 0 ? undefined : imagePath(instr.state.workdir ?? '/', e.value);
      };
      const dirs = [lookup(spec.env), flagValue(cmd, '--cache-dir'), `${lookup('XDG_CACHE_HOME') ?? h + '/.cache'}/${spec.dir}`]
        .filter((d): d is string => d !== undefined && d !== '')
        .map(norm)
        .filter((d): d is string => d !== undefined);
      const covered = mounts(instr).some((m) => {
        if (m.type !== 'cache') return false;
        if (m.id && spec.keys.some((k) => m.id!.toLowerCase().includes(k))) return true;
        if (m.target === undefined) return false;
        if (m.target.includes('$') && norm(m.target) === undefined) return true; // cannot tell: assume it is the cache
        const t = norm(m.target);
        if (t === undefined) return false;
        return dirs.some((d) => pathWithin(d, t)) || /(^|\/)\.cache$/.test(t) || spec.keys.some((k) => t.toLowerCase().includes(k));
      });
      if (covered) continue;
      seen.add(key);
      const noCache = inst.pip ? hasFlag(cmd, '--no-cache-dir', '--no-cache') || lookup('PIP_NO_CACHE_DIR') !== undefined || (inst.tool === 'uv-pip' && lookup('UV_NO_CACHE') !== undefined)
        : inst.tool === 'uv' ? hasFlag(cmd, '--no-cache', '-n') || lookup('UV_NO_CACHE') !== undefined : false;
      const target = `/root/.cache/${spec.dir}`;
      const head = df.text.slice(cmd.argv[0]!.span.start, cmd.argv[inst.argsFrom - 1]!.span.end).replace(/^.*\//, '');
      const canFix = !instr.onbuild && df.instructions.includes(instr) && !noCache && h === '/root' && lookup(spec.env) === undefined &&
        flagValue(cmd, '--cache-dir') === undefined && lookup('XDG_CACHE_HOME') === undefined && !fixed.has(instr);
      let fix;
      if (canFix) {
        fixed.add(instr);
        fix = {
          description: `add \`--mount=type=cache,target=${target}\``,
          // the whole instruction is rewritten, so the fixer sees one instruction replaced by one
          edits: [{
            start: instr.span.start,
            end: instr.span.end,
            text: df.text.slice(instr.span.start, instr.keywordSpan.end) + ` --mount=type=cache,target=${target}` + df.text.slice(instr.keywordSpan.end, instr.span.end),
          }],
        };
      }
      // a non-root user needs the mount to be its own, or the tool cannot write to it
      const user = instr.state.user?.split(':')[0];
      const owner = h === '/root' || lookup(spec.env) !== undefined ? '' : `,uid=${user && /^\d+$/.test(user) ? user : '<uid>'}`;
      const suggested = `${dirs[0] ?? target}${owner}`;
      const extra = noCache ? ` (and drop \`${inst.tool === 'uv' || inst.tool === 'uv-pip' ? '--no-cache' : '--no-cache-dir'}\`, which makes it ignore the cache)` : '';
      report({
        span: { start: cmd.argv[0]!.span.start, end: cmd.argv[inst.argsFrom - 1]!.span.end },
        message: `\`${head}\` without a cache mount: every rebuild of this step downloads all packages again; add \`--mount=type=cache,target=${suggested}\` to the RUN${extra}`,
        fix,
      });
    }
  },
});
