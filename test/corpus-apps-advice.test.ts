// `pyship check` on the 29 real apps of the corpus (project mode): the advice of the script, compose and config rules
// (OPS*, SEC009, APP*, DBG*) is a reviewed snapshot, so a change in what real projects are told shows up as a diff.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers.js';

const DIR = join(import.meta.dirname, '..', '..', 'shared', 'corpus', 'apps');
const present = existsSync(DIR);
if (!present) console.warn(`NOTE: ${DIR} is absent: corpus apps advice snapshot skipped`);

const ADVICE = /^(OPS\d|SEC009|APP\d|DBG\d)/;

describe.skipIf(!present)('corpus apps: advice of pyship check', () => {
  it('matches the reviewed snapshot', async () => {
    const apps = readdirSync(DIR).filter((n) => statSync(join(DIR, n)).isDirectory()).sort();
    expect(apps.length).toBe(29);
    const lines: string[] = [];
    for (const app of apps) {
      const root = join(DIR, app);
      const { code, out, err } = await runCli(['check', '.', '--format', 'json'], root);
      expect(code, `${app}: ${err}`).toBeLessThan(2);
      const findings = (JSON.parse(out) as { findings: { code: string; file: string; line: number; message: string }[] }).findings;
      for (const f of findings) {
        expect(f.message, `${app}`).not.toMatch(/internal error/);
        if (!ADVICE.test(f.code)) continue;
        const file = relative(root, join(root, f.file)).split('\\').join('/');
        lines.push(`${app}\t${f.code}\t${file}:${f.line}\t${f.message}`);
      }
    }
    lines.sort();
    await expect(lines.join('\n') + '\n').toMatchFileSnapshot('__snapshots__/corpus-apps-advice.txt');
  }, 300_000);
});
