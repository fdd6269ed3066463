// Issue 13 (failures 2 and 3): check and --fix must take time and memory linear in the input. Timed tests are banned,
// so these count work instead: reads of the model by each rule at N and 2N instructions, edits read while choosing
// and verifying fixes, parses per fix pass, and a 10,000-ENV check under a heap too small for the old quadratic state.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Dockerfile, Instruction, Stage } from '../../src/dockerfile/model.js';
import { parseDockerfile } from '../../src/dockerfile/parse.js';
import { PersistentMap } from '../../src/dockerfile/pmap.js';
import { lineOf } from '../../src/dockerfile/lines.js';
import { applyEdits, chooseEdits, fixUntilStable, verifyEdits } from '../../src/lint/fix.js';
import type { Edit, Finding } from '../../src/lint/rule.js';
import { runRules } from '../../src/lint/run.js';
import { NearNames } from '../../src/rules/df/_near.js';
import { closeMatch } from '../../src/rules/df/_util.js';
import { dockerfileRules } from '../../src/rules/index.js';

const ROOT = join(import.meta.dirname, '..', '..');

// count parses: fixUntilStable's cost per pass is a parse, so their number must not grow with anything but passes
vi.mock('../../src/dockerfile/parse.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../src/dockerfile/parse.js')>();
  return { ...m, parseDockerfile: vi.fn(m.parseDockerfile) };
});

/** The shapes that were quadratic, at `n` repetitions each (the pieces a generated hostile file is made of). */
const SHAPES: Record<string, (n: number) => string> = {
  env: (n) => `FROM python:3.13-slim\n${Array.from({ length: n }, (_, i) => `ENV V${i}=x${i} PATH=/o${i}:$PATH\n`).join('')}CMD ["python"]\n`,
  // near misses of defined names (DF016's "did you mean"); names hashed, as numbered ones share digits and so near
  // neighbours, whose number grows (slowly) with the count
  'env-undefined': (n) => `FROM scratch\n${Array.from({ length: n }, (_, i) => {
    const h = (Math.imul(i + 1, 2654435761) >>> 0).toString(36).toUpperCase();
    return `ENV VAR_${h}=$VAR_${h.slice(0, -1)}Q\n`;
  }).join('')}`,
  arg: (n) => `FROM python:3.13-slim\n${Array.from({ length: n }, (_, i) => `ARG A${i}=${i}\nRUN echo ${i}\n`).join('')}RUN echo $A0\n`,
  'global-arg': (n) => `${Array.from({ length: n }, (_, i) => `ARG G${i}=${i}\n`).join('')}FROM python:3.13-slim\nCMD ["python"]\n`,
  stages: (n) => Array.from({ length: n }, (_, i) => `FROM python:3.13-slim AS s${i}\nWORKDIR /app\nCOPY --from=s${Math.max(0, i - 1)} /app /app\nRUN pip install flask\n`).join(''),
  'stage-chain': (n) => `FROM python:3.13-slim AS s0\n${Array.from({ length: n }, (_, i) => `FROM s${i} AS s${i + 1}\nENV E${i}=${i}\n`).join('')}CMD ["gunicorn", "app:app"]\n`,
  runs: (n) => `FROM python:3.13-slim\n${Array.from({ length: n }, (_, i) => `RUN apt-get update && \\\n    apt-get install -y curl${i} && \\\n    cd /x && pip install p${i}\n`).join('')}`,
  'huge-run': (n) => `FROM python:3.13-slim\nRUN set -eux; \\\n${Array.from({ length: n }, (_, i) => `    echo ${i} >> /l; \\\n`).join('')}    true\n`,
  label: (n) => `FROM python:3.13-slim\n${Array.from({ length: n }, (_, i) => `LABEL org.example.k${i}="v${i}"\n`).join('')}`,
  unknown: (n) => `FROM python:3.13-slim\n${Array.from({ length: n }, (_, i) => `RUN echo ${i}\nfoo${i} bar\n`).join('')}`,
  copy: (n) => `FROM python:3.13-slim\nWORKDIR /app\n${Array.from({ length: n }, (_, i) => `COPY f${i} /app/f${i}\nCMD python f${i}\n`).join('')}`,
};

