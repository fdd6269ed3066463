// Files in the image and the scripts its start command runs: which COPY wrote a path (a `COPY <<EOF` body, a context
// file in project mode) and the shell scripts ENTRYPOINT/CMD run, for every rule family.
import { lineOf } from './lines.js';
import { memo2, memo3, memo4 } from './memo.js';
import { normalizePosix, resolveIn } from './paths.js';
import type { Dockerfile, Heredoc, Instruction, Span, Stage, Word } from './model.js';
import { parseShell, type ShCommand, type ShellScript, type ShWord } from './shell.js';
import { expandWord } from './words.js';
import { chainInstructions, copyOperands, finalEnv, pathWithin, startCommand } from './query.js';

/** The project files a rule may read (structurally `ProjectFiles` of lint/rule.ts). */
export interface ContextReader {
  exists(path: string): boolean;
  read(path: string): string | undefined;
}

/** Where a file of the image comes from: a `COPY <<EOF` body, or a build-context file (project mode only). */
export interface ImageFile {
  /** Absolute path in the image. */
  path: string;
  /** The COPY/ADD that wrote it. */
  copy: Instruction;
  heredoc?: Heredoc;
  /** Context path (POSIX, relative) and the COPY source word that names it, for a context file. */
  contextPath?: string;
  word?: Word;
  text: string;
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (const ch of glob) {
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp('^' + re + '$');
}

type Writer = { kind: 'heredoc'; heredoc: Heredoc } | { kind: 'context'; word: Word; candidates: string[]; exact: boolean } | { kind: 'unknown' };

/** How a COPY/ADD may write `target` (absolute image path), or undefined when it cannot. */
function copyWrites(df: Dockerfile, instr: Instruction, target: string): Writer | undefined {
  if (instr.keyword !== 'COPY' && instr.keyword !== 'ADD') return undefined;
  const words = instr.words;
  if (words.length < 2) return undefined;
  const lookup = (n: string): string | undefined => instr.state.env.get(n) ?? instr.state.args.get(n) ?? undefined;
  const text = (w: Word): string => (instr.json ? w.value : w.raw);
  const destWord = words[words.length - 1]!;
  const dest = expandWord(text(destWord), lookup, df.escape);
  if (dest.unresolved.length > 0) return undefined;
  const destDir = dest.value.endsWith('/') || words.length > 2;
  const destAbs = normalizePosix(dest.value.startsWith('/') ? dest.value : (instr.state.workdir ?? '/') + '/' + dest.value);
  const from = instr.flags.some((f) => f.name === 'from');
  let heredocIndex = 0;
  for (const w of words.slice(0, -1)) {
    if (!instr.json && /^\d*<<-?/.test(w.raw) && instr.heredocs.length > 0) {
      const h = instr.heredocs[heredocIndex++];
      if (!h) continue;
      const file = destDir ? destAbs + '/' + h.name : destAbs;
      if (normalizePosix(file) === target) return { kind: 'heredoc', heredoc: h };
      continue;
    }
    const src = expandWord(text(w), lookup, df.escape);
    if (src.unresolved.length > 0) {
      if (target.startsWith(destAbs)) return { kind: 'unknown' };
      continue;
    }
    const s = src.value;
    const base = s.replace(/\/+$/, '').split('/').pop() ?? '';
    const isUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(s) || /^git@/.test(s);
    const glob = /[*?[]/.test(s);
    const rel = s.split('/').filter((p) => p !== '' && p !== '.').join('/');
    // normalise joins so a copy to `/` gives `/entrypoint.sh`, not `//entrypoint.sh`
    const exactFile = (!destDir && target === destAbs) || target === normalizePosix(destAbs + '/' + base);
    const targetDir = target.slice(0, target.lastIndexOf('/')) || '/';
    const globFile = glob && targetDir === destAbs && globToRegExp(base).test(target.slice(target.lastIndexOf('/') + 1));
    const under = target.startsWith(destAbs === '/' ? '/' : destAbs + '/');
    if (isUrl || from || (instr.keyword === 'ADD' && /\.(tar|tgz|tar\.\w+|zip)$/i.test(s))) {
      if (exactFile || globFile || under) return { kind: 'unknown' };
      continue;
    }
    if (glob) {
      if (globFile) {
        const dir = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/') + 1) : '';
        return { kind: 'context', word: w, candidates: [dir + target.slice(target.lastIndexOf('/') + 1)], exact: true };
      }
      if (under) return { kind: 'unknown' };
      continue;
    }
    if (exactFile) return { kind: 'context', word: w, candidates: [rel === '' ? base : rel], exact: true };
    if (under) {
      const inner = target.slice(destAbs === '/' ? 1 : destAbs.length + 1);
      return { kind: 'context', word: w, candidates: [rel === '' ? inner : rel + '/' + inner], exact: false };
    }
  }
  return undefined;
}

/**
 * The file at an absolute image path as the stage's FROM chain last wrote it: a COPY heredoc body (both modes) or
 * a build-context file (project mode, read through `project`). Undefined when unknown (another stage, a URL, RUN…).
 */
function imageFileUncached(df: Dockerfile, stage: Stage, path: string, project?: ContextReader): ImageFile | undefined {
  const target = normalizePosix(path);
  const all = chainCopies(stage, df);
  for (let i = all.length - 1; i >= 0; i--) {
    const instr = all[i]!;
    const w = copyWrites(df, instr, target);
    if (!w) continue;
    if (w.kind === 'unknown') return undefined;
    if (w.kind === 'heredoc') return { path: target, copy: instr, heredoc: w.heredoc, text: w.heredoc.content };
    if (!project) return undefined;
    for (const c of w.candidates) {
      const text = project.read(c);
      if (text !== undefined) return { path: target, copy: instr, contextPath: c, word: w.word, text };
    }
    // a directory copy that doesn't hold the file: an earlier COPY may have written it
    if (w.exact) return undefined;
  }
  return undefined;
}

/** The COPY/ADD instructions of the stage's FROM chain: each looked-up path (one per PATH entry) scans only these. */
const chainCopies = memo2((stage: Stage, df: Dockerfile): Instruction[] =>
  chainInstructions(df, stage).filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD'));

/** Memoized: see imageFileUncached. */
export function imageFile(df: Dockerfile, stage: Stage, path: string, project?: ContextReader): ImageFile | undefined {
  return imageFileMemo(stage, project, path, df);
}
const imageFileMemo = memo4((stage: Stage, project: ContextReader | undefined, path: string, df: Dockerfile) => imageFileUncached(df, stage, path, project));

/**
 * Could a COPY/ADD of the stage's FROM chain put a file at this image path? Names it, copies a directory that may hold it
 * (the whole context, `src/`, a name without extension) or a glob that matches it, or has an unresolved destination.
 * With `contextKnown` (project mode, after imageFile found nothing) only writers the context can't answer count:
 * other stages, URLs, unresolved operands, and sources naming the file exactly.
 */
export function mayBeCopied(df: Dockerfile, stage: Stage, path: string, contextKnown = false): boolean {
  const target = normalizePosix(path);
  const name = target.slice(target.lastIndexOf('/') + 1);
  const FILE_NAMES = /^(Pipfile|Makefile|Dockerfile|Containerfile|LICEN[CS]E|README|Procfile|VERSION|NOTICE|AUTHORS|COPYING|Justfile)$/i;
  for (const instr of chainCopies(stage, df)) {
    const ops = copyOperands(df, instr);
    if (!ops) continue;
    if (ops.destPath === undefined) return true;
    const dest = ops.destPath;
    const destDir = (ops.dest ?? '').endsWith('/') || ops.sources.length + (ops.heredoc ? 1 : 0) > 1;
    const external = ops.from !== undefined || instr.keyword === 'ADD';
    for (const s of ops.sources) {
      if (s.value === undefined) return true;
      const v = s.value.replace(/\/+$/, '');
      const base = v.split('/').pop() ?? '';
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v) || /^git@/.test(v)) {
        if (target === dest || target === dest + '/' + name) return true;
        continue;
      }
      const exact = (!destDir && target === dest) || target === (dest === '/' ? '' : dest) + '/' + base;
      if (exact && (!contextKnown || external || base === name)) return true;
      if (/[*?[]/.test(base)) {
        const dir = target.slice(0, target.lastIndexOf('/')) || '/';
        if (dir === dest && (!contextKnown || external) && globToRegExp(base).test(name)) return true;
        continue;
      }
      const isDir = v === '' || v === '.' || s.value.endsWith('/') || (!/\.[^./]+$/.test(base) && !FILE_NAMES.test(base)) ||
        (base.startsWith('.') && !/\.[^./]+$/.test(base.slice(1))) ||
        (instr.keyword === 'ADD' && /\.(tar|tgz|tar\.\w+|zip)$/i.test(base));
      if (isDir && pathWithin(target, dest) && target !== dest && (!contextKnown || external)) return true;
    }
  }
  return false;
}

/** Sources and destination of a COPY/ADD, values expanded with the instruction's ARG/ENV (undefined when unresolved). */
export function copyParts(instr: Instruction, escape: '\\' | '`'): { sources: string[]; dest: string; destWord: string } | undefined {
  const lookup = (n: string): string | undefined => instr.state.env.get(n) ?? instr.state.args.get(n) ?? undefined;
  let raws: string[];
  let json = false;
  if (instr.json) {
    raws = instr.json;
    json = true;
  } else raws = instr.words.filter((w) => !/^\d*<<-?/.test(w.raw)).map((w) => w.raw);
  if (instr.heredocs.length === 0 && raws.length < 2) return undefined;
  if (instr.heredocs.length > 0 && raws.length < 1) return undefined;
  const vals: string[] = [];
  for (const r of raws) {
    if (json) {
      if (r.includes('$')) {
        const e = expandWord(r.replace(/(["'\\])/g, '\\$1'), lookup, '\\');
        if (e.unresolved.length > 0) return undefined;
        vals.push(e.value);
      } else vals.push(r);
      continue;
    }
    const e = expandWord(r, lookup, escape);
    if (e.unresolved.length > 0) return undefined;
    vals.push(e.value);
  }
  const destWord = vals[vals.length - 1]!;
  return { sources: vals.slice(0, -1), dest: resolveIn(instr.state.workdir, destWord), destWord };
}

/** Context path a COPY brings to image path `target`, or the heredoc that does; undefined when it does not. */
function provides(instr: Instruction, escape: '\\' | '`', target: string, project?: ContextReader):
  { heredoc?: Heredoc; contextPath?: string; fromStage?: boolean; maybe?: boolean } | undefined {
  const parts = copyParts(instr, escape);
  if (!parts) return undefined;
  const { sources, dest, destWord } = parts;
  const dirDest = destWord.endsWith('/') || sources.length + instr.heredocs.length > 1;
  if (instr.heredocs.length > 0) {
    for (const h of instr.heredocs) {
      const file = dirDest ? normalizePosix(dest + '/' + h.name) : dest;
      if (file === target) return { heredoc: h };
    }
  }
  const fromStage = instr.flags.some((f) => f.name === 'from');
  for (const raw of sources) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) continue;
    const src = raw.replace(/^\.\/+/, '').replace(/\/+$/, '');
    const wild = /[*?[]/.test(src);
    const base = basename(src);
    const archive = instr.keyword === 'ADD' && !fromStage && /\.(tar|tgz|tbz2?|txz|tar\.[a-z0-9]+)$/i.test(src);
    if (archive && (target === dest || target.startsWith(dest === '/' ? '/' : dest + '/'))) return { maybe: true };
    const file = !fromStage && !raw.endsWith('/') && !wild && looksLikeFile(base, project, src);
    if (!dirDest && target === dest) return wild ? { maybe: true } : { contextPath: src === '.' ? '' : src, fromStage };
    if (!wild && base !== '' && base !== '.' && target === normalizePosix(dest + '/' + base)) return { contextPath: src, fromStage };
    if (wild && target.startsWith(dest + '/') && !target.slice(dest.length + 1).includes('/')) return { maybe: true };
    if (!file && target.startsWith(dest === '/' ? '/' : dest + '/')) {
      const rel = target.slice(dest === '/' ? 1 : dest.length + 1);
      if (wild) return { maybe: true };
      const ctx = src === '.' || src === '' ? rel : src + '/' + rel;
      return { contextPath: ctx, fromStage, maybe: true };
    }
  }
  return undefined;
}

const FILE_NAMES = new Set(['Pipfile', 'Makefile', 'Procfile', 'Dockerfile', 'LICENSE', 'README', 'Gemfile', 'Justfile']);

/** Is a COPY source a single file (not a directory whose contents land under the destination)? */
function looksLikeFile(base: string, project: ContextReader | undefined, src: string): boolean {
  if (project) {
    if (project.read(src) !== undefined) return true;
    if (project.exists(src)) return false;
  }
  if (FILE_NAMES.has(base)) return true;
  return !base.startsWith('.') && /\.[A-Za-z0-9_-]{1,10}$/.test(base);
}

export interface Provider {
  copy: Instruction;
  heredoc?: Heredoc;
  /** Context path of the file (project mode can read it). */
  contextPath?: string;
  /** The COPY may or may not bring this path (directory copy, wildcard, another stage). */
  uncertain: boolean;
  fromStage: boolean;
}

/**
 * The last COPY/ADD in the stage's FROM chain that may put a file at `target`, and whether it surely does: imageFile
 * and mayBeCopied in one answer, as the OPS rules read COPY (differently on some inputs: see startScripts). Memoized.
 */
export function providerOf(df: Dockerfile, stage: Stage, target: string, project?: ContextReader): Provider | undefined {
  return providerMemo(stage, project, target, df);
}
const providerMemo = memo4((stage: Stage, project: ContextReader | undefined, target: string, df: Dockerfile) => providerOfUncached(df, stage, target, project));

function providerOfUncached(df: Dockerfile, stage: Stage, target: string, project?: ContextReader): Provider | undefined {
  const all = chainCopies(stage, df);
  for (let k = all.length - 1; k >= 0; k--) {
    const copy = all[k]!;
    const p = provides(copy, df.escape, target, project);
    if (!p) continue;
    if (p.heredoc) return { copy, heredoc: p.heredoc, uncertain: false, fromStage: false };
    if (p.fromStage) return { copy, uncertain: true, fromStage: true };
    if (p.contextPath !== undefined) {
      if (project) {
        if (project.read(p.contextPath) !== undefined) return { copy, contextPath: p.contextPath, uncertain: false, fromStage: false };
        if (p.maybe) continue; // the directory copied does not hold it: an earlier COPY may
      }
      return { copy, contextPath: p.contextPath, uncertain: true, fromStage: false };
    }
    if (p.maybe) return { copy, uncertain: true, fromStage: false };
  }
  return undefined;
}

/** A script the image's start command runs, and where its text comes from. */
export interface StartScript {
  kind: 'heredoc' | 'file' | 'inline';
  /** Path in the image; undefined for an `sh -c` string. */
  path?: string;
  /** The COPY that put it in the image, from a heredoc or (project mode) the context file `contextPath`. */
  copy?: Instruction;
  heredoc?: Heredoc;
  contextPath?: string;
  text: string;
  /** The ENTRYPOINT/CMD that runs it. */
  runBy: Instruction;
  /** The parsed script (undefined for a non-shell shebang such as python). Offsets: see `exact`. */
  script: ShellScript | undefined;
  /** Do the script's spans point into the Dockerfile? When not, findings go to `anchor`. */
  exact: boolean;
  anchor: Span;
  /** A span of `script` as a span in the Dockerfile. */
  spanOf(span: Span): Span;
  /** Where a span of `script` is, for messages: "`/entrypoint.sh` line 3". */
  describe(span: Span): string;
}

/** A start script a shell runs, with the shell (by basename) and the options it is started with (`bash -e`, shebang). */
export interface ShellStartScript extends StartScript {
  script: ShellScript;
  shell: string;
  shellOptions: Set<string>;
}

function withSpans<T extends Omit<StartScript, 'spanOf' | 'describe'>>(s: T): T & StartScript {
  return {
    ...s,
    spanOf: (span) => (s.exact ? span : s.anchor),
    describe: (span) => `\`${s.contextPath ?? s.path}\` line ${lineOf(s.text, s.heredoc && s.exact ? span.start - s.heredoc.contentSpan.start : span.start)}`,
  };
}

/** 1-based line of an offset into a text (a script, the Dockerfile). */
export { lineOf } from './lines.js';

// the shells startScripts knows (shellStartScripts knows SHELLS): widening it would change the findings of its rules
const SH = new Set(['sh', 'bash', 'dash', 'ash', 'zsh']);

/**
 * The scripts the stage's start command runs (`ENTRYPOINT ["/entrypoint.sh"]`, `CMD ["sh", "start.sh"]`, a name on
 * PATH), found among the COPY heredocs and, in project mode, the copied context files, through imageFile.
 * shellStartScripts answers the same question for the OPS rules through providerOf, and the two differ on some inputs
 * (a glob or multi-source COPY, a later `COPY x.txt /dir/`, `bash -o pipefail x.sh`, `\$` in a heredoc, no shebang):
 * either one serving both rule families would change findings, so both stay until those changes are accepted.
 */
function startScriptsUncached(df: Dockerfile, stage: Stage, project?: ContextReader): StartScript[] {
  const out: StartScript[] = [];
  const seen = new Set<string>();
  for (const { instr, cmd } of startCommand(df, stage).commands) {
    const paths: string[] = [];
    const prog = cmd.argv[0];
    if (!prog || prog.dynamic) continue;
    const workdir = instr.state.workdir ?? '/';
    if (SH.has(cmd.name)) {
      if (cmd.argv.some((w, i) => i > 0 && /^-[a-z]*c[a-z]*$/.test(w.value))) continue;
      const arg = cmd.argv.slice(1).find((w) => !w.value.startsWith('-'));
      if (!arg || arg.dynamic) continue;
      paths.push(arg.value.startsWith('/') ? arg.value : workdir + '/' + arg.value);
    } else if (prog.value.includes('/')) {
      paths.push(prog.value.startsWith('/') ? prog.value : workdir + '/' + prog.value);
    } else {
      const pathVar = instr.state.env.get('PATH') ?? DEFAULT_PATH;
      for (const dir of pathVar.split(':')) if (dir.startsWith('/')) paths.push(dir + '/' + prog.value);
    }
    for (const p of paths) {
      const file = imageFile(df, stage, p, project);
      if (!file || seen.has(file.path)) continue;
      seen.add(file.path);
      const first = file.text.split('\n', 1)[0] ?? '';
      const shell = !first.startsWith('#!') || /\b(sh|bash|dash|ash|zsh)\b/.test(first);
      const h = file.heredoc;
      out.push(withSpans({
        kind: h ? 'heredoc' : 'file', path: file.path, copy: file.copy, heredoc: h, contextPath: file.contextPath, text: file.text, runBy: instr,
        script: shell ? parseShell(file.text, h ? (i) => h.contentSpan.start + i : (i) => i) : undefined,
        exact: h !== undefined, anchor: file.word?.span ?? file.copy.span,
      }));
    }
  }
  return out;
}

/** Memoized: see startScriptsUncached. */
export function startScripts(df: Dockerfile, stage: Stage, project?: ContextReader): StartScript[] {
  return startScriptsMemo(stage, project, df);
}
const startScriptsMemo = memo3((stage: Stage, project: ContextReader | undefined, df: Dockerfile) => startScriptsUncached(df, stage, project));

export const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh', 'busybox']);

function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i >= 0 ? p.slice(i + 1) : p;
}

/** Options from an interpreter's argv: `-e`, `-eu`, `-o pipefail`, `-euxo pipefail`, `-o errexit`. */
export function shellOptionsOf(args: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const v = args[i]!;
    if (v === '-o') {
      const o = args[i + 1];
      if (o) out.add(longOption(o));
      i++;
    } else if (/^-[a-zA-Z]+$/.test(v)) {
      for (const ch of v.slice(1)) {
        if (ch === 'o') {
          const o = args[i + 1];
          if (o) out.add(longOption(o));
          i++;
        } else out.add(ch);
      }
    }
  }
  return out;
}

export function longOption(o: string): string {
  if (o === 'errexit') return 'e';
  if (o === 'nounset') return 'u';
  if (o === 'xtrace') return 'x';
  return o;
}

/** The interpreter a shebang names (basename, `env` skipped) and its options; undefined without a shebang. */
export function shebang(text: string): { shell: string; options: Set<string> } | undefined {
  const first = text.split('\n', 1)[0] ?? '';
  if (!first.startsWith('#!')) return undefined;
  const parts = first.slice(2).trim().split(/\s+/).filter((p) => p !== '');
  let k = 0;
  if (parts[k] && basename(parts[k]!) === 'env') {
    k++;
    while (parts[k]?.startsWith('-')) k++;
  }
  const prog = parts[k];
  if (!prog) return undefined;
  return { shell: basename(prog), options: shellOptionsOf(parts.slice(k + 1)) };
}

/** Image paths a program word may refer to: absolute, relative to WORKDIR, or looked up in PATH. */
function candidatePaths(df: Dockerfile, stage: Stage, instr: Instruction, word: string, viaShell: boolean): string[] {
  if (word.includes('/')) return [resolveIn(instr.state.workdir, word)];
  const out: string[] = [];
  if (viaShell) out.push(resolveIn(instr.state.workdir, word));
  const dirs = (finalEnv(df, stage).get('PATH') || DEFAULT_PATH).split(':').filter((d) => d.startsWith('/'));
  for (const d of dirs) out.push(normalizePosix(d + '/' + word));
  return out;
}

/** The script file an ENTRYPOINT/CMD command runs: `/entrypoint.sh args`, `sh /x.sh`, `bash -e x.sh`. */
function scriptWord(cmd: ShCommand): { word: ShWord; shell?: string; options: Set<string> } | undefined {
  const a = cmd.argv;
  if (a.length === 0) return undefined;
  if (SHELLS.has(cmd.name)) {
    let i = 1;
    const opts: string[] = [];
    while (i < a.length && /^[-+]/.test(a[i]!.value)) {
      const v = a[i]!.value;
      if (/^-[a-z]*c[a-z]*$/i.test(v)) return undefined; // sh -c '…': an inline script
      if (v === '-s') return undefined;
      opts.push(v);
      if (v === '-o' || v === '+o' || (/^-[a-zA-Z]*o$/.test(v))) {
        opts.push(a[i + 1]?.value ?? '');
        i++;
      }
      i++;
    }
    const w = a[i];
    if (!w || w.dynamic) return undefined;
    return { word: w, shell: cmd.name === 'busybox' ? 'ash' : cmd.name, options: shellOptionsOf(opts) };
  }
  const w = a[0]!;
  if (w.dynamic) return undefined;
  return { word: w, options: new Set() };
}

/**
 * The shell scripts the stage's start command runs, with their interpreter: `COPY <<EOF` heredoc scripts always, COPY'd
 * context files in project mode, and (with `inline`) `sh -c '…'` strings. Non-shell scripts (python shebang) are left
 * out. Memoized. Why this and startScripts both exist: see startScripts.
 */
export function shellStartScripts(df: Dockerfile, stage: Stage, project: ContextReader | undefined, options: { inline?: boolean } = {}): ShellStartScript[] {
  return shellStartScriptsMemo(stage, project, options.inline === true, df);
}
const shellStartScriptsMemo = memo4((stage: Stage, project: ContextReader | undefined, inline: boolean, df: Dockerfile) => shellStartScriptsUncached(df, stage, project, inline));

function shellStartScriptsUncached(df: Dockerfile, final: Stage, project: ContextReader | undefined, inline: boolean): ShellStartScript[] {
  const start = startCommand(df, final);
  const out: ShellStartScript[] = [];
  const seen = new Set<string>();
  for (const { instr, cmd } of start.commands) {
    if (cmd.nested || cmd.depth > 0 || cmd.substitution) continue;
    if (inline && SHELLS.has(cmd.name)) {
      const ci = cmd.argv.findIndex((w, i) => i > 0 && /^-[a-z]*c[a-z]*$/i.test(w.value));
      const w = ci > 0 ? cmd.argv[ci + 1] : undefined;
      if (w && !w.dynamic) {
        const quoted = w.raw.length >= 2 && (w.raw[0] === "'" || w.raw[0] === '"') && w.raw.endsWith(w.raw[0]!) && w.raw.slice(1, -1) === w.value;
        const exact = quoted || w.raw === w.value;
        const off = quoted ? 1 : 0;
        const script = parseShell(w.value, exact ? (i) => Math.min(w.span.start + off + i, w.span.end) : () => w.span.start);
        const flags = cmd.argv.slice(1, ci).map((x) => x.value);
        const rest = cmd.argv[ci]!.value.replace(/c/g, '');
        if (rest.length > 1) flags.push(rest);
        const opts = shellOptionsOf(flags);
        out.push(withSpans({ kind: 'inline', text: w.value, script, shell: cmd.name, shellOptions: opts, runBy: instr, anchor: w.span, exact }));
        continue;
      }
    }
    const sw = scriptWord(cmd);
    if (!sw) continue;
    const viaShell = sw.shell !== undefined;
    for (const target of candidatePaths(df, final, instr, sw.word.value, viaShell)) {
      const prov = providerOf(df, final, target, project);
      if (!prov) continue;
      const key = `${instr.index}:${target}`;
      if (seen.has(key)) break;
      seen.add(key);
      let text: string | undefined;
      let kind: StartScript['kind'];
      let exact = false;
      let map: (i: number) => number;
      const anchorWord = prov.copy.words.find((w) => prov.contextPath !== undefined && w.value.replace(/^\.\/+/, '').replace(/\/+$/, '') === prov.contextPath);
      let anchor: Span = anchorWord?.span ?? prov.copy.span;
      if (prov.heredoc) {
        const h = prov.heredoc;
        text = h.content;
        kind = 'heredoc';
        exact = df.text.slice(h.contentSpan.start, h.contentSpan.end) === h.content || df.text.slice(h.contentSpan.start, h.contentSpan.start + h.content.length) === h.content;
        // an unquoted delimiter: BuildKit processes `\\` and `\$` escapes before writing the file
        if (!h.quoted && /\\[\\$`]/.test(text)) {
          text = text.replace(/\\([\\$`])/g, '$1');
          exact = false;
        }
        anchor = h.markerSpan;
        map = exact ? (i) => h.contentSpan.start + i : () => h.markerSpan.start;
      } else {
        if (!project || prov.uncertain || prov.contextPath === undefined) break;
        text = project.read(prov.contextPath);
        kind = 'file';
        map = (i) => i;
      }
      if (text === undefined) break;
      const bang = shebang(text);
      let shell = sw.shell;
      if (!shell) {
        if (bang) shell = bang.shell;
        else if (/\.(sh|bash)$/.test(target)) shell = 'sh';
      }
      if (!shell || !SHELLS.has(shell)) break;
      if (shell === 'busybox') shell = 'ash';
      const opts = new Set<string>([...sw.options, ...(sw.shell ? [] : bang?.options ?? [])]);
      const script = parseShell(text, map);
      out.push(withSpans({
        kind, path: target, copy: prov.copy, heredoc: prov.heredoc, contextPath: prov.contextPath, text, script, shell, shellOptions: opts,
        runBy: instr, anchor, exact,
      }));
      break;
    }
  }
  return out;
}

