// The guide's eight phases of adoption (practices.md, "Phased plan"): which rules each phase asks for, in the guide's
// order. Beside the rules it names; `pyship plan` reads it, and each rule's own title and scope.

export interface PhaseSpec {
  number: number;
  name: string;
  /** As written in practices.md: codes and ranges such as `SEC009–SEC012`, in the guide's order. */
  items: readonly string[];
}

/** practices.md "Phased plan", item for item (ranges use the en dash, as there). */
export const PHASE_SPECS: readonly PhaseSpec[] = [
  { number: 1, name: 'It works', items: ['REP001', 'FAST001', 'OPS001', 'DBG001', 'OPS002', 'OPS007'] },
  { number: 2, name: 'Basic security', items: ['SEC003', 'SEC001', 'SEC004', 'SEC005', 'SEC009–SEC012', 'SIZE002'] },
  { number: 3, name: 'CI', items: ['CI003', 'CI004', 'SEC006', 'SEC008', 'CI005'] },
  { number: 4, name: 'Debuggable', items: ['DBG002', 'DBG003', 'CI001', 'DBG004'] },
  { number: 5, name: 'Correct operation', items: ['OPS003–OPS006', 'OPS008', 'APP004', 'OPS009', 'APP006–APP009'] },
  { number: 6, name: 'Reproducible', items: ['REP002–REP006', 'SEC007'] },
  { number: 7, name: 'Faster builds', items: ['FAST002–FAST005'] },
  { number: 8, name: 'Smaller images', items: ['SIZE001–SIZE006', 'MS001–MS004'] },
];

const CODE = /^([A-Z]+)(\d+)$/;

/** `SEC009–SEC012` → SEC009, SEC010, SEC011, SEC012 (en dash or hyphen); a single code → itself. */
export function expandItem(item: string): string[] {
  const parts = item.split(/\s*[–-]\s*/);
  if (parts.length === 1) return [item];
  const a = CODE.exec(parts[0]!);
  const b = CODE.exec(parts[1]!);
  if (parts.length !== 2 || !a || !b || a[1] !== b[1] || a[2]!.length !== b[2]!.length || Number(a[2]) > Number(b[2])) {
    throw new Error(`bad code range "${item}"`);
  }
  const width = a[2]!.length;
  const out: string[] = [];
  for (let n = Number(a[2]); n <= Number(b[2]); n++) out.push(`${a[1]}${String(n).padStart(width, '0')}`);
  return out;
}

export interface Phase {
  number: number;
  name: string;
  /** Every code of the phase, ranges expanded, in the guide's order. */
  codes: readonly string[];
}

export const PHASES: readonly Phase[] = PHASE_SPECS.map((p) => ({
  number: p.number,
  name: p.name,
  codes: p.items.flatMap(expandItem),
}));
