// The environment each real app of ../shared/corpus/apps needs to start (src/project/env.ts), against what MANIFEST.tsv's
// `notes` column says an engineer found: the names a note calls required (KeyError, raises, no default, import fails…).
// The entry and settings module come from MANIFEST (so this tests env detection, not entry detection); every name found
// but not in the notes, or in the notes but not found, is listed with a reviewed reason (REVIEWED below).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEnvironment } from '../../src/init/environment.js';
import { loadProject } from '../../src/project/project.js';
import { APPS_DIR, appsPresent, manifest, skipNote, type ManifestRow } from '../corpus-apps.js';

skipNote('the corpus test of the environment apps need to start');

/** The names a note says the app cannot start without: env-var-like names in clauses that say so. */
export function requiredInNotes(notes: string): string[] {
  const out = new Set<string>();
  for (const clause of notes.split(/;|\. /)) {
    if (!/KeyError|AttributeError|EnvironmentError|raises|refuses to start|import fails|fails without|without defaults?|no default|requires?\b|creation fails|unless \w+ is set/.test(clause)) continue;
    for (const m of clause.matchAll(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*_(?:[A-Z0-9]+|\*)/g)) out.add(m[0]);
  }
  return [...out];
}

/**
 * Reviewed differences: `app/NAME` → why pyship's answer is right (or why it misses the name). A difference without a
 * review fails the test, and so does a review that no longer matches a difference.
 */
const REVIEWED: Record<string, string> = {
  'django-on-docker/ALLOWED_HOSTS': 'missed: the note names the Django setting; the variable read is DJANGO_ALLOWED_HOSTS (found)',
  'fastapi-nano/API_USERNAME': 'extra: svc/core/config.py:11 a pydantic-settings field without a default; the committed .env is not in the image (.dockerignore), so the app fails without it. MANIFEST lists it without saying so',
  'fastapi-nano/API_PASSWORD': 'extra: svc/core/config.py:12, as API_USERNAME',
  'fastapi-nano/API_SECRET_KEY': 'extra: svc/core/config.py:13, as API_USERNAME',
  'fastapi-nano/API_ACCESS_TOKEN_EXPIRE_MINUTES': 'extra: svc/core/config.py:15, as API_USERNAME',
  'graditude/CORS_ORIGIN_WHITELIST': 'extra: backend/config/settings/base.py:297 env.list("CORS_ORIGIN_WHITELIST") has no default: django-environ raises ImproperlyConfigured at import. MANIFEST misses it',
  'django-on-docker/SECRET_KEY': 'extra: app/hello_django/settings.py:23 os.environ.get("SECRET_KEY") is None when unset, and Django refuses to start with an empty SECRET_KEY (the note says "None if unset" without calling it required)',
  'djangoproject.com/DJANGO_DB_NAME': 'extra, MANIFEST misses it: djangoproject/settings/prod.py:5-6 `if not os.getenv("DJANGO_DB_NAME"): raise ValueError(...)` at import',
  'flasky/FLASK_CONFIG': 'missed: the note names it only to say it does not matter ("whatever FLASK_CONFIG is"); flasky.py reads it with `or \'default\'`',
  'market-access-api/AUTHBROKER_URL': 'extra: config/settings/base.py:259 env("AUTHBROKER_URL") without a default (the note\'s "...")',
  'market-access-api/RESOURCE_SERVER_INTROSPECTION_URL': 'extra: config/settings/base.py:274 env() without a default under `if SSO_ENABLED:` (env.bool("SSO_ENABLED", True): on by default)',
  'market-access-api/RESOURCE_SERVER_AUTH_TOKEN': 'extra: config/settings/base.py:277, as above',
  'market-access-api/RESOURCE_SERVER_USER_INFO_URL': 'extra: config/settings/base.py:278, as above',
  'market-access-api/RESOURCE_SERVER_USER_INTROSPECT_URL': 'extra: config/settings/base.py, as above',
  'market-access-api/PUBLIC_DATA_AWS_ACCESS_KEY_ID': 'extra: config/settings/base.py:469 env() without a default (the note\'s "...")',
  'market-access-api/PUBLIC_DATA_AWS_SECRET_ACCESS_KEY': 'extra: config/settings/base.py:470, as above',
  'market-access-api/PUBLIC_DATA_BUCKET': 'extra: config/settings/base.py:471, as above',
  'market-access-api/PUBLIC_DATA_BUCKET_REGION': 'extra: config/settings/base.py:472, as above',
  'market-access-api/PUBLIC_DATA_KEY_PREFIX': 'extra: config/settings/base.py, env() without a default, as above',
};

