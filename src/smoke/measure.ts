// The measuring half of `pyship smoke`: start the containers, take every figure into the runtime record, remove them.
// Nothing is judged here: the runtime rules (checkRuntime) read the record once the containers are gone.
import type { Engine } from '../engine/types.js';
import { exitDetail, type RuntimeRecord, type RuntimeSocket } from '../runtime/record.js';
import { HARDENING, lastLine, now, POLL_MS, published, sleep, start, StartError, type Container } from './container.js';
import { getWhileHeld } from './http.js';
import { healthcheckArgv, obj, type ImageConfig } from './inspect.js';
import { formatSocket, parseProcStat, parseStatusUid, type ListeningSocket } from './procfs.js';
import { awaitStart, type StartOutcome, type StartWindow } from './start.js';

export interface MeasureOptions extends StartWindow {
  readOnly: boolean;
  env?: Record<string, string>;
  network?: string;
  progress: (line: string) => void;
}

export interface Measured {
  /** The main container started (otherwise nothing was measured and nothing is judged). */
  started: boolean;
  /** Facts about the run itself, not about a check (a failed `docker stop`). */
  notes: string[];
  /** Smoke could not do its job: the container would not start, or exited with and without capabilities. */
  problems: string[];
}

/** `docker stop` waits this long for the container to exit on SIGTERM before it sends SIGKILL. */
const STOP_GRACE_S = 10;
/** How long the one-off `python -c 'print(1)'` may run. */
const OTHER_COMMAND_S = 20;

const socket = (s: ListeningSocket): RuntimeSocket => ({ endpoint: formatSocket(s), port: s.port, loopback: s.loopback });
const rounded = (ms: number): number => Number((ms / 1000).toFixed(2));

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

/** Run the image and fill `record`; throws SmokeError when the engine fails (not the image). */
export function measure(engine: Engine, image: string, cfg: ImageConfig, o: MeasureOptions, record: RuntimeRecord): Measured {
  const notes: string[] = [];
  const problems: string[] = [];
  const { env, network } = o;
  const containers: Container[] = [];
  try {
    const extras = [
      ...(o.readOnly ? ['--read-only'] : []),
      ...(network !== undefined ? [`--network ${network}`] : []),
      ...(env ? [`${Object.keys(env).length} --env`] : []),
    ];
    o.progress(`starting ${image} (--cap-drop=ALL, no-new-privileges${extras.map((x) => `, ${x}`).join('')})`);
    let main: Container;
    try {
      main = start(engine, image, { cmd: o.cmd, env, network, ports: cfg.exposed, readOnly: o.readOnly });
    } catch (e) {
      if (!(e instanceof StartError)) throw e;
      problems.push(e.message);
      return { started: false, notes, problems };
    }
    containers.push(main);
    // The PORT container starts now so it boots while the main one is measured; the port is inside its own namespace.
    const portEnv = 20000 + Math.floor(Math.random() * 20000);
    let portProbe: Container | undefined;
    if (cfg.exposed.length > 0 || cfg.healthcheck) {
      portProbe = start(engine, image, { cmd: o.cmd, env: { ...env, PORT: String(portEnv) }, network, readOnly: o.readOnly });
      containers.push(portProbe);
    }
    record.published = published(engine, main.id);

    const s = awaitStart(main, cfg, record.published, o);
    record.windowMs = s.windowMs;
    record.sockets = s.sockets.map(socket);
    record.listening = s.sockets.map(formatSocket);
    if (s.lastHttp) record.lastAnswer = { status: s.lastHttp.status, error: s.lastHttp.error };
    const logs = main.logs();
    record.logBytes = Buffer.byteLength(logs);

    if (s.exited) {
      // Does it die only without capabilities? Run it once more as the image says, unhardened.
      record.exited = { code: s.exited.code, seconds: rounded(s.exited.ms) };
      const exit = { ms: s.exited.ms, lastLog: lastLine(logs) };
      o.progress('container exited; running it again with capabilities to compare');
      const loose = start(engine, image, { cmd: o.cmd, env, network, ports: [], readOnly: o.readOnly, hardened: false });
      containers.push(loose);
      sleep(Math.min(Math.max(s.exited.ms + 2000, 3000), 15_000));
      record.earlyExit = { ...exit, runsUnhardened: loose.running() };
      if (!record.earlyExit.runsUnhardened) problems.push(`the container ${exitDetail(s.exited.code, exit)}, also with the default capabilities: nothing to smoke`);
      return { started: true, notes, problems };
    }

    measurePid1(main, record);
    measureHealth(main, cfg, o, s, record);
    measureOrphans(main, record);
    if (portProbe && !record.http) portProbe.remove();
    else if (portProbe) measurePortProbe(portProbe, portEnv, o, s, record);

    // last: it ends the main container
    o.progress(`stopping (docker stop, ${STOP_GRACE_S} s timeout)`);
    const t = now();
    const stop = engine.stop(main.id, STOP_GRACE_S);
    const stopMs = now() - t;
    record.secondsToStop = rounded(stopMs);
    record.stop = { ms: stopMs, graceSeconds: STOP_GRACE_S };
    const exitCode = main.state().ExitCode;
    if (typeof exitCode === 'number') record.stopExitCode = exitCode;
    if (stop.code !== 0) notes.push(`docker stop failed: ${lastLine(stop.stderr)}`);

    // a one-off command instead of the app
    o.progress("running IMAGE python -c 'print(1)'");
    const one = engine.run({
      image, cmd: ['python', '-c', 'print(1)'], env, network, ...HARDENING, readOnly: o.readOnly, tmpfs: o.readOnly ? ['/tmp'] : undefined, detach: false,
    }, { timeoutMs: OTHER_COMMAND_S * 1000 });
    record.otherCommandOutput = lastLine(one.stdout);
    record.otherCommand = { stdout: one.stdout, said: lastLine(one.stdout + one.stderr), code: one.code, timedOut: one.timedOut, timeoutSeconds: OTHER_COMMAND_S };
  } finally {
    for (const c of containers) c.remove();
  }
  return { started: true, notes, problems };
}

