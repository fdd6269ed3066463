// Text a fix inserts at the start of a line must become the instructions it holds: inserted into an unterminated
// heredoc or after a trailing continuation it is swallowed, and the fix would "apply" on every pass without effect
// (or, worse, turn `RUN useradd …` into words of the previous RUN's script). verifyEdits refuses such a fix.
import { parseDockerfile } from '../dockerfile/parse.js';
import type { Dockerfile } from '../dockerfile/model.js';
import type { Edit } from './rule.js';

/** Does every edit inserted at a line start yield, in the fixed file `now`, at least the instructions its text holds? */
export function insertsLanded(before: string, escape: string, edits: readonly Edit[], now: Dockerfile): boolean {
  let shift = 0;
  let k = 0; // edits and instructions are both in file order: one walk over each
  for (const e of [...edits].sort((a, b) => a.start - b.start)) {
    const start = e.start + shift;
    const end = start + e.text.length;
    shift += e.text.length - (e.end - e.start);
    const wanted = instructionsHeld(before, e, escape);
    if (wanted === 0) continue;
    while (k < now.instructions.length && now.instructions[k]!.keywordSpan.start < start) k++;
    let found = 0;
    while (k < now.instructions.length && now.instructions[k]!.keywordSpan.start < end) (found++, k++);
    if (found < wanted) return false;
  }
  return true;
}

/** The instructions an edit's text holds when it goes at the start of a line (0 when it goes mid-line). */
function instructionsHeld(before: string, e: Edit, escape: string): number {
  if (/^\s*$/.test(e.text)) return 0;
  if (!/^\r?\n/.test(e.text)) {
    // only blanks (or a BOM) between the line's start and the edit: walk back to the first other character
    for (let i = e.start - 1; i >= 0 && before[i] !== '\n'; i--) if (!/[\s\ufeff]/.test(before[i]!)) return 0;
  }
  const head = escape === '\\' ? '' : `# escape=${escape}\n`;
  return parseDockerfile(head + e.text).instructions.filter((i) => i.known).length;
}
