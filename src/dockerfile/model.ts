// The Dockerfile model every rule reads: stages, instructions with exact spans, flags, heredocs, effective state.
import type { PersistentMap } from './pmap.js';

/** Half-open [start, end) offsets into the original text (UTF-16 code units). */
export interface Span {
  start: number;
  end: number;
}

/** Index of the first span whose end is > `offset`, in disjoint spans sorted by position (a binary search). */
export function firstEndAfter(spans: readonly Span[], offset: number): number {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (spans[mid]!.end <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface Directive {
  name: string; // lower-case: escape, syntax, check
  value: string;
  span: Span;
}

export interface Comment {
  /** Text after '#', trimmed. */
  text: string;
  span: Span;
  /** True when the comment sits inside a line continuation (BuildKit drops it). */
  inContinuation: boolean;
}

/** `--name=value` before the arguments (`--mount=…`, `--from=…`, `--chown=…`). */
export interface Flag {
  name: string; // without leading dashes, lower-case
  /** Unquoted value, or null for a bare `--link`. */
  value: string | null;
  raw: string; // as BuildKit prints it, e.g. "--from=build"
  span: Span;
}

/** One `--mount=` flag, split into its options. */
export interface Mount {
  type: string; // bind (default), cache, secret, ssh, tmpfs
  target?: string;
  source?: string;
  from?: string;
  id?: string;
  options: Record<string, string>;
  span: Span;
}

export interface Heredoc {
  name: string;
  /** Delimiter was quoted: no variable expansion in the body. */
  quoted: boolean;
  /** `<<-`: leading tabs are stripped. */
  chomp: boolean;
  /** The body, lines joined with their newlines, as BuildKit gives it. */
  content: string;
  /** Span of the body in the file (without the terminator line). */
  contentSpan: Span;
  /** The `<<EOF` marker in the instruction line. */
  markerSpan: Span;
}

/** A whitespace-separated word of an instruction's arguments, BuildKit-style (quotes removed in `value`). */
export interface Word {
  value: string;
  raw: string;
  span: Span;
}

/** KEY=value (or legacy `KEY value`) pairs of ENV, ARG, LABEL. */
export interface KeyValue {
  key: string;
  /** Unquoted value; undefined for `ARG NAME` without a default. */
  value: string | undefined;
  rawValue: string | undefined;
  span: Span;
  keySpan: Span;
  valueSpan?: Span;
  /** ENV/LABEL written in the legacy `KEY value` form. */
  legacy: boolean;
}

export type Keyword =
  | 'FROM' | 'RUN' | 'CMD' | 'LABEL' | 'MAINTAINER' | 'EXPOSE' | 'ENV' | 'ADD' | 'COPY'
  | 'ENTRYPOINT' | 'VOLUME' | 'USER' | 'WORKDIR' | 'ARG' | 'ONBUILD' | 'STOPSIGNAL'
  | 'HEALTHCHECK' | 'SHELL';

export const KEYWORDS: ReadonlySet<string> = new Set<Keyword>([
  'FROM', 'RUN', 'CMD', 'LABEL', 'MAINTAINER', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT',
  'VOLUME', 'USER', 'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL',
]);

/** What was in effect when an instruction ran (before it took effect itself). */
export interface BuildState {
  /** ENV values, expanded. A snapshot shared with the instructions before it while nothing changes it. */
  env: PersistentMap<string>;
  /** ARG values visible in the stage (default or undefined when declared without one). */
  args: PersistentMap<string | undefined>;
  /** Effective USER, or undefined when none was set in this stage's FROM chain. */
  user: string | undefined;
  /** Effective WORKDIR (absolute when known), or undefined. */
  workdir: string | undefined;
  /** Effective SHELL argv. Default ["/bin/sh", "-c"]. */
  shell: readonly string[];
}

export interface Instruction {
  /** Upper-case keyword, as written otherwise unknown (e.g. "FORM"). */
  keyword: string;
  /** Whether the keyword is one Docker knows. */
  known: boolean;
  /** Position in the file's instruction list. */
  index: number;
  /** Stage index (-1 for instructions before the first FROM: global ARGs). */
  stage: number;
  /** From the keyword's first character to the end of its last line (heredoc terminators included). */
  span: Span;
  keywordSpan: Span;
  flags: Flag[];
  /** Argument text after the flags, continuations joined and comment lines dropped, as BuildKit sees it. */
  args: string;
  /** Span of the arguments in the file. */
  argsSpan: Span;
  /** Exec (JSON array) form arguments, when the arguments are a valid JSON string array. */
  json: string[] | undefined;
  /** Arguments split into words (quotes removed in `value`), for COPY/ADD/EXPOSE/FROM/VOLUME… */
  words: Word[];
  heredocs: Heredoc[];
  /** The wrapped instruction of ONBUILD. */
  onbuild?: Instruction;
  /** Comment lines directly above the instruction (no blank line between). */
  comments: Comment[];
  /** State in effect when this instruction runs (before it applies). */
  state: BuildState;
  /** Map an offset into `args` back to the file (continuations make them differ). */
  argOffset(index: number): number;
}

export interface BaseImage {
  /** As written after FROM, flags removed (e.g. "python:${PY}-slim"). */
  raw: string;
  /** With ARGs expanded from their defaults; undefined when something could not be resolved. */
  resolved: string | undefined;
  registry?: string;
  /** Repository path without registry: "library/python" is reported as "python". */
  repository?: string;
  tag?: string;
  digest?: string;
  /** Index of an earlier stage this FROM names, if any. */
  stage?: number;
  scratch: boolean;
  platform?: string;
  span: Span;
}

export interface Stage {
  index: number;
  name?: string;
  nameSpan?: Span;
  from: Instruction;
  base: BaseImage;
  /** Instructions of the stage, FROM first. */
  instructions: Instruction[];
}

export interface ParseProblem {
  message: string;
  span: Span;
  /** 'error' makes the file unusable for BuildKit; 'warning' is accepted with a warning. */
  level: 'error' | 'warning';
  /** A stable id: 'syntax', 'empty-continuation', 'unknown-instruction', 'unterminated-heredoc', … */
  kind: string;
}

export interface Dockerfile {
  path: string;
  text: string;
  /** Offset of the first character after a BOM. */
  bodyStart: number;
  escape: '\\' | '`';
  directives: Directive[];
  comments: Comment[];
  instructions: Instruction[];
  stages: Stage[];
  /** ARGs declared before the first FROM, with their defaults. */
  globalArgs: ReadonlyMap<string, string | undefined>;
  problems: ParseProblem[];
}
