// Suppression comments, tested on hand-built Dockerfile-shaped objects (independent of the real parser).
import { describe, expect, it } from 'vitest';
import type { Dockerfile, Span } from '../src/dockerfile/model.js';
import { applySuppressions, parseSuppressions, unusedSuppressions } from '../src/lint/ignore.js';
import type { Finding } from '../src/lint/rule.js';

interface MiniInstruction {
  keyword: string;
  stage: number;
  span: Span;
}

/**
 * Just enough of a Dockerfile for ignore.ts: one instruction per line (a trailing "\" continues it), '#' lines are
 * comments. Spans end at the end of the last line, newline excluded, as the real parser documents.
 */
function dockerfile(text: string): { df: Dockerfile; inst: MiniInstruction[] } {
  const comments: { text: string; span: Span; inContinuation: boolean }[] = [];
  const inst: MiniInstruction[] = [];
  const stages: { index: number; from: { span: Span } }[] = [];
  let offset = 0;
  let open: MiniInstruction | undefined;
  for (const line of text.split('\n')) {
    const start = offset;
    const end = offset + line.length;
    offset = end + 1;
    const trimmed = line.trim();
    if (trimmed.startsWith('#')) {
      const hash = start + line.indexOf('#');
      comments.push({ text: trimmed.slice(1).trim(), span: { start: hash, end }, inContinuation: open !== undefined });
      continue;
    }
    if (trimmed === '' && open === undefined) continue;
    if (open === undefined) {
      const keyword = trimmed.split(/\s+/)[0]!.toUpperCase();
      if (keyword === 'FROM') stages.push({ index: stages.length, from: { span: { start: start + line.indexOf('F'), end } } });
      open = { keyword, stage: stages.length - 1, span: { start: start + line.length - line.trimStart().length, end } };
      inst.push(open);
      if (keyword === 'FROM') stages[stages.length - 1]!.from.span = open.span;
    }
    open.span = { start: open.span.start, end };
    if (!trimmed.endsWith('\\')) open = undefined;
  }
  return { df: { text, comments, instructions: inst, stages } as unknown as Dockerfile, inst };
}

function finding(code: string, span: Span): Finding {
  return { code, severity: 'warning', file: 'Dockerfile', span, message: code, fix: null };
}

/** A finding at the start of the n-th instruction. */
function at(inst: MiniInstruction[], n: number, code: string): Finding {
  return finding(code, { start: inst[n]!.span.start, end: inst[n]!.span.start + 1 });
}

function codesOf(findings: Finding[]): string[] {
  return findings.map((f) => `${f.code}@${f.span.start}`);
}

const KNOWN = new Set(['SEC001', 'SEC002', 'DF003', 'DF010', 'CI001']);

describe('parseSuppressions: next instruction', () => {
  it('covers the instruction right below', () => {
    const { df, inst } = dockerfile('FROM python:3.12\n# pyship: ignore=SEC001\nRUN curl x | sh\nRUN curl y | sh\n');
    const { suppressions, problems } = parseSuppressions(df);
    expect(problems).toEqual([]);
    expect(suppressions).toHaveLength(1);
    expect(suppressions[0]).toMatchObject({ codes: ['SEC001'], kind: 'next', target: inst[1]!.span });
    const kept = applySuppressions([at(inst, 1, 'SEC001'), at(inst, 1, 'SEC002'), at(inst, 2, 'SEC001')], suppressions);
    expect(codesOf(kept)).toEqual([`SEC002@${inst[1]!.span.start}`, `SEC001@${inst[2]!.span.start}`]);
    expect([...suppressions[0]!.used]).toEqual(['SEC001']);
  });

  it('skips blank lines and other comments, and works from inside a comment block', () => {
    const { df, inst } = dockerfile(
      'FROM python:3.12\n# pyship: ignore=SEC001\n\n# install the tool\n\n# pyship: ignore=DF003\n# more words\nRUN curl x | sh\n',
    );
    const { suppressions } = parseSuppressions(df);
    expect(suppressions.map((s) => s.target)).toEqual([inst[1]!.span, inst[1]!.span]);
    const f = finding('SEC001', { start: inst[1]!.span.start + 4, end: inst[1]!.span.end });
    expect(applySuppressions([f, at(inst, 1, 'DF003')], suppressions)).toEqual([]);
  });

  it('covers findings anywhere in a multi-line instruction, not the next one', () => {
    const { df, inst } = dockerfile('FROM x\n# pyship: ignore=SEC001\nRUN a && \\\n    curl x | sh\nRUN b\n');
    const { suppressions } = parseSuppressions(df);
    const inside = finding('SEC001', { start: df.text.indexOf('curl'), end: df.text.indexOf('curl') + 4 });
    expect(applySuppressions([inside, at(inst, 2, 'SEC001')], suppressions)).toEqual([at(inst, 2, 'SEC001')]);
  });

  it('inside a continuation means the enclosing instruction', () => {
    const { df, inst } = dockerfile('FROM x\nRUN a && \\\n    # pyship: ignore=SEC001\n    curl x | sh\nRUN b\n');
    const { suppressions } = parseSuppressions(df);
    expect(suppressions[0]!.target).toEqual(inst[1]!.span);
  });

  it('is whitespace- and case-tolerant, dedupes and upper-cases codes', () => {
    const { df } = dockerfile('#pyship:ignore=sec001,DF003\n#   PySHIP :  Ignore = SEC001 , df003,\nFROM x\n');
    const { suppressions, problems } = parseSuppressions(df);
    expect(problems).toEqual([]);
    expect(suppressions.map((s) => s.codes)).toEqual([['SEC001', 'DF003'], ['SEC001', 'DF003']]);
  });

  it('keeps the reason after --', () => {
    const { df } = dockerfile('# pyship: ignore=SEC001,DF003 -- vendor installer, pinned by checksum\nFROM x\n');
    const [s] = parseSuppressions(df).suppressions;
    expect(s).toMatchObject({ codes: ['SEC001', 'DF003'], reason: 'vendor installer, pinned by checksum' });
  });

  it('records exact spans for each code', () => {
    const text = '# pyship: ignore=SEC001, DF003\nFROM x\n';
    const { df } = dockerfile(text);
    const [s] = parseSuppressions(df).suppressions;
    expect(s!.codeSpans!.map((sp) => text.slice(sp.start, sp.end))).toEqual(['SEC001', 'DF003']);
  });

  it('ignores comments that only mention pyship', () => {
    const { df } = dockerfile('# pyship builds this image\n# see pyship docs: ignore=foo\nFROM x\n');
    expect(parseSuppressions(df)).toEqual({ suppressions: [], problems: [] });
  });
});

