// `pyship init --pin-digest`: the base image's registry digest from the engine goes into the Dockerfile; without one
// (a locally built image that no registry knows) init refuses with a clear message instead of writing a guess.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/commands/io.js';
import { createEngine } from '../../src/engine/engine.js';
import type { Engine } from '../../src/engine/types.js';
import { checkFindings, fixtureRepo, init } from './helpers.js';

const DIGEST = `sha256:${'ab12'.repeat(16)}`;

/** An engine that answers `inspect` from a table and records `pull`s (nothing is run). */
function fakeEngine(digests: Record<string, string[]>, pullAdds?: Record<string, string[]>): Engine & { pulled: string[] } {
  const e = createEngine({ binary: 'docker', buildkit: true }) as Engine & { pulled: string[] };
  const known = new Map(Object.entries(digests));
  e.pulled = [];
  e.inspect = (ref: string) => (known.has(ref) ? [{ Id: 'sha256:x', RepoDigests: known.get(ref) }] : undefined);
  e.raw = (args: string[]) => {
    if (args[0] === 'pull') {
      e.pulled.push(args[1]!);
      if (pullAdds?.[args[1]!]) known.set(args[1]!, pullAdds[args[1]!]!);
      return { code: pullAdds?.[args[1]!] ? 0 : 1, stdout: '', stderr: 'pull access denied', timedOut: false };
    }
    return { code: 1, stdout: '', stderr: '', timedOut: false };
  };
  return e;
}

describe('pyship init --pin-digest', () => {
  it('writes the digest the engine knows into the base image, and the result still passes pyship check', async () => {
    const dir = fixtureRepo('pip-flask');
    const engine = fakeEngine({ 'python:3.14-slim-trixie': [`python@${DIGEST}`] });
    const run = await init(dir, { pinDigest: true }, { engine });
    expect(run.code, run.err).toBe(0);
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toContain(`ARG PYTHON_IMAGE=python:3.14-slim-trixie@${DIGEST}\n`);
    expect(engine.pulled).toEqual([]);
    expect(checkFindings(dir)).toEqual([]);
  });

  it('pulls the image when the engine has no digest for it yet', async () => {
    const dir = fixtureRepo('pip-flask');
    const engine = fakeEngine({ 'python:3.14-slim-trixie': [] }, { 'python:3.14-slim-trixie': [`docker.io/library/python@${DIGEST}`] });
    const run = await init(dir, { pinDigest: true }, { engine });
    expect(run.code, run.err).toBe(0);
    expect(engine.pulled).toEqual(['python:3.14-slim-trixie']);
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toContain(`@${DIGEST}\n`);
  });

  it('refuses, naming the image and a way out, when no registry digest can be had (and writes nothing)', async () => {
    const dir = fixtureRepo('pip-flask');
    const engine = fakeEngine({});
    await expect(init(dir, { pinDigest: true }, { engine })).rejects.toThrow(UsageError);
    await expect(init(dir, { pinDigest: true }, { engine })).rejects.toThrow(/no registry digest for python:3\.14-slim-trixie.*imagetools inspect/);
    expect(() => readFileSync(join(dir, 'Dockerfile'), 'utf8')).toThrow();
  });
});
