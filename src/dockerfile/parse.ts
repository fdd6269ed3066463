// Dockerfile text → model, following BuildKit's parser line by line (proven by its conformance files) but keeping exact offsets.
import {
  KEYWORDS,
  type BuildState, type Comment, type Directive, type Dockerfile, type Flag, type Heredoc, type Instruction,
  type ParseProblem, type Span, type Word,
} from './model.js';
import { isSpace, splitWords, unquote } from './words.js';
import { PersistentMap } from './pmap.js';
import { buildStages } from './stages.js';

interface Segment {
  norm: number; // index into the joined line
  orig: number; // offset into the file
  len: number;
}

interface Line {
  start: number;
  /** End of content, before "\r\n" / "\n". */
  end: number;
  /** Start of the next line. */
  next: number;
}

const DIRECTIVE_RE = /^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=[ \t]*(.+?)[ \t]*$/;
const ALLOWED_DIRECTIVES = new Set(['escape', 'syntax', 'check']);
const HEREDOC_RE = /^(\d*)<<(-?)([^<]*)$/;
const HEREDOC_KEYWORDS = new Set(['RUN', 'COPY', 'ADD']);

function splitLines(text: string, from: number): Line[] {
  const lines: Line[] = [];
  let pos = from;
  const n = text.length;
  while (pos < n) {
    let nl = text.indexOf('\n', pos);
    const next = nl < 0 ? n : nl + 1;
    if (nl < 0) nl = n;
    let end = nl;
    while (end > pos && (text.charCodeAt(end - 1) === 13 || text.charCodeAt(end - 1) === 10)) end--;
    lines.push({ start: pos, end, next });
    pos = next;
  }
  return lines;
}

function leadingSpace(text: string, start: number, end: number): number {
  let i = start;
  while (i < end && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** Map an index in a joined (continuation-free) line back to a file offset. */
function makeMapper(segments: Segment[]): (i: number) => number {
  return (i: number): number => {
    if (segments.length === 0) return 0;
    let lo = 0;
    let hi = segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (segments[mid]!.norm <= i) lo = mid;
      else hi = mid - 1;
    }
    const s = segments[lo]!;
    return s.orig + Math.min(i - s.norm, s.len);
  };
}

interface ParsedFlags {
  flags: { raw: string; value: string; start: number; end: number }[];
  restStart: number; // index where arguments start
}

/** BuildKit's extractBuilderFlags, with positions. */
function extractFlags(line: string, from: number): ParsedFlags {
  const flags: ParsedFlags['flags'] = [];
  let pos = from;
  const n = line.length;
  for (;;) {
    while (pos < n && isSpace(line.charCodeAt(pos))) pos++;
    if (pos >= n) return { flags, restStart: n };
    if (line[pos] !== '-' || pos + 1 >= n || line[pos + 1] !== '-') return { flags, restStart: pos };
    const start = pos;
    let word = '';
    let blankOK = false;
    let quote = '';
    while (pos < n) {
      const ch = line[pos]!;
      if (quote) {
        if (ch === quote) quote = '';
        else if (ch === '\\' && pos + 1 < n) word += line[++pos];
        else if (ch === '\\') {
          quote = '';
        } else word += ch;
        pos++;
        continue;
      }
      if (isSpace(line.charCodeAt(pos))) break;
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
      } else if (ch === '\\') {
        if (pos + 1 < n) word += line[++pos];
      } else word += ch;
      pos++;
    }
    if (word === '--') {
      while (pos < n && isSpace(line.charCodeAt(pos))) pos++;
      return { flags, restStart: pos };
    }
    if (blankOK || word.length > 0) flags.push({ raw: line.slice(start, pos), value: word, start, end: pos });
  }
}

export class NotStringArrayError extends Error {}

/** parseJSON: a JSON array of strings, or undefined when the text is not one; throws for non-string elements. */
function parseJsonArray(rest: string): string[] | undefined {
  let k = 0;
  while (k < rest.length && isSpace(rest.charCodeAt(k))) k++;
  if (rest.charCodeAt(k) !== 91) return undefined;
  const t = k === 0 ? rest : rest.slice(k);
  let value: unknown;
  try {
    value = JSON.parse(t);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  if (!value.every((v) => typeof v === 'string')) throw new NotStringArrayError('Dockerfile JSON arguments must be an array of strings');
  return value as string[];
}

/** Spans of each string literal of a JSON array text (same order as its elements). */
function jsonElementSpans(text: string, base: number): Span[] {
  const spans: Span[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"') {
      const start = i;
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      spans.push({ start: base + start, end: base + i + 1 });
    }
    i++;
  }
  return spans;
}

