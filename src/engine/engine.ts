// The one module that spawns a container engine (docker or podman): argv arrays only, bounded timeouts,
// labelled containers that are removed on success, failure, timeout, exit, and (by ./guard.ts) Ctrl-C and kill.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { guardRun, releaseGuards, tiedToParent } from './guard.js';
import {
  EngineUnavailableError, PYSHIP_LABEL,
  type BuildRequest, type ContainerRequest, type Engine, type ProcessResult, type RunOptions,
} from './types.js';

export interface EngineOptions {
  engine?: 'docker' | 'podman';
  /** The engine binary (a path or a name on PATH); else PYSHIP_DOCKER, else docker/podman on PATH. */
  binary?: string;
  /** Environment for lookups and children (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Force BuildKit / buildx detection (tests, --dry-run): skips probing the engine. */
  buildkit?: boolean;
  buildx?: boolean;
}

/** Default time limits: an engine that hangs must not hang pyship. */
export const TIMEOUTS = {
  probe: 15_000,
  command: 120_000,
  build: 30 * 60_000,
  push: 30 * 60_000,
} as const;

const MAX_BUFFER = 256 * 1024 * 1024;

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
    } catch {
      // unreadable PATH entry: skip it
    }
  }
  return undefined;
}

/** Which binary runs the engine, and which kind it is. A name found on PATH stays a bare name (stable --dry-run output). */
export function resolveBinary(opts: EngineOptions = {}): { kind: 'docker' | 'podman'; binary: string } {
  const env = opts.env ?? process.env;
  const given = opts.binary ?? (env.PYSHIP_DOCKER ? env.PYSHIP_DOCKER : undefined);
  if (given !== undefined) {
    const kind = opts.engine ?? (path.basename(given).includes('podman') ? 'podman' : 'docker');
    return { kind, binary: given };
  }
  if (opts.engine) return { kind: opts.engine, binary: opts.engine };
  if (onPath('docker', env)) return { kind: 'docker', binary: 'docker' };
  if (onPath('podman', env)) return { kind: 'podman', binary: 'podman' };
  return { kind: 'docker', binary: 'docker' };
}

/** `--label k=v` flags, sorted by key so argv is stable. */
function labelFlags(labels: Record<string, string>): string[] {
  return Object.keys(labels).sort().flatMap((k) => ['--label', `${k}=${labels[k]}`]);
}

/** The build argv (without the binary) for an engine with or without buildx. */
export function buildArgs(req: BuildRequest, buildx: boolean): string[] {
  const args = buildx ? ['buildx', 'build'] : ['build'];
  if (req.dockerfile !== undefined) args.push('-f', req.dockerfile);
  for (const t of req.tags) args.push('-t', t);
  args.push(...labelFlags(req.labels));
  for (const k of Object.keys(req.buildArgs).sort()) args.push('--build-arg', `${k}=${req.buildArgs[k]}`);
  if (req.inlineCache && !buildx) args.push('--build-arg', 'BUILDKIT_INLINE_CACHE=1');
  for (const c of req.cacheFrom) args.push('--cache-from', c);
  if (buildx) for (const c of req.cacheTo) args.push('--cache-to', c);
  if (req.target !== undefined) args.push('--target', req.target);
  for (const s of req.secrets) args.push('--secret', s);
  for (const s of req.ssh) args.push('--ssh', s);
  if (req.pull) args.push('--pull');
  if (req.noCache) args.push('--no-cache');
  if (req.push && buildx) args.push('--push');
  args.push(req.context);
  return args;
}

