// The vocabulary of `pyship init`: options, the spec it fills (the part every template reads is templates/spec.ts),
// errors that name the flag that settles them.
import type { PackageManager } from '../project/python.js';
import type { Debian, Server, TemplateSpec } from '../templates/spec.js';
import type { Decision } from './decisions.js';
import type { AppEnvironment } from './environment.js';
import type { LockOutcome, LockJob } from './lock.js';

export const SERVERS: readonly Server[] = ['gunicorn', 'uvicorn', 'uwsgi', 'hypercorn', 'daphne', 'granian', 'waitress', 'aiohttp'];
/** Versions of the servers init installs when the project's lock lacks one (current releases). */
export const SERVER_PINS = { gunicorn: '23.0.0', uvicorn: '0.35.0', uwsgi: '2.0.30', hypercorn: '0.17.3', daphne: '4.2.1', granian: '2.5.4', waitress: '3.0.2' } as const;

export const MANAGERS: readonly PackageManager[] = ['pip', 'pip-tools', 'poetry', 'pipenv', 'uv', 'pdm', 'conda'];

/**
 * The Python a project gets when nothing it has (a pin, a lock, its wheels) bounds the choice: the newest release with
 * broad wheel support. 3.15.0 came out in October 2026, and compiled packages ship wheels for a new Python over the
 * months after; an unlocked project locked for 3.15 today may resolve to sdists that need compilers. Move it to 3.15
 * once its wheels are common. Which images exist for which version: src/project/python-releases.ts.
 */
export const DEFAULT_PYTHON = '3.14';

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

export interface InitSpec extends TemplateSpec {
  k8s: boolean;
  compose: boolean;
  /** Every choice init made, with the evidence (file:line) or the default that chose it. */
  decisions: Decision[];
  /** Absolute: the repository root, where CI files belong (GitHub reads .github/ only there). */
  repoRoot: string;
  /** The project directory (the build context, where init writes) relative to repoRoot, POSIX; '' when the same. */
  projectDir: string;
  /** Set when nothing locks the dependencies: how pyship locks them (the command runs it; a dry run only says so). */
  lock?: LockJob;
  /** Things the user should know (EOL Python, ALLOWED_HOSTS…). */
  notes: string[];
  /** Those of `notes` that speak only of the generated Dockerfile (its Python, its server config): left out when the project's own Dockerfile is kept. */
  imageNotes: string[];
  /** Commands the project runs before its server (a Procfile chain, its start script): where they go is the build/release steps' job. */
  startSteps: { command: string; evidence: string }[];
  /** A module the app needs and the project lacks (Channels 2's asgi.py): init writes it. */
  appModule?: { path: string; text: string; why: string };
  /** The project's Dockerfile kept beside the generated one, and why it is no production image (`path:line what`). */
  beside?: { path: string; why: string[] };
  /** The environment the app reads at import (required and optional names, where each is read). */
  environment?: AppEnvironment;
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
