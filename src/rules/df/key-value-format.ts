// DF020: `ENV KEY=value`, not the legacy `ENV KEY value` (one pair per instruction, value up to the end of the line).
import { defineRule } from '../../lint/rule.js';
import { keyValues } from '../../dockerfile/arguments.js';
import { rewriteInstruction, singleLine } from './_util.js';

export default defineRule({
  code: 'DF020',
  name: 'key-value-format',
  title: 'Use `ENV KEY=value`, not `ENV KEY value`',
  area: 'df',
  severity: 'warning',
  scope: ['D'],
  fix: 'safe',
  sources: ['buildkit:LegacyKeyValueFormat'],
  why: `The space-separated \`ENV KEY value\` / \`LABEL key value\` form is deprecated. It sets a single variable to
*everything* after the first space, so \`ENV PYTHONDONTWRITEBYTECODE 1 PYTHONUNBUFFERED 1\` sets one variable to
\`1 PYTHONUNBUFFERED 1\`, and it cannot set several variables at once. \`KEY=value\` has no such surprise.

The fix rewrites single-line instructions: \`ENV KEY value\` → \`ENV KEY=value\`, quoting the value with double
quotes when it contains spaces (the value stays exactly the same). Values that already contain quotes or escape
characters, and instructions continued over several lines, are reported without a fix.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nENV PYTHONUNBUFFERED 1\n',
      good: 'FROM python:3.13-slim-trixie\nENV PYTHONUNBUFFERED=1\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nLABEL description Web API of the shop\n',
      good: 'FROM python:3.13-slim-trixie\nLABEL description="Web API of the shop"\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nENV PATH /opt/venv/bin:$PATH\n',
      good: 'FROM python:3.13-slim-trixie\nENV PATH=/opt/venv/bin:$PATH\n',
    },
  ],
  check({ dockerfile: df, report }) {
    for (const top of df.instructions) {
      const instr = top.onbuild ?? top;
      if (instr.keyword !== 'ENV' && instr.keyword !== 'LABEL') continue;
      const [kv] = keyValues(instr, df.escape);
      if (!kv || !kv.legacy || kv.rawValue === undefined || kv.rawValue === '' || !kv.valueSpan) continue;
      const raw = kv.rawValue;
      let edit;
      const simple = !/["'`]/.test(raw) && !raw.includes(df.escape) && !raw.includes('\\') && singleLine(df, instr);
      if (simple && df.text.slice(kv.keySpan.end, kv.valueSpan.start).trim() === '' && df.text.slice(kv.valueSpan.start, kv.valueSpan.end) === raw) {
        const value = /\s/.test(raw) ? `"${raw}"` : raw;
        edit = rewriteInstruction(df, instr, [{ start: kv.keySpan.end, end: kv.valueSpan.end, text: `=${value}` }]);
      }
      report({
        span: { start: kv.keySpan.start, end: kv.valueSpan.end },
        message: `legacy \`${instr.keyword} ${kv.key} value\` form: use \`${instr.keyword} ${kv.key}=value\``,
        fix: edit ? { description: `rewrite as \`${kv.key}=…\``, edits: [edit] } : undefined,
      });
    }
  },
});
