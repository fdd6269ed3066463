// `pyship init`, step 2: the spec → the files, and writing them atomically as src/init/existing.ts decided (never over
// or beside a file the user has unless asked). The dry run gives unified diffs instead.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { failure, writeAtomic, WriteError } from '../io/write.js';
import { createTwoFilesPatch } from 'diff';
import type { Project } from '../project/model.js';
import { pyprojects } from '../project/python.js';
import { compose } from '../templates/compose.js';
import { githubWorkflow, gitlabCi } from '../templates/ci.js';
import { dependabot } from '../templates/dependabot.js';
import { dockerfile } from '../templates/dockerfile.js';
import { dockerignore } from '../templates/dockerignore.js';
import { k8sManifests } from '../templates/k8s.js';
import { serverConfig } from '../templates/server.js';
import type { GeneratedFile, InitSpec } from './types.js';
import { envExample } from './environment.js';
import type { FileWrite } from './existing.js';


/**
 * Every file the spec asks for, in the order they are reported. `sub`: the project directory relative to the
 * repository root ('' when they are the same), where CI and Dependabot look.
 */
export function generateFiles(spec: InitSpec, p: Project, sub = ''): GeneratedFile[] {
  const files: GeneratedFile[] = [];
  if (spec.deps.generate) files.push(spec.deps.generate);
  // beside a project Dockerfile that is no production image: Dockerfile.pyship, with the ignore file BuildKit reads for it
  const df = spec.dockerfile ?? 'Dockerfile';
  files.push({ path: df, text: dockerfile(spec), what: `multi-stage, ${spec.manager} → /opt/venv, tini, non-root uid 10001${spec.healthcheck ? ', HEALTHCHECK' : ''}${spec.beside ? `; beside the project's ${spec.beside.path}, build it with \`pyship build --file ${df}\`` : ''}` });
  const needs = [...spec.deps.files, ...readmeOf(p)];
  files.push({ path: spec.beside ? `${df}.dockerignore` : '.dockerignore', text: dockerignore(spec, needs), what: `keeps VCS data, venvs, caches and secrets out of the build context${spec.beside ? ` (BuildKit reads it for ${df} instead of .dockerignore)` : ''}` });
  const cfg = serverConfig(spec);
  if (cfg) files.push({ path: cfg[0], text: cfg[1], what: `${spec.server} bound to 0.0.0.0:$PORT, logs to stdout`, forDockerfile: 'its CMD reads it' });
  const ro = spec.mounts?.readOnly === false ? 'writable root (see notes)' : 'read-only root';
  const mounts = spec.mounts?.mounts.length ? `, ${spec.mounts.mounts.length} writable mount${spec.mounts.mounts.length === 1 ? '' : 's'}` : '';
  if (spec.compose) files.push({ path: 'compose.yaml', text: compose(spec), what: `local run: cap_drop ALL, init, ${ro}${mounts}, health check`, forDockerfile: 'it runs that image: its port, health check, user and read-only layout' });
  // the names compose.yaml requires from .env, empty: only when the project has no example of its own
  if (spec.compose && spec.environment && (spec.environment.required.length > 0 || (spec.environment.hostGates ?? []).length > 0) && !p.exists('.env.example')) {
    files.push({ path: '.env.example', text: envExample(spec.environment), what: `the variables the app needs to start (${spec.environment.required.length}), empty: copy to .env` });
  }
  if (spec.ci === 'github') {
    files.push({ path: '.github/workflows/docker.yml', text: githubWorkflow(spec, sub), what: 'check, build (branch+sha tags, cache), audit, smoke, scan, push; weekly --fresh rebuild', root: true });
    files.push({ path: '.github/dependabot.yml', text: dependabot(spec, sub), what: `monthly update PRs: Python dependencies, ${spec.assets ? 'front-end dependencies, ' : ''}base image, actions`, root: true });
  } else if (spec.ci === 'gitlab') {
    files.push({ path: '.gitlab-ci.yml', text: gitlabCi(spec, sub), what: 'check, build (branch+sha tags, cache), audit, smoke, scan, push; scheduled --fresh rebuild', root: true });
    files.push({ path: 'renovate.json', text: renovate(), what: 'monthly update MRs (Renovate): Python dependencies, base image', root: true });
  }
  const K8S_WHAT: Record<string, string> = {
    'k8s/deployment.yaml': 'Kubernetes Deployment: probes, runAsNonRoot, drop ALL, read-only root, grace period',
    'k8s/service.yaml': 'Kubernetes Service in front of it',
    'k8s/migrate-job.yaml': 'Kubernetes Job: migrations once per release, not at startup',
  };
  if (spec.k8s) for (const [path, text] of k8sManifests(spec)) files.push({ path, text, what: K8S_WHAT[path] ?? 'Kubernetes manifest', forDockerfile: 'it runs that image: its port, probes, user and read-only layout' });
  if (spec.appModule) files.push({ path: spec.appModule.path, text: spec.appModule.text, what: spec.appModule.why, forDockerfile: 'the generated image starts the app from it' });
  const config = pyshipConfig(spec, p);
  if (config) files.push(config);
  return files;
}

function renovate(): string {
  return `${JSON.stringify({
    $schema: 'https://docs.renovatebot.com/renovate-schema.json',
    extends: ['config:recommended'],
    schedule: ['before 6am on the first day of the month'],
    vulnerabilityAlerts: { enabled: true },
  }, null, 2)}\n`;
}

/** The README pyproject.toml names: a .dockerignore that drops it breaks `pip install .`. */
function readmeOf(p: Project): string[] {
  const pp = pyprojects(p).find((x) => x.path === 'pyproject.toml');
  const files = [pp?.readme?.file, ...(pp?.poetry?.readme ?? [])].filter((f): f is string => typeof f === 'string');
  return files;
}

/** pyship.toml with the image name and health path, unless the project already configures pyship. */
function pyshipConfig(spec: InitSpec, p: Project): GeneratedFile | undefined {
  if (p.file('pyship.toml') || p.file('.pyship.toml')) return undefined;
  if (/^\[tool\.pyship\]/m.test(p.file('pyproject.toml')?.text ?? '')) return undefined;
  const lines = ['# Written by pyship init: settings of `pyship check`, `build`, `smoke` and `audit`.', `image = "${spec.image}"`];
  if (spec.port && (spec.healthMode ?? 'route') === 'route') lines.push(`health-path = "${spec.healthPath}"`);
  else if (spec.port) lines.push('# health-path = "/health"  # the app has no health route pyship found: add one and name it here');
  lines.push('# max-image-size = "450MB"');
  return { path: 'pyship.toml', text: `${lines.join('\n')}\n`, what: 'pyship settings: image name, health path' };
}

/** A unified diff per file that would be written (creations diff against /dev/null). */
export function writesDiff(writes: FileWrite[]): string {
  return writes.filter((p) => p.status === 'create' || p.status === 'overwrite')
    .map((p) => createTwoFilesPatch(p.status === 'create' ? '/dev/null' : `a/${p.shown}`, `b/${p.shown}`, p.current ?? '', p.text, '', '', { context: 3 })
      .replace(/^=+\n/, ''))
    .join('');
}

/**
 * Write each file decided atomically (src/io/write.ts), inside `root`; directories are created as needed. A file that
 * cannot be written stops the run with a message naming it and the files written before it.
 */
export function writeFiles(writes: FileWrite[], root?: string): string[] {
  const written: string[] = [];
  for (const p of writes) {
    if (p.status !== 'create' && p.status !== 'overwrite') continue;
    try {
      mkdirSync(dirname(p.full), { recursive: true });
      // overwrite: --force named the file, read-only or not (decideWrites says so)
      writeAtomic(p.full, p.text, { within: root, writeReadOnly: true, shown: p.shown });
    } catch (e) {
      const err = failure(p.shown, p.full, e);
      throw new WriteError(`${err.message}; ${written.length > 0 ? `init wrote ${written.join(', ')} before it, and nothing after` : 'init wrote no file'}`);
    }
    written.push(p.shown);
  }
  return written;
}
