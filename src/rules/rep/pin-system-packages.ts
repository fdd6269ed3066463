// REP007 (opt-in): apt-get / apk installs name versions, so a rebuild installs the same system packages.
import { defineRule } from '../../lint/rule.js';
import type { ShWord } from '../../dockerfile/shell.js';
import { stageCommands } from '../../dockerfile/shell.js';
import { aptCall, positionals } from '../../dockerfile/commands.js';
import { shellWordValue } from '../../dockerfile/query.js';

const APK_VALUE_FLAGS = new Set(['-t', '--virtual', '-X', '--repository', '-p', '--root', '--arch', '--cache-dir', '--keys-dir', '--repositories-file', '--cache-max-age', '--timeout']);

function list(names: string[]): string {
  const shown = names.slice(0, 4).map((n) => `\`${n}\``).join(', ');
  return names.length > 4 ? `${shown} and ${names.length - 4} more` : shown;
}

export default defineRule({
  code: 'REP007',
  name: 'pin-system-packages',
  title: 'Pin system packages',
  area: 'rep',
  severity: 'info',
  scope: ['D'],
  optIn: true,
  sources: ['hadolint:DL3008', 'hadolint:DL3018'],
  why: `\`apt-get install libpq5\` installs whatever version the distribution's index holds on the day of the build.
Naming the version (\`libpq5=15.10-0+deb12u1\`) makes a rebuild install exactly the same packages.

It is off by default (turn it on with \`extend-select\`) because the price is high: Debian and Alpine drop old
package versions from their mirrors when a security update ships, so pinned builds break until the pins are
updated, and you stop receiving security fixes unless you update them. Pinning the OS release (REP002) and
rebuilding regularly is the usual trade-off. Packages given as \`.deb\` files, with a target release (\`pkg/bookworm-backports\`),
or through variables are not flagged; \`apk add --virtual NAME\` names a group, not a package.`,
  examples: [
    {
      bad: 'FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends libpq5 curl=7.88.1-10+deb12u8\n',
      good: 'FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends libpq5=15.10-0+deb12u1 curl=7.88.1-10+deb12u8\n',
    },
    {
      bad: 'FROM alpine:3.21\nRUN apk add --no-cache --virtual .build-deps gcc musl-dev\n',
      good: 'FROM alpine:3.21\nRUN apk add --no-cache --virtual .build-deps gcc=14.2.0-r4 musl-dev=1.2.5-r9 ./local.apk\n',
    },
  ],
  check({ dockerfile: df, report }) {
    for (const { instr, cmd } of stageCommands(df)) {
      let words: ShWord[];
      let tool: string;
      const apt = aptCall(cmd);
      if (apt && apt.subcommand === 'install' && (apt.tool === 'apt-get' || apt.tool === 'apt')) {
        words = apt.packages;
        tool = `${apt.tool} install`;
      } else if (cmd.name === 'apk' && positionals(cmd, 1, APK_VALUE_FLAGS)[0]?.value === 'add') {
        words = positionals(cmd, 1, APK_VALUE_FLAGS).slice(1);
        tool = 'apk add';
      } else continue;
      const bad: { word: ShWord; name: string }[] = [];
      for (const w of words) {
        const v = w.dynamic ? shellWordValue(instr, w) : w.value;
        if (v === undefined) continue;
        for (const name of v.split(/\s+/).filter(Boolean)) {
          if (name.includes('=') || name.includes('/') || /\.(deb|apk)$/.test(name) || name.startsWith('-') || name.startsWith('.')) continue;
          if (!/^[A-Za-z0-9]/.test(name)) continue;
          bad.push({ word: w, name });
        }
      }
      if (bad.length === 0) continue;
      const names = bad.map((b) => b.name);
      report({
        span: bad[0]!.word.span,
        message: `\`${tool}\` without versions: ${list(names)} ${names.length === 1 ? 'installs' : 'install'} whatever the index holds at build time; pin with \`${bad[0]!.name}=<version>\``,
      });
    }
  },
});
