// What `pyship smoke` measured in a running container: the record its runtime rules judge (checkRuntime in src/rules).
// A bottom module (it imports nothing): src/smoke fills the record, rules and the rule contract read its types.

/** The figures smoke's summary shows, one per check (SmokeResult.figures). */
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
  /** The PORT given to a second container and whether the app listened there. */
  portEnv?: { port: number; listening: boolean; sockets: string[] };
}

/** A socket listening in the container. */
export interface RuntimeSocket {
  /** Address and port as smoke prints them: "0.0.0.0:8000", "[::1]:8081". */
  endpoint: string;
  port: number;
  loopback: boolean;
}

/** The figures plus the raw measurements the rules' messages and limits need. Absent: not measured. */
export interface RuntimeRecord extends SmokeFigures {
  /** `--cmd` replaced the image's command: the image's EXPOSE and HEALTHCHECK may belong to another process. */
  customCmd: boolean;
  /** The image declares a HEALTHCHECK (other than NONE). */
  hasHealthcheck: boolean;
  /** How long the start window lasted (ms): until healthy, exited or given up. */
  windowMs: number;
  /** Sockets listening at the end of the start window (`listening`, with ports). */
  sockets: RuntimeSocket[];
  /** The container exited in the start window: after how long, its last log line, and whether a rerun with the default capabilities kept running. */
  earlyExit?: { ms: number; lastLog: string; runsUnhardened: boolean };
  /** ms from start to the first healthy answer. */
  readyMs?: number;
  /** The health path's last answer in the start window (status 0: none, see error). */
  lastAnswer?: { status: number; error?: string };
  /** The image's HEALTHCHECK command run once: exit code, whether it timed out, the last line it printed. */
  healthcheckRun?: { code: number; timedOut: boolean; output: string };
  /** The EXPOSEd port the host reaches the app on (published, listening beyond loopback). */
  reachablePort?: number;
  /** GET of the health path while another connection held a half-sent request (seconds unrounded). */
  heldRequest?: { status: number; seconds: number; error?: string };
  /** Zombie processes 2 s after an orphaned child exited; absent when no orphan could be made. */
  zombies?: { pid: number; comm: string }[];
  /** ms the PORT container was given to listen on its PORT. */
  portProbeMs?: number;
  /** `docker stop`: how long it took (ms) and how long it waits before SIGKILL (s). */
  stop?: { ms: number; graceSeconds: number };
  /** `IMAGE python -c 'print(1)'`: its stdout, the last line of all it printed, exit code, timeout. */
  otherCommand?: { stdout: string; said: string; code: number; timedOut: boolean; timeoutSeconds: number };
}

/** The limits the runtime rules judge against (from flags and `[tool.pyship]`). */
export interface RuntimeSettings {
  /** Path the HTTP checks request ("/" when none is configured). */
  healthPath: string;
  /** No health path is configured: any answer below 500 says the server is up. */
  liveness: boolean;
  /** Seconds `docker stop` may take. */
  stopTimeout: number;
  /** Seconds to the first healthy answer above which startup counts as slow. */
  startupBudget: number;
}

export const DEFAULT_RUNTIME_SETTINGS: RuntimeSettings = { healthPath: '/', liveness: true, stopTimeout: 5, startupBudget: 5 };

/** A record of an image where nothing was measured yet, with `facts` laid over it (a rule example's, or smoke's own). */
export function runtimeRecord(image: string, facts: Partial<RuntimeRecord> = {}): RuntimeRecord {
  const listening = facts.listening ?? facts.sockets?.map((s) => s.endpoint) ?? [];
  return { image, listening, published: {}, http: false, customCmd: false, hasHealthcheck: false, windowMs: 0, sockets: [], ...facts };
}

/** The figures of a record, without the raw measurements only the rules read. */
export function figuresOf(record: RuntimeRecord): SmokeFigures {
  const {
    customCmd, hasHealthcheck, windowMs, sockets, earlyExit, readyMs, lastAnswer, healthcheckRun, reachablePort,
    heldRequest, zombies, portProbeMs, stop, otherCommand, ...figures
  } = record;
  return figures;
}

/** ms → "1.2" (seconds, one decimal), as messages print durations. */
export const secs = (ms: number): string => (ms / 1000).toFixed(1);

/** "0.62 s" or "-", as the summary prints a figure in seconds. */
export const seconds = (s: number | undefined): string => (s === undefined ? '-' : `${s.toFixed(2)} s`);

/** "exited with code 3 after 1.2 s (last log line)": how a container that stopped in its start window ended. */
export function exitDetail(code: number, exit: { ms: number; lastLog: string }): string {
  return `exited with code ${code} after ${secs(exit.ms)} s${exit.lastLog ? ` (${exit.lastLog})` : ''}`;
}

/** The summary row of an HTTP check when the image serves no HTTP. */
export const NOT_HTTP_ROW = { label: 'HTTP check', value: 'non-HTTP image', judged: false } as const;
