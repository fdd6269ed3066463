// Where each startup step the project states goes in the packaging (docs/practices.md): build-time steps into the
// Dockerfile (a RUN, or a Node stage for assets), migrations into a one-off (compose `migrate`, a k8s Job, Procfile
// `release:`), steps that drop data listed for the user; never into the container's start. Each is a decision.
import { detectAssets, type AssetBuild } from '../project/assets.js';
import { detectSteps, type FoundStep } from '../project/steps.js';
import type { Project } from '../project/model.js';
import { detectPython } from '../project/python.js';
import { dependencyNames } from './deps.js';
import type { Decisions } from './decisions.js';
import type { InitSpec } from './types.js';
import type { AssetStage, BuildStep, ReleaseStep } from '../templates/spec.js';

const WHERE: Record<FoundStep['when'], string> = {
  start: 'at container start', release: 'as a release step', build: 'at image build', task: 'by hand or as a task',
};
const ev = (s: FoundStep): string => `${s.at} ${s.commented ? '(commented out) ' : ''}${s.argv.length > 0 ? s.argv.join(' ') : s.name}${s.when === 'task' ? '' : ` (${WHERE[s.when]})`}`;

/** The tool a migration belongs to, so the project's several mentions of one tool count once. */
function family(s: FoundStep): string {
  if (/migrate$/.test(s.name) && /manage|django/.test(s.name)) return 'django';
  if (/^upgrade\(\) in /.test(s.name)) return 'in-app';
  if (/^(flask|quart) /.test(s.name)) return 'flask';
  return s.name.split(' ')[0]!;
}

/** The project's own running steps first (start, release, build), then its suggestions, then what its files imply. */
const RANK: Record<FoundStep['when'], number> = { release: 0, start: 1, build: 2, task: 3 };
const rank = (s: FoundStep): number => RANK[s.when] + (s.commented ? 2 : 0) + (s.argv.length === 0 ? 5 : 0);

