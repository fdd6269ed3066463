// Throwaway values CI's smoke test starts the app with, one per variable the app cannot start without: never a real
// secret, chosen by what the name and the code that reads it say the value holds.
import type { EnvRead } from '../project/env.js';

/** A value a smoke test can start the app with, by what the name and the reader say it holds: never a real secret. */
export function smokeValue(v: EnvRead): string {
  const n = v.name;
  if (v.type === 'bool' || /DEBUG$/.test(n)) return 'false';
  if (v.type === 'int' || v.type === 'float' || /(_PORT|_MINUTES|_SECONDS|_HOURS|_DAYS|_TIMEOUT|_SIZE|_COUNT|_LIMIT|_AGE)$/.test(n)) return /_PORT$/.test(n) ? '8000' : '60';
  if (/ALLOWED_HOSTS|TRUSTED_HOSTS/.test(n)) return '*';
  // SQLite needs no server; an app that rewrites the URL for a PostgreSQL driver gets one (engines connect lazily)
  if (/(^|_)(DATABASE|DB)_(URL|URI|DSN)$|^DATABASE_URL$|DATABASE_URI$/.test(n)) return v.postgres ? 'postgresql://ci-smoke:ci-smoke@localhost:5432/ci-smoke' : 'sqlite:////tmp/ci-smoke.sqlite3';
  if (/ADMIN_URL$/.test(n)) return 'admin/';
  if (/REDIS.*_URL$|BROKER_URL$|CACHE_URL$/.test(n)) return 'redis://localhost:6379/0';
  if (/(SERVER_NAME|_HOST|_DOMAIN|DOMAIN_NAME)$/.test(n)) return 'localhost';
  if (/EMAIL|SENDER/.test(n)) return 'ci-smoke@example.com';
  if (/(_URL|_URI|ORIGINS?|WHITELIST)$/.test(n)) return 'http://localhost';
  if (v.secret) return 'ci-smoke-not-secret';
  return 'ci-smoke';
}

/** `--smoke-env K=V` flags for CI (each value is made of safe characters: no quoting needed but the `*`). */
export function smokeFlags(e: { required: readonly EnvRead[] } | undefined): string {
  return (e?.required ?? []).map((v) => {
    const value = smokeValue(v);
    return ` --smoke-env ${/^[\w.:/@-]+$/.test(value) ? `${v.name}=${value}` : `"${v.name}=${value}"`}`;
  }).join('');
}
