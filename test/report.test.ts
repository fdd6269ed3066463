// Report formats, checked on hand-built findings so each format's positions, escaping and shape are pinned down.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import type { Finding, Fix, Severity } from '../src/lint/rule.js';
import { formatGithub } from '../src/report/github.js';
import { FORMATS, formatReport } from '../src/report/index.js';
import { formatJson } from '../src/report/json.js';
import { formatJunit } from '../src/report/junit.js';
import { LineIndex } from '../src/report/lines.js';
import { firstParagraph, formatSarif, pathToUri } from '../src/report/sarif.js';
import { formatText } from '../src/report/text.js';
import type { ReportInput, RuleMeta } from '../src/report/types.js';
import type { FileResult } from '../src/lint/results.js';

const ANSI = /\x1b\[/;

/** A finding whose span is the `nth` occurrence of `needle` in `text` (through `through`, if given). */
function at(
  text: string,
  needle: string,
  o: { code?: string; severity?: Severity; file?: string; message?: string; fix?: Fix | null; through?: string; nth?: number } = {},
): Finding {
  let start = -1;
  for (let i = 0; i <= (o.nth ?? 0); i++) start = text.indexOf(needle, start + 1);
  if (start < 0) throw new Error(`${needle} not in text`);
  const end = o.through ? text.indexOf(o.through, start) + o.through.length : start + needle.length;
  return {
    code: o.code ?? 'DF001',
    severity: o.severity ?? 'warning',
    file: o.file ?? 'Dockerfile',
    span: { start, end },
    message: o.message ?? `about ${needle}`,
    fix: o.fix ?? null,
  };
}

function rule(code: string, severity: Severity, extra: Partial<RuleMeta> = {}): RuleMeta {
  return {
    code,
    name: `rule-${code.toLowerCase()}`,
    title: `Title of ${code}`,
    severity,
    why: `First paragraph of ${code},\nstill the first.\n\nSecond paragraph.`,
    sources: [`hadolint:DL${code.slice(-4)}`],
    helpUri: `https://pyship.dev/rules/${code}`,
    ...extra,
  };
}

const RULES: ReadonlyMap<string, RuleMeta> = new Map(
  [rule('DF001', 'warning'), rule('SEC001', 'error', { fix: 'safe' }), rule('OPS002', 'info'), rule('DF003', 'warning')].map(
    (r) => [r.code, r],
  ),
);

function input(results: FileResult[]): ReportInput {
  return { results, rules: RULES, toolVersion: '0.1.0' };
}

// LF file with a trailing-space line.
const LF = 'FROM python:3.12\nRUN apt-get install -y curl   \nUSER app\n';
// CRLF file with a tab.
const CRLF = 'FROM alpine:3.20\r\nRUN\tapk add curl\r\nUSER root\r\n';
// Non-ASCII: precomposed ë (1 unit), CJK (1 unit, 2 cells each), an emoji (2 units, 2 cells).
const WIDE = 'FROM scratch\nLABEL a="Zoë 日本" b=1\nENV X="🐍" Y=2\n';
// A five-line continuation for multi-line spans.
const MULTI = 'FROM debian\nRUN apt-get update && \\\n    apt-get install -y \\\n      curl \\\n      git \\\n      vim\n';

/** Where the carets start and how many there are, relative to the code text of the frame line above. */
function caretsUnder(out: string, codeLine: string): { offset: number; length: number; codeOffset: number } {
  const lines = out.split('\n');
  const i = lines.findIndex((l) => l.endsWith(codeLine));
  expect(i, `frame line ${JSON.stringify(codeLine)} in:\n${out}`).toBeGreaterThanOrEqual(0);
  const code = lines[i]!;
  const under = lines[i + 1]!;
  const bar = code.indexOf('|');
  expect(under.indexOf('|')).toBe(bar);
  const codeStart = bar + 2;
  const caret = under.indexOf('^');
  const m = /\^+/.exec(under)!;
  return { offset: caret - codeStart, length: m[0].length, codeOffset: codeStart };
}

describe('LineIndex', () => {
  it('maps offsets to 1-based line/column across \\n and \\r\\n', () => {
    const idx = new LineIndex('a\nbc\r\nd');
    expect(idx.lineCount).toBe(3);
    expect(idx.position(0)).toEqual({ line: 1, column: 1 });
    expect(idx.position(1)).toEqual({ line: 1, column: 2 }); // the \n itself: end of line 1
    expect(idx.position(2)).toEqual({ line: 2, column: 1 });
    expect(idx.position(4)).toEqual({ line: 2, column: 3 }); // the \r: end of line 2
    expect(idx.position(5)).toEqual({ line: 2, column: 3 }); // inside \r\n: still the line end
    expect(idx.position(6)).toEqual({ line: 3, column: 1 });
    expect(idx.position(7)).toEqual({ line: 3, column: 2 });
    expect(idx.position(99)).toEqual({ line: 3, column: 2 });
    expect(idx.position(-1)).toEqual({ line: 1, column: 1 });
    expect([1, 2, 3].map((l) => idx.lineText(l))).toEqual(['a', 'bc', 'd']);
  });

  it('handles empty text, a trailing newline and a BOM', () => {
    expect(new LineIndex('').position(0)).toEqual({ line: 1, column: 1 });
    const t = new LineIndex('x\n');
    expect(t.lineCount).toBe(2);
    expect(t.position(2)).toEqual({ line: 2, column: 1 });
    expect(t.lineText(2)).toBe('');
    const bom = new LineIndex('\uFEFFFROM x\nRUN y');
    expect(bom.position(1)).toEqual({ line: 1, column: 1 });
    expect(bom.position(5)).toEqual({ line: 1, column: 5 });
    expect(bom.lineText(1)).toBe('FROM x');
    expect(bom.position(8)).toEqual({ line: 2, column: 1 });
  });

  it('counts UTF-16 units, tabs as one', () => {
    const idx = new LineIndex(CRLF);
    expect(idx.position(CRLF.indexOf('apk'))).toEqual({ line: 2, column: 5 });
    const w = new LineIndex(WIDE);
    expect(w.position(WIDE.indexOf('b=1'))).toEqual({ line: 2, column: 'LABEL a="Zoë 日本" '.length + 1 });
    expect(w.position(WIDE.indexOf('Y=2'))).toEqual({ line: 3, column: 12 }); // 🐍 counts 2
  });

  it('agrees with a naive scan on generated text', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed);
    const alphabet = ['a', 'b', ' ', '\t', '\n', '\r\n', 'é', '🐍'];
    let text = '';
    for (let i = 0; i < 400; i++) text += alphabet[rnd() % alphabet.length];
    const idx = new LineIndex(text);
    let line = 1;
    let lineStart = 0;
    for (let off = 0; off <= text.length; off++) {
      if (off > 0 && text[off - 1] === '\n') {
        line++;
        lineStart = off;
      }
      const inCrlf = text[off - 1] === '\r' && text[off] === '\n';
      const col = off - lineStart + 1 - (inCrlf ? 1 : 0);
      expect(idx.position(off)).toEqual({ line, column: col });
    }
  });

  it('ranges: exact end for machines, a line-end end for display', () => {
    const idx = new LineIndex(LF);
    const line2 = { start: LF.indexOf('RUN'), end: LF.indexOf('USER') };
    expect(idx.range(line2)).toEqual({ line: 2, column: 1, endLine: 3, endColumn: 1 });
    expect(idx.displayRange(line2)).toEqual({ line: 2, column: 1, endLine: 2, endColumn: 31 });
  });
});

