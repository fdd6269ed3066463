// DF007: stage names are unique: a second `AS builder` makes `--from=builder` ambiguous and BuildKit rejects it.
import { defineRule } from '../../lint/rule.js';

export default defineRule({
  code: 'DF007',
  name: 'unique-stage-names',
  title: 'Stage names must be unique',
  area: 'df',
  severity: 'error',
  scope: ['D'],
  sources: ['hadolint:DL3024', 'buildkit:DuplicateStageName'],
  why: `Stage names identify stages for \`COPY --from\`, \`FROM <stage>\`, \`RUN --mount=from=\` and \`--target\`; a name
used twice cannot be resolved, and BuildKit refuses the file. Names are compared without regard to case, as BuildKit
does (\`AS Build\` and \`AS build\` are the same name).`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie AS builder\nRUN pip wheel --no-cache-dir -w /wheels flask==3.1.0\nFROM python:3.13-slim-trixie AS builder\n',
      good: 'FROM python:3.13-slim-trixie AS builder\nRUN pip wheel --no-cache-dir -w /wheels flask==3.1.0\nFROM python:3.13-slim-trixie AS runtime\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie AS base\nFROM base AS Base\n',
      good: 'FROM python:3.13-slim-trixie AS base\nFROM base AS test\nFROM base AS final\n',
    },
  ],
  check({ dockerfile: df, report }) {
    const seen = new Map<string, string>();
    for (const stage of df.stages) {
      if (stage.name === undefined || stage.nameSpan === undefined) continue;
      const key = stage.name.toLowerCase();
      const first = seen.get(key);
      if (first !== undefined) {
        report({ span: stage.nameSpan, message: `duplicate stage name \`${stage.name}\` (already used by an earlier \`FROM … AS ${first}\`): stage names must be unique` });
      } else seen.set(key, stage.name);
    }
  },
});
