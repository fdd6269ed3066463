// REP008: a venv (or site-packages) copied between stages only works with the same Python minor version and C library.
import { defineRule } from '../../lint/rule.js';
import type { Dockerfile, Stage } from '../../dockerfile/model.js';
import { flagValue, pythonInstall, pythonModule } from '../../dockerfile/commands.js';
import { stageCommands } from '../../dockerfile/shell.js';
import { copyOperands, fromChain, pathWithin, rootBase, shellWordValue } from '../../dockerfile/query.js';
import { imagePath } from '../../dockerfile/paths.js';
import { pythonImage, type PythonImage } from './_python-image.js';

/** Paths that hold an installed Python environment, whatever built them. */
const ENV_PATH = /(^|\/)(\.?venv[^/]*|virtualenvs?|site-packages|dist-packages|\.local|install|wheels?|wheelhouse|__pypackages__)(\/|$)|^\/usr\/local(\/(lib|bin)(\/python[^/]*)?)?\/?$|^\/opt\/[^/]*(env|venv|python|poetry|uv)[^/]*/i;

/** Paths where the stage's chain created or installed a Python environment, and whether it installed any at all. */
function pythonEnvs(df: Dockerfile, stage: Stage): { paths: string[]; any: boolean } {
  const paths: string[] = [];
  let any = false;
  for (const s of fromChain(df, stage)) {
    const venv = s.instructions.find((i) => i.keyword === 'ENV' && /\bVIRTUAL_ENV=/.test(i.args));
    if (venv) {
      const v = venv.state.env.get('VIRTUAL_ENV');
      if (v) paths.push(v);
    }
    for (const { instr, cmd } of stageCommands(df, s.index)) {
      const dir = instr.state.workdir;
      const add = (raw: string | undefined): void => {
        if (raw === undefined) return;
        const p = imagePath(dir, raw);
        if (p) paths.push(p);
      };
      const inst = pythonInstall(cmd);
      if (inst) {
        any = true;
        for (const f of ['--target', '-t', '--prefix', '--root']) add(flagValue(cmd, f));
        if (inst.tool === 'uv' && inst.subcommand === 'sync') add(instr.state.env.get('UV_PROJECT_ENVIRONMENT') ?? '.venv');
        if (inst.tool === 'poetry') add('.venv');
        continue;
      }
      const mod = pythonModule(cmd);
      let target: string | undefined;
      if (mod === 'venv' || mod === 'virtualenv') {
        const k = cmd.argv.findIndex((w) => w.value === mod || w.value === `-m${mod}`);
        target = cmd.argv.slice(k + 1).find((w) => !w.value.startsWith('-'))?.value;
      } else if (cmd.name === 'virtualenv') {
        target = cmd.argv.slice(1).find((w) => !w.value.startsWith('-'))?.value;
      } else if (cmd.name === 'uv' && cmd.argv[1]?.value === 'venv') {
        const w = cmd.argv.slice(2).find((x) => !x.value.startsWith('-'));
        target = w ? shellWordValue(instr, w) : '.venv';
        if (w && cmd.argv[cmd.argv.indexOf(w) - 1]?.value.match(/^(--python|-p|--prompt|--index-url|--seed-version)$/)) target = '.venv';
      } else continue;
      any = true;
      if (target && !target.includes('$')) add(target);
    }
  }
  return { paths, any };
}

function describe(img: PythonImage): string {
  const os = img.family === 'alpine' ? `Alpine${img.release ? ' ' + img.release.slice('alpine'.length) : ''}` : img.family === 'debian' ? `Debian${img.release ? ' ' + img.release : ''}` : 'Windows';
  return `Python ${img.minor ?? img.version ?? '?'} on ${os}`;
}

