// Helper (not a rule): what a base image says about its Python and OS — official python tags and uv's python images.
import type { BaseImage, Dockerfile, Stage } from '../../dockerfile/model.js';
import { referencedVars } from '../../dockerfile/words.js';

export type Family = 'debian' | 'alpine' | 'windows';

export interface PythonImage {
  /** The resolved reference. */
  ref: string;
  /** Python version from the tag: "3.13.1", "3.13", "3", or undefined when the tag names none (`slim`, `alpine`). */
  version?: string;
  /** "3.13" when the tag names a minor version. */
  minor?: string;
  /** Tag after the version: "", "slim", "slim-trixie", "alpine3.21", "windowsservercore-ltsc2022"… */
  variant: string;
  family: Family;
  /** "bookworm", "alpine3.21", "windowsservercore-ltsc2022"; undefined when the tag floats. */
  release?: string;
}

const DEBIAN = new Set(['wheezy', 'jessie', 'stretch', 'buster', 'bullseye', 'bookworm', 'trixie', 'forky']);
const VERSION_RE = /^(\d+(?:\.\d+){0,2}(?:(?:a|b|rc)\d+)?)(?:-(.+))?$/;

/** Is this the official python image (Docker Hub's `python`, `library/python`, or a registry mirror of it)? */
export function isOfficialPython(base: Pick<BaseImage, 'registry' | 'repository'>): boolean {
  const repo = base.repository;
  if (!repo) return false;
  if (repo === 'python' || repo === 'library/python' || repo.endsWith('/library/python')) return true;
  // a mirror or pull-through cache on another registry: harbor.corp/dockerhub/python (not Docker Hub's bitnami/python,
  // nor public.ecr.aws/lambda/python or mcr.microsoft.com/vscode/devcontainers/python, which are other images)
  const hub = base.registry === undefined || base.registry === 'docker.io' || base.registry === 'index.docker.io';
  if (hub || !repo.endsWith('/python')) return false;
  return repo.split('/').slice(0, -1).some((seg) => /^(mirror|mirrors|proxy|cache|dockerhub|docker-hub|docker\.io|dockerio|hub|docker|hub-proxy|dockerhub-proxy|dockerhub-mirror)$/i.test(seg));
}

function classify(variant: string): { family: Family; release?: string } | undefined {
  if (variant === '' || variant === 'slim') return { family: 'debian' };
  let m = /^(?:slim-)?([a-z]+)$/.exec(variant);
  if (m && DEBIAN.has(m[1]!)) return { family: 'debian', release: m[1] };
  m = /^([a-z]+)-slim$/.exec(variant); // uv's images: bookworm-slim
  if (m && DEBIAN.has(m[1]!)) return { family: 'debian', release: m[1] };
  if (variant === 'alpine') return { family: 'alpine' };
  m = /^alpine(\d+\.\d+)$/.exec(variant);
  if (m) return { family: 'alpine', release: `alpine${m[1]}` };
  if (/^(windowsservercore|nanoserver)(-.+)?$/.test(variant)) return { family: 'windows', release: variant };
  return undefined;
}

/** Python and OS of an official python image or an astral-sh/uv `pythonX.Y-…` image; undefined for anything else. */
export function pythonImage(base: BaseImage): PythonImage | undefined {
  if (base.resolved === undefined || base.stage !== undefined || base.scratch) return undefined;
  const tag = base.tag;
  if (tag === undefined || tag === '' || tag === 'latest') return undefined;
  const ref = base.resolved;
  if (isOfficialPython(base)) {
    const m = VERSION_RE.exec(tag);
    const version = m ? m[1] : undefined;
    const variant = m ? (m[2] ?? '') : tag;
    if (!m && !/^[a-z]/.test(tag)) return undefined;
    const c = classify(variant);
    if (!c) return undefined;
    const mm = version ? /^(\d+\.\d+)/.exec(version) : null;
    return { ref, version, minor: mm ? mm[1] : undefined, variant, ...c };
  }
  if (base.repository === 'astral-sh/uv') {
    const m = /^(?:\d+(?:\.\d+)*-)?python(\d+\.\d+)-(.+)$/.exec(tag);
    if (!m) return undefined;
    const c = classify(m[2]!);
    if (!c) return undefined;
    return { ref, version: m[1], minor: m[1], variant: m[2]!, ...c };
  }
  return undefined;
}

