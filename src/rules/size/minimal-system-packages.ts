// SIZE004: install only what is needed (no recommends / weak deps) and clean package-manager caches in the same RUN.
import { defineRule, type FixSafety } from '../../lint/rule.js';
import type { Instruction } from '../../dockerfile/model.js';
import { mounts } from '../../dockerfile/arguments.js';
import { chainInstructions, copyOperands, finalStage, instructionEdit, pathWithin, shellWordValue } from '../../dockerfile/query.js';
import { imagePath } from '../../dockerfile/paths.js';
import { runScript, type ShCommand, type ShellScript, type ShWord } from '../../dockerfile/shell.js';
import { hasFlag, positionals } from '../../dockerfile/commands.js';
import { formatBytes } from '../../image/facts.js';
import { baseName } from '../../image/filesystem.js';

const APT_VALUE_FLAGS = new Set(['-o', '--option', '-c', '--config-file', '-t', '--target-release', '--default-release', '-a', '--host-architecture']);
const APT_INSTALLS = new Set(['install', 'upgrade', 'dist-upgrade', 'full-upgrade', 'build-dep', 'reinstall', 'source', 'satisfy']);
/** Programs that use the apt lists themselves (so an `apt-get update` before them is not "alone"). */
const APT_USERS = new Set([
  'apt-cache', 'apt-fast', 'add-apt-repository', 'install_packages', 'dpkg', 'eatmydata', 'nala', 'mk-build-deps',
  'apt-install', 'debconf-apt-progress', 'unattended-upgrade',
]);
const DNF_TOOLS = new Set(['dnf', 'dnf5', 'yum', 'microdnf', 'tdnf']);
const DNF_VALUE_FLAGS = new Set([
  '-c', '--config', '--releasever', '--installroot', '-x', '--exclude', '--enablerepo', '--disablerepo', '--repo', '--repoid',
  '-d', '--debuglevel', '-e', '--errorlevel', '--repofrompath', '--forcearch', '--color', '--destdir', '--downloaddir',
  '--rpmverbosity', '--setopt',
]);
const DNF_INSTALLS = new Set(['install', 'in', 'reinstall', 'rei', 'localinstall', 'groupinstall', 'upgrade', 'update', 'up', 'distro-sync']);
const DNF_WEAK = new Set(['install', 'in', 'localinstall', 'groupinstall']);
const APK_VALUE_FLAGS = new Set(['-X', '--repository', '-p', '--root', '-t', '--virtual', '--arch', '--cache-dir', '--keys-dir', '--repositories-file']);

/** The subcommand word (first positional). */
function subWord(cmd: ShCommand, valueFlags: ReadonlySet<string>): ShWord | undefined {
  return positionals(cmd, 1, valueFlags)[0];
}

/** Every normalised path an `rm`/`find -delete` in the script removes, with the command's index. */
function removedPaths(instr: Instruction, script: ShellScript): { path: string; at: number }[] {
  const out: { path: string; at: number }[] = [];
  script.commands.forEach((cmd, at) => {
    const isRm = cmd.name === 'rm';
    const isFind = cmd.name === 'find' && cmd.argv.some((w) => w.value === '-delete' || w.value === 'rm');
    if (!isRm && !isFind) return;
    const words = isRm ? positionals(cmd) : cmd.argv.slice(1, 2);
    for (const w of words) {
      let v = shellWordValue(instr, w);
      if (v === undefined) continue;
      v = v.replace(/\/(\*|\.\*|\*\.\*)?$/, '');
      const p = imagePath(instr.state.workdir, v);
      if (p !== undefined) out.push({ path: p, at });
    }
  });
  return out;
}

