// Typed facts about a project's Python dependencies: its requirements files, pyproject.toml files, Pipfiles and conda
// environments (parsed by requirements.ts, pyproject.ts and conda.ts), lock files, the Python version, and what the
// dependencies say about the framework and the server. Never throws on malformed input: problems are returned.
import { parse as parseToml } from 'smol-toml';
import { projectFact, type FileProblem, type Project } from './model.js';
import { normalizeName, requirementName } from './requirement-spec.js';
import { parseRequirements, type RequirementsFile } from './requirements.js';
import { parsePipfile, parsePyproject, type Pipfile, type Pyproject } from './pyproject.js';
import { parseCondaEnv, type CondaEnv } from './conda.js';

export type PackageManager = 'uv' | 'poetry' | 'pdm' | 'pipenv' | 'conda' | 'pip-tools' | 'pip';

export const LOCK_FILES: Record<string, PackageManager> = {
  'uv.lock': 'uv', 'poetry.lock': 'poetry', 'pdm.lock': 'pdm', 'Pipfile.lock': 'pipenv', 'conda-lock.yml': 'conda',
};

const REQ_FILE = /(^|\/)([\w.-]*requirements[\w.-]*\.(txt|in)|requirements\/[\w.-]+\.(txt|in)|constraints[\w.-]*\.txt|requirements\.lock)$/i;
const MAX_DEPTH_DIRS = 3;

const depthOf = (p: string): number => p.split('/').length - 1;
/** Paths under these directories are examples, tests or docs, not the application's manifests. */
const NOT_APP = /(^|\/)(tests?|docs?|examples?|\.github|node_modules|site-packages|vendor|third_party)\//i;

/** Every requirements-like file of the project (root-relative), parsed. */
export const requirementsFiles = projectFact((p: Project): RequirementsFile[] =>
  p.find((f) => REQ_FILE.test(f) && depthOf(f) <= MAX_DEPTH_DIRS && !NOT_APP.test(f)).map((f) => parseRequirements(p.file(f)?.text ?? '', f)));

/** Every pyproject.toml of the project (root first), parsed. */
export const pyprojects = projectFact((p: Project): Pyproject[] =>
  p.find((f) => /(^|\/)pyproject\.toml$/.test(f) && depthOf(f) <= MAX_DEPTH_DIRS && !NOT_APP.test(f))
    .sort((a, b) => depthOf(a) - depthOf(b) || a.localeCompare(b))
    .map((f) => parsePyproject(p.file(f)?.text ?? '', f)));

/** The pyproject.toml of a directory (root-relative, '' for the root). */
export function pyprojectAt(p: Project, dir: string): Pyproject | undefined {
  const path = dir ? `${dir}/pyproject.toml` : 'pyproject.toml';
  return pyprojects(p).find((x) => x.path === path) ?? (() => {
    const f = p.file(path);
    return f ? parsePyproject(f.text, path) : undefined;
  })();
}

export const pipfiles = projectFact((p: Project): Pipfile[] =>
  p.find((f) => /(^|\/)Pipfile$/.test(f) && depthOf(f) <= MAX_DEPTH_DIRS && !NOT_APP.test(f)).map((f) => parsePipfile(p.file(f)?.text ?? '', f)));

const condaEnvs = projectFact((p: Project): CondaEnv[] =>
  p.find((f) => /(^|\/)environment[\w.-]*\.ya?ml$/.test(f) && depthOf(f) <= MAX_DEPTH_DIRS && !NOT_APP.test(f)).map((f) => parseCondaEnv(p.file(f)?.text ?? '', f)));

export interface PythonFacts {
  /** Package managers, the most specific first (a lock-file tool before plain pip). */
  managers: PackageManager[];
  /** Lock files present (root-relative). */
  lockFiles: string[];
  /** The Python version the project asks for, and the file that says so. */
  pythonVersion: { value: string; source: string } | undefined;
  /** Frameworks named by the dependencies (`django`, `flask`…). */
  frameworks: string[];
  /** Servers named by the dependencies or config files (`gunicorn`, `uvicorn`…). */
  servers: string[];
  /** Ambiguities worth a note: several lock files, a manifest without its lock. */
  ambiguities: string[];
  pyprojects: Pyproject[];
  requirements: RequirementsFile[];
  pipfiles: Pipfile[];
  condaEnvs: CondaEnv[];
}

