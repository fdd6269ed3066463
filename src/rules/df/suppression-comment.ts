// DF023: `# pyship:` comments must parse and be used (the engine hands over the unused ones once every rule has run).
import { defineRule } from '../../lint/rule.js';
import { parseSuppressions } from '../../lint/ignore.js';

export default defineRule({
  code: 'DF023',
  name: 'suppression-comment',
  title: 'Suppression comments must be valid and used',
  area: 'df',
  severity: 'info',
  scope: ['D'],
  sources: [],
  why: `A misspelt suppression (\`# pyship: ignroe=SEC001\`, \`# pyship ignore=…\` without the colon, codes separated by
spaces) silently suppresses nothing, and a suppression whose finding has gone away hides the next real finding on
that line. Like Ruff's RUF100, pyship reports both: malformed \`# pyship:\` comments here, and codes in a valid
suppression that suppressed nothing (reported by the engine under this code, since only it knows which findings were
suppressed).

hadolint's \`# hadolint ignore=DL3008\` comments are honoured for the rules that have a hadolint id but are never
reported as unused: they exist for hadolint too.`,
  examples: [
    {
      bad: '# pyship: ignroe=SEC001\nFROM python:3.13-slim-trixie\n',
      good: '# pyship: ignore=SEC001 -- runs as root under a rootless runtime\nFROM python:3.13-slim-trixie\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\n# pyship ignore=DF010\nMAINTAINER dev@example.com\n',
      good: 'FROM python:3.13-slim-trixie\n# pyship: ignore=DF010\nMAINTAINER dev@example.com\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\n# pyship: ignore=DF003 DF011\nRUN sudo apt install -y curl\n',
      good: 'FROM python:3.13-slim-trixie\n# pyship: ignore=DF003,DF011 -- vendor script, kept verbatim\nRUN sudo apt install -y curl\n',
    },
  ],
  check({ dockerfile: df, report }) {
    for (const p of parseSuppressions(df).problems) report({ span: p.span, message: p.message });
  },
  checkSuppressions({ facts: unused, report }) {
    for (const u of unused) report({ span: u.span, message: u.message });
  },
});
