// A long `check` in Dockerfile mode shares its files with a worker thread (compiled code only): its report must be the
// bytes the one-thread run gives, whichever thread checked which file. The in-process run here (TypeScript) is serial.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registry } from '../src/rules/index.js';
import { MIN_SHARED_JOBS } from '../src/lint/parallel.js';
import { runCli, tempFiles } from './helpers.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'pyship.js');

describe('check shared with a worker thread', () => {
  it('reports the same bytes and exit code as the serial run', async () => {
    // every rule example's bad and good file, a binary one and a suppression: findings of every kind, in many files
    const texts = registry.dockerfile.flatMap((r) => r.examples.flatMap((e) => [e.bad, e.good]));
    texts.push('FROM python:3.13-slim-trixie\0\n', '# pyship: ignore=SEC001\nFROM python:3.13-slim-trixie\nCMD ["python"]\n');
    expect(texts.length).toBeGreaterThan(MIN_SHARED_JOBS);
    const files: Record<string, string> = {};
    texts.forEach((t, i) => (files[`s${String(i).padStart(4, '0')}/Dockerfile`] = t));
    const dir = tempFiles(files, 'pyship-parallel-');
    const args = ['check', '--no-project', '--format', 'json', '.'];
    const serial = await runCli(args, dir);
    const shared = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(shared.stdout).toBe(serial.out);
    expect(shared.stderr).toBe(serial.err);
    expect(shared.status).toBe(serial.code);
  });
});
