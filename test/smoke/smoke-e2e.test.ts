// e2e: `pyship smoke` against a real engine. A good image passes every check; each bad image is caught by exactly its code.
// Images are built here from test/smoke/images/<name>/Dockerfile (shared first layers, so the layer cache builds the
// bad ones in seconds), labelled, and removed at the end. Runs with PYSHIP_E2E=1 only; fails then if no engine answers.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/engine.js';
import { PYSHIP_LABEL, type BuildRequest } from '../../src/engine/types.js';
import { smokeImage, type SmokeResult } from '../../src/smoke/smoke.js';
import { main } from '../../src/cli.js';

const e2e = process.env.PYSHIP_E2E === '1';
const docker = process.env.PYSHIP_DOCKER || 'docker';
const engineUp = e2e && spawnSync(docker, ['info', '--format', '{{.ServerVersion}}'], { timeout: 15_000, stdio: 'ignore' }).status === 0;
if (!e2e) console.warn('note: smoke e2e tests skipped (set PYSHIP_E2E=1 with a container engine running to build and smoke the test images)');

const IMAGES = ['good', 'root', 'shellform', 'zombies', 'loopback', 'port80', 'sync'] as const;
type Name = (typeof IMAGES)[number];
const RUN = `${process.pid}-${Date.now().toString(36)}`;
const tag = (name: Name): string => `pyship-smoke-e2e:${name}-${RUN}`;
const dir = (name: Name): string => fileURLToPath(new URL(`./images/${name}`, import.meta.url));

function buildRequest(name: Name): BuildRequest {
  return {
    context: dir(name), tags: [tag(name)], labels: { [PYSHIP_LABEL]: `smoke-e2e-${RUN}` }, buildArgs: {},
    cacheFrom: [], cacheTo: [], inlineCache: false, secrets: [], ssh: [], pull: false, noCache: false, push: false,
  };
}

const codes = (r: SmokeResult): string[] => r.findings.map((f) => f.code).sort();
const messages = (r: SmokeResult): string => r.findings.map((f) => `${f.code}: ${f.message}`).join('\n');

