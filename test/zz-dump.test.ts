import { it } from 'vitest';
import { join } from 'node:path';
import { loadProject } from '../src/project/project.js';
import { routeTable } from '../src/project/routes.js';
it('dump', () => {
  for (const a of (process.env.APP ?? '').split(',')) {
    const D = join('/work/shared/corpus/apps', a);
    const r = routeTable(loadProject(D, D));
    console.log(`== ${a} ${r.length}`);
    for (const x of r.slice(0, Number(process.env.N ?? 12))) console.log(`  ${x.path} ${x.framework} ${x.file}:${x.line}${x.get ? '' : ' (no GET)'}${x.auth ? ' AUTH' : ''}${x.resolved ? '' : ' UNRESOLVED ' + x.unresolved}`);
  }
});
