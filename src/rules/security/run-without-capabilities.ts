// SEC004: compose services and Kubernetes containers that run the project's image drop every Linux capability.
import { defineProjectRule, type ProjectRuleContext } from '../../lint/rule.js';
import { isProjectImage, k8sContainers, productionServices } from '../../project/runtime.js';
import type { ScopeChecks } from '../../lint/rule.js';
import { exitDetail } from '../../runtime/record.js';
import { absPath } from '../../image/filesystem.js';

const dropsAll = (caps: string[] | undefined): boolean => caps?.some((c) => /^(CAP_)?ALL$/i.test(c.trim())) ?? false;

/** In a running container (`pyship smoke` runs it with --cap-drop=ALL): an early exit that a rerun with the default capabilities does not repeat. */
const runtime: ScopeChecks = {
  checkRuntime({ record: r, report }) {
    if (!r.exited || !r.earlyExit?.runsUnhardened) return;
    report(`under --cap-drop=ALL and no-new-privileges it ${exitDetail(r.exited.code, r.earlyExit)}, but keeps running with the default capabilities`);
  },
  runtimeRows: ({ figures: f, failed }) => [{
    label: 'serves with --cap-drop=ALL',
    value: failed ? 'no (runs with capabilities)' : f.secondsToHealthy !== undefined ? 'yes' : 'runs (no healthy answer)',
    afterExit: failed,
  }],
  runtimeExamples: [
    {
      bad: {
        exited: { code: 1, seconds: 0.41 },
        earlyExit: { ms: 410, lastLog: 'PermissionError: [Errno 1] Operation not permitted', runsUnhardened: true },
      },
      good: { secondsToHealthy: 0.62, healthyVia: 'http' },
    },
  ],
};

