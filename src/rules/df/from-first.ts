// DF015: only ARG (and comments/directives) may come before the first FROM.
import { defineRule } from '../../lint/rule.js';

export default defineRule({
  code: 'DF015',
  name: 'from-first',
  title: 'Nothing but ARG before the first FROM',
  area: 'df',
  severity: 'error',
  scope: ['D'],
  sources: ['hadolint:DL3061'],
  why: `A Dockerfile starts with \`FROM\`: before it, only parser directives, comments and \`ARG\`s (which parameterise
the \`FROM\` lines) are allowed. Any other instruction there has no stage to apply to, and the build fails with "no
build stage in current context". The usual cause is a \`LABEL\`/\`ENV\` moved to the top, or a file concatenated from
fragments.`,
  examples: [
    {
      bad: 'LABEL org.opencontainers.image.source="https://example.com/app"\nFROM python:3.13-slim-trixie\n',
      good: 'FROM python:3.13-slim-trixie\nLABEL org.opencontainers.image.source="https://example.com/app"\n',
    },
    {
      bad: 'ENV PYTHON_VERSION=3.13\nFROM python:${PYTHON_VERSION}-slim-trixie\n',
      good: '# syntax=docker/dockerfile:1\nARG PYTHON_VERSION=3.13\nFROM python:${PYTHON_VERSION}-slim-trixie\n',
    },
  ],
  check({ dockerfile: df, report }) {
    for (const instr of df.instructions) {
      if (instr.stage >= 0) break;
      if (instr.keyword === 'ARG' || !instr.known) continue;
      report({ span: instr.keywordSpan, message: `\`${instr.keyword}\` before the first \`FROM\`: only \`ARG\` may come before it` });
    }
  },
});
