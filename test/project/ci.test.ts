// CI facts: workflows, GitLab jobs, scripts and Makefiles → builds, runs, linters, scanners, bots; positions map back.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { loadProject } from '../../src/project/project.js';
import type { Project } from '../../src/project/model.js';
import {
  buildCommands, lintersRun, runCommands, scannersRun,
} from '../../src/project/ci.js';
import { botCovers, dependencyBots } from '../../src/project/dependency-bots.js';
import { ciFacts, ciProblems } from '../../src/project/ci-jobs.js';
import { scalarText } from '../../src/project/yaml.js';

function project(files: Record<string, string>): Project {
  const dir = mkdtempSync(join(tmpdir(), 'pyship-ci-'));
  writeFileSync(join(dir, 'pyproject.toml'), '[project]\nname = "x"\n');
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), c);
  }
  return loadProject(dir, dir);
}

const at = (text: string, needle: string, from = 0): number => text.indexOf(needle, from);

describe('block scalars map back to file offsets', () => {
  const cases: [string, string][] = [
    ['literal', 'a:\n  run: |\n    echo one\n      indented two\n\n    echo three\n'],
    ['strip chomping', 'a:\n  run: |-\n    echo one\n    echo two\n'],
    ['keep chomping + comment', 'a:\n  run: |+ # c\n    echo one\n\n'],
    ['explicit indent', 'a:\n  run: |2\n      echo one\n    echo two\n'],
    ['CRLF', 'a:\r\n  run: |\r\n    echo one\r\n    echo two\r\n'],
    ['folded', 'a:\n  run: >\n    docker build\n    -t x .\n\n    echo y\n'],
    ['plain', 'a:\n  run: echo one\n'],
    ['double quoted', 'a:\n  run: "echo one"\n'],
  ];
  for (const [name, src] of cases) {
    it(name, () => {
      const doc = parseDocument(src);
      const node = (doc.get('a', true) as { get(k: string, keep: boolean): unknown }).get('run', true);
      const st = scalarText(src, node as never)!;
      const value = String((node as { value: unknown }).value).replace(/\r/g, ' ');
      // same text modulo trailing newlines (chomping) and folding's blank-line newlines
      expect(st.text.replace(/\s+$/, '').replace(/\n\n/g, '\n')).toBe(value.replace(/\s+$/, '').replace(/\n\n/g, '\n').replace(/\r/g, ' '));
      for (let i = 0; i < st.text.length; i++) {
        if (/\S/.test(st.text[i]!)) expect(src[st.offsets[i]!], `${name} char ${i}`).toBe(st.text[i]);
      }
    });
  }
});

