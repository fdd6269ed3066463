// `pyship smoke IMAGE`: flags + config → smokeImage → report (check's formats) + a summary of figures → exit code.
import { createEngine } from '../engine/engine.js';
import { EngineUnavailableError, type Engine } from '../engine/types.js';
import { atOrAbove, effectiveSeverity, resolveEnabled } from '../lint/config.js';
import type { Finding } from '../lint/rule.js';
import { redact } from '../redact.js';
import { formatReport } from '../report/index.js';
import { everyRule, runtimeTable } from '../rules/index.js';
import { VERSION } from '../meta.js';
import { networkProblem, parseSeconds, smokeImage, type SmokeResult } from '../smoke/smoke.js';
import { SmokeError } from '../smoke/inspect.js';
import { UsageError, type Io } from './io.js';
import { engineFlag, failOnFlag, imageCommandConfig, reportFormat, ruleMetas } from './shared.js';

export interface SmokeFlags {
  format?: string;
  healthPath?: string;
  stopTimeout?: string;
  startTimeout?: string;
  readOnly?: boolean;
  cmd?: string;
  /** `--env KEY=VALUE`, repeatable (commander collects them; a lone string is accepted too). */
  env?: string[] | string;
  network?: string;
  select?: string[];
  ignore?: string[];
  failOn?: string;
  config?: string;
  engine?: string;
  color?: boolean;
}

/** `--cmd '["python","worker.py"]'` (JSON, exact) or `--cmd 'python worker.py'` (split on whitespace, no shell). */
export function parseCmd(value: string): string[] {
  const text = value.trim();
  if (text.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new UsageError(`--cmd: not a JSON array of strings: ${value}`);
    }
    if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((s) => typeof s === 'string')) {
      throw new UsageError(`--cmd: not a JSON array of strings: ${value}`);
    }
    return parsed as string[];
  }
  const words = text.split(/\s+/).filter(Boolean);
  if (words.length === 0) throw new UsageError('--cmd is empty');
  return words;
}

/** `--env KEY=VALUE` (repeatable; the value may be empty or hold "="; a later KEY wins). Never echoes values in errors. */
export function parseEnv(values: readonly string[] | string | undefined): Record<string, string> | undefined {
  const list = typeof values === 'string' ? [values] : values ?? [];
  if (list.length === 0) return undefined;
  const env: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq < 0) throw new UsageError(`--env expects KEY=VALUE (got ${JSON.stringify(item)}, with no "=")`);
    const key = item.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw new UsageError(`--env expects KEY=VALUE with KEY made of letters, digits and _, not starting with a digit (got key ${JSON.stringify(key)})`);
    }
    env[key] = item.slice(eq + 1);
  }
  return env;
}

/** `--network NAME`: a network name or id; not `host` / `container:…` (smoke needs the container's own namespace). */
export function parseNetwork(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const problem = networkProblem(value.trim());
  if (problem) throw new UsageError(problem);
  return value.trim();
}

/** One line per check with its figure: what was measured, and whether the check passed. Each rule says its rows. */
export function summarize(r: SmokeResult, o: { healthPath: string; stopTimeout: number; liveness?: boolean }): string {
  const f = r.figures;
  const failed = new Set(r.findings.map((x) => x.code));
  const rows: [string, string, string, string][] = [];
  for (const rule of runtimeTable) {
    const skipped = r.notes.some((n) => n.startsWith(`${rule.code} skipped`));
    for (const row of rule.runtimeRows?.({ figures: f, settings: o, failed: failed.has(rule.code) }) ?? []) {
      // after an early exit nothing was measured, except what a row says it still shows
      const unmeasured = f.exited !== undefined && !row.afterExit;
      const status = failed.has(rule.code) ? 'FAIL' : row.judged === false || skipped || unmeasured ? 'skipped' : 'ok';
      rows.push([rule.code, row.label, unmeasured ? '-' : row.value, status]);
    }
  }
  const w1 = Math.max(...rows.map((x) => x[1].length));
  const w2 = Math.max(...rows.map((x) => x[2].length));
  const lines = [`smoke ${f.image}: ${Object.entries(f.published).map(([c, h]) => `${c}/tcp → 127.0.0.1:${h}`).join(', ') || 'no published ports'}`];
  for (const [code, what, figure, status] of rows) lines.push(`  ${code}  ${what.padEnd(w1)}  ${figure.padEnd(w2)}  ${status}`);
  for (const n of r.notes) lines.push(`note: ${n}`);
  if (f.exited) lines.push(`note: the container exited with code ${f.exited.code} after ${f.exited.seconds.toFixed(1)} s; nothing else was measured`);
  return lines.join('\n') + '\n';
}

