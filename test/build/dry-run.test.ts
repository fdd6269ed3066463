// Golden tests of `pyship build --dry-run`: the exact engine commands for tags, labels, cache, secrets, --fresh, --push, --base.
import { describe, expect, it } from 'vitest';
import { runBuild, type BuildFlags } from '../../src/commands/build.js';
import { createEngine } from '../../src/engine/engine.js';
import type { Engine } from '../../src/engine/types.js';
import type { GitRunner } from '../../src/build/git.js';
import { UsageError } from '../../src/commands/io.js';
import { captureIo, fakeGit, NOW, project } from './helpers.js';

const SINGLE = 'FROM python:3.13-slim-trixie\nCMD ["python", "-c", "print(1)"]\n';
const MULTI = 'FROM python:3.13-slim-trixie AS build\nRUN pip wheel -w /w flask\nFROM python:3.13-slim-trixie\nCOPY --from=build /w /w\n';
const PYPROJECT = '[project]\nname = "app"\nversion = "1.4.0"\n\n[tool.pyship]\nimage = "registry.example.com/acme/app"\n';

const LABELS = [
  '--label git-branch=main',
  '--label git-commit=0123456789abcdef0123456789abcdef01234567',
  '--label org.opencontainers.image.created=2025-03-04T05:06:07Z',
  '--label org.opencontainers.image.ref.name=main',
  '--label org.opencontainers.image.revision=0123456789abcdef0123456789abcdef01234567',
  '--label org.opencontainers.image.source=https://github.com/acme/app.git',
  '--label org.opencontainers.image.version=1.4.0',
].join(' ');

function engine(buildx = false, existing: string[] = []): Engine {
  const e = createEngine({ binary: 'docker', buildx, buildkit: true });
  e.inspect = (ref: string) => (existing.includes(ref) ? { Id: 'sha256:x', Size: 1 } : undefined);
  return e;
}

async function dry(files: Record<string, string>, flags: BuildFlags = {}, opts: { git?: GitRunner; buildx?: boolean; existing?: string[]; context?: string } = {}) {
  const dir = project(files);
  const io = captureIo(dir);
  const code = await runBuild(opts.context, { dryRun: true, ...flags }, io, {
    engine: engine(opts.buildx, opts.existing), git: opts.git ?? fakeGit(), now: () => NOW, env: {},
  });
  return { code, out: io.stdout(), err: io.stderr(), dir };
}

