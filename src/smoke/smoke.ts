// `pyship smoke`: run an image the way production does and measure the R-scope practices, one figure per check.
// Drives the engine contract only (src/engine/types.ts); every container started here is removed before returning.
import { performance } from 'node:perf_hooks';
import type { Engine, ProcessResult } from '../engine/types.js';
import type { Finding } from '../lint/rule.js';
import { rulesByCode } from '../rules/index.js';
import { getWhileHeld, httpGet, type GetResult } from './http.js';
import {
  formatSocket, parseProcNetTcp, parseProcStat, parseStatusUid, uniqueSockets, type ListeningSocket,
} from './procfs.js';

export interface SmokeOptions {
  /**
   * Path the HTTP checks request, and that must answer 2xx. Without one, "/" is requested and any answer below 500
   * counts: a 404 or 401 still says the server is up (the check pyship init writes for an app with no health route).
   */
  healthPath?: string;
  /** Seconds `docker stop` may take before OPS005 fails (default 5). */
  stopTimeout?: number;
  /** Run with --read-only and a tmpfs /tmp. */
  readOnly?: boolean;
  /** Command to smoke instead of the image's CMD. */
  cmd?: string[];
  /** Extra environment for every container smoke starts (the APP008 probe's PORT still wins). */
  env?: Record<string, string>;
  /** Network every container smoke starts joins (`--network`), e.g. the one a worker's broker runs on. Not `host`. */
  network?: string;
  /** How long the app may take to answer its health path (default 30 s). */
  startTimeoutMs?: number;
  /** How long an image with no EXPOSE and no HEALTHCHECK gets to start listening before it counts as non-HTTP (default 5 s). */
  listenWindowMs?: number;
  /** OPS009: seconds to the first healthy answer above which an info finding is reported (default 5). */
  startupBudget?: number;
  /** Progress lines (one per phase), for a CLI that wants to show them. */
  onProgress?: (line: string) => void;
}

export interface SmokeFigures {
  image: string;
  /** Effective uid of PID 1. */
  uid?: number;
  /** PID 1's command name (from /proc/1/stat). */
  pid1?: string;
  /** Listening addresses in the container, e.g. "0.0.0.0:8000". */
  listening: string[];
  /** Container port → host port on 127.0.0.1. */
  published: Record<number, number>;
  /** Whether the image was treated as an HTTP server. */
  http: boolean;
  secondsToHealthy?: number;
  healthyVia?: 'http' | 'healthcheck';
  /** The HEALTHCHECK's State.Health.Status at the end of the start window, when the image has one. */
  healthStatus?: string;
  /** Exit code of the HEALTHCHECK command run once in the container. */
  healthcheckExit?: number;
  /** Bytes printed to stdout/stderr in the start window. */
  logBytes?: number;
  /** Seconds a GET of the health path took while another connection held a half-sent request. */
  heldRequestSeconds?: number;
  heldRequestStatus?: number;
  /** Orphans created / still zombies after 2 s / zombies in the container in total. */
  orphans?: { created: number; reaped: number; zombies: number };
  secondsToStop?: number;
  stopExitCode?: number;
  /** The container exited during the start window (nothing else was measured). */
  exited?: { code: number; seconds: number };
  /** Output of `IMAGE python -c 'print(1)'` (trimmed). */
  otherCommandOutput?: string;
  /** The PORT given for APP008 and whether the app listened there. */
  portEnv?: { port: number; listening: boolean; sockets: string[] };
}

export interface SmokeResult {
  findings: Finding[];
  figures: SmokeFigures;
  /** Checks skipped and why; facts worth a line. */
  notes: string[];
  /** Smoke itself could not do its job (container would not start at all…): the command fails. */
  problems: string[];
}

export class SmokeError extends Error {}

/**
 * Why smoke cannot run containers on this network, or undefined when it can. `host` and `container:…` would share a
 * namespace smoke does not own: the sockets it reads would not be the app's, and ports would not stay on loopback.
 */
export function networkProblem(network: string): string | undefined {
  if (network === 'host' || /^(container|ns):/.test(network)) {
    return `--network ${network} shares another network namespace: smoke needs the container's own (its sockets, loopback-only ports); use a user network (docker network create NAME)`;
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(network)) return `--network: not a network name: ${JSON.stringify(network)}`;
  return undefined;
}

