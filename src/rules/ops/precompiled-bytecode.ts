// OPS009: ship the final image's Python code pre-compiled, so containers don't compile it again on every start.
import { defineRule } from '../../lint/rule.js';
import type { Dockerfile, Instruction, Stage } from '../../dockerfile/model.js';
import { runScript, type ShCommand, type ShellScript } from '../../dockerfile/shell.js';
import { findFlag, isPython, pipInstall, subcommand } from '../../dockerfile/commands.js';
import { chainInstructions, finalStage, fromChain, serverOf, startCommand } from '../../dockerfile/query.js';
import { copyParts } from '../../dockerfile/image-files.js';
import { osFamily, startSites } from './_scripts.js';
import type { ScopeChecks } from '../../lint/rule.js';
import { NOT_HTTP_ROW, seconds, secs } from '../../runtime/record.js';

function truthy(v: string | undefined): boolean {
  return v !== undefined && !/^(0|false|no|off|)$/i.test(v.trim());
}

/** Stages whose files reach the final image: its FROM chain and, transitively, the stages it COPY --from's. */
function stagesReachingFinal(df: Dockerfile, final: Stage): Set<number> {
  const out = new Set<number>();
  const todo: Stage[] = [final];
  while (todo.length > 0) {
    const s = todo.pop()!;
    for (const c of fromChain(df, s)) {
      if (out.has(c.index)) continue;
      out.add(c.index);
      for (const i of c.instructions) {
        if (i.keyword !== 'COPY' && i.keyword !== 'ADD') continue;
        const from = i.flags.find((f) => f.name === 'from')?.value;
        if (!from) continue;
        const ref = df.stages.find((x) => x.name?.toLowerCase() === from.toLowerCase()) ?? (/^\d+$/.test(from) ? df.stages[Number(from)] : undefined);
        if (ref) todo.push(ref);
      }
    }
  }
  return out;
}

/** A variable as the command sees it: its own assignment, an earlier `export` in the RUN, ENV or ARG. */
function varOf(instr: Instruction, script: ShellScript, cmd: ShCommand, name: string): string | undefined {
  const own = cmd.assignments.find((a) => a.name === name);
  if (own) return own.value;
  let v: string | undefined = instr.state.env.get(name) ?? instr.state.args.get(name) ?? undefined;
  for (const c of script.commands) {
    if (c === cmd) break;
    if (c.name === 'export') {
      for (const w of c.argv.slice(1)) if (w.value.startsWith(name + '=')) v = w.value.slice(name.length + 1);
    } else if (c.name === '' && c.depth === 0) {
      for (const a of c.assignments) if (a.name === name) v = a.value;
    }
  }
  return v;
}

/** `uv sync`, `uv pip install`, `uv pip sync`: uv installs that skip bytecode compilation by default. */
function uvInstall(cmd: ShCommand): string | undefined {
  if (cmd.name !== 'uv') return undefined;
  const sub = subcommand(cmd, new Set(['--directory', '--project', '--python', '-p', '--cache-dir', '--config-file']));
  if (sub === 'sync') return 'uv sync';
  if (sub === 'pip') {
    const pos = cmd.argv.filter((w, k) => k > 0 && !w.value.startsWith('-')).map((w) => w.value);
    const verb = pos[1];
    if (verb === 'install' || verb === 'sync') return `uv pip ${verb}`;
  }
  return undefined;
}

/** Does this command install the project itself (so pip/uv/poetry put it, compiled, into site-packages)? */
function installsProject(cmd: ShCommand): boolean {
  const pip = pipInstall(cmd);
  // a local path (`.`, `./pkg`, `/app`, `"$CODE_DIR"`) rather than a name from an index
  if (pip) return pip.packages.some((w) => /^[.\/$]/.test(w.value) || w.value.startsWith('"$')) || pip.editables.length > 0;
  if (cmd.name === 'uv' && subcommand(cmd) === 'sync') return !findFlag(cmd, '--no-install-project');
  if (cmd.name === 'poetry' && subcommand(cmd) === 'install') return !findFlag(cmd, '--no-root');
  if ((cmd.name === 'pdm' || cmd.name === 'pipenv' || cmd.name === 'hatch' || cmd.name === 'flit') && /install|sync/.test(subcommand(cmd) ?? '')) return true;
  return false;
}

