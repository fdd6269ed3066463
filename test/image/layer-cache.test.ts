// The layer cache and the engine's local store give the same image as a cold `docker save` read: a cache hit, a save
// that passes over cached layers, a docker overlay2 store built here (tar-split files), a damaged cache entry, writers
// in several processes at once, and eviction under the cap.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { auditImage } from '../../src/audit/audit.js';
import { CAPTURE_KEY, emptyScan, type LayerScan } from '../../src/image/archive.js';
import { LayerCache, layerCache } from '../../src/image/layer-cache.js';
import { readImage } from '../../src/image/read.js';
import { parsePax } from '../../src/image/tar.js';
import { dockerSave, tar, type ImageSpec } from './archive.js';
import { badImage, goodImage, NOW } from './fixtures.js';

const ROOT = join(import.meta.dirname, '..', '..');
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const tmp = (): string => mkdtempSync(join(tmpdir(), 'pyship-layer-cache-'));
const CREATED = '2026-06-14T12:00:00Z';
const fixed = (spec: ImageSpec): ImageSpec => ({ ...spec, created: spec.created ?? CREATED });

/** The image's config id and diff ids, as `docker image inspect` would give them. */
function idsOf(spec: ImageSpec): { id: string; diffIds: string[]; config: Buffer } {
  const saved = dockerSave(spec);
  const files = new Map<string, Buffer>();
  // read the outer tar of the save: only its top-level JSON files matter here
  let pos = 0;
  while (pos + 512 <= saved.length && saved[pos] !== 0) {
    const name = saved.toString('utf8', pos, pos + 100).replace(/\0.*$/s, '');
    const size = parseInt(saved.toString('ascii', pos + 124, pos + 136).replace(/\0.*$/s, ''), 8);
    files.set(name, saved.subarray(pos + 512, pos + 512 + size));
    pos += 512 + Math.ceil(size / 512) * 512;
  }
  const manifest = JSON.parse(files.get('manifest.json')!.toString()) as { Config: string }[];
  const config = files.get(manifest[0]!.Config)!;
  const diffIds = (JSON.parse(config.toString()) as { rootfs: { diff_ids: string[] } }).rootfs.diff_ids;
  return { id: `sha256:${sha(config)}`, diffIds, config };
}

/** An engine source of `spec` whose `docker save` counts how often it ran. */
function engineOf(spec: ImageSpec, info: Record<string, unknown> = {}) {
  const { id } = idsOf(spec);
  const source = {
    kind: 'engine' as const, ref: 'test/image:1', saves: 0, info: { Id: id, ...info },
    save() {
      source.saves++;
      return Readable.from([dockerSave(spec)]);
    },
  };
  return source;
}

const cold = async (spec: ImageSpec) => auditImage(await readImage({ kind: 'stream', stream: Readable.from([dockerSave(spec)]), ref: 'test/image:1' }), { now: NOW });

