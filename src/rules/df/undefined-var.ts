// DF016: a $VAR in an instruction argument that nothing defines expands to an empty string, silently.
import { defineRule } from '../../lint/rule.js';
import type { Dockerfile, Instruction, Span } from '../../dockerfile/model.js';
import { keyValues } from '../../dockerfile/arguments.js';
import { rootBase } from '../../dockerfile/query.js';
import { closeMatch, isPredefinedArg, varRefs } from './_util.js';
import { NearNames } from './_near.js';
import { memo } from '../../dockerfile/memo.js';

/** Instructions whose arguments BuildKit expands (RUN/CMD/ENTRYPOINT are left to the shell). */
const EXPANDED = new Set(['ADD', 'COPY', 'ENV', 'ARG', 'EXPOSE', 'LABEL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR']);

/** Variables that images commonly define (or the runtime always does): never reported for a non-scratch base. */
const COMMON_IMAGE_ENV = new Set([
  'PATH', 'HOME', 'HOSTNAME', 'PWD', 'USER', 'SHELL', 'TERM', 'LANG', 'LANGUAGE', 'TZ', 'GPG_KEY', 'GPG_KEYS',
  'JAVA_HOME', 'GOPATH', 'GOROOT', 'CARGO_HOME', 'RUSTUP_HOME', 'CONDA_DIR', 'MAMBA_ROOT_PREFIX', 'VIRTUAL_ENV',
  'NVM_DIR', 'GEM_HOME', 'BUNDLE_PATH', 'BUNDLE_APP_CONFIG', 'DEBIAN_FRONTEND', 'LD_LIBRARY_PATH', 'PYTHONPATH',
  'CUDA_HOME', 'CUDA_VERSION', 'NVIDIA_VISIBLE_DEVICES', 'NVIDIA_DRIVER_CAPABILITIES', 'APP_ROOT',
]);

/** Prefixes an official image of this repository sets (python → PYTHON_VERSION, node → NODE_VERSION…). */
function imagePrefixes(repository: string | undefined): string[] {
  if (!repository) return [];
  const last = repository.split('/').pop()!.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  const out = [last + '_'];
  if (last === 'OPENJDK' || last.includes('JDK') || last.includes('JRE') || last === 'ECLIPSE_TEMURIN' || last === 'MAVEN' || last === 'GRADLE') out.push('JAVA_');
  if (last === 'GOLANG') out.push('GO');
  if (last.includes('CONDA') || last.includes('MAMBA')) out.push('CONDA', 'MAMBA');
  return out;
}

interface Text {
  raw: string;
  span: Span;
}

function textsOf(df: Dockerfile, instr: Instruction): { texts: Text[]; defines: string[][] } {
  if (instr.keyword === 'ENV' || instr.keyword === 'ARG' || instr.keyword === 'LABEL') {
    const pairs = keyValues(instr, df.escape);
    const texts: Text[] = [];
    const defines: string[][] = [];
    pairs.forEach((p, i) => {
      if (p.rawValue === undefined || p.valueSpan === undefined) return;
      texts.push({ raw: p.rawValue, span: p.valueSpan });
      // pairs before this one in the same ENV/ARG: DF012 covers the ENV case; don't report them as undefined too
      defines.push(instr.keyword === 'LABEL' ? [] : pairs.slice(0, i).map((q) => q.key));
    });
    return { texts, defines };
  }
  const words = instr.words.filter((w) => !(instr.heredocs.length > 0 && /^\d*<<-?/.test(w.raw)));
  return { texts: words.map((w) => ({ raw: w.raw, span: w.span })), defines: words.map(() => []) };
}

/** Every ENV and ARG name of the file, indexed for near misses, built once per file when first needed. */
const namesOf = memo((df: Dockerfile): NearNames => {
  const names: string[] = [];
  for (const i of df.instructions) if (i.keyword === 'ENV' || i.keyword === 'ARG') for (const kv of keyValues(i, df.escape)) names.push(kv.key);
  return new NearNames(names);
});

/**
 * The names closeMatch could pick among those defined for this instruction (ENV, then ARG, then the earlier pairs of
 * the instruction itself), in that order: the same answer as offering it all of them, without listing them all for
 * each reference.
 */
function nearCandidates(df: Dockerfile, name: string, instr: Instruction, local: readonly string[]): string[] {
  const { env, args } = instr.state;
  const ranked: { name: string; group: number; order: number }[] = [];
  for (const n of namesOf(df).candidates(name)) {
    const e = env.order(n);
    const a = args.order(n);
    const l = local.indexOf(n);
    if (e !== undefined) ranked.push({ name: n, group: 0, order: e });
    else if (a !== undefined) ranked.push({ name: n, group: 1, order: a });
    else if (l >= 0) ranked.push({ name: n, group: 2, order: l });
  }
  return ranked.sort((x, y) => x.group - y.group || x.order - y.order).map((r) => r.name);
}

