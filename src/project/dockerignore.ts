// .dockerignore with Docker's own matching (a port of moby's matcher), plus which line decided, for messages and fixes.
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Ignore } from '@balena/dockerignore';

// a CommonJS module whose typings declare an ES default export: load it as what it is
const createIgnore = createRequire(import.meta.url)('@balena/dockerignore') as (options?: { ignorecase?: boolean }) => Ignore;
import type { Span } from '../dockerfile/model.js';

export interface DockerignoreEntry {
  /** The pattern as written, without a leading `!`. */
  pattern: string;
  negated: boolean;
  /** 1-based line in .dockerignore. */
  line: number;
  span: Span;
}

/** A line Docker refuses: the whole file fails (`syntax error in pattern`), so every build of the context fails. */
export interface DockerignoreProblem {
  line: number;
  span: Span;
  message: string;
}

export interface Dockerignore {
  text: string;
  /** The patterns Docker accepts; a line it refuses is in `problems` instead, so the others keep being judged. */
  entries: DockerignoreEntry[];
  problems: DockerignoreProblem[];
  /** Is this context path (POSIX, relative to the context) left out of the build context? */
  ignores(path: string): boolean;
  /** The last entry that matches the path (the one that decides), if any. */
  decidedBy(path: string): DockerignoreEntry | undefined;
  /** Could a `!` exception re-include something below this ignored directory? (Docker then still walks it.) */
  mayReinclude(dir: string): boolean;
}

function clean(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/^\/+/, '').replace(/\/+$/, '');
}

/**
 * Why Go's filepath.Match refuses a pattern, or undefined when it accepts it. moby/patternmatcher calls
 * `filepath.Match(pattern, ".")` on every line and fails the whole .dockerignore on the first error; this is the
 * syntax part of Go's matchChunk/getEsc (Unix: `\` escapes).
 */
export function badPattern(pattern: string): string | undefined {
  const cs = [...pattern];
  let i = 0;
  // one character of a class, escaped or not; Go refuses `-` or `]` here, and a class that ends with the pattern
  const esc = (): string | undefined => {
    if (i >= cs.length || cs[i] === '-' || cs[i] === ']') return 'a malformed `[...]` class';
    if (cs[i] === '\\' && ++i >= cs.length) return 'a `[` never closed';
    return ++i >= cs.length ? 'a `[` never closed' : undefined;
  };
  while (i < cs.length) {
    const ch = cs[i++];
    if (ch === '\\') {
      if (i >= cs.length) return 'a trailing `\\`';
      i++;
    } else if (ch === '[') {
      if (cs[i] === '^') i++;
      for (let n = 0; ; n++) {
        if (cs[i] === ']' && n > 0) {
          i++;
          break;
        }
        const e = esc();
        if (e) return e;
        if (cs[i] === '-') {
          i++;
          const h = esc();
          if (h) return h;
        }
      }
    }
  }
  return undefined;
}

const refused = (pattern: string, why: string): string =>
  `\`${pattern}\` is not a valid .dockerignore pattern (${why}): Docker refuses the whole file, so every build of this context fails with "syntax error in pattern"; escape the character (\`\\[\`) or remove the line`;

function compiles(pattern: string): boolean {
  try {
    createIgnore().add(pattern).ignores('x');
    return true;
  } catch {
    return false;
  }
}

export function parseDockerignore(text: string): Dockerignore {
  const entries: DockerignoreEntry[] = [];
  const problems: DockerignoreProblem[] = [];
  let offset = 0;
  text.split('\n').forEach((raw, i) => {
    const start = offset;
    offset += raw.length + 1;
    const line = raw.replace(/\r$/, '');
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const negated = trimmed.startsWith('!');
    const pattern = (negated ? trimmed.slice(1) : trimmed).trim();
    const lead = line.indexOf(trimmed);
    const span = { start: start + lead, end: start + lead + trimmed.length };
    if (pattern === '') {
      problems.push({ line: i + 1, span, message: '`!` alone is not a valid .dockerignore pattern: Docker refuses the whole file ("illegal exclusion pattern"), so every build of this context fails; name what to re-include or remove the line' });
      return;
    }
    const why = badPattern(pattern);
    if (why) {
      problems.push({ line: i + 1, span, message: refused(pattern, why) });
      return;
    }
    entries.push({ pattern, negated, line: i + 1, span });
  });
  // Go accepts a few classes JavaScript's regexps refuse (`[z-a]`); Go's regexp refuses them too, at match time. Only
  // a pattern with a class can be one, so only those are compiled here (a 100,000-line file compiled each line twice)
  const malformed = new Set(entries.filter((e) => e.pattern.includes('[') && !compiles(e.pattern)));
  for (const e of malformed) problems.push({ line: e.line, span: e.span, message: refused(e.pattern, 'a malformed `[...]` class') });
  if (malformed.size > 0) entries.splice(0, entries.length, ...entries.filter((e) => !malformed.has(e)));
  problems.sort((a, b) => a.line - b.line);
  const all = createIgnore().add(entries.map((e) => (e.negated ? '!' : '') + e.pattern));
  const cache = new Map<string, boolean>();
  // one matcher per entry, made when decidedBy first needs it (most runs never ask)
  const single: (Ignore | undefined)[] = [];
  return {
    text,
    entries,
    problems,
    ignores(path) {
      const p = clean(path);
      if (p === '' || p === '.') return false;
      let hit = cache.get(p);
      if (hit === undefined) {
        hit = all.ignores(p);
        cache.set(p, hit);
      }
      return hit;
    },
    decidedBy(path) {
      const p = clean(path);
      for (let k = entries.length - 1; k >= 0; k--) if ((single[k] ??= createIgnore().add(entries[k]!.pattern)).ignores(p)) return entries[k];
      return undefined;
    },
    mayReinclude(dir) {
      const d = clean(dir);
      return entries.some((e) => e.negated && (e.pattern.includes('*') || clean(e.pattern).startsWith(d + '/') || clean(e.pattern) === d));
    },
  };
}

/** A walk of a context or a project stops after this many files. */
export const MAX_WALK = 50_000;

/**
 * Context-relative paths of the files `docker build` sends from the context directory `context` (absolute) with this
 * .dockerignore. Ignored directories are not walked unless a `!` exception could re-include something inside.
 */
export function sentFilesIn(context: string, di: Dockerignore | undefined): string[] {
  const sent: string[] = [];
  const stack = [''];
  while (stack.length > 0 && sent.length < MAX_WALK) {
    const rel = stack.pop()!;
    let entries;
    try {
      entries = readdirSync(join(context, rel), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (di && di.ignores(p) && !di.mayReinclude(p)) continue;
        stack.push(p);
      } else if (!di || !di.ignores(p)) sent.push(p);
    }
  }
  return sent.sort();
}
