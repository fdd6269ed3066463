// DF024: instruction keywords in one consistent case (the file's majority), and `AS` cased like its `FROM`.
import { defineRule, type Edit } from '../../lint/rule.js';
import { rewriteInstruction } from './_util.js';

export default defineRule({
  code: 'DF024',
  name: 'instruction-casing',
  title: 'Consistent instruction casing',
  area: 'df',
  severity: 'info',
  scope: ['D'],
  fix: 'safe',
  sources: ['buildkit:ConsistentInstructionCasing', 'buildkit:FromAsCasing'],
  why: `Keywords are case-insensitive, but a file that mixes \`RUN\`, \`run\` and \`Run\` is harder to scan, and
mixed case inside one keyword (\`EntryPoint\`) usually means a hand edit nobody reviewed. As in BuildKit's
ConsistentInstructionCasing, the expected case is the file's majority (upper case on a tie), and every keyword in
mixed case or in the minority case is flagged; FromAsCasing adds that \`AS\` in \`FROM image AS name\` is cased
like its \`FROM\`.

The fix rewrites the keyword (or \`as\`) in the expected case; nothing else changes.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nRun pip install --no-cache-dir flask==3.1.0\nCMD ["flask", "run"]\n',
      good: 'FROM python:3.13-slim-trixie\nRUN pip install --no-cache-dir flask==3.1.0\nCMD ["flask", "run"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie as build\nRUN pip wheel --no-cache-dir -w /wheels flask==3.1.0\n',
      good: 'FROM python:3.13-slim-trixie AS build\nRUN pip wheel --no-cache-dir -w /wheels flask==3.1.0\n',
    },
    {
      bad: 'from python:3.13-slim-trixie AS build\nrun pip wheel --no-cache-dir -w /wheels flask==3.1.0\nCMD ["python"]\n',
      good: 'from python:3.13-slim-trixie as build\nrun pip wheel --no-cache-dir -w /wheels flask==3.1.0\ncmd ["python"]\n',
    },
  ],
  check({ dockerfile: df, report }) {
    const known = df.instructions.filter((i) => i.known);
    let lower = 0;
    let upper = 0;
    for (const i of known) {
      const kw = df.text.slice(i.keywordSpan.start, i.keywordSpan.end);
      if (kw === kw.toLowerCase()) lower++;
      else if (kw === kw.toUpperCase()) upper++;
    }
    const majorityLower = lower > upper;
    for (const i of known) {
      const kw = df.text.slice(i.keywordSpan.start, i.keywordSpan.end);
      const want = majorityLower ? kw.toLowerCase() : kw.toUpperCase();
      const edits: Edit[] = [];
      let message: string | undefined;
      if (kw !== want) {
        edits.push({ start: i.keywordSpan.start, end: i.keywordSpan.end, text: want });
        message = `\`${kw}\` should be ${majorityLower ? 'lowercase' : 'uppercase'} like the other instructions: \`${want}\``;
      }
      if (message) {
        const edit = rewriteInstruction(df, i, edits);
        report({ span: i.keywordSpan, message, fix: edit ? { description: `write \`${want}\``, edits: [edit] } : undefined });
      }
    }
    // FromAsCasing: `as` follows its FROM (lowercase FROM → `as`, anything else → `AS`)
    for (const stage of df.stages) {
      const w = stage.from.words[1];
      if (!w || w.value.toLowerCase() !== 'as' || stage.from.words.length < 3) continue;
      const from = df.text.slice(stage.from.keywordSpan.start, stage.from.keywordSpan.end);
      const want = from === from.toLowerCase() ? 'as' : 'AS';
      if (w.raw === want) continue;
      const edit = df.text.slice(w.span.start, w.span.end) === w.raw ? rewriteInstruction(df, stage.from, [{ start: w.span.start, end: w.span.end, text: want }]) : undefined;
      report({
        span: w.span,
        message: `\`${w.raw}\` and \`${from}\` keywords' casing do not match: write \`${want}\``,
        fix: edit ? { description: `write \`${want}\``, edits: [edit] } : undefined,
      });
    }
  },
});
