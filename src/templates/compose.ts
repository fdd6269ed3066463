// compose.yaml: run the image locally the way production does: no capabilities, an init, read-only root with a tmpfs,
// its health check, loopback-only ports, a Celery worker and its broker, release one-offs (migrations), and (commented) how
// to pass a build secret.
import type { AppCandidate } from '../project/app-object.js';
import type { TemplateSpec } from './spec.js';

/** The app user of the generated Dockerfile (src/templates/dockerfile.ts). */
export const APP_UID = 10001;

export const BROKERS = {
  redis: { image: 'redis:7', url: 'redis://broker:6379/0' },
  rabbitmq: { image: 'rabbitmq:4', url: 'amqp://guest:guest@broker:5672//' },
} as const;

export function compose(s: TemplateSpec): string {
  const main = s.role === 'worker' ? 'worker' : s.role === 'web' ? 'web' : 'app';
  const broker = s.broker ? BROKERS[s.broker] : undefined;
  const lines: string[] = ['# Written by pyship init: `docker compose up --build` runs the image as production does.', 'services:'];
  const service = (name: string, opts: { build?: boolean; command?: string[]; healthcheck?: string[]; worker?: boolean; ports?: boolean; profile?: string; celery?: boolean; env?: Record<string, string>; workdir?: string }): void => {
    lines.push(`  ${name}:`);
    if (opts.build) {
      lines.push(
        '    build:',
        '      context: .',
        ...(s.dockerfile && s.dockerfile !== 'Dockerfile' ? [`      dockerfile: ${s.dockerfile}`] : []),
        '      # a build secret (e.g. a private index): `RUN --mount=type=secret,id=pip_conf,target=/etc/pip.conf pip install …`',
        '      # secrets: [pip_conf]',
      );
    }
    lines.push(`    image: ${s.image}:dev`);
    // `$$`: compose would otherwise substitute the host's variables into a command the container's shell expands
    if (opts.command) lines.push(`    command: ${JSON.stringify(opts.command).replace(/\$/g, '$$$$')}`);
    if (opts.workdir) lines.push(`    working_dir: /app/${opts.workdir}`);
    if (opts.profile) lines.push(`    profiles: [${opts.profile}]`);
    lines.push('    init: true', '    cap_drop: [ALL]', '    security_opt: ["no-new-privileges:true"]', ...writable(s), '    stop_grace_period: 10s');
    if (opts.ports && s.port) lines.push(`    ports: ["127.0.0.1:${s.port}:${s.port}"]`);
    const env: string[] = [];
    // Django's hosts: the local run's own value (compose binds 127.0.0.1), required or not
    const hosts = s.django ? s.django.allowedHostsEnv ?? { name: 'DJANGO_ALLOWED_HOSTS', sep: ',' } : undefined;
    // what the app cannot import without: compose refuses to start with a clear message instead of a crash loop
    const required = (s.environment?.required.map((v) => v.name) ?? []).filter((n) => n !== hosts?.name);
    for (const name of required) env.push(`${name}: \${${name}:?set ${name} in .env}`);
    if (s.django && hosts) {
      // under the names the settings read (the Django-convention names when pyship found none)
      const key = s.django.secretKeyEnv ?? 'DJANGO_SECRET_KEY';
      if (!required.includes(key)) env.push(`${key}: \${${key}:-change-me-in-.env}`);
      env.push(`${hosts.name}: "localhost${hosts.sep}127.0.0.1"`);
    }
    if (opts.celery && broker) env.push(`CELERY_BROKER_URL: \${CELERY_BROKER_URL:-${broker.url}}`);
    for (const [k, v] of Object.entries(opts.env ?? {})) if (!env.some((e) => e.startsWith(`${k}:`))) env.push(`${k}: ${JSON.stringify(v)}`);
    if (env.length > 0) lines.push('    environment:', ...env.map((e) => `      ${e}`));
    if (opts.celery && broker) lines.push('    depends_on: [broker]');
    if (opts.healthcheck) {
      lines.push('    healthcheck:', `      test: ${JSON.stringify(opts.healthcheck)}`);
      lines.push(...(opts.worker
        ? ['      interval: 60s', '      timeout: 15s', '      retries: 3', '      start_period: 60s']
        : ['      interval: 30s', '      timeout: 5s', '      retries: 3', '      start_period: 20s']));
    }
  };
  service(main, { build: true, healthcheck: s.healthcheck, worker: s.role === 'worker', ports: s.role !== 'worker', celery: s.role === 'worker' || s.celery !== undefined });
  if (s.celery && s.role === 'web') {
    // the same image, started as the Celery worker: its own health check (a ping through the broker), not the web one
    service('worker', { command: ['celery', '--app', `${s.celery.module}:${s.celery.attr}`, 'worker', '--loglevel', 'INFO'], healthcheck: celeryHealthcheck(s.celery), worker: true, celery: true });
  }
  for (const r of s.releaseSteps) {
    lines.push(`  # one-off, before a release: \`docker compose run --rm ${r.name}\` (${r.name === 'migrate' ? 'migrations' : 'release steps'} never run at container start)`);
    service(r.name, { command: r.run, profile: 'tools', env: r.env, workdir: r.cwd });
  }
  if (broker) {
    lines.push(
      `  # the broker Celery's HEALTHCHECK pings the worker through${s.broker === 'redis' ? ' (for RabbitMQ: rabbitmq:4 and amqp://guest:guest@broker:5672//)' : ''}`,
      '  broker:',
      `    image: ${broker.image}`,
    );
  }
  const volumes = (s.mounts?.mounts ?? []).filter((m) => m.kind === 'volume');
  if (volumes.length > 0) lines.push('volumes:', ...volumes.map((m) => `  ${m.volume}: {}`));
  lines.push('# secrets:', '#   pip_conf:', '#     file: ./pip.conf');
  return `${lines.join('\n')}\n`;
}