describe('json', () => {
  it('has exactly the documented shape', () => {
    const fix: Fix = { safety: 'safe', description: 'do it', edits: [{ start: 0, end: 0, text: 'x' }] };
    const out = formatJson(
      input([
        {
          file: 'Dockerfile',
          text: CRLF,
          findings: [
            at(CRLF, 'USER root', { code: 'SEC001', severity: 'error', message: 'root' }),
            at(CRLF, 'apk', { code: 'DF001', fix }),
          ],
        },
        { file: 'clean/Dockerfile', text: LF, findings: [] },
      ]),
    );
    expect(out.endsWith('}\n')).toBe(true);
    expect(out).toContain('\n  "version": 1,\n'); // pretty-printed with 2 spaces
    const parsed = JSON.parse(out);
    expect(parsed).toEqual({
      version: 1,
      findings: [
        {
          code: 'DF001',
          severity: 'warning',
          file: 'Dockerfile',
          line: 2,
          column: 5,
          endLine: 2,
          endColumn: 8,
          message: 'about apk',
          fix: 'safe',
        },
        {
          code: 'SEC001',
          severity: 'error',
          file: 'Dockerfile',
          line: 3,
          column: 1,
          endLine: 3,
          endColumn: 10,
          message: 'root',
          fix: null,
        },
      ],
      summary: { files: 2, errors: 1, warnings: 1, infos: 0 },
    });
    expect(Object.keys(parsed)).toEqual(['version', 'findings', 'summary']);
    expect(Object.keys(parsed.findings[0])).toEqual([
      'code', 'severity', 'file', 'line', 'column', 'endLine', 'endColumn', 'message', 'fix',
    ]);
    expect(Object.keys(parsed.summary)).toEqual(['files', 'errors', 'warnings', 'infos']);
  });

  it('reports a multi-line span with its exact end, and no findings as an empty list', () => {
    const f = at(MULTI, 'apt-get update', { through: 'vim' });
    const parsed = JSON.parse(formatJson(input([{ file: 'Dockerfile', text: MULTI, findings: [f] }])));
    expect(parsed.findings[0]).toMatchObject({ line: 2, column: 5, endLine: 6, endColumn: 10 });
    expect(JSON.parse(formatJson(input([])))).toEqual({
      version: 1,
      findings: [],
      summary: { files: 0, errors: 0, warnings: 0, infos: 0 },
    });
  });
});

