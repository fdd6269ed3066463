import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { TarParser, type TarEntry } from '../../src/image/tar.js';
import { readImage } from '../../src/image/read.js';
import { classifyImageArg, ImageSourceError } from '../../src/image/source.js';
import { dockerSave, ociTar, tar, writeOciDir } from './archive.js';
import { badImage, goodImage } from './fixtures.js';

function parseAll(buf: Buffer, chunk: number): { entries: TarEntry[]; data: Map<string, string> } {
  const entries: TarEntry[] = [];
  const data = new Map<string, string>();
  const p = new TarParser({
    entry(e) {
      entries.push(e);
      let s = '';
      data.set(e.path, '');
      return (c) => {
        s += c.toString('latin1');
        data.set(e.path, s);
      };
    },
  });
  for (let i = 0; i < buf.length; i += chunk) p.write(buf.subarray(i, i + chunk));
  p.end();
  return { entries, data };
}

const tmp = (): string => mkdtempSync(join(tmpdir(), 'pyship-image-'));

describe('TarParser', () => {
  const long = 'a/' + 'very-long-directory-name/'.repeat(6) + 'file.txt';
  const archive = tar([
    { path: 'dir', type: 'dir' },
    { path: 'dir/hello.txt', data: 'hello world', mode: 0o4755, uid: 10001, gid: 20 },
    { path: long, data: 'pax path' },
    { path: long.replace('file', 'gnu'), data: 'gnu path', gnuLongName: true },
    { path: 'usr/bin/ping', data: 'x', xattrs: { 'security.capability': Buffer.from([1, 0, 0, 2, 0x20, 0, 0, 0]) } },
    { path: 'link', type: 'symlink', linkname: 'dir/hello.txt' },
    { path: 'hard', type: 'hardlink', linkname: 'dir/hello.txt' },
  ]);

  it.each([1, 7, 512, 513, 65536])('parses the same entries whatever the chunk size (%i)', (chunk) => {
    const { entries, data } = parseAll(archive, chunk);
    expect(entries.map((e) => [e.path, e.type])).toEqual([
      ['dir/', 'dir'], ['dir/hello.txt', 'file'], [long, 'file'], [long.replace('file', 'gnu'), 'file'], ['usr/bin/ping', 'file'], ['link', 'symlink'], ['hard', 'hardlink'],
    ]);
    const hello = entries[1]!;
    expect([hello.size, hello.mode, hello.uid, hello.gid]).toEqual([11, 0o4755, 10001, 20]);
    expect(data.get('dir/hello.txt')).toBe('hello world');
    expect(data.get(long)).toBe('pax path');
    expect(data.get(long.replace('file', 'gnu'))).toBe('gnu path');
    expect(entries[4]!.xattrs?.['security.capability']).toEqual(Buffer.from([1, 0, 0, 2, 0x20, 0, 0, 0]));
    expect(entries[5]!.linkname).toBe('dir/hello.txt');
    expect(entries[1]!.xattrs).toBeUndefined();
  });

  it('rejects a truncated archive and a non-tar', () => {
    expect(() => parseAll(archive.subarray(0, 700), 100)).toThrow(/truncated/);
    expect(() => parseAll(Buffer.alloc(1024, 0x41), 1024)).toThrow(/not a tar archive/);
  });
});

