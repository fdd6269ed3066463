// Where an image's bytes come from: a `docker save` stream (the engine's `save(image)`), a tar file, or an OCI layout
// directory. Only src/engine spawns the engine; this module just classifies the argument and asks the engine.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Engine } from '../engine/types.js';

export type ImageSource =
  | { kind: 'stream'; stream: Readable; ref: string; /** Resolves when the producer exited; rejects on failure. */ done?: Promise<void> }
  /** An engine's image: `save` streams it only when the layer cache and the engine's local store cannot give it. */
  | { kind: 'engine'; ref: string; save: () => Readable; /** `docker image inspect` of the image. */ info?: unknown }
  | { kind: 'tar'; path: string; ref?: string }
  | { kind: 'oci'; path: string; ref?: string };

/** The input is not a readable image (or the engine could not produce it): the CLI exits 2 with the message. */
export class ImageSourceError extends Error {}

/** An image of the engine, as a source: `docker save IMAGE` unless `info` (its inspect) leads to a faster way. */
export function engineSource(engine: Pick<Engine, 'save'>, image: string, info?: unknown): ImageSource {
  return { kind: 'engine', ref: image, save: () => engine.save(image), info };
}

/** The layer diff ids of a local image (`RootFS.Layers`), or undefined when the engine does not know it. */
export function engineLayers(engine: Pick<Engine, 'inspect'>, ref: string): string[] | undefined {
  let info: unknown;
  try {
    info = engine.inspect(ref);
  } catch {
    return undefined;
  }
  const layers = (info as { RootFS?: { Layers?: unknown } } | undefined)?.RootFS?.Layers;
  return Array.isArray(layers) ? layers.filter((x): x is string => typeof x === 'string') : undefined;
}

/** A tar path, an OCI layout directory (or an extracted `docker save`), or else an image reference for the engine. */
export function classifyImageArg(arg: string, cwd: string): { kind: 'tar' | 'oci'; path: string } | { kind: 'ref'; ref: string } {
  const p = arg.startsWith('/') ? arg : join(cwd, arg);
  if (existsSync(p)) {
    const st = statSync(p);
    if (st.isDirectory()) {
      if (existsSync(join(p, 'index.json')) || existsSync(join(p, 'oci-layout')) || existsSync(join(p, 'manifest.json'))) return { kind: 'oci', path: p };
      throw new ImageSourceError(`${arg} is a directory but not an OCI image layout (no index.json, oci-layout or manifest.json)`);
    }
    return { kind: 'tar', path: p };
  }
  // an image reference never starts with / or . and `docker save` archives end in .tar: a path that is not there
  if (/^\.{0,2}\//.test(arg) || /\.(tar|tar\.gz|tgz)$/i.test(arg)) {
    throw new ImageSourceError(`${arg}: no such file (audit reads an image by reference, a \`docker save\` archive or an OCI layout directory)`);
  }
  return { kind: 'ref', ref: arg };
}