/** PID 1's effective uid and command name, from /proc (or `id -u` when /proc cannot be read). */
function measurePid1(main: Container, record: RuntimeRecord): void {
  const status = main.read('/proc/1/status');
  record.uid = status ? parseStatusUid(status) : undefined;
  const stat1 = main.read('/proc/1/stat');
  record.pid1 = stat1 ? parseProcStat(stat1.trim())?.comm : undefined;
  if (record.uid === undefined) {
    const id = main.exec(['id', '-u']);
    if (id.code === 0 && /^\d+$/.test(id.stdout.trim())) record.uid = Number(id.stdout.trim());
  }
}

/**
 * Whether the image serves HTTP, when it became healthy, its HEALTHCHECK run once, and (for an HTTP server reachable
 * from the host) the health path asked while another client holds a half-sent request.
 */
function measureHealth(main: Container, cfg: ImageConfig, o: MeasureOptions, s: StartOutcome, record: RuntimeRecord): void {
  const sockets = s.sockets;
  const http = sockets.length > 0 || (o.cmd === undefined && cfg.exposed.length > 0);
  record.http = http;
  record.readyMs = s.readyMs;
  const reachablePort = cfg.exposed.find((p) => record.published[p] !== undefined && sockets.some((x) => x.port === p && !x.loopback));
  record.reachablePort = reachablePort;
  const runHealthcheck = (test: string[]): void => {
    const argv = healthcheckArgv(test);
    if (argv) {
      const hc = main.exec(argv);
      record.healthcheckExit = hc.timedOut ? -1 : hc.code;
      record.healthcheckRun = { code: hc.code, timedOut: hc.timedOut, output: lastLine(hc.stderr + hc.stdout) };
    }
    record.healthStatus = String(obj(main.state().Health).Status ?? 'none');
  };
  // Not HTTP: only a worker's own HEALTHCHECK says it works (with --cmd the HEALTHCHECK may belong to the image's CMD).
  if (!http && (cfg.healthcheck === undefined || o.cmd !== undefined)) return;
  if (s.readyMs !== undefined) {
    record.secondsToHealthy = rounded(s.readyMs);
    record.healthyVia = s.via;
  }
  if (cfg.healthcheck) runHealthcheck(cfg.healthcheck);
  if (http && reachablePort !== undefined && s.via === 'http') {
    const held = getWhileHeld(record.published[reachablePort]!, o.healthPath, 500, 2000);
    record.heldRequestSeconds = Number(held.get.seconds.toFixed(2));
    record.heldRequestStatus = held.get.status;
    record.heldRequest = { status: held.get.status, seconds: held.get.seconds, error: held.get.error };
  }
}

/** Orphan a child that exits at once: zombies 2 s later say PID 1 does not reap. */
function measureOrphans(main: Container, record: RuntimeRecord): void {
  const orphan = makeOrphan(main);
  if (orphan === undefined) return;
  sleep(2000);
  const states = (main.stats() ?? []).map(parseProcStat).filter((p): p is NonNullable<typeof p> => p !== undefined);
  const zombies = states.filter((p) => p.state === 'Z');
  const orphanZombie = zombies.some((p) => p.pid === orphan);
  record.orphans = { created: 1, reaped: orphanZombie ? 0 : 1, zombies: zombies.length };
  record.zombies = zombies.map((z) => ({ pid: z.pid, comm: z.comm }));
}

/** The second container, started with PORT set: does the app listen there? */
function measurePortProbe(probe: Container, port: number, o: MeasureOptions, s: StartOutcome, record: RuntimeRecord): void {
  let seen: ListeningSocket[] = [];
  const deadline = probe.started + Math.min(o.startTimeoutMs, Math.max(5000, (s.readyMs ?? s.windowMs) * 2 + 2000));
  for (let i = 0; i < 1000; i++) {
    seen = probe.running() ? probe.listening() : seen;
    if (seen.some((x) => x.port === port) || now() >= deadline) break;
    sleep(POLL_MS);
  }
  const listening = seen.some((x) => x.port === port);
  record.portEnv = { port, listening, sockets: seen.map(formatSocket) };
  probe.remove();
  record.portProbeMs = now() - probe.started;
}
