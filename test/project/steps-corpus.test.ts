// Startup steps on the real apps of ../shared/corpus/apps: the migration tools, schema-setup steps, asset builds and
// translation compiles detected agree with MANIFEST.tsv's `migrations` and `build_steps` columns, except for the
// reviewed disagreements listed below (each with why).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/project/project.js';
import { detectSteps, type FoundStep } from '../../src/project/steps.js';
import { detectAssets } from '../../src/project/assets.js';
import { APPS_DIR as DIR, appsPresent as present, manifest, skipNote } from '../corpus-apps.js';

skipNote('the startup-steps corpus test');

/** Facts as comparable words: `migrate:<tool>`, `setup`, `assets`, `translations`. */
const MANIFEST_WORDS: [RegExp, string][] = [
  [/manage(\.py)? migrate|-m manage migrate|manage migrate/, 'migrate:django'],
  [/alembic upgrade|flask_migrate\.upgrade|flask deploy|flask-db|litestar database upgrade/, 'migrate:alembic'],
  [/aerich/, 'migrate:aerich'],
  [/kinto migrate/, 'migrate:kinto'],
  [/init_db|create_db|init-db/, 'setup'],
];
const BUILD_WORDS: [RegExp, string][] = [
  [/\b(npm|yarn|bun|gulp)\b/, 'assets'],
  [/compilemessages|Babel|pybabel/, 'translations'],
];

function manifestFacts(migrations: string, build: string): string[] {
  const out = new Set<string>();
  for (const [re, w] of MANIFEST_WORDS) if (re.test(migrations)) out.add(w);
  for (const [re, w] of BUILD_WORDS) if (re.test(build)) out.add(w);
  return [...out].sort();
}

/** Alembic by any front end (alembic, Flask-Migrate, advanced-alchemy's `database upgrade`, a flask command calling upgrade()). */
function tool(s: FoundStep): string {
  if (/migrate$/.test(s.name) && /manage|django/.test(s.name)) return 'django';
  if (/^(aerich|kinto)/.test(s.name)) return s.name.split(' ')[0]!;
  return 'alembic';
}

function detectedFacts(dir: string): string[] {
  const p = loadProject(dir, dir);
  const out = new Set<string>();
  for (const s of detectSteps(p)) {
    if (s.kind === 'migration') out.add(`migrate:${tool(s)}`);
    // a flush or db reset in a dev script is a setup step too, but MANIFEST names only the schema creators
    else if (s.kind === 'setup' && /init|create/.test(s.name)) out.add('setup');
    else if (s.kind === 'translations') out.add('translations');
  }
  if (detectAssets(p).length > 0) out.add('assets');
  return [...out].sort();
}

/** Reviewed disagreements: app → [MANIFEST says, pyship finds, why]. */
const KNOWN: Record<string, [string, string, string]> = {
  graditude: ['assets', '', 'the React frontend is built from the repository-root package.json, outside the backend/ build context: not part of the image'],
};

const rows = manifest();

/** The directory init runs in: the app's subfolder when it holds the Python manifest, else the app root. */
function contextOf(name: string, subdir: string): string {
  const sub = subdir.split(' ')[0]!;
  const root = join(DIR, name);
  if (sub === '.' || !existsSync(join(root, sub))) return root;
  const manifest = ['pyproject.toml', 'requirements.txt', 'Pipfile', 'setup.py', 'environment.yml', 'requirements'].some((f) => existsSync(join(root, sub, f)));
  return manifest ? join(root, sub) : root;
}

describe.skipIf(!present)('startup steps on the corpus apps vs MANIFEST.tsv', () => {
  it('agree with the migrations and build_steps columns, but for the reviewed disagreements', () => {
    expect(rows.length).toBeGreaterThan(20);
    const table: string[] = [];
    const diffs: string[] = [];
    for (const r of rows) {
      const name = r.name;
      const want = manifestFacts(r.migrations!, r.build_steps!);
      const got = detectedFacts(contextOf(name, r.subdir!));
      const missing = want.filter((w) => !got.includes(w));
      const extra = got.filter((g) => !want.includes(g));
      table.push(`${name.padEnd(24)} manifest: ${want.join(',') || '-'}  pyship: ${got.join(',') || '-'}`);
      if (missing.length > 0 || extra.length > 0) diffs.push(`${name}: MANIFEST only ${missing.join(',')}; pyship only ${extra.join(',')}`);
    }
    console.log(table.join('\n'));
    const expected = Object.entries(KNOWN).filter(([, [m, g]]) => m || g).map(([n, [m, g]]) => `${n}: MANIFEST only ${m}; pyship only ${g}`).sort();
    expect(diffs.sort()).toEqual(expected);
  });
});
