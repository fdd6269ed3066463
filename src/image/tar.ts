// A small push-based tar reader (ustar, GNU long names, pax headers with xattrs, GNU sparse files): headers are parsed as bytes arrive,
// file data is handed to a per-entry callback or skipped without being copied, so a layer of any size streams through
// in constant memory. Hand-written rather than a dependency: tar headers are simple, and a synchronous push parser
// lets one layer tar nest inside another archive's entry without a stream per entry.

import type { EntryType, LayerEntry } from './model.js';

/** A tar entry: what a layer keeps of it, and its modification time. */
export interface TarEntry extends LayerEntry {
  /** Seconds since the epoch. */
  mtime: number;
}

/** Receives entries; returns a function for the entry's data, or undefined to skip the data. */
export interface TarHandler {
  entry(e: TarEntry): ((chunk: Buffer) => void) | undefined;
  /** After the entry's last data byte (also for entries whose data was skipped). */
  entryEnd?(e: TarEntry): void;
}

export class TarError extends Error {}

const BLOCK = 512;
/** pax / GNU long-name payloads are buffered: bound them. */
const MAX_META = 8 * 1024 * 1024;

function cstr(buf: Buffer, start: number, len: number): string {
  let end = start;
  const stop = start + len;
  while (end < stop && buf[end] !== 0) end++;
  return buf.toString('utf8', start, end);
}

function num(buf: Buffer, start: number, len: number): number {
  if (buf[start]! & 0x80) {
    // GNU base-256: big-endian, first byte's high bit is the marker (negative values are not used for sizes/ids)
    let v = buf[start]! & 0x7f;
    for (let i = start + 1; i < start + len; i++) v = v * 256 + buf[i]!;
    return v;
  }
  const s = cstr(buf, start, len).trim();
  return s === '' ? 0 : parseInt(s, 8) || 0;
}

function typeOf(flag: number): EntryType {
  switch (flag) {
    case 0:
    case 0x30: // '0'
    case 0x37: // '7' contiguous
    case 0x53: // 'S' GNU sparse: a regular file with holes
      return 'file';
    case 0x31:
      return 'hardlink';
    case 0x32:
      return 'symlink';
    case 0x33:
      return 'char';
    case 0x34:
      return 'block';
    case 0x35:
      return 'dir';
    case 0x36:
      return 'fifo';
    default:
      return 'other';
  }
}

function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  const stored = num(h, 148, 8);
  return stored === sum;
}

/** Parse pax records `"%d %s=%s\n"` (the length counts the whole record, in bytes). */
export function parsePax(buf: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let i = 0;
  while (i < buf.length) {
    let j = i;
    while (j < buf.length && buf[j] !== 0x20) j++;
    const len = parseInt(buf.toString('ascii', i, j), 10);
    if (!Number.isFinite(len) || len <= 0 || i + len > buf.length) break;
    const rec = buf.subarray(j + 1, i + len - 1); // without the trailing newline
    const eq = rec.indexOf(0x3d);
    if (eq > 0) out.set(rec.toString('utf8', 0, eq), Buffer.from(rec.subarray(eq + 1)));
    i += len;
  }
  return out;
}

type State = 'header' | 'data' | 'meta' | 'padding' | 'sparse-ext' | 'done';

/** Old GNU header: sparse map continues in extension blocks (flag at 482), real size at 483. */
const GNU_ISEXTENDED = 482;
const GNU_REALSIZE = 483;
/** In each extension block: 21 map entries, then the "more blocks follow" flag. */
const EXT_ISEXTENDED = 504;

