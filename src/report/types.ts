// The input every report format takes (and the ordering/tallies they share), so formats agree with each other.
import type { Finding, Severity } from '../lint/rule.js';
import type { FileResult } from '../lint/results.js';

export interface RuleMeta {
  code: string;
  name: string;
  title: string;
  severity: Severity;
  why: string;
  sources: string[];
  fix?: 'safe' | 'unsafe';
  helpUri: string;
}

export interface ReportInput {
  results: FileResult[];
  rules: ReadonlyMap<string, RuleMeta>;
  toolVersion: string;
}

/** Findings in file order, by position: every format lists them the same way. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) => a.span.start - b.span.start || a.span.end - b.span.end || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
}

export interface Tally {
  files: number;
  errors: number;
  warnings: number;
  infos: number;
  safeFixes: number;
  unsafeFixes: number;
}

export function tally(input: ReportInput): Tally {
  const t: Tally = { files: input.results.length, errors: 0, warnings: 0, infos: 0, safeFixes: 0, unsafeFixes: 0 };
  for (const r of input.results) {
    for (const f of r.findings) {
      if (f.severity === 'error') t.errors++;
      else if (f.severity === 'warning') t.warnings++;
      else t.infos++;
      if (f.fix) {
        if (f.fix.safety === 'safe') t.safeFixes++;
        else t.unsafeFixes++;
      }
    }
  }
  return t;
}
