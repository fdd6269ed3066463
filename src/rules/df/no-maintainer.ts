// DF010: MAINTAINER is deprecated; author metadata is the OCI label org.opencontainers.image.authors.
import { defineRule } from '../../lint/rule.js';
import { singleLine } from './_util.js';

export default defineRule({
  code: 'DF010',
  name: 'no-maintainer',
  title: 'MAINTAINER is deprecated',
  area: 'df',
  severity: 'warning',
  scope: ['D'],
  fix: 'unsafe',
  sources: ['hadolint:DL4000', 'buildkit:MaintainerDeprecated'],
  why: `\`MAINTAINER\` was deprecated in Docker 1.13 and only fills a legacy field of the image config that registries,
scanners and \`docker inspect\` users no longer look at. The standard place for author information is the OCI label
\`org.opencontainers.image.authors\`, next to the other \`org.opencontainers.image.*\` labels (source, revision,
version) that \`pyship build\` adds.

The fix replaces the instruction with that label. It is marked unsafe because it changes the image's metadata: the
legacy \`Author\` field is no longer set, which matters only to tooling that still reads it.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nMAINTAINER Jane Doe <jane@example.com>\n',
      good: 'FROM python:3.13-slim-trixie\nLABEL org.opencontainers.image.authors="Jane Doe <jane@example.com>"\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nmaintainer ops@example.com\n',
      good: 'FROM python:3.13-slim-trixie\nlabel org.opencontainers.image.authors="ops@example.com"\n',
    },
  ],
  check({ dockerfile: df, report }) {
    for (const instr of df.instructions) {
      if (instr.keyword !== 'MAINTAINER') continue;
      const value = instr.args.trim();
      const kw = df.text.slice(instr.keywordSpan.start, instr.keywordSpan.end);
      const label = kw === kw.toLowerCase() ? 'label' : 'LABEL';
      const quoted = value.replace(/[\\"$]/g, (c) => '\\' + c);
      const canFix = value !== '' && singleLine(df, instr) && df.escape === '\\';
      report({
        span: instr.keywordSpan,
        message: '`MAINTAINER` is deprecated: use `LABEL org.opencontainers.image.authors="…"`',
        fix: canFix
          ? {
              description: 'replace with the `org.opencontainers.image.authors` label',
              edits: [{ start: instr.span.start, end: instr.span.end, text: `${label} org.opencontainers.image.authors="${quoted}"` }],
            }
          : undefined,
      });
    }
  },
});
