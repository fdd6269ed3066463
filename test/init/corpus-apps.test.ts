// `pyship init --no-input` on every real app of ../shared/corpus/apps, as a new user runs it (a copy, in git):
// it exits 0 (or 2 naming the flag, only where the app is truly ambiguous), changes no file the app had, writes files
// `pyship check` finds nothing in, and decides what MANIFEST.tsv says an engineer found by reading the app. Every
// decision is in a reviewed snapshot (__snapshots__/corpus-apps.txt); each field is matched against MANIFEST by a
// rule below or by a reviewed verdict (corpus-verdicts.ts), and the disagreements are listed with why.
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LockRunner } from '../../src/init/lock.js';
import { checkFindings, gitCommit, init, listFiles } from './helpers.js';
import { APPS_DIR, appsPresent, manifest, skipNote, type ManifestRow } from '../corpus-apps.js';
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

/** Migration tools by the words that name them in a command. */
const MIGRATION_TOOLS: [string, RegExp][] = [
  ['django', /manage(\.py)? migrate|\bmigrate\b.*manage/], ['alembic', /alembic upgrade/], ['flask-migrate', /flask db upgrade|flask deploy|flask_migrate\.upgrade|upgrade\(\)/],
  ['aerich', /aerich/], ['kinto', /kinto migrate/], ['litestar', /litestar database upgrade/], ['setup', /init_db|init-db|create_db/],
];
const tools = (text: string): Set<string> => new Set(MIGRATION_TOOLS.filter(([, re]) => re.test(text)).map(([t]) => t));
/** Build steps by kind: what MANIFEST names and what pyship placed (not what it left out). */
const STEP_KINDS: [string, RegExp][] = [
  ['collectstatic', /collectstatic/], ['compilemessages', /compilemessages/], ['translations', /pybabel|babel compile|translate compile/i],
  ['assets', /\b(npm|yarn|bun|gulp|vite|rollup|esbuild|tailwind|webpack|scss|sass)\b/i],
];
const kinds = (text: string): string[] => STEP_KINDS.filter(([, re]) => re.test(text)).map(([k]) => k).sort();
const placed = (v: string): string => v.split(/;\s*/).filter((part) => !/left out|not placed/.test(part)).join('; ');
/** Debian library packages a text names (`libpq5`, `libmariadb3`, `libxml2`…). */
const libs = (text: string): string[] => [...new Set(text.match(/\blib[a-z0-9][\w.+-]*[0-9a-z]/g) ?? [])].filter((l) => !/-dev$/.test(l)).sort();
const same = (a: Set<string> | string[], b: Set<string> | string[]): boolean => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

