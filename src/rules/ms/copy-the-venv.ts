// MS002: between stages, copy a whole virtualenv to the same path and use it — not site-packages, not half of ~/.local.
import { defineRule, type RuleContext } from '../../lint/rule.js';
import type { Dockerfile, Instruction, Stage } from '../../dockerfile/model.js';
import {
  chainInstructions, copyOperands, finalEnv, finalStage, fromChain, pathWithin, serverOf, shellWordValue, startCommand,
} from '../../dockerfile/query.js';
import { imagePath } from '../../dockerfile/paths.js';
import { imageFile } from '../../dockerfile/image-files.js';
import { lineOf } from '../../dockerfile/lines.js';
import { endState } from '../../dockerfile/stages.js';
import { runScript, type ShCommand } from '../../dockerfile/shell.js';
import { hasFlag, isPython, pipInstall, positionals, pythonModule } from '../../dockerfile/commands.js';

/** Console scripts that only exist inside the environment the packages were installed into. */
const PY_TOOLS = new Set([
  'celery', 'alembic', 'flask', 'django-admin', 'streamlit', 'jupyter', 'jupyter-lab', 'dramatiq', 'rq', 'huey_consumer',
  'fastapi', 'gunicorn', 'uvicorn', 'hypercorn', 'daphne', 'uwsgi', 'granian', 'waitress-serve', 'scrapy', 'locust',
]);
/** `X run …` finds the project's environment by itself. */
const RUNNERS = new Set(['uv', 'poetry', 'pipenv', 'pdm', 'hatch', 'pixi', 'conda', 'mamba', 'micromamba', 'rye']);
const SYSTEM_BIN = /^\/(usr\/(local\/)?)?s?bin\//;

/** Last path segment, ignoring a trailing `/`, `/.` or `/*`. */
function lastSegment(p: string): string {
  let s = p;
  for (;;) {
    const t = s.replace(/\/(\.|\*)?$/, '');
    if (t === s) break;
    s = t;
  }
  return s.slice(s.lastIndexOf('/') + 1);
}

function isVenvName(seg: string): boolean {
  return /venv$/i.test(seg) || /^\.?virtualenvs?$/i.test(seg);
}

/** Paths where a stage (or the stages it is built FROM) created a virtualenv. */
function venvsCreatedIn(df: Dockerfile, stage: Stage): string[] {
  const out: string[] = [];
  let inProject = false;
  for (const s of [...fromChain(df, stage)].reverse()) {
    for (const instr of s.instructions) {
      if (instr.keyword !== 'RUN') continue;
      const script = runScript(instr);
      if (!script) continue;
      if (/virtualenvs\.in-project\s+true/.test(instr.args)) inProject = true;
      const wd = instr.state.workdir;
      const add = (raw: string | undefined): void => {
        if (raw === undefined) return;
        const p = imagePath(wd, raw);
        if (p !== undefined) out.push(p);
      };
      for (const cmd of script.commands) {
        const pos = positionals(cmd);
        if ((isPython(cmd) && pythonModule(cmd) === 'venv') || cmd.name === 'virtualenv') {
          const w = pos.filter((x) => x.value !== 'venv').at(-1);
          if (w) add(shellWordValue(instr, w));
        } else if (cmd.name === 'uv' && pos[0]?.value === 'venv') {
          add(pos[1] ? shellWordValue(instr, pos[1]) : (instr.state.env.get('UV_PROJECT_ENVIRONMENT') ?? '.venv'));
        } else if (cmd.name === 'uv' && pos[0]?.value === 'sync') {
          add(instr.state.env.get('UV_PROJECT_ENVIRONMENT') ?? '.venv');
        } else if (cmd.name === 'poetry' && pos[0]?.value === 'install') {
          const flag = instr.state.env.get('POETRY_VIRTUALENVS_IN_PROJECT');
          if (inProject || (flag !== undefined && /^(1|true|yes|on)$/i.test(flag))) add('.venv');
        }
      }
    }
  }
  const end = endState(stage.instructions[stage.instructions.length - 1]!, df).env.get('VIRTUAL_ENV');
  if (end !== undefined && end.startsWith('/')) out.push(imagePath('/', end)!);
  return out;
}

interface StartUse {
  /** The start command runs python or a Python console script by bare name (it needs the environment on PATH). */
  needs: string | undefined;
  /** Something we cannot see into: an entrypoint script, a variable program. */
  opaque: boolean;
  /** `uv run`, `poetry run`… */
  runner: boolean;
  /** Programs given by absolute path. */
  programs: string[];
  /** Text of entrypoint scripts read in project mode. */
  scriptText: string;
}