/** The entry file and the Django settings module of an app, as MANIFEST names them. */
function startOf(dir: string, row: ManifestRow): { entry?: string; roots: string[]; settings?: string } {
  const p = loadProject(dir, dir);
  // the app's subfolder in its repository (MANIFEST `subdir`), and where it runs from
  const sub = /^([\w./-]+)/.exec(row.subdir)?.[1]?.replace(/^\.$/, '') ?? '';
  const runFrom = /from ([\w./-]+?)\/?[\s),;]/.exec(row.app_entry)?.[1];
  const roots = [...new Set([sub, ...['src', 'src/py', runFrom].filter(Boolean).map((r) => (sub ? `${sub}/${r}` : r!)), ''])];
  const manage = p.find((f) => /^([^/]+\/){0,2}manage\.py$/.test(f) && (!sub || f.startsWith(sub)))[0];
  if (manage?.includes('/')) roots.unshift(manage.slice(0, manage.lastIndexOf('/')));
  const mod = /([\w.]+):[A-Za-z_]/.exec(row.app_entry)?.[1];
  const file = (m: string): string | undefined => {
    for (const r of roots) for (const f of [`${r ? `${r}/` : ''}${m.split('.').join('/')}.py`, `${r ? `${r}/` : ''}${m.split('.').join('/')}/__init__.py`]) if (p.file(f)) return f;
    return undefined;
  };
  const settings = /\b([a-z_]+(?:\.[a-z_]+)+)\b/.exec(row.django_settings_production)?.[1];
  return { entry: mod ? file(mod) : undefined, roots, settings };
}

describe.skipIf(!appsPresent)('the environment real apps need to start', () => {
  const rows = manifest();

  it('finds what MANIFEST notes call required; every difference is reviewed', async () => {
    const table: string[] = [];
    const unreviewed: string[] = [];
    const used = new Set<string>();
    let found = 0;
    let expectedTotal = 0;
    for (const row of rows) {
      const dir = join(APPS_DIR, row.name);
      const s = startOf(dir, row);
      const plan = readEnvironment(loadProject(dir, dir), s.entry, s.roots, s.settings);
      const got = (plan?.required ?? []).map((v) => v.name);
      const expected = requiredInNotes(row.notes);
      const matches = (n: string, e: string): boolean => (e.endsWith('*') ? n.startsWith(e.slice(0, -1)) : n === e);
      const hit = expected.filter((e) => got.some((n) => matches(n, e)));
      const missed = expected.filter((e) => !hit.includes(e));
      const extra = got.filter((n) => !expected.some((e) => matches(n, e)));
      found += hit.length;
      expectedTotal += expected.length;
      for (const n of [...missed, ...extra]) {
        const key = `${row.name}/${n}`;
        if (REVIEWED[key]) used.add(key);
        else unreviewed.push(`${key}: ${missed.includes(n) ? 'missed' : 'extra'} (${plan?.required.find((v) => v.name === n)?.why ?? 'not found'})`);
      }
      const opens = (plan?.configFiles ?? []).map((f) => `${f.path}${f.fallback ? ' (fallback)' : ''}`).join(', ');
      table.push(`${row.name}: found ${hit.join(' ') || '-'} | missed ${missed.join(' ') || '-'} | extra ${extra.join(' ') || '-'}${opens ? ` | opens ${opens}` : ''} | ${plan?.scanned ?? 'no entry file'}`);
    }
    table.unshift(`found ${found} of ${expectedTotal} names the notes call required`);
    await expect(`${table.join('\n')}\n`).toMatchFileSnapshot('__snapshots__/env-corpus.txt');
    expect(unreviewed).toEqual([]);
    expect(Object.keys(REVIEWED).filter((k) => !used.has(k))).toEqual([]);
  });

  it('finds the entry file MANIFEST names in every app, and reads modules from it', () => {
    const lost = rows.filter((row) => startOf(join(APPS_DIR, row.name), row).entry === undefined).map((r) => r.name);
    expect(lost).toEqual([]);
    expect(rows.length).toBe(readdirSync(APPS_DIR, { withFileTypes: true }).filter((e) => e.isDirectory()).length);
  });
});
