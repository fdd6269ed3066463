// DF003: a build that needs sudo is running as the wrong user; sudo also changes signals, TTY and environment.
import { defineRule } from '../../lint/rule.js';
import { stageCommands } from '../../dockerfile/shell.js';

export default defineRule({
  code: 'DF003',
  name: 'no-sudo',
  title: "Don't use sudo in RUN",
  area: 'df',
  severity: 'warning',
  scope: ['D'],
  sources: ['hadolint:DL3004'],
  why: `Every \`RUN\` already runs as the \`USER\` in effect, and the build can switch with \`USER root\` … \`USER app\`.
\`sudo\` in a \`RUN\` means the image ships sudo (and usually a sudoers rule granting root to the app user, which turns
any code execution in the app into root), and sudo's environment handling (\`env_reset\`, \`secure_path\`) silently
drops \`PATH\` and other variables set with \`ENV\`.

Switch to root for the steps that need it (\`USER root\`), then back to the app user. (hadolint's DL3004 suggests
\`gosu\` for the start command; the guide advises against that too, see SEC002.)`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nUSER app\nRUN sudo apt-get update\n',
      good: 'FROM python:3.13-slim-trixie\nUSER root\nRUN apt-get update\nUSER app\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nRUN sudo -E pip install --no-cache-dir flask==3.1.0\n',
      good: 'FROM python:3.13-slim-trixie\nRUN apt-get install -y --no-install-recommends sudo && echo "ok" > /etc/sudoers.d/README\n',
    },
  ],
  check({ dockerfile: df, report }) {
    for (const { cmd } of stageCommands(df)) {
      if (!cmd.wrappers.includes('sudo') && !(cmd.name === 'sudo' && cmd.argv.length === 1)) continue;
      const text = df.text.slice(cmd.span.start, cmd.span.end);
      const m = /(^|[\s;&|(/])sudo(?=\s|$)/.exec(text);
      const start = m ? cmd.span.start + m.index + m[1]!.length : cmd.span.start;
      report({ span: { start, end: m ? start + 4 : cmd.span.end }, message: '`sudo` in `RUN`: switch with `USER root` for the steps that need it instead' });
    }
  },
});
