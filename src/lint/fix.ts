// Applies fixes as text edits: non-overlapping, in passes until stable, and only when the result re-parses as expected.
// Every step is O(size + edits log edits): a file with thousands of fixable findings must not make --fix quadratic.
import { parseDockerfile } from '../dockerfile/parse.js';
import { firstEndAfter, type Dockerfile, type Span } from '../dockerfile/model.js';
import { insertsLanded } from './fix-inserts.js';
import type { Edit, Finding, FixSafety } from './rule.js';

export interface FixResult {
  text: string;
  applied: number;
  /** What `lint` found in `text` (the result), when its last call was on it: a caller need not lint it again. */
  findings?: Finding[];
}

/**
 * The edits taken in a pass, indexed so that whether a new edit clashes with any of them costs O(log n) instead of a
 * comparison with each. Two edits clash when they overlap (`e.start < t.end && t.start < e.end`, which also puts an
 * insertion strictly inside a replacement) or start at one offset when either is an insertion.
 */
class TakenEdits {
  readonly all: Edit[] = [];
  /** Union of the non-empty edits, merged where they overlap (not where they only touch), in order. */
  private readonly covered: Span[] = [];
  /** Offsets where some taken edit starts: 2 when an insertion starts there, 1 otherwise. */
  private readonly starts = new Map<number, number>();
  /** Offsets of taken insertions, in order. */
  private readonly insertions: number[] = [];

  clashes(e: Edit): boolean {
    const at = this.starts.get(e.start);
    if (at !== undefined && (at === 2 || e.start === e.end)) return true;
    // the first covered range ending after e.start is the only one that can reach into e
    const c = this.covered[firstEndAfter(this.covered, e.start)];
    if (c && c.start < e.end) return true;
    if (e.end > e.start) {
      const k = lowerBound(this.insertions, e.start + 1);
      if (k < this.insertions.length && this.insertions[k]! < e.end) return true;
    }
    return false;
  }

  add(edits: readonly Edit[]): void {
    for (const e of edits) {
      this.all.push(e);
      const empty = e.start === e.end;
      this.starts.set(e.start, empty || this.starts.get(e.start) === 2 ? 2 : 1);
      if (empty) this.insertions.splice(lowerBound(this.insertions, e.start), 0, e.start);
      else this.cover(e.start, e.end);
    }
  }

  private cover(start: number, end: number): void {
    const k = firstEndAfter(this.covered, start);
    let s = start;
    let f = end;
    let n = 0;
    while (k + n < this.covered.length && this.covered[k + n]!.start < f) {
      s = Math.min(s, this.covered[k + n]!.start);
      f = Math.max(f, this.covered[k + n]!.end);
      n++;
    }
    // findings come in file order, so this is nearly always an append
    this.covered.splice(k, n, { start: s, end: f });
  }
}

/** Index of the first value >= `x` in a sorted array. */
function lowerBound(values: readonly number[], x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Choose the fixes whose edits don't clash with an earlier chosen one; later ones wait for the next pass. */
export function chooseEdits(findings: readonly Finding[], allow: ReadonlySet<FixSafety>): { edits: Edit[]; applied: number; chosen: Finding[] } {
  const taken = new TakenEdits();
  const chosen: Finding[] = [];
  let applied = 0;
  for (const f of findings) {
    if (!f.fix || !allow.has(f.fix.safety)) continue;
    const edits = f.fix.edits;
    if (edits.some((e) => taken.clashes(e))) continue;
    taken.add(edits);
    chosen.push(f);
    applied++;
  }
  return { edits: taken.all, applied, chosen };
}

/**
 * The text with the edits applied, built once from the untouched pieces between them. Edits at one offset land as
 * if applied one by one from the last to the first (so the first listed ends up last). Overlapping edits, which
 * chooseEdits never produces, are applied one by one like that.
 */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  const desc = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  const pieces: string[] = [];
  let cursor = 0;
  for (let k = desc.length - 1; k >= 0; k--) {
    const e = desc[k]!;
    if (e.start < cursor) return applyOneByOne(text, desc);
    pieces.push(text.slice(cursor, e.start), e.text);
    cursor = e.end;
  }
  pieces.push(text.slice(cursor));
  return pieces.join('');
}

