// The health check and port init would choose for every real app of the corpus, against MANIFEST.tsv's health_route
// and port columns (what an engineer found by reading the code). Each disagreement is reviewed below, with why.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/project/project.js';
import { constantView, routeTable } from '../../src/project/routes.js';
import { projectPort } from '../../src/project/port.js';
import { chooseHealth } from '../../src/init/health.js';
import { APPS_DIR as APPS, appsPresent as present, manifest, skipNote } from '../corpus-apps.js';

skipNote('the health/port corpus comparison');

/** Where pyship deliberately differs from MANIFEST, and why (reviewed). */
const REVIEWED: Record<string, string> = {
  'kinto health': 'the /v1 prefix is computed at run time (config.include("kinto.core", route_prefix=api_version), api_version from the package version): pyship cannot read it, so it checks any answer below 500 from / (which redirects to /v1/) and names the route in a note',
  'saphyel-recipes port': 'the project uses port 80 (ENV PORT 80); the image runs as a non-root user, which cannot bind it: 8000, with a note to publish it as 80',
};

describe.skipIf(!present)('health check and port over the corpus apps', () => {
  it('agree with MANIFEST.tsv except the reviewed differences', () => {
    const rows = manifest();
    const table: string[] = [];
    const disagree: string[] = [];
    for (const row of rows) {
      const name = row.name;
      const dir = join(APPS, name);
      if (!existsSync(dir)) continue;
      const p = loadProject(dir, dir);
      const port = projectPort(p);
      const health = chooseHealth(routeTable(p), port.port, { http: true, constant: (r) => constantView(p.file(r.file)?.text ?? '', r.line) });
      const cell = row.health_route!;
      const expectedPaths = /^none\b/.test(cell) ? [] : cell.match(/\/[\w./?=-]*/g) ?? [];
      // no health route: any answer below 500, or a route whose view returns a constant (a liveness check, no health route)
      const liveness = health.mode === 'any-answer' || /returns a constant/.test(health.evidence[0] ?? '');
      const healthOk = expectedPaths.length === 0 ? liveness : health.mode === 'route' && expectedPaths.includes(health.path);
      const expectedPort = Number(/\b(\d{2,5})\b/.exec(row.port!)?.[1] ?? 8000);
      const portOk = port.port === expectedPort;
      if (!healthOk) disagree.push(`${name} health`);
      if (!portOk) disagree.push(`${name} port`);
      table.push(`${name}: health ${health.mode === 'route' ? health.path : health.mode} (MANIFEST ${expectedPaths.join(' ') || 'none'})${healthOk ? '' : ' DIFFERS'}; port ${port.port} (MANIFEST ${expectedPort})${portOk ? '' : ' DIFFERS'}`);
      expect(health.evidence.length).toBeGreaterThan(0);
      expect(port.evidence.every((e) => /^default: |^[^\s:]+:\d+ /.test(e)), port.evidence.join('; ')).toBe(true);
      if (health.mode === 'route') expect(health.evidence[0]).toMatch(/^[^\s:]+:\d+ /);
      // pointed at the app's folder inside the repository, as `pyship init DIR` is: the same answer
      const sub = row.subdir!.split(' ')[0]!;
      if (sub !== '.' && existsSync(join(dir, sub))) {
        const q = loadProject(join(dir, sub));
        const subPort = projectPort(q);
        expect({ sub: `${name}/${sub}`, port: subPort.port, health: chooseHealth(routeTable(q), subPort.port, { http: true, constant: (r) => constantView(q.file(r.file)?.text ?? '', r.line) }).path })
          .toEqual({ sub: `${name}/${sub}`, port: port.port, health: health.path });
      }
    }
    console.log(table.join('\n'));
    expect(rows.length).toBeGreaterThanOrEqual(29);
    expect(disagree.sort()).toEqual(Object.keys(REVIEWED).sort());
  });
});
