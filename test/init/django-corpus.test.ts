// Django on the corpus of real apps (../shared/corpus/apps): the production settings module, static files and
// compilemessages pyship decides for each Django app, compared with what an engineer wrote in MANIFEST.tsv
// (django_settings_production, static_files, build_steps). The per-app table is a reviewed snapshot; every
// disagreement is listed below with the reason, and the test fails on any other.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Decisions } from '../../src/init/decisions.js';
import { chooseDjango } from '../../src/init/django.js';
import { detectApp } from '../../src/project/app.js';
import { loadProject } from '../../src/project/project.js';
import { APPS_DIR, appsPresent, manifest, skipNote } from '../corpus-apps.js';

skipNote('the Django corpus comparison (settings, static files, compilemessages)');

const DJANGO_APPS = ['babybuddy', 'channels-multichat', 'django-channels-chat', 'django-on-docker', 'djangoproject.com', 'docker-django-example', 'graditude', 'linkding', 'market-access-api', 'python-getting-started', 'shynet'];

/** Reviewed disagreements with MANIFEST: `app field: …` → why pyship is right (none today). */
const KNOWN: Record<string, string> = {};

/** MANIFEST's free text, reduced to what can be compared: the first settings module named, collect or not, whitenoise or not. */
const expected = (m: Record<string, string>) => ({
  settings: /\b\w+\.settings(?:\.[\w-]+)?\b/.exec(m.django_settings_production!)?.[0] ?? '?',
  collect: /collectstatic (needed|at build)/i.test(m.static_files!),
  whitenoise: /whitenoise/i.test(m.static_files!) && !/no whitenoise/i.test(m.static_files!),
  compilemessages: /compilemessages/i.test(m.build_steps!),
});

describe.skipIf(!appsPresent)('Django apps of the corpus: settings and static files against MANIFEST.tsv', () => {
  it('decides settings, static files and compilemessages as MANIFEST says, every difference reviewed', async () => {
    const man = new Map(manifest().map((r) => [r.name, r]));
    const table: string[] = ['app\tsettings\tstatic-files\tcompilemessages\tenv for collectstatic\tcompose SECRET_KEY / ALLOWED_HOSTS'];
    const disagree: string[] = [];
    let fields = 0;
    for (const name of DJANGO_APPS) {
      const row = man.get(name);
      const dir = join(APPS_DIR, name);
      if (!row || !existsSync(dir)) {
        console.warn(`NOTE: ${name} is not in the corpus: skipped`);
        continue;
      }
      const p = loadProject(dir, dir);
      const app = detectApp(p);
      expect(app.django, `${name}: a Django project`).toBeDefined();
      const d = new Decisions();
      const plan = chooseDjango(p, app.django!, d, { installProject: false, manager: 'pip' });
      const settings = d.get('settings')!;
      const statics = d.get('static-files')!;
      const collect = plan.buildSteps.find((b) => b.name === 'collectstatic');
      const got = {
        settings: settings.value,
        collect: collect !== undefined,
        whitenoise: /served by whitenoise/.test(statics.value),
        compilemessages: plan.buildSteps.some((b) => b.name === 'compilemessages'),
      };
      const want = expected(row);
      for (const k of Object.keys(want) as (keyof typeof want)[]) {
        fields++;
        // whitenoise is only decided where files are collected
        if (k === 'whitenoise' && !got.collect && !want.collect) continue;
        if (got[k] !== want[k]) disagree.push(`${name} ${k}: pyship ${got[k]}, MANIFEST ${want[k]}`);
      }
      table.push([name, `${settings.value} (${settings.evidence[0]})`, statics.value, String(got.compilemessages), Object.keys(collect?.env ?? {}).join(' ') || '-', `${plan.secretKeyEnv ?? '-'} / ${plan.allowedHostsEnv ? `${plan.allowedHostsEnv.name} (${JSON.stringify(plan.allowedHostsEnv.sep)})` : '-'}`].join('\t'));
    }
    await expect(`${table.join('\n')}\n`).toMatchFileSnapshot('__snapshots__/django-corpus.tsv');
    const unexplained = disagree.filter((x) => !KNOWN[x]);
    expect(unexplained).toEqual([]);
    // MANIFEST agreement over the compared fields
    expect(1 - disagree.length / fields).toBeGreaterThanOrEqual(0.95);
  });
});
