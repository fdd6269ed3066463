// Property: check and --fix finish on big inputs within a heap cap. Blocks from the Dockerfile grammar are repeated
// to 20,000 lines and checked (and fixed) in a child process with a heap cap and a hang guard, so a quadratic memory
// path fails this test instead of exhausting the runner. Not a timing: speed is `npm run bench` (bench/linear.mjs),
// and linearity is proven by counting work in test/hostile/linear.test.ts. Uses the compiled dist/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { grammarArb } from './fuzz-arbitraries.js';
import { params } from './fuzz-harness.js';

const DIST = process.env.PYSHIP_FUZZ_DIST ?? join(import.meta.dirname, '..', 'dist');
const built = existsSync(join(DIST, 'lint', 'check.js'));
if (!built) console.warn('NOTE: dist/ is absent (npm run build): the scale properties are skipped');

const LINES = 20_000;
/** A hang guard (seconds of work take milliseconds here), far above any loaded runner's time. */
const HANG_MS = 60_000;
const HEAP_MB = 600;

const CHILD = `
import { readFileSync } from 'node:fs';
const [file, mode, dist] = process.argv.slice(1);
const { checkText } = await import(dist + '/lint/check.js');
const { fixUntilStable } = await import(dist + '/lint/fix.js');
const { dockerfileRules, registry } = await import(dist + '/rules/index.js');
const text = readFileSync(file, 'utf8');
const enabled = new Set(dockerfileRules.map((r) => r.code));
const lint = (t) => checkText(t, { ruleSet: registry, path: 'Dockerfile', mode: 'dockerfile', enabled }).findings;
const t0 = performance.now();
if (mode === 'fix') fixUntilStable(text, lint, new Set(['safe', 'unsafe'])); else lint(text);
console.log(JSON.stringify({ ms: Math.round(performance.now() - t0), rssMb: Math.round(process.memoryUsage().rss / 2 ** 20) }));
`;

function measure(text: string, mode: 'check' | 'fix'): { ms: number; rssMb: number } | string {
  const dir = mkdtempSync(join(tmpdir(), 'pyship-scale-'));
  try {
    const file = join(dir, 'Dockerfile');
    writeFileSync(file, text);
    const r = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_MB}`, '--input-type=module', '-e', CHILD, file, mode, DIST], {
      encoding: 'utf8', timeout: HANG_MS, killSignal: 'SIGKILL',
    });
    if (r.error || r.status !== 0) return `${mode}: ${r.signal ? `killed (${r.signal}) after ${HANG_MS} ms` : `exit ${r.status}`} ${(r.stderr ?? '').split('\n').find((l) => /heap|Error/.test(l)) ?? ''}`;
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as { ms: number; rssMb: number };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const bigArb = grammarArb
  .filter((c) => c.text.split('\n').length >= 4)
  .map((c) => {
    const block = c.text.replace(/^\ufeff/, '').replace(/\r\n/g, '\n').replace(/\n?$/, '\n');
    const times = Math.ceil(LINES / (block.split('\n').length - 1));
    const label = `${c.label.slice(0, 400)} repeated ${times} times`;
    // fast-check prints the label, not 20,000 lines
    return { label, text: 'FROM python:3.13-slim-trixie\n' + block.repeat(times), [fc.toStringMethod]: () => label };
  });

describe.skipIf(!built)(`fuzz: ${LINES.toLocaleString('en')}-line Dockerfiles`, () => {
  for (const mode of ['check', 'fix'] as const) {
    it(`${mode} finishes within ${HEAP_MB} MB of heap`, () => {
      fc.assert(
        fc.property(bigArb, ({ label, text }) => {
          const m = measure(text, mode);
          expect(typeof m === 'string' ? m : '', label).toBe('');
        }),
        { ...params(3), endOnFailure: true },
      );
    }, 4 * HANG_MS);
  }
});
