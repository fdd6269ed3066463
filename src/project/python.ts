// Typed facts about a project's Python dependencies, with positions: requirements files (followed through -r/-c),
// pyproject.toml (PEP 621, poetry, uv, pdm), Pipfile, environment.yml, lock files, the Python version, and what the
// dependencies say about the framework and the server. Never throws on malformed input: problems are returned.
import { dirnamePosix, joinRelative } from '../dockerfile/paths.js';
import { parse as parseToml, TomlError } from 'smol-toml';
import { yaml } from './yaml.js';
import type { Span } from '../dockerfile/model.js';
import { projectFact, type Project } from './model.js';

/** A parse problem in a project file (reported under DF026). */
export interface FileProblem {
  file: string;
  span: Span;
  message: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Requirement strings (PEP 508 as pip reads them)

export type PinKind = 'pinned' | 'unpinned' | 'vcs' | 'skip';

const ARCHIVE = /\.(whl|tar\.gz|tgz|tar\.bz2|tar\.xz|zip|egg)$/i;
const NAME_RE = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*(.*)$/;

/** A VCS URL is pinned when it names a ref after the repository path: git+https://host/org/repo.git@v1.2. */
function vcsPinned(url: string): boolean {
  const noFrag = url.split('#')[0]!;
  const afterScheme = noFrag.replace(/^[a-z+]+:\/\//i, '');
  const slash = afterScheme.indexOf('/');
  const path = slash < 0 ? '' : afterScheme.slice(slash);
  return /@[^/@]+$/.test(path) || /@[^/]+$/.test(path);
}

function urlKind(url: string): PinKind {
  if (/^(git|hg|svn|bzr)\+/i.test(url)) return vcsPinned(url) ? 'pinned' : 'vcs';
  return 'pinned';
}

/**
 * Classify one requirement as pip reads it (a command-line argument or a requirements-file line without its
 * options): `pinned` (`==`/`===`, a VCS URL with a ref, an archive URL), `unpinned` (no version or a range), `vcs`
 * (a VCS URL without a ref), `skip` (a local path, an option, a glob: nothing to pin).
 */
export function requirementKind(spec: string): PinKind {
  const s = spec.trim();
  if (s === '' || s.startsWith('-')) return 'skip';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s) || /^(git|hg|svn|bzr)\+/i.test(s) || s.startsWith('file:')) return urlKind(s);
  const direct = /^[A-Za-z0-9._-]+(\[[^\]]*\])?\s*@\s*(\S.*)$/.exec(s);
  if (direct && /:\/\/|^(git|hg|svn|bzr)\+|^file:/i.test(direct[2]!)) return urlKind(direct[2]!.trim());
  if (/^[.~/\\]/.test(s) || s.includes('/') || s.includes('\\') || ARCHIVE.test(s) || /[*?]/.test(s)) return 'skip';
  const m = NAME_RE.exec(s.split(';')[0]!.trim());
  if (!m) return 'skip';
  const clauses = m[3]!.replace(/\s+/g, '').split(',');
  const pinned = clauses.some((c) => c.startsWith('===') || (c.startsWith('==') && !c.endsWith('*')));
  return pinned ? 'pinned' : 'unpinned';
}

/** PEP 503 normalized name. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** The normalized name a requirement string starts with (or the string itself). */
export function requirementName(spec: string): string {
  const m = /^([A-Za-z0-9._-]+)/.exec(spec.trim());
  return normalizeName(m ? m[1]! : spec);
}

export interface ParsedSpec {
  /** Normalized project name; undefined for a bare URL or path without `#egg=`. */
  name: string | undefined;
  extras: string[];
  /** Version specifier as written, spaces removed (`>=2,<3`), '' when none. */
  specifier: string;
  markers: string | undefined;
  /** A URL (`name @ url`, a bare URL, a VCS URL). */
  url: string | undefined;
  /** A local path or archive. */
  path: string | undefined;
  kind: PinKind;
  /** Exact pin: `==X` (no wildcard) or `===X`. */
  pinned: boolean;
}

