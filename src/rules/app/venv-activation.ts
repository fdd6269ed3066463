// APP001: `source venv/bin/activate` in a RUN doesn't persist; a venv the image never puts on PATH isn't the one that runs.
import { memo } from '../../dockerfile/memo.js';
import { defineRule } from '../../lint/rule.js';
import type { Dockerfile, Instruction, Span, Stage } from '../../dockerfile/model.js';
import { runScript, type ShCommand, type ShellScript, type ShWord } from '../../dockerfile/shell.js';
import { isPython, pipInstall, positionals, pythonModule } from '../../dockerfile/commands.js';
import {
  chainInstructions, copyOperands, finalEnv, finalStage, fromChain, rootBase, serverOf, shellWordValue, startCommand,
} from '../../dockerfile/query.js';
import { imagePath } from '../../dockerfile/paths.js';
import { startScripts } from '../../dockerfile/scripts.js';
import { lineOf } from '../../dockerfile/lines.js';
import { expandWord } from '../../dockerfile/words.js';
import { keyValues } from '../../dockerfile/arguments.js';

const PIP_RE = /^pip(\d+(\.\d+)?)?$/;
/** Commands after an activation that don't use the venv's interpreter. */
const TRIVIAL = new Set([
  '', 'cd', 'echo', 'printf', 'true', 'false', ':', 'set', 'export', 'unset', 'ls', 'rm', 'mkdir', 'cp', 'mv', 'chmod',
  'chown', 'ln', 'touch', 'cat', 'deactivate', 'which', 'exit', 'test', '[',
]);
/** Packages people install into a venv of their own to get a tool, not to run the app. */
const TOOLS = new Set([
  'pip', 'setuptools', 'wheel', 'poetry', 'pipx', 'pdm', 'hatch', 'uv', 'pipenv', 'virtualenv', 'tox', 'nox', 'ansible',
  'ansible-core', 'certbot', 'awscli', 'supervisor', 'pre-commit', 'cookiecutter', 'twine', 'build', 'poetry-plugin-export',
  'poetry-core', 'aws-sam-cli', 'aws-lambda-builders', 'cmake', 'ninja', 'meson', 'conan', 'platformio', 'yq',
]);
const VENV_VALUE_FLAGS = new Set(['--prompt']);
const VIRTUALENV_VALUE_FLAGS = new Set([
  '-p', '--python', '--prompt', '--activators', '--creator', '--seeder', '--app-data', '--discovery', '--extra-search-dir',
  '--pip', '--setuptools', '--wheel',
]);
const UV_VENV_VALUE_FLAGS = new Set([
  '-p', '--python', '--prompt', '--index-url', '-i', '--extra-index-url', '--find-links', '-f', '--index', '--default-index',
  '--cache-dir', '--link-mode', '--index-strategy', '--keyring-provider', '--exclude-newer', '--directory', '--project',
  '--config-file', '--python-preference', '--color',
]);

interface Venv {
  dir: string;
  /** Where it was created or first activated. */
  instr: Instruction;
  span: Span;
  /** Something other than a tool was installed or run with it. */
  app: boolean;
  /** Created (or copied in) by this Dockerfile, so the base image can't have put it on PATH. */
  known: boolean;
}

function lookupOf(instr: Instruction): (n: string) => string | undefined {
  return (n) => instr.state.env.get(n) ?? instr.state.args.get(n) ?? undefined;
}

/** Value of a shell word with ENV/ARG expanded, as an absolute path; undefined when unknown (or a `cd` came before). */
function pathOf(instr: Instruction, w: ShWord, afterCd: boolean): string | undefined {
  const v = shellWordValue(instr, w);
  if (v === undefined || v === '') return undefined;
  if (!v.startsWith('/') && (afterCd || instr.state.workdir === undefined)) return undefined;
  return imagePath(instr.state.workdir, v);
}

