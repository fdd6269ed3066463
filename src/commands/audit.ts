// `pyship audit IMAGE`: flags → read the image (engine `docker save` stream, tar file or OCI layout) → auditImage →
// report (+ in text: the layer table, the base, bytecode share, Python distributions and the lock comparison).
import { resolve } from 'node:path';
import pc from 'picocolors';
import { everyRule } from '../rules/index.js';
import { atOrAbove, ConfigError, effectiveSeverity, parseSize, resolveEnabled } from '../lint/config.js';
import { formatReport } from '../report/index.js';
import { VERSION } from '../meta.js';
import { createEngine } from '../engine/engine.js';
import { EngineUnavailableError, type Engine } from '../engine/types.js';
import { readImage } from '../image/read.js';
import { CAPTURE_KEY } from '../image/archive.js';
import { layerCache } from '../image/layer-cache.js';
import { classifyImageArg, engineLayers, engineSource, ImageSourceError, type ImageSource } from '../image/source.js';
import { formatBytes } from '../image/facts.js';
import { instructionText } from '../image/history.js';
import { auditImage, type AuditResult } from '../audit/audit.js';
import { loadProject } from '../project/project.js';
import { projectPins } from '../project/python.js';
import { UsageError, type Io } from './io.js';
import { engineFlag, failOnFlag, imageCommandConfig, reportFormat, ruleMetas } from './shared.js';

export interface AuditFlags {
  format?: string;
  failOn?: string;
  select?: string[];
  ignore?: string[];
  extendSelect?: string[];
  config?: string;
  project?: string;
  staleDays?: string;
  minEfficiency?: string;
  maxWastedBytes?: string;
  maxImageSize?: string;
  engine?: string;
  color?: boolean;
}

function num(value: unknown, what: string, min: number, max: number): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`${what} must be a number from ${min} to ${max} (got ${JSON.stringify(value)})`);
  return n;
}

function size(value: unknown, what: string): number {
  try {
    return parseSize(value);
  } catch (e) {
    throw new UsageError(`${what}: ${(e as Error).message}`);
  }
}

export function formatAuditText(r: AuditResult, color: boolean): string {
  const c = pc.createColors(color);
  const lines: string[] = [];
  const w = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));
  const ws = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s);
  lines.push('', c.bold(`Layers of ${r.ref}`) + c.dim(`  (base: ${r.base.ownFrom === 0 ? 'none known' : `layers 0-${r.base.ownFrom - 1}`}; ${r.base.how})`));
  lines.push(c.dim(`  ${w('#', 3)} ${ws('size', 10)} ${ws('wasted', 10)} ${ws('files', 6)}  instruction`));
  for (const l of r.layers) {
    const by = instructionText(l.createdBy);
    const line = `  ${w(String(l.index), 3)} ${ws(formatBytes(l.size), 10)} ${ws(l.wasted > 0 ? formatBytes(l.wasted) : '-', 10)} ${ws(String(l.files), 6)}  ${l.base ? c.dim('(base) ') : ''}${by.length > 90 ? by.slice(0, 89) + '…' : by}`;
    lines.push(line);
  }
  lines.push(`  total ${formatBytes(r.totalSize)}, wasted ${formatBytes(r.wastedBytes)}, efficiency ${(r.efficiency * 100).toFixed(1)}%`);
  if (r.created) lines.push(`  created ${r.created}${r.ageDays !== undefined ? ` (${r.ageDays.toFixed(1)} days ago)` : ''}`);
  if (r.base.name) lines.push(`  base image: ${r.base.name}`);
  if (r.base.built) lines.push(`  built on the base dated ${r.base.built} (BASE_BUILT)`);
  if (r.bytecode.share !== undefined) lines.push(`  bytecode: ${r.bytecode.compiled}/${r.bytecode.py} .py files in site-packages have a .pyc (${(r.bytecode.share * 100).toFixed(0)}%)`);
  lines.push('', c.bold(`Python distributions (${r.distributions.length})`));
  let loc = '';
  for (const d of r.distributions) {
    if (d.location !== loc) {
      loc = d.location;
      lines.push(`  ${c.dim(loc)}`);
    }
    lines.push(`    ${d.name} ${d.version}`);
  }
  if (r.lock) {
    const l = r.lock;
    lines.push('', c.bold(`Compared with ${l.sources.length > 0 ? l.sources.join(', ') : 'the project (no lock file or pinned requirements found)'}`) + (l.location ? c.dim(`  (environment ${l.location})`) : ''));
    lines.push(`  ${l.matching} match, ${l.mismatched.length} other version, ${l.missing.length} not installed, ${l.extra.length} not locked`);
    for (const m of l.mismatched) lines.push(`  ${c.yellow('≠')} ${m.name}: locked ${m.locked}, installed ${m.installed}`);
    for (const m of l.missing) lines.push(`  ${c.red('-')} ${m.name} ${m.locked} not installed (dev-only?)`);
    for (const m of l.extra) lines.push(`  ${c.cyan('+')} ${m.name} ${m.installed} installed, not locked`);
  }
  for (const n of r.notes) lines.push(`note: ${n}`);
  return lines.join('\n') + '\n';
}

