// `pyship init --no-input` on every real app of ../shared/corpus/apps, as a new user runs it (a copy, in git):
// it exits 0 (or 2 naming the flag, only where the app is truly ambiguous), changes no file the app had, writes files
// `pyship check` finds nothing in, and decides what MANIFEST.tsv says an engineer found by reading the app. Every
// decision is in a reviewed snapshot (__snapshots__/corpus-apps.txt); each field is matched against MANIFEST by a
// rule below or by a reviewed verdict (corpus-verdicts.ts), and the disagreements are listed with why.
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkFindings, gitCommit, init, listFiles } from './helpers.js';
import { APPS_DIR, appsPresent, manifest, skipNote, type ManifestRow } from './manifest.js';
import { VERDICTS, AMBIGUOUS } from './corpus-verdicts.js';

skipNote('the corpus test of init on real apps');

interface Decision { field: string; value: string; evidence: string[] }
interface Outcome {
  app: string;
  code: number;
  decisions: Decision[];
  files: { path: string; action: string }[];
  error?: string;
  changed: string[];
  findings: string[];
}

/** The fields compared with MANIFEST.tsv: pyship's decision field → MANIFEST column. */
export const FIELDS: Record<string, string> = {
  framework: 'framework', entry: 'app_entry', server: 'server', 'package-manager': 'package_manager', python: 'python',
  settings: 'django_settings_production', 'static-files': 'static_files', migrations: 'migrations', 'health-check': 'health_route',
  port: 'port', 'system-packages': 'runtime_system_packages', 'build-steps': 'build_steps',
};

