// The engine module without a real engine: argv building, binary resolution, errors, labels and cleanup (with a fake binary).
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildArgs, createEngine, resolveBinary, runArgs } from '../../src/engine/engine.js';
import { EngineUnavailableError, PYSHIP_LABEL, type BuildRequest } from '../../src/engine/types.js';

const REQ: BuildRequest = {
  context: '.',
  dockerfile: 'docker/Dockerfile',
  tags: ['app:main', 'app:abc1234'],
  labels: { 'z.last': '1', 'a.first': 'two words' },
  buildArgs: { PY: '3.13' },
  cacheFrom: ['app:main', 'app:production'],
  cacheTo: ['type=inline'],
  inlineCache: true,
  target: 'build',
  secrets: ['id=pip,src=pip.conf'],
  ssh: ['default'],
  pull: true,
  noCache: true,
  push: true,
};

/** A fake engine binary: logs its argv (one line per call) and answers a few commands. */
function fakeBinary(script = ''): { bin: string; log: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pyship-fake-engine-'));
  const log = join(dir, 'log');
  const bin = join(dir, 'docker');
  writeFileSync(bin, `#!/bin/sh
printf '%s\\n' "$*" >> '${log}'
${script}
case "$1" in
  version) echo '{"Client":{"Version":"99.0"},"Server":{"Version":"99.1"}}' ;;
  run) echo c0ffee ;;
  buildx) exit 1 ;;
esac
exit 0
`);
  chmodSync(bin, 0o755);
  return { bin, log };
}

describe('buildArgs', () => {
  it('classic builder: build, -f, -t per tag, sorted labels, build args, inline cache arg, no --cache-to/--push, context last', () => {
    expect(buildArgs(REQ, false)).toEqual([
      'build', '-f', 'docker/Dockerfile', '-t', 'app:main', '-t', 'app:abc1234',
      '--label', 'a.first=two words', '--label', 'z.last=1',
      '--build-arg', 'PY=3.13', '--build-arg', 'BUILDKIT_INLINE_CACHE=1',
      '--cache-from', 'app:main', '--cache-from', 'app:production',
      '--target', 'build', '--secret', 'id=pip,src=pip.conf', '--ssh', 'default', '--pull', '--no-cache', '.',
    ]);
  });

  it('buildx: buildx build, --cache-to and --push, no inline-cache build arg', () => {
    const args = buildArgs(REQ, true);
    expect(args.slice(0, 2)).toEqual(['buildx', 'build']);
    expect(args).toContain('--cache-to');
    expect(args).not.toContain('BUILDKIT_INLINE_CACHE=1');
    expect(args.slice(-2)).toEqual(['--push', '.']);
  });

  it('engine.buildArgv prefixes the binary; podman never uses buildx', () => {
    expect(createEngine({ binary: 'docker', buildx: false }).buildArgv(REQ)[0]).toBe('docker');
    const podman = createEngine({ engine: 'podman', binary: 'podman', buildx: true });
    expect(podman.kind).toBe('podman');
    expect(podman.buildArgv(REQ).slice(0, 2)).toEqual(['podman', 'build']);
    expect(podman.buildkit()).toBe(false);
  });
});

describe('runArgs', () => {
  it('labels the container, names it, publishes on loopback only, hardening flags, image then command', () => {
    expect(runArgs({
      image: 'app:main', cmd: ['python', '-c', 'print(1)'], env: { PORT: '8123' }, ports: { 8000: 0, 9000: 19000 },
      capDrop: ['ALL'], securityOpt: ['no-new-privileges'], user: '10001', readOnly: true, tmpfs: ['/tmp'], init: true, detach: true,
    }, 'run1', 'pyship-run1-0')).toEqual([
      'run', '--label', `${PYSHIP_LABEL}=run1`, '--name', 'pyship-run1-0', '--detach',
      '--env', 'PORT=8123', '--publish', '127.0.0.1::8000', '--publish', '127.0.0.1:19000:9000',
      '--cap-drop=ALL', '--security-opt', 'no-new-privileges', '--user', '10001', '--read-only', '--tmpfs', '/tmp', '--init',
      'app:main', 'python', '-c', 'print(1)',
    ]);
    expect(runArgs({ image: 'x', detach: false }, 'r', 'n')).toContain('--rm');
  });
});

