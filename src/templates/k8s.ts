// k8s/: a Deployment and a Service with probes on the health path, a non-root read-only container with no capabilities,
// a grace period that covers the server's graceful stop and, for Django, a migration Job instead of migrating at start.
import type { InitSpec } from '../init/spec.js';

/** What the app cannot import without: secrets from the Secret `<name>-env`, plain settings as values to fill in. */
function envOf(s: InitSpec): string[] {
  const required = s.environment?.required ?? [];
  const l: string[] = [];
  const plain = required.filter((v) => !v.secret);
  if (plain.length > 0) {
    l.push('          env:');
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

function container(s: InitSpec, name: string, command?: string[]): string[] {
  const l = [
    `        - name: ${name}`,
    `          image: ${s.image}:main`,
  ];
  if (command) l.push(`          command: ${JSON.stringify(['tini', '--', ...command])}`);
  l.push(...envOf(s));
  if (s.port && !command) {
    l.push('          ports:', `            - containerPort: ${s.port}`, '              name: http');
    const probe = (kind: string, extra: string[]): string[] => [
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
    '            readOnlyRootFilesystem: true',
    '            capabilities:',
    '              drop: [ALL]',
    '          volumeMounts:',
    '            - name: tmp',
    '              mountPath: /tmp',
  );
  return l;
}

export function k8sManifests(s: InitSpec): [string, string][] {
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
    '      volumes:',
    '        - name: tmp',
    '          emptyDir: { medium: Memory }',
  ];
  files.push(['k8s/deployment.yaml', head + deployment.join('\n') + '\n']);
  if (s.port) {
    files.push(['k8s/service.yaml', `${head}apiVersion: v1\nkind: Service\nmetadata:\n  name: ${app}\nspec:\n  selector: { app: ${app} }\n  ports:\n    - name: http\n      port: 80\n      targetPort: http\n`]);
  }
  if (s.django) {
    const job = [
      'apiVersion: batch/v1',
      'kind: Job',
      'metadata:',
      `  name: ${app}-migrate`,
      'spec:',
      '  backoffLimit: 1',
      '  template:',
      '    spec:',
      '      restartPolicy: Never',
      '      automountServiceAccountToken: false',
      '      containers:',
      ...container({ ...s, port: 0, healthcheck: undefined }, 'migrate', ['python', 'manage.py', 'migrate', '--noinput']),
      '      volumes:',
      '        - name: tmp',
      '          emptyDir: { medium: Memory }',
    ];
    files.push(['k8s/migrate-job.yaml', `# Written by pyship init: run once per release, before the new Deployment rolls out.\n${job.join('\n')}\n`]);
  }
  return files;
}
