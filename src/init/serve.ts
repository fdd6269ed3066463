// Which server runs the web app, and on what evidence: the project's own start commands (servers-evidence.ts), then
// its dependencies, then a default that fits the interface, installed pinned on top of the lock and said in a note.
import type { AppFacts, ProcfileLine } from '../project/app.js';
import type { AppCandidate } from '../project/app-object.js';
import type { Project } from '../project/model.js';
import { detectPython } from '../project/python.js';
import { serverFacts, type ServerEvidence, type StartStep } from '../project/servers-evidence.js';
import { at } from './decisions.js';
import { resolveTarget, uwsgiIniTarget, type Choice } from './entry.js';
import { InitError, SERVER_PINS, type InitOptions } from './types.js';
import type { ExtraInstall, Server } from '../templates/spec.js';

/** The web process as the project's own files start it. */
export interface WebEvidence {
  /** `path:line what is there`. */
  evidence: string;
  /** The evidence of the server alone (`Procfile:3`). */
  serverEvidence?: string;
  /** The Procfile line, when that is the evidence. */
  line?: ProcfileLine;
  server?: Server;
  choice?: Choice;
  script?: { name: string; target: string };
  /** Options of the command the generated config replaces. */
  dropped: string[];
  /** Other commands the project runs before its server (migrations, compiles): for the build/release steps. */
  steps: StartStep[];
  /** Things the user should know (a development server passed over). */
  notes: string[];
}

const SERVER_NAMES: ReadonlySet<string> = new Set(['gunicorn', 'uvicorn', 'uwsgi', 'hypercorn', 'daphne', 'granian', 'waitress', 'aiohttp']);

const rootsOf = (app: AppFacts): string[] => {
  const manageDir = app.django?.manage.includes('/') ? app.django.manage.slice(0, app.django.manage.lastIndexOf('/')) : undefined;
  const found = app.candidates.map((c) => c.importRoot);
  return [...new Set(['', ...(manageDir ? [manageDir] : []), ...(app.srcLayout ? ['src'] : []), ...found])];
};

/** The app a `fastapi run PATH` / `__main__` starter serves: the one defined in that file (or package). */
function appInFile(app: AppFacts, file: string): AppCandidate | undefined {
  const all = [...app.candidates.filter((c) => c.interface !== 'celery'), ...(app.django ? [app.django.asgi, app.django.wsgi] : [])].filter((c): c is AppCandidate => c !== undefined);
  const inFile = all.filter((c) => c.file === file || c.file === `${file}/__init__.py` || c.file.startsWith(`${file}/`));
  return inFile.find((c) => !c.attr.endsWith('()')) ?? inFile[0];
}

/** What server an evidence entry settles on (litestar's CLI runs granian with its plugin, else uvicorn). */
function serverOf(e: ServerEvidence, names: Set<string>): Server | undefined {
  if (e.command.startsWith('litestar ')) return names.has('litestar-granian') || names.has('granian') ? 'granian' : 'uvicorn';
  return SERVER_NAMES.has(e.server) ? e.server as Server : undefined;
}

/**
 * The web app and server the project's own files name, the most trusted first; undefined when they name none. A
 * development server (runserver, `flask run`, `app.run()`) is never copied: it is noted, and the dependencies decide.
 */
export function evidenceWeb(p: Project, app: AppFacts, names: Set<string>, opts: InitOptions): WebEvidence | undefined {
  if (opts.entry) return undefined;
  const notes: string[] = [];
  const procLine = app.procfile.find((l) => l.name === 'web');
  // `web: NAME` of a [project.scripts] entry serves HTTP itself
  if (procLine && /^[\w-]+$/.test(procLine.command)) {
    const script = app.scripts.find((x) => x.name === procLine.command);
    if (script) return { evidence: `Procfile:${procLine.line} web: ${procLine.command}`, line: procLine, script, dropped: [], steps: [], notes };
  }
  const facts = serverFacts(p);
  const all = facts.web;
  if (procLine && !all.some((e) => e.source === 'procfile' && e.server !== 'dev')) {
    const dev = all.find((e) => e.source === 'procfile');
    notes.push(`Procfile line ${procLine.line}: web: \`${procLine.command}\` ${dev ? `runs a development server (${dev.where}: ${dev.command})` : 'starts no server pyship init knows'}; the image runs a production server instead (below)`);
  }
  for (const e of all) {
    const server = serverOf(e, names);
    if (!server) continue;
    let module = e.module;
    let attr = e.attr;
    if (!module && e.ini) ({ module, attr } = uwsgiIniTarget(p, e.ini) ?? {});
    const iface = e.aiohttpWorker || server === 'aiohttp' ? 'aiohttp' : server === 'uvicorn' || server === 'hypercorn' || server === 'daphne' || e.asgiWorker ? 'asgi' : 'wsgi';
    let target: AppCandidate | undefined;
    if (module && attr) {
      target = resolveTarget(p, app, e.importRoot !== undefined ? [e.importRoot] : rootsOf(app), module, attr, iface === 'aiohttp' ? 'asgi' : iface);
      if (!target) {
        const what = `${e.where}: ${e.command}`;
        if (e.source === 'procfile') {
          throw new InitError(`${what} serves ${module}:${attr}, but there is no ${module.split('.').join('/')}.py in the project${e.importRoot ? ` under ${e.importRoot}/` : ''}`, 'fix the Procfile, or pass --entry MODULE:ATTR');
        }
        continue;
      }
    } else if (e.appFile) {
      target = appInFile(app, e.appFile);
    }
    // a server that cannot serve the app (a dev `uvicorn.run` beside a Flask app): only the Procfile's word is final
    const guess = target ?? (app.django ? app.django.wsgi ?? app.django.asgi : app.candidates.find((c) => c.interface !== 'celery'));
    if (e.source !== 'procfile' && guess && !serves(server, guess.interface, e.asgiWorker)) continue;
    const line = e.source === 'procfile' && e.where.startsWith('Procfile:') ? procLine : undefined;
    const where = line ? `Procfile:${line.line} web: ${line.command}` : `${e.where} ${e.command.length > 100 ? `${e.command.slice(0, 97)}...` : e.command}`;
    return {
      evidence: where, serverEvidence: line ? `Procfile:${line.line}` : where, line, server,
      choice: target ? { app: target, role: 'web' } : undefined, dropped: e.dropped.filter((x) => x !== 'litestar-run'), steps: e.steps, notes,
    };
  }
  return notes.length > 0 ? { evidence: '', dropped: [], steps: [], notes } : undefined;
}

