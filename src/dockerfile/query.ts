// Questions rules ask about the image a Dockerfile builds: final stage, FROM chain, the start command, the server it runs.
import { memo2, memo3 } from './memo.js';
import { imagePath, normalizePosix } from './paths.js';
import type { Dockerfile, Instruction, Stage } from './model.js';
import { runScript, type ShCommand } from './shell.js';
import { pythonModule } from './commands.js';
import { endState } from './parse.js';

/** The stage `docker build` produces without --target: the last one. */
export function finalStage(df: Dockerfile): Stage | undefined {
  return df.stages[df.stages.length - 1];
}

/** The stage and the stages it is built FROM (not the ones it copies from), nearest first. */
function fromChainUncached(df: Dockerfile, stage: Stage): Stage[] {
  const chain: Stage[] = [];
  let s: Stage | undefined = stage;
  const seen = new Set<number>();
  while (s && !seen.has(s.index)) {
    chain.push(s);
    seen.add(s.index);
    s = s.base.stage !== undefined ? df.stages[s.base.stage] : undefined;
  }
  return chain;
}

/** Memoized: see fromChainUncached. */
export function fromChain(df: Dockerfile, stage: Stage): Stage[] {
  return fromChainMemo(stage, df);
}
const fromChainMemo = memo2((stage: Stage, df: Dockerfile) => fromChainUncached(df, stage));

/** Stages whose output reaches the final image: its FROM chain plus everything copied with COPY --from, transitively. */
export function stagesInFinalImage(df: Dockerfile): Set<number> {
  const final = finalStage(df);
  const out = new Set<number>();
  if (!final) return out;
  for (const s of fromChain(df, final)) out.add(s.index);
  return out;
}

/** Instructions of the stage's FROM chain, in build order (ancestors first). */
function chainInstructionsUncached(df: Dockerfile, stage: Stage): Instruction[] {
  return [...fromChain(df, stage)].reverse().flatMap((s) => s.instructions);
}

/** Memoized: see chainInstructionsUncached. */
export function chainInstructions(df: Dockerfile, stage: Stage): Instruction[] {
  return chainInstructionsMemo(stage, df);
}
const chainInstructionsMemo = memo2((stage: Stage, df: Dockerfile) => chainInstructionsUncached(df, stage));

/** The last instruction with this keyword that applies to the stage's image (inherited through FROM <stage>). */
export function lastInChain(df: Dockerfile, stage: Stage, keyword: string): Instruction | undefined {
  const all = chainInstructions(df, stage);
  for (let i = all.length - 1; i >= 0; i--) if (all[i]!.keyword === keyword) return all[i];
  return undefined;
}

export interface StartCommand {
  entrypoint?: Instruction;
  /** CMD in effect (undefined when an ENTRYPOINT set later than the CMD reset it). */
  cmd?: Instruction;
  /** Every command the start runs: ENTRYPOINT's and CMD's (init wrappers stripped, `sh -c` strings parsed). */
  commands: { instr: Instruction; cmd: ShCommand }[];
}

/** What the image runs on start, from the stage's FROM chain. */
function startCommandUncached(df: Dockerfile, stage: Stage): StartCommand {
  const all = chainInstructions(df, stage);
  let entrypoint: Instruction | undefined;
  let cmd: Instruction | undefined;
  for (const i of all) {
    if (i.keyword === 'ENTRYPOINT') {
      entrypoint = i;
      // Docker resets an inherited CMD when ENTRYPOINT is set later in the same image's chain
      if (cmd && cmd.index < i.index) cmd = undefined;
    } else if (i.keyword === 'CMD') cmd = i;
  }
  const commands: StartCommand['commands'] = [];
  for (const instr of [entrypoint, cmd]) {
    if (!instr) continue;
    const script = runScript(instr);
    if (!script) continue;
    for (const c of script.commands) commands.push({ instr, cmd: c });
  }
  return { entrypoint, cmd, commands };
}

/** Memoized: see startCommandUncached. */
export function startCommand(df: Dockerfile, stage: Stage): StartCommand {
  return startCommandMemo(stage, df);
}
const startCommandMemo = memo2((stage: Stage, df: Dockerfile) => startCommandUncached(df, stage));

