// DF012: `ENV A=1 B=$A` gives B the value A had *before* this ENV, not 1.
import { defineRule } from '../../lint/rule.js';
import { keyValues } from '../../dockerfile/arguments.js';
import { varRefs } from './_util.js';

export default defineRule({
  code: 'DF012',
  name: 'env-same-instruction-ref',
  title: "Don't refer to a variable set in the same ENV",
  area: 'df',
  severity: 'warning',
  scope: ['D'],
  sources: ['hadolint:DL3044'],
  why: `All the pairs of one \`ENV\` are expanded with the environment as it was *before* the instruction, so in
\`ENV APP_HOME=/app PATH=$APP_HOME/bin:$PATH\` the \`$APP_HOME\` is empty (or an older value): \`PATH\` gets \`/bin\`
prepended, not \`/app/bin\`, and nothing fails until a command is not found. Split it into two \`ENV\` instructions.

A variable referring to its own previous value (\`ENV PATH=/opt/venv/bin:$PATH\`) is fine and not flagged.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nENV VIRTUAL_ENV=/opt/venv PATH=$VIRTUAL_ENV/bin:$PATH\n',
      good: 'FROM python:3.13-slim-trixie\nENV VIRTUAL_ENV=/opt/venv\nENV PATH=$VIRTUAL_ENV/bin:$PATH\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nENV APP_HOME=/app \\\n    DATA_DIR=${APP_HOME}/data\n',
      good: 'FROM python:3.13-slim-trixie\nENV PATH=/opt/venv/bin:$PATH PYTHONPATH=/app\nENV DATA_DIR=\'$APP_HOME/data\'\n',
    },
  ],
  check({ dockerfile: df, report }) {
    for (const top of df.instructions) {
      const instr = top.onbuild ?? top;
      if (instr.keyword !== 'ENV') continue;
      const pairs = keyValues(instr, df.escape);
      if (pairs.length < 2 || pairs.some((p) => p.legacy)) continue;
      pairs.forEach((p, i) => {
        if (p.rawValue === undefined || p.valueSpan === undefined) return;
        const earlier = new Set(pairs.slice(0, i).map((q) => q.key));
        for (const ref of varRefs(p.rawValue, df.escape)) {
          if (ref.name === p.key || !earlier.has(ref.name)) continue;
          const old = instr.state.env.get(ref.name) ?? instr.state.args.get(ref.name);
          const before = old === undefined ? '' : ` (\`${old}\`)`;
          const start = df.text.indexOf(p.rawValue.slice(ref.start, ref.end), p.valueSpan.start);
          const span = start >= 0 && start < p.valueSpan.end ? { start, end: start + ref.end - ref.start } : p.valueSpan;
          report({
            span,
            message: `\`$${ref.name}\` expands to its value from before this \`ENV\`${before}, not the one set here: set \`${ref.name}\` in an earlier \`ENV\``,
          });
        }
      });
    }
  },
});
