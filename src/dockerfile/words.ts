// BuildKit's word handling: splitting with quotes, quote removal and $VAR expansion, so values match what Docker uses.

/** Go's unicode.IsSpace for the code units a Dockerfile can hold. */
export function isSpace(c: number): boolean {
  return (c >= 9 && c <= 13) || c === 32 || c === 0x85 || c === 0xa0 || c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

export interface RawWord {
  /** Text as written (quotes kept), continuations already joined. */
  raw: string;
  start: number; // index into the input string
  end: number;
}

/**
 * BuildKit's parseWords: whitespace-separated words, quotes kept, the escape token protecting the next
 * character. Used for ENV/ARG/LABEL and for words in general.
 */
export function splitWords(rest: string, escape: string): RawWord[] {
  const words: RawWord[] = [];
  let i = 0;
  const n = rest.length;
  while (i < n) {
    while (i < n && isSpace(rest.charCodeAt(i))) i++;
    if (i >= n) break;
    const start = i;
    let quote = '';
    while (i < n) {
      const ch = rest[i]!;
      if (quote) {
        if (ch === quote) quote = '';
        else if (ch === escape && quote !== "'" && i + 1 < n) i++;
        i++;
        continue;
      }
      if (isSpace(rest.charCodeAt(i))) break;
      if (ch === "'" || ch === '"') quote = ch;
      else if (ch === escape && i + 1 < n) i++;
      i++;
    }
    words.push({ raw: rest.slice(start, i), start, end: i });
  }
  return words;
}

/** BuildKit's parseWords output exactly (escape token at end of input dropped), for the conformance dump. */
export function buildkitWords(rest: string, escape: string): string[] {
  const words: string[] = [];
  let word = '';
  let phase: 0 | 1 | 2 = 0; // spaces, word, quote
  let quote = '';
  let blankOK = false;
  const cps = Array.from(rest);
  for (let pos = 0; pos <= cps.length; pos++) {
    const ch = pos < cps.length ? cps[pos]! : '';
    if (phase === 0) {
      if (pos === cps.length) break;
      if (isSpace(ch.charCodeAt(0))) continue;
      phase = 1;
    }
    if (pos === cps.length) {
      if (blankOK || word.length > 0) words.push(word);
      break;
    }
    if (phase === 1) {
      if (isSpace(ch.charCodeAt(0))) {
        phase = 0;
        if (blankOK || word.length > 0) words.push(word);
        word = '';
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = 2;
      }
      if (ch === escape) {
        if (pos + 1 === cps.length) continue;
        word += ch;
        pos++;
        word += cps[pos]!;
        continue;
      }
      word += ch;
      continue;
    }
    // in quote
    if (ch === quote) phase = 1;
    if (ch === escape && quote !== "'") {
      if (pos + 1 === cps.length) {
        phase = 1;
        continue;
      }
      word += ch;
      pos++;
      word += cps[pos]!;
      continue;
    }
    word += ch;
  }
  return words;
}

export type Lookup = (name: string) => string | undefined;

export interface Expanded {
  value: string;
  /** A variable had no value (and no default); `value` has it as empty. */
  unresolved: string[];
}

/**
 * Quote removal and variable expansion as BuildKit's shell lexer does for instruction arguments
 * (ENV, ARG, COPY, WORKDIR, USER, FROM…): '…' literal, "…" with $ expansion, escape token protects.
 */
export function expandWord(raw: string, lookup: Lookup, escape = '\\'): Expanded {
  let out = '';
  const unresolved: string[] = [];
  let i = 0;
  const n = raw.length;
  const expandVar = (): void => {
    // at raw[i] === '$'
    const next = raw[i + 1];
    if (next === '{') {
      const close = findBrace(raw, i + 2);
      const body = raw.slice(i + 2, close);
      i = close + 1;
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])([\s\S]*))?$/.exec(body);
      if (!m) {
        out += '${' + body + '}';
        return;
      }
      const name = m[1]!;
      const op = m[2];
      const val = lookup(name);
      if (!op) {
        if (val === undefined) unresolved.push(name);
        out += val ?? '';
        return;
      }
      const operand = expandWord(m[3] ?? '', lookup, escape);
      const colon = op.startsWith(':');
      const set = colon ? val !== undefined && val !== '' : val !== undefined;
      if (op.endsWith('-')) {
        if (set) out += val;
        else {
          out += operand.value;
          unresolved.push(...operand.unresolved);
        }
      } else if (op.endsWith('+')) {
        if (set) {
          out += operand.value;
          unresolved.push(...operand.unresolved);
        }
      } else {
        if (set) out += val;
        else unresolved.push(name);
      }
      return;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(raw.slice(i + 1));
    if (!m) {
      out += '$';
      i++;
      return;
    }
    const val = lookup(m[0]);
    if (val === undefined) unresolved.push(m[0]);
    out += val ?? '';
    i += 1 + m[0].length;
  };
  while (i < n) {
    const ch = raw[i]!;
    if (ch === escape) {
      if (i + 1 < n) out += raw[i + 1];
      i += 2;
    } else if (ch === "'") {
      const close = raw.indexOf("'", i + 1);
      const end = close < 0 ? n : close;
      out += raw.slice(i + 1, end);
      i = end + 1;
    } else if (ch === '"') {
      i++;
      while (i < n && raw[i] !== '"') {
        const c = raw[i]!;
        if (c === escape && i + 1 < n) {
          const nx = raw[i + 1]!;
          if (nx === '"' || nx === '$' || nx === escape) {
            out += nx;
            i += 2;
            continue;
          }
          out += c;
          i++;
        } else if (c === '$') expandVar();
        else {
          out += c;
          i++;
        }
      }
      i++;
    } else if (ch === '$') {
      expandVar();
    } else {
      out += ch;
      i++;
    }
  }
  return { value: out, unresolved };
}

function findBrace(s: string, from: number): number {
  let depth = 1;
  for (let i = from; i < s.length; i++) {
    if (s[i] === '{') depth++;
    else if (s[i] === '}' && --depth === 0) return i;
  }
  return s.length;
}

/** Quote removal without expansion: what a word says literally. */
export function unquote(raw: string, escape = '\\'): string {
  if (!/['"]/.test(raw) && raw.indexOf(escape) < 0) return raw;
  return expandWord(raw, (name) => '$' + name, escape).value;
}

/** Names referenced as $NAME / ${NAME…} in a raw string (outside single quotes). */
export function referencedVars(raw: string, escape = '\\'): string[] {
  const names: string[] = [];
  let inSingle = false;
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (ch === escape) {
      i++;
      continue;
    }
    if (ch === "'") inSingle = !inSingle;
    if (inSingle || ch !== '$') continue;
    const m = /^\{?([A-Za-z_][A-Za-z0-9_]*)/.exec(raw.slice(i + 1, i + 130));
    if (m) names.push(m[1]!);
  }
  return names;
}
