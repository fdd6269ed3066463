// Applies fixes as text edits: non-overlapping, in passes until stable, and only when the result re-parses as expected.
import { parseDockerfile } from '../dockerfile/parse.js';
import type { Edit, Finding, FixSafety } from './rule.js';

export interface FixResult {
  text: string;
  applied: number;
}

/** Choose the fixes whose edits don't overlap an earlier chosen one; later ones wait for the next pass. */
function chooseEdits(findings: readonly Finding[], allow: ReadonlySet<FixSafety>): { edits: Edit[]; applied: number } {
  const taken: Edit[] = [];
  let applied = 0;
  for (const f of findings) {
    if (!f.fix || !allow.has(f.fix.safety)) continue;
    const edits = f.fix.edits;
    const clash = edits.some((e) => taken.some((t) => (e.start < t.end && t.start < e.end) || (e.start === t.start && (e.start === e.end || t.start === t.end))));
    if (clash) continue;
    taken.push(...edits);
    applied++;
  }
  return { edits: taken, applied };
}

export function applyEdits(text: string, edits: readonly Edit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start || b.end - a.end)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

function parseErrors(text: string): number {
  return parseDockerfile(text).problems.filter((p) => p.level === 'error').length;
}

/**
 * The fixed text must parse with no new errors and with exactly the instructions expected: the old ones, minus those
 * an edit replaced whole, plus those an edit inserted. Anything else means a fix broke the file's structure.
 */
export function verifyEdits(before: string, edits: readonly Edit[], after: string): boolean {
  const df = parseDockerfile(before);
  let expected = df.instructions.length;
  for (const e of edits) {
    expected -= df.instructions.filter((i) => i.span.start >= e.start && i.span.end <= e.end).length;
    if (/\S/.test(e.text)) expected += parseDockerfile(e.text.trim()).instructions.length;
  }
  const parsed = parseDockerfile(after);
  return parsed.instructions.length === expected && parseErrors(after) <= df.problems.filter((p) => p.level === 'error').length;
}

/**
 * Lint → fix → lint again until nothing changes (at most `maxPasses`). A pass whose result fails verification is
 * dropped and the last good text kept.
 */
export function fixUntilStable(
  text: string,
  lint: (text: string) => Finding[],
  allow: ReadonlySet<FixSafety>,
  maxPasses = 10,
): FixResult {
  let current = text;
  let total = 0;
  for (let pass = 0; pass < maxPasses; pass++) {
    const { edits, applied } = chooseEdits(lint(current), allow);
    if (applied === 0) break;
    const next = applyEdits(current, edits);
    if (next === current || !verifyEdits(current, edits, next)) break;
    current = next;
    total += applied;
  }
  return { text: current, applied: total };
}
