// The audit's comparison of the Python distributions installed in an image with the project's lock or pins
// (`pyship audit --project`): report data, not a rule.
import { normalizeDist, type Distribution } from '../image/python.js';

export interface LockedSet {
  /** Files the pins came from. */
  sources: string[];
  versions: Map<string, string>;
}

export interface LockComparison {
  sources: string[];
  location: string | undefined;
  matching: number;
  /** Locked but installed at another version. */
  mismatched: { name: string; locked: string; installed: string }[];
  /** Locked but not installed (may be dev-only). */
  missing: { name: string; locked: string }[];
  /** Installed in the app's environment but not locked. */
  extra: { name: string; installed: string }[];
}

const normVersion = (v: string): string => v.trim().replace(/^==/, '').replace(/(\.0)+$/, '').toLowerCase();

export function compareLock(dists: Distribution[], locked: LockedSet): LockComparison {
  // the environment the app uses: the site-packages holding most of the locked names
  const byLoc = new Map<string, Map<string, string>>();
  for (const d of dists) {
    let m = byLoc.get(d.location);
    if (!m) byLoc.set(d.location, (m = new Map()));
    m.set(normalizeDist(d.name), d.version);
  }
  let best: string | undefined;
  let bestHits = 0;
  for (const [loc, m] of byLoc) {
    const hits = [...locked.versions.keys()].filter((n) => m.has(n)).length;
    if (hits > bestHits) {
      bestHits = hits;
      best = loc;
    }
  }
  const installed = new Map<string, string>();
  // every environment counts for presence; the app's one wins for versions
  for (const [loc, m] of byLoc) if (loc !== best) for (const [n, v] of m) installed.set(n, v);
  if (best) for (const [n, v] of byLoc.get(best)!) installed.set(n, v);
  const out: LockComparison = { sources: locked.sources, location: best, matching: 0, mismatched: [], missing: [], extra: [] };
  for (const [n, v] of [...locked.versions].sort()) {
    const got = installed.get(n);
    if (got === undefined) out.missing.push({ name: n, locked: v });
    else if (normVersion(got) !== normVersion(v)) out.mismatched.push({ name: n, locked: v, installed: got });
    else out.matching++;
  }
  if (best) {
    for (const [n, v] of [...byLoc.get(best)!].sort()) {
      if (!locked.versions.has(n) && !['pip', 'setuptools', 'wheel', 'distribute'].includes(n)) out.extra.push({ name: n, installed: v });
    }
  }
  return out;
}