describe('layer cache', () => {
  for (const [name, make] of [['bad', badImage], ['good', goodImage]] as const) {
    it(`a cache hit gives the cold read's audit without running docker save (${name} image)`, async () => {
      const spec = fixed(make());
      const cache = new LayerCache(tmp());
      const want = await cold(spec);
      const first = engineOf(spec);
      expect(auditImage(await readImage(first, { cache }), { now: NOW })).toEqual(want);
      expect(first.saves).toBe(1);
      const second = engineOf(spec);
      expect(auditImage(await readImage(second, { cache }), { now: NOW })).toEqual(want);
      expect(second.saves).toBe(0);
    });
  }

  it('an image on a cached base passes over the base layers in the save stream and reads only its own', async () => {
    const base = fixed(badImage());
    const app = fixed({ ...base, layers: [...base.layers, [{ path: 'x', data: 'x\n' }]], history: [...(base.history ?? []), { created_by: '/bin/sh -c echo x > /x', created: CREATED }] });
    const cache = new LayerCache(tmp());
    await readImage(engineOf(base), { cache });
    const written = readdirSync(cache.dir).filter((f) => f.startsWith('layer-'));
    const source = engineOf(app);
    expect(auditImage(await readImage(source, { cache }), { now: NOW })).toEqual(await cold(app));
    expect(source.saves).toBe(1);
    // the base's layer entries were not rewritten: passed over, not parsed
    expect(readdirSync(cache.dir).filter((f) => f.startsWith('layer-')).length).toBe(written.length + 1);
  });

  it('a passed-over layer that is not the one the config names makes the stream be read again, whole', async () => {
    const spec = fixed(badImage());
    const cache = new LayerCache(tmp());
    await readImage(engineOf(spec), { cache });
    // point the first layer's archive name at another diff id the cache holds
    const v1 = readdirSync(cache.dir).filter((f) => f.startsWith('v1-')).sort();
    const [a, b] = v1.map((f) => readFileSync(join(cache.dir, f), 'utf8').split('\n')[1]!);
    cache.alias(`${v1[0]!.slice(3)}/layer.tar`, b!);
    expect(a).not.toBe(b);
    for (const f of readdirSync(cache.dir)) if (f.startsWith('config-')) writeFileSync(join(cache.dir, f), 'gone');
    const source = engineOf(spec);
    expect(auditImage(await readImage(source, { cache }), { now: NOW })).toEqual(await cold(spec));
    expect(source.saves).toBe(2);
  });

  it('a damaged, cut or other-version entry is a miss, and is rewritten', async () => {
    const spec = fixed(goodImage());
    const { diffIds } = idsOf(spec);
    const dir = tmp();
    const cache = new LayerCache(dir);
    const want = await cold(spec);
    await readImage(engineOf(spec), { cache });
    const files = diffIds.map((d) => join(dir, `layer-${d.slice(7)}`));
    const good = readFileSync(files[0]!);
    writeFileSync(files[0]!, good.subarray(0, good.length - 10));
    writeFileSync(files[1]!, Buffer.from(readFileSync(files[1]!, 'latin1').replace(/"size":\d+/, '"size":1'), 'latin1'));
    writeFileSync(files[2]!, readFileSync(files[2]!, 'latin1').replace(/^pyship-layer-cache v\d+/, 'pyship-layer-cache v999'), 'latin1');
    for (const f of files.slice(0, 3)) expect(cache.layer(diffIds[files.indexOf(f)]!)).toBeUndefined();
    const source = engineOf(spec);
    expect(auditImage(await readImage(source, { cache }), { now: NOW })).toEqual(want);
    expect(source.saves).toBe(1);
    for (const [i, d] of diffIds.entries()) expect(cache.layer(d), `layer ${i}`).toBeDefined();
    expect(readFileSync(files[0]!)).toEqual(good);
  });

  it('writers in several processes at once never leave a torn entry', async () => {
    const dir = tmp();
    const lib = join(ROOT, 'dist', 'image', 'layer-cache.js');
    expect(existsSync(lib), 'npm run build first').toBe(true);
    const script = `
      import { LayerCache } from ${JSON.stringify(lib)};
      const cache = new LayerCache(${JSON.stringify(dir)});
      const scan = (n) => ({ entries: Array.from({ length: 20000 }, (_, i) => ({ path: 'p/' + n + '/' + i, type: 'file', size: i, mode: 420, uid: 0, gid: 0, linkname: '' })),
        whiteouts: [], opaques: [], size: n, captured: new Map(), compressed: false });
      const ids = [1, 2, 3].map((n) => 'sha256:' + String(n).repeat(64));
      let bad = 0;
      for (let round = 0; round < 15; round++) {
        for (const [k, id] of ids.entries()) {
          cache.putLayer(id, scan(k + 1));
          const got = cache.layer(ids[(k + round) % 3]);
          if (got && (got.entries.length !== 20000 || got.entries[19999].path !== 'p/' + got.size + '/19999')) bad++;
        }
      }
      process.stdout.write(String(bad));`;
    const run = () => new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => void (out += d));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))));
    });
    expect(await Promise.all([run(), run(), run(), run()])).toEqual(['0', '0', '0', '0']);
    const cache = new LayerCache(dir);
    for (const n of [1, 2, 3]) expect(cache.layer(`sha256:${String(n).repeat(64)}`)?.size).toBe(n);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 60_000);

  it('eviction keeps the cache under its cap, removing the entries used longest ago', () => {
    const dir = tmp();
    const scan = (n: number): LayerScan => ({ ...emptyScan(false), size: n, entries: Array.from({ length: 2000 }, (_, i) => ({ path: `f${n}/${i}`, type: 'file' as const, size: i, mode: 0o644, uid: 0, gid: 0, linkname: '' })) });
    const id = (n: number): string => `sha256:${String(n).repeat(64)}`;
    const writer = new LayerCache(dir, 1e12);
    for (let n = 1; n <= 6; n++) writer.putLayer(id(n), scan(n));
    const sizes = readdirSync(dir).map((f) => statSync(join(dir, f)).size);
    const each = Math.max(...sizes);
    // ages: 1 oldest … 6 newest; then 2 is used, which makes it the newest
    for (let n = 1; n <= 6; n++) utimesSync(join(dir, `layer-${id(n).slice(7)}`), new Date(1e12 + n * 1e6), new Date(1e12 + n * 1e6));
    const cache = new LayerCache(dir, each * 3.5);
    expect(cache.layer(id(2))?.size).toBe(2);
    cache.putLayer(id(7), scan(7));
    cache.evict();
    const left = readdirSync(dir).sort();
    expect(left.reduce((s, f) => s + statSync(join(dir, f)).size, 0)).toBeLessThanOrEqual(each * 3.5);
    expect(left).toEqual([2, 6, 7].map((n) => `layer-${id(n).slice(7)}`).sort());
  });

  it('lives in PYSHIP_CACHE_DIR, XDG_CACHE_HOME/pyship or ~/.cache/pyship, in a folder per format and capture list', () => {
    expect(layerCache({ PYSHIP_CACHE_DIR: '/c' }, CAPTURE_KEY)!.dir).toMatch(/^\/c\/layers-v\d+-[0-9a-f]{12}$/);
    expect(layerCache({ XDG_CACHE_HOME: '/x' }, CAPTURE_KEY)!.dir).toMatch(/^\/x\/pyship\/layers-/);
    expect(layerCache({ PYSHIP_CACHE_DIR: '/c' }, CAPTURE_KEY)!.dir).not.toBe(layerCache({ PYSHIP_CACHE_DIR: '/c' }, CAPTURE_KEY + 'x')!.dir);
    expect(layerCache({ PYSHIP_NO_CACHE: '1' }, CAPTURE_KEY)).toBeUndefined();
    expect(layerCache({ PYSHIP_CACHE_DIR: '/c', PYSHIP_CACHE_MAX_MB: '2' }, CAPTURE_KEY)!.maxBytes).toBe(2 * 1024 * 1024);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// docker's overlay2 store, built here: layerdb (diff, cache-id, tar-split.json.gz), imagedb, the layer directories

/** The tar-split records of a tar: its header and padding bytes as segments, each entry's data as a file record. */
function tarSplit(t: Buffer): Buffer {
  const lines: string[] = [];
  let seg: Buffer[] = [];
  const flush = (): void => {
    if (seg.length > 0) lines.push(JSON.stringify({ type: 2, payload: Buffer.concat(seg).toString('base64'), position: lines.length }));
    seg = [];
  };
  let pos = 0;
  let paxPath: string | undefined;
  while (pos + 512 <= t.length) {
    const h = t.subarray(pos, pos + 512);
    seg.push(h);
    pos += 512;
    if (h.every((b) => b === 0)) continue;
    const size = parseInt(h.toString('ascii', 124, 136).replace(/\0.*$/s, ''), 8) || 0;
    const flag = String.fromCharCode(h[156]!);
    const padded = Math.ceil(size / 512) * 512;
    if ('xgLK'.includes(flag)) {
      const body = t.subarray(pos, pos + size);
      if (flag === 'x') paxPath = parsePax(body).get('path')?.toString();
      if (flag === 'L') paxPath = body.toString('utf8').replace(/\0.*$/s, '');
      seg.push(t.subarray(pos, pos + padded));
      pos += padded;
      continue;
    }
    const name = paxPath ?? h.toString('utf8', 0, 100).replace(/\0.*$/s, '');
    paxPath = undefined;
    const dataSize = flag === '0' || flag === '\0' ? size : 0;
    flush();
    lines.push(JSON.stringify({ type: 1, name, size: dataSize, payload: null, position: lines.length }));
    if (padded > 0 && dataSize > 0) seg.push(t.subarray(pos + size, pos + padded));
    pos += dataSize > 0 ? padded : 0;
  }
  flush();
  return gzipSync(lines.join('\n') + '\n');
}

/** A docker root holding `spec` as the overlay2 driver does; the GraphDriver part of its inspect. */
function overlayStore(spec: ImageSpec): { root: string; info: Record<string, unknown> } {
  const root = tmp();
  const { id, diffIds, config } = idsOf(spec);
  const meta = join(root, 'image', 'overlay2');
  mkdirSync(join(meta, 'imagedb', 'content', 'sha256'), { recursive: true });
  writeFileSync(join(meta, 'imagedb', 'content', 'sha256', id.slice(7)), config);
  let chain = '';
  let upper = '';
  for (const [i, entries] of spec.layers.entries()) {
    chain = i === 0 ? diffIds[0]! : `sha256:${sha(Buffer.from(`${chain} ${diffIds[i]}`))}`;
    const layerDir = join(meta, 'layerdb', 'sha256', chain.slice(7));
    mkdirSync(layerDir, { recursive: true });
    const cacheId = `cache${i}`;
    writeFileSync(join(layerDir, 'diff'), diffIds[i]!);
    writeFileSync(join(layerDir, 'cache-id'), cacheId);
    writeFileSync(join(layerDir, 'tar-split.json.gz'), tarSplit(tar(entries)));
    upper = join(root, 'overlay2', cacheId, 'diff');
    for (const e of entries) {
      if ((e.type ?? 'file') !== 'file') continue;
      const p = join(upper, e.path);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, e.data !== undefined ? Buffer.from(e.data) : Buffer.alloc(e.size ?? 0));
    }
  }
  return { root, info: { GraphDriver: { Name: 'overlay2', Data: { UpperDir: upper } } } };
}

describe("docker's local store", () => {
  for (const [name, make] of [['bad', badImage], ['good', goodImage]] as const) {
    it(`gives the cold read's audit without running docker save (${name} image)`, async () => {
      const spec = fixed(make());
      const { info } = overlayStore(spec);
      const source = engineOf(spec, info);
      expect(auditImage(await readImage(source), { now: NOW })).toEqual(await cold(spec));
      expect(source.saves).toBe(0);
    });
  }

  it('is not used when turned off, or when it does not hold the image; docker save is', async () => {
    const spec = fixed(badImage());
    const { root, info } = overlayStore(spec);
    const off = engineOf(spec, info);
    expect(auditImage(await readImage(off, { engineStore: false }), { now: NOW })).toEqual(await cold(spec));
    expect(off.saves).toBe(1);
    // a layer directory whose diff is not the layer's: the store is not trusted for it
    const layerdb = join(root, 'image', 'overlay2', 'layerdb', 'sha256');
    const first = readdirSync(layerdb)[0]!;
    writeFileSync(join(layerdb, first, 'diff'), `sha256:${'0'.repeat(64)}`);
    const wrong = engineOf(spec, info);
    expect(auditImage(await readImage(wrong), { now: NOW })).toEqual(await cold(spec));
    expect(wrong.saves).toBe(1);
  });

  it('fills the cache, which then answers alone', async () => {
    const spec = fixed(goodImage());
    const { root, info } = overlayStore(spec);
    const cache = new LayerCache(tmp());
    await readImage(engineOf(spec, info), { cache });
    const rmInfo = { GraphDriver: { Name: 'overlay2', Data: { UpperDir: join(root, 'nowhere', 'x', 'diff') } } };
    const source = engineOf(spec, rmInfo);
    expect(auditImage(await readImage(source, { cache }), { now: NOW })).toEqual(await cold(spec));
    expect(source.saves).toBe(0);
  });
});