export type Server =
  | 'gunicorn' | 'uvicorn' | 'uwsgi' | 'hypercorn' | 'daphne' | 'waitress' | 'granian' | 'http.server'
  | 'runserver' | 'flask-run' | 'celery' | 'streamlit' | 'fastapi-run';

/** Which Python server a command starts, whatever its spelling (`gunicorn`, `python -m gunicorn`, `manage.py runserver`). */
export function serverOf(cmd: ShCommand): Server | undefined {
  const mod = pythonModule(cmd);
  const name = mod ?? cmd.name;
  switch (name) {
    case 'gunicorn': return 'gunicorn';
    case 'uvicorn': return 'uvicorn';
    case 'uwsgi': return 'uwsgi';
    case 'hypercorn': return 'hypercorn';
    case 'daphne': return 'daphne';
    case 'waitress-serve': case 'waitress': return 'waitress';
    case 'granian': return 'granian';
    case 'http.server': case 'SimpleHTTPServer': return 'http.server';
    case 'celery': return 'celery';
    case 'streamlit': return 'streamlit';
    case 'flask': return cmd.argv.some((w) => w.value === 'run') ? 'flask-run' : undefined;
    case 'fastapi': return cmd.argv.some((w) => w.value === 'run' || w.value === 'dev') ? 'fastapi-run' : undefined;
    default:
      break;
  }
  // python manage.py runserver / django-admin runserver
  if (cmd.argv.some((w) => w.value === 'runserver') &&
      (cmd.name === 'django-admin' || cmd.argv.some((w) => /(^|\/)manage\.py$/.test(w.value)))) return 'runserver';
  return undefined;
}

/** The server commands the stage's image starts with. */
export function startServers(df: Dockerfile, stage: Stage): { instr: Instruction; cmd: ShCommand; server: Server }[] {
  const out: { instr: Instruction; cmd: ShCommand; server: Server }[] = [];
  for (const { instr, cmd } of startCommand(df, stage).commands) {
    const server = serverOf(cmd);
    if (server) out.push({ instr, cmd, server });
  }
  return out;
}

/** Instructions of a stage with one of these keywords. */
export function instructionsOf(stage: Stage, ...keywords: string[]): Instruction[] {
  return stage.instructions.filter((i) => keywords.includes(i.keyword));
}

/** The ENV in force at the end of a stage (after its last instruction applied). */
export function finalEnv(df: Dockerfile, stage: Stage): ReadonlyMap<string, string> {
  return endState(stage.instructions[stage.instructions.length - 1]!, df).env;
}

// ---------------------------------------------------------------------------------------------
// Paths in the image: COPY/ADD operands and shell words with ENV/ARG expanded (SIZE/MS rules).
// (Imports for this section sit here so the section can be appended without touching the file's head.)
import type { Span } from './model.js';
import type { ShWord } from './shell.js';
import { expandWord } from './words.js';

export { imagePath } from './paths.js';

/** Is the normalised path `inner` equal to `outer` or below it? */
export function pathWithin(inner: string, outer: string): boolean {
  return inner === outer || outer === '/' || inner.startsWith(outer + '/');
}

export interface CopySource {
  raw: string;
  /** Expanded value; undefined when a variable could not be resolved. */
  value: string | undefined;
  span: Span;
}

export interface CopyOperands {
  /** `--from` value as written (stage name, index or image), if any. */
  from?: string;
  /** The earlier stage `--from` names, if it names one. */
  fromStage?: Stage;
  /** Sources (heredoc markers excluded). */
  sources: CopySource[];
  /** Some source is a heredoc. */
  heredoc: boolean;
  /** Destination, expanded; undefined when unresolved. */
  dest: string | undefined;
  /** Absolute normalised destination (relative ones against WORKDIR); undefined when unknown. */
  destPath: string | undefined;
  destSpan: Span;
}