/**
 * The Dockerfile with every instruction (and its state's maps) behind a proxy that counts reads; iterating a state's
 * map counts its size. Fresh proxies for each call, so memoized helpers are paid for by each rule that uses them.
 */
function instrumented(df: Dockerfile): { df: Dockerfile; reads: () => number } {
  let reads = 0;
  const maps = new WeakMap<object, object>();
  const mapProxy = (m: PersistentMap<unknown>): object => {
    let p = maps.get(m);
    if (!p) {
      p = new Proxy(m, {
        get(target, prop, receiver) {
          reads += prop === 'keys' || prop === 'entries' || prop === 'values' || prop === 'forEach' || prop === Symbol.iterator ? target.size : 1;
          return Reflect.get(target, prop, receiver);
        },
      });
      maps.set(m, p);
    }
    return p;
  };
  const states = new WeakMap<object, object>();
  const instrs = new Map<Instruction, Instruction>();
  const wrap = (i: Instruction): Instruction => {
    let p = instrs.get(i);
    if (!p) {
      p = new Proxy(i, {
        get(target, prop, receiver) {
          reads++;
          const v = Reflect.get(target, prop, receiver);
          if (prop !== 'state') return v;
          let s = states.get(v);
          if (!s) states.set(v, (s = { ...v, env: mapProxy(v.env), args: mapProxy(v.args) }));
          return s;
        },
      });
      instrs.set(i, p);
    }
    return p;
  };
  const stages: Stage[] = df.stages.map((s) => ({ ...s, from: wrap(s.from), instructions: s.instructions.map(wrap) }));
  return { df: { ...df, instructions: df.instructions.map(wrap), stages }, reads: () => reads };
}

function readsPerRule(text: string): Map<string, number> {
  const parsed = parseDockerfile(text);
  const out = new Map<string, number>();
  for (const rule of dockerfileRules) {
    const { df, reads } = instrumented(parsed);
    runRules(df, [rule], { mode: 'dockerfile', enabled: (c) => c === rule.code || /^SC\d+$/.test(c) });
    out.set(rule.code, reads());
  }
  return out;
}

describe('every rule reads the model a number of times linear in its size', () => {
  for (const [shape, make] of Object.entries(SHAPES)) {
    it(shape, () => {
      const small = readsPerRule(make(300));
      const large = readsPerRule(make(600));
      const quadratic: string[] = [];
      for (const [code, n] of large) {
        const m = small.get(code)!;
        // linear work doubles; quadratic work quadruples. The constant absorbs fixed per-file reads.
        if (n > 2.5 * m + 200) quadratic.push(`${code}: ${m} reads at 300, ${n} at 600`);
      }
      expect(quadratic).toEqual([]);
    });
  }
});

describe('PersistentMap', () => {
  it('reads like a Map built by the same sets, and earlier snapshots keep their contents', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ maxLength: 3 }), fc.integer())), (ops) => {
        let p = PersistentMap.empty<number>();
        const m = new Map<string, number>();
        const snapshots: [PersistentMap<number>, Map<string, number>][] = [];
        for (const [k, v] of ops) {
          p = p.with(k, v);
          m.set(k, v);
          snapshots.push([p, new Map(m)]);
        }
        for (const [snap, map] of snapshots) {
          expect([...snap]).toEqual([...map]);
          expect(snap.size).toBe(map.size);
          for (const [k, v] of map) expect(snap.get(k)).toBe(v);
          expect(snap.has('\u0000none')).toBe(false);
        }
      }),
      { numRuns: 200, seed: 13 },
    );
  });

  it('keeps keys whose hashes collide apart', () => {
    // FNV-1a collisions are rare; force depth by many keys instead and check every one
    let p = PersistentMap.empty<number>();
    for (let i = 0; i < 20_000; i++) p = p.with(`K${i}`, i);
    expect(p.size).toBe(20_000);
    for (let i = 0; i < 20_000; i += 7) expect(p.get(`K${i}`)).toBe(i);
  });
});