const DEFAULTS = { healthPath: '/', stopTimeout: 5, startTimeoutMs: 30_000, listenWindowMs: 5_000, startupBudget: 5 };
const HARDENING = { capDrop: ['ALL'], securityOpt: ['no-new-privileges'] };
const POLL_MS = 250;
const EXEC_TIMEOUT_MS = 10_000;

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

const secs = (ms: number): string => (ms / 1000).toFixed(1);
const now = (): number => performance.now();

interface ImageConfig {
  exposed: number[];
  healthcheck?: string[];
  user: string;
  entrypoint: string[];
  cmd: string[];
}

function first(value: unknown): Record<string, unknown> | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
}

function obj(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function imageConfig(inspected: unknown): ImageConfig {
  const root = first(inspected);
  if (!root) throw new SmokeError('the engine returned no image metadata');
  const config = obj(root.Config ?? root.config);
  const exposed = Object.keys(obj(config.ExposedPorts))
    .map((k) => /^(\d+)(?:\/(tcp|udp|sctp))?$/.exec(k))
    .filter((m): m is RegExpExecArray => m !== null && (m[2] ?? 'tcp') === 'tcp')
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  const test = strings(obj(config.Healthcheck).Test);
  const healthcheck = test.length > 0 && test[0] !== 'NONE' ? test : undefined;
  return { exposed, healthcheck, user: typeof config.User === 'string' ? config.User : '', entrypoint: strings(config.Entrypoint), cmd: strings(config.Cmd) };
}

/** The argv that runs a HEALTHCHECK test in the container (`CMD-SHELL` goes through /bin/sh like the engine does). */
export function healthcheckArgv(test: readonly string[]): string[] | undefined {
  if (test[0] === 'CMD' && test.length > 1) return test.slice(1);
  if (test[0] === 'CMD-SHELL' && test.length > 1) return ['/bin/sh', '-c', test[1]!];
  return undefined;
}

function finding(image: string, code: string, message: string): Finding {
  const rule = rulesByCode.get(code);
  if (!rule) throw new Error(`smoke: unknown rule code ${code}`);
  return { code, severity: rule.severity, file: image, span: { start: 0, end: 0 }, message, fix: null };
}

/** The last non-empty line of some output, shortened, for messages. */
function lastLine(text: string): string {
  const line = text.trim().split('\n').filter((l) => l.trim() !== '').pop() ?? '';
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

const NO_BINARY = /executable file not found|no such file or directory|not found in \$PATH|OCI runtime exec failed/i;

/** Docker's embedded DNS resolver on user networks: it listens inside every container's namespace, for the engine. */
const EMBEDDED_DNS = '127.0.0.11';

class Container {
  readonly started = now();
  /** On a user network (--network): ignore the engine's DNS resolver among the listening sockets. */
  constructor(readonly engine: Engine, readonly id: string, readonly userNetwork = false) {}

  exec(cmd: string[], timeoutMs = EXEC_TIMEOUT_MS): ProcessResult {
    return this.engine.exec(this.id, cmd, { timeoutMs });
  }

  state(): Record<string, unknown> {
    try {
      return obj(first(this.engine.inspect(this.id))?.State);
    } catch {
      return {};
    }
  }

  running(): boolean {
    return this.state().Running === true;
  }

  /** A file's text read with `cat`, or with python when the image has no `cat`; undefined when unreadable. */
  read(path: string): string | undefined {
    const r = this.exec(['cat', path]);
    if (r.code === 0) return r.stdout;
    if (!NO_BINARY.test(r.stderr) && r.code !== 126 && r.code !== 127) return undefined;
    for (const py of ['python3', 'python']) {
      const p = this.exec([py, '-c', 'import sys; sys.stdout.write(open(sys.argv[1]).read())', path]);
      if (p.code === 0) return p.stdout;
    }
    return undefined;
  }

  listening(): ListeningSocket[] {
    const v4 = this.read('/proc/net/tcp');
    const v6 = this.read('/proc/net/tcp6');
    const all = uniqueSockets([...(v4 ? parseProcNetTcp(v4, 4) : []), ...(v6 ? parseProcNetTcp(v6, 6) : [])]);
    return this.userNetwork ? all.filter((s) => s.address !== EMBEDDED_DNS) : all;
  }

  /** Every process's /proc/PID/stat line. */
  stats(): string[] | undefined {
    const py = 'import glob\nfor p in glob.glob("/proc/[0-9]*/stat"):\n    try:\n        print(open(p).read().strip())\n    except OSError:\n        pass';
    for (const argv of [['python3', '-c', py], ['python', '-c', py], ['sh', '-c', 'cat /proc/[0-9]*/stat 2>/dev/null; true']]) {
      const r = this.exec(argv);
      if (r.code === 0) return r.stdout.split('\n').filter((l) => l.trim() !== '');
    }
    return undefined;
  }

  logs(): string {
    const r = this.engine.logs(this.id);
    return r.stdout + r.stderr;
  }

  remove(): void {
    try {
      this.engine.raw(['rm', '-f', this.id], { timeoutMs: 20_000 });
    } catch {
      // cleanup() removes it at exit
    }
  }
}

function published(engine: Engine, id: string): Record<number, number> {
  const out: Record<number, number> = {};
  let ports: Record<string, unknown> = {};
  try {
    ports = obj(obj(first(engine.inspect(id))?.NetworkSettings).Ports);
  } catch {
    return out;
  }
  for (const [key, bindings] of Object.entries(ports)) {
    const m = /^(\d+)\/tcp$/.exec(key);
    if (!m || !Array.isArray(bindings)) continue;
    for (const b of bindings) {
      const host = Number(obj(b).HostPort);
      if (host > 0 && (obj(b).HostIp === '127.0.0.1' || obj(b).HostIp === undefined || obj(b).HostIp === '')) {
        out[Number(m[1])] = host;
        break;
      }
    }
  }
  return out;
}

/** The container could not be created or its command not started: the image's fault (a bad CMD), not the engine's. */
class StartError extends SmokeError {}

/** What `docker run` said, without its "Run 'docker run --help'" trailer, in the image's terms where they are known. */
export function runFailure(stderr: string, code: number): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/^(Run|See) '\S+ run --help'/.test(l));
  const said = (lines.find((l) => /error/i.test(l)) ?? lines.pop() ?? `exit ${code}`).replace(/^docker: /, '');
  const missing = /exec: "([^"]+)": (executable file not found in \$PATH|no such file or directory|permission denied)/i.exec(said);
  if (missing) return `its command \`${missing[1]}\` cannot run: ${missing[2]}`;
  if (/no command specified/i.test(said)) return 'the image has no CMD or ENTRYPOINT: nothing to run (add a CMD, or pass --cmd)';
  return lastLine(said);
}

