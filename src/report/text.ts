// The default, human-facing report: findings grouped by file with a code frame under each.
import pc from 'picocolors';
import type { Finding, Severity } from '../lint/rule.js';
import { LineIndex } from './lines.js';
import { maskSlice, secretSpans, widenToSpans } from '../redact.js';
import type { Span } from '../dockerfile/model.js';
import { sortFindings, tally, type ReportInput } from './types.js';

type Colors = ReturnType<typeof pc.createColors>;

/** Lines of a multi-line span shown in the frame; more would bury the next finding. */
const MAX_FRAME_LINES = 3;
const TAB = '    ';

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

function isZeroWidth(cp: number): boolean {
  return (
    (cp >= 0x0300 && cp <= 0x036f) ||
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x20d0 && cp <= 0x20ff) ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    cp === 0xfeff
  );
}

/**
 * Make file text safe and measurable for a terminal: control characters (an ESC in a Dockerfile
 * must not drive the terminal) become visible symbols, tabs a fixed run of spaces.
 * Returns the rendered text and its width in terminal cells.
 */
function render(s: string): { text: string; width: number } {
  let text = '';
  let width = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\t') {
      text += TAB;
      width += TAB.length;
    } else if (cp < 0x20) {
      text += String.fromCodePoint(0x2400 + cp);
      width += 1;
    } else if (cp === 0x7f) {
      text += '\u2421';
      width += 1;
    } else if ((cp >= 0x80 && cp < 0xa0) || (cp >= 0xd800 && cp <= 0xdfff) || cp === 0x2028 || cp === 0x2029) {
      text += '\ufffd';
      width += 1;
    } else {
      text += ch;
      width += isZeroWidth(cp) ? 0 : isWide(cp) ? 2 : 1;
    }
  }
  return { text, width };
}

const clean = (s: string) => render(s).text;

function severityLabel(c: Colors, s: Severity): string {
  if (s === 'error') return c.bold(c.red('error'));
  if (s === 'warning') return c.yellow('warning');
  return c.blue('info');
}

function tint(c: Colors, s: Severity, text: string): string {
  return s === 'error' ? c.red(text) : s === 'warning' ? c.yellow(text) : c.blue(text);
}

function frame(c: Colors, index: LineIndex, secrets: readonly Span[], f: Finding): string[] {
  const r = index.displayRange(f.span);
  const last = Math.min(r.endLine, r.line + MAX_FRAME_LINES - 1);
  const gutterWidth = String(last).length;
  const blankGutter = ' '.repeat(gutterWidth + 1) + c.dim('|');
  const out: string[] = [];
  for (let line = r.line; line <= last; line++) {
    const raw = index.lineText(line);
    // lineText drops a BOM on line 1; offsets into `raw` start where the content starts.
    const base = index.lineEnd(line) - raw.length;
    // secret values are shown as *** (the carets measure the masked text)
    const masked = (a: number, b: number): string => maskSlice(index.text, secrets, base + a, base + b);
    const shown = clean(masked(0, raw.length)).trimEnd();
    const num = String(line).padStart(gutterWidth);
    out.push(shown ? `${c.dim(`${num} |`)} ${shown}` : c.dim(`${num} |`));

    let from: number;
    let to: number;
    if (line === r.line) {
      from = Math.max(f.span.start, base) - base;
      to = r.endLine === line ? Math.max(f.span.end, f.span.start) - base : raw.length;
    } else {
      from = raw.length - raw.trimStart().length;
      to = line === r.endLine ? Math.min(f.span.end - base, raw.length) : raw.length;
    }
    from = Math.max(0, Math.min(from, raw.length));
    to = Math.max(from, Math.min(to, raw.length));
    ({ from, to } = widenToSpans(secrets, base + from, base + to));
    // a key body masked over several lines is one *** per line: stay on this line
    from = Math.max(0, from - base);
    to = Math.min(raw.length, to - base);
    const pad = render(masked(0, from)).width;
    const len = Math.max(1, render(masked(from, to)).width);
    out.push(`${blankGutter} ${' '.repeat(pad)}${tint(c, f.severity, '^'.repeat(len))}`);
  }
  if (last < r.endLine) out.push(`${blankGutter} ${c.dim('...')}`);
  return out;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function formatText(input: ReportInput, opts: { color: boolean }): string {
  const c = pc.createColors(opts.color);
  const blocks: string[] = [];
  for (const result of input.results) {
    if (result.findings.length === 0) continue;
    const index = new LineIndex(result.text);
    const secrets = secretSpans(result.text, { source: true });
    const lines = [c.bold(c.underline(clean(result.file)))];
    for (const f of sortFindings(result.findings)) {
      const p = index.position(f.span.start);
      lines.push(
        `${clean(f.file)}:${p.line}:${p.column}  ${severityLabel(c, f.severity)}  ${c.bold(f.code)}  ${clean(f.message)}`,
      );
      // image and runtime findings may come without a source text: no frame to show then
      if (result.text !== '') lines.push(...frame(c, index, secrets, f));
      if (f.fix) {
        lines.push(
          c.dim(f.fix.safety === 'safe' ? '  fix available (safe)' : '  fix available (unsafe, use --unsafe-fixes)'),
        );
      }
      lines.push('');
    }
    lines.pop();
    blocks.push(lines.join('\n'));
  }

  const t = tally(input);
  const files = plural(t.files, 'file', 'files');
  let summary: string;
  if (t.errors + t.warnings + t.infos === 0) {
    summary = c.green(`No problems found in ${files}.`);
  } else {
    const parts: string[] = [];
    if (t.errors) parts.push(c.red(plural(t.errors, 'error', 'errors')));
    if (t.warnings) parts.push(c.yellow(plural(t.warnings, 'warning', 'warnings')));
    if (t.infos) parts.push(c.blue(`${t.infos} info`));
    summary = `${parts.join(', ')} in ${files}`;
    const fixes: string[] = [];
    if (t.safeFixes) fixes.push(`${t.safeFixes} fixable with --fix`);
    if (t.unsafeFixes) fixes.push(`${t.unsafeFixes} more with --fix --unsafe-fixes`);
    if (fixes.length) summary += ` (${fixes.join(', ')})`;
  }
  blocks.push(c.bold(summary));
  return blocks.join('\n\n') + '\n';
}
