// SIZE003: `RUN chown -R`/`chmod -R` over files an earlier COPY/ADD layer put there stores every file twice.
import { defineRule } from '../../lint/rule.js';
import type { Instruction } from '../../dockerfile/model.js';
import { chainInstructions, copyOperands, finalStage, pathWithin, shellWordValue } from '../../dockerfile/query.js';
import { imagePath } from '../../dockerfile/paths.js';
import { runScript, type ShCommand, type ShWord } from '../../dockerfile/shell.js';
import { hasFlag } from '../../dockerfile/commands.js';
import { lineOf } from '../../dockerfile/lines.js';
import { formatBytes } from '../../image/facts.js';

const TOOLS = new Set(['chown', 'chmod', 'chgrp']);

/** The path operands of a chown/chmod/chgrp (after the owner or mode, unless --reference gives it). */
function pathOperands(cmd: ShCommand): ShWord[] {
  const out: ShWord[] = [];
  let needOwner = !cmd.argv.some((w) => w.value.startsWith('--reference'));
  let rest = false;
  for (let i = 1; i < cmd.argv.length; i++) {
    const w = cmd.argv[i]!;
    const v = w.value;
    if (!rest && v === '--') {
      rest = true;
      continue;
    }
    if (!rest && (v === '--from' || v === '--reference')) {
      i++; // `chown --from root:root …`: the option's value
      continue;
    }
    if (!rest && v.startsWith('-') && v.length > 1) {
      // `chmod -R -w dir`: a symbolic mode that looks like an option
      if (cmd.name === 'chmod' && needOwner && /^-[rwxXst]+$/.test(v)) needOwner = false;
      continue;
    }
    if (needOwner) {
      needOwner = false;
      continue;
    }
    out.push(w);
  }
  return out;
}

export default defineRule({
  code: 'SIZE003',
  name: 'no-recursive-chown',
  title: 'No extra chowns',
  area: 'size',
  severity: 'warning',
  scope: ['D', 'I'],
  sources: [],
  why: `Image layers store whole files. \`RUN chown -R app:app /app\` after \`COPY . /app\` changes the metadata of every
copied file, so the new layer holds a second copy of each one: the image grows by the size of everything copied
(a copied virtualenv easily adds hundreds of megabytes), and pulls and pushes get slower. dive reports this as wasted
space; no Dockerfile linter catches it.

Set ownership and mode while copying instead: \`COPY --chown=app:app . /app\`, \`COPY --chmod=755 entrypoint.sh /\`.
pyship flags \`chown\`/\`chmod\`/\`chgrp\` with \`-R\`/\`--recursive\` whose path is a COPY/ADD destination of an
earlier instruction, or a directory that contains one, in the final stage or the stages it is built \`FROM\`.
Builder stages are not judged: \`COPY --from\` copies their final files, not their layers. Directories created
in the same RUN (\`mkdir -p /app/data && chown -R app /app/data\`) are fine.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nRUN useradd --uid 10001 app\nWORKDIR /app\nCOPY . .\nRUN chown -R app:app /app\nUSER app\n',
      good: 'FROM python:3.13-slim-trixie\nRUN useradd --uid 10001 app\nWORKDIR /app\nCOPY --chown=app:app . .\nUSER app\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie AS build\nRUN python -m venv /opt/venv\nFROM python:3.13-slim-trixie\nCOPY --from=build /opt/venv /opt/venv\nRUN chmod -Rf g+w /opt\n',
      good: 'FROM python:3.13-slim-trixie AS build\nRUN python -m venv /opt/venv\nFROM python:3.13-slim-trixie\nCOPY --from=build --chmod=775 /opt/venv /opt/venv\nRUN mkdir -p /opt/data && chmod -R g+w /opt/data\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nWORKDIR /srv\nCOPY app/ app/\nRUN chown --recursive 10001 .\n',
      good: 'FROM python:3.13-slim-trixie AS build\nWORKDIR /srv\nCOPY app/ app/\nRUN chown -R 10001 /srv\nFROM python:3.13-slim-trixie\nCOPY --from=build --chown=10001 /srv /srv\n',
    },
  ],
  check({ dockerfile: df, report }) {
    const final = finalStage(df);
    if (!final) return;
    const copied: { path: string; instr: Instruction }[] = [];
    for (const instr of chainInstructions(df, final)) {
      if (instr.keyword === 'COPY' || instr.keyword === 'ADD') {
        const ops = copyOperands(df, instr);
        if (ops?.destPath !== undefined && (ops.sources.length > 0 || ops.heredoc)) copied.push({ path: ops.destPath, instr });
        continue;
      }
      if (instr.keyword !== 'RUN' || copied.length === 0) continue;
      const script = runScript(instr);
      if (!script) continue;
      for (const cmd of script.commands) {
        if (!TOOLS.has(cmd.name) || !hasFlag(cmd, '-R', '--recursive')) continue;
        let hit: { path: string; instr: Instruction } | undefined;
        let target = '';
        for (const w of pathOperands(cmd)) {
          let v = shellWordValue(instr, w);
          if (v === undefined) continue;
          v = v.replace(/\/\*$/, '');
          if (/[*?[]/.test(v)) continue;
          const p = imagePath(instr.state.workdir, v);
          if (p === undefined) continue;
          hit = copied.find((c) => pathWithin(c.path, p));
          if (hit) {
            target = w.raw;
            break;
          }
        }
        if (!hit) continue;
        const flag = cmd.name === 'chmod' ? '--chmod' : '--chown';
        report({
          span: cmd.span,
          message: `\`${cmd.name} -R ${target}\` rewrites files that \`${hit.instr.keyword}\` (line ${lineOf(df.text, hit.instr.span.start)}) put in an earlier layer: each is stored twice; use \`${hit.instr.keyword} ${flag}=…\``,
        });
      }
    }
  },
  imageExamples: [
    {
      bad: {
        history: [
          { by: 'COPY data /opt/data', files: [{ path: 'opt/data/model.bin', size: 1_500_000 }] },
          { by: 'RUN /bin/sh -c chown -R app:app /opt/data', files: [{ path: 'opt/data/model.bin', size: 1_500_000, uid: 10001, gid: 10001 }] },
        ],
      },
      good: { history: [{ by: 'COPY --chown=app:app data /opt/data', files: [{ path: 'opt/data/model.bin', size: 1_500_000, uid: 10001, gid: 10001 }] }] },
    },
  ],
  checkImage({ image, report }) {
    for (const l of image.layers) {
      if (image.own(l.index) && l.metadataRewrites >= 1_000_000) {
        report({ at: { layer: l.index }, message: `${image.layerName(l.index)} rewrites ${formatBytes(l.metadataRewrites)} of files only to change owner or mode: use COPY --chown / --chmod` });
      }
    }
  },
});