function isPythonImage(df: Dockerfile, final: Stage, chain: Instruction[], project: Parameters<typeof startSites>[1]): boolean {
  if (osFamily(df, final)?.python) return true;
  for (const i of chain) {
    if (i.keyword !== 'RUN') continue;
    const s = runScript(i);
    if (s?.commands.some((c) => isPython(c) || pipInstall(c) || c.name === 'uv' || c.name === 'poetry')) return true;
  }
  return startSites(df, project).some((s) => isPython(s.cmd) || serverOf(s.cmd) !== undefined);
}

/** In a running container (`pyship smoke`): seconds to the first healthy answer, against the startup budget. */
const runtime: ScopeChecks = {
  checkRuntime({ record: r, settings, report }) {
    if (r.exited || !r.http || r.readyMs === undefined || r.secondsToHealthy === undefined) return;
    if (r.secondsToHealthy > settings.startupBudget) report(`first healthy answer after ${secs(r.readyMs)} s (> ${settings.startupBudget} s)`);
  },
  runtimeRows: ({ figures: f }) => [
    f.http ? { label: 'seconds to healthy', value: seconds(f.secondsToHealthy), judged: f.secondsToHealthy !== undefined } : NOT_HTTP_ROW,
  ],
  runtimeExamples: [
    {
      bad: { http: true, readyMs: 7340, secondsToHealthy: 7.34, healthyVia: 'http' },
      good: { http: true, readyMs: 620, secondsToHealthy: 0.62, healthyVia: 'http' },
    },
  ],
};

