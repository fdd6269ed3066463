// DF019: `scratch` and `context` are reserved words; a stage with either name shadows them.
import { defineRule } from '../../lint/rule.js';

const RESERVED = new Set(['scratch', 'context']);

export default defineRule({
  code: 'DF019',
  name: 'reserved-stage-name',
  title: "Don't name a stage `scratch` or `context`",
  area: 'df',
  severity: 'warning',
  scope: ['D'],
  sources: ['buildkit:ReservedStageName'],
  why: `\`scratch\` is the empty base image and \`context\` names the build context (in \`--mount=from=context\` and
named contexts); a stage called either makes \`FROM scratch\` or \`COPY --from=context\` ambiguous, and which one wins
depends on the builder. Pick another name (\`runtime\`, \`sources\`).`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie AS scratch\nRUN pip wheel --no-cache-dir -w /wheels flask==3.1.0\n',
      good: 'FROM python:3.13-slim-trixie AS wheels\nRUN pip wheel --no-cache-dir -w /wheels flask==3.1.0\n',
    },
    { bad: 'FROM alpine:3.21 AS Context\n', good: 'FROM alpine:3.21 AS sources\n' },
  ],
  check({ dockerfile: df, report }) {
    for (const stage of df.stages) {
      if (stage.name === undefined || stage.nameSpan === undefined || !RESERVED.has(stage.name.toLowerCase())) continue;
      report({ span: stage.nameSpan, message: `\`${stage.name}\` is reserved and should not be used as a stage name` });
    }
  },
});
