// Read a container image without extracting it: a `docker save` stream or tar file (docker's manifest.json layout or
// an OCI layout inside the tar), or an OCI layout directory. Layer tars are parsed as they stream by (./archive.ts),
// keeping only entry metadata; the final filesystem is then rebuilt from the layers in order (./fs-index.ts),
// whiteouts applied, recording which layer wrote each path and how many bytes later layers made unreachable.
import { createReadStream } from 'node:fs';
import { readArchive, readDirectory, type Collected, type LayerScan } from './archive.js';
import { dockerStore } from './docker-store.js';
import type { LayerCache } from './layer-cache.js';
import { buildIndex } from './fs-index.js';
import { obj, parseConfig, parseHistory, parseJson, pickManifest, str, strs } from './manifest.js';
import type { ImageData, Layer } from './model.js';
import { ImageSourceError, type ImageSource } from './source.js';

export interface ReadOptions {
  /** Pick this image from a multi-image archive (a RepoTag or OCI ref name). */
  ref?: string;
  /** Layer facts by diff id and configs by image id, for an engine's image: read first, filled after. */
  cache?: LayerCache;
  /** Read an engine's image from the engine's store on this machine when it can (default true). */
  engineStore?: boolean;
}

/** Read an image from its source. Throws ImageSourceError for unreadable input, naming the source (the CLI exits 2). */
export async function readImage(source: ImageSource, opts: ReadOptions = {}): Promise<ImageData> {
  try {
    return await readFrom(source, opts);
  } catch (e) {
    const name = source.kind === 'stream' || source.kind === 'engine' ? source.ref : source.path;
    if (e instanceof ImageSourceError && !e.message.startsWith(name)) throw new ImageSourceError(`${name}: ${e.message}`);
    throw e;
  }
}

async function readFrom(source: ImageSource, opts: ReadOptions): Promise<ImageData> {
  if (source.kind === 'engine') return readEngine(source, opts);
  let collected: Collected;
  let ref: string;
  if (source.kind === 'oci') {
    collected = readDirectory(source.path);
    ref = source.ref ?? source.path;
  } else if (source.kind === 'tar') {
    collected = await readArchive(createReadStream(source.path, { highWaterMark: 256 * 1024 }));
    ref = source.ref ?? source.path;
  } else {
    const reading = readArchive(source.stream);
    // the producer's failure (docker save: no such image) explains an empty or cut stream better than the parser
    if (source.done) {
      const [r, d] = await Promise.allSettled([reading, source.done]);
      if (d.status === 'rejected') throw d.reason;
      if (r.status === 'rejected') throw r.reason;
      collected = r.value;
    } else {
      collected = await reading;
    }
    ref = source.ref;
  }
  const parts = await archiveParts(collected, opts.ref ?? source.ref);
  return assemble(ref === undefined ? parts.name ?? '' : ref, parts.raw, parts.layers, collected.notes);
}

type Json = Record<string, unknown>;

function configObject(buf: Buffer | undefined, what: string): Json {
  const raw = obj(parseJson(buf, what));
  if (!raw) throw new ImageSourceError('the image config is not a JSON object');
  return raw;
}

const diffIdsOf = (raw: Json): string[] => strs(obj(raw.rootfs)?.diff_ids);

/** The picked image of an archive: its config (bytes and object) and its layers' scans, in order. */
async function archiveParts(collected: Collected, ref: string | undefined): Promise<{ name?: string; config: Buffer | undefined; raw: Json; layers: { key: string; scan: LayerScan }[] }> {
  const picked = pickManifest(collected, ref);
  const config = collected.json(picked.configKey);
  const raw = configObject(config, `image config ${picked.configKey}`);
  const layers: { key: string; scan: LayerScan }[] = [];
  for (const key of picked.layerKeys) {
    const scan = await collected.layer(key);
    if (!scan) throw new ImageSourceError(`layer ${key} is missing from the image archive`);
    layers.push({ key, scan });
  }
  return { name: picked.name, config, raw, layers };
}

/**
 * An engine's image, fastest way first: each layer from the cache, else from the engine's store on this machine
 * (./docker-store.ts); only when some layer or the config is in neither does `docker save` stream the image.
 */