describe('near-miss names (DF016) through an index', () => {
  it('offer every name closeMatch could pick, so its answer is the same as over all names', () => {
    const word = fc.string({ unit: fc.constantFrom('a', 'b', 'A', 'B', '_', '1'), minLength: 0, maxLength: 10 });
    fc.assert(
      fc.property(fc.array(word, { maxLength: 30 }), word, (names, query) => {
        const offered = new NearNames(names).candidates(query);
        expect(closeMatch(query, names.filter((n) => offered.has(n)))).toBe(closeMatch(query, names));
      }),
      { numRuns: 1000, seed: 13 },
    );
  });
});

describe('ENV and ARG state is shared, not copied per instruction', () => {
  it('consecutive instructions share the unchanged parts of their state', () => {
    const df = parseDockerfile(SHAPES.env!(2000));
    const envs = df.instructions.map((i) => i.state.env);
    expect(envs[envs.length - 1]!.size).toBe(2001);
    // the snapshots are persistent: an old one still answers as it did
    // instruction 10 runs before `ENV V9=…` applies
    expect(envs[10]!.get('V8')).toBe('x8');
    expect(envs[10]!.has('V9')).toBe(false);
  });

  it('lineOf counts lines like splitting the prefix did', () => {
    const text = 'a\nbb\n\nccc\n';
    for (let i = -1; i <= text.length + 2; i++) expect(lineOf(text, i)).toBe(text.slice(0, Math.max(0, i)).split('\n').length);
  });
});

/** The pairwise definition chooseEdits had, to compare the indexed one with. */
function pairwiseChoice(findings: readonly Finding[]): Edit[] {
  const taken: Edit[] = [];
  for (const f of findings) {
    if (!f.fix) continue;
    const clash = f.fix.edits.some((e) => taken.some((t) => (e.start < t.end && t.start < e.end) || (e.start === t.start && (e.start === e.end || t.start === t.end))));
    if (!clash) taken.push(...f.fix.edits);
  }
  return taken;
}

function oneByOne(text: string, edits: readonly Edit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start || b.end - a.end)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

const finding = (edits: Edit[]): Finding => ({
  code: 'X', severity: 'warning', file: 'Dockerfile', span: { start: 0, end: 0 }, message: 'm', fix: { safety: 'safe', description: 'd', edits },
});