function startUse(ctx: RuleContext, final: Stage): StartUse {
  const df = ctx.dockerfile;
  const use: StartUse = { needs: undefined, opaque: false, runner: false, programs: [], scriptText: '' };
  const start = startCommand(df, final);
  for (const { instr, cmd } of start.commands) {
    const prog = cmd.argv[0]?.value ?? '';
    if (prog === '') continue;
    if (prog.includes('$')) {
      use.opaque = true;
      continue;
    }
    const pos = positionals(cmd);
    if (RUNNERS.has(cmd.name) && pos[0]?.value === 'run') {
      use.runner = true;
      continue;
    }
    if (prog.startsWith('/')) use.programs.push(prog);
    if (isPython(cmd) || PY_TOOLS.has(cmd.name) || serverOf(cmd)) {
      if (!prog.includes('/')) use.needs ??= cmd.name;
      continue;
    }
    let script: string | undefined;
    if ((cmd.name === 'sh' || cmd.name === 'bash' || cmd.name === 'dash') && !cmd.argv.some((w) => /^-[a-z]*c[a-z]*$/.test(w.value))) {
      script = pos[0]?.value;
    } else if (/\.(sh|bash|py)$/.test(prog) || (prog.includes('/') && !SYSTEM_BIN.test(prog))) script = prog;
    if (script === undefined) continue;
    const p = imagePath(instr.state.workdir, script);
    const text = p === undefined ? undefined : imageFile(df, final, p, ctx.mode === 'project' ? ctx.project : undefined)?.text;
    if (text === undefined) use.opaque = true;
    else {
      use.scriptText += '\n' + text;
      const m = /(^|[\s;&|(])(exec\s+)?(python[\d.]*|gunicorn|uvicorn|celery|daphne|hypercorn|uwsgi|granian|flask|streamlit)\b/m.exec(text);
      if (m) use.needs ??= m[3];
    }
  }
  return use;
}

/** Is `dir/bin` referenced: on PATH, or spelled out in an instruction or entrypoint script? */
function binUsed(dir: string, pathDirs: string[], texts: string[], workdir: string | undefined): boolean {
  const bin = dir === '/' ? '/bin' : dir + '/bin';
  if (pathDirs.includes(bin)) return true;
  const spellings = [bin];
  if (workdir !== undefined && dir.startsWith(workdir + '/')) spellings.push(dir.slice(workdir.length + 1) + '/bin');
  return texts.some((t) => spellings.some((s) => t.includes(s)));
}

export default defineRule({
  code: 'MS002',
  name: 'copy-the-venv',
  title: 'Copy the venv, not site-packages',
  area: 'ms',
  severity: 'error',
  scope: ['D'],
  fix: 'unsafe',
  sources: [],
  why: `The reliable way to move installed packages from a build stage to the runtime stage is a virtualenv: create it at
a fixed path (\`python -m venv /opt/venv\`), install into it, \`COPY --from=build /opt/venv /opt/venv\` and put
\`/opt/venv/bin\` first on \`PATH\`. The variations break in production:

- copying \`site-packages\`/\`dist-packages\` leaves the console scripts (\`gunicorn\`, \`celery\`) behind and silently
  drops every package when the runtime image's Python minor version differs from the builder's;
- \`pip install --user\` in the builder works only if \`~/.local\` is copied too and its \`bin\` is on \`PATH\`;
- a copied venv that is neither on \`PATH\` nor called by absolute path is never used: \`python\` is the system
  interpreter, without the packages;
- a venv copied to a different path (\`COPY --from=build /opt/venv /venv\`) has scripts whose shebangs still point at
  \`/opt/venv/bin/python\`, which does not exist (unless it was made \`--relocatable\`).

A venv is recognised by its name (\`venv\`, \`.venv\`, \`*venv\`) or because the source stage created it (\`python -m
venv\`, \`virtualenv\`, \`uv venv\`, \`uv sync\`). A start command run through \`uv run\`/\`poetry run\` finds the venv
itself; an entrypoint script that pyship cannot read (Dockerfile-only mode) might activate it, so it is not judged.
The fix puts the venv's \`bin\` on \`PATH\` (unsafe: it changes which \`python\` runs). No general linter checks this.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie AS build\nRUN python -m venv /opt/venv && /opt/venv/bin/pip install gunicorn==23.0.0\nFROM python:3.13-slim-trixie\nCOPY --from=build /opt/venv /opt/venv\nCMD ["gunicorn", "app:app"]\n',
      good: 'FROM python:3.13-slim-trixie AS build\nRUN python -m venv /opt/venv && /opt/venv/bin/pip install gunicorn==23.0.0\nFROM python:3.13-slim-trixie\nCOPY --from=build /opt/venv /opt/venv\nENV PATH="/opt/venv/bin:$PATH"\nCMD ["gunicorn", "app:app"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie AS build\nRUN pip install --no-cache-dir --prefix=/install flask==3.1.0\nFROM python:3.13-slim-trixie\nCOPY --from=build /usr/local/lib/python3.13/site-packages/ /usr/local/lib/python3.13/site-packages/\nCMD ["python", "-m", "flask", "run"]\n',
      good: 'FROM python:3.13-slim-trixie AS build\nRUN pip install --no-cache-dir --prefix=/install flask==3.1.0\nFROM python:3.13-slim-trixie\nCOPY --from=build /install /usr/local\nCMD ["python", "-m", "flask", "run"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie AS build\nWORKDIR /app\nRUN uv sync --locked\nFROM python:3.13-slim-trixie\nCOPY --from=build /app/.venv /venv\nENV PATH=/venv/bin:$PATH\nCMD ["uvicorn", "app:app"]\n',
      good: 'FROM python:3.13-slim-trixie AS build\nWORKDIR /app\nRUN uv sync --locked\nFROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY --from=build /app/.venv .venv\nCMD [".venv/bin/uvicorn", "app:app"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie AS build\nCOPY requirements.txt .\nRUN pip install --user --no-cache-dir -r requirements.txt\nFROM python:3.13-slim-trixie\nCOPY --from=build /root/.local /root/.local\nCMD ["celery", "-A", "proj", "worker"]\n',
      good: 'FROM python:3.13-slim-trixie AS build\nCOPY requirements.txt .\nRUN pip install --user --no-cache-dir -r requirements.txt\nFROM python:3.13-slim-trixie\nCOPY --from=build /root/.local /root/.local\nENV PATH="/root/.local/bin:$PATH"\nCMD ["celery", "-A", "proj", "worker"]\n',
    },
  ],
  check(ctx) {
    const { dockerfile: df, report } = ctx;
    const final = finalStage(df);
    if (!final) return;
    const chain = chainInstructions(df, final);
    const chainIdx = new Set(fromChain(df, final).map((s) => s.index));
    const env = finalEnv(df, final);
    const pathDirs = (env.get('PATH') ?? '').split(':').map((d) => d.replace(/\/+$/, ''));
    const pyPath = (env.get('PYTHONPATH') ?? '').split(':').filter((d) => d.startsWith('/'));
    const texts = chain.filter((i) => i.keyword !== 'FROM').map((i) => i.args + i.heredocs.map((h) => '\n' + h.content).join(''));
    let use: StartUse | undefined;
    const startUseOnce = (): StartUse => (use ??= startUse(ctx, final));
    const createdCache = new Map<number, string[]>();
    const created = (s: Stage): string[] => {
      let v = createdCache.get(s.index);
      if (!v) createdCache.set(s.index, (v = venvsCreatedIn(df, s)));
      return v;
    };
    const relocatable = (s: Stage | undefined): boolean =>
      s !== undefined && fromChain(df, s).some((st) => st.instructions.some((i) => i.keyword === 'RUN' && /--relocatable\b/.test(i.args)));
    const judgedVenvs = new Set<string>();

    for (const instr of chain) {
      if (instr.keyword !== 'COPY' && instr.keyword !== 'ADD') continue;
      const ops = copyOperands(df, instr);
      if (!ops || ops.from === undefined || ops.destPath === undefined) continue;
      for (const src of ops.sources) {
        if (src.value === undefined || /[*?[]/.test(src.value.replace(/\/\*$/, ''))) continue;
        const seg = lastSegment(src.value);
        // (1) site-packages copied on its own
        if (seg === 'site-packages' || seg === 'dist-packages') {
          report({
            span: src.span,
            message: `\`COPY --from\` of \`${src.value}\`: packages without their console scripts, tied to the builder's exact Python; install into a venv and copy the venv`,
          });
          continue;
        }
        // (2) a venv, by name or because the source stage created one at (or under) the copied path
        const srcPath = imagePath('/', src.value.replace(/\/\*$/, ''))!;
        const venvs: { from: string; to: string }[] = [];
        if (isVenvName(seg)) venvs.push({ from: srcPath, to: ops.destPath });
        else if (ops.fromStage) {
          for (const v of created(ops.fromStage)) {
            if (v === srcPath) venvs.push({ from: v, to: ops.destPath });
            else if (pathWithin(v, srcPath)) venvs.push({ from: v, to: imagePath('/', ops.destPath + v.slice(srcPath === '/' ? 0 : srcPath.length))! });
          }
        }
        for (const v of venvs) {
          if (judgedVenvs.has(v.to)) continue;
          judgedVenvs.add(v.to);
          const u = startUseOnce();
          if (v.from !== v.to && !relocatable(ops.fromStage) && !u.programs.some((p) => /\/python[\d.]*$/.test(p) && p.startsWith(v.to + '/bin/'))) {
            report({
              span: src.span,
              message: `venv \`${v.from}\` copied to \`${v.to}\`: its scripts' shebangs still point at \`${v.from}/bin/python\`; copy it to the same path`,
            });
            continue;
          }
          if (binUsed(v.to, pathDirs, [...texts, u.scriptText], instr.state.workdir)) continue;
          if (pyPath.some((d) => pathWithin(d, v.to))) continue;
          if (u.runner || u.opaque || u.needs === undefined) continue;
          const bin = v.to === '/' ? '/bin' : `${v.to}/bin`;
          report({
            span: src.span,
            message: `venv \`${v.to}\` is copied but \`${bin}\` is not on \`PATH\` and nothing calls it by path: \`${u.needs}\` runs without its packages`,
            fix: { description: `put \`${bin}\` on \`PATH\``, edits: [{ start: instr.span.end, end: instr.span.end, text: `\nENV PATH="${bin}:$PATH"` }] },
          });
        }
      }
    }

    // (3) `pip install --user` in a build stage feeding the final one (unless the final stage installs packages itself)
    const installsDeps = chain.some((i) => {
      if (i.keyword !== 'RUN') return false;
      const script = runScript(i);
      return script?.commands.some((c) => pipInstall(c) !== undefined || (RUNNERS.has(c.name) && /^(install|sync)$/.test(positionals(c)[0]?.value ?? ''))) ?? false;
    });
    for (const stage of df.stages) {
      if (chainIdx.has(stage.index)) continue;
      for (const { instr, cmd } of userInstalls(stage)) {
        const st = instr.state;
        const user = (st.user ?? 'root').split(':')[0]!;
        const home = st.env.get('HOME') ?? (user === 'root' || user === '0' ? '/root' : /^\d+$/.test(user) || user.includes('$') ? undefined : `/home/${user}`);
        const base = st.env.get('PYTHONUSERBASE') ?? (home === undefined ? undefined : `${home}/.local`);
        if (base === undefined || !base.startsWith('/')) continue;
        const local = imagePath('/', base)!;
        const copies = chain
          .filter((i) => i.keyword === 'COPY')
          .map((i) => ({ i, ops: copyOperands(df, i) }))
          .filter((c) => c.ops?.fromStage?.index === stage.index);
        if (copies.length === 0) continue;
        let covered = false;
        let unknown = false;
        for (const { i, ops } of copies) {
          for (const s of ops!.sources) {
            if (s.value === undefined || ops!.destPath === undefined) {
              unknown = true;
              continue;
            }
            const sp = imagePath('/', s.value.replace(/\/\*$/, ''))!;
            if (/whl|wheel|dist|build|venv|pex|local|packages|install|lib|bin/i.test(sp)) unknown = true;
            if (!pathWithin(local, sp)) continue;
            covered = true;
            const destLocal = imagePath('/', ops!.destPath + (sp === '/' ? local : local.slice(sp.length)))!;
            if (destLocal === '/usr/local' || destLocal === '/usr' || judgedVenvs.has(destLocal)) continue;
            judgedVenvs.add(destLocal);
            const u = startUseOnce();
            if (binUsed(destLocal, pathDirs, [...texts, u.scriptText], i.state.workdir)) continue;
            if (u.runner || u.opaque || u.needs === undefined || /^python/.test(u.needs)) continue;
            const bin = `${destLocal}/bin`;
            report({
              span: s.span,
              message: `\`${local}\` (from \`pip install --user\`) is copied but \`${bin}\` is not on \`PATH\`: \`${u.needs}\` is not found`,
              fix: { description: `put \`${bin}\` on \`PATH\``, edits: [{ start: i.span.end, end: i.span.end, text: `\nENV PATH="${bin}:$PATH"` }] },
            });
          }
        }
        if (!covered && !unknown && !installsDeps) {
          const name = stage.name ?? String(stage.index);
          report({
            span: cmd.span,
            message: `\`pip install --user\` in stage \`${name}\` installs into \`${local}\`, but the final stage copies nothing from it (line ${lineOf(df.text, copies[0]!.i.span.start)} copies other files): copy \`${local}\` and put its \`bin\` on \`PATH\`, or use a venv`,
          });
        }
      }
    }
  },
});

/** `pip install --user` of dependencies (requirement files, paths, the project) in a stage — not of named tools. */
function userInstalls(stage: Stage): { instr: Instruction; cmd: ShCommand }[] {
  const out: { instr: Instruction; cmd: ShCommand }[] = [];
  for (const instr of stage.instructions) {
    if (instr.keyword !== 'RUN') continue;
    const script = runScript(instr);
    if (!script) continue;
    for (const cmd of script.commands) {
      const pip = pipInstall(cmd);
      if (!pip || pip.tool !== 'pip' || !hasFlag(cmd, '--user')) continue;
      const deps = pip.requirementFiles.length > 0 || pip.editables.length > 0 || pip.packages.some((p) => /^[./~]|\.whl$/.test(p.value));
      if (deps) out.push({ instr, cmd });
    }
  }
  return out;
}
