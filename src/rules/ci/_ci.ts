// Helpers the CI-area and other project rules share: which builds run in CI, which Dockerfile a build uses, where an
// absence is reported.
import type { Dockerfile, Span } from '../../dockerfile/model.js';
import type { Project } from '../../project/model.js';
import { buildCommands } from '../../project/ci.js';
import type { BuildCommand } from '../../project/ci-model.js';
import { hasCi } from '../../project/ci-jobs.js';

export interface CtxDockerfile {
  path: string;
  dockerfile: Dockerfile;
}

/** Builds in GitHub/GitLab CI (including the scripts and Makefile targets CI runs). */
export function ciBuilds(project: Project): BuildCommand[] {
  return hasCi(project) ? buildCommands(project).filter((b) => b.ci) : [];
}

/**
 * Every build (CI and build scripts) when CI builds the image; nothing otherwise: rules about how CI builds must not
 * fire for projects that have no CI building the image.
 */
export function buildsWhenCi(project: Project): BuildCommand[] {
  return ciBuilds(project).length > 0 ? buildCommands(project) : [];
}

const norm = (p: string): string => p.replace(/^\.\/+/, '').replace(/\/+$/, '').replace(/\/\.\//g, '/');

/** The Dockerfile a build uses (`-f`, `file:`, or `<context>/Dockerfile`); the only one when there is one. */
export function dockerfileOf(b: BuildCommand, dockerfiles: CtxDockerfile[]): CtxDockerfile | undefined {
  if (b.tool === 'compose' || b.tool === 'compose-v1' || b.tool === 'bake') return dockerfiles.length === 1 ? dockerfiles[0] : undefined;
  const ctx = norm(b.context && !/^(\.|\$|https?:|git@)/.test(b.context) ? b.context : '');
  const want = b.dockerfile ? norm(b.dockerfile) : norm(ctx ? `${ctx}/Dockerfile` : 'Dockerfile');
  const hit = dockerfiles.find((d) => d.path === want || (b.dockerfile !== undefined && ctx && d.path === norm(`${ctx}/${b.dockerfile}`)));
  if (hit) return hit;
  return dockerfiles.length === 1 ? dockerfiles[0] : undefined;
}

/** Where to report an absence: the first CI build, else the first workflow, else the first Dockerfile. */
export function anchor(project: Project, dockerfiles: CtxDockerfile[]): { file: string; span: Span } {
  const b = ciBuilds(project)[0];
  if (b) return { file: b.file, span: b.span };
  return { file: dockerfiles[0]?.path ?? 'Dockerfile', span: { start: 0, end: 0 } };
}

/** How a build command is named in messages. */
export function buildName(b: BuildCommand): string {
  switch (b.tool) {
    case 'action': return 'docker/build-push-action';
    case 'bake': return 'docker buildx bake';
    case 'buildx': return 'docker buildx build';
    case 'compose': return 'docker compose build';
    case 'compose-v1': return 'docker-compose';
    case 'pyship': return 'pyship build';
    case 'podman': return 'podman build';
    case 'buildah': return 'buildah build';
    default: return 'docker build';
  }
}
