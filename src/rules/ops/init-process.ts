// OPS006: an init (tini, dumb-init, catatonit) as PID 1 reaps zombies and forwards signals.
import { defineRule } from '../../lint/rule.js';
import type { Instruction } from '../../dockerfile/model.js';
import { isPosixShell } from '../../dockerfile/shell.js';
import { chainInstructions, finalStage, rootBase, startCommand } from '../../dockerfile/query.js';
import { imageFile } from '../../dockerfile/image-files.js';
import { shellStartScripts } from '../../dockerfile/scripts.js';
import { endState } from '../../dockerfile/stages.js';
import { normalizePosix } from '../../dockerfile/paths.js';
import { osFamily } from './_scripts.js';
import type { Dockerfile, Stage } from '../../dockerfile/model.js';
import { deploymentsOf } from '../../project/runtime.js';
import type { ScopeChecks } from '../../lint/rule.js';
import { absPath, baseName } from '../../image/filesystem.js';

/** The small inits an image can run as PID 1 (its ENTRYPOINT's first word). */
const IMAGE_INITS = new Set(['tini', 'tini-static', 'dumb-init', 'catatonit', 'docker-init']);

/** Bases known to set no ENTRYPOINT of their own, so CMD really is PID 1. */
function knownNoEntrypoint(df: Dockerfile, stage: Stage): boolean {
  const os = osFamily(df, stage);
  return os !== undefined && os.family !== 'distroless';
}

/** Programs that act as PID 1 init: reap orphans and pass signals on. */
const INITS = new Set(['powershell', 'pwsh', 'tini', 'tini-static', 'dumb-init', 'catatonit', 'docker-init', 's6-svscan', 'runsvdir', 'my_init', 'supervisord', 'pid1', 'systemd', 'init']);
/** Interactive defaults (`CMD ["bash"]`, `CMD ["python3"]`): not a long-lived service. */
const REPL = /^(sh|bash|ash|zsh|dash|python[\d.]*|ipython[\d.]*|pypy[\d.]*)$/;

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** The raw argv PID 1 starts with (init wrappers not stripped), and the word's span. */
function firstWords(instr: Instruction): { words: string[]; span: { start: number; end: number } } | undefined {
  if (instr.json) {
    if (instr.json.length === 0) return undefined;
    return { words: instr.json, span: instr.words[0]?.span ?? instr.argsSpan };
  }
  const ws = instr.words.filter((w) => w.value !== '');
  if (ws.length === 0) return undefined;
  // shell form: `/bin/sh -c "…"` is PID 1 unless the shell execs the command; look at the command anyway
  let i = 0;
  if (ws[0]!.value === 'exec') i = 1;
  const rest = ws.slice(i);
  if (rest.length === 0) return undefined;
  return { words: rest.map((w) => w.value), span: rest[0]!.span };
}

/** In a running container (`pyship smoke` orphans a child that exits): whether PID 1 reaps it within 2 s. */
const runtime: ScopeChecks = {
  checkRuntime({ record: r, report, note }) {
    if (r.exited) return;
    const zombies = r.zombies;
    if (!zombies) note('OPS006 skipped: could not start a process in the container (no python or sh)');
    else if (zombies.length > 0) {
      const orphan = r.orphans?.reaped === 0 ? ', the orphan among them' : '';
      const pid1 = r.pid1 ? ` (PID 1: ${r.pid1})` : '';
      report(`${zombies.length} zombie process${zombies.length === 1 ? '' : 'es'} 2 s after an orphaned child exited${orphan}${pid1}: ${zombies.slice(0, 5).map((z) => `${z.pid} ${z.comm}`).join(', ')}`);
    }
  },
  runtimeRows: ({ figures: f }) => [{
    label: 'orphans reaped',
    value: f.orphans ? `${f.orphans.reaped}/${f.orphans.created} (${f.orphans.zombies} zombie${f.orphans.zombies === 1 ? '' : 's'})` : '-',
    judged: f.orphans !== undefined,
  }],
  runtimeExamples: [
    {
      bad: { pid1: 'python', zombies: [{ pid: 23, comm: 'python3' }], orphans: { created: 1, reaped: 0, zombies: 1 } },
      good: { pid1: 'tini', zombies: [], orphans: { created: 1, reaped: 1, zombies: 0 } },
    },
  ],
};