/** Sources and destination of a COPY/ADD, with the ENV/ARG in effect expanded. */
function copyOperandsUncached(df: Dockerfile, instr: Instruction): CopyOperands | undefined {
  if (instr.keyword !== 'COPY' && instr.keyword !== 'ADD') return undefined;
  const words = instr.words;
  if (words.length < 2) return undefined;
  const lookup = (n: string): string | undefined => instr.state.env.get(n) ?? instr.state.args.get(n) ?? undefined;
  const expand = (raw: string): string | undefined => {
    const e = expandWord(raw, lookup, df.escape);
    return e.unresolved.length > 0 ? undefined : e.value;
  };
  const text = (w: { raw: string; value: string }): string => (instr.json ? w.value : w.raw);
  const last = words[words.length - 1]!;
  const sources: CopySource[] = [];
  let heredoc = false;
  for (const w of words.slice(0, -1)) {
    if (!instr.json && /^\d*<<-?/.test(w.raw) && instr.heredocs.length > 0) {
      heredoc = true;
      continue;
    }
    sources.push({ raw: w.raw, value: expand(text(w)), span: w.span });
  }
  const dest = expand(text(last));
  const fromFlag = instr.flags.find((f) => f.name === 'from');
  const from = fromFlag?.value ?? undefined;
  let fromStage: Stage | undefined;
  if (from !== undefined) {
    const earlier = df.stages.filter((s) => s.index < instr.stage);
    fromStage = /^\d+$/.test(from) ? earlier[Number(from)] : earlier.find((s) => s.name !== undefined && s.name.toLowerCase() === from.toLowerCase());
  }
  return {
    from,
    fromStage,
    sources,
    heredoc,
    dest,
    destPath: dest === undefined ? undefined : imagePath(instr.state.workdir, dest),
    destSpan: last.span,
  };
}

/** Memoized: see copyOperandsUncached. */
export function copyOperands(df: Dockerfile, instr: Instruction): CopyOperands | undefined {
  return copyOperandsMemo(instr, df);
}
const copyOperandsMemo = memo2((instr: Instruction, df: Dockerfile) => copyOperandsUncached(df, instr));

/** A shell word's value with the ENV/ARG in effect expanded; undefined for command substitutions and unknown variables. */
export function shellWordValue(instr: Instruction, w: ShWord): string | undefined {
  if (!w.dynamic) return w.value;
  if (w.raw.includes('$(') || w.raw.includes('`')) return undefined;
  const lookup = (n: string): string | undefined => instr.state.env.get(n) ?? instr.state.args.get(n) ?? undefined;
  const e = expandWord(w.raw, lookup, '\\');
  return e.unresolved.length > 0 ? undefined : e.value;
}

// ---- Files in the image: which COPY put a path there, and the scripts the start command runs ----
// (Span and expandWord are imported by the section above.)
import type { Heredoc, Word } from './model.js';
import { parseShell, type ShellScript } from './shell.js';

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
  const all = chainInstructions(df, stage);
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

/** Memoized: see imageFileUncached. */
export function imageFile(df: Dockerfile, stage: Stage, path: string, project?: ContextReader): ImageFile | undefined {
  let byPath = imageFileCache.get(stage);
  if (!byPath) imageFileCache.set(stage, (byPath = new Map()));
  const key = project ?? byPath;
  let inner = byPath.get(key);
  if (!inner) byPath.set(key, (inner = new Map()));
  if (!inner.has(path)) inner.set(path, imageFileUncached(df, stage, path, project));
  return inner.get(path);
}
const imageFileCache = new WeakMap<Stage, Map<object, Map<string, ImageFile | undefined>>>();

