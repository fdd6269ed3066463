// Docker's own image store on this machine (overlay2 driver): the image config as the engine keeps it, and each
// layer's tar headers from the tar-split file the engine keeps to rebuild the layer tar for `docker save` (file
// data stays on disk, read only for the few small files a scan captures). Reading a few MB of headers instead of
// streaming the whole image is what lets an audit beat `docker save`; everything is content-addressed (config by
// image id, layer dirs by chain id, checked against the diff id), so a store that does not match is not used.
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { emptyScan, layerScanner, normalizePath, type LayerScan } from './archive.js';
import { obj, str } from './manifest.js';

const hexOf = (digest: string): string | undefined => /^sha256:([a-f0-9]{64})$/.exec(digest)?.[1];

export interface DockerStore {
  /** The image config by image id, when the store holds exactly those bytes. */
  config(id: string): Buffer | undefined;
  /** Scan layer `i` of an image with these diff ids, or undefined when the store cannot give it. */
  layer(diffIds: readonly string[], i: number): Promise<LayerScan | undefined>;
}

/** The store behind an image's `docker image inspect` (its GraphDriver paths), when it is readable here. */
export function dockerStore(info: unknown): DockerStore | undefined {
  const driver = obj(obj(info)?.GraphDriver);
  const upper = str(obj(driver?.Data)?.UpperDir);
  if (str(driver?.Name) !== 'overlay2' || !upper || !upper.endsWith('/diff')) return undefined;
  // <root>/overlay2/<cache id>/diff
  const root = dirname(dirname(dirname(upper)));
  const meta = join(root, 'image', 'overlay2');
  if (!existsSync(join(meta, 'layerdb', 'sha256'))) return undefined;
  return {
    config(id) {
      const hex = hexOf(id);
      if (!hex) return undefined;
      try {
        const buf = readFileSync(join(meta, 'imagedb', 'content', 'sha256', hex));
        return createHash('sha256').update(buf).digest('hex') === hex ? buf : undefined;
      } catch {
        return undefined;
      }
    },
    async layer(diffIds, i) {
      try {
        let chain = diffIds[0]!;
        for (let k = 1; k <= i; k++) chain = `sha256:${createHash('sha256').update(`${chain} ${diffIds[k]}`).digest('hex')}`;
        const hex = hexOf(chain);
        if (!hex) return undefined;
        const dir = join(meta, 'layerdb', 'sha256', hex);
        if (readFileSync(join(dir, 'diff'), 'utf8').trim() !== diffIds[i]) return undefined;
        const cacheId = readFileSync(join(dir, 'cache-id'), 'utf8').trim();
        if (!/^[a-zA-Z0-9_-]+$/.test(cacheId)) return undefined;
        return await scanTarSplit(join(dir, 'tar-split.json.gz'), join(root, 'overlay2', cacheId, 'diff'));
      } catch {
        return undefined;
      }
    },
  };
}

/** A regular file's bytes from the layer's directory, when it has exactly `size` of them. */
function readExact(path: string, size: number): Buffer | undefined {
  const fd = openSync(path, 'r');
  try {
    if (!fstatSync(fd).isFile()) return undefined;
    const buf = Buffer.alloc(size + 1);
    let n = 0;
    for (let r; n < buf.length && (r = readSync(fd, buf, n, buf.length - n, n)) > 0;) n += r;
    return n === size ? buf.subarray(0, size) : undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * Replay a tar-split file (gzip'd, one JSON record a line: type 2 = raw tar bytes, headers and padding, base64;
 * type 1 = a file entry's data, `size` bytes found at `name` in the layer directory) through the layer scanner,
 * streamed: a layer of many files never sits in memory as text.
 */
async function scanTarSplit(file: string, diffDir: string): Promise<LayerScan | undefined> {
  const scan = emptyScan(false);
  const parser = layerScanner(scan);
  const record = (line: string): boolean => {
    if (line === '') return true;
    const rec = JSON.parse(line) as { type?: number; payload?: string | null; name?: string; size?: number };
    if (rec.type === 2 && typeof rec.payload === 'string') parser.write(Buffer.from(rec.payload, 'base64'));
    else if (rec.type === 1 && typeof rec.size === 'number' && rec.size > 0) {
      if (!parser.wantsData) parser.skipData(rec.size);
      else {
        const name = normalizePath(rec.name ?? '');
        if (name === '' || name.split('/').includes('..')) return false;
        const data = readExact(join(diffDir, name), rec.size);
        if (!data) return false;
        parser.write(data);
      }
    }
    return true;
  };
  const decoder = new StringDecoder('utf8');
  let carry = '';
  const input = createReadStream(file, { highWaterMark: 256 * 1024 });
  try {
    for await (const chunk of input.pipe(createGunzip({ chunkSize: 1024 * 1024 }))) {
      const lines = (carry + decoder.write(chunk as Buffer)).split('\n');
      carry = lines.pop()!;
      for (const line of lines) if (!record(line)) return undefined;
    }
  } finally {
    input.destroy();
  }
  if (!record(carry + decoder.end())) return undefined;
  parser.end();
  return scan;
}
