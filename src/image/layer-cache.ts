// What a layer's scan found (entries, whiteouts, captured small files), kept on disk by the layer's diff id so a
// second audit of an image, or of another image on the same base, reads none of the bytes of the layers seen before.
// Entries are content-addressed (a diff id names one layer tar), written whole (temp file + rename) so concurrent
// runs never see half an entry, checked by a hash on read (a damaged entry is a miss and is rewritten), and evicted
// oldest-used first past a size cap.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { EntryType, LayerEntry } from './model.js';
import type { LayerScan } from './archive.js';

/**
 * Bump when what a scan holds changes (the LayerEntry fields, which files are captured, how whiteouts are read):
 * entries of another version are never read. The capture lists are part of the key too (see `layerCache`).
 */
const FORMAT = 1;

/** Default cap on the cache's size: a few hundred typical layers' facts (python:3.13's largest layer: ~1.5 MB). */
export const DEFAULT_CACHE_MAX_BYTES = 256 * 1024 * 1024;

const TYPE_CODE: Record<EntryType, string> = { file: 'f', hardlink: 'h', symlink: 'l', char: 'c', block: 'b', dir: 'd', fifo: 'p', other: 'o' };
const CODE_TYPE = new Map(Object.entries(TYPE_CODE).map(([t, c]) => [c, t as EntryType]));

interface Stored {
  paths: string[];
  types: string;
  sizes: number[];
  modes: number[];
  uids: number[];
  gids: number[];
  links: [number, string][];
  xattrs: [number, [string, string][]][];
  stored: [number, number][];
  whiteouts: string[];
  opaques: string[];
  size: number;
  compressed: boolean;
  captured: [string, string][];
}

function encode(scan: LayerScan): Stored {
  const s: Stored = {
    paths: [], types: '', sizes: [], modes: [], uids: [], gids: [], links: [], xattrs: [], stored: [],
    whiteouts: scan.whiteouts, opaques: scan.opaques, size: scan.size, compressed: scan.compressed,
    captured: [...scan.captured].map(([p, b]) => [p, b.toString('base64')]),
  };
  const types: string[] = [];
  scan.entries.forEach((e, i) => {
    s.paths.push(e.path);
    types.push(TYPE_CODE[e.type]);
    s.sizes.push(e.size);
    s.modes.push(e.mode);
    s.uids.push(e.uid);
    s.gids.push(e.gid);
    if (e.linkname !== '') s.links.push([i, e.linkname]);
    if (e.xattrs) s.xattrs.push([i, Object.entries(e.xattrs).map(([k, v]) => [k, v.toString('base64')])]);
    if (e.stored !== undefined) s.stored.push([i, e.stored]);
  });
  s.types = types.join('');
  return s;
}

function decode(s: Stored): LayerScan {
  const n = s.paths.length;
  if (s.types.length !== n || s.sizes.length !== n || s.modes.length !== n || s.uids.length !== n || s.gids.length !== n) throw new Error('inconsistent entry');
  const links = new Map(s.links);
  const xattrs = new Map(s.xattrs);
  const stored = new Map(s.stored);
  const entries: LayerEntry[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const type = CODE_TYPE.get(s.types[i]!);
    if (!type) throw new Error('unknown entry type');
    // the key order of the reader's objects (./archive.ts), so a cached layer is indistinguishable from a read one
    const e: LayerEntry = { path: s.paths[i]!, type, size: s.sizes[i]!, mode: s.modes[i]!, uid: s.uids[i]!, gid: s.gids[i]!, linkname: links.get(i) ?? '' };
    const x = xattrs.get(i);
    if (x) e.xattrs = Object.fromEntries(x.map(([k, v]) => [k, Buffer.from(v, 'base64')]));
    const st = stored.get(i);
    if (st !== undefined) e.stored = st;
    entries[i] = e;
  }
  return {
    entries, whiteouts: s.whiteouts, opaques: s.opaques, size: s.size, compressed: s.compressed,
    captured: new Map(s.captured.map(([p, b]) => [p, Buffer.from(b, 'base64')])),
  };
}

type Kind = 'layer' | 'config' | 'v1' | 'blob';

/**
 * The name a `docker save` archive gives a layer, when it is bound to the layer's content: `<v1 id>/layer.tar` (the
 * v1 id hashes the layer's chain id) or `blobs/sha256/<digest>` (the blob's own digest).
 */
function archiveName(name: string): { kind: Kind; digest: string } | undefined {
  const v1 = /^([a-f0-9]{64})\/layer\.tar$/.exec(name);
  if (v1) return { kind: 'v1', digest: `sha256:${v1[1]}` };
  const blob = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(name);
  return blob ? { kind: 'blob', digest: `sha256:${blob[1]}` } : undefined;
}

const hexOf = (digest: string): string | undefined => /^sha256:([a-f0-9]{64})$/.exec(digest)?.[1];

export class LayerCache {
  /** Bytes written by this process since the last eviction pass. */
  private written = 0;

  constructor(readonly dir: string, readonly maxBytes: number = DEFAULT_CACHE_MAX_BYTES) {}

  private file(kind: Kind, digest: string): string | undefined {
    const hex = hexOf(digest);
    return hex ? join(this.dir, `${kind}-${hex}`) : undefined;
  }

