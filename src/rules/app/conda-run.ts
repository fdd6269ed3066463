// APP002: `conda activate` in RUN doesn't persist, and an image that created an environment must start in it.
import { defineRule } from '../../lint/rule.js';
import { lineOf } from '../../dockerfile/lines.js';
import type { Instruction } from '../../dockerfile/model.js';
import { runScript, type ShCommand } from '../../dockerfile/shell.js';
import { flagValue, isPython, positionals } from '../../dockerfile/commands.js';
import { chainInstructions, finalEnv, finalStage, serverOf, shellWordValue, startCommand } from '../../dockerfile/query.js';
import { startScripts } from '../../dockerfile/scripts.js';

const CONDAS = new Set(['conda', 'mamba', 'micromamba']);
const CONDA_VALUE_FLAGS = new Set([
  '-n', '--name', '-p', '--prefix', '-f', '--file', '-c', '--channel', '--override-channels', '--repodata-fn', '--platform',
  '--subdir', '-r', '--root-prefix', '--rc-file', '--experimental-solver', '--solver', '--category',
]);

/** `conda activate X`, `source activate X`, `. /opt/conda/bin/activate X`, `micromamba activate X`. */
function condaActivation(cmd: ShCommand): boolean {
  if (CONDAS.has(cmd.name) && positionals(cmd, 1, CONDA_VALUE_FLAGS)[0]?.value === 'activate') return true;
  if (cmd.name !== '.' && cmd.name !== 'source') return false;
  const w = cmd.argv[1];
  if (!w) return false;
  if (w.value === 'activate') return true;
  if (!/(^|\/)bin\/activate$/.test(w.value)) return false;
  // conda's own bin/activate takes an environment name; a virtualenv's doesn't (APP001)
  return cmd.argv.length > 2 || /conda|mamba|miniforge|anaconda/i.test(w.raw);
}

/** `conda run …`, `mamba run …`, `micromamba run …`. */
function condaRun(cmd: ShCommand): boolean {
  return CONDAS.has(cmd.name) && positionals(cmd, 1, CONDA_VALUE_FLAGS)[0]?.value === 'run';
}

interface Created {
  instr: Instruction;
  cmd: ShCommand;
  /** Environment name or prefix, when given on the command line. */
  name?: string;
  prefix?: string;
}

/** `conda create -n X`, `conda env create [-n X] -f env.yml`, `mamba create`, `micromamba create`. */
function envCreation(instr: Instruction, cmd: ShCommand): Created | undefined {
  if (!CONDAS.has(cmd.name)) return undefined;
  const pos = positionals(cmd, 1, CONDA_VALUE_FLAGS);
  const create = pos[0]?.value === 'create' || (pos[0]?.value === 'env' && pos[1]?.value === 'create');
  if (!create) return undefined;
  const nameRaw = flagValue(cmd, '-n', '--name');
  const prefixRaw = flagValue(cmd, '-p', '--prefix');
  const word = (v: string | undefined) => cmd.argv.find((w) => w.value === v || w.value.endsWith('=' + v));
  const expand = (v: string | undefined): string | undefined => {
    if (v === undefined) return undefined;
    const w = word(v);
    if (!w || !w.dynamic) return v;
    return shellWordValue(instr, { ...w, value: v, raw: w.raw.replace(/^--?[a-z-]+=/, '') });
  };
  const name = expand(nameRaw);
  if (name === 'base') return undefined;
  return { instr, cmd, name, prefix: expand(prefixRaw) };
}