/**
 * Run the audit; resolves to the exit code (0/1, or 2 for usage, config, engine and unreadable-image errors, which
 * are printed here so the returned promise never rejects).
 */
export async function runAudit(image: string, flags: AuditFlags, io: Io, makeEngine: () => Engine = () => createEngine(flags.engine ? { engine: flags.engine as 'docker' | 'podman' } : {})): Promise<number> {
  try {
    return await audit(image, flags, io, makeEngine);
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError || e instanceof ImageSourceError || e instanceof EngineUnavailableError) {
      io.err(`pyship: ${e.message}\n`);
      return 2;
    }
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT' || err.code === 'EACCES' || err.code === 'EISDIR') {
      io.err(`pyship: ${err.message}\n`);
      return 2;
    }
    if (/\bsave\b.*failed \(exit \d+\)/.test(err.message ?? '')) {
      io.err(`pyship: ${err.message}\n`);
      return 2;
    }
    io.err(`pyship: internal error: ${err.message}\n${process.argv.includes('--debug') ? `${err.stack}\n` : 'Run again with --debug for details, and please report it.\n'}`);
    return 2;
  }
}

async function audit(image: string, flags: AuditFlags, io: Io, makeEngine: () => Engine): Promise<number> {
  const format = reportFormat(flags.format);
  const failOn = failOnFlag(flags.failOn);
  engineFlag(flags.engine);
  const projectDir = flags.project !== undefined ? resolve(io.cwd, flags.project) : undefined;
  const config = imageCommandConfig(io.cwd, flags.config, projectDir ?? io.cwd, { select: flags.select, ignore: flags.ignore, extendSelect: flags.extendSelect, failOn });
  const ruleList = everyRule.map((r) => ({ code: r.code, optIn: r.optIn }));
  const enabled = resolveEnabled(config, ruleList);
  const x = config.extra;
  const staleDays = num(flags.staleDays ?? x['stale-days'] ?? 7, '--stale-days', 0, 100_000);
  const minEfficiency = num(flags.minEfficiency ?? x['min-efficiency'] ?? 0.95, '--min-efficiency', 0, 1);
  const maxWastedRaw = flags.maxWastedBytes ?? x['max-wasted-bytes'];
  const maxSizeRaw = flags.maxImageSize ?? x['max-image-size'];
  const maxWastedBytes = maxWastedRaw !== undefined ? size(maxWastedRaw, 'max-wasted-bytes') : undefined;
  const maxImageSize = maxSizeRaw !== undefined ? size(maxSizeRaw, 'max-image-size') : undefined;

  const arg = classifyImageArg(image, io.cwd);
  let engine: Engine | undefined;
  let source: ImageSource;
  if (arg.kind === 'ref') {
    engine = makeEngine();
    engine.version(); // throws EngineUnavailableError with a clear message when no engine answers
    // `docker save` of a missing image only says "reference does not exist": name the image and what to do
    const info = engine.inspect(arg.ref);
    if (info === undefined) throw new ImageSourceError(`no such image: ${arg.ref} (build it, or pull it with \`${engine.binary} pull ${arg.ref}\`)`);
    source = engineSource(engine, arg.ref, info);
  } else {
    source = arg.kind === 'tar' ? { kind: 'tar', path: arg.path, ref: image } : { kind: 'oci', path: arg.path, ref: image };
  }
  // PYSHIP_NO_STORE=1: only `docker save` (what an engine on another machine, or a store this user cannot read, gives)
  const img = await readImage(source, { cache: layerCache(process.env, CAPTURE_KEY), engineStore: process.env.PYSHIP_NO_STORE !== '1' });
  const project = projectDir !== undefined ? loadProject(projectDir) : undefined;
  const locked = project ? projectPins(project) : undefined;
  const result = auditImage(img, {
    staleDays, minEfficiency,
    maxWastedBytes,
    maxImageSize,
    enabled,
    severity: (code, sev) => effectiveSeverity(config, code, sev),
    baseLayers: engine ? (name) => engineLayers(engine!, name) : undefined,
    locked,
    dockerignore: project?.dockerignore,
  });
  const report = formatReport(format, {
    results: [{ file: result.ref, text: result.text, findings: result.findings }],
    rules: ruleMetas(),
    toolVersion: VERSION,
  }, { color: flags.color ?? io.color });
  io.out(report);
  if (format === 'text') io.out(formatAuditText(result, flags.color ?? io.color));
  else for (const n of result.notes) io.err(`note: ${n}\n`);
  return result.findings.some((f) => atOrAbove(f.severity, config.failOn)) ? 1 : 0;
}