function start(engine: Engine, image: string, opts: { cmd?: string[]; env?: Record<string, string>; network?: string; ports?: number[]; readOnly?: boolean; hardened?: boolean }): Container {
  const ports: Record<number, number> = {};
  for (const p of opts.ports ?? []) ports[p] = 0;
  const r = engine.run({
    image,
    cmd: opts.cmd,
    env: opts.env,
    network: opts.network,
    ports,
    ...(opts.hardened === false ? {} : HARDENING),
    readOnly: opts.readOnly,
    tmpfs: opts.readOnly ? ['/tmp'] : undefined,
    detach: true,
  }, { timeoutMs: 60_000 });
  const id = r.stdout.trim().split('\n').pop()?.trim() ?? '';
  if (r.code !== 0 || !/^[0-9a-f]{12,64}$/.test(id)) {
    const message = `could not start a container from ${image}: ${runFailure(r.stderr, r.code)}`;
    throw /OCI runtime|executable file not found|no command specified|exec format error/i.test(r.stderr) ? new StartError(message) : new SmokeError(message);
  }
  return new Container(engine, id, opts.network !== undefined);
}

interface StartOutcome {
  readyMs?: number;
  via?: 'http' | 'healthcheck';
  lastHttp?: GetResult;
  exited?: { code: number; ms: number };
  sockets: ListeningSocket[];
  windowMs: number;
}

/**
 * Poll (bounded) until the app answers: HTTP 2xx on a published port, or the HEALTHCHECK says healthy. An image with a
 * HEALTHCHECK, no EXPOSE and nothing listening (a worker) also gets its HEALTHCHECK command run about once a second,
 * so a healthy worker is not kept waiting for the engine's first --interval.
 */