describe('github', () => {
  it('prints one workflow command per finding with GitHub escaping', () => {
    const text = 'FROM x\nRUN echo hi\n';
    const out = formatGithub(
      input([
        {
          file: 'dir,a/Docker:file',
          text,
          findings: [
            at(text, 'echo', { code: 'OPS002', severity: 'info', file: 'dir,a/Docker:file', message: '100% bad\r\nnext: a, b' }),
            at(text, 'FROM', { code: 'SEC001', severity: 'error', file: 'dir,a/Docker:file', message: 'm' }),
            at(text, 'x', { code: 'DF001', severity: 'warning', file: 'dir,a/Docker:file', message: 'w' }),
          ],
        },
      ]),
    );
    expect(out).toBe(
      '::error file=dir%2Ca/Docker%3Afile,line=1,col=1,endLine=1,endColumn=5,title=SEC001::m\n' +
        '::warning file=dir%2Ca/Docker%3Afile,line=1,col=6,endLine=1,endColumn=7,title=DF001::w\n' +
        '::notice file=dir%2Ca/Docker%3Afile,line=2,col=5,endLine=2,endColumn=9,title=OPS002::100%25 bad%0D%0Anext: a, b\n',
    );
  });

  it('percent-encodes control characters, so a file name with an ESC sequence cannot drive the job log', () => {
    const text = 'FROM x\n';
    const file = 'Dockerfile.\x1b[2J\x07\t';
    const out = formatGithub(input([{ file, text, findings: [at(text, 'FROM', { code: 'SEC001', severity: 'error', file, message: 'a \x1b]0;t\x07 b' })] }]));
    expect(out).toBe('::error file=Dockerfile.%1B[2J%07%09,line=1,col=1,endLine=1,endColumn=5,title=SEC001::a %1B]0;t%07 b\n');
  });

  it('drops columns on multi-line annotations (GitHub rejects them)', () => {
    const f = at(MULTI, 'apt-get update', { through: 'vim' });
    expect(formatGithub(input([{ file: 'Dockerfile', text: MULTI, findings: [f] }]))).toBe(
      '::warning file=Dockerfile,line=2,endLine=6,title=DF001::about apt-get update\n',
    );
    expect(formatGithub(input([{ file: 'Dockerfile', text: MULTI, findings: [] }]))).toBe('');
  });
});

