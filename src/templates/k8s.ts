// k8s/: a Deployment and a Service with probes on the health path, a non-root read-only container with no capabilities,
// a grace period that covers the server's graceful stop and a Job per release step (migrations) instead of migrating at start.
import type { TemplateSpec } from './spec.js';

/** What the app cannot import without: secrets from the Secret `<name>-env`, plain settings as values to fill in. */
function envOf(s: TemplateSpec, given: Record<string, string>): string[] {
  const required = (s.environment?.required ?? []).filter((v) => !(v.name in given));
  const l: string[] = [];
  const vars = Object.entries(given);
  const plain = required.filter((v) => !v.secret);
  if (vars.length > 0 || plain.length > 0) {
    l.push('          env:', ...vars.flatMap(([k, v]) => [`            - name: ${k}`, `              value: ${JSON.stringify(v)}`]));
    for (const v of plain) l.push(`            - name: ${v.name}`, `              value: ""  # required: set it (read at ${v.file}:${v.line})`);
  }
  const secrets = required.filter((v) => v.secret);
  if (secrets.length > 0) {
    l.push(
      `          # ${secrets.map((v) => v.name).join(', ')}: \`kubectl create secret generic ${s.name}-env --from-env-file=.env\``,
      '          envFrom:', '            - secretRef:', `                name: ${s.name}-env`,
    );
  }
  return l;
}

function container(s: TemplateSpec, name: string, command?: string[], env?: Record<string, string>, workdir?: string): string[] {
  const l = [
    `        - name: ${name}`,
    `          image: ${s.image}:main`,
  ];
  if (command) l.push(`          command: ${JSON.stringify(['tini', '--', ...command])}`);
  if (workdir) l.push(`          workingDir: /app/${workdir}`);
  l.push(...envOf(s, env ?? {}));
  if (s.port && !command) {
    l.push('          ports:', `            - containerPort: ${s.port}`, '              name: http');
    // no health route: the kubelet's httpGet wants 200-399, so the probes only check that the port accepts connections
    const probe = (kind: string, extra: string[]): string[] => s.healthMode && s.healthMode !== 'route'
      ? [`          ${kind}:`, '            tcpSocket:', '              port: http', ...extra.map((e) => `            ${e}`)]
      : [
        `          ${kind}:`, '            httpGet:', `              path: ${s.healthPath}`, '              port: http',
        // Django answers only the hosts in ALLOWED_HOSTS; the kubelet would send the pod's IP
        ...(s.django ? ['              httpHeaders:', '                - name: Host', '                  value: localhost'] : []),
        ...extra.map((e) => `            ${e}`),
      ];
    l.push(...probe('startupProbe', ['periodSeconds: 2', 'failureThreshold: 30']));
    l.push(...probe('readinessProbe', ['periodSeconds: 10']));
    l.push(...probe('livenessProbe', ['periodSeconds: 30', 'failureThreshold: 3']));
  } else if (s.healthcheck && !command) {
    l.push('          livenessProbe:', '            exec:', `              command: ${JSON.stringify(s.healthcheck)}`, '            periodSeconds: 60', '            timeoutSeconds: 15');
  }
  l.push(
    '          resources:',
    '            requests: { cpu: 100m, memory: 256Mi }',
    '            limits: { memory: 512Mi }',
    '          securityContext:',
    '            runAsNonRoot: true',
    '            runAsUser: 10001',
    '            allowPrivilegeEscalation: false',
    `            readOnlyRootFilesystem: ${s.mounts?.readOnly === false ? 'false' : 'true'}`,
    '            capabilities:',
    '              drop: [ALL]',
    '          volumeMounts:',
    '            - name: tmp',
    '              mountPath: /tmp',
    ...extraMounts(s).flatMap((m) => [`            - name: ${m.name}`, `              mountPath: ${m.path}`]),
  );
  return l;
}

/** The writable places the app needs besides /tmp (src/init/mounts.ts), as pod volumes. */
function extraMounts(s: TemplateSpec): { name: string; path: string; data: boolean }[] {
  return (s.mounts?.mounts ?? []).map((m, i) => ({ name: m.volume ?? `scratch-${i + 1}`, path: m.path, data: m.kind === 'volume' }));
}

function podVolumes(s: TemplateSpec): string[] {
  return [
    '      volumes:',
    '        - name: tmp',
    '          emptyDir: { medium: Memory }',
    ...extraMounts(s).flatMap((m) => m.data
      ? [`        # ${m.path} holds data: an emptyDir is lost with the pod; use a PersistentVolumeClaim to keep it`, `        - name: ${m.name}`, '          emptyDir: {}']
      : [`        - name: ${m.name}`, '          emptyDir: { medium: Memory }']),
  ];
}

export function k8sManifests(s: TemplateSpec): [string, string][] {
  const app = s.name;
  const files: [string, string][] = [];
  const head = '# Written by pyship init: apply with `kubectl apply -f k8s/` after setting the image.\n';
  const deployment = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${app}`,
    'spec:',
    `  replicas: ${s.role === 'web' ? 2 : 1}`,
    '  selector:',
    `    matchLabels: { app: ${app} }`,
    '  template:',
    '    metadata:',
    `      labels: { app: ${app} }`,
    '    spec:',
    '      terminationGracePeriodSeconds: 30',
    '      automountServiceAccountToken: false',
    '      securityContext:',
    '        seccompProfile: { type: RuntimeDefault }',
    '      containers:',
    ...container(s, app),
    ...podVolumes(s),
  ];
  files.push(['k8s/deployment.yaml', head + deployment.join('\n') + '\n']);
  if (s.port) {
    files.push(['k8s/service.yaml', `${head}apiVersion: v1\nkind: Service\nmetadata:\n  name: ${app}\nspec:\n  selector: { app: ${app} }\n  ports:\n    - name: http\n      port: 80\n      targetPort: http\n`]);
  }
  for (const r of s.releaseSteps) {
    const job = [
      'apiVersion: batch/v1',
      'kind: Job',
      'metadata:',
      `  name: ${app}-${r.name}`,
      'spec:',
      '  backoffLimit: 1',
      '  template:',
      '    spec:',
      '      restartPolicy: Never',
      '      automountServiceAccountToken: false',
      '      containers:',
      ...container({ ...s, port: 0, healthcheck: undefined }, r.name, r.run, r.env, r.cwd),
      ...podVolumes(s),
    ];
    files.push([`k8s/${r.name}-job.yaml`, `# Written by pyship init: run once per release, before the new Deployment rolls out.\n${job.join('\n')}\n`]);
  }
  return files;
}
