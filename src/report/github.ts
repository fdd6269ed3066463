// GitHub Actions workflow commands, so findings show up as annotations on the pull request diff.
import { LineIndex } from './lines.js';
import { sortFindings, type ReportInput } from './types.js';
import type { Severity } from '../lint/rule.js';

const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice' };

/** Same rules as @actions/core escapeData. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Same rules as @actions/core escapeProperty: ':' and ',' would end the property. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function formatGithub(input: ReportInput): string {
  let out = '';
  for (const result of input.results) {
    const index = new LineIndex(result.text);
    for (const f of sortFindings(result.findings)) {
      const r = index.displayRange(f.span);
      const props = [`file=${escapeProperty(f.file)}`, `line=${r.line}`];
      // GitHub rejects columns on annotations that span several lines.
      if (r.endLine === r.line) props.push(`col=${r.column}`, `endLine=${r.endLine}`, `endColumn=${r.endColumn}`);
      else props.push(`endLine=${r.endLine}`);
      props.push(`title=${escapeProperty(f.code)}`);
      out += `::${COMMAND[f.severity]} ${props.join(',')}::${escapeData(f.message)}\n`;
    }
  }
  return out;
}
