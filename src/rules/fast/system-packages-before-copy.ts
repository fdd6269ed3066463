// FAST002: a COPY from the build context before the system-package install reruns that install on every change.
import { defineRule } from '../../lint/rule.js';
import type { Instruction } from '../../dockerfile/model.js';
import { runScript, type ShCommand } from '../../dockerfile/shell.js';
import { aptCall, positionals, pythonInstall } from '../../dockerfile/commands.js';
import { copyOperands } from '../../dockerfile/query.js';
import { lineOf } from '../../dockerfile/lines.js';

const PKG_VALUE_FLAGS = new Set(['-t', '--virtual', '-X', '--repository', '-p', '--root', '--setopt', '-c', '--config', '--installroot', '--releasever', '--repo', '--enablerepo', '--disablerepo', '-x', '--exclude']);

/** `apt-get install`, `apt install`, `dnf/yum/microdnf install`, `apk add`: what the command is, or undefined. */
function packageInstall(cmd: ShCommand): string | undefined {
  const apt = aptCall(cmd);
  if (apt) return apt.subcommand === 'install' ? `${apt.tool} install` : undefined;
  if (['dnf', 'yum', 'microdnf', 'tdnf', 'zypper'].includes(cmd.name)) {
    const sub = positionals(cmd, 1, PKG_VALUE_FLAGS)[0]?.value;
    return sub === 'install' || sub === 'in' ? `${cmd.name} install` : undefined;
  }
  if (cmd.name === 'apk') return positionals(cmd, 1, PKG_VALUE_FLAGS)[0]?.value === 'add' ? 'apk add' : undefined;
  return undefined;
}

/** Files the package manager itself reads: repository definitions, keys, preferences. */
const PACKAGE_CONFIG = /(^|\/)(etc\/apt|etc\/yum\.repos\.d|etc\/dnf|etc\/apk|etc\/zypp|etc\/pki|usr\/share\/keyrings|etc\/pacman)(\/|$)|\.(list|sources|gpg|asc|repo|pref|pub|key)$|(^|\/)(sources\.list|preferences|repositories)$/i;

function basename(p: string): string {
  const t = p.replace(/\/+$/, '');
  return t.slice(t.lastIndexOf('/') + 1);
}

