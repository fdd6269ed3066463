// Which Python the image runs: a version constraint → the newest known minor it allows.
import { PYTHON_RELEASES } from '../project/python-releases.js';

const KNOWN = PYTHON_RELEASES.map((r) => Number(r.minor.split('.')[1]));

/** Every known minor a constraint allows (`>=3.10,<3.13` → 3.10, 3.11, 3.12), oldest first. */
export function allowedMinors(value: string): string[] {
  const v = value.trim().replace(/^python-?/, '');
  return KNOWN.filter((minor) => v.split(/\s*,\s*|\s+/).filter(Boolean).every((c) => satisfies(minor, c))).map((m) => `3.${m}`);
}

/** `>=3.10,<3.13` / `^3.11` / `3.12.4` / `~=3.11` → the newest known minor the constraint allows. */
export function pythonFromConstraint(value: string): string | undefined {
  const v = value.trim().replace(/^python-?/, '');
  const exact = /^(\d+)\.(\d+)(?:\.[\d*]+)?(?:[a-z]+\d*)?$/.exec(v);
  if (exact) return `${exact[1]}.${exact[2]}`;
  const allowed = allowedMinors(v);
  return allowed.length > 0 ? allowed[allowed.length - 1] : undefined;
}

function satisfies(minor: number, c: string): boolean {
  const m = /^(===|>=|<=|==|!=|~=|>|<|\^|~)?\s*(\d+)(?:\.(\d+|\*))?(?:\.(\d+|\*))?/.exec(c);
  if (!m) return true;
  const op = m[1] ?? '==';
  const major = Number(m[2]);
  // another major: `<4`, `<4.0` allow every 3.x, `>=4` none
  if (major !== 3) return major > 3 ? op === '<' || op === '<=' || op === '!=' : op === '>' || op === '>=' || op === '!=';
  const mm = m[3] === undefined || m[3] === '*' ? undefined : Number(m[3]);
  const patch = m[4] !== undefined && m[4] !== '*' ? Number(m[4]) : 0;
  if (mm === undefined) return op !== '!=' && op !== '<';
  switch (op) {
    case '>=': return minor >= mm;
    case '>': return patch > 0 ? minor >= mm : minor > mm;
    case '<': return minor < mm || (minor === mm && patch > 0);
    case '<=': return minor <= mm;
    // `!=3.13` and `!=3.13.*` rule the minor out; `!=3.13.1` only one release of it
    case '!=': return (m[4] !== undefined && m[4] !== '*') || minor !== mm;
    case '~=': return m[4] !== undefined ? minor === mm : minor >= mm;
    case '^': return minor >= mm;
    case '~': return minor === mm;
    default: return minor === mm;
  }
}