describe('fixes', () => {
  const edit = fc.record({ start: fc.integer({ min: 0, max: 40 }), len: fc.integer({ min: 0, max: 4 }), text: fc.constantFrom('', 'x', 'yz') })
    .map(({ start, len, text }) => ({ start, end: start + len, text }));

  it('choose the same edits and produce the same text as the pairwise, one-by-one definition', () => {
    fc.assert(
      fc.property(fc.array(fc.array(edit, { minLength: 1, maxLength: 3 }), { maxLength: 25 }), (groups) => {
        const text = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH';
        const findings = groups.map(finding);
        const expected = pairwiseChoice(findings);
        const { edits, applied } = chooseEdits(findings, new Set(['safe']));
        expect(edits).toEqual(expected);
        expect(applied).toBe(findings.filter((f) => expected.includes(f.fix!.edits[0]!)).length);
        expect(applyEdits(text, edits)).toBe(oneByOne(text, edits));
      }),
      { numRuns: 500, seed: 13 },
    );
  });

  it('read each edit a bounded number of times when choosing and verifying (not once per other edit)', () => {
    const count = (n: number): number => {
      let reads = 0;
      const lines = Array.from({ length: n }, (_, i) => `LABEL k${i}=v${i}`);
      const text = `FROM python:3.13-slim\n${lines.join('\n')}\n`;
      const findings: Finding[] = [];
      let at = text.indexOf('LABEL');
      for (let i = 0; i < n; i++) {
        const e: Edit = { start: at, end: at + 5, text: 'LABEL' };
        findings.push(finding([new Proxy(e, { get: (t, p, r) => (reads++, Reflect.get(t, p, r)) })]));
        at = text.indexOf('LABEL', at + 1);
      }
      fixUntilStable(text, (t) => (t === text ? findings : []), new Set(['safe']), 1);
      return reads;
    };
    const small = count(2000);
    const large = count(4000);
    expect(large).toBeLessThan(2.5 * small);
  });

  it('parse the text once per pass for verification, reusing the last verified parse', () => {
    // every pass fixes one more line; count parses through a lint that parses once itself
    const text = `FROM python:3.13-slim\n${Array.from({ length: 6 }, (_, i) => `FROM x${i}`).join('\n')}\n`;
    let lints = 0;
    const lint = (t: string): Finding[] => {
      lints++;
      const m = /^FROM x/m.exec(t);
      return m ? [finding([{ start: m.index + 5, end: m.index + 6, text: 'y' }])] : [];
    };
    const parses = vi.mocked(parseDockerfile);
    const before = parses.mock.calls.length;
    const r = fixUntilStable(text, lint, new Set(['safe']));
    expect(r.applied).toBe(6);
    // 6 verifying parses and 1 of the original text (the lint's own parses are the caller's)
    expect(parses.mock.calls.length - before).toBe(7);
    expect(lints).toBe(7);
  });

  it('lint each text once: the findings the caller has of the first text are reused, and those of the result returned', () => {
    const text = `FROM python:3.13-slim\n${Array.from({ length: 3 }, (_, i) => `FROM x${i}`).join('\n')}\n`;
    const linted: string[] = [];
    const lint = (t: string): Finding[] => {
      linted.push(t);
      const m = /^FROM x/m.exec(t);
      return m ? [finding([{ start: m.index + 5, end: m.index + 6, text: 'y' }])] : [];
    };
    const first = lint(text);
    linted.length = 0;
    const r = fixUntilStable(text, lint, new Set(['safe']), 10, first);
    expect(r.applied).toBe(3);
    expect(new Set(linted).size).toBe(linted.length);
    expect(linted).not.toContain(text);
    expect(r.findings).toEqual([]);
    expect(linted[linted.length - 1]).toBe(r.text);
  });

  it('verifyEdits still rejects an edit that swallows the next instruction', () => {
    const before = 'FROM a\nRUN x\nRUN y\n';
    const edits = [{ start: 12, end: 12, text: ' \\' }];
    expect(verifyEdits(before, edits, applyEdits(before, edits))).toBe(false);
  });
});

describe('hostile sizes through the CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pyship-linear-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const bin = join(ROOT, 'bin', 'pyship.js');

  // each shape once quadratic in memory: a state map copied per ENV, a chain of instructions built per stage
  it.skipIf(!existsSync(join(ROOT, 'dist', 'bundle', 'cli.js')))('10,000 ENV lines (check and fix) and a chain of 10,000 stages check within a 256 MB heap', () => {
    const file = join(dir, 'Dockerfile');
    const runs: [string, string[]][] = [[SHAPES.env!(10_000), []], [SHAPES.env!(10_000), ['--fix', '--unsafe-fixes']], [SHAPES['stage-chain']!(10_000), []]];
    for (const [text, extra] of runs) {
      writeFileSync(file, text);
      const r = spawnSync(process.execPath, ['--max-old-space-size=256', bin, 'check', '--no-project', '--format', 'json', ...extra, file], {
        encoding: 'utf8', timeout: 60_000, maxBuffer: 256 * 1024 * 1024,
      });
      expect(r.stderr).not.toMatch(/heap out of memory|internal error/);
      expect(r.signal).toBeNull();
      expect([0, 1]).toContain(r.status);
    }
  }, 200_000);
});