export default defineRule({
  code: 'REP008',
  name: 'same-python-across-stages',
  title: 'One Python across stages',
  area: 'rep',
  severity: 'warning',
  scope: ['D'],
  sources: [],
  why: `A virtualenv is tied to the interpreter that made it: its \`bin/python\` points at that interpreter, and its
packages live in \`lib/python3.12/site-packages\`. Copy it into a stage with Python 3.13 and the interpreter does not
look there: every import fails, or (with the same path by luck) compiled extensions crash. Compiled wheels also
depend on the C library: a venv built on Alpine (musl) cannot run on Debian (glibc), and one built on a newer
Debian may need a newer glibc than the runtime stage has.

pyship compares the base images of a stage that creates or installs into a Python environment (\`python -m venv\`,
\`virtualenv\`, \`uv venv\`/\`uv sync\`, \`poetry install\`, \`pip install --target/--prefix/--user\`…) and of the stage
that copies that environment with \`COPY --from\`, for official python images (and astral-sh/uv python images), with
ARG defaults applied. Use one \`ARG PYTHON_IMAGE\` for both \`FROM\`s.`,
  examples: [
    {
      bad: 'FROM python:3.12-slim-bookworm AS build\nRUN python -m venv /opt/venv && /opt/venv/bin/pip install flask==3.1.0\nFROM python:3.13-slim-trixie\nCOPY --from=build /opt/venv /opt/venv\n',
      good: 'ARG PYTHON_IMAGE=python:3.13-slim-trixie\nFROM ${PYTHON_IMAGE} AS build\nRUN python -m venv /opt/venv && /opt/venv/bin/pip install flask==3.1.0\nFROM ${PYTHON_IMAGE}\nCOPY --from=build /opt/venv /opt/venv\n',
    },
    {
      bad: 'FROM python:3.13-alpine3.21 AS build\nRUN pip install --prefix=/install flask==3.1.0\nFROM python:3.13-slim-trixie\nCOPY --from=build /install /usr/local\n',
      good: 'FROM python:3.13-trixie AS build\nRUN pip install --prefix=/install flask==3.1.0\nFROM python:3.13-slim-trixie\nCOPY --from=build /install /usr/local\nFROM node:22 AS assets\nFROM python:3.12-slim-bookworm\nCOPY --from=assets /app/dist /static\n',
    },
  ],
  check({ dockerfile: df, report }) {
    const envCache = new Map<number, { paths: string[]; any: boolean }>();
    for (const stage of df.stages) {
      for (const instr of stage.instructions) {
        if (instr.keyword !== 'COPY') continue;
        const ops = copyOperands(df, instr);
        if (!ops?.fromStage) continue;
        const src = ops.fromStage;
        if (!envCache.has(src.index)) envCache.set(src.index, pythonEnvs(df, src));
        const envs = envCache.get(src.index)!;
        if (!envs.any) continue;
        const copiesEnv = ops.sources.some((s) => {
          if (s.value === undefined) return false;
          // COPY --from sources are relative to the other stage's root, not its WORKDIR
          const p = imagePath('/', s.value);
          if (!p) return false;
          return ENV_PATH.test(p) || envs.paths.some((e) => pathWithin(e, p) || pathWithin(p, e));
        });
        if (!copiesEnv) continue;
        const a = pythonImage(rootBase(df, src).base);
        const b = pythonImage(rootBase(df, stage).base);
        if (!a || !b) continue;
        const minor = a.minor !== undefined && b.minor !== undefined && a.minor !== b.minor;
        const family = a.family !== b.family;
        const release = !family && a.family === 'debian' && a.release !== undefined && b.release !== undefined && a.release !== b.release;
        if (!minor && !family && !release) continue;
        const from = instr.flags.find((f) => f.name === 'from')!;
        const what = minor ? 'the Python versions differ' : family ? 'musl and glibc wheels are not interchangeable' : 'compiled packages may need the newer system libraries';
        report({
          span: from.span,
          message: `\`${from.raw}\` copies a Python environment built with ${describe(a)} (\`${a.ref}\`) into ${describe(b)} (\`${b.ref}\`): ${what}; build both stages from the same image`,
        });
      }
    }
  },
});
