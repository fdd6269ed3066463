// BuildKit's AST dump of a parsed instruction (Go-quoted), the form its parser conformance files are written in.
import type { Instruction } from './model.js';
import { buildkitWords } from './words.js';

/** Go's strconv.Quote, close enough for printable text. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c === 12) out += '\\f';
    else if (c === 11) out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else if (c === 0xfffd && ch !== '\ufffd') out += '\\ufffd';
    else out += ch;
  }
  return out + '"';
}

/** BuildKit's AST dump of one instruction, for the conformance test. */
export function buildkitDump(instr: Instruction, escape: string): string {
  const kw = instr.keyword.toLowerCase();
  let s = kw;
  if (instr.flags.length > 0) s += ' [' + instr.flags.map((f) => goQuote(f.raw)).join(' ') + ']';
  const vals = dumpValues(instr, escape);
  if (instr.onbuild) return (s + ' (' + buildkitDump(instr.onbuild, escape) + ')').trim();
  for (const v of vals) s += ' ' + goQuote(v);
  return s.trim();
}

function dumpValues(instr: Instruction, escape: string): string[] {
  const args = instr.args;
  if (args === '') return [];
  switch (instr.keyword) {
    case 'ADD': case 'COPY': case 'VOLUME':
      return instr.json ?? args.split(/[\t\v\f\r ]+/);
    case 'EXPOSE': case 'FROM':
      return args.split(/[\t\v\f\r ]+/);
    case 'CMD': case 'ENTRYPOINT': case 'RUN': case 'SHELL':
      return instr.json ?? [args];
    case 'MAINTAINER': case 'STOPSIGNAL': case 'USER': case 'WORKDIR':
      return [args];
    case 'ARG':
      return buildkitWords(args, escape);
    case 'ENV': case 'LABEL': {
      const words = buildkitWords(args, escape);
      if (words.length === 0) return [];
      if (!words[0]!.includes('=')) {
        const m = /[\t\v\f\r ]+/.exec(args);
        if (!m) return [args];
        return [args.slice(0, m.index), args.slice(m.index + m[0].length), ''];
      }
      const out: string[] = [];
      for (const w of words) {
        const eq = w.indexOf('=');
        out.push(w.slice(0, eq), w.slice(eq + 1), '=');
      }
      return out;
    }
    case 'HEALTHCHECK': {
      const m = /^(\S+)(\s*)/.exec(args)!;
      const rest = args.slice(m[0].length);
      const out = [m[1]!];
      if (rest === '') return out;
      return out.concat(instr.json ?? [rest]);
    }
    default:
      return [];
  }
}
