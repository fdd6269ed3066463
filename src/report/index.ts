// One entry point for --format, so the CLI need not know each formatter.
import { formatGithub } from './github.js';
import { formatJson } from './json.js';
import { formatJunit } from './junit.js';
import { formatSarif } from './sarif.js';
import { formatText } from './text.js';
import type { ReportInput } from './types.js';

export type Format = 'text' | 'json' | 'sarif' | 'github' | 'junit';

export const FORMATS: readonly Format[] = ['text', 'json', 'sarif', 'github', 'junit'];

export function isFormat(value: string): value is Format {
  return (FORMATS as readonly string[]).includes(value);
}

/** Colour applies to the text format only; the others are read by machines. */
export function formatReport(format: Format, input: ReportInput, opts: { color: boolean }): string {
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

export type { FileResult, ReportInput, RuleMeta } from './types.js';
export { LineIndex } from './lines.js';
