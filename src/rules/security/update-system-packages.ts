// SEC005: upgrade the distro's packages in the image: official base images lag behind security fixes.
import { defineRule } from '../../lint/rule.js';
import type { Instruction, Stage } from '../../dockerfile/model.js';
import type { ShCommand } from '../../dockerfile/shell.js';
import { runScript } from '../../dockerfile/shell.js';
import { aptCall, positionals } from '../../dockerfile/commands.js';
import { finalStage, fromChain } from '../../dockerfile/query.js';

type Family = 'apt' | 'apk' | 'dnf' | 'zypper';

/**
 * Images known to be a plain distribution (or a language image built on one) that don't upgrade their packages
 * themselves: Docker Official Images and Red Hat's UBI. Anything else may be a custom base that already does.
 */
const DISTRO_IMAGES: Record<string, Family | 'python'> = {
  python: 'python', pypy: 'python', 'buildpack-deps': 'apt', debian: 'apt', ubuntu: 'apt', alpine: 'apk',
  fedora: 'dnf', centos: 'dnf', rockylinux: 'dnf', almalinux: 'dnf', amazonlinux: 'dnf', oraclelinux: 'dnf',
  'redhat/ubi8': 'dnf', 'redhat/ubi9': 'dnf', 'redhat/ubi10': 'dnf', 'redhat/ubi8-minimal': 'dnf', 'redhat/ubi9-minimal': 'dnf',
  'opensuse/leap': 'zypper', 'opensuse/tumbleweed': 'zypper',
};

