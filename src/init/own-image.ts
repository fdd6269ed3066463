// Is the project's own Dockerfile a production image? A kept Dockerfile that starts no server, starts a development
// server, or whose entrypoint wipes data or waits for a host only compose resolves gives the user nothing that runs in
// production: pyship's image is then written beside it (Dockerfile.pyship), never over it.
import { parseDockerfile } from '../dockerfile/parse.js';
import type { Dockerfile, Stage } from '../dockerfile/model.js';
import { finalEnv, finalStage, rootBase, runTarget, startCommand } from '../dockerfile/query.js';
import { startScripts, type StartScript } from '../dockerfile/scripts.js';
import { lineOf } from '../dockerfile/lines.js';
import type { ShCommand } from '../dockerfile/shell.js';
import { commandServer } from '../project/servers-evidence.js';
import type { Project } from '../project/model.js';
import type { Force } from './existing.js';
import type { InitSpec } from './types.js';

/** The name of pyship's Dockerfile beside a project Dockerfile that is no production image. */
export const BESIDE = 'Dockerfile.pyship';

export interface ImageVerdict {
  production: boolean;
  /** Why it is no production image: `path:line what is there`, one per reason. */
  why: string[];
}

/** Setup commands that delete data: fine against a throwaway dev database, fatal on every production restart. */
const DROPS: [RegExp, string][] = [
  [/(^|[\s/])manage(\.py)?\s+(flush|reset_db)\b|django-admin\s+flush\b/, 'empties the database on every start'],
  [/\b(create_db|recreate_db|drop_all|dropdb|reset_db)\b/, 'drops and recreates the database on every start'],
];

const words = (c: ShCommand): string[] => c.argv.map((w) => w.value);

/**
 * A host only a compose network resolves: a literal single-label name (`web-db`, `db`), not an address, not
 * localhost, not a variable a deployment sets.
 */
function composeHost(c: ShCommand): string | undefined {
  const a = words(c);
  if (!/^(nc|netcat|ncat)$/.test(c.name) || !a.some((x) => /^-\w*z/.test(x))) return undefined;
  const host = c.argv.slice(1).find((w) => !w.value.startsWith('-'));
  if (!host || host.dynamic || !/^[a-z][a-z0-9_-]*$/i.test(host.value) || /^localhost$/i.test(host.value)) return undefined;
  return host.value;
}

/** Base images whose default command is a shell or an interpreter, never a server. */
const PLAIN_BASE = /^(library\/)?(python|pypy|debian|ubuntu|alpine|busybox|buildpack-deps|fedora|rockylinux|almalinux|node)$|^(astral-sh\/uv|continuumio\/(miniconda3|anaconda3)|mambaorg\/micromamba|condaforge\/(miniforge3|mambaforge))$/;

