// Questions rules ask about the image a Dockerfile builds: final stage, FROM chain, the start command, the server it runs.
import { memo, memo2 } from './memo.js';
import { imagePath } from './paths.js';
import type { Dockerfile, Instruction, Stage } from './model.js';
import { runScript, type ShCommand } from './shell.js';
import { pythonModule, runnerTarget } from './commands.js';
import { endState } from './stages.js';

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

/** The image a stage's FROM chain starts from (not a stage of this file). */
export function rootBase(df: Dockerfile, stage: Stage): Stage {
  return rootsOf(df)[stage.index] ?? stage;
}

/** Each stage's root, from its base's (a FROM names only earlier stages): no chain is built per stage. */
const rootsOf = memo((df: Dockerfile): Stage[] => {
  const roots: Stage[] = [];
  for (const s of df.stages) roots.push(s.base.stage !== undefined && s.base.stage < s.index ? roots[s.base.stage]! : s);
  return roots;
});

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
    const at = /^\d+$/.test(from) ? Number(from) : stagesByName(df).get(from.toLowerCase());
    fromStage = at !== undefined && at < instr.stage ? df.stages[at] : undefined;
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

/** The first stage of each (lower-case) name: one map per file instead of a scan of the stages per COPY --from. */
const stagesByName = memo((df: Dockerfile): Map<string, number> => {
  const out = new Map<string, number>();
  for (const s of df.stages) if (s.name !== undefined && !out.has(s.name.toLowerCase())) out.set(s.name.toLowerCase(), s.index);
  return out;
});

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

/**
 * One fix edit rewriting the whole instruction with `edits` (offsets into the file, inside the instruction) applied,
 * so that several edits in one instruction travel together in one fix.
 */
export function instructionEdit(df: Dockerfile, instr: Instruction, edits: readonly { start: number; end: number; text: string }[]): { start: number; end: number; text: string } {
  const { start, end } = instr.span;
  let text = df.text.slice(start, end);
  for (const e of [...edits].sort((a, b) => b.start - a.start || b.end - a.end)) text = text.slice(0, e.start - start) + e.text + text.slice(e.end - start);
  return { start, end, text };
}
