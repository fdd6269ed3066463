// compose.yaml: run the image locally the way production does: no capabilities, an init, read-only root with a tmpfs,
// its health check, loopback-only ports, a Celery worker and its broker, a Django migration one-off, and (commented) how
// to pass a build secret.
import { celeryHealthcheck, type InitSpec } from '../init/spec.js';

export const BROKERS = {
  redis: { image: 'redis:7', url: 'redis://broker:6379/0' },
  rabbitmq: { image: 'rabbitmq:4', url: 'amqp://guest:guest@broker:5672//' },
} as const;

export function compose(s: InitSpec): string {
  const main = s.role === 'worker' ? 'worker' : s.role === 'web' ? 'web' : 'app';
  const broker = s.broker ? BROKERS[s.broker] : undefined;
  const lines: string[] = ['# Written by pyship init: `docker compose up --build` runs the image as production does.', 'services:'];
  const service = (name: string, opts: { build?: boolean; command?: string[]; healthcheck?: string[]; worker?: boolean; ports?: boolean; profile?: string; celery?: boolean }): void => {
    lines.push(`  ${name}:`);
    if (opts.build) {
      lines.push(
        '    build:',
        '      context: .',
        '      # a build secret (e.g. a private index): `RUN --mount=type=secret,id=pip_conf,target=/etc/pip.conf pip install …`',
        '      # secrets: [pip_conf]',
      );
    }
    lines.push(`    image: ${s.image}:dev`);
    if (opts.command) lines.push(`    command: ${JSON.stringify(opts.command)}`);
    if (opts.profile) lines.push(`    profiles: [${opts.profile}]`);
    lines.push(
      '    init: true',
      '    cap_drop: [ALL]',
      '    security_opt: ["no-new-privileges:true"]',
      '    read_only: true',
      '    tmpfs: [/tmp]',
      '    stop_grace_period: 10s',
    );
    if (opts.ports && s.port) lines.push(`    ports: ["127.0.0.1:${s.port}:${s.port}"]`);
    const env: string[] = [];
    // what the app cannot import without: compose refuses to start with a clear message instead of a crash loop
    const required = s.environment?.required.map((v) => v.name) ?? [];
    for (const name of required) env.push(`${name}: \${${name}:?set ${name} in .env}`);
    const reads = (name: string): boolean => !s.environment || [...s.environment.required, ...s.environment.optional].some((v) => v.name === name);
    if (s.django) {
      if (reads('DJANGO_SECRET_KEY') && !required.includes('DJANGO_SECRET_KEY')) env.push('DJANGO_SECRET_KEY: ${DJANGO_SECRET_KEY:-change-me-in-.env}');
      if (reads('DJANGO_ALLOWED_HOSTS') && !required.includes('DJANGO_ALLOWED_HOSTS')) env.push('DJANGO_ALLOWED_HOSTS: "localhost,127.0.0.1"');
    }
    if (opts.celery && broker) env.push(`CELERY_BROKER_URL: \${CELERY_BROKER_URL:-${broker.url}}`);
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
  if (s.django) {
    lines.push('  # one-off, before a release: `docker compose run --rm migrate` (migrations never run at container start)');
    service('migrate', { command: ['python', 'manage.py', 'migrate', '--noinput'], profile: 'tools' });
  }
  if (broker) {
    lines.push(
      `  # the broker Celery's HEALTHCHECK pings the worker through${s.broker === 'redis' ? ' (for RabbitMQ: rabbitmq:4 and amqp://guest:guest@broker:5672//)' : ''}`,
      '  broker:',
      `    image: ${broker.image}`,
    );
  }
  lines.push('# secrets:', '#   pip_conf:', '#     file: ./pip.conf');
  return `${lines.join('\n')}\n`;
}
