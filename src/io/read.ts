// Reads a file as text without ever crashing on what users throw at a linter: binary, invalid UTF-8, huge files.
import { readSync } from 'node:fs';
import { normalizeEol, type Eol } from './eol.js';
import { MAX_BYTES, readRegular, type ReadOptions, type RefusalKind } from './regular.js';

export interface ReadText {
  /** The text with LF line endings and no byte order mark: what every check, fix and report works on. */
  text: string;
  /** Whether the file starts with a UTF-8 byte order mark (written back with it); absent: no. */
  bom?: boolean;
  /** The ending lines added by a fix take: the file's most common one; absent: LF. */
  eol?: Eol;
  /** The decoded text with its own line endings, when some are CRLF (src/io/eol.ts writes them back). */
  original?: string;
  /** Problem with the bytes, with the byte offset where it starts. */
  problem?: { message: string; offset: number };
  /** Whether writing `text` back would lose information (invalid UTF-8 was replaced). */
  lossy: boolean;
}

export class InputError extends Error {}

/** A file pyship would not read (a device, a link out of the project, past the cap…): the kind says which. */
export class ReadRefused extends InputError {
  constructor(readonly path: string, readonly kind: RefusalKind, readonly reason: string) {
    super(`${path}: ${reason}`);
  }
}

// one decoder per kind for every file: a decode without `stream` starts afresh, and making one costs more than a small file's decoding
const STRICT = new TextDecoder('utf-8', { fatal: true });
const LENIENT = new TextDecoder('utf-8');

export function decode(buf: Buffer): ReadText {
  const nul = buf.subarray(0, 8192).indexOf(0);
  if (nul >= 0) {
    return { text: '', bom: false, eol: '\n', problem: { message: `not a text file (NUL byte at byte ${nul})`, offset: 0 }, lossy: true };
  }
  // TextDecoder drops a leading BOM: remember it, so a fix writes it back
  const bom = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf;
  try {
    return { ...lines(STRICT.decode(buf)), bom, lossy: false };
  } catch {
    const text = LENIENT.decode(buf);
    const at = firstInvalidUtf8(buf);
    // the replacement text keeps every valid character, so the offset maps to the same line
    const charOffset = normalizeEol(LENIENT.decode(buf.subarray(0, at))).text.length;
    return { ...lines(text), bom, problem: { message: `invalid UTF-8 at byte ${at}: the file must be UTF-8`, offset: charOffset }, lossy: true };
  }
}

function lines(decoded: string): { text: string; eol: Eol; original?: string } {
  const { text, eol } = normalizeEol(decoded);
  return text === decoded ? { text, eol } : { text, eol, original: decoded };
}

function firstInvalidUtf8(buf: Buffer): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i]!;
    const n = b < 0x80 ? 0 : (b & 0xe0) === 0xc0 ? 1 : (b & 0xf0) === 0xe0 ? 2 : (b & 0xf8) === 0xf0 ? 3 : -1;
    if (n < 0 || i + n >= buf.length + (n === 0 ? 1 : 0)) return i;
    for (let k = 1; k <= n; k++) if ((buf[i + k]! & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return buf.length;
}

/** The text of the regular file at `path`; throws ReadRefused (naming the file) for anything else. */
export function readText(path: string, options: ReadOptions = {}): ReadText {
  const r = readRegular(path, options);
  if (r.refusal) throw new ReadRefused(path, r.refusal.kind, r.refusal.reason);
  return decode(r.bytes);
}

export function readStdin(): ReadText {
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(65536);
  let total = 0;
  for (;;) {
    let n: number;
    try {
      n = readSync0(buf);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      if ((e as NodeJS.ErrnoException).code === 'EOF') break;
      throw new InputError(`stdin: ${(e as Error).message}`);
    }
    if (n === 0) break;
    total += n;
    if (total > MAX_BYTES) throw new InputError(`stdin: more than ${MAX_BYTES / 1024 / 1024} MiB, past what pyship reads of a file (a Dockerfile is kilobytes)`);
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return decode(Buffer.concat(chunks));
}

function readSync0(buf: Buffer): number {
  return readSync(0, buf, 0, buf.length, null);
}