describe('GitHub Actions', () => {
  const wf = `name: ci
on:
  push:
    branches: [main]
  pull_request:
  schedule:
    - cron: "0 3 * * 1"
  workflow_dispatch:
env:
  IMAGE: ghcr.io/acme/app
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Build
        run: |
          docker build --pull --no-cache \\
            -t "$IMAGE:\${{ github.sha }}" -t $IMAGE:latest \\
            --label org.opencontainers.image.revision=$GITHUB_SHA \\
            --build-arg PIP_TOKEN=\${{ secrets.PIP_TOKEN }} --build-arg MODE=prod \\
            --cache-from type=registry,ref=$IMAGE:cache --cache-to type=registry,ref=$IMAGE:cache,mode=max .
          docker run --rm $IMAGE:latest python -c "import app"
          docker push $IMAGE:latest
      - uses: docker/build-push-action@v6
        with:
          push: true
          tags: |
            ghcr.io/acme/app:latest
          cache-from: type=gha
          cache-to: type=gha,mode=max
      - uses: hadolint/hadolint-action@v3.1.0
      - run: pip-audit && bandit -r src
`;
  const p = project({ '.github/workflows/ci.yml': wf });

  it('reads triggers and jobs', () => {
    const [w] = ciFacts(p).workflows;
    expect(w!.triggers.push).toBe(true);
    expect(w!.triggers.pullRequest).toBe(true);
    expect(w!.triggers.workflowDispatch).toBe(true);
    expect(w!.triggers.schedule.map((s) => s.value)).toEqual(['0 3 * * 1']);
    expect(wf.slice(w!.triggers.schedule[0]!.span.start, w!.triggers.schedule[0]!.span.end)).toBe('"0 3 * * 1"');
    expect(w!.jobs.map((j) => j.id)).toEqual(['build']);
    expect(w!.jobs[0]!.scheduled).toBe(true);
    expect(w!.jobs[0]!.ephemeral).toBe(true);
    expect(w!.jobs[0]!.steps).toHaveLength(5);
  });

  it('parses docker build from a run block, with spans into the workflow', () => {
    const [b, action] = buildCommands(p).filter((x) => x.ci);
    expect(b!.tool).toBe('docker');
    expect(wf.slice(b!.span.start, b!.span.start + 12)).toBe('docker build');
    expect(b!.pull && b!.noCache).toBe(true);
    expect(b!.tags.map((t) => t.raw)).toEqual(['$IMAGE:${{ github.sha }}', '$IMAGE:latest']);
    expect(b!.tags[0]!.usesSha).toBe(true);
    expect(b!.tags[1]!.tag).toBe('latest');
    expect(wf.slice(b!.tags[1]!.span.start, b!.tags[1]!.span.end)).toBe('$IMAGE:latest');
    expect(b!.labels.map((l) => l.name)).toEqual(['org.opencontainers.image.revision']);
    const [tok, mode] = b!.buildArgs;
    expect(tok).toMatchObject({ name: 'PIP_TOKEN', secretRef: true, literal: false });
    expect(mode).toMatchObject({ name: 'MODE', secretRef: false, literal: true });
    expect(wf.slice(tok!.span.start, tok!.span.end)).toBe('PIP_TOKEN=${{ secrets.PIP_TOKEN }}');
    expect(b!.cacheFrom[0]).toMatchObject({ type: 'registry' });
    expect(b!.cacheTo[0]).toMatchObject({ type: 'registry', mode: 'max' });
    expect(b!.push).toBe(true); // the later docker push
    expect(action!.tool).toBe('action');
    expect(action!.push).toBe(true);
    expect(action!.tags.map((t) => t.tag)).toEqual(['latest']);
    expect(wf.slice(action!.tags[0]!.span.start, action!.tags[0]!.span.end)).toBe('ghcr.io/acme/app:latest');
    expect(action!.cacheTo[0]).toMatchObject({ type: 'gha', mode: 'max' });
  });

  it('finds runs, linters and scanners', () => {
    expect(runCommands(p).map((r) => r.tool)).toEqual(['docker-run']);
    expect(lintersRun(p).map((l) => l.tool)).toEqual(['hadolint']);
    expect(scannersRun(p).map((s) => `${s.tool}:${s.kind}`).sort()).toEqual(['bandit:code', 'pip-audit:deps']);
  });
});

