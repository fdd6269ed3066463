// Caches derived facts per model object: rules ask the same questions of the same stage many times, and the model
// is immutable after parsing. Cached arrays are frozen so a caller that mutates a shared result fails loudly.
const UNDEF = {};

function freeze<R>(value: R): R {
  return Array.isArray(value) ? (Object.freeze(value) as R) : value;
}

/** Memoize on the identity of the first argument (and, optionally, further arguments of any kind). */
export function memo<A extends object, R>(fn: (a: A) => R): (a: A) => R {
  const cache = new WeakMap<A, R>();
  return (a) => {
    if (cache.has(a)) return cache.get(a)!;
    const r = freeze(fn(a));
    cache.set(a, r);
    return r;
  };
}

export function memo2<A extends object, B, R>(fn: (a: A, b: B) => R): (a: A, b: B) => R {
  const cache = new WeakMap<A, Map<unknown, R>>();
  return (a, b) => {
    let inner = cache.get(a);
    if (!inner) cache.set(a, (inner = new Map()));
    const key = b === undefined ? UNDEF : b;
    if (inner.has(key)) return inner.get(key)!;
    const r = freeze(fn(a, b));
    inner.set(key, r);
    return r;
  };
}

export function memo3<A extends object, B, C, R>(fn: (a: A, b: B, c: C) => R): (a: A, b: B, c: C) => R {
  const cache = new WeakMap<A, Map<unknown, Map<unknown, R>>>();
  return (a, b, c) => {
    let m1 = cache.get(a);
    if (!m1) cache.set(a, (m1 = new Map()));
    const kb = b === undefined ? UNDEF : b;
    let m2 = m1.get(kb);
    if (!m2) m1.set(kb, (m2 = new Map()));
    const kc = c === undefined ? UNDEF : c;
    if (m2.has(kc)) return m2.get(kc)!;
    const r = freeze(fn(a, b, c));
    m2.set(kc, r);
    return r;
  };
}

export function memo4<A extends object, B, C, D, R>(fn: (a: A, b: B, c: C, d: D) => R): (a: A, b: B, c: C, d: D) => R {
  const cache = memo3((_a: A, _b: B, _c: C) => new Map<unknown, R>());
  return (a, b, c, d) => {
    const m = cache(a, b, c);
    const kd = d === undefined ? UNDEF : d;
    if (m.has(kd)) return m.get(kd)!;
    const r = freeze(fn(a, b, c, d));
    m.set(kd, r);
    return r;
  };
}
