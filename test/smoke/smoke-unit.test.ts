// Pure parts of smoke: /proc readers, image metadata, option parsing, the summary, engine errors. No engine needed.
import { describe, expect, it } from 'vitest';
import { formatSocket, parseProcNetTcp, parseProcStat, parseStatusUid } from '../../src/smoke/procfs.js';
import { networkProblem, parseSeconds, smokeImage } from '../../src/smoke/smoke.js';
import { healthcheckArgv, imageConfig, SmokeError } from '../../src/smoke/inspect.js';
import { httpGet } from '../../src/smoke/http.js';
import { parseCmd, parseEnv, parseNetwork, runSmoke, summarize } from '../../src/commands/smoke.js';
import { runArgs } from '../../src/engine/engine.js';
import { EngineUnavailableError, type ContainerRequest, type Engine, type ProcessResult } from '../../src/engine/types.js';
import { UsageError, type Io } from '../../src/commands/io.js';

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:1F40 00000000:0000 0A 00000000:00000000 00:00000000 00000000 10001        0 254969 1 0000 100 0 0 10 0
   1: 0100007F:8D10 0100007F:1F40 06 00000000:00000000 03:0000176E 00000000     0        0 0 3 0000
   2: 0100007F:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0000 100 0 0 10 0
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1 1 0
   1: 00000000000000000000000001000000:1F91 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1 1 0
   2: 0000000000000000FFFF00000100007F:1F92 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1 1 0
   3: B80D0120000000000000000001000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1 1 0