describe('parseSuppressions: file and stage', () => {
  it('ignore-file covers the whole file', () => {
    const { df, inst } = dockerfile('FROM a\nRUN x\n# pyship: ignore-file=DF003\nFROM b\nRUN y\n');
    const { suppressions } = parseSuppressions(df);
    expect(suppressions[0]!.kind).toBe('file');
    expect(applySuppressions([at(inst, 1, 'DF003'), at(inst, 3, 'DF003'), at(inst, 3, 'SEC001')], suppressions)).toEqual([
      at(inst, 3, 'SEC001'),
    ]);
  });

  it('ignore-stage covers the stage the next FROM starts, up to the next FROM', () => {
    const { df, inst } = dockerfile(
      'FROM a AS build\nRUN x\n\n# pyship: ignore-stage=SEC001\nFROM b AS test\nRUN y\nRUN z\nFROM c\nRUN w\n',
    );
    const { suppressions } = parseSuppressions(df);
    expect(suppressions[0]).toMatchObject({ kind: 'stage', target: { start: inst[2]!.span.start, end: inst[5]!.span.start } });
    const findings = [0, 1, 2, 3, 4, 5, 6].map((n) => at(inst, n, 'SEC001'));
    expect(applySuppressions(findings, suppressions)).toEqual([findings[0], findings[1], findings[5], findings[6]]);
  });

  it('ignore-stage in the last stage runs to the end of the file', () => {
    const { df } = dockerfile('FROM a\n# pyship: ignore-stage=SEC001\nFROM b\nRUN y\n');
    expect(parseSuppressions(df).suppressions[0]!.target).toEqual({ start: df.text.indexOf('FROM b'), end: df.text.length });
  });

  it('ALL suppresses every code', () => {
    const { df, inst } = dockerfile('FROM a\n# pyship: ignore=ALL\nRUN x\nRUN y\n');
    const { suppressions } = parseSuppressions(df);
    const kept = applySuppressions([at(inst, 1, 'SEC001'), at(inst, 1, 'DF010'), at(inst, 2, 'DF010')], suppressions);
    expect(kept).toEqual([at(inst, 2, 'DF010')]);
    expect([...suppressions[0]!.used]).toEqual(['ALL']);
  });
});

describe('parseSuppressions: malformed', () => {
  const problemsOf = (line: string) => parseSuppressions(dockerfile(`${line}\nFROM x\n`).df);

  it.each([
    ['# pyship: ignore', /expected `ignore=CODE/],
    ['# pyship: ignore SEC001', /expected `ignore=CODE/],
    ['# pyship: ignore=', /names no codes/],
    ['# pyship: ignore= , -- why', /names no codes/],
    ['# pyship: ignroe=SEC001', /unknown pyship directive `ignroe`/],
    ['# pyship:', /empty `# pyship:` comment/],
    ['# pyship ignore=SEC001', /missing ":"/],
    ['# pyship: ignore=SEC001 because reasons', /invalid code `SEC001 because reasons`.*--/],
    ['# pyship: ignore=SEC-001', /invalid code `SEC-001`/],
  ])('%s', (line, message) => {
    const { suppressions, problems } = problemsOf(line);
    expect(suppressions).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(message);
    expect(problems[0]!.span.start).toBeGreaterThanOrEqual(0);
    expect(problems[0]!.span.end).toBeLessThanOrEqual(line.length);
  });

  it('reports a pragma with nothing to attach to', () => {
    const { df } = dockerfile('FROM a\nRUN x\n# pyship: ignore=SEC001\n# pyship: ignore-stage=DF003\n');
    const { suppressions, problems } = parseSuppressions(df);
    expect(suppressions).toEqual([]);
    expect(problems.map((p) => p.message)).toEqual([
      '`# pyship: ignore=` is not followed by an instruction',
      '`# pyship: ignore-stage=` is not followed by a FROM',
    ]);
  });
});