/** A minimal XML 1.0 well-formedness check: balanced tags, quoted attributes, only known entities. */
function checkXml(xml: string): { root: string; attrs: Array<Record<string, string>>; texts: string[] } {
  const decl = '<?xml version="1.0" encoding="UTF-8"?>\n';
  expect(xml.startsWith(decl)).toBe(true);
  expect(xml).not.toMatch(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u);
  const badEntity = /&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);)/;
  const decode = (s: string) =>
    s.replace(/&(amp|lt|gt|quot|apos|#[0-9]+);/g, (_, e: string) =>
      e.startsWith('#') ? String.fromCodePoint(Number(e.slice(1))) : ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[e]!,
    );
  const body = xml.slice(decl.length);
  const token = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<]*")*)\s*(\/?)>|([^<]+)/y;
  const stack: string[] = [];
  const attrs: Array<Record<string, string>> = [];
  const texts: string[] = [];
  let root = '';
  let roots = 0;
  let pos = 0;
  while (pos < body.length) {
    token.lastIndex = pos;
    const m = token.exec(body);
    if (!m) throw new Error(`not well-formed at ${pos}: ${body.slice(pos, pos + 40)}`);
    pos = token.lastIndex;
    if (m[5] !== undefined) {
      expect(m[5]).not.toMatch(badEntity);
      if (stack.length === 0) expect(m[5].trim()).toBe('');
      else texts.push(decode(m[5]));
      continue;
    }
    const [, close, name, rawAttrs, selfClose] = m;
    if (close) {
      expect(stack.pop()).toBe(name);
      continue;
    }
    if (stack.length === 0) {
      roots++;
      root = name!;
    }
    const a: Record<string, string> = {};
    for (const am of rawAttrs!.matchAll(/([A-Za-z_][\w.-]*)="([^"]*)"/g)) {
      expect(am[2]).not.toMatch(badEntity);
      expect(a[am[1]!]).toBeUndefined();
      a[am[1]!] = decode(am[2]!);
    }
    attrs.push({ '': name!, ...a });
    if (!selfClose) stack.push(name!);
  }
  expect(stack).toEqual([]);
  expect(roots).toBe(1);
  return { root, attrs, texts };
}

describe('junit', () => {
  it('is well-formed XML with escaped, cleaned content', () => {
    const nasty = 'bad <tag> & "quotes" \'apos\'\ttab\nline \u0001ctl \uFFFE end';
    const file = 'a&b/<Dockerfile>';
    const out = formatJunit(
      input([
        { file, text: LF, findings: [at(LF, 'curl', { file, message: nasty }), at(LF, 'FROM', { file, code: 'SEC001', severity: 'error' })] },
        { file: 'ok/Dockerfile', text: LF, findings: [] },
      ]),
    );
    const { root, attrs, texts } = checkXml(out);
    expect(root).toBe('testsuite');
    expect(attrs[0]).toMatchObject({ '': 'testsuite', name: 'pyship', tests: '2', failures: '1' });
    const cases = attrs.filter((a) => a[''] === 'testcase');
    expect(cases).toEqual([
      { '': 'testcase', classname: file, name: file },
      { '': 'testcase', classname: 'ok/Dockerfile', name: 'ok/Dockerfile' },
    ]);
    const failures = attrs.filter((a) => a[''] === 'failure');
    const cleaned = nasty.replace('\u0001', '').replace('\uFFFE', '');
    expect(failures).toEqual([
      { '': 'failure', type: 'SEC001', message: 'about FROM' },
      { '': 'failure', type: 'DF001', message: cleaned },
    ]);
    expect(texts.filter((t) => t.trim())).toEqual(['1:1 error SEC001 about FROM', `2:24 warning DF001 ${cleaned}`]);
    expect(out).toContain('<testcase classname="ok/Dockerfile" name="ok/Dockerfile"/>');
  });

  it('is well-formed with no files at all', () => {
    expect(checkXml(formatJunit(input([]))).attrs[0]).toMatchObject({ tests: '0', failures: '0' });
  });
});

