// SARIF 2.1.0, the format GitHub code scanning and most IDE result viewers ingest.
import type { Severity } from '../lint/rule.js';
import { LineIndex } from './lines.js';
import { sortFindings, type ReportInput, type RuleMeta } from './types.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

/** The first Markdown paragraph, joined onto one line: SARIF viewers show fullDescription as a blurb. */
export function firstParagraph(markdown: string): string {
  const para = markdown.trim().split(/\r?\n[ \t]*\r?\n/)[0] ?? '';
  return para.split(/\r?\n/).map((l) => l.trim()).join(' ').trim();
}

/**
 * A display path as a URI reference: each segment percent-encoded so spaces, '#', '?' or a ':' in
 * the first segment cannot change its meaning. Absolute paths become file: URIs (no %SRCROOT% base).
 */
export function pathToUri(path: string): { uri: string; uriBaseId?: string } {
  const posix = path.replace(/\\/g, '/');
  const encode = (p: string) => p.split('/').map(encodeURIComponent).join('/');
  if (/^[A-Za-z]:\//.test(posix)) return { uri: `file:///${posix.slice(0, 2)}${encode(posix.slice(2))}` };
  if (posix.startsWith('/')) return { uri: `file://${encode(posix)}` };
  return { uri: encode(posix.replace(/^\.\//, '')), uriBaseId: '%SRCROOT%' };
}

function descriptor(rule: RuleMeta) {
  const full = firstParagraph(rule.why) || rule.title;
  return {
    id: rule.code,
    name: rule.name,
    shortDescription: { text: rule.title },
    fullDescription: { text: full },
    ...(rule.why.trim() ? { help: { text: rule.why.trim(), markdown: rule.why.trim() } } : {}),
    ...(rule.helpUri ? { helpUri: rule.helpUri } : {}),
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: { tags: [...new Set(rule.sources)] },
  };
}

export function formatSarif(input: ReportInput): string {
  const rules: object[] = [];
  const ruleIndex = new Map<string, number>();
  for (const rule of input.rules.values()) {
    ruleIndex.set(rule.code, rules.length);
    rules.push(descriptor(rule));
  }

  const results: object[] = [];
  for (const result of input.results) {
    const index = new LineIndex(result.text);
    for (const f of sortFindings(result.findings)) {
      // A finding from outside the registry (e.g. a parse problem) still needs a descriptor for ruleIndex.
      if (!ruleIndex.has(f.code)) {
        ruleIndex.set(f.code, rules.length);
        rules.push({ id: f.code, defaultConfiguration: { level: LEVEL[f.severity] } });
      }
      const location = pathToUri(f.file);
      const r = index.range(f.span);
      const out: Record<string, unknown> = {
        ruleId: f.code,
        ruleIndex: ruleIndex.get(f.code),
        level: LEVEL[f.severity],
        message: { text: f.message },
        locations: [
          {
            physicalLocation: {
              artifactLocation: location,
              region: { startLine: r.line, startColumn: r.column, endLine: r.endLine, endColumn: r.endColumn },
            },
          },
        ],
      };
      if (f.fix && f.fix.edits.length > 0) {
        out.fixes = [
          {
            description: { text: f.fix.description },
            artifactChanges: [
              {
                artifactLocation: location,
                replacements: [...f.fix.edits]
                  .sort((a, b) => a.start - b.start || a.end - b.end)
                  .map((e) => {
                    const d = index.range({ start: e.start, end: e.end });
                    return {
                      deletedRegion: { startLine: d.line, startColumn: d.column, endLine: d.endLine, endColumn: d.endColumn },
                      insertedContent: { text: e.text },
                    };
                  }),
              },
            ],
            properties: { safety: f.fix.safety },
          },
        ];
      }
      results.push(out);
    }
  }

  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'pyship',
            version: input.toolVersion,
            informationUri: 'https://github.com/pyship/pyship',
            rules,
          },
        },
        // Our columns count UTF-16 code units, which is what the offsets are.
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