export default defineRule({
  code: 'OPS006',
  name: 'init-process',
  title: 'An init process',
  area: 'ops',
  severity: 'warning',
  scope: ['D', 'I', 'R'],
  sources: [],
  why: `PID 1 in a container has two jobs a normal program doesn't do: it must reap orphaned child processes (or they
pile up as zombies until the PID table is full) and it gets no default signal handlers (a SIGTERM it doesn't handle
explicitly is ignored). Python servers and start scripts are not written for that. A tiny init such as \`tini\`,
\`dumb-init\` or \`catatonit\` as PID 1 does both and runs the app as its child: \`ENTRYPOINT ["tini", "--"]\` and the
app in \`CMD\`.

\`docker run --init\` and compose's \`init: true\` do the same, but cannot be seen from the Dockerfile, so in
Dockerfile-only mode the image is still flagged (suppress the finding if you always run it that way). In project mode
it is not flagged when every compose service that builds this Dockerfile has \`init: true\` and every Kubernetes pod
running the project's image has \`shareProcessNamespace: true\` (the pause container is then PID 1 and reaps zombies). An ENTRYPOINT script counts when it
\`exec\`s an init (pyship reads heredoc scripts, and COPY'd scripts in project mode); in Dockerfile-only mode a script
that cannot be read is given the benefit of the doubt when the image installs an init. Images whose command is an
interactive shell or Python REPL are not flagged.

The finding says what is missing for the command at hand. A server that handles SIGTERM itself (gunicorn, uvicorn)
as PID 1, or a start script that \`exec\`s it, gets \`docker stop\`'s signal: what it lacks is reaping (a worker's
orphaned children, anything the script started in the background). A shell that stays PID 1 (a script without
\`exec\`, \`sh -c "migrate && serve"\`, shell-form \`CMD\`) also does not pass SIGTERM on, so the app is killed
after the stop timeout. gunicorn as PID 1 (directly or \`exec\`'d by the script) is not flagged: its master reaps every
child that dies, orphans included, and shuts down gracefully on SIGTERM.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nCMD ["uvicorn", "--host", "0.0.0.0", "app:app"]\n',
      good: 'FROM python:3.13-slim-trixie\nRUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*\nENTRYPOINT ["tini", "--"]\nCMD ["uvicorn", "--host", "0.0.0.0", "app:app"]\n',
    },
    {
      // gunicorn's master reaps and handles SIGTERM: as PID 1, directly or exec'd by a script, it needs no init
      bad: 'FROM python:3.13-slim-trixie\nCOPY --chmod=755 <<EOF /entrypoint.sh\n#!/bin/sh\nset -eu\npython manage.py check\npython manage.py runworker &\nexec "$@"\nEOF\nENTRYPOINT ["/entrypoint.sh"]\nCMD ["uvicorn", "app:app"]\n',
      good: 'FROM python:3.13-slim-trixie\nCOPY --chmod=755 <<EOF /entrypoint.sh\n#!/bin/sh\nset -eu\npython manage.py check\nexec "$@"\nEOF\nENTRYPOINT ["/entrypoint.sh"]\nCMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nENTRYPOINT ["python", "-m", "app"]\n',
      good: 'FROM python:3.13-slim-trixie\nRUN pip install --no-cache-dir dumb-init==1.2.5\nENTRYPOINT ["/usr/local/bin/dumb-init", "--"]\nCMD ["python", "-m", "app"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nCOPY --chmod=755 <<EOF /entrypoint.sh\n#!/bin/sh\nset -eu\nexec "$@"\nEOF\nENTRYPOINT ["/entrypoint.sh"]\nCMD ["python", "-m", "app"]\n',
      good: 'FROM python:3.13-slim-trixie\nCOPY --chmod=755 <<EOF /entrypoint.sh\n#!/bin/sh\nset -eu\nexec tini -- "$@"\nEOF\nENTRYPOINT ["/entrypoint.sh"]\nCMD ["python", "-m", "app"]\n',
    },
    {
      // the shell of `sh -c "a && b"` stays PID 1: it neither passes SIGTERM on nor reaps
      bad: 'FROM python:3.13-slim-trixie\nCMD ["sh", "-c", "app migrate && app serve --port 8000"]\n',
      good: 'FROM python:3.13-slim-trixie\nRUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*\nENTRYPOINT ["tini", "--"]\nCMD ["sh", "-c", "app migrate && exec app serve --port 8000"]\n',
    },
  ],
  ...runtime,
  check({ dockerfile: df, project, report }) {
    const final = finalStage(df);
    if (!final || final.base.scratch) return;
    const start = startCommand(df, final);
    const ep = start.entrypoint && (start.entrypoint.json?.length ?? 1) > 0 && start.entrypoint.args.trim() !== '' ? start.entrypoint : undefined;
    const cmdInstr = ep && !ep.json ? undefined : start.cmd;
    const first = ep ?? cmdInstr;
    if (!first || !isPosixShell(first)) return;
    const os = osFamily(df, final);
    if (os?.family === 'windows') return;
    // AWS Lambda base images: the Lambda runtime, not `docker stop`, runs the process
    const root = rootBase(df, final).base;
    if (!ep && /(^|\/)lambda\/|aws-lambda/.test(root.resolved ?? root.raw)) return;
    const fw = firstWords(first);
    if (!fw) return;
    const prog = basename(fw.words[0]!);
    if (INITS.has(prog) || fw.words[0] === '/init') return;
    // an interactive default, not a service
    if (!ep && fw.words.length === 1 && REPL.test(prog)) return;
    // a start script that execs an init
    for (const s of shellStartScripts(df, final, project)) {
      if (s.runBy !== first) continue;
      if (s.script.commands.some((c) => c.wrappers.some((w) => INITS.has(w)) || INITS.has(c.name))) return;
    }
    const scriptWord = /\.(sh|bash)$|entrypoint|docker-/i.test(prog) || (fw.words[0]!.includes('/') && !/^(\/usr)?(\/local)?\/s?bin\/(python|gunicorn|uvicorn)/.test(fw.words[0]!));
    const known = shellStartScripts(df, final, project).some((s) => s.runBy === first);
    if (scriptWord && !known) {
      // a wrapper ENTRYPOINT that (presumably) execs "$@" hands PID 1 to an init in CMD
      const cw = ep && cmdInstr ? firstWords(cmdInstr) : undefined;
      if (cw && INITS.has(basename(cw.words[0]!))) return;
      // a script pyship cannot read may start an init itself, if the image has one
      const installs = chainInstructions(df, final).some((i) =>
        (i.keyword === 'RUN' || i.keyword === 'COPY' || i.keyword === 'ADD') && /\b(tini|dumb-init|catatonit|supervisor|supervisord|s6-overlay)\b/.test(i.args));
      if (installs) return;
    }
    // project mode: everywhere the project runs this image, the runtime provides the init
    if (project) {
      const d = deploymentsOf(project, df.path);
      if ((d.services.length > 0 || d.containers.length > 0) && d.services.every((s) => s.init?.value === true) &&
        d.containers.every((c) => c.shareProcessNamespace?.value === true)) return;
    }
    // `CMD exec gunicorn …`: the shell replaces itself, the program is PID 1
    const shellExecs = !first.json && first.words.find((w) => w.value !== '')?.value === 'exec';
    const what = !first.json && !shellExecs ? 'PID 1 is `/bin/sh -c …`' : ep || final.base.stage !== undefined || knownNoEntrypoint(df, final)
      ? `PID 1 is \`${prog}\`` : `the image starts \`${prog}\``;
    const scripts = shellStartScripts(df, final, project).filter((s) => s.runBy === first);
    const cmdProg = ep && cmdInstr ? firstWords(cmdInstr)?.words[0] : undefined;
    // `CMD ["sh", "-c", "migrate && serve"]`: the shell stays PID 1 unless its string `exec`s the server
    const shellString = first.json && /^(sh|bash|dash|ash)$/.test(prog) ? fw.words.find((w, i) => i > 0 && fw.words[i - 1] === '-c') : undefined;
    const shellKeeps = shellString !== undefined && !/^\s*exec\s/.test(shellString);
    // gunicorn's arbiter reaps every child (`waitpid(-1)` on SIGCHLD) and handles SIGTERM: as PID 1 it is its own init
    // a script PID 1 is handed to that runs the server without `exec`: that shell keeps PID 1
    let shellAfterExec: string | undefined;
    let execd = scripts.map((x) => execTarget(x.text, cmdProg === undefined ? undefined : basename(cmdProg))).find((x) => x.execs);
    // `exec ./webserver.sh`: one more script in the image, which may `exec` the server in turn
    if (execd?.word !== undefined && /\.(sh|bash)$|\//.test(execd.word)) {
      const workdir = endState(final.instructions[final.instructions.length - 1]!, df).workdir ?? '/';
      const next = imageFile(df, final, normalizePosix(execd.word.startsWith('/') ? execd.word : `${workdir}/${execd.word}`), project);
      const then = next ? execTarget(next.text, undefined) : undefined;
      if (then?.execs && then.target !== undefined) execd = then;
      else if (then && !then.execs) shellAfterExec = execd.target;
    }
    const pid1 = scripts.length > 0 ? execd?.target : (first.json && !shellKeeps) || shellExecs ? prog : undefined;
    if (pid1 !== undefined && REAPS_CHILDREN.has(pid1)) return;
    // `exec "$@"` with the command given where the image runs: every compose service that builds it starts gunicorn
    if (execd && execd.target === undefined && project) {
      const services = deploymentsOf(project, df.path).services;
      const progs = services.map((sv) => {
        const c = sv.command?.value;
        const first = Array.isArray(c) ? c[0] : c?.trim().split(/\s+/)[0];
        if (first === undefined) return undefined;
        // `command: /start`: a script of the image that may `exec` the server
        const file = first.startsWith('/') ? imageFile(df, final, normalizePosix(first), project) : undefined;
        const t = file ? execTarget(file.text, undefined) : undefined;
        if (t && !t.execs) shellAfterExec ??= first;
        return t?.execs && t.target !== undefined ? t.target : basename(first);
      });
      if (progs.length > 0 && progs.every((p) => p !== undefined && REAPS_CHILDREN.has(p))) return;
    }
    const why = shellAfterExec !== undefined
      ? `the script \`exec\`s \`${shellAfterExec}\`, a shell script that runs the server without \`exec\`: that shell stays PID 1, does not pass SIGTERM on, and nothing reaps orphaned child processes`
      : pid1Problem((first.json !== undefined && !shellKeeps) || shellExecs, prog, scriptWord, scripts.map((s) => s.text), cmdProg === undefined ? undefined : basename(cmdProg));
    const fix = first.json && (scriptWord || scripts.length > 0) && ep
      ? `use \`ENTRYPOINT ${JSON.stringify(['tini', '--', ...fw.words]).replace(/","/g, '", "')}\``
      : 'use `ENTRYPOINT ["tini", "--"]` and the app in `CMD`';
    report({ span: fw.span, message: `${what}, not an init (tini, dumb-init): ${why}; ${fix}` });
  },
  imageExamples: [
    {
      bad: { config: { cmd: ['gunicorn', 'app:app'] }, history: [{ by: 'RUN /bin/sh -c pip install gunicorn', files: [{ path: 'usr/local/bin/gunicorn', size: 200, mode: 0o755 }] }] },
      good: {
        config: { entrypoint: ['tini', '--'], cmd: ['gunicorn', 'app:app'] },
        history: [{ by: 'RUN /bin/sh -c apt-get install -y tini && pip install gunicorn', files: [{ path: 'usr/bin/tini', size: 800, mode: 0o755 }, { path: 'usr/local/bin/gunicorn', size: 200, mode: 0o755 }] }],
      },
    },
    {
      bad: { config: { entrypoint: ['dumb-init', '--'], cmd: ['python', '-m', 'app'] }, history: [{ by: 'COPY . /app', files: [{ path: 'app/__main__.py', size: 100 }] }] },
      good: { config: { entrypoint: ['dumb-init', '--'], cmd: ['python', '-m', 'app'] }, history: [{ by: 'RUN /bin/sh -c pip install dumb-init', files: [{ path: 'usr/local/bin/dumb-init', size: 800, mode: 0o755 }] }] },
    },
  ],
  checkImage({ image, report }) {
    const pid1 = image.command[0];
    const pid1Base = pid1 !== undefined ? baseName(pid1) : undefined;
    const installed = [...IMAGE_INITS].map((n) => image.resolveBinary(n)).find((x) => x !== undefined);
    const at = image.config.entrypoint.length > 0 ? 'entrypoint' : 'cmd';
    if (pid1Base !== undefined && IMAGE_INITS.has(pid1Base)) {
      if (image.resolveBinary(pid1!) === undefined) report({ at, message: `PID 1 is ${pid1}, which the image does not contain: install it (apt-get install tini)` });
    } else {
      report({ at, message: `no init process as PID 1 (it runs ${pid1 === undefined ? 'nothing' : JSON.stringify(pid1)})${installed ? `; ${absPath(installed)} is installed but not the ENTRYPOINT` : ''}: ENTRYPOINT ["tini", "--"] reaps zombies and forwards signals` });
    }
  },
});