describe('readImage', () => {
  it('reads a docker save archive: config, history, layers, whiteouts, the final filesystem and waste', async () => {
    const img = await readImage({ kind: 'stream', stream: Readable.from([dockerSave(badImage())]), ref: 'bad:latest' });
    expect(img.ref).toBe('bad:latest');
    expect(img.layers).toHaveLength(7);
    expect(img.config.user).toBe('');
    expect(img.config.exposedPorts).toEqual(['80/tcp']);
    expect(img.config.healthcheck?.test).toEqual(['CMD', 'curl', '-f', 'http://localhost/']);
    expect(img.config.workingDir).toBe('/app');
    expect(img.history).toHaveLength(10);
    // history entries that made layers are matched to them in order
    expect(img.layers[2]!.history?.createdBy).toMatch(/apt-get install -y gcc/);
    expect(img.layers[6]!.history?.createdBy).toMatch(/chown -R/);
    expect(img.history[2]!.layer).toBeUndefined();
    // whiteouts: recorded on the layer, applied to the final filesystem
    expect(img.layers[5]!.whiteouts.sort()).toEqual(['app/id_rsa', 'opt/big.bin']);
    expect(img.files.has('app/id_rsa')).toBe(false);
    expect(img.files.has('opt/big.bin')).toBe(false);
    expect(img.files.get('app/main.py')?.layer).toBe(3);
    expect(img.files.get('opt/data/blob')).toMatchObject({ layer: 6, entry: { uid: 10001 } });
    // wasted: the deleted 2 MB file and the chown'd copy's original, on the layers that wrote them
    expect(img.layers[4]!.wasted).toBe(2_000_000 + 1_500_000);
    expect(img.layers[3]!.wasted).toBe('-----BEGIN OPENSSH PRIVATE KEY-----\n'.length);
    expect(img.layers[6]!.metadataRewrites).toBe(1_500_000);
    expect(img.wastedBytes).toBe(img.layers.reduce((s, l) => s + l.wasted, 0));
    expect(img.totalSize).toBe(img.layers.reduce((s, l) => s + l.size, 0));
    // xattrs and modes survive
    expect(img.files.get('usr/local/bin/capped')?.entry.xattrs?.['security.capability']).toBeDefined();
    expect(img.files.get('usr/local/bin/suidtool')?.entry.mode).toBe(0o4755);
    // small files pyship reads are captured
    expect(img.contents.get('etc/passwd')?.toString()).toMatch(/^root:x:0:0/);
  });

  it('applies opaque directories and type changes', async () => {
    const img = await readImage({
      kind: 'stream', ref: 'x',
      stream: Readable.from([dockerSave({
        layers: [
          [{ path: 'd', type: 'dir' }, { path: 'd/a', size: 10 }, { path: 'd/sub/b', size: 20 }, { path: 'f', type: 'dir' }, { path: 'f/inner', size: 5 }],
          [{ path: 'd', type: 'dir' }, { path: 'd/.wh..wh..opq' }, { path: 'd/c', size: 30 }, { path: 'f', size: 1 }],
        ],
      })]),
    });
    expect([...img.files.keys()].sort()).toEqual(['d', 'd/c', 'f']);
    expect(img.layers[1]!.opaques).toEqual(['d']);
    expect(img.layers[0]!.wasted).toBe(35);
    expect(img.files.get('f')?.entry.type).toBe('file');
  });

  it('reads an OCI layout directory and an OCI tar with gzip-compressed layers', async () => {
    const dir = tmp();
    writeOciDir(dir, goodImage());
    const a = await readImage({ kind: 'oci', path: dir });
    expect(a.layers.every((l) => l.compressed)).toBe(true);
    expect(a.config.user).toBe('app');
    expect(a.files.get('usr/bin/tini')?.layer).toBe(2);
    const file = join(tmp(), 'image.tar');
    writeFileSync(file, ociTar(goodImage()));
    const b = await readImage({ kind: 'tar', path: file });
    expect([...b.files.keys()].sort()).toEqual([...a.files.keys()].sort());
    expect(b.totalSize).toBe(a.totalSize);
  });

  it('streams a large layer in small chunks without holding it', async () => {
    // 64 MB of file data in 64 kB chunks: only metadata is kept
    const big = dockerSave({ layers: [[{ path: 'big/blob', size: 64 * 1024 * 1024 }, { path: 'small', data: 'x' }]] });
    const chunks = function* () {
      for (let i = 0; i < big.length; i += 65536) yield big.subarray(i, i + 65536);
    };
    const img = await readImage({ kind: 'stream', stream: Readable.from(chunks()), ref: 'big' });
    expect(img.files.get('big/blob')?.entry.size).toBe(64 * 1024 * 1024);
    expect(img.totalSize).toBe(64 * 1024 * 1024 + 1);
  });

  it('a path that is not there is "no such file", never an image reference for the engine', () => {
    for (const arg of ['/nonexistent.tar', './missing', '../x/img.tar.gz', 'build/app.tar']) {
      expect(() => classifyImageArg(arg, tmp()), arg).toThrow(new RegExp(`^${arg.replace(/[.]/g, '\\.')}: no such file`));
    }
    expect(classifyImageArg('python:3.13-slim', tmp())).toEqual({ kind: 'ref', ref: 'python:3.13-slim' });
    expect(classifyImageArg('ghcr.io/acme/app:v1', tmp())).toEqual({ kind: 'ref', ref: 'ghcr.io/acme/app:v1' });
  });

  it('fails clearly on input that is not an image', async () => {
    const file = join(tmp(), 'plain.tar');
    writeFileSync(file, tar([{ path: 'hello.txt', data: 'hi' }]));
    await expect(readImage({ kind: 'tar', path: file })).rejects.toThrow(ImageSourceError);
    await expect(readImage({ kind: 'tar', path: file })).rejects.toThrow(/no manifest\.json/);
    const cut = join(tmp(), 'cut.tar');
    writeFileSync(cut, dockerSave(goodImage()).subarray(0, 3000));
    await expect(readImage({ kind: 'tar', path: cut })).rejects.toThrow(/truncated/);
    // the message names the archive: `audit junk.tar` said only "not a readable image archive"
    await expect(readImage({ kind: 'tar', path: cut })).rejects.toThrow(new RegExp(`^${cut}: not a readable image archive: truncated`));
    await expect(readImage({ kind: 'tar', path: file })).rejects.toThrow(new RegExp(`^${file}: `));
    const failing = new Readable({ read() { this.destroy(new Error('docker save nope:1 failed (exit 1): No such image')); } });
    await expect(readImage({ kind: 'stream', stream: failing, ref: 'nope:1' })).rejects.toThrow(/No such image/);
  });
});
