// What `pyship build` checks on the image it just built (unless --no-verify): the size budget (CI002), then audit and smoke.
import type { Engine } from '../engine/types.js';
import type { Finding, Severity } from '../lint/rule.js';
import { parseSeconds, SmokeError, smokeImage } from '../smoke/smoke.js';

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

/** CI002 when the image is larger than the budget. */
export function sizeFindings(image: string, size: number, maxSize: number, severity: Severity): Finding[] {
  if (size <= maxSize) return [];
  return [{
    code: 'CI002', severity, file: image, span: { start: 0, end: 0 }, fix: null,
    message: `image is ${formatBytes(size)} (${size} bytes), over the size budget of ${formatBytes(maxSize)} ([tool.pyship] max-image-size)`,
  }];
}

export interface VerifyResult {
  findings: Finding[];
  notes: string[];
  /** Verification itself could not run (image would not start…): the command fails. */
  problems: string[];
}

/**
 * Audit and smoke of the new image.
 * Smoke: `smokeImage` (src/smoke/smoke.ts), synchronous like the rest of `pyship build`.
 * Audit: TODO(issue 4): not wired. `auditImage(await readImage(engineSource(engine, image)), opts)` needs
 * `readImage` (src/image/read.ts), which is async, while `main()` in src/cli.ts runs commands synchronously.
 * Wiring it needs runBuild → async and main → program.parseAsync; then pass `maxImageSize` to the audit and drop
 * `sizeFindings` here so CI002 is not reported twice. Until then audit contributes no findings and a note says so.
 */
export function auditAndSmoke(engine: Engine, image: string, opts: VerifyOptions): VerifyResult {
  const findings: Finding[] = [];
  const notes: string[] = ['note: audit is not wired into `pyship build` yet (TODO): run `pyship audit ' + image + '`'];
  const problems: string[] = [];
  try {
    const smoke = smokeImage(engine, image, {
      healthPath: opts.healthPath,
      stopTimeout: opts.stopTimeout !== undefined ? parseSeconds(opts.stopTimeout, 'stop-timeout') : undefined,
      onProgress: opts.onProgress,
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
