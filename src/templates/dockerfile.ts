// The generated Dockerfile: a build stage that fills /opt/venv from the lock file before the code arrives (cache mounts,
// one layer per change rate), and a runtime stage on the same Python image with tini, a fixed non-root UID, compiled
// bytecode, a HEALTHCHECK and the app in an exec-form CMD. Every choice is a practice of docs/practices.md.
import { TOOLS, type BuildStep, type TemplateSpec } from './spec.js';

const json = (argv: readonly string[]): string => JSON.stringify(argv).replace(/","/g, '", "');
const UID = 10001;

/** `RUN a \` / `    && b` continuation layout. */
function run(lines: string[], mounts: string[] = []): string {
  const head = mounts.length > 0 ? `RUN ${mounts.join(' \\\n    ')} \\\n    ` : 'RUN ';
  return head + lines.join(' \\\n && ');
}

const PIP_CACHE = '--mount=type=cache,target=/root/.cache/pip';

const shWord = (w: string): string => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);

/** A build step as one RUN: its environment prefixed to the command, so it exists for that RUN only. */
function stepRun(b: BuildStep): string[] {
  const env = Object.entries(b.env ?? {}).map(([k, v]) => `${k}=${shWord(v)}`);
  const cmd = b.run.map(shWord).join(' ');
  const comment = `# ${b.name}${env.length > 0 ? ': the variables before the command are set for this RUN only, never kept in the image' : ''}`;
  return [comment, env.length === 0 ? `RUN ${cmd}` : `RUN ${env.join(' \\\n    ')} \\\n    ${cmd}`];
}

const stageSteps = (s: TemplateSpec, stage: 'build' | 'runtime'): BuildStep[] => s.buildSteps.filter((b) => (b.stage ?? 'runtime') === stage);

function aptInstall(packages: string[], upgrade: boolean): string {
  return run([
    'apt-get update',
    ...(upgrade ? ['apt-get -y upgrade'] : []),
    `apt-get install -y --no-install-recommends ${packages.join(' ')}`,
    'apt-get clean',
    'rm -rf /var/lib/apt/lists/*',
  ]);
}

/** A tool in its own venv under /opt (kept out of the app's /opt/venv and out of the final image). */
function toolVenv(tool: 'poetry' | 'pdm' | 'pipenv', s: TemplateSpec): string {
  return run([`python -m venv /opt/${tool}`, `/opt/${tool}/bin/pip install "${tool}==${s.tools?.[tool] ?? TOOLS[tool]}"`], [PIP_CACHE]);
}

