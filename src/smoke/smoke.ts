// `pyship smoke`: run an image the way production does, measure (measure.ts), then let the runtime rules judge the
// record (checkRuntime in src/rules), one figure per check. Every container started is removed before returning.
import type { Engine } from '../engine/types.js';
import type { AnyRule, Finding } from '../lint/rule.js';
import { runtimeRules } from '../rules/index.js';
import { DEFAULT_RUNTIME_SETTINGS, figuresOf, runtimeRecord, type RuntimeSettings, type SmokeFigures } from '../runtime/record.js';
import { imageConfig, SmokeError } from './inspect.js';
import { judgeRuntime } from './judge.js';
import { measure } from './measure.js';

export interface SmokeOptions {
  /**
   * Path the HTTP checks request, and that must answer 2xx. Without one, "/" is requested and any answer below 500
   * counts: a 404 or 401 still says the server is up (the check pyship init writes for an app with no health route).
   */
  healthPath?: string;
  /** Seconds `docker stop` may take (default 5). */
  stopTimeout?: number;
  /** Run with --read-only and a tmpfs /tmp. */
  readOnly?: boolean;
  /** Command to smoke instead of the image's CMD. */
  cmd?: string[];
  /** Extra environment for every container smoke starts (the PORT container's PORT still wins). */
  env?: Record<string, string>;
  /** Network every container smoke starts joins (`--network`), e.g. the one a worker's broker runs on. Not `host`. */
  network?: string;
  /** How long the app may take to answer its health path (default 30 s). */
  startTimeoutMs?: number;
  /** How long an image with no EXPOSE and no HEALTHCHECK gets to start listening before it counts as non-HTTP (default 5 s). */
  listenWindowMs?: number;
  /** Seconds to the first healthy answer above which startup counts as slow (default 5). */
  startupBudget?: number;
  /** Progress lines (one per phase), for a CLI that wants to show them. */
  onProgress?: (line: string) => void;
  /** The rules that judge what was measured, in the order of their findings and notes (default: every runtime rule). */
  rules?: readonly AnyRule[];
}

export interface SmokeResult {
  findings: Finding[];
  figures: SmokeFigures;
  /** Checks skipped and why; facts worth a line. */
  notes: string[];
  /** Smoke itself could not do its job (container would not start at all…): the command fails. */
  problems: string[];
}

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

const { healthPath, stopTimeout, startupBudget } = DEFAULT_RUNTIME_SETTINGS;
const DEFAULTS = { healthPath, stopTimeout, startTimeoutMs: 30_000, listenWindowMs: 5_000, startupBudget };

/** Smoke one image: see SmokeOptions; throws SmokeError when the image cannot be inspected or started at all. */
export function smokeImage(engine: Engine, image: string, options: SmokeOptions = {}): SmokeResult {
  const o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as Required<SmokeOptions>;
  const settings: RuntimeSettings = { healthPath: o.healthPath, liveness: options.healthPath === undefined, stopTimeout: o.stopTimeout, startupBudget: o.startupBudget };

  let inspected: unknown;
  try {
    inspected = engine.inspect(image);
  } catch (e) {
    throw new SmokeError(`cannot inspect image ${image}: ${(e as Error).message}`);
  }
  if (inspected === undefined) throw new SmokeError(`no such image: ${image} (build or pull it first)`);
  const cfg = imageConfig(inspected);
  if (options.network !== undefined) {
    const problem = networkProblem(options.network);
    if (problem) throw new SmokeError(problem);
  }
  const record = runtimeRecord(image, { customCmd: options.cmd !== undefined, hasHealthcheck: cfg.healthcheck !== undefined });
  // Every container gets the caller's environment and network.
  const measured = measure(engine, image, cfg, {
    healthPath: o.healthPath, liveness: settings.liveness, startTimeoutMs: o.startTimeoutMs, listenWindowMs: o.listenWindowMs,
    cmd: options.cmd, readOnly: o.readOnly, network: options.network,
    env: options.env && Object.keys(options.env).length > 0 ? options.env : undefined,
    progress: (line) => o.onProgress?.(line),
  }, record);
  const judged = measured.started ? judgeRuntime(options.rules ?? runtimeRules, record, settings) : { findings: [], notes: [] };
  return { findings: judged.findings, figures: figuresOf(record), notes: [...judged.notes, ...measured.notes], problems: measured.problems };
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