/** Does the RUN call a script or a program we cannot see into (it might do the cleanup)? */
function callsOpaque(script: ShellScript): boolean {
  return script.commands.some((cmd) => {
    const first = cmd.argv[0]?.value ?? '';
    if (first.includes('$')) return true;
    if (first.endsWith('.sh') || first.startsWith('./')) return true;
    if (first.includes('/') && !/^\/(usr\/(local\/)?)?s?bin\//.test(first)) return true;
    if ((cmd.name === 'sh' || cmd.name === 'bash') && cmd.argv.length >= 2 && !cmd.argv[1]!.value.startsWith('-')) return true;
    return false;
  });
}

/** Text of an instruction the way a grep would see it (args and heredoc bodies). */
function instrText(instr: Instruction): string {
  return instr.args + instr.heredocs.map((h) => '\n' + h.content).join('');
}

const FALSEY = /^["']?(false|0|no|off)["']?$/i;

export default defineRule({
  code: 'SIZE004',
  name: 'minimal-system-packages',
  title: 'Minimal system packages, cleaned in the same RUN',
  area: 'size',
  severity: 'warning',
  scope: ['D', 'I'],
  fix: 'unsafe',
  sources: [
    'hadolint:DL3015', 'hadolint:DL3009', 'hadolint:DL3019', 'hadolint:DL3032', 'hadolint:DL3040',
    'trivy:DS-0029', 'trivy:DS-0017', 'trivy:DS-0025', 'trivy:DS-0015', 'trivy:DS-0019', 'checkov:CKV_DOCKER_5',
  ],
  why: `Every system package in the image is size, pull time and attack surface. \`apt-get install\` also installs
"recommended" packages (often dozens: documentation tools, X libraries) unless told \`--no-install-recommends\`;
dnf installs weak dependencies unless \`--setopt=install_weak_deps=False\`. And package managers leave their
caches behind: apt's lists (\`/var/lib/apt/lists\`, tens of MB), dnf/yum metadata, apk's index. A later
\`RUN rm\` does not help — the files are already in the earlier layer — so the cleanup must be in the same RUN
as the install: \`apt-get update && apt-get install -y --no-install-recommends … && rm -rf /var/lib/apt/lists/*\`.
An \`apt-get update\` in a RUN of its own is worse: its layer is cached, so later installs use stale lists.

pyship judges only the final stage and the stages it is built \`FROM\`: caches left in a builder stage never
reach the image (\`COPY --from\` copies chosen files), so unlike hadolint it does not flag them there. A RUN that
cache-mounts the directories (\`--mount=type=cache,target=/var/lib/apt\`, \`/var/cache/apk\`, \`/var/cache/dnf\`)
needs no cleanup; \`--no-install-recommends\` is still required. Recommends and weak dependencies turned off in
apt/dnf configuration earlier in the build count.

The fix adds \`--no-install-recommends\` (unsafe: a recommended package the app relied on, such as
\`ca-certificates\` for \`curl\`, must then be named) and \`--no-cache\` to \`apk add\` (safe).`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nRUN apt-get update && apt-get install -y libpq5 && rm -rf /var/lib/apt/lists/*\n',
      good: 'FROM python:3.13-slim-trixie\nRUN apt-get update && apt-get install --no-install-recommends -y libpq5 && rm -rf /var/lib/apt/lists/*\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends libpq5\n',
      good: 'FROM python:3.13-slim-trixie AS build\nRUN apt-get update\nFROM python:3.13-slim-trixie\nRUN --mount=type=cache,target=/var/cache/apt --mount=type=cache,target=/var/lib/apt \\\n    apt-get update && apt-get install -y --no-install-recommends libpq5\n',
    },
    {
      bad: 'FROM python:3.13-alpine3.22\nRUN apk add libpq\n',
      good: 'FROM python:3.13-alpine3.22\nRUN apk add --no-cache libpq\n',
    },
    {
      bad: 'FROM rockylinux:9.3\nRUN dnf install -y python3.12 && dnf clean all\n',
      good: 'FROM rockylinux:9.3\nRUN dnf install -y --setopt=install_weak_deps=False python3.12 && dnf clean all\n',
    },
  ],
  check({ dockerfile: df, report }) {
    const final = finalStage(df);
    if (!final) return;
    const chain = chainInstructions(df, final);
    let recommendsOff = false;
    let weakOff = false;
    for (const instr of chain) {
      if (instr.keyword === 'COPY' || instr.keyword === 'ADD') {
        // configuration copied into /etc may turn recommends / weak dependencies off
        const p = copyOperands(df, instr)?.destPath;
        if (p === undefined) continue;
        if (pathWithin('/etc/apt', p) || p === '/etc' || p === '/') recommendsOff = true;
        if (pathWithin('/etc/dnf', p) || pathWithin('/etc/yum.conf', p) || p === '/etc' || p === '/') weakOff = true;
        continue;
      }
      if (instr.keyword !== 'RUN') continue;
      const script = runScript(instr);
      if (!script) continue;
      const text = instrText(instr);
      const cacheTargets = mounts(instr)
        .filter((m) => (m.type === 'cache' || m.type === 'tmpfs') && m.target !== undefined)
        .map((m) => imagePath(instr.state.workdir ?? '/', m.target!))
        .filter((t): t is string => t !== undefined);
      const mounted = (dir: string): boolean => cacheTargets.some((t) => pathWithin(dir, t));
      const removed = removedPaths(instr, script);
      const removes = (dir: string, after: number): boolean => removed.some((r) => r.at > after && pathWithin(dir, r.path));
      const cmds = script.commands;
      const canFix = !instr.json;
      const fixable = (w: ShWord, cmd: ShCommand): boolean => canFix && !cmd.nested && df.text.slice(w.span.start, w.span.end) === w.raw;
      // every install of one RUN that lacks the flag gets it in the same fix: one fix per install would take a --fix
      // pass each (their edits overlap), and a RUN with more installs than passes would never be fixed whole
      const reportAll = (found: { w: ShWord; cmd: ShCommand; message: string }[], flag: string, safety?: FixSafety): void => {
        const edits = found.filter((f) => fixable(f.w, f.cmd)).map((f) => ({ start: f.w.span.end, end: f.w.span.end, text: ` ${flag}` }));
        const fix = edits.length > 0 ? { description: `add \`${flag}\``, edits: [instructionEdit(df, instr, edits)], ...(safety ? { safety } : {}) } : undefined;
        for (const f of found) report({ span: f.w.span, message: f.message, fix: fixable(f.w, f.cmd) ? fix : undefined });
      };

      // --- apt ---
      // apt/dnf configuration written by this RUN applies to it and to every later one
      if (/APT::Install-Recommends/i.test(text) && /apt\.conf/.test(text)) recommendsOff = true;
      if (/install_weak_deps/i.test(text) && /(dnf|yum)\.conf|config-manager/.test(text)) weakOff = true;
      const aptRecsConfigured = recommendsOff;
      let lastUpdate = -1;
      let firstUpdate: ShCommand | undefined;
      let aptUsed = false;
      const noRecommends: { w: ShWord; cmd: ShCommand; message: string }[] = [];
      for (let at = 0; at < cmds.length; at++) {
        const cmd = cmds[at]!;
        if (cmd.name === 'apt-get' || cmd.name === 'apt' || cmd.name === 'aptitude') {
          const sw = subWord(cmd, APT_VALUE_FLAGS);
          const sub = sw?.value;
          if (sub === 'update') {
            lastUpdate = at;
            firstUpdate ??= cmd;
          } else if (sub !== undefined && APT_INSTALLS.has(sub)) aptUsed = true;
          if (sub === 'install' && cmd.name !== 'aptitude' && !aptRecsConfigured && !hasFlag(cmd, '--no-install-recommends') &&
              !cmd.argv.some((w) => { const m = /APT::Install-Recommends\s*=\s*(.*)$/i.exec(w.value); return m !== null && FALSEY.test(m[1]!.trim()); })) {
            noRecommends.push({ w: sw!, cmd, message: `\`${cmd.name} install\` without \`--no-install-recommends\`: recommended packages are installed too` });
          }
        } else if (APT_USERS.has(cmd.name)) aptUsed = true;
      }
      reportAll(noRecommends, '--no-install-recommends');
      if (firstUpdate) {
        const upd = firstUpdate;
        if (!aptUsed && !callsOpaque(script)) {
          report({ span: upd.span, message: `\`${upd.name} update\` alone in a RUN: its layer is cached and goes stale; update and install in the same RUN` });
        } else if (!mounted('/var/lib/apt/lists') && !removes('/var/lib/apt/lists', lastUpdate) && !callsOpaque(script) &&
                   !cmds.some((c, at) => at > lastUpdate && (c.name === 'apt-get' || c.name === 'apt') && /^dist-?clean$/.test(subWord(c, APT_VALUE_FLAGS)?.value ?? ''))) {
          report({ span: upd.span, message: `\`${upd.name} update\` without \`rm -rf /var/lib/apt/lists/*\` in the same RUN: the package lists stay in the layer` });
        }
      }

      // --- dnf / yum / microdnf ---
      const weakConfigured = weakOff;
      let dnfInstall: { cmd: ShCommand; at: number } | undefined;
      for (let at = 0; at < cmds.length; at++) {
        const cmd = cmds[at]!;
        if (!DNF_TOOLS.has(cmd.name)) continue;
        const pos = positionals(cmd, 1, DNF_VALUE_FLAGS);
        let sub = pos[0]?.value;
        let subW = pos[0];
        if ((sub === 'group' || sub === 'groups' || sub === 'module') && pos[1]?.value === 'install') {
          sub = 'install';
          subW = pos[1];
        }
        if (sub === undefined || !DNF_INSTALLS.has(sub)) continue;
        dnfInstall = { cmd, at };
        if ((cmd.name === 'dnf' || cmd.name === 'dnf5') && DNF_WEAK.has(sub) && !weakConfigured &&
            !cmd.argv.some((w) => /weak.?deps/i.test(w.value))) {
          report({
            span: subW!.span,
            message: `\`${cmd.name} ${sub}\` without \`--setopt=install_weak_deps=False\`: weak dependencies are installed too`,
          });
        }
      }
      if (dnfInstall) {
        const { cmd, at } = dnfInstall;
        const cleaned = cmds.some((c, k) => {
          if (k <= at || !DNF_TOOLS.has(c.name)) return false;
          const pos = positionals(c, 1, DNF_VALUE_FLAGS).map((w) => w.value);
          return pos[0] === 'clean' && pos.includes('all');
        });
        const dirs = ['/var/cache/dnf', '/var/cache/yum', '/var/cache/libdnf5'];
        if (!cleaned && !dirs.some((d) => mounted(d) || removes(d, at)) && !callsOpaque(script)) {
          const tool = cmd.name === 'dnf5' ? 'dnf' : cmd.name;
          report({ span: cmd.span, message: `\`${cmd.name}\` installs without \`${tool} clean all\` after it in the same RUN: the package metadata cache stays in the layer` });
        }
      }

      // --- apk ---
      const noCache: { w: ShWord; cmd: ShCommand; message: string }[] = [];
      cmds.forEach((cmd, at) => {
        if (cmd.name !== 'apk') return;
        const sw = subWord(cmd, APK_VALUE_FLAGS);
        if (sw?.value !== 'add' || hasFlag(cmd, '--no-cache')) return;
        if (mounted('/var/cache/apk') || mounted('/etc/apk/cache') || removes('/var/cache/apk', at)) return;
        if (cmds.some((c, k) => k > at && c.name === 'apk' && subWord(c, APK_VALUE_FLAGS)?.value === 'cache' && c.argv.some((w) => w.value === 'clean' || w.value === 'purge'))) return;
        noCache.push({ w: sw, cmd, message: '`apk add` without `--no-cache`: the package index stays in `/var/cache/apk`' });
      });
      reportAll(noCache, '--no-cache', 'safe');
    }
  },
  imageExamples: [
    {
      bad: { history: [{ by: 'RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends libpq5', files: [{ path: 'usr/lib/libpq.so.5', size: 300 }, { path: 'var/lib/apt/lists/deb.debian.org_debian_dists_trixie_InRelease', size: 100_000 }, { path: 'var/cache/apt/archives/libpq5_17.5-1_amd64.deb', size: 200_000 }] }] },
      good: { history: [{ by: 'RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*', files: [{ path: 'usr/lib/libpq.so.5', size: 300 }, { path: 'var/lib/apt/lists/lock' }] }] },
    },
  ],
  checkImage({ image, report }) {
    let listBytes = 0;
    let lists = 0;
    let debBytes = 0;
    let debs = 0;
    let layer: number | undefined;
    for (const [p, f] of image.files) {
      if (f.entry.type !== 'file') continue;
      if (p.startsWith('var/lib/apt/lists/') && !p.startsWith('var/lib/apt/lists/partial/') && baseName(p) !== 'lock' && !p.startsWith('var/lib/apt/lists/auxfiles/')) {
        lists++;
        listBytes += f.entry.size;
        layer ??= f.layer;
      } else if (p.startsWith('var/cache/apt/') && (p.endsWith('.deb') || p.endsWith('.bin'))) {
        debs++;
        debBytes += f.entry.size;
        layer ??= f.layer;
      }
    }
    if (lists > 0) report({ at: { layer: layer! }, message: `/var/lib/apt/lists holds ${lists} files (${formatBytes(listBytes)}): rm -rf /var/lib/apt/lists/* in the RUN that runs apt-get update` });
    if (debs > 0) report({ at: { layer: layer! }, message: `/var/cache/apt holds ${debs} package files (${formatBytes(debBytes)}): apt-get clean in the same RUN` });
  },
});
