// Read a container image without extracting it: a `docker save` stream or tar file (docker's manifest.json layout or
// an OCI layout inside the tar), or an OCI layout directory. Layer tars are parsed as they stream by (gzip-compressed
// ones through zlib), keeping only entry metadata; the final filesystem is then rebuilt from the layers in order,
// whiteouts applied, recording which layer wrote each path and how many bytes later layers made unreachable.
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';
import { TarError, TarParser } from './tar.js';
import { ImageSourceError, type ImageSource } from './source.js';
import type { HistoryEntry, ImageConfig, ImageData, IndexedFile, Layer, LayerEntry } from './model.js';

export interface ReadOptions {
  /** Pick this image from a multi-image archive (a RepoTag or OCI ref name). */
  ref?: string;
}

/** Small files whose content the audit reads (by path without leading slash, or by basename). */
const CAPTURE_PATHS = new Set(['etc/passwd', 'etc/group', 'etc/os-release', 'usr/lib/os-release']);
// top_level.txt: a distribution's importable names (setuptools writes it into .dist-info/.egg-info), for SIZE006
const CAPTURE_BASENAMES = new Set(['pyvenv.cfg', 'top_level.txt']);
const CAPTURE_MAX = 256 * 1024;
const JSON_MAX = 64 * 1024 * 1024;

export function normalizePath(p: string): string {
  let s = p;
  while (s.startsWith('./')) s = s.slice(2);
  s = s.replace(/^\/+/, '').replace(/\/+$/, '');
  return s === '.' ? '' : s;
}

const dirOf = (p: string): string => {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
};
const baseOf = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

// ---------------------------------------------------------------------------------------------------------------
// One layer tar, as its bytes arrive

interface LayerScan {
  entries: LayerEntry[];
  whiteouts: string[];
  opaques: string[];
  size: number;
  captured: Map<string, Buffer>;
  compressed: boolean;
}

function layerScanner(scan: LayerScan): TarParser {
  let capture: Buffer[] | undefined;
  return new TarParser({
    entry(e) {
      const path = normalizePath(e.path);
      if (path === '') return undefined;
      const base = baseOf(path);
      if (base.startsWith('.wh.')) {
        if (base === '.wh..wh..opq') scan.opaques.push(dirOf(path));
        else if (!base.startsWith('.wh..wh.')) scan.whiteouts.push(join(dirOf(path), base.slice(4)).replace(/^\.$/, ''));
        return undefined;
      }
      const entry: LayerEntry = { path, type: e.type, size: e.size, mode: e.mode, uid: e.uid, gid: e.gid, linkname: e.linkname };
      if (e.xattrs) entry.xattrs = e.xattrs;
      if (e.stored !== undefined) entry.stored = e.stored;
      scan.entries.push(entry);
      // the layer's size is what it stores: a sparse file's data regions, not its holes
      if (e.type === 'file') scan.size += e.stored ?? e.size;
      // a sparse file's data is not its content: never captured for reading
      if (e.type === 'file' && e.stored === undefined && e.size <= CAPTURE_MAX && (CAPTURE_PATHS.has(path) || CAPTURE_BASENAMES.has(base))) {
        capture = [];
        return (c) => capture!.push(Buffer.from(c));
      }
      return undefined;
    },
    entryEnd(e) {
      if (capture) {
        scan.captured.set(normalizePath(e.path), Buffer.concat(capture));
        capture = undefined;
      }
    },
  });
}

/**
 * A blob of unknown kind (an archive entry or an OCI blob file): decides from its first bytes whether it is a layer
 * (tar, gzip'd tar) or a JSON document, and routes the bytes accordingly.
 */
class BlobSink {
  private mode: 'undecided' | 'tar' | 'gzip' | 'json' | 'skip' = 'undecided';
  private headBytes: Buffer[] = [];
  private headLen = 0;
  private jsonParts: Buffer[] = [];
  private parser: TarParser | undefined;
  gunzip: Gunzip | undefined;
  scan: LayerScan | undefined;
  json: Buffer | undefined;
  note: string | undefined;
  private error: Error | undefined;
  private ended: Promise<void> = Promise.resolve();

  constructor(private readonly name: string, private readonly size: number, private readonly mustBeLayer: boolean) {}

  write(chunk: Buffer): void {
    if (this.error) throw this.error;
    if (this.mode === 'undecided') {
      this.headBytes.push(Buffer.from(chunk));
      this.headLen += chunk.length;
      if (this.headLen < 4 && this.headLen < this.size) return;
      const head = Buffer.concat(this.headBytes);
      this.headBytes = [];
      this.decide(head);
      this.route(head);
      return;
    }
    this.route(chunk);
  }

