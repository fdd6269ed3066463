// Questions rules ask about the image a Dockerfile builds: final stage, FROM chain, the start command, the server it runs.
import type { Dockerfile, Instruction, Stage } from './model.js';
import { runScript, type ShCommand } from './shell.js';
import { pythonModule } from './commands.js';
import { endState } from './parse.js';

/** The stage `docker build` produces without --target: the last one. */
export function finalStage(df: Dockerfile): Stage | undefined {
  return df.stages[df.stages.length - 1];
}

/** The stage and the stages it is built FROM (not the ones it copies from), nearest first. */
export function fromChain(df: Dockerfile, stage: Stage): Stage[] {
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

/** Stages whose output reaches the final image: its FROM chain plus everything copied with COPY --from, transitively. */
export function stagesInFinalImage(df: Dockerfile): Set<number> {
  const final = finalStage(df);
  const out = new Set<number>();
  if (!final) return out;
  for (const s of fromChain(df, final)) out.add(s.index);
  return out;
}

/** Instructions of the stage's FROM chain, in build order (ancestors first). */
export function chainInstructions(df: Dockerfile, stage: Stage): Instruction[] {
  return fromChain(df, stage).reverse().flatMap((s) => s.instructions);
}

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
export function startCommand(df: Dockerfile, stage: Stage): StartCommand {
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
