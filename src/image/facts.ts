// The image as its rules see it: the image read, plus the facts several checks and the audit report share (the base
// boundary, the environment, the command, bytecode, distributions…), computed once per audit.
import { redact } from '../redact.js';
import { envMap, lookup, resolveBinary } from './filesystem.js';
import { baseBoundary, instructionText, type BaseInfo } from './history.js';
import type { ImageData } from './model.js';
import { countBytecode, listDistributions, pythonTags, type Bytecode, type Distribution } from './python.js';

export interface ImageFacts extends ImageData {
  /** Config `Env` by name. */
  env: ReadonlyMap<string, string>;
  /** What the container runs: ENTRYPOINT then CMD. */
  command: readonly string[];
  base: BaseInfo;
  /** Did the image's own build make this layer (not its base)? */
  own(layer: number): boolean;
  /** Days from `created` to the audit's clock; undefined without a creation date. */
  ageDays: number | undefined;
  /** Bytes the final filesystem shows, of all the layers hold (1 for an empty image). */
  efficiency: number;
  bytecode: Bytecode;
  /** Bytecode tags (`cpython-313`) of the image's CPython interpreters. */
  pythonTags: ReadonlySet<string>;
  distributions: Distribution[];
  /** Where exec finds a command (absolute, or on `$PATH`), symlinks followed: its path without leading slash. */
  resolveBinary(cmd: string): string | undefined;
  /** A path in the final filesystem with symlinks followed, or undefined when the image lacks it. */
  lookup(path: string): string | undefined;
  /** `layer 4 (RUN pip install flask==3.1.0)`, secrets masked: how messages name a layer. */
  layerName(layer: number): string;
}

const KB = 1000;
const MB = 1000 * 1000;

export function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= MB) return `${(n / MB).toFixed(1)} MB`;
  if (n >= KB) return `${(n / KB).toFixed(1)} kB`;
  return `${n} B`;
}

/** Mask secret values in a history line or ENV value: the one redaction every output uses (src/redact.ts). */
export function maskSecrets(text: string): string {
  return redact(text, { source: true });
}

function truncate(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

export function imageFacts(img: ImageData, opts: { now: Date; baseLayers?: (name: string) => string[] | undefined }): ImageFacts {
  const base = baseBoundary(img, opts.baseLayers);
  const created = Date.parse(img.created ?? '');
  return {
    ...img,
    env: envMap(img.config.env),
    command: [...img.config.entrypoint, ...img.config.cmd],
    base,
    own: (layer) => layer >= base.ownFrom,
    ageDays: Number.isFinite(created) ? (opts.now.getTime() - created) / 86_400_000 : undefined,
    efficiency: img.totalSize === 0 ? 1 : (img.totalSize - img.wastedBytes) / img.totalSize,
    bytecode: countBytecode(img),
    pythonTags: pythonTags(img),
    distributions: listDistributions(img),
    resolveBinary: (cmd) => resolveBinary(img, cmd),
    lookup: (path) => lookup(img, path),
    layerName: (l) => {
      const h = img.layers[l]?.history;
      const by = h ? instructionText(h.createdBy) : '';
      return `layer ${l}${by ? ` (${truncate(maskSecrets(by), 60)})` : ''}`;
    },
  };
}
