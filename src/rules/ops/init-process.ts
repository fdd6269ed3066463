// OPS006: an init (tini, dumb-init, catatonit) as PID 1 reaps zombies and forwards signals.
import { defineRule } from '../../lint/rule.js';
import type { Instruction } from '../../dockerfile/model.js';
import { isPosixShell } from '../../dockerfile/shell.js';
import { chainInstructions, finalStage, rootBase, startCommand } from '../../dockerfile/query.js';
import { shellStartScripts } from '../../dockerfile/scripts.js';
import { osFamily } from './_scripts.js';
import type { Dockerfile, Stage } from '../../dockerfile/model.js';
import { asProject, deploymentsOf } from '../../project/runtime.js';

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
interactive shell or Python REPL are not flagged.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nCMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]\n',
      good: 'FROM python:3.13-slim-trixie\nRUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*\nENTRYPOINT ["tini", "--"]\nCMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nENTRYPOINT ["python", "-m", "app"]\n',
      good: 'FROM python:3.13-slim-trixie\nRUN pip install --no-cache-dir dumb-init==1.2.5\nENTRYPOINT ["/usr/local/bin/dumb-init", "--"]\nCMD ["python", "-m", "app"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nCOPY --chmod=755 <<EOF /entrypoint.sh\n#!/bin/sh\nset -eu\nexec "$@"\nEOF\nENTRYPOINT ["/entrypoint.sh"]\nCMD ["python", "-m", "app"]\n',
      good: 'FROM python:3.13-slim-trixie\nCOPY --chmod=755 <<EOF /entrypoint.sh\n#!/bin/sh\nset -eu\nexec tini -- "$@"\nEOF\nENTRYPOINT ["/entrypoint.sh"]\nCMD ["python", "-m", "app"]\n',
    },
  ],
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
    const proj = asProject(project);
    if (proj) {
      const d = deploymentsOf(proj, df.path);
      if ((d.services.length > 0 || d.containers.length > 0) && d.services.every((s) => s.init?.value === true) &&
        d.containers.every((c) => c.shareProcessNamespace?.value === true)) return;
    }
    const what = !first.json ? 'PID 1 is `/bin/sh -c …`' : ep || final.base.stage !== undefined || knownNoEntrypoint(df, final)
      ? `PID 1 is \`${prog}\`` : `the image starts \`${prog}\``;
    report({
      span: fw.span,
      message: `${what}, not an init (tini, dumb-init): zombies are not reaped and signals are not forwarded; use \`ENTRYPOINT ["tini", "--"]\` and the app in \`CMD\``,
    });
  },
});
