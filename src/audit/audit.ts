// `auditImage`: gather an image's facts and listing, run the image check (`checkImage`) of every enabled rule, and
// return the findings with the figures the audit report prints (layer table, base boundary, bytecode share, installed
// Python distributions and their lock comparison). Findings use the rules' codes and severities; `file` is the image
// reference, and each span points into the synthetic listing of the image (./listing.ts).
import { AREAS, type AnyRule, type Finding, type ImageSettings, type Severity } from '../lint/rule.js';
import { everyRule } from '../rules/index.js';
import { formatBytes, imageFacts, maskSecrets } from '../image/facts.js';
import type { BaseInfo } from '../image/history.js';
import type { ImageData } from '../image/model.js';
import type { Bytecode, Distribution } from '../image/python.js';
import { imageListing } from './listing.js';
import { compareLock, type LockComparison, type LockedSet } from './lock.js';

export interface AuditOptions extends Partial<ImageSettings> {
  /** The rules whose image checks run (default: the registry). */
  rules?: readonly AnyRule[];
  /** Codes to run (default: every rule with an image check that is not opt-in). */
  enabled?: ReadonlySet<string>;
  /** Severity per code (config `severity`); default: the rule's. */
  severity?: (code: string, registry: Severity) => Severity;
  /** Diff ids of a base image by name (for `org.opencontainers.image.base.name`); undefined when unknown. */
  baseLayers?: (name: string) => string[] | undefined;
  /** Locked/pinned versions of the project (from `--project`), normalized name → version. */
  locked?: LockedSet;
}

export interface LayerRow {
  index: number;
  size: number;
  wasted: number;
  files: number;
  createdBy: string;
  created: string | undefined;
  base: boolean;
}

export interface AuditResult {
  ref: string;
  /** Synthetic listing the findings' spans point into. */
  text: string;
  findings: Finding[];
  layers: LayerRow[];
  totalSize: number;
  wastedBytes: number;
  efficiency: number;
  base: BaseInfo;
  created: string | undefined;
  ageDays: number | undefined;
  bytecode: Bytecode;
  distributions: Distribution[];
  lock: LockComparison | undefined;
  notes: string[];
}

type ImageChecked = AnyRule & Required<Pick<AnyRule, 'checkImage'>>;

/** The rules with an image check, in practices.md's order (by area, then code): the order findings come in. */
export function imageChecks(rules: readonly AnyRule[]): ImageChecked[] {
  const area = (r: AnyRule): number => AREAS.indexOf(r.area);
  return rules.filter((r): r is ImageChecked => r.checkImage !== undefined)
    .sort((a, b) => area(a) - area(b) || a.code.localeCompare(b.code));
}

/** Sparse files (GNU sparse tar entries): their real size next to what their layer stores, largest first. */
function sparseNote(img: ImageData): string | undefined {
  const sparse = [...img.files.values()].filter((f) => f.entry.stored !== undefined).sort((a, b) => b.entry.size - a.entry.size);
  if (sparse.length === 0) return undefined;
  const listed = sparse.slice(0, 3).map((f) => `/${f.entry.path} ${formatBytes(f.entry.size)} (layer ${f.layer} stores ${formatBytes(f.entry.stored!)})`);
  return `sparse file${sparse.length === 1 ? '' : 's'}: ${listed.join(', ')}${sparse.length > 3 ? ` and ${sparse.length - 3} more` : ''}; layer sizes count what the layers store, and a copy or unpacker without sparse support writes the full size`;
}

/** Run every enabled image check on a read image. Pure: the image data and options in, findings and figures out. */
export function auditImage(img: ImageData, options: AuditOptions = {}): AuditResult {
  const { rules = everyRule, enabled, severity, baseLayers, locked, ...given } = options;
  const settings: ImageSettings = { ...given, now: given.now ?? new Date() };
  const checks = imageChecks(rules).filter((r) => (enabled ? enabled.has(r.code) : !r.optIn));
  const notes = [...img.notes];
  const sparse = sparseNote(img);
  if (sparse) notes.push(sparse);
  const listing = imageListing(img);
  const image = imageFacts(img, { now: settings.now, baseLayers });
  const findings: Finding[] = [];
  for (const rule of checks) {
    rule.checkImage({
      image,
      settings,
      report: (r) => {
        const sev = r.severity ?? (severity ? severity(rule.code, rule.severity) : rule.severity);
        findings.push({ code: rule.code, severity: sev, file: img.ref, span: listing.spanOf(r.at), message: r.message, fix: null });
      },
    });
  }
  const layers: LayerRow[] = img.layers.map((l) => ({
    index: l.index,
    size: l.size,
    wasted: l.wasted,
    files: l.entries.length,
    createdBy: maskSecrets(l.history?.createdBy || l.history?.comment || ''),
    created: l.history?.created,
    base: !image.own(l.index),
  }));
  return {
    ref: img.ref, text: listing.text, findings, layers, totalSize: img.totalSize, wastedBytes: img.wastedBytes, efficiency: image.efficiency,
    base: image.base, created: img.created, ageDays: image.ageDays, bytecode: image.bytecode, distributions: image.distributions,
    lock: locked ? compareLock(image.distributions, locked) : undefined, notes,
  };
}