const FRAMEWORKS: [string, string][] = [
  ['django', 'django'], ['wagtail', 'wagtail'], ['flask', 'flask'], ['fastapi', 'fastapi'], ['starlette', 'starlette'],
  ['celery', 'celery'], ['aiohttp', 'aiohttp'], ['pyramid', 'pyramid'], ['tornado', 'tornado'], ['dash', 'dash'],
  ['rq', 'rq'], ['sanic', 'sanic'], ['quart', 'quart'], ['litestar', 'litestar'], ['falcon', 'falcon'], ['bottle', 'bottle'],
  ['streamlit', 'streamlit'], ['dramatiq', 'dramatiq'], ['huey', 'huey'], ['channels', 'channels'],
];
const SERVERS: [string, string][] = [
  ['gunicorn', 'gunicorn'], ['uvicorn', 'uvicorn'], ['uwsgi', 'uwsgi'], ['pyuwsgi', 'uwsgi'], ['granian', 'granian'],
  ['waitress', 'waitress'], ['hypercorn', 'hypercorn'], ['daphne', 'daphne'], ['cheroot', 'cheroot'], ['bjoern', 'bjoern'],
  ['gevent', 'gevent'], ['meinheld', 'meinheld'],
];

/** All dependency names the project declares directly (preferring `.in` sources over their compiled `.txt`). */
function declaredNames(reqs: RequirementsFile[], pps: Pyproject[], pfs: Pipfile[], envs: CondaEnv[], extra: string[]): Set<string> {
  const names = new Set<string>();
  const add = (n: string | undefined, extras: string[] = []): void => {
    if (!n) return;
    names.add(n);
    for (const e of extras) names.add(`${n}[${normalizeName(e)}]`);
  };
  const ins = new Set(reqs.filter((r) => r.path.endsWith('.in')).map((r) => r.path.slice(0, -3)));
  for (const r of reqs) {
    if (r.path.endsWith('.txt') && ins.has(r.path.slice(0, -4))) continue;
    for (const q of r.requirements) add(q.name, q.extras);
  }
  for (const pp of pps) {
    for (const d of [...pp.dependencies, ...Object.values(pp.optionalDependencies).flat(), ...(pp.poetry?.dependencies ?? [])]) add(d.name, d.extras);
  }
  for (const pf of pfs) for (const d of pf.packages) add(d.name, d.extras);
  for (const e of envs) {
    for (const d of e.dependencies) add(d.name);
    for (const d of e.pip) add(d.name, d.extras);
  }
  for (const n of extra) add(n);
  return names;
}

/** install_requires names in setup.py / setup.cfg (a light scan: quoted requirement strings). */
function setupNames(p: Project): string[] {
  const out: string[] = [];
  for (const f of p.find((x) => /(^|\/)setup\.(py|cfg)$/.test(x) && depthOf(x) <= 1)) {
    const text = p.file(f)?.text ?? '';
    if (f.endsWith('.cfg')) {
      const m = /^install_requires\s*=\s*\n((?:[ \t]+.*\n?)*)/m.exec(text);
      for (const line of m ? m[1]!.split('\n') : []) {
        const t = line.trim();
        if (t && !t.startsWith('#')) out.push(requirementName(t));
      }
    } else {
      const m = /install_requires\s*=\s*\[([^\]]*)\]/.exec(text);
      for (const s of m ? m[1]!.matchAll(/["']([A-Za-z0-9][^"']*)["']/g) : []) out.push(requirementName(s[1]!));
    }
  }
  return out;
}