const DYNAMIC = /\$/;
/** argv for the image: the program by name (no `$(VENV)/bin/`), a shell only when a word expands a variable. */
function imageArgv(argv: string[]): string[] {
  const a: string[] = [];
  argv.forEach((w, i) => {
    if (i === 0) a.push(w.replace(/^.*\/(?=[^/]+$)/, '').replace(/^\.\//, ''));
    // a Makefile's `$(VAR)` means nothing in the image: drop it, and the option it was the value of
    else if (w.includes('$(')) {
      if (a.length > 1 && a[a.length - 1]!.startsWith('-')) a.pop();
    } else a.push(w);
  });
  if (a[0] === 'manage.py') a.unshift('python');
  if (!a.some((w) => DYNAMIC.test(w))) return a;
  return ['sh', '-c', a.join(' ')];
}

function releaseStep(p: Project, s: FoundStep, spec: InitSpec, evidence: string[]): ReleaseStep {
  const f = family(s);
  if (f === 'django') {
    const manage = spec.django?.manageDir ? `${spec.django.manageDir}/manage.py` : 'manage.py';
    return { name: 'migrate', run: ['python', manage, 'migrate', '--noinput'], evidence };
  }
  const run = imageArgv(s.argv);
  const step: ReleaseStep = { name: 'migrate', run, evidence };
  // the framework CLI finds the app from its variable when the command does not name it (as the project's env did)
  const cli = f === 'flask' ? 'FLASK_APP' : run[0] === 'litestar' ? 'LITESTAR_APP' : undefined;
  if (cli && spec.app && !run.some((w) => w === '--app' || w === '-A' || w.startsWith('--app='))) {
    step.env = { [cli]: `${spec.app.module}:${spec.app.attr}` };
  }
  if (f === 'alembic' && !run.some((w) => w === '-c' || w === '--config' || w.startsWith('--config='))) {
    // alembic reads ./alembic.ini: the one-off runs where the project keeps it
    const inis = p.find((x) => /(^|\/)alembic\.ini$/.test(x) && !/(^|\/)migrations\/alembic\.ini$/.test(x) && x.split('/').length <= 4);
    if (inis.length === 1 && inis[0]!.includes('/')) step.cwd = inis[0]!.slice(0, inis[0]!.lastIndexOf('/'));
  }
  return step;
}

function placeMigrations(p: Project, spec: InitSpec, d: Decisions, steps: FoundStep[]): void {
  const migrations = steps.filter((s) => s.kind === 'migration');
  const manual = steps.filter((s) => s.kind === 'setup');
  const inApp = migrations.filter((s) => family(s) === 'in-app');
  const runnable = migrations.filter((s) => family(s) !== 'in-app').sort((a, b) => rank(a) - rank(b));
  const parts: string[] = [];
  const evidence: string[] = [];
  let chosen = runnable[0];
  // Django without a stated step: its migrations still need a one-off (the compose `migrate` service)
  if (!chosen && spec.django) {
    chosen = { kind: 'migration', name: 'manage.py migrate', argv: ['python', 'manage.py', 'migrate'], at: 'manage.py', when: 'task', destructive: false };
    evidence.push('default: a Django project; its migrations run as a one-off');
  }
  if (chosen) {
    const same = runnable.filter((s) => family(s) === family(chosen!));
    evidence.push(...same.map(ev));
    const step = releaseStep(p, chosen, spec, evidence);
    spec.releaseSteps.push(step);
    const cmd = step.run.join(' ');
    const where = [spec.compose ? 'compose one-off `migrate` (`docker compose run --rm migrate`)' : undefined, spec.k8s ? 'k8s Job k8s/migrate-job.yaml' : undefined]
      .filter(Boolean).join(', ') || '`docker run --rm IMAGE ' + cmd + '` before each release';
    parts.push(`${cmd}: ${where}, never at container start`);
    const atStart = same.filter((s) => s.when === 'start' && !s.commented);
    if (atStart.length > 0) parts.push(`the project ran it at container start (${atStart.map((s) => s.at).join(', ')}): not carried over`);
    const atBuild = same.filter((s) => s.when === 'build');
    if (atBuild.length > 0) parts.push(`the project ran it at image build (${atBuild.map((s) => s.at).join(', ')}): not carried over, a database is no part of the image`);
    const dyn = [...new Set(step.run.join(' ').match(/\$\{?\w+/g) ?? [])].map((v) => v.replace('{', ''));
    if (dyn.length > 0) parts.push(`it reads ${dyn.join(', ')}: set ${dyn.length > 1 ? 'them' : 'it'} for the one-off`);
    const procfile = /(^|\/)Procfile:/;
    if (p.file('Procfile') || same.some((s) => procfile.test(s.at))) {
      const rel = same.find((s) => s.when === 'release' && procfile.test(s.at) && !s.commented);
      const commented = same.find((s) => s.when === 'release' && procfile.test(s.at) && s.commented);
      parts.push(rel ? `the ${rel.at} release: line runs it on Heroku-like platforms`
        : commented ? `${commented.at} has a commented-out release: line for it: uncomment it on Heroku-like platforms`
          : `on Heroku-like platforms a Procfile \`release: ${cmd}\` line runs it`);
    }
    for (const other of new Set(runnable.map(family).filter((f) => f !== family(chosen!)))) {
      const s = runnable.find((x) => family(x) === other)!;
      parts.push(`also found ${s.name} (${s.at}): not placed, one migration tool per release step`);
      evidence.push(ev(s));
    }
  }
  for (const s of inApp) {
    parts.push(`the app migrates itself (${s.at}): every start and every replica runs it; move it to the one-off`);
    evidence.push(ev(s));
  }
  // one setup command however it is spelled (`python manage.py create_db`, the `create_db` CLI command it defines)
  const key = (s: FoundStep): string => s.name.replace(/ \(.*\)$/, '').split(' ').pop()!.replace(/\.py$/, '').replace(/-/g, '_');
  const drops: FoundStep[] = [];
  for (const s of manual) if (!drops.some((x) => key(x) === key(s))) drops.push(s);
  if (drops.length > 0) {
    parts.push(`manual, never automated (they drop or recreate data): ${drops.map((s) => s.name).join(', ')}`);
    evidence.push(...drops.map(ev));
    spec.notes.push(`setup steps that drop or recreate data are not automated: run once by hand when you mean it (${drops.map((s) => `${s.name} at ${s.at}`).join('; ')})`);
  }
  if (parts.length === 0) parts.push('none found');
  d.decide('migrations', parts.join('; '), ...(evidence.length > 0 ? evidence : ['default: no migration tool (Django, Alembic, Flask-Migrate, aerich…) and no migrate command in the project']));
}

function assetStage(a: AssetBuild): AssetStage {
  const files = [a.dir ? `${a.dir}/package.json` : 'package.json', ...(a.lock ? [a.dir ? `${a.dir}/${a.lock}` : a.lock] : [])];
  const image = a.manager === 'bun' ? 'oven/bun:1-slim' : `node:${a.node.major}-slim`;
  const cache = { npm: '/root/.npm', yarn: '/usr/local/share/.cache/yarn', pnpm: '/root/.local/share/pnpm/store', bun: '/root/.bun/install/cache' }[a.manager];
  return { image, dir: a.dir, files, install: a.install, build: a.build!, cache, outputs: a.outputs.map((o) => o.path) };
}

/** A context-relative path inside a Python package (a directory above it, below the context, has an __init__.py). */
function inPackage(p: Project, rel: string): boolean {
  const parts = rel.split('/').filter(Boolean);
  for (let i = parts.length; i > 0; i--) if (p.file(p.fromContext(`${parts.slice(0, i).join('/')}/__init__.py`))) return true;
  return false;
}

function placeBuildSteps(p: Project, spec: InitSpec, d: Decisions, steps: FoundStep[], assets: AssetBuild[], names: ReadonlySet<string>): void {
  const parts: string[] = [];
  const evidence: string[] = [];
  // assets: one Node stage, its output copied into the runtime stage
  for (const a of assets) {
    const what = `${a.build ?? (a.bundlers.length > 0 ? `${a.bundlers.join(', ')} (no build script)` : 'front-end packages (no build script, no bundler)')} in ${a.dir || '.'}`;
    evidence.push(`${a.at} ${a.build ? `"${a.build.split(' ').pop()}" script` : a.bundlers.length > 0 ? `uses ${a.bundlers.join(', ')}` : 'dependencies'}`, ...a.outputs.map((o) => o.evidence), ...(a.manager === 'bun' ? [] : [a.node.evidence]));
    if (!a.build && a.bundlers.length === 0) parts.push(`assets: ${what}: left out, nothing to build; if the app serves files from node_modules, add \`${a.install}\` to the Dockerfile`);
    else if (!a.build) parts.push(`assets: ${what}: left out, package.json has no build script to run`);
    else if (a.outputs.length === 0) parts.push(`assets: ${what}: left out, pyship cannot tell where it writes its output (no outDir/output path in the bundler config); add a Node stage by hand`);
    else if (spec.assets) parts.push(`assets: ${what}: left out, the image has one asset stage (${spec.assets.dir || '.'})`);
    else {
      spec.assets = assetStage(a);
      parts.push(`assets: ${a.install} && ${a.build} in a ${spec.assets.image} stage, ${a.outputs.map((o) => o.path).join(', ')} copied into the image`);
      if (!a.lock) spec.notes.push(`${a.dir ? `${a.dir}/` : ''}package.json has no lock file: the asset build installs whatever versions are newest; commit the lock file`);
      if (spec.installProject && a.outputs.every((o) => inPackage(p, o.path))) {
        // the app reads them beside its modules, in site-packages: the wheel must carry them
        spec.assets.intoBuild = true;
        parts[parts.length - 1] = `assets: ${a.install} && ${a.build} in a ${spec.assets.image} stage, ${a.outputs.map((o) => o.path).join(', ')} copied into the build stage before the project is installed (inside its package: the installed app reads them there)`;
        spec.notes.push(`the asset build's output (${a.outputs.map((o) => o.path).join(', ')}) lies inside the package the image installs: it is copied into the build stage before the install, so the installed package carries it; if the package build leaves out files git ignores, list them in its package data`);
      } else if (spec.installProject) {
        const note = `the asset build's output is copied to /app/${a.outputs[0]!.path}, but the app runs from its installed package: point the static files setting there, or build the assets before \`pip install .\``;
        spec.notes.push(note);
        spec.imageNotes.push(note);
      }
    }
  }
  // translations the project compiles (Django's compilemessages is placed with Django's steps)
  const translations = steps.filter((s) => s.kind === 'translations');
  const hook = translations.find((s) => s.argv.length === 0);
  const compiles = translations.filter((s) => s.argv.length > 0 && s.name !== 'compilemessages').sort((a, b) => rank(a) - rank(b));
  // pybabel itself rather than an app command that runs it (`flask translate compile` imports the app, and its config)
  const compile = compiles.find((s) => s.name === 'pybabel compile' && compiles[0]!.name !== 'pybabel compile' && /^(flask|quart) /.test(compiles[0]!.name)) ?? compiles[0];
  if (hook && spec.installProject) {
    parts.push(`translations: compiled by the package build hook when the image installs the project`);
    evidence.push(ev(hook));
  } else if (compile && compile.name === 'pybabel compile' && ![...names].some((n) => /^(flask[-_.]?|quart[-_.]?)?babel(ex)?$/i.test(n))) {
    parts.push(`translations: ${compile.argv.join(' ')}: left out, Babel is not among the dependencies the image installs`);
    evidence.push(ev(compile));
  } else if (compile) {
    const run = imageArgv(compile.argv);
    const step: BuildStep = { name: 'translations', run, evidence: [ev(compile)] };
    if (/^(flask|quart)$/.test(run[0]!) && spec.app && !run.includes('--app')) step.env = { FLASK_APP: `${spec.app.module}:${spec.app.attr}` };
    addStep(spec, step);
    parts.push(`translations: ${run.join(' ')} as a RUN in the runtime stage`);
    evidence.push(...(compile === compiles[0] ? [] : [ev(compiles[0]!)]), ev(compile), ...(hook ? [ev(hook)] : []));
  } else if (hook) {
    parts.push('translations: the package build hook compiles them, but the image does not install the project: compile them by hand (pybabel compile)');
    evidence.push(ev(hook));
  }
  const cm = translations.find((s) => s.name === 'compilemessages');
  if (cm) {
    const placed = spec.buildSteps.some((b) => b.name === 'compilemessages');
    parts.push(placed ? 'compilemessages: a RUN in the build stage (gettext stays out of the final image)'
      : 'compilemessages: found, not placed: it needs GNU gettext (msgfmt) in the image; add `apt-get install gettext` and `python manage.py compilemessages` to the Dockerfile');
    evidence.push(ev(cm));
  }
  for (const b of spec.buildSteps) {
    if (parts.some((x) => x.startsWith(`${b.name}:`))) continue;
    parts.push(`${b.name}: a RUN in the ${b.stage === 'build' ? 'build stage' : 'runtime stage, as the app user'}`);
    evidence.push(...b.evidence.slice(0, 1));
  }
  if (parts.length === 0) parts.push('none');
  d.decide('build-steps', parts.join('; '), ...(evidence.length > 0 ? evidence : ['default: no asset build, translation compile or build hook found']));
}

/** A build step once: another module (Django's) may have placed the same one already. */
function addStep(spec: InitSpec, step: BuildStep): void {
  if (!spec.buildSteps.some((b) => b.name === step.name)) spec.buildSteps.push(step);
}

/** Place every startup step of the project in `spec` (build steps, release steps, asset stage), with decisions. */
export function placeSteps(p: Project, spec: InitSpec, d: Decisions): void {
  const steps = detectSteps(p);
  placeMigrations(p, spec, d, steps);
  placeBuildSteps(p, spec, d, steps, detectAssets(p), dependencyNames(detectPython(p), spec.deps, p));
}
