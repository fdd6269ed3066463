// Runtime facts: compose services, Kubernetes / Knative manifests, PaaS targets, file logging in app code.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadProject } from '../../src/project/project.js';
import type { Project } from '../../src/project/model.js';
import {
  composeServices, isProjectImage, k8sContainers, paasTargetsOf, procfileEntries, runtimeProblems, servicesBuilding,
} from '../../src/project/runtime.js';
import { fileLogging } from '../../src/project/file-logging.js';

function project(files: Record<string, string>): Project {
  const dir = mkdtempSync(join(tmpdir(), 'pyship-runtime-'));
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), c);
  }
  writeFileSync(join(dir, 'pyproject.toml'), files['pyproject.toml'] ?? '[project]\nname = "shop"\nversion = "0"\n');
  return loadProject(dir, dir);
}

const at = (text: string, span: { start: number; end: number }) => text.slice(span.start, span.end);

describe('compose', () => {
  const compose = `x-common: &common
  init: true
  cap_drop: [ALL]
services:
  web:
    <<: *common
    build:
      context: ./backend
      dockerfile: docker/Dockerfile.prod
      args:
        VERSION: "1"
      secrets: [pip_token]
    image: ghcr.io/acme/shop-web:latest
    command: ["gunicorn", "app:app"]
    healthcheck:
      test: ["CMD", "python", "-c", "1"]
    ports:
      - "8000:8000"
    read_only: true
    user: "1000"
  worker:
    build: .
    init: false
  db:
    image: postgres:17
`;
  it('reads services, build paths, merge keys and spans', () => {
    const p = project({ 'deploy/docker-compose.yml': compose });
    const svcs = composeServices(p);
    expect(svcs.map((s) => s.name)).toEqual(['web', 'worker', 'db']);
    const [web, worker, db] = svcs;
    expect(web!.build!.dockerfilePath).toBe('deploy/backend/docker/Dockerfile.prod');
    expect(web!.build!.contextPath).toBe('deploy/backend');
    expect(web!.build!.args).toMatchObject([{ name: 'VERSION', value: '1' }]);
    expect(web!.build!.secrets.map((s) => s.value)).toEqual(['pip_token']);
    expect(web!.init?.value).toBe(true);
    expect(web!.capDrop?.value).toEqual(['ALL']);
    expect(web!.command?.value).toEqual(['gunicorn', 'app:app']);
    expect(web!.healthcheck?.disabled).toBe(false);
    expect(web!.ports.map((x) => x.value)).toEqual(['8000:8000']);
    expect(web!.readOnly?.value).toBe(true);
    expect(web!.user?.value).toBe('1000');
    expect(at(compose, web!.span)).toBe('web');
    expect(at(compose, web!.image!.span)).toBe('ghcr.io/acme/shop-web:latest');
    expect(worker!.build!.dockerfilePath).toBe('deploy/Dockerfile');
    expect(worker!.init?.value).toBe(false);
    expect(worker!.capDrop).toBeUndefined();
    expect(db!.build).toBeUndefined();
    expect(servicesBuilding(p, 'deploy/Dockerfile').map((s) => s.name)).toEqual(['worker']);
  });

  it('compose.yaml at the root, build context variables with defaults, remote contexts', () => {
    const p = project({ 'compose.yaml': 'services:\n  a:\n    build: ${CTX:-.}\n  b:\n    build: https://github.com/x/y.git\n  c:\n    build:\n      context: .\n      dockerfile_inline: "FROM x"\n' });
    const [a, b, c] = composeServices(p);
    expect(a!.build!.dockerfilePath).toBe('Dockerfile');
    expect(b!.build!.dockerfilePath).toBeUndefined();
    expect(c!.build!.dockerfilePath).toBeUndefined();
  });

  it('malformed YAML is a problem with a position, not a crash', () => {
    const text = 'services:\n  web:\n    build: .\n   image: [oops\n';
    const p = project({ 'docker-compose.yml': text });
    expect(composeServices(p)).toEqual([]);
    const probs = runtimeProblems(p);
    expect(probs.length).toBeGreaterThan(0);
    expect(probs[0]!.file).toBe('docker-compose.yml');
    expect(probs[0]!.span.start).toBeGreaterThan(0);
  });
});

