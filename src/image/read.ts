// Read a container image without extracting it: a `docker save` stream or tar file (docker's manifest.json layout or
// an OCI layout inside the tar), or an OCI layout directory. Layer tars are parsed as they stream by (./archive.ts),
// keeping only entry metadata; the final filesystem is then rebuilt from the layers in order (./fs-index.ts),
// whiteouts applied, recording which layer wrote each path and how many bytes later layers made unreachable.
import { createReadStream } from 'node:fs';
import { readArchive, readDirectory, type Collected } from './archive.js';
import { buildIndex } from './fs-index.js';
import { obj, parseConfig, parseHistory, parseJson, pickManifest, str, strs } from './manifest.js';
import type { ImageData, Layer } from './model.js';
import { ImageSourceError, type ImageSource } from './source.js';

export interface ReadOptions {
  /** Pick this image from a multi-image archive (a RepoTag or OCI ref name). */
  ref?: string;
}

/** Read an image from its source. Throws ImageSourceError for unreadable input, naming the source (the CLI exits 2). */
export async function readImage(source: ImageSource, opts: ReadOptions = {}): Promise<ImageData> {
  try {
    return await readFrom(source, opts);
  } catch (e) {
    const name = source.kind === 'stream' ? source.ref : source.path;
    if (e instanceof ImageSourceError && !e.message.startsWith(name)) throw new ImageSourceError(`${name}: ${e.message}`);
    throw e;
  }
}

async function readFrom(source: ImageSource, opts: ReadOptions): Promise<ImageData> {
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
  const picked = pickManifest(collected, opts.ref ?? (source.kind === 'stream' ? source.ref : source.ref));
  const raw = obj(parseJson(collected.json(picked.configKey), `image config ${picked.configKey}`));
  if (!raw) throw new ImageSourceError('the image config is not a JSON object');
  const config = parseConfig(raw);
  const history = parseHistory(raw);
  const diffIds = strs(obj(raw.rootfs)?.diff_ids);
  const layers: Layer[] = [];
  /** Per layer, the small files it captured: kept apart from the model until the final filesystem says which show. */
  const captured: Map<string, Buffer>[] = [];
  for (const [i, key] of picked.layerKeys.entries()) {
    const scan = await collected.layer(key);
    if (!scan) throw new ImageSourceError(`layer ${key} is missing from the image archive`);
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
    ref: ref === undefined ? picked.name ?? '' : ref,
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
    notes: collected.notes,
  };
}
