// e2e: pyship's own image (the repository's Dockerfile) built on a real engine, then judged by pyship itself (check of
// the Dockerfile, audit of the image) and used the way the README says: docker run --rm -v "$PWD:/src" pyship check /src.
// Offline, debian:trixie-slim comes from the offline-docker stand-in (offline/debian:trixie, passed as DEBIAN_IMAGE),
// and npm inside the build trusts this machine's CA bundle through the Dockerfile's optional `ca` secret.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit } from '../../src/commands/audit.js';
import { createEngine } from '../../src/engine/engine.js';
import type { Io } from '../../src/commands/io.js';
import { runCli } from '../helpers.js';
import { ROOT } from './stage.js';

const e2e = process.env.PYSHIP_E2E === '1';
const docker = process.env.PYSHIP_DOCKER || 'docker';
const engineUp = spawnSync(docker, ['info', '--format', '{{.ServerVersion}}'], { timeout: 15_000, stdio: 'ignore' }).status === 0;
/** pyship's Dockerfile uses cache and secret mounts: the client must build with BuildKit (the offline-docker --env). */
const buildkit = engineUp && createEngine().buildkit();
if (!engineUp && !e2e) console.warn("note: no container engine answers `docker info`: the e2e tests of pyship's own image are skipped (PYSHIP_E2E=1 makes them fail instead)");
else if (!buildkit && !e2e) console.warn("note: this docker client builds without BuildKit (no buildx plugin, DOCKER_BUILDKIT unset): the e2e tests of pyship's own image are skipped; source <(bash ../shared/tools/offline-docker/setup.sh --env) (PYSHIP_E2E=1 makes them fail instead)");

const TAG = `pyship-self-e2e:${process.pid}`;
const present = (ref: string) => spawnSync(docker, ['image', 'inspect', ref], { stdio: 'ignore', timeout: 30_000 }).status === 0;
const dockerRun = (args: string[]) => spawnSync(docker, ['run', '--rm', ...args], { encoding: 'utf8', timeout: 120_000 });

describe.runIf((engineUp && buildkit) || e2e)("pyship's own image (real engine)", () => {
  let built = false;

  beforeAll(() => {
    expect(engineUp, 'PYSHIP_E2E=1 but no container engine answers `docker info`').toBe(true);
    expect(buildkit, 'PYSHIP_E2E=1 but the docker client builds without BuildKit: source <(bash ../shared/tools/offline-docker/setup.sh --env)').toBe(true);
    const args = ['build', '-t', TAG, '--build-arg', 'GIT_COMMIT=e2e'];
    if (!present('debian:trixie-slim')) {
      console.warn('note: debian:trixie-slim is not here: building on the offline stand-in offline/debian:trixie');
      args.push('--build-arg', 'DEBIAN_IMAGE=offline/debian:trixie');
    }
    const ca = process.env.NODE_EXTRA_CA_CERTS ?? '/etc/ssl/certs/ca-certificates.crt';
    if (existsSync(ca)) args.push('--secret', `id=ca,src=${ca}`);
    const r = spawnSync(docker, [...args, ROOT], { encoding: 'utf8', timeout: 900_000, env: { ...process.env, DOCKER_BUILDKIT: '1' } });
    if (r.status !== 0) throw new Error(`docker build of pyship's Dockerfile failed:\n${(r.stdout + r.stderr).split('\n').slice(-40).join('\n')}`);
    built = true;
  }, 900_000);

  afterAll(() => {
    if (built) spawnSync(docker, ['rmi', '-f', TAG], { stdio: 'ignore', timeout: 60_000 });
  });

  it('its Dockerfile passes pyship check (but for what the repository lacks around it)', async () => {
    const r = await runCli(['check', 'Dockerfile', '--format', 'json'], ROOT);
    const codes = (JSON.parse(r.out).findings as { code: string }[]).map((f) => f.code);
    expect(codes, r.out).toEqual([]);
  });

  it('the image passes pyship audit', async () => {
    let out = '';
    const io: Io = { out: (t) => void (out += t), err: (t) => void (out += t), cwd: mkdtempSync(join(tmpdir(), 'pyship-self-audit-')), color: false };
    writeFileSync(join(io.cwd, 'pyship.toml'), '');
    const code = await runAudit(TAG, { format: 'text' }, io);
    expect(code, out).toBe(0);
  }, 120_000);

  it('docker run --rm -v "$PWD:/src" pyship check /src: findings and exit 1 on the naive example, read-only mount', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pyship-self-src-'));
    cpSync(join(ROOT, 'examples', 'naive'), dir, { recursive: true });
    chmodSync(dir, 0o755); // mkdtemp makes it 0700: the image's user 10001 reads the mount like any other user
    const r = dockerRun(['-v', `${dir}:/src:ro`, TAG, 'check', '/src', '--format', 'json']);
    expect(r.status, r.stderr).toBe(1);
    const codes = (JSON.parse(r.stdout).findings as { code: string; file: string }[]).map((f) => f.code);
    expect(codes).toEqual(expect.arrayContaining(['REP001', 'SEC001', 'OPS003', 'REP004']));
    // no command: it checks /src
    const plain = dockerRun(['-v', `${dir}:/src:ro`, TAG]);
    expect(plain.status).toBe(1);
    expect(plain.stdout).toContain('REP001');
  });

  it('runs pyship under tini as a non-root user, labelled, with ShellCheck', () => {
    const version = dockerRun([TAG, '--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const inspect = JSON.parse(spawnSync(docker, ['image', 'inspect', TAG], { encoding: 'utf8' }).stdout)[0];
    expect(inspect.Config.Entrypoint).toEqual(['tini', '--', 'pyship']);
    expect(inspect.Config.User).toBe('10001');
    expect(inspect.Config.Labels['org.opencontainers.image.revision']).toBe('e2e');
    expect(inspect.Config.Labels['org.opencontainers.image.source']).toMatch(/^https:\/\//);
    expect(dockerRun(['--entrypoint', 'id', TAG, '-u']).stdout.trim()).toBe('10001');
    expect(dockerRun(['--entrypoint', 'shellcheck', TAG, '--version']).status).toBe(0);
  });
});