function buildStage(s: TemplateSpec): string[] {
  const out: string[] = [];
  const conda = s.manager === 'conda';
  out.push(conda
    ? `FROM mambaorg/micromamba:${TOOLS.micromamba}-${s.python.codename}-slim AS build`
    : 'FROM ${PYTHON_IMAGE} AS build');
  if (conda) out.push('USER root');
  const steps = stageSteps(s, 'build');
  if (s.buildPackages.length > 0 && !conda) {
    out.push(steps.length > 0
      ? '# build-only packages (compilers, headers, tools of the build steps); they stay in this stage'
      : '# compilers and headers for dependencies that build from source; they stay in this stage');
    out.push('ARG DEBIAN_FRONTEND=noninteractive');
    out.push(aptInstall(s.buildPackages, false));
  }
  out.push('WORKDIR /app');
  const pipInstallProject = (): string =>
    run(['pip install --no-deps --no-compile .'.replace(' --no-compile', s.compile ? '' : ' --no-compile')], [PIP_CACHE]);
  const copyDeps = (): string => `COPY ${s.deps.files.join(' ')} ./`;
  const ws = s.deps.workspace;
  switch (s.manager) {
    case 'pip':
    case 'pip-tools': {
      out.push('RUN python -m venv /opt/venv');
      out.push('ENV PATH=/opt/venv/bin:$PATH');
      out.push('# the locked dependencies first: this layer is rebuilt only when the requirements change');
      const dirs = s.deps.files.filter((f) => f.includes('/'));
      if (dirs.length === 0) out.push(copyDeps());
      else for (const f of s.deps.files) out.push(`COPY ${f} ${f.includes('/') ? f.slice(0, f.lastIndexOf('/') + 1) : './'}`);
      out.push(run([`pip install${s.deps.hashes ? ' --require-hashes' : ''} -r ${s.deps.main}`], [PIP_CACHE]));
      break;
    }
    case 'uv': {
      out.push(`COPY --from=ghcr.io/astral-sh/uv:${TOOLS.uv} /uv /uvx /bin/`);
      out.push(`ENV UV_PROJECT_ENVIRONMENT=/opt/venv UV_PYTHON_DOWNLOADS=never UV_LINK_MODE=copy UV_COMPILE_BYTECODE=${s.compile ? 1 : 0}`);
      out.push('# the locked dependencies first: this layer is rebuilt only when uv.lock changes');
      const mounts = ['--mount=type=cache,target=/root/.cache/uv', '--mount=type=bind,source=uv.lock,target=uv.lock', '--mount=type=bind,source=pyproject.toml,target=pyproject.toml'];
      // a workspace member, built from the workspace root: the workspace's lock, this member's dependencies
      if (ws) mounts.push(`--mount=type=bind,source=${ws.member}/pyproject.toml,target=${ws.member}/pyproject.toml`);
      out.push(run([ws ? `uv sync --frozen --no-dev --no-install-workspace${ws.package ? ` --package ${ws.package}` : ''}` : 'uv sync --locked --no-dev --no-install-project'], mounts));
      break;
    }
    case 'poetry': {
      out.push(toolVenv('poetry', s));
      out.push('RUN python -m venv /opt/venv');
      out.push('ENV PATH=/opt/venv/bin:$PATH VIRTUAL_ENV=/opt/venv POETRY_VIRTUALENVS_CREATE=false POETRY_NO_INTERACTION=1');
      out.push('# the locked dependencies first: this layer is rebuilt only when poetry.lock changes');
      out.push(copyDeps());
      // poetry before 1.8 (the one for Python 3.7/3.6) has no --no-directory; before 1.2 no --only
      const poetry = s.tools?.poetry;
      const flags = !poetry ? '--only main --no-root --no-directory' : /^1\.[01]\./.test(poetry) ? '--no-dev --no-root' : /^1\.[2-7]\./.test(poetry) ? '--only main --no-root' : '--only main --no-root --no-directory';
      out.push(run([`/opt/poetry/bin/poetry install ${flags}`], ['--mount=type=cache,target=/root/.cache/pypoetry']));
      break;
    }
    case 'pdm':
    case 'pipenv': {
      // the lock exported with its hashes, installed by pip into /opt/venv (the tool stays in its own venv)
      const exported = s.manager === 'pdm'
        ? '/opt/pdm/bin/pdm export --prod --format requirements --output /tmp/requirements.txt'
        : '/opt/pipenv/bin/pipenv requirements --hash > /tmp/requirements.txt';
      out.push(toolVenv(s.manager, s));
      out.push('RUN python -m venv /opt/venv');
      out.push('ENV PATH=/opt/venv/bin:$PATH');
      out.push(`# the locked dependencies first (exported with their hashes): rebuilt only when ${s.manager === 'pdm' ? 'pdm.lock' : 'Pipfile.lock'} changes`);
      out.push(copyDeps());
      out.push(run([exported, 'pip install --require-hashes --no-deps -r /tmp/requirements.txt'], [PIP_CACHE]));
      break;
    }
    case 'conda': {
      out.push('# the environment first: this layer is rebuilt only when the environment file changes');
      out.push(copyDeps());
      out.push(run([
        `micromamba create --yes --prefix /opt/venv --file ${s.deps.main}`,
        'micromamba clean --all --yes',
      ], ['--mount=type=cache,target=/opt/conda/pkgs']));
      out.push('ENV PATH=/opt/venv/bin:$PATH');
      break;
    }
  }
  // uv sync removes what its lock lacks: after a later sync of the project, the extra servers go in last
  const extrasLast = s.manager === 'uv' && s.installProject;
  if (!extrasLast) out.push(...extraInstalls(s));
  // the code comes here only to be installed or compiled; with --no-compile the runtime stage copies it directly
  if (s.installProject || s.compile || steps.length > 0) {
    out.push('# then the code (.dockerignore keeps local state, caches and secrets out)');
    out.push(`COPY ${s.deps.workspace ? `${s.deps.workspace.member}/` : '.'} .`);
  }
  for (const b of steps) out.push(...stepRun(b));
  if (s.assets?.intoBuild) {
    out.push('# the front-end build output lies inside the package: in place before the install, so the installed package carries it');
    for (const o of s.assets.outputs) out.push(`COPY --from=assets /app/${o} ${o}`);
  }
  if (s.installProject) {
    if (s.manager === 'uv') {
      out.push(run(['uv sync --locked --no-dev --no-editable'], ['--mount=type=cache,target=/root/.cache/uv']));
    } else out.push(pipInstallProject());
  } else if (s.compile) {
    out.push('RUN python -m compileall -q /app');
  }
  if (extrasLast) out.push(...extraInstalls(s));
  return out;
}

