// What `pyship build` checks on the image it just built (unless --no-verify): the size budget (CI002), then audit and smoke.
import type { Engine } from '../engine/types.js';
import type { Finding, Severity } from '../lint/rule.js';
import { parseSeconds, smokeImage } from '../smoke/smoke.js';
import { SmokeError } from '../smoke/inspect.js';
import { auditImage } from '../audit/audit.js';
import { readImage } from '../image/read.js';
import { engineSource } from '../image/source.js';
import { loadProject } from '../project/project.js';

export interface VerifyOptions {
  /** Severity for a code (config overrides applied). */
  severity: (code: string) => Severity;
  /** `[tool.pyship] max-image-size` in bytes, if set. */
  maxSize?: number;
  projectDir?: string;
  /** `[tool.pyship] health-path`. */
  healthPath?: string;
  /** `[tool.pyship] stop-timeout` as written (number of seconds or "10s"). */
  stopTimeout?: unknown;
  onProgress?: (line: string) => void;
  /** Smoke: variables and network for every container (a worker's broker). */
  env?: Record<string, string>;
  network?: string;
}

/** "123.4 MB" (decimal units, as `docker images` prints them). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = -1;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** The image's size from `docker image inspect` (.Size), or undefined when it cannot be read. */
export function imageSize(engine: Engine, image: string): number | undefined {
  const info = engine.inspect(image) as { Size?: unknown } | undefined;
  return typeof info?.Size === 'number' ? info.Size : undefined;
}

export interface VerifyResult {
  findings: Finding[];
  notes: string[];
  /** Verification itself could not run (image would not start…): the command fails. */
  problems: string[];
}

/**
 * Audit (the image's layers, streamed from the engine; it also judges the size budget, CI002) and smoke (the running
 * container) of the new image.
 */
export async function auditAndSmoke(engine: Engine, image: string, opts: VerifyOptions): Promise<VerifyResult> {
  const findings: Finding[] = [];
  const notes: string[] = [];
  const problems: string[] = [];
  try {
    opts.onProgress?.(`audit: reading ${image}`);
    const audit = auditImage(await readImage(engineSource(engine, image)), {
      maxImageSize: opts.maxSize,
      severity: (code, registry) => opts.severity(code) ?? registry,
      dockerignore: opts.projectDir !== undefined ? loadProject(opts.projectDir).dockerignore : undefined,
    });
    findings.push(...audit.findings);
    notes.push(...audit.notes.map((n) => `audit: ${n}`));
  } catch (e) {
    problems.push(`audit: ${(e as Error).message}`);
  }
  try {
    const smoke = smokeImage(engine, image, {
      healthPath: opts.healthPath,
      stopTimeout: opts.stopTimeout !== undefined ? parseSeconds(opts.stopTimeout, 'stop-timeout') : undefined,
      onProgress: opts.onProgress,
      env: opts.env,
      network: opts.network,
    });
    findings.push(...smoke.findings);
    notes.push(...smoke.notes.map((n) => `smoke: ${n}`));
    problems.push(...smoke.problems);
  } catch (e) {
    if (!(e instanceof SmokeError)) throw e;
    problems.push(`smoke: ${e.message}`);
  }
  return { findings, notes, problems };
}
