// APP003: the container's start command shouldn't migrate the database.
import { defineRule } from '../../lint/rule.js';
import type { ShCommand } from '../../dockerfile/shell.js';
import { isPython, positionals, pythonModule } from '../../dockerfile/commands.js';
import { finalStage, runTarget, startCommand } from '../../dockerfile/query.js';
import { startScripts } from '../../dockerfile/scripts.js';

/** `manage.py migrate`, `django-admin migrate`, `alembic upgrade`, `flask db upgrade` in any spelling; the words to name. */
function migration(start: ShCommand): string | undefined {
  const cmd = runTarget(start);
  if (!cmd) return undefined;
  const a = cmd.argv.map((w) => w.value);
  const mod = pythonModule(cmd);
  // the program and its arguments, `python -m X` read as `X`
  let prog = cmd.name;
  let rest = a.slice(1);
  if (mod) {
    prog = mod;
    rest = a.slice(a.indexOf(mod) + 1);
  } else if (isPython(cmd)) {
    const script = positionals(cmd, 1, new Set(['-X', '-W', '-c']))[0];
    if (!script || a.includes('-c')) return undefined;
    prog = script.value.split('/').pop() ?? '';
    rest = a.slice(a.indexOf(script.value) + 1);
  }
  const pos = rest.filter((v) => !v.startsWith('-'));
  const flags = rest.filter((v) => v.startsWith('-'));
  if ((prog === 'manage.py' || prog === 'django-admin' || prog === 'django-admin.py') && pos[0] === 'migrate') {
    if (flags.some((f) => f === '--check' || f === '--plan' || f === '--help' || f === '-h')) return undefined;
    return `${prog} migrate`;
  }
  if (prog === 'alembic' && rest.includes('upgrade')) {
    if (flags.some((f) => f === '--sql' || f === '--help' || f === '-h')) return undefined;
    return 'alembic upgrade';
  }
  // framework CLIs that run Alembic or create the schema
  if (prog === 'reflex' && pos[0] === 'db' && pos[1] === 'migrate') return 'reflex db migrate';
  if (prog === 'kinto' && pos[0] === 'migrate' && !flags.includes('--dry-run')) return 'kinto migrate';
  if (prog === 'flask') {
    const i = rest.indexOf('db');
    if (i >= 0 && rest[i + 1] === 'upgrade' && !rest.includes('--sql')) return 'flask db upgrade';
  }
  return undefined;
}

export default defineRule({
  code: 'APP003',
  name: 'no-migrations-at-start',
  title: 'No DB migrations at startup',
  area: 'app',
  severity: 'warning',
  scope: ['D', 'P'],
  sources: [],
  why: `A container that migrates the database when it starts runs the migration once per replica and once per
restart: several replicas race on the same schema change, a slow migration delays every start past its health check,
and a failed one leaves the service crash-looping instead of failing one deploy step. Rolling deploys also need the old
code to keep working against the new schema, which only a migration run before the rollout guarantees.

Run migrations as a separate one-off job (a Kubernetes Job or Helm hook, \`docker compose run\`, a release phase) with
the same image. pyship looks at \`CMD\`/\`ENTRYPOINT\`, \`sh -c\` strings, \`COPY <<EOF\` scripts they run and, in
project mode, the entrypoint script copied from the project. No peer linter checks this. \`migrate --check\`/
\`--plan\` and \`alembic upgrade --sql\` don't touch the database and are not flagged.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY . .\nCMD ["sh", "-c", "python manage.py migrate && exec gunicorn app.wsgi"]\n',
      good: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY . .\nCMD ["gunicorn", "app.wsgi"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nCOPY --chmod=755 <<EOF /entrypoint.sh\n#!/bin/sh\nset -eu\nalembic upgrade head\nexec "$@"\nEOF\nENTRYPOINT ["/entrypoint.sh"]\nCMD ["uvicorn", "app:app"]\n',
      good: 'FROM python:3.13-slim-trixie\nCOPY --chmod=755 <<EOF /entrypoint.sh\n#!/bin/sh\nset -eu\nalembic current\nexec "$@"\nEOF\nENTRYPOINT ["/entrypoint.sh"]\nCMD ["uvicorn", "app:app"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY docker/entrypoint.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\nCMD ["gunicorn", "app.wsgi"]\n',
      good: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY docker/start.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\nCMD ["gunicorn", "app.wsgi"]\n',
      files: {
        'docker/entrypoint.sh': '#!/bin/sh\nset -eu\npython manage.py migrate --noinput\nexec "$@"\n',
        'docker/start.sh': '#!/bin/sh\nset -eu\npython manage.py migrate --check\nexec "$@"\n',
      },
    },
  ],
  check({ dockerfile: df, mode, project, report }) {
    const final = finalStage(df);
    if (!final) return;
    const hint = 'run migrations as a separate one-off job (Kubernetes Job, `docker compose run`, release phase) before the rollout';
    for (const { instr, cmd } of startCommand(df, final).commands) {
      const m = migration(cmd);
      if (m) report({ span: cmd.span, message: `\`${m}\` runs every time a container starts (${instr.keyword}): ${hint}` });
    }
    for (const s of startScripts(df, final, mode === 'project' ? project : undefined)) {
      // a COPY'd context file: the finding goes into the script, at the migration command
      const file = s.kind === 'file' && s.contextPath !== undefined && mode === 'project' && project ? project.fromContext(s.contextPath) : undefined;
      for (const cmd of s.script?.commands ?? []) {
        const m = migration(cmd);
        if (!m) continue;
        if (file !== undefined) report({ file, span: cmd.span, message: `\`${m}\` in \`${s.contextPath}\` (run by ${s.runBy.keyword}) runs every time a container starts: ${hint}` });
        else report({ span: s.spanOf(cmd.span), message: `\`${m}\` in ${s.describe(cmd.span)} runs every time a container starts: ${hint}` });
      }
    }
  },
});
