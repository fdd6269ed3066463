// e2e: `pyship smoke` of a worker image (no EXPOSE, nothing listening) judged by its HEALTHCHECK, with --env and
// --network. One image (test/smoke/images/worker) is built once and reused; a user network with a stand-in broker is
// created for the --network test. Everything is removed at the end. Runs with PYSHIP_E2E=1 only; fails then if no
// engine answers.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/engine.js';
import { PYSHIP_LABEL } from '../../src/engine/types.js';
import { smokeImage, type SmokeResult } from '../../src/smoke/smoke.js';
import { SmokeError } from '../../src/smoke/inspect.js';
import { runSmoke } from '../../src/commands/smoke.js';
import type { Io } from '../../src/commands/io.js';

const e2e = process.env.PYSHIP_E2E === '1';
const docker = process.env.PYSHIP_DOCKER || 'docker';
const engineUp = e2e && spawnSync(docker, ['info', '--format', '{{.ServerVersion}}'], { timeout: 15_000, stdio: 'ignore' }).status === 0;
if (!e2e) console.warn('note: smoke worker e2e tests skipped (set PYSHIP_E2E=1 with a container engine running)');

const RUN = `${process.pid}-${Date.now().toString(36)}`;
const IMAGE = `pyship-smoke-e2e:worker-${RUN}`;
const NETWORK = `pyship-smoke-net-${RUN}`;
const BROKER = `pyship-smoke-broker-${RUN}`;
const LABEL = `${PYSHIP_LABEL}=smoke-worker-e2e-${RUN}`;

const codes = (r: SmokeResult): string[] => r.findings.map((f) => f.code).sort();
const messages = (r: SmokeResult): string => r.findings.map((f) => `${f.code}: ${f.message}`).join('\n');
const sh = (args: string[], timeout = 60_000) => spawnSync(docker, args, { encoding: 'utf8', timeout });

describe.runIf(e2e)('pyship smoke: a worker image (real engine)', () => {
  const engine = createEngine();
  let built = false;
  let networkMade = false;

  beforeAll(() => {
    expect(engineUp, 'PYSHIP_E2E=1 but no container engine answers `docker info`').toBe(true);
    const r = engine.build({
      context: fileURLToPath(new URL('./images/worker', import.meta.url)), tags: [IMAGE], labels: { [PYSHIP_LABEL]: `smoke-worker-e2e-${RUN}` },
      buildArgs: {}, cacheFrom: [], cacheTo: [], inlineCache: false, secrets: [], ssh: [], pull: false, noCache: false, push: false,
    }, { timeoutMs: 240_000 });
    expect(r.code, `build worker: ${r.stderr.slice(-2000)}`).toBe(0);
    built = true;
  }, 300_000);

  afterAll(() => {
    engine.cleanup();
    sh(['rm', '--force', BROKER]);
    if (networkMade) sh(['network', 'rm', NETWORK]);
    const left = sh(['ps', '--all', '--quiet', '--filter', `label=${PYSHIP_LABEL}=${(engine as { runId: string }).runId}`]);
    const ids = (left.stdout ?? '').split('\n').filter(Boolean);
    if (ids.length) sh(['rm', '--force', ...ids]);
    if (built) sh(['rmi', '--force', IMAGE]);
    expect(ids, 'containers left behind by smoke').toEqual([]);
    if (networkMade) expect(sh(['network', 'ls', '--quiet', '--filter', `name=^${NETWORK}$`]).stdout.trim(), 'network left behind').toBe('');
  }, 120_000);

  it('a healthy worker: judged by its HEALTHCHECK (passes), every other check passes, HTTP checks skipped', () => {
    const r = smokeImage(engine, IMAGE);
    expect(codes(r), messages(r)).toEqual([]);
    expect(r.problems).toEqual([]);
    const f = r.figures;
    expect(f.http).toBe(false);
    expect(f.listening).toEqual([]);
    expect(f.healthyVia).toBe('healthcheck');
    expect(f.secondsToHealthy).toBeLessThan(5);
    expect(f.healthcheckExit).toBe(0);
    expect(f.healthStatus).toMatch(/^(starting|healthy)$/);
    expect(f.uid).toBe(10001);
    expect(f.pid1).toBe('tini');
    expect(f.orphans).toEqual({ created: 1, reaped: 1, zombies: 0 });
    expect(f.otherCommandOutput).toBe('1');
    expect(r.notes.join('\n')).toMatch(/no EXPOSE and nothing listening .*non-HTTP image; OPS008 judged by its HEALTHCHECK, HTTP checks \(OPS009, APP004, APP008\) skipped/);
  }, 45_000);

  it('--env reaches the main container: an unreachable BROKER fails its HEALTHCHECK → OPS008 (CLI, exit 1)', () => {
    let out = '';
    let err = '';
    const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), cwd: process.cwd(), color: false };
    const t = Date.now();
    const code = runSmoke(IMAGE, { env: ['BROKER=127.0.0.1:1'], startTimeout: '4s', format: 'json' }, io, () => engine);
    expect(code, err).toBe(1);
    const report = JSON.parse(out) as { findings: { code: string; message: string }[] };
    expect(report.findings.map((x) => x.code)).toEqual(['OPS008']);
    // the worker in the main container saw BROKER, wrote why it failed, and the HEALTHCHECK printed it
    expect(report.findings[0]!.message).toMatch(/^the HEALTHCHECK command exits 1: broker 127\.0\.0\.1:1 unreachable: .*refused/i);
    expect(err).toMatch(/OPS008 +healthy \(HEALTHCHECK\) +not healthy in the start window; command exit 1; engine: \w+ +FAIL/);
    expect(err).toMatch(/OPS009 +HTTP check +non-HTTP image +skipped/);
    expect(err).toMatch(/note: no EXPOSE and nothing listening within [\d.]+ s: a non-HTTP image; OPS008 judged by its HEALTHCHECK \(not healthy in that time\)/);
    expect(Date.now() - t).toBeLessThan(30_000);
  }, 60_000);

  it('--network: the worker reaches its broker by name on a user network and is healthy', () => {
    const net = sh(['network', 'create', '--label', LABEL, NETWORK]);
    expect(net.status, net.stderr).toBe(0);
    networkMade = true;
    const server = 'import socket\ns = socket.create_server(("0.0.0.0", 6379))\nwhile True:\n    s.accept()[0].close()';
    const broker = sh(['run', '--detach', '--name', BROKER, '--label', LABEL, '--network', NETWORK, IMAGE, 'python', '-c', server]);
    expect(broker.status, broker.stderr).toBe(0);
    const r = smokeImage(engine, IMAGE, { network: NETWORK, env: { BROKER: `${BROKER}:6379` } });
    expect(codes(r), messages(r)).toEqual([]);
    // the engine's DNS resolver listens on 127.0.0.11 in the container on a user network: not the app's socket
    expect(r.figures.listening).toEqual([]);
    expect(r.figures.http).toBe(false);
    expect(r.figures.healthyVia).toBe('healthcheck');
    expect(r.figures.healthcheckExit).toBe(0);
    expect(r.figures.otherCommandOutput).toBe('1');
  }, 60_000);

  it('an unknown --network fails to start: SmokeError naming the network', () => {
    let error: unknown;
    try {
      smokeImage(engine, IMAGE, { network: `pyship-no-such-net-${RUN}` });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SmokeError);
    expect((error as Error).message).toMatch(/pyship-no-such-net-.* not found/);
  }, 30_000);
});
