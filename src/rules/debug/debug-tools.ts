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
      bad: { history: [{ by: 'ADD file:4a1b in /', files: [{ path: 'usr/bin/python3', size: 5000, mode: 0o755 }] }] },
      good: {
        history: [
          { by: 'ADD file:4a1b in /', files: [{ path: 'usr/bin/python3', size: 5000, mode: 0o755 }] },
          { by: 'RUN /bin/sh -c apt-get install -y --no-install-recommends procps', files: [{ path: 'usr/bin/ps', size: 100, mode: 0o755 }] },
        ],
      },
    },
  ],
  checkImage({ image, report }) {
    if (image.resolveBinary('ps') === undefined) report({ at: 'image', message: 'no ps in the image (procps): debugging a running container is harder' });
  },
});
