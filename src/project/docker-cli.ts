// The docker / podman / buildah / compose command lines of CI and build scripts (and docker/build-push-action steps)
// read as image builds, tags, pushes and runs: the one vocabulary of the container CLIs' words and flags.
import type { Span } from '../dockerfile/model.js';
import type { ShCommand, ShWord } from '../dockerfile/shell.js';
import type { Project } from './model.js';
import type { BuildCommand, BuildTool, CacheSpec, CiCommand, CiJob, CiStep, CiValue, ImageTag } from './ci-model.js';

/** Images of tools and services, not the app: `docker run hadolint/hadolint`, `docker run postgres`. */
export const TOOL_IMAGE = /(^|\/)(hadolint|trivy|grype|syft|semgrep|bandit|postgres|postgis|redis|valkey|mysql|mariadb|mongo|memcached|rabbitmq|elasticsearch|opensearch|localstack|minio|selenium|busybox|alpine|docker|moby|tonistiigi|multiarch|qemu-user-static|aquasec|anchore|returntocorp|koalaman|shellcheck|node|nginx)(:|@|$)/i;

/** `docker run` flags whose value is the next word. */
const RUN_VALUE_FLAGS = new Set([
  '-e', '--env', '-v', '--volume', '-p', '--publish', '--name', '--network', '--net', '-w', '--workdir', '--entrypoint', '-u',
  '--user', '--env-file', '--mount', '--platform', '-l', '--label', '--add-host', '--hostname', '-h', '--cap-add', '--cap-drop',
  '--memory', '-m', '--cpus', '--pull', '--tmpfs', '--health-cmd', '--stop-signal', '--ulimit', '--security-opt', '--link',
  '--log-driver', '--restart', '--runtime', '--shm-size', '--gpus', '--device', '--cidfile', '--init-path', '--ipc', '--pid',
]);

const SHA = /GITHUB_SHA|github\.sha|github_sha|CI_COMMIT_SHA|CI_COMMIT_SHORT_SHA|BITBUCKET_COMMIT|CIRCLE_SHA1|GIT_COMMIT|COMMIT_SHA|SHORT_SHA|rev-parse|git\s+describe|git\s+log|event\.pull_request\.head\.sha|steps\.[\w-]+\.outputs\.(sha|version|tags?)\b|outputs\.tags?\b|\bSHA\b|_SHA\b|_SHA_/i;
const BRANCH = /GITHUB_REF_NAME|GITHUB_REF|GITHUB_HEAD_REF|github\.ref_name|github\.ref|github\.head_ref|github_ref|CI_COMMIT_REF_SLUG|CI_COMMIT_REF_NAME|CI_COMMIT_BRANCH|CI_COMMIT_TAG|BRANCH|rev-parse\s+--abbrev-ref|branch\s+--show-current|outputs\.tags?\b/i;

