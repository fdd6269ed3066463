// Paths inside the image: one normalisation for WORKDIR, COPY destinations and scripts (POSIX, `..` clamped at /).

/** `/a/./b/../c//` → `/a/c`. */
export function normalizePosix(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return '/' + out.join('/');
}

/** Resolve `p` against `dir` (the root when unknown). */
export function resolveIn(dir: string | undefined, p: string): string {
  return normalizePosix(p.startsWith('/') ? p : (dir ?? '/') + '/' + p);
}

/** Normalise a path in the image; relative ones are taken against `dir` (undefined when `dir` is unknown). */
export function imagePath(dir: string | undefined, p: string): string | undefined {
  if (!p.startsWith('/') && dir === undefined) return undefined;
  return resolveIn(dir, p);
}

/** Join a relative path onto a directory of the build context or project (no leading `/`; `..` clamped). */
export function joinRelative(dir: string, rel: string): string {
  return normalizePosix(rel.startsWith('/') ? rel : `${dir}/${rel}`).slice(1);
}

/** The directory part of a POSIX path ('' for a bare name). */
export function dirnamePosix(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

/** The last part of a POSIX path (the whole of a bare name). */
export function basenamePosix(p: string): string {
  const i = p.lastIndexOf('/');
  return i >= 0 ? p.slice(i + 1) : p;
}
