// Pure parts of smoke: /proc readers, image metadata, option parsing, the summary, engine errors. No engine needed.
import { describe, expect, it } from 'vitest';
import { formatSocket, parseProcNetTcp, parseProcStat, parseStatusUid } from '../../src/smoke/procfs.js';
import { healthcheckArgv, imageConfig, parseSeconds, SmokeError } from '../../src/smoke/smoke.js';
import { httpGet } from '../../src/smoke/http.js';
import { parseCmd, runSmoke, summarize } from '../../src/commands/smoke.js';
import { EngineUnavailableError, type Engine } from '../../src/engine/types.js';
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
