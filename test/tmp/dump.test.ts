import { it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProject } from '../../src/project/project.js';
import { detectSteps } from '../../src/project/steps.js';
it('dump', () => {
  const D = '/work/shared/corpus/apps';
  const rows = readFileSync(join(D, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
  for (const r of rows) {
    const sub = r[3]!.split(' ')[0]!;
    const dir = join(D, r[0]!, sub === '.' ? '' : sub);
    const p = loadProject(dir, dir);
    const s = detectSteps(p);
    console.log(`== ${r[0]} [${sub}]\n` + s.map((x) => `  ${x.kind}${x.destructive ? '!' : ''} ${x.when}${x.commented ? '(#)' : ''} ${x.name} @ ${x.at}  ${x.argv.join(' ')}`).join('\n'));
  }
});
import { detectAssets } from '../../src/project/assets.js';
it('assets', () => {
  const D = '/work/shared/corpus/apps';
  const rows = readFileSync(join(D, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
  for (const r of rows) {
    const sub = r[3]!.split(' ')[0]!;
    const dir = join(D, r[0]!, sub === '.' ? '' : sub);
    const a = detectAssets(loadProject(dir, dir));
    if (a.length) console.log(`== ${r[0]}\n` + JSON.stringify(a, null, 1));
  }
});