  /** The body of an entry when it is whole and of this version; else undefined (and it will be rewritten). */
  private read(kind: Kind, digest: string): Buffer | undefined {
    const path = this.file(kind, digest);
    if (!path) return undefined;
    let buf: Buffer;
    try {
      buf = readFileSync(path);
    } catch {
      return undefined;
    }
    const nl = buf.indexOf(0x0a);
    if (nl < 0) return undefined;
    const body = buf.subarray(nl + 1);
    if (buf.toString('latin1', 0, nl) !== header(kind, digest, body)) return undefined;
    try {
      // recently used: eviction removes the entries unused longest
      const now = new Date();
      utimesSync(path, now, now);
    } catch {
      // another run evicted it meanwhile: what was read is still whole
    }
    return body;
  }

  private write(kind: Kind, digest: string, body: Buffer): void {
    const path = this.file(kind, digest);
    if (!path) return;
    try {
      mkdirSync(this.dir, { recursive: true });
      const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      writeFileSync(tmp, Buffer.concat([Buffer.from(header(kind, digest, body) + '\n', 'latin1'), body]));
      renameSync(tmp, path);
      this.written += body.length;
    } catch {
      // a cache that cannot be written (read-only home, full disk) only costs the next run its speed
    }
  }

  layer(diffId: string): LayerScan | undefined {
    const body = this.read('layer', diffId);
    if (!body) return undefined;
    try {
      return decode(JSON.parse(body.toString('utf8')) as Stored);
    } catch {
      return undefined;
    }
  }

  putLayer(diffId: string, scan: LayerScan): void {
    this.write('layer', diffId, Buffer.from(JSON.stringify(encode(scan)), 'utf8'));
  }

  /** The diff id of the layer a `docker save` archive names so, as an earlier read of the engine's archive found. */
  aliased(name: string): string | undefined {
    const a = archiveName(name);
    if (!a) return undefined;
    const body = this.read(a.kind, a.digest)?.toString('latin1');
    if (body && hexOf(body)) return body;
    // an uncompressed blob's digest is its diff id (a compressed one's names no layer)
    return a.kind === 'blob' ? a.digest : undefined;
  }

  alias(name: string, diffId: string): void {
    const a = archiveName(name);
    if (a && hexOf(diffId) && !(a.kind === 'blob' && a.digest === diffId)) this.write(a.kind, a.digest, Buffer.from(diffId, 'latin1'));
  }

  /** An image config by its digest (the image id): checked against the digest itself. */
  config(id: string): Buffer | undefined {
    const body = this.read('config', id);
    return body && createHash('sha256').update(body).digest('hex') === hexOf(id) ? body : undefined;
  }

  putConfig(id: string, body: Buffer): void {
    if (createHash('sha256').update(body).digest('hex') === hexOf(id)) this.write('config', id, body);
  }

  /** Remove the entries used longest ago until the cache is under its cap (after this process wrote to it). */
  evict(): void {
    if (this.written === 0) return;
    this.written = 0;
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return;
    }
    const files: { path: string; size: number; used: number }[] = [];
    const staleTmp = Date.now() - 3600_000;
    for (const name of names) {
      const path = join(this.dir, name);
      try {
        const st = statSync(path);
        // a temp file left by a run that died before its rename
        if (name.endsWith('.tmp')) {
          if (st.mtimeMs < staleTmp) unlinkSync(path);
          continue;
        }
        files.push({ path, size: st.size, used: st.mtimeMs });
      } catch {
        // removed by another run meanwhile
      }
    }
    let total = files.reduce((s, f) => s + f.size, 0);
    files.sort((a, b) => a.used - b.used);
    for (const f of files) {
      if (total <= this.maxBytes) break;
      try {
        unlinkSync(f.path);
      } catch {
        // already gone
      }
      total -= f.size;
    }
  }
}

/** `pyship-layer-cache v1 layer sha256:… <sha1 of the body>`: the version, what the entry is, and its checksum. */
function header(kind: string, digest: string, body: Buffer): string {
  return `pyship-layer-cache v${FORMAT} ${kind} ${digest} ${createHash('sha1').update(body).digest('hex')}`;
}

/**
 * The user's layer cache: `$PYSHIP_CACHE_DIR`, else `$XDG_CACHE_HOME/pyship`, else `~/.cache/pyship`, under a folder
 * named for the format and what is captured (so a change of either starts afresh); capped by `PYSHIP_CACHE_MAX_MB`
 * (default 256). `PYSHIP_NO_CACHE=1` turns it off.
 */
export function layerCache(env: NodeJS.ProcessEnv, captureKey: string): LayerCache | undefined {
  if (env.PYSHIP_NO_CACHE === '1') return undefined;
  const root = env.PYSHIP_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'pyship');
  const mb = Number(env.PYSHIP_CACHE_MAX_MB);
  const key = createHash('sha256').update(`${FORMAT}\n${captureKey}`).digest('hex').slice(0, 12);
  return new LayerCache(join(root, `layers-v${FORMAT}-${key}`), Number.isFinite(mb) && mb > 0 ? mb * 1024 * 1024 : DEFAULT_CACHE_MAX_BYTES);
}
