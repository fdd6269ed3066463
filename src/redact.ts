// The one redaction every output path applies before printing text it did not write itself (code frames, diffs,
// messages, fix texts, audit listings): a secret's name stays visible, its value becomes `***`.
import { firstEndAfter, type Span } from './dockerfile/model.js';
import { AUTH_HEADER, isSecretName, NOT_A_SECRET, PRIVATE_KEY_HEADER, TOKEN_SHAPE, URL_PASSWORD } from './secrets.js';

export const MASK = '***';

/**
 * `NAME=value`, `NAME = value` (ini, TOML), `NAME: value` (YAML, HTTP headers), `"NAME": value` (JSON): the name and
 * its separator. Only the name and separator are consumed, so a second assignment inside an unquoted value is found too.
 * A name never starts inside another (after a word character, `$` or `word-`) and its `-` parts are single: each
 * character is scanned a bounded number of times, however hostile the line (`a-a-a…`).
 */
const ASSIGNMENT = /(?<![A-Za-z0-9_$])(?<![A-Za-z0-9_]-)([A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*)(["']?[ \t]*=(?!=)[ \t]*|:[ \t]+|["']:[ \t]*)/g;
/** `ENV NAME value` / `ARG`: Dockerfile's legacy form, whose value is the rest of the line (a diff's `+`/`-` too). */
const LEGACY_ENV = /^([-+]?[ \t]*(?:ONBUILD[ \t]+)?(?:ENV|ARG)[ \t]+)([A-Za-z_][A-Za-z0-9_]*)[ \t]+(?=[^=\s])/gim;
/**
 * Values that hold no secret however they are named: references, placeholders, switches, counts, versions, a line
 * continuation, permissions (`id-token: write`), our own masks.
 */
const NOT_A_VALUE = /^(\$.*|\*+|x+|\.\.\.|…|<.*>|\{.*\}|%.*%|value|read|write|\\|\d{1,5}|\d+(\.\d+)+)$/i;
const PEM_END = /-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g;
/** A line of a key's base64 body (in a heredoc, or echoed with quotes and a continuation). */
const PEM_LINE = /^[ \t"']*[A-Za-z0-9+/=]{16,}[ \t"'\\]*\r?$/;

/** Where a literal value that starts at `at` ends: its quotes kept out, the line's end or a shell operator stop it. */
function valueAt(text: string, at: number): Span | undefined {
  const q = text[at];
  if (q === '"' || q === "'") {
    let end = at + 1;
    while (end < text.length && text[end] !== q && text[end] !== '\n') end += text[end] === '\\' && q === '"' ? 2 : 1;
    return { start: at + 1, end: Math.min(end, text.length) };
  }
  let end = at;
  while (end < text.length && !/[\s"'`;&|,)}\]]/.test(text[end]!)) end++;
  return { start: at, end };
}

function maskable(text: string, s: Span): boolean {
  const v = text.slice(s.start, s.end).replace(/\r$/, '');
  return v !== '' && !NOT_A_SECRET.test(v) && !NOT_A_VALUE.test(v);
}

/**
 * The spans of secret values in a text, sorted and merged. `source` is file text (a Dockerfile's legacy
 * `ENV NAME value` counts there); messages leave it off, since they may start with `ENV NAME holds…`.
 */
export function secretSpans(text: string, opts: { source?: boolean } = {}): Span[] {
  const spans: Span[] = [];
  const add = (s: Span | undefined): void => {
    if (s && s.end > s.start && maskable(text, s)) spans.push(s);
  };
  let scanned = 0; // a name inside a value already looked at is part of that value (`TOKEN=TOKEN=…` stays linear)
  for (const m of text.matchAll(ASSIGNMENT)) {
    if (m.index! < scanned || !isSecretName(m[1]!)) continue;
    const at = m.index! + m[0].length;
    // `grep "SECRET_KEY="`: the quote after `=` closes the string the name is in; `token=token` passes a variable on
    if (/^[ \t]*=/.test(m[2]!) && /["']/.test(text[at] ?? '') && text[m.index! - 1] === text[at]) continue;
    const value = valueAt(text, at);
    if (value) scanned = value.end;
    if (value && text.slice(value.start, value.end).toLowerCase() === m[1]!.toLowerCase()) continue;
    add(value);
  }
  if (opts.source) {
    for (const m of text.matchAll(LEGACY_ENV)) {
      if (!isSecretName(m[2]!)) continue;
      const start = m.index! + m[0].length;
      const end = lineEnd(text, start);
      add({ start, end: end - (text[end - 1] === '\r' ? 1 : 0) });
    }
  }
  for (const pw of urlPasswords(text)) add(pw);
  for (const m of text.matchAll(AUTH_HEADER)) {
    const start = m.index! + m[0].length - m[1]!.length;
    add({ start, end: m.index! + m[0].length });
  }
  for (const m of text.matchAll(TOKEN_SHAPE)) spans.push({ start: m.index!, end: m.index! + m[0].length });
  // a key's body runs to its END line, but never into the next key
  const headers = [...text.matchAll(PRIVATE_KEY_HEADER)];
  let endless = Infinity; // past here no END line follows: one search, however many headers
  headers.forEach((m, k) => {
    const start = m.index! + m[0].length;
    const next = headers[k + 1]?.index ?? text.length;
    PEM_END.lastIndex = start;
    const footer = start < endless ? PEM_END.exec(text) : null;
    if (!footer) endless = Math.min(endless, start);
    if (footer && footer.index < next) {
      spans.push({ start, end: footer.index });
      return;
    }
    // no END line (a key echoed piece by piece): the rest of the header's line, then the body lines below it
    let end = lineEnd(text, start);
    while (end < next && PEM_LINE.test(text.slice(end + 1, lineEnd(text, end + 1)))) end = lineEnd(text, end + 1);
    spans.push({ start, end: Math.min(end, next) });
  });
  return merge(spans);
}

/** The password of each `scheme://user:password@` (secrets.ts's URL_PASSWORD, linear on hostile lines). */
function urlPasswords(text: string): Span[] {
  return [...text.matchAll(URL_PASSWORD)].map((m) => {
    const end = m.index! + m[0].length - 1; // the '@'
    return { start: end - m[1]!.length, end };
  });
}

function lineEnd(text: string, at: number): number {
  const nl = text.indexOf('\n', at);
  return nl < 0 ? text.length : nl;
}

function merge(spans: Span[]): Span[] {
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Span[] = [];
  for (const s of spans) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

/**
 * `text.slice(from, to)` with every secret span in it replaced by `***` (per line, so a masked key body keeps its
 * line breaks). `spans` must come from secretSpans on the same text.
 */
export function maskSlice(text: string, spans: readonly Span[], from = 0, to = text.length): string {
  let out = '';
  let at = from;
  for (let i = firstEndAfter(spans, from); i < spans.length; i++) {
    const s = spans[i]!;
    if (s.start >= to) break;
    const a = Math.max(s.start, from);
    const b = Math.min(s.end, to);
    out += text.slice(at, a);
    // a span over several lines (a key's body) masks each line's part and keeps the breaks
    out += text.slice(a, b).split('\n').map((part) => (part.replace(/\r$/, '') === '' ? part : MASK + (part.endsWith('\r') ? '\r' : ''))).join('\n');
    at = b;
  }
  return out + text.slice(at, to);
}

/** Move a range's ends out of secret spans, so the masked text on each side of them is whole. */
export function widenToSpans(spans: readonly Span[], from: number, to: number): { from: number; to: number } {
  for (let i = firstEndAfter(spans, Math.min(from, to)); i < spans.length; i++) {
    const s = spans[i]!;
    if (s.start >= to) break;
    if (from > s.start && from < s.end) from = s.start;
    if (to > s.start && to < s.end) to = s.end;
  }
  return { from, to };
}

/** Text with secret values masked. `source`: file text rather than a message (see secretSpans). */
export function redact(text: string, opts: { source?: boolean } = {}): string {
  const spans = secretSpans(text, opts);
  return spans.length === 0 ? text : maskSlice(text, spans);
}

/**
 * The secret values of a file, line by line (a key's body is one value per line): a message that quotes the file out
 * of context (DF022's "unknown instruction `MIIE…`" for a key line a broken heredoc left outside) has no name or
 * header around the value for secretSpans to see, so the file's own spans say what to hide. Short pieces are left
 * out: masking every "1" or "app" in messages would hide more than secrets.
 */
export function secretValuesOf(text: string): string[] {
  const values = new Set<string>();
  for (const s of secretSpans(text, { source: true })) {
    for (const line of text.slice(s.start, s.end).split('\n')) {
      const v = line.trim();
      if (v.length >= 8) values.add(v);
    }
  }
  // longest first, so a value containing another is masked whole
  return [...values].sort((a, b) => b.length - a.length);
}

/** `redact(text)`, and every one of `values` (from secretValuesOf) masked wherever it appears. */
export function redactWith(text: string, values: readonly string[]): string {
  let out = redact(text);
  for (const v of values) if (out.includes(v)) out = out.split(v).join(MASK);
  return out;
}