function applyOneByOne(text: string, desc: readonly Edit[]): string {
  let out = text;
  for (const e of desc) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/** Index of the first instruction whose `at` offset is >= `offset` (instructions are in file order). */
function firstFrom(df: Dockerfile, offset: number, at: (s: { span: Span; keywordSpan: Span }) => number): number {
  let lo = 0;
  let hi = df.instructions.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (at(df.instructions[mid]!) < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The fixed text must parse with no new errors and with exactly the instructions expected: the old ones, minus those
 * an edit replaced whole, plus those that start inside inserted text. Anything else means a fix broke the file's
 * structure (e.g. text that swallowed the next instruction into a continuation). `old` is `before` parsed, when the
 * caller has it.
 */
export function verifyEdits(before: string, edits: readonly Edit[], after: string, old: Dockerfile = parseDockerfile(before)): boolean {
  return verifyParsed(old, edits, parseDockerfile(after));
}

function verifyParsed(old: Dockerfile, edits: readonly Edit[], now: Dockerfile): boolean {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  let removed = 0;
  const inserted: Span[] = [];
  let shift = 0;
  for (const e of sorted) {
    if (e.end > e.start) {
      // instructions are disjoint and in order: those inside the edit are a run starting at the first at e.start
      for (let k = firstFrom(old, e.start, (i) => i.span.start); k < old.instructions.length; k++) {
        const span = old.instructions[k]!.span;
        if (span.start >= e.end || span.end > e.end) break;
        removed++;
      }
    }
    if (e.text.length > 0) inserted.push({ start: e.start + shift, end: e.start + shift + e.text.length });
    shift += e.text.length - (e.end - e.start);
  }
  // instructions whose keyword starts inside any inserted range, each counted once: walk the ranges' union
  const union: Span[] = [];
  for (const r of [...inserted].sort((a, b) => a.start - b.start)) {
    const last = union[union.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else union.push({ ...r });
  }
  let added = 0;
  for (const r of union) {
    for (let k = firstFrom(now, r.start, (i) => i.keywordSpan.start); k < now.instructions.length; k++) {
      if (now.instructions[k]!.keywordSpan.start >= r.end) break;
      added++;
    }
  }
  const errors = (d: Dockerfile) => d.problems.filter((p) => p.level === 'error').length;
  return now.instructions.length === old.instructions.length - removed + added && errors(now) <= errors(old) && insertsLanded(old.text, old.escape, edits, now);
}

/**
 * Lint → fix → lint again until nothing changes (at most `maxPasses`). When a pass's result fails verification, the
 * fixes that fail it on their own are left out and the pass is tried again, so one fix that cannot apply here (text
 * after a trailing continuation) does not stop the others; if only their combination fails, the last good text is
 * kept. Each pass parses the new text once for verification (and `lint` once more); the parse that verified a pass is
 * the "before" of the next. `first`: what `lint` finds in `text`, when the caller has it already (checking a file
 * before fixing it), so the whole-file lint is not run twice on one text.
 */
export function fixUntilStable(
  text: string,
  lint: (text: string) => Finding[],
  allow: ReadonlySet<FixSafety>,
  maxPasses = 10,
  first?: Finding[],
): FixResult {
  let current = text;
  let parsed: Dockerfile | undefined;
  let total = 0;
  let findings: Finding[] | undefined = first;
  const refused = new Set<string>();
  const key = (f: Finding): string => `${f.code}\0${JSON.stringify(f.fix!.edits)}`;
  for (let pass = 0; pass < maxPasses; pass++) {
    findings ??= lint(current);
    const candidates = refused.size === 0 ? findings : findings.filter((f) => !f.fix || !refused.has(key(f)));
    const { edits, applied, chosen } = chooseEdits(candidates, allow);
    if (applied === 0) break;
    const next = applyEdits(current, edits);
    if (next === current) break;
    const before = (parsed ??= parseDockerfile(current));
    const now = parseDockerfile(next);
    if (!verifyParsed(before, edits, now)) {
      const bad = chosen.filter((f) => !verifyEdits(current, f.fix!.edits, applyEdits(current, f.fix!.edits), before));
      if (bad.length === 0) break;
      for (const f of bad) refused.add(key(f));
      continue; // the same text and findings, without the refused fixes
    }
    current = next;
    parsed = now;
    total += applied;
    findings = undefined;
  }
  return { text: current, applied: total, ...(findings ? { findings } : {}) };
}
