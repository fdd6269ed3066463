// The containers smoke starts: run hardened (or not) with loopback-only ports, read files and sockets inside, remove.
// Drives the engine contract only (src/engine/types.ts).
import { performance } from 'node:perf_hooks';
import type { Engine, ProcessResult } from '../engine/types.js';
import { first, obj, SmokeError } from './inspect.js';
import { parseProcNetTcp, uniqueSockets, type ListeningSocket } from './procfs.js';

export const HARDENING = { capDrop: ['ALL'], securityOpt: ['no-new-privileges'] };
export const POLL_MS = 250;
export const EXEC_TIMEOUT_MS = 10_000;

export function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export const now = (): number => performance.now();

/** The last non-empty line of some output, shortened, for messages. */
export function lastLine(text: string): string {
  const line = text.trim().split('\n').filter((l) => l.trim() !== '').pop() ?? '';
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

const NO_BINARY = /executable file not found|no such file or directory|not found in \$PATH|OCI runtime exec failed/i;

/** Docker's embedded DNS resolver on user networks: it listens inside every container's namespace, for the engine. */
const EMBEDDED_DNS = '127.0.0.11';

export class Container {
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

export function published(engine: Engine, id: string): Record<number, number> {
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
export class StartError extends SmokeError {}

/** What `docker run` said, without its "Run 'docker run --help'" trailer, in the image's terms where they are known. */
export function runFailure(stderr: string, code: number): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/^(Run|See) '\S+ run --help'/.test(l));
  const said = (lines.find((l) => /error/i.test(l)) ?? lines.pop() ?? `exit ${code}`).replace(/^docker: /, '');
  const missing = /exec: "([^"]+)": (executable file not found in \$PATH|no such file or directory|permission denied)/i.exec(said);
  if (missing) return `its command \`${missing[1]}\` cannot run: ${missing[2]}`;
  if (/no command specified/i.test(said)) return 'the image has no CMD or ENTRYPOINT: nothing to run (add a CMD, or pass --cmd)';
  return lastLine(said);
}

export function start(engine: Engine, image: string, opts: { cmd?: string[]; env?: Record<string, string>; network?: string; ports?: number[]; readOnly?: boolean; hardened?: boolean }): Container {
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
