// SIZE001: find large layers and wasted bytes (an image-only check, run by `pyship audit`).
import { defineImageRule } from '../../lint/rule.js';
import { formatBytes } from '../../image/facts.js';

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
      bad: {
        history: [
          { by: 'RUN /bin/sh -c curl -o /tmp/data.tar.gz https://example.com/data.tar.gz && tar -xzf /tmp/data.tar.gz -C /opt', files: [{ path: 'tmp/data.tar.gz', size: 300_000 }, { path: 'opt/data/table.csv', size: 100_000 }] },
          { by: 'RUN /bin/sh -c rm /tmp/data.tar.gz', files: [{ path: 'tmp/.wh.data.tar.gz' }] },
        ],
      },
      good: {
        history: [
          { by: 'RUN /bin/sh -c curl -o /tmp/data.tar.gz https://example.com/data.tar.gz && tar -xzf /tmp/data.tar.gz -C /opt && rm /tmp/data.tar.gz', files: [{ path: 'opt/data/table.csv', size: 100_000 }] },
        ],
      },
    },
  ],
  checkImage({ image, settings, report }) {
    const minEff = settings.minEfficiency ?? 0.95;
    const overEff = image.efficiency < minEff;
    const overWaste = settings.maxWastedBytes !== undefined && image.wastedBytes > settings.maxWastedBytes;
    if (!overEff && !overWaste) return;
    const worst = [...image.layers].sort((a, b) => b.wasted - a.wasted).filter((l) => l.wasted > 0).slice(0, 3);
    const why = [overEff ? `efficiency ${image.efficiency.toFixed(3)} (< min-efficiency ${minEff})` : '', overWaste ? `wasted ${formatBytes(image.wastedBytes)} (> max-wasted-bytes ${formatBytes(settings.maxWastedBytes!)})` : ''].filter(Boolean).join(', ');
    report({ at: worst[0] ? { layer: worst[0].index } : 'image', message: `${why}: ${formatBytes(image.wastedBytes)} of ${formatBytes(image.totalSize)} are files later layers overwrite or delete; most in ${worst.map((l) => `${image.layerName(l.index)} ${formatBytes(l.wasted)}`).join('; ')}` });
  },
});
