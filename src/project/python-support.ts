// What a project's own files say about the Python it can run: the newest minor its pins support (wheel lists in locks,
// well-known compiled packages for plain pins), the Python its Dockerfiles ship and its CI/classifiers test, and when
// its lock was last changed. Pure reading of file text; init decides from these (src/init/python-choice.ts).
import { detectPython, lockPins } from './python.js';
import { projectDockerfiles, projectFact, type Project } from './model.js';
import { knownCeiling, lockCeilings, nameSource, type PackageCeiling } from './wheel-support.js';
import { minorNumber } from './python-releases.js';

export interface VersionEvidence {
  minor: string;
  /** `path:line what`. */
  evidence: string;
}

export interface PythonSupport {
  /** The newest minor every bounded pin supports, with the pins that set it; undefined when no pin bounds Python. */
  ceiling: { minor: string; evidence: string[] } | undefined;
  /** Every pin that bounds Python, lowest first. */
  bounded: PackageCeiling[];
  /** Minors the project's Dockerfiles build on (`FROM python:3.11-slim`). */
  shipped: VersionEvidence[];
  /** Minors its CI matrices and trove classifiers test. */
  tested: VersionEvidence[];
  /** When the lock was last changed (ISO date): its last commit, else its newest wheel upload time. */
  lockDate: { date: string; evidence: string } | undefined;
  /** Without a date: the newest CPython tag among the lock's wheels, the newest Python when it was resolved. */
  lockEra: VersionEvidence | undefined;
}

const lineAt = (text: string, offset: number): number => text.slice(0, Math.max(0, offset)).split('\n').length;
const MAX_FILES = 40;

/** Python minors named by the project's Dockerfiles' FROM lines (ARG defaults applied). */
function shippedVersions(p: Project): VersionEvidence[] {
  const out: VersionEvidence[] = [];
  for (const { path: f, text } of projectDockerfiles(p).slice(0, MAX_FILES)) {
    const args = new Map<string, string>();
    text.split('\n').forEach((line, i) => {
      const arg = /^\s*ARG\s+([A-Za-z_]\w*)=["']?([^"'\s]+)/i.exec(line);
      if (arg) args.set(arg[1]!, arg[2]!);
      const from = /^\s*FROM\s+(?:--\S+\s+)*(\S+)/i.exec(line);
      if (!from) return;
      const image = from[1]!.replace(/\$\{?(\w+)(?::-[^}]*)?\}?/g, (_, n: string) => args.get(n) ?? '');
      const m = /(?:^|\/)python:(\d+\.\d+)/.exec(image) ?? /(?:^|\/)uv:python(\d+\.\d+)/.exec(image);
      if (m) out.push({ minor: m[1]!, evidence: `${f}:${i + 1} FROM ${from[1]}` });
    });
  }
  return out;
}

