// An image archive's manifests and config: which image of the archive to read (docker's manifest.json or an OCI
// index, by reference and platform), and its config and history as the model holds them.
import { normalizePath, type Collected } from './archive.js';
import type { HistoryEntry, ImageConfig } from './model.js';
import { ImageSourceError } from './source.js';

type Json = Record<string, unknown>;
export const obj = (v: unknown): Json | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined);
export const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function parseJson(buf: Buffer | undefined, what: string): unknown {
  if (!buf) throw new ImageSourceError(`the image archive has no ${what}`);
  try {
    return JSON.parse(buf.toString('utf8')) as unknown;
  } catch (e) {
    throw new ImageSourceError(`${what} is not valid JSON: ${(e as Error).message}`);
  }
}

const blobKey = (digest: string): string => {
  const [alg, hex] = digest.split(':');
  if (!alg || !hex || !/^[a-z0-9]+$/.test(alg) || !/^[a-f0-9]+$/i.test(hex)) throw new ImageSourceError(`invalid digest ${digest}`);
  return `blobs/${alg}/${hex}`;
};

const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };

function pickOci(collected: Collected, index: Json, ref: string | undefined, depth = 0): { configKey: string; layerKeys: string[]; name?: string } {
  if (depth > 4) throw new ImageSourceError('OCI index nesting is too deep');
  const manifests = Array.isArray(index.manifests) ? index.manifests.map(obj).filter((m): m is Json => m !== undefined) : [];
  if (manifests.length === 0) throw new ImageSourceError('the OCI index lists no manifests');
  const refName = (m: Json): string | undefined => str(obj(m.annotations)?.['org.opencontainers.image.ref.name']) ?? str(obj(m.annotations)?.['io.containerd.image.name']);
  const arch = GOARCH[process.arch] ?? process.arch;
  const platformOk = (m: Json): boolean => {
    const p = obj(m.platform);
    return !p || (p.os === 'linux' && p.architecture === arch);
  };
  const chosen = (ref ? manifests.find((m) => {
    const n = refName(m);
    return n !== undefined && (n === ref || ref.endsWith(':' + n) || n.endsWith('/' + ref) || n.endsWith(ref));
  }) : undefined) ?? manifests.find((m) => platformOk(m) && !/attestation/.test(str(obj(m.annotations)?.['vnd.docker.reference.type']) ?? '')) ?? manifests[0]!;
  const digest = str(chosen.digest);
  if (!digest) throw new ImageSourceError('an OCI manifest descriptor has no digest');
  const doc = obj(parseJson(collected.json(blobKey(digest)), `manifest ${digest}`));
  if (!doc) throw new ImageSourceError(`manifest ${digest} is not an object`);
  if (Array.isArray(doc.manifests)) return pickOci(collected, doc, ref, depth + 1);
  const config = str(obj(doc.config)?.digest);
  if (!config) throw new ImageSourceError(`manifest ${digest} names no config`);
  const layers = Array.isArray(doc.layers) ? doc.layers.map((l) => str(obj(l)?.digest)).filter((d): d is string => d !== undefined) : [];
  return { configKey: blobKey(config), layerKeys: layers.map(blobKey), name: refName(chosen) };
}

export function pickManifest(collected: Collected, ref: string | undefined): { configKey: string; layerKeys: string[]; name?: string } {
  const docker = collected.json('manifest.json');
  if (docker) {
    const list = parseJson(docker, 'manifest.json');
    const entries = Array.isArray(list) ? list.map(obj).filter((m): m is Json => m !== undefined) : [];
    if (entries.length === 0) throw new ImageSourceError('manifest.json lists no image');
    const tags = (m: Json): string[] => strs(m.RepoTags);
    const norm = (t: string): string => (t.includes(':') ? t : `${t}:latest`).replace(/^docker\.io\/(library\/)?/, '');
    const chosen = (ref ? entries.find((m) => tags(m).some((t) => norm(t) === norm(ref))) : undefined) ?? entries[0]!;
    const configKey = str(chosen.Config);
    if (!configKey) throw new ImageSourceError('manifest.json names no config');
    return { configKey: normalizePath(configKey), layerKeys: strs(chosen.Layers).map(normalizePath), name: tags(chosen)[0] };
  }
  const index = collected.json('index.json');
  if (index) {
    const doc = obj(parseJson(index, 'index.json'));
    if (!doc) throw new ImageSourceError('index.json is not an object');
    return pickOci(collected, doc, ref);
  }
  throw new ImageSourceError('not an image archive: no manifest.json (docker save) or index.json (OCI layout)');
}

export function parseConfig(raw: Json): ImageConfig {
  const c = obj(raw.config) ?? obj(raw.Config) ?? {};
  const hc = obj(c.Healthcheck);
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(c.Labels) ?? {})) if (typeof v === 'string') labels[k] = v;
  return {
    user: str(c.User) ?? '',
    exposedPorts: Object.keys(obj(c.ExposedPorts) ?? {}),
    env: strs(c.Env),
    entrypoint: strs(c.Entrypoint),
    cmd: strs(c.Cmd),
    healthcheck: hc ? {
      test: strs(hc.Test),
      intervalNs: typeof hc.Interval === 'number' ? hc.Interval : undefined,
      timeoutNs: typeof hc.Timeout === 'number' ? hc.Timeout : undefined,
      retries: typeof hc.Retries === 'number' ? hc.Retries : undefined,
    } : undefined,
    labels,
    stopSignal: str(c.StopSignal),
    workingDir: str(c.WorkingDir) ?? '',
  };
}

export function parseHistory(raw: Json): HistoryEntry[] {
  const list = Array.isArray(raw.history) ? raw.history.map(obj).filter((h): h is Json => h !== undefined) : [];
  return list.map((h) => ({
    created: str(h.created),
    createdBy: str(h.created_by) ?? '',
    emptyLayer: h.empty_layer === true,
    comment: str(h.comment),
    layer: undefined,
  }));
}