/** The `run` argv (without the binary) for a container request, with pyship's label and a known name. */
export function runArgs(req: ContainerRequest, runId: string, name: string): string[] {
  const args = ['run', '--label', `${PYSHIP_LABEL}=${runId}`, '--name', name];
  args.push(req.detach ? '--detach' : '--rm');
  if (req.entrypoint !== undefined) args.push('--entrypoint', req.entrypoint);
  for (const k of Object.keys(req.env ?? {}).sort()) args.push('--env', `${k}=${req.env![k]}`);
  if (req.network !== undefined) args.push('--network', req.network);
  for (const [container, host] of Object.entries(req.ports ?? {})) {
    // loopback only: pyship never exposes a container on other interfaces
    args.push('--publish', host ? `127.0.0.1:${host}:${container}` : `127.0.0.1::${container}`);
  }
  for (const c of req.capDrop ?? []) args.push(`--cap-drop=${c}`);
  for (const s of req.securityOpt ?? []) args.push('--security-opt', s);
  if (req.user !== undefined) args.push('--user', req.user);
  if (req.readOnly) args.push('--read-only');
  for (const t of req.tmpfs ?? []) args.push('--tmpfs', t);
  if (req.init) args.push('--init');
  args.push(req.image);
  if (req.cmd) args.push(...req.cmd);
  return args;
}

// ---------------------------------------------------------------------------------------------
// Cleanup at exit, registered once per process for every engine created. No SIGINT/SIGTERM handler on purpose: engine
// calls block the main thread, where a JS handler would only run after the whole command (and its report). The
// signal's default action ends pyship at once, and ./guard.ts removes what it had started.

const live = new Set<EngineImpl>();
let handlersInstalled = false;

function cleanupAll(): void {
  for (const e of live) e.cleanup();
  releaseGuards();
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.once('exit', cleanupAll);
}

let runCounter = 0;

class EngineImpl implements Engine {
  readonly kind: 'docker' | 'podman';
  readonly binary: string;
  /** Value of the PYSHIP_LABEL label on this engine's containers. */
  readonly runId: string;
  private readonly env: NodeJS.ProcessEnv;
  private buildkitCache: boolean | undefined;
  private buildxCache: boolean | undefined;
  private readonly containers = new Set<string>();
  private containerSeq = 0;
  /** The argv prefix that runs the binary, tied to this process's life when the binary exists (see guard.ts). */
  private readonly argv0: string[];

  constructor(opts: EngineOptions) {
    const { kind, binary } = resolveBinary(opts);
    this.kind = kind;
    this.binary = binary;
    this.env = opts.env ?? process.env;
    this.buildkitCache = opts.buildkit;
    this.buildxCache = kind === 'podman' ? false : opts.buildx;
    this.runId = `${process.pid}-${Date.now().toString(36)}-${runCounter++}`;
    // a missing binary keeps spawn's own ENOENT (reported as "not found"), not the wrapper's exit 127
    const found = binary.includes('/') ? existsSync(binary) : onPath(binary, this.env) !== undefined;
    this.argv0 = found ? tiedToParent([binary]) : [binary];
  }

  /** Containers (and a build's client) may outlive a killed pyship: start the guard that removes them. */
  private guard(): void {
    guardRun(this.binary, this.runId, this.env);
  }

