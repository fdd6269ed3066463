// System libraries: Debian packages that Python packages link to at run time, and what building them from source needs.
import type { Debian } from '../templates/spec.js';

// ---------------------------------------------------------------------------------------------------------------
// System libraries: runtime libraries of packages that link to them, and what building them from source needs.

interface SysDeps {
  runtime: Partial<Record<Debian, string[]>> & { all?: string[] };
  build: string[];
  sourceOnly?: boolean;
  /** A package that brings the library in its own wheel: with it installed, the system's is not needed. */
  bundledBy?: string;
}

export const SYSTEM_LIBS: Record<string, SysDeps> = {
  psycopg2: { runtime: { all: ['libpq5'] }, build: ['gcc', 'libc6-dev', 'libpq-dev'], sourceOnly: true },
  // psycopg[binary]: psycopg-binary's wheels bundle libpq; plain psycopg loads the system's
  psycopg: { runtime: { all: ['libpq5'] }, build: [], bundledBy: 'psycopg-binary' },
  'psycopg-c': { runtime: { all: ['libpq5'] }, build: ['gcc', 'libc6-dev', 'libpq-dev'], sourceOnly: true },
  mysqlclient: { runtime: { all: ['libmariadb3'] }, build: ['gcc', 'libc6-dev', 'libmariadb-dev', 'pkg-config'], sourceOnly: true },
  lxml: { runtime: { all: ['libxml2', 'libxslt1.1'] }, build: [] },
  'python-ldap': { runtime: { bookworm: ['libldap-2.5-0', 'libsasl2-2'], trixie: ['libldap2', 'libsasl2-2'] }, build: ['gcc', 'libc6-dev', 'libldap2-dev', 'libsasl2-dev'], sourceOnly: true },
  uwsgi: { runtime: { all: ['libxml2'] }, build: ['gcc', 'libc6-dev', 'libxml2-dev'], sourceOnly: true },
  'mod-wsgi': { runtime: { all: ['apache2'] }, build: ['gcc', 'libc6-dev', 'apache2-dev'], sourceOnly: true },
  weasyprint: { runtime: { all: ['libpango-1.0-0', 'libpangoft2-1.0-0', 'libharfbuzz-subset0'] }, build: [] },
  cairosvg: { runtime: { all: ['libcairo2'] }, build: [] },
  pycairo: { runtime: { all: ['libcairo2'] }, build: ['gcc', 'libc6-dev', 'libcairo2-dev', 'pkg-config'], sourceOnly: true },
  'python-magic': { runtime: { all: ['libmagic1'] }, build: [] },
  pyodbc: { runtime: { all: ['unixodbc'] }, build: [] },
  gdal: { runtime: { bookworm: ['libgdal32'], trixie: ['libgdal36'] }, build: ['gcc', 'g++', 'libgdal-dev'], sourceOnly: true },
  'pygraphviz': { runtime: { all: ['libgraphviz-dev'] }, build: ['gcc', 'libc6-dev', 'libgraphviz-dev'], sourceOnly: true },
};

export function libsFor(names: Set<string>, codename: Debian): { runtime: string[]; build: string[] } {
  const runtime = new Set<string>();
  const build = new Set<string>();
  for (const [pkg, deps] of Object.entries(SYSTEM_LIBS)) {
    if (!names.has(pkg) || (deps.bundledBy !== undefined && names.has(deps.bundledBy))) continue;
    for (const r of [...(deps.runtime.all ?? []), ...(deps.runtime[codename] ?? [])]) runtime.add(r);
    for (const b of deps.build) build.add(b);
  }
  return { runtime: [...runtime].sort(), build: [...build].sort() };
}

