// Which official `python:<minor>-slim-<codename>` images exist, and when each CPython minor was released and ends:
// init and `check` must never name a tag that was never published (python:3.7-slim-trixie does not exist).
//
// Source of the `debian` column: the per-variant directories of docker-library/python across its history (each
// `<minor>/slim-<codename>/Dockerfile`, older layout `<minor>/<codename>/slim/Dockerfile`, is one published
// `<minor>-slim-<codename>` tag; generate-stackbrew-library.sh maps directory to tag). Release candidates (`3.8-rc/…`)
// and Ubuntu experiments (jammy, kinetic) are left out (the `alpine` column comes from the `<minor>/alpine3.N` directories), and so is forky (Debian 14, still testing in December 2026).
// Cross-checks: `3.7/slim-bookworm` holds PYTHON_VERSION 3.7.17 (the last 3.7), `3.9/slim-trixie` 3.9.24,
// `3.15/slim-trixie` 3.15.0; 3.8 has no stretch directory (real-world Dockerfiles note "python:3.8-slim-stretch doesn't
// exist", docker-library/python#428), 3.12 no buster. Release and end-of-life dates: devguide.python.org/versions and
// the release PEPs (PEP 494, 537, 569, 596, 619, 664, 693, 719, 745, 790).

export type Codename = 'stretch' | 'buster' | 'bullseye' | 'bookworm' | 'trixie';

/** Debian releases, oldest first, with their release dates (debian.org/releases). */
export const DEBIAN_RELEASES: readonly { codename: Codename; version: number; released: string }[] = [
  { codename: 'stretch', version: 9, released: '2017-06-17' },
  { codename: 'buster', version: 10, released: '2019-07-06' },
  { codename: 'bullseye', version: 11, released: '2021-08-14' },
  { codename: 'bookworm', version: 12, released: '2023-06-10' },
  { codename: 'trixie', version: 13, released: '2025-08-09' },
];

export interface PythonRelease {
  minor: string;
  /** x.y.0 release date. */
  released: string;
  /** End of life (the last security release), per the release PEP. */
  eol: string;
  /** Debian releases a `python:<minor>-slim-<codename>` tag was published for, oldest first. */
  debian: readonly Codename[];
  /** The oldest and newest Alpine release (`3.22`) a `python:<minor>-alpine<release>` tag was published for. */
  alpine: readonly [string, string];
}

/** The day the table was last checked against docker-library/python: minors past end of life by then are no longer built. */
export const TABLE_DATE = '2026-12-07';

export const PYTHON_RELEASES: readonly PythonRelease[] = [
  { minor: '3.6', released: '2016-12-23', eol: '2021-12-23', debian: ['stretch', 'buster', 'bullseye'], alpine: ['3.4', '3.15'] },
  { minor: '3.7', released: '2018-06-27', eol: '2023-06-27', debian: ['stretch', 'buster', 'bullseye', 'bookworm'], alpine: ['3.7', '3.18'] },
  { minor: '3.8', released: '2019-10-14', eol: '2024-10-07', debian: ['buster', 'bullseye', 'bookworm'], alpine: ['3.10', '3.20'] },
  { minor: '3.9', released: '2020-10-05', eol: '2025-10-31', debian: ['buster', 'bullseye', 'bookworm', 'trixie'], alpine: ['3.12', '3.22'] },
  { minor: '3.10', released: '2021-10-04', eol: '2026-10-31', debian: ['buster', 'bullseye', 'bookworm', 'trixie'], alpine: ['3.13', '3.24'] },
  { minor: '3.11', released: '2022-10-24', eol: '2027-10-31', debian: ['buster', 'bullseye', 'bookworm', 'trixie'], alpine: ['3.15', '3.24'] },
  { minor: '3.12', released: '2023-10-02', eol: '2028-10-31', debian: ['bullseye', 'bookworm', 'trixie'], alpine: ['3.17', '3.24'] },
  { minor: '3.13', released: '2024-10-07', eol: '2029-10-31', debian: ['bullseye', 'bookworm', 'trixie'], alpine: ['3.19', '3.24'] },
  { minor: '3.14', released: '2025-10-07', eol: '2030-10-31', debian: ['bookworm', 'trixie'], alpine: ['3.21', '3.24'] },
  { minor: '3.15', released: '2026-10-01', eol: '2031-10-31', debian: ['bookworm', 'trixie'], alpine: ['3.23', '3.24'] },
];

