// Issue 5: what `pyship init`'s Dockerfile buys, per e2e app, side by side in one run against
//   - the guide's naive first Dockerfile (FROM python; COPY . .; RUN pip install -r requirements.txt; ENTRYPOINT [...]),
//   - a docker-init-style one (single stage, slim, pip cache mount, non-root, CMD exec form),
// measuring image size, cold build (--no-cache), rebuild after a one-line code change, seconds to healthy and
// `docker stop` seconds. Goals: size <= 0.75x naive; code-only rebuild <= 20 % of the cold build and <= the
// docker-init-style rebuild; stop <= 2 s. Needs the offline engine (bash ../shared/tools/offline-docker/setup.sh).
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const APPS = join(ROOT, 'test', 'fixtures', 'apps');
const TMP = join(ROOT, '.bench-tmp', 'init');
const docker = process.env.PYSHIP_DOCKER || 'docker';
const PY = process.env.BENCH_INIT_PYTHON ?? '3.13';
const IMAGE = PY === '3.11' ? 'python:3.11-slim-bookworm' : 'python:3.13-slim-trixie';
const FULL = PY === '3.11' ? 'python:3.11-bookworm' : 'python:3.13-trixie';
const LABEL = 'dev.pyship.managed=bench';

/** How each e2e app starts when its Dockerfile is written by hand, and which file a one-line change touches. */
const APP_FACTS = {
  'flask-gunicorn': { cmd: ['gunicorn', '--bind', '0.0.0.0:8000', 'app:app'], edit: 'app.py', health: '/health' },
  'fastapi-uvicorn': { cmd: ['uvicorn', 'main:app', '--host', '0.0.0.0', '--port', '8000'], edit: 'main.py', health: '/health' },
  'django-psycopg2': { cmd: ['gunicorn', '--bind', '0.0.0.0:8000', 'mysite.wsgi'], edit: 'mysite/views.py', health: '/health/' },
  'src-package': { cmd: ['hello-server'], edit: 'src/hello_server/cli.py', health: '/', install: true, initFlags: ['--port', '8000'] },
  'celery-worker': { cmd: ['celery', '--app', 'worker:app', 'worker', '--loglevel', 'INFO'], edit: 'worker.py', health: undefined },
};

const sh = (args, opts = {}) => spawnSync(docker, args, { encoding: 'utf8', timeout: 900_000, maxBuffer: 64 * 1024 * 1024, ...opts });
const secondsOf = (t0) => Number(process.hrtime.bigint() - t0) / 1e9;

function naive(app) {
  const f = APP_FACTS[app];
  return [`FROM ${FULL}`, 'WORKDIR /app', 'COPY . .', `RUN pip install -r requirements.txt${f.install ? ' && pip install --no-deps .' : ''}`, `ENTRYPOINT ${JSON.stringify(f.cmd)}`, ''].join('\n');
}

function dockerInitStyle(app) {
  const f = APP_FACTS[app];
  // docker init's Python template (adduser replaced by useradd: the offline stand-ins have no adduser)
  return [
    `FROM ${IMAGE}`,
    'ENV PYTHONDONTWRITEBYTECODE=1',
    'ENV PYTHONUNBUFFERED=1',
    'WORKDIR /app',
    'ARG UID=10001',
    'RUN useradd --no-create-home --home-dir /nonexistent --shell /sbin/nologin --uid "${UID}" appuser',
    'RUN --mount=type=cache,target=/root/.cache/pip \\\n    --mount=type=bind,source=requirements.txt,target=requirements.txt \\\n    python -m pip install -r requirements.txt',
    ...(f.install ? ['COPY . .', 'RUN --mount=type=cache,target=/root/.cache/pip pip install --no-deps .'] : []),
    'USER appuser',
    ...(f.install ? [] : ['COPY . .']),
    'EXPOSE 8000',
    `CMD ${JSON.stringify(f.cmd)}`,
    '',
  ].join('\n');
}

function build(dir, dockerfile, tag, noCache) {
  const t0 = process.hrtime.bigint();
  const r = sh(['build', '-q', '--label', LABEL, ...(noCache ? ['--no-cache'] : []), '-f', dockerfile, '-t', tag, dir]);
  return { seconds: secondsOf(t0), ok: r.status === 0, error: r.status === 0 ? '' : (r.stderr || '').trim().split('\n').slice(-3).join(' | ') };
}

function httpStatus(port, path) {
  return new Promise((res) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: 1000 }, (r) => {
      r.resume();
      res(r.statusCode ?? 0);
    });
    req.on('error', () => res(0));
    req.on('timeout', () => {
      req.destroy();
      res(0);
    });
    req.end();
  });
}