export function classifyTag(raw: string, span: Span): ImageTag {
  const dynamic = /\$|`/.test(raw);
  let tag: string | undefined;
  if (!dynamic) {
    const slash = raw.lastIndexOf('/');
    const colon = raw.lastIndexOf(':');
    const at = raw.indexOf('@');
    if (at >= 0) tag = raw.slice(at + 1);
    else tag = colon > slash ? raw.slice(colon + 1) : 'latest';
  } else {
    // `$IMAGE:latest`: the tag part is literal
    const m = /:([A-Za-z0-9_][A-Za-z0-9_.-]*)$/.exec(raw);
    if (m && !/[${}]/.test(m[1]!)) tag = m[1];
  }
  return { raw, span, dynamic, usesSha: dynamic && SHA.test(raw), usesBranch: dynamic && BRANCH.test(raw), tag };
}

function parseCache(raw: string, span: Span): CacheSpec {
  const attrs: Record<string, string> = {};
  const isKv = /(^|,)\s*type=/.test(raw) || /^[a-z-]+=/.test(raw);
  if (isKv) {
    for (const part of raw.split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) attrs[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
    }
    return { raw, span, type: attrs.type ?? 'registry', mode: attrs.mode, ref: attrs.ref ?? attrs.src ?? attrs.dest };
  }
  return { raw, span, type: 'registry', ref: raw };
}

/** `${{ secrets.X }}`, `$SECRET_TOKEN`, `${{ env.API_KEY }}`… (the caller decides whether the arg name is secret). */
function looksSecretRef(raw: string): boolean {
  return /secrets\.|__secrets_/i.test(raw);
}

function splitList(v: string): { text: string; offset: number }[] {
  const out: { text: string; offset: number }[] = [];
  const re = /[^,\n]+/g;
  for (const m of v.matchAll(re)) {
    const t = m[0];
    const lead = t.length - t.trimStart().length;
    const trimmed = t.trim();
    if (trimmed !== '' && !trimmed.startsWith('#')) out.push({ text: trimmed, offset: m.index! + lead });
  }
  return out;
}

/** Items of a multi-line/comma `with:` input, with spans (approximate for quoted or escaped scalars). */
function withItems(project: Project, file: string, v: CiValue, lines = false): { text: string; span: Span }[] {
  const f = project.file(file);
  const src = f?.text ?? '';
  const raw = src.slice(v.span.start, v.span.end);
  const idx = raw.indexOf(v.value.split('\n')[0]!.trim());
  const items = lines ? v.value.split('\n').map((t, i, all) => ({ text: t.trim(), offset: all.slice(0, i).join('\n').length + (i ? 1 : 0) + (t.length - t.trimStart().length) })).filter((x) => x.text !== '' && !x.text.startsWith('#')) : splitList(v.value);
  return items.map((it) => {
    const found = raw.indexOf(it.text);
    const start = found >= 0 ? v.span.start + found : v.span.start + Math.max(idx, 0);
    return { text: it.text, span: { start, end: found >= 0 ? start + it.text.length : v.span.end } };
  });
}

const truthy = (v: string | undefined): boolean => v !== undefined && !/^(false|0|no|)$/i.test(v.trim());

const BUILD_VALUE_FLAGS = new Set([
  '-t', '--tag', '-f', '--file', '--label', '--build-arg', '--cache-from', '--cache-to', '--target', '--secret', '--ssh',
  '--platform', '-o', '--output', '--progress', '--network', '--iidfile', '--metadata-file', '--add-host', '--build-context',
  '--builder', '--shm-size', '--ulimit', '--attest', '--sbom', '--provenance', '--annotation', '--memory', '-m', '--cpu-shares',
  '--isolation', '--squash-all', '--format', '--layers', '--jobs', '--creds', '--authfile',
]);

/** The docker/podman subcommand after global options, and the index of the first word after it. */
export function dockerSub(cmd: ShCommand): { sub: string[]; rest: number } | undefined {
  const a = cmd.argv.map((w) => w.value);
  let i = 1;
  while (i < a.length && a[i]!.startsWith('-')) i += /^(-H|--host|--context|-c|--config|-l|--log-level)$/.test(a[i]!) ? 2 : 1;
  const sub: string[] = [];
  if (a[i] === 'buildx' || a[i] === 'image' || a[i] === 'container' || a[i] === 'compose' || a[i] === 'scout') {
    sub.push(a[i]!);
    i++;
    if (sub[0] === 'compose') while (i < a.length && a[i]!.startsWith('-')) i += /^(-f|--file|-p|--project-name|--profile|--env-file|--project-directory)$/.test(a[i]!) ? 2 : 1;
  }
  if (i < a.length) sub.push(a[i]!);
  return { sub, rest: i + 1 };
}

export function buildFromCommand(c: CiCommand, job: CiJob, ci: boolean, order: number, env: Record<string, string>): BuildCommand | undefined {
  const cmd = c.cmd;
  const name = cmd.name;
  let tool: BuildTool | undefined;
  let from = 0;
  if (name === 'docker' || name === 'podman' || name === 'nerdctl') {
    const s = dockerSub(cmd);
    if (!s) return undefined;
    const sub = s.sub.join(' ');
    if (sub === 'build' || sub === 'image build') tool = name === 'podman' ? 'podman' : 'docker';
    else if (sub === 'buildx build' || sub === 'builder build') tool = 'buildx';
    else if (sub === 'buildx bake') tool = 'bake';
    else if (sub === 'compose build' || (s.sub[0] === 'compose' && s.sub[1] === 'up' && cmd.argv.some((w) => w.value === '--build'))) tool = 'compose';
    else return undefined;
    from = s.rest;
  } else if (name === 'buildah' && cmd.argv[1] && /^(bud|build|build-using-dockerfile)$/.test(cmd.argv[1].value)) {
    tool = 'buildah';
    from = 2;
  } else if (name === 'docker-compose' || name === 'podman-compose') {
    const a = cmd.argv.map((w) => w.value);
    if (!(a.includes('build') || (a.includes('up') && a.includes('--build')))) return undefined;
    tool = 'compose-v1';
    from = 1;
  } else if (name === 'pyship' && cmd.argv[1]?.value === 'build') {
    tool = 'pyship';
    from = 2;
  } else return undefined;
  const b: BuildCommand = {
    file: c.file, span: cmd.span, tool, job, ci, order, tags: [], tagsKnown: tool !== 'compose' && tool !== 'compose-v1' && tool !== 'bake' && tool !== 'pyship',
    push: false, labels: [], buildArgs: [], cacheFrom: [], cacheTo: [], noCache: false, pull: false, fresh: false, secrets: [], ssh: false,
    buildkitDisabled: false,
  };
  const buildkitVar = cmd.assignments.find((a) => a.name === 'DOCKER_BUILDKIT')?.value ?? env.DOCKER_BUILDKIT;
  if (buildkitVar !== undefined && /^(0|false)$/i.test(buildkitVar.trim())) b.buildkitDisabled = tool === 'docker' || tool === 'compose' || tool === 'compose-v1';
  const argv = cmd.argv;
  const positional: ShWord[] = [];
  for (let i = from; i < argv.length; i++) {
    const w = argv[i]!;
    const v = c.value(w);
    let flag = v;
    let val: ShWord | undefined;
    let valText: string | undefined;
    let valSpan: Span | undefined;
    if (v.startsWith('--') && v.includes('=')) {
      flag = v.slice(0, v.indexOf('='));
      valText = v.slice(v.indexOf('=') + 1);
      const rawEq = w.raw.indexOf('=');
      valSpan = { start: w.span.start + rawEq + 1, end: w.span.end };
    } else if (/^-[tf]./.test(v) && !v.startsWith('--')) {
      flag = v.slice(0, 2);
      valText = v.slice(2);
      valSpan = { start: w.span.start + 2, end: w.span.end };
    } else if (BUILD_VALUE_FLAGS.has(v)) {
      val = argv[i + 1];
      if (val) {
        valText = c.value(val);
        valSpan = val.span;
        i++;
      }
    } else if (!v.startsWith('-')) {
      positional.push(w);
      continue;
    }
    const text = valText ?? '';
    switch (flag) {
      case '-t': case '--tag':
        if (valSpan) b.tags.push(classifyTag(text, valSpan));
        break;
      case '-f': case '--file':
        if (tool !== 'compose' && tool !== 'compose-v1' && tool !== 'bake') b.dockerfile = text;
        break;
      case '--label': {
        const n = text.split('=')[0]!;
        if (valSpan) b.labels.push({ name: n, span: valSpan });
        break;
      }
      case '--build-arg': {
        if (!valSpan) break;
        const eq = text.indexOf('=');
        const n = eq >= 0 ? text.slice(0, eq) : text;
        const value = eq >= 0 ? text.slice(eq + 1) : undefined;
        const rawValue = value ?? '';
        b.buildArgs.push({
          name: n, span: valSpan, hasValue: value !== undefined, value,
          literal: value !== undefined && value !== '' && !/[$`]/.test(rawValue),
          secretRef: value !== undefined && looksSecretRef(rawValue),
        });
        break;
      }
      case '--cache-from': if (valSpan) b.cacheFrom.push(parseCache(text, valSpan)); break;
      case '--cache-to': if (valSpan) b.cacheTo.push(parseCache(text, valSpan)); break;
      case '--target': b.target = text; break;
      case '--no-cache': b.noCache = true; break;
      case '--pull': b.pull = !/^(false|0)$/.test(text); break;
      case '--fresh': b.fresh = true; b.noCache = true; b.pull = true; break;
      case '--push': b.push = true; break;
      case '--load': break;
      case '-o': case '--output': if (/type=registry|push=true/.test(text)) b.push = true; break;
      case '--secret': b.secrets.push(text); break;
      case '--ssh': b.ssh = true; break;
      default: break;
    }
  }
  if (tool === 'pyship') {
    // pyship build tags by branch and commit, warms the cache, labels the revision and smokes the image
    b.push = b.push || argv.some((w) => w.value === '--push');
  }
  if (tool === 'compose' || tool === 'compose-v1') b.push = false;
  if (tool !== 'compose' && tool !== 'compose-v1' && tool !== 'pyship' && tool !== 'bake') {
    const ctxWord = positional[0];
    if (ctxWord) b.context = ctxWord.value;
  }
  return b;
}