  private exec_(args: string[], opts: RunOptions = {}, defaultTimeout: number = TIMEOUTS.command): ProcessResult {
    const timeout = opts.timeoutMs ?? defaultTimeout;
    let r: SpawnSyncReturns<string>;
    try {
      r = spawnSync(this.argv0[0]!, [...this.argv0.slice(1), ...args], {
        input: opts.input,
        cwd: opts.cwd,
        env: opts.env ?? this.env,
        encoding: 'utf8',
        timeout,
        killSignal: 'SIGKILL',
        maxBuffer: MAX_BUFFER,
        stdio: [opts.input !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      });
    } catch (e) {
      return { code: 127, stdout: '', stderr: `${this.binary}: ${(e as Error).message}`, timedOut: false };
    }
    const err = r.error as NodeJS.ErrnoException | undefined;
    const timedOut = err?.code === 'ETIMEDOUT' || (r.signal === 'SIGKILL' && err !== undefined);
    let stderr = r.stderr ?? '';
    if (err && !timedOut) stderr += `${stderr ? '\n' : ''}${this.binary}: ${err.code === 'ENOENT' ? 'not found' : err.message}`;
    if (timedOut) stderr += `${stderr ? '\n' : ''}${this.binary} ${args[0]}: timed out after ${(timeout / 1000).toFixed(0)} s`;
    const result: ProcessResult = {
      code: r.status ?? (err?.code === 'ENOENT' ? 127 : 1),
      stdout: r.stdout ?? '',
      stderr,
      timedOut,
    };
    // Sync spawning cannot stream: hand the output over once, in order, so callers still see every line.
    if (opts.onOutput) {
      if (result.stdout) opts.onOutput(result.stdout, 'stdout');
      if (result.stderr) opts.onOutput(result.stderr, 'stderr');
    }
    return result;
  }

  /** The one message for "no engine answers", whichever command found out. */
  private unavailable(command: string, said: string): EngineUnavailableError {
    return new EngineUnavailableError(
      `no container engine answered: \`${this.binary} ${command}\` failed: ${said.replace(/\.?$/, '.')}` +
      ` Start the ${this.kind} daemon (or point DOCKER_HOST at one), or choose the engine with --engine or PYSHIP_DOCKER=/path.`,
    );
  }

  version(): { client: string; server: string } {
    const r = this.exec_(['version', '--format', '{{json .}}'], { timeoutMs: TIMEOUTS.probe });
    let data: { Client?: { Version?: string }; Server?: { Version?: string } | null; Version?: string } | undefined;
    try {
      data = JSON.parse(r.stdout.trim().split('\n')[0] ?? '');
    } catch {
      data = undefined;
    }
    const client = data?.Client?.Version ?? data?.Version;
    const server = data?.Server?.Version ?? (this.kind === 'podman' ? client : undefined);
    if (r.code !== 0 || !client || !server) {
      // one line in the engine's words (the CLI prints its error once per failed part: keep the distinct lines)
      const lines = (r.stderr || r.stdout).split('\n').map((l) => l.trim().replace(/^(docker|podman|Error): /i, '')).filter(Boolean);
      const said = [...new Set(lines)].slice(-2).join(' / ') || `exit code ${r.code}`;
      throw this.unavailable('version', said);
    }
    return { client, server };
  }

  buildx(): boolean {
    if (this.buildxCache === undefined) {
      this.buildxCache = this.kind === 'docker' && this.exec_(['buildx', 'version'], { timeoutMs: TIMEOUTS.probe }).code === 0;
    }
    return this.buildxCache;
  }

  buildkit(): boolean {
    if (this.buildkitCache === undefined) {
      if (this.kind === 'podman') this.buildkitCache = false;
      else if (this.env.DOCKER_BUILDKIT !== undefined) this.buildkitCache = this.env.DOCKER_BUILDKIT === '1';
      else this.buildkitCache = this.buildx();
    }
    return this.buildkitCache;
  }

  buildArgv(req: BuildRequest): string[] {
    return [this.binary, ...buildArgs(req, this.buildx())];
  }

  build(req: BuildRequest, opts: RunOptions = {}): ProcessResult {
    this.guard();
    return this.exec_(buildArgs(req, this.buildx()), opts, TIMEOUTS.build);
  }

  /**
   * Build with the engine's own progress display written straight to this process's stderr (a live display on a
   * TTY, plain lines otherwise); output is not captured.
   */
  buildLive(req: BuildRequest, opts: RunOptions = {}): ProcessResult {
    const timeout = opts.timeoutMs ?? TIMEOUTS.build;
    this.guard();
    const r = spawnSync(this.argv0[0]!, [...this.argv0.slice(1), ...buildArgs(req, this.buildx())], {
      cwd: opts.cwd, env: opts.env ?? this.env, timeout, killSignal: 'SIGKILL', stdio: ['ignore', 2, 2],
    });
    const err = r.error as NodeJS.ErrnoException | undefined;
    const timedOut = err?.code === 'ETIMEDOUT';
    return {
      code: r.status ?? 1, stdout: '',
      stderr: timedOut ? `build timed out after ${(timeout / 1000).toFixed(0)} s` : err ? `${this.binary}: ${err.message}` : '',
      timedOut,
    };
  }

  run(req: ContainerRequest, opts: RunOptions = {}): ProcessResult {
    installHandlers();
    live.add(this);
    this.guard();
    const name = `pyship-${this.runId}-${this.containerSeq++}`;
    this.containers.add(name);
    const r = this.exec_(runArgs(req, this.runId, name), opts);
    if (!req.detach) {
      // --rm removed it unless the client was killed (timeout): then remove it ourselves
      if (r.timedOut) this.remove(name);
      this.containers.delete(name);
    } else if (r.code !== 0) {
      this.remove(name);
      this.containers.delete(name);
    }
    return r;
  }

  private remove(name: string): void {
    // short: cleanup runs at exit, where a hung engine must not hold pyship
    this.exec_(['rm', '--force', '--volumes', name], { timeoutMs: 10_000 });
  }

  exec(container: string, cmd: string[], opts: RunOptions = {}): ProcessResult {
    return this.exec_(['exec', ...(opts.input !== undefined ? ['--interactive'] : []), container, ...cmd], opts);
  }

  /** The first object `inspect` prints, or undefined when there is no such image/container. */
  inspect(ref: string): unknown {
    const r = this.exec_(['inspect', '--type', 'image', ref], { timeoutMs: 30_000 });
    const r2 = r.code === 0 ? r : this.exec_(['inspect', ref], { timeoutMs: 30_000 });
    if (r2.code !== 0) {
      if (/no such|not found|does not exist|unknown/i.test(r2.stderr)) return undefined;
      if (r2.timedOut || /cannot connect|connection refused|daemon/i.test(r2.stderr)) {
        throw this.unavailable(`inspect ${ref}`, r2.stderr.trim().split('\n').pop() ?? '');
      }
      return undefined;
    }
    try {
      const parsed = JSON.parse(r2.stdout) as unknown;
      return Array.isArray(parsed) ? parsed[0] : parsed;
    } catch {
      return undefined;
    }
  }

  stop(container: string, timeoutSeconds: number): ProcessResult {
    return this.exec_(['stop', '--time', String(timeoutSeconds), container], { timeoutMs: (timeoutSeconds + 30) * 1000 });
  }

  logs(container: string): ProcessResult {
    return this.exec_(['logs', container], { timeoutMs: 30_000 });
  }

  save(image: string): Readable {
    const out = new PassThrough();
    const child = spawn(this.argv0[0]!, [...this.argv0.slice(1), 'save', image], { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => void (stderr += d.slice(0, 4096)));
    child.stdout.pipe(out, { end: false });
    child.on('error', (e) => out.destroy(new EngineUnavailableError(`${this.binary} save ${image}: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) out.end();
      else out.destroy(new Error(`${this.binary} save ${image} failed (exit ${code}): ${stderr.trim()}`));
    });
    // a consumer that stops reading early must not leave `docker save` running
    out.on('close', () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    return out;
  }

  push(tag: string, opts: RunOptions = {}): ProcessResult {
    return this.exec_(['push', tag], opts, TIMEOUTS.push);
  }

  cleanup(): void {
    for (const name of this.containers) this.remove(name);
    this.containers.clear();
  }

  raw(args: string[], opts: RunOptions = {}): ProcessResult {
    if (args[0] === 'run' || args[0] === 'create') {
      // every container pyship creates carries its label: the guard and `docker ps --filter` find it by that
      this.guard();
      return this.exec_([args[0], '--label', `${PYSHIP_LABEL}=${this.runId}`, ...args.slice(1)], opts);
    }
    return this.exec_(args, opts);
  }
}

export function createEngine(opts: EngineOptions = {}): Engine & { buildx(): boolean; runId: string } {
  const e = new EngineImpl(opts);
  live.add(e);
  installHandlers();
  return e;
}