/** Parse a PEP 508 requirement (or pip's URL/path spellings). */
export function parseSpec(spec: string): ParsedSpec {
  const s = spec.trim();
  let kind = requirementKind(s);
  // `django==5.*` is a range, not a path or a glob
  if (kind === 'skip' && /^[A-Za-z0-9._-]+\s*(\[[^\]]*\])?\s*[<>=!~][^/\\]*$/.test(s.split(';')[0]!.trim())) kind = 'unpinned';
  const out: ParsedSpec = { name: undefined, extras: [], specifier: '', markers: undefined, url: undefined, path: undefined, kind, pinned: false };
  const semi = /\s;|;\s|;(?=\s*[a-z_]+\s*[<>=!~ ]|\s*(?:extra|python_version|sys_platform|platform_|implementation_|os_name))/i.exec(s);
  const body = (semi ? s.slice(0, semi.index) : s).trim();
  if (semi) out.markers = s.slice(semi.index).replace(/^\s*;\s*/, '').trim() || undefined;
  const isUrl = (x: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(x) || /^(git|hg|svn|bzr)\+/i.test(x) || x.startsWith('file:');
  const egg = (u: string): string | undefined => {
    const m = /[#&]egg=([A-Za-z0-9._-]+)/.exec(u);
    return m ? normalizeName(m[1]!) : undefined;
  };
  if (isUrl(body)) {
    out.url = body;
    out.name = egg(body);
    return out;
  }
  const direct = /^([A-Za-z0-9._-]+)\s*(\[[^\]]*\])?\s*@\s*(\S.*)$/.exec(body);
  if (direct) {
    out.name = normalizeName(direct[1]!);
    out.extras = direct[2] ? direct[2].slice(1, -1).split(',').map((e) => e.trim()).filter(Boolean) : [];
    out.url = direct[3]!.trim();
    return out;
  }
  if (kind === 'skip') {
    if (body !== '' && !body.startsWith('-')) out.path = body;
    return out;
  }
  const m = NAME_RE.exec(body);
  if (!m) return out;
  out.name = normalizeName(m[1]!);
  out.extras = m[2] ? m[2].slice(1, -1).split(',').map((e) => e.trim()).filter(Boolean) : [];
  out.specifier = m[3]!.replace(/\s+/g, '').replace(/^\((.*)\)$/, '$1');
  out.pinned = kind === 'pinned';
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Requirements files

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

// ---------------------------------------------------------------------------------------------------------------
// TOML helpers: smol-toml gives no positions, so keys and values are found in the text.

type Toml = Record<string, unknown>;

export function tomlParse(text: string, file: string): { data: Toml | undefined; problem: FileProblem | undefined } {
  try {
    return { data: parseToml(text) as Toml, problem: undefined };
  } catch (e) {
    let offset = 0;
    if (e instanceof TomlError && e.line > 0) {
      const lines = text.split('\n');
      for (let k = 0; k < e.line - 1 && k < lines.length; k++) offset += lines[k]!.length + 1;
      offset += Math.max(0, e.column - 1);
    }
    const msg = (e as Error).message.split('\n')[0]!.replace(/^Invalid TOML document:\s*/, '');
    return { data: undefined, problem: { file, span: { start: Math.min(offset, text.length), end: Math.min(offset, text.length) }, message: `invalid TOML: ${msg}` } };
  }
}

const obj = (v: unknown): Toml | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Toml) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** Offset range of the table `[name]` (header to next header), or of the whole text for the root table. */
function tableRange(text: string, name: string): Span | undefined {
  if (name === '') {
    const first = /^\s*\[/m.exec(text);
    return { start: 0, end: first ? first.index : text.length };
  }
  const esc = name.split('.').map((p) => p.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')).join('\\s*\\.\\s*');
  const m = new RegExp(`^[ \\t]*\\[[ \\t]*${esc}[ \\t]*\\][ \\t]*(#.*)?$`, 'm').exec(text);
  if (!m) return undefined;
  const start = m.index;
  const next = /^[ \t]*\[/m.exec(text.slice(start + m[0].length));
  return { start, end: next ? start + m[0].length + next.index : text.length };
}

/** Span of `key` (its line's key token) inside table `table`; dotted keys (`project.dependencies`) at the root too. */
function keySpan(text: string, table: string, key: string): Span | undefined {
  const escKey = key.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
  const tryIn = (tbl: string, k: string): Span | undefined => {
    const r = tableRange(text, tbl);
    if (!r) return undefined;
    const re = new RegExp(`^[ \\t]*(["']?)${k}\\1[ \\t]*=`, 'm');
    const m = re.exec(text.slice(r.start, r.end));
    if (!m) return undefined;
    const start = r.start + m.index + (m[0].length - m[0].trimStart().length);
    return { start, end: start + m[0].trimStart().replace(/\s*=$/, '').length };
  };
  const direct = tryIn(table, escKey);
  if (direct) return direct;
  // dotted key in a parent table: [project] readme.file = / project.readme = at the root
  const parts = table.split('.');
  for (let k = parts.length - 1; k >= 0; k--) {
    const parent = parts.slice(0, k).join('.');
    const rest = [...parts.slice(k), key].map((p) => p.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')).join('\\s*\\.\\s*');
    const s = tryIn(parent, rest);
    if (s) return s;
  }
  return tableRange(text, table) ? { start: tableRange(text, table)!.start, end: tableRange(text, table)!.start } : undefined;
}

/** Span of a string value (`"flask>=2"`) at or after `from`, else `fallback`. */
function valueSpan(text: string, value: string, from: number, fallback: Span): Span {
  for (const q of ['"', "'"]) {
    const i = text.indexOf(q + value + q, from);
    if (i >= 0) return { start: i + 1, end: i + 1 + value.length };
  }
  const i = text.indexOf(value, from);
  return i >= 0 ? { start: i, end: i + value.length } : fallback;
}

/** A dependency declared in a manifest, with its position. */
export interface DeclaredDep extends ParsedSpec {
  /** The string as written (for poetry/Pipfile tables: `name` plus the version or table). */
  spec: string;
  span: Span;
  /** `main`, an extra's or group's name, `dev`. */
  group: string;
}

export interface Pyproject {
  path: string;
  text: string;
  data: Toml | undefined;
  name: string | undefined;
  requiresPython: { value: string; span: Span } | undefined;
  dependencies: DeclaredDep[];
  optionalDependencies: Record<string, DeclaredDep[]>;
  /** `[dependency-groups]` (PEP 735). */
  dependencyGroups: Record<string, DeclaredDep[]>;
  /** The README file `readme` names (string, or table with `file`). */
  readme: { file: string | undefined; span: Span } | undefined;
  scripts: Record<string, string>;
  poetry: { dependencies: DeclaredDep[]; groups: Record<string, DeclaredDep[]>; python: string | undefined; packages: string[]; scripts: Record<string, string>; readme: string[] } | undefined;
  uv: { present: true; devDependencies: DeclaredDep[]; workspaceMembers: string[]; package: boolean | undefined } | undefined;
  pdm: { present: true; devDependencies: Record<string, DeclaredDep[]> } | undefined;
  buildSystem: { requires: string[]; backend: string | undefined } | undefined;
  problem: FileProblem | undefined;
}

function declared(text: string, specs: string[], group: string, from: Span | undefined): DeclaredDep[] {
  const start = from?.start ?? 0;
  let cursor = start;
  return specs.map((s) => {
    const span = valueSpan(text, s, cursor, from ?? { start: 0, end: 0 });
    if (span.start >= cursor) cursor = span.end;
    return { ...parseSpec(s), spec: s, span, group };
  });
}

/** poetry / Pipfile style tables: `name = "^1.2"` or `name = { version = "…", extras = […] }`. */
function tableDeps(text: string, table: string, deps: Toml | undefined, group: string, skip: string[] = []): DeclaredDep[] {
  if (!deps) return [];
  const out: DeclaredDep[] = [];
  for (const [name, v] of Object.entries(deps)) {
    if (skip.includes(name.toLowerCase())) continue;
    const ks = keySpan(text, table, name) ?? { start: 0, end: 0 };
    const version = typeof v === 'string' ? v : str(obj(v)?.version);
    const t = obj(v);
    const url = t ? str(t.git) ?? str(t.url) ?? str(t.path) : undefined;
    const exact = version !== undefined && (/^==?\s*\d[^,*<>!~^]*$/.test(version.trim()) || /^\d[\w.]*$/.test(version.trim()));
    const any = version === undefined || version.trim() === '*' || version.trim() === '';
    out.push({
      name: normalizeName(name),
      extras: strs(t?.extras),
      specifier: version ?? '',
      markers: str(t?.markers),
      url: t && (t.git || t.url) ? url : undefined,
      path: t && t.path ? str(t.path) : undefined,
      kind: t && t.path ? 'skip' : t && t.git ? (t.rev || t.tag || t.ref ? 'pinned' : 'vcs') : exact ? 'pinned' : any || version !== undefined ? 'unpinned' : 'unpinned',
      pinned: exact,
      spec: typeof v === 'string' ? `${name} ${v}` : name,
      span: ks,
      group,
    });
  }
  return out;
}

export function parsePyproject(text: string, path: string): Pyproject {
  const { data, problem } = tomlParse(text, path);
  const out: Pyproject = {
    path, text, data, name: undefined, requiresPython: undefined, dependencies: [], optionalDependencies: {}, dependencyGroups: {},
    readme: undefined, scripts: {}, poetry: undefined, uv: undefined, pdm: undefined, buildSystem: undefined, problem,
  };
  if (!data) return out;
  const project = obj(data.project);
  const tool = obj(data.tool);
  const dummy = { start: 0, end: 0 };
  if (project) {
    out.name = str(project.name);
    const rp = str(project['requires-python']);
    if (rp !== undefined) {
      const ks = keySpan(text, 'project', 'requires-python') ?? dummy;
      out.requiresPython = { value: rp, span: valueSpan(text, rp, ks.start, ks) };
    }
    out.dependencies = declared(text, strs(project.dependencies), 'main', keySpan(text, 'project', 'dependencies'));
    const opt = obj(project['optional-dependencies']);
    for (const [g, list] of Object.entries(opt ?? {})) {
      out.optionalDependencies[g] = declared(text, strs(list), g, keySpan(text, 'project.optional-dependencies', g) ?? keySpan(text, 'project', 'optional-dependencies'));
    }
    const readme = project.readme;
    if (readme !== undefined) {
      const ks = keySpan(text, 'project', 'readme') ?? keySpan(text, 'project.readme', 'file') ?? dummy;
      const file = typeof readme === 'string' ? readme : str(obj(readme)?.file);
      out.readme = { file, span: file ? valueSpan(text, file, ks.start, ks) : ks };
    }
    for (const [k, v] of Object.entries(obj(project.scripts) ?? {})) if (typeof v === 'string') out.scripts[k] = v;
  }
  for (const [g, list] of Object.entries(obj(data['dependency-groups']) ?? {})) {
    out.dependencyGroups[g] = declared(text, strs(list), g, keySpan(text, 'dependency-groups', g));
  }
  const poetry = obj(tool?.poetry);
  if (poetry) {
    const deps = obj(poetry.dependencies);
    const groups: Record<string, DeclaredDep[]> = {};
    for (const [g, gv] of Object.entries(obj(poetry.group) ?? {})) groups[g] = tableDeps(text, `tool.poetry.group.${g}.dependencies`, obj(obj(gv)?.dependencies), g);
    const dev = obj(poetry['dev-dependencies']);
    if (dev) groups.dev = [...(groups.dev ?? []), ...tableDeps(text, 'tool.poetry.dev-dependencies', dev, 'dev')];
    const py = deps?.python;
    const readme = poetry.readme;
    out.poetry = {
      dependencies: tableDeps(text, 'tool.poetry.dependencies', deps, 'main', ['python']),
      groups,
      python: typeof py === 'string' ? py : str(obj(py)?.version),
      packages: (Array.isArray(poetry.packages) ? poetry.packages : []).map((p) => str(obj(p)?.include)).filter((x): x is string => x !== undefined),
      scripts: Object.fromEntries(Object.entries(obj(poetry.scripts) ?? {}).filter(([, v]) => typeof v === 'string')) as Record<string, string>,
      readme: typeof readme === 'string' ? [readme] : strs(readme),
    };
    if (!out.readme && out.poetry.readme.length > 0) {
      const ks = keySpan(text, 'tool.poetry', 'readme') ?? dummy;
      out.readme = { file: out.poetry.readme[0], span: valueSpan(text, out.poetry.readme[0]!, ks.start, ks) };
    }
    if (!out.name) out.name = str(poetry.name);
  }
  const uv = obj(tool?.uv);
  if (uv) {
    out.uv = {
      present: true,
      devDependencies: declared(text, strs(uv['dev-dependencies']), 'dev', keySpan(text, 'tool.uv', 'dev-dependencies')),
      workspaceMembers: strs(obj(uv.workspace)?.members),
      package: typeof uv.package === 'boolean' ? uv.package : undefined,
    };
  }
  const pdm = obj(tool?.pdm);
  if (pdm) {
    const dev: Record<string, DeclaredDep[]> = {};
    for (const [g, list] of Object.entries(obj(pdm['dev-dependencies']) ?? {})) dev[g] = declared(text, strs(list), g, keySpan(text, 'tool.pdm.dev-dependencies', g));
    out.pdm = { present: true, devDependencies: dev };
  }
  const bs = obj(data['build-system']);
  if (bs) out.buildSystem = { requires: strs(bs.requires), backend: str(bs['build-backend']) };
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Pipfile, environment.yml, version files

export interface Pipfile {
  path: string;
  packages: DeclaredDep[];
  devPackages: DeclaredDep[];
  python: string | undefined;
  problem: FileProblem | undefined;
}

export function parsePipfile(text: string, path: string): Pipfile {
  const { data, problem } = tomlParse(text, path);
  const requires = obj(data?.requires);
  return {
    path,
    packages: tableDeps(text, 'packages', obj(data?.packages), 'main'),
    devPackages: tableDeps(text, 'dev-packages', obj(data?.['dev-packages']), 'dev'),
    python: str(requires?.python_full_version) ?? str(requires?.python_version),
    problem,
  };
}

export interface CondaEnv {
  path: string;
  name: string | undefined;
  /** Conda packages (`python=3.11`, `numpy`) with spans. */
  dependencies: { spec: string; name: string; span: Span }[];
  /** The `pip:` sub-list. */
  pip: DeclaredDep[];
  python: string | undefined;
  problems: FileProblem[];
}

export function parseCondaEnv(text: string, path: string): CondaEnv {
  const out: CondaEnv = { path, name: undefined, dependencies: [], pip: [], python: undefined, problems: [] };
  let doc;
  try {
    doc = yaml().parseDocument(text, { lineCounter: new (yaml().LineCounter)(), prettyErrors: false, uniqueKeys: false });
  } catch (e) {
    out.problems.push({ file: path, span: { start: 0, end: 0 }, message: `invalid YAML: ${(e as Error).message}` });
    return out;
  }
  for (const err of doc.errors) {
    const at = err.pos?.[0] ?? 0;
    out.problems.push({ file: path, span: { start: at, end: err.pos?.[1] ?? at }, message: `invalid YAML: ${err.message.split('\n')[0]}` });
  }
  if (!yaml().isMap(doc.contents)) return out;
  const name = doc.contents.get('name');
  out.name = typeof name === 'string' ? name : undefined;
  const deps = doc.contents.get('dependencies', true);
  if (!yaml().isSeq(deps)) return out;
  for (const item of deps.items) {
    if (yaml().isScalar(item) && typeof item.value === 'string') {
      const spec = item.value.trim();
      const span = { start: item.range?.[0] ?? 0, end: item.range?.[1] ?? 0 };
      const bare = spec.includes('::') ? spec.slice(spec.indexOf('::') + 2) : spec;
      const m = /^([A-Za-z0-9._-]+)\s*(.*)$/.exec(bare);
      const dname = normalizeName(m ? m[1]! : bare);
      out.dependencies.push({ spec, name: dname, span });
      if (dname === 'python' && m && m[2]) out.python = m[2].replace(/^=+/, '').trim();
    } else if (yaml().isMap(item)) {
      const pip = item.get('pip', true);
      if (yaml().isSeq(pip)) {
        for (const p of pip.items) {
          if (!yaml().isScalar(p) || typeof p.value !== 'string') continue;
          out.pip.push({ ...parseSpec(p.value), spec: p.value, span: { start: p.range?.[0] ?? 0, end: p.range?.[1] ?? 0 }, group: 'pip' });
        }
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Project-level facts

export type PackageManager = 'uv' | 'poetry' | 'pdm' | 'pipenv' | 'conda' | 'pip-tools' | 'pip';

export const LOCK_FILES: Record<string, PackageManager> = {
  'uv.lock': 'uv', 'poetry.lock': 'poetry', 'pdm.lock': 'pdm', 'Pipfile.lock': 'pipenv', 'conda-lock.yml': 'conda',
};

const REQ_FILE = /(^|\/)([\w.-]*requirements[\w.-]*\.(txt|in)|requirements\/[\w.-]+\.(txt|in)|constraints[\w.-]*\.txt|requirements\.lock)$/i;
const MAX_DEPTH_DIRS = 3;

const depthOf = (p: string): number => p.split('/').length - 1;
/** Paths under these directories are examples, tests or docs, not the application's manifests. */
const NOT_APP = /(^|\/)(tests?|docs?|examples?|\.github|node_modules|site-packages|vendor|third_party)\//i;

/** Every requirements-like file of the project (root-relative), parsed. */
export const requirementsFiles = projectFact((p: Project): RequirementsFile[] =>
  p.find((f) => REQ_FILE.test(f) && depthOf(f) <= MAX_DEPTH_DIRS && !NOT_APP.test(f)).map((f) => parseRequirements(p.file(f)?.text ?? '', f)));

/** Every pyproject.toml of the project (root first), parsed. */
export const pyprojects = projectFact((p: Project): Pyproject[] =>
  p.find((f) => /(^|\/)pyproject\.toml$/.test(f) && depthOf(f) <= MAX_DEPTH_DIRS && !NOT_APP.test(f))
    .sort((a, b) => depthOf(a) - depthOf(b) || a.localeCompare(b))
    .map((f) => parsePyproject(p.file(f)?.text ?? '', f)));

/** The pyproject.toml of a directory (root-relative, '' for the root). */
export function pyprojectAt(p: Project, dir: string): Pyproject | undefined {
  const path = dir ? `${dir}/pyproject.toml` : 'pyproject.toml';
  return pyprojects(p).find((x) => x.path === path) ?? (() => {
    const f = p.file(path);
    return f ? parsePyproject(f.text, path) : undefined;
  })();
}

export const pipfiles = projectFact((p: Project): Pipfile[] =>
  p.find((f) => /(^|\/)Pipfile$/.test(f) && depthOf(f) <= MAX_DEPTH_DIRS && !NOT_APP.test(f)).map((f) => parsePipfile(p.file(f)?.text ?? '', f)));

const condaEnvs = projectFact((p: Project): CondaEnv[] =>
  p.find((f) => /(^|\/)environment[\w.-]*\.ya?ml$/.test(f) && depthOf(f) <= MAX_DEPTH_DIRS && !NOT_APP.test(f)).map((f) => parseCondaEnv(p.file(f)?.text ?? '', f)));

export interface PythonFacts {
  /** Package managers, the most specific first (a lock-file tool before plain pip). */
  managers: PackageManager[];
  /** Lock files present (root-relative). */
  lockFiles: string[];
  /** The Python version the project asks for, and the file that says so. */
  pythonVersion: { value: string; source: string } | undefined;
  /** Frameworks named by the dependencies (`django`, `flask`…). */
  frameworks: string[];
  /** Servers named by the dependencies or config files (`gunicorn`, `uvicorn`…). */
  servers: string[];
  /** Ambiguities worth a note: several lock files, a manifest without its lock. */
  ambiguities: string[];
  pyprojects: Pyproject[];
  requirements: RequirementsFile[];
  pipfiles: Pipfile[];
  condaEnvs: CondaEnv[];
}

const FRAMEWORKS: [string, string][] = [
  ['django', 'django'], ['wagtail', 'wagtail'], ['flask', 'flask'], ['fastapi', 'fastapi'], ['starlette', 'starlette'],
  ['celery', 'celery'], ['aiohttp', 'aiohttp'], ['pyramid', 'pyramid'], ['tornado', 'tornado'], ['dash', 'dash'],
  ['rq', 'rq'], ['sanic', 'sanic'], ['quart', 'quart'], ['litestar', 'litestar'], ['falcon', 'falcon'], ['bottle', 'bottle'],
  ['streamlit', 'streamlit'], ['dramatiq', 'dramatiq'], ['huey', 'huey'], ['channels', 'channels'],
];
const SERVERS: [string, string][] = [
  ['gunicorn', 'gunicorn'], ['uvicorn', 'uvicorn'], ['uwsgi', 'uwsgi'], ['pyuwsgi', 'uwsgi'], ['granian', 'granian'],
  ['waitress', 'waitress'], ['hypercorn', 'hypercorn'], ['daphne', 'daphne'], ['cheroot', 'cheroot'], ['bjoern', 'bjoern'],
  ['gevent', 'gevent'], ['meinheld', 'meinheld'],
];

/** All dependency names the project declares directly (preferring `.in` sources over their compiled `.txt`). */
function declaredNames(reqs: RequirementsFile[], pps: Pyproject[], pfs: Pipfile[], envs: CondaEnv[], extra: string[]): Set<string> {
  const names = new Set<string>();
  const add = (n: string | undefined, extras: string[] = []): void => {
    if (!n) return;
    names.add(n);
    for (const e of extras) names.add(`${n}[${normalizeName(e)}]`);
  };
  const ins = new Set(reqs.filter((r) => r.path.endsWith('.in')).map((r) => r.path.slice(0, -3)));
  for (const r of reqs) {
    if (r.path.endsWith('.txt') && ins.has(r.path.slice(0, -4))) continue;
    for (const q of r.requirements) add(q.name, q.extras);
  }
  for (const pp of pps) {
    for (const d of [...pp.dependencies, ...Object.values(pp.optionalDependencies).flat(), ...(pp.poetry?.dependencies ?? [])]) add(d.name, d.extras);
  }
  for (const pf of pfs) for (const d of pf.packages) add(d.name, d.extras);
  for (const e of envs) {
    for (const d of e.dependencies) add(d.name);
    for (const d of e.pip) add(d.name, d.extras);
  }
  for (const n of extra) add(n);
  return names;
}

/** install_requires names in setup.py / setup.cfg (a light scan: quoted requirement strings). */
function setupNames(p: Project): string[] {
  const out: string[] = [];
  for (const f of p.find((x) => /(^|\/)setup\.(py|cfg)$/.test(x) && depthOf(x) <= 1)) {
    const text = p.file(f)?.text ?? '';
    if (f.endsWith('.cfg')) {
      const m = /^install_requires\s*=\s*\n((?:[ \t]+.*\n?)*)/m.exec(text);
      for (const line of m ? m[1]!.split('\n') : []) {
        const t = line.trim();
        if (t && !t.startsWith('#')) out.push(requirementName(t));
      }
    } else {
      const m = /install_requires\s*=\s*\[([^\]]*)\]/.exec(text);
      for (const s of m ? m[1]!.matchAll(/["']([A-Za-z0-9][^"']*)["']/g) : []) out.push(requirementName(s[1]!));
    }
  }
  return out;
}

/** Server names started by Procfile lines and hinted by config files. */
function serverFiles(p: Project): string[] {
  const out: string[] = [];
  for (const f of p.find((x) => /(^|\/)Procfile$/.test(x) && depthOf(x) <= 1)) {
    for (const line of (p.file(f)?.text ?? '').split('\n')) {
      const m = /^\s*[\w-]+\s*:\s*(.*)$/.exec(line);
      if (!m) continue;
      for (const [word, server] of SERVERS) if (new RegExp(`(^|[\\s/&;])${word}(\\s|$)`).test(m[1]!)) out.push(server);
    }
  }
  // servers a Dockerfile installs or starts (`pip install gunicorn`, `CMD ["gunicorn", …]`)
  for (const f of p.find((x) => /(^|\/)([\w.-]*\.)?(Dockerfile|Containerfile)([.\w-]*)?$|\.dockerfile$/i.test(x) && depthOf(x) <= 3)) {
    for (const line of (p.file(f)?.text ?? '').split('\n')) {
      if (/^\s*#/.test(line)) continue;
      for (const [word, server] of SERVERS) if (new RegExp(`(^|[\\s/"'\\[&;])${word}([\\s"'=<>\\]]|$)`).test(line) && word !== 'gevent') out.push(server);
    }
  }
  const files = p.find((x) => depthOf(x) <= 3 && !NOT_APP.test(x));
  if (files.some((x) => /(^|\/)uwsgi[\w.-]*\.(ini|ya?ml)$/.test(x))) out.push('uwsgi');
  if (files.some((x) => /(^|\/)gunicorn[\w.-]*\.(py|conf)$/.test(x) || /(^|\/)gunicorn\/[\w.-]+\.py$/.test(x))) out.push('gunicorn');
  return out;
}

export const detectPython = projectFact((p: Project): PythonFacts => {
  const reqs = requirementsFiles(p);
  const pps = pyprojects(p);
  const pfs = pipfiles(p);
  const envs = condaEnvs(p);
  const lockFiles = p.find((f) => (f.split('/').pop()! in LOCK_FILES) && depthOf(f) <= MAX_DEPTH_DIRS && !NOT_APP.test(f));
  const managers: PackageManager[] = [];
  const add = (m: PackageManager): void => {
    if (!managers.includes(m)) managers.push(m);
  };
  const lockBase = new Set(lockFiles.map((f) => f.split('/').pop()!));
  const ambiguities: string[] = [];
  // the manager the lock files and manifests name, most specific first
  for (const [lock, m] of Object.entries(LOCK_FILES)) if (lockBase.has(lock)) add(m);
  for (const pp of pps) {
    if (pp.poetry && (pp.poetry.dependencies.length > 0 || /poetry/.test(pp.buildSystem?.backend ?? ''))) {
      add('poetry');
      if (!lockBase.has('poetry.lock')) ambiguities.push(`${pp.path} declares poetry dependencies but there is no poetry.lock`);
    }
    if (pp.pdm && !lockBase.has('pdm.lock') && Object.keys(pp.pdm.devDependencies).length > 0) {
      add('pdm');
      ambiguities.push(`${pp.path} has [tool.pdm] but there is no pdm.lock`);
    }
  }
  if (pfs.length > 0) {
    add('pipenv');
    if (!lockBase.has('Pipfile.lock')) ambiguities.push('Pipfile without Pipfile.lock');
  }
  if (envs.length > 0) add('conda');
  const compiled = reqs.filter((r) => r.path.endsWith('.txt') && (/autogenerated by pip-compile|uv pip compile|by the following command/i.test(r.text.slice(0, 600)) || reqs.some((x) => x.path === r.path.slice(0, -4) + '.in')));
  if (compiled.length > 0 || reqs.some((r) => r.path.endsWith('.in') && !r.path.split('/').pop()!.startsWith('MANIFEST'))) add('pip-tools');
  if (reqs.some((r) => r.path.endsWith('.txt'))) add('pip');
  if (managers.length === 0 && (pps.some((pp) => pp.dependencies.length > 0) || setupNames(p).length > 0 || p.find((f) => /(^|\/)setup\.py$/.test(f) && depthOf(f) <= 1).length > 0)) add('pip');
  // [tool.uv] without uv.lock: uv configured, but nothing locked: the least specific guess
  const uvNoLock = pps.find((pp) => pp.uv) && !lockBase.has('uv.lock');
  if (uvNoLock) {
    add('uv');
    ambiguities.push(`${pps.find((pp) => pp.uv)!.path} has [tool.uv] but there is no uv.lock`);
  }
  const lockTools = new Set(lockFiles.map((f) => LOCK_FILES[f.split('/').pop()!]));
  if (lockTools.size > 1) ambiguities.push(`several lock files: ${lockFiles.join(', ')}`);
  // Python version, most explicit source first
  let pythonVersion: PythonFacts['pythonVersion'];
  const pv = p.file('.python-version')?.text.split('\n').map((l) => l.trim()).find((l) => l && !l.startsWith('#'));
  const rt = p.file('runtime.txt')?.text.trim();
  if (pv) pythonVersion = { value: pv, source: '.python-version' };
  else if (rt) pythonVersion = { value: rt.replace(/^python-/, ''), source: 'runtime.txt' };
  else {
    const pf = pfs.find((x) => x.python);
    const env = envs.find((x) => x.python);
    const pp = pps.find((x) => x.requiresPython);
    const po = pps.find((x) => x.poetry?.python);
    if (pf) pythonVersion = { value: pf.python!, source: pf.path };
    else if (env) pythonVersion = { value: env.python!, source: env.path };
    else if (pp) pythonVersion = { value: pp.requiresPython!.value, source: pp.path };
    else if (po) pythonVersion = { value: po.poetry!.python!, source: po.path };
  }
  const names = declaredNames(reqs, pps, pfs, envs, setupNames(p));
  const frameworks = FRAMEWORKS.filter(([dep]) => names.has(dep)).map(([, f]) => f);
  if (names.has('django-rq') || names.has('flask-rq2')) frameworks.push('rq');
  // frameworks built on another: the base is the framework too
  if (frameworks.includes('wagtail') && !frameworks.includes('django')) frameworks.unshift('django');
  if (frameworks.includes('dash') && !frameworks.includes('flask')) frameworks.unshift('flask');
  const servers: string[] = [];
  for (const [dep, s] of SERVERS) if (names.has(dep) && !servers.includes(s)) servers.push(s);
  if ((names.has('fastapi[standard]') || names.has('fastapi-cli[standard]')) && !servers.includes('uvicorn')) servers.push('uvicorn');
  if ([...names].some((n) => /^uvicorn\[/.test(n)) && !servers.includes('uvicorn')) servers.push('uvicorn');
  for (const s of serverFiles(p)) if (!servers.includes(s)) servers.push(s);
  return {
    managers, lockFiles, pythonVersion, frameworks: [...new Set(frameworks)], servers, ambiguities,
    pyprojects: pps, requirements: reqs, pipfiles: pfs, condaEnvs: envs,
  };
});

/**
 * The versions a lock file pins (uv.lock, poetry.lock, pdm.lock: `[[package]]`; Pipfile.lock: its `default` section),
 * by normalized name; the project's own virtual/editable entry is left out. Undefined when the file is missing, not a
 * lock file, or does not parse (a broken lock is `pyship check`'s business: DF026).
 */
export function lockPins(p: Project, lock: string): Map<string, string> | undefined {
  const text = p.file(lock)?.text;
  const name = lock.split('/').pop()!;
  if (text === undefined || !name.endsWith('.lock')) return undefined;
  const versions = new Map<string, string>();
  try {
    if (name === 'Pipfile.lock') {
      const doc = JSON.parse(text) as { default?: Record<string, { version?: string }> };
      for (const [n, v] of Object.entries(doc.default ?? {})) if (v.version) versions.set(normalizeName(n), v.version.replace(/^==/, ''));
    } else {
      const doc = parseToml(text) as { package?: { name?: string; version?: string; source?: { virtual?: string; editable?: string } }[] };
      for (const pkg of doc.package ?? []) {
        if (pkg.name && pkg.version && !pkg.source?.virtual && !pkg.source?.editable) versions.set(normalizeName(pkg.name), pkg.version);
      }
    }
  } catch {
    return undefined;
  }
  return versions;
}

/** Pinned versions of a project: its lock files, else the `==` pins of its requirements files; and where they came from. */
export const projectPins = projectFact((p: Project): { sources: string[]; versions: Map<string, string> } => {
  const facts = detectPython(p);
  const versions = new Map<string, string>();
  const sources: string[] = [];
  for (const lock of facts.lockFiles) {
    const pins = lockPins(p, lock);
    if (!pins) continue;
    for (const [n, v] of pins) versions.set(n, v);
    sources.push(lock);
  }
  if (sources.length === 0) {
    for (const r of facts.requirements) {
      let any = false;
      for (const q of r.requirements) {
        const m = /^===?([^,;]+)$/.exec(q.specifier);
        if (q.name && q.pinned && m) {
          versions.set(q.name, m[1]!.trim());
          any = true;
        }
      }
      if (any) sources.push(r.path);
    }
  }
  return { sources, versions };
});

/** Malformed manifests: TOML/YAML errors, unparseable requirement lines (for DF026). Never throws. */
export const pythonProblems = projectFact((p: Project): FileProblem[] => {
  const out: FileProblem[] = [];
  try {
    for (const r of requirementsFiles(p)) out.push(...r.problems);
    for (const pp of pyprojects(p)) if (pp.problem) out.push(pp.problem);
    for (const pf of pipfiles(p)) if (pf.problem) out.push(pf.problem);
    for (const e of condaEnvs(p)) out.push(...e.problems);
  } catch (e) {
    out.push({ file: '.', span: { start: 0, end: 0 }, message: `could not read the Python manifests: ${(e as Error).message}` });
  }
  return out;
});
