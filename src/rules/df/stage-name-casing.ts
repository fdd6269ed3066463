// DF018: stage names in lowercase, so they read as identifiers and not as instruction keywords.
import { defineRule } from '../../lint/rule.js';
import { rewriteInstruction } from './_util.js';

export default defineRule({
  code: 'DF018',
  name: 'stage-name-casing',
  title: 'Stage names in lowercase',
  area: 'df',
  severity: 'info',
  scope: ['D'],
  fix: 'safe',
  sources: ['buildkit:StageNameCasing'],
  why: `Stage names are case-insensitive (BuildKit lowercases them), so \`AS Builder\`, \`--from=BUILDER\` and
\`FROM builder\` all name the same stage; writing them in lowercase keeps them apart from instruction keywords and
makes \`grep\` find every use. This is BuildKit's StageNameCasing check.

The fix lowercases the name where the stage is defined; references keep working because the comparison ignores
case.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie AS Builder\nFROM python:3.13-slim-trixie\nCOPY --from=builder /app /app\n',
      good: 'FROM python:3.13-slim-trixie AS builder\nFROM python:3.13-slim-trixie\nCOPY --from=builder /app /app\n',
    },
    { bad: 'FROM python:3.13-slim-trixie AS BUILD_BASE\n', good: 'FROM python:3.13-slim-trixie AS build_base\n' },
  ],
  check({ dockerfile: df, report }) {
    for (const stage of df.stages) {
      const { name, nameSpan } = stage;
      if (name === undefined || nameSpan === undefined || name === name.toLowerCase()) continue;
      const exact = df.text.slice(nameSpan.start, nameSpan.end) === name;
      const edit = exact ? rewriteInstruction(df, stage.from, [{ start: nameSpan.start, end: nameSpan.end, text: name.toLowerCase() }]) : undefined;
      report({
        span: nameSpan,
        message: `stage name \`${name}\` should be lowercase: \`${name.toLowerCase()}\``,
        fix: edit ? { description: `rename the stage to \`${name.toLowerCase()}\``, edits: [edit] } : undefined,
      });
    }
  },
});
