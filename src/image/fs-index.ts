// An image's final filesystem rebuilt from its layers in order, whiteouts applied: which layer wrote each visible
// path, and how many bytes each layer holds that later layers overwrite, delete or only re-own.
import { dirnamePosix } from '../dockerfile/paths.js';
import type { IndexedFile, Layer, LayerEntry } from './model.js';

export class FsIndex {
  readonly files = new Map<string, IndexedFile>();
  readonly children = new Map<string, Set<string>>();

  constructor(private readonly onDrop: (f: IndexedFile) => void) {}

  /** Record `path` under its parent, and implicit parent directories (no entry of their own) under theirs. */
  private link(path: string): void {
    let p = path;
    while (p !== '') {
      const parent = dirnamePosix(p);
      let set = this.children.get(parent);
      if (!set) this.children.set(parent, (set = new Set()));
      if (set.has(p)) return;
      set.add(p);
      p = parent;
    }
  }

  removeTree(path: string): void {
    const kids = this.children.get(path);
    if (kids) {
      for (const k of [...kids]) this.removeTree(k);
      this.children.delete(path);
    }
    const f = this.files.get(path);
    if (f) {
      this.files.delete(path);
      this.onDrop(f);
    }
    this.children.get(dirnamePosix(path))?.delete(path);
  }

  clearChildren(dir: string): void {
    const kids = this.children.get(dir);
    if (kids) for (const k of [...kids]) this.removeTree(k);
  }

  put(entry: LayerEntry, layer: number): IndexedFile | undefined {
    const old = this.files.get(entry.path);
    if (old && old.entry.type === 'dir' && entry.type !== 'dir') this.removeTree(entry.path);
    else if (old) this.onDrop(old);
    this.files.set(entry.path, { entry, layer });
    this.link(entry.path);
    return old;
  }
}

/** Apply the layers in order; fills each layer's `wasted` and `metadataRewrites`. */
export function buildIndex(layers: Layer[]): FsIndex {
  const index = new FsIndex((f) => {
    if (f.entry.type === 'file') layers[f.layer]!.wasted += f.entry.stored ?? f.entry.size;
  });
  for (const layer of layers) {
    for (const w of layer.whiteouts) index.removeTree(w);
    for (const d of layer.opaques) index.clearChildren(d);
    for (const e of layer.entries) {
      const old = index.put(e, layer.index);
      if (old && old.entry.type === 'file' && e.type === 'file' && old.entry.size === e.size && e.size > 0 &&
        (old.entry.uid !== e.uid || old.entry.gid !== e.gid || old.entry.mode !== e.mode)) {
        layer.metadataRewrites += e.stored ?? e.size;
      }
    }
  }
  return index;
}
