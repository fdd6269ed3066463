// GitHub Actions workflow commands, so findings show up as annotations on the pull request diff.
import { LineIndex } from './lines.js';
import { sortFindings, type ReportInput } from './types.js';
import type { Severity } from '../lint/rule.js';

const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice' };

/**
 * @actions/core's escapeData, and every other control character percent-encoded too: a file named with an ESC
 * sequence (`Dockerfile.\x1b[2J`) would otherwise reach the job log raw and drive its terminal.
 */
export function escapeData(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[%\x00-\x1f\x7f]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
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