  private decide(head: Buffer): void {
    const text = head.toString('latin1', 0, Math.min(16, head.length)).trimStart();
    if (head[0] === 0x1f && head[1] === 0x8b) this.mode = 'gzip';
    else if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) {
      this.mode = 'skip';
      this.note = `layer ${this.name} is zstd-compressed: not read (Node 20 has no zstd)`;
    } else if (!this.mustBeLayer && (text.startsWith('{') || text.startsWith('[')) && this.size <= JSON_MAX) this.mode = 'json';
    else this.mode = 'tar';
    if (this.mode === 'tar' || this.mode === 'gzip') {
      this.scan = { entries: [], whiteouts: [], opaques: [], size: 0, captured: new Map(), compressed: this.mode === 'gzip' };
      this.parser = layerScanner(this.scan);
    }
    if (this.mode === 'gzip') {
      const gz = createGunzip();
      this.gunzip = gz;
      gz.on('data', (c: Buffer) => {
        try {
          this.parser!.write(c);
        } catch (e) {
          this.error = e as Error;
          gz.destroy();
        }
      });
      this.ended = new Promise<void>((resolve, reject) => {
        gz.on('end', () => (this.error ? reject(this.error) : resolve()));
        gz.on('error', (e) => reject(this.error ?? new ImageSourceError(`layer ${this.name}: ${e.message}`)));
        gz.on('close', () => (this.error ? reject(this.error) : undefined));
      });
      this.ended.catch(() => undefined);
    }
  }

  private route(chunk: Buffer): void {
    if (chunk.length === 0) return;
    switch (this.mode) {
      case 'tar':
        this.parser!.write(chunk);
        break;
      case 'gzip':
        this.gunzip!.write(chunk);
        break;
      case 'json':
        this.jsonParts.push(Buffer.from(chunk));
        break;
      default:
        break;
    }
  }

  get needsDrain(): boolean {
    return this.gunzip?.writableNeedDrain === true;
  }

  /** All bytes written: finish parsing (gzip layers finish asynchronously). */
  end(): Promise<void> {
    if (this.mode === 'undecided') {
      const head = Buffer.concat(this.headBytes);
      this.headBytes = [];
      if (head.length === 0 && !this.mustBeLayer) {
        this.mode = 'skip';
        return Promise.resolve();
      }
      this.decide(head);
      this.route(head);
    }
    if (this.mode === 'json') this.json = Buffer.concat(this.jsonParts);
    if (this.mode === 'tar') this.parser!.end();
    if (this.mode === 'gzip') {
      this.gunzip!.end();
      return this.ended.then(() => this.parser!.end());
    }
    return Promise.resolve();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Archives

interface Collected {
  json: (key: string) => Buffer | undefined;
  layer: (key: string) => Promise<LayerScan | undefined>;
  notes: string[];
}

const isJsonName = (name: string): boolean => name.endsWith('.json') || name === 'repositories' || name === 'oci-layout' || /(^|\/)(json|VERSION)$/.test(name);

/** Read a whole archive stream (docker save / tar file): JSON documents kept, layers scanned, by archive path. */
async function readArchive(stream: Readable): Promise<Collected> {
  const json = new Map<string, Buffer>();
  const layers = new Map<string, LayerScan>();
  const notes: string[] = [];
  const pending: Promise<void>[] = [];
  const gzips = new Set<BlobSink>();
  let metaParts: Buffer[] | undefined;
  let blob: BlobSink | undefined;
  const outer = new TarParser({
    entry(e) {
      const name = normalizePath(e.path);
      if (e.type !== 'file') return undefined;
      if (isJsonName(name)) {
        if (e.size > JSON_MAX) return undefined;
        metaParts = [];
        return (c) => metaParts!.push(Buffer.from(c));
      }
      if (name.endsWith('layer.tar') || name.startsWith('blobs/') || name.endsWith('.tar') || name.endsWith('.tar.gz')) {
        blob = new BlobSink(name, e.size, name.endsWith('layer.tar'));
        return (c) => blob!.write(c);
      }
      return undefined;
    },
    entryEnd(e) {
      const name = normalizePath(e.path);
      if (metaParts) {
        json.set(name, Buffer.concat(metaParts));
        metaParts = undefined;
      } else if (blob) {
        const b = blob;
        blob = undefined;
        if (e.size === 0 && !name.endsWith('layer.tar')) return;
        const p = b.end().then(() => {
          gzips.delete(b);
          if (b.json) json.set(name, b.json);
          if (b.scan) layers.set(name, b.scan);
          if (b.note) notes.push(b.note);
        });
        p.catch(() => undefined);
        pending.push(p);
      }
    },
  });
  try {
    for await (const chunk of stream) {
      outer.write(chunk as Buffer);
      if (blob?.gunzip) gzips.add(blob);
      for (const g of gzips) if (g.needsDrain) await once(g.gunzip!, 'drain');
    }
    outer.end();
  } catch (e) {
    if (e instanceof TarError) throw new ImageSourceError(`not a readable image archive: ${e.message}`);
    throw e;
  }
  await Promise.all(pending);
  return { json: (k) => json.get(k), layer: async (k) => layers.get(k), notes };
}

/** An OCI layout (or extracted docker save) directory: JSON read on demand, layer blobs streamed from disk in order. */
function readDirectory(dir: string): Collected {
  const notes: string[] = [];
  const inside = (key: string): string | undefined => {
    const k = normalizePath(key);
    if (k.split('/').includes('..')) return undefined;
    const p = join(dir, k);
    return existsSync(p) && statSync(p).isFile() ? p : undefined;
  };
  return {
    notes,
    json: (key) => {
      const p = inside(key);
      if (!p || statSync(p).size > JSON_MAX) return undefined;
      return readFileSync(p);
    },
    layer: async (key) => {
      const p = inside(key);
      if (!p) return undefined;
      const size = statSync(p).size;
      const sink = new BlobSink(key, size, true);
      try {
        for await (const chunk of createReadStream(p, { highWaterMark: 256 * 1024 })) {
          sink.write(chunk as Buffer);
          if (sink.needsDrain) await once(sink.gunzip!, 'drain');
        }
        await sink.end();
      } catch (e) {
        if (e instanceof TarError) throw new ImageSourceError(`layer ${key}: ${e.message}`);
        throw e;
      }
      if (sink.note) notes.push(sink.note);
      return sink.scan;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Manifests and config

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function parseJson(buf: Buffer | undefined, what: string): unknown {
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

function pickManifest(collected: Collected, ref: string | undefined): { configKey: string; layerKeys: string[]; name?: string } {
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

function parseConfig(raw: Json): ImageConfig {
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

function parseHistory(raw: Json): HistoryEntry[] {
  const list = Array.isArray(raw.history) ? raw.history.map(obj).filter((h): h is Json => h !== undefined) : [];
  return list.map((h) => ({
    created: str(h.created),
    createdBy: str(h.created_by) ?? '',
    emptyLayer: h.empty_layer === true,
    comment: str(h.comment),
    layer: undefined,
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// The final filesystem

class FsIndex {
  readonly files = new Map<string, IndexedFile>();
  readonly children = new Map<string, Set<string>>();

  constructor(private readonly onDrop: (f: IndexedFile) => void) {}

  /** Record `path` under its parent, and implicit parent directories (no entry of their own) under theirs. */
  private link(path: string): void {
    let p = path;
    while (p !== '') {
      const parent = dirOf(p);
      let set = this.children.get(parent);
      if (!set) this.children.set(parent, (set = new Set()));
      if (set.has(p)) return;
      set.add(p);
      p = parent;
    }
  }

  removeTree(path: string): void {
    const kids = this.children.get(path);
    if (kids) {
      for (const k of [...kids]) this.removeTree(k);
      this.children.delete(path);
    }
    const f = this.files.get(path);
    if (f) {
      this.files.delete(path);
      this.onDrop(f);
    }
    this.children.get(dirOf(path))?.delete(path);
  }

  clearChildren(dir: string): void {
    const kids = this.children.get(dir);
    if (kids) for (const k of [...kids]) this.removeTree(k);
  }

  put(entry: LayerEntry, layer: number): IndexedFile | undefined {
    const old = this.files.get(entry.path);
    if (old && old.entry.type === 'dir' && entry.type !== 'dir') this.removeTree(entry.path);
    else if (old) this.onDrop(old);
    this.files.set(entry.path, { entry, layer });
    this.link(entry.path);
    return old;
  }
}

/** Apply the layers in order; fills each layer's `wasted` and `metadataRewrites`. */
function buildIndex(layers: Layer[]): FsIndex {
  const index = new FsIndex((f) => {
    if (f.entry.type === 'file') layers[f.layer]!.wasted += f.entry.stored ?? f.entry.size;
  });
  for (const layer of layers) {
    for (const w of layer.whiteouts) index.removeTree(w);
    for (const d of layer.opaques) index.clearChildren(d);
    for (const e of layer.entries) {
      const old = index.put(e, layer.index);
      if (old && old.entry.type === 'file' && e.type === 'file' && old.entry.size === e.size && e.size > 0 &&
        (old.entry.uid !== e.uid || old.entry.gid !== e.gid || old.entry.mode !== e.mode)) {
        layer.metadataRewrites += e.stored ?? e.size;
      }
    }
  }
  return index;
}

// ---------------------------------------------------------------------------------------------------------------

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
  for (const [i, key] of picked.layerKeys.entries()) {
    const scan = await collected.layer(key);
    if (!scan) throw new ImageSourceError(`layer ${key} is missing from the image archive`);
    layers.push({
      index: i, key, diffId: diffIds[i], compressed: scan.compressed, entries: scan.entries, whiteouts: scan.whiteouts, opaques: scan.opaques,
      size: scan.size, history: undefined, wasted: 0, metadataRewrites: 0,
    });
    (layers[i] as Layer & { captured?: Map<string, Buffer> }).captured = scan.captured;
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
    const captured = (layer as Layer & { captured?: Map<string, Buffer> }).captured;
    for (const [p, buf] of captured ?? []) if (index.files.get(p)?.layer === layer.index) contents.set(p, buf);
    delete (layer as Layer & { captured?: Map<string, Buffer> }).captured;
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