/** Python minors in CI matrices (`python-version: ["3.11", "3.12"]`) and trove classifiers. */
function testedVersions(p: Project): VersionEvidence[] {
  const out: VersionEvidence[] = [];
  const ci = p.find((f) => /^\.github\/workflows\/[^/]+\.ya?ml$|(^|\/)\.gitlab-ci\.ya?ml$|(^|\/)tox\.ini$|(^|\/)noxfile\.py$/.test(f)).slice(0, MAX_FILES);
  for (const f of ci) {
    const lines = (p.file(f)?.text ?? '').split('\n');
    lines.forEach((line, i) => {
      if (!/python[-_]?versions?\s*[:=]|^\s*python\s*:|envlist|session\(.*python/i.test(line)) return;
      // the key's line and a following YAML list (`- "3.12"`)
      const block = [line];
      for (let j = i + 1; j < Math.min(lines.length, i + 12) && /^\s*-\s*["']?\d/.test(lines[j]!); j++) block.push(lines[j]!);
      for (const b of block) {
        for (const m of b.matchAll(/(?<![\d.])["']?3\.(\d{1,2})(?![\d])/g)) out.push({ minor: `3.${m[1]}`, evidence: `${f}:${i + 1} ${line.trim().slice(0, 80)}` });
        for (const m of b.matchAll(/\bpy3(\d{1,2})\b/g)) out.push({ minor: `3.${m[1]}`, evidence: `${f}:${i + 1} ${line.trim().slice(0, 80)}` });
      }
    });
  }
  for (const f of p.find((x) => /(^|\/)(pyproject\.toml|setup\.py|setup\.cfg)$/.test(x) && x.split('/').length <= 3).slice(0, MAX_FILES)) {
    const text = p.file(f)?.text ?? '';
    for (const m of text.matchAll(/Programming Language :: Python :: 3\.(\d+)/g)) out.push({ minor: `3.${m[1]}`, evidence: `${f}:${lineAt(text, m.index)} classifier Python :: 3.${m[1]}` });
  }
  return out;
}

/** The newest minor the pins support: wheel lists of lock files, else the well-known package table over pins and declared ranges. */
function boundedPins(p: Project): { bounded: PackageCeiling[]; newestUpload: string | undefined; era: VersionEvidence | undefined } {
  const facts = detectPython(p);
  const bounded: PackageCeiling[] = [];
  const listed = new Set<string>();
  let newestUpload: string | undefined;
  let era: VersionEvidence | undefined;
  for (const lock of facts.lockFiles) {
    const text = p.file(lock)?.text;
    const dir = lock.includes('/') ? lock.slice(0, lock.lastIndexOf('/')) : '';
    const pp = facts.pyprojects.find((x) => x.path === (dir ? `${dir}/pyproject.toml` : 'pyproject.toml'));
    const roots = pp ? [...pp.dependencies, ...(pp.poetry?.dependencies ?? [])].map((d) => d.name).filter((n): n is string => !!n) : undefined;
    const lc = text === undefined ? undefined : lockCeilings(lock, text, roots);
    if (lc) {
      bounded.push(...lc.packages);
      for (const n of lc.listed) listed.add(n);
      if (lc.newestUpload && (!newestUpload || lc.newestUpload > newestUpload)) newestUpload = lc.newestUpload;
      if (lc.newestTag && (!era || minorNumber(lc.newestTag) > minorNumber(era.minor))) {
        era = { minor: lc.newestTag, evidence: `${lock}: its newest wheels are tagged cp3${lc.newestTag.split('.')[1]}, so it was resolved when Python ${lc.newestTag} was the newest` };
      }
    }
    // a lock without wheel names (Pipfile.lock: hashes only): its exact versions against the table
    for (const [name, version] of lockPins(p, lock) ?? []) {
      if (listed.has(name)) continue;
      const minor = knownCeiling(name, `==${version}`);
      const at = text?.search(new RegExp(`"${nameSource(name)}"\\s*[:=]|name = "${nameSource(name)}"`, 'i')) ?? -1;
      if (minor) bounded.push({ name, version, minor, from: 'table', evidence: `${lock}:${lineAt(text ?? '', at)} ${name} ${version}: newest supported Python ${minor}` });
      listed.add(name);
    }
  }
  // declared pins and ranges: requirements files, pyproject (PEP 621 and poetry), Pipfile, environment.yml pip
  const declared: { name: string | undefined; specifier: string; path: string; text: string; offset: number; line?: number }[] = [];
  for (const r of facts.requirements) for (const q of r.requirements) declared.push({ name: q.name, specifier: q.specifier, path: r.path, text: r.text, offset: q.span.start, line: q.line });
  for (const pp of facts.pyprojects) {
    for (const d of [...pp.dependencies, ...(pp.poetry?.dependencies ?? [])]) declared.push({ name: d.name, specifier: d.specifier, path: pp.path, text: pp.text, offset: d.span.start });
  }
  for (const pf of facts.pipfiles) for (const d of pf.packages) declared.push({ name: d.name, specifier: d.specifier, path: pf.path, text: p.file(pf.path)?.text ?? '', offset: d.span.start });
  const seen = new Set<string>();
  for (const d of declared) {
    if (!d.name || listed.has(d.name) || seen.has(`${d.name}@${d.path}`)) continue;
    const minor = knownCeiling(d.name, d.specifier);
    if (!minor) continue;
    seen.add(`${d.name}@${d.path}`);
    const line = d.line ?? lineAt(d.text, d.offset);
    bounded.push({ name: d.name, version: d.specifier, minor, from: 'table', evidence: `${d.path}:${line} ${d.name}${d.specifier}: newest supported Python ${minor}` });
  }
  bounded.sort((a, b) => minorNumber(a.minor) - minorNumber(b.minor));
  return { bounded, newestUpload, era };
}

/** psycopg2 and mysqlclient build from source on Linux: the project's own Dockerfile building them on a newer Python shows they compile there. */
const SOURCE_BUILD = new Set(['psycopg2', 'mysqlclient']);

function provenByDockerfile(bounded: PackageCeiling[], shipped: VersionEvidence[]): void {
  const top = shipped.reduce<VersionEvidence | undefined>((a, b) => (!a || minorNumber(b.minor) > minorNumber(a.minor) ? b : a), undefined);
  if (!top) return;
  for (const b of bounded) {
    if (b.from === 'table' && SOURCE_BUILD.has(b.name) && minorNumber(b.minor) < minorNumber(top.minor)) {
      b.evidence = `${b.evidence}, but ${top.evidence} builds it from source on ${top.minor}`;
      b.minor = top.minor;
    }
  }
  bounded.sort((a, b) => minorNumber(a.minor) - minorNumber(b.minor));
}

export const pythonSupport = projectFact((p: Project): PythonSupport => {
  const { bounded, newestUpload, era } = boundedPins(p);
  const shipped = shippedVersions(p);
  provenByDockerfile(bounded, shipped);
  let ceiling: PythonSupport['ceiling'];
  if (bounded.length > 0) {
    const minor = bounded[0]!.minor;
    ceiling = { minor, evidence: bounded.filter((b) => b.minor === minor).slice(0, 3).map((b) => b.evidence) };
  }
  let lockDate: PythonSupport['lockDate'];
  const facts = detectPython(p);
  const locks = [...facts.lockFiles, ...facts.requirements.filter((r) => r.requirements.some((q) => q.pinned)).map((r) => r.path)];
  for (const lock of locks) {
    const t = p.lastCommitTime(lock);
    if (t === undefined) continue;
    const date = new Date(t * 1000).toISOString().slice(0, 10);
    if (!lockDate || date > lockDate.date) lockDate = { date, evidence: `${lock}: last changed ${date} (git log)` };
  }
  if (!lockDate && newestUpload) lockDate = { date: newestUpload.slice(0, 10), evidence: `${facts.lockFiles.find((f) => f.endsWith('uv.lock')) ?? 'uv.lock'}: newest locked wheel uploaded ${newestUpload.slice(0, 10)}` };
  return { ceiling, bounded, shipped, tested: testedVersions(p), lockDate, lockEra: lockDate ? undefined : era };
});
