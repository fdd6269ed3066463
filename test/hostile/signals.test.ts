// Issue 13: a signal during init's file writes must not leave a temp file (the probe's "SIGINT to init" case). The
// writes run with SIGINT/SIGTERM held (src/io/signals.ts); this proves the hold deterministically: the signal is sent
// from inside the step, the step still finishes, and the process then dies of that signal.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIST = join(import.meta.dirname, '..', '..', 'dist');

describe('withSignalsHeld', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('a %s during the step ends pyship after the step, not inside it', (signal) => {
    const dir = mkdtempSync(join(tmpdir(), 'pyship-signals-'));
    try {
      const child = `
        const { writeFileSync } = await import('node:fs');
        const { withSignalsHeld } = await import(${JSON.stringify(join(DIST, 'io', 'signals.js'))});
        await withSignalsHeld(() => {
          process.kill(process.pid, ${JSON.stringify(signal)});
          const end = Date.now() + 200;
          while (Date.now() < end);
          writeFileSync(${JSON.stringify(join(dir, 'step-done'))}, '');
        });
        writeFileSync(${JSON.stringify(join(dir, 'after'))}, '');
      `;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', child], { timeout: 10_000 });
      expect(r.signal).toBe(signal);
      expect(existsSync(join(dir, 'step-done'))).toBe(true);
      expect(existsSync(join(dir, 'after'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('without a signal, the step returns its value and nothing is held afterwards', async () => {
    const { withSignalsHeld } = await import('../../src/io/signals.js');
    const before = process.listenerCount('SIGINT');
    expect(await withSignalsHeld(() => 42)).toBe(42);
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});

describe('the temp-file guard', () => {
  /** A child that creates `name`, announces it (and clears it when `clear`), then dies by SIGKILL before any rename. */
  function killedWhileWriting(dir: string, name: string, clear: boolean): void {
    const file = join(dir, name);
    const child = `
      const { writeFileSync } = await import('node:fs');
      const { announceTemp, clearTemp } = await import(${JSON.stringify(join(DIST, 'io', 'temp-guard.js'))});
      writeFileSync(${JSON.stringify(file)}, 'half of a fix');
      announceTemp(${JSON.stringify(file)});
      ${clear ? 'clearTemp();' : ''}
      process.kill(process.pid, 'SIGKILL');
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', child], { timeout: 10_000 });
    expect(r.signal).toBe('SIGKILL');
  }
  const gone = async (path: string): Promise<boolean> => {
    for (let i = 0; i < 100 && existsSync(path); i++) await new Promise((r) => setTimeout(r, 20));
    return !existsSync(path);
  };

  it('removes the temp file a killed write left (the probe\'s "SIGINT to --fix" case)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pyship-temp-guard-'));
    try {
      killedWhileWriting(dir, '.Dockerfile.pyship-1-2.tmp', false);
      expect(await gone(join(dir, '.Dockerfile.pyship-1-2.tmp'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves a cleared temp file, and never removes a path that is not a pyship temp file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pyship-temp-guard-'));
    try {
      killedWhileWriting(dir, '.Dockerfile.pyship-1-3.tmp', true);
      killedWhileWriting(dir, 'Dockerfile', false);
      await new Promise((r) => setTimeout(r, 300));
      expect(existsSync(join(dir, '.Dockerfile.pyship-1-3.tmp'))).toBe(true);
      expect(existsSync(join(dir, 'Dockerfile'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