/** `. X/bin/activate` / `source X/bin/activate` of a virtualenv (not conda's `activate ENV`). */
function activation(cmd: ShCommand): ShWord | undefined {
  if (cmd.name !== '.' && cmd.name !== 'source') return undefined;
  const w = cmd.argv[1];
  if (!w || cmd.argv.length > 2) return undefined;
  if (!/(^|\/)bin\/activate$/.test(w.value)) return undefined;
  if (/conda|mamba|miniforge|anaconda/i.test(w.raw)) return undefined;
  return w;
}

/** The directory a venv-creating command creates: `python -m venv X`, `virtualenv X`, `uv venv [X]`. */
function creation(cmd: ShCommand): ShWord | 'default' | undefined {
  const mod = pythonModule(cmd);
  if (mod === 'venv' || mod === 'virtualenv') {
    const i = cmd.argv.findIndex((w) => w.value === mod);
    const pos = positionals(cmd, i + 1, mod === 'venv' ? VENV_VALUE_FLAGS : VIRTUALENV_VALUE_FLAGS);
    return pos[pos.length - 1];
  }
  if (cmd.name === 'virtualenv') {
    const pos = positionals(cmd, 1, VIRTUALENV_VALUE_FLAGS);
    return pos[pos.length - 1];
  }
  if (cmd.name === 'uv' && cmd.argv[1]?.value === 'venv') {
    return positionals(cmd, 2, UV_VENV_VALUE_FLAGS)[0] ?? 'default';
  }
  return undefined;
}

function modifiesPath(cmd: ShCommand): boolean {
  if (cmd.assignments.some((a) => a.name === 'PATH')) return true;
  return (cmd.name === 'export' || cmd.name === 'declare' || cmd.name === 'typeset') && cmd.argv.some((w) => /^PATH=/.test(w.value));
}

