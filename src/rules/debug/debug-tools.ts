// DBG004: debug tools in the image (off by default; an image-only check, run by `pyship audit`).
import { defineImageRule } from '../../lint/rule.js';

export default defineImageRule({
  code: 'DBG004',
  name: 'debug-tools',
  title: 'Debug tools',
  area: 'debug',
  level: 'image',
  severity: 'info',
  optIn: true,
  scope: ['I'],
  sources: [],
  why: `When a container misbehaves in production, \`docker exec … ps\` is the first thing one reaches for, and slim
images do not have it. The guide leaves this as a trade-off (a few hundred kB against a faster diagnosis), so the check
is off by default: turn it on with \`extend-select = ["DBG004"]\`, and \`pyship audit\` then reports an image without
\`ps\` (procps).`,
  examples: [
    {
      bad: 'A `python:3.13-slim-trixie` image with no `ps` on PATH.',
      good: 'The runtime stage installs `procps` with `--no-install-recommends` in its one apt RUN.',
    },
  ],
});