export default defineRule({
  code: 'APP002',
  name: 'conda-run',
  title: 'Conda: use `conda run`',
  area: 'app',
  severity: 'error',
  scope: ['D'],
  sources: [],
  why: `\`conda activate\` (or the older \`source activate\`) only changes the shell it runs in: in a \`RUN\` it ends with
that RUN, and it usually fails outright because \`/bin/sh\` has no conda shell hook. Lines added to \`~/.bashrc\` only
reach interactive shells — not \`CMD\`/\`ENTRYPOINT\` in exec form. An image that creates an environment
(\`conda env create\`, \`conda create -n\`, \`mamba\`/\`micromamba create\`) and then starts \`python\` or a server
directly runs them with the base environment, without the packages it installed.

Run build steps in the environment with \`SHELL ["conda", "run", "-n", "env", "/bin/bash", "-c"]\` and start the app
with \`ENTRYPOINT ["tini", "--", "conda", "run", "--no-capture-output", "-n", "env"]\` and the app in \`CMD\` (or put the
environment's \`bin\` on \`PATH\`). No peer linter checks this. A \`SHELL\` with \`conda run\` only covers shell-form
commands: an exec-form \`CMD ["python", …]\` still runs the base environment.`,
  examples: [
    {
      bad: 'FROM continuumio/miniconda3:25.1.1-2\nCOPY environment.yml .\nRUN conda env create -n app -f environment.yml\nRUN conda activate app && pip install --no-cache-dir gunicorn==23.0.0\nCMD ["python", "app.py"]\n',
      good: 'FROM continuumio/miniconda3:25.1.1-2\nCOPY environment.yml .\nRUN conda env create -n app -f environment.yml\nSHELL ["conda", "run", "-n", "app", "/bin/bash", "-c"]\nRUN pip install --no-cache-dir gunicorn==23.0.0\nENTRYPOINT ["tini", "--", "conda", "run", "--no-capture-output", "-n", "app"]\nCMD ["python", "app.py"]\n',
    },
    {
      bad: 'FROM continuumio/miniconda3:25.1.1-2\nRUN conda create -y -n app python=3.12 flask=3.1\nRUN echo "conda activate app" >> ~/.bashrc\nCMD ["flask", "run", "--host", "0.0.0.0"]\n',
      good: 'FROM continuumio/miniconda3:25.1.1-2\nRUN conda create -y -n app python=3.12 flask=3.1\nENV PATH=/opt/conda/envs/app/bin:$PATH\nCMD ["flask", "run", "--host", "0.0.0.0"]\n',
    },
    {
      bad: 'FROM continuumio/miniconda3:25.1.1-2\nRUN source activate base && conda install -y numpy=2.2\n',
      good: 'FROM continuumio/miniconda3:25.1.1-2\nRUN conda install -y -n base numpy=2.2\n',
    },
  ],
  check({ dockerfile: df, mode, project, report }) {
    for (const instr of df.instructions) {
      const target = instr.onbuild ?? instr;
      if (target.keyword !== 'RUN') continue;
      const script = runScript(target);
      if (!script) continue;
      for (const cmd of script.commands) {
        if (!condaActivation(cmd)) continue;
        report({
          span: cmd.span,
          message: `\`${df.text.slice(cmd.span.start, cmd.span.end)}\` only lasts for this RUN (and needs conda's shell hook): use \`conda run -n ENV …\` or \`SHELL ["conda", "run", "-n", "ENV", "/bin/bash", "-c"]\``,
        });
      }
    }

    const final = finalStage(df);
    if (!final) return;
    const chain = chainInstructions(df, final);
    const created: Created[] = [];
    for (const instr of chain) {
      if (instr.keyword !== 'RUN') continue;
      const script = runScript(instr);
      for (const cmd of script?.commands ?? []) {
        const c = envCreation(instr, cmd);
        if (c) created.push(c);
      }
    }
    if (created.length === 0) return;
    const start = startCommand(df, final);
    // `conda run`, or an activation in the start command's own shell (`bash -c "source activate env && exec python …"`)
    if (start.commands.some((c) => condaRun(c.cmd) || condaActivation(c.cmd))) return;
    // the micromamba image's own entrypoint activates $ENV_NAME
    const env = finalEnv(df, final);
    if (!start.entrypoint && env.has('ENV_NAME')) return;
    const path = (env.get('PATH') ?? '').split(':');
    const envBins = created.map((c) => (c.prefix ? c.prefix.replace(/\/+$/, '') + '/bin' : c.name ? `/envs/${c.name}/bin` : undefined));
    if (path.some((p) => envBins.some((b) => b && (p === b || p.endsWith(b) || p.endsWith(b + '/'))) ||
        (envBins.some((b) => b === undefined) && /\/envs\/[^/]+\/bin\/?$/.test(p)))) return;
    if (envBins.some((b) => b === undefined) && path.some((p) => /\$|\/envs\//.test(p))) return;
    const scripts = startScripts(df, final, mode === 'project' ? project : undefined);
    if (scripts.some((s) => s.script?.commands.some((c) => condaActivation(c) || condaRun(c)))) return;
    // an ENTRYPOINT script we can't read may activate the environment
    const epCmds = start.commands.filter((c) => c.instr === start.entrypoint).map((c) => c.cmd);
    if (epCmds.some((c) => c.name !== '' && !isPython(c) && !serverOf(c)) && !scripts.some((s) => s.runBy === start.entrypoint)) return;
    for (const { instr, cmd } of start.commands) {
      const prog = cmd.argv[0];
      if (!prog || prog.dynamic) continue;
      if (!isPython(cmd) && !serverOf(cmd)) continue;
      // an absolute path into an environment
      if (/\/envs\/[^/]+\/bin\//.test(prog.value) || created.some((c) => c.prefix && prog.value.startsWith(c.prefix.replace(/\/+$/, '') + '/'))) continue;
      const shellForm = !instr.json;
      const shell = instr.state.shell;
      if (shellForm && CONDAS.has(shell[0]?.split('/').pop() ?? '') && shell.includes('run')) continue;
      const c = created[0]!;
      const envName = c.name ?? c.prefix ?? 'ENV';
      const which = c.name ?? c.prefix ? `\`${envName}\`` : 'the environment';
      report({
        span: prog.span,
        message: `\`${prog.value}\` in ${instr.keyword} runs in conda's base environment, not in ${which} created in line ${lineOf(df.text, c.cmd.span.start)}: start it with \`ENTRYPOINT ["tini", "--", "conda", "run", "--no-capture-output", "-n", "${envName}"]\` and the app in \`CMD\``,
      });
      break;
    }
  },
});
