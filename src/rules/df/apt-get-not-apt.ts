// DF011: scripts use apt-get; apt is the interactive front end whose CLI and output are not stable.
import { defineRule, type Edit } from '../../lint/rule.js';
import type { Instruction, Span } from '../../dockerfile/model.js';
import { stageCommands } from '../../dockerfile/shell.js';
import { aptCall } from '../../dockerfile/commands.js';
import { rewriteInstruction } from './_util.js';

/** apt subcommands that apt-get has with the same behaviour (the fix is safe for these). */
const SAME = new Set(['install', 'update', 'remove', 'purge', 'autoremove', 'clean', 'autoclean', 'build-dep', 'source', 'download', 'satisfy', 'dist-upgrade', 'check']);

export default defineRule({
  code: 'DF011',
  name: 'apt-get-not-apt',
  title: 'Use apt-get, not apt, in RUN',
  area: 'df',
  severity: 'warning',
  scope: ['D'],
  fix: 'safe',
  sources: ['hadolint:DL3027'],
  why: `\`apt\` is the command-line front end for people: it prints "WARNING: apt does not have a stable CLI interface.
Use with caution in scripts.", shows progress bars in build logs, and its behaviour and output may change between
releases. \`apt-get\` is the stable interface meant for scripts and Dockerfiles.

Only subcommands that \`apt-get\` also has are flagged (\`apt list\`, \`apt search\`, \`apt show\` are left alone). The
fix replaces \`apt\` with \`apt-get\`; for \`apt upgrade\` it is unsafe, because \`apt upgrade\` installs new
dependencies where \`apt-get upgrade\` holds those packages back (use \`apt-get upgrade --with-new-pkgs\` or
\`dist-upgrade\` to keep that behaviour).`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nRUN apt update && apt install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n',
      good: 'FROM python:3.13-slim-trixie\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nRUN apt -y upgrade\n',
      good: 'FROM python:3.13-slim-trixie\nRUN apt-get -y upgrade\nRUN apt list --installed\n',
      fixed: 'FROM python:3.13-slim-trixie\nRUN apt-get -y upgrade\n',
    },
  ],
  check({ dockerfile: df, report }) {
    type Hit = { instr: Instruction; sub: string; span: Span; fixable: boolean; upgrade: boolean };
    const hits: Hit[] = [];
    for (const { instr, cmd } of stageCommands(df)) {
      if (cmd.name !== 'apt') continue;
      const call = aptCall(cmd);
      if (!call) continue;
      const sub = call.subcommand;
      const upgrade = sub === 'upgrade' || sub === 'full-upgrade';
      if (!SAME.has(sub) && !upgrade) continue;
      const w = cmd.argv[0]!;
      const fixable = sub !== 'full-upgrade' && w.raw === 'apt' && df.text.slice(w.span.start, w.span.end) === 'apt';
      hits.push({ instr, sub, span: w.span, fixable, upgrade });
    }
    // one edit per instruction and safety, shared by its findings, so a RUN with several `apt` is fixed in one pass
    const edits = new Map<string, Edit | undefined>();
    const editFor = (h: Hit): Edit | undefined => {
      const key = `${h.instr.index}:${h.upgrade}`;
      if (!edits.has(key)) {
        const same = hits.filter((x) => x.instr.index === h.instr.index && x.fixable && (h.upgrade ? true : !x.upgrade));
        edits.set(key, rewriteInstruction(df, h.instr, same.map((x) => ({ start: x.span.start, end: x.span.end, text: 'apt-get' }))));
      }
      return edits.get(key);
    };
    for (const h of hits) {
      const edit = h.fixable ? editFor(h) : undefined;
      const instead = h.sub === 'full-upgrade' ? 'apt-get dist-upgrade' : `apt-get ${h.sub}`;
      report({
        span: h.span,
        message: `\`apt ${h.sub}\` in a script: use \`${instead}\` (apt has no stable CLI)`,
        fix: edit ? { description: 'replace `apt` with `apt-get`', edits: [edit], safety: h.upgrade ? 'unsafe' : 'safe' } : undefined,
      });
    }
  },
});
