// CI: lint with pyship, build with `pyship build` (tags :<branch> and :<sha>, labels, warm cache, then audit and smoke),
// scan code and image, push from the main branch, and rebuild from a fresh base every week.
import type { InitSpec } from '../init/spec.js';

const scanPaths = '--exclude ./.venv,./venv,./tests';

/**
 * A Celery worker is healthy only when it answers a ping through its broker, so `pyship build`'s own smoke test (no
 * broker) would fail it: build without verification, then audit, and smoke-test it on a network with a throwaway
 * broker (Redis, reached through CELERY_BROKER_URL, which Celery reads by default).
 */
const BROKER = { image: 'redis:7', url: 'redis://broker:6379/0', network: 'pyship-smoke' } as const;
const brokerNote = `the worker's HEALTHCHECK pings it through its broker: a throwaway Redis as CELERY_BROKER_URL (for RabbitMQ: rabbitmq:4 and amqp://guest:guest@broker:5672//)`;
const brokerCommands = (px: string, ref: string): string[] => [
  `docker network create ${BROKER.network}`,
  `docker run --detach --name broker --network ${BROKER.network} ${BROKER.image}`,
  `${px} smoke "${ref}" --network ${BROKER.network} --env CELERY_BROKER_URL=${BROKER.url}`,
];

export function githubWorkflow(s: InitSpec): string {
  const px = `npx --yes pyship@${s.pyshipVersion}`;
  const worker = s.role === 'worker';
  const ref = '$IMAGE:${{ github.sha }}';
  const workerSteps = `      - name: Build the image (the worker is smoke-tested next to its broker below)
        if: github.event_name != 'schedule'
        run: ${px} build --no-verify --image "$IMAGE" --tag "\${{ github.sha }}"
      - name: Weekly rebuild from a fresh base, without cache
        if: github.event_name == 'schedule'
        run: ${px} build --no-verify --fresh --image "$IMAGE" --tag "\${{ github.sha }}"
      - name: Audit the image
        run: ${px} audit "${ref}" --project .
      - name: Smoke-test the worker next to a broker
        # ${brokerNote}
        run: |
${brokerCommands(px, ref).map((c) => `          ${c}`).join('\n')}
`;
  return `# Written by pyship init. Lints, builds (tags :<branch> and :<sha>, git labels, warm cache), audits and smoke-tests
# the image, scans it and pushes it from main. Every Monday it rebuilds from a fresh base without cache.
name: docker

on:
  push:
    branches: [main]
  pull_request:
  schedule:
    - cron: "17 4 * * 1"
  workflow_dispatch:

permissions:
  contents: read
  packages: write

env:
  IMAGE: ghcr.io/\${{ github.repository }}

jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 22
      - name: Lint the Dockerfile and the project
        run: ${px} check --format github
      - name: Scan the code for security problems
        run: pipx run bandit --recursive --severity-level medium ${scanPaths} .
      - name: Log in to the registry
        if: github.event_name != 'pull_request'
        uses: docker/login-action@v3
        with:
          registry: ghcr.io
          username: \${{ github.actor }}
          password: \${{ secrets.GITHUB_TOKEN }}
${worker ? workerSteps : `      - name: Build, audit and smoke-test the image
        if: github.event_name != 'schedule'
        run: ${px} build --image "$IMAGE" --tag "\${{ github.sha }}"
      - name: Weekly rebuild from a fresh base, without cache
        if: github.event_name == 'schedule'
        run: ${px} build --fresh --image "$IMAGE" --tag "\${{ github.sha }}"
`}      - name: Scan the image for known vulnerabilities
        uses: aquasecurity/trivy-action@0.28.0
        with:
          image-ref: \${{ env.IMAGE }}:\${{ github.sha }}
          exit-code: "1"
          ignore-unfixed: true
          severity: CRITICAL,HIGH
      - name: Push
        if: github.event_name != 'pull_request' && github.ref == 'refs/heads/main'
        run: ${px} build --image "$IMAGE" --tag "\${{ github.sha }}" --no-verify --push
`;
}

export function gitlabCi(s: InitSpec): string {
  const px = `npx --yes pyship@${s.pyshipVersion}`;
  const worker = s.role === 'worker';
  const ref = '$IMAGE:$CI_COMMIT_SHA';
  /** Build (with --fresh for the weekly rebuild), then audit and smoke: by `pyship build`, or for a worker next to its broker. */
  const verified = (fresh: string): string => (worker
    ? [`${px} build --no-verify${fresh} --image "$IMAGE" --tag "$CI_COMMIT_SHA"`, `${px} audit "${ref}" --project .`, `# ${brokerNote}`, ...brokerCommands(px, ref)]
    : [`${px} build${fresh} --image "$IMAGE" --tag "$CI_COMMIT_SHA"`]).map((c) => (c.startsWith('# ') ? `    ${c}` : `    - ${c}`)).join('\n');
  return `# Written by pyship init. Lints, builds (tags :<branch> and :<sha>, labels, warm cache), audits and smoke-tests the
# image, scans it and pushes it from the default branch. A pipeline schedule (CI/CD > Schedules, weekly) runs the
# fresh rebuild.
stages: [check, build, scan, push]

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
  script:
    - ${px} check --format junit > pyship.xml
  artifacts:
    when: always
    reports:
      junit: pyship.xml

bandit:
  stage: check
  image: python:${s.python.version}-slim
  script:
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
${worker
    ? `${verified(' --fresh')}\n    - ${px} build --image "$IMAGE" --tag "$CI_COMMIT_SHA" --no-verify --push`
    : `    - ${px} build --fresh --image "$IMAGE" --tag "$CI_COMMIT_SHA" --push`}

trivy:
  extends: .docker
  stage: scan
  script:
    - ${px} build --image "$IMAGE" --tag "$CI_COMMIT_SHA" --no-verify
    - docker run --rm -v /var/run/docker.sock:/var/run/docker.sock aquasec/trivy:0.57.1 image --exit-code 1 --ignore-unfixed --severity CRITICAL,HIGH "$IMAGE:$CI_COMMIT_SHA"

push:
  extends: .docker
  stage: push
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE != "schedule"
  script:
    - ${px} build --image "$IMAGE" --tag "$CI_COMMIT_SHA" --no-verify --push
`;
}
