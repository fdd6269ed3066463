// Python facts over the corpus of real projects: no crash, and a table of what was detected (snapshot).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/project/project.js';
import { detectPython, pythonProblems } from '../../src/project/python.js';

const CORPUS = '/work/shared/corpus/projects';

describe('corpus projects', () => {
  if (!existsSync(CORPUS)) {
    console.warn(`corpus-projects: ${CORPUS} is absent: skipped`);
    it.skip('corpus absent', () => {});
    return;
  }
  it('detects package manager, lock, Python version, frameworks and servers', async () => {
    const names = readdirSync(CORPUS).filter((n) => statSync(join(CORPUS, n)).isDirectory()).sort();
    const rows: string[] = ['project\tmanager\tlock\tpython\tframeworks\tservers\tproblems'];
    const facts = new Map<string, ReturnType<typeof detectPython>>();
    for (const name of names) {
      const dir = join(CORPUS, name);
      const project = loadProject(dir, dir);
      const f = detectPython(project);
      const problems = pythonProblems(project);
      facts.set(name, f);
      rows.push([
        name,
        f.managers.join('+') || '-',
        f.lockFiles.join(',') || '-',
        f.pythonVersion ? `${f.pythonVersion.value} (${f.pythonVersion.source})` : '-',
        f.frameworks.join(',') || '-',
        f.servers.join(',') || '-',
        String(problems.length),
      ].join('\t'));
    }
    await expect(rows.join('\n') + '\n').toMatchFileSnapshot('__snapshots__/corpus-projects.txt');
    // agreement with MANIFEST.tsv (tool / framework / server columns)
    const manifest = join(CORPUS, 'MANIFEST.tsv');
    if (!existsSync(manifest)) return;
    let agree = 0;
    let total = 0;
    const misses: string[] = [];
    for (const line of readFileSync(manifest, 'utf8').trim().split('\n').slice(1)) {
      const [name, , , tool, framework, server] = line.split('\t');
      const f = facts.get(name!);
      if (!f) continue;
      const toolWord = tool!.split(/[\s/(]/)[0]!;
      total++;
      if (f.managers[0] === toolWord) agree++;
      else misses.push(`${name}: tool ${tool} vs ${f.managers.join('+')}`);
      for (const fw of ['Django', 'Flask', 'FastAPI', 'Starlette', 'Celery', 'aiohttp', 'Pyramid', 'Tornado', 'Wagtail', 'Dash', 'RQ']) {
        if (!new RegExp(`\\b${fw}\\b`).test(framework!)) continue;
        total++;
        if (f.frameworks.includes(fw.toLowerCase())) agree++;
        else misses.push(`${name}: framework ${fw} missing`);
      }
      for (const sv of ['gunicorn', 'uvicorn', 'uWSGI', 'granian', 'waitress', 'hypercorn', 'cheroot']) {
        if (!new RegExp(`\\b${sv}\\b`).test(server!)) continue;
        total++;
        if (f.servers.includes(sv.toLowerCase())) agree++;
        else misses.push(`${name}: server ${sv} missing`);
      }
    }
    console.log(`corpus-projects: agreement with MANIFEST.tsv ${agree}/${total}\n${misses.join('\n')}`);
    expect(agree / total).toBeGreaterThan(0.9);
  });
});