/** Start the image, wait for a 2xx on the health path (or 3 s alive for a worker), then time `docker stop`. */
async function runFigures(tag, health) {
  const run = sh(['run', '-d', '--label', LABEL, '-p', '127.0.0.1::8000', tag]);
  if (run.status !== 0) return { healthy: undefined, stop: undefined, error: run.stderr.trim() };
  const id = run.stdout.trim();
  const t0 = process.hrtime.bigint();
  let healthy;
  let error = '';
  try {
    if (health) {
      const port = Number((sh(['port', id, '8000/tcp']).stdout.trim().split('\n')[0] ?? '').split(':').pop());
      for (let i = 0; i < 240 && healthy === undefined; i++) {
        const status = Number.isFinite(port) ? await httpStatus(port, health) : 0;
        if (status >= 200 && status < 300) healthy = secondsOf(t0);
        else if (sh(['inspect', '-f', '{{.State.Running}}', id]).stdout.trim() !== 'true') break;
        else await new Promise((r) => setTimeout(r, 250));
      }
    } else await new Promise((r) => setTimeout(r, 3000));
    if (sh(['inspect', '-f', '{{.State.Running}}', id]).stdout.trim() !== 'true') {
      error = `exited: ${sh(['logs', '--tail', '2', id]).stderr.trim().split('\n').pop() ?? ''}`;
    }
    const s0 = process.hrtime.bigint();
    sh(['stop', '-t', '10', id]);
    return { healthy, stop: error ? undefined : secondsOf(s0), error };
  } finally {
    sh(['rm', '-f', id]);
  }
}

function prepareApp(app, lockMod) {
  const dir = join(TMP, app);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(TMP, { recursive: true });
  cpSync(join(APPS, app), dir, { recursive: true });
  lockMod.writeLock(dir, IMAGE);
  writeFileSync(join(dir, '.python-version'), `${PY}\n`);
  const git = (args) => spawnSync('git', ['-C', dir, ...args], { encoding: 'utf8' });
  git(['init', '-q']);
  git(['add', '-A']);
  git(['-c', 'user.email=bench@pyship.dev', '-c', 'user.name=bench', 'commit', '-qm', 'app']);
  const init = spawnSync(process.execPath, [join(ROOT, 'bin', 'pyship.js'), 'init', dir, '--no-syntax', '--no-input',
    ...(PY === '3.11' ? ['--debian', 'bookworm'] : []), ...(APP_FACTS[app].initFlags ?? [])], { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`pyship init ${app} failed: ${init.stderr}`);
  // the same generator with --no-compile: the rebuild/start trade-off of compiled bytecode, measured
  const alt = `${dir}-nocompile`;
  rmSync(alt, { recursive: true, force: true });
  cpSync(dir, alt, { recursive: true });
  rmSync(join(alt, 'Dockerfile'));
  const noCompile = spawnSync(process.execPath, [join(ROOT, 'bin', 'pyship.js'), 'init', alt, '--no-syntax', '--no-input', '--no-compile',
    ...(PY === '3.11' ? ['--debian', 'bookworm'] : []), ...(APP_FACTS[app].initFlags ?? [])], { encoding: 'utf8' });
  if (noCompile.status !== 0) throw new Error(`pyship init --no-compile ${app} failed: ${noCompile.stderr}`);
  writeFileSync(join(dir, 'Dockerfile.nocompile'), readFileSync(join(alt, 'Dockerfile'), 'utf8'));
  rmSync(alt, { recursive: true, force: true });
  writeFileSync(join(dir, 'Dockerfile.naive'), naive(app));
  writeFileSync(join(dir, 'Dockerfile.docker-init'), dockerInitStyle(app));
  return dir;
}

/** Compile test/e2e/lock.ts (the e2e tests' wheelhouse locker) so this plain-node benchmark can use it. */
function loadLocker() {
  const out = join(ROOT, '.bench-tmp', 'lock');
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), join(ROOT, 'test', 'e2e', 'lock.ts'),
    '--outDir', out, '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', '--skipLibCheck'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`could not compile test/e2e/lock.ts: ${r.stdout}${r.stderr}`);
  writeFileSync(join(out, 'package.json'), '{"type":"module"}\n');
  return import(join(out, 'lock.js'));
}

const fmt = (x, digits = 1) => (x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits));
const mb = (bytes) => (bytes === undefined ? '-' : `${(bytes / 1e6).toFixed(0)} MB`);

