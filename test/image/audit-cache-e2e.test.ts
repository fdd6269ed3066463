// e2e: `pyship audit` of the real python images prints the same bytes whichever way the image is read: `docker save`
// alone (what pyship did before the layer cache), docker's local store, the layer cache, `docker save` passing over
// the cached layers, and an app image on a base read before.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runAudit } from '../../src/commands/audit.js';
import type { Io } from '../../src/commands/io.js';
import { PYSHIP_LABEL } from '../../src/engine/types.js';

const e2e = process.env.PYSHIP_E2E === '1';
const docker = process.env.PYSHIP_DOCKER || 'docker';
const engineUp = spawnSync(docker, ['info', '--format', '{{.ServerVersion}}'], { timeout: 15_000, stdio: 'ignore' }).status === 0;
const APP = `pyship-audit-cache-e2e-${process.pid}:app`;

async function audit(image: string, format: 'json' | 'text', env: Record<string, string>): Promise<string> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const cwd = mkdtempSync(join(tmpdir(), 'pyship-audit-cache-cwd-'));
    writeFileSync(join(cwd, 'pyship.toml'), '');
    const o = { stdout: '', stderr: '', cwd, color: false, out: (t: string) => void (o.stdout += t), err: (t: string) => void (o.stderr += t) } satisfies Io & Record<string, unknown>;
    const code = await runAudit(image, { format, color: false }, o);
    // the image's age is the clock's, not the reader's
    return `exit ${code}\n${o.stdout.replace(/\(\d+\.\d days ago\)/, '(N days ago)')}\n--- stderr\n${o.stderr}`;
  } finally {
    for (const k of Object.keys(env)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

describe.runIf(engineUp || e2e)('pyship audit reads the same image from the cache, the store and docker save', () => {
  afterAll(() => void spawnSync(docker, ['rmi', '--force', APP], { timeout: 60_000, stdio: 'ignore' }));

  for (const image of ['python:3.13-slim', 'python:3.13-trixie']) {
    it(image, async () => {
      for (const format of ['json', 'text'] as const) {
        const saveOnly = await audit(image, format, { PYSHIP_NO_CACHE: '1', PYSHIP_NO_STORE: '1' });
        expect(saveOnly).toMatch(/^exit [01]\n/);
        const storeCache = mkdtempSync(join(tmpdir(), 'pyship-cache-'));
        expect(await audit(image, format, { PYSHIP_CACHE_DIR: storeCache }), 'from the store').toBe(saveOnly);
        expect(await audit(image, format, { PYSHIP_CACHE_DIR: storeCache }), 'from the cache').toBe(saveOnly);
        const saveCache = mkdtempSync(join(tmpdir(), 'pyship-cache-'));
        expect(await audit(image, format, { PYSHIP_CACHE_DIR: saveCache, PYSHIP_NO_STORE: '1' }), 'docker save, filling the cache').toBe(saveOnly);
        expect(await audit(image, format, { PYSHIP_CACHE_DIR: saveCache, PYSHIP_NO_STORE: '1' }), 'the cache filled by docker save').toBe(saveOnly);
      }
    }, 180_000);
  }

  it('an app image on a base read before', async () => {
    const ctx = mkdtempSync(join(tmpdir(), 'pyship-audit-cache-app-'));
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM python:3.13-trixie\nRUN echo x > /x\n');
    const built = spawnSync(docker, ['build', '-q', '--label', `${PYSHIP_LABEL}=audit-cache-e2e`, '-t', APP, ctx], { timeout: 300_000, encoding: 'utf8' });
    expect(built.status, built.stderr).toBe(0);
    const saveOnly = await audit(APP, 'json', { PYSHIP_NO_CACHE: '1', PYSHIP_NO_STORE: '1' });
    for (const store of [{}, { PYSHIP_NO_STORE: '1' }]) {
      const cache = mkdtempSync(join(tmpdir(), 'pyship-cache-'));
      await audit('python:3.13-trixie', 'json', { PYSHIP_CACHE_DIR: cache, ...store });
      expect(await audit(APP, 'json', { PYSHIP_CACHE_DIR: cache, ...store })).toBe(saveOnly);
    }
  }, 300_000);
});