describe.runIf(e2e)('pyship smoke (real engine)', () => {
  const engine = createEngine();
  const built: string[] = [];

  beforeAll(() => {
    expect(engineUp, 'PYSHIP_E2E=1 but no container engine answers `docker info`').toBe(true);
    // good first: it builds the layers every other image shares
    for (const name of IMAGES) {
      const r = engine.build(buildRequest(name), { timeoutMs: 240_000 });
      expect(r.code, `build ${name}: ${r.stderr.slice(-2000)}`).toBe(0);
      built.push(tag(name));
    }
  }, 300_000);

  afterAll(() => {
    engine.cleanup();
    const left = spawnSync(docker, ['ps', '--all', '--quiet', '--filter', `label=${PYSHIP_LABEL}=${(engine as { runId: string }).runId}`], { encoding: 'utf8', timeout: 30_000 });
    const ids = (left.stdout ?? '').split('\n').filter(Boolean);
    if (ids.length) spawnSync(docker, ['rm', '--force', ...ids], { timeout: 60_000 });
    if (built.length) spawnSync(docker, ['rmi', '--force', ...built], { timeout: 60_000, stdio: 'ignore' });
    expect(ids, 'containers left behind by smoke').toEqual([]);
  }, 120_000);

  it('the good image passes every check, with figures', () => {
    const r = smokeImage(engine, tag('good'));
    expect(codes(r), messages(r)).toEqual([]);
    expect(r.problems).toEqual([]);
    expect(r.notes).toEqual([]);
    const f = r.figures;
    expect(f.uid).toBe(10001);
    expect(f.pid1).toBe('tini');
    expect(f.listening).toEqual(['0.0.0.0:8000']);
    expect(f.healthyVia).toBe('http');
    expect(f.secondsToHealthy).toBeLessThan(5);
    expect(f.healthcheckExit).toBe(0);
    expect(f.heldRequestStatus).toBe(200);
    expect(f.orphans).toEqual({ created: 1, reaped: 1, zombies: 0 });
    expect(f.secondsToStop).toBeLessThan(5);
    expect(f.otherCommandOutput).toBe('1');
    expect(f.portEnv?.listening).toBe(true);
    expect(f.logBytes).toBeGreaterThan(0);
  }, 45_000);

  it('root: SEC001 only', () => {
    const r = smokeImage(engine, tag('root'));
    expect(codes(r), messages(r)).toEqual(['SEC001']);
    expect(r.findings[0]!.message).toMatch(/uid 0/);
    expect(r.findings[0]!.severity).toBe('error');
  }, 45_000);

  it('shell-form CMD: OPS005 only (sh is PID 1, ignores SIGTERM, killed after 10 s)', () => {
    const r = smokeImage(engine, tag('shellform'));
    expect(codes(r), messages(r)).toEqual(['OPS005']);
    expect(r.figures.pid1).toBe('sh');
    expect(r.figures.secondsToStop).toBeGreaterThanOrEqual(9.5);
    expect(r.findings[0]!.message).toMatch(/docker stop took 1\d\.\d s \(> 5 s\)/);
  }, 60_000);

  it('python as PID 1: OPS006 only (the orphan stays a zombie)', () => {
    const r = smokeImage(engine, tag('zombies'));
    expect(codes(r), messages(r)).toEqual(['OPS006']);
    expect(r.figures.orphans?.reaped).toBe(0);
    expect(r.findings[0]!.message).toMatch(/zombie.*PID 1: python/);
  }, 45_000);

  it('binds 127.0.0.1: OPS001 only (healthy through its HEALTHCHECK; APP004 skipped with a note)', () => {
    const r = smokeImage(engine, tag('loopback'));
    expect(codes(r), messages(r)).toEqual(['OPS001']);
    expect(r.findings[0]!.message).toContain('127.0.0.1:8000');
    expect(r.figures.healthyVia).toBe('healthcheck');
    expect(r.notes.join('\n')).toMatch(/APP004 skipped/);
  }, 60_000);

  it('listens on port 80: SEC003 only', () => {
    const r = smokeImage(engine, tag('port80'));
    expect(codes(r), messages(r)).toEqual(['SEC003']);
    expect(r.findings[0]!.message).toContain('0.0.0.0:80 ');
  }, 45_000);

  it('one sync gunicorn worker: APP004 only', () => {
    const r = smokeImage(engine, tag('sync'));
    expect(codes(r), messages(r)).toEqual(['APP004']);
    expect(r.findings[0]!.message).toMatch(/half-sent request/);
  }, 45_000);

  it('CLI: --read-only good image with a worker --cmd is non-HTTP and exits 0; a bad image exits 1 in JSON', async () => {
    let out = '';
    let err = '';
    const io = { out: (t: string) => void (out += t), err: (t: string) => void (err += t), cwd: process.cwd(), color: false };
    const worker = JSON.stringify(['python', '-c', 'import time; print("working", flush=True); time.sleep(60)']);
    expect(await main(['smoke', tag('good'), '--read-only', '--cmd', worker], io), err).toBe(0);
    expect(out).toMatch(/OPS006 +orphans reaped +1\/1 \(0 zombies\) +ok/);
    expect(out).toMatch(/OPS008 +HTTP check +non-HTTP image +skipped/);
    expect(out).toContain('note: with --cmd, nothing listening');
    out = '';
    err = '';
    expect(await main(['smoke', tag('port80'), '--format', 'json'], io)).toBe(1);
    const report = JSON.parse(out) as { findings: { code: string; file: string }[] };
    expect(report.findings.map((f) => [f.code, f.file])).toEqual([['SEC003', tag('port80')]]);
    expect(err).toMatch(/SEC003 +listening addresses +0\.0\.0\.0:80 +FAIL/);
  }, 60_000);
});