describe('unusedSuppressions', () => {
  it('reports enabled and unknown codes that suppressed nothing, at the code', () => {
    const text = 'FROM a\n# pyship: ignore=SEC001,SEC002,DF003,NOPE1\nRUN x\n# pyship: ignore-file=CI001\n# pyship: ignore=ALL\nRUN y\n';
    const { df, inst } = dockerfile(text);
    const { suppressions } = parseSuppressions(df);
    applySuppressions([at(inst, 1, 'SEC001')], suppressions);
    // SEC002 is known but disabled: the pragma may matter under another configuration.
    const unused = unusedSuppressions(suppressions, new Set(['SEC001', 'DF003', 'CI001']), KNOWN);
    expect(unused.map((u) => [u.code, u.message, text.slice(u.span.start, u.span.end)])).toEqual([
      ['DF003', '`# pyship: ignore=DF003` suppresses nothing', 'DF003'],
      ['NOPE1', 'unknown code NOPE1 in `# pyship: ignore=`', 'NOPE1'],
      ['CI001', '`# pyship: ignore-file=CI001` suppresses nothing', 'CI001'],
      ['ALL', '`# pyship: ignore=ALL` suppresses nothing', 'ALL'],
    ]);
  });

  it('credits an explicit code before ALL in the same pragma', () => {
    const { df, inst } = dockerfile('FROM a\n# pyship: ignore=SEC001,ALL\nRUN x\n');
    const { suppressions } = parseSuppressions(df);
    applySuppressions([at(inst, 1, 'SEC001')], suppressions);
    expect(unusedSuppressions(suppressions, new Set(['SEC001']), KNOWN).map((u) => u.code)).toEqual(['ALL']);
  });

  it('counts a pragma as used even when another one covers the same finding', () => {
    const { df, inst } = dockerfile('# pyship: ignore-file=SEC001\nFROM a\n# pyship: ignore=SEC001\nRUN x\n');
    const { suppressions } = parseSuppressions(df);
    applySuppressions([at(inst, 1, 'SEC001')], suppressions);
    expect(unusedSuppressions(suppressions, new Set(['SEC001']), KNOWN)).toEqual([]);
  });
});

describe('hadolint pragmas', () => {
  const dl = new Map([
    ['DL3008', 'SEC002'],
    ['DL3009', 'DF010'],
  ]);

  it('maps hadolint ids to pyship codes and drops unmapped ones', () => {
    const { df, inst } = dockerfile('FROM a\n# hadolint ignore=DL3008,DL3009,DL9999,SC2086\nRUN apt-get install x\nRUN y\n');
    const { suppressions, problems } = parseSuppressions(df, dl);
    expect(problems).toEqual([]);
    expect(suppressions).toHaveLength(1);
    expect(suppressions[0]).toMatchObject({ codes: ['SEC002', 'DF010'], kind: 'next', origin: 'hadolint' });
    const kept = applySuppressions([at(inst, 1, 'SEC002'), at(inst, 1, 'DF010'), at(inst, 1, 'SEC001'), at(inst, 2, 'SEC002')], suppressions);
    expect(kept).toEqual([at(inst, 1, 'SEC001'), at(inst, 2, 'SEC002')]);
  });

  it('supports hadolint global ignore as file-wide', () => {
    const { df, inst } = dockerfile('# hadolint global ignore=DL3008\nFROM a\nRUN x\nRUN y\n');
    const { suppressions } = parseSuppressions(df, dl);
    expect(suppressions[0]!.kind).toBe('file');
    expect(applySuppressions([at(inst, 1, 'SEC002'), at(inst, 2, 'SEC002')], suppressions)).toEqual([]);
  });

  it('creates nothing when no id maps, and never reports hadolint pragmas as unused or malformed', () => {
    expect(parseSuppressions(dockerfile('# hadolint ignore=DL9999\nFROM a\n').df, dl).suppressions).toEqual([]);
    expect(parseSuppressions(dockerfile('# hadolint ignore=DL3008\nFROM a\n').df).suppressions).toEqual([]);
    expect(parseSuppressions(dockerfile('# hadolint ignore\nFROM a\n').df, dl)).toEqual({ suppressions: [], problems: [] });
    const { suppressions } = parseSuppressions(dockerfile('# hadolint ignore=DL3008\nFROM a\n').df, dl);
    expect(unusedSuppressions(suppressions, new Set(['SEC002']), KNOWN)).toEqual([]);
  });
});
