// pyship over the 643 real-world Dockerfiles: never crashes, and every finding is in a reviewed snapshot, so each
// rule change shows up as a diff of what users would see.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkText } from '../src/lint/check.js';
import { dockerfileRules, registry } from '../src/rules/index.js';
import { LineIndex } from '../src/report/lines.js';

const DIR = join(import.meta.dirname, '..', '..', 'shared', 'corpus', 'real-world');
const present = existsSync(DIR);
if (!present) console.warn(`NOTE: ${DIR} is absent: corpus snapshot skipped`);

describe.skipIf(!present)('real-world corpus', () => {
  it('checks every file without a crash and matches the reviewed snapshot', async () => {
    const files = readdirSync(DIR).filter((f) => f !== 'MANIFEST.tsv').sort();
    expect(files.length).toBeGreaterThan(600);
    const lines: string[] = [];
    const crashes: string[] = [];
    const enabled = new Set(dockerfileRules.map((r) => r.code)); // opt-in rules too: their findings are reviewed as well
    for (const f of files) {
      const text = readFileSync(join(DIR, f), 'utf8');
      let findings;
      try {
        findings = checkText(text, { ruleSet: registry, path: f, mode: 'dockerfile', enabled }).findings;
      } catch (e) {
        crashes.push(`${f}: ${(e as Error).stack}`);
        continue;
      }
      const idx = new LineIndex(text);
      for (const x of findings) {
        if (x.message.includes('internal error')) crashes.push(`${f}: ${x.message}`);
        const { line, column } = idx.position(x.span.start);
        lines.push(`${f}:${line}:${column} ${x.code} ${x.message}`);
      }
    }
    expect(crashes).toEqual([]);
    await expect(lines.join('\n') + '\n').toMatchFileSnapshot('__snapshots__/corpus-findings.txt');
  });
});
