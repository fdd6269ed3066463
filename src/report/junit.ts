// JUnit XML, for CI systems (GitLab, Jenkins, Azure) that only display test reports.
import { LineIndex } from './lines.js';
import { sortFindings, type ReportInput } from './types.js';

/** Characters XML 1.0 cannot carry at all, even as references (C0 controls, lone surrogates, U+FFFE/F). */
const ILLEGAL = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function xmlText(s: string): string {
  return s.replace(ILLEGAL, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Tabs and line breaks are encoded so attribute-value normalization does not turn them into spaces. */
export function xmlAttr(s: string): string {
  return xmlText(s)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

export function formatJunit(input: ReportInput): string {
  const cases: string[] = [];
  let failing = 0;
  for (const result of input.results) {
    const name = xmlAttr(result.file);
    const findings = sortFindings(result.findings);
    if (findings.length === 0) {
      cases.push(`  <testcase classname="${name}" name="${name}"/>`);
      continue;
    }
    failing++;
    const index = new LineIndex(result.text);
    const lines = [`  <testcase classname="${name}" name="${name}">`];
    for (const f of findings) {
      const p = index.position(f.span.start);
      const body = `${p.line}:${p.column} ${f.severity} ${f.code} ${f.message}`;
      lines.push(`    <failure type="${xmlAttr(f.code)}" message="${xmlAttr(f.message)}">${xmlText(body)}</failure>`);
    }
    lines.push('  </testcase>');
    cases.push(lines.join('\n'));
  }
  const head =
    `<testsuite name="pyship" tests="${input.results.length}" failures="${failing}" errors="0" skipped="0">`;
  const body = cases.length ? `${head}\n${cases.join('\n')}\n</testsuite>` : `${head}</testsuite>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${body}\n`;
}