export function runSmoke(image: string, flags: SmokeFlags, io: Io, makeEngine: () => Engine = () => createEngine(flags.engine ? { engine: flags.engine as 'docker' | 'podman' } : {})): number {
  const format = reportFormat(flags.format);
  const failOn = failOnFlag(flags.failOn);
  engineFlag(flags.engine);
  const config = imageCommandConfig(io.cwd, flags.config, io.cwd, { select: flags.select, ignore: flags.ignore, failOn });
  // no health path configured: "/" is asked, and any answer below 500 says the server is up (src/smoke/smoke.ts)
  const configured = flags.healthPath ?? (config.extra['health-path'] as string | undefined);
  const healthPath = configured ?? '/';
  if (!healthPath.startsWith('/')) throw new UsageError(`--health-path must start with "/" (got "${healthPath}")`);
  let stopTimeout: number;
  let startTimeoutMs: number | undefined;
  try {
    stopTimeout = parseSeconds(flags.stopTimeout ?? config.extra['stop-timeout'] ?? 5, '--stop-timeout');
    startTimeoutMs = flags.startTimeout !== undefined ? parseSeconds(flags.startTimeout, '--start-timeout') * 1000 : undefined;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const cmd = flags.cmd !== undefined ? parseCmd(flags.cmd) : undefined;
  const env = parseEnv(flags.env);
  const network = parseNetwork(flags.network);

  let result: SmokeResult;
  const engine = makeEngine();
  try {
    engine.version();
    result = smokeImage(engine, image, {
      healthPath: configured, stopTimeout, startTimeoutMs, readOnly: flags.readOnly, cmd, env, network,
      onProgress: format === 'text' ? (line) => io.err(`${redact(line)}\n`) : undefined,
    });
  } catch (e) {
    if (e instanceof EngineUnavailableError || e instanceof SmokeError) {
      io.err(`pyship: ${redact(e.message)}\n`);
      return 2;
    }
    throw e;
  } finally {
    engine.cleanup();
  }

  const enabled = resolveEnabled(config, everyRule);
  const findings: Finding[] = result.findings
    .filter((f) => enabled.has(f.code))
    .map((f) => ({ ...f, severity: effectiveSeverity(config, f.code, f.severity) }));
  const text = format === 'text';
  if (result.problems.length > 0) {
    // Smoke could not do its job (the container never ran): say why; no table of unmeasured figures and never a
    // report saying "no problems". A problem may quote what the container printed: masked like every other output.
    for (const p of result.problems) io.err(`pyship: ${redact(p)}\n`);
    return 1;
  }
  const report = formatReport(format, { results: [{ file: image, text: '', findings }], rules: ruleMetas(), toolVersion: VERSION }, { color: flags.color ?? io.color });
  // the summary quotes what the container printed: secret values masked like every other output
  const summary = redact(summarize({ ...result, findings }, { healthPath, stopTimeout, liveness: configured === undefined }));
  if (text) {
    io.out(summary);
    io.out(report);
  } else {
    io.out(report);
    io.err(summary);
  }
  return findings.some((f) => atOrAbove(f.severity, config.failOn)) ? 1 : 0;
}
