// DF013: COPY to a relative destination without a WORKDIR lands in whatever directory the base image chose.
import { defineRule } from '../../lint/rule.js';
import { expandWord } from '../../dockerfile/words.js';
import { stateLookup } from './_util.js';

export default defineRule({
  code: 'DF013',
  name: 'copy-relative-dest-workdir',
  title: 'COPY to a relative destination needs a WORKDIR',
  area: 'df',
  severity: 'warning',
  scope: ['D'],
  sources: ['hadolint:DL3045'],
  why: `\`COPY . .\` or \`COPY app.py app/\` copies relative to the working directory, and until the Dockerfile sets one
that is the base image's: \`/\` for the official python images (so the app is spread over the root of the file
system, next to \`/etc\` and \`/usr\`), something else for other bases, and it can change when the base image does.
Set \`WORKDIR /app\` first, or copy to an absolute path.

As in hadolint (DL3045), a \`WORKDIR\` in the stage or in a stage it is built \`FROM\` counts. A destination made of
variables is judged by its value; unresolved ones are not flagged.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nCOPY . .\nCMD ["python", "app.py"]\n',
      good: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY . .\nCMD ["python", "app.py"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nCOPY requirements.txt app/\n',
      good: 'FROM python:3.13-slim-trixie AS base\nWORKDIR /app\nFROM base\nCOPY requirements.txt .\nCOPY app.py /srv/app.py\n',
    },
  ],
  check({ dockerfile: df, report }) {
    for (const instr of df.instructions) {
      if ((instr.keyword !== 'COPY' && instr.keyword !== 'ADD') || instr.words.length < 2 || instr.stage < 0) continue;
      if (instr.state.workdir !== undefined) continue;
      const dest = instr.words[instr.words.length - 1]!;
      const { value, unresolved } = expandWord(instr.json ? dest.value : dest.raw, stateLookup(instr), df.escape);
      if (unresolved.length > 0) continue;
      const d = value.trim();
      if (d === '' || d.startsWith('/') || d.startsWith('\\') || /^[A-Za-z]:[\\/]/.test(d)) continue;
      report({
        span: dest.span,
        message: `\`${instr.keyword}\` to relative \`${d}\` with no \`WORKDIR\` set: set \`WORKDIR\` first or copy to an absolute path`,
      });
    }
  },
});
