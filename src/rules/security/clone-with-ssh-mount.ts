// SEC010: git clone over ssh / pip install git+ssh:// in a RUN without --mount=type=ssh.
import { defineRule } from '../../lint/rule.js';
import type { Instruction } from '../../dockerfile/model.js';
import type { ShCommand, ShWord } from '../../dockerfile/shell.js';
import { mounts } from '../../dockerfile/arguments.js';
import { stageCommands } from '../../dockerfile/shell.js';
import { positionals } from '../../dockerfile/commands.js';
import { expandWord } from '../../dockerfile/words.js';

/** `ssh://…`, `git+ssh://…`, or scp-like `git@github.com:org/repo.git`. */
const SSH_URL = /^(?:git\+)?ssh:\/\/|^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:(?!\/\/)[^\s]/;
const GIT_GLOBAL_VALUE = new Set(['-C', '-c', '--git-dir', '--work-tree', '--namespace', '--config-env', '--exec-path']);

/** The word's value with the build's ARG/ENV expanded; undefined when a variable is unknown. */
function valueOf(instr: Instruction, w: ShWord): string | undefined {
  if (!w.dynamic) return w.value;
  if (w.raw.includes('$(') || w.raw.includes('`')) return undefined;
  const e = expandWord(w.raw, (n) => instr.state.env.get(n) ?? instr.state.args.get(n) ?? undefined);
  return e.unresolved.length > 0 ? undefined : e.value;
}

/** The ssh URL a command fetches, with its word. */
function sshFetch(instr: Instruction, cmd: ShCommand): { word: ShWord; what: string } | undefined {
  if (cmd.name === 'git') {
    const sub = positionals(cmd, 1, GIT_GLOBAL_VALUE)[0];
    if (sub?.value !== 'clone') return undefined;
    const at = cmd.argv.indexOf(sub);
    for (const w of cmd.argv.slice(at + 1)) {
      const v = valueOf(instr, w);
      if (v !== undefined && SSH_URL.test(v)) return { word: w, what: '`git clone` over ssh' };
    }
    return undefined;
  }
  for (const w of cmd.argv.slice(1)) {
    const v = valueOf(instr, w);
    if (v !== undefined && /(^|[\s@=])git\+ssh:\/\//.test(v)) return { word: w, what: `\`${cmd.name}\` of a \`git+ssh://\` requirement` };
  }
  return undefined;
}

export default defineRule({
  code: 'SEC010',
  name: 'clone-with-ssh-mount',
  title: 'Clone private repos with ssh forwarding',
  area: 'security',
  severity: 'error',
  scope: ['D'],
  sources: [],
  why: `Cloning over ssh during a build needs a private key. Without \`RUN --mount=type=ssh\` the key has to be in the
image somehow — copied in, passed as a build argument, written by a RUN — and then it is in a layer or the history
for anyone who pulls the image. With \`--mount=type=ssh\` and \`docker build --ssh default\` the build talks to the
host's ssh agent and no key ever enters the image.

pyship flags \`git clone\` of \`git@host:…\`/\`ssh://…\` URLs and \`git+ssh://\` requirements (pip, uv, poetry…) in any
stage's RUN that has no ssh mount; URLs in ARG/ENV are resolved from their defaults, unknown ones are skipped. No peer
linter checks this. Requirement files with \`git+ssh://\` lines are not read.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nRUN git clone git@github.com:acme/private-lib.git /src/lib\n',
      good: 'FROM python:3.13-slim-trixie\nRUN --mount=type=ssh git clone git@github.com:acme/private-lib.git /src/lib\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nARG LIB=git+ssh://git@github.com/acme/private-lib.git@v1.2.0\nRUN pip install --no-cache-dir "$LIB"\n',
      good: 'FROM python:3.13-slim-trixie\nARG LIB=git+https://github.com/acme/public-lib.git@v1.2.0\nRUN pip install --no-cache-dir "$LIB"\n',
    },
  ],
  check({ dockerfile: df, report }) {
    for (const { instr, cmd } of stageCommands(df)) {
      if (mounts(instr).some((m) => m.type === 'ssh')) continue;
      const hit = sshFetch(instr, cmd);
      if (!hit) continue;
      report({ span: hit.word.span, message: `${hit.what} without \`RUN --mount=type=ssh\`: the key it needs ends up in the image; forward the ssh agent (\`docker build --ssh default\`)` });
    }
  },
});
