// `pyship build` through the CLI: wiring, exit codes (2 on usage errors and when no engine answers), --help.
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { captureIo, project } from './helpers.js';

const SINGLE = 'FROM python:3.13-slim-trixie\nCMD ["python", "-c", "print(1)"]\n';

async function cli(args: string[], cwd: string) {
  const io = captureIo(cwd);
  const code = await main(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('pyship build (CLI)', () => {
  const saved = process.env.PYSHIP_DOCKER;
  afterEach(() => {
    if (saved === undefined) delete process.env.PYSHIP_DOCKER;
    else process.env.PYSHIP_DOCKER = saved;
  });

  it('--dry-run prints the commands and exits 0', async () => {
    process.env.PYSHIP_DOCKER = '/nonexistent/docker';
    const dir = project({ Dockerfile: SINGLE });
    const r = (await cli(['build', '--dry-run', '--image', 'acme/app', '--tag', 'v1', '--fresh'], dir));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^\/nonexistent\/docker build -t acme\/app:local -t acme\/app:v1 --label org\.opencontainers\.image\.created=\S+ --build-arg BUILDKIT_INLINE_CACHE=1 --pull --no-cache \.\n$/);
  });

  it('exit 2 with a clear message when no engine answers', async () => {
    process.env.PYSHIP_DOCKER = '/nonexistent/docker';
    const r = (await cli(['build', '--image', 'acme/app'], project({ Dockerfile: SINGLE })));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/pyship: no container engine answered: `\/nonexistent\/docker version` failed: .*not found/);
  });

  it('exit 2 on usage errors', async () => {
    process.env.PYSHIP_DOCKER = '/nonexistent/docker';
    const dir = project({ Dockerfile: SINGLE });
    expect((await cli(['build', '--dry-run'], dir))).toMatchObject({ code: 2, err: expect.stringMatching(/no image name/) });
    expect((await cli(['build', '--dry-run', '--image', 'acme/app:latest', '--push'], dir))).toMatchObject({ code: 2, err: expect.stringMatching(/refusing to push/) });
    expect((await cli(['build', '--dry-run', '--engine', 'rkt', '--image', 'a'], dir)).code).toBe(2);
  });

  it('--help lists the flags', async () => {
    const r = (await cli(['build', '--help'], project({})));
    expect(r.code).toBe(0);
    for (const flag of ['--image', '--tag', '--secret', '--ssh', '--fresh', '--push', '--dry-run', '--no-verify', '--base']) expect(r.out).toContain(flag);
  });
});
