// Which of many names can be a near miss of another (closeMatch's typo test: same letters in another case, or at most
// two edits): an index over up-to-two-character deletions, so that a file with thousands of undefined references and
// thousands of variables is not compared pairwise (DF016 was quadratic in them).

/** Longer names are not indexed (their deletion sets grow with the square of the length); they are always offered. */
const MAX_INDEXED = 32;

/** The strings `s` becomes with zero, one or two characters deleted. Two names within two edits (a transposition is
 * one) share one of these: each edit is undone by deleting a character on one side or both. */
function deletions(s: string): Set<string> {
  const out = new Set<string>([s]);
  for (let i = 0; i < s.length; i++) {
    const one = s.slice(0, i) + s.slice(i + 1);
    out.add(one);
    for (let j = i; j < one.length; j++) out.add(one.slice(0, j) + one.slice(j + 1));
  }
  return out;
}

export class NearNames {
  private readonly byLower = new Map<string, string[]>();
  private readonly byDeletion = new Map<string, string[]>();
  private readonly long: string[] = [];
  private readonly known = new Set<string>();

  constructor(names: Iterable<string>) {
    for (const n of names) this.add(n);
  }

  private add(name: string): void {
    if (this.known.has(name)) return;
    this.known.add(name);
    const lower = name.toLowerCase();
    const same = this.byLower.get(lower);
    if (same) same.push(name);
    else this.byLower.set(lower, [name]);
    if (name.length > MAX_INDEXED) {
      this.long.push(name);
      return;
    }
    for (const d of deletions(name)) {
      const list = this.byDeletion.get(d);
      if (list) list.push(name);
      else this.byDeletion.set(d, [name]);
    }
  }

  /** Every added name that closeMatch could pick for `name` (a superset: the caller still decides). */
  candidates(name: string): Set<string> {
    const out = new Set<string>(this.byLower.get(name.toLowerCase()) ?? []);
    for (const n of this.long) out.add(n);
    if (name.length <= MAX_INDEXED + 2) {
      for (const d of deletions(name)) for (const n of this.byDeletion.get(d) ?? []) out.add(n);
    }
    return out;
  }
}