const none = (m: string): boolean => /^(none|n\/a)\b/i.test(m.trim());
const firstWord = (v: string): string => v.trim().split(/[\s:(,]+/)[0]!.toLowerCase();

/** A rule per field: 'agree' / 'disagree' when the texts settle it, undefined when a reviewed verdict must. */
const MATCH: Record<string, (value: string | undefined, m: string) => 'agree' | 'disagree' | undefined> = {
  framework: (v, m) => (v && m.toLowerCase().includes(v.toLowerCase()) ? 'agree' : undefined),
  entry: (v, m) => {
    const target = v && /^[\w.]+:[\w.]+(\(\))?/.exec(v)?.[0];
    if (!target) return undefined;
    return m.includes(target) || m.includes(target.replace(/\(\)$/, '')) ? 'agree' : undefined;
  },
  server: (v, m) => (v && !none(m) && m.toLowerCase().includes(firstWord(v)) ? 'agree' : undefined),
  'package-manager': (v, m) => (v && firstWord(m) === v ? 'agree' : undefined),
  python: (v, m) => {
    const newest = /Newest(?: allowed)?: (3\.\d+)/.exec(m)?.[1];
    return v && newest ? (v === newest ? 'agree' : 'disagree') : undefined;
  },
  settings: (v, m) => (none(m) ? (v === undefined ? 'agree' : 'disagree') : v && /^[\w.]+/.exec(m.trim())?.[0] === v ? 'agree' : undefined),
  // Django: collected at build or not (MANIFEST: "collectstatic needed"), and whether whitenoise serves them
  'static-files': (v, m) => {
    if (v === undefined) return undefined;
    const collect = /collectstatic (needed|at build)/i.test(m);
    if (collect !== v.startsWith('collectstatic at build')) return 'disagree';
    if (!collect) return 'agree';
    return (/whitenoise/i.test(m) && !/no whitenoise/i.test(m)) === /served by whitenoise/.test(v) ? 'agree' : 'disagree';
  },
  migrations: (v, m) => (none(m) && (v === undefined || /^none\b/.test(v)) ? 'agree' : undefined),
  'health-check': (v, m) => {
    if (none(m)) return v !== undefined && !v.startsWith('/') ? 'agree' : undefined;
    const path = /\/[^\s,;()]*/.exec(m)?.[0];
    return v && path ? (v === path ? 'agree' : undefined) : undefined;
  },
  port: (v, m) => (v && /\d+/.exec(m)?.[0] === v ? 'agree' : undefined),
  'system-packages': (v, m) => (none(m) && v === 'none' ? 'agree' : undefined),
  'build-steps': (v, m) => (none(m) && (v === undefined || v === 'none') ? 'agree' : undefined),
};

async function run(row: ManifestRow): Promise<Outcome> {
  const dir = join(mkdtempSync(join(tmpdir(), 'pyship-apps-')), row.name);
  cpSync(join(APPS_DIR, row.name), dir, { recursive: true });
  gitCommit(dir);
  const before = new Map(listFiles(dir).map((f) => [f, readFileSync(join(dir, f))]));
  const r = await init(dir, { format: 'json' });
  const out = r.out.trim() ? JSON.parse(r.out) as { decisions?: Decision[]; files?: { path: string; action: string }[]; error?: string } : {};
  const changed = [...before].filter(([f, bytes]) => !readFileSync(join(dir, f)).equals(bytes)).map(([f]) => f);
  const written = new Set((out.files ?? []).filter((f) => f.action === 'write' || f.action === 'replace').map((f) => f.path));
  const findings = r.code === 0 ? checkFindings(dir).filter((f) => written.has(f.split(':')[0]!)) : [];
  return { app: row.name, code: r.code, decisions: out.decisions ?? [], files: out.files ?? [], error: out.error, changed, findings };
}

describe.skipIf(!appsPresent)('pyship init on the real apps of the corpus', () => {
  const rows = manifest();
  const outcomes: Outcome[] = [];

  beforeAll(async () => {
    for (const row of rows) outcomes.push(await run(row));
  }, 600_000);

  it('finds all 29 apps', () => {
    expect(rows.length).toBe(29);
  });

  it('exits 0 on every app, or 2 naming the flag where the app is truly ambiguous', () => {
    const exits = outcomes.map((o) => `${o.app}: ${o.code}${o.error ? ` ${o.error}` : ''}`);
    const expected = outcomes.map((o) => `${o.app}: ${AMBIGUOUS[o.app] ? `2 ${AMBIGUOUS[o.app]}` : 0}`);
    expect(exits).toEqual(expected);
  });

  it('changes no file the app had', () => {
    expect(outcomes.filter((o) => o.changed.length > 0).map((o) => `${o.app}: ${o.changed.join(', ')}`)).toEqual([]);
  });

  it('writes files pyship check finds nothing in', () => {
    expect(outcomes.flatMap((o) => o.findings.map((f) => `${o.app}/${f}`))).toEqual([]);
  });

  it('records every decision with its evidence (reviewed snapshot)', async () => {
    const lines = outcomes.flatMap((o) => [
      `## ${o.app} (exit ${o.code})`,
      ...o.decisions.map((d) => `${d.field}: ${d.value}${d.evidence.length > 0 ? `  [${d.evidence.join('; ')}]` : ''}`),
      ...o.files.map((f) => `file ${f.path}: ${f.action}`),
      '',
    ]);
    await expect(lines.join('\n')).toMatchFileSnapshot('__snapshots__/corpus-apps.txt');
  });

  it('agrees with MANIFEST.tsv on at least 95% of the fields; each disagreement is reviewed', async () => {
    const table: string[] = [];
    const unreviewed: string[] = [];
    let agree = 0;
    let total = 0;
    let manifestWrong = 0;
    for (const o of outcomes) {
      const row = rows.find((r) => r.name === o.app)!;
      for (const [field, col] of Object.entries(FIELDS)) {
        const value = o.decisions.find((d) => d.field === field)?.value;
        const key = `${o.app}/${field}`;
        const reviewed = VERDICTS[key];
        let verdict = MATCH[field]!(value, row[col] ?? '');
        let why = '';
        if (reviewed && (verdict === undefined || reviewed.verdict !== 'agree')) {
          // a verdict is for the value it was given on: a new value needs a new review
          if (reviewed.value !== (value ?? '-')) unreviewed.push(`${key}: reviewed for "${reviewed.value}", now "${value ?? '-'}"`);
          verdict = reviewed.verdict === 'agree' ? 'agree' : 'disagree';
          why = reviewed.why;
          if (reviewed.verdict === 'manifest-wrong') manifestWrong++;
        }
        if (verdict === undefined) {
          unreviewed.push(`${key}: pyship "${value ?? '-'}" vs MANIFEST "${(row[col] ?? '').slice(0, 160)}"`);
          continue;
        }
        total++;
        if (verdict === 'agree') agree++;
        else table.push(`${key}: pyship "${value ?? '-'}" — ${reviewed?.verdict === 'manifest-wrong' ? 'MANIFEST is wrong' : 'disagrees'}: ${why || `MANIFEST says "${(row[col] ?? '').slice(0, 160)}"`}`);
      }
    }
    table.unshift(`agreement: ${agree}/${total} fields (${((100 * agree) / Math.max(total, 1)).toFixed(1)}%); ${manifestWrong} where MANIFEST is wrong`);
    await expect(`${table.join('\n')}\n`).toMatchFileSnapshot('__snapshots__/corpus-agreement.txt');
    expect(unreviewed).toEqual([]);
    expect(agree / total).toBeGreaterThanOrEqual(0.95);
  });
});
