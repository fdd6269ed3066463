// CI: lint with pyship, build with `pyship build` (tags :<branch> and :<sha>, labels, warm cache, then audit and smoke),
// scan code and image, push from the main branch, and rebuild from a fresh base every week.
import type { TemplateSpec } from './spec.js';
import { BROKERS } from './compose.js';
import { smokeFlags } from './smoke-env.js';

const scanPaths = '--exclude ./.venv,./venv,./tests';

/**
 * A Celery worker is healthy only when it answers a ping through its broker: CI starts a throwaway broker on a network
 * first, and `pyship build` smoke-tests the new image there (--smoke-network, --smoke-env CELERY_BROKER_URL).
 */
const SMOKE_NETWORK = 'pyship-smoke';
function brokerSetup(s: TemplateSpec): { commands: string[]; flags: string } | undefined {
  if (s.role !== 'worker' || !s.broker) return undefined;
  const b = BROKERS[s.broker];
  return {
    commands: [`docker network create ${SMOKE_NETWORK}`, `docker run --detach --rm --name broker --network ${SMOKE_NETWORK} ${b.image}`],
    flags: ` --smoke-network ${SMOKE_NETWORK} --smoke-env CELERY_BROKER_URL=${b.url}`,
  };
}

/** The triggers' paths filter and the steps' working directory when the project is `sub` below the repository root. */
function githubSub(sub: string): { paths: string; defaults: string } {
  if (!sub) return { paths: '', defaults: '' };
  const paths = `\n    paths: [${JSON.stringify(`${sub}/**`)}, ".github/workflows/docker.yml"]`;
  return { paths, defaults: `\n# the project is in ${sub}/: every run step starts there\ndefaults:\n  run:\n    working-directory: ${sub}\n` };
}

/** Beside the project's own Dockerfile (no production image), CI builds and lints pyship's: `--file Dockerfile.pyship`. */
function ownDockerfile(s: TemplateSpec): { file: string; only: string } {
  if (!s.dockerfile || s.dockerfile === 'Dockerfile') return { file: '', only: '' };
  return { file: ` --file ${s.dockerfile}`, only: ` ${s.dockerfile}` };
}

/** `sub`: the project directory below the repository root ('' when it is the root). */
export function githubWorkflow(s: TemplateSpec, sub = ''): string {
  const where = githubSub(sub);
  const px = `npx --yes pyship@${s.pyshipVersion}`;
  const { file, only } = ownDockerfile(s);
  const broker = brokerSetup(s);
  // throwaway values for what the app cannot import without (never a real secret)
  const smoke = `${broker?.flags ?? ''}${smokeFlags(s.environment)}`;
  const brokerStep = broker ? `      - name: Start a throwaway broker for the worker's smoke test (its HEALTHCHECK pings it through the broker)
        run: |
${broker.commands.map((c) => `          ${c}`).join('\n')}
` : '';
  return `# Written by pyship init. Lints, builds (tags :<branch> and :<sha>, git labels, warm cache), audits and smoke-tests
# the image, scans it and pushes it from main. Every Monday it rebuilds from a fresh base without cache.
name: docker

on:
  push:
    branches: [main]${where.paths}
  pull_request:${where.paths}
  schedule:
    - cron: "17 4 * * 1"
  workflow_dispatch:

permissions:
  contents: read
  packages: write
${where.defaults}
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Image name (registries want it lowercase)
        run: echo "IMAGE=ghcr.io/\${GITHUB_REPOSITORY,,}" >> "$GITHUB_ENV"
      - uses: actions/setup-node@v4
        with:
          node-version: 22
      - name: Lint the Dockerfile and the project
        run: ${px} check --format github${only}
      - name: Scan the code for security problems
        run: pipx run bandit --recursive --severity-level medium ${scanPaths} .
      - name: Log in to the registry
        if: github.event_name != 'pull_request'
        uses: docker/login-action@v3
        with:
          registry: ghcr.io
          username: \${{ github.actor }}
          password: \${{ secrets.GITHUB_TOKEN }}
${brokerStep}      - name: Build, audit and smoke-test the image
        if: github.event_name != 'schedule'
        run: ${px} build${file} --image "$IMAGE" --tag "\${{ github.sha }}"${smoke}
      - name: Weekly rebuild from a fresh base, without cache
        if: github.event_name == 'schedule'
        run: ${px} build${file} --fresh --image "$IMAGE" --tag "\${{ github.sha }}"${smoke}
      - name: Scan the image for known vulnerabilities
        uses: aquasecurity/trivy-action@0.28.0
        with:
          image-ref: \${{ env.IMAGE }}:\${{ github.sha }}
          exit-code: "1"
          ignore-unfixed: true
          severity: CRITICAL,HIGH
      - name: Push
        if: github.event_name != 'pull_request' && github.ref == 'refs/heads/main'
        run: ${px} build${file} --image "$IMAGE" --tag "\${{ github.sha }}" --no-verify --push
`;
}

/** `sub`: the project directory below the repository root ('' when it is the root). */
export function gitlabCi(s: TemplateSpec, sub = ''): string {
  const px = `npx --yes pyship@${s.pyshipVersion}`;
  const { file, only } = ownDockerfile(s);
  const broker = brokerSetup(s);
  // below the root: each job starts in the project directory; pipelines run for changes there (and schedules)
  const cd = sub ? `\n    - cd ${sub}` : '';
  const workflow = sub ? `\nworkflow:\n  rules:\n    - if: $CI_PIPELINE_SOURCE == "schedule"\n    - changes: [${JSON.stringify(`${sub}/**/*`)}, .gitlab-ci.yml]\n` : '';
  /** Build (with --fresh for the weekly rebuild), audit and smoke; a worker is smoke-tested next to a throwaway broker. */
  const verified = (fresh: string, push = ''): string => [...(sub ? [`cd ${sub}`] : []), ...(broker?.commands ?? []), `${px} build${file}${fresh} --image "$IMAGE" --tag "$CI_COMMIT_SHA"${broker?.flags ?? ''}${smokeFlags(s.environment)}${push}`]
    .map((c) => `    - ${c}`).join('\n');
  return `# Written by pyship init. Lints, builds (tags :<branch> and :<sha>, labels, warm cache), audits and smoke-tests the
# image, scans it and pushes it from the default branch. A pipeline schedule (CI/CD > Schedules, weekly) runs the
# fresh rebuild. \`pyship build\` smoke-tests the image on 127.0.0.1 of the Docker host: use a runner whose jobs reach
# it (a shell executor, or network_mode host); behind docker:dind, add --no-verify and smoke elsewhere.
stages: [check, build, scan, push]
${workflow}
variables:
  IMAGE: $CI_REGISTRY_IMAGE
  DOCKER_TLS_CERTDIR: "/certs"

.docker:
  image: docker:27
  services: ["docker:27-dind"]
  before_script:
    - apk add --no-cache nodejs npm
    - echo "$CI_REGISTRY_PASSWORD" | docker login -u "$CI_REGISTRY_USER" --password-stdin "$CI_REGISTRY"

lint:
  stage: check
  image: node:22
  script:${cd}
    - ${px} check --format junit${only} > pyship.xml
  artifacts:
    when: always
    reports:
      junit: ${sub ? `${sub}/` : ''}pyship.xml

bandit:
  stage: check
  image: python:${s.python.version}-slim
  script:${cd}
    - pip install bandit
    - bandit --recursive --severity-level medium ${scanPaths} .

build:
  extends: .docker
  stage: build
  rules:
    - if: $CI_PIPELINE_SOURCE != "schedule"
  script:
${verified('')}

weekly:
  extends: .docker
  stage: build
  rules:
    - if: $CI_PIPELINE_SOURCE == "schedule"
  script:
${verified(' --fresh', ' --push')}

trivy:
  extends: .docker
  stage: scan
  script:${cd}
    - ${px} build${file} --image "$IMAGE" --tag "$CI_COMMIT_SHA" --no-verify
    - docker run --rm -v /var/run/docker.sock:/var/run/docker.sock aquasec/trivy:0.57.1 image --exit-code 1 --ignore-unfixed --severity CRITICAL,HIGH "$IMAGE:$CI_COMMIT_SHA"

push:
  extends: .docker
  stage: push
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE != "schedule"
  script:${cd}
    - ${px} build${file} --image "$IMAGE" --tag "$CI_COMMIT_SHA" --no-verify --push
`;
}
