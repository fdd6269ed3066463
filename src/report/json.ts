// Machine-readable findings with a stable, versioned shape for scripts and editors.
import { LineIndex } from './lines.js';
import { sortFindings, tally, type ReportInput } from './types.js';

export function formatJson(input: ReportInput): string {
  const findings = [];
  for (const result of input.results) {
    const index = new LineIndex(result.text);
    for (const f of sortFindings(result.findings)) {
      const r = index.range(f.span);
      findings.push({
        code: f.code,
        severity: f.severity,
        file: f.file,
        line: r.line,
        column: r.column,
        endLine: r.endLine,
        endColumn: r.endColumn,
        message: f.message,
        fix: f.fix ? f.fix.safety : null,
      });
    }
  }
  const t = tally(input);
  const out = { version: 1, findings, summary: { files: t.files, errors: t.errors, warnings: t.warnings, infos: t.infos } };
  return JSON.stringify(out, null, 2) + '\n';
}
