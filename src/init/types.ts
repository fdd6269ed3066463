// The vocabulary of `pyship init`: options, the spec every template reads, errors that name the flag that settles them.
import type { AppCandidate } from '../project/app.js';
import type { PackageManager } from '../project/python.js';
import type { Decision } from './decisions.js';
import type { EnvPlan } from './environment.js';
import type { LockOutcome, LockPlan } from './lock.js';
import type { Workspace } from './workspace.js';
import type { UwsgiServing } from './uwsgi-serving.js';

/** `aiohttp`: aiohttp's own server (`aiohttp.web.run_app`), for aiohttp apps. */
export type Server = 'gunicorn' | 'uvicorn' | 'uwsgi' | 'hypercorn' | 'daphne' | 'granian' | 'waitress' | 'aiohttp';
export const SERVERS: readonly Server[] = ['gunicorn', 'uvicorn', 'uwsgi', 'hypercorn', 'daphne', 'granian', 'waitress', 'aiohttp'];
/** Versions of the servers init installs when the project's lock lacks one (current releases). */
export const SERVER_PINS = { gunicorn: '23.0.0', uvicorn: '0.35.0', uwsgi: '2.0.30', hypercorn: '0.17.3', daphne: '4.2.1', granian: '2.5.4', waitress: '3.0.2' } as const;

/** A server package the image installs beside the lock, pinned. */
export interface ExtraInstall { name: string; version: string; evidence: string[] }
export const MANAGERS: readonly PackageManager[] = ['pip', 'pip-tools', 'poetry', 'pipenv', 'uv', 'pdm', 'conda'];
export type Debian = 'stretch' | 'buster' | 'bullseye' | 'bookworm' | 'trixie';

/**
 * The Python a project gets when nothing it has (a pin, a lock, its wheels) bounds the choice: the newest release with
 * broad wheel support. 3.15.0 came out in October 2026, and compiled packages ship wheels for a new Python over the
 * months after; an unlocked project locked for 3.15 today may resolve to sdists that need compilers. Move it to 3.15
 * once its wheels are common. Which images exist for which version: src/project/python-releases.ts.
 */
export const DEFAULT_PYTHON = '3.14';

/** Tool versions the generated Dockerfiles pin (Dependabot's docker ecosystem keeps the uv image current). */
export const TOOLS = { uv: '0.8.14', poetry: '2.1.3', pdm: '2.22.0', pipenv: '2024.4.0', micromamba: '2.0.5' } as const;

export class InitError extends Error {
  constructor(message: string, readonly hint?: string, readonly choices?: { flag: string; values: string[] }) {
    super(message);
  }
}

export interface InitOptions {
  packageManager?: PackageManager;
  python?: string;
  debian?: Debian;
  /** Replaces the whole base image reference (e.g. a mirror): `registry/python:3.13-slim-trixie`. */
  baseImage?: string;
  /** `sha256:…` of the base image, added as `@digest` (resolved by the command for --pin-digest). */
  digest?: string;
  /** `module:attr` of the web app (or the Celery app for a worker), or a `[project.scripts]` name. */
  entry?: string;
  server?: Server;
  port?: number;
  healthPath?: string;
  requirements?: string;
  syntax?: boolean;
  compile?: boolean;
  debugTools?: boolean;
  ci?: 'github' | 'gitlab' | 'none';
  k8s?: boolean;
  compose?: boolean;
  image?: string;
  /** pyship version the CI files run (`npx pyship@VERSION`). */
  pyshipVersion: string;
  /** Absolute: the repository root (nearest `.git` ancestor, else the directory init ran on); default: from the project. */
  repoRoot?: string;
  /** Set when init ran above the project and found it in a subfolder: the manifests that identified it. */
  projectDirEvidence?: string[];
  /** The result of locking an unlocked project (the command runs the lock between two buildSpec calls). */
  lockOutcome?: LockOutcome;
}

export interface DepsPlan {
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

export interface InitSpec {
  name: string;
  image: string;
  manager: PackageManager;
  python: { version: string; source: string; image: string; codename: Debian };
  /** Tool versions replacing TOOLS' because the chosen Python is too old for those (poetry 1.5.1 on 3.7). */
  tools?: Partial<Record<'poetry' | 'pipenv' | 'pdm', string>>;
  deps: DepsPlan;
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
  k8s: boolean;
  compose: boolean;
  pyshipVersion: string;
  /** Every choice init made, with the evidence (file:line) or the default that chose it. */
  decisions: Decision[];
  /** Build-time steps, in order, run in the runtime stage after the code is copied. */
  buildSteps: BuildStep[];
  /** One-off release steps (migrations), never run at container start. */
  releaseSteps: ReleaseStep[];
  /** Absolute: the repository root, where CI files belong (GitHub reads .github/ only there). */
  repoRoot: string;
  /** The project directory (the build context, where init writes) relative to repoRoot, POSIX; '' when the same. */
  projectDir: string;
  /** Set when nothing locks the dependencies: how pyship locks them (the command runs it; a dry run only says so). */
  lock?: LockPlan;
  /** A front-end asset build stage, when the project has one pyship can place. */
  assets?: AssetStage;
  /** Things the user should know (EOL Python, ALLOWED_HOSTS…). */
  notes: string[];
  /** Those of `notes` that speak only of the generated Dockerfile (its Python, its server config): left out when the project's own Dockerfile is kept. */
  imageNotes: string[];
  /** Server packages the lock lacks, installed pinned in the build stage. */
  extraInstalls: ExtraInstall[];
  /** Commands the project runs before its server (a Procfile chain, its start script): where they go is the build/release steps' job. */
  startSteps: { command: string; evidence: string }[];
  /** Files the generated ones read: the server config file name (gunicorn.conf.py…), if any. */
  serverConfig?: string;
  /** The project's own uwsgi.ini serves files (static-map, route…): those lines, carried into pyship's config. */
  uwsgiServing?: UwsgiServing;
  /** A module the app needs and the project lacks (Channels 2's asgi.py): init writes it. */
  appModule?: { path: string; text: string; why: string };
  /** Where the app writes at run time, and what compose/k8s mount there (src/init/mounts.ts). */
  mounts?: MountPlan;
  /** The generated Dockerfile's name when not `Dockerfile`: the project's own is kept beside it (src/init/own-image.ts). */
  dockerfile?: string;
  /** The project's Dockerfile kept beside the generated one, and why it is no production image (`path:line what`). */
  beside?: { path: string; why: string[] };
  /** The environment the app reads at import (required and optional names, where each is read). */
  environment?: EnvPlan;
}

/** A writable place in a read-only container: a tmpfs for scratch (logs, caches), a named volume for data. */
export interface Mount {
  path: string;
  kind: 'tmpfs' | 'volume';
  /** The named volume (kind volume). */
  volume?: string;
}

export interface MountPlan {
  /** Keep the root file system read-only (every write the code shows has a mount). */
  readOnly: boolean;
  /** Why read-only is off. */
  why?: string;
  mounts: Mount[];
}


/** A file init writes: its text, and what it is for. */
export interface GeneratedFile {
  /** Relative to the project directory (or, with `root`, to the repository root), POSIX. */
  path: string;
  text: string;
  /** What the file is for, one line for the summary. */
  what: string;
  /** Read where the repository root is (CI, Dependabot): `path` is relative to the root. */
  root?: boolean;
  /** Made for the image the generated Dockerfile builds (its CMD, port, user): pointless beside a kept Dockerfile. */
  forDockerfile?: string;
}
