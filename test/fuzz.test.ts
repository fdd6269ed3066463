// Deterministic fuzzing of the parser and every rule: mutated real Dockerfiles and generated garbage must never
// throw, and spans must stay inside the text and in order. Bounded in count; the seed makes failures reproducible.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../src/dockerfile/parse.js';
import { runScript } from '../src/dockerfile/shell.js';
import { checkText } from '../src/lint/check.js';
import { allRules } from '../src/rules/index.js';

const CORPUS = join(import.meta.dirname, '..', '..', 'shared', 'corpus', 'real-world');

/** mulberry32: small, fast, deterministic. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  '\\\n', '\\', '`', '\n', '\r\n', '\t', ' ', '#', '# escape=`\n', '# syntax=x\n', '<<EOF\n', '<<-EOF\n', 'EOF\n', '"', "'",
  '[', ']', '["a", "b"]', '[ "x", [ "y" ] ]', '$', '${', '}', '${A:-b}', '=', '--mount=type=cache,target=/root/.cache',
  'FROM ', 'RUN ', 'COPY ', 'ADD ', 'ENV ', 'ARG ', 'CMD ', 'ENTRYPOINT ', 'ONBUILD ', 'HEALTHCHECK ', 'SHELL ', 'USER ',
  'WORKDIR ', 'EXPOSE ', 'LABEL ', 'STOPSIGNAL ', 'VOLUME ', 'MAINTAINER ', 'from ', 'AS ', 'pip install ', 'apt-get install ',
  '&&', '||', '|', ';', '$(', ')', '(', '{', '\ufeff', '\u0000', '😀', 'é', 'sh -c "', 'gunicorn -b :80 ', 'python -m pip ',
];

function mutate(text: string, r: () => number): string {
  let t = text;
  const n = 1 + Math.floor(r() * 6);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(r() * (t.length + 1));
    const op = r();
    if (op < 0.45) t = t.slice(0, at) + PIECES[Math.floor(r() * PIECES.length)] + t.slice(at);
    else if (op < 0.8) t = t.slice(0, at) + t.slice(Math.min(t.length, at + 1 + Math.floor(r() * 40)));
    else {
      const from = Math.floor(r() * t.length);
      t = t.slice(0, at) + t.slice(from, from + Math.floor(r() * 80)) + t.slice(at);
    }
  }
  return t;
}

function generate(r: () => number): string {
  let t = '';
  const n = Math.floor(r() * 40);
  for (let i = 0; i < n; i++) t += PIECES[Math.floor(r() * PIECES.length)];
  return t;
}

function assertSane(text: string): void {
  const df = parseDockerfile(text);
  let prev = -1;
  for (const i of df.instructions) {
    expect(i.span.start).toBeGreaterThanOrEqual(0);
    expect(i.span.end).toBeLessThanOrEqual(text.length);
    expect(i.span.start).toBeGreaterThan(prev);
    for (const sp of [i.span, i.keywordSpan, i.argsSpan]) expect(sp.end).toBeGreaterThanOrEqual(sp.start);
    prev = i.span.start;
    void i.words;
    runScript(i);
  }
  for (const p of df.problems) {
    expect(p.span.end).toBeGreaterThanOrEqual(p.span.start);
    expect(p.span.start).toBeGreaterThanOrEqual(0);
    expect(p.span.end).toBeLessThanOrEqual(text.length);
  }
  const enabled = new Set(allRules.map((x) => x.code));
  for (const f of checkText(text, { path: 'Dockerfile', mode: 'dockerfile', enabled }).findings) {
    expect(f.message, f.message).not.toMatch(/internal error/);
    expect(f.span.start).toBeGreaterThanOrEqual(0);
    expect(f.span.end).toBeLessThanOrEqual(text.length);
    expect(f.span.end).toBeGreaterThanOrEqual(f.span.start);
  }
}

describe('fuzz', () => {
  it('a continuation with no instruction gives sane spans', () => assertSane('FROM x\n\\\n\\\n'));

  it('generated garbage never crashes the parser or a rule', () => {
    const r = rng(20261126);
    for (let i = 0; i < 1500; i++) {
      const text = generate(r);
      try {
        assertSane(text);
      } catch (e) {
        throw new Error(`input ${JSON.stringify(text)}: ${(e as Error).message}`);
      }
    }
  });

  it.skipIf(!existsSync(CORPUS))('mutated real Dockerfiles never crash the parser or a rule', () => {
    const files = readdirSync(CORPUS).filter((f) => f !== 'MANIFEST.tsv').sort();
    const r = rng(42);
    for (let i = 0; i < 1200; i++) {
      const f = files[Math.floor(r() * files.length)]!;
      const text = mutate(readFileSync(join(CORPUS, f), 'utf8'), r);
      try {
        assertSane(text);
      } catch (e) {
        throw new Error(`mutation ${i} of ${f}: ${(e as Error).message}\n${JSON.stringify(text).slice(0, 2000)}`);
      }
    }
  });
});
