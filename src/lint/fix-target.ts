// --fix and --diff for one checked file: fix its text until stable, then deliver it: a patch (--diff), the fixed text
// (stdin), or an atomic write in place; what could not be fixed or written is a note, never an error that ends the run.
import { createTwoFilesPatch } from 'diff';
import { onDisk } from '../io/eol.js';
import type { ReadText } from '../io/read.js';
import { writeAtomic, WriteError, WriteRefused } from '../io/write.js';
import { fixUntilStable } from './fix.js';
import type { Finding, FixSafety } from './rule.js';
import type { Target } from './targets.js';

export interface FixRequest {
  fix?: 'safe' | 'unsafe';
  diff?: boolean;
  /** --force-write: fix read-only files too. */
  forceWrite?: boolean;
}

/** What a run reports beside its findings: fixing writes most of it; every step may add a note. */
export interface FixLog {
  /** --diff's patches, or a fixed stdin's text. */
  diffs: string[];
  fixedFiles: string[];
  notes: string[];
  /** Files whose fixes the system refused to write (permissions, read-only or full file system). */
  unwritten: string[];
}

/**
 * Fix a target's text (`findings`: what `lint` found in it) as asked. Returns the text and findings to report: the
 * fixed ones once written, else the original's. `within` is the directory a write must stay inside.
 */
export function fixTarget(
  t: Target, read: ReadText, findings: Finding[], lint: (text: string) => Finding[], how: FixRequest, within: () => string, log: FixLog,
): { text: string; findings: Finding[] } {
  const text = read.text;
  if (read.lossy) {
    log.notes.push(`${t.display}: not fixed: the file is not valid UTF-8`);
    return { text, findings };
  }
  const allow = new Set<FixSafety>(how.fix === 'unsafe' ? ['safe', 'unsafe'] : ['safe']);
  // findings in other files have no fix, so they don't take part; the findings of the text are reused
  const fixed = fixUntilStable(text, lint, allow, undefined, findings);
  if (fixed.text === text) return { text, findings };
  if (how.diff) {
    log.diffs.push(createTwoFilesPatch(t.display, t.display, onDisk(read, text), onDisk(read, fixed.text), '', '', { context: 3 }));
    return { text, findings };
  }
  if (!t.path) {
    // stdin: print the fixed text instead of writing
    log.diffs.push(onDisk(read, fixed.text));
    return { text, findings };
  }
  if (!writeFixed(t, onDisk(read, fixed.text), how, within(), log)) return { text, findings };
  return { text: fixed.text, findings: fixed.findings ?? lint(fixed.text) };
}

/** Write a fixed file atomically (its BOM, line endings and mode kept; a link fixed at its target); false if not. */
function writeFixed(t: Target, content: string, how: FixRequest, within: string, log: FixLog): boolean {
  try {
    writeAtomic(t.path!, content, {
      within, shown: t.display, writeReadOnly: how.forceWrite, readOnlyHint: 'pass --force-write to fix it anyway (its mode is kept)',
    });
    log.fixedFiles.push(t.display);
    return true;
  } catch (e) {
    if (e instanceof WriteRefused) log.notes.push(`${t.display}: not fixed: ${e.reason}`);
    else if (e instanceof WriteError) {
      // the system refused the write: say so, check the other files, exit 2 at the end
      log.notes.push(`pyship: ${e.message}`);
      log.unwritten.push(t.display);
    } else throw e;
    return false;
  }
}