/** The real size of a pax GNU sparse entry (formats 0.0, 0.1: GNU.sparse.size; 1.0: GNU.sparse.realsize). */
function paxSparseSize(pax: Map<string, Buffer>): number | undefined {
  const v = pax.get('GNU.sparse.realsize') ?? pax.get('GNU.sparse.size');
  if (v === undefined) return undefined;
  const n = Number(v.toString('ascii'));
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

export class TarParser {
  private state: State = 'header';
  private head = Buffer.alloc(BLOCK);
  private headFill = 0;
  private remaining = 0;
  private padding = 0;
  private sink: ((chunk: Buffer) => void) | undefined;
  private current: TarEntry | undefined;
  private meta: Buffer[] = [];
  private metaKind = 0;
  private zeroBlocks = 0;
  // overrides for the next entry
  private pax = new Map<string, Buffer>();
  private globalPax = new Map<string, Buffer>();
  private longName: string | undefined;
  private longLink: string | undefined;
  /** Bytes consumed, for error messages. */
  offset = 0;

  constructor(private readonly handler: TarHandler) {}

  get finished(): boolean {
    return this.state === 'done';
  }

  write(chunk: Buffer): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      switch (this.state) {
        case 'done':
          this.offset += n - i;
          return;
        case 'header':
          i = this.fillBlock(chunk, i, n, () => this.header(this.head));
          break;
        case 'data': {
          const take = Math.min(this.remaining, n - i);
          if (this.sink) this.sink(chunk.subarray(i, i + take));
          i += take;
          this.offset += take;
          this.remaining -= take;
          if (this.remaining === 0) this.endData();
          break;
        }
        case 'meta': {
          const take = Math.min(this.remaining, n - i);
          this.meta.push(Buffer.from(chunk.subarray(i, i + take)));
          i += take;
          this.offset += take;
          this.remaining -= take;
          if (this.remaining === 0) this.endMeta();
          break;
        }
        case 'sparse-ext':
          // old GNU sparse: 512-byte map extension blocks between the header and the data, not counted in its size
          i = this.fillBlock(chunk, i, n, () => {
            if (this.head[EXT_ISEXTENDED] === 0) this.startData();
          });
          break;
        case 'padding': {
          const take = Math.min(this.padding, n - i);
          i += take;
          this.offset += take;
          this.padding -= take;
          if (this.padding === 0) this.state = 'header';
          break;
        }
      }
    }
  }

  /** Copy the chunk's bytes from `i` into the 512-byte header buffer; `full` runs once it holds a whole block. */
  private fillBlock(chunk: Buffer, i: number, n: number, full: () => void): number {
    const take = Math.min(BLOCK - this.headFill, n - i);
    chunk.copy(this.head, this.headFill, i, i + take);
    this.headFill += take;
    this.offset += take;
    if (this.headFill === BLOCK) {
      this.headFill = 0;
      full();
    }
    return i + take;
  }

  /** Whether the current entry's data is wanted (its handler returned a function for it). */
  get wantsData(): boolean {
    return this.state === 'data' && this.sink !== undefined;
  }

  /**
   * Data bytes of the current entry that the caller does not have (a tar reassembled from its headers, the data left
   * on disk): passed over as if written. Only for data nobody wants.
   */
  skipData(n: number): void {
    if (n === 0) return;
    if (this.state !== 'data' || this.sink || n > this.remaining) throw new TarError(`cannot skip ${n} data bytes at byte ${this.offset}`);
    this.offset += n;
    this.remaining -= n;
    if (this.remaining === 0) this.endData();
  }

  /** The input ended: an archive cut short in the middle of an entry is an error. */
  end(): void {
    if (this.state === 'data' || this.state === 'meta' || this.state === 'sparse-ext' || (this.state === 'header' && this.headFill > 0)) {
      throw new TarError(`truncated tar archive (ended at byte ${this.offset} inside ${this.current?.path ?? 'a header'})`);
    }
    this.state = 'done';
  }

  private header(h: Buffer): void {
    let zero = true;
    for (let k = 0; k < BLOCK; k++) {
      if (h[k] !== 0) {
        zero = false;
        break;
      }
    }
    if (zero) {
      // two zero blocks end the archive; tolerate a single one (some writers emit one before EOF)
      if (++this.zeroBlocks >= 2) this.state = 'done';
      return;
    }
    this.zeroBlocks = 0;
    if (!checksumOk(h)) throw new TarError(`not a tar archive or corrupt header at byte ${this.offset - BLOCK}`);
    const flag = h[156]!;
    const size = num(h, 124, 12);
    // pax 'x'/'g', GNU long name 'L' / long link 'K': payload describes the next entry
    if (flag === 0x78 || flag === 0x67 || flag === 0x4c || flag === 0x4b) {
      if (size > MAX_META) throw new TarError(`tar metadata record of ${size} bytes at byte ${this.offset - BLOCK} is too large`);
      this.metaKind = flag;
      this.meta = [];
      this.remaining = size;
      this.padding = (BLOCK - (size % BLOCK)) % BLOCK;
      this.current = undefined;
      if (size === 0) this.endMeta();
      else this.state = 'meta';
      return;
    }
    const magic = h.toString('latin1', 257, 263);
    let name = cstr(h, 0, 100);
    if (magic === 'ustar\0') {
      const prefix = cstr(h, 345, 155);
      if (prefix) name = `${prefix}/${name}`;
    }
    let linkname = cstr(h, 157, 100);
    const e: TarEntry = {
      path: name,
      type: typeOf(flag),
      size,
      mode: num(h, 100, 8),
      uid: num(h, 108, 8),
      gid: num(h, 116, 8),
      mtime: num(h, 136, 12),
      linkname,
    };
    const pax = this.globalPax.size > 0 ? new Map([...this.globalPax, ...this.pax]) : this.pax;
    if (this.longName !== undefined) e.path = this.longName;
    if (this.longLink !== undefined) e.linkname = linkname = this.longLink;
    for (const [k, v] of pax) {
      if (k === 'path') e.path = v.toString('utf8');
      else if (k === 'linkpath') e.linkname = v.toString('utf8');
      else if (k === 'size') e.size = Number(v.toString('ascii')) || 0;
      else if (k === 'uid') e.uid = Number(v.toString('ascii')) || 0;
      else if (k === 'gid') e.gid = Number(v.toString('ascii')) || 0;
      else if (k === 'mtime') e.mtime = Math.floor(Number(v.toString('ascii')) || 0);
      else if (k.startsWith('SCHILY.xattr.')) (e.xattrs ??= {})[k.slice(13)] = v;
      else if (k.startsWith('LIBARCHIVE.xattr.')) (e.xattrs ??= {})[decodeURIComponent(k.slice(17))] = Buffer.from(v.toString('ascii'), 'base64');
    }
    // GNU sparse (pax 0.x/1.0, or the old 'S' type): the real name and size; the data holds only the written regions
    const realSize = flag === 0x53 ? num(h, GNU_REALSIZE, 12) : paxSparseSize(pax);
    const extended = flag === 0x53 && h[GNU_ISEXTENDED] !== 0;
    if (realSize !== undefined) {
      const sparseName = pax.get('GNU.sparse.name');
      if (sparseName) e.path = sparseName.toString('utf8');
      e.stored = e.size;
      e.size = realSize;
    }
    this.pax = new Map();
    this.longName = undefined;
    this.longLink = undefined;
    // hard links, symlinks, devices and directories carry no data even when a size is written
    const dataSize = e.type === 'file' || e.type === 'other' ? e.stored ?? e.size : 0;
    if (e.type !== 'file' && e.type !== 'other') e.size = 0;
    this.current = e;
    this.remaining = dataSize;
    this.padding = (BLOCK - (dataSize % BLOCK)) % BLOCK;
    if (extended) this.state = 'sparse-ext';
    else this.startData();
  }

  private startData(): void {
    this.sink = this.handler.entry(this.current!);
    if (this.remaining === 0) this.endData();
    else this.state = 'data';
  }

  private endData(): void {
    const e = this.current!;
    this.sink = undefined;
    this.handler.entryEnd?.(e);
    this.state = this.padding > 0 ? 'padding' : 'header';
  }

  private endMeta(): void {
    const body = Buffer.concat(this.meta);
    this.meta = [];
    if (this.metaKind === 0x78) for (const [k, v] of parsePax(body)) this.pax.set(k, v);
    else if (this.metaKind === 0x67) for (const [k, v] of parsePax(body)) this.globalPax.set(k, v);
    else if (this.metaKind === 0x4c) this.longName = cstr(body, 0, body.length);
    else this.longLink = cstr(body, 0, body.length);
    this.state = this.padding > 0 ? 'padding' : 'header';
  }
}