/** The server packages the lock lacks (spec.extraInstalls), pinned, into /opt/venv. */
function extraInstalls(s: TemplateSpec): string[] {
  if (s.extraInstalls.length === 0) return [];
  const pins = s.extraInstalls.map((x) => `"${x.name}==${x.version}"`).join(' ');
  const line = s.manager === 'uv' ? [`uv pip install --python /opt/venv/bin/python ${pins}`, ['--mount=type=cache,target=/root/.cache/uv']] as const
    : s.manager === 'conda' ? [`micromamba install --yes --prefix /opt/venv --channel conda-forge ${s.extraInstalls.map((x) => `"${x.name}=${x.version}"`).join(' ')}`, ['--mount=type=cache,target=/opt/conda/pkgs']] as const
      : [`pip install ${pins}`, [PIP_CACHE]] as const;
  return [`# ${s.extraInstalls.map((x) => x.name).join(', ')}: not in the lock; pinned here (add ${s.extraInstalls.length > 1 ? 'them' : 'it'} to the dependencies to lock ${s.extraInstalls.length > 1 ? 'them' : 'it'})`, run([line[0]], [...line[1]])];
}

const word = (w: string): string => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);

/** The front-end build in its own Node stage: lockfile-exact install first (cached), then the sources and the build. */
function assetsStage(s: TemplateSpec): string[] {
  const a = s.assets!;
  const dir = a.dir ? `/app/${a.dir}` : '/app';
  return [
    '# the front-end assets, built with the lock file; only their output reaches the runtime stage',
    `FROM ${a.image} AS assets`,
    `WORKDIR ${dir}`,
    `COPY ${a.files.join(' ')} ./`,
    run([a.install], [`--mount=type=cache,target=${a.cache}`]),
    'COPY . /app',
    `RUN ${a.build}`,
  ];
}

