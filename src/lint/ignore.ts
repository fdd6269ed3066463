// Inline suppression comments (`# pyship: ignore=…`, hadolint's `# hadolint ignore=…`): parse them, filter findings, report dead ones.
import type { Comment, Dockerfile, Span } from '../dockerfile/model.js';
import type { Finding } from './rule.js';

export type SuppressionKind = 'next' | 'file' | 'stage';

export interface Suppression {
  /** Upper-cased codes as written (may include "ALL"), without duplicates. */
  codes: string[];
  kind: SuppressionKind;
  commentSpan: Span;
  /** What it covers: the next instruction, the stage, or the whole file. */
  target?: Span;
  /** Codes (as listed in `codes`) that suppressed at least one finding. */
  used: Set<string>;
  /** Span of each entry of `codes` in the file, so an unused one can be pointed at (and removed by a fix). */
  codeSpans?: Span[];
  /** Text after `--`, when given. */
  reason?: string;
  /** hadolint pragmas exist for hadolint too, so they are never reported as unused. Default 'pyship'. */
  origin?: 'pyship' | 'hadolint';
}

export interface SuppressionProblem {
  message: string;
  span: Span;
}

const KEYWORDS: Record<string, SuppressionKind> = { ignore: 'next', 'ignore-file': 'file', 'ignore-stage': 'stage' };
const CODE_RE = /^[A-Z]+[0-9]*$/;

interface ParsedPragma {
  kind: SuppressionKind;
  codes: string[];
  codeSpans: Span[];
  reason?: string;
  origin: 'pyship' | 'hadolint';
}

/** The comment's text after '#', with the file offset of its first character (spans of codes need exact offsets). */
function commentBody(df: Dockerfile, c: Comment): { body: string; base: number } {
  const raw = df.text.slice(c.span.start, c.span.end);
  const hash = raw.indexOf('#');
  if (hash < 0) return { body: c.text, base: c.span.start };
  return { body: raw.slice(hash + 1).replace(/\r?\n$/, ''), base: c.span.start + hash + 1 };
}

function parsePyship(body: string, base: number, span: Span): ParsedPragma | SuppressionProblem | undefined {
  const head = /^\s*pyship\s*:/i.exec(body);
  if (!head) {
    // "# pyship ignore=X" is clearly meant as a pragma; "# pyship builds this image" is not.
    if (/^\s*pyship\s+ignore(?:-file|-stage)?\b/i.test(body)) {
      return { message: 'malformed suppression comment: expected `# pyship: ignore=CODE` (missing ":")', span };
    }
    return undefined;
  }
  let pos = head[0].length;
  const rest = body.slice(pos);
  const kw = /^\s*([A-Za-z][\w-]*)/.exec(rest);
  if (!kw) {
    return { message: 'empty `# pyship:` comment: expected `ignore=CODE[,CODE…]`, `ignore-file=…` or `ignore-stage=…`', span };
  }
  const keyword = kw[1]!.toLowerCase();
  const kind = KEYWORDS[keyword];
  if (kind === undefined) {
    return {
      message: `unknown pyship directive \`${kw[1]}\`: expected \`ignore=\`, \`ignore-file=\` or \`ignore-stage=\``,
      span,
    };
  }
  pos += kw[0].length;
  const eq = /^\s*=/.exec(body.slice(pos));
  if (!eq) {
    return { message: `malformed suppression \`# pyship: ${keyword}\`: expected \`${keyword}=CODE[,CODE…]\``, span };
  }
  pos += eq[0].length;

  let codesText = body.slice(pos);
  let reason: string | undefined;
  const dash = codesText.indexOf('--');
  if (dash >= 0) {
    reason = codesText.slice(dash + 2).trim() || undefined;
    codesText = codesText.slice(0, dash);
  }

  const codes: string[] = [];
  const codeSpans: Span[] = [];
  let offset = pos;
  for (const part of codesText.split(',')) {
    const lead = part.length - part.trimStart().length;
    const token = part.trim();
    const start = base + offset + lead;
    offset += part.length + 1;
    if (token === '') continue; // tolerate "A,,B" and a trailing comma
    const code = token.toUpperCase();
    if (!CODE_RE.test(code)) {
      const hint = /\s/.test(token) ? ' (separate codes with "," and put a reason after "--")' : '';
      return { message: `invalid code \`${token}\` in \`# pyship: ${keyword}=\`${hint}`, span: { start, end: start + token.length } };
    }
    if (codes.includes(code)) continue;
    codes.push(code);
    codeSpans.push({ start, end: start + token.length });
  }
  if (codes.length === 0) {
    return { message: `\`# pyship: ${keyword}=\` names no codes: expected \`${keyword}=CODE[,CODE…]\``, span };
  }
  return reason === undefined ? { kind, codes, codeSpans, origin: 'pyship' } : { kind, codes, codeSpans, reason, origin: 'pyship' };
}

/**
 * hadolint's `# hadolint ignore=DL3008,SC2086` (next instruction) and `# hadolint global ignore=…` (file), translated
 * through dlMap. Anything hadolint-specific that does not parse or map is hadolint's business: dropped silently.
 */