export interface ParseOptions {
  path?: string;
}

interface Pending {
  keyword: string;
  rawKeyword: string;
  line: string;
  map: (i: number) => number;
  start: number;
  end: number;
  heredocs: Heredoc[];
  comments: Comment[];
  emptyContinuation: boolean;
}

/** Parse a Dockerfile. Never throws: problems (BuildKit's parse errors and warnings) come back with positions. */
export function parseDockerfile(text: string, options: ParseOptions = {}): Dockerfile {
  const bodyStart = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const lines = splitLines(text, bodyStart);
  const directives: Directive[] = [];
  const comments: Comment[] = [];
  const problems: ParseProblem[] = [];
  let escape: '\\' | '`' = '\\';
  let directivesDone = false;
  const seenDirectives = new Set<string>();
  const pendings: Pending[] = [];
  let commentBlock: Comment[] = [];

  const checkDirective = (token: string, start: number): boolean => {
    if (directivesDone) return false;
    const m = DIRECTIVE_RE.exec(token);
    const name = m?.[1]?.toLowerCase();
    if (!m || !name || !ALLOWED_DIRECTIVES.has(name)) {
      directivesDone = true;
      return false;
    }
    const span = { start, end: start + token.length };
    if (seenDirectives.has(name)) {
      problems.push({ message: `only one ${name} parser directive can be used`, span, level: 'error', kind: 'directive' });
      return false;
    }
    seenDirectives.add(name);
    directives.push({ name, value: m[2]!, span });
    if (name === 'escape') {
      if (m[2] === '`' || m[2] === '\\') {
        escape = m[2];
      } else {
        problems.push({ message: `invalid escape token '${m[2]}' does not match \` or \\`, span, level: 'error', kind: 'directive' });
      }
    }
    return true;
  };

  /**
   * BuildKit's trimContinuationCharacter (`([^\\])\\[ \t]*$|^\\[ \t]*$`), scanned from the line end: a regex anchored
   * at `$` is tried at every position of every line, which was the parser's largest cost.
   */
  const trimCont = (token: string): [number, boolean] => {
    let k = token.length - 1;
    while (k >= 0 && (token.charCodeAt(k) === 32 || token.charCodeAt(k) === 9)) k--;
    if (k < 0 || token[k] !== escape) return [token.length, true];
    if (k === 0) return [0, false];
    if (token[k - 1] === escape) return [token.length, true];
    return [k, false];
  };

  let li = 0;
  while (li < lines.length) {
    const ln = lines[li++]!;
    const contentStart = leadingSpace(text, ln.start, ln.end);
    const token = text.slice(contentStart, ln.end);
    const isDirective = checkDirective(token, contentStart);
    if (token.startsWith('#')) {
      const c: Comment = { text: token.slice(1).trim(), span: { start: contentStart, end: ln.end }, inContinuation: false };
      comments.push(c);
      if (!isDirective) commentBlock.push(c);
      continue;
    }
    if (token.length === 0) {
      commentBlock = [];
      continue;
    }
    let [keep, endOfLine] = trimCont(token);
    if (endOfLine && keep === 0) continue;
    const segments: Segment[] = [{ norm: 0, orig: contentStart, len: keep }];
    let line = token.slice(0, keep);
    let lastEnd = ln.end;
    let emptyContinuation = false;
    while (!endOfLine && li < lines.length) {
      const cl = lines[li++]!;
      const raw = text.slice(cl.start, cl.end);
      const firstNonSpace = leadingSpace(text, cl.start, cl.end);
      if (text[firstNonSpace] === '#' && firstNonSpace < cl.end) {
        comments.push({ text: text.slice(firstNonSpace + 1, cl.end).trim(), span: { start: firstNonSpace, end: cl.end }, inContinuation: true });
        lastEnd = cl.end;
        continue;
      }
      if (firstNonSpace === cl.end) {
        emptyContinuation = true;
        continue;
      }
      [keep, endOfLine] = trimCont(raw);
      segments.push({ norm: line.length, orig: cl.start, len: keep });
      line += raw.slice(0, keep);
      lastEnd = cl.end;
    }
    const map = makeMapper(segments);
    // splitCommand: keyword, then the rest
    let kwEnd = 0;
    while (kwEnd < line.length && !isSep(line.charCodeAt(kwEnd))) kwEnd++;
    const rawKeyword = line.slice(0, kwEnd);
    const keyword = rawKeyword.toUpperCase();
    const pending: Pending = {
      keyword, rawKeyword, line, map, start: contentStart, end: lastEnd, heredocs: [], comments: commentBlock, emptyContinuation,
    };
    commentBlock = [];
    // heredocs: RUN/COPY/ADD (also under ONBUILD), shell form only
    let inner = keyword;
    let innerFrom = kwEnd;
    if (keyword === 'ONBUILD') {
      const s = leadingSpace(line, kwEnd, line.length);
      let e = s;
      while (e < line.length && !isSpace(line.charCodeAt(e))) e++;
      inner = line.slice(s, e).toUpperCase();
      innerFrom = e;
    }
    if (HEREDOC_KEYWORDS.has(inner) && line.includes('<<')) {
      const { restStart } = extractFlags(line, innerFrom);
      const isJson = (() => {
        try {
          return parseJsonArray(line.slice(restStart)) !== undefined;
        } catch {
          return true;
        }
      })();
      if (!isJson) {
        for (const w of splitWords(line, '\\')) {
          const m = HEREDOC_RE.exec(w.raw);
          if (!m || !m[3]) continue;
          const nameWords = splitWords(m[3], '\\');
          if (nameWords.length !== 1) continue;
          const name = unquote(m[3]);
          const quoted = /['"]/.test(m[3]);
          const chomp = m[2] === '-';
          const markerSpan = { start: map(w.start), end: map(w.end - 1) + 1 };
          let content = '';
          let contentStart = li < lines.length ? lines[li]!.start : text.length;
          let contentEnd = contentStart;
          let terminated = false;
          while (li < lines.length) {
            const hl = lines[li++]!;
            let candidate = text.slice(hl.start, hl.end);
            if (chomp) candidate = candidate.replace(/^\t+/, '');
            if (candidate === name) {
              terminated = true;
              pending.end = hl.end;
              break;
            }
            content += text.slice(hl.start, hl.next);
            contentEnd = hl.next;
            pending.end = hl.end;
          }
          if (!terminated) {
            problems.push({
              message: `unterminated heredoc: no line "${name}" closes <<${m[2]}${m[3]}`,
              span: markerSpan,
              level: 'error',
              kind: 'unterminated-heredoc',
            });
          }
          if (contentStart > contentEnd) contentStart = contentEnd;
          pending.heredocs.push({ name, quoted, chomp, content, contentSpan: { start: contentStart, end: contentEnd }, markerSpan });
        }
      }
    }
    pendings.push(pending);
  }

  const df: Dockerfile = {
    path: options.path ?? 'Dockerfile',
    text,
    bodyStart,
    escape,
    directives,
    comments,
    instructions: [],
    stages: [],
    globalArgs: new Map(),
    problems,
  };

  if (pendings.length === 0) {
    problems.push({ message: 'file with no instructions', span: { start: bodyStart, end: bodyStart }, level: 'error', kind: 'no-instructions' });
    return df;
  }

  for (const p of pendings) {
    const instr = buildInstruction(p, p.line, 0, df, problems);
    instr.index = df.instructions.length;
    df.instructions.push(instr);
    if (p.emptyContinuation) {
      problems.push({
        message: 'empty continuation line: an empty line inside a `\\` continuation will become an error',
        span: instr.keywordSpan,
        level: 'warning',
        kind: 'empty-continuation',
      });
    }
  }
  buildStages(df);
  return df;
}

/** BuildKit's reWhitespace class: [\t\v\f\r ]. */
function isSep(c: number): boolean {
  return c === 32 || c === 9 || c === 11 || c === 12 || c === 13;
}

const EMPTY_STATE: BuildState = { env: PersistentMap.empty(), args: PersistentMap.empty(), user: undefined, workdir: undefined, shell: ['/bin/sh', '-c'] };

function buildInstruction(p: Pending, line: string, from: number, df: Dockerfile, problems: ParseProblem[]): Instruction {
  const { map } = p;
  const kwStart = leadingSpace(line, from, line.length);
  let kwEnd = kwStart;
  while (kwEnd < line.length && !isSep(line.charCodeAt(kwEnd))) kwEnd++;
  const keyword = line.slice(kwStart, kwEnd).toUpperCase();
  const parsed = extractFlags(line, kwEnd);
  let argsEnd = line.length;
  while (argsEnd > parsed.restStart && isSpace(line.charCodeAt(argsEnd - 1))) argsEnd--;
  const args = line.slice(parsed.restStart, argsEnd);
  const argsStartOrig = map(parsed.restStart);
  const flags: Flag[] = parsed.flags.map((f) => {
    const eq = f.value.indexOf('=');
    const name = (eq < 0 ? f.value.slice(2) : f.value.slice(2, eq)).toLowerCase();
    return { name, value: eq < 0 ? null : f.value.slice(eq + 1), raw: f.value, span: { start: map(f.start), end: map(f.end - 1) + 1 } };
  });
  const keywordSpan = kwEnd > kwStart ? { start: map(kwStart), end: map(kwEnd - 1) + 1 } : { start: map(kwStart), end: map(kwStart) };
  const argSpanEnd = args.length > 0 ? map(argsEnd - 1) + 1 : argsStartOrig;
  const argOffset = (i: number): number => map(parsed.restStart + i);
  let json: string[] | undefined;
  const problemSpan = { start: keywordSpan.start, end: p.end };
  if (keyword === 'CMD' || keyword === 'ENTRYPOINT' || keyword === 'RUN' || keyword === 'SHELL' || keyword === 'ADD' ||
      keyword === 'COPY' || keyword === 'VOLUME' || keyword === 'HEALTHCHECK') {
    let jsonText = args;
    let jsonBase = 0;
    if (keyword === 'HEALTHCHECK') {
      const m = /^(\S+)\s+/.exec(args);
      jsonText = m ? args.slice(m[0].length) : '';
      jsonBase = m ? m[0].length : 0;
    }
    try {
      json = parseJsonArray(jsonText);
    } catch (e) {
      problems.push({ message: (e as Error).message, span: problemSpan, level: 'error', kind: 'syntax' });
    }
    void jsonBase;
  }
  // words are computed on first use: most RUN bodies are only ever read through the shell parser
  const computeWords = (): Word[] => {
    if (json) {
      const base = args.indexOf('[');
      const spans = jsonElementSpans(args.slice(base), base);
      return json.map((value, i) => {
        const s = spans[i] ?? { start: 0, end: args.length };
        return { value, raw: args.slice(s.start, s.end), span: { start: argOffset(s.start), end: argOffset(s.end - 1) + 1 } };
      });
    }
    return splitWords(args, df.escape).map((w) => ({
      value: unquote(w.raw, df.escape),
      raw: w.raw,
      span: { start: argOffset(w.start), end: argOffset(w.end - 1) + 1 },
    }));
  };
  const known = KEYWORDS.has(keyword);
  if (!known) {
    const message = keyword === ''
      ? `a line continuation (\`${df.escape}\`) with no instruction after it`
      : `unknown instruction: ${line.slice(kwStart, kwEnd)}`;
    problems.push({ message, span: keywordSpan, level: 'error', kind: 'unknown-instruction' });
  }
  if ((keyword === 'ENV' || keyword === 'LABEL') && args.length > 0) {
    const bw = splitWords(args, df.escape).map((w) => w.raw);
    if (bw.length > 0 && !bw[0]!.includes('=')) {
      if (!/[\t\v\f\r ]/.test(args)) {
        problems.push({ message: `${keyword} must have two arguments`, span: problemSpan, level: 'error', kind: 'syntax' });
      }
    } else {
      const bad = bw.find((w) => !w.includes('='));
      if (bad !== undefined) {
        problems.push({ message: `Syntax error - can't find = in "${bad}". Must be of the form: name=value`, span: problemSpan, level: 'error', kind: 'syntax' });
      }
    }
  }
  const instr: Instruction = {
    keyword,
    known,
    index: 0,
    stage: -1,
    span: { start: map(kwStart), end: p.end },
    keywordSpan,
    flags,
    args,
    argsSpan: { start: argsStartOrig, end: argSpanEnd },
    json,
    words: [],
    heredocs: p.heredocs,
    comments: from === 0 ? p.comments : [],
    state: EMPTY_STATE,
    argOffset,
  };
  let words: Word[] | undefined;
  Object.defineProperty(instr, 'words', {
    get: () => (words ??= computeWords()),
    enumerable: true,
    configurable: true,
  });
  if (keyword === 'ONBUILD' && args.length > 0) {
    instr.onbuild = buildInstruction(p, line, parsed.restStart, df, problems);
    instr.heredocs = [];
  }
  return instr;
}

