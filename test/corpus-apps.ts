// The corpus of real apps (../shared/corpus/apps) and its MANIFEST.tsv: what an engineer found by reading each app.
// Tests read it at run time, only through this module, and skip with a visible note where it is absent; nothing of it
// is copied into the repo.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const APPS_DIR = join(import.meta.dirname, '..', '..', 'shared', 'corpus', 'apps');
export const appsPresent = existsSync(join(APPS_DIR, 'MANIFEST.tsv'));

export type ManifestRow = Record<string, string> & { name: string };

/** The rows of MANIFEST.tsv, keyed by column name ([] when the corpus is absent). */
export function manifest(): ManifestRow[] {
  if (!appsPresent) return [];
  const [head, ...rows] = readFileSync(join(APPS_DIR, 'MANIFEST.tsv'), 'utf8').split('\n').filter((l) => l.trim() !== '');
  const cols = head!.split('\t');
  return rows.map((r) => {
    const cells = r.split('\t');
    return Object.fromEntries(cols.map((c, i) => [c, cells[i] ?? ''])) as ManifestRow;
  });
}

export function skipNote(what: string): void {
  if (!appsPresent) console.warn(`NOTE: ${APPS_DIR} is absent: ${what} skipped`);
}