/** Does an install or run with the venv's tools go beyond installing a tool? */
function appUse(cmd: ShCommand): boolean {
  const pip = pipInstall(cmd);
  if (pip) {
    if (elsewhere(cmd)) return false;
    if (pip.requirementFiles.length > 0 || pip.editables.length > 0) return true;
    return pip.packages.some((p) => {
      const name = p.value.replace(/\[.*$/, '').replace(/[<>=!~;@ ].*$/, '').toLowerCase();
      return !TOOLS.has(name) || /^[./]/.test(p.value);
    });
  }
  if (isPython(cmd)) {
    const mod = pythonModule(cmd);
    if (mod === 'pip') return false; // pip list/freeze/--version: pip install is handled above
    return !cmd.argv.slice(1).every((w) => /^(-V|--version)$/.test(w.value));
  }
  return !TRIVIAL.has(cmd.name) && !PIP_RE.test(cmd.name);
}

/** PATH entries at a point, and whether an ENV PATH before it referred to something unknown. */
function pathEntries(path: string | undefined, uncertain: boolean): { entries: string[]; uncertain: boolean } {
  return { entries: (path ?? '').split(':').filter((e) => e !== '').map((e) => e.replace(/\/+$/, '')), uncertain };
}

function uncertainPath(df: Dockerfile, instrs: Instruction[]): boolean {
  // The PATH a `PATH=/x:$PATH` line reads grows with each such line, and splitting it for each was quadratic in their
  // number. Once a PATH is known to hold only absolute or empty entries, a short stand-in with the same first and last
  // entry (empty or absolute) gives the same verdict and the same shape of result, so the value is never split again.
  // The parser expands every pair of an ENV with the state before it, as this does, so the last PATH pair is the value
  // it stored; the stand-in carries over only within one FROM chain.
  let stand: string | undefined;
  let stage: number | undefined;
  for (const i of instrs) {
    if (i.stage !== stage) {
      // into a stage built FROM the one before, which inherits its ENV
      if (stage === undefined || df.stages[i.stage]?.base.stage !== stage) stand = undefined;
      stage = i.stage;
    }
    if (i.keyword !== 'ENV') continue;
    const lookup = lookupOf(i);
    const kvs = keyValues(i, df.escape);
    const before = stand;
    for (const kv of kvs) {
      if (kv.key !== 'PATH') continue;
      stand = undefined;
      if (kv.rawValue === undefined) continue;
      const e = expandWord(kv.rawValue, before === undefined ? lookup : (n) => (n === 'PATH' ? before : lookup(n)), df.escape);
      if (e.unresolved.some((n) => n !== 'PATH')) return true;
      const parts = e.value.split(':');
      if (parts.some((p) => p !== '' && !p.startsWith('/'))) return true;
      const end = (p: string): string => (p === '' ? '' : '/x');
      stand = parts.length === 1 ? end(parts[0]!) : `${end(parts[0]!)}:${end(parts[parts.length - 1]!)}`;
    }
  }
  return false;
}

/** The stages built FROM each stage (directly), once per file. */
const childStages = memo((df: Dockerfile): Stage[][] => {
  const out: Stage[][] = df.stages.map(() => []);
  for (const s of df.stages) if (s.base.stage !== undefined && s.base.stage < s.index) out[s.base.stage]!.push(s);
  return out;
});

/**
 * The stages whose FROM chain holds this one (itself included), in file order: its descendants through childStages,
 * instead of walking the chain of every stage of the file for each stage asked about.
 */
function stagesBuiltOn(df: Dockerfile, stage: Stage): Stage[] {
  const children = childStages(df);
  const out: Stage[] = [];
  const todo = [stage];
  while (todo.length > 0) {
    const s = todo.pop()!;
    out.push(s);
    todo.push(...children[s.index]!);
  }
  return out.sort((a, b) => a.index - b.index);
}

/** Is the stage's FROM chain rooted in an official image (python, debian…), whose PATH holds no venv of this Dockerfile? */
function officialBase(df: Dockerfile, stage: Stage): boolean {
  const root = rootBase(df, stage).base;
  if (root.scratch) return true;
  if (root.resolved === undefined || root.repository === undefined) return false;
  if (root.registry !== undefined && !/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)$/.test(root.registry)) return false;
  return !root.repository.includes('/') || root.repository.startsWith('library/');
}

/** Does this install go somewhere else than the active environment (`--system`, `--target`, `--user`…)? */
function elsewhere(cmd: ShCommand): boolean {
  return cmd.argv.some((w) => /^(--system|--target|-t|--prefix|--root|--user|--python|-p)(=|$)/.test(w.value));
}

interface RunCmd {
  instr: Instruction;
  script: ShellScript;
  cmd: ShCommand;
}

function runCommands(instrs: Instruction[]): RunCmd[] {
  const out: RunCmd[] = [];
  for (const instr of instrs) {
    if (instr.keyword !== 'RUN') continue;
    const script = runScript(instr);
    if (!script) continue;
    for (const cmd of [...script.commands].sort((a, b) => a.span.start - b.span.start)) out.push({ instr, script, cmd });
  }
  return out;
}

/** Where a script first changes directory and first activates a venv or changes PATH (rules ask this per command). */
const marksCache = new WeakMap<ShellScript, { firstCd: number; firstSetup: number }>();
function scriptMarks(script: ShellScript): { firstCd: number; firstSetup: number } {
  let m = marksCache.get(script);
  if (!m) {
    m = { firstCd: Infinity, firstSetup: Infinity };
    for (const c of script.commands) {
      if (c.name === 'cd') m.firstCd = Math.min(m.firstCd, c.span.start);
      if (activation(c) || modifiesPath(c)) m.firstSetup = Math.min(m.firstSetup, c.span.start);
    }
    marksCache.set(script, m);
  }
  return m;
}