export function buildFromStep(project: Project, job: CiJob, step: CiStep, ci: boolean, order: number): BuildCommand | undefined {
  const uses = step.uses?.value ?? '';
  const isBuild = /^docker\/build-push-action@/i.test(uses);
  const isBake = /^docker\/bake-action@/i.test(uses);
  if (!isBuild && !isBake) return undefined;
  const w = step.with;
  const b: BuildCommand = {
    file: job.file, span: step.uses!.span, tool: isBake ? 'bake' : 'action', job, ci, order, tags: [], tagsKnown: isBuild,
    push: truthy(w.push?.value), labels: [], buildArgs: [], cacheFrom: [], cacheTo: [], noCache: truthy(w['no-cache']?.value),
    pull: truthy(w.pull?.value), fresh: false, secrets: [], ssh: w.ssh !== undefined, buildkitDisabled: false,
    target: w.target?.value, dockerfile: w.file?.value, context: w.context?.value,
  };
  if (w.outputs && /type=registry|push=true/.test(w.outputs.value)) b.push = true;
  if (w.tags) for (const t of withItems(project, job.file, w.tags)) b.tags.push(classifyTag(t.text, t.span));
  if (w.labels) {
    for (const t of withItems(project, job.file, w.labels, true)) {
      // `${{ steps.meta.outputs.labels }}` from docker/metadata-action carries org.opencontainers.image.revision
      const name = /outputs\.labels/.test(t.text) ? 'org.opencontainers.image.revision' : t.text.split('=')[0]!;
      b.labels.push({ name, span: t.span });
    }
  }
  if (w['build-args']) {
    for (const t of withItems(project, job.file, w['build-args'], true)) {
      const eq = t.text.indexOf('=');
      const value = eq >= 0 ? t.text.slice(eq + 1) : undefined;
      b.buildArgs.push({
        name: eq >= 0 ? t.text.slice(0, eq) : t.text, span: t.span, hasValue: value !== undefined, value,
        literal: value !== undefined && value !== '' && !/[$`]/.test(value), secretRef: value !== undefined && looksSecretRef(value),
      });
    }
  }
  if (w['cache-from']) for (const t of withItems(project, job.file, w['cache-from'], true)) b.cacheFrom.push(parseCache(t.text, t.span));
  if (w['cache-to']) for (const t of withItems(project, job.file, w['cache-to'], true)) b.cacheTo.push(parseCache(t.text, t.span));
  if (w.secrets || w['secret-files'] || w['secret-envs']) b.secrets.push('…');
  if (isBake) b.push = truthy(w.push?.value);
  return b;
}

/** A later `docker push` / `docker tag` in the same job adds to the most recent build's push and tags. */
export function afterBuild(c: CiCommand, last: BuildCommand | undefined): void {
  if (!last) return;
  const cmd = c.cmd;
  if (cmd.name !== 'docker' && cmd.name !== 'podman' && cmd.name !== 'buildah') return;
  const s = dockerSub(cmd);
  const sub = s?.sub.join(' ');
  const args = cmd.argv.slice(s?.rest ?? 1).filter((w) => !w.value.startsWith('-'));
  if (sub === 'push' || sub === 'image push') {
    last.push = true;
    const ref = args[0];
    if (ref && last.tags.length === 0 && last.tagsKnown) last.tags.push(classifyTag(c.value(ref), ref.span));
  } else if ((sub === 'tag' || sub === 'image tag') && args[1]) {
    const ref = args[1];
    last.tags.push(classifyTag(c.value(ref), ref.span));
  }
}

/**
 * The container a command starts, with `s` its `dockerSub` (for docker, podman and nerdctl): `docker run IMAGE` and
 * `podman run` with the image as written, `docker compose run/up/exec` and `docker-compose run/up/exec`.
 */
export function containerRun(c: CiCommand, s: { sub: string[]; rest: number } | undefined): { tool: 'docker-run' | 'podman-run' | 'compose-run'; image?: string } | undefined {
  const sub = s?.sub.join(' ');
  if (s && (sub === 'run' || sub === 'container run')) return { tool: c.cmd.name === 'podman' ? 'podman-run' : 'docker-run', image: runImage(c, s.rest) };
  if (sub === 'compose run' || sub === 'compose up' || sub === 'compose exec') return { tool: 'compose-run' };
  const a = c.cmd.argv.map((w) => w.value);
  if (c.cmd.name === 'docker-compose' && /^(run|up|exec)$/.test(a.find((x, i) => i > 0 && !x.startsWith('-')) ?? '')) return { tool: 'compose-run' };
  return undefined;
}

/** The image a `docker run …` starts (its first word after the options from `from` on), as written. */
function runImage(c: CiCommand, from: number): string | undefined {
  const argv = c.cmd.argv;
  for (let i = from; i < argv.length; i++) {
    const v = c.value(argv[i]!);
    if (v.startsWith('-')) {
      if (RUN_VALUE_FLAGS.has(v)) i++;
      continue;
    }
    return v;
  }
  return undefined;
}