describe('GitLab, scripts and Makefiles', () => {
  it('GitLab jobs, schedules and script lines', () => {
    const gl = `variables:
  DOCKER_BUILDKIT: "0"
build:
  script:
    - docker build -t $CI_REGISTRY_IMAGE:$CI_COMMIT_SHA .
    - docker push $CI_REGISTRY_IMAGE:$CI_COMMIT_SHA
weekly:
  rules:
    - if: $CI_PIPELINE_SOURCE == "schedule"
  script: docker build --pull --no-cache .
`;
    const p = project({ '.gitlab-ci.yml': gl });
    const jobs = ciFacts(p).workflows[0]!.jobs;
    expect(jobs.map((j) => [j.id, j.scheduled])).toEqual([['build', false], ['weekly', true]]);
    const [b, w] = buildCommands(p);
    expect(b!.tags[0]!.usesSha).toBe(true);
    expect(b!.push).toBe(true);
    expect(b!.buildkitDisabled).toBe(true);
    expect(gl.slice(b!.span.start, b!.span.end)).toBe('docker build -t $CI_REGISTRY_IMAGE:$CI_COMMIT_SHA .');
    expect(w!.job.scheduled && w!.noCache && w!.pull).toBe(true);
  });

  it('package runners are wrappers: `npx --yes pyship@1.2.0 build`, `node bin/pyship.js build` name the tool', () => {
    const wf = 'on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npx --yes pyship@1.2.0 check --format github\n      - run: npx -p pyship pyship build --fresh --image x\n      - run: bunx pyship build\n      - run: node bin/pyship.js build --image y\n';
    const p = project({ '.github/workflows/ci.yml': wf });
    const builds = buildCommands(p);
    expect(builds.map((b) => [b.tool, b.fresh])).toEqual([['pyship', true], ['pyship', false], ['pyship', false]]);
    expect(lintersRun(p).map((l) => l.tool)).toContain('pyship');
  });

  it('scripts run from CI count as CI; Makefile recipes map to lines', () => {
    const mk = 'IMAGE ?= app\n\nimage:\n\t@docker build -t $(IMAGE):$$(git rev-parse --short HEAD) \\\n\t\t--build-arg GIT_SHA=$$(git rev-parse HEAD) .\n\nlint:\n\thadolint Dockerfile\n';
    const p = project({
      'Makefile': mk,
      'scripts/build.sh': '#!/bin/sh\nset -e\nDOCKER_BUILDKIT=0 docker build -t app:latest .\n',
      '.github/workflows/ci.yml': 'on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make image lint\n      - run: ./scripts/build.sh\n',
    });
    const builds = buildCommands(p);
    const ci = builds.filter((b) => b.ci);
    expect(ci.map((b) => b.file)).toEqual(['Makefile', 'scripts/build.sh']);
    expect(ci[0]!.job.id).toBe('b');
    expect(mk.slice(ci[0]!.span.start, ci[0]!.span.start + 12)).toBe('docker build');
    expect(ci[0]!.tags[0]!.usesSha).toBe(true);
    expect(ci[0]!.buildArgs[0]!.name).toBe('GIT_SHA');
    expect(ci[1]!.buildkitDisabled).toBe(true);
    expect(builds.filter((b) => !b.ci).map((b) => b.file).sort()).toEqual(['Makefile', 'scripts/build.sh']);
    expect(lintersRun(p).filter((l) => l.ci).map((l) => l.tool)).toEqual(['hadolint']);
  });
});

describe('dependency bots and problems', () => {
  it('reads dependabot ecosystems and renovate', () => {
    const p = project({
      '.github/dependabot.yml': 'version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: "/"\n    schedule: {interval: monthly}\n  - package-ecosystem: github-actions\n    directory: /\n',
    });
    const [bot] = dependencyBots(p);
    expect(bot!.updates.map((u) => u.ecosystem.value)).toEqual(['pip', 'github-actions']);
    expect(botCovers(bot!, 'python', '')).toBe(true);
    expect(botCovers(bot!, 'python', 'backend')).toBe(false);
    expect(botCovers(bot!, 'docker')).toBe(false);
    const r = project({ 'renovate.json': '{"extends": ["config:recommended"]}' });
    expect(dependencyBots(r).map((b) => b.kind)).toEqual(['renovate']);
  });

  it('malformed YAML is a problem with a position, not a crash', () => {
    const bad = 'on: push\njobs:\n  b:\n    steps: [\n';
    const files: Record<string, string> = { '.github/workflows/x.yml': bad, '.github/dependabot.yml': 'updates: {: :\n' };
    const p = project(files);
    const probs = ciProblems(p);
    // each broken file is named, at the offending character, in a message that says which file
    expect([...new Set(probs.map((x) => x.file))]).toEqual(['.github/workflows/x.yml', '.github/dependabot.yml']);
    for (const x of probs) {
      expect(x.span.start).toBeGreaterThan(0);
      expect(x.span.start).toBeLessThanOrEqual(files[x.file]!.length);
      expect(x.span.end).toBeGreaterThanOrEqual(x.span.start);
      expect(x.message).toContain(`malformed YAML in ${x.file}`);
    }
    // the unclosed `[` is reported where its `]` is missing (the end), the stray `:` at itself
    expect(probs[0]!.span.start).toBe(bad.length);
    const bot = probs.find((x) => x.file === '.github/dependabot.yml')!;
    expect(files[bot.file]!.slice(bot.span.start, bot.span.end)).toBe(':');
    // what parses is still read (the job), and the facts built on it are empty, not a crash
    expect(ciFacts(p).workflows.map((w) => w.jobs.map((j) => j.id))).toEqual([['b']]);
    expect(buildCommands(p)).toEqual([]);
  });
});