async function readEngine(source: Extract<ImageSource, { kind: 'engine' }>, opts: ReadOptions): Promise<ImageData> {
  const { cache } = opts;
  const id = str(obj(source.info)?.Id);
  const store = source.info !== undefined && opts.engineStore !== false ? dockerStore(source.info) : undefined;
  const cachedConfig = id ? cache?.config(id) : undefined;
  const config = cachedConfig ?? (id ? store?.config(id) : undefined);
  if (id && config) {
    const raw = configObject(config, `image config ${id}`);
    const diffIds = diffIdsOf(raw);
    const scans: LayerScan[] = [];
    const fresh: number[] = [];
    for (const [i, d] of diffIds.entries()) {
      let scan = cache?.layer(d);
      if (!scan) {
        scan = await store?.layer(diffIds, i);
        if (scan) fresh.push(i);
      }
      if (!scan) break;
      scans.push(scan);
    }
    if (cache) {
      if (!cachedConfig) cache.putConfig(id, config);
      for (const i of fresh) cache.putLayer(diffIds[i]!, scans[i]!);
      cache.evict();
    }
    if (scans.length === diffIds.length) {
      return assemble(source.ref, raw, diffIds.map((d, i) => ({ key: d, scan: scans[i]! })), []);
    }
  }
  const saved = (await savedParts(source, opts)) ?? (await savedParts(source, { ...opts, cache: undefined }));
  // without the cache nothing is passed over, so nothing can turn out wrong
  if (!saved) throw new ImageSourceError('the image changed while it was read');
  if (cache && id && saved.parts.config) {
    cache.putConfig(id, saved.parts.config);
    const diffIds = diffIdsOf(saved.parts.raw);
    if (diffIds.length === saved.parts.layers.length) {
      for (const [i, l] of saved.parts.layers.entries()) {
        if (saved.known.has(l.key)) continue;
        cache.putLayer(diffIds[i]!, l.scan);
        cache.alias(l.key, diffIds[i]!);
      }
    }
    cache.evict();
  }
  return assemble(source.ref, saved.parts.raw, saved.parts.layers, saved.notes);
}

interface Saved {
  parts: Awaited<ReturnType<typeof archiveParts>>;
  /** Layers passed over, by archive name: what the cache knows of them. */
  known: Map<string, { diffId: string; scan: LayerScan }>;
  notes: string[];
}

/**
 * `docker save` of the image, passing over the layers the cache knows by their archive name; undefined when a layer
 * so passed over turns out not to be the one the config names there (then the caller reads the stream again, whole).
 */
async function savedParts(source: Extract<ImageSource, { kind: 'engine' }>, opts: ReadOptions): Promise<Saved | undefined> {
  const { cache } = opts;
  const known = new Map<string, { diffId: string; scan: LayerScan }>();
  const skip = cache ? (name: string): boolean => {
    const diffId = cache.aliased(name);
    const scan = diffId ? cache.layer(diffId) : undefined;
    if (diffId && scan) known.set(name, { diffId, scan });
    return scan !== undefined;
  } : undefined;
  const collected = await readArchive(source.save(), skip);
  const reader: Collected = { ...collected, layer: async (key) => known.get(key)?.scan ?? collected.layer(key) };
  const parts = await archiveParts(reader, opts.ref ?? source.ref);
  const diffIds = diffIdsOf(parts.raw);
  if (parts.layers.some((l, i) => known.has(l.key) && known.get(l.key)!.diffId !== diffIds[i])) return undefined;
  return { parts, known, notes: collected.notes };
}

/** The image model from its config and its layers' scans: history matched to layers, the final filesystem built. */
function assemble(ref: string, raw: Json, scans: { key: string; scan: LayerScan }[], notes: string[]): ImageData {
  const config = parseConfig(raw);
  const history = parseHistory(raw);
  const diffIds = diffIdsOf(raw);
  const layers: Layer[] = [];
  /** Per layer, the small files it captured: kept apart from the model until the final filesystem says which show. */
  const captured: Map<string, Buffer>[] = [];
  for (const [i, { key, scan }] of scans.entries()) {
    layers.push({
      index: i, key, diffId: diffIds[i], compressed: scan.compressed, entries: scan.entries, whiteouts: scan.whiteouts, opaques: scan.opaques,
      size: scan.size, history: undefined, wasted: 0, metadataRewrites: 0,
    });
    captured.push(scan.captured);
  }
  // history entries that made a layer, in order; when counts differ, align from the newest (the image's own build)
  const makers = history.filter((h) => !h.emptyLayer);
  const offset = makers.length - layers.length;
  for (let i = 0; i < makers.length; i++) {
    const li = i - offset;
    if (li >= 0 && li < layers.length) {
      makers[i]!.layer = li;
      layers[li]!.history = makers[i];
    }
  }
  const index = buildIndex(layers);
  const contents = new Map<string, Buffer>();
  for (const layer of layers) {
    for (const [p, buf] of captured[layer.index]!) if (index.files.get(p)?.layer === layer.index) contents.set(p, buf);
  }
  const totalSize = layers.reduce((s, l) => s + l.size, 0);
  const wastedBytes = layers.reduce((s, l) => s + l.wasted, 0);
  return {
    ref,
    config,
    created: str(raw.created),
    architecture: str(raw.architecture),
    os: str(raw.os),
    history,
    layers,
    files: index.files,
    children: index.children,
    totalSize,
    wastedBytes,
    contents,
    notes,
  };
}