function runtimeStage(s: TemplateSpec): string[] {
  const out: string[] = [];
  const conda = s.manager === 'conda';
  out.push(conda ? `FROM debian:${s.python.codename}-slim` : 'FROM ${PYTHON_IMAGE}');
  out.push('ARG DEBIAN_FRONTEND=noninteractive');
  const pkgs = ['tini', ...s.runtimePackages, ...(s.debugTools ? ['procps'] : [])];
  out.push('# security updates of the base, the init process and the shared libraries the dependencies load');
  out.push(aptInstall(pkgs, true));
  out.push(`RUN useradd --no-log-init --create-home --uid ${UID} --shell /usr/sbin/nologin app`);
  out.push('COPY --from=build /opt/venv /opt/venv');
  const env = ['PATH=/opt/venv/bin:$PATH', 'PYTHONFAULTHANDLER=1', 'PYTHONUNBUFFERED=1'];
  if (!s.compile) env.push('PYTHONDONTWRITEBYTECODE=1');
  if (s.importRoot) env.push(`PYTHONPATH=/app/${s.importRoot}`);
  if (s.django) env.push(`DJANGO_SETTINGS_MODULE=${s.django.settings}`);
  if (s.role !== 'worker' && s.port) env.push(`PORT=${s.port}`);
  if (s.installProject) {
    // the code is installed in /opt/venv; only the server's config file is needed beside it, and the app's module
    // when it is a file at the top (`app.py`), outside the package that was installed
    const top = s.role === 'web' && s.app && !s.app.file.includes('/') ? [s.app.file] : [];
    const files = [...(s.serverConfig ? [s.serverConfig] : []), ...top];
    if (files.length > 0) out.push(`COPY --chown=app:app ${files.join(' ')} /app/`);
  } else if (s.compile || stageSteps(s, 'build').length > 0) {
    out.push('COPY --from=build --chown=app:app /app /app');
  } else {
    out.push('# the code, uncompiled (--no-compile); .dockerignore keeps local state, caches and secrets out');
    out.push(`COPY --chown=app:app ${s.deps.workspace ? `${s.deps.workspace.member}/` : '.'} /app`);
  }
  if (!s.assets?.intoBuild) for (const o of s.assets?.outputs ?? []) out.push(`COPY --from=assets --chown=app:app /app/${o} /app/${o}`);
  // where the app writes (compose and k8s mount a tmpfs or a volume there; a new volume takes this owner) and where
  // its build steps write (an absolute STATIC_ROOT)
  const steps = stageSteps(s, 'runtime');
  const dirs = [...new Set([...(s.mounts?.mounts ?? []).map((m) => m.path), ...steps.flatMap((b) => b.dirs ?? [])])];
  if (dirs.length > 0) out.push('# directories the app and its build steps write to, owned by the app user', `RUN install -d -o app -g app ${dirs.join(' ')}`);
  out.push(`ENV ${env.join(' \\\n    ')}`);
  out.push('WORKDIR /app');
  out.push('USER app');
  for (const b of steps) out.push(...stepRun(b));
  if (s.port) out.push(`EXPOSE ${s.port}`);
  if (s.healthcheck) {
    const worker = s.role === 'worker';
    out.push(`HEALTHCHECK --interval=${worker ? '60s' : '30s'} --timeout=${worker ? '15s' : '5s'} --start-period=${worker ? '60s' : '20s'} --retries=3 \\\n    CMD ${json(s.healthcheck)}`);
  }
  // whatever builds the image (pyship build, the project's own CI) can say which commit it is
  out.push('ARG GIT_COMMIT=unknown', 'LABEL org.opencontainers.image.revision=$GIT_COMMIT');
  out.push('ENTRYPOINT ["tini", "--"]');
  out.push(`CMD ${json(s.command)}`);
  return out;
}

export function dockerfile(s: TemplateSpec): string {
  const lines: string[] = [];
  if (s.syntax) lines.push('# syntax=docker/dockerfile:1');
  lines.push(`# Written by pyship init for ${s.name}: edit it freely, then run \`pyship check\`.`);
  lines.push('# Build, audit and smoke-test with `pyship build` (tags :<branch> and :<commit>, labels, warm cache).');
  if (!s.compile) {
    // OPS009 sees the uncompiled code (the sources copied as they are, `pip install --no-compile .`,
    // UV_COMPILE_BYTECODE=0): suppressed file-wide, with the reason
    lines.push('# pyship: ignore-file=OPS009 -- built with --no-compile: smaller image, slower first start (every container compiles the code again)');
  }
  if (s.ci === 'none') {
    lines.push('');
    lines.push('# `docker build --build-arg GIT_COMMIT=$(git rev-parse HEAD) .` records the revision in the image');
  }
  if (s.manager !== 'conda') lines.push(`ARG PYTHON_IMAGE=${s.python.image}`);
  if (s.ci === 'none') lines.push('ARG GIT_COMMIT=unknown');
  lines.push('');
  // a stage is named before a COPY --from takes from it: the build stage takes the assets when they go into the package
  if (s.assets?.intoBuild) lines.push(...assetsStage(s), '');
  lines.push(...buildStage(s));
  lines.push('');
  if (s.assets && !s.assets.intoBuild) lines.push(...assetsStage(s), '');
  const rt = runtimeStage(s);
  if (s.ci === 'none') rt.splice(1, 0, 'ARG GIT_COMMIT', 'LABEL org.opencontainers.image.revision=$GIT_COMMIT');
  lines.push(...rt);
  return `${lines.join('\n')}\n`;
}
