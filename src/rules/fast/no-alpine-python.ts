// FAST001: pip/uv/poetry installs on Alpine (musl) get no manylinux wheels and compile from source.
import { defineRule } from '../../lint/rule.js';
import type { BaseImage } from '../../dockerfile/model.js';
import { stageCommands } from '../../dockerfile/shell.js';
import { pythonInstall } from '../../dockerfile/commands.js';
import { rootBase } from '../../dockerfile/query.js';

const BOOTSTRAP = /^(pip|setuptools|wheel)([<>=!~].*)?$/i;

/** An Alpine-based image: alpine itself, a repository path naming alpine, or a tag naming it (python:3.13-alpine3.21). */
function isAlpine(b: BaseImage): boolean {
  if (b.resolved === undefined || b.stage !== undefined || b.scratch) return false;
  const repo = (b.repository ?? '').toLowerCase();
  const tag = (b.tag ?? '').toLowerCase();
  return repo.split('/').some((seg) => /(^|[-_.])alpine([-_.]|$)/.test(seg)) || /(^|[-_.])alpine(\d+(\.\d+)*)?([-_.]|$)/.test(tag);
}

export default defineRule({
  code: 'FAST001',
  name: 'no-alpine-python',
  title: "Don't use Alpine for Python",
  area: 'fast',
  severity: 'warning',
  scope: ['D'],
  sources: [],
  why: `Alpine uses musl instead of glibc. Most binary wheels on PyPI are built for glibc (\`manylinux\`), so on Alpine
pip and uv fall back to source distributions: every build compiles numpy, pandas, cryptography or grpcio from C (and
Rust) sources, needs a compiler toolchain in the image, takes minutes instead of seconds, and can behave differently
from what you tested. The few megabytes Alpine saves are lost to the toolchain. Use \`python:3.13-slim-trixie\`.

Flagged when a stage whose base image is Alpine (\`python:*-alpine*\`, \`alpine:*\`, any repository or tag naming
alpine, also through \`FROM <stage>\`) runs a pip, uv, poetry, pdm or pipenv install. Upgrading only pip, setuptools or
wheel is not flagged.`,
  examples: [
    {
      bad: 'FROM python:3.13-alpine3.21\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n',
      good: 'FROM python:3.13-slim-trixie\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n',
    },
    {
      bad: 'FROM alpine:3.21 AS base\nRUN apk add --no-cache python3 py3-pip\nFROM base\nRUN pip install --break-system-packages flask==3.1.0\n',
      good: 'FROM alpine:3.21\nRUN apk add --no-cache python3 py3-flask\nFROM python:3.13-alpine3.21\nRUN pip install --upgrade pip==25.1.1\n',
    },
  ],
  check({ dockerfile: df, report }) {
    const reported = new Set<number>();
    for (const stage of df.stages) {
      const root = rootBase(df, stage);
      if (reported.has(root.index) || !isAlpine(root.base)) continue;
      for (const { cmd } of stageCommands(df, stage.index)) {
        const inst = pythonInstall(cmd);
        if (!inst || inst.tool === 'conda') continue;
        if (inst.pip && inst.pip.requirementFiles.length === 0 && inst.pip.editables.length === 0 && inst.pip.packages.length > 0 &&
            inst.pip.packages.every((w) => BOOTSTRAP.test(w.value))) continue;
        const ref = root.base.resolved ?? root.base.raw;
        const where = root === stage ? '' : ` (the base of stage \`${stage.name ?? stage.index}\`)`;
        report({
          span: root.base.span,
          message: `\`${ref}\`${where} is Alpine (musl): \`${cmd.argv.slice(0, inst.argsFrom).map((w) => w.value.replace(/^.*\//, '')).join(' ')}\` gets no manylinux wheels and builds packages from source; use a Debian slim image such as \`python:3.13-slim-trixie\``,
        });
        reported.add(root.index);
        break;
      }
    }
  },
});