/** The minor of a version string (`3.7.17` → `3.7`), or undefined. */
export function minorOf(version: string): string | undefined {
  const m = /^(\d+)\.(\d+)/.exec(version.trim());
  return m ? `${Number(m[1])}.${Number(m[2])}` : undefined;
}

/** Numeric minor for comparisons (`3.10` → 10); other majors sort below/above 3.x. */
export function minorNumber(minor: string): number {
  const m = /^(\d+)\.(\d+)/.exec(minor);
  return m ? (Number(m[1]) - 3) * 1000 + Number(m[2]) : NaN;
}

export function pythonRelease(version: string): PythonRelease | undefined {
  const minor = minorOf(version);
  return PYTHON_RELEASES.find((r) => r.minor === minor);
}

/** Whether `python:<minor>-slim-<codename>` (and `python:<minor>-<codename>`) was ever published. */
export function tagExists(version: string, codename: string): boolean {
  return pythonRelease(version)?.debian.includes(codename as Codename) ?? false;
}

/** Minors released on or before a date (ISO `YYYY-MM-DD`), newest last. */
export function releasedBy(date: string): PythonRelease[] {
  return PYTHON_RELEASES.filter((r) => r.released <= date);
}

/** Whether the minor is past its end of life on `today` (ISO date). */
export function endOfLife(version: string, today: string): string | undefined {
  const r = pythonRelease(version);
  return r && r.eol < today ? r.eol : undefined;
}

export interface DebianChoice {
  codename: Codename;
  /** Why this release: the preferred one, or the newest that has the version. */
  why: string;
}

/**
 * The Debian release of the slim image for a Python version: `prefer` when that tag exists, else the newest release
 * that has the version. Undefined for a version no image was ever published for.
 */
export function debianFor(version: string, prefer: Codename = 'trixie'): DebianChoice | undefined {
  const r = pythonRelease(version);
  if (!r) return undefined;
  if (r.debian.includes(prefer)) return { codename: prefer, why: `python:${r.minor}-slim-${prefer} exists` };
  const newest = r.debian[r.debian.length - 1]!;
  return {
    codename: newest,
    why: `no python:${r.minor}-slim-${prefer} image was ever published (Python ${r.minor} images exist for ${r.debian.join(', ')}): ${newest} is the newest Debian release with Python ${r.minor}`,
  };
}

/** Whether images of this version are no longer built (past end of life when the table was checked, or older than the table): its tags cannot move. */
export function noLongerBuilt(version: string): boolean {
  const m = /^(\d+)(?:\.(\d+))?/.exec(version);
  if (!m) return false;
  if (Number(m[1]) < 3) return true;
  if (m[2] === undefined) return false;
  const r = pythonRelease(version);
  if (r) return r.eol < TABLE_DATE;
  return minorNumber(`3.${m[2]}`) < minorNumber(PYTHON_RELEASES[0]!.minor);
}

/** An Alpine release a `python:<minor>-alpine<release>` tag exists for: `prefer` when published, else the newest. */
export function alpineFor(version: string, prefer = '3.22'): string | undefined {
  const r = pythonRelease(version);
  if (!r) return undefined;
  const n = (v: string): number => Number(v.split('.')[1]);
  return n(prefer) >= n(r.alpine[0]) && n(prefer) <= n(r.alpine[1]) ? prefer : r.alpine[1];
}

/** The newest minor, still built, whose images exist for a Debian codename or an Alpine release (`alpine3.14`). */
export function newestWith(release: string): string | undefined {
  const alpine = /^alpine(\d+\.\d+)$/.exec(release);
  const n = (v: string): number => Number(v.split('.')[1]);
  const has = PYTHON_RELEASES.filter((r) => (alpine ? n(alpine[1]!) >= n(r.alpine[0]) && n(alpine[1]!) <= n(r.alpine[1]) : r.debian.includes(release as Codename)));
  const live = has.filter((r) => !noLongerBuilt(r.minor));
  return live[live.length - 1]?.minor;
}
