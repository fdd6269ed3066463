// DF009: one CMD, one ENTRYPOINT and one HEALTHCHECK per stage — only the last of each takes effect.
import { defineRule } from '../../lint/rule.js';
import { lineOf } from '../../dockerfile/lines.js';

const KINDS = ['CMD', 'ENTRYPOINT', 'HEALTHCHECK'] as const;

export default defineRule({
  code: 'DF009',
  name: 'single-start-instruction',
  title: 'One CMD, ENTRYPOINT and HEALTHCHECK per stage',
  area: 'df',
  severity: 'warning',
  scope: ['D'],
  sources: ['hadolint:DL4003', 'hadolint:DL4004', 'hadolint:DL3012', 'buildkit:MultipleInstructionsDisallowed'],
  why: `An image has one start command, one entrypoint and one health check: of several \`CMD\`s (or \`ENTRYPOINT\`s, or
\`HEALTHCHECK\`s) in a stage only the last one counts, and the others are dead code that misleads whoever reads the
file ("the app starts with gunicorn" — no, the later \`CMD\` runs the dev server).

Each stage is judged on its own: a \`CMD\` in a build stage and another in the final stage is normal. \`ONBUILD CMD\`
and the \`CMD\` inside \`HEALTHCHECK … CMD\` don't count.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nCMD ["gunicorn", "app:app"]\nCMD ["flask", "run"]\n',
      good: 'FROM python:3.13-slim-trixie\nCMD ["gunicorn", "app:app"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nHEALTHCHECK CMD ["python", "-c", "print(1)"]\nHEALTHCHECK NONE\n',
      good: 'FROM python:3.13-slim-trixie AS base\nCMD ["python", "-V"]\nFROM base\nHEALTHCHECK CMD ["python", "-c", "print(1)"]\nCMD ["python", "app.py"]\n',
    },
  ],
  check({ dockerfile: df, report }) {
    for (const stage of df.stages) {
      for (const kind of KINDS) {
        const list = stage.instructions.filter((i) => i.keyword === kind);
        const last = list[list.length - 1];
        for (const instr of list.slice(0, -1)) {
          report({
            span: instr.keywordSpan,
            message: `several \`${kind}\` instructions in this stage: only the last one (line ${lineOf(df.text, last!.span.start)}) takes effect`,
          });
        }
      }
    }
  },
});