/** Registries that serve Docker Official Images under `library/` (or the bare name on Docker Hub). */
function officialName(registry: string | undefined, repository: string): string | undefined {
  if (registry === undefined || registry === 'docker.io' || registry === 'index.docker.io' || registry === 'registry-1.docker.io' || registry === 'mirror.gcr.io') {
    return repository.replace(/^library\//, '');
  }
  const m = /(?:^|\/)library\/([a-z0-9._-]+)$/.exec(repository);
  if (m && (registry === 'public.ecr.aws' || registry === 'mcr.microsoft.com' || registry === 'ghcr.io' || registry.endsWith('.amazonaws.com'))) return m[1];
  if (registry === 'registry.access.redhat.com' || registry === 'registry.redhat.io') {
    const u = /^(ubi\d+)(?:\/ubi(-minimal)?)?$/.exec(repository);
    if (u) return `redhat/${u[1]}${u[2] ?? ''}`;
  }
  return undefined;
}

/** The package family of a known distro-based image, or undefined for anything else. */
function distroFamily(stage: Stage): Family | undefined {
  const b = stage.base;
  if (b.resolved === undefined || b.scratch || b.stage !== undefined || !b.repository) return undefined;
  const name = officialName(b.registry, b.repository);
  const family = name ? DISTRO_IMAGES[name] : undefined;
  if (!family) return undefined;
  const tag = (b.tag ?? '').toLowerCase();
  if (/windowsservercore|nanoserver|windows/.test(tag)) return undefined;
  if (family === 'python') return /alpine/.test(tag) ? 'apk' : 'apt';
  return family;
}

const DNF_VALUE = new Set(['-c', '--config', '--releasever', '--installroot', '-x', '--exclude', '--repo', '--repoid', '--enablerepo', '--disablerepo', '--setopt', '-d', '-e']);
const APK_VALUE = new Set(['-X', '--repository', '-p', '--root', '--arch', '--cache-dir', '--keys-dir', '--repositories-file']);

/** Does this command upgrade the installed system packages? */
function isUpgrade(cmd: ShCommand): boolean {
  const apt = aptCall(cmd);
  if (apt) return ['upgrade', 'dist-upgrade', 'full-upgrade', 'safe-upgrade'].includes(apt.subcommand);
  const sub = (vf: ReadonlySet<string>) => positionals(cmd, 1, vf)[0]?.value;
  switch (cmd.name) {
    case 'dnf': case 'dnf5': case 'yum': case 'microdnf': case 'tdnf':
      return ['upgrade', 'update', 'upgrade-minimal', 'update-minimal', 'distro-sync', 'distrosync'].includes(sub(DNF_VALUE) ?? '');
    case 'apk':
      return sub(APK_VALUE) === 'upgrade';
    case 'zypper':
      return ['up', 'update', 'dup', 'dist-upgrade', 'patch'].includes(positionals(cmd, 1, new Set(['--root', '-R', '--non-interactive']))[0]?.value ?? '');
    case 'unattended-upgrade': case 'unattended-upgrades':
      return true;
    default:
      return false;
  }
}

export default defineRule({
  code: 'SEC005',
  name: 'update-system-packages',
  title: 'Update system packages',
  area: 'security',
  severity: 'info',
  scope: ['D'],
  fix: 'unsafe',
  sources: [],
  why: `Official base images (\`python\`, \`debian\`, \`ubuntu\`, \`alpine\`…) are rebuilt on their own schedule, so on
any given day they may carry distro packages with published security fixes. Upgrading them in the image (\`apt-get
update && apt-get -y upgrade\`, \`apk upgrade\`, \`dnf upgrade-minimal\`) in the same RUN as the installs and the cleanup,
and rebuilding regularly without cache (SEC006), picks the fixes up.

hadolint (DL3005, since removed) and dockerfilelint forbid \`apt-get upgrade\`; the guide deliberately recommends it.
pyship judges the final image's \`FROM\` chain (the final stage and the stages it is built from, not those it only
copies from), and only when the chain starts from an image known to be a plain distribution or an official language
image on one: Docker Official Images on Docker Hub or their \`library/\` mirrors (\`python\`, \`pypy\`, \`debian\`,
\`ubuntu\`, \`alpine\`, \`buildpack-deps\`, \`fedora\`, \`centos\`, \`rockylinux\`, \`almalinux\`, \`amazonlinux\`,
\`oraclelinux\`, \`opensuse/*\`) and Red Hat's UBI. Other bases (your company's base image, vendor images) may already
upgrade, so they are not flagged. The fix adds the upgrade to the first RUN that runs \`apt-get update\`, or a RUN
after \`FROM\`; it is unsafe: upgrades can change package versions the app was tested with.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nRUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*\nCMD ["python", "app.py"]\n',
      good: 'FROM python:3.13-slim-trixie\nRUN apt-get update && apt-get -y upgrade && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*\nCMD ["python", "app.py"]\n',
    },
    {
      bad: 'FROM python:3.13-alpine3.22 AS base\nRUN pip install --no-cache-dir flask==3.1.0\nFROM base\nCMD ["flask", "run"]\n',
      good: 'FROM python:3.13-alpine3.22 AS base\nRUN apk upgrade --no-cache\nRUN pip install --no-cache-dir flask==3.1.0\nFROM base\nCMD ["flask", "run"]\n',
    },
    {
      bad: 'FROM debian:trixie-slim AS build\nRUN apt-get update && apt-get -y upgrade\nFROM debian:trixie-slim\nCOPY --from=build /etc/hostname /tmp/\n',
      good: 'FROM mycompany/python-base:3.13\nCOPY app.py /app/\n',
      fixed: 'FROM debian:trixie-slim AS build\nRUN apt-get update && apt-get -y upgrade\nFROM debian:trixie-slim\nRUN apt-get update && apt-get -y upgrade && rm -rf /var/lib/apt/lists/*\nCOPY --from=build /etc/hostname /tmp/\n',
    },
  ],
  check({ dockerfile: df, report }) {
    const final = finalStage(df);
    if (!final || final.base.scratch) return;
    const chain = fromChain(df, final);
    const root = chain[chain.length - 1]!;
    const family = distroFamily(root);
    if (!family) return;
    const instrs: Instruction[] = chain.slice().reverse().flatMap((s) => s.instructions).filter((i) => i.keyword === 'RUN');
    let aptUpdate: { instr: Instruction; cmd: ShCommand } | undefined;
    for (const instr of instrs) {
      const script = runScript(instr);
      if (!script) {
        // a RUN pyship can't read (PowerShell…) might upgrade
        if (instr.json === undefined) return;
        continue;
      }
      for (const cmd of script.commands) {
        if (isUpgrade(cmd)) return;
        const apt = aptCall(cmd);
        // the fix edits the script after `apt-get update`: only where the shell parsed it (an unterminated quote would
        // take the added upgrade into the string, and the fix would apply again on every pass)
        if (!aptUpdate && script.errors.length === 0 && apt?.subcommand === 'update' && cmd.depth === 0 && !cmd.nested && !cmd.substitution && cmd.pipeLength === 1 && !cmd.background) aptUpdate = { instr, cmd };
      }
    }
    const how = { apt: '`apt-get update && apt-get -y upgrade`', apk: '`apk upgrade --no-cache`', dnf: '`dnf -y upgrade-minimal`', zypper: '`zypper -n patch`' }[family];
    let fix: { description: string; edits: { start: number; end: number; text: string }[] } | undefined;
    if (family === 'apt' && aptUpdate) {
      // the edit replaces the whole RUN: fixes are verified instruction by instruction
      const { instr, cmd } = aptUpdate;
      const text = df.text.slice(instr.span.start, cmd.span.end) + ' && apt-get -y upgrade' + df.text.slice(cmd.span.end, instr.span.end);
      fix = { description: 'add `apt-get -y upgrade` after `apt-get update`', edits: [{ start: instr.span.start, end: instr.span.end, text }] };
    } else if (family === 'apt') {
      fix = { description: 'upgrade system packages after `FROM`', edits: [{ start: root.from.span.end, end: root.from.span.end, text: '\nRUN apt-get update && apt-get -y upgrade && rm -rf /var/lib/apt/lists/*' }] };
    } else if (family === 'apk') {
      fix = { description: 'upgrade system packages after `FROM`', edits: [{ start: root.from.span.end, end: root.from.span.end, text: '\nRUN apk upgrade --no-cache' }] };
    }
    report({
      span: final.from.span,
      message: `no stage of the final image upgrades its system packages: run ${how} early, in the RUN that installs and cleans up`,
      fix,
    });
  },
});
