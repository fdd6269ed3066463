// APP005: the app belongs in CMD; ENTRYPOINT is the init (and an optional wrapper that ends with `exec "$@"`).
import { defineRule } from '../../lint/rule.js';
import type { ShCommand } from '../../dockerfile/shell.js';
import { isPython } from '../../dockerfile/commands.js';
import { finalStage, runTarget, serverOf, startCommand } from '../../dockerfile/query.js';
import type { ScopeChecks } from '../../lint/rule.js';

/** What this ENTRYPOINT command starts that is the app itself: python, or a known server. */
function appProgram(start: ShCommand): string | undefined {
  const cmd = runTarget(start);
  if (!cmd) return undefined;
  if (isPython(cmd)) return cmd.name;
  return serverOf(cmd) ? cmd.name : undefined;
}

/** In a running container (`pyship smoke` runs `IMAGE python -c 'print(1)'`): whether another command runs instead of the app. */
const runtime: ScopeChecks = {
  checkRuntime({ record: r, report }) {
    const one = r.otherCommand;
    if (r.exited || !one || one.stdout.split('\n').some((l) => l.trim() === '1')) return;
    const what = one.timedOut ? `did not finish within ${one.timeoutSeconds} s` : `printed ${JSON.stringify(one.said) || 'nothing'} (exit ${one.code})`;
    report(`\`docker run ${r.image} python -c 'print(1)'\` ${what}: the ENTRYPOINT does not hand over to other commands`);
  },
  runtimeRows: ({ figures: f }) => [{
    label: "python -c 'print(1)'",
    value: f.otherCommandOutput === undefined ? '-' : JSON.stringify(f.otherCommandOutput),
    judged: f.otherCommandOutput !== undefined,
  }],
  runtimeExamples: [
    {
      bad: {
        otherCommandOutput: '[INFO] Listening at: http://0.0.0.0:8000',
        otherCommand: { stdout: '', said: '[INFO] Listening at: http://0.0.0.0:8000', code: -1, timedOut: true, timeoutSeconds: 20 },
      },
      good: { otherCommandOutput: '1', otherCommand: { stdout: '1\n', said: '1', code: 0, timedOut: false, timeoutSeconds: 20 } },
    },
  ],
};

export default defineRule({
  code: 'APP005',
  name: 'app-in-cmd',
  title: 'Let users run other commands',
  area: 'app',
  severity: 'warning',
  scope: ['D'],
  sources: [],
  why: `With the app in \`ENTRYPOINT\`, every \`docker run IMAGE …\` and every Kubernetes \`args:\` becomes arguments
to the app: \`docker run -it IMAGE bash\` starts the app with \`bash\` as an argument instead of a shell, and one-off
jobs (\`python manage.py migrate\`, a data fix, \`python -c 'import app'\` in a smoke test) need \`--entrypoint\`
overrides that are easy to get wrong.

Keep \`ENTRYPOINT\` for what every command needs — an init (\`["tini", "--"]\`), a wrapper script that ends with
\`exec "$@"\`, a \`conda run\` prefix — and put the app in \`CMD\`, where \`docker run IMAGE other-command\` replaces
it. pyship flags an \`ENTRYPOINT\` that runs \`python\` or a known server (gunicorn, uvicorn, uwsgi, celery…), also
behind \`conda run\`/\`poetry run\`/\`uv run\`. A CLI tool's own executable as \`ENTRYPOINT\` (\`["mytool"]\` with
\`CMD ["--help"]\`) is a legitimate pattern and is not flagged. No peer linter checks this.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nENTRYPOINT ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]\n',
      good: 'FROM python:3.13-slim-trixie\nENTRYPOINT ["tini", "--"]\nCMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nENTRYPOINT ["python", "app.py"]\n',
      good: 'FROM python:3.13-slim-trixie\nCOPY --chmod=755 docker-entrypoint.sh /usr/local/bin/\nENTRYPOINT ["docker-entrypoint.sh"]\nCMD ["python", "app.py"]\n',
    },
    {
      bad: 'FROM continuumio/miniconda3:25.1.1-2\nENTRYPOINT ["conda", "run", "--no-capture-output", "-n", "app", "python", "app.py"]\n',
      good: 'FROM continuumio/miniconda3:25.1.1-2\nENTRYPOINT ["tini", "--", "conda", "run", "--no-capture-output", "-n", "app"]\nCMD ["python", "app.py"]\n',
    },
  ],
  ...runtime,
  check({ dockerfile: df, report }) {
    const final = finalStage(df);
    if (!final) return;
    const start = startCommand(df, final);
    const ep = start.entrypoint;
    if (!ep) return;
    const cmds = start.commands.filter((c) => c.instr === ep).map((c) => c.cmd);
    // a wrapper that hands over to CMD
    if (cmds.some((c) => c.argv.some((w) => /\$\{?[@*]/.test(w.raw) || w.value === '"$@"'))) return;
    for (const cmd of cmds) {
      const prog = appProgram(cmd);
      if (!prog) continue;
      report({
        span: cmd.span,
        message: `\`ENTRYPOINT\` runs the app (\`${prog}\`): \`docker run IMAGE bash\` would pass \`bash\` to it. Put the app in \`CMD\` and keep \`ENTRYPOINT\` for an init such as \`["tini", "--"]\``,
      });
      return;
    }
  },
});