describe('pyship build --dry-run (golden)', () => {
  it('tags branch + short sha, OCI labels as --label, cache from branch and production, inline cache', async () => {
    const r = (await dry({ Dockerfile: SINGLE, 'pyproject.toml': PYPROJECT }));
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      'docker build -t registry.example.com/acme/app:main -t registry.example.com/acme/app:0123456 ' + LABELS +
      ' --build-arg BUILDKIT_INLINE_CACHE=1 --cache-from registry.example.com/acme/app:main' +
      ' --cache-from registry.example.com/acme/app:production .\n',
    );
    expect(r.out).not.toContain('--build-arg GIT');
  });

  it('sanitizes branch names, strips credentials from the source, --tag and --image tag add tags, version falls back to the sha', async () => {
    const git = fakeGit({ branch: 'Feature/JIRA-12_Login!x', remote: 'https://ci:s3cret@gitlab.example.com/acme/app' });
    const r = (await dry({ Dockerfile: SINGLE }, { image: 'acme/app:v2', tag: ['stable'] }, { git }));
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      'docker build -t acme/app:feature-jira-12_login-x -t acme/app:0123456 -t acme/app:v2 -t acme/app:stable' +
      " --label 'git-branch=Feature/JIRA-12_Login!x'" +
      ' --label git-commit=0123456789abcdef0123456789abcdef01234567' +
      ' --label org.opencontainers.image.created=2025-03-04T05:06:07Z' +
      " --label 'org.opencontainers.image.ref.name=Feature/JIRA-12_Login!x'" +
      ' --label org.opencontainers.image.revision=0123456789abcdef0123456789abcdef01234567' +
      ' --label org.opencontainers.image.source=https://gitlab.example.com/acme/app' +
      ' --label org.opencontainers.image.version=0123456' +
      ' --build-arg BUILDKIT_INLINE_CACHE=1 --cache-from acme/app:feature-jira-12_login-x --cache-from acme/app:production .\n',
    );
    expect(r.out).not.toContain('s3cret');
  });

  it('ssh remotes become https; production-tag from config; secrets, ssh, build args and labels pass through', async () => {
    const git = fakeGit({ branch: 'dev', remote: 'git@github.com:acme/app.git' });
    const r = (await dry(
      { Dockerfile: SINGLE, 'pyship.toml': 'image = "acme/app"\nproduction-tag = "prod"\n' },
      { secret: ['id=pip,src=pip.conf'], ssh: ['default'], buildArg: ['PY=3.13'], label: ['team=web'] },
      { git },
    ));
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      'docker build -t acme/app:dev -t acme/app:0123456' +
      ' --label git-branch=dev --label git-commit=0123456789abcdef0123456789abcdef01234567' +
      ' --label org.opencontainers.image.created=2025-03-04T05:06:07Z --label org.opencontainers.image.ref.name=dev' +
      ' --label org.opencontainers.image.revision=0123456789abcdef0123456789abcdef01234567' +
      ' --label org.opencontainers.image.source=https://github.com/acme/app --label org.opencontainers.image.version=0123456' +
      ' --label team=web --build-arg PY=3.13 --build-arg BUILDKIT_INLINE_CACHE=1' +
      ' --cache-from acme/app:dev --cache-from acme/app:prod --secret id=pip,src=pip.conf --ssh default .\n',
    );
  });

  it('--fresh is --pull --no-cache (and drops --cache-from)', async () => {
    const r = (await dry({ Dockerfile: SINGLE, 'pyproject.toml': PYPROJECT }, { fresh: true }));
    expect(r.out).toBe(
      'docker build -t registry.example.com/acme/app:main -t registry.example.com/acme/app:0123456 ' + LABELS +
      ' --build-arg BUILDKIT_INLINE_CACHE=1 --pull --no-cache .\n',
    );
  });

  it('multi-stage: builds and tags the build stage with --target and uses it as cache', async () => {
    const r = (await dry({ Dockerfile: MULTI, 'pyproject.toml': PYPROJECT }));
    expect(r.out.split('\n')).toEqual([
      'docker build -t registry.example.com/acme/app:main-build ' + LABELS +
        ' --build-arg BUILDKIT_INLINE_CACHE=1 --cache-from registry.example.com/acme/app:main-build --target build .',
      'docker build -t registry.example.com/acme/app:main -t registry.example.com/acme/app:0123456 ' + LABELS +
        ' --build-arg BUILDKIT_INLINE_CACHE=1 --cache-from registry.example.com/acme/app:main' +
        ' --cache-from registry.example.com/acme/app:production --cache-from registry.example.com/acme/app:main-build .',
      '',
    ]);
  });

  it('multi-stage with an unnamed first stage: a note, no --target', async () => {
    const r = (await dry({ Dockerfile: MULTI.replace(' AS build', '').replace('--from=build', '--from=0'), 'pyproject.toml': PYPROJECT }));
    expect(r.out.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/first stage has no name/);
  });

  it('--push without buildx: build, then docker push of every tag (build stage too)', async () => {
    const r = (await dry({ Dockerfile: MULTI, 'pyproject.toml': PYPROJECT }, { push: true }));
    const lines = r.out.trim().split('\n');
    expect(lines.slice(2)).toEqual([
      'docker push registry.example.com/acme/app:main-build',
      'docker push registry.example.com/acme/app:main',
      'docker push registry.example.com/acme/app:0123456',
    ]);
    expect(lines[1]).not.toContain('--push');
  });

  it('--push with buildx: buildx build --push, registry cache with mode=max', async () => {
    const r = (await dry({ Dockerfile: SINGLE, 'pyproject.toml': PYPROJECT }, { push: true }, { buildx: true }));
    expect(r.out).toBe(
      'docker buildx build -t registry.example.com/acme/app:main -t registry.example.com/acme/app:0123456 ' + LABELS +
      ' --cache-from registry.example.com/acme/app:main --cache-from registry.example.com/acme/app:production' +
      ' --cache-from type=registry,ref=registry.example.com/acme/app:main-cache' +
      ' --cache-to type=registry,ref=registry.example.com/acme/app:main-cache,mode=max --push .\n',
    );
  });

  it('buildx without --push: --cache-to type=inline instead of the build arg', async () => {
    const r = (await dry({ Dockerfile: SINGLE, 'pyproject.toml': PYPROJECT }, {}, { buildx: true }));
    expect(r.out).toContain(' --cache-to type=inline .\n');
    expect(r.out).not.toContain('BUILDKIT_INLINE_CACHE');
  });

  it('refuses to push when the only tag would be latest', async () => {
    const git = fakeGit({ repo: false });
    await expect(dry({ Dockerfile: SINGLE }, { image: 'acme/app:latest', push: true }, { git })).rejects.toThrow(UsageError);
    await expect(dry({ Dockerfile: SINGLE }, { image: 'acme/app', tag: ['latest'], push: true }, { git })).rejects.toThrow(/refusing to push/);
    // with a real tag it is fine
    expect((await dry({ Dockerfile: SINGLE }, { image: 'acme/app', tag: ['latest', 'v1'], push: true }, { git })).code).toBe(0);
  });

  it('outside git: tag local only, no revision label, a note', async () => {
    const r = (await dry({ Dockerfile: SINGLE }, { image: 'acme/app' }, { git: fakeGit({ repo: false }) }));
    expect(r.out).toBe(
      'docker build -t acme/app:local --label org.opencontainers.image.created=2025-03-04T05:06:07Z' +
      ' --build-arg BUILDKIT_INLINE_CACHE=1 --cache-from acme/app:local --cache-from acme/app:production .\n',
    );
    expect(r.err).toMatch(/not a git repository/);
  });

  it('context and -f are passed as given, relative to the working directory', async () => {
    const r = (await dry({ 'svc/Dockerfile.prod': SINGLE, 'svc/x': '' }, { image: 'acme/app', file: 'svc/Dockerfile.prod' }, { context: 'svc' }));
    expect(r.out).toMatch(/^docker build -f svc\/Dockerfile\.prod -t acme\/app:main /);
    expect(r.out).toMatch(/ svc\n$/);
  });

  it('usage errors: no image name, missing Dockerfile, bad label', async () => {
    await expect(dry({ Dockerfile: SINGLE })).rejects.toThrow(/no image name/);
    await expect(dry({ 'pyproject.toml': PYPROJECT })).rejects.toThrow(/no Dockerfile/);
    await expect(dry({ Dockerfile: SINGLE }, { image: 'Acme/App' })).rejects.toThrow(/invalid image name/);
    await expect(dry({ Dockerfile: SINGLE }, { image: 'acme/app', label: ['novalue'] })).rejects.toThrow(/KEY=VALUE/);
  });
});

