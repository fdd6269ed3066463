// Which build contexts a Dockerfile is really built with, and which .dockerignore each applies: the compose `build:`
// and CI `docker build` that name the Dockerfile, else its own directory. A context is what the builder is sent, so a
// credential in it leaks through `COPY . .` whatever .dockerignore sits elsewhere.
import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';
import { buildCommands } from './ci.js';
import { parseDockerignore, sentFilesIn, type Dockerignore } from './dockerignore.js';
import { projectFact, type Project } from './model.js';
import { composeServices, isDevCompose } from './runtime.js';

export interface BuildContext {
  /** Repository-relative context directory ('' for the root). */
  dir: string;
  /** Repository-relative path of the ignore file that applies (`<Dockerfile>.dockerignore` first); undefined when none. */
  ignoreFile: string | undefined;
  ignore: Dockerignore | undefined;
  /** What says the Dockerfile is built with this context, for messages. */
  source: string;
}

/** Normalise a repository-relative POSIX path ('' for the root); undefined when it leaves the repository. */
function inRepo(p: string): string | undefined {
  const n = posix.normalize(p.replace(/^\.\/+/, ''));
  if (n === '..' || n.startsWith('../') || n.startsWith('/')) return undefined;
  return n === '.' ? '' : n.replace(/\/+$/, '');
}

/** A compose path with `${VAR}` left in it (set in an env file pyship does not evaluate) as a pattern. */
function pathPattern(p: string): RegExp {
  const parts = p.split(/\$\{[^}]*\}|\$[A-Za-z_]\w*/);
  return new RegExp('^' + parts.map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*') + '$');
}

/** The contexts named for one repository-relative Dockerfile path, deduplicated by directory. */
function namedContexts(repo: Project, dockerfile: string): { dir: string; source: string; dev: boolean }[] {
  const out: { dir: string; source: string; dev: boolean }[] = [];
  for (const s of composeServices(repo)) {
    const b = s.build;
    const dir = b?.contextPath === undefined ? undefined : inRepo(b.contextPath);
    if (!b || dir === undefined) continue;
    const df = b.dockerfilePath === undefined ? undefined : inRepo(b.dockerfilePath);
    const hit = df === dockerfile || (df === undefined && b.dockerfile !== undefined && !b.dockerfile.startsWith('/') &&
      pathPattern(posix.join(dir || '.', b.dockerfile).replace(/^\.\//, '')).test(dockerfile));
    if (hit) out.push({ dir, source: `${s.file} service \`${s.name}\``, dev: isDevCompose(s.file) });
  }
  for (const b of buildCommands(repo)) {
    if (!['docker', 'buildx', 'podman', 'buildah', 'action'].includes(b.tool)) continue;
    const ctx = b.context === undefined ? '' : /^[a-z][\w+.-]*:\/\/|^git@|^-$|\$/i.test(b.context) ? undefined : inRepo(b.context);
    if (ctx === undefined) continue;
    const df = b.dockerfile === undefined ? inRepo(posix.join(ctx || '.', 'Dockerfile')) : /\$/.test(b.dockerfile) ? undefined : inRepo(b.dockerfile);
    if (df === dockerfile) out.push({ dir: ctx, source: `the \`docker build\` in ${b.file}`, dev: false });
  }
  const seen = new Set<string>();
  return out.filter((c) => !seen.has(c.dir) && seen.add(c.dir) !== undefined);
}

/**
 * The one context the project builds a repository-relative Dockerfile with, when its compose files and CI agree (the
 * production ones when development ones differ); undefined when nothing names one or they disagree.
 */
export function contextOf(repo: Project, dockerfile: string): string | undefined {
  const named = namedContexts(repo, dockerfile);
  const prod = named.filter((c) => !c.dev);
  const dirs = new Set((prod.length > 0 ? prod : named).map((c) => c.dir));
  return dirs.size === 1 ? [...dirs][0] : undefined;
}

/**
 * The contexts a repository-relative Dockerfile is built with: those compose and CI name, else `fallback` (the
 * directory pyship was given or the Dockerfile's own). Each with the ignore file Docker applies: BuildKit reads
 * `<Dockerfile>.dockerignore` beside the Dockerfile before the context's `.dockerignore`.
 */
export function buildContexts(repo: Project, dockerfile: string, fallback?: string): BuildContext[] {
  const named = namedContexts(repo, dockerfile);
  const dirs = named.length > 0 ? named : [{ dir: fallback ?? (posix.dirname(dockerfile) === '.' ? '' : posix.dirname(dockerfile)), source: 'the Dockerfile\'s directory', dev: false }];
  return dirs.map((c) => {
    const own = `${dockerfile}.dockerignore`;
    const ctxIgnore = c.dir === '' ? '.dockerignore' : `${c.dir}/.dockerignore`;
    const ignoreFile = repo.file(own) ? own : repo.file(ctxIgnore) ? ctxIgnore : undefined;
    const text = ignoreFile === undefined ? undefined : repo.file(ignoreFile)?.text;
    return { ...c, ignoreFile, ignore: text === undefined ? undefined : parseDockerignore(text) };
  });
}

/** Context-relative paths a context sends, memoized per repository, directory and ignore file. */
const sentCache = projectFact((_repo: Project) => new Map<string, string[]>());

export function contextFiles(repo: Project, ctx: BuildContext): string[] {
  const cache = sentCache(repo);
  const key = `${ctx.dir}\0${ctx.ignoreFile ?? ''}`;
  let files = cache.get(key);
  if (!files) {
    const abs = join(repo.root, ctx.dir);
    files = existsSync(abs) ? sentFilesIn(abs, ctx.ignore) : [];
    cache.set(key, files);
  }
  return files;
}
