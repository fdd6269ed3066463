// DF005: COPY a b dest needs `dest/`: several sources can only go into a directory.
import { defineRule } from '../../lint/rule.js';
import { expandWord } from '../../dockerfile/words.js';
import { rewriteInstruction, stateLookup } from './_util.js';

export default defineRule({
  code: 'DF005',
  name: 'copy-multiple-sources-dir',
  title: "COPY with several sources needs a destination ending in '/'",
  area: 'df',
  severity: 'error',
  scope: ['D'],
  fix: 'safe',
  sources: ['hadolint:DL3021'],
  why: `With more than one source, \`COPY\`/\`ADD\` can only copy into a directory, and Docker requires the destination to
say so with a trailing \`/\`: \`COPY requirements.txt setup.cfg /app\` is rejected by the classic builder ("the
destination must be a directory and end with a /"), and where it is accepted it depends on whether \`/app\` happens to
exist already. \`/app/\` is unambiguous everywhere.

\`.\` and \`..\` are directories by definition and are not flagged (hadolint flags \`COPY a b .\`). A destination made
of variables is judged by its value; unresolved ones are not flagged. The fix appends the \`/\`.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nCOPY requirements.txt constraints.txt /app\n',
      good: 'FROM python:3.13-slim-trixie\nCOPY requirements.txt constraints.txt /app/\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nCOPY ["pyproject.toml", "uv.lock", "/app"]\n',
      good: 'FROM python:3.13-slim-trixie\nCOPY ["pyproject.toml", "uv.lock", "/app/"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nENV APP=/app\nCOPY a.py b.py $APP\n',
      good: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY a.py b.py .\nCOPY app.py /app/main.py\n',
      fixed: 'FROM python:3.13-slim-trixie\nENV APP=/app\nCOPY a.py b.py $APP/\n',
    },
  ],
  check({ dockerfile: df, report }) {
    for (const top of df.instructions) {
      const instr = top.onbuild ?? top;
      if ((instr.keyword !== 'COPY' && instr.keyword !== 'ADD') || instr.words.length < 3) continue;
      const dest = instr.words[instr.words.length - 1]!;
      let value = dest.value;
      if (!instr.json) {
        const e = expandWord(dest.raw, stateLookup(instr), df.escape);
        if (e.unresolved.length > 0) continue;
        value = e.value;
      }
      if (value.endsWith('/') || value.endsWith('\\') || value === '.' || value === '..' || value === '') continue;
      let edit;
      if (instr.json) {
        // the JSON string's closing quote: insert before it
        if (dest.raw.endsWith('"')) edit = rewriteInstruction(df, instr, [{ start: dest.span.end - 1, end: dest.span.end - 1, text: '/' }]);
      } else if (df.text.slice(dest.span.start, dest.span.end) === dest.raw) {
        const q = /["']$/.test(dest.raw) ? 1 : 0;
        edit = rewriteInstruction(df, instr, [{ start: dest.span.end - q, end: dest.span.end - q, text: '/' }]);
      }
      report({
        span: dest.span,
        message: `\`${instr.keyword}\` with ${instr.words.length - 1} sources needs a directory destination ending in \`/\`: \`${dest.value}/\``,
        fix: edit ? { description: `append \`/\` to \`${dest.value}\``, edits: [edit] } : undefined,
      });
    }
  },
});
