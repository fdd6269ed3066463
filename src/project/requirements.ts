// Requirements files (requirements.txt, constraints, pip-compile .in) read line by line as pip does, with spans, and
// followed through `-r`/`-c` includes.
import { dirnamePosix, joinRelative } from '../dockerfile/paths.js';
import type { Span } from '../dockerfile/model.js';
import type { FileProblem } from './model.js';
import { parseSpec, type ParsedSpec } from './requirement-spec.js';

/** One requirement line of a requirements file. */
export interface RequirementLine extends ParsedSpec {
  type: 'requirement';
  /** 1-based line of the (first physical line of the) entry. */
  line: number;
  /** The entry in the file text: from its first character to the end of its last physical line, comment excluded. */
  span: Span;
  /** The requirement as written (continuations joined, options and comment removed). */
  spec: string;
  /** `--hash` values (`sha256:…`). */
  hashes: string[];
  /** Per-requirement options other than `--hash` (`--config-settings`, `--global-option`). */
  options: string[];
  editable: boolean;
  /** The line uses `${VAR}` expansion: its value is not known. */
  dynamic: boolean;
}

/** A global option line: `-r`, `-c`, `-i`/`--index-url`, `--extra-index-url`, `--no-index`, `-f`, `--require-hashes`… */
export interface OptionLine {
  type: 'option';
  line: number;
  span: Span;
  /** Long name without dashes: `requirement`, `constraint`, `index-url`, `require-hashes`… */
  option: string;
  value: string | undefined;
}

export type RequirementsEntry = RequirementLine | OptionLine;

export interface RequirementsFile {
  path: string;
  text: string;
  entries: RequirementsEntry[];
  requirements: RequirementLine[];
  /** `-r`/`-c` lines with the path they resolve to (relative paths are relative to this file's directory). */
  includes: { kind: 'requirement' | 'constraint'; target: string; path: string | undefined; span: Span; line: number }[];
  problems: FileProblem[];
}

const SHORT: Record<string, string> = {
  r: 'requirement', c: 'constraint', e: 'editable', i: 'index-url', f: 'find-links',
};
const VALUE_OPTIONS = new Set([
  'requirement', 'constraint', 'editable', 'index-url', 'extra-index-url', 'find-links', 'trusted-host', 'no-binary',
  'only-binary', 'use-feature', 'config-settings', 'global-option', 'hash', 'progress-bar',
]);
const KNOWN_FLAGS = new Set(['no-index', 'pre', 'prefer-binary', 'require-hashes', 'process-dependency-links']);

const joinPath = joinRelative;
const dirOf = dirnamePosix;

interface Logical {
  text: string;
  line: number;
  start: number;
  end: number;
}

/** Logical lines as pip reads them: `\` continuations joined, comments (`#` at the start or after whitespace) removed. */
function logicalLines(text: string): Logical[] {
  const out: Logical[] = [];
  let cur: Logical | undefined;
  let offset = 0;
  const lines = text.split('\n');
  lines.forEach((rawNl, i) => {
    const lineStart = offset;
    offset += rawNl.length + 1;
    const raw = rawNl.replace(/\r$/, '');
    const isComment = /^\s*#/.test(raw);
    if (raw.endsWith('\\') && !isComment) {
      const part = raw.slice(0, -1);
      if (!cur) {
        const lead = part.length - part.trimStart().length;
        cur = { text: '', line: i + 1, start: lineStart + lead, end: lineStart + lead };
      }
      cur.text += part + ' ';
      cur.end = lineStart + raw.length - 1;
      return;
    }
    const commentAt = /(^|\s)#/.exec(raw);
    const content = commentAt ? raw.slice(0, commentAt.index) : raw;
    const contentEnd = lineStart + content.trimEnd().length;
    if (cur) {
      cur.text += content;
      if (content.trim() !== '') cur.end = contentEnd;
      const t = cur.text.trim();
      if (t) out.push({ ...cur, text: t });
      cur = undefined;
      return;
    }
    const t = content.trim();
    if (!t) return;
    const lead = content.length - content.trimStart().length;
    out.push({ text: t, line: i + 1, start: lineStart + lead, end: contentEnd });
  });
  if (cur && cur.text.trim()) out.push({ ...cur, text: cur.text.trim() });
  return out;
}

/** Split `--opt=value`, `--opt value`, `-rvalue`, `-r value` at the start of `tokens`. */
function readOption(tokens: string[], k: number): { option: string; value: string | undefined; next: number; known: boolean } {
  const tok = tokens[k]!;
  let name: string;
  let inline: string | undefined;
  if (tok.startsWith('--')) {
    const eq = tok.indexOf('=');
    name = eq < 0 ? tok.slice(2) : tok.slice(2, eq);
    inline = eq < 0 ? undefined : tok.slice(eq + 1);
  } else {
    const letter = tok[1] ?? '';
    name = SHORT[letter] ?? letter;
    inline = tok.length > 2 ? tok.slice(2).replace(/^=/, '') : undefined;
  }
  const known = VALUE_OPTIONS.has(name) || KNOWN_FLAGS.has(name);
  if (VALUE_OPTIONS.has(name)) {
    if (inline !== undefined) return { option: name, value: inline, next: k + 1, known };
    return { option: name, value: tokens[k + 1], next: k + 2, known };
  }
  return { option: name, value: inline, next: k + 1, known };
}