export default defineRule({
  code: 'OPS009',
  name: 'precompiled-bytecode',
  title: 'Pre-compiled bytecode',
  area: 'ops',
  severity: 'info',
  scope: ['D', 'I', 'R'],
  sources: [],
  why: `Python compiles every module to bytecode the first time it is imported and caches it as \`.pyc\`. In a
container that cache starts empty on every start, and a non-root user often cannot even write it next to the code:
each new container (each scale-up, each restart) pays the compilation again before it serves. Compiling at build
time moves that cost into the image: \`RUN python -m compileall -q /app\` for the app's own code.

pip compiles what it installs (the project too, when installed with \`pip install .\`), unless told not to with
\`--no-compile\`/\`PIP_NO_COMPILE\`; uv does not unless \`UV_COMPILE_BYTECODE=1\` or \`--compile-bytecode\` is given. A
source tree copied with \`COPY . .\` and run from there is never compiled. It is a trade-off (the \`.pyc\` files make
the image a little larger), hence \`info\`.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nRUN pip install --no-cache-dir flask==3.1.0\nCOPY . .\nCMD ["python", "-m", "app"]\n',
      good: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nRUN pip install --no-cache-dir flask==3.1.0\nCOPY . .\nRUN python -m compileall -q /app\nCMD ["python", "-m", "app"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nCOPY --from=ghcr.io/astral-sh/uv:0.8.0 /uv /bin/uv\nWORKDIR /app\nCOPY uv.lock pyproject.toml ./\nRUN uv sync --locked --no-install-project\nCMD ["/app/.venv/bin/python", "-m", "app"]\n',
      good: 'FROM python:3.13-slim-trixie\nCOPY --from=ghcr.io/astral-sh/uv:0.8.0 /uv /bin/uv\nENV UV_COMPILE_BYTECODE=1\nWORKDIR /app\nCOPY uv.lock pyproject.toml ./\nRUN uv sync --locked --no-install-project\nCMD ["/app/.venv/bin/python", "-m", "app"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nCOPY requirements.txt .\nRUN pip install --no-cache-dir --no-compile -r requirements.txt\nCMD ["python", "-m", "app"]\n',
      good: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir .\nCMD ["python", "-m", "app"]\n',
    },
  ],
  ...runtime,
  check({ dockerfile: df, project, report }) {
    const final = finalStage(df);
    if (!final || final.base.scratch) return;
    const chain = chainInstructions(df, final);
    if (!isPythonImage(df, final, chain, project) || osFamily(df, final)?.family === 'windows') return;

    // 1. app code copied from the context into the final image and never compiled (an image that starts nothing
    //    of its own is a build or packaging image: its sources are not run from there)
    const start = startCommand(df, final);
    let uncompiled: { copy: Instruction; sources: string[]; destWord: string; dest: string } | undefined;
    for (let k = 0; k < chain.length && (start.entrypoint || start.cmd); k++) {
      const copy = chain[k]!;
      if ((copy.keyword !== 'COPY' && copy.keyword !== 'ADD') || copy.heredocs.length > 0 || copy.flags.some((f) => f.name === 'from')) continue;
      const parts = copyParts(copy, df.escape);
      if (!parts) continue;
      const whole = parts.sources.some((s) => s === '.' || s === './');
      const pkg = project !== undefined && parts.sources.some((s) => {
        const d = s.replace(/^\.\/+/, '').replace(/\/+$/, '');
        return d !== '' && d !== '.' && !/[*?[]/.test(d) && project.exists(d + '/__init__.py');
      });
      if (!whole && !pkg) continue;
      let covered = false;
      for (const later of chain.slice(k + 1)) {
        if (later.keyword !== 'RUN') continue;
        if (/\b(compileall|py_compile)\b/.test(later.args + later.heredocs.map((h) => h.content).join('\n'))) covered = true;
        const s = runScript(later);
        if (s?.commands.some((c) => !c.substitution && installsProject(c))) covered = true;
        if (covered) break;
      }
      if (covered || /^[A-Za-z]:[\\/]/.test(parts.destWord)) continue;
      uncompiled = { copy, sources: parts.sources, destWord: parts.destWord, dest: parts.dest };
    }
    if (uncompiled) {
      // one finding, at the last such COPY: the first one is usually shadowed by it
      const { copy, sources, destWord, dest } = uncompiled;
      report({
        span: copy.argsSpan,
        message: `\`${copy.keyword} ${sources.join(' ')} ${destWord}\` puts the app's Python code in the image uncompiled: every new container compiles it again on start; add \`RUN python -m compileall -q ${dest}\``,
      });
    }

    // 2. dependency installs that skip compilation, in every stage whose files reach the final image
    const stages = stagesReachingFinal(df, final);
    const uvReported = new Set<Instruction>();
    for (const instr of df.instructions) {
      if (instr.keyword !== 'RUN' || !stages.has(instr.stage)) continue;
      const script = runScript(instr);
      if (!script) continue;
      for (const cmd of script.commands) {
        if (cmd.substitution) continue;
        const uv = uvInstall(cmd);
        if (uv) {
          if (findFlag(cmd, '--compile-bytecode', '--compile')) continue;
          if (truthy(varOf(instr, script, cmd, 'UV_COMPILE_BYTECODE'))) continue;
          // options from a variable (`uv sync $UV_ARGS`) may hold --compile-bytecode
          if (cmd.argv.some((w) => w.dynamic && /^\$\{?\w+\}?$/.test(w.raw.replace(/"/g, '')))) continue;
          if (uvReported.has(instr)) continue;
          uvReported.add(instr);
          report({
            span: cmd.argv[0]!.span,
            message: `\`${uv}\` without \`--compile-bytecode\` (or \`ENV UV_COMPILE_BYTECODE=1\`): uv leaves the packages uncompiled, so every new container compiles them on import`,
          });
          continue;
        }
        const pip = pipInstall(cmd);
        if (!pip || pip.tool !== 'pip') continue;
        const flag = findFlag(cmd, '--no-compile');
        if (flag) {
          report({ span: flag.span, message: '`pip install --no-compile` leaves the packages uncompiled: every new container compiles them on import; drop `--no-compile`' });
          continue;
        }
        if (truthy(varOf(instr, script, cmd, 'PIP_NO_COMPILE'))) {
          report({ span: cmd.argv[0]!.span, message: '`pip install` under `PIP_NO_COMPILE` leaves the packages uncompiled: every new container compiles them on import; unset it' });
        }
      }
    }
  },
  imageExamples: [
    {
      bad: {
        history: [{
          by: 'RUN /bin/sh -c pip install --no-compile flask # buildkit',
          files: [{ path: 'usr/local/lib/python3.13/site-packages/flask/__init__.py', size: 300 }, { path: 'usr/local/lib/python3.13/site-packages/flask/app.py', size: 300 }],
        }],
      },
      good: {
        history: [{
          by: 'RUN /bin/sh -c pip install flask # buildkit',
          files: [
            { path: 'usr/local/lib/python3.13/site-packages/flask/__init__.py', size: 300 },
            { path: 'usr/local/lib/python3.13/site-packages/flask/__pycache__/__init__.cpython-313.pyc', size: 300 },
            { path: 'usr/local/lib/python3.13/site-packages/flask/app.py', size: 300 },
            { path: 'usr/local/lib/python3.13/site-packages/flask/__pycache__/app.cpython-313.pyc', size: 300 },
          ],
        }],
      },
    },
  ],
  checkImage({ image, report }) {
    const { py, share } = image.bytecode;
    if (share !== undefined && share < 0.9) report({ at: 'image', message: `${(share * 100).toFixed(0)}% of the ${py} .py files in site-packages have a .pyc (< 90%): each start compiles the rest (python -m compileall, or pip without --no-compile)` });
  },
});
