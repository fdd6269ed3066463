// One entry point for --format, so the CLI need not know each formatter.
import { formatGithub } from './github.js';
import { formatJson } from './json.js';
import { formatJunit } from './junit.js';
import { formatSarif } from './sarif.js';
import { formatText } from './text.js';
import type { ReportInput } from './types.js';
import { redact, redactWith, secretValuesOf } from '../redact.js';

export type Format = 'text' | 'json' | 'sarif' | 'github' | 'junit';

export const FORMATS: readonly Format[] = ['text', 'json', 'sarif', 'github', 'junit'];

export function isFormat(value: string): value is Format {
  return (FORMATS as readonly string[]).includes(value);
}

/** Colour applies to the text format only; the others are read by machines. */
export function formatReport(format: Format, raw: ReportInput, opts: { color: boolean }): string {
  const input = redactFindings(raw);
  switch (format) {
    case 'text':
      return formatText(input, opts);
    case 'json':
      return formatJson(input);
    case 'sarif':
      return formatSarif(input);
    case 'github':
      return formatGithub(input);
    case 'junit':
      return formatJunit(input);
  }
}

/**
 * Messages may quote what a file or a container printed, and a fix's text is file text: every format gets them with
 * secret values masked (text.ts masks its code frames itself; `--fix` itself still writes the real text).
 */
function redactFindings(input: ReportInput): ReportInput {
  return {
    ...input,
    results: input.results.map((r) => {
      const values = r.findings.length > 0 ? secretValuesOf(r.text) : [];
      return {
        ...r,
        findings: r.findings.map((f) => ({
          ...f,
          message: redactWith(f.message, values),
          // a masked edit would write *** into the file if a tool applied it: such a fix is shown without its edits
          fix: f.fix && { ...f.fix, description: redactWith(f.fix.description, values), edits: f.fix.edits.some((e) => redact(e.text, { source: true }) !== e.text) ? [] : f.fix.edits },
        })),
      };
    }),
  };
}

export type { ReportInput, RuleMeta } from './types.js';
export { LineIndex } from './lines.js';
