// An immutable string-keyed map whose updates share structure (a hash array mapped trie): every instruction keeps a
// snapshot of the ENV/ARG in effect, and copying a Map per ENV or ARG made parse time and memory quadratic in them.

interface Entry<V> {
  key: string;
  value: V;
  /** Insertion order, so iteration matches a Map's (a key set again keeps its place). */
  seq: number;
}

/** Entries whose keys share one 32-bit hash (almost always one). */
interface Bucket<V> {
  kind: 1;
  hash: number;
  entries: readonly Entry<V>[];
}

interface Branch<V> {
  kind: 0;
  bitmap: number;
  slots: readonly Slot<V>[];
}

type Slot<V> = Branch<V> | Bucket<V>;

const BITS = 5;
const MASK = 31;
let nextSeq = 0;

/** FNV-1a over UTF-16 code units. */
function hashOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

function find<V>(root: Branch<V>, hash: number, key: string): Entry<V> | undefined {
  let node: Branch<V> = root;
  for (let shift = 0; ; shift += BITS) {
    const bit = 1 << ((hash >>> shift) & MASK);
    if ((node.bitmap & bit) === 0) return undefined;
    const slot = node.slots[popcount(node.bitmap & (bit - 1))]!;
    if (slot.kind === 1) return slot.hash === hash ? slot.entries.find((e) => e.key === key) : undefined;
    node = slot;
  }
}

/** A branch holding two buckets of different hashes, as deep as their hashes agree. */
function split<V>(a: Bucket<V>, b: Bucket<V>, shift: number): Branch<V> {
  const ia = (a.hash >>> shift) & MASK;
  const ib = (b.hash >>> shift) & MASK;
  if (ia === ib) return { kind: 0, bitmap: 1 << ia, slots: [split(a, b, shift + BITS)] };
  return { kind: 0, bitmap: (1 << ia) | (1 << ib), slots: ia < ib ? [a, b] : [b, a] };
}

/** The branch with `key` set; `added` tells the caller whether the key was new. */
function insert<V>(node: Branch<V>, hash: number, key: string, value: V, shift: number, added: { yes: boolean }): Branch<V> {
  const bit = 1 << ((hash >>> shift) & MASK);
  const idx = popcount(node.bitmap & (bit - 1));
  if ((node.bitmap & bit) === 0) {
    added.yes = true;
    const slots = node.slots.slice();
    slots.splice(idx, 0, { kind: 1, hash, entries: [{ key, value, seq: nextSeq++ }] });
    return { kind: 0, bitmap: node.bitmap | bit, slots };
  }
  const slot = node.slots[idx]!;
  let next: Slot<V>;
  if (slot.kind === 0) next = insert(slot, hash, key, value, shift + BITS, added);
  else if (slot.hash !== hash) {
    added.yes = true;
    next = split(slot, { kind: 1, hash, entries: [{ key, value, seq: nextSeq++ }] }, shift + BITS);
  } else {
    const at = slot.entries.findIndex((e) => e.key === key);
    const entries = slot.entries.slice();
    if (at < 0) {
      added.yes = true;
      entries.push({ key, value, seq: nextSeq++ });
    } else entries[at] = { key, value, seq: slot.entries[at]!.seq };
    next = { kind: 1, hash, entries };
  }
  const slots = node.slots.slice();
  slots[idx] = next;
  return { kind: 0, bitmap: node.bitmap, slots };
}

function collect<V>(node: Branch<V>, out: Entry<V>[]): void {
  for (const s of node.slots) {
    if (s.kind === 1) out.push(...s.entries);
    else collect(s, out);
  }
}

const EMPTY_ROOT: Branch<never> = { kind: 0, bitmap: 0, slots: [] };

/** Read like a Map; `with` returns a new map and leaves this one as it was. */
export class PersistentMap<V> implements ReadonlyMap<string, V> {
  static empty<V>(): PersistentMap<V> {
    return new PersistentMap<V>(EMPTY_ROOT, 0);
  }

  static from<V>(entries: Iterable<readonly [string, V]>): PersistentMap<V> {
    let m = PersistentMap.empty<V>();
    for (const [k, v] of entries) m = m.with(k, v);
    return m;
  }

  private constructor(
    private readonly root: Branch<V>,
    readonly size: number,
  ) {}

  get(key: string): V | undefined {
    return find(this.root, hashOf(key), key)?.value;
  }

  has(key: string): boolean {
    return find(this.root, hashOf(key), key) !== undefined;
  }

  /** Where the key comes in iteration order, comparable between keys of one map (undefined when absent). */
  order(key: string): number | undefined {
    return find(this.root, hashOf(key), key)?.seq;
  }

  with(key: string, value: V): PersistentMap<V> {
    const added = { yes: false };
    const root = insert(this.root, hashOf(key), key, value, 0, added);
    return new PersistentMap(root, added.yes ? this.size + 1 : this.size);
  }

  /**
   * Iteration is rare (end-of-stage environments) and O(n log n); not cached, so that iterating many snapshots can't
   * keep a copy of each. A rule that iterates the state of every instruction is quadratic: ask get/has instead.
   */
  private asMap(): Map<string, V> {
    const all: Entry<V>[] = [];
    collect(this.root, all);
    all.sort((a, b) => a.seq - b.seq);
    return new Map(all.map((e) => [e.key, e.value]));
  }

  forEach(callback: (value: V, key: string, map: ReadonlyMap<string, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.asMap()) callback.call(thisArg, v, k, this);
  }

  entries(): MapIterator<[string, V]> {
    return this.asMap().entries();
  }

  keys(): MapIterator<string> {
    return this.asMap().keys();
  }

  values(): MapIterator<V> {
    return this.asMap().values();
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.asMap()[Symbol.iterator]();
  }
}
