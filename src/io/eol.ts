// Line endings: every check and fix sees LF text, and a file is written back with the endings it had (a CRLF file
// stays CRLF, a mixed file keeps each untouched line's ending and takes its most common one for new lines).
import { diffArrays } from 'diff';

export type Eol = '\n' | '\r\n';

/** The text with every CRLF as LF, and the ending new lines take when it is written back (ties: LF). */
export function normalizeEol(text: string): { text: string; eol: Eol; mixed: boolean } {
  const crlf = countOf(text, '\r\n');
  if (crlf === 0) return { text, eol: '\n', mixed: false };
  const lf = countOf(text, '\n') - crlf;
  return { text: text.replace(/\r\n/g, '\n'), eol: crlf > lf ? '\r\n' : '\n', mixed: lf > 0 };
}

/**
 * `edited` (LF text derived from `original`'s normalized form) with `original`'s endings: one ending throughout when
 * the original had one; else each line equal to one of the original keeps that line's ending and new lines take
 * `eol`. The line diff is bounded (`maxEdits` changed lines keeps it fast on a 40,000-line file); past it, which
 * lines are untouched is unknown and every line takes `eol` (a mixed file that fixes rewrite wholesale).
 */
export function restoreEol(original: string, edited: string, eol: Eol, maxEdits = 1_000): string {
  if (!original.includes('\r\n')) return edited;
  const { mixed } = normalizeEol(original);
  if (!mixed) return edited.replace(/\n/g, '\r\n');
  // the original's lines, each with its own ending; the last one (after the final break) has none
  const oldLines = original.split('\n');
  const oldEnds = oldLines.map((l, i) => (i === oldLines.length - 1 ? '' : l.endsWith('\r') ? '\r\n' : '\n'));
  const oldKeys = oldLines.map((l, i) => (oldEnds[i] === '\r\n' ? l.slice(0, -1) : l));
  const newLines = edited.split('\n');
  const changes = diffArrays(oldKeys, newLines, { maxEditLength: maxEdits });
  const ends: Eol[] = newLines.map(() => eol);
  if (changes) {
    let o = 0;
    let n = 0;
    for (const c of changes) {
      if (c.removed) o += c.count ?? c.value.length;
      else if (c.added) n += c.count ?? c.value.length;
      else for (let k = 0; k < (c.count ?? c.value.length); k++, o++, n++) if (oldEnds[o]) ends[n] = oldEnds[o] as Eol;
    }
  }
  return newLines.map((l, i) => (i === newLines.length - 1 ? l : l + ends[i])).join('');
}

function countOf(text: string, s: string): number {
  let n = 0;
  for (let i = text.indexOf(s); i >= 0; i = text.indexOf(s, i + s.length)) n++;
  return n;
}

/** `text` (LF, no BOM) as the file it was read from would hold it: its BOM and its line endings. */
export function onDisk(read: { bom?: boolean; eol?: Eol; original?: string }, text: string): string {
  return (read.bom ? '\uFEFF' : '') + (read.original === undefined ? text : restoreEol(read.original, text, read.eol ?? '\n'));
}
