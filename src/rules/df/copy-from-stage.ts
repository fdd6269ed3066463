// DF006: `COPY --from=` must name an earlier stage (or an image reference), never its own stage or a later one.
import { defineRule } from '../../lint/rule.js';
import { expandWord } from '../../dockerfile/words.js';
import { closeMatch, stateLookup } from './_util.js';

export default defineRule({
  code: 'DF006',
  name: 'copy-from-stage',
  title: '`COPY --from` must name an earlier stage',
  area: 'df',
  severity: 'error',
  scope: ['D'],
  sources: ['hadolint:DL3022', 'hadolint:DL3023'],
  why: `\`COPY --from=builder\` copies from the stage named \`builder\`, but only if one is defined *earlier*: a stage
cannot copy from itself (a cycle), and a name that matches no stage is taken as an image to pull. A typo in the stage
name (\`--from=buidler\`) therefore turns into "pull access denied for buidler", or worse, into files from an image of
that name on Docker Hub.

Unlike hadolint (DL3022), which flags every name that is not an earlier stage, pyship accepts image references
(\`--from=ghcr.io/astral-sh/uv:0.5\`) and bare names that may be named build contexts (\`docker build
--build-context assets=…\`, bake \`contexts\`): it flags a name only when it is a near-miss of an earlier stage's
name (\`buidler\` for \`builder\`), the stage itself, or a stage defined later. Numeric indexes must point to an
earlier stage. Variables are expanded with their defaults; unresolved ones are not flagged.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie AS builder\nRUN pip wheel --no-cache-dir -w /wheels flask==3.1.0\nFROM python:3.13-slim-trixie\nCOPY --from=buidler /wheels /wheels\n',
      good: 'FROM python:3.13-slim-trixie AS builder\nRUN pip wheel --no-cache-dir -w /wheels flask==3.1.0\nFROM python:3.13-slim-trixie\nCOPY --from=builder /wheels /wheels\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie AS app\nCOPY --from=app /app /srv\n',
      good: 'FROM python:3.13-slim-trixie AS app\nCOPY --from=ghcr.io/astral-sh/uv:0.5.4 /uv /bin/uv\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nCOPY --from=1 /out /out\nFROM python:3.13-slim-trixie\n',
      good: 'FROM python:3.13-slim-trixie\nRUN mkdir /out\nFROM python:3.13-slim-trixie\nCOPY --from=0 /out /out\n',
    },
  ],
  check({ dockerfile: df, report }) {
    for (const top of df.instructions) {
      const instr = top.onbuild ?? top;
      if ((instr.keyword !== 'COPY' && instr.keyword !== 'ADD') || top.onbuild || instr.stage < 0) continue;
      const flag = instr.flags.find((f) => f.name === 'from');
      if (!flag || flag.value === null) continue;
      const raw = flag.raw.slice(flag.raw.indexOf('=') + 1);
      const lookup = (n: string): string | undefined => stateLookup(instr)(n) ?? df.globalArgs.get(n) ?? undefined;
      const { value, unresolved } = expandWord(raw, lookup, df.escape);
      if (unresolved.length > 0) continue;
      const from = value.trim();
      if (from === '') continue;
      const stage = df.stages[instr.stage]!;
      if (/^\d+$/.test(from)) {
        const n = Number(from);
        if (n === instr.stage) report({ span: flag.span, message: `\`--from=${from}\` is this stage itself: a stage cannot copy from itself` });
        else if (n > instr.stage) report({ span: flag.span, message: `\`--from=${from}\` names a later stage (this is stage ${instr.stage}): only earlier stages can be copied from` });
        continue;
      }
      if (/[/:.@]/.test(from)) continue;
      const lower = from.toLowerCase();
      if (stage.name?.toLowerCase() === lower) {
        report({ span: flag.span, message: `\`--from=${from}\` is this stage itself: a stage cannot copy from itself` });
        continue;
      }
      const earlier = df.stages.slice(0, instr.stage);
      if (earlier.some((s) => s.name?.toLowerCase() === lower)) continue;
      const later = df.stages.slice(instr.stage + 1).find((s) => s.name?.toLowerCase() === lower);
      if (later) {
        report({ span: flag.span, message: `\`--from=${from}\` names a stage defined later in the file: move stage \`${later.name}\` above this one` });
        continue;
      }
      // Any other bare word may be a named build context (`--build-context assets=…`, bake `contexts`): only a
      // near-miss of an earlier stage's name is reported.
      const names = earlier.map((s) => s.name).filter((n): n is string => n !== undefined);
      const near = closeMatch(lower, names.map((n) => n.toLowerCase()));
      if (!near) continue;
      report({ span: flag.span, message: `\`--from=${from}\` names no stage: did you mean \`${names.find((n) => n.toLowerCase() === near) ?? near}\`? (otherwise it is pulled as an image)` });
    }
  },
});
