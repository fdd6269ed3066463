// Test helpers: build tar archives, docker-save archives and OCI layouts in memory (no engine needed).
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface TarSpec {
  path: string;
  type?: 'file' | 'dir' | 'symlink' | 'hardlink';
  data?: string | Buffer;
  /** Size without data (content is zero bytes). */
  size?: number;
  mode?: number;
  uid?: number;
  gid?: number;
  linkname?: string;
  xattrs?: Record<string, Buffer | string>;
  /** Write a GNU 'L' long-name record instead of a pax path. */
  gnuLongName?: boolean;
}

function octal(n: number, len: number): string {
  return n.toString(8).padStart(len - 1, '0') + '\0';
}

function rawHeader(name: string, size: number, flag: string, opts: { mode?: number; uid?: number; gid?: number; linkname?: string } = {}): Buffer {
  const h = Buffer.alloc(512);
  h.write(name.slice(0, 100), 0, 'utf8');
  h.write(octal(opts.mode ?? 0o644, 8), 100, 'ascii');
  h.write(octal(opts.uid ?? 0, 8), 108, 'ascii');
  h.write(octal(opts.gid ?? 0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(1_700_000_000, 12), 136, 'ascii');
  h.write(flag, 156, 'ascii');
  if (opts.linkname) h.write(opts.linkname.slice(0, 100), 157, 'utf8');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'ascii');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += h[i]!;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return h;
}

const pad = (b: Buffer): Buffer => Buffer.concat([b, Buffer.alloc((512 - (b.length % 512)) % 512)]);

function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return Buffer.concat([Buffer.from(String(len)), body]);
}

export function tar(entries: TarSpec[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const type = e.type ?? 'file';
    const data = type === 'file' ? (e.data !== undefined ? Buffer.from(e.data) : Buffer.alloc(e.size ?? 0)) : Buffer.alloc(0);
    const flag = { file: '0', hardlink: '1', symlink: '2', dir: '5' }[type];
    const pax: Buffer[] = [];
    let name = type === 'dir' && !e.path.endsWith('/') ? e.path + '/' : e.path;
    if (Buffer.byteLength(name) > 100) {
      if (e.gnuLongName) {
        const ln = Buffer.from(name + '\0');
        parts.push(rawHeader('././@LongLink', ln.length, 'L'), pad(ln));
      } else pax.push(paxRecord('path', Buffer.from(name)));
      name = name.slice(0, 99);
    }
    for (const [k, v] of Object.entries(e.xattrs ?? {})) pax.push(paxRecord(`SCHILY.xattr.${k}`, Buffer.from(v)));
    if (pax.length > 0) {
      const body = Buffer.concat(pax);
      parts.push(rawHeader('PaxHeaders/x', body.length, 'x'), pad(body));
    }
    parts.push(rawHeader(name, data.length, flag, { mode: e.mode ?? (type === 'dir' ? 0o755 : 0o644), uid: e.uid, gid: e.gid, linkname: e.linkname }));
    if (data.length > 0) parts.push(pad(data));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export interface ImageSpec {
  layers: TarSpec[][];
  /** History entries; `layer: true` ones make a layer (in order). Default: one RUN per layer. */
  history?: { created_by: string; empty_layer?: boolean; created?: string }[];
  config?: Record<string, unknown>;
  created?: string;
  repoTags?: string[];
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function imageConfig(spec: ImageSpec, layerTars: Buffer[]): Buffer {
  const created = spec.created ?? new Date().toISOString();
  const history = spec.history ?? layerTars.map((_, i) => ({ created_by: `/bin/sh -c echo layer ${i}`, created }));
  return Buffer.from(JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    created,
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], ...spec.config },
    history: history.map((h) => ({ created: h.created ?? created, ...h })),
    rootfs: { type: 'layers', diff_ids: layerTars.map((t) => `sha256:${sha(t)}`) },
  }));
}

/** A docker 20.10 `docker save` archive: `<id>/layer.tar`s first, then the config, manifest.json last. */
export function dockerSave(spec: ImageSpec): Buffer {
  const layerTars = spec.layers.map((l) => tar(l));
  const config = imageConfig(spec, layerTars);
  const configName = `${sha(config)}.json`;
  const ids = layerTars.map((t, i) => sha(Buffer.concat([t, Buffer.from(String(i))])));
  const manifest = [{ Config: configName, RepoTags: spec.repoTags ?? ['test/image:latest'], Layers: ids.map((id) => `${id}/layer.tar`) }];
  const outer: TarSpec[] = [];
  // docker writes layer directories sorted by id, not in layer order
  const order = ids.map((id, i) => ({ id, i })).sort((a, b) => a.id.localeCompare(b.id));
  for (const { id, i } of order) {
    outer.push({ path: `${id}`, type: 'dir' }, { path: `${id}/VERSION`, data: '1.0' }, { path: `${id}/json`, data: '{}' }, { path: `${id}/layer.tar`, data: layerTars[i]! });
  }
  outer.push({ path: configName, data: config }, { path: 'manifest.json', data: JSON.stringify(manifest) }, { path: 'repositories', data: '{}' });
  return tar(outer);
}

/** An OCI image layout (gzip'd layers) as files: path → content. */
export function ociFiles(spec: ImageSpec, ref = 'latest'): Map<string, Buffer> {
  const layerTars = spec.layers.map((l) => tar(l));
  const config = imageConfig(spec, layerTars);
  const files = new Map<string, Buffer>();
  const blob = (b: Buffer): string => {
    const d = sha(b);
    files.set(`blobs/sha256/${d}`, b);
    return `sha256:${d}`;
  };
  const gz = layerTars.map((t) => gzipSync(t));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: blob(config), size: config.length },
    layers: gz.map((g) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: blob(g), size: g.length })),
  }));
  const md = blob(manifest);
  files.set('oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}'));
  files.set('index.json', Buffer.from(JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: md, size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': ref } }],
  })));
  return files;
}

export function writeOciDir(dir: string, spec: ImageSpec): void {
  for (const [p, b] of ociFiles(spec)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), b);
  }
}

/** An OCI layout inside a tar (as `docker save` of docker 25+ and `buildx --output type=oci` write). */
export function ociTar(spec: ImageSpec): Buffer {
  return tar([...ociFiles(spec)].map(([path, data]) => ({ path, data })));
}