/** Server names started by Procfile lines and hinted by config files. */
function serverFiles(p: Project): string[] {
  const out: string[] = [];
  for (const f of p.find((x) => /(^|\/)Procfile$/.test(x) && depthOf(x) <= 1)) {
    for (const line of (p.file(f)?.text ?? '').split('\n')) {
      const m = /^\s*[\w-]+\s*:\s*(.*)$/.exec(line);
      if (!m) continue;
      for (const [word, server] of SERVERS) if (new RegExp(`(^|[\\s/&;])${word}(\\s|$)`).test(m[1]!)) out.push(server);
    }
  }
  // servers a Dockerfile installs or starts (`pip install gunicorn`, `CMD ["gunicorn", …]`)
  for (const f of p.find((x) => /(^|\/)([\w.-]*\.)?(Dockerfile|Containerfile)([.\w-]*)?$|\.dockerfile$/i.test(x) && depthOf(x) <= 3)) {
    for (const line of (p.file(f)?.text ?? '').split('\n')) {
      if (/^\s*#/.test(line)) continue;
      for (const [word, server] of SERVERS) if (new RegExp(`(^|[\\s/"'\\[&;])${word}([\\s"'=<>\\]]|$)`).test(line) && word !== 'gevent') out.push(server);
    }
  }
  const files = p.find((x) => depthOf(x) <= 3 && !NOT_APP.test(x));
  if (files.some((x) => /(^|\/)uwsgi[\w.-]*\.(ini|ya?ml)$/.test(x))) out.push('uwsgi');
  if (files.some((x) => /(^|\/)gunicorn[\w.-]*\.(py|conf)$/.test(x) || /(^|\/)gunicorn\/[\w.-]+\.py$/.test(x))) out.push('gunicorn');
  return out;
}

export const detectPython = projectFact((p: Project): PythonFacts => {
  const reqs = requirementsFiles(p);
  const pps = pyprojects(p);
  const pfs = pipfiles(p);
  const envs = condaEnvs(p);
  const lockFiles = p.find((f) => (f.split('/').pop()! in LOCK_FILES) && depthOf(f) <= MAX_DEPTH_DIRS && !NOT_APP.test(f));
  const managers: PackageManager[] = [];
  const add = (m: PackageManager): void => {
    if (!managers.includes(m)) managers.push(m);
  };
  const lockBase = new Set(lockFiles.map((f) => f.split('/').pop()!));
  const ambiguities: string[] = [];
  // the manager the lock files and manifests name, most specific first
  for (const [lock, m] of Object.entries(LOCK_FILES)) if (lockBase.has(lock)) add(m);
  for (const pp of pps) {
    if (pp.poetry && (pp.poetry.dependencies.length > 0 || /poetry/.test(pp.buildSystem?.backend ?? ''))) {
      add('poetry');
      if (!lockBase.has('poetry.lock')) ambiguities.push(`${pp.path} declares poetry dependencies but there is no poetry.lock`);
    }
    if (pp.pdm && !lockBase.has('pdm.lock') && Object.keys(pp.pdm.devDependencies).length > 0) {
      add('pdm');
      ambiguities.push(`${pp.path} has [tool.pdm] but there is no pdm.lock`);
    }
  }
  if (pfs.length > 0) {
    add('pipenv');
    if (!lockBase.has('Pipfile.lock')) ambiguities.push('Pipfile without Pipfile.lock');
  }
  if (envs.length > 0) add('conda');
  const compiled = reqs.filter((r) => r.path.endsWith('.txt') && (/autogenerated by pip-compile|uv pip compile|by the following command/i.test(r.text.slice(0, 600)) || reqs.some((x) => x.path === r.path.slice(0, -4) + '.in')));
  if (compiled.length > 0 || reqs.some((r) => r.path.endsWith('.in') && !r.path.split('/').pop()!.startsWith('MANIFEST'))) add('pip-tools');
  if (reqs.some((r) => r.path.endsWith('.txt'))) add('pip');
  if (managers.length === 0 && (pps.some((pp) => pp.dependencies.length > 0) || setupNames(p).length > 0 || p.find((f) => /(^|\/)setup\.py$/.test(f) && depthOf(f) <= 1).length > 0)) add('pip');
  // [tool.uv] without uv.lock: uv configured, but nothing locked: the least specific guess
  const uvNoLock = pps.find((pp) => pp.uv) && !lockBase.has('uv.lock');
  if (uvNoLock) {
    add('uv');
    ambiguities.push(`${pps.find((pp) => pp.uv)!.path} has [tool.uv] but there is no uv.lock`);
  }
  const lockTools = new Set(lockFiles.map((f) => LOCK_FILES[f.split('/').pop()!]));
  if (lockTools.size > 1) ambiguities.push(`several lock files: ${lockFiles.join(', ')}`);
  // Python version, most explicit source first
  let pythonVersion: PythonFacts['pythonVersion'];
  const pv = p.file('.python-version')?.text.split('\n').map((l) => l.trim()).find((l) => l && !l.startsWith('#'));
  const rt = p.file('runtime.txt')?.text.trim();
  if (pv) pythonVersion = { value: pv, source: '.python-version' };
  else if (rt) pythonVersion = { value: rt.replace(/^python-/, ''), source: 'runtime.txt' };
  else {
    const pf = pfs.find((x) => x.python);
    const env = envs.find((x) => x.python);
    const pp = pps.find((x) => x.requiresPython);
    const po = pps.find((x) => x.poetry?.python);
    if (pf) pythonVersion = { value: pf.python!, source: pf.path };
    else if (env) pythonVersion = { value: env.python!, source: env.path };
    else if (pp) pythonVersion = { value: pp.requiresPython!.value, source: pp.path };
    else if (po) pythonVersion = { value: po.poetry!.python!, source: po.path };
  }
  const names = declaredNames(reqs, pps, pfs, envs, setupNames(p));
  const frameworks = FRAMEWORKS.filter(([dep]) => names.has(dep)).map(([, f]) => f);
  if (names.has('django-rq') || names.has('flask-rq2')) frameworks.push('rq');
  // frameworks built on another: the base is the framework too
  if (frameworks.includes('wagtail') && !frameworks.includes('django')) frameworks.unshift('django');
  if (frameworks.includes('dash') && !frameworks.includes('flask')) frameworks.unshift('flask');
  const servers: string[] = [];
  for (const [dep, s] of SERVERS) if (names.has(dep) && !servers.includes(s)) servers.push(s);
  if ((names.has('fastapi[standard]') || names.has('fastapi-cli[standard]')) && !servers.includes('uvicorn')) servers.push('uvicorn');
  if ([...names].some((n) => /^uvicorn\[/.test(n)) && !servers.includes('uvicorn')) servers.push('uvicorn');
  for (const s of serverFiles(p)) if (!servers.includes(s)) servers.push(s);
  return {
    managers, lockFiles, pythonVersion, frameworks: [...new Set(frameworks)], servers, ambiguities,
    pyprojects: pps, requirements: reqs, pipfiles: pfs, condaEnvs: envs,
  };
});

/**
 * The versions a lock file pins (uv.lock, poetry.lock, pdm.lock: `[[package]]`; Pipfile.lock: its `default` section),
 * by normalized name; the project's own virtual/editable entry is left out. Undefined when the file is missing, not a
 * lock file, or does not parse (a broken lock is `pyship check`'s business: DF026).
 */
export function lockPins(p: Project, lock: string): Map<string, string> | undefined {
  const text = p.file(lock)?.text;
  const name = lock.split('/').pop()!;
  if (text === undefined || !name.endsWith('.lock')) return undefined;
  const versions = new Map<string, string>();
  try {
    if (name === 'Pipfile.lock') {
      const doc = JSON.parse(text) as { default?: Record<string, { version?: string }> };
      for (const [n, v] of Object.entries(doc.default ?? {})) if (v.version) versions.set(normalizeName(n), v.version.replace(/^==/, ''));
    } else {
      const doc = parseToml(text) as { package?: { name?: string; version?: string; source?: { virtual?: string; editable?: string } }[] };
      for (const pkg of doc.package ?? []) {
        if (pkg.name && pkg.version && !pkg.source?.virtual && !pkg.source?.editable) versions.set(normalizeName(pkg.name), pkg.version);
      }
    }
  } catch {
    return undefined;
  }
  return versions;
}

/** Pinned versions of a project: its lock files, else the `==` pins of its requirements files; and where they came from. */
export const projectPins = projectFact((p: Project): { sources: string[]; versions: Map<string, string> } => {
  const facts = detectPython(p);
  const versions = new Map<string, string>();
  const sources: string[] = [];
  for (const lock of facts.lockFiles) {
    const pins = lockPins(p, lock);
    if (!pins) continue;
    for (const [n, v] of pins) versions.set(n, v);
    sources.push(lock);
  }
  if (sources.length === 0) {
    for (const r of facts.requirements) {
      let any = false;
      for (const q of r.requirements) {
        const m = /^===?([^,;]+)$/.exec(q.specifier);
        if (q.name && q.pinned && m) {
          versions.set(q.name, m[1]!.trim());
          any = true;
        }
      }
      if (any) sources.push(r.path);
    }
  }
  return { sources, versions };
});

/** Malformed manifests: TOML/YAML errors, unparseable requirement lines (for DF026). Never throws. */
export const pythonProblems = projectFact((p: Project): FileProblem[] => {
  const out: FileProblem[] = [];
  try {
    for (const r of requirementsFiles(p)) out.push(...r.problems);
    for (const pp of pyprojects(p)) if (pp.problem) out.push(pp.problem);
    for (const pf of pipfiles(p)) if (pf.problem) out.push(pf.problem);
    for (const e of condaEnvs(p)) out.push(...e.problems);
  } catch (e) {
    out.push({ file: '.', span: { start: 0, end: 0 }, message: `could not read the Python manifests: ${(e as Error).message}` });
  }
  return out;
});