describe('text', () => {
  const noTrailingSpace = (out: string) => expect(out).not.toMatch(/[ \t]+$/m);

  it('groups by file, sorts by offset, frames the span and summarizes', () => {
    const safe: Fix = { safety: 'safe', description: 'd', edits: [] };
    const unsafe: Fix = { safety: 'unsafe', description: 'd', edits: [] };
    const out = formatText(
      input([
        {
          file: 'Dockerfile',
          text: LF,
          findings: [
            at(LF, 'USER app', { code: 'SEC001', severity: 'error', message: 'user' }),
            at(LF, 'apt-get install', { code: 'DF001', message: 'apt', fix: safe }),
          ],
        },
        { file: 'empty/Dockerfile', text: 'FROM x\n', findings: [] },
        {
          file: 'win/Dockerfile',
          text: CRLF,
          findings: [
            at(CRLF, 'apk', { code: 'OPS002', severity: 'info', file: 'win/Dockerfile', message: 'apk', fix: unsafe }),
            at(CRLF, 'FROM', { code: 'SEC001', severity: 'error', file: 'win/Dockerfile', message: 'from', fix: safe }),
          ],
        },
      ]),
      { color: false },
    );
    expect(out).not.toMatch(ANSI);
    noTrailingSpace(out);
    expect(out).toBe(
      [
        'Dockerfile',
        'Dockerfile:2:5  warning  DF001  apt',
        '2 | RUN apt-get install -y curl',
        '  |     ^^^^^^^^^^^^^^^',
        '  fix available (safe)',
        '',
        'Dockerfile:3:1  error  SEC001  user',
        '3 | USER app',
        '  | ^^^^^^^^',
        '',
        'win/Dockerfile',
        'win/Dockerfile:1:1  error  SEC001  from',
        '1 | FROM alpine:3.20',
        '  | ^^^^',
        '  fix available (safe)',
        '',
        'win/Dockerfile:2:5  info  OPS002  apk',
        '2 | RUN    apk add curl',
        '  |        ^^^',
        '  fix available (unsafe, use --unsafe-fixes)',
        '',
        '2 errors, 1 warning, 1 info in 3 files (2 fixable with --fix, 1 more with --fix --unsafe-fixes)',
        '',
      ].join('\n'),
    );
  });

  it('puts carets under the right cells with non-ASCII and wide characters', () => {
    const out = formatText(
      input([{ file: 'Dockerfile', text: WIDE, findings: [at(WIDE, 'b=1'), at(WIDE, 'Y=2'), at(WIDE, '日本')] }]),
      { color: false },
    );
    expect(out).toContain('Dockerfile:2:18  warning  DF001  about b=1');
    expect(out).toContain('Dockerfile:3:12  warning  DF001  about Y=2');
    const b = caretsUnder(out.split('about b=1')[1]!, 'LABEL a="Zoë 日本" b=1');
    // "LABEL a=\"Zoë " is 13 cells, 日本 is 4 cells, then "\" " is 2.
    expect(b).toMatchObject({ offset: 19, length: 3 });
    const jp = caretsUnder(out.split('about 日本')[1]!, 'LABEL a="Zoë 日本" b=1');
    expect(jp).toMatchObject({ offset: 13, length: 4 });
    const y = caretsUnder(out.split('about Y=2')[1]!, 'ENV X="🐍" Y=2');
    expect(y).toMatchObject({ offset: 11, length: 3 });
  });

  it('shows at most three lines of a multi-line span', () => {
    const f = at(MULTI, 'apt-get update', { through: 'vim' });
    const out = formatText(input([{ file: 'Dockerfile', text: MULTI, findings: [f] }]), { color: false });
    noTrailingSpace(out);
    expect(out).toContain(
      [
        'Dockerfile:2:5  warning  DF001  about apt-get update',
        '2 | RUN apt-get update && \\',
        '  |     ^^^^^^^^^^^^^^^^^^^',
        '3 |     apt-get install -y \\',
        '  |     ^^^^^^^^^^^^^^^^^^^^',
        '4 |       curl \\',
        '  |       ^^^^^^',
        '  | ...',
      ].join('\n'),
    );
    expect(out).not.toContain('5 |');
  });

  it('widens the gutter for two-digit line numbers and marks empty spans with one caret', () => {
    const text = 'FROM x\n'.repeat(9) + 'RUN a\n' + 'RUN b\n';
    const end = text.length - 1;
    const out = formatText(
      input([
        {
          file: 'Dockerfile',
          text,
          findings: [{ code: 'DF003', severity: 'warning', file: 'Dockerfile', span: { start: end, end }, message: 'eol' }].map(
            (f) => ({ ...f, fix: null }),
          ),
        },
      ]),
      { color: false },
    );
    expect(out).toContain('Dockerfile:11:6  warning  DF003  eol\n11 | RUN b\n   |      ^\n');
  });

  it('never passes control characters from the file to the terminal', () => {
    const text = 'FROM x\nRUN echo "\x1b[31mred\x1b[0m"\n';
    const out = formatText(input([{ file: 'Dockerfile', text, findings: [at(text, 'red', { message: 'has \x1b[2J' })] }]), {
      color: false,
    });
    expect(out).not.toContain('\x1b');
    expect(out).toContain('RUN echo "\u241b[31mred\u241b[0m"');
  });

  it('colours only when asked', () => {
    const res = input([{ file: 'Dockerfile', text: LF, findings: [at(LF, 'curl', { severity: 'error' })] }]);
    expect(formatText(res, { color: true })).toMatch(ANSI);
    expect(formatText(res, { color: false })).not.toMatch(ANSI);
  });

  it('says so when there is nothing to report', () => {
    expect(formatText(input([{ file: 'Dockerfile', text: LF, findings: [] }]), { color: false })).toBe(
      'No problems found in 1 file.\n',
    );
    const three = [1, 2, 3].map((i) => ({ file: `d${i}/Dockerfile`, text: LF, findings: [] }));
    expect(formatText(input(three), { color: false })).toBe('No problems found in 3 files.\n');
  });
});