/**
 * Docker Hub official images (single-segment names). Any other single-segment untagged name is most likely a named
 * build context (`docker buildx bake` contexts, `--build-context base=…`), not an image: not flagged.
 */
const OFFICIAL = new Set([
  'python', 'pypy', 'alpine', 'ubuntu', 'debian', 'centos', 'fedora', 'rockylinux', 'almalinux', 'oraclelinux', 'amazonlinux',
  'archlinux', 'opensuse', 'photon', 'clearlinux', 'busybox', 'buildpack-deps', 'node', 'golang', 'rust', 'ruby', 'php', 'perl',
  'openjdk', 'eclipse-temurin', 'amazoncorretto', 'ibmjava', 'sapmachine', 'gradle', 'maven', 'gcc', 'haskell', 'julia', 'r-base',
  'elixir', 'erlang', 'swift', 'dart', 'clojure', 'groovy', 'kotlin', 'mono', 'nginx', 'httpd', 'tomcat', 'jetty', 'caddy',
  'traefik', 'haproxy', 'postgres', 'mysql', 'mariadb', 'mongo', 'redis', 'memcached', 'rabbitmq', 'elasticsearch', 'kibana',
  'logstash', 'cassandra', 'couchdb', 'influxdb', 'neo4j', 'solr', 'zookeeper', 'docker', 'registry', 'vault', 'consul',
  'wordpress', 'ghost', 'drupal', 'joomla', 'nextcloud', 'owncloud', 'redmine', 'sonarqube', 'jenkins', 'odoo', 'bash',
  'hello-world', 'matomo', 'composer', 'nats', 'eclipse-mosquitto', 'telegraf', 'chronograf', 'kapacitor', 'adminer',
  'flink', 'spark', 'storm', 'groovy', 'irssi', 'mediawiki', 'phpmyadmin', 'rethinkdb', 'percona', 'arangodb', 'orientdb',
  'aerospike', 'couchbase', 'postfixadmin', 'varnish', 'unit', 'friendica', 'xwiki', 'yourls', 'znc', 'neurodebian', 'sl',
  'ros', 'open-liberty', 'websphere-liberty', 'tomee', 'satosa', 'plone', 'silverpeas', 'api-firewall', 'emqx', 'geonetwork',
]);

/**
 * A FROM that REP001/REP003 must not judge: an ARG with an empty default (meant for --build-arg), a reference left
 * malformed by one, or an untagged one-word name that is not an official image (a named build context).
 */
export function unpinnableBase(df: Dockerfile, b: BaseImage): boolean {
  const ref = (b.resolved ?? '').trim();
  if (referencedVars(b.raw, df.escape).some((v) => df.globalArgs.get(v) === '') || /[/:]$|\/\//.test(ref)) return true;
  return b.tag === undefined && b.digest === undefined && !ref.includes('/') && !OFFICIAL.has(ref.toLowerCase());
}

/** Base images pulled from a registry that a tag or digest rule can judge: not a stage, scratch, an unresolved or
 * empty ARG, a digest reference, a stage name, or a named build context. */
export function registryBases(df: Dockerfile): { stage: Stage; base: BaseImage; ref: string }[] {
  const names = new Set(df.stages.map((s) => s.name?.toLowerCase()).filter((n): n is string => n !== undefined));
  const out: { stage: Stage; base: BaseImage; ref: string }[] = [];
  for (const stage of df.stages) {
    const b = stage.base;
    if (b.stage !== undefined || b.scratch || b.resolved === undefined || b.digest !== undefined) continue;
    const ref = b.resolved.trim();
    if (ref === '' || names.has(ref.toLowerCase()) || unpinnableBase(df, b)) continue;
    out.push({ stage, base: b, ref });
  }
  return out;
}
