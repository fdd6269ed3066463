// `pyship init` for Django: the settings module the image runs with, collectstatic and compilemessages as build steps
// (or a note saying why not), and migrations as a one-off release step, each a Decision with its evidence.
import type { DjangoApp } from '../project/app.js';
import { chooseSettings, localeCatalogues, manageDirOf, readSettings, type SettingsFacts } from '../project/django.js';
import type { Project } from '../project/model.js';
import type { Decisions } from './decisions.js';
import type { PackageManager } from '../project/python.js';
import { InitError } from './types.js';
import type { BuildStep, Server, UwsgiServing } from '../templates/spec.js';
import { mapServing } from './uwsgi-serving.js';

export interface DjangoSetup {
  settings: string;
  secretKeyEnv?: string;
  allowedHostsEnv?: { name: string; sep: string };
  manageDir: string;
  /** manage.py relative to /app (the working directory of every command). */
  manage: string;
  buildSteps: BuildStep[];
  /** Debian packages the build stage needs for the steps (gettext's msgfmt). */
  buildPackages: string[];
  notes: string[];
}

/** Remote storages upload on collectstatic: a build has no credentials for them. */
const REMOTE_STORAGE = /^storages\.|collectfast|cloudinary|gcloud|s3|azure|google/i;

const WHY: Record<string, string> = {
  'production-module': 'the settings package has a production module',
  'wsgi-default': 'wsgi.py/asgi.py default to it (manage.py names a development module)',
  'deployment-config': 'the project deploys with it',
  'init-fallback': 'the settings package falls back to it when the dev module is absent',
  'manage-default': "manage.py's default, the only settings module",
  'only-module': 'the settings module beside the app (manage.py names none)',
};

