// Applies fixes as text edits: non-overlapping, in passes until stable, and only when the result re-parses as expected.
import { parseDockerfile } from '../dockerfile/parse.js';
import { insertsLanded } from './fix-inserts.js';
import type { Edit, Finding, FixSafety } from './rule.js';

export interface FixResult {
  text: string;
  applied: number;
}

/** Choose the fixes whose edits don't overlap an earlier chosen one; later ones wait for the next pass. */
function chooseEdits(findings: readonly Finding[], allow: ReadonlySet<FixSafety>): { edits: Edit[]; applied: number; chosen: Finding[] } {
  const taken: Edit[] = [];
  const chosen: Finding[] = [];
  let applied = 0;
  for (const f of findings) {
    if (!f.fix || !allow.has(f.fix.safety)) continue;
    const edits = f.fix.edits;
    const clash = edits.some((e) => taken.some((t) => (e.start < t.end && t.start < e.end) || (e.start === t.start && (e.start === e.end || t.start === t.end))));
    if (clash) continue;
    taken.push(...edits);
    chosen.push(f);
    applied++;
  }
  return { edits: taken, applied, chosen };
}

export function applyEdits(text: string, edits: readonly Edit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start || b.end - a.end)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/**
 * The fixed text must parse with no new errors and with exactly the instructions expected: the old ones, minus those
 * an edit replaced whole, plus those that start inside inserted text. Anything else means a fix broke the file's
 * structure (e.g. text that swallowed the next instruction into a continuation, or text swallowed by one).
 */
export function verifyEdits(before: string, edits: readonly Edit[], after: string): boolean {
  const old = parseDockerfile(before);
  const now = parseDockerfile(after);
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  let removed = 0;
  const inserted: { start: number; end: number }[] = [];
  let shift = 0;
  for (const e of sorted) {
    removed += old.instructions.filter((i) => i.span.start >= e.start && i.span.end <= e.end && e.end > e.start).length;
    inserted.push({ start: e.start + shift, end: e.start + shift + e.text.length });
    shift += e.text.length - (e.end - e.start);
  }
  const added = now.instructions.filter((i) => inserted.some((r) => i.keywordSpan.start >= r.start && i.keywordSpan.start < r.end)).length;
  const errors = (d: typeof old) => d.problems.filter((p) => p.level === 'error').length;
  return now.instructions.length === old.instructions.length - removed + added && errors(now) <= errors(old) && insertsLanded(before, old.escape, edits, now);
}

/**
 * Lint → fix → lint again until nothing changes (at most `maxPasses`). When a pass's result fails verification, the
 * fixes that fail it on their own are left out and the pass is tried again, so one fix that cannot apply here (text
 * after a trailing continuation) does not stop the others; if only their combination fails, the last good text is kept.
 */
export function fixUntilStable(
  text: string,
  lint: (text: string) => Finding[],
  allow: ReadonlySet<FixSafety>,
  maxPasses = 10,
): FixResult {
  let current = text;
  let total = 0;
  const refused = new Set<string>();
  const key = (f: Finding) => `${f.code}\0${JSON.stringify(f.fix!.edits)}`;
  for (let pass = 0; pass < maxPasses; pass++) {
    const findings = refused.size === 0 ? lint(current) : lint(current).filter((f) => !f.fix || !refused.has(key(f)));
    const { edits, applied, chosen } = chooseEdits(findings, allow);
    if (applied === 0) break;
    const next = applyEdits(current, edits);
    if (next === current) break;
    if (!verifyEdits(current, edits, next)) {
      const bad = chosen.filter((f) => !verifyEdits(current, f.fix!.edits, applyEdits(current, f.fix!.edits)));
      if (bad.length === 0) break;
      for (const f of bad) refused.add(key(f));
      continue;
    }
    current = next;
    total += applied;
  }
  return { text: current, applied: total };
}
