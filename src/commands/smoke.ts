// `pyship smoke IMAGE`: flags + config → smokeImage → report (check's formats) + a summary of figures → exit code.
import { resolve } from 'node:path';
import { createEngine } from '../engine/engine.js';
import { EngineUnavailableError, type Engine } from '../engine/types.js';
import {
  atOrAbove, effectiveSeverity, findConfig, loadConfig, mergeCli, resolveEnabled, validateSelectors,
} from '../lint/config.js';
import type { Finding, Severity } from '../lint/rule.js';
import { redact } from '../redact.js';
import { formatReport, isFormat, type Format } from '../report/index.js';
import { everyRule } from '../rules/index.js';
import { VERSION } from '../meta.js';
import { networkProblem, parseSeconds, smokeImage, SmokeError, type SmokeResult } from '../smoke/smoke.js';
import { ruleMetas } from './check.js';
import { UsageError, type Io } from './io.js';

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

const SEVERITIES = ['error', 'warning', 'info'];

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

const seconds = (s: number | undefined): string => (s === undefined ? '-' : `${s.toFixed(2)} s`);

/** One line per check with its figure: what was measured, and whether the check passed. */
export function summarize(r: SmokeResult, o: { healthPath: string; stopTimeout: number; liveness?: boolean }): string {
  const f = r.figures;
  const failed = new Set(r.findings.map((x) => x.code));
  // A non-HTTP image skips the HTTP checks; its HEALTHCHECK, when smoke ran it, still decides OPS008.
  const hcJudged = !f.http && f.healthcheckExit !== undefined;
  const skipped = (code: string): boolean => r.notes.some((n) => n.startsWith(`${code} skipped`)) || (!f.http && ['OPS008', 'OPS009', 'APP004', 'APP008'].includes(code) && !(hcJudged && code === 'OPS008'));
  const rows: [string, string, string, string][] = [];
  const row = (code: string, what: string, figure: string, measured = true): void => {
    const exitedEarly = f.exited !== undefined && code !== 'DBG001' && !(code === 'SEC004' && failed.has(code));
    rows.push([code, what, exitedEarly ? '-' : figure, failed.has(code) ? 'FAIL' : !measured || skipped(code) || exitedEarly ? 'skipped' : 'ok']);
  };
  row('SEC001', `uid of PID 1${f.pid1 ? ` (${f.pid1})` : ''}`, f.uid === undefined ? 'unknown' : String(f.uid), f.uid !== undefined);
  row('SEC003', 'listening addresses', f.listening.length ? f.listening.join(', ') : 'none');
  row('OPS001', 'reachable from outside', f.listening.length ? (f.listening.some((a) => !/^(127\.|\[::1\]|::ffff:127\.)/.test(a)) ? 'yes' : 'no (loopback only)') : 'nothing listens', f.listening.length > 0);
  row('SEC004', 'serves with --cap-drop=ALL', failed.has('SEC004') ? 'no (runs with capabilities)' : f.secondsToHealthy !== undefined ? 'yes' : 'runs (no healthy answer)');
  row('DBG001', 'printed at start', `${f.logBytes ?? 0} bytes`);
  if (f.http) {
    const via = f.healthyVia === 'http' ? `GET ${o.healthPath} answered ${o.liveness ? 'below 500' : '2xx'}` : f.healthyVia === 'healthcheck' ? 'HEALTHCHECK passed' : 'never';
    const hc = f.healthcheckExit !== undefined ? `; HEALTHCHECK command exit ${f.healthcheckExit}` : '';
    row('OPS008', 'healthy', `${via}${hc}`);
    row('OPS009', 'seconds to healthy', seconds(f.secondsToHealthy), f.secondsToHealthy !== undefined);
    row('APP004', 'health while a request is held', f.heldRequestSeconds === undefined ? '-' : `${seconds(f.heldRequestSeconds)}${f.heldRequestStatus ? ` (HTTP ${f.heldRequestStatus})` : ' (no answer)'}`, f.heldRequestSeconds !== undefined);
    row('APP008', f.portEnv ? `PORT=${f.portEnv.port}` : 'PORT', f.portEnv ? (f.portEnv.listening ? 'listens there' : `listens on ${f.portEnv.sockets.join(', ') || 'nothing'}`) : '-', f.portEnv !== undefined);
  } else {
    if (hcJudged) {
      const via = f.healthyVia === 'healthcheck' ? `HEALTHCHECK passed after ${seconds(f.secondsToHealthy)}` : 'not healthy in the start window';
      row('OPS008', 'healthy (HEALTHCHECK)', `${via}; command exit ${f.healthcheckExit}${f.healthStatus ? `; engine: ${f.healthStatus}` : ''}`);
    }
    for (const code of ['OPS008', 'OPS009', 'APP004', 'APP008']) if (!(hcJudged && code === 'OPS008')) row(code, 'HTTP check', 'non-HTTP image', false);
  }
  row('OPS006', 'orphans reaped', f.orphans ? `${f.orphans.reaped}/${f.orphans.created} (${f.orphans.zombies} zombie${f.orphans.zombies === 1 ? '' : 's'})` : '-', f.orphans !== undefined);
  row('OPS005', 'seconds to stop', f.secondsToStop === undefined ? '-' : `${seconds(f.secondsToStop)} (limit ${o.stopTimeout} s${f.stopExitCode !== undefined ? `, exit ${f.stopExitCode}` : ''})`, f.secondsToStop !== undefined);
  row('APP005', "python -c 'print(1)'", f.otherCommandOutput === undefined ? '-' : JSON.stringify(f.otherCommandOutput), f.otherCommandOutput !== undefined);
  const w1 = Math.max(...rows.map((x) => x[1].length));
  const w2 = Math.max(...rows.map((x) => x[2].length));
  const lines = [`smoke ${f.image}: ${Object.entries(f.published).map(([c, h]) => `${c}/tcp → 127.0.0.1:${h}`).join(', ') || 'no published ports'}`];
  for (const [code, what, figure, status] of rows) lines.push(`  ${code}  ${what.padEnd(w1)}  ${figure.padEnd(w2)}  ${status}`);
  for (const n of r.notes) lines.push(`note: ${n}`);
  if (f.exited) lines.push(`note: the container exited with code ${f.exited.code} after ${f.exited.seconds.toFixed(1)} s; nothing else was measured`);
  return lines.join('\n') + '\n';
}

