// Requirement strings as pip reads them (PEP 508 plus URLs and VCS references): name, extras, markers, pin kind.
export type PinKind = 'pinned' | 'unpinned' | 'vcs' | 'skip';

const ARCHIVE = /\.(whl|tar\.gz|tgz|tar\.bz2|tar\.xz|zip|egg)$/i;
const NAME_RE = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*(.*)$/;

/** A VCS URL is pinned when it names a ref after the repository path: git+https://host/org/repo.git@v1.2. */
function vcsPinned(url: string): boolean {
  const noFrag = url.split('#')[0]!;
  const afterScheme = noFrag.replace(/^[a-z+]+:\/\//i, '');
  const slash = afterScheme.indexOf('/');
  const path = slash < 0 ? '' : afterScheme.slice(slash);
  return /@[^/@]+$/.test(path) || /@[^/]+$/.test(path);
}

function urlKind(url: string): PinKind {
  if (/^(git|hg|svn|bzr)\+/i.test(url)) return vcsPinned(url) ? 'pinned' : 'vcs';
  return 'pinned';
}

/**
 * Classify one requirement as pip reads it (a command-line argument or a requirements-file line without its
 * options): `pinned` (`==`/`===`, a VCS URL with a ref, an archive URL), `unpinned` (no version or a range), `vcs`
 * (a VCS URL without a ref), `skip` (a local path, an option, a glob: nothing to pin).
 */
export function requirementKind(spec: string): PinKind {
  const s = spec.trim();
  if (s === '' || s.startsWith('-')) return 'skip';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s) || /^(git|hg|svn|bzr)\+/i.test(s) || s.startsWith('file:')) return urlKind(s);
  const direct = /^[A-Za-z0-9._-]+(\[[^\]]*\])?\s*@\s*(\S.*)$/.exec(s);
  if (direct && /:\/\/|^(git|hg|svn|bzr)\+|^file:/i.test(direct[2]!)) return urlKind(direct[2]!.trim());
  if (/^[.~/\\]/.test(s) || s.includes('/') || s.includes('\\') || ARCHIVE.test(s) || /[*?]/.test(s)) return 'skip';
  const m = NAME_RE.exec(s.split(';')[0]!.trim());
  if (!m) return 'skip';
  const clauses = m[3]!.replace(/\s+/g, '').split(',');
  const pinned = clauses.some((c) => c.startsWith('===') || (c.startsWith('==') && !c.endsWith('*')));
  return pinned ? 'pinned' : 'unpinned';
}

/** PEP 503 normalized name. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** The normalized name a requirement string starts with (or the string itself). */
export function requirementName(spec: string): string {
  const m = /^([A-Za-z0-9._-]+)/.exec(spec.trim());
  return normalizeName(m ? m[1]! : spec);
}

export interface ParsedSpec {
  /** Normalized project name; undefined for a bare URL or path without `#egg=`. */
  name: string | undefined;
  extras: string[];
  /** Version specifier as written, spaces removed (`>=2,<3`), '' when none. */
  specifier: string;
  markers: string | undefined;
  /** A URL (`name @ url`, a bare URL, a VCS URL). */
  url: string | undefined;
  /** A local path or archive. */
  path: string | undefined;
  kind: PinKind;
  /** Exact pin: `==X` (no wildcard) or `===X`. */
  pinned: boolean;
}

/** Parse a PEP 508 requirement (or pip's URL/path spellings). */
export function parseSpec(spec: string): ParsedSpec {
  const s = spec.trim();
  let kind = requirementKind(s);
  // `django==5.*` is a range, not a path or a glob
  if (kind === 'skip' && /^[A-Za-z0-9._-]+\s*(\[[^\]]*\])?\s*[<>=!~][^/\\]*$/.test(s.split(';')[0]!.trim())) kind = 'unpinned';
  const out: ParsedSpec = { name: undefined, extras: [], specifier: '', markers: undefined, url: undefined, path: undefined, kind, pinned: false };
  const semi = /\s;|;\s|;(?=\s*[a-z_]+\s*[<>=!~ ]|\s*(?:extra|python_version|sys_platform|platform_|implementation_|os_name))/i.exec(s);
  const body = (semi ? s.slice(0, semi.index) : s).trim();
  if (semi) out.markers = s.slice(semi.index).replace(/^\s*;\s*/, '').trim() || undefined;
  const isUrl = (x: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(x) || /^(git|hg|svn|bzr)\+/i.test(x) || x.startsWith('file:');
  const egg = (u: string): string | undefined => {
    const m = /[#&]egg=([A-Za-z0-9._-]+)/.exec(u);
    return m ? normalizeName(m[1]!) : undefined;
  };
  if (isUrl(body)) {
    out.url = body;
    out.name = egg(body);
    return out;
  }
  const direct = /^([A-Za-z0-9._-]+)\s*(\[[^\]]*\])?\s*@\s*(\S.*)$/.exec(body);
  if (direct) {
    out.name = normalizeName(direct[1]!);
    out.extras = direct[2] ? direct[2].slice(1, -1).split(',').map((e) => e.trim()).filter(Boolean) : [];
    out.url = direct[3]!.trim();
    return out;
  }
  if (kind === 'skip') {
    if (body !== '' && !body.startsWith('-')) out.path = body;
    return out;
  }
  const m = NAME_RE.exec(body);
  if (!m) return out;
  out.name = normalizeName(m[1]!);
  out.extras = m[2] ? m[2].slice(1, -1).split(',').map((e) => e.trim()).filter(Boolean) : [];
  out.specifier = m[3]!.replace(/\s+/g, '').replace(/^\((.*)\)$/, '$1');
  out.pinned = kind === 'pinned';
  return out;
}
