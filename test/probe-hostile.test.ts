// Keeps scripts/probe-hostile.mjs from rotting: its classifier sorts known outcomes right, and three of its cases run
// end to end against the built CLI (the full probe is slow and runs by hand: node scripts/probe-hostile.mjs).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-ignore: a plain .mjs script without types
import { classify, runCase } from '../scripts/probe-hostile.mjs';
// @ts-ignore: a plain .mjs script without types
import { cases } from '../scripts/probe-hostile-cases.mjs';

const built = existsSync(join(import.meta.dirname, '..', 'dist', 'bundle', 'cli.js'));
if (!built) console.warn('NOTE: dist/bundle is absent (run npm run build): the probe cases are skipped');

const res = (over: object) => ({ code: 0, sig: null, out: '', err: '', ms: 1, hung: '', ...over });

describe('hostile probe', () => {
  it('has at least 110 cases, each named once', () => {
    expect(cases.length).toBeGreaterThanOrEqual(110);
    expect(new Set(cases.map((c: { name: string }) => c.name)).size).toBe(cases.length);
  });

  it('classifies crashes, hangs, lost data, printed secrets and unclear errors', () => {
    const c = { name: 'x', args: ['check', '.'], secrets: ['s3cr3t-value'] };
    expect(classify(c, res({ err: 'internal error in rule X; please report it' }), []).class).toBe('crash');
    expect(classify(c, res({ code: null, sig: 'SIGABRT', err: 'FATAL ERROR: JavaScript heap out of memory' }), []).class).toBe('crash');
    expect(classify(c, res({ code: null, sig: 'SIGKILL', hung: 'no exit after 20000 ms' }), []).class).toBe('hang');
    expect(classify(c, res({}), ['Dockerfile: link replaced by a file']).class).toBe('data lost');
    expect(classify(c, res({ code: 1, out: '{"message":"s3cr3t-value"}' }), []).class).toBe('secret printed');
    expect(classify(c, res({ code: 2, err: 'pyship: permission denied' }), []).class).toBe('unclear error');
    expect(classify({ ...c, about: 'Dockerfile' }, res({ code: 2, err: 'pyship: Dockerfile: permission denied' }), []).class).toBe('ok');
  });

  const pick = ['cli: unknown flag', 'check: .dockerignore -> a FIFO', '--unsafe-fixes: CRLF'];
  it.skipIf(!built).each(pick)('runs %s against the built CLI', async (name) => {
    const c = cases.find((x: { name: string }) => x.name === name);
    expect(c, name).toBeDefined();
    const r = await runCase(c);
    expect(r.reasons).toEqual([]);
    expect(r.class).toBe('ok');
  }, 60_000);
});