describe('pyship build --base --dry-run (golden)', () => {
  const BASE = 'FROM python:3.13-slim-trixie\nRUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*\n';

  it('tags BASE:<date> and BASE:latest-base, labels BASE_BUILT, always pulls', async () => {
    const r = (await dry({ 'Dockerfile.base': BASE, 'pyproject.toml': PYPROJECT }, { base: true }));
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      'docker build -f Dockerfile.base -t registry.example.com/acme/app-base:2025-03-04 -t registry.example.com/acme/app-base:latest-base' +
      ' --label BASE_BUILT=2025-03-04 --label git-branch=main --label git-commit=0123456789abcdef0123456789abcdef01234567' +
      ' --label org.opencontainers.image.created=2025-03-04T05:06:07Z --label org.opencontainers.image.ref.name=main' +
      ' --label org.opencontainers.image.revision=0123456789abcdef0123456789abcdef01234567' +
      ' --label org.opencontainers.image.source=https://github.com/acme/app.git --label org.opencontainers.image.version=0123456' +
      ' --build-arg BUILDKIT_INLINE_CACHE=1 --cache-from registry.example.com/acme/app-base:latest-base --pull .\n',
    );
  });

  it('never overwrites an existing dated tag: -2, -3 …; base-dockerfile and --base-image', async () => {
    const r = (await dry(
      { 'docker/base.Dockerfile': BASE, 'pyship.toml': 'base-dockerfile = "docker/base.Dockerfile"\n' },
      { base: true, baseImage: 'acme/py-base', fresh: true, push: true },
      { existing: ['acme/py-base:2025-03-04', 'acme/py-base:2025-03-04-2'] },
    ));
    expect(r.out.trim().split('\n')).toEqual([
      'docker build -f docker/base.Dockerfile -t acme/py-base:2025-03-04-3 -t acme/py-base:latest-base' +
        ' --label BASE_BUILT=2025-03-04 --label git-branch=main --label git-commit=0123456789abcdef0123456789abcdef01234567' +
        ' --label org.opencontainers.image.created=2025-03-04T05:06:07Z --label org.opencontainers.image.ref.name=main' +
        ' --label org.opencontainers.image.revision=0123456789abcdef0123456789abcdef01234567' +
        ' --label org.opencontainers.image.source=https://github.com/acme/app.git --label org.opencontainers.image.version=0123456' +
        ' --build-arg BUILDKIT_INLINE_CACHE=1 --pull --no-cache .',
      'docker push acme/py-base:2025-03-04-3',
      'docker push acme/py-base:latest-base',
    ]);
  });

  it('--base without a name or without Dockerfile.base is a usage error', async () => {
    await expect(dry({ 'Dockerfile.base': BASE }, { base: true })).rejects.toThrow(/no base image name/);
    await expect(dry({ Dockerfile: SINGLE }, { base: true, image: 'acme/app' })).rejects.toThrow(/no base Dockerfile/);
  });
});