describe('Kubernetes manifests', () => {
  const manifest = `apiVersion: v1
kind: Service
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
spec:
  template:
    spec:
      shareProcessNamespace: true
      securityContext:
        runAsNonRoot: true
      initContainers:
        - name: migrate
          image: ghcr.io/acme/shop:1
      containers:
        - name: web
          image: ghcr.io/acme/shop:1
          securityContext:
            capabilities:
              drop: ["ALL"]
            readOnlyRootFilesystem: true
          livenessProbe:
            httpGet: {path: /health, port: 8000}
        - name: proxy
          image: nginx:1.27
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: job
              image: shop
              command: ["python", "-m", "shop.nightly"]
`;
  it('multi-document files, workloads, security contexts, probes', () => {
    const p = project({ 'k8s/app.yaml': manifest });
    const cs = k8sContainers(p);
    expect(cs.map((c) => `${c.kind}/${c.name}`)).toEqual(['Deployment/web', 'Deployment/proxy', 'Deployment/migrate', 'CronJob/job']);
    const web = cs[0]!;
    expect(web.capDrop?.value).toEqual(['ALL']);
    expect(web.runAsNonRoot?.value).toBe(true);
    expect(web.readOnlyRootFilesystem?.value).toBe(true);
    expect(web.probes.map((x) => x.kind)).toEqual(['liveness']);
    expect(web.shareProcessNamespace?.value).toBe(true);
    expect(at(manifest, web.span)).toBe('web');
    expect(cs[2]!.initContainer).toBe(true);
    expect(cs[3]!.command?.value).toEqual(['python', '-m', 'shop.nightly']);
    expect(isProjectImage(p, 'ghcr.io/acme/shop:1')).toBe(true);
    expect(isProjectImage(p, 'nginx:1.27')).toBe(false);
    expect(isProjectImage(p, 'grafana/loki:3')).toBe(false);
  });

  it('Helm templates are skipped; Knative / Cloud Run services are read', () => {
    const p = project({
      'chart/templates/deploy.yaml': 'apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: {{ .Values.replicas }}\n',
      'chart/other.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Values.name }}\n',
      'service.yaml': 'apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: shop\nspec:\n  template:\n    spec:\n      containers:\n        - image: gcr.io/p/shop\n          ports:\n            - containerPort: 8080\n',
    });
    const cs = k8sContainers(p);
    expect(cs).toHaveLength(1);
    expect(cs[0]!.knative).toBe(true);
    expect(runtimeProblems(p)).toEqual([]);
    expect(paasTargetsOf(p).map((t) => t.kind)).toEqual(['cloud-run']);
  });

  it('a malformed manifest is a problem', () => {
    const p = project({ 'deploy.yaml': 'apiVersion: apps/v1\nkind: Deployment\nspec: [\n' });
    expect(k8sContainers(p)).toEqual([]);
    expect(runtimeProblems(p)).toHaveLength(1);
  });
});

describe('PaaS targets', () => {
  it('Procfile lines with spans', () => {
    const text = '# web\nweb: gunicorn -b 0.0.0.0:8000 app:app\r\nworker:celery -A app worker\n';
    const p = project({ Procfile: text });
    const es = procfileEntries(p);
    expect(es.map((e) => e.type)).toEqual(['web', 'worker']);
    expect(at(text, es[0]!.commandSpan)).toBe('gunicorn -b 0.0.0.0:8000 app:app');
    expect(at(text, es[1]!.commandSpan)).toBe('celery -A app worker');
    expect(paasTargetsOf(p)[0]!.kind).toBe('procfile');
  });

  it('fly.toml internal ports, railway and heroku.yml commands; malformed TOML', () => {
    const fly = 'app = "shop"\n[http_service]\n  internal_port = 8080\n[[services]]\n  internal_port = 9000\n';
    const p = project({
      'fly.toml': fly,
      'railway.json': '{"deploy": {"startCommand": "gunicorn -b 0.0.0.0:8000 app:app"}}',
      'heroku.yml': 'build:\n  docker:\n    web: Dockerfile\nrun:\n  web: gunicorn app:app\n',
    });
    const ts = paasTargetsOf(p);
    const f = ts.find((t) => t.kind === 'fly')!;
    expect(f.internalPorts.map((x) => x.value)).toEqual([8080, 9000]);
    expect(at(fly, f.internalPorts[1]!.span)).toBe('internal_port');
    expect(f.internalPorts[1]!.span.start).toBeGreaterThan(f.internalPorts[0]!.span.start);
    expect(ts.find((t) => t.kind === 'railway')!.commands[0]!.command).toBe('gunicorn -b 0.0.0.0:8000 app:app');
    expect(ts.find((t) => t.kind === 'heroku')!.commands[0]!.command).toBe('gunicorn app:app');
    const bad = project({ 'fly.toml': 'app = "x"\n[http_service\n' });
    const probs = runtimeProblems(bad);
    expect(probs).toHaveLength(1);
    expect(probs[0]!.span.start).toBeGreaterThan(0);
  });
});

