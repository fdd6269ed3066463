// Where and how the project's image runs: compose services, Kubernetes / Knative manifests and PaaS targets, parsed
// once per project (by compose.ts, k8s.ts and paas.ts), and what they say about this project's image: the services and
// containers that run it, production compose, the project's own image names.
import { basename, join, posix, relative, sep } from 'node:path';
import { projectFact, type Project } from './model.js';
import { parseCompose } from './compose.js';
import { parseManifest } from './k8s.js';
import { paasTargets, parseProcfile } from './paas.js';
import type { ComposeFile, ComposeService, K8sContainer, PaasTarget, ProcfileEntry, RuntimeFacts, RuntimeProblem } from './runtime-model.js';

const COMPOSE_NAME = /^(docker-)?compose(\.[\w.-]+)?\.ya?ml$/;

const runtimeFacts = projectFact((p: Project): RuntimeFacts => {
  const problems: RuntimeProblem[] = [];
  const compose: ComposeFile[] = [];
  for (const path of p.find((f) => COMPOSE_NAME.test(basename(f)))) {
    const f = p.file(path);
    if (f) compose.push(parseCompose(path, f.text, problems));
  }
  const k8s: K8sContainer[] = [];
  for (const path of p.find((f) => /\.ya?ml$/.test(f) && !COMPOSE_NAME.test(basename(f)) && !f.startsWith('.github/') && !/(^|\/)templates\//.test(f))) {
    const f = p.file(path);
    if (!f || !/^\s*apiVersion\s*:/m.test(f.text) || !/^\s*kind\s*:/m.test(f.text)) continue;
    // Helm / kustomize-style templates are not YAML until rendered
    if (f.text.includes('{{')) continue;
    k8s.push(...parseManifest(path, f.text, problems));
  }
  const procfile: ProcfileEntry[] = [];
  const pf = p.file('Procfile');
  if (pf) procfile.push(...parseProcfile('Procfile', pf.text));
  const paas = paasTargets(p, problems);
  if (k8s.some((c) => c.knative) && !paas.some((t) => t.kind === 'cloud-run')) {
    const kn = k8s.find((c) => c.knative)!;
    paas.push({ kind: 'cloud-run', file: kn.file, usesDockerfile: true, internalPorts: [], commands: [] });
  }
  return { compose, k8s, procfile, paas, problems };
});

export const composeFiles = (p: Project): ComposeFile[] => runtimeFacts(p).compose;
export const composeServices = (p: Project): ComposeService[] => runtimeFacts(p).compose.flatMap((c) => c.services);
export const k8sContainers = (p: Project): K8sContainer[] => runtimeFacts(p).k8s;
export const procfileEntries = (p: Project): ProcfileEntry[] => runtimeFacts(p).procfile;
export const paasTargetsOf = (p: Project): PaasTarget[] => runtimeFacts(p).paas;
/** Malformed compose / manifest / PaaS files. */
export const runtimeProblems = (p: Project): RuntimeProblem[] => runtimeFacts(p).problems;

/** Compose files for development and tests (`docker-compose.dev.yml`, `compose.override.yaml`): not how the image runs in production. */
export function isDevCompose(path: string): boolean {
  return /(^|[./-])(dev|development|local|test|tests|ci|debug|override)([./-]|$)/i.test(path.split('/').pop()!.replace(/\.ya?ml$/, ''));
}

/**
 * Where the project runs the image a Dockerfile builds: compose services that build it (production compose files
 * when there are any such, else all) and Kubernetes / Knative containers whose image looks like the project's.
 * `dockerfile` is the Dockerfile's file name as linted (its directory is taken to be the build context).
 */
export function deploymentsOf(p: Project, dockerfile: string): { services: ComposeService[]; containers: K8sContainer[] } {
  // compose files and manifests may sit at the top of the repository (monorepo): paths there are repository-relative
  const repo = p.repository();
  const path = relative(repo.root, p.dockerfile ?? join(p.contextDir, basename(dockerfile))).split(sep).join('/');
  const all = composeServices(repo).filter((s) => s.build?.dockerfilePath === path);
  const prod = all.filter((s) => !isDevCompose(s.file));
  // the image names that count are this service's own (its pyproject, its folder)
  const containers = k8sContainers(repo).filter((c) => !c.initContainer && c.image !== undefined && isProjectImage(p, c.image.value));
  return { services: prod.length > 0 ? prod : all, containers };
}

/**
 * Services of the production compose files that run this project's image: they build it, or use an image that
 * another service of those files builds. With the compose file each belongs to.
 */
export function productionServices(p: Project): { file: ComposeFile; service: ComposeService }[] {
  const files = composeFiles(p).filter((c) => !isDevCompose(c.path));
  const built = new Set<string>();
  for (const c of files) for (const s of c.services) if (s.build && s.image) built.add(imageRepository(s.image.value));
  const out: { file: ComposeFile; service: ComposeService }[] = [];
  for (const c of files) {
    for (const s of c.services) {
      if (mountsSource(p, s)) continue;
      if (s.build !== undefined || (s.image !== undefined && built.has(imageRepository(s.image.value)))) out.push({ file: c, service: s });
    }
  }
  return out;
}

/**
 * A service that bind-mounts the project's Python code over the image (`.:/app`, `./src/app:/code/app`) runs the
 * working tree, not the image: a development setup, whatever the compose file is called.
 */
export function mountsSource(p: Project, s: ComposeService): boolean {
  return s.bindMounts.some((m) => {
    const prefix = m.value === '' ? '' : m.value + '/';
    return p.find((f) => f.startsWith(prefix) && f.endsWith('.py')).length > 0;
  });
}

/** Compose services that build the Dockerfile at this root-relative path. */
export function servicesBuilding(p: Project, dockerfilePath: string): ComposeService[] {
  return composeServices(p).filter((s) => s.build?.dockerfilePath === dockerfilePath);
}

/** Repository name of an image reference, without registry, tag or digest: `ghcr.io/acme/web:1` → `acme/web`. */
export function imageRepository(ref: string): string {
  let r = ref.split('@')[0]!;
  const slash = r.lastIndexOf('/');
  const colon = r.lastIndexOf(':');
  if (colon > slash) r = r.slice(0, colon);
  const parts = r.split('/');
  if (parts.length > 1 && /[.:]|^localhost$/.test(parts[0]!)) parts.shift();
  return parts.join('/');
}

const THIRD_PARTY = /^(library\/)?(postgres|postgis\/postgis|redis|valkey|nginx|memcached|mysql|mariadb|mongo|rabbitmq|elasticsearch|opensearch|busybox|alpine|debian|ubuntu|traefik|minio|caddy|haproxy|httpd|envoyproxy|grafana|prometheus|jaeger|otel|kafka|zookeeper|clickhouse|selenium|mailhog|mailpit|localstack|cloudsql-proxy|cloud-sql-proxy|pgbouncer|bitnami|adminer|pgadmin|dpage|varnish|consul|vault|etcd)\b/;

/** Names the project's own images plausibly carry: compose images of services that build here, the project's name, Dockerfile directories. */
const projectImageNames = projectFact((p: Project): { names: Set<string>; exact: Set<string> } => {
  const names = new Set<string>();
  const exact = new Set<string>();
  const add = (n: string | undefined) => {
    if (n) names.add(n.toLowerCase().replace(/_/g, '-'));
  };
  add(basename(p.root));
  const py = p.file('pyproject.toml')?.text;
  const m = py && /^\s*name\s*=\s*["']([^"']+)["']/m.exec(py);
  if (m) add(m[1]);
  for (const s of composeServices(p)) {
    if (!s.build) continue;
    add(s.name);
    if (s.image) exact.add(imageRepository(s.image.value));
    if (s.build.contextPath) add(basename(s.build.contextPath));
  }
  for (const d of p.find((f) => /(^|\/)Dockerfile[^/]*$|\.dockerfile$/i.test(f))) {
    const dir = posix.dirname(d);
    if (dir !== '.') add(basename(dir));
  }
  return { names, exact };
});

/** Does a Kubernetes / Cloud Run container run an image built from this project (as far as names tell)? */
export function isProjectImage(p: Project, image: string): boolean {
  const repo = imageRepository(image);
  if (THIRD_PARTY.test(repo)) return false;
  const { names, exact } = projectImageNames(p);
  if (exact.has(repo)) return true;
  const last = repo.split('/').pop()!.toLowerCase().replace(/_/g, '-');
  if (names.has(last)) return true;
  // `<name>-web`, `<name>-api`, `app`, placeholders filled in by CI
  for (const n of names) if (last.startsWith(n + '-') || last.endsWith('-' + n)) return true;
  return /\$|<|IMAGE|PLACEHOLDER/.test(image) || last === 'app' || last === 'web' || last === 'api';
}
