// SIZE001: find large layers and wasted bytes (an image-only check, run by `pyship audit`).
import { defineImageRule } from '../../lint/rule.js';

export default defineImageRule({
  code: 'SIZE001',
  name: 'large-layers',
  title: 'Find large layers',
  area: 'size',
  level: 'image',
  severity: 'info',
  scope: ['I'],
  sources: ['dive:lowestEfficiency', 'dive:highestWastedBytes', 'dive:highestUserWastedPercent'],
  why: `Every layer ships in every pull, including bytes that a later layer overwrites or deletes: a file removed in a
later \`RUN\` still sits in the layer that created it. \`pyship audit\` lists the layers by size with the instruction that
made each one, and counts the wasted bytes (files overwritten or deleted by later layers) and the image's efficiency, as
dive does. It reports a finding when the efficiency is below \`min-efficiency\` (default 0.95) or the wasted bytes exceed
\`max-wasted-bytes\` (\`[tool.pyship]\` or the audit's flags). Delete in the same \`RUN\` that creates, or build in a
stage and copy only the result.`,
  examples: [
    {
      bad: 'A layer downloads a 300 MB archive and a later RUN deletes it: 300 MB wasted, efficiency 0.6.',
      good: 'Download, unpack and delete the archive in one RUN, or in a build stage: nothing wasted.',
    },
  ],
});