describe('file logging in app code', () => {
  it('basicConfig(filename=…) and file handlers, not comments, tests or filename=None', () => {
    const code = 'import logging\n# logging.basicConfig(filename="x.log")\nlogging.basicConfig(\n    level=logging.INFO, filename="app.log")\nh = logging.handlers.RotatingFileHandler("a.log")\nlogging.basicConfig(filename=None)\nclass MyFileHandler(logging.StreamHandler): pass\n';
    const p = project({ 'app/log.py': code, 'tests/test_log.py': 'logging.FileHandler("t.log")\n' });
    const fl = fileLogging(p);
    expect(fl.map((f) => f.what)).toEqual(['logging.basicConfig(filename=…)', 'RotatingFileHandler(…)']);
    expect(at(code, fl[0]!.span)).toBe('logging.basicConfig');
    expect(fl.every((f) => f.file === 'app/log.py')).toBe(true);
  });
});

describe('project mode of OPS006 / OPS008', async () => {
  const { lintProject } = await import('../helpers.js');
  const { rules: ops } = await import('../../src/rules/ops/index.js');
  const rule = (code: string) => ops.filter((r) => r.code === code);
  // uvicorn, not gunicorn: gunicorn's master reaps children itself, so OPS006 leaves it alone
  const dockerfile = 'FROM python:3.13-slim-trixie\nEXPOSE 8000\nCMD ["uvicorn", "--host", "0.0.0.0", "--port", "8000", "app:app"]\n';

  it('OPS006: compose init: true on every service that builds the Dockerfile', () => {
    expect(lintProject({ Dockerfile: dockerfile }, rule('OPS006'))).toHaveLength(1);
    expect(lintProject({ Dockerfile: dockerfile, 'compose.yaml': 'services:\n  web:\n    build: .\n    init: true\n' }, rule('OPS006'))).toHaveLength(0);
    expect(lintProject({ Dockerfile: dockerfile, 'compose.yaml': 'services:\n  web:\n    build: .\n    init: true\n  worker:\n    build: .\n' }, rule('OPS006'))).toHaveLength(1);
    // another Dockerfile's service doesn't count
    expect(lintProject({ Dockerfile: dockerfile, 'compose.yaml': 'services:\n  web:\n    build:\n      context: .\n      dockerfile: Dockerfile.dev\n    init: true\n' }, rule('OPS006'))).toHaveLength(1);
  });

  it('OPS006: k8s shareProcessNamespace; OPS008: k8s probes', () => {
    const k8s = (extra: string) => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: example\nspec:\n  template:\n    spec:\n${extra}      containers:\n        - name: web\n          image: registry.example.com/example:1\n          readinessProbe:\n            httpGet: {path: /health, port: 8000}\n`;
    expect(lintProject({ Dockerfile: dockerfile, 'k8s/deploy.yaml': k8s('      shareProcessNamespace: true\n') }, rule('OPS006'))).toHaveLength(0);
    expect(lintProject({ Dockerfile: dockerfile, 'k8s/deploy.yaml': k8s('') }, rule('OPS006'))).toHaveLength(1);
    expect(lintProject({ Dockerfile: dockerfile }, rule('OPS008'))).toHaveLength(1);
    expect(lintProject({ Dockerfile: dockerfile, 'k8s/deploy.yaml': k8s('') }, rule('OPS008'))).toHaveLength(0);
    // a third-party container's probes don't count
    expect(lintProject({ Dockerfile: dockerfile, 'k8s/deploy.yaml': k8s('').replace('registry.example.com/example:1', 'redis:7') }, rule('OPS008'))).toHaveLength(1);
  });
});
