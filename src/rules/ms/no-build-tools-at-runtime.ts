// MS001: compilers and headers belong in a build stage, not in the image that runs.
import { defineRule } from '../../lint/rule.js';
import type { Instruction, Stage } from '../../dockerfile/model.js';
import { chainInstructions, finalStage, fromChain, shellWordValue } from '../../dockerfile/query.js';
import { runScript, type ShWord } from '../../dockerfile/shell.js';
import { flagValue, positionals } from '../../dockerfile/commands.js';
import { absPath, baseName } from '../../image/filesystem.js';

const APT_VALUE_FLAGS = new Set(['-o', '--option', '-c', '--config-file', '-t', '--target-release', '--default-release', '-a', '--host-architecture']);
const APK_VALUE_FLAGS = new Set(['-X', '--repository', '-p', '--root', '-t', '--virtual', '--arch', '--cache-dir', '--keys-dir', '--repositories-file']);
const DNF_VALUE_FLAGS = new Set([
  '-c', '--config', '--releasever', '--installroot', '-x', '--exclude', '--enablerepo', '--disablerepo', '--repo', '--repoid',
  '-d', '--debuglevel', '-e', '--errorlevel', '--repofrompath', '--forcearch', '--color', '--destdir', '--downloaddir', '--setopt',
]);
const DNF_TOOLS = new Set(['dnf', 'dnf5', 'yum', 'microdnf', 'tdnf']);

const BUILD_TOOL = [
  /^(gcc|g\+\+|gfortran|clang|clang\+\+)(-\d+(\.\d+)*)?$/,
  /^gcc-(c\+\+|gfortran)$/,
  /^(build-essential|build-base|alpine-sdk|linux-headers)$/,
  /.-dev$/,
  /.-devel$/,
];

/** Package name without version, architecture or release: `gcc=4:12.2`, `libpq-dev:amd64`, `musl-dev~1.2`. */
function packageName(v: string): string {
  return v.replace(/[=~<>].*$/, '').replace(/:[a-z0-9-]+$/, '');
}

function isBuildTool(name: string): boolean {
  return BUILD_TOOL.some((re) => re.test(name));
}

