// e2e: the engine module against a real engine: version, labelled containers removed by cleanup() and on SIGINT, save() streams.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/engine.js';
import { PYSHIP_LABEL } from '../../src/engine/types.js';

const e2e = process.env.PYSHIP_E2E === '1';
const docker = process.env.PYSHIP_DOCKER || 'docker';
const engineUp = spawnSync(docker, ['info', '--format', '{{.ServerVersion}}'], { timeout: 15_000, stdio: 'ignore' }).status === 0;
if (!engineUp && !e2e) console.warn('note: no container engine answers `docker info`: the engine e2e tests are skipped (PYSHIP_E2E=1 makes them fail instead)');

const IMAGE = 'python:3.13-slim-trixie';

function containersWith(runId: string): string[] {
  return execFileSync(docker, ['ps', '--all', '--quiet', '--filter', `label=${PYSHIP_LABEL}=${runId}`], { encoding: 'utf8', timeout: 30_000 })
    .split('\n').filter(Boolean);
}

describe.runIf(engineUp || e2e)('engine (real engine)', () => {
  const runIds: string[] = [];
  afterAll(() => {
    for (const id of runIds) {
      const left = containersWith(id);
      if (left.length) spawnSync(docker, ['rm', '--force', ...left], { timeout: 60_000 });
    }
  });

  it('version, a labelled detached container, exec, stop, cleanup removes it', () => {
    expect(engineUp, 'PYSHIP_E2E=1 but no container engine answers `docker info`').toBe(true);
    const engine = createEngine();
    runIds.push(engine.runId);
    expect(engine.version().server).toMatch(/^\d+\./);
    const r = engine.run({ image: IMAGE, cmd: ['sleep', '60'], detach: true, capDrop: ['ALL'], securityOpt: ['no-new-privileges'], user: '65534' });
    expect(r.code, r.stderr).toBe(0);
    const id = r.stdout.trim();
    expect(containersWith(engine.runId)).toHaveLength(1);
    expect(engine.exec(id, ['id', '-u']).stdout.trim()).toBe('65534');
    const stop = engine.stop(id, 1);
    expect(stop.code, stop.stderr).toBe(0);
    const once = engine.run({ image: IMAGE, cmd: ['python', '-c', 'print(1)'], detach: false });
    expect(once.stdout.trim()).toBe('1');
    engine.cleanup();
    expect(containersWith(engine.runId)).toEqual([]);
    expect(engine.inspect('pyship-no-such-image:nope')).toBeUndefined();
  }, 60_000);

  it('save() streams a tar', async () => {
    const engine = createEngine();
    let bytes = 0;
    let first: Buffer | undefined;
    for await (const chunk of engine.save(IMAGE)) {
      first ??= chunk as Buffer;
      bytes += (chunk as Buffer).length;
    }
    expect(bytes).toBeGreaterThan(10_000_000);
    expect(first!.length).toBeGreaterThan(512);
  }, 60_000);

  it('Ctrl-C (SIGINT) removes the containers the process started', async () => {
    // compile the engine module alone so a plain node child can load it
    const out = mkdtempSync(join(tmpdir(), 'pyship-engine-js-'));
    const root = join(import.meta.dirname, '..', '..');
    execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '--outDir', out, '--module', 'nodenext', '--moduleResolution', 'nodenext',
      '--target', 'es2022', '--types', 'node', '--skipLibCheck', join(root, 'src', 'engine', 'engine.ts')], { cwd: root, timeout: 60_000 });
    const script = `
      const { createEngine } = await import(${JSON.stringify(join(out, 'engine.js'))});
      const e = createEngine();
      const r = e.run({ image: ${JSON.stringify(IMAGE)}, cmd: ['sleep', '120'], detach: true });
      process.stdout.write(e.runId + '\\n');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const runId = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('child did not start a container in 30 s')), 30_000);
      child.stdout.once('data', (d: Buffer) => {
        clearTimeout(t);
        resolve(d.toString().trim());
      });
    });
    runIds.push(runId);
    expect(containersWith(runId)).toHaveLength(1);
    child.kill('SIGINT');
    // SIGINT ends the process by its default action (a JS handler would wait for blocking engine calls); the guard
    // process (src/engine/guard.ts) then removes the run's containers
    const ended = await new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    expect(ended.signal === 'SIGINT' || ended.code === 130, JSON.stringify(ended)).toBe(true);
    const deadline = Date.now() + 10_000;
    while (containersWith(runId).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(containersWith(runId)).toEqual([]);
  }, 90_000);
});