/** Does the text name this file (not as part of a longer name)? */
function mentions(text: string, name: string): boolean {
  const esc = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9_.-])${esc}($|[^A-Za-z0-9_-])`).test(text);
}

export default defineRule({
  code: 'FAST002',
  name: 'system-packages-before-copy',
  title: 'COPY only when needed',
  area: 'fast',
  severity: 'warning',
  scope: ['D'],
  sources: [],
  why: `Docker reuses a layer from its cache only if nothing before it changed. A \`COPY\` from the build context
placed before \`apt-get install\` (or \`dnf\`, \`yum\`, \`apk\`) makes every change to the copied files rerun the system
package install — usually the slowest, most network-bound step — although the packages did not change. Install
system packages first, then copy.

Not flagged: \`COPY --from\` (another stage or image), heredoc \`COPY <<EOF\`, copies the package step needs —
repository definitions and keys (\`/etc/apt/…\`, \`*.list\`, \`*.sources\`, \`*.gpg\`, \`*.asc\`, yum repos) — and files
the install RUN itself mentions (\`COPY install-deps.sh\` then \`RUN ./install-deps.sh\`, a \`.deb\` it installs, a
package list it reads), and copies feeding a Python install in the same RUN as the system packages (\`apk add
--virtual .build-deps … && pip install -r requirements.txt && apk del .build-deps\`: splitting that RUN would keep
the compilers in a layer; FAST004 judges the order of code and dependencies there).`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY . .\nRUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*\n',
      good: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nRUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*\nCOPY . .\n',
    },
    {
      bad: 'FROM alpine:3.21\nCOPY requirements.txt /app/\nRUN apk add --no-cache libpq\n',
      good: 'FROM debian:trixie-slim\nCOPY nodesource.gpg /usr/share/keyrings/\nCOPY nodesource.sources /etc/apt/sources.list.d/\nCOPY install-deps.sh /tmp/\nCOPY --from=build /app /app\nRUN /tmp/install-deps.sh && apt-get update && apt-get install -y --no-install-recommends nodejs\n',
    },
  ],
  check({ dockerfile: df, report }) {
    for (const stage of df.stages) {
      const copies: { instr: Instruction; names: string[]; dest: string | undefined }[] = [];
      const reported = new Set<Instruction>();
      for (const instr of stage.instructions) {
        if (instr.keyword === 'COPY' || instr.keyword === 'ADD') {
          const ops = copyOperands(df, instr);
          if (!ops || ops.from !== undefined || ops.sources.length === 0) continue;
          if (ops.sources.some((s) => s.value === undefined)) continue;
          const values = ops.sources.map((s) => s.value!);
          // ADD of a URL or a git repository is not the build context
          if (instr.keyword === 'ADD' && values.every((v) => /^[a-z][a-z0-9+.-]*:\/\/|^git@/i.test(v))) continue;
          if (values.every((v) => PACKAGE_CONFIG.test(v)) || (ops.destPath !== undefined && PACKAGE_CONFIG.test(ops.destPath))) continue;
          const names = values.map(basename);
          if (ops.dest !== undefined && !ops.dest.endsWith('/')) names.push(basename(ops.dest));
          copies.push({ instr, names: names.filter((b) => b !== '' && b !== '.' && b !== '..' && b !== '*'), dest: ops.destPath });
          continue;
        }
        if (instr.keyword !== 'RUN' || copies.length === 0) continue;
        const script = runScript(instr);
        if (!script) continue;
        const install = script.commands.map(packageInstall).find((x) => x !== undefined);
        if (!install) {
          // a copied script run before the install may set up its repositories: the copy is needed where it is
          const ran = new Set<string>();
          for (const cmd of script.commands) {
            const prog = cmd.argv[0]?.value ?? '';
            ran.add(basename(prog));
            if (/^(sh|bash|dash|ash|zsh|python[\d.]*|perl|source|\.)$/.test(cmd.name) && cmd.argv[1]) ran.add(basename(cmd.argv[1].value));
          }
          for (const c of copies) if (c.names.some((n) => ran.has(n))) reported.add(c.instr);
          continue;
        }
        const text = df.text.slice(instr.span.start, instr.span.end);
        // build packages installed, used by a Python install and removed in one RUN (apk add .build-deps && pip install
        // -r … && apk del): the copies feed that install, and moving them would split the RUN (FAST004 judges the order)
        const feedsInstall = script.commands.some((c) => {
          const py = pythonInstall(c);
          if (!py) return false;
          if (!py.pip) return true;
          return py.pip.requirementFiles.length > 0 || py.pip.editables.length > 0 || c.argv.some((w) => /^--group/.test(w.value)) ||
            py.pip.packages.some((w) => /^[./~]/.test(w.value));
        });
        for (const c of copies) {
          if (reported.has(c.instr)) continue;
          // the install step uses what was copied: a script it runs, a .deb, a package list
          const used = feedsInstall || c.names.some((n) => mentions(text, n)) || (c.dest !== undefined && c.dest !== '/' && text.includes(c.dest));
          reported.add(c.instr);
          // a copy one package step needs is in its place, even if a later package step could move above it
          if (used) continue;
          const srcs = copyOperands(df, c.instr)!.sources;
          report({
            span: { start: srcs[0]!.span.start, end: srcs[srcs.length - 1]!.span.end },
            message: `\`${c.instr.keyword}\` from the build context comes before \`${install}\` (line ${lineOf(df.text, instr.span.start)}): any change to the copied files reruns the package install; move the install above it`,
          });
        }
      }
    }
  },
});
