// Helpers for the tests of pyship as users receive it: a checkout's sources copied aside (no dist/, no node_modules/,
// like a fresh clone), npm run the way pre-commit, GitHub Actions and users run it, and the gate for these slow tests.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');

/**
 * They install from the npm registry (or npm's cache) and compile pyship: a minute or two. They run in CI
 * (PYSHIP_E2E=1) or with PYSHIP_DIST=1, and are skipped with a note otherwise.
 */
export const distTests = process.env.PYSHIP_E2E === '1' || process.env.PYSHIP_DIST === '1';
export function skipNote(what: string): void {
  if (!distTests) console.warn(`note: ${what} skipped: they install from npm and compile pyship (PYSHIP_E2E=1 or PYSHIP_DIST=1 runs them)`);
}

/** What a clone of the repository holds that building, packing and the action need (tests, bench and corpus aside). */
const CHECKOUT = [
  'package.json', 'package-lock.json', 'tsconfig.json', 'README.md', 'LICENSE', '.pre-commit-hooks.yaml', 'action.yml',
  'Dockerfile', '.dockerignore', 'action', 'bin', 'src', 'docs', 'scripts', 'examples',
];

/** A copy of the checkout in a new temporary directory (`sub` inside it, so a test can keep files beside it). */
export function stageCheckout(prefix: string, sub = 'pyship'): { dir: string; base: string } {
  const base = mkdtempSync(join(tmpdir(), prefix));
  const dir = join(base, sub);
  for (const entry of CHECKOUT) {
    if (existsSync(join(ROOT, entry))) cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
  }
  return { dir, base };
}

export function removeTree(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/**
 * npm as a user's shell runs it, quiet about audits and funding. Packages come from npm's cache when it has them
 * (prefer-offline); a cold cache fetches them from the registry.
 */
export function npm(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, timeout = 600_000): SpawnSyncReturns<string> {
  return spawnSync('npm', args, {
    cwd,
    encoding: 'utf8',
    timeout,
    env: { ...process.env, npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', ...env },
  });
}

export function must(r: SpawnSyncReturns<string>, what: string): SpawnSyncReturns<string> {
  if (r.error || r.status !== 0) {
    throw new Error(`${what} failed (exit ${r.status}${r.error ? `, ${r.error.message}` : ''}):\n${r.stdout}\n${r.stderr}`);
  }
  return r;
}
