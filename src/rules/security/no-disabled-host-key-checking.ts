// SEC011: don't disable ssh host key checking during the build (StrictHostKeyChecking=no, known_hosts from ssh-keyscan).
import { defineRule } from '../../lint/rule.js';
import type { Instruction } from '../../dockerfile/model.js';
import { runScript } from '../../dockerfile/shell.js';

const PATTERNS: { re: RegExp; what: string }[] = [
  { re: /StrictHostKeyChecking\s*[= ]\s*["']?(no|off)\b/gi, what: '`StrictHostKeyChecking=no`' },
  { re: /UserKnownHostsFile\s*[= ]\s*["']?\/dev\/null\b/gi, what: '`UserKnownHostsFile=/dev/null`' },
];

export default defineRule({
  code: 'SEC011',
  name: 'no-disabled-host-key-checking',
  title: "Don't disable host key checking",
  area: 'security',
  severity: 'warning',
  scope: ['D'],
  sources: [],
  why: `\`StrictHostKeyChecking=no\`, \`UserKnownHostsFile=/dev/null\` and a \`known_hosts\` filled by \`ssh-keyscan\` at
build time all accept whatever host answers: anyone who can intercept the build's network (a compromised CI runner,
DNS, a proxy) can serve their own code for the repository being cloned, and with agent forwarding receive the
signatures they need. Commit a reviewed \`known_hosts\` (GitHub and GitLab publish their keys) and COPY it, or mount it.

pyship looks at every RUN (and its heredocs), \`ENV\`/\`ARG\` values (\`GIT_SSH_COMMAND="ssh -o
StrictHostKeyChecking=no"\`) and files written with \`COPY <<EOF\`. No peer linter checks this.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nRUN mkdir -p ~/.ssh && ssh-keyscan github.com >> ~/.ssh/known_hosts\nRUN --mount=type=ssh pip install --no-cache-dir "git+ssh://git@github.com/acme/lib.git@v1.0.0"\n',
      good: 'FROM python:3.13-slim-trixie\nCOPY known_hosts /root/.ssh/known_hosts\nRUN --mount=type=ssh pip install --no-cache-dir "git+ssh://git@github.com/acme/lib.git@v1.0.0"\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nENV GIT_SSH_COMMAND="ssh -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null"\nRUN --mount=type=ssh git clone git@github.com:acme/lib.git /src/lib\n',
      good: 'FROM python:3.13-slim-trixie\nCOPY known_hosts /etc/ssh/ssh_known_hosts\nRUN --mount=type=ssh git clone git@github.com:acme/lib.git /src/lib\n',
    },
  ],
  check({ dockerfile: df, report }) {
    const scan = (instr: Instruction, text: string, at: (i: number) => number): void => {
      for (const { re, what } of PATTERNS) {
        for (const m of text.matchAll(re)) {
          report({ span: { start: at(m.index!), end: at(m.index! + m[0].length - 1) + 1 }, message: `${what} in \`${instr.keyword}\`: the build trusts any host that answers; COPY a reviewed \`known_hosts\` instead` });
        }
      }
    };
    for (const outer of df.instructions) {
      const instr = outer.onbuild ?? outer;
      const kw = instr.keyword;
      if (kw === 'RUN' || kw === 'ENV' || kw === 'ARG') scan(instr, instr.args, instr.argOffset);
      if (kw === 'RUN' || kw === 'COPY' || kw === 'ADD') for (const h of instr.heredocs) scan(instr, h.content, (i) => h.contentSpan.start + i);
      if (kw !== 'RUN') continue;
      for (const cmd of runScript(instr)?.commands ?? []) {
        if (cmd.name !== 'ssh-keyscan') continue;
        report({ span: cmd.span, message: '`ssh-keyscan` in `RUN`: it trusts whatever key the host presents during the build; COPY a reviewed `known_hosts` instead' });
      }
    }
  },
});