export function chooseDjango(p: Project, dj: DjangoApp, d: Decisions, ctx: { installProject: boolean; manager: PackageManager; server?: Server; uwsgiServing?: UwsgiServing }): DjangoSetup {
  const manageDir = manageDirOf(dj);
  const choice = chooseSettings(p, dj);
  if (!choice) {
    throw new InitError(`${dj.manage} names no DJANGO_SETTINGS_MODULE, and pyship found no settings module or deployment file that sets one`,
      'add `os.environ.setdefault("DJANGO_SETTINGS_MODULE", "<project>.settings")` to manage.py');
  }
  const notes: string[] = [];
  d.decide('settings', choice.module, ...choice.evidence);
  if (choice.rule !== 'manage-default') {
    notes.push(`Django settings: ${choice.module}, because ${WHY[choice.rule]} (${choice.evidence[0]}); the image sets DJANGO_SETTINGS_MODULE to it${dj.settings && dj.settings !== choice.module ? `, over manage.py's default ${dj.settings}` : ''}`);
  }
  if (choice.rule === 'manage-default' && /(^|\.)(dev|local|development)$/.test(choice.module)) {
    notes.push(`${choice.module} looks like development settings and the project has no production module: check DEBUG and ALLOWED_HOSTS before shipping`);
  }
  const facts = readSettings(p, dj, choice);
  // an installed project has no manage.py in /app: django-admin with DJANGO_SETTINGS_MODULE does the same
  const manage = dj.manage;
  const admin = ctx.installProject ? ['python', '-m', 'django'] : ['python', manage];
  const buildSteps: BuildStep[] = [];
  const buildPackages: string[] = [];

  // static files
  const collect = collectstatic(facts, ctx.installProject);
  if (collect.run) {
    const env: Record<string, string> = {};
    for (const r of facts.required) env[r.name] = r.dummy;
    const root = facts.staticRoot!.path!;
    buildSteps.push({
      name: 'collectstatic', run: [...admin, 'collectstatic', '--noinput'], env,
      ...(root === '/app' || root.startsWith('/app/') ? {} : { dirs: [root] }),
      evidence: [`${facts.staticRoot!.at} STATIC_ROOT`, `${facts.staticfiles!} django.contrib.staticfiles`, ...(facts.whitenoise ? [`${facts.whitenoise} WhiteNoiseMiddleware`] : []),
        ...facts.required.map((r) => `${r.at} reads ${r.name} with no default: a dummy value for this one RUN`)],
    });
    // whitenoise serves them from the app; else only uWSGI's static-map does (the other servers serve no files)
    const map = !facts.whitenoise && ctx.uwsgiServing ? mapServing(ctx.uwsgiServing, root) : undefined;
    const served = facts.whitenoise ? 'served by whitenoise' : map ? `served by uWSGI static-map ${map.mount}=${map.dir}`
      : ctx.server ? `no whitenoise, and ${ctx.server} serves no files: nothing serves STATIC_URL: add whitenoise (two lines) or a web server`
        : 'no whitenoise: a web server or CDN must serve it';
    d.decide('static-files', `collectstatic at build into ${root}; ${served}`, ...buildSteps.at(-1)!.evidence.slice(0, 3), ...(map ? [`${map.at} static-map = ${map.mount}=${map.dir} (carried into pyship's uWSGI config)`] : []));
    if (!facts.whitenoise && !map) notes.push(`static files are collected into ${root}, but nothing in the image serves them at STATIC_URL (no WhiteNoiseMiddleware${ctx.server ? `, and ${ctx.server} serves no files` : ''}): add whitenoise (\`pip install whitenoise\`, and "whitenoise.middleware.WhiteNoiseMiddleware" after SecurityMiddleware), or serve that directory from a web server or CDN`);
  } else {
    d.decide('static-files', collect.value, ...collect.evidence);
    if (collect.note) notes.push(collect.note);
  }

  // translations: .mo files compiled in the build stage, where gettext can stay
  const pos = localeCatalogues(p);
  if (pos.length > 0) {
    if (ctx.manager === 'conda') {
      notes.push(`the project ships ${pos.length} .po catalogues (${pos[0]}), and the conda build stage has no gettext: compile them (django-admin compilemessages) and commit the .mo files, or add gettext to the environment`);
    } else {
      buildPackages.push('gettext');
      // without settings compilemessages walks the whole tree for locale/ directories, and imports no settings
      buildSteps.push({
        name: 'compilemessages', stage: 'build', run: ['/opt/venv/bin/python', '-m', 'django', 'compilemessages'],
        evidence: [`${pos[0]}${pos.length > 1 ? ` and ${pos.length - 1} more .po catalogues` : ''}`],
      });
      if (ctx.installProject) notes.push('the .mo catalogues are compiled before the project is installed: make sure its package data includes them (**/locale/**/*.mo)');
    }
  }

  // its migrations become a one-off release step with the other tools' (src/init/steps.ts)
  return { settings: choice.module, secretKeyEnv: facts.secretKeyEnv, allowedHostsEnv: facts.allowedHostsEnv, manageDir, manage, buildSteps, buildPackages, notes };
}

function collectstatic(f: SettingsFacts, installProject: boolean): { run: boolean; value: string; evidence: string[]; note?: string } {
  const no = (value: string, evidence: string[], note?: string): { run: false; value: string; evidence: string[]; note?: string } => ({ run: false, value, evidence, note });
  if (!f.staticfiles) return no('none: django.contrib.staticfiles is not installed', [`${f.files[0]} INSTALLED_APPS`]);
  if (!f.staticRoot) {
    return no('not collected: STATIC_ROOT is not set (static files are served by runserver with DEBUG only)', [f.staticfiles],
      'the settings set no STATIC_ROOT, so collectstatic cannot run: with DEBUG off nothing serves the static files; set STATIC_ROOT (and add whitenoise) to ship them');
  }
  if (f.storage && REMOTE_STORAGE.test(f.storage.backend)) {
    return no(`not collected at build: the static storage ${f.storage.backend} uploads them`, [f.storage.at],
      `static files go to ${f.storage.backend} (${f.storage.at}): run \`python manage.py collectstatic --noinput\` at release with the storage credentials, not in the image build`);
  }
  if (f.connects) {
    return no('not collected at build: the settings connect to a service at import', [f.connects],
      `the settings connect to a database or service at import (${f.connects}), which a build cannot reach: run collectstatic at release, or move that connection out of the settings`);
  }
  if (!f.staticRoot.path) {
    return no(`not collected at build: STATIC_ROOT = ${f.staticRoot.expr} is not a path pyship can place in the image`, [f.staticRoot.at],
      `STATIC_ROOT (${f.staticRoot.at}) is \`${f.staticRoot.expr}\`: pyship cannot tell where that is in the image, so collectstatic does not run at build; add \`RUN python manage.py collectstatic --noinput\` after the code is copied`);
  }
  if (installProject && f.staticRoot.path.startsWith('/app/')) {
    return no('not collected at build: the project is installed into /opt/venv, where STATIC_ROOT is not writable', [f.staticRoot.at],
      `the project is installed into /opt/venv, so STATIC_ROOT (${f.staticRoot.at}) would be inside site-packages: set STATIC_ROOT to a directory outside the package and run collectstatic in the Dockerfile`);
  }
  return { run: true, value: '', evidence: [] };
}
