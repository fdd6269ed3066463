// The guide's build script as data: which images to build with which tags, labels, cache and flags, and what to push.
// Pure: git facts, clock, Dockerfile text and "does this tag exist" come in as inputs.
import type { BuildRequest } from '../engine/types.js';
import { parseDockerfile } from '../dockerfile/parse.js';
import { sanitizeTag, sourceUrl, type GitFacts } from './git.js';

/** A request pyship cannot honour as asked (maps to exit 2). */
export class BuildInputError extends Error {}

export type ScriptStep =
  | { kind: 'build'; what: string; request: BuildRequest }
  | { kind: 'push'; what: string; tag: string };

export interface BuildScript {
  steps: ScriptStep[];
  /** Every tag of the final image. */
  tags: string[];
  /** The tag verification (size, audit, smoke) looks at: the commit tag when there is one. */
  primary: string;
  labels: Record<string, string>;
  notes: string[];
}

export interface CommonInputs {
  context: string;
  /** `-f` value, when not the context's default Dockerfile. */
  dockerfile?: string;
  git: GitFacts;
  now: Date;
  buildx: boolean;
  extraLabels?: Record<string, string>;
  buildArgs?: Record<string, string>;
  secrets?: string[];
  ssh?: string[];
  fresh?: boolean;
  push?: boolean;
}

export interface ImageInputs extends CommonInputs {
  /** Image name, optionally with a tag (`registry:5000/org/app:v1`): a tag becomes an extra tag. */
  image: string;
  /** Text of the Dockerfile, to find the build stage of a multi-stage file. */
  dockerfileText?: string;
  /** Version from pyproject.toml, if any. */
  version?: string;
  extraTags?: string[];
  /** `[tool.pyship] production-tag` (default "production"). */
  productionTag?: string;
}

export interface BaseInputs extends CommonInputs {
  /** Base image repository (`myapp-base`). */
  base: string;
  /** Whether a tag already exists (locally or in the registry): dated tags are never overwritten. */
  exists: (ref: string) => boolean;
}

const REPO_RE = /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Split `name[:tag]` (a registry port is not a tag); validates both parts. */
export function splitImage(ref: string): { repository: string; tag?: string } {
  if (ref.includes('@')) throw new BuildInputError(`image "${ref}": a digest cannot be a build target; give a name (and tag)`);
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  const repository = colon > slash ? ref.slice(0, colon) : ref;
  const tag = colon > slash ? ref.slice(colon + 1) : undefined;
  if (!REPO_RE.test(repository)) {
    throw new BuildInputError(`invalid image name "${repository}": use lowercase letters, digits and . _ - separators (e.g. registry.example.com/team/app)`);
  }
  if (tag !== undefined && !TAG_RE.test(tag)) throw new BuildInputError(`invalid tag "${tag}" in image "${ref}"`);
  return { repository, tag };
}

function checkTag(tag: string): string {
  if (!TAG_RE.test(tag)) throw new BuildInputError(`invalid tag "${tag}": tags are up to 128 of [A-Za-z0-9_.-], not starting with . or -`);
  return tag;
}

/** RFC 3339 in UTC, whole seconds: 2024-05-01T12:00:00Z. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** The OCI labels plus git-commit / git-branch (labels, never build ARGs: an ARG early in the file busts the cache). */
export function gitLabels(git: GitFacts, now: Date, version?: string): Record<string, string> {
  const labels: Record<string, string> = { 'org.opencontainers.image.created': rfc3339(now) };
  if (git.sha) {
    labels['org.opencontainers.image.revision'] = git.sha;
    labels['git-commit'] = git.sha;
  }
  if (git.repo) {
    labels['org.opencontainers.image.ref.name'] = git.branch;
    labels['git-branch'] = git.branch;
  }
  const source = git.remote ? sourceUrl(git.remote) : undefined;
  if (source) labels['org.opencontainers.image.source'] = source;
  const v = version ?? git.shortSha;
  if (v) labels['org.opencontainers.image.version'] = v;
  return labels;
}

function baseRequest(inp: CommonInputs, tags: string[], labels: Record<string, string>): BuildRequest {
  return {
    context: inp.context,
    dockerfile: inp.dockerfile,
    tags,
    labels,
    buildArgs: { ...(inp.buildArgs ?? {}) },
    cacheFrom: [],
    cacheTo: [],
    inlineCache: false,
    secrets: [...(inp.secrets ?? [])],
    ssh: [...(inp.ssh ?? [])],
    pull: inp.fresh === true,
    noCache: inp.fresh === true,
    push: inp.push === true && inp.buildx,
  };
}

/** Inline cache: a build arg with the classic builder, `--cache-to type=inline` with buildx. */
function inlineCache(req: BuildRequest, buildx: boolean): void {
  if (buildx) req.cacheTo.push('type=inline');
  else req.inlineCache = true;
}

function pushSteps(inp: CommonInputs, tags: string[]): ScriptStep[] {
  if (!inp.push || inp.buildx) return [];
  return tags.map((tag) => ({ kind: 'push', what: `push ${tag}`, tag }));
}