export default defineProjectRule({
  level: 'project',
  code: 'SEC004',
  name: 'run-without-capabilities',
  title: 'Run with no capabilities',
  area: 'security',
  severity: 'warning',
  scope: ['P', 'I', 'R'],
  sources: ['checkov:CKV_K8S_28', 'checkov:CKV_K8S_37', 'trivy:KSV003'],
  why: `A container starts with a default set of Linux capabilities (\`CHOWN\`, \`DAC_OVERRIDE\`, \`FOWNER\`, \`SETUID\`,
\`SETGID\`, \`NET_RAW\`, \`NET_BIND_SERVICE\`…). A Python web app needs none of them, and each is something an attacker
who gets code execution can use: \`NET_RAW\` for spoofing on the pod network, \`SETUID\`/\`SETGID\` with a setuid
binary to change users, \`DAC_OVERRIDE\` to ignore file permissions when running as root.

Drop them all where the image runs: \`cap_drop: [ALL]\` on the compose service, \`securityContext.capabilities.drop:
["ALL"]\` on the Kubernetes container (add back only what is needed, with \`cap_add\`). pyship checks compose services
that build from the project (or run the image such a service builds) and Kubernetes / Knative containers whose image
looks like the project's (named after the project, a Dockerfile directory or a compose image built here); third-party
images (postgres, redis, nginx…) and compose files for development or tests (\`docker-compose.dev.yml\`,
\`compose.override.yaml\`) are left alone. \`pyship smoke\` runs the image with \`--cap-drop=ALL\` to prove it still serves.`,
  examples: [
    {
      bad: { 'compose.yaml': 'services:\n  web:\n    build: .\n    ports: ["8000:8000"]\n  db:\n    image: postgres:17\n' },
      good: { 'compose.yaml': 'services:\n  web:\n    build: .\n    cap_drop: [ALL]\n    ports: ["8000:8000"]\n  db:\n    image: postgres:17\n' },
    },
    {
      bad: {
        'k8s/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: example\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: ghcr.io/acme/example:1.0\n          securityContext:\n            capabilities:\n              drop: [NET_RAW]\n        - name: cache\n          image: redis:7\n',
      },
      good: {
        'k8s/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: example\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: ghcr.io/acme/example:1.0\n          securityContext:\n            capabilities:\n              drop: ["ALL"]\n        - name: cache\n          image: redis:7\n',
      },
    },
    {
      // a development compose file is not how the image runs in production
      bad: { 'docker-compose.yml': 'services:\n  web:\n    build:\n      context: .\n    image: acme/example\n  worker:\n    image: acme/example\n    cap_drop: [ALL]\n  beat:\n    image: acme/example\n' },
      good: { 'docker-compose.dev.yml': 'services:\n  web:\n    build: .\n' },
    },
  ],
  ...runtime,
  check({ project, report }: ProjectRuleContext) {
    for (const { file: c, service: s } of productionServices(project)) {
      if (dropsAll(s.capDrop?.value)) continue;
      report({
        file: c.path,
        span: s.capDrop?.span ?? s.span,
        message: s.capDrop
          ? `compose service \`${s.name}\` drops only \`${s.capDrop.value.join(', ')}\`: drop every capability with \`cap_drop: [ALL]\` (add back what is needed with \`cap_add\`)`
          : `compose service \`${s.name}\` runs the project's image with Docker's default capabilities: add \`cap_drop: [ALL]\` (and \`cap_add\` only what is needed)`,
      });
    }
    for (const k of k8sContainers(project)) {
      if (!k.image || !isProjectImage(project, k.image.value) || dropsAll(k.capDrop?.value)) continue;
      const where = `${k.initContainer ? 'init container' : 'container'} \`${k.name || k.image.value}\` of ${k.kind} \`${k.workload}\``;
      report({
        file: k.file,
        span: k.capDrop?.span ?? k.span,
        message: k.capDrop
          ? `${where} drops only \`${k.capDrop.value.join(', ')}\`: use \`securityContext.capabilities.drop: ["ALL"]\``
          : `${where} runs with the default capabilities: add \`securityContext.capabilities.drop: ["ALL"]\``,
      });
    }
  },
  imageExamples: [
    {
      bad: {
        history: [
          { by: 'ADD file:4a1b in /', files: [{ path: 'usr/bin/passwd', size: 2000, mode: 0o4755 }] },
          { by: 'COPY tool /usr/local/bin/tool', files: [{ path: 'usr/local/bin/tool', size: 500, mode: 0o4755 }] },
        ],
      },
      good: {
        history: [
          { by: 'ADD file:4a1b in /', files: [{ path: 'usr/bin/passwd', size: 2000, mode: 0o4755 }] },
          { by: 'COPY tool /usr/local/bin/tool', files: [{ path: 'usr/local/bin/tool', size: 500, mode: 0o755 }] },
        ],
      },
    },
    {
      bad: { history: [{ by: 'RUN setcap cap_net_bind_service=+ep /usr/local/bin/server', files: [{ path: 'usr/local/bin/server', size: 500, mode: 0o755, xattrs: { 'security.capability': '\u0001\u0000\u0000\u0002' } }] }] },
      good: { history: [{ by: 'COPY server /usr/local/bin/server', files: [{ path: 'usr/local/bin/server', size: 500, mode: 0o755 }] }] },
    },
  ],
  checkImage({ image, report }) {
    // only what the image's own layers add and still show: the base's setuid tools are its maintainers' choice
    const hits: string[] = [];
    for (const [p, f] of image.files) {
      if (!image.own(f.layer) || f.entry.type !== 'file') continue;
      const what: string[] = [];
      if (f.entry.mode & 0o4000) what.push(`setuid${f.entry.uid === 0 ? ' root' : ''}`);
      if (f.entry.mode & 0o2000) what.push('setgid');
      if (f.entry.xattrs?.['security.capability']) what.push('file capabilities (security.capability)');
      if (what.length === 0) continue;
      hits.push(p);
      if (hits.length <= 20) report({ at: { layer: f.layer }, message: `${absPath(p)} has ${what.join(', ')} (mode ${(f.entry.mode & 0o7777).toString(8)}), added by ${image.layerName(f.layer)}: remove the bit (chmod u-s,g-s) or the capability (setcap -r) so the app runs with --cap-drop=ALL` });
    }
    if (hits.length > 20) report({ at: 'image', message: `${hits.length - 20} more setuid/setgid/capability files in the image's own layers` });
  },
});