`;

describe('procfs', () => {
  it('reads listening IPv4 sockets only (host byte order)', () => {
    const s = parseProcNetTcp(TCP, 4);
    expect(s.map(formatSocket)).toEqual(['0.0.0.0:8000', '127.0.0.1:80']);
    expect(s.map((x) => x.loopback)).toEqual([false, true]);
  });
  it('reads IPv6 sockets: any, loopback, v4-mapped loopback, global', () => {
    const s = parseProcNetTcp(TCP6, 6);
    expect(s.map(formatSocket)).toEqual(['[::]:8080', '[::1]:8081', '::ffff:127.0.0.1:8082', '[2001:db8::1]:22']);
    expect(s.map((x) => x.loopback)).toEqual([false, true, true, false]);
  });
  it('ignores garbage', () => {
    expect(parseProcNetTcp('', 4)).toEqual([]);
    expect(parseProcNetTcp('header\nnot a line\n', 6)).toEqual([]);
  });
  it('reads /proc/PID/stat with spaces and parentheses in comm', () => {
    expect(parseProcStat('55 (python3) Z 1 55 55 0 -1')).toEqual({ pid: 55, comm: 'python3', state: 'Z', ppid: 1 });
    expect(parseProcStat('7 (my (odd) app) S 1 7 7')).toMatchObject({ pid: 7, comm: 'my (odd) app', state: 'S', ppid: 1 });
    expect(parseProcStat('nonsense')).toBeUndefined();
  });
  it('reads the effective uid from /proc/PID/status', () => {
    expect(parseStatusUid('Name:\ttini\nUid:\t10001\t10001\t10001\t10001\nGid:\t0\n')).toBe(10001);
    expect(parseStatusUid('Uid:\t0\t0\t0\t0\n')).toBe(0);
    expect(parseStatusUid('')).toBeUndefined();
  });
});

describe('image metadata', () => {
  it('takes TCP EXPOSE ports, the HEALTHCHECK and the user', () => {
    const cfg = imageConfig([{ Config: {
      ExposedPorts: { '8000/tcp': {}, '53/udp': {}, '80': {} }, User: 'app',
      Healthcheck: { Test: ['CMD', 'python', '-c', 'pass'] }, Entrypoint: ['tini', '--'], Cmd: ['gunicorn'],
    } }]);
    expect(cfg).toEqual({ exposed: [80, 8000], healthcheck: ['CMD', 'python', '-c', 'pass'], user: 'app', entrypoint: ['tini', '--'], cmd: ['gunicorn'] });
  });
  it('treats HEALTHCHECK NONE as none', () => {
    expect(imageConfig({ Config: { Healthcheck: { Test: ['NONE'] } } }).healthcheck).toBeUndefined();
  });
  it('fails clearly without metadata', () => {
    expect(() => imageConfig(undefined)).toThrow(SmokeError);
  });
  it('runs CMD and CMD-SHELL healthchecks like the engine', () => {
    expect(healthcheckArgv(['CMD', 'curl', '-f', 'http://x/'])).toEqual(['curl', '-f', 'http://x/']);
    expect(healthcheckArgv(['CMD-SHELL', 'curl -f http://x/ || exit 1'])).toEqual(['/bin/sh', '-c', 'curl -f http://x/ || exit 1']);
    expect(healthcheckArgv(['NONE'])).toBeUndefined();
  });
});

describe('options', () => {
  it('parses durations', () => {
    expect(parseSeconds(5, 'x')).toBe(5);
    expect(parseSeconds('2.5s', 'x')).toBe(2.5);
    expect(parseSeconds('1m', 'x')).toBe(60);
    expect(parseSeconds('500ms', 'x')).toBe(0.5);
    expect(() => parseSeconds('soon', 'stop-timeout')).toThrow(/stop-timeout/);
  });
  it('parses --cmd as JSON or words', () => {
    expect(parseCmd('["python", "-c", "print(1)"]')).toEqual(['python', '-c', 'print(1)']);
    expect(parseCmd(' celery  -A app worker ')).toEqual(['celery', '-A', 'app', 'worker']);
    expect(() => parseCmd('[1]')).toThrow(UsageError);
    expect(() => parseCmd('  ')).toThrow(UsageError);
  });
});

describe('http probe', () => {
  it('reports a refused connection without throwing, quickly', () => {
    const t = Date.now();
    const r = httpGet(1, '/', 2000);
    expect(r.status).toBe(0);
    expect(r.error).toBeTruthy();
    expect(Date.now() - t).toBeLessThan(3000);
  });
});

function io(): Io & { outText: () => string; errText: () => string } {
  let out = '';
  let err = '';
  return { out: (t) => void (out += t), err: (t) => void (err += t), cwd: process.cwd(), color: false, outText: () => out, errText: () => err };
}

describe('runSmoke', () => {
  it('exits 2 with a message when no engine answers', () => {
    const fake = {
      version: () => { throw new EngineUnavailableError('no container engine answered'); },
      cleanup: () => {},
    } as unknown as Engine;
    const i = io();
    expect(runSmoke('app:main', {}, i, () => fake)).toBe(2);
    expect(i.errText()).toContain('no container engine answered');
  });
  it('exits 2 for a missing image', () => {
    const fake = { version: () => ({ client: '1', server: '1' }), inspect: () => undefined, cleanup: () => {} } as unknown as Engine;
    const i = io();
    expect(runSmoke('nope:1', {}, i, () => fake)).toBe(2);
    expect(i.errText()).toContain('no such image: nope:1');
  });
  it('rejects bad flags as usage errors', () => {
    expect(() => runSmoke('x', { healthPath: 'health' }, io(), () => ({} as Engine))).toThrow(UsageError);
    expect(() => runSmoke('x', { stopTimeout: 'later' }, io(), () => ({} as Engine))).toThrow(UsageError);
  });
});

describe('summary', () => {
  it('lists each check with its figure and verdict', () => {
    const text = summarize({
      findings: [{ code: 'OPS005', severity: 'warning', file: 'img', span: { start: 0, end: 0 }, message: 'docker stop took 10.2 s (> 5 s)', fix: null }],
      figures: {
        image: 'img', uid: 10001, pid1: 'sh', listening: ['0.0.0.0:8000'], published: { 8000: 32768 }, http: true,
        secondsToHealthy: 0.62, healthyVia: 'http', healthcheckExit: 0, logBytes: 420, heldRequestSeconds: 0.01, heldRequestStatus: 200,
        orphans: { created: 1, reaped: 1, zombies: 0 }, secondsToStop: 10.2, stopExitCode: 137, otherCommandOutput: '1',
        portEnv: { port: 23456, listening: true, sockets: ['0.0.0.0:23456'] },
      },
      notes: [], problems: [],
    }, { healthPath: '/', stopTimeout: 5 });
    expect(text).toMatch(/OPS005 +seconds to stop +10\.20 s \(limit 5 s, exit 137\) +FAIL/);
    expect(text).toMatch(/OPS009 +seconds to healthy +0\.62 s +ok/);
    expect(text).toMatch(/OPS006 +orphans reaped +1\/1 \(0 zombies\) +ok/);
    expect(text).toMatch(/SEC003 +listening addresses +0\.0\.0\.0:8000 +ok/);
    expect(text).toContain('8000/tcp → 127.0.0.1:32768');
  });
});

describe('--env and --network', () => {
  it('parses repeatable KEY=VALUE (empty values and "=" in values kept, a later KEY wins)', () => {
    expect(parseEnv(undefined)).toBeUndefined();
    expect(parseEnv([])).toBeUndefined();
    expect(parseEnv(['BROKER=redis://cache:6379/0', 'EMPTY=', 'Q=a=b', '_X1=1', 'BROKER=redis://r:6379/1'])).toEqual({
      BROKER: 'redis://r:6379/1', EMPTY: '', Q: 'a=b', _X1: '1',
    });
    expect(parseEnv('ONE=1')).toEqual({ ONE: '1' });
  });
  it('rejects what is not KEY=VALUE with a usage error that does not echo the value', () => {
    expect(() => parseEnv(['BROKER'])).toThrow(UsageError);
    expect(() => parseEnv(['BROKER'])).toThrow(/--env expects KEY=VALUE \(got "BROKER", with no "="\)/);
    expect(() => parseEnv(['=secret'])).toThrow(UsageError);
    expect(() => parseEnv(['1X=secret'])).toThrow(/got key "1X"/);
    expect(() => parseEnv(['A B=secret'])).toThrow(UsageError);
    expect(() => parseEnv(['BAD-KEY=hunter2'])).toThrow(/^--env expects KEY=VALUE with KEY made of letters, digits and _, not starting with a digit \(got key "BAD-KEY"\)$/);
  });
  it('takes a network name or id, not host / container:… / nonsense', () => {
    expect(parseNetwork(undefined)).toBeUndefined();
    expect(parseNetwork('celery_default')).toBe('celery_default');
    expect(parseNetwork('bridge')).toBe('bridge');
    expect(parseNetwork('3f2a9c1b7d4e')).toBe('3f2a9c1b7d4e');
    expect(() => parseNetwork('host')).toThrow(/shares another network namespace/);
    expect(() => parseNetwork('container:db')).toThrow(UsageError);
    expect(() => parseNetwork('')).toThrow(UsageError);
    expect(() => parseNetwork('two words')).toThrow(/not a network name/);
    expect(networkProblem('my.net-1')).toBeUndefined();
  });
  it('runSmoke turns bad --env / --network into usage errors (exit 2) before touching the engine', () => {
    const never = () => { throw new Error('engine created'); };
    expect(() => runSmoke('x', { env: ['NOPE'] }, io(), never)).toThrow(UsageError);
    expect(() => runSmoke('x', { env: ['OK=1', '9=x'] }, io(), never)).toThrow(UsageError);
    expect(() => runSmoke('x', { network: 'host' }, io(), never)).toThrow(UsageError);
  });
  it('runArgs passes --network (only when given)', () => {
    const args = runArgs({ image: 'app:main', env: { A: '1' }, network: 'celery_default', detach: true }, 'r', 'n');
    expect(args.slice(5)).toEqual(['--detach', '--env', 'A=1', '--network', 'celery_default', 'app:main']);
    expect(runArgs({ image: 'app:main', detach: false }, 'r', 'n')).not.toContain('--network');
  });
});

/** An engine that records every container request; containers are 12-hex ids, everything run in them fails. */
function recordingEngine(image: { Config: Record<string, unknown> }, container: { running: boolean; health?: string }) {
  const runs: ContainerRequest[] = [];
  const execs: string[][] = [];
  let seq = 0;
  const ok = (stdout = ''): ProcessResult => ({ code: 0, stdout, stderr: '', timedOut: false });
  const engine = {
    kind: 'docker', binary: 'docker',
    version: () => ({ client: '1', server: '1' }),
    inspect: (ref: string) => (/^[0-9a-f]{12}$/.test(ref)
      ? { State: { Running: container.running, ExitCode: container.running ? 0 : 3, ...(container.health ? { Health: { Status: container.health } } : {}) } }
      : image),
    run: (req: ContainerRequest) => {
      runs.push(req);
      return req.detach ? ok(`${String(++seq).padStart(12, '0')}\n`) : ok('1\n');
    },
    exec: (_id: string, cmd: string[]) => {
      execs.push(cmd);
      return { code: 1, stdout: '', stderr: 'heartbeat is stale', timedOut: false };
    },
    logs: () => ok('worker starting\n'),
    stop: () => ok(),
    raw: () => ok(),
    cleanup: () => {},
  } as unknown as Engine;
  return { engine, runs, execs };
}

describe('smokeImage threads --env and --network into every container (recording engine)', () => {
  const worker = { Config: { Healthcheck: { Test: ['CMD', 'python', '/app/healthcheck.py'] }, Cmd: ['python', 'worker.py'] } };

  it('main, PORT probe (its PORT wins) and the one-off run; a failing worker HEALTHCHECK is OPS008', () => {
    const { engine, runs, execs } = recordingEngine(worker, { running: true, health: 'unhealthy' });
    const r = smokeImage(engine, 'worker:test', { env: { BROKER: 'redis://broker:6379/0', PORT: '1' }, network: 'celery_default', startTimeoutMs: 300 });
    expect(runs.map((q) => [q.detach, q.cmd?.join(' ') ?? null])).toEqual([[true, null], [true, null], [false, "python -c print(1)"]]);
    for (const q of runs) {
      expect(q.network).toBe('celery_default');
      expect(q.env?.BROKER).toBe('redis://broker:6379/0');
    }
    expect(runs[0]!.env).toEqual({ BROKER: 'redis://broker:6379/0', PORT: '1' });
    expect(runs[1]!.env?.PORT).not.toBe('1');
    expect(Number(runs[1]!.env?.PORT)).toBeGreaterThanOrEqual(20000);
    expect(runs[2]!.env).toEqual({ BROKER: 'redis://broker:6379/0', PORT: '1' });
    // the worker's HEALTHCHECK was polled in the start window, then judged once
    expect(execs.filter((c) => c.join(' ') === 'python /app/healthcheck.py').length).toBeGreaterThanOrEqual(2);
    expect(r.findings.map((f) => [f.code, f.message])).toEqual([['OPS008', 'the HEALTHCHECK command exits 1: heartbeat is stale']]);
    expect(r.figures).toMatchObject({ http: false, healthcheckExit: 1, healthStatus: 'unhealthy' });
    expect(r.figures.healthyVia).toBeUndefined();
    expect(r.notes.join('\n')).toMatch(/non-HTTP image; OPS008 judged by its HEALTHCHECK \(not healthy in that time\), HTTP checks \(OPS009, APP004, APP008\) skipped/);
  });

  it('with --cmd the image HEALTHCHECK is not judged (it may belong to the image CMD)', () => {
    const { engine } = recordingEngine(worker, { running: true });
    const r = smokeImage(engine, 'worker:test', { cmd: ['python', 'other.py'], listenWindowMs: 200 });
    expect(r.findings.map((f) => f.code)).toEqual([]);
    expect(r.figures.healthcheckExit).toBeUndefined();
    expect(r.notes.join('\n')).toMatch(/with --cmd, nothing listening .*HTTP checks \(OPS008, OPS009, APP004, APP008\) skipped; the image's HEALTHCHECK is not judged with --cmd/);
  });

  it('the loose rerun after an early exit gets them too', () => {
    const { engine, runs } = recordingEngine(worker, { running: false });
    const r = smokeImage(engine, 'worker:test', { env: { BROKER: 'b' }, network: 'n1' });
    expect(r.figures.exited?.code).toBe(3);
    const loose = runs.find((q) => q.capDrop === undefined)!;
    expect(loose).toMatchObject({ env: { BROKER: 'b' }, network: 'n1', detach: true });
    expect(runs.every((q) => q.network === 'n1' && q.env?.BROKER === 'b')).toBe(true);
  }, 20_000);

  it('refuses --network host as a SmokeError', () => {
    const { engine, runs } = recordingEngine(worker, { running: true });
    expect(() => smokeImage(engine, 'worker:test', { network: 'host' })).toThrow(SmokeError);
    expect(runs).toEqual([]);
  });
});

describe('summary of a worker judged by its HEALTHCHECK', () => {
  const base = { image: 'w', uid: 10001, pid1: 'tini', listening: [], published: {}, http: false, logBytes: 20, orphans: { created: 1, reaped: 1, zombies: 0 }, secondsToStop: 0.3, otherCommandOutput: '1' };
  it('OPS008 is measured (ok or FAIL), the HTTP-only checks are skipped', () => {
    const healthy = summarize({ findings: [], figures: { ...base, healthyVia: 'healthcheck', secondsToHealthy: 0.81, healthcheckExit: 0, healthStatus: 'starting' }, notes: [], problems: [] }, { healthPath: '/', stopTimeout: 5 });
    expect(healthy).toMatch(/OPS008 +healthy \(HEALTHCHECK\) +HEALTHCHECK passed after 0\.81 s; command exit 0; engine: starting +ok/);
    expect(healthy).toMatch(/OPS009 +HTTP check +non-HTTP image +skipped/);
    expect(healthy).toMatch(/APP008 +HTTP check +non-HTTP image +skipped/);
    const failing = summarize({
      findings: [{ code: 'OPS008', severity: 'warning', file: 'w', span: { start: 0, end: 0 }, message: 'the HEALTHCHECK command exits 1: no heartbeat yet', fix: null }],
      figures: { ...base, healthcheckExit: 1, healthStatus: 'unhealthy' }, notes: [], problems: [],
    }, { healthPath: '/', stopTimeout: 5 });
    expect(failing).toMatch(/OPS008 +healthy \(HEALTHCHECK\) +not healthy in the start window; command exit 1; engine: unhealthy +FAIL/);
  });
  it('without a judged HEALTHCHECK, OPS008 stays a skipped HTTP check', () => {
    const text = summarize({ findings: [], figures: base, notes: [], problems: [] }, { healthPath: '/', stopTimeout: 5 });
    expect(text).toMatch(/OPS008 +HTTP check +non-HTTP image +skipped/);
    expect(text).not.toContain('HEALTHCHECK');
  });
});