export type WebInterface = 'wsgi' | 'asgi' | 'aiohttp';

function serves(server: Server, iface: AppCandidate['interface'], asgiWorker: boolean): boolean {
  if (iface === 'aiohttp') return server === 'aiohttp' || server === 'gunicorn';
  // gunicorn serves an ASGI app with uvicorn workers (the generated config sets them)
  if (iface === 'asgi') return ['uvicorn', 'hypercorn', 'daphne', 'granian', 'gunicorn'].includes(server);
  if (iface === 'wsgi') return ['gunicorn', 'uwsgi', 'waitress', 'granian', 'hypercorn'].includes(server) && !(server === 'gunicorn' && asgiWorker);
  return false;
}

/**
 * The server for an app of this interface, from the dependencies; with none there, one the project's Dockerfile
 * installs, else the usual one for the interface (gunicorn for WSGI, uvicorn for ASGI, aiohttp's own): never a refusal.
 */
export function chooseServer(kind: WebInterface, names: Set<string>, forced: Server | undefined, what: string): { server: Server; evidence: string; note?: string } {
  if (forced) return { server: forced, evidence: '--server' };
  const has = (n: string): boolean => names.has(n) || (n === 'uwsgi' && names.has('pyuwsgi'));
  if (kind === 'aiohttp') return has('gunicorn') ? { server: 'gunicorn', evidence: 'dependencies: gunicorn (aiohttp.GunicornWebWorker)' } : { server: 'aiohttp', evidence: 'default: aiohttp serves its own apps (aiohttp.web.run_app)' };
  const order: Server[] = kind === 'wsgi'
    ? ['gunicorn', 'uwsgi', 'waitress', 'granian']
    : has('gunicorn') && has('uvicorn') ? ['gunicorn'] : ['uvicorn', 'hypercorn', 'daphne', 'granian'];
  const found = order.find(has);
  if (found) return { server: found, evidence: 'dependencies' };
  const add: Server = kind === 'wsgi' ? 'gunicorn' : 'uvicorn';
  return { server: add, evidence: `default: no production ${kind.toUpperCase()} server among the dependencies`, note: `${what} has no production ${kind.toUpperCase()} server among its dependencies` };
}

/**
 * The server packages the image must install beside the lock: the server itself (and uvicorn for gunicorn's
 * uvicorn workers) when the dependencies lack it, pinned to the version the project's own Dockerfile installs, else
 * pyship's pin.
 */
export function extraInstalls(p: Project, server: Server, names: Set<string>, asgiUnderGunicorn: boolean): ExtraInstall[] {
  const out: ExtraInstall[] = [];
  const installs = serverFacts(p).installs;
  const need = (name: string): void => {
    if (name === 'aiohttp' || names.has(name) || (name === 'uwsgi' && names.has('pyuwsgi'))) return;
    const theirs = installs.find((i) => i.name === name);
    const version = theirs?.version ?? SERVER_PINS[name as keyof typeof SERVER_PINS];
    out.push({ name, version, evidence: theirs ? [theirs.evidence] : [`default: ${name} is not among the dependencies`] });
  };
  need(server);
  if (asgiUnderGunicorn && !names.has('uvicorn-worker')) need('uvicorn');
  return out;
}

export const noteFor = (x: ExtraInstall): string =>
  `${x.name} is not among the locked dependencies: the image installs ${x.name}==${x.version} beside the lock (${x.evidence[0]!.startsWith('default:') ? 'pyship\'s pin' : `as ${at(x.evidence[0]!)} does`}); add it to the dependencies to lock it with the rest`;

/**
 * A server the framework itself depends on, so that it is installed whatever the lock shows: Quart needs hypercorn;
 * Channels 2 and 3 need daphne. Used when the dependencies name no server.
 */
export function bundledServer(p: Project, a: AppCandidate, names: Set<string>): { server: Server; evidence: string } | undefined {
  if (a.framework === 'quart' && names.has('quart')) return { server: 'hypercorn', evidence: 'quart depends on hypercorn (it is installed with quart)' };
  if (a.framework !== 'django' && a.framework !== 'channels') return undefined;
  if (a.interface !== 'asgi' || !names.has('channels')) return undefined;
  const py = detectPython(p);
  const specs = [...py.requirements.flatMap((r) => r.requirements), ...py.pyprojects.flatMap((pp) => pp.dependencies)]
    .filter((q) => q.name === 'channels').map((q) => q.specifier);
  const old = specs.find((x) => /(~=|==|<=?)\s*[23](\.|$|,)|^<\s*4/.test(x));
  return old !== undefined ? { server: 'daphne', evidence: `channels${old} depends on daphne (it is installed with channels 2 and 3)` } : undefined;
}