/** A rule per field: 'agree' / 'disagree' when the texts settle it, undefined when a reviewed verdict must. */
const MATCH: Record<string, (value: string | undefined, m: string, evidence: string[]) => 'agree' | 'disagree' | undefined> = {
  framework: (v, m) => (v && m.toLowerCase().includes(v.toLowerCase()) ? 'agree' : undefined),
  entry: (v, m) => {
    const target = v && /^[\w.]+:[\w.]+(\(\))?/.exec(v)?.[0];
    if (!target) return undefined;
    return m.includes(target) || m.includes(target.replace(/\(\)$/, '')) ? 'agree' : undefined;
  },
  // the server the project uses, or (MANIFEST: none configured) the one MANIFEST names as the natural one
  server: (v, m) => (v && m.toLowerCase().includes(firstWord(v)) ? 'agree' : undefined),
  // the tool that installs, or the one the project declares when pyship installs its exported requirements
  'package-manager': (v, m) => (v && [firstWord(v), /declares (\S+?)\)/.exec(v)?.[1]].includes(firstWord(m)) ? 'agree' : undefined),
  // MANIFEST's newest Python the pins support, or the project's own pin that MANIFEST reports (runtime.txt,
  // .python-version, Pipfile's python_version: what the project runs today, which init keeps and notes)
  python: (v, m, ev) => {
    const newest = /Newest(?: allowed)?: (3\.\d+)/.exec(m)?.[1];
    const pin = /^(runtime\.txt|\.python-version|Pipfile): (?:python-)?(3\.\d+)/.exec(ev[0] ?? '');
    if (v && pin && pin[2] === v && m.includes(pin[1] === 'Pipfile' ? `python_version = "${v}` : pin[1]!) && m.includes(v)) return 'agree';
    return v && newest ? (v === newest ? 'agree' : 'disagree') : undefined;
  },
  settings: (v, m) => (none(m) ? (v === undefined ? 'agree' : 'disagree') : v && new RegExp(`(^|[\\s:(])${v.replace(/\./g, '\\.')}([\\s,;)]|$)`).test(m) ? 'agree' : undefined),
  // Django: collected at build or not (MANIFEST: "collectstatic needed"), and whether whitenoise serves them; other
  // frameworks serve their static folder themselves: nothing to decide unless MANIFEST names a build
  'static-files': (v, m) => {
    const build = /collectstatic|build|yarn|npm|digest|compile/i.test(m.replace(/\bno build\b/gi, ''));
    if (v === undefined || v.startsWith('nothing to collect')) return build ? undefined : 'agree';
    if (v.startsWith('built in the assets stage')) return build ? 'agree' : undefined;
    const collect = /collectstatic (needed|at build)/i.test(m);
    if (collect !== v.startsWith('collectstatic at build')) return 'disagree';
    if (!collect) return 'agree';
    return (/whitenoise/i.test(m) && !/no whitenoise/i.test(m)) === /served by whitenoise/.test(v) ? 'agree' : 'disagree';
  },
  // the same migration tool (or none on both sides)
  migrations: (v, m) => {
    if (none(m)) return v === undefined || /^none\b/.test(v) ? 'agree' : undefined;
    const a = tools(v ?? '');
    return a.size > 0 && same(a, tools(m)) ? 'agree' : undefined;
  },
  'health-check': (v, m, ev) => {
    // no health route: any answer below 500, or a route whose view returns a constant (liveness, not a health route)
    if (none(m)) return v !== undefined && (!v.startsWith('/') || /returns a constant/.test(ev[0] ?? '')) ? 'agree' : undefined;
    const path = /\/[^\s,;()]*/.exec(m)?.[0];
    return v && path ? (v === path ? 'agree' : undefined) : undefined;
  },
  port: (v, m) => (v && /\d+/.exec(m)?.[0] === v ? 'agree' : undefined),
  // the same run-time libraries
  'system-packages': (v, m) => {
    const ours = v === undefined || v === 'none' ? [] : libs(v.split(';')[0]!);
    return same(ours, libs(m.split(/;|\bbuild deps\b/)[0]!)) ? 'agree' : undefined;
  },
  // the same kinds of build step, placed
  'build-steps': (v, m) => {
    if (none(m)) return v === undefined || v === 'none' ? 'agree' : undefined;
    const ours = kinds(placed(v ?? ''));
    return ours.length > 0 && same(ours, kinds(m)) ? 'agree' : undefined;
  },
};

const NO_LOCKER: LockRunner = {
  which: () => false,
  exec: () => ({ code: 127, stdout: '', stderr: 'not run' }),
  engine: () => 'no container engine in the corpus test (locking runs in test/e2e/lock.e2e.test.ts)',
};

async function run(row: ManifestRow): Promise<Outcome> {
  const dir = join(mkdtempSync(join(tmpdir(), 'pyship-apps-')), row.name);
  cpSync(join(APPS_DIR, row.name), dir, { recursive: true });
  gitCommit(dir);
  const before = new Map(listFiles(dir).map((f) => [f, readFileSync(join(dir, f))]));
  // locking is proven with a real engine in test/e2e/lock.e2e.test.ts; here it is the same on every machine: no
  // locker on PATH, no engine (as on a fresh clone), so an unlocked app shows init's fallback
  const r = await init(dir, { format: 'json' }, { lockRunner: NO_LOCKER });
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

  it('writes files pyship check finds nothing in (but the unpinned requirements of a project it could not lock)', () => {
    // without a registry (PyPI), an unlocked project whose Python the engine has no image of cannot be locked here:
    // init writes the declared ranges and says "not locked"; REP004 rightly reports each unpinned line of that file
    const notLocked = (o: Outcome): boolean => /^not locked/.test(o.decisions.find((d) => d.field === 'lock')?.value ?? '');
    const unexpected = outcomes.flatMap((o) => o.findings.filter((f) => !(/ REP004 /.test(f) && notLocked(o))).map((f) => `${o.app}/${f}`));
    expect(unexpected).toEqual([]);
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
        const decision = o.decisions.find((d) => d.field === field);
        const value = decision?.value;
        const key = `${o.app}/${field}`;
        const reviewed = VERDICTS[key];
        let verdict = MATCH[field]!(value, row[col] ?? '', decision?.evidence ?? []);
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