function parseHadolint(body: string, base: number, dlMap: ReadonlyMap<string, string>): ParsedPragma | undefined {
  const m = /^(\s*hadolint\s+(global\s+)?ignore\s*=\s*)([^#]*)/i.exec(body);
  if (!m) return undefined;
  const codes: string[] = [];
  const codeSpans: Span[] = [];
  const idRe = /[A-Za-z]+[0-9]+/g;
  // Only the leading comma-separated id list counts; hadolint has no reason syntax, so stop at free text.
  const list = /^[A-Za-z]+[0-9]+(?:\s*,\s*[A-Za-z]+[0-9]+)*/.exec(m[3]!);
  if (!list) return undefined;
  for (const id of list[0].matchAll(idRe)) {
    const code = dlMap.get(id[0].toUpperCase());
    if (code === undefined || codes.includes(code.toUpperCase())) continue;
    const start = base + m[1]!.length + id.index!;
    codes.push(code.toUpperCase());
    codeSpans.push({ start, end: start + id[0].length });
  }
  if (codes.length === 0) return undefined;
  return { kind: m[2] ? 'file' : 'next', codes, codeSpans, origin: 'hadolint' };
}

function keywordOf(kind: SuppressionKind): string {
  return kind === 'next' ? 'ignore' : kind === 'file' ? 'ignore-file' : 'ignore-stage';
}

/** Every suppression comment in the file, with what it covers; malformed pyship comments become problems. */
export function parseSuppressions(
  df: Dockerfile,
  dlMap: ReadonlyMap<string, string> = new Map(),
): { suppressions: Suppression[]; problems: SuppressionProblem[] } {
  const suppressions: Suppression[] = [];
  const problems: SuppressionProblem[] = [];
  const instructions = [...df.instructions].sort((a, b) => a.span.start - b.span.start);
  const stageStarts = df.stages.map((s) => s.from.span.start).sort((a, b) => a - b);

  for (const comment of df.comments) {
    const { body, base } = commentBody(df, comment);
    const parsed = parsePyship(body, base, comment.span) ?? parseHadolint(body, base, dlMap);
    if (parsed === undefined) continue;
    if (!('kind' in parsed)) {
      problems.push(parsed);
      continue;
    }

    let target: Span | undefined;
    if (parsed.kind === 'file') {
      target = { start: 0, end: df.text.length };
    } else if (parsed.kind === 'next') {
      // Inside a RUN continuation the pragma can only mean the instruction it sits in.
      const inst = comment.inContinuation
        ? instructions.find((i) => i.span.start <= comment.span.start && comment.span.start < i.span.end)
        : instructions.find((i) => i.span.start >= comment.span.end);
      if (inst) target = { start: inst.span.start, end: inst.span.end };
    } else {
      const k = stageStarts.findIndex((s) => s >= comment.span.end);
      if (k >= 0) target = { start: stageStarts[k]!, end: stageStarts[k + 1] ?? df.text.length };
    }
    if (target === undefined) {
      // A hadolint pragma that points nowhere is hadolint's problem, not ours.
      if (parsed.origin === 'pyship') {
        const what = parsed.kind === 'stage' ? 'a FROM' : 'an instruction';
        problems.push({ message: `\`# pyship: ${keywordOf(parsed.kind)}=\` is not followed by ${what}`, span: comment.span });
      }
      continue;
    }

    const s: Suppression = {
      codes: parsed.codes,
      kind: parsed.kind,
      commentSpan: comment.span,
      target,
      used: new Set(),
      codeSpans: parsed.codeSpans,
      origin: parsed.origin,
    };
    if (parsed.reason !== undefined) s.reason = parsed.reason;
    suppressions.push(s);
  }
  return { suppressions, problems };
}

function covers(s: Suppression, f: Finding): boolean {
  if (s.kind === 'file') return true;
  return s.target !== undefined && f.span.start >= s.target.start && f.span.start < s.target.end;
}

/**
 * The findings no suppression covers. Every suppression that covers a finding records the code it matched on,
 * so a pragma duplicated by another is not reported as dead; within one pragma an explicit code is credited
 * before "ALL", which makes a redundant "ALL" next to the real codes show up as unused.
 */
export function applySuppressions(findings: readonly Finding[], suppressions: readonly Suppression[]): Finding[] {
  const kept: Finding[] = [];
  for (const f of findings) {
    let suppressed = false;
    for (const s of suppressions) {
      if (!covers(s, f)) continue;
      const code = f.code.toUpperCase();
      if (s.codes.includes(code)) s.used.add(code);
      else if (s.codes.includes('ALL')) s.used.add('ALL');
      else continue;
      suppressed = true;
    }
    if (!suppressed) kept.push(f);
  }
  return kept;
}

/**
 * Codes in pyship pragmas that suppressed nothing. A known code whose rule is not enabled is skipped: the pragma may
 * be for a configuration where it is on. Unknown codes are always reported (typos hide real suppressions).
 */
export function unusedSuppressions(
  suppressions: readonly Suppression[],
  enabledCodes: ReadonlySet<string>,
  knownCodes: ReadonlySet<string>,
): { code: string; span: Span; message: string }[] {
  const out: { code: string; span: Span; message: string }[] = [];
  for (const s of suppressions) {
    if (s.origin === 'hadolint') continue;
    const keyword = keywordOf(s.kind);
    s.codes.forEach((code, i) => {
      if (s.used.has(code)) return;
      const span = s.codeSpans?.[i] ?? s.commentSpan;
      if (code !== 'ALL' && !knownCodes.has(code)) {
        out.push({ code, span, message: `unknown code ${code} in \`# pyship: ${keyword}=\`` });
      } else if (code === 'ALL' || enabledCodes.has(code)) {
        out.push({ code, span, message: `\`# pyship: ${keyword}=${code}\` suppresses nothing` });
      }
    });
  }
  return out;
}