export async function benchInit() {
  const engineUp = sh(['info', '--format', '{{.ServerVersion}}'], { timeout: 15_000 }).status === 0;
  if (!engineUp) return void console.log('\ninit benchmark skipped: no container engine answers `docker info`');
  if (sh(['image', 'inspect', IMAGE]).status !== 0 || sh(['image', 'inspect', FULL]).status !== 0) {
    return void console.log(`\ninit benchmark skipped: ${IMAGE} or ${FULL} is not present (bash ../shared/tools/offline-docker/setup.sh)`);
  }
  if (!existsSync(APPS)) return void console.log(`\ninit benchmark skipped: ${APPS} is missing`);
  const lockMod = await loadLocker();
  const apps = Object.keys(APP_FACTS).filter((a) => existsSync(join(APPS, a)));
  const rows = [];
  for (const app of apps) {
    const dir = prepareApp(app, lockMod);
    const f = APP_FACTS[app];
    for (const [variant, file] of [['pyship init', 'Dockerfile'], ['init --no-compile', 'Dockerfile.nocompile'], ['naive', 'Dockerfile.naive'], ['docker-init-style', 'Dockerfile.docker-init']]) {
      const tag = `pyship-bench-init-${app}-${variant.replace(/\W+/g, '-')}:latest`;
      const cold = build(dir, join(dir, file), tag, true);
      // the rebuild moves the tag: remember the cold image so it is removed too, not left dangling
      const coldId = sh(['image', 'inspect', '-f', '{{.Id}}', tag]).stdout.trim();
      if (!cold.ok) {
        rows.push({ app, variant, error: `build failed: ${cold.error}` });
        continue;
      }
      const editFile = join(dir, f.edit);
      const before = readFileSync(editFile, 'utf8');
      appendFileSync(editFile, `\n# bench edit ${Date.now()}\n`);
      const rebuild = build(dir, join(dir, file), tag, false);
      writeFileSync(editFile, before);
      const size = Number(sh(['image', 'inspect', '-f', '{{.Size}}', tag]).stdout.trim());
      const run = await runFigures(tag, f.health);
      rows.push({ app, variant, size, cold: cold.seconds, rebuild: rebuild.seconds, healthy: run.healthy, stop: run.stop, error: run.error });
      sh(['rmi', '-f', tag, ...(coldId ? [coldId] : [])]);
    }
  }
  console.log(`\npyship init vs the naive and docker-init-style Dockerfiles (Python ${PY} stand-ins; cold = --no-cache, pip cache mounts stay warm)`);
  console.log('  app               variant             size      cold s  rebuild s  rebuild/cold  healthy s  stop s');
  for (const r of rows) {
    if (r.size === undefined) {
      console.log(`  ${r.app.padEnd(17)} ${r.variant.padEnd(18)}  ${r.error}`);
      continue;
    }
    console.log(`  ${r.app.padEnd(17)} ${r.variant.padEnd(18)}  ${mb(r.size).padStart(7)}  ${fmt(r.cold).padStart(6)}  ${fmt(r.rebuild).padStart(9)}  ${`${fmt(100 * r.rebuild / r.cold, 0)} %`.padStart(12)}  ${fmt(r.healthy, 2).padStart(9)}  ${fmt(r.stop, 2).padStart(6)}${r.error ? `  (${r.error})` : ''}`);
  }
  console.log('  goals per app, pyship init: size <= 0.75x naive; rebuild <= 20 % of its cold build and <= docker-init-style; stop <= 2 s');
  for (const app of apps) {
    const g = rows.find((r) => r.app === app && r.variant === 'pyship init');
    const n = rows.find((r) => r.app === app && r.variant === 'naive');
    const d = rows.find((r) => r.app === app && r.variant === 'docker-init-style');
    if (!g || g.size === undefined) {
      console.log(`  ${app}: pyship init's image did not build`);
      continue;
    }
    const verdicts = [
      n?.size ? `size ${fmt(g.size / n.size, 2)}x naive ${g.size / n.size <= 0.75 ? 'MET' : 'NOT met'}` : 'size: naive did not build',
      `rebuild ${fmt(100 * g.rebuild / g.cold, 0)} % of cold ${g.rebuild / g.cold <= 0.2 ? 'MET' : 'NOT met'}`,
      d?.rebuild !== undefined ? `rebuild ${fmt(g.rebuild)} s vs docker-init-style ${fmt(d.rebuild)} s ${g.rebuild <= d.rebuild ? 'MET' : 'NOT met'}` : 'docker-init-style did not build',
      g.stop !== undefined ? `stop ${fmt(g.stop, 2)} s ${g.stop <= 2 ? 'MET' : 'NOT met'}` : 'stop: not measured',
    ];
    console.log(`  ${app}: ${verdicts.join('; ')}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchInit();
