// The bytes of an image archive as they stream by: a `docker save` tar or an OCI layout (inside a tar, or a
// directory). JSON documents are kept; each layer tar (gzip'd or not) is scanned for its entries' metadata, whiteouts
// and the few small files pyship reads, without extracting anything.
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';
import { dirnamePosix } from '../dockerfile/paths.js';
import { baseName } from './filesystem.js';
import type { LayerEntry } from './model.js';
import { ImageSourceError } from './source.js';
import { TarError, TarParser } from './tar.js';

/** Small files whose content the audit reads (by path without leading slash, or by basename). */
const CAPTURE_PATHS = new Set(['etc/passwd', 'etc/group', 'etc/os-release', 'usr/lib/os-release']);
// top_level.txt: a distribution's importable names (setuptools writes it into .dist-info/.egg-info), for SIZE006
const CAPTURE_BASENAMES = new Set(['pyvenv.cfg', 'top_level.txt']);
const CAPTURE_MAX = 256 * 1024;
/** What decides which files a scan captures: cached scans are kept apart per value (./layer-cache.ts). */
export const CAPTURE_KEY = JSON.stringify([[...CAPTURE_PATHS], [...CAPTURE_BASENAMES], CAPTURE_MAX]);
const JSON_MAX = 64 * 1024 * 1024;

export function normalizePath(p: string): string {
  let s = p;
  while (s.startsWith('./')) s = s.slice(2);
  s = s.replace(/^\/+/, '').replace(/\/+$/, '');
  return s === '.' ? '' : s;
}

// ---------------------------------------------------------------------------------------------------------------
// One layer tar, as its bytes arrive

export interface LayerScan {
  entries: LayerEntry[];
  whiteouts: string[];
  opaques: string[];
  size: number;
  captured: Map<string, Buffer>;
  compressed: boolean;
}

export const emptyScan = (compressed: boolean): LayerScan => ({ entries: [], whiteouts: [], opaques: [], size: 0, captured: new Map(), compressed });

/** A tar parser that fills `scan` with the layer's entries, whiteouts and captured files. */
export function layerScanner(scan: LayerScan): TarParser {
  let capture: Buffer[] | undefined;
  return new TarParser({
    entry(e) {
      const path = normalizePath(e.path);
      if (path === '') return undefined;
      const base = baseName(path);
      if (base.startsWith('.wh.')) {
        if (base === '.wh..wh..opq') scan.opaques.push(dirnamePosix(path));
        else if (!base.startsWith('.wh..wh.')) scan.whiteouts.push(join(dirnamePosix(path), base.slice(4)).replace(/^\.$/, ''));
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
      this.scan = emptyScan(this.mode === 'gzip');
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

export interface Collected {
  json: (key: string) => Buffer | undefined;
  layer: (key: string) => Promise<LayerScan | undefined>;
  notes: string[];
}

const isJsonName = (name: string): boolean => name.endsWith('.json') || name === 'repositories' || name === 'oci-layout' || /(^|\/)(json|VERSION)$/.test(name);

/**
 * Read a whole archive stream (docker save / tar file): JSON documents kept, layers scanned, by archive path. Layers
 * for which `skip` says yes (their facts are known already) pass by unread: no copy, no gunzip, no parse.
 */
export async function readArchive(stream: Readable, skip?: (name: string) => boolean): Promise<Collected> {
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
        if (skip?.(name)) return undefined;
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
export function readDirectory(dir: string): Collected {
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
