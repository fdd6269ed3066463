// The spec every template renders: what `pyship init` decided (init's TemplateSpec extends it with its own working state), in
// the templates' terms, so the templates read nothing of init.
import type { AppCandidate } from '../project/app-object.js';
import type { EnvRead } from '../project/env.js';
import type { PackageManager } from '../project/python.js';

/** `aiohttp`: aiohttp's own server (`aiohttp.web.run_app`), for aiohttp apps. */
export type Server = 'gunicorn' | 'uvicorn' | 'uwsgi' | 'hypercorn' | 'daphne' | 'granian' | 'waitress' | 'aiohttp';
export type Debian = 'stretch' | 'buster' | 'bullseye' | 'bookworm' | 'trixie';

/** Tool versions the generated Dockerfiles pin (Dependabot's docker ecosystem keeps the uv image current). */
export const TOOLS = { uv: '0.8.14', poetry: '2.1.3', pdm: '2.22.0', pipenv: '2024.4.0', micromamba: '2.0.5' } as const;

/** A server package the image installs beside the lock, pinned. */
export interface ExtraInstall { name: string; version: string; evidence: string[] }

/** A uv or poetry workspace member: its lock is the workspace's, in a parent directory (src/init/workspace.ts finds it). */
export interface Workspace {
  tool: 'uv' | 'poetry';
  /** The workspace root, relative to the project directory (`..`). */
  root: string;
  /** The lock file, relative to the workspace root. */
  lock: string;
  /** The project directory, relative to the workspace root (`backend`). */
  member: string;
  /** The member's package name (uv `--package`). */
  package: string | undefined;
  /** `path:line what` of the workspace declaration, then the lock. */
  evidence: string[];
}

/** The dependency layer: what the Dockerfile copies and installs before the code. */
export interface DepsLayer {
  /** Context-relative files the dependency layer needs, copied before the code. */
  files: string[];
  /** pip / pip-tools: the requirements file to install; conda: the environment file. */
  main?: string;
  /** Every requirement pinned with --hash (pip installs with --require-hashes). */
  hashes: boolean;
  /** A file init writes for the dependency layer: the lock pyship made, or the declared ranges when locking failed. */
  generate?: { path: string; text: string; what: string };
  /** A workspace member: the lock is the workspace's, and the build context must be the workspace root. */
  workspace?: Workspace;
}

export type Role = 'web' | 'worker' | 'script';

/** A step the image needs at build time (compile translations, collect static files, build assets). */
export interface BuildStep {
  /** Short name for the summary: `collectstatic`, `compilemessages`, `assets`… */
  name: string;
  /** The command, exec form. */
  run: string[];
  /** Build-only environment for this one RUN (a dummy SECRET_KEY), never left in the image. */
  env?: Record<string, string>;
  /**
   * `runtime` (default): in the final stage after the code is copied, as the runtime user, with its ENV.
   * `build`: in the build stage after the code is copied (tools like gettext stay out of the final image).
   */
  stage?: 'build' | 'runtime';
  /** Absolute directories outside /app the step writes (created for the runtime user before it runs). */
  dirs?: string[];
  /** Where the project runs it today (`path:line`), or why pyship adds it. */
  evidence: string[];
}

/** A step that runs once per release, outside the web process (migrations): a compose one-off, a k8s Job, Procfile release:. */
export interface ReleaseStep {
  name: string;
  run: string[];
  evidence: string[];
  /** Environment the command needs (FLASK_APP for a `flask` command). */
  env?: Record<string, string>;
  /** Context-relative directory to run in ('' or absent = /app): where alembic.ini is. */
  cwd?: string;
}

/** A front-end build in its own Node stage; its output directories are copied into the runtime stage. */
export interface AssetStage {
  /** `node:22-slim`, `oven/bun:1-slim`. */
  image: string;
  /** Context-relative directory of package.json ('' = the context). */
  dir: string;
  /** package.json and the lock file, context-relative. */
  files: string[];
  /** Lockfile-exact install and the build, shell form. */
  install: string;
  build: string;
  /** Cache mount target of the package manager. */
  cache: string;
  /** Context-relative directories the build writes, copied to /app/<path>. */
  outputs: string[];
  /** The outputs lie in the installed package's source: copied into the build stage before the install, so the wheel carries them. */
  intoBuild?: boolean;
}