/** `${X}` → `$X`, quotes dropped: how a variable reference is compared between install and removal. */
function refKey(raw: string): string {
  return raw.replace(/["']/g, '').replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, '$$$1');
}

interface Pkg {
  name: string;
  word: ShWord;
  /** apk --virtual group it was installed in. */
  group?: string;
  manager: 'apt' | 'apk' | 'dnf';
}

/** Package arguments of an install/remove command, from `from` on; dynamic words expanded where ENV/ARG allow. */
function packageWords(instr: Instruction, words: ShWord[]): { names: string[]; word: ShWord; key?: string }[] {
  return words.map((w) => {
    const v = shellWordValue(instr, w);
    if (v === undefined) return { names: [], word: w, key: refKey(w.raw) };
    return { names: v.split(/\s+/).filter((x) => x !== '' && !x.startsWith('-')).map(packageName), word: w, key: w.dynamic ? refKey(w.raw) : undefined };
  });
}

/** Build tools a RUN installs and leaves behind. */
function leftovers(instr: Instruction): Pkg[] {
  const script = runScript(instr);
  if (!script) return [];
  const installed: Pkg[] = [];
  const removedNames = new Set<string>();
  const removedKeys = new Set<string>();
  let aptMarkAuto = false;
  let aptAllRemoved = false;
  const cmds = script.commands;
  // words whose value is unknown (`$BUILD_DEPS` set in the script) are not judged: only matched against removals
  const note = (words: ShWord[], manager: Pkg['manager'], group?: string): void => {
    for (const p of packageWords(instr, words)) {
      for (const name of p.names) if (isBuildTool(name)) installed.push({ name, word: p.word, group, manager });
    }
  };
  const remove = (words: ShWord[]): void => {
    for (const p of packageWords(instr, words)) {
      for (const n of p.names) removedNames.add(n);
      if (p.key !== undefined) removedKeys.add(p.key);
      removedKeys.add(refKey(p.word.raw));
    }
  };
  const keyOf = new Map<Pkg, string>();
  for (const cmd of cmds) {
    if (cmd.name === 'apt-get' || cmd.name === 'apt' || cmd.name === 'aptitude') {
      const pos = positionals(cmd, 1, APT_VALUE_FLAGS);
      const sub = pos[0]?.value;
      if (sub === 'install') {
        const before = installed.length;
        note(pos.slice(1), 'apt');
        for (const p of installed.slice(before)) if (p.word.dynamic) keyOf.set(p, refKey(p.word.raw));
      } else if (sub === 'purge' || sub === 'remove' || sub === 'autoremove' || sub === 'autopurge') {
        remove(pos.slice(1));
        // docker-library pattern: `apt-mark auto '.*'` … `apt-get purge --auto-remove` removes everything the RUN added
        if (aptMarkAuto && (sub === 'autoremove' || sub === 'autopurge' || cmd.argv.some((w) => w.value === '--auto-remove' || w.value === '--autoremove'))) {
          aptAllRemoved = true;
        }
      }
    } else if (cmd.name === 'apt-mark') {
      if (cmd.argv.some((w) => w.value === 'auto')) aptMarkAuto = true;
    } else if (cmd.name === 'apk') {
      const pos = positionals(cmd, 1, APK_VALUE_FLAGS);
      const sub = pos[0]?.value;
      if (sub === 'add') {
        const group = flagValue(cmd, '--virtual', '-t');
        const before = installed.length;
        note(pos.slice(1), 'apk', group);
        for (const p of installed.slice(before)) if (p.word.dynamic) keyOf.set(p, refKey(p.word.raw));
      } else if (sub === 'del') remove(pos.slice(1));
    } else if (DNF_TOOLS.has(cmd.name)) {
      const pos = positionals(cmd, 1, DNF_VALUE_FLAGS);
      const sub = pos[0]?.value;
      if (sub === 'install' || sub === 'in' || sub === 'groupinstall') {
        const before = installed.length;
        note(pos.slice(1), 'dnf');
        for (const p of installed.slice(before)) if (p.word.dynamic) keyOf.set(p, refKey(p.word.raw));
      } else if (sub === 'remove' || sub === 'erase' || sub === 'autoremove') remove(pos.slice(1));
    }
  }
  return installed.filter((p) => {
    if (p.manager === 'apt' && aptAllRemoved) return false;
    if (removedNames.has(p.name)) return false;
    if (p.group !== undefined && removedNames.has(p.group)) return false;
    const key = keyOf.get(p);
    if (key !== undefined && removedKeys.has(key)) return false;
    return true;
  });
}

/** The official python image with a full (non-slim, non-alpine, non-Windows) tag. */
function fullPythonBase(stage: Stage): boolean {
  const b = stage.base;
  if (b.scratch || b.stage !== undefined || b.resolved === undefined) return false;
  const repo = b.repository ?? '';
  if (repo !== 'python' && repo !== 'library/python' && !repo.endsWith('/library/python')) return false;
  if (b.tag === undefined) return b.digest === undefined && /^[\w./:-]+$/.test(b.resolved); // `python` = `python:latest`, the full image
  if (!/^\w[\w.-]*$/.test(b.tag)) return false; // templates (`{{ … }}`) and other non-tags
  return !/slim|alpine|windows|nanoserver/i.test(b.tag);
}

export default defineRule({
  code: 'MS001',
  name: 'no-build-tools-at-runtime',
  title: 'No build tools at run time',
  area: 'ms',
  severity: 'warning',
  scope: ['D', 'I'],
  sources: [],
  why: `Compilers and headers are needed to build wheels that have no binary release (\`psycopg2\`, \`uwsgi\`, old
\`numpy\`), never to run them. Left in the final image they add hundreds of megabytes and give an attacker who gets
in a toolchain to build exploits with. The full official \`python\` images (\`python:3.13\`, \`python:3.13-trixie\`)
ship gcc, make and hundreds of \`-dev\` packages for exactly this reason — good for building, wrong for running.

Build in one stage and run in another: install \`build-essential\`/\`gcc\`/\`*-dev\` in a builder based on the full
image, create a venv there, and copy only the venv into a \`-slim\` runtime stage that installs the runtime
libraries (\`libpq5\`, not \`libpq-dev\`). pyship flags build tools installed by apt/apk/dnf in the final stage or the
stages it is built \`FROM\`, unless the same RUN removes them again (\`apt-get purge\`, \`apk del\` of the
\`--virtual\` group, \`dnf remove\`, or the \`apt-mark auto\` + \`apt-get purge --auto-remove\` pattern), and a final
image based on a full \`python\` tag. No general linter checks this.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nRUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \\\n    && rm -rf /var/lib/apt/lists/*\nRUN pip install --no-cache-dir psycopg2==2.9.10\n',
      good: 'FROM python:3.13-slim-trixie AS build\nRUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev\nRUN python -m venv /opt/venv && /opt/venv/bin/pip install psycopg2==2.9.10\nFROM python:3.13-slim-trixie\nRUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*\nCOPY --from=build /opt/venv /opt/venv\nENV PATH=/opt/venv/bin:$PATH\n',
    },
    {
      bad: 'FROM python:3.13-trixie\nCOPY . /app\nRUN pip install --no-cache-dir /app\n',
      good: 'FROM python:3.13-trixie AS build\nCOPY . /app\nRUN python -m venv /opt/venv && /opt/venv/bin/pip install /app\nFROM python:3.13-slim-trixie\nCOPY --from=build /opt/venv /opt/venv\nENV PATH=/opt/venv/bin:$PATH\n',
    },
    {
      bad: 'FROM python:3.13-alpine3.22\nRUN apk add --no-cache gcc musl-dev libffi-dev && pip install --no-cache-dir cffi==1.17.1\n',
      good: 'FROM python:3.13-alpine3.22\nRUN apk add --no-cache --virtual .build-deps gcc musl-dev libffi-dev \\\n    && pip install --no-cache-dir cffi==1.17.1 \\\n    && apk del .build-deps\n',
    },
  ],
  check({ dockerfile: df, report }) {
    const final = finalStage(df);
    if (!final) return;
    const root = fromChain(df, final).at(-1)!;
    if (fullPythonBase(root)) {
      report({
        span: root.base.span,
        message: `\`${root.base.resolved ?? root.base.raw}\` is the full Python image (gcc, headers, hundreds of MB) and the final image is built on it: run on a \`-slim\` tag and compile in a build stage`,
      });
    }
    for (const instr of chainInstructions(df, final)) {
      if (instr.keyword !== 'RUN') continue;
      const left = leftovers(instr);
      if (left.length === 0) continue;
      const names = [...new Set(left.map((p) => p.name))];
      const shown = names.slice(0, 4).map((n) => `\`${n}\``).join(', ') + (names.length > 4 ? ` and ${names.length - 4} more` : '');
      report({
        span: left[0]!.word.span,
        message: `${shown} installed in the final image and not removed in the same RUN: compile in a build stage and copy the venv`,
      });
    }
  },
  imageExamples: [
    {
      bad: {
        history: [
          { by: 'RUN /bin/sh -c apt-get install -y gcc && pip install psycopg2', files: [{ path: 'usr/bin/gcc-14', size: 3000, mode: 0o755 }, { path: 'usr/bin/gcc', type: 'symlink', linkname: 'gcc-14' }] },
        ],
      },
      good: { history: [{ by: 'COPY /opt/venv /opt/venv # buildkit', files: [{ path: 'opt/venv/lib/python3.13/site-packages/psycopg2/__init__.py', size: 300 }] }] },
    },
  ],
  checkImage({ image, report }) {
    const compilers: string[] = [];
    let layer: number | undefined;
    const targets = new Set<string>();
    for (const name of ['gcc', 'cc', 'g++', 'c++', 'clang']) {
      const hit = image.resolveBinary(name);
      if (hit && !targets.has(hit)) {
        targets.add(hit);
        compilers.push(baseName(hit) === name ? absPath(hit) : `${name} (${absPath(hit)})`);
        layer ??= image.files.get(hit)?.layer;
      }
    }
    if (compilers.length > 0) report({ at: layer !== undefined ? { layer } : 'image', message: `build tools in the runtime image: ${compilers.join(', ')}${layer !== undefined ? ` (from ${image.layerName(layer)})` : ''}: compile in a build stage and copy the venv` });
  },
});