export default defineRule({
  code: 'DF016',
  name: 'undefined-var',
  title: 'No undefined variables in instruction arguments',
  area: 'df',
  severity: 'warning',
  scope: ['D'],
  sources: ['buildkit:UndefinedVar'],
  why: `\`COPY\`, \`ENV\`, \`WORKDIR\`, \`USER\`, \`LABEL\`… expand \`$VAR\` at build time, and an undefined variable
becomes an empty string without any error: \`ENV PATH=$VIRTUALENV/bin:$PATH\` (a typo of \`VIRTUAL_ENV\`) puts
\`/bin\` on the path, and \`COPY app $APP_DIR\` copies into the working directory. A very common cause is a global
\`ARG\` (declared before the first \`FROM\`) used inside a stage without being declared again there: global ARGs are
only visible to \`FROM\` lines.

BuildKit's UndefinedVar knows the base image's environment; a linter does not (\`$PYTHON_VERSION\` comes from the
python image, \`$PATH\` from every image). So pyship reports an undefined variable only when it is certain to be a
mistake: the stage is built on \`scratch\` (its whole environment is in the Dockerfile), the name is a global \`ARG\`
not redeclared in the stage, or the name is a near-miss of a variable the Dockerfile defines (\`$VIRTUALENV\` vs
\`VIRTUAL_ENV\`, different case, one or two letters off). Variables the base image typically sets (\`PATH\`, \`HOME\`,
\`PYTHON_*\` on a python base…) and \`\${VAR:-default}\` forms are never reported; \`RUN\`, \`CMD\` and \`ENTRYPOINT\` are
left to the shell, as in BuildKit.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nENV VIRTUAL_ENV=/opt/venv\nENV PATH=$VIRTUALENV/bin:$PATH\n',
      good: 'FROM python:3.13-slim-trixie\nENV VIRTUAL_ENV=/opt/venv\nENV PATH=$VIRTUAL_ENV/bin:$PATH\n',
    },
    {
      bad: 'ARG APP_VERSION=1.4.2\nFROM python:3.13-slim-trixie\nLABEL org.opencontainers.image.version=$APP_VERSION\n',
      good: 'ARG APP_VERSION=1.4.2\nFROM python:3.13-slim-trixie\nARG APP_VERSION\nLABEL org.opencontainers.image.version=$APP_VERSION\n',
    },
    {
      bad: 'FROM scratch\nCOPY app /srv/$APP_NAME\n',
      good: 'FROM scratch\nARG APP_NAME=web\nCOPY app /srv/$APP_NAME\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nARG app_home=/app\nWORKDIR $APP_HOME\n',
      good: 'FROM python:3.13-slim-trixie\nENV PIP_VERSION=25.0\nLABEL python.version=$PYTHON_VERSION pip.version=$PIP_VERSION home=${HOME_DIR:-/root}\nWORKDIR $HOME\n',
    },
  ],
  check({ dockerfile: df, report }) {
    for (const instr of df.instructions) {
      if (instr.stage < 0 || !EXPANDED.has(instr.keyword)) continue;
      const stage = df.stages[instr.stage]!;
      const root = rootBase(df, stage);
      const known = root.base.scratch;
      const prefixes = imagePrefixes(root.base.repository);
      // get/has on the state, never its keys: copying them for every instruction was quadratic in the ENV count
      const { env, args } = instr.state;
      const { texts, defines } = textsOf(df, instr);
      texts.forEach((t, i) => {
        const local = new Set(defines[i]);
        for (const ref of varRefs(t.raw, df.escape)) {
          const name = ref.name;
          if (ref.modifier !== undefined || env.has(name) || args.has(name) || local.has(name) || isPredefinedArg(name)) continue;
          if (name === 'PATH' || name === 'HOME') continue;
          const baseMayDefine = !known && (COMMON_IMAGE_ENV.has(name) || name.startsWith('LC_') || prefixes.some((p) => name.startsWith(p)));
          if (baseMayDefine) continue;
          let message: string | undefined;
          const near = closeMatch(name, nearCandidates(df, name, instr, defines[i]!));
          if (near) message = `\`$${name}\` is not defined (did you mean \`$${near}\`?): it expands to an empty string`;
          else if (df.globalArgs.has(name)) {
            message = `\`$${name}\` is a global \`ARG\`, not visible inside a stage: add \`ARG ${name}\` after this stage's \`FROM\``;
          } else if (known) message = `\`$${name}\` is not defined in this stage (built on \`scratch\`): it expands to an empty string`;
          if (!message) continue;
          const piece = t.raw.slice(ref.start, ref.end);
          const direct = t.span.start + ref.start;
          const at = df.text.slice(direct, direct + piece.length) === piece ? direct : df.text.indexOf(piece, t.span.start);
          const span = at >= 0 && at + piece.length <= t.span.end ? { start: at, end: at + piece.length } : t.span;
          report({ span, message });
        }
      });
    }
  },
});
