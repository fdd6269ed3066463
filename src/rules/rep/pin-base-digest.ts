// REP003 (opt-in): base images pinned by digest, so even a re-pushed tag cannot change the build.
import { defineRule } from '../../lint/rule.js';
import { registryBases } from './_python-image.js';

export default defineRule({
  code: 'REP003',
  name: 'pin-base-digest',
  title: 'Pin the base image by digest',
  area: 'rep',
  severity: 'info',
  scope: ['D'],
  optIn: true,
  sources: [],
  why: `A tag such as \`python:3.13-slim-trixie\` is still re-pushed with every patch release and security
rebuild. Adding the digest (\`python:3.13-slim-trixie@sha256:…\`) makes the base byte-for-byte reproducible; the
price is that you must update the digest yourself (Dependabot and Renovate do it), or you stop receiving security
fixes. That trade-off is why this check is off by default (turn it on with \`extend-select\`).

\`scratch\`, earlier stages and named build contexts (\`FROM deps\` with \`docker buildx bake\` contexts) are not
flagged, nor is \`FROM $ARG\` whose value is unknown or empty by default.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\n',
      good: 'FROM python:3.13-slim-trixie@sha256:4f5d923c9dcea037f57bda425dd209f3ec643da2f0b74227f68d09dab0b3bb36\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie@sha256:4f5d923c9dcea037f57bda425dd209f3ec643da2f0b74227f68d09dab0b3bb36 AS build\nFROM gcr.io/distroless/python3\nCOPY --from=build /app /app\n',
      good: 'FROM python:3.13-slim-trixie@sha256:4f5d923c9dcea037f57bda425dd209f3ec643da2f0b74227f68d09dab0b3bb36 AS build\nFROM build\nFROM scratch\nCOPY --from=build /app /app\n',
    },
  ],
  check({ dockerfile: df, report }) {
    for (const { base: b, ref } of registryBases(df)) {
      report({ span: b.span, message: `\`${ref}\` is not pinned by digest: add \`@sha256:…\` and let Dependabot or Renovate update it` });
    }
  },
});
