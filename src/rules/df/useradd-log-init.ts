// DF014: `useradd` with a large UID and no `-l` writes gigabytes of sparse lastlog/faillog into the layer.
import { defineRule } from '../../lint/rule.js';
import { stageCommands } from '../../dockerfile/shell.js';
import { findFlag, hasFlag } from '../../dockerfile/commands.js';
import { shellWordValue } from '../../dockerfile/query.js';
import { rewriteInstruction } from './_util.js';

export default defineRule({
  code: 'DF014',
  name: 'useradd-log-init',
  title: '`useradd` with a high UID needs `-l`',
  area: 'df',
  severity: 'warning',
  scope: ['D'],
  fix: 'unsafe',
  sources: ['hadolint:DL3046'],
  why: `\`useradd\` records every user in \`/var/log/lastlog\` and \`/var/log/faillog\`, files indexed by UID. They are
sparse on disk, but image layers are tar archives that store them in full: \`useradd -u 1000000 app\` adds a
lastlog of hundreds of megabytes to the image, and very large UIDs can exhaust the build machine's disk.
\`-l\` (\`--no-log-init\`) skips those files.

As hadolint (DL3046), pyship flags a UID of six digits or more (≥ 100000), given with \`-u\`/\`--uid\`, with the ENV/ARG
in effect expanded. The fix adds \`--no-log-init\`; it is unsafe only in that the user no longer has lastlog/faillog
entries, which containers don't use.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nRUN useradd -u 1000001 app\n',
      good: 'FROM python:3.13-slim-trixie\nRUN useradd --no-log-init -u 1000001 app\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nARG APP_UID=200000\nRUN groupadd -g 200000 app && useradd --uid=${APP_UID} -g app app\n',
      good: 'FROM python:3.13-slim-trixie\nARG APP_UID=10001\nRUN useradd -l --uid 200000 app && useradd --uid=${APP_UID} web\n',
      fixed: 'FROM python:3.13-slim-trixie\nARG APP_UID=200000\nRUN groupadd -g 200000 app && useradd --no-log-init --uid=${APP_UID} -g app app\n',
    },
  ],
  check({ dockerfile: df, report }) {
    for (const { instr, cmd } of stageCommands(df)) {
      if (cmd.name !== 'useradd' || hasFlag(cmd, '-l', '--no-log-init')) continue;
      const flag = findFlag(cmd, '-u', '--uid');
      if (!flag) continue;
      let word = flag;
      let raw: string | undefined;
      if (flag.value.startsWith('--uid=')) raw = flag.value.slice('--uid='.length);
      else if (flag.value === '-u' || flag.value === '--uid') {
        const next = cmd.argv[cmd.argv.indexOf(flag) + 1];
        if (!next) continue;
        word = next;
      } else if (/^-u./.test(flag.value)) raw = flag.value.slice(2);
      else continue;
      let uid: string | undefined;
      if (raw !== undefined) {
        uid = flag.dynamic ? shellWordValue(instr, { ...flag, raw: flag.raw.slice(flag.raw.length - raw.length), value: raw }) : raw;
      } else uid = shellWordValue(instr, word);
      if (uid === undefined || !/^\d+$/.test(uid) || uid.length <= 5) continue;
      const prog = cmd.argv[0]!;
      const canFix = !cmd.nested && df.text.slice(prog.span.start, prog.span.end) === prog.raw;
      const edit = canFix ? rewriteInstruction(df, instr, [{ start: prog.span.end, end: prog.span.end, text: ' --no-log-init' }]) : undefined;
      report({
        span: flag === word ? flag.span : { start: flag.span.start, end: word.span.end },
        message: `\`useradd\` with UID ${uid} and no \`-l\`/\`--no-log-init\`: the lastlog/faillog files make the layer huge`,
        fix: edit ? { description: 'add `--no-log-init`', edits: [edit] } : undefined,
      });
    }
  },
});