describe('sarif', () => {
  const schema = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'sarif-schema-2.1.0.json'), 'utf8'));
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat('uri', (s: string) => URL.canParse(s));
  ajv.addFormat('uri-reference', (s: string) => !/[\s\\]/.test(s) && URL.canParse(s, 'file:///root/'));
  ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)));
  const validate = ajv.compile(schema);

  const fix: Fix = {
    safety: 'safe',
    description: 'add --no-cache',
    edits: [
      { start: CRLF.indexOf('apk add') + 'apk add'.length, end: CRLF.indexOf('apk add') + 'apk add'.length, text: ' --no-cache' },
      { start: CRLF.indexOf('root'), end: CRLF.indexOf('root') + 4, text: 'app' },
    ],
  };
  const sample = input([
    {
      file: 'my app/Dockerfile',
      text: CRLF,
      findings: [
        at(CRLF, 'USER root', { code: 'SEC001', severity: 'error', file: 'my app/Dockerfile', message: 'root user', fix }),
        at(CRLF, 'apk', { code: 'OPS002', severity: 'info', file: 'my app/Dockerfile' }),
        at(CRLF, 'FROM', { code: 'PARSE', severity: 'warning', file: 'my app/Dockerfile', message: 'not a rule' }),
      ],
    },
    {
      file: 'Dockerfile',
      text: MULTI,
      findings: [at(MULTI, 'apt-get update', { through: 'vim', file: 'Dockerfile' })],
    },
  ]);

  it('uses the official OASIS SARIF 2.1.0 schema', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.title).toBe('Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema');
    expect(Object.keys(schema.definitions)).toHaveLength(52);
  });

  it('validates against the schema', () => {
    const log = JSON.parse(formatSarif(sample));
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(validate(JSON.parse(formatSarif(input([])))), JSON.stringify(validate.errors)).toBe(true);
  });

  it('is rejected by the schema when broken, so the validation means something', () => {
    const log = JSON.parse(formatSarif(sample));
    log.runs[0].results[0].level = 'info';
    expect(validate(log)).toBe(false);
    const log2 = JSON.parse(formatSarif(sample));
    log2.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0;
    expect(validate(log2)).toBe(false);
  });

  it('describes the tool, every rule and each result', () => {
    const out = formatSarif(sample);
    expect(out.endsWith('}\n')).toBe(true);
    const log = JSON.parse(out);
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const driver = log.runs[0].tool.driver;
    expect(driver).toMatchObject({ name: 'pyship', version: '0.1.0', informationUri: 'https://github.com/pyship/pyship' });
    expect(driver.rules.map((r: { id: string }) => r.id)).toEqual(['DF001', 'SEC001', 'OPS002', 'DF003', 'PARSE']);
    expect(driver.rules[1]).toMatchObject({
      id: 'SEC001',
      name: 'rule-sec001',
      shortDescription: { text: 'Title of SEC001' },
      fullDescription: { text: 'First paragraph of SEC001, still the first.' },
      helpUri: 'https://pyship.dev/rules/SEC001',
      defaultConfiguration: { level: 'error' },
      properties: { tags: ['hadolint:DLC001'] },
    });
    expect(driver.rules[2].defaultConfiguration.level).toBe('note');

    const results = log.runs[0].results;
    expect(results.map((r: { ruleId: string; ruleIndex: number; level: string }) => [r.ruleId, r.ruleIndex, r.level])).toEqual([
      ['PARSE', 4, 'warning'],
      ['OPS002', 2, 'note'],
      ['SEC001', 1, 'error'],
      ['DF001', 0, 'warning'],
    ]);
    const sec = results[2];
    expect(sec.message).toEqual({ text: 'root user' });
    expect(sec.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'my%20app/Dockerfile', uriBaseId: '%SRCROOT%' },
      region: { startLine: 3, startColumn: 1, endLine: 3, endColumn: 10 },
    });
    expect(sec.fixes).toEqual([
      {
        description: { text: 'add --no-cache' },
        artifactChanges: [
          {
            artifactLocation: { uri: 'my%20app/Dockerfile', uriBaseId: '%SRCROOT%' },
            replacements: [
              { deletedRegion: { startLine: 2, startColumn: 12, endLine: 2, endColumn: 12 }, insertedContent: { text: ' --no-cache' } },
              { deletedRegion: { startLine: 3, startColumn: 6, endLine: 3, endColumn: 10 }, insertedContent: { text: 'app' } },
            ],
          },
        ],
        properties: { safety: 'safe' },
      },
    ]);
    expect(results[1].fixes).toBeUndefined();
    expect(results[3].locations[0].physicalLocation.region).toEqual({ startLine: 2, startColumn: 5, endLine: 6, endColumn: 10 });
  });

  it('turns paths into URI references', () => {
    expect(pathToUri('Dockerfile')).toEqual({ uri: 'Dockerfile', uriBaseId: '%SRCROOT%' });
    expect(pathToUri('./a b/c#d?.txt')).toEqual({ uri: 'a%20b/c%23d%3F.txt', uriBaseId: '%SRCROOT%' });
    expect(pathToUri('/abs/Dockerfile')).toEqual({ uri: 'file:///abs/Dockerfile' });
    expect(pathToUri('C:\\x\\Dockerfile')).toEqual({ uri: 'file:///C:/x/Dockerfile' });
    expect(firstParagraph('  One\nline.\r\n\r\nTwo.')).toBe('One line.');
  });
});

