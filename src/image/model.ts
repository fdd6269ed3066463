// The image as pyship reads it (config, history, layers, the final filesystem): the model that the reader fills and
// the image rules judge, kept free of reading code so the rule contract can name it from below.

export type EntryType = 'file' | 'hardlink' | 'symlink' | 'char' | 'block' | 'dir' | 'fifo' | 'other';

/** A layer tar's entry as the image keeps it (the tar's mtime dropped: nothing judges it). */
export interface LayerEntry {
  path: string;
  type: EntryType;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  linkname: string;
  /** Extended attributes from pax headers (`SCHILY.xattr.*`, `LIBARCHIVE.xattr.*`), raw values. */
  xattrs?: Record<string, Buffer>;
  /**
   * A GNU sparse file: the bytes the archive stores for it (its data regions, plus the map for pax 1.0), while `size`
   * is its real (apparent) size, holes included. Undefined for every other entry (stored = size).
   */
  stored?: number;
}

export interface Healthcheck {
  /** `["CMD", …]`, `["CMD-SHELL", "…"]` or `["NONE"]`. */
  test: string[];
  intervalNs?: number;
  timeoutNs?: number;
  retries?: number;
}

export interface ImageConfig {
  user: string;
  exposedPorts: string[];
  env: string[];
  entrypoint: string[];
  cmd: string[];
  healthcheck: Healthcheck | undefined;
  labels: Record<string, string>;
  stopSignal: string | undefined;
  workingDir: string;
}

export interface HistoryEntry {
  created: string | undefined;
  createdBy: string;
  emptyLayer: boolean;
  comment: string | undefined;
  /** Index of the layer this entry made (undefined for metadata-only entries). */
  layer: number | undefined;
}

export interface Layer {
  index: number;
  /** Path of the layer in the archive (`<id>/layer.tar`, `blobs/sha256/<hex>`). */
  key: string;
  diffId: string | undefined;
  compressed: boolean;
  /** Every entry of the layer tar except whiteout markers. */
  entries: LayerEntry[];
  /** Paths this layer deletes (`.wh.<name>`). */
  whiteouts: string[];
  /** Directories whose lower contents this layer hides (`.wh..wh..opq`). */
  opaques: string[];
  /** Bytes of regular files in the layer. */
  size: number;
  history: HistoryEntry | undefined;
  /** Bytes of this layer's files that later layers overwrite or delete. */
  wasted: number;
  /** Bytes this layer rewrites with the same size and only owner/mode changed (chown/chmod -R copies). */
  metadataRewrites: number;
}

export interface IndexedFile {
  entry: LayerEntry;
  /** Index of the layer that wrote the visible version. */
  layer: number;
}

export interface ImageData {
  ref: string;
  config: ImageConfig;
  created: string | undefined;
  architecture: string | undefined;
  os: string | undefined;
  history: HistoryEntry[];
  layers: Layer[];
  /** The final filesystem after whiteouts: path (no leading slash) → entry and writing layer. */
  files: Map<string, IndexedFile>;
  /** Children of each directory in `files` ('' is the root). */
  children: Map<string, Set<string>>;
  /** Sum of layer sizes. */
  totalSize: number;
  /** Bytes in layers that the final filesystem does not show. */
  wastedBytes: number;
  /** Contents of small files pyship reads (passwd, os-release, pyvenv.cfg) as the final filesystem shows them. */
  contents: Map<string, Buffer>;
  notes: string[];
}