function plainBase(df: Dockerfile, stage: Stage): boolean {
  const base = rootBase(df, stage).base;
  const repo = base.repository ?? base.raw.split(/[:@]/)[0]!.replace(/^[^/]*\.[^/]*\//, '');
  return PLAIN_BASE.test(repo);
}

const SERVER_WORD = /\b(gunicorn|uvicorn|uwsgi|hypercorn|daphne|granian|waitress-serve|supervisord|circusd|honcho)\b/;
const RUNS_OTHER = new Set(['eval', 'su', 'gosu', 'su-exec', 'runuser', 'setpriv', 'chpst', 'sh', 'bash', 'dash', 'ash', 'zsh', 'source', '.']);

/**
 * A start script that may start a server pyship does not see: one it names outside a comment (`cmd="exec gunicorn …";
 * eval "$cmd"`), a program from a variable, eval, a user switch, or another script it runs.
 */
function hidesStart(s: StartScript): boolean {
  if (!s.script) return true;
  if (SERVER_WORD.test(s.text.replace(/^\s*#.*$/gm, ''))) return true;
  return s.script.commands.some((c) => {
    const prog = c.argv[0];
    if (!prog || c.substitution) return false;
    if (prog.value === '$@' || prog.value === '$*') return false;
    return prog.dynamic || RUNS_OTHER.has(c.name) || /\//.test(prog.value) || /\.(sh|bash|py)$/.test(prog.value);
  });
}

/** The verdict on a project Dockerfile (project-relative path); undefined when it is absent or unreadable. */
export function judgeImage(p: Project, path: string): ImageVerdict | undefined {
  const text = p.file(path)?.text;
  if (text === undefined) return undefined;
  let df;
  try {
    df = parseDockerfile(text);
  } catch {
    return { production: true, why: [] };
  }
  const stage = finalStage(df);
  if (!stage) return { production: true, why: [] };
  const env = finalEnv(df, stage);
  const why: string[] = [];
  let server = false;
  let unknown = false;
  const start = startCommand(df, stage);
  const at = (i: number): string => `${path}:${lineOf(text, i)}`;
  for (const { instr, cmd } of start.commands) {
    const target = runTarget(cmd) ?? cmd;
    const found = commandServer(words(target), env);
    if (found?.dev) why.push(`${at(instr.span.start)} starts a development server: ${text.slice(instr.span.start, instr.span.end).split('\n')[0]}`);
    else if (found) server = true;
  }
  const scripts = startScripts(df, stage, p);
  for (const s of scripts) {
    const file = s.contextPath ?? s.path ?? path;
    for (const c of s.script?.commands ?? []) {
      if (c.substitution) continue;
      const line = `${file}:${lineOf(s.text, s.exact ? c.span.start - (s.heredoc?.contentSpan.start ?? 0) : c.span.start)}`;
      const argv = words(runTarget(c) ?? c);
      const shown = argv.join(' ');
      const found = commandServer(argv, env);
      if (found?.dev) why.push(`${line} starts a development server: ${shown}`);
      else if (found) server = true;
      const drop = DROPS.find(([re]) => re.test(shown));
      if (drop) why.push(`${line} ${shown}: ${drop[1]}`);
      const host = composeHost(c);
      if (host) why.push(`${line} waits for \`${host}\`, a host only the compose network resolves: the container never starts elsewhere`);
    }
  }
  // an ENTRYPOINT pyship cannot follow (a script it cannot read, a program it does not know) may start a server
  for (const { instr, cmd } of start.commands) {
    if (instr !== start.entrypoint || commandServer(words(runTarget(cmd) ?? cmd), env)) continue;
    if (!scripts.some((s) => s.runBy === instr && s.script !== undefined)) unknown = true;
  }
  if (scripts.some(hidesStart)) unknown = true;
  // no CMD: the base image's own command runs, a shell or an interpreter for these (another base may start a server)
  if (!server && !unknown && !start.cmd && (start.entrypoint || plainBase(df, stage))) {
    const from = stage.instructions[0]!;
    why.unshift(start.entrypoint
      ? `${at(start.entrypoint.span.start)} the ENTRYPOINT starts no server and there is no CMD: the image runs only the command a compose file or a deployment passes`
      : `${at(from.span.start)} no CMD or ENTRYPOINT in the final stage: the image starts no server (the base image's default command runs)`);
  }
  return { production: why.length === 0, why };
}

/** Project Dockerfiles that look meant for production (`Dockerfile.prod`, `Dockerfile.production`, `prod.Dockerfile`). */
function prodSiblings(p: Project): string[] {
  return p.find((f) => /^(Dockerfile\.(prod|production)|(prod|production)\.Dockerfile)$/i.test(f));
}

const forces = (force: Force, name: string): boolean => force === true || (Array.isArray(force) && force.some((n) => n.replace(/^\.\//, '') === name));

/**
 * When the project's `Dockerfile` is no production image (and --force does not replace it), pyship's is written beside
 * it as Dockerfile.pyship: sets `spec.dockerfile` and `spec.beside`, and notes a production-looking sibling to compare.
 */
export function placeImage(spec: InitSpec, p: Project, force: Force): void {
  if (forces(force, 'Dockerfile')) return;
  const verdict = judgeImage(p, 'Dockerfile');
  if (!verdict || verdict.production) return;
  spec.dockerfile = BESIDE;
  spec.beside = { path: 'Dockerfile', why: verdict.why };
  for (const sib of prodSiblings(p)) {
    const v = judgeImage(p, sib);
    const state = v && !v.production ? ` (pyship finds it no complete production image either: ${v.why[0]})` : '';
    spec.notes.push(`the project also has ${sib}: compare with it before choosing which image to ship${state}; pyship wrote ${BESIDE}`);
  }
}