/** Parse one requirements (or constraints, or `.in`) file. `path` is kept as given. */
export function parseRequirements(text: string, path: string): RequirementsFile {
  const entries: RequirementsEntry[] = [];
  const includes: RequirementsFile['includes'] = [];
  const problems: FileProblem[] = [];
  for (const l of logicalLines(text)) {
    const span = { start: l.start, end: Math.max(l.end, l.start) };
    const tokens = l.text.split(/\s+/).filter(Boolean);
    if (tokens[0]!.startsWith('-')) {
      const o = readOption(tokens, 0);
      if (!o.known) problems.push({ file: path, span, message: `unknown option \`${tokens[0]}\` in requirements file` });
      if (VALUE_OPTIONS.has(o.option) && (o.value === undefined || o.value === '')) {
        problems.push({ file: path, span, message: `\`${tokens[0]}\` needs a value` });
        continue;
      }
      if (o.option === 'editable') {
        const target = o.value!;
        const p = parseSpec(target);
        const rest = tokens.slice(o.next);
        entries.push({
          ...p, type: 'requirement', line: l.line, span, spec: target, editable: true, dynamic: l.text.includes('${'),
          hashes: hashesOf(rest), options: rest.filter((t) => t.startsWith('-') && !t.startsWith('--hash')),
          kind: p.kind === 'vcs' ? 'vcs' : p.kind === 'pinned' ? 'pinned' : 'skip', pinned: false,
        });
        continue;
      }
      entries.push({ type: 'option', line: l.line, span, option: o.option, value: o.value });
      if (o.option === 'requirement' || o.option === 'constraint') {
        const target = o.value!;
        const remote = /^[a-z][a-z0-9+.-]*:\/\//i.test(target);
        includes.push({
          kind: o.option, target, span, line: l.line,
          path: remote || target.includes('${') ? undefined : joinPath(dirOf(path), target),
        });
      }
      continue;
    }
    // requirement tokens up to the first option (pip's break_args_options)
    let k = 0;
    while (k < tokens.length && !tokens[k]!.startsWith('-')) k++;
    const spec = tokens.slice(0, k).join(' ');
    const rest = tokens.slice(k);
    const p = parseSpec(spec);
    if (p.kind !== 'skip' && p.name === undefined && p.url === undefined) problems.push({ file: path, span, message: `cannot parse requirement \`${spec}\`` });
    if (p.kind === 'unpinned' && /[<>=!~]/.test(spec) && !/^([<>=!~]=?|===?)\s*[^\s,;<>=!~][^,;]*(,\s*([<>=!~]=?|===?)\s*[^\s,;<>=!~][^,;]*)*$/.test(p.specifier)) {
      problems.push({ file: path, span, message: `malformed version specifier in \`${spec}\`` });
    }
    entries.push({
      ...p, type: 'requirement', line: l.line, span, spec, editable: false, dynamic: l.text.includes('${'),
      hashes: hashesOf(rest), options: rest.filter((t) => t.startsWith('-') && !t.startsWith('--hash')),
    });
  }
  return { path, text, entries, requirements: entries.filter((e): e is RequirementLine => e.type === 'requirement'), includes, problems };
}

function hashesOf(tokens: string[]): string[] {
  const out: string[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.startsWith('--hash=')) out.push(t.slice(7));
    else if (t === '--hash' && tokens[k + 1]) out.push(tokens[++k]!);
  }
  return out;
}

export interface RequirementsTree {
  /** Every file read, in the order first met; `role` is how it was reached (constraints stay constraints below). */
  files: { file: RequirementsFile; role: 'requirements' | 'constraints'; depth: number }[];
  /** Includes that could not be read (missing, remote, dynamic) or were cut by the depth bound. */
  unresolved: { from: string; target: string; span: Span; reason: 'missing' | 'remote' | 'depth' }[];
  /** Includes that lead back to a file already on the path. */
  cycles: { from: string; target: string; span: Span }[];
}

/**
 * Read a requirements file and everything it includes (`-r` stays requirements, `-c` makes constraints), with cycle
 * protection and a depth bound. `read` maps a path (as the caller addresses files) to its text.
 */
export function requirementsTree(read: (path: string) => string | undefined, path: string, role: 'requirements' | 'constraints' = 'requirements', maxDepth = 5): RequirementsTree {
  const tree: RequirementsTree = { files: [], unresolved: [], cycles: [] };
  const seen = new Map<string, Set<string>>();
  const visit = (p: string, r: 'requirements' | 'constraints', depth: number, stack: string[], via?: { from: string; target: string; span: Span }): void => {
    if (stack.includes(p)) {
      if (via) tree.cycles.push(via);
      return;
    }
    const roles = seen.get(p) ?? new Set();
    if (roles.has(r)) return;
    if (depth > maxDepth) {
      if (via) tree.unresolved.push({ ...via, reason: 'depth' });
      return;
    }
    const text = read(p);
    if (text === undefined) {
      if (via) tree.unresolved.push({ ...via, reason: 'missing' });
      else tree.unresolved.push({ from: '', target: p, span: { start: 0, end: 0 }, reason: 'missing' });
      return;
    }
    roles.add(r);
    seen.set(p, roles);
    const file = parseRequirements(text, p);
    tree.files.push({ file, role: r, depth });
    for (const inc of file.includes) {
      const v = { from: p, target: inc.target, span: inc.span };
      if (inc.path === undefined) {
        tree.unresolved.push({ ...v, reason: 'remote' });
        continue;
      }
      visit(inc.path, r === 'constraints' || inc.kind === 'constraint' ? 'constraints' : 'requirements', depth + 1, [...stack, p], v);
    }
  };
  visit(path, role, 0, []);
  return tree;
}
