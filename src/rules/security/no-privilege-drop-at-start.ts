// SEC002: no gosu/su-exec/sudo/su -c/setpriv in the start command: dropping privileges needs root and capabilities.
import { defineRule } from '../../lint/rule.js';
import type { ShCommand } from '../../dockerfile/shell.js';
import { hasFlag } from '../../dockerfile/commands.js';
import { finalStage, startCommand } from '../../dockerfile/query.js';
import { startScripts } from '../../dockerfile/scripts.js';

/** Programs that switch user: they only work when the container starts as root with SETUID/SETGID. */
const DROPPERS = ['gosu', 'su-exec', 'setpriv', 'sudo', 'runuser'];

/** The privilege-dropping program a command uses, if any. */
function dropper(cmd: ShCommand): string | undefined {
  const w = cmd.wrappers.find((x) => DROPPERS.includes(x));
  if (w) return w;
  if (DROPPERS.includes(cmd.name)) return cmd.name;
  // su [-] user -c 'cmd' / su -c 'cmd' user / su -s /bin/sh -c …
  if (cmd.name === 'su' && hasFlag(cmd, '-c', '--command')) return 'su -c';
  return undefined;
}

export default defineRule({
  code: 'SEC002',
  name: 'no-privilege-drop-at-start',
  title: "Don't drop privileges with gosu/su-exec/sudo at start",
  area: 'security',
  severity: 'warning',
  scope: ['D'],
  sources: [],
  why: `An entrypoint that starts as root and then switches user with \`gosu\`, \`su-exec\`, \`setpriv\`, \`su -c\` or
\`sudo\` needs the container to start as root *with* the SETUID/SETGID capabilities, so it can never run with
\`--cap-drop=ALL\`, \`runAsNonRoot\` or a read-only, non-root security policy; and any bug before the switch runs as
root. Set the user with \`USER\` instead and fix file ownership at build time (\`COPY --chown\`).

hadolint's DL3004 (no \`sudo\` in RUN) recommends gosu for this; the guide advises against it. pyship looks at the
final image's ENTRYPOINT and CMD (also \`sh -c\` strings), at entrypoint scripts written with \`COPY <<EOF\`, and, in
project mode, at the copied script the start command runs.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nRUN useradd --uid 10001 app\nENTRYPOINT ["gosu", "app"]\nCMD ["gunicorn", "app:app"]\n',
      good: 'FROM python:3.13-slim-trixie\nRUN useradd --uid 10001 app\nUSER app\nCMD ["gunicorn", "app:app"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nCOPY --chmod=755 <<EOF /entrypoint.sh\n#!/bin/sh\nset -eu\nchown -R app /data\nexec su-exec app "$@"\nEOF\nENTRYPOINT ["/entrypoint.sh"]\nCMD ["python", "app.py"]\n',
      good: 'FROM python:3.13-slim-trixie\nCOPY --chmod=755 <<EOF /entrypoint.sh\n#!/bin/sh\nset -eu\nexec "$@"\nEOF\nUSER 10001\nENTRYPOINT ["/entrypoint.sh"]\nCMD ["python", "app.py"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nCOPY docker/entrypoint.sh /usr/local/bin/\nENTRYPOINT ["entrypoint.sh"]\n',
      good: 'FROM python:3.13-slim-trixie\nCOPY docker/start.sh /usr/local/bin/\nUSER 10001\nENTRYPOINT ["start.sh"]\n',
      files: {
        'docker/entrypoint.sh': '#!/bin/sh\nset -eu\nif [ "$(id -u)" = 0 ]; then\n  exec gosu app "$0" "$@"\nfi\nexec gunicorn app:app\n',
        'docker/start.sh': '#!/bin/sh\nset -eu\nexec gunicorn app:app\n',
      },
    },
  ],
  check({ dockerfile: df, mode, project, report }) {
    const final = finalStage(df);
    if (!final || final.base.scratch) return;
    const seen = new Set<string>();
    for (const { instr, cmd } of startCommand(df, final).commands) {
      const prog = dropper(cmd);
      // several commands of one `sh -c` string with JSON escapes share a span: one finding each
      if (!prog || seen.has(`${cmd.span.start}:${prog}`)) continue;
      seen.add(`${cmd.span.start}:${prog}`);
      report({
        span: cmd.span,
        message: `\`${prog}\` in \`${instr.keyword}\`: switching user at start needs root and SETUID/SETGID, so the container can't run with \`--cap-drop=ALL\`; set \`USER\` instead`,
      });
    }
    for (const s of startScripts(df, final, mode === 'project' ? project : undefined)) {
      for (const cmd of s.script?.commands ?? []) {
        const prog = dropper(cmd);
        if (!prog) continue;
        report({
          span: s.spanOf(cmd.span),
          message: `\`${prog}\` in the entrypoint script (${s.describe(cmd.span)}): switching user at start needs root and SETUID/SETGID, so the container can't run with \`--cap-drop=ALL\`; set \`USER\` instead`,
        });
      }
    }
  },
});