describe('resolveBinary', () => {
  it('opts.binary, then PYSHIP_DOCKER, then docker/podman on PATH', () => {
    expect(resolveBinary({ binary: '/opt/x/podman', env: {} })).toEqual({ kind: 'podman', binary: '/opt/x/podman' });
    expect(resolveBinary({ env: { PYSHIP_DOCKER: '/usr/bin/docker' } })).toEqual({ kind: 'docker', binary: '/usr/bin/docker' });
    const { bin } = fakeBinary();
    expect(resolveBinary({ env: { PATH: join(bin, '..') } })).toEqual({ kind: 'docker', binary: 'docker' });
    expect(resolveBinary({ env: { PATH: '/nonexistent' } }).binary).toBe('docker');
    expect(resolveBinary({ engine: 'podman', env: { PATH: '/nonexistent' } })).toEqual({ kind: 'podman', binary: 'podman' });
  });
});

describe('version()', () => {
  it('throws EngineUnavailableError naming the binary and what it said', () => {
    const missing = createEngine({ binary: '/nonexistent/docker' });
    expect(() => missing.version()).toThrow(EngineUnavailableError);
    expect(() => missing.version()).toThrow(/\/nonexistent\/docker.*not found/);
    const { bin } = fakeBinary(`[ "$1" = version ] && { echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock' >&2; exit 1; }`);
    expect(() => createEngine({ binary: bin }).version()).toThrow(/Cannot connect to the Docker daemon/);
  });

  it('reads client and server versions', () => {
    const { bin } = fakeBinary();
    expect(createEngine({ binary: bin }).version()).toEqual({ client: '99.0', server: '99.1' });
  });
});

describe('buildkit()', () => {
  it('DOCKER_BUILDKIT=1 in the environment, else buildx present', () => {
    const { bin } = fakeBinary();
    expect(createEngine({ binary: bin, env: { DOCKER_BUILDKIT: '1' } }).buildkit()).toBe(true);
    expect(createEngine({ binary: bin, env: { DOCKER_BUILDKIT: '0' } }).buildkit()).toBe(false);
    expect(createEngine({ binary: bin, env: {} }).buildkit()).toBe(false); // fake buildx exits 1
  });
});

describe('run() and cleanup()', () => {
  it('labels every container and removes the detached ones on cleanup', () => {
    const { bin, log } = fakeBinary();
    const e = createEngine({ binary: bin });
    const r = e.run({ image: 'app', detach: true });
    expect(r.stdout.trim()).toBe('c0ffee');
    e.run({ image: 'app', detach: false, cmd: ['true'] });
    e.cleanup();
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    expect(calls[0]).toMatch(new RegExp(`^run --label ${PYSHIP_LABEL}=${e.runId} --name pyship-${e.runId}-0 --detach app$`));
    expect(calls[1]).toMatch(/^run .* --rm app true$/);
    // only the detached one is left to remove
    expect(calls.slice(2)).toEqual([`rm --force --volumes pyship-${e.runId}-0`]);
    e.cleanup();
    expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it('a run that times out is killed and its container removed', () => {
    const { bin, log } = fakeBinary(`[ "$1" = run ] && sleep 5`);
    const e = createEngine({ binary: bin });
    const t0 = Date.now();
    const r = e.run({ image: 'app', detach: false }, { timeoutMs: 300 });
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(r.timedOut).toBe(true);
    expect(readFileSync(log, 'utf8')).toContain(`rm --force --volumes pyship-${e.runId}-0`);
  });
});

describe('save()', () => {
  it('streams stdout of `save IMAGE`, and errors when the command fails', async () => {
    const { bin } = fakeBinary(`[ "$1" = save ] && { [ "$2" = good ] && { printf 'TARDATA'; exit 0; }; echo 'no such image' >&2; exit 1; }`);
    const e = createEngine({ binary: bin });
    const chunks: Buffer[] = [];
    for await (const c of e.save('good')) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('TARDATA');
    await expect((async () => {
      for await (const _ of e.save('bad')) void _;
    })()).rejects.toThrow(/no such image/);
  });
});
