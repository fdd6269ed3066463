// Files in the image: which COPY/ADD of a stage's FROM chain wrote a path (a `COPY <<EOF` body, a context file in
// project mode, another stage, a URL), so rules can read what the image will hold without building it.
import { memo2, memo4 } from './memo.js';
import { basenamePosix, normalizePosix, resolveIn } from './paths.js';
import type { Dockerfile, Heredoc, Instruction, Stage, Word } from './model.js';
import { expandWord } from './words.js';
import { chainInstructions, copyOperands, pathWithin } from './query.js';

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
  { heredoc?: Heredoc; contextPath?: string; source?: number; fromStage?: boolean; maybe?: boolean } | undefined {
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
  for (const [index, raw] of sources.entries()) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) continue;
    const src = raw.replace(/^\.\/+/, '').replace(/\/+$/, '');
    const wild = /[*?[]/.test(src);
    const base = basenamePosix(src);
    const archive = instr.keyword === 'ADD' && !fromStage && /\.(tar|tgz|tbz2?|txz|tar\.[a-z0-9]+)$/i.test(src);
    if (archive && (target === dest || target.startsWith(dest === '/' ? '/' : dest + '/'))) return { maybe: true };
    const file = !fromStage && !raw.endsWith('/') && !wild && looksLikeFile(base, project, src);
    if (!dirDest && target === dest) return wild ? { maybe: true } : { contextPath: src === '.' ? '' : src, source: index, fromStage };
    if (!wild && base !== '' && base !== '.' && target === normalizePosix(dest + '/' + base)) return { contextPath: src, source: index, fromStage };
    if (wild && target.startsWith(dest + '/') && !target.slice(dest.length + 1).includes('/')) return { maybe: true };
    if (!file && target.startsWith(dest === '/' ? '/' : dest + '/')) {
      const rel = target.slice(dest === '/' ? 1 : dest.length + 1);
      if (wild) return { maybe: true };
      const ctx = src === '.' || src === '' ? rel : src + '/' + rel;
      return { contextPath: ctx, source: index, fromStage, maybe: true };
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
  /** The COPY source word that brings the context file. */
  word?: Word;
  /** The COPY may or may not bring this path (directory copy, wildcard, another stage). */
  uncertain: boolean;
  fromStage: boolean;
}

/**
 * The last COPY/ADD in the stage's FROM chain that may put a file at `target`, and whether it surely does: imageFile
 * and mayBeCopied in one answer: the start-script finder (scripts.ts) reads COPY through it. Memoized.
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
        const word = p.source === undefined ? undefined : (copy.json ? copy.words : copy.words.filter((w) => !/^\d*<<-?/.test(w.raw)))[p.source];
        if (project.read(p.contextPath) !== undefined) return { copy, contextPath: p.contextPath, word, uncertain: false, fromStage: false };
        if (p.maybe) continue; // the directory copied does not hold it: an earlier COPY may
      }
      return { copy, contextPath: p.contextPath, uncertain: true, fromStage: false };
    }
    if (p.maybe) return { copy, uncertain: true, fromStage: false };
  }
  return undefined;
}
