// DF002: `cd` that moves the rest of a RUN belongs in WORKDIR, where every later instruction sees it.
import { defineRule } from '../../lint/rule.js';
import { stageCommands, type ShCommand } from '../../dockerfile/shell.js';
import { imagePath } from '../../dockerfile/paths.js';

/** A path the `rm` command deletes, normalised without trailing slashes. */
function removedBy(cmd: ShCommand): string[] {
  if (cmd.name !== 'rm') return [];
  return cmd.argv.slice(1).filter((w) => !w.value.startsWith('-')).map((w) => w.value.replace(/\/+$/, ''));
}

export default defineRule({
  code: 'DF002',
  name: 'no-cd-in-run',
  title: 'Use WORKDIR instead of `cd` in RUN',
  area: 'df',
  severity: 'warning',
  scope: ['D'],
  sources: ['hadolint:DL3003'],
  why: `\`RUN cd /app && make\` only changes the directory for that one \`RUN\`; the next instruction is back where it was,
which is easy to forget when editing the file later (a \`COPY\` or \`RUN\` that "obviously" runs in \`/app\` doesn't).
\`WORKDIR /app\` says it once, for every later instruction and for the start command, and creates the directory.

pyship flags a \`cd\` at the top level of a \`RUN\` that is followed by other commands (the case hadolint's DL3003
is about). It accepts \`cd\` inside a subshell (\`(cd docs && make html)\`) or a function, \`cd -\`, a \`cd\` into a
directory made on the fly (\`cd "$(mktemp -d)"\`), and a \`cd\` into a scratch directory the same \`RUN\` deletes
afterwards (building a source tarball in \`/tmp/build\`): a \`WORKDIR\` there would leave the image pointing at a
directory that no longer exists.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nCOPY . /app\nRUN cd /app && pip install --no-cache-dir .\n',
      good: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir .\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nRUN cd /opt/tool; ./configure\n',
      good: 'FROM python:3.13-slim-trixie\nRUN (cd /opt/tool && ./configure) && make -C /opt/tool\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nRUN mkdir /src && cd /src && make\n',
      good: 'FROM python:3.13-slim-trixie\nRUN mkdir /tmp/build && cd /tmp/build && curl -fsSLO https://example.com/x.tgz && tar xzf x.tgz && cd / && rm -rf /tmp/build\n',
    },
  ],
  check({ dockerfile: df, report }) {
    const byInstr = new Map<number, { cmds: ShCommand[] }>();
    for (const { instr, cmd } of stageCommands(df)) {
      let e = byInstr.get(instr.index);
      if (!e) byInstr.set(instr.index, (e = { cmds: [] }));
      e.cmds.push(cmd);
    }
    for (const [index, { cmds }] of byInstr) {
      const instr = df.instructions[index]!;
      const run = instr.onbuild ?? instr;
      const cds = cmds
        .map((cmd, k) => ({ cmd, k }))
        .filter(({ cmd }) => cmd.name === 'cd' && cmd.wrappers.length === 0 && cmd.depth === 0 && !cmd.nested && !cmd.substitution && cmd.pipeLength === 1);
      if (cds.length === 0) continue;
      // a scratch directory (made on the fly, or deleted by the same RUN) makes the whole RUN's cd-ing legitimate
      const scratch = cds.some(({ cmd, k }) => {
        const target = cmd.argv.slice(1).find((w) => !/^-[LPe@]+$/.test(w.value));
        if (target && (target.value === '-' || target.raw.includes('$(') || target.raw.includes('`'))) return true;
        const dir = target?.value.replace(/\/+$/, '');
        return !!dir && cmds.slice(k + 1).some((c) => removedBy(c).some((r) => r === dir || (r !== '' && dir.startsWith(r + '/'))));
      });
      if (scratch) continue;
      const first = cds.find(({ k }) => cmds.slice(k + 1).some((c) => c.name !== '' && !(c.name === 'cd' && c.depth === 0)));
      if (!first) continue;
      const { cmd } = first;
      const target = cmd.argv.slice(1).find((w) => !/^-[LPe@]+$/.test(w.value));
      const where = target ? target.value : '~';
      const dir = where.replace(/(.)\/+$/, '$1');
      const abs = dir.startsWith('/') ? dir : run.state.workdir !== undefined && !/[$~]/.test(dir) ? imagePath(run.state.workdir, dir) : undefined;
      report({
        span: cmd.span,
        message: `\`cd ${where}\` in \`${run.keyword}\` moves only this instruction: use ${abs ? `\`WORKDIR ${abs}\`` : 'an absolute `WORKDIR`'} instead`,
      });
    }
  },
});