describe('pyship build: smoke flags', () => {
  it('a malformed --smoke-env or --smoke-network is a usage error before anything is built', async () => {
    await expect(dry({ Dockerfile: SINGLE, 'pyproject.toml': PYPROJECT }, { smokeEnv: ['NOEQUALS'] })).rejects.toThrow(UsageError);
    await expect(dry({ Dockerfile: SINGLE, 'pyproject.toml': PYPROJECT }, { smokeNetwork: 'host' })).rejects.toThrow(UsageError);
    expect((await dry({ Dockerfile: SINGLE, 'pyproject.toml': PYPROJECT }, { smokeEnv: ['BROKER=redis://r:6379/0'], smokeNetwork: 'net' })).code).toBe(0);
  });

  it('--smoke-env and --smoke-network reach the verification of the new image', async () => {
    const dir = project({ Dockerfile: SINGLE, 'pyproject.toml': PYPROJECT });
    const io = captureIo(dir);
    const e = engine(false, []);
    e.build = () => ({ code: 0, stdout: '', stderr: '', timedOut: false });
    let seen: { env?: Record<string, string>; network?: string } = {};
    const verify = async (_e: Engine, _image: string, opts: { env?: Record<string, string>; network?: string }) => {
      seen = { env: opts.env, network: opts.network };
      return { findings: [], notes: [], problems: [] };
    };
    const code = await runBuild(undefined, { smokeEnv: ['A=1', 'B=x=y'], smokeNetwork: 'brokers' }, io, { engine: e, git: fakeGit(), now: () => NOW, env: {}, verify });
    expect(code).toBe(0);
    expect(seen).toEqual({ env: { A: '1', B: 'x=y' }, network: 'brokers' });
  });
});

describe('pyship build: BuildKit syntax without BuildKit', () => {
  const MOUNT = 'FROM python:3.13-slim-trixie\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask\n';
  it('says which line needs BuildKit and how to get it, instead of the legacy builder\'s parse error', async () => {
    const dir = project({ Dockerfile: MOUNT, 'pyproject.toml': PYPROJECT });
    const io = captureIo(dir);
    const legacy = createEngine({ binary: 'docker', buildx: false, buildkit: false });
    const run = runBuild(undefined, { dryRun: true }, io, { engine: legacy, git: fakeGit(), now: () => NOW, env: {} });
    await expect(run).rejects.toThrow(/Dockerfile:2 uses RUN --mount, which needs BuildKit.*docker-buildx/);
  });

  it('plain Dockerfiles build with the legacy builder as before', async () => {
    const dir = project({ Dockerfile: SINGLE, 'pyproject.toml': PYPROJECT });
    const io = captureIo(dir);
    const legacy = createEngine({ binary: 'docker', buildx: false, buildkit: false });
    expect(await runBuild(undefined, { dryRun: true }, io, { engine: legacy, git: fakeGit(), now: () => NOW, env: {} })).toBe(0);
  });
});
