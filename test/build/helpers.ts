// Fakes for build tests: a git runner answering from fixed facts, a fixed clock, a temp project.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { GitRunner } from '../../src/build/git.js';
import type { Io } from '../../src/commands/io.js';

export const SHA = '0123456789abcdef0123456789abcdef01234567';

export function fakeGit(facts: { branch?: string | null; sha?: string | null; remote?: string | null; repo?: boolean } = {}): GitRunner {
  const { branch = 'main', sha = SHA, remote = 'https://github.com/acme/app.git', repo = true } = facts;
  return (args) => {
    const cmd = args.join(' ');
    if (!repo) return undefined;
    if (cmd === 'rev-parse --is-inside-work-tree') return 'true';
    if (cmd === 'rev-parse --verify --quiet HEAD') return sha ?? undefined;
    if (cmd === 'rev-parse --short HEAD') return sha ? sha.slice(0, 7) : undefined;
    if (cmd === 'symbolic-ref --quiet --short HEAD') return branch ?? undefined;
    if (cmd === 'remote get-url origin') return remote ?? undefined;
    if (cmd === 'remote') return remote ? 'origin' : '';
    return undefined;
  };
}

export const NOW = new Date('2025-03-04T05:06:07.890Z');

export function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pyship-build-'));
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), c);
  }
  return dir;
}

export function captureIo(cwd: string): Io & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return { out: (t) => void (out += t), err: (t) => void (err += t), cwd, color: false, stdout: () => out, stderr: () => err };
}
