// DF021: no empty lines inside a `\` continuation — BuildKit warns today and will reject them.
import { defineRule, type Edit } from '../../lint/rule.js';

export default defineRule({
  code: 'DF021',
  name: 'empty-continuation',
  title: 'No empty continuation lines',
  area: 'df',
  severity: 'warning',
  scope: ['D'],
  fix: 'safe',
  sources: ['buildkit:NoEmptyContinuation'],
  why: `An empty line after a line ending in \`\\\` is skipped today, with a deprecation warning, and a future BuildKit
release will make it an error: the build breaks without any change to the file. It also reads as the end of the
instruction when it is not. Remove the empty line, or put a comment there (comment lines are allowed inside a
continuation).

The fix deletes the empty lines; the instruction means exactly the same afterwards.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nRUN apt-get update && \\\n\n    apt-get install -y --no-install-recommends curl\n',
      good: 'FROM python:3.13-slim-trixie\nRUN apt-get update && \\\n    apt-get install -y --no-install-recommends curl\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nEXPOSE \\\n   \n8000\n',
      good: 'FROM python:3.13-slim-trixie\nEXPOSE \\\n# the app port\n8000\n',
      fixed: 'FROM python:3.13-slim-trixie\nEXPOSE \\\n8000\n',
    },
  ],
  check({ dockerfile: df, report }) {
    for (const p of df.problems) {
      if (p.kind !== 'empty-continuation') continue;
      const instr = df.instructions.find((i) => i.keywordSpan.start === p.span.start) ??
        df.instructions.find((i) => i.span.start <= p.span.start && p.span.start < i.span.end);
      const edits: Edit[] = [];
      if (instr) {
        // empty lines between the instruction's first line and its heredoc bodies (bodies may hold empty lines)
        const limit = Math.min(instr.span.end, ...instr.heredocs.map((h) => h.contentSpan.start), ...(instr.onbuild?.heredocs ?? []).map((h) => h.contentSpan.start));
        let lineStart = df.text.indexOf('\n', instr.span.start) + 1;
        while (lineStart > 0 && lineStart < limit) {
          const nl = df.text.indexOf('\n', lineStart);
          if (nl < 0) break;
          if (/^[ \t\r\f\v]*$/.test(df.text.slice(lineStart, nl))) edits.push({ start: lineStart, end: nl + 1, text: '' });
          lineStart = nl + 1;
        }
      }
      const keyword = instr ? df.text.slice(instr.keywordSpan.start, instr.keywordSpan.end) : 'instruction';
      report({
        span: p.span,
        message: `empty continuation line in \`${keyword}\`: BuildKit will reject it in a future release; remove it or make it a comment`,
        fix: edits.length > 0 ? { description: 'remove the empty continuation lines', edits } : undefined,
      });
    }
  },
});
