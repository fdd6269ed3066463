// OPS004: a start script hands PID 1 to the app with `exec`, instead of running it as a child the shell never signals.
import { defineRule } from '../../lint/rule.js';
import type { Span } from '../../dockerfile/model.js';
import type { ShCommand } from '../../dockerfile/shell.js';
import { finalStage, serverOf } from '../../dockerfile/query.js';
import { shellStartScripts, type ShellStartScript } from '../../dockerfile/scripts.js';
import { isPython } from '../../dockerfile/commands.js';

/** Commands that are bookkeeping, not the app. */
const TRIVIAL = new Set([
  'echo', 'printf', 'true', 'false', ':', 'exit', 'return', 'wait', 'set', 'export', 'unset', 'shift', 'trap', 'cd',
  'umask', 'ulimit', 'test', '[', '[[', 'readonly', 'local', 'declare', 'sync', 'logger', 'date', 'rm', 'mkdir', 'touch',
]);

function functionNames(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/(?:^|[\n;&|{(])\s*(?:function\s+)?([A-Za-z_][\w.:-]*)\s*\(\s*\)/g)) out.add(m[1]!);
  for (const m of text.matchAll(/(?:^|[\n;&|{(])\s*function\s+([A-Za-z_][\w.:-]*)/g)) out.add(m[1]!);
  return out;
}

function label(cmd: ShCommand): string {
  const w = cmd.argv[0];
  if (!w) return cmd.name;
  return w.raw.length <= 40 ? w.raw : cmd.name;
}

function trapsTerm(cmds: ShCommand[]): boolean {
  return cmds.some((c) => c.name === 'trap' && c.argv.slice(2).some((w) => /^(SIG)?(TERM|INT|QUIT)$|^(15|2|3)$/i.test(w.value)));
}

export default defineRule({
  code: 'OPS004',
  name: 'entrypoint-exec',
  title: 'Entrypoint scripts end in exec',
  area: 'ops',
  severity: 'error',
  scope: ['D', 'P'],
  sources: [],
  why: `When a start script runs the app as an ordinary command, the shell stays PID 1 and the app is its child.
\`docker stop\` sends SIGTERM to the shell, which does not pass it on: the app never hears it, finishes nothing
gracefully and is killed after the timeout. \`exec gunicorn …\` (or \`exec "$@"\` in a wrapper ENTRYPOINT) replaces the
shell with the app, so it receives signals directly. Piping the app (\`app | tee\`) or backgrounding it (\`app &\` then
\`wait\`) has the same problem, unless the script traps SIGTERM and forwards it.

pyship checks the scripts the image starts with: \`sh -c '…'\` strings in ENTRYPOINT/CMD, heredoc scripts
(\`COPY <<EOF /entrypoint.sh\`), and in project mode the shell scripts COPY'd from the context (the finding then points
at the command in the script itself). An \`sh -c\` string
that is one simple command is left alone (the shell replaces itself with it). No peer linter reads entrypoint
scripts; hadolint never does.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nCMD ["sh", "-c", "python manage.py migrate && gunicorn app.wsgi"]\n',
      good: 'FROM python:3.13-slim-trixie\nCMD ["sh", "-c", "python manage.py migrate && exec gunicorn app.wsgi"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nCOPY --chmod=755 <<EOF /entrypoint.sh\n#!/bin/sh\nset -eu\npython manage.py migrate\n"$@"\nEOF\nENTRYPOINT ["/entrypoint.sh"]\nCMD ["gunicorn", "app.wsgi"]\n',
      good: 'FROM python:3.13-slim-trixie\nCOPY --chmod=755 <<EOF /entrypoint.sh\n#!/bin/sh\nset -eu\npython manage.py migrate\nexec "$@"\nEOF\nENTRYPOINT ["/entrypoint.sh"]\nCMD ["gunicorn", "app.wsgi"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nCOPY docker/start.sh /start.sh\nCMD ["/start.sh"]\n',
      good: 'FROM python:3.13-slim-trixie\nCOPY docker/run.sh /start.sh\nCMD ["/start.sh"]\n',
      files: {
        'docker/start.sh': '#!/bin/bash\nset -euo pipefail\ngunicorn app.wsgi --bind 0.0.0.0:8000 | tee /tmp/log\n',
        'docker/run.sh': '#!/bin/bash\nset -euo pipefail\nexec gunicorn app.wsgi --bind 0.0.0.0:8000\n',
      },
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nCMD ["bash", "-c", "celery -A app worker & gunicorn app.wsgi & wait"]\n',
      good: 'FROM python:3.13-slim-trixie\nCMD ["gunicorn", "app.wsgi"]\n',
    },
  ],
  check({ dockerfile: df, project, report }) {
    const final = finalStage(df);
    if (!final) return;
    for (const s of shellStartScripts(df, final, project, { inline: true })) check(s);

    function check(s: ShellStartScript): void {
      const cmds = s.script.commands.filter((c) => !c.substitution);
      if (cmds.length === 0) return;
      // a COPY'd context file: the finding goes into the script, at the command (project mode)
      const file = s.kind === 'file' && s.contextPath !== undefined && project ? project.fromContext(s.contextPath) : undefined;
      const where = (c: ShCommand): { loc: { span: Span; file?: string }; at: string } =>
        file !== undefined
          ? { loc: { file, span: c.span }, at: '' }
          : { loc: { span: s.spanOf(c.span) }, at: s.exact || s.kind === 'inline' ? '' : ` (${s.describe(c.span)})` };
      const what = s.kind === 'inline' ? `the \`${s.shell} -c\` string` : `\`${s.path}\``;
      // a one-command `sh -c` string: the shell execs it itself
      if (s.kind === 'inline' && s.script.statements === 1 && cmds.length === 1 && cmds[0]!.pipeLength === 1 && !cmds[0]!.background) return;
      const execd = (c: ShCommand): boolean => c.wrappers.includes('exec') && c.argv.length > 0;
      const anyExec = cmds.some(execd);
      const last = Math.max(...cmds.map((c) => c.statement));
      const stmt = cmds.filter((c) => c.statement === last);
      const top = stmt.filter((c) => c.depth === 0 && !c.nested);
      const funcs = functionNames(s.text);

      const piped = stmt.find((c) => execd(c) && c.pipeLength > 1);
      if (stmt.some((c) => execd(c) && c.pipeLength === 1 && !c.background)) return;
      if (piped) {
        const w = where(piped);
        report({ ...w.loc, message: `${what} \`exec\`s \`${label(piped)}\` inside a pipe${w.at}: a pipeline runs in a subshell, so the shell stays PID 1; drop the pipe (log to stdout) and \`exec\` the app` });
        return;
      }
      if (top.length === 0) {
        // a compound last statement (if/case/while): flag only an app it clearly starts without exec
        const app = stmt.find((c) => !execd(c) && (serverOf(c) !== undefined || isPython(c)) && !c.background && c.pipeLength === 1);
        if (app && !anyExec) {
          const w = where(app);
          report({ ...w.loc, message: `${what} starts \`${label(app)}\` without \`exec\`${w.at}: the shell stays PID 1 and never passes SIGTERM on; use \`exec ${label(app)} …\`` });
        }
        return;
      }
      const primary = top[top.length - 1]!;
      if (funcs.has(primary.name) || primary.name === '.' || primary.name === 'source' || primary.name === 'eval') return;
      if (primary.background) {
        const w = where(primary);
        report({ ...w.loc, message: `${what} ends by starting \`${label(primary)}\` in the background${w.at}: the shell stays PID 1 and the container stops when it exits; \`exec\` the app in the foreground` });
        return;
      }
      if (primary.pipeLength > 1) {
        const first = top.find((c) => c.pipeLength === primary.pipeLength && c.pipeIndex === 0) ?? primary;
        const w = where(first);
        report({ ...w.loc, message: `${what} pipes \`${label(first)}\` into \`${label(primary)}\`${w.at}: the shell waits on the pipeline as PID 1 and SIGTERM never reaches the app; \`exec\` it without the pipe` });
        return;
      }
      if (TRIVIAL.has(primary.name)) {
        if (primary.name === 'wait') {
          const bg = cmds.filter((c) => c.background && c.depth === 0 && !c.nested && c.statement < last);
          if (bg.length > 0 && !trapsTerm(cmds)) {
            const b = bg[bg.length - 1]!;
            const w = where(b);
            report({ ...w.loc, message: `${what} starts \`${label(b)}\` with \`&\` and then \`wait\`s${w.at}: the shell stays PID 1 and does not forward SIGTERM; \`exec\` the app (or trap TERM and forward it)` });
          }
          return;
        }
        if (anyExec) return;
        // the app, if any, ran earlier without exec
        const earlier = cmds.filter((c) => c.depth === 0 && !c.nested && c.statement < last && !TRIVIAL.has(c.name) && c.name !== '' && !funcs.has(c.name));
        const app = [...earlier].reverse().find((c) => serverOf(c) !== undefined) ?? earlier[earlier.length - 1];
        if (!app || app.name === '.' || app.name === 'source') return;
        const w = where(app);
        report({ ...w.loc, message: `${what} runs \`${label(app)}\` without \`exec\` and ends with \`${primary.name}\`${w.at}: the shell stays PID 1 and never passes SIGTERM on; \`exec\` the app as the last command` });
        return;
      }
      if (primary.name === '') return;
      const w = where(primary);
      report({ ...w.loc, message: `${what} starts \`${label(primary)}\` without \`exec\`${w.at}: the shell stays PID 1 and never passes SIGTERM on; use \`exec ${label(primary)} …\`` });
    }
  },
});