/** `pyship build`: tag by branch and commit, label, warm the cache, cache the build stage of multi-stage files. */
export function scriptForImage(inp: ImageInputs): BuildScript {
  const notes: string[] = [];
  const { repository, tag: imageTag } = splitImage(inp.image);
  const branchTag = sanitizeTag(inp.git.branch);
  const given = [...(imageTag ? [imageTag] : []), ...(inp.extraTags ?? []).map(checkTag)];
  let own: string[];
  if (!inp.git.repo) {
    own = ['local'];
    notes.push('note: not a git repository: tagged ":local" only, with no revision label (run in a git checkout to tag by branch and commit)');
  } else if (!inp.git.sha) {
    own = [branchTag];
    notes.push(`note: no commit yet: tagged ":${branchTag}" only, with no revision label`);
  } else {
    own = [branchTag, inp.git.shortSha!];
  }
  const tagNames = unique([...own, ...given]);
  if (inp.push) {
    const meaningful = tagNames.filter((t) => t !== 'latest' && (inp.git.repo || t !== 'local'));
    if (meaningful.length === 0) {
      throw new BuildInputError(
        inp.git.repo
          ? 'refusing to push only ":latest": tag by branch and commit (run in a git checkout) or add --tag'
          : 'refusing to push: outside a git repository the only tags would be ":local"/":latest"; add --tag NAME or build in a git checkout',
      );
    }
  }
  const tags = tagNames.map((t) => `${repository}:${t}`);
  const primary = inp.git.shortSha ? `${repository}:${inp.git.shortSha}` : tags[0]!;
  const labels = { ...gitLabels(inp.git, inp.now, inp.version), ...(inp.extraLabels ?? {}) };
  const production = `${repository}:${sanitizeTag(inp.productionTag ?? 'production')}`;
  const branchRef = `${repository}:${branchTag}`;
  const steps: ScriptStep[] = [];
  const pushed: string[] = [];

  // Multi-stage: build and tag the first (build) stage too, so its layers can be cached across runners.
  let buildStageRef: string | undefined;
  if (inp.dockerfileText !== undefined) {
    const df = parseDockerfile(inp.dockerfileText, { path: inp.dockerfile ?? 'Dockerfile' });
    if (df.stages.length > 1) {
      const first = df.stages[0]!;
      if (first.name) {
        buildStageRef = `${repository}:${sanitizeTag(`${branchTag}-build`)}`;
        const req = baseRequest(inp, [buildStageRef], labels);
        req.target = first.name;
        if (!inp.fresh) req.cacheFrom.push(buildStageRef);
        inlineCache(req, inp.buildx);
        steps.push({ kind: 'build', what: `build stage "${first.name}"`, request: req });
        pushed.push(buildStageRef);
      } else {
        notes.push('note: the first stage has no name, so it cannot be built with --target and cached on its own: name it (FROM … AS build)');
      }
    }
  }

  const req = baseRequest(inp, tags, labels);
  if (!inp.fresh) {
    req.cacheFrom.push(branchRef);
    if (production !== branchRef) req.cacheFrom.push(production);
    if (buildStageRef) req.cacheFrom.push(buildStageRef);
  }
  if (inp.buildx && inp.push) {
    const cacheRef = `${repository}:${sanitizeTag(`${branchTag}-cache`)}`;
    if (!inp.fresh) req.cacheFrom.push(`type=registry,ref=${cacheRef}`);
    req.cacheTo.push(`type=registry,ref=${cacheRef},mode=max`);
  } else {
    inlineCache(req, inp.buildx);
  }
  steps.push({ kind: 'build', what: 'build image', request: req });
  pushed.push(...tags);
  steps.push(...pushSteps(inp, pushed));
  return { steps, tags, primary, labels, notes };
}

/** `pyship build --base`: the custom base image, dated and never overwritten, plus a moving `latest-base`. */
export function scriptForBase(inp: BaseInputs): BuildScript {
  const { repository, tag } = splitImage(inp.base);
  if (tag !== undefined) throw new BuildInputError(`base image "${inp.base}": give a name without a tag (tags are <date> and latest-base)`);
  const date = isoDate(inp.now);
  let dated = `${repository}:${date}`;
  for (let n = 2; inp.exists(dated); n++) {
    if (n > 99) throw new BuildInputError(`base image ${repository}: 99 builds dated ${date} already exist`);
    dated = `${repository}:${date}-${n}`;
  }
  const tags = [dated, `${repository}:latest-base`];
  const labels = { ...gitLabels(inp.git, inp.now), BASE_BUILT: date, ...(inp.extraLabels ?? {}) };
  const req = baseRequest(inp, tags, labels);
  // the point of rebuilding the base is to pick up the upstream image's security fixes
  req.pull = true;
  if (!inp.fresh) req.cacheFrom.push(`${repository}:latest-base`);
  if (inp.buildx && inp.push) {
    req.cacheTo.push(`type=registry,ref=${repository}:base-cache,mode=max`);
  } else {
    inlineCache(req, inp.buildx);
  }
  const steps: ScriptStep[] = [{ kind: 'build', what: 'build base image', request: req }, ...pushSteps(inp, tags)];
  return { steps, tags, primary: dated, labels, notes: [] };
}

/** One word for display: left alone when safe, else single-quoted POSIX-style. */
export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function displayCommand(argv: string[]): string {
  return argv.map(shellQuote).join(' ');
}

/** BuildKit-only syntax in a Dockerfile (`RUN --mount`, heredocs, `COPY --link`/`--chmod`…): the first use, for an error. */
export function buildkitOnly(text: string): { what: string; line: number } | undefined {
  const df = parseDockerfile(text);
  const lineOf = (offset: number): number => text.slice(0, offset).split('\n').length;
  for (const i of df.instructions) {
    const flag = i.flags.find((f) => (i.keyword === 'RUN' && (f.name === 'mount' || f.name === 'network' || f.name === 'security'))
      || ((i.keyword === 'COPY' || i.keyword === 'ADD') && (f.name === 'link' || f.name === 'chmod' || f.name === 'parents' || f.name === 'exclude')));
    if (flag) return { what: `${i.keyword} ${flag.raw.split('=')[0]}`, line: lineOf(flag.span.start) };
    if (i.heredocs.length > 0) return { what: `${i.keyword} with a heredoc`, line: lineOf(i.span.start) };
  }
  return undefined;
}