describe('formatReport', () => {
  it('dispatches every format', () => {
    const res = input([{ file: 'Dockerfile', text: LF, findings: [at(LF, 'curl')] }]);
    expect(FORMATS).toEqual(['text', 'json', 'sarif', 'github', 'junit']);
    expect(formatReport('text', res, { color: false })).toBe(formatText(res, { color: false }));
    expect(formatReport('json', res, { color: true })).toBe(formatJson(res));
    expect(formatReport('sarif', res, { color: true })).toBe(formatSarif(res));
    expect(formatReport('github', res, { color: true })).toBe(formatGithub(res));
    expect(formatReport('junit', res, { color: true })).toBe(formatJunit(res));
    for (const f of FORMATS.filter((f) => f !== 'text')) expect(formatReport(f, res, { color: true })).not.toMatch(ANSI);
  });
});

describe('text format: findings without a source text (image and runtime)', () => {
  it('prints no empty code frame', () => {
    const finding: Finding = { code: 'OPS005', severity: 'warning', file: 'app:1.0', span: { start: 0, end: 0 }, message: 'docker stop took 10.2 s (> 5 s)', fix: null };
    const out = formatText({ results: [{ file: 'app:1.0', text: '', findings: [finding] }], rules: new Map(), toolVersion: '0' }, { color: false });
    expect(out).toMatch(/app:1\.0:1:1 {2}warning {2}OPS005 {2}docker stop took 10\.2 s/);
    expect(out).not.toMatch(/^\s*1 \|/m);
    expect(out).not.toMatch(/\^/);
  });
});