export function runSmoke(image: string, flags: SmokeFlags, io: Io, makeEngine: () => Engine = () => createEngine(flags.engine ? { engine: flags.engine as 'docker' | 'podman' } : {})): number {
  const format = flags.format ?? 'text';
  if (!isFormat(format)) throw new UsageError(`--format must be one of text, json, sarif, github, junit (got "${format}")`);
  if (flags.failOn !== undefined && !SEVERITIES.includes(flags.failOn)) throw new UsageError(`--fail-on must be error, warning or info (got "${flags.failOn}")`);
  if (flags.engine !== undefined && flags.engine !== 'docker' && flags.engine !== 'podman') throw new UsageError(`--engine must be docker or podman (got "${flags.engine}")`);
  const known = new Set(everyRule.map((r) => r.code));
  for (const [name, codes] of [['--select', flags.select], ['--ignore', flags.ignore]] as const) {
    if (codes) validateSelectors(codes, known, name);
  }
  const file = flags.config ? resolve(io.cwd, flags.config) : findConfig(io.cwd);
  const config = mergeCli(loadConfig(file, known), { select: flags.select, ignore: flags.ignore, failOn: flags.failOn as Severity | undefined });
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
  const report = formatReport(format as Format, { results: [{ file: image, text: '', findings }], rules: ruleMetas(), toolVersion: VERSION }, { color: flags.color ?? io.color });
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
