// The contract of the one module that runs a container engine (docker, podman): everything else calls this.
import type { Readable } from 'node:stream';

export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Killed because it ran past its timeout. */
  timedOut: boolean;
}

export interface RunOptions {
  /** Text for stdin. */
  input?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Working directory of the engine command (relative build contexts and -f paths resolve against it). */
  cwd?: string;
  /** Called with output as it arrives (build progress). */
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
}

export interface BuildRequest {
  context: string;
  dockerfile?: string;
  tags: string[];
  labels: Record<string, string>;
  buildArgs: Record<string, string>;
  cacheFrom: string[];
  /** `--cache-to` values (buildx only). */
  cacheTo: string[];
  inlineCache: boolean;
  target?: string;
  /** `--secret id=…,src=…` values. */
  secrets: string[];
  ssh: string[];
  pull: boolean;
  noCache: boolean;
  push: boolean;
}

export interface ContainerRequest {
  image: string;
  /** Command (replaces CMD); undefined keeps the image's. */
  cmd?: string[];
  entrypoint?: string;
  env?: Record<string, string>;
  /** Network to join (`--network`), e.g. a user network where the services the app needs run; undefined: the engine's default. */
  network?: string;
  /** container port → host port on 127.0.0.1 (0: any free port). */
  ports?: Record<number, number>;
  capDrop?: string[];
  securityOpt?: string[];
  user?: string;
  readOnly?: boolean;
  tmpfs?: string[];
  init?: boolean;
  /** Run detached (returns the id) or wait and return output. */
  detach: boolean;
}

/** Every container and image pyship creates carries this label, so leftovers can be found and removed. */
export const PYSHIP_LABEL = 'dev.pyship.managed';

export interface Engine {
  /** docker or podman, and the binary used. */
  kind: 'docker' | 'podman';
  binary: string;
  /** Client and server versions; throws EngineUnavailableError when no engine answers. */
  version(): { client: string; server: string };
  /** Whether `docker build` has BuildKit (DOCKER_BUILDKIT / buildx). */
  buildkit(): boolean;
  /** The argv pyship would run for a build (for --dry-run and golden tests). */
  buildArgv(req: BuildRequest): string[];
  build(req: BuildRequest, opts?: RunOptions): ProcessResult;
  /** Start a container with pyship's label; detached → id in stdout. Removed by `cleanup()`. */
  run(req: ContainerRequest, opts?: RunOptions): ProcessResult;
  exec(container: string, cmd: string[], opts?: RunOptions): ProcessResult;
  inspect(ref: string): unknown;
  stop(container: string, timeoutSeconds: number): ProcessResult;
  logs(container: string): ProcessResult;
  /** `docker save` as a stream (the image reader consumes it without extracting to disk). */
  save(image: string): Readable;
  push(tag: string, opts?: RunOptions): ProcessResult;
  /** Remove every container this process started (also on SIGINT/SIGTERM and exit). */
  cleanup(): void;
  /** Any engine command, argv only (never a shell string). */
  raw(args: string[], opts?: RunOptions): ProcessResult;
  /** Whether `docker buildx` is available (then builds run `buildx build`, with `--cache-to` and `--push`). */
  buildx?(): boolean;
  /** Build with the engine's own progress written straight to stderr (live display on a TTY); output not captured. */
  buildLive?(req: BuildRequest, opts?: RunOptions): ProcessResult;
}

export class EngineUnavailableError extends Error {}
