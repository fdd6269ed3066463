// BuildKit's own parser conformance files: our instruction list must print exactly as BuildKit's AST dump.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../src/dockerfile/parse.js';
import { buildkitDump } from '../src/dockerfile/buildkit-dump.js';

const CORPUS = join(import.meta.dirname, '..', '..', 'shared', 'corpus', 'buildkit-parser');
const present = existsSync(CORPUS);
if (!present) console.warn(`NOTE: ${CORPUS} is absent: BuildKit conformance cases skipped`);

/** Cases where our output knowingly differs from BuildKit's, with the reason. Keep empty unless justified. */
const EXCEPTIONS: Record<string, string> = {};

function dump(text: string): string {
  const df = parseDockerfile(text);
  return df.instructions.map((i) => `(${buildkitDump(i, df.escape)})`).join('\n') + '\n';
}

describe.skipIf(!present)('BuildKit parser conformance', () => {
  const positive = present ? readdirSync(join(CORPUS, 'testfiles')).sort() : [];
  it('has the positive cases', () => expect(positive.length).toBeGreaterThanOrEqual(33));
  for (const name of positive) {
    const run = EXCEPTIONS[name] ? it.skip : it;
    run(`positive: ${name}`, () => {
      const dir = join(CORPUS, 'testfiles', name);
      const text = readFileSync(join(dir, 'Dockerfile'), 'utf8');
      const expected = readFileSync(join(dir, 'result'), 'utf8').replace(/\r\n/g, '\n');
      const df = parseDockerfile(text);
      expect(df.problems.filter((p) => p.level === 'error' && p.kind !== 'unknown-instruction')).toEqual([]);
      expect(dump(text)).toBe(expected);
    });
  }

  const negative = present ? readdirSync(join(CORPUS, 'testfiles-negative')).sort() : [];
  it('has the negative cases', () => expect(negative.length).toBeGreaterThanOrEqual(4));
  for (const name of negative) {
    it(`negative: ${name} yields a positioned parse error`, () => {
      const text = readFileSync(join(CORPUS, 'testfiles-negative', name, 'Dockerfile'), 'utf8');
      const df = parseDockerfile(text);
      const errors = df.problems.filter((p) => p.level === 'error');
      expect(errors.length).toBeGreaterThan(0);
      for (const e of errors) {
        expect(e.span.start).toBeGreaterThanOrEqual(0);
        expect(e.span.end).toBeLessThanOrEqual(text.length);
        expect(e.message).not.toBe('');
      }
    });
  }

  it('line numbers: instructions span BuildKit\'s (start, end) lines', () => {
    const text = readFileSync(join(CORPUS, 'testfile-line', 'Dockerfile'), 'utf8');
    const df = parseDockerfile(text);
    const lineOf = (off: number) => text.slice(0, off).split('\n').length;
    expect(df.instructions.map((i) => [lineOf(i.span.start), lineOf(i.span.end)])).toEqual([[5, 5], [11, 12], [17, 31]]);
  });
});