/** Servers whose master process reaps any child that dies (`waitpid(-1)`, orphans included) and handles SIGTERM: an init already. */
const REAPS_CHILDREN = new Set(['gunicorn', 'nginx']);

/** Servers that handle SIGTERM themselves (graceful shutdown), so as PID 1 they only lack zombie reaping. */
const HANDLES_SIGTERM = new Set(['uvicorn', 'hypercorn', 'daphne', 'granian', 'fastapi', 'celery']);

/** Tools that run the app as their child (`uv run`, `conda run`, `yarn start`) rather than replacing themselves. */
const RUNNERS = new Set(['uv', 'conda', 'mamba', 'micromamba', 'pipenv', 'pdm', 'hatch', 'rye', 'yarn', 'npm', 'pnpm', 'npx', 'make', 'honcho']);

/** Does a start script hand PID 1 over with `exec` (also inside a string it `eval`s), and to what? */
function execTarget(text: string, cmdProg: string | undefined): { execs: boolean; target?: string; word?: string } {
  const code = text.split('\n').filter((l) => !/^\s*#/.test(l)).join('\n');
  // `exec "$@"`, `exec gunicorn …`, `exec $(which gunicorn) …`
  const m = /(?:^|[\s;&|("'])exec\s+(?!-|\d*[<>])(?:\$\{?[A-Za-z_]\w*\}?\s+)?(?:"?\$(?:@|\{@\}|\*)"?|"?\$\((?:which|command\s+-v)\s+([\w.-]+)\)"?|([\w./-]+))/m.exec(code);
  if (!m) return { execs: false };
  const named = m[1] ?? m[2];
  const target = named !== undefined ? basename(named) : cmdProg;
  return { execs: true, target, word: m[2] };
}

/**
 * Why PID 1 needs an init here, by what it is: a server that handles SIGTERM only lacks reaping; a script that
 * `exec`s the app hands it PID 1 (signals then reach it); a shell that does not `exec` keeps PID 1 and forwards nothing.
 */
function pid1Problem(exec: boolean, prog: string, scriptWord: boolean, scripts: string[], cmdProg: string | undefined): string {
  const zombies = 'nothing reaps orphaned child processes, so zombies pile up';
  if (!exec) return `the shell does not pass SIGTERM on to the app and ${zombies}`;
  if (scripts.length > 0) {
    const t = scripts.map((x) => execTarget(x, cmdProg)).find((x) => x.execs);
    if (!t) return `the script does not \`exec\` the app, so the shell stays PID 1: it does not pass SIGTERM on, and ${zombies}`;
    const app = t.target ? `\`${t.target}\`` : 'the app';
    const signals = t.target && HANDLES_SIGTERM.has(t.target) ? `${app} gets SIGTERM itself` : `signals reach ${app} directly`;
    return `the script \`exec\`s ${app}, so ${signals}, but ${zombies}`;
  }
  if (scriptWord) return `${zombies}, and unless the script \`exec\`s the app it does not pass SIGTERM on`;
  if (HANDLES_SIGTERM.has(prog)) return `\`${prog}\` handles SIGTERM itself, but ${zombies}`;
  if (RUNNERS.has(prog)) return `\`${prog}\` stays PID 1 with the app as its child: ${zombies}, and SIGTERM reaches the app only as far as \`${prog}\` passes it on`;
  return `${zombies}, and as PID 1 a signal it has no handler for (SIGTERM included) is ignored`;
}
