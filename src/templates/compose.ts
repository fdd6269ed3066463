// compose.yaml: run the image locally the way production does: no capabilities, an init, read-only root with a tmpfs,
// its health check, loopback-only ports, and (commented) how to pass a build secret.
import type { InitSpec } from '../init/spec.js';

const BROKER_URL = 'redis://broker:6379/0';

export function compose(s: InitSpec): string {
  const svc = s.role === 'worker' ? 'worker' : 'web';
  const lines: string[] = [
    '# Written by pyship init: `docker compose up --build` runs the image as production does.',
    'services:',
    `  ${svc}:`,
    '    build:',
    '      context: .',
    '      # a build secret (e.g. a private index): `RUN --mount=type=secret,id=pip_conf,target=/etc/pip.conf pip install …`',
    '      # secrets: [pip_conf]',
    `    image: ${s.image}:dev`,
  ];
  const hardening = (): void => {
    lines.push(
      '    init: true',
      '    cap_drop: [ALL]',
      '    security_opt: ["no-new-privileges:true"]',
      '    read_only: true',
      '    tmpfs: [/tmp]',
      '    stop_grace_period: 10s',
    );
  };
  hardening();
  if (s.port) {
    lines.push(`    ports: ["127.0.0.1:${s.port}:${s.port}"]`);
  }
  const env: string[] = [];
  if (s.django) env.push('DJANGO_SECRET_KEY: ${DJANGO_SECRET_KEY:-change-me-in-.env}', 'DJANGO_ALLOWED_HOSTS: "localhost,127.0.0.1"');
  // a worker is healthy only when it answers a ping through its broker: run one beside it (Celery reads CELERY_BROKER_URL)
  if (s.role === 'worker') env.push(`CELERY_BROKER_URL: \${CELERY_BROKER_URL:-${BROKER_URL}}`);
  if (env.length > 0) lines.push('    environment:', ...env.map((e) => `      ${e}`));
  if (s.role === 'worker') lines.push('    depends_on: [broker]');
  if (s.healthcheck) {
    lines.push('    healthcheck:', `      test: ${JSON.stringify(s.healthcheck)}`, `      interval: ${s.role === 'worker' ? '60s' : '30s'}`, '      timeout: 10s', '      retries: 3', '      start_period: 20s');
  }
  if (s.celery && s.role === 'web') {
    lines.push(
      '  worker:',
      `    image: ${s.image}:dev`,
      `    command: ["celery", "--app", "${s.celery.module}:${s.celery.attr}", "worker", "--loglevel", "INFO"]`,
      '    depends_on: [web]',
    );
    hardening();
  }
  if (s.django) {
    lines.push(
      '  # one-off: `docker compose run --rm migrate` (migrations never run at container start)',
      '  migrate:',
      `    image: ${s.image}:dev`,
      '    command: ["python", "manage.py", "migrate", "--noinput"]',
      '    profiles: [tools]',
      '    depends_on: [web]',
    );
    hardening();
  }
  if (s.role === 'worker') {
    lines.push(
      '  # the broker the worker\'s HEALTHCHECK pings it through: Redis here (for RabbitMQ: image rabbitmq:4, CELERY_BROKER_URL amqp://guest:guest@broker:5672//)',
      '  broker:',
      '    image: redis:7',
    );
  }
  lines.push('# secrets:', '#   pip_conf:', '#     file: ./pip.conf');
  return `${lines.join('\n')}\n`;
}