function awaitStart(c: Container, cfg: ImageConfig, host: Record<number, number>, o: Required<Pick<SmokeOptions, 'healthPath' | 'startTimeoutMs' | 'listenWindowMs'>> & { cmd?: string[]; liveness: boolean }): StartOutcome {
  // With --cmd the image's EXPOSE/HEALTHCHECK may belong to another process (a worker smoked from a web image):
  // it gets the short listen window, extended to the start timeout once it listens.
  const httpLike = o.cmd === undefined && (cfg.exposed.length > 0 || cfg.healthcheck !== undefined);
  let deadline = c.started + (httpLike ? o.startTimeoutMs : o.listenWindowMs);
  const hostPorts = cfg.exposed.map((p) => host[p]).filter((p): p is number => p !== undefined);
  let sockets: ListeningSocket[] = [];
  let lastHttp: GetResult | undefined;
  let unreachableSince: number | undefined;
  const workerCheck = o.cmd === undefined && cfg.exposed.length === 0 && cfg.healthcheck ? healthcheckArgv(cfg.healthcheck) : undefined;
  let nextWorkerCheck = c.started;
  for (let i = 0; i < 10_000 && now() < deadline; i++) {
    const state = c.state();
    if (state.Running !== true) {
      return { exited: { code: Number(state.ExitCode ?? -1), ms: now() - c.started }, sockets, lastHttp, windowMs: now() - c.started };
    }
    for (const p of hostPorts) {
      const r = httpGet(p, o.healthPath, 2000);
      if (r.status >= 200 && r.status < (o.liveness ? 500 : 300)) return { readyMs: now() - c.started, via: 'http', lastHttp: r, sockets: c.listening(), windowMs: now() - c.started };
      lastHttp = r;
    }
    if (obj(state.Health).Status === 'healthy') return { readyMs: now() - c.started, via: 'healthcheck', lastHttp, sockets: c.listening(), windowMs: now() - c.started };
    sockets = c.listening();
    if (sockets.length > 0) deadline = Math.max(deadline, c.started + o.startTimeoutMs);
    if (sockets.length > 0) {
      const reachable = sockets.some((s) => !s.loopback && cfg.exposed.includes(s.port));
      if (!reachable) {
        // Listening where the host cannot reach (loopback, or a port not EXPOSEd): ask the HEALTHCHECK itself.
        const argv = cfg.healthcheck ? healthcheckArgv(cfg.healthcheck) : undefined;
        if (argv && c.exec(argv).code === 0) return { readyMs: now() - c.started, via: 'healthcheck', lastHttp, sockets, windowMs: now() - c.started };
        unreachableSince ??= now();
        if (!argv && now() - unreachableSince > 1000) break;
      }
    } else if (workerCheck && now() >= nextWorkerCheck) {
      if (c.exec(workerCheck, Math.min(EXEC_TIMEOUT_MS, Math.max(1000, deadline - now()))).code === 0) {
        return { readyMs: now() - c.started, via: 'healthcheck', lastHttp, sockets, windowMs: now() - c.started };
      }
      nextWorkerCheck = now() + 1000;
    }
    sleep(POLL_MS);
  }
  const state = c.state();
  if (state.Running !== true) return { exited: { code: Number(state.ExitCode ?? -1), ms: now() - c.started }, sockets, lastHttp, windowMs: now() - c.started };
  return { sockets: sockets.length > 0 ? sockets : c.listening(), lastHttp, windowMs: now() - c.started };
}

const ORPHAN_PY = [
  'import os, time',
  'pid = os.fork()',
  'if pid == 0:',
  '    gc = os.fork()',
  '    if gc == 0:',
  '        time.sleep(0.2)',
  '        os._exit(0)',
  '    print(gc, flush=True)',
  '    os._exit(0)',
  'os.waitpid(pid, 0)',
].join('\n');

/** Create an orphan that exits 0.2 s later; returns its pid in the container's namespace. */
function makeOrphan(c: Container): number | undefined {
  for (const argv of [['python3', '-c', ORPHAN_PY], ['python', '-c', ORPHAN_PY], ['sh', '-c', 'sleep 0.2 & echo $!']]) {
    const r = c.exec(argv);
    const pid = Number(r.stdout.trim());
    if (r.code === 0 && Number.isInteger(pid) && pid > 0) return pid;
  }
  return undefined;
}

