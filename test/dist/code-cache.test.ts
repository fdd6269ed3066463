// bin/pyship.js runs check from a classic script compiled with a V8 code cache in the user's cache directory: whatever
// that cache holds (nothing, a good cache, damaged or cut bytes, a directory it cannot create), the CLI prints the same
// report and exit code, and with the cache turned off it writes nothing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './stage.js';

const BIN = join(ROOT, 'bin', 'pyship.js');
const SCRIPT = join(ROOT, 'dist', 'bundle', 'chunks', 'cli-script.js');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function run(env: Record<string, string | undefined>): { out: string; err: string; code: number | null } {
  const r = spawnSync(process.execPath, [BIN, 'check', '--no-project', '--format', 'json', join(ROOT, 'examples', 'naive', 'Dockerfile')], {
    encoding: 'utf8', timeout: 30_000, env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: undefined, ...env },
  });
  return { out: r.stdout, err: r.stderr, code: r.status };
}

describe.skipIf(!existsSync(SCRIPT))('the V8 code cache of bin/pyship.js', () => {
  const cache = mkdtempSync(join(tmpdir(), 'pyship-code-cache-'));
  dirs.push(cache);
  const compiled = join(cache, 'compiled');
  const files = (): string[] => (existsSync(compiled) ? readdirSync(compiled).filter((f) => f.endsWith('.v8')) : []);
  const reference = run({ NODE_DISABLE_COMPILE_CACHE: '1', PYSHIP_CACHE_DIR: cache });

  it('with the cache off: the report, and nothing written', () => {
    expect(reference.code).toBe(1);
    expect(JSON.parse(reference.out).findings.length).toBeGreaterThan(5);
    expect(reference.err).toBe('');
    expect(files()).toEqual([]);
  });

  it('a first run writes the cache in PYSHIP_CACHE_DIR, a second reads it: same report', () => {
    expect(run({ PYSHIP_CACHE_DIR: cache })).toEqual(reference);
    expect(files()).toHaveLength(1);
    expect(run({ PYSHIP_CACHE_DIR: cache })).toEqual(reference);
  });

  it('damaged or cut cache bytes are compiled from source and rewritten, never a crash', () => {
    const file = join(compiled, files()[0]!);
    const good = readFileSync(file);
    expect(good.length).toBeGreaterThan(1000);
    const flipped = Buffer.from(good);
    for (let i = 40; i < flipped.length; i += 97) flipped[i] = flipped[i]! ^ 0xff;
    for (const bad of [flipped, good.subarray(0, good.length >> 1), Buffer.alloc(0), Buffer.from('not a cache')]) {
      writeFileSync(file, bad);
      expect(run({ PYSHIP_CACHE_DIR: cache })).toEqual(reference);
      expect(readFileSync(file).equals(bad), 'rewritten').toBe(false);
    }
  });

  it('a cache directory that cannot be made (below /proc) only means no cache', () => {
    expect(run({ PYSHIP_CACHE_DIR: undefined, XDG_CACHE_HOME: '/proc/nonexistent/cache' })).toEqual(reference);
  });
});
