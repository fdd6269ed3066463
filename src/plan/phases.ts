// The guide's eight phases of adoption, as data: copied from practices.md, section "Phased plan".
import type { Scope } from '../lint/rule.js';

export interface PhaseSpec {
  number: number;
  name: string;
  /** As written in practices.md: codes and ranges such as `SEC009–SEC012`, in the guide's order. */
  items: readonly string[];
}

/** practices.md "Phased plan", item for item (ranges use the en dash, as there). */
export const PHASE_SPECS: readonly PhaseSpec[] = [
  { number: 1, name: 'It works', items: ['REP001', 'FAST001', 'OPS001', 'DBG001', 'OPS002', 'OPS007'] },
  { number: 2, name: 'Basic security', items: ['SEC003', 'SEC001', 'SEC004', 'SEC005', 'SEC009–SEC012', 'SIZE002'] },
  { number: 3, name: 'CI', items: ['CI003', 'CI004', 'SEC006', 'SEC008', 'CI005'] },
  { number: 4, name: 'Debuggable', items: ['DBG002', 'DBG003', 'CI001', 'DBG004'] },
  { number: 5, name: 'Correct operation', items: ['OPS003–OPS006', 'OPS008', 'APP004', 'OPS009', 'APP006–APP009'] },
  { number: 6, name: 'Reproducible', items: ['REP002–REP006', 'SEC007'] },
  { number: 7, name: 'Faster builds', items: ['FAST002–FAST005'] },
  { number: 8, name: 'Smaller images', items: ['SIZE001–SIZE006', 'MS001–MS004'] },
];

/**
 * The guide's title and "where" column for every code in the phases (practices.md tables): the fallback title for a
 * code that has no rule yet, and the scope that says whether `pyship check` could ever see it (D/P) or only
 * `pyship audit`/`smoke` can (I/R).
 */
export const GUIDE_CODES: Readonly<Record<string, { title: string; scope: readonly Scope[] }>> = {
  SEC001: { title: "Don't run as root", scope: ['D', 'I', 'R'] },
  SEC003: { title: "Don't listen on ports < 1024", scope: ['D', 'I', 'R'] },
  SEC004: { title: 'Run with no capabilities', scope: ['P', 'I', 'R'] },
  SEC005: { title: 'Update system packages', scope: ['D'] },
  SEC006: { title: 'Rebuild without cache weekly', scope: ['P', 'I'] },
  SEC007: { title: 'Get told about security fixes', scope: ['P'] },
  SEC008: { title: 'Run security scanners in CI', scope: ['P'] },
  SEC009: { title: "Don't leak build secrets", scope: ['D', 'P', 'I'] },
  SEC010: { title: 'Clone private repos with ssh forwarding', scope: ['D'] },
  SEC011: { title: "Don't disable host key checking", scope: ['D'] },
  SEC012: { title: "Don't disable TLS verification", scope: ['D'] },
  CI001: { title: 'Smoke-test the image in CI', scope: ['P'] },
  CI003: { title: 'Tag by branch and commit', scope: ['P', 'I'] },
  CI004: { title: "Don't rely on `latest`", scope: ['P'] },
  CI005: { title: 'Warm the build cache', scope: ['P'] },
  DBG001: { title: 'Logs to stdout/stderr', scope: ['D', 'P', 'R'] },
  DBG002: { title: 'Prepare for C crashes', scope: ['D', 'I'] },
  DBG003: { title: 'Record revision and branch', scope: ['P', 'I'] },
  DBG004: { title: 'Debug tools', scope: ['I'] },
  OPS001: { title: 'Listen on 0.0.0.0', scope: ['D', 'R'] },
  OPS002: { title: 'Shell scripts: strict mode + shellcheck', scope: ['D', 'P'] },
  OPS003: { title: 'Exec form for ENTRYPOINT/CMD', scope: ['D'] },
  OPS004: { title: 'Entrypoint scripts end in `exec`', scope: ['D', 'P'] },
  OPS005: { title: 'Fast shutdown', scope: ['D', 'R'] },
  OPS006: { title: 'An init process', scope: ['D', 'I', 'R'] },
  OPS007: { title: 'Non-interactive apt', scope: ['D'] },
  OPS008: { title: 'Health checks', scope: ['D', 'I', 'R'] },
  OPS009: { title: 'Pre-compiled bytecode', scope: ['D', 'I', 'R'] },
  REP001: { title: 'Tag the base image', scope: ['D'] },
  REP002: { title: 'Pin the OS release', scope: ['D'] },
  REP003: { title: 'Digest pin', scope: ['D'] },
  REP004: { title: 'Pin Python dependencies', scope: ['D', 'P'] },
  REP005: { title: 'Hashes', scope: ['P'] },
  REP006: { title: 'Update pins monthly', scope: ['P'] },
  FAST001: { title: "Don't use Alpine for Python", scope: ['D'] },
  FAST002: { title: 'COPY only when needed', scope: ['D'] },
  FAST003: { title: 'ARG only when needed', scope: ['D'] },
  FAST004: { title: 'Install dependencies before copying code', scope: ['D'] },
  FAST005: { title: 'Cache mounts', scope: ['D'] },
  SIZE001: { title: 'Find large layers', scope: ['I'] },
  SIZE002: { title: '.dockerignore', scope: ['D', 'P', 'I'] },
  SIZE003: { title: 'No extra chowns', scope: ['D', 'I'] },
  SIZE004: { title: 'Minimal system packages, cleaned in the same RUN', scope: ['D', 'I'] },
  SIZE005: { title: 'No pip cache in the image', scope: ['D', 'I'] },
  SIZE006: { title: 'Ship no build artefacts', scope: ['I'] },
  APP004: { title: 'Health checks vs slow requests', scope: ['D', 'P', 'R'] },
  APP006: { title: 'gunicorn in containers', scope: ['D', 'P'] },
  APP007: { title: 'uWSGI in containers', scope: ['D', 'P'] },
  APP008: { title: 'Respect `$PORT`', scope: ['P'] },
  APP009: { title: 'No development servers in production', scope: ['D', 'P'] },
  MS001: { title: 'No build tools at run time', scope: ['D', 'I'] },
  MS002: { title: 'Copy the venv, not site-packages', scope: ['D'] },
  MS003: { title: 'Cache every stage', scope: ['P'] },
  MS004: { title: 'BuildKit', scope: ['P'] },
};

const CODE = /^([A-Z]+)(\d+)$/;

/** `SEC009–SEC012` → SEC009, SEC010, SEC011, SEC012 (en dash or hyphen); a single code → itself. */
export function expandItem(item: string): string[] {
  const parts = item.split(/\s*[–-]\s*/);
  if (parts.length === 1) return [item];
  const a = CODE.exec(parts[0]!);
  const b = CODE.exec(parts[1]!);
  if (parts.length !== 2 || !a || !b || a[1] !== b[1] || a[2]!.length !== b[2]!.length || Number(a[2]) > Number(b[2])) {
    throw new Error(`bad code range "${item}"`);
  }
  const width = a[2]!.length;
  const out: string[] = [];
  for (let n = Number(a[2]); n <= Number(b[2]); n++) out.push(`${a[1]}${String(n).padStart(width, '0')}`);
  return out;
}

export interface Phase {
  number: number;
  name: string;
  /** Every code of the phase, ranges expanded, in the guide's order. */
  codes: readonly string[];
}

export const PHASES: readonly Phase[] = PHASE_SPECS.map((p) => ({
  number: p.number,
  name: p.name,
  codes: p.items.flatMap(expandItem),
}));