/** Smoke one image: see SmokeOptions; throws SmokeError when the image cannot be inspected or started at all. */
export function smokeImage(engine: Engine, image: string, options: SmokeOptions = {}): SmokeResult {
  const o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as Required<SmokeOptions>;
  const liveness = options.healthPath === undefined;
  const progress = (line: string): void => o.onProgress?.(line);
  const findings: Finding[] = [];
  const notes: string[] = [];
  const problems: string[] = [];
  const figures: SmokeFigures = { image, listening: [], published: {}, http: false };
  const report = (code: string, message: string): void => void findings.push(finding(image, code, message));

  let inspected: unknown;
  try {
    inspected = engine.inspect(image);
  } catch (e) {
    throw new SmokeError(`cannot inspect image ${image}: ${(e as Error).message}`);
  }
  if (inspected === undefined) throw new SmokeError(`no such image: ${image} (build or pull it first)`);
  const cfg = imageConfig(inspected);
  // Every container below gets the caller's environment and network.
  const env = options.env && Object.keys(options.env).length > 0 ? options.env : undefined;
  const network = options.network;
  if (network !== undefined) {
    const problem = networkProblem(network);
    if (problem) throw new SmokeError(problem);
  }
  const containers: Container[] = [];
  try {
    const extras = [
      ...(o.readOnly ? ['--read-only'] : []),
      ...(network !== undefined ? [`--network ${network}`] : []),
      ...(env ? [`${Object.keys(env).length} --env`] : []),
    ];
    progress(`starting ${image} (--cap-drop=ALL, no-new-privileges${extras.map((x) => `, ${x}`).join('')})`);
    let main: Container;
    try {
      main = start(engine, image, { cmd: o.cmd, env, network, ports: cfg.exposed, readOnly: o.readOnly });
    } catch (e) {
      if (!(e instanceof StartError)) throw e;
      problems.push(e.message);
      return { findings, figures, notes, problems };
    }
    containers.push(main);
    // APP008's container starts now so it boots while the main one is checked; the port is inside its own namespace.
    const portEnv = 20000 + Math.floor(Math.random() * 20000);
    let portProbe: Container | undefined;
    if (cfg.exposed.length > 0 || cfg.healthcheck) {
      portProbe = start(engine, image, { cmd: o.cmd, env: { ...env, PORT: String(portEnv) }, network, readOnly: o.readOnly });
      containers.push(portProbe);
    }
    figures.published = published(engine, main.id);

    const s = awaitStart(main, cfg, figures.published, { ...o, cmd: options.cmd, liveness });
    figures.listening = s.sockets.map(formatSocket);
    const logs = main.logs();
    figures.logBytes = Buffer.byteLength(logs);

    if (s.exited) {
      // SEC004: does it die only without capabilities? Run it once more as the image says, unhardened.
      figures.exited = { code: s.exited.code, seconds: Number((s.exited.ms / 1000).toFixed(2)) };
      const detail = `exited with code ${s.exited.code} after ${secs(s.exited.ms)} s${lastLine(logs) ? ` (${lastLine(logs)})` : ''}`;
      progress('container exited; running it again with capabilities to compare');
      const loose = start(engine, image, { cmd: o.cmd, env, network, ports: [], readOnly: o.readOnly, hardened: false });
      containers.push(loose);
      sleep(Math.min(Math.max(s.exited.ms + 2000, 3000), 15_000));
      if (loose.running()) {
        report('SEC004', `under --cap-drop=ALL and no-new-privileges it ${detail}, but keeps running with the default capabilities`);
      } else {
        problems.push(`the container ${detail}, also with the default capabilities: nothing to smoke`);
      }
      return { findings, figures, notes, problems };
    }

    // DBG001
    if (figures.logBytes === 0) report('DBG001', `printed nothing to stdout/stderr in the first ${secs(s.windowMs)} s`);

    // SEC001 and PID 1
    const status = main.read('/proc/1/status');
    figures.uid = status ? parseStatusUid(status) : undefined;
    const stat1 = main.read('/proc/1/stat');
    figures.pid1 = stat1 ? parseProcStat(stat1.trim())?.comm : undefined;
    if (figures.uid === undefined) {
      const id = main.exec(['id', '-u']);
      if (id.code === 0 && /^\d+$/.test(id.stdout.trim())) figures.uid = Number(id.stdout.trim());
    }
    if (figures.uid === 0) report('SEC001', `PID 1${figures.pid1 ? ` (${figures.pid1})` : ''} runs as uid 0 (root) in the container`);
    else if (figures.uid === undefined) notes.push('SEC001: could not read the uid of PID 1 (no cat, python or id in the image)');

    // SEC003, OPS001
    const sockets = s.sockets;
    const low = sockets.filter((x) => x.port < 1024);
    if (low.length > 0) report('SEC003', `listens on ${low.map(formatSocket).join(', ')} (port < 1024)`);
    if (sockets.length > 0 && sockets.every((x) => x.loopback)) {
      report('OPS001', `listens on ${sockets.map(formatSocket).join(', ')} only: loopback, unreachable from outside the container`);
    }

    // HTTP checks
    const http = sockets.length > 0 || (o.cmd === undefined && cfg.exposed.length > 0);
    figures.http = http;
    const reachablePort = cfg.exposed.find((p) => figures.published[p] !== undefined && sockets.some((x) => x.port === p && !x.loopback));
    /** OPS008 by the image's HEALTHCHECK: run it once in the main container; non-zero or a timeout fails. */
    const judgeHealthcheck = (test: string[]): void => {
      const argv = healthcheckArgv(test);
      if (argv) {
        const hc = main.exec(argv);
        figures.healthcheckExit = hc.timedOut ? -1 : hc.code;
        if (hc.code !== 0) {
          report('OPS008', `the HEALTHCHECK command ${hc.timedOut ? 'timed out' : `exits ${hc.code}`}${lastLine(hc.stderr + hc.stdout) ? `: ${lastLine(hc.stderr + hc.stdout)}` : ''}`);
        }
      }
      figures.healthStatus = String(obj(main.state().Health).Status ?? 'none');
    };
    if (!http) {
      const what = `${options.cmd ? 'with --cmd, ' : 'no EXPOSE and '}nothing listening within ${secs(s.windowMs)} s: a non-HTTP image`;
      if (cfg.healthcheck && options.cmd === undefined) {
        // A worker: its HEALTHCHECK (awaited in the start window above) is what says it works.
        if (s.readyMs !== undefined) {
          figures.secondsToHealthy = Number((s.readyMs / 1000).toFixed(2));
          figures.healthyVia = s.via;
        }
        judgeHealthcheck(cfg.healthcheck);
        notes.push(`${what}; OPS008 judged by its HEALTHCHECK${s.readyMs === undefined ? ' (not healthy in that time)' : ''}, HTTP checks (OPS009, APP004, APP008) skipped`);
      } else {
        const hc = cfg.healthcheck ? "; the image's HEALTHCHECK is not judged with --cmd (it may belong to the image's own CMD)" : '';
        notes.push(`${what}; HTTP checks (OPS008, OPS009, APP004, APP008) skipped${hc}`);
      }
    } else {
      if (s.readyMs !== undefined) {
        figures.secondsToHealthy = Number((s.readyMs / 1000).toFixed(2));
        figures.healthyVia = s.via;
        if (figures.secondsToHealthy > o.startupBudget) {
          report('OPS009', `first healthy answer after ${secs(s.readyMs)} s (> ${o.startupBudget} s)`);
        }
      }
      if (cfg.healthcheck) judgeHealthcheck(cfg.healthcheck);
      if (s.readyMs === undefined && figures.healthcheckExit === undefined) {
        const last = s.lastHttp ? (s.lastHttp.status ? `HTTP ${s.lastHttp.status}` : s.lastHttp.error ?? 'no answer') : 'no published port to ask';
        report('OPS008', `health path ${o.healthPath} gave no ${liveness ? 'answer below 500 (no health path is configured: any answer says the server is up)' : '2xx answer'} from 127.0.0.1 within ${secs(s.windowMs)} s (last: ${last})`);
      }

      // APP004
      if (reachablePort !== undefined && s.via === 'http') {
        const held = getWhileHeld(figures.published[reachablePort]!, o.healthPath, 500, 2000);
        figures.heldRequestSeconds = Number(held.get.seconds.toFixed(2));
        figures.heldRequestStatus = held.get.status;
        if (held.get.status === 0 || held.get.seconds > 2) {
          report('APP004', `while one client held a half-sent request open, GET ${o.healthPath} ${held.get.status ? `took ${held.get.seconds.toFixed(1)} s` : `got no answer within 2 s (${held.get.error ?? 'timeout'})`}`);
        }
      } else {
        notes.push(`APP004 skipped: the health path is not reachable from the host${reachablePort === undefined && sockets.length > 0 ? ` (listening on ${figures.listening.join(', ')})` : ''}`);
      }
    }

    // OPS006: an orphan exits; is it reaped within 2 s?
    const orphan = makeOrphan(main);
    if (orphan === undefined) {
      notes.push('OPS006 skipped: could not start a process in the container (no python or sh)');
    } else {
      sleep(2000);
      const states = (main.stats() ?? []).map(parseProcStat).filter((p): p is NonNullable<typeof p> => p !== undefined);
      const zombies = states.filter((p) => p.state === 'Z');
      const orphanZombie = zombies.some((p) => p.pid === orphan);
      figures.orphans = { created: 1, reaped: orphanZombie ? 0 : 1, zombies: zombies.length };
      if (zombies.length > 0) {
        const pid1 = figures.pid1 ? ` (PID 1: ${figures.pid1})` : '';
        report('OPS006', `${zombies.length} zombie process${zombies.length === 1 ? '' : 'es'} 2 s after an orphaned child exited${orphanZombie ? ', the orphan among them' : ''}${pid1}: ${zombies.slice(0, 5).map((z) => `${z.pid} ${z.comm}`).join(', ')}`);
      }
    }

    // APP008
    if (portProbe && !http) portProbe.remove();
    else if (portProbe) {
      let seen: ListeningSocket[] = [];
      const deadline = portProbe.started + Math.min(o.startTimeoutMs, Math.max(5000, (s.readyMs ?? s.windowMs) * 2 + 2000));
      for (let i = 0; i < 1000; i++) {
        seen = portProbe.running() ? portProbe.listening() : seen;
        if (seen.some((x) => x.port === portEnv) || now() >= deadline) break;
        sleep(POLL_MS);
      }
      const listening = seen.some((x) => x.port === portEnv);
      figures.portEnv = { port: portEnv, listening, sockets: seen.map(formatSocket) };
      portProbe.remove();
      if (!listening) {
        report('APP008', `with PORT=${portEnv} the app ${seen.length > 0 ? `listens on ${seen.map(formatSocket).join(', ')} instead` : 'listened on nothing'} within ${secs(now() - portProbe.started)} s`);
      }
    }

    // OPS005 (last: it ends the main container)
    progress('stopping (docker stop, 10 s timeout)');
    const t = now();
    const stop = engine.stop(main.id, 10);
    const stopMs = now() - t;
    figures.secondsToStop = Number((stopMs / 1000).toFixed(2));
    const exitCode = main.state().ExitCode;
    if (typeof exitCode === 'number') figures.stopExitCode = exitCode;
    if (stop.code !== 0) notes.push(`docker stop failed: ${lastLine(stop.stderr)}`);
    if (stopMs / 1000 > o.stopTimeout) {
      const killed = figures.stopExitCode === 137 || stopMs >= 9500 ? ': SIGTERM was ignored and it was killed (SIGKILL after 10 s)' : '';
      report('OPS005', `docker stop took ${secs(stopMs)} s (> ${o.stopTimeout} s)${figures.pid1 ? `, PID 1 is ${figures.pid1}` : ''}${killed}`);
    }

    // APP005: a one-off command runs instead of the app.
    progress("running IMAGE python -c 'print(1)'");
    const one = engine.run({ image, cmd: ['python', '-c', 'print(1)'], env, network, ...HARDENING, readOnly: o.readOnly, tmpfs: o.readOnly ? ['/tmp'] : undefined, detach: false }, { timeoutMs: 20_000 });
    figures.otherCommandOutput = lastLine(one.stdout);
    if (!one.stdout.split('\n').some((l) => l.trim() === '1')) {
      report('APP005', `\`docker run ${image} python -c 'print(1)'\` ${one.timedOut ? 'did not finish within 20 s' : `printed ${JSON.stringify(lastLine(one.stdout + one.stderr)) || 'nothing'} (exit ${one.code})`}: the ENTRYPOINT does not hand over to other commands`);
    }
  } finally {
    for (const c of containers) c.remove();
  }
  return { findings, figures, notes, problems };
}

/** "5", 5, "5s", "1.5 s", "2m" → seconds. */
export function parseSeconds(value: unknown, what: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  if (typeof value === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(value);
    if (m) return Number(m[1]) * (m[2] === 'ms' ? 0.001 : m[2] === 'm' ? 60 : 1);
  }
  throw new SmokeError(`${what} must be a number of seconds or a duration like "5s" (got ${JSON.stringify(value)})`);
}