export default defineRule({
  code: 'APP001',
  name: 'venv-activation',
  title: 'Activate venvs with ENV',
  area: 'app',
  severity: 'error',
  scope: ['D'],
  sources: [],
  why: `Each \`RUN\` is a new shell: \`source /opt/venv/bin/activate\` only changes the environment of the RUN it is in,
and nothing of it reaches later \`RUN\`s, \`CMD\` or \`ENTRYPOINT\`. An activation with nothing after it in its RUN does
nothing at all, and an image whose venv is never put on \`PATH\` starts the app with the system Python, which doesn't
have the app's packages (or has other versions of them).

Set the venv up once with \`ENV VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH\`: every later \`pip\`, \`python\` and
console script then uses it, at build time and at run time. No peer linter checks this. pyship flags an activation
that is the last command of its RUN, a start command that runs \`python\`/\`pip\` (or a console script) by bare name
while the venv the image installed into is not on \`PATH\`, and a venv that is created and never used while \`pip\`
installs into the system Python. Activating in each RUN that needs it and calling the venv by absolute path are fine.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nRUN python -m venv /opt/venv\nRUN . /opt/venv/bin/activate\nRUN pip install --no-cache-dir -r requirements.txt\n',
      good: 'FROM python:3.13-slim-trixie\nRUN python -m venv /opt/venv\nENV VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH\nRUN pip install --no-cache-dir -r requirements.txt\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY . .\nRUN python -m venv /opt/venv && . /opt/venv/bin/activate && pip install --no-cache-dir -r requirements.txt\nCMD ["python", "app.py"]\n',
      good: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY . .\nRUN python -m venv /opt/venv && . /opt/venv/bin/activate && pip install --no-cache-dir -r requirements.txt\nCMD ["/opt/venv/bin/python", "app.py"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nRUN python -m venv /venv\nRUN pip install --no-cache-dir flask==3.1.0\nCMD ["flask", "run"]\n',
      good: 'FROM python:3.13-slim-trixie\nRUN python -m venv /venv\nENV PATH=/venv/bin:$PATH\nRUN pip install --no-cache-dir flask==3.1.0\nCMD ["flask", "run"]\n',
    },
    {
      // a venv for a tool, used by absolute path, next to the system Python the app runs with
      bad: 'FROM python:3.13-slim-trixie\nRUN python -m venv /opt/app && /opt/app/bin/pip install --no-cache-dir -r requirements.txt\nCMD ["gunicorn", "app:app"]\n',
      good: 'FROM python:3.13-slim-trixie\nRUN python -m venv /opt/poetry && /opt/poetry/bin/pip install --no-cache-dir poetry==2.1.1\nRUN pip install --no-cache-dir -r requirements.txt\nCMD ["python", "app.py"]\n',
    },
  ],
  check({ dockerfile: df, mode, project, report }) {
    // 1. An activation with nothing after it in its RUN.
    for (const instr of df.instructions) {
      if (instr.keyword !== 'RUN') continue;
      const script = runScript(instr);
      if (!script) continue;
      for (const cmd of script.commands) {
        const w = activation(cmd);
        if (!w) continue;
        const after = script.commands.filter((c) => c.span.start > cmd.span.end && !TRIVIAL.has(c.name));
        if (after.length > 0) continue;
        const dir = w.value.replace(/\/?bin\/activate$/, '') || '.';
        report({
          span: cmd.span,
          message: `\`${df.text.slice(cmd.span.start, cmd.span.end)}\` has no effect: the activation ends with this RUN. Use \`ENV VIRTUAL_ENV=${dir} PATH=${dir}/bin:$PATH\``,
        });
      }
    }

    const final = finalStage(df);
    if (!final) return;

    // 2. The venvs the final image's FROM chain installs into, and whether the start command uses them.
    const chain = chainInstructions(df, final);
    const venvs = new Map<string, Venv>();
    const copied = new Set<string>();
    for (const i of chain) {
      const ops = copyOperands(df, i);
      if (ops?.destPath) copied.add(ops.destPath.replace(/\/+$/, ''));
    }
    let outsideInstall = false;
    for (const { instr, script, cmd } of runCommands(chain)) {
      const marks = scriptMarks(script);
      const cdBefore = marks.firstCd < cmd.span.start;
      const created = creation(cmd);
      if (created !== undefined) {
        let dir: string | undefined;
        if (created === 'default') {
          const env = instr.state.env.get('UV_PROJECT_ENVIRONMENT');
          dir = cdBefore || instr.state.workdir === undefined ? undefined : imagePath(instr.state.workdir, env ?? '.venv');
        } else dir = pathOf(instr, created, cdBefore);
        if (dir) {
          const v = venvs.get(dir);
          if (v) v.known = true;
          else venvs.set(dir, { dir, instr, span: cmd.span, app: false, known: true });
        }
        continue;
      }
      if (cmd.name === 'rm') {
        for (const w of positionals(cmd)) {
          const p = pathOf(instr, w, cdBefore);
          if (p) for (const d of [...venvs.keys()]) if (d === p || d.startsWith(p + '/')) venvs.delete(d);
        }
        continue;
      }
      const act = activation(cmd);
      if (act) {
        const dir = pathOf(instr, act, cdBefore)?.replace(/\/bin\/activate$/, '');
        if (!dir) continue;
        const v = venvs.get(dir) ?? { dir, instr, span: cmd.span, app: false, known: copied.has(dir) };
        venvs.set(dir, v);
        if (script.commands.some((c) => c.span.start > cmd.span.end && appUse(c))) v.app = true;
        continue;
      }
      const prog = cmd.argv[0];
      if (!prog) continue;
      if (prog.value.includes('/')) {
        // /opt/venv/bin/pip install …, /opt/venv/bin/python -m …
        const p = pathOf(instr, prog, cdBefore);
        const m = p ? /^(.*)\/bin\/[^/]+$/.exec(p) : null;
        const v = m ? venvs.get(m[1]!) : undefined;
        if (v && appUse(cmd)) v.app = true;
        continue;
      }
      const activated = marks.firstSetup < cmd.span.start;
      if (!activated && (pipInstall(cmd) || ['poetry', 'pipenv', 'pdm', 'uv'].includes(cmd.name))) outsideInstall = true;
    }

    // 3. What the container starts: a bare python/pip/console script while the venv isn't on PATH.
    const start = startCommand(df, final);
    const env = finalEnv(df, final);
    const path = pathEntries(env.get('PATH'), uncertainPath(df, chain));
    const appVenvs = [...venvs.values()].filter((v) => v.app && v.known && !path.entries.includes(v.dir + '/bin'));
    if (appVenvs.length > 0 && !path.uncertain && officialBase(df, final)) {
      const scripts = startScripts(df, final, mode === 'project' ? project : undefined);
      const startCmds = start.commands.map((c) => c.cmd);
      const setsUp = startCmds.some((c) => activation(c) || modifiesPath(c)) ||
        scripts.some((s) => s.script?.commands.some((c) => activation(c) || modifiesPath(c)));
      // an ENTRYPOINT we can't read may activate the venv itself
      const epCmds = start.entrypoint ? start.commands.filter((c) => c.instr === start.entrypoint).map((c) => c.cmd) : [];
      const opaqueEntrypoint = epCmds.some((c) => c.name !== '' && !isPython(c) && !PIP_RE.test(c.name) && !serverOf(c)) &&
        !(scripts.length > 0 && scripts.every((s) => s.runBy === start.entrypoint && s.script));
      if (!setsUp && !opaqueEntrypoint) {
        for (const { instr, cmd } of start.commands) {
          const prog = cmd.argv[0];
          if (!prog || prog.value.includes('/') || prog.dynamic) continue;
          const bare = isPython(cmd) || PIP_RE.test(cmd.name) || (serverOf(cmd) !== undefined && !outsideInstall);
          if (!bare) continue;
          const v = appVenvs[0]!;
          report({
            span: prog.span,
            message: `\`${prog.value}\` in ${instr.keyword} runs outside the venv \`${v.dir}\` (line ${lineOf(df.text, v.span.start)}): an activation in RUN doesn't persist. Add \`ENV VIRTUAL_ENV=${v.dir} PATH=${v.dir}/bin:$PATH\``,
          });
          break;
        }
      }
    }

    // 4. A venv created and never used again, while pip installs into the system Python after it.
    for (const stage of df.stages) {
      if (!officialBase(df, stage)) continue;
      let chainOfStageOnce: Instruction[] | undefined;
      let laterStagesOnce: Stage[] | undefined;
      for (const { instr, script, cmd } of runCommands(stage.instructions)) {
        const created = creation(cmd);
        if (!created || created === 'default') continue;
        const laterStages = (laterStagesOnce ??= stagesBuiltOn(df, stage));
        const dir = pathOf(instr, created, scriptMarks(script).firstCd < cmd.span.start);
        if (!dir) continue;
        const raw = created.raw.replace(/^["']|["']$/g, '');
        const vars = [...raw.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!);
        const mentions = (text: string): boolean => text.includes(dir) || text.includes(raw) || vars.some((n) => text.includes(n)) ||
          (created.value.replace(/^\.\//, '') !== '' && text.includes(created.value.replace(/^\.\//, '')));
        // mentioned after the creating command in its own RUN, or in any later instruction of the file
        const restOfRun = df.text.slice(cmd.span.end, instr.span.end);
        if (mentions(restOfRun)) continue;
        // from the next instruction on, stopping at the first mention (a venv is usually used soon after)
        let mentioned = false;
        for (let k = instr.index + 1; k < df.instructions.length && !mentioned; k++) {
          const i = df.instructions[k]!;
          mentioned = mentions(i.args) || i.flags.some((f) => mentions(f.raw));
        }
        if (mentioned) continue;
        // a project tool may pick up an in-project .venv by itself
        const laterCmds = runCommands(laterStages.flatMap((s) => s.instructions).filter((i) => i.index > instr.index));
        const sameRun = script.commands.filter((c) => c.span.start > cmd.span.end).map((c) => ({ instr, script, cmd: c }));
        const all = [...sameRun, ...laterCmds];
        if (all.some((c) => ['poetry', 'pipenv', 'pdm', 'uv', 'hatch', 'tox', 'nox'].includes(c.cmd.name))) continue;
        const use = all.find((c) => {
          if (c.cmd.argv[0]?.value.includes('/') || !pipInstall(c.cmd) || elsewhere(c.cmd)) return false;
          if (c.script.commands.some((x) => x.span.start < c.cmd.span.start && (activation(x) || modifiesPath(x)))) return false;
          if (c.cmd.assignments.some((a) => a.name === 'PATH' || a.name === 'VIRTUAL_ENV')) return false;
          const entries = (c.instr.state.env.get('PATH') ?? '').split(':').map((e) => e.replace(/\/+$/, ''));
          if (entries.includes(dir + '/bin')) return false;
          const chainOfStage = (chainOfStageOnce ??= chainInstructions(df, stage));
          const upTo = chainOfStage.concat(laterStages.flatMap((s) => s.instructions)).filter((i) => i.index < c.instr.index);
          return !uncertainPath(df, upTo);
        });
        if (!use) continue;
        report({
          span: cmd.span,
          message: `the venv \`${dir}\` is created but never used: \`${pythonModule(use.cmd) === 'pip' ? `${use.cmd.name} -m pip` : use.cmd.name} install\` in line ${lineOf(df.text, use.cmd.span.start)} installs into the system Python. Add \`ENV VIRTUAL_ENV=${dir} PATH=${dir}/bin:$PATH\` after creating it`,
        });
      }
    }
  },
});