/**
 * A read-only root with a writable place at each path the app writes to (src/init/mounts.ts): tmpfs owned by the app
 * user for scratch, a named volume for data; or read-only off, with the reason, when a path cannot take a mount.
 */
function writable(s: TemplateSpec): string[] {
  const layout = s.mounts ?? { readOnly: true, mounts: [] };
  const tmpfs = ['/tmp', ...layout.mounts.filter((m) => m.kind === 'tmpfs').map((m) => `${m.path}:uid=${APP_UID},gid=${APP_UID},mode=0700`)];
  const volumes = layout.mounts.filter((m) => m.kind === 'volume').map((m) => `${m.volume}:${m.path}`);
  return [
    ...(layout.readOnly ? ['    read_only: true'] : [`    # not read_only: ${layout.why ?? 'the app writes into its own tree'}`]),
    `    tmpfs: ${tmpfs.length === 1 ? '[/tmp]' : JSON.stringify(tmpfs)}`,
    ...(volumes.length > 0 ? [`    volumes: ${JSON.stringify(volumes)}`] : []),
  ];
}

/**
 * A Celery worker's health: it answers a ping through its broker (this worker only, by its default node name). One
 * line on failure instead of a traceback; 2 s for the answer, so an early probe does not hold the start.
 */
export function celeryHealthcheck(c: Pick<AppCandidate, 'module' | 'attr'>): string[] {
  const attr = c.attr.replace(/\(\)$/, '');
  return ['python', '-c', [
    'import socket, sys',
    `from ${c.module} import ${attr} as app`,
    'node = "celery@" + socket.gethostname()',
    'try:',
    '    answered = app.control.ping(destination=[node], timeout=2)',
    'except Exception as e:',
    '    sys.exit(f"celery ping through the broker failed: {e}")',
    'sys.exit(0 if answered else f"no answer from {node}")',
  ].join('\n')];
}