export interface StartScript extends ImageFile {
  /** The ENTRYPOINT/CMD that runs it. */
  runBy: Instruction;
  /** The parsed script (undefined for a non-shell shebang such as python). Offsets: see `spanOf`. */
  script: ShellScript | undefined;
  /** A span of `script` as a span in the Dockerfile: itself for a heredoc, the COPY source word for a context file. */
  spanOf(span: Span): Span;
  /** Where a span of `script` is, for messages: "`/entrypoint.sh` line 3". */
  describe(span: Span): string;
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh']);

/**
 * The shell scripts the stage's start command runs (`ENTRYPOINT ["/entrypoint.sh"]`, `CMD ["sh", "start.sh"]`,
 * a name on PATH), found among the COPY heredocs and, in project mode, the copied context files.
 */
function startScriptsUncached(df: Dockerfile, stage: Stage, project?: ContextReader): StartScript[] {
  const out: StartScript[] = [];
  const seen = new Set<string>();
  for (const { instr, cmd } of startCommand(df, stage).commands) {
    const paths: string[] = [];
    const prog = cmd.argv[0];
    if (!prog || prog.dynamic) continue;
    const workdir = instr.state.workdir ?? '/';
    if (SHELLS.has(cmd.name)) {
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
      const script = shell ? parseShell(file.text, h ? (i) => h.contentSpan.start + i : (i) => i) : undefined;
      const name = file.contextPath ?? file.path;
      const anchor = file.word?.span ?? file.copy.span;
      out.push({
        ...file,
        runBy: instr,
        script,
        spanOf: (span) => (h ? span : anchor),
        describe: (span) => {
          const offset = h ? span.start - h.contentSpan.start : span.start;
          const line = file.text.slice(0, Math.max(0, offset)).split('\n').length;
          return `\`${name}\` line ${line}`;
        },
      });
    }
  }
  return out;
}

/** Memoized: see startScriptsUncached. */
export function startScripts(df: Dockerfile, stage: Stage, project?: ContextReader): StartScript[] {
  return startScriptsMemo(stage, project, df);
}
const startScriptsMemo = memo3((stage: Stage, project: ContextReader | undefined, df: Dockerfile) => startScriptsUncached(df, stage, project));

/**
 * A fix edit inserting `insert` at offset `at` inside an instruction, written as a rewrite of the whole instruction
 * (the fixer counts the instructions an edit's text parses to, so a bare `--flag` inserted mid-line would not verify).
 */
export function insertInInstruction(df: Dockerfile, instr: Instruction, at: number, insert: string): { start: number; end: number; text: string } {
  return { start: instr.span.start, end: instr.span.end, text: df.text.slice(instr.span.start, at) + insert + df.text.slice(at, instr.span.end) };
}

// ---- Server settings: what gunicorn / uWSGI start with (CLI, environment, config files in the image) ----
import { pythonModule as pyModuleOf, runnerTarget } from './commands.js';

/** The command itself, or what `poetry run` / `uv run` / `conda run -n env` … starts; undefined for a bare runner prefix. */
export function runTarget(cmd: ShCommand): ShCommand | undefined {
  let c: ShCommand = cmd;
  for (let guard = 0; guard < 4; guard++) {
    const t = runnerTarget(c);
    if (t === undefined) return c;
    if (t === null) return undefined;
    c = t;
  }
  return c;
}

/** Settings a server runs with, as far as the Dockerfile (and, in project mode, the copied config) shows. */
export interface ServerSettings {
  /** Setting → value as written (gunicorn names: workers, threads, worker_class, worker_tmp_dir, bind…; uWSGI option names). */
  values: Map<string, string>;
  /** Settings whose value is a Python expression or set more than once in a config file (not a literal). */
  expressions: Set<string>;
  /** A config file, variable or word the rule cannot read may set more: never conclude that a setting is missing. */
  unknown: boolean;
  /** Config files that were read (image paths). */
  files: string[];
}

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
  for (const instr of chainInstructions(df, stage)) {
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

/** Split like Python's shlex (what gunicorn does with GUNICORN_CMD_ARGS): whitespace, quotes, backslashes. */
function shlexSplit(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "'" || c === '"') {
      const end = s.indexOf(c, i + 1);
      cur += s.slice(i + 1, end < 0 ? s.length : end);
      has = true;
      i = end < 0 ? s.length : end;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) out.push(cur);
  return out;
}

/** Stands for the value of a variable the image doesn't define (a run-time `$PORT`): the option it belongs to is known, its value isn't. */
const UNKNOWN_VALUE = '\u0000';

/**
 * argv of a server command after its program word, with variables expanded from `env` (unknown ones become
 * UNKNOWN_VALUE); undefined when the words themselves can't be known (`"$@"`).
 */
function serverArgs(cmd: ShCommand, program: string, env: ReadonlyMap<string, string>): string[] | undefined {
  const mod = pyModuleOf(cmd);
  let from = 1;
  if (mod === program) from = cmd.argv.findIndex((w, i) => i > 0 && (w.value === program || w.value === '-m' + program)) + 1;
  const out: string[] = [];
  for (const w of cmd.argv.slice(from)) {
    if (!w.dynamic) {
      out.push(w.value);
      continue;
    }
    if (/\$[@*#?!0-9]|\$\{[@*#?!0-9]/.test(w.raw)) return undefined;
    if (w.raw.includes('$(') || w.raw.includes('`')) {
      out.push(UNKNOWN_VALUE);
      continue;
    }
    const e = expandWord(w.raw, (n) => {
      const v = env.get(n);
      return v === undefined || v.includes('$?') ? UNKNOWN_VALUE : v;
    }, '\\');
    // unquoted expansions are split on whitespace by the shell
    if (/^[^'"]*$/.test(w.raw)) out.push(...e.value.split(/\s+/).filter((x) => x !== ''));
    else out.push(e.value);
  }
  return out;
}

const GUNICORN_SHORT: Record<string, string> = {
  c: 'config', b: 'bind', w: 'workers', k: 'worker_class', t: 'timeout', u: 'user', g: 'group', p: 'pidfile', n: 'proc_name',
  e: 'raw_env', m: 'umask', D: 'daemon', R: 'enable_stdio_inheritance',
};
const GUNICORN_LONG_ALIASES: Record<string, string> = {
  'worker-class': 'worker_class', 'access-logfile': 'accesslog', 'error-logfile': 'errorlog', 'log-file': 'errorlog',
  'log-level': 'loglevel', preload: 'preload_app', env: 'raw_env', pid: 'pidfile', name: 'proc_name', paste: 'paste', paster: 'paste',
};
const GUNICORN_BOOLEAN = new Set([
  'reload', 'preload_app', 'daemon', 'capture_output', 'enable_stdio_inheritance', 'check_config', 'print_config', 'spew',
  'no_sendfile', 'reuse_port', 'strip_header_spaces', 'do_handshake_on_connect', 'initgroups', 'proxy_protocol', 'log_syslog',
  'disable_redirect_access_to_syslog', 'suppress_ragged_eofs', 'no_control_socket', 'help', 'version',
]);

/** Parse gunicorn CLI words into settings (later words win; several --bind add up); false when a word may hide options. */
function parseGunicornArgs(args: string[], into: Map<string, string>): boolean {
  let known = true;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith(UNKNOWN_VALUE) || (a.startsWith('-') && a.slice(0, a.includes('=') ? a.indexOf('=') : a.length).includes(UNKNOWN_VALUE))) {
      known = false;
      continue;
    }
    let key: string | undefined;
    let value: string | undefined;
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const long = eq < 0 ? a.slice(2) : a.slice(2, eq);
      key = GUNICORN_LONG_ALIASES[long] ?? long.replace(/-/g, '_');
      if (eq >= 0) value = a.slice(eq + 1);
    } else if (/^-[A-Za-z]/.test(a)) {
      key = GUNICORN_SHORT[a[1]!];
      if (!key) continue;
      if (a.length > 2) value = a.slice(2).replace(/^=/, '');
    } else continue;
    if (value === undefined) {
      if (GUNICORN_BOOLEAN.has(key)) value = 'True';
      else value = args[++i] ?? '';
    }
    into.set(key, key === 'bind' && into.has('bind') ? into.get('bind') + ' ' + value : value);
  }
  return known;
}

/** Top-level-ish assignments of a Python config file (`workers = 4`): literals unquoted, anything else verbatim. */
function parsePythonConfig(text: string, into: Map<string, string>, expressions: Set<string>): boolean {
  if (/^\s*from\s+\S+\s+import\s+\*|\bexec\(|\bglobals\(\)|\blocals\(\)|\bsetattr\(|\bvars\(\)/m.test(text)) return false;
  const seen = new Set<string>();
  for (const m of text.matchAll(/^[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*(?:=|\+=)[ \t]*([^\n#]*)/gm)) {
    const key = m[1]!;
    const raw = m[2]!.trim();
    const lit = /^(?:"([^"\\]*)"|'([^'\\]*)'|(-?\d+)|(True|False|None))$/.exec(raw);
    into.set(key, lit ? (lit[1] ?? lit[2] ?? lit[3] ?? lit[4])! : raw);
    if (!lit || seen.has(key) || m[0].startsWith(' ') || m[0].startsWith('\t') || m[0].includes('+=')) expressions.add(key);
    else expressions.delete(key);
    seen.add(key);
  }
  return true;
}

export interface ServerContext {
  /** Environment at run time (the final stage's ENV, plus what a start script exports). */
  env: ReadonlyMap<string, string>;
  /** The process's working directory, when known (undefined after a `cd` in a script). */
  cwd: string | undefined;
  project?: ContextReader;
}

/** Read a config file the server will load from the image, or decide it's unknown / absent. */
function serverConfig(df: Dockerfile, stage: Stage, path: string, ctx: ServerContext, explicit: boolean):
  { status: 'found'; text: string; path: string } | { status: 'absent' } | { status: 'unknown' } {
  let abs: string | undefined;
  if (path.startsWith('/')) abs = normalizePosix(path);
  else if (ctx.cwd !== undefined) abs = normalizePosix(ctx.cwd + '/' + path);
  if (abs === undefined) return { status: 'unknown' };
  const file = imageFile(df, stage, abs, ctx.project);
  if (file) return { status: 'found', text: file.text, path: abs };
  if (explicit) return { status: 'unknown' };
  return mayBeCopied(df, stage, abs, ctx.project !== undefined) ? { status: 'unknown' } : { status: 'absent' };
}

/**
 * What a gunicorn command runs with: its CLI, `GUNICORN_CMD_ARGS`, `WEB_CONCURRENCY` and the config file (`-c FILE`, or
 * `./gunicorn.conf.py` which gunicorn loads from its working directory). In Dockerfile-only mode a config file that a
 * COPY may bring in makes the result `unknown`; a `COPY <<EOF` config or (project mode) a copied context file is read.
 */
export function gunicornSettings(df: Dockerfile, stage: Stage, cmd: ShCommand, ctx: ServerContext): ServerSettings {
  const values = new Map<string, string>();
  const expressions = new Set<string>();
  const files: string[] = [];
  let unknown = false;
  const cli = new Map<string, string>();
  const args = serverArgs(cmd, 'gunicorn', ctx.env);
  if (args === undefined || !parseGunicornArgs(args, cli)) unknown = true;
  const envArgs = new Map<string, string>();
  const cmdArgs = ctx.env.get('GUNICORN_CMD_ARGS');
  if (cmdArgs !== undefined) parseGunicornArgs(shlexSplit(cmdArgs), envArgs);
  const wc = ctx.env.get('WEB_CONCURRENCY');
  if (wc !== undefined) values.set('workers', wc);
  if (cmdArgs?.includes('$?') || wc?.includes('$?')) unknown = true;
  const configArg = cli.get('config') ?? envArgs.get('config');
  if (configArg !== undefined && (configArg.startsWith('python:') || !configArg.endsWith('.py'))) unknown = true;
  else {
    const conf = serverConfig(df, stage, configArg ?? 'gunicorn.conf.py', ctx, configArg !== undefined);
    if (conf.status === 'unknown') unknown = true;
    else if (conf.status === 'found') {
      files.push(conf.path);
      if (!parsePythonConfig(conf.text, values, expressions)) unknown = true;
    }
  }
  for (const [k, v] of envArgs) {
    values.set(k, v);
    expressions.delete(k);
  }
  for (const [k, v] of cli) {
    values.set(k, v);
    expressions.delete(k);
  }
  return { values, expressions, unknown, files };
}

const UWSGI_SHORT: Record<string, string> = {
  p: 'processes', w: 'module', s: 'socket', M: 'master', T: 'enable-threads', b: 'buffer-size', H: 'home', L: 'disable-logging',
  x: 'xmlconfig', y: 'yaml', j: 'json', d: 'daemonize', t: 'harakiri', l: 'listen', z: 'socket-timeout', R: 'max-requests',
  i: 'ini',
};
const UWSGI_BOOLEAN = new Set([
  'master', 'lazy-apps', 'lazy', 'need-app', 'strict', 'single-interpreter', 'die-on-term', 'enable-threads', 'vacuum',
  'thunder-lock', 'no-orphans', 'harakiri-verbose', 'honour-stdin', 'auto-procname', 'log-master', 'disable-logging',
  'memory-report', 'catch-exceptions', 'no-default-app', 'manage-script-name', 'enable-proxy-protocol', 'log-4xx', 'log-5xx',
  'reload-on-exception', 'skip-atexit', 'py-call-osafterfork', 'close-on-exec', 'lazy-apps', 'cheap', 'idle', 'uwsgi-sock',
  'http-keepalive', 'http-auto-chunked', 'so-keepalive', 'log-x-forwarded-for', 'offload-threads-sticky', 'py-tracebacker',
]);
const UWSGI_CONFIG = new Set(['ini', 'yaml', 'yml', 'json', 'js', 'xml', 'xmlconfig', 'include', 'emperor', 'inherit', 'sqlite3', 'ldap']);

/** An ini file's options for one section (`[uwsgi]` unless `file.ini:section`). */
function parseIni(text: string, section: string, into: Map<string, string>): boolean {
  let current = '';
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t === '' || t.startsWith('#') || t.startsWith(';')) continue;
    const sec = /^\[([^\]]+)\]$/.exec(t);
    if (sec) {
      current = sec[1]!.trim();
      continue;
    }
    if (current !== section) continue;
    const m = /^([A-Za-z0-9_-]+)\s*=\s*(.*)$/.exec(t);
    if (!m) continue;
    const key = m[1]!.replace(/_/g, '-');
    if (UWSGI_CONFIG.has(key) || key.startsWith('if-') || key.startsWith('for')) return false;
    into.set(key, m[2]!.trim());
  }
  return true;
}

/**
 * What a uWSGI command runs with: its CLI options, `UWSGI_*` environment variables and (read when visible) the ini file
 * given with `--ini` or as a positional `*.ini`. Other config formats and emperor mode make the result `unknown`.
 */
export function uwsgiSettings(df: Dockerfile, stage: Stage, cmd: ShCommand, ctx: ServerContext): ServerSettings {
  const values = new Map<string, string>();
  const files: string[] = [];
  let unknown = false;
  const configs: string[] = [];
  for (const [k, v] of ctx.env) {
    if (!k.startsWith('UWSGI_')) continue;
    const key = k.slice(6).toLowerCase().replace(/_/g, '-');
    if (v.includes('$?')) unknown = true;
    if (UWSGI_CONFIG.has(key)) {
      if (key === 'ini') configs.push(v);
      else unknown = true;
    } else values.set(key, v);
  }
  const cli = new Map<string, string>();
  const args = serverArgs(cmd, 'uwsgi', ctx.env);
  if (args === undefined) unknown = true;
  for (let i = 0; args && i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith(UNKNOWN_VALUE) || (a.startsWith('-') && a.slice(0, a.includes('=') ? a.indexOf('=') : a.length).includes(UNKNOWN_VALUE))) {
      unknown = true;
      continue;
    }
    let key: string | undefined;
    let value: string | undefined;
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      key = (eq < 0 ? a.slice(2) : a.slice(2, eq)).replace(/_/g, '-');
      if (eq >= 0) value = a.slice(eq + 1);
    } else if (/^-[A-Za-z]/.test(a)) {
      key = UWSGI_SHORT[a[1]!];
      if (!key) continue;
      if (a.length > 2) value = a.slice(2);
    } else {
      if (/\.(ini|ya?ml|json|js|xml)(:[\w-]+)?$/.test(a)) {
        if (/\.ini(:[\w-]+)?$/.test(a)) configs.push(a);
        else unknown = true;
      }
      continue;
    }
    if (value === undefined) {
      const next = args[i + 1];
      if (UWSGI_BOOLEAN.has(key) || next === undefined || next.startsWith('-')) value = 'true';
      else value = args[++i]!;
    }
    if (key === 'ini') configs.push(value);
    else if (UWSGI_CONFIG.has(key)) unknown = true;
    else cli.set(key, value);
  }
  for (const c of configs) {
    const m = /^(.*?)(?::([\w-]+))?$/.exec(c)!;
    if (/^[a-z]+:\/\//.test(c) || c.includes('$') || c.includes(UNKNOWN_VALUE)) {
      unknown = true;
      continue;
    }
    const conf = serverConfig(df, stage, m[1]!, ctx, true);
    if (conf.status !== 'found') {
      unknown = true;
      continue;
    }
    files.push(conf.path);
    if (!parseIni(conf.text, m[2] ?? 'uwsgi', values)) unknown = true;
  }
  for (const [k, v] of cli) values.set(k, v);
  return { values, expressions: new Set(), unknown, files };
}

/** A server the image starts, from ENTRYPOINT/CMD or a start script they run, with the environment it sees. */
export interface StartedServer {
  server: Server;
  cmd: ShCommand;
  /** The ENTRYPOINT/CMD that starts it, directly or through `script`. */
  instr: Instruction;
  script?: StartScript;
  /** Where to report it in the Dockerfile (the command, or the script's COPY source for a context file). */
  span: Span;
  /** "CMD" / "`/entrypoint.sh` line 3", for messages. */
  where: string;
  ctx: ServerContext;
}

const SERVER_ENV = /^(GUNICORN_CMD_ARGS|WEB_CONCURRENCY|UWSGI_\w+|PORT)$/;

/**
 * The servers the stage's image starts (see serverOf), with the run-time environment and working directory each sees.
 * Commands in start scripts see the script's literal `export`s; a `cd` makes the directory unknown, and a dynamic
 * assignment of a server variable or a sourced file hides the variable's value (the key maps to `$?`).
 */
function startedServersUncached(df: Dockerfile, stage: Stage, project?: ContextReader): StartedServer[] {
  const out: StartedServer[] = [];
  const last = stage.instructions[stage.instructions.length - 1]!;
  const end = endState(last, df);
  const base = new Map(end.env);
  const withAssignments = (env: Map<string, string>, cmd: ShCommand): Map<string, string> => {
    const e = new Map(env);
    for (const a of cmd.assignments) e.set(a.name, a.value);
    return e;
  };
  for (const { instr, cmd: raw } of startCommand(df, stage).commands) {
    const cmd = runTarget(raw);
    const server = cmd && serverOf(cmd);
    if (!cmd || !server) continue;
    out.push({ server, cmd, instr, span: cmd.span, where: instr.keyword, ctx: { env: withAssignments(base, cmd), cwd: end.workdir ?? '/', project } });
  }
  for (const script of startScripts(df, stage, project)) {
    if (!script.script) continue;
    const env = new Map(base);
    let cwd: string | undefined = end.workdir ?? '/';
    const cmds = [...script.script.commands].sort((a, b) => a.span.start - b.span.start);
    for (const cmd of cmds) {
      if (cmd.name === 'cd' || cmd.name === 'pushd' || cmd.name === 'popd') cwd = undefined;
      if ((cmd.name === '.' || cmd.name === 'source') && !/(^|\/)bin\/activate$/.test(cmd.argv[1]?.value ?? '')) {
        for (const k of [...env.keys()]) if (SERVER_ENV.test(k)) env.set(k, '$?');
        env.set('GUNICORN_CMD_ARGS', '$?');
        env.set('WEB_CONCURRENCY', '$?');
        env.set('UWSGI_INI', '$?');
      }
      const assigns = cmd.name === 'export' || cmd.name === 'declare' || cmd.name === ''
        ? [...cmd.assignments, ...cmd.argv.slice(1).filter((w) => /^[A-Za-z_]\w*=/.test(w.value)).map((w) => ({
          name: w.value.slice(0, w.value.indexOf('=')), value: w.dynamic ? '$?' : w.value.slice(w.value.indexOf('=') + 1),
        }))]
        : [];
      for (const a of assigns) env.set(a.name, a.value);
      const target = runTarget(cmd);
      const server = target && serverOf(target);
      if (!target || !server) continue;
      out.push({
        server, cmd: target, instr: script.runBy, script, span: script.spanOf(cmd.span), where: script.describe(cmd.span),
        ctx: { env: withAssignments(env, cmd), cwd, project },
      });
    }
  }
  return out;
}

/** Memoized: see startedServersUncached. */
export function startedServers(df: Dockerfile, stage: Stage, project?: ContextReader): StartedServer[] {
  return startedServersMemo(stage, project, df);
}
const startedServersMemo = memo3((stage: Stage, project: ContextReader | undefined, df: Dockerfile) => startedServersUncached(df, stage, project));