export interface UwsgiServing {
  /** The carried lines, in order, with the if-env/if-*…endif blocks that hold them. */
  lines: string[];
  /** `file:line option = value` of each carried option. */
  evidence: string[];
  /** static-map targets (`/static` → `static`), for the static-files decision. */
  maps: { mount: string; dir: string; at: string }[];
  /** Internal routing (route*): uWSGI needs PCRE to run it. */
  routes: boolean;
}

/** A writable place in a read-only container: a tmpfs for scratch (logs, caches), a named volume for data. */
export interface Mount {
  path: string;
  kind: 'tmpfs' | 'volume';
  /** The named volume (kind volume). */
  volume?: string;
}

export interface MountLayout {
  /** Keep the root file system read-only (every write the code shows has a mount). */
  readOnly: boolean;
  /** Why read-only is off. */
  why?: string;
  mounts: Mount[];
}


export interface TemplateSpec {
  name: string;
  image: string;
  manager: PackageManager;
  python: { version: string; source: string; image: string; codename: Debian };
  /** Tool versions replacing TOOLS' because the chosen Python is too old for those (poetry 1.5.1 on 3.7). */
  tools?: Partial<Record<'poetry' | 'pipenv' | 'pdm', string>>;
  deps: DepsLayer;
  role: Role;
  /** The app object served (web) or the Celery app (worker). */
  app?: AppCandidate;
  server?: Server;
  /** What the container runs (CMD, exec form). */
  command: string[];
  port: number;
  healthPath: string;
  /** `route`: GET healthPath must succeed; `any-answer`: no health route, any HTTP answer below 500; `tcp`: a connect. */
  healthMode?: 'route' | 'any-answer' | 'tcp';
  /** HEALTHCHECK CMD argv (exec form), if any. */
  healthcheck?: string[];
  /** Context-relative directory Python imports the app from ('' = /app), added to PYTHONPATH when not ''. */
  importRoot: string;
  /** `pip install .` the project itself (a package with a build backend). */
  installProject: boolean;
  runtimePackages: string[];
  buildPackages: string[];
  /** manage: manage.py relative to /app, where every command runs. */
  django?: {
    settings: string; manageDir: string; manage: string;
    /** The variables the settings read SECRET_KEY and ALLOWED_HOSTS from (and how hosts are separated). */
    secretKeyEnv?: string; allowedHostsEnv?: { name: string; sep: string };
  };
  /** A Celery app beside the web app: compose gets a worker service. */
  celery?: AppCandidate;
  /** The broker a Celery worker needs (redis when the redis client is a dependency, else RabbitMQ, Celery's default). */
  broker?: 'redis' | 'rabbitmq';
  syntax: boolean;
  compile: boolean;
  debugTools: boolean;
  ci: 'github' | 'gitlab' | 'none';
  pyshipVersion: string;
  /** Build-time steps, in order, run in the runtime stage after the code is copied. */
  buildSteps: BuildStep[];
  /** One-off release steps (migrations), never run at container start. */
  releaseSteps: ReleaseStep[];
  /** A front-end asset build stage, when the project has one pyship can place. */
  assets?: AssetStage;
  /** Server packages the lock lacks, installed pinned in the build stage. */
  extraInstalls: ExtraInstall[];
  /** Files the generated ones read: the server config file name (gunicorn.conf.py…), if any. */
  serverConfig?: string;
  /** The project's own uwsgi.ini serves files (static-map, route…): those lines, carried into pyship's config. */
  uwsgiServing?: UwsgiServing;
  /** Where the app writes at run time, and what compose/k8s mount there (src/init/mounts.ts). */
  mounts?: MountLayout;
  /** The generated Dockerfile's name when not `Dockerfile`: the project's own is kept beside it (src/init/own-image.ts). */
  dockerfile?: string;
  /** The environment the app reads at import: the names it cannot start without, and where each is read. */
  environment?: { required: EnvRead[] };
}
